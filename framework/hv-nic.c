/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvNic"

#include "config.h"

#include "hv-nic.h"
#include "hv-variant-private.h"

/**
 * HvNic:
 *
 * A network interface of an instance.
 *
 * As a{sv}: the keys of #HvDevice and `mac` s, `ip` s, `mode` s (`bridged`,
 * `routed` or `openvswitch`), `link` s (the bridge, routing table or switch),
 * `vlan` s and `network` a{sv}, the network the NIC is connected to:
 * `name` s, `uuid` s, `tags` as, `subnet` s, `gateway` s, `subnet6` s,
 * `gateway6` s, `mac_prefix` s. The NIC scripts receive all of them in their
 * environment.
 *
 * Since: 1.0
 */

struct _HvNic {
  HvDevice parent_instance;

  gchar *mac;
  gchar *ip;
  gchar *mode;
  gchar *link;
  gchar *vlan;
  GVariant *network;
};

G_DEFINE_FINAL_TYPE (HvNic, hv_nic, HV_TYPE_DEVICE)

enum {
  PROP_0,
  PROP_MAC,
  PROP_IP,
  PROP_MODE,
  PROP_LINK,
  PROP_VLAN,
  PROP_NETWORK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const HvVariantKey hv_nic_network_keys[] = {
  { "name", "s", NULL },
  { "uuid", "s", NULL },
  { "tags", "as", NULL },
  { "subnet", "s", NULL },
  { "gateway", "s", NULL },
  { "subnet6", "s", NULL },
  { "gateway6", "s", NULL },
  { "mac_prefix", "s", NULL },
};

static void
hv_nic_finalize (GObject *object)
{
  HvNic *self = HV_NIC (object);

  g_free (self->mac);
  g_free (self->ip);
  g_free (self->mode);
  g_free (self->link);
  g_free (self->vlan);
  g_clear_pointer (&self->network, g_variant_unref);

  G_OBJECT_CLASS (hv_nic_parent_class)->finalize (object);
}

static void
hv_nic_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  HvNic *self = HV_NIC (object);

  switch (prop_id)
    {
    case PROP_MAC:
      g_value_set_string (value, self->mac);
      break;
    case PROP_IP:
      g_value_set_string (value, self->ip);
      break;
    case PROP_MODE:
      g_value_set_string (value, self->mode);
      break;
    case PROP_LINK:
      g_value_set_string (value, self->link);
      break;
    case PROP_VLAN:
      g_value_set_string (value, self->vlan);
      break;
    case PROP_NETWORK:
      g_value_set_variant (value, self->network);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_nic_set_property (GObject      *object,
                     guint         prop_id,
                     const GValue *value,
                     GParamSpec   *pspec)
{
  HvNic *self = HV_NIC (object);

  switch (prop_id)
    {
    case PROP_MAC:
      hv_nic_set_mac (self, g_value_get_string (value));
      break;
    case PROP_IP:
      hv_nic_set_ip (self, g_value_get_string (value));
      break;
    case PROP_MODE:
      hv_nic_set_mode (self, g_value_get_string (value));
      break;
    case PROP_LINK:
      hv_nic_set_link (self, g_value_get_string (value));
      break;
    case PROP_VLAN:
      hv_nic_set_vlan (self, g_value_get_string (value));
      break;
    case PROP_NETWORK:
      hv_nic_set_network (self, g_value_get_variant (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_nic_class_init (HvNicClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HvDeviceClass *device_class = HV_DEVICE_CLASS (klass);

  object_class->finalize = hv_nic_finalize;
  object_class->get_property = hv_nic_get_property;
  object_class->set_property = hv_nic_set_property;
  device_class->device_type = HV_DEVICE_TYPE_NIC;

  /**
   * HvNic:mac:
   *
   * The MAC address, `aa:00:00:12:34:56`.
   *
   * Since: 1.0
   */
  properties[PROP_MAC] =
    g_param_spec_string ("mac", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvNic:ip:
   *
   * The instance's IP address on this NIC, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_IP] =
    g_param_spec_string ("ip", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvNic:mode:
   *
   * How the NIC is connected: `bridged`, `routed` or `openvswitch`.
   *
   * Since: 1.0
   */
  properties[PROP_MODE] =
    g_param_spec_string ("mode", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvNic:link:
   *
   * The bridge (bridged), routing table (routed) or switch (openvswitch)
   * the NIC is connected to.
   *
   * Since: 1.0
   */
  properties[PROP_LINK] =
    g_param_spec_string ("link", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvNic:vlan:
   *
   * The VLAN of an openvswitch NIC in Ganeti's notation (`.100`,
   * `:100:200`, `.100:200`), or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_VLAN] =
    g_param_spec_string ("vlan", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvNic:network:
   *
   * The network the NIC is connected to, an a{sv} (see #HvNic), or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_NETWORK] =
    g_param_spec_variant ("network", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_nic_init (HvNic *self)
{
}

/**
 * hv_nic_new:
 *
 * A NIC with nothing set and no PCI slot.
 *
 * Returns: (transfer full): a new #HvNic
 *
 * Since: 1.0
 */
HvNic *
hv_nic_new (void)
{
  return g_object_new (HV_TYPE_NIC, NULL);
}

/**
 * hv_nic_new_from_variant:
 * @dict: an a{sv} (see #HvNic for its keys)
 * @error: return location for a #GError
 *
 * Reads a NIC from its a{sv} form. Keys it does not know are kept and
 * written back by hv_nic_to_variant().
 *
 * Returns: (transfer full): a new #HvNic, or %NULL with
 *   %HV_ERROR_INVALID_PARAMETER when a key has a value of the wrong type
 *
 * Since: 1.0
 */
HvNic *
hv_nic_new_from_variant (GVariant *dict,
                         GError  **error)
{
  g_autoptr(HvNic) self = NULL;

  g_return_val_if_fail (dict != NULL, NULL);
  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = hv_nic_new ();
  if (!hv_variant_read_object (G_OBJECT (self), dict, NULL, error))
    return NULL;
  if (self->network != NULL &&
      !hv_variant_check_keys (self->network, "network", hv_nic_network_keys,
                              G_N_ELEMENTS (hv_nic_network_keys), error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * hv_nic_to_variant:
 * @self: an #HvNic
 *
 * The NIC as an a{sv}, sorted by key; see hv_device_to_variant().
 *
 * Returns: (transfer full): a new a{sv}, not floating
 *
 * Since: 1.0
 */
GVariant *
hv_nic_to_variant (HvNic *self)
{
  g_return_val_if_fail (HV_IS_NIC (self), NULL);

  return hv_device_to_variant (HV_DEVICE (self));
}

/**
 * hv_nic_get_mac:
 * @self: an #HvNic
 *
 * Returns: (nullable): the MAC address
 *
 * Since: 1.0
 */
const gchar *
hv_nic_get_mac (HvNic *self)
{
  g_return_val_if_fail (HV_IS_NIC (self), NULL);

  return self->mac;
}

/**
 * hv_nic_set_mac:
 * @self: an #HvNic
 * @mac: (nullable): the MAC address
 *
 * Sets #HvNic:mac.
 *
 * Since: 1.0
 */
void
hv_nic_set_mac (HvNic       *self,
                const gchar *mac)
{
  g_return_if_fail (HV_IS_NIC (self));

  if (hv_set_str (&self->mac, mac))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAC]);
}

/**
 * hv_nic_get_ip:
 * @self: an #HvNic
 *
 * Returns: (nullable): the IP address
 *
 * Since: 1.0
 */
const gchar *
hv_nic_get_ip (HvNic *self)
{
  g_return_val_if_fail (HV_IS_NIC (self), NULL);

  return self->ip;
}

/**
 * hv_nic_set_ip:
 * @self: an #HvNic
 * @ip: (nullable): the IP address
 *
 * Sets #HvNic:ip.
 *
 * Since: 1.0
 */
void
hv_nic_set_ip (HvNic       *self,
               const gchar *ip)
{
  g_return_if_fail (HV_IS_NIC (self));

  if (hv_set_str (&self->ip, ip))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IP]);
}

/**
 * hv_nic_get_mode:
 * @self: an #HvNic
 *
 * Returns: (nullable): the connection mode
 *
 * Since: 1.0
 */
const gchar *
hv_nic_get_mode (HvNic *self)
{
  g_return_val_if_fail (HV_IS_NIC (self), NULL);

  return self->mode;
}

/**
 * hv_nic_set_mode:
 * @self: an #HvNic
 * @mode: (nullable): the connection mode
 *
 * Sets #HvNic:mode.
 *
 * Since: 1.0
 */
void
hv_nic_set_mode (HvNic       *self,
                 const gchar *mode)
{
  g_return_if_fail (HV_IS_NIC (self));

  if (hv_set_str (&self->mode, mode))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

/**
 * hv_nic_get_link:
 * @self: an #HvNic
 *
 * Returns: (nullable): the link
 *
 * Since: 1.0
 */
const gchar *
hv_nic_get_link (HvNic *self)
{
  g_return_val_if_fail (HV_IS_NIC (self), NULL);

  return self->link;
}

/**
 * hv_nic_set_link:
 * @self: an #HvNic
 * @link: (nullable): the link
 *
 * Sets #HvNic:link.
 *
 * Since: 1.0
 */
void
hv_nic_set_link (HvNic       *self,
                 const gchar *link)
{
  g_return_if_fail (HV_IS_NIC (self));

  if (hv_set_str (&self->link, link))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINK]);
}

/**
 * hv_nic_get_vlan:
 * @self: an #HvNic
 *
 * Returns: (nullable): the VLAN
 *
 * Since: 1.0
 */
const gchar *
hv_nic_get_vlan (HvNic *self)
{
  g_return_val_if_fail (HV_IS_NIC (self), NULL);

  return self->vlan;
}

/**
 * hv_nic_set_vlan:
 * @self: an #HvNic
 * @vlan: (nullable): the VLAN
 *
 * Sets #HvNic:vlan.
 *
 * Since: 1.0
 */
void
hv_nic_set_vlan (HvNic       *self,
                 const gchar *vlan)
{
  g_return_if_fail (HV_IS_NIC (self));

  if (hv_set_str (&self->vlan, vlan))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VLAN]);
}

/**
 * hv_nic_get_network:
 * @self: an #HvNic
 *
 * Returns: (nullable) (transfer none): the network the NIC is connected to,
 *   an a{sv}
 *
 * Since: 1.0
 */
GVariant *
hv_nic_get_network (HvNic *self)
{
  g_return_val_if_fail (HV_IS_NIC (self), NULL);

  return self->network;
}

/**
 * hv_nic_set_network:
 * @self: an #HvNic
 * @network: (nullable): an a{sv}; a floating reference is sunk
 *
 * Sets #HvNic:network.
 *
 * Since: 1.0
 */
void
hv_nic_set_network (HvNic    *self,
                    GVariant *network)
{
  g_return_if_fail (HV_IS_NIC (self));
  g_return_if_fail (network == NULL || g_variant_is_of_type (network, G_VARIANT_TYPE_VARDICT));

  if (hv_set_variant (&self->network, network))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NETWORK]);
}
