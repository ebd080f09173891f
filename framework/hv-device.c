/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvDevice"

#include "config.h"

#include "hv-device.h"
#include "hv-variant-private.h"

/**
 * HvDevice:
 *
 * What a disk and a NIC have in common: a UUID, a name, a PCI slot and the
 * driver's placement of the device (`hvinfo`). It is abstract; #HvDisk and
 * #HvNic derive from it, so the hotplug methods of #HvHypervisor take either
 * and hv_device_get_device_type() tells which.
 *
 * As a{sv} (see hv_device_to_variant()): `uuid` s, `name` s, `pci` i and
 * `hvinfo` a{sv}, next to the keys of the subclass. Keys the device does not
 * know are kept and written back.
 *
 * Since: 1.0
 */

typedef struct {
  gchar *uuid;
  gchar *name;
  gint pci;
  GVariant *hvinfo;
} HvDevicePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (HvDevice, hv_device, G_TYPE_OBJECT)

#define GET_PRIVATE(o) ((HvDevicePrivate *) hv_device_get_instance_private (o))

enum {
  PROP_0,
  PROP_UUID,
  PROP_NAME,
  PROP_PCI,
  PROP_HVINFO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hv_device_finalize (GObject *object)
{
  HvDevicePrivate *priv = GET_PRIVATE (HV_DEVICE (object));

  g_free (priv->uuid);
  g_free (priv->name);
  g_clear_pointer (&priv->hvinfo, g_variant_unref);

  G_OBJECT_CLASS (hv_device_parent_class)->finalize (object);
}

static void
hv_device_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  HvDevice *self = HV_DEVICE (object);

  switch (prop_id)
    {
    case PROP_UUID:
      g_value_set_string (value, hv_device_get_uuid (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, hv_device_get_name (self));
      break;
    case PROP_PCI:
      g_value_set_int (value, hv_device_get_pci (self));
      break;
    case PROP_HVINFO:
      g_value_set_variant (value, hv_device_get_hvinfo (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_device_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  HvDevice *self = HV_DEVICE (object);

  switch (prop_id)
    {
    case PROP_UUID:
      hv_device_set_uuid (self, g_value_get_string (value));
      break;
    case PROP_NAME:
      hv_device_set_name (self, g_value_get_string (value));
      break;
    case PROP_PCI:
      hv_device_set_pci (self, g_value_get_int (value));
      break;
    case PROP_HVINFO:
      hv_device_set_hvinfo (self, g_value_get_variant (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_device_class_init (HvDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hv_device_finalize;
  object_class->get_property = hv_device_get_property;
  object_class->set_property = hv_device_set_property;

  /**
   * HvDevice:uuid:
   *
   * The device's UUID, as the cluster knows it.
   *
   * Since: 1.0
   */
  properties[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvDevice:name:
   *
   * The device's name, if the user gave it one.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvDevice:pci:
   *
   * The device's PCI slot on the instance's root bus (0–31), or -1 when it
   * has none or it is not known yet.
   *
   * Since: 1.0
   */
  properties[PROP_PCI] =
    g_param_spec_int ("pci", NULL, NULL, -1, 31, -1,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvDevice:hvinfo:
   *
   * Where the driver placed the device, an a{sv} such as Ganeti's
   * `{driver, id, bus, addr}`, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_HVINFO] =
    g_param_spec_variant ("hvinfo", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_device_init (HvDevice *self)
{
  GET_PRIVATE (self)->pci = -1;
}

/**
 * hv_device_get_device_type:
 * @self: an #HvDevice
 *
 * Whether @self is a disk or a NIC.
 *
 * Returns: the device type
 *
 * Since: 1.0
 */
HvDeviceType
hv_device_get_device_type (HvDevice *self)
{
  g_return_val_if_fail (HV_IS_DEVICE (self), HV_DEVICE_TYPE_DISK);

  return HV_DEVICE_GET_CLASS (self)->device_type;
}

/**
 * hv_device_get_uuid:
 * @self: an #HvDevice
 *
 * Returns: (nullable): the device's UUID
 *
 * Since: 1.0
 */
const gchar *
hv_device_get_uuid (HvDevice *self)
{
  g_return_val_if_fail (HV_IS_DEVICE (self), NULL);

  return GET_PRIVATE (self)->uuid;
}

/**
 * hv_device_set_uuid:
 * @self: an #HvDevice
 * @uuid: (nullable): the UUID
 *
 * Sets #HvDevice:uuid.
 *
 * Since: 1.0
 */
void
hv_device_set_uuid (HvDevice    *self,
                    const gchar *uuid)
{
  g_return_if_fail (HV_IS_DEVICE (self));

  if (hv_set_str (&GET_PRIVATE (self)->uuid, uuid))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UUID]);
}

/**
 * hv_device_get_name:
 * @self: an #HvDevice
 *
 * Returns: (nullable): the device's name
 *
 * Since: 1.0
 */
const gchar *
hv_device_get_name (HvDevice *self)
{
  g_return_val_if_fail (HV_IS_DEVICE (self), NULL);

  return GET_PRIVATE (self)->name;
}

/**
 * hv_device_set_name:
 * @self: an #HvDevice
 * @name: (nullable): the name
 *
 * Sets #HvDevice:name.
 *
 * Since: 1.0
 */
void
hv_device_set_name (HvDevice    *self,
                    const gchar *name)
{
  g_return_if_fail (HV_IS_DEVICE (self));

  if (hv_set_str (&GET_PRIVATE (self)->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * hv_device_get_pci:
 * @self: an #HvDevice
 *
 * Returns: the PCI slot, or -1 for none
 *
 * Since: 1.0
 */
gint
hv_device_get_pci (HvDevice *self)
{
  g_return_val_if_fail (HV_IS_DEVICE (self), -1);

  return GET_PRIVATE (self)->pci;
}

/**
 * hv_device_set_pci:
 * @self: an #HvDevice
 * @pci: the PCI slot (0–31), or -1 for none
 *
 * Sets #HvDevice:pci.
 *
 * Since: 1.0
 */
void
hv_device_set_pci (HvDevice *self,
                   gint      pci)
{
  HvDevicePrivate *priv;

  g_return_if_fail (HV_IS_DEVICE (self));
  g_return_if_fail (pci >= -1 && pci <= 31);

  priv = GET_PRIVATE (self);
  if (priv->pci == pci)
    return;
  priv->pci = pci;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PCI]);
}

/**
 * hv_device_get_hvinfo:
 * @self: an #HvDevice
 *
 * Returns: (nullable) (transfer none): the driver's placement of the device,
 *   an a{sv}
 *
 * Since: 1.0
 */
GVariant *
hv_device_get_hvinfo (HvDevice *self)
{
  g_return_val_if_fail (HV_IS_DEVICE (self), NULL);

  return GET_PRIVATE (self)->hvinfo;
}

/**
 * hv_device_set_hvinfo:
 * @self: an #HvDevice
 * @hvinfo: (nullable): an a{sv}; a floating reference is sunk
 *
 * Sets #HvDevice:hvinfo.
 *
 * Since: 1.0
 */
void
hv_device_set_hvinfo (HvDevice *self,
                      GVariant *hvinfo)
{
  g_return_if_fail (HV_IS_DEVICE (self));
  g_return_if_fail (hvinfo == NULL || g_variant_is_of_type (hvinfo, G_VARIANT_TYPE_VARDICT));

  if (hv_set_variant (&GET_PRIVATE (self)->hvinfo, hvinfo))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HVINFO]);
}

/**
 * hv_device_to_variant:
 * @self: an #HvDevice
 *
 * The device as an a{sv}: the keys of #HvDevice, those of its subclass and
 * any key it was read with that it does not know, sorted by key.
 *
 * Returns: (transfer full): a new a{sv}, not floating
 *
 * Since: 1.0
 */
GVariant *
hv_device_to_variant (HvDevice *self)
{
  g_return_val_if_fail (HV_IS_DEVICE (self), NULL);

  return hv_variant_object_to_dict (G_OBJECT (self));
}
