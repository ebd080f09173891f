/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmTap"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm-tap.h"

/*
 * Taps as Ganeti's OpenTap makes them: /dev/net/tun with IFF_TAP and
 * IFF_NO_PI, IFF_VNET_HDR when asked for and the kernel has it, and for
 * several queues IFF_MULTI_QUEUE with one open per queue on one name.
 * The kernel picks the name (tap%d) unless one is given.
 */

#define HV_KVM_TUN_DEVICE "/dev/net/tun"

static gint
hv_kvm_tap_open_tun (GError **error)
{
  gint fd = open (HV_KVM_TUN_DEVICE, O_RDWR | O_CLOEXEC);

  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot open %s to make a tap device: %s"),
                   HV_KVM_TUN_DEVICE, g_strerror (errsv));
    }
  return fd;
}

/**
 * hv_kvm_tap_supports_vnet_hdr:
 *
 * Returns: %TRUE if the kernel's tun driver offers IFF_VNET_HDR (Ganeti's
 *   _ProbeTapVnetHdr); %FALSE also when /dev/net/tun cannot be opened
 */
gboolean
hv_kvm_tap_supports_vnet_hdr (void)
{
  unsigned int features = 0;
  gint fd = open (HV_KVM_TUN_DEVICE, O_RDWR | O_CLOEXEC);
  gboolean supported;

  if (fd < 0)
    return FALSE;
  supported = ioctl (fd, TUNGETFEATURES, &features) == 0 && (features & IFF_VNET_HDR) != 0;
  close (fd);
  return supported;
}

static HvKvmTap *
hv_kvm_tap_new (void)
{
  HvKvmTap *tap = g_new0 (HvKvmTap, 1);

  for (guint i = 0; i < HV_KVM_NIC_MAX_QUEUES; i++)
    tap->fds[i] = tap->vhost_fds[i] = -1;
  return tap;
}

static gboolean
hv_kvm_tap_open_queue (HvKvmTap     *tap,
                       guint         queue,
                       const gchar  *name,
                       short         flags,
                       GError      **error)
{
  struct ifreq request;
  gint fd = hv_kvm_tap_open_tun (error);

  if (fd < 0)
    return FALSE;

  memset (&request, 0, sizeof request);
  request.ifr_flags = flags;
  if (name != NULL)
    g_strlcpy (request.ifr_name, name, IFNAMSIZ);
  if (ioctl (fd, TUNSETIFF, &request) < 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot create tap device '%s' (queue %u) through %s: %s"),
                   name != NULL ? name : "tap%d", queue, HV_KVM_TUN_DEVICE, g_strerror (errsv));
      close (fd);
      return FALSE;
    }
  tap->fds[queue] = fd;
  if (tap->name == NULL)
    tap->name = g_strndup (request.ifr_name, IFNAMSIZ);
  return TRUE;
}

static gboolean
hv_kvm_tap_open_vhost (HvKvmTap     *tap,
                       guint         queue,
                       const gchar  *vhost_device,
                       GError      **error)
{
  gint fd = open (vhost_device, O_RDWR | O_CLOEXEC);

  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot open the vhost-net device '%s' for tap '%s': %s"),
                   vhost_device, tap->name, g_strerror (errsv));
      return FALSE;
    }
  tap->vhost_fds[queue] = fd;
  return TRUE;
}

/**
 * hv_kvm_tap_open:
 * @name: (nullable): the interface name; %NULL lets the kernel pick tap%d
 * @vnet_hdr: ask for IFF_VNET_HDR; ignored where the kernel lacks it
 * @n_queues: 1 to %HV_KVM_NIC_MAX_QUEUES; more than 1 is a multiqueue tap
 * @vhost_device: (nullable): open as many descriptors of this vhost-net
 *   device as queues; %NULL for none
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the tap, all descriptors close-on-exec, or
 *   %NULL with @error set and nothing left open
 */
HvKvmTap *
hv_kvm_tap_open (const gchar  *name,
                 gboolean      vnet_hdr,
                 guint         n_queues,
                 const gchar  *vhost_device,
                 GError      **error)
{
  g_autoptr(HvKvmTap) tap = hv_kvm_tap_new ();
  short flags = IFF_TAP | IFF_NO_PI;

  g_return_val_if_fail (n_queues >= 1 && n_queues <= HV_KVM_NIC_MAX_QUEUES, NULL);
  g_return_val_if_fail (name == NULL || strlen (name) < IFNAMSIZ, NULL);

  if (vnet_hdr && hv_kvm_tap_supports_vnet_hdr ())
    {
      flags |= IFF_VNET_HDR;
      tap->vnet_hdr = TRUE;
    }
  if (n_queues > 1)
    flags |= IFF_MULTI_QUEUE;

  for (guint q = 0; q < n_queues; q++)
    {
      /* the first queue names the device; the others attach to it */
      if (!hv_kvm_tap_open_queue (tap, q, q == 0 ? name : tap->name, flags, error))
        return NULL;
      tap->n_queues = q + 1;
    }
  if (vhost_device != NULL)
    {
      for (guint q = 0; q < n_queues; q++)
        if (!hv_kvm_tap_open_vhost (tap, q, vhost_device, error))
          return NULL;
      tap->has_vhost = TRUE;
    }
  g_debug ("opened tap %s: %u queue(s), vnet_hdr %s, vhost %s", tap->name, n_queues,
           tap->vnet_hdr ? "on" : "off", tap->has_vhost ? "on" : "off");
  return g_steal_pointer (&tap);
}

/**
 * hv_kvm_tap_set_mac:
 * @self: an open tap
 * @guest_mac: the guest NIC's MAC, `aa:bb:cc:dd:ee:ff`
 * @error: return location for a #GError
 *
 * Gives the host side of the tap the guest's MAC with its first byte
 * replaced by 0xfe, as libvirt does: the address tells which guest the tap
 * belongs to, and a bridge, which takes the lowest address of its ports,
 * never takes a tap's.
 *
 * Returns: %TRUE on success
 */
gboolean
hv_kvm_tap_set_mac (HvKvmTap     *self,
                    const gchar  *guest_mac,
                    GError      **error)
{
  struct ifreq request;
  unsigned int bytes[6];
  gchar end;

  g_return_val_if_fail (self != NULL && self->fds[0] >= 0, FALSE);

  if (guest_mac == NULL ||
      sscanf (guest_mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &bytes[0], &bytes[1], &bytes[2],
              &bytes[3], &bytes[4], &bytes[5], &end) != 6)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("NIC MAC address '%s' is not of the form aa:bb:cc:dd:ee:ff"),
                   guest_mac != NULL ? guest_mac : "");
      return FALSE;
    }

  memset (&request, 0, sizeof request);
  g_strlcpy (request.ifr_name, self->name, IFNAMSIZ);
  request.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  request.ifr_hwaddr.sa_data[0] = (char) 0xfe;
  for (guint i = 1; i < 6; i++)
    request.ifr_hwaddr.sa_data[i] = (char) bytes[i];
  if (ioctl (self->fds[0], SIOCSIFHWADDR, &request) < 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot set the MAC address of tap '%s': %s"),
                   self->name, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/**
 * hv_kvm_tap_close:
 * @self: a tap
 *
 * Closes the descriptors still held here (those not handed to QEMU); the
 * interface goes away with the last one, wherever it is.
 */
void
hv_kvm_tap_close (HvKvmTap *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < HV_KVM_NIC_MAX_QUEUES; i++)
    {
      if (self->fds[i] >= 0)
        g_close (self->fds[i], NULL);
      if (self->vhost_fds[i] >= 0)
        g_close (self->vhost_fds[i], NULL);
      self->fds[i] = self->vhost_fds[i] = -1;
    }
}

void
hv_kvm_tap_free (HvKvmTap *self)
{
  if (self == NULL)
    return;
  hv_kvm_tap_close (self);
  g_free (self->name);
  g_free (self);
}
