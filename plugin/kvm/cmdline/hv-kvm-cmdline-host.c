/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmCmdline"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <glib/gi18n-lib.h>

#include "hv-kvm-cmdline-sections.h"

/*
 * What the caller decides before it builds a command line, with the same
 * rules the command line applies: which fixed devices need a PCI slot, and
 * the address an interface named in vnc_bind_address or spice_bind has on
 * this node (the one lookup of the host here).
 */

/**
 * hv_kvm_cmdline_get_start_devices:
 * @hvparams: the a{sv} hvparams the instance starts with
 * @devices: (out caller-allocates): the devices besides disks and NICs
 *   that hv_kvm_pci_assign_start() must give a slot
 *
 * The sound card (when it is a PCI one), the SCSI controller of a SCSI
 * disk_type, the balloon (always) and the SPICE agent's virtio-serial
 * device (SPICE without VNC, spice_use_vdagent on): exactly the devices
 * hv_kvm_cmdline_build_base() puts on pci.0. @devices->soundhw points into
 * @hvparams.
 */
void
hv_kvm_cmdline_get_start_devices (GVariant             *hvparams,
                                  HvKvmPciStartDevices *devices)
{
  g_auto(HvKvmCmdline) self = { NULL, hvparams, NULL, NULL, NULL };

  g_return_if_fail (hvparams != NULL && devices != NULL);

  devices->soundhw = hv_kvm_cmdline_param_string (&self, "soundhw", "");
  devices->scsi_controller =
    hv_kvm_cmdline_disk_type_is_scsi (hv_kvm_cmdline_param_string (&self, "disk_type",
                                                                   "paravirtual"));
  devices->balloon = TRUE;
  devices->spice = hv_kvm_cmdline_uses_spice_agent (&self);
}

/**
 * hv_kvm_cmdline_resolve_interface:
 * @interface: a network interface, such as "eth0"
 * @ip_version: 4 or 6 for that family only, 0 for either (IPv4 first, as
 *   Ganeti's VNC does)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the first address of @interface, for
 *   #HvKvmCmdlineConfig's vnc_bind_ip and spice_bind_ip; or %NULL with
 *   %HV_ERROR_INVALID_PARAMETER when it has none of that family
 */
gchar *
hv_kvm_cmdline_resolve_interface (const gchar  *interface,
                                  gint64        ip_version,
                                  GError      **error)
{
  static const gint families[] = { AF_INET, AF_INET6 };
  struct ifaddrs *addresses = NULL;
  gchar text[INET6_ADDRSTRLEN] = "";

  g_return_val_if_fail (interface != NULL, NULL);

  if (getifaddrs (&addresses) != 0)
    {
      gint saved_errno = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Could not list the network interfaces: %s"), g_strerror (saved_errno));
      return NULL;
    }

  for (gsize f = 0; f < G_N_ELEMENTS (families) && *text == '\0'; f++)
    {
      if ((ip_version == 4 && families[f] != AF_INET) ||
          (ip_version == 6 && families[f] != AF_INET6))
        continue;
      for (struct ifaddrs *entry = addresses; entry != NULL && *text == '\0';
           entry = entry->ifa_next)
        {
          const void *address;

          if (entry->ifa_addr == NULL || entry->ifa_addr->sa_family != families[f] ||
              g_strcmp0 (entry->ifa_name, interface) != 0)
            continue;
          address = families[f] == AF_INET ?
            (const void *) &((struct sockaddr_in *) entry->ifa_addr)->sin_addr :
            (const void *) &((struct sockaddr_in6 *) entry->ifa_addr)->sin6_addr;
          inet_ntop (families[f], address, text, sizeof text);
        }
    }
  freeifaddrs (addresses);

  if (*text == '\0')
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   ip_version != 0 ?
                   _("Interface '%s' has no IPv%d address") :
                   _("Interface '%s' has no IP address"), interface, (gint) ip_version);
      return NULL;
    }
  return g_strdup (text);
}
