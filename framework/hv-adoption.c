/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvAdoption"

#include "config.h"

#include "hv-adoption.h"
#include "hv-variant-private.h"

/**
 * HvAdoption:
 *
 * What became of one instance that hv_hypervisor_adopt_instances_async()
 * found: adopted (the driver manages it from now on) or refused, with the
 * reason, in which case nothing of it was touched.
 *
 * As a{sv}: `name` s (the instance), `adopted` b, `reason` s (why it was
 * refused; empty when adopted).
 *
 * Since: 1.0
 */

struct _HvAdoption {
  GObject parent_instance;

  gchar *name;
  gboolean adopted;
  gchar *reason;
};

G_DEFINE_FINAL_TYPE (HvAdoption, hv_adoption, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_ADOPTED,
  PROP_REASON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hv_adoption_finalize (GObject *object)
{
  HvAdoption *self = HV_ADOPTION (object);

  g_free (self->name);
  g_free (self->reason);

  G_OBJECT_CLASS (hv_adoption_parent_class)->finalize (object);
}

static void
hv_adoption_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HvAdoption *self = HV_ADOPTION (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ADOPTED:
      g_value_set_boolean (value, self->adopted);
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_adoption_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HvAdoption *self = HV_ADOPTION (object);

  switch (prop_id)
    {
    case PROP_NAME:
      hv_adoption_set_name (self, g_value_get_string (value));
      break;
    case PROP_ADOPTED:
      hv_adoption_set_adopted (self, g_value_get_boolean (value));
      break;
    case PROP_REASON:
      hv_adoption_set_reason (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_adoption_class_init (HvAdoptionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = hv_adoption_finalize;
  object_class->get_property = hv_adoption_get_property;
  object_class->set_property = hv_adoption_set_property;

  /**
   * HvAdoption:name:
   *
   * The instance's name.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);

  /**
   * HvAdoption:adopted:
   *
   * Whether the driver manages the instance now.
   *
   * Since: 1.0
   */
  properties[PROP_ADOPTED] = g_param_spec_boolean ("adopted", NULL, NULL, FALSE, flags);

  /**
   * HvAdoption:reason:
   *
   * Why the instance was refused; %NULL when it was adopted.
   *
   * Since: 1.0
   */
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_adoption_init (HvAdoption *self)
{
}

/**
 * hv_adoption_new:
 * @name: the instance's name
 * @adopted: whether it was adopted
 * @reason: (nullable): why it was refused
 *
 * Returns: (transfer full): a new #HvAdoption
 *
 * Since: 1.0
 */
HvAdoption *
hv_adoption_new (const gchar *name,
                 gboolean     adopted,
                 const gchar *reason)
{
  return g_object_new (HV_TYPE_ADOPTION, "name", name, "adopted", adopted, "reason", reason, NULL);
}

/**
 * hv_adoption_new_from_variant:
 * @dict: an a{sv} (see #HvAdoption for its keys)
 * @error: return location for a #GError
 *
 * Reads an adoption's outcome from its a{sv} form. Keys it does not know
 * are kept and written back by hv_adoption_to_variant().
 *
 * Returns: (transfer full): a new #HvAdoption, or %NULL with
 *   %HV_ERROR_INVALID_PARAMETER when a key has a value of the wrong type
 *
 * Since: 1.0
 */
HvAdoption *
hv_adoption_new_from_variant (GVariant  *dict,
                              GError   **error)
{
  g_autoptr(HvAdoption) self = NULL;

  g_return_val_if_fail (dict != NULL, NULL);
  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HV_TYPE_ADOPTION, NULL);
  if (!hv_variant_read_object (G_OBJECT (self), dict, NULL, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * hv_adoption_to_variant:
 * @self: an #HvAdoption
 *
 * An adoption's outcome as an a{sv}, sorted by key.
 *
 * Returns: (transfer full): a new a{sv}, not floating
 *
 * Since: 1.0
 */
GVariant *
hv_adoption_to_variant (HvAdoption *self)
{
  g_return_val_if_fail (HV_IS_ADOPTION (self), NULL);

  return hv_variant_object_to_dict (G_OBJECT (self));
}

/**
 * hv_adoption_get_name:
 * @self: an #HvAdoption
 *
 * Returns: (nullable): the instance's name
 *
 * Since: 1.0
 */
const gchar *
hv_adoption_get_name (HvAdoption *self)
{
  g_return_val_if_fail (HV_IS_ADOPTION (self), NULL);
  return self->name;
}

/**
 * hv_adoption_set_name:
 * @self: an #HvAdoption
 * @name: (nullable): the instance's name
 *
 * Since: 1.0
 */
void
hv_adoption_set_name (HvAdoption  *self,
                      const gchar *name)
{
  g_return_if_fail (HV_IS_ADOPTION (self));
  if (hv_set_str (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * hv_adoption_get_adopted:
 * @self: an #HvAdoption
 *
 * Returns: whether the driver manages the instance now
 *
 * Since: 1.0
 */
gboolean
hv_adoption_get_adopted (HvAdoption *self)
{
  g_return_val_if_fail (HV_IS_ADOPTION (self), FALSE);
  return self->adopted;
}

/**
 * hv_adoption_set_adopted:
 * @self: an #HvAdoption
 * @adopted: whether the instance was adopted
 *
 * Since: 1.0
 */
void
hv_adoption_set_adopted (HvAdoption *self,
                         gboolean    adopted)
{
  g_return_if_fail (HV_IS_ADOPTION (self));
  adopted = !!adopted;
  if (self->adopted == adopted)
    return;
  self->adopted = adopted;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADOPTED]);
}

/**
 * hv_adoption_get_reason:
 * @self: an #HvAdoption
 *
 * Returns: (nullable): why the instance was refused
 *
 * Since: 1.0
 */
const gchar *
hv_adoption_get_reason (HvAdoption *self)
{
  g_return_val_if_fail (HV_IS_ADOPTION (self), NULL);
  return self->reason;
}

/**
 * hv_adoption_set_reason:
 * @self: an #HvAdoption
 * @reason: (nullable): why the instance was refused
 *
 * Since: 1.0
 */
void
hv_adoption_set_reason (HvAdoption  *self,
                        const gchar *reason)
{
  g_return_if_fail (HV_IS_ADOPTION (self));
  if (hv_set_str (&self->reason, reason))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
}
