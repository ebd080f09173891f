/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvInstance"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-error.h"
#include "hv-instance.h"
#include "hv-variant-private.h"

/**
 * HvInstance:
 *
 * A virtual machine as the cluster describes it: what a driver needs to
 * start, stop, migrate it and plug devices into it. It is the Ganeti
 * `objects.Instance` a hypervisor sees.
 *
 * As a{sv} (the form the runtime store, D-Bus and Python use): `name` s,
 * `uuid` s, `hvparams` a{sv} (the hypervisor parameters, checked by the
 * driver), `beparams` a{sv} (`maxmem`, `minmem`, `vcpus`, `memory`, each x,
 * memory in MiB), `tags` as, `network_port` x, `disk_template` s, `disks`
 * aa{sv} (each an #HvDisk) and `nics` aa{sv} (each an #HvNic). Keys the
 * instance does not know, here or in a disk or NIC, are kept and written
 * back, so a record written by a newer hvkit survives a round trip through
 * an older one.
 *
 * Since: 1.0
 */

struct _HvInstance {
  GObject parent_instance;

  gchar *name;
  gchar *uuid;
  GVariant *hvparams;
  GVariant *beparams;
  gchar **tags;
  gint64 network_port;
  gchar *disk_template;
  GPtrArray *disks;
  GPtrArray *nics;
};

G_DEFINE_FINAL_TYPE (HvInstance, hv_instance, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_UUID,
  PROP_HVPARAMS,
  PROP_BEPARAMS,
  PROP_TAGS,
  PROP_NETWORK_PORT,
  PROP_DISK_TEMPLATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const HvVariantKey hv_instance_beparam_keys[] = {
  { "maxmem", "x", NULL },
  { "minmem", "x", NULL },
  { "memory", "x", NULL },
  { "vcpus", "x", NULL },
};

static void
hv_instance_finalize (GObject *object)
{
  HvInstance *self = HV_INSTANCE (object);

  g_free (self->name);
  g_free (self->uuid);
  g_variant_unref (self->hvparams);
  g_variant_unref (self->beparams);
  g_strfreev (self->tags);
  g_free (self->disk_template);
  g_ptr_array_unref (self->disks);
  g_ptr_array_unref (self->nics);

  G_OBJECT_CLASS (hv_instance_parent_class)->finalize (object);
}

static void
hv_instance_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HvInstance *self = HV_INSTANCE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_HVPARAMS:
      g_value_set_variant (value, self->hvparams);
      break;
    case PROP_BEPARAMS:
      g_value_set_variant (value, self->beparams);
      break;
    case PROP_TAGS:
      g_value_set_boxed (value, self->tags);
      break;
    case PROP_NETWORK_PORT:
      g_value_set_int64 (value, self->network_port);
      break;
    case PROP_DISK_TEMPLATE:
      g_value_set_string (value, self->disk_template);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_instance_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HvInstance *self = HV_INSTANCE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      hv_instance_set_name (self, g_value_get_string (value));
      break;
    case PROP_UUID:
      hv_instance_set_uuid (self, g_value_get_string (value));
      break;
    case PROP_HVPARAMS:
      hv_instance_set_hvparams (self, g_value_get_variant (value));
      break;
    case PROP_BEPARAMS:
      hv_instance_set_beparams (self, g_value_get_variant (value));
      break;
    case PROP_TAGS:
      hv_instance_set_tags (self, g_value_get_boxed (value));
      break;
    case PROP_NETWORK_PORT:
      hv_instance_set_network_port (self, g_value_get_int64 (value));
      break;
    case PROP_DISK_TEMPLATE:
      hv_instance_set_disk_template (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_instance_class_init (HvInstanceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hv_instance_finalize;
  object_class->get_property = hv_instance_get_property;
  object_class->set_property = hv_instance_set_property;

  /**
   * HvInstance:name:
   *
   * The instance's name, unique in the cluster. Drivers build file names
   * from it, after hv_instance_name_validate().
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvInstance:uuid:
   *
   * The instance's UUID.
   *
   * Since: 1.0
   */
  properties[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvInstance:hvparams:
   *
   * The hypervisor parameters, an a{sv} whose keys and types the driver's
   * parameter table defines. Never %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_HVPARAMS] =
    g_param_spec_variant ("hvparams", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvInstance:beparams:
   *
   * The backend parameters, an a{sv}: `maxmem`, `minmem`, `memory` (MiB)
   * and `vcpus`, each x. Never %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_BEPARAMS] =
    g_param_spec_variant ("beparams", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvInstance:tags:
   *
   * The instance's tags. Never %NULL; empty when it has none.
   *
   * Since: 1.0
   */
  properties[PROP_TAGS] =
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvInstance:network-port:
   *
   * The TCP port the cluster allocated to the instance's console (VNC or
   * SPICE), or 0 for none. Its variant key is `network_port`.
   *
   * Since: 1.0
   */
  properties[PROP_NETWORK_PORT] =
    g_param_spec_int64 ("network-port", NULL, NULL, 0, 65535, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvInstance:disk-template:
   *
   * The instance's disk template (`plain`, `drbd`, `file`, …), or %NULL.
   * Its variant key is `disk_template`.
   *
   * Since: 1.0
   */
  properties[PROP_DISK_TEMPLATE] =
    g_param_spec_string ("disk-template", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_instance_init (HvInstance *self)
{
  self->hvparams = hv_variant_new_empty_dict ();
  self->beparams = hv_variant_new_empty_dict ();
  self->tags = g_new0 (gchar *, 1);
  self->disks = g_ptr_array_new_with_free_func (g_object_unref);
  self->nics = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * hv_instance_new:
 * @name: the instance's name
 *
 * An instance with no parameters, tags, disks or NICs.
 *
 * Returns: (transfer full): a new #HvInstance
 *
 * Since: 1.0
 */
HvInstance *
hv_instance_new (const gchar *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (HV_TYPE_INSTANCE, "name", name, NULL);
}

static gboolean
hv_instance_read_devices (HvInstance  *self,
                          GVariant    *dict,
                          HvDeviceType type,
                          GError     **error)
{
  const gchar *key = type == HV_DEVICE_TYPE_DISK ? "disks" : "nics";
  g_autoptr(GVariant) devices = NULL;
  GVariantIter iter;
  GVariant *child;
  guint index = 0;

  if (!hv_variant_lookup (dict, key, G_VARIANT_TYPE ("aa{sv}"), &devices, error))
    return FALSE;
  if (devices == NULL)
    return TRUE;

  g_variant_iter_init (&iter, devices);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GVariant) device_dict = child;
      gpointer device;

      if (type == HV_DEVICE_TYPE_DISK)
        device = hv_disk_new_from_variant (device_dict, error);
      else
        device = hv_nic_new_from_variant (device_dict, error);
      if (device == NULL)
        {
          if (type == HV_DEVICE_TYPE_DISK)
            g_prefix_error (error, _("Disk %u: "), index);
          else
            g_prefix_error (error, _("NIC %u: "), index);
          return FALSE;
        }
      g_ptr_array_add (type == HV_DEVICE_TYPE_DISK ? self->disks : self->nics, device);
      index++;
    }
  return TRUE;
}

/**
 * hv_instance_new_from_variant:
 * @dict: an a{sv} (see #HvInstance for its keys)
 * @error: return location for a #GError
 *
 * Reads an instance, its disks and its NICs from their a{sv} form. Keys it
 * does not know are kept and written back by hv_instance_to_variant().
 *
 * Returns: (transfer full): a new #HvInstance, or %NULL with
 *   %HV_ERROR_INVALID_PARAMETER when `name` is missing or a key has a value
 *   of the wrong type
 *
 * Since: 1.0
 */
HvInstance *
hv_instance_new_from_variant (GVariant *dict,
                              GError  **error)
{
  const gchar * const own_keys[] = { "disks", "nics", NULL };
  g_autoptr(HvInstance) self = NULL;

  g_return_val_if_fail (dict != NULL, NULL);
  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HV_TYPE_INSTANCE, NULL);
  if (!hv_variant_read_object (G_OBJECT (self), dict, own_keys, error))
    return NULL;
  if (self->name == NULL)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                           _("Key 'name' is missing"));
      return NULL;
    }
  if (!hv_variant_check_keys (self->beparams, "beparams", hv_instance_beparam_keys,
                              G_N_ELEMENTS (hv_instance_beparam_keys), error) ||
      !hv_instance_read_devices (self, dict, HV_DEVICE_TYPE_DISK, error) ||
      !hv_instance_read_devices (self, dict, HV_DEVICE_TYPE_NIC, error))
    return NULL;
  return g_steal_pointer (&self);
}

static GVariant *
hv_instance_devices_to_variant (GPtrArray *devices)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

  for (guint i = 0; i < devices->len; i++)
    {
      g_autoptr(GVariant) device = hv_device_to_variant (g_ptr_array_index (devices, i));

      g_variant_builder_add_value (&builder, device);
    }
  return g_variant_builder_end (&builder);
}

/**
 * hv_instance_to_variant:
 * @self: an #HvInstance
 *
 * The instance as an a{sv}, with its disks and NICs, and any key it was
 * read with that it does not know; every dictionary is sorted by key.
 *
 * Returns: (transfer full): a new a{sv}, not floating
 *
 * Since: 1.0
 */
GVariant *
hv_instance_to_variant (HvInstance *self)
{
  g_autoptr(GVariantDict) dict = NULL;

  g_return_val_if_fail (HV_IS_INSTANCE (self), NULL);

  dict = hv_variant_write_object (G_OBJECT (self));
  g_variant_dict_insert_value (dict, "disks", hv_instance_devices_to_variant (self->disks));
  g_variant_dict_insert_value (dict, "nics", hv_instance_devices_to_variant (self->nics));
  return hv_variant_dict_end_sorted (dict);
}

/**
 * hv_instance_get_name:
 * @self: an #HvInstance
 *
 * Returns: (nullable): the instance's name
 *
 * Since: 1.0
 */
const gchar *
hv_instance_get_name (HvInstance *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), NULL);

  return self->name;
}

/**
 * hv_instance_set_name:
 * @self: an #HvInstance
 * @name: (nullable): the instance's name
 *
 * Sets #HvInstance:name.
 *
 * Since: 1.0
 */
void
hv_instance_set_name (HvInstance  *self,
                      const gchar *name)
{
  g_return_if_fail (HV_IS_INSTANCE (self));

  if (hv_set_str (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * hv_instance_get_uuid:
 * @self: an #HvInstance
 *
 * Returns: (nullable): the instance's UUID
 *
 * Since: 1.0
 */
const gchar *
hv_instance_get_uuid (HvInstance *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), NULL);

  return self->uuid;
}

/**
 * hv_instance_set_uuid:
 * @self: an #HvInstance
 * @uuid: (nullable): the instance's UUID
 *
 * Sets #HvInstance:uuid.
 *
 * Since: 1.0
 */
void
hv_instance_set_uuid (HvInstance  *self,
                      const gchar *uuid)
{
  g_return_if_fail (HV_IS_INSTANCE (self));

  if (hv_set_str (&self->uuid, uuid))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UUID]);
}

static gboolean
hv_instance_set_dict (GVariant **pointer,
                      GVariant  *dict)
{
  g_autoptr(GVariant) empty = NULL;

  if (dict == NULL)
    dict = empty = hv_variant_new_empty_dict ();
  return hv_set_variant (pointer, dict);
}

/**
 * hv_instance_get_hvparams:
 * @self: an #HvInstance
 *
 * Returns: (transfer none): the hypervisor parameters, an a{sv}
 *
 * Since: 1.0
 */
GVariant *
hv_instance_get_hvparams (HvInstance *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), NULL);

  return self->hvparams;
}

/**
 * hv_instance_set_hvparams:
 * @self: an #HvInstance
 * @hvparams: (nullable): an a{sv}, or %NULL for none; a floating reference
 *   is sunk
 *
 * Sets #HvInstance:hvparams. They are not checked here: that is
 * hv_hypervisor_check_parameter_syntax()'s work.
 *
 * Since: 1.0
 */
void
hv_instance_set_hvparams (HvInstance *self,
                          GVariant   *hvparams)
{
  g_return_if_fail (HV_IS_INSTANCE (self));
  g_return_if_fail (hvparams == NULL || g_variant_is_of_type (hvparams, G_VARIANT_TYPE_VARDICT));

  if (hv_instance_set_dict (&self->hvparams, hvparams))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HVPARAMS]);
}

/**
 * hv_instance_lookup_hvparam:
 * @self: an #HvInstance
 * @key: a parameter name, such as `kernel_path`
 *
 * Returns: (nullable) (transfer full): the value of the hypervisor
 *   parameter @key, or %NULL when the instance does not set it
 *
 * Since: 1.0
 */
GVariant *
hv_instance_lookup_hvparam (HvInstance  *self,
                            const gchar *key)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_variant_lookup_value (self->hvparams, key, NULL);
}

/**
 * hv_instance_get_beparams:
 * @self: an #HvInstance
 *
 * Returns: (transfer none): the backend parameters, an a{sv}
 *
 * Since: 1.0
 */
GVariant *
hv_instance_get_beparams (HvInstance *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), NULL);

  return self->beparams;
}

/**
 * hv_instance_set_beparams:
 * @self: an #HvInstance
 * @beparams: (nullable): an a{sv}, or %NULL for none; a floating reference
 *   is sunk
 *
 * Sets #HvInstance:beparams.
 *
 * Since: 1.0
 */
void
hv_instance_set_beparams (HvInstance *self,
                          GVariant   *beparams)
{
  g_return_if_fail (HV_IS_INSTANCE (self));
  g_return_if_fail (beparams == NULL || g_variant_is_of_type (beparams, G_VARIANT_TYPE_VARDICT));

  if (hv_instance_set_dict (&self->beparams, beparams))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BEPARAMS]);
}

/**
 * hv_instance_lookup_beparam:
 * @self: an #HvInstance
 * @key: a parameter name, such as `maxmem`
 *
 * Returns: (nullable) (transfer full): the value of the backend parameter
 *   @key, or %NULL when the instance does not set it
 *
 * Since: 1.0
 */
GVariant *
hv_instance_lookup_beparam (HvInstance  *self,
                            const gchar *key)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_variant_lookup_value (self->beparams, key, NULL);
}

/**
 * hv_instance_get_tags:
 * @self: an #HvInstance
 *
 * Returns: (transfer none) (array zero-terminated=1): the instance's tags
 *
 * Since: 1.0
 */
const gchar * const *
hv_instance_get_tags (HvInstance *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), NULL);

  return (const gchar * const *) self->tags;
}

/**
 * hv_instance_set_tags:
 * @self: an #HvInstance
 * @tags: (nullable) (array zero-terminated=1): the tags, or %NULL for none
 *
 * Sets #HvInstance:tags.
 *
 * Since: 1.0
 */
void
hv_instance_set_tags (HvInstance          *self,
                      const gchar * const *tags)
{
  const gchar * const none[] = { NULL };

  g_return_if_fail (HV_IS_INSTANCE (self));

  if (hv_set_strv (&self->tags, tags != NULL ? tags : none))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAGS]);
}

/**
 * hv_instance_get_network_port:
 * @self: an #HvInstance
 *
 * Returns: the console's TCP port, or 0 for none
 *
 * Since: 1.0
 */
gint64
hv_instance_get_network_port (HvInstance *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), 0);

  return self->network_port;
}

/**
 * hv_instance_set_network_port:
 * @self: an #HvInstance
 * @network_port: a TCP port, or 0 for none
 *
 * Sets #HvInstance:network-port.
 *
 * Since: 1.0
 */
void
hv_instance_set_network_port (HvInstance *self,
                              gint64      network_port)
{
  g_return_if_fail (HV_IS_INSTANCE (self));
  g_return_if_fail (network_port >= 0 && network_port <= 65535);

  if (self->network_port == network_port)
    return;
  self->network_port = network_port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NETWORK_PORT]);
}

/**
 * hv_instance_get_disk_template:
 * @self: an #HvInstance
 *
 * Returns: (nullable): the disk template
 *
 * Since: 1.0
 */
const gchar *
hv_instance_get_disk_template (HvInstance *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), NULL);

  return self->disk_template;
}

/**
 * hv_instance_set_disk_template:
 * @self: an #HvInstance
 * @disk_template: (nullable): the disk template
 *
 * Sets #HvInstance:disk-template.
 *
 * Since: 1.0
 */
void
hv_instance_set_disk_template (HvInstance  *self,
                               const gchar *disk_template)
{
  g_return_if_fail (HV_IS_INSTANCE (self));

  if (hv_set_str (&self->disk_template, disk_template))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISK_TEMPLATE]);
}

/**
 * hv_instance_get_disks:
 * @self: an #HvInstance
 *
 * Returns: (transfer none) (element-type HvDisk): the instance's disks, in
 *   the order the guest sees them
 *
 * Since: 1.0
 */
GPtrArray *
hv_instance_get_disks (HvInstance *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), NULL);

  return self->disks;
}

/**
 * hv_instance_add_disk:
 * @self: an #HvInstance
 * @disk: an #HvDisk
 *
 * Appends @disk to the instance's disks.
 *
 * Since: 1.0
 */
void
hv_instance_add_disk (HvInstance *self,
                      HvDisk     *disk)
{
  g_return_if_fail (HV_IS_INSTANCE (self));
  g_return_if_fail (HV_IS_DISK (disk));

  g_ptr_array_add (self->disks, g_object_ref (disk));
}

/**
 * hv_instance_remove_disk:
 * @self: an #HvInstance
 * @disk: an #HvDisk
 *
 * Removes @disk from the instance's disks, keeping the order of the others.
 *
 * Returns: %TRUE if @disk was one of them
 *
 * Since: 1.0
 */
gboolean
hv_instance_remove_disk (HvInstance *self,
                         HvDisk     *disk)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), FALSE);
  g_return_val_if_fail (HV_IS_DISK (disk), FALSE);

  return g_ptr_array_remove (self->disks, disk);
}

/**
 * hv_instance_get_nics:
 * @self: an #HvInstance
 *
 * Returns: (transfer none) (element-type HvNic): the instance's NICs, in
 *   the order the guest sees them
 *
 * Since: 1.0
 */
GPtrArray *
hv_instance_get_nics (HvInstance *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), NULL);

  return self->nics;
}

/**
 * hv_instance_add_nic:
 * @self: an #HvInstance
 * @nic: an #HvNic
 *
 * Appends @nic to the instance's NICs.
 *
 * Since: 1.0
 */
void
hv_instance_add_nic (HvInstance *self,
                     HvNic      *nic)
{
  g_return_if_fail (HV_IS_INSTANCE (self));
  g_return_if_fail (HV_IS_NIC (nic));

  g_ptr_array_add (self->nics, g_object_ref (nic));
}

/**
 * hv_instance_remove_nic:
 * @self: an #HvInstance
 * @nic: an #HvNic
 *
 * Removes @nic from the instance's NICs, keeping the order of the others.
 *
 * Returns: %TRUE if @nic was one of them
 *
 * Since: 1.0
 */
gboolean
hv_instance_remove_nic (HvInstance *self,
                        HvNic      *nic)
{
  g_return_val_if_fail (HV_IS_INSTANCE (self), FALSE);
  g_return_val_if_fail (HV_IS_NIC (nic), FALSE);

  return g_ptr_array_remove (self->nics, nic);
}
