/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvDisk"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-disk.h"
#include "hv-error.h"
#include "hv-variant-private.h"

/**
 * HvDisk:
 *
 * A disk of an instance, as the cluster describes it and this node sees it.
 *
 * As a{sv}: the keys of #HvDevice and `size` x (MiB), `mode` s (`rw` or
 * `ro`), `link` s (the block device or file on this node), `uri` s (a
 * userspace URI, optional), `dev_type` s (the disk template, optional) and
 * `params` a{sv}, the per-disk overrides: `cache` s, and the geometry `heads`
 * and `secs`, each s or x.
 *
 * Since: 1.0
 */

struct _HvDisk {
  HvDevice parent_instance;

  gint64 size;
  gchar *mode;
  gchar *link;
  gchar *uri;
  gchar *dev_type;
  GVariant *params;
};

G_DEFINE_FINAL_TYPE (HvDisk, hv_disk, HV_TYPE_DEVICE)

enum {
  PROP_0,
  PROP_SIZE,
  PROP_MODE,
  PROP_LINK,
  PROP_URI,
  PROP_DEV_TYPE,
  PROP_PARAMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const HvVariantKey hv_disk_param_keys[] = {
  { "cache", "s", NULL },
  { "heads", "s", "x" },
  { "secs", "s", "x" },
};

static void
hv_disk_finalize (GObject *object)
{
  HvDisk *self = HV_DISK (object);

  g_free (self->mode);
  g_free (self->link);
  g_free (self->uri);
  g_free (self->dev_type);
  g_variant_unref (self->params);

  G_OBJECT_CLASS (hv_disk_parent_class)->finalize (object);
}

static void
hv_disk_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  HvDisk *self = HV_DISK (object);

  switch (prop_id)
    {
    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;
    case PROP_MODE:
      g_value_set_string (value, self->mode);
      break;
    case PROP_LINK:
      g_value_set_string (value, self->link);
      break;
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_DEV_TYPE:
      g_value_set_string (value, self->dev_type);
      break;
    case PROP_PARAMS:
      g_value_set_variant (value, self->params);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_disk_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  HvDisk *self = HV_DISK (object);

  switch (prop_id)
    {
    case PROP_SIZE:
      hv_disk_set_size (self, g_value_get_int64 (value));
      break;
    case PROP_MODE:
      hv_disk_set_mode (self, g_value_get_string (value));
      break;
    case PROP_LINK:
      hv_disk_set_link (self, g_value_get_string (value));
      break;
    case PROP_URI:
      hv_disk_set_uri (self, g_value_get_string (value));
      break;
    case PROP_DEV_TYPE:
      hv_disk_set_dev_type (self, g_value_get_string (value));
      break;
    case PROP_PARAMS:
      hv_disk_set_params (self, g_value_get_variant (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_disk_class_init (HvDiskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HvDeviceClass *device_class = HV_DEVICE_CLASS (klass);

  object_class->finalize = hv_disk_finalize;
  object_class->get_property = hv_disk_get_property;
  object_class->set_property = hv_disk_set_property;
  device_class->device_type = HV_DEVICE_TYPE_DISK;

  /**
   * HvDisk:size:
   *
   * The size of the disk in MiB.
   *
   * Since: 1.0
   */
  properties[PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvDisk:mode:
   *
   * The access mode, `rw` (the default) or `ro`.
   *
   * Since: 1.0
   */
  properties[PROP_MODE] =
    g_param_spec_string ("mode", NULL, NULL, "rw",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvDisk:link:
   *
   * The path of the disk's block device or file on this node.
   *
   * Since: 1.0
   */
  properties[PROP_LINK] =
    g_param_spec_string ("link", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvDisk:uri:
   *
   * A URI through which QEMU reaches the disk in userspace (such as
   * `rbd:` or `gluster://`), or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvDisk:dev-type:
   *
   * The disk template the disk belongs to (`plain`, `drbd`, `ext`, …), or
   * %NULL. Its variant key is `dev_type`.
   *
   * Since: 1.0
   */
  properties[PROP_DEV_TYPE] =
    g_param_spec_string ("dev-type", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvDisk:params:
   *
   * Per-disk overrides of the hypervisor parameters, an a{sv}: `cache` s,
   * `heads` and `secs` (s or x). Never %NULL; empty when there are none.
   *
   * Since: 1.0
   */
  properties[PROP_PARAMS] =
    g_param_spec_variant ("params", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_disk_init (HvDisk *self)
{
  self->mode = g_strdup ("rw");
  self->params = hv_variant_new_empty_dict ();
}

/**
 * hv_disk_new:
 *
 * A disk with no UUID, size 0, mode `rw`, no PCI slot and no parameters.
 *
 * Returns: (transfer full): a new #HvDisk
 *
 * Since: 1.0
 */
HvDisk *
hv_disk_new (void)
{
  return g_object_new (HV_TYPE_DISK, NULL);
}

/* A geometry value is a positive integer, as x or as its decimal text. */
static gboolean
hv_disk_lookup_int_param (HvDisk      *self,
                          const gchar *key,
                          gint64      *out)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (self->params, key, NULL);

  if (value == NULL)
    return FALSE;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    {
      *out = g_variant_get_int64 (value);
      return *out > 0;
    }
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_ascii_string_to_signed (g_variant_get_string (value, NULL), 10,
                                     1, G_MAXINT64, out, NULL);
  return FALSE;
}

static gboolean
hv_disk_check_params (HvDisk  *self,
                      GError **error)
{
  const gchar *geometry[] = { "heads", "secs" };

  if (!hv_variant_check_keys (self->params, "params", hv_disk_param_keys,
                              G_N_ELEMENTS (hv_disk_param_keys), error))
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (geometry); i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (self->params, geometry[i], NULL);
      gint64 number;

      if (value != NULL && !hv_disk_lookup_int_param (self, geometry[i], &number))
        {
          g_autofree gchar *text = g_variant_print (value, FALSE);

          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Key 'params.%s' has the value %s, expected a positive integer"),
                       geometry[i], text);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * hv_disk_new_from_variant:
 * @dict: an a{sv} (see #HvDisk for its keys)
 * @error: return location for a #GError
 *
 * Reads a disk from its a{sv} form. Keys it does not know are kept and
 * written back by hv_disk_to_variant().
 *
 * Returns: (transfer full): a new #HvDisk, or %NULL with
 *   %HV_ERROR_INVALID_PARAMETER when a key has a value of the wrong type
 *
 * Since: 1.0
 */
HvDisk *
hv_disk_new_from_variant (GVariant *dict,
                          GError  **error)
{
  g_autoptr(HvDisk) self = NULL;

  g_return_val_if_fail (dict != NULL, NULL);
  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = hv_disk_new ();
  if (!hv_variant_read_object (G_OBJECT (self), dict, NULL, error) ||
      !hv_disk_check_params (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * hv_disk_to_variant:
 * @self: an #HvDisk
 *
 * The disk as an a{sv}, sorted by key; see hv_device_to_variant().
 *
 * Returns: (transfer full): a new a{sv}, not floating
 *
 * Since: 1.0
 */
GVariant *
hv_disk_to_variant (HvDisk *self)
{
  g_return_val_if_fail (HV_IS_DISK (self), NULL);

  return hv_device_to_variant (HV_DEVICE (self));
}

/**
 * hv_disk_get_size:
 * @self: an #HvDisk
 *
 * Returns: the size in MiB
 *
 * Since: 1.0
 */
gint64
hv_disk_get_size (HvDisk *self)
{
  g_return_val_if_fail (HV_IS_DISK (self), 0);

  return self->size;
}

/**
 * hv_disk_set_size:
 * @self: an #HvDisk
 * @size: the size in MiB, not negative
 *
 * Sets #HvDisk:size.
 *
 * Since: 1.0
 */
void
hv_disk_set_size (HvDisk *self,
                  gint64  size)
{
  g_return_if_fail (HV_IS_DISK (self));
  g_return_if_fail (size >= 0);

  if (self->size == size)
    return;
  self->size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
}

/**
 * hv_disk_get_mode:
 * @self: an #HvDisk
 *
 * Returns: (nullable): the access mode, `rw` or `ro`
 *
 * Since: 1.0
 */
const gchar *
hv_disk_get_mode (HvDisk *self)
{
  g_return_val_if_fail (HV_IS_DISK (self), NULL);

  return self->mode;
}

/**
 * hv_disk_set_mode:
 * @self: an #HvDisk
 * @mode: (nullable): the access mode
 *
 * Sets #HvDisk:mode.
 *
 * Since: 1.0
 */
void
hv_disk_set_mode (HvDisk      *self,
                  const gchar *mode)
{
  g_return_if_fail (HV_IS_DISK (self));

  if (hv_set_str (&self->mode, mode))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

/**
 * hv_disk_get_link:
 * @self: an #HvDisk
 *
 * Returns: (nullable): the path of the disk on this node
 *
 * Since: 1.0
 */
const gchar *
hv_disk_get_link (HvDisk *self)
{
  g_return_val_if_fail (HV_IS_DISK (self), NULL);

  return self->link;
}

/**
 * hv_disk_set_link:
 * @self: an #HvDisk
 * @link: (nullable): the path of the disk on this node
 *
 * Sets #HvDisk:link.
 *
 * Since: 1.0
 */
void
hv_disk_set_link (HvDisk      *self,
                  const gchar *link)
{
  g_return_if_fail (HV_IS_DISK (self));

  if (hv_set_str (&self->link, link))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINK]);
}

/**
 * hv_disk_get_uri:
 * @self: an #HvDisk
 *
 * Returns: (nullable): the userspace URI of the disk
 *
 * Since: 1.0
 */
const gchar *
hv_disk_get_uri (HvDisk *self)
{
  g_return_val_if_fail (HV_IS_DISK (self), NULL);

  return self->uri;
}

/**
 * hv_disk_set_uri:
 * @self: an #HvDisk
 * @uri: (nullable): the userspace URI
 *
 * Sets #HvDisk:uri.
 *
 * Since: 1.0
 */
void
hv_disk_set_uri (HvDisk      *self,
                 const gchar *uri)
{
  g_return_if_fail (HV_IS_DISK (self));

  if (hv_set_str (&self->uri, uri))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URI]);
}

/**
 * hv_disk_get_dev_type:
 * @self: an #HvDisk
 *
 * Returns: (nullable): the disk template
 *
 * Since: 1.0
 */
const gchar *
hv_disk_get_dev_type (HvDisk *self)
{
  g_return_val_if_fail (HV_IS_DISK (self), NULL);

  return self->dev_type;
}

/**
 * hv_disk_set_dev_type:
 * @self: an #HvDisk
 * @dev_type: (nullable): the disk template
 *
 * Sets #HvDisk:dev-type.
 *
 * Since: 1.0
 */
void
hv_disk_set_dev_type (HvDisk      *self,
                      const gchar *dev_type)
{
  g_return_if_fail (HV_IS_DISK (self));

  if (hv_set_str (&self->dev_type, dev_type))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEV_TYPE]);
}

/**
 * hv_disk_get_params:
 * @self: an #HvDisk
 *
 * Returns: (transfer none): the per-disk parameters, an a{sv}
 *
 * Since: 1.0
 */
GVariant *
hv_disk_get_params (HvDisk *self)
{
  g_return_val_if_fail (HV_IS_DISK (self), NULL);

  return self->params;
}

/**
 * hv_disk_set_params:
 * @self: an #HvDisk
 * @params: (nullable): an a{sv}, or %NULL for none; a floating reference
 *   is sunk
 *
 * Sets #HvDisk:params.
 *
 * Since: 1.0
 */
void
hv_disk_set_params (HvDisk   *self,
                    GVariant *params)
{
  g_autoptr(GVariant) empty = NULL;

  g_return_if_fail (HV_IS_DISK (self));
  g_return_if_fail (params == NULL || g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT));

  if (params == NULL)
    params = empty = hv_variant_new_empty_dict ();
  if (hv_set_variant (&self->params, params))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARAMS]);
}

/**
 * hv_disk_get_cache:
 * @self: an #HvDisk
 *
 * The disk's own cache mode (`params.cache`), which overrides the
 * instance's `disk_cache`.
 *
 * Returns: (nullable): the cache mode, or %NULL when the disk sets none
 *
 * Since: 1.0
 */
const gchar *
hv_disk_get_cache (HvDisk *self)
{
  const gchar *cache = NULL;

  g_return_val_if_fail (HV_IS_DISK (self), NULL);

  if (!g_variant_lookup (self->params, "cache", "&s", &cache) || *cache == '\0')
    return NULL;
  return cache;
}

/**
 * hv_disk_get_geometry:
 * @self: an #HvDisk
 * @heads: (out) (optional): the number of heads
 * @secs: (out) (optional): the number of sectors per track
 *
 * The disk's geometry from `params.heads` and `params.secs`, given either
 * as integers or as their decimal text.
 *
 * Returns: %TRUE when both are set and are positive integers
 *
 * Since: 1.0
 */
gboolean
hv_disk_get_geometry (HvDisk *self,
                      gint64 *heads,
                      gint64 *secs)
{
  gint64 heads_number = 0;
  gint64 secs_number = 0;

  g_return_val_if_fail (HV_IS_DISK (self), FALSE);

  if (!hv_disk_lookup_int_param (self, "heads", &heads_number) ||
      !hv_disk_lookup_int_param (self, "secs", &secs_number))
    return FALSE;

  if (heads != NULL)
    *heads = heads_number;
  if (secs != NULL)
    *secs = secs_number;
  return TRUE;
}
