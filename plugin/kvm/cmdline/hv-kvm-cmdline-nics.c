/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmCmdline"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-cmdline-sections.h"
#include "hv-kvm-runtime.h"

/*
 * NICs: a tap backend per NIC from descriptors hvkit opened (`fd=` or
 * `fds=` for multiqueue, with `vhostfd(s)=` when vhost-net is on), and
 * the guest's card with its MAC, id and PCI address. QEMU opens no tap and
 * runs no script.
 */

gchar *
hv_kvm_cmdline_device_id (HvDevice    *device,
                          const gchar *qemu_id,
                          guint        index)
{
  if (qemu_id != NULL && *qemu_id != '\0')
    return g_strdup (qemu_id);
  /* the record's rule, as the runtime record gives ids at start */
  return hv_kvm_device_id_new (hv_device_get_device_type (device), hv_device_get_uuid (device),
                               hv_device_get_pci (device), index);
}

/* "a:b:c" of @count descriptors */
static gchar *
join_fds (const gint *fds,
          guint       count)
{
  GString *joined = g_string_new (NULL);

  for (guint i = 0; i < count; i++)
    g_string_append_printf (joined, "%s%d", i > 0 ? ":" : "", fds[i]);
  return g_string_free (joined, FALSE);
}

static gboolean
nic_check_fds (HvKvmCmdline           *self,
               const HvKvmCmdlineNic  *entry,
               const gchar            *id,
               gboolean                paravirtual,
               gboolean                vhost,
               GError                **error)
{
  gint64 queues = paravirtual ? hv_kvm_cmdline_param_int (self, "virtio_net_queues", 1) : 1;

  if (entry->n_queues < 1 || entry->n_queues > HV_KVM_NIC_MAX_QUEUES ||
      entry->n_queues != queues)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("NIC %s has %u tap descriptors, but needs %lld"
                     " (virtio_net_queues, for a paravirtual nic_type)"),
                   id, entry->n_queues, (long long) queues);
      return FALSE;
    }
  for (guint q = 0; q < entry->n_queues; q++)
    if (entry->tap_fds[q] < 0 || (vhost && entry->vhost_fds[q] < 0))
      {
        g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                     _("NIC %s: queue %u has no descriptor"), id, q);
        return FALSE;
      }
  if (vhost && !entry->has_vhost)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter 'vhost_net' is on, but NIC %s has no vhost-net"
                     " descriptors (is /dev/vhost-net there?)"), id);
      return FALSE;
    }
  return TRUE;
}

static gchar *
nic_netdev_option (const HvKvmCmdlineNic *entry,
                   const gchar           *id,
                   gboolean               vhost)
{
  g_autofree gchar *taps = join_fds (entry->tap_fds, entry->n_queues);
  GString *netdev = g_string_new (NULL);

  g_string_printf (netdev, "tap,id=%s,%s=%s", id, entry->n_queues > 1 ? "fds" : "fd", taps);
  if (vhost)
    {
      g_autofree gchar *vhosts = join_fds (entry->vhost_fds, entry->n_queues);

      g_string_append_printf (netdev, ",vhost=on,%s=%s",
                              entry->n_queues > 1 ? "vhostfds" : "vhostfd", vhosts);
    }
  return g_string_free (netdev, FALSE);
}

static gchar *
nic_device_option (const HvKvmCmdlineNic *entry,
                   const gchar           *model,
                   const gchar           *id)
{
  const gchar *mac = hv_nic_get_mac (entry->nic);
  gint slot = hv_device_get_pci (HV_DEVICE (entry->nic));
  GString *device = g_string_new (model);

  if (mac != NULL && *mac != '\0')
    g_string_append_printf (device, ",mac=%s", mac);
  g_string_append_printf (device, ",netdev=%s,id=%s", id, id);
  /* ne2k_isa sits on the ISA bus */
  if (slot >= 0 && !g_str_equal (model, "ne2k_isa"))
    {
      g_autofree gchar *address = hv_kvm_cmdline_pci_address (slot);

      g_string_append_printf (device, ",%s", address);
    }
  /* a vector per queue each way, one for config, one for control */
  if (entry->n_queues > 1)
    g_string_append_printf (device, ",mq=on,vectors=%u", 2 * entry->n_queues + 2);
  return g_string_free (device, FALSE);
}

gboolean
hv_kvm_cmdline_add_nics (HvKvmCmdline  *self,
                         GError       **error)
{
  const gchar *nic_type = hv_kvm_cmdline_param_string (self, "nic_type", "paravirtual");
  gboolean paravirtual = g_str_equal (nic_type, "paravirtual");
  const gchar *model = paravirtual ? "virtio-net-pci" : nic_type;
  gboolean vhost = paravirtual && hv_kvm_cmdline_param_bool (self, "vhost_net", FALSE);

  if (self->config->n_nics > 0 &&
      !hv_kvm_cmdline_require_device (self, model, "nic_type", nic_type, error))
    return FALSE;

  for (gsize i = 0; i < self->config->n_nics; i++)
    {
      const HvKvmCmdlineNic *entry = &self->config->nics[i];
      g_autofree gchar *id = hv_kvm_cmdline_device_id (HV_DEVICE (entry->nic),
                                                       entry->qemu_id, (guint) i);
      g_autofree gchar *netdev = NULL;
      g_autofree gchar *device = NULL;

      if (!nic_check_fds (self, entry, id, paravirtual, vhost, error))
        return FALSE;
      netdev = nic_netdev_option (entry, id, vhost);
      device = nic_device_option (entry, model, id);
      hv_kvm_cmdline_add (self, "-netdev", netdev);
      hv_kvm_cmdline_add (self, "-device", device);
    }
  return TRUE;
}
