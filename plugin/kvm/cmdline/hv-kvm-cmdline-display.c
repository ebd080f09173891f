/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmCmdline"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-kvm-cmdline-sections.h"

/*
 * What a person sees and hears of the guest: the serial console, VNC or
 * SPICE, the graphics card, USB pointers and the sound card.
 *
 * Passwords never go on the command line, where /proc/<pid>/cmdline would
 * show them: VNC gets `password=on` and SPICE keeps ticketing, and the
 * lifecycle sets the password from vnc_password_file / spice_password_file
 * with QMP `set_password` while the guest is still paused (as Ganeti does
 * with `change vnc password`).
 */

#define VNC_BASE_PORT 5900
#define VNC_TLS_CREDS_ID "vnc-tls-creds"
#define AUDIODEV_ID "audio0"

gboolean
hv_kvm_cmdline_add_console (HvKvmCmdline  *self,
                            GError       **error)
{
  g_autofree gchar *socket_dir = NULL;

  if (!hv_kvm_cmdline_param_bool (self, "serial_console", TRUE))
    return TRUE;

  socket_dir = hv_kvm_cmdline_escape (self->config->run_dir);
  hv_kvm_cmdline_add_printf (self, "-serial", "unix:%s/%s.serial,server=on,wait=off",
                             socket_dir, hv_instance_get_name (self->instance));
  return TRUE;
}

/* The address to listen on: the parameter when it is one, else what the
 * caller resolved the interface it names to (resolving is I/O). */
static const gchar *
bind_address (const gchar  *parameter,
              const gchar  *value,
              const gchar  *resolved,
              GError      **error)
{
  if (g_hostname_is_ip_address (value))
    return value;
  if (resolved != NULL && *resolved != '\0')
    return resolved;

  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
               _("Parameter '%s' names the interface '%s', whose address is not known"),
               parameter, value);
  return NULL;
}

static void
vnc_add_tls (HvKvmCmdline *self,
             GString      *vnc)
{
  g_autofree gchar *x509_path = hv_kvm_cmdline_escape (hv_kvm_cmdline_param_string (self, "vnc_x509_path", ""));

  if (!hv_kvm_cmdline_param_bool (self, "vnc_tls", FALSE))
    return;

  if (*x509_path != '\0')
    hv_kvm_cmdline_add_printf (self, "-object",
                               "tls-creds-x509,id=" VNC_TLS_CREDS_ID
                               ",dir=%s,endpoint=server,verify-peer=%s", x509_path,
                               hv_kvm_cmdline_param_bool (self, "vnc_x509_verify", FALSE) ?
                               "on" : "off");
  else
    hv_kvm_cmdline_add (self, "-object",
                        "tls-creds-anon,id=" VNC_TLS_CREDS_ID ",endpoint=server");
  g_string_append (vnc, ",tls-creds=" VNC_TLS_CREDS_ID);
}

static gboolean
cmdline_add_vnc (HvKvmCmdline  *self,
                 const gchar   *bind,
                 GError       **error)
{
  gint64 port = hv_instance_get_network_port (self->instance);
  g_autoptr(GString) vnc = g_string_new (NULL);
  const gchar *address;

  /* a directory: a UNIX socket per instance in it */
  if (g_path_is_absolute (bind))
    {
      g_autofree gchar *directory = hv_kvm_cmdline_escape (bind);

      hv_kvm_cmdline_add_printf (self, "-vnc", "unix:%s/%s.vnc", directory,
                                 hv_instance_get_name (self->instance));
      return TRUE;
    }

  if ((address = bind_address ("vnc_bind_address", bind, self->config->vnc_bind_ip,
                               error)) == NULL)
    return FALSE;

  /* Ganeti starts VNC on "none" here and logs; a VNC that silently
   * never listens helps nobody */
  if (port <= VNC_BASE_PORT)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter 'vnc_bind_address' is set, but the network port %lld"
                     " is no VNC display (it must be above %d)"),
                   (long long) port, VNC_BASE_PORT);
      return FALSE;
    }
  if (g_str_equal (address, "0.0.0.0"))
    g_string_append_printf (vnc, ":%" G_GINT64_FORMAT, port - VNC_BASE_PORT);
  else if (strchr (address, ':') != NULL)
    g_string_append_printf (vnc, "[%s]:%" G_GINT64_FORMAT, address, port - VNC_BASE_PORT);
  else
    g_string_append_printf (vnc, "%s:%" G_GINT64_FORMAT, address, port - VNC_BASE_PORT);

  vnc_add_tls (self, vnc);
  if (*hv_kvm_cmdline_param_string (self, "vnc_password_file", "") != '\0')
    g_string_append (vnc, ",password=on");
  hv_kvm_cmdline_add (self, "-vnc", vnc->str);
  return TRUE;
}

static gboolean
spice_add_listen (HvKvmCmdline  *self,
                  const gchar   *bind,
                  GString       *spice,
                  GError       **error)
{
  gint64 port = hv_instance_get_network_port (self->instance);
  gint64 ip_version = hv_kvm_cmdline_param_int (self, "spice_ip_version", 0);
  const gchar *ciphers = hv_kvm_cmdline_param_string (self, "spice_tls_ciphers", "");
  const gchar *address;

  if ((address = bind_address ("spice_bind", bind, self->config->spice_bind_ip,
                               error)) == NULL)
    return FALSE;
  g_string_append_printf (spice, "addr=%s", address);

  if (hv_kvm_cmdline_param_bool (self, "spice_use_tls", FALSE))
    {
      if (self->config->spice_x509_dir == NULL)
        {
          g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                               _("Parameter 'spice_use_tls' is on, but there is no"
                                 " SPICE certificate directory"));
          return FALSE;
        }
      g_autofree gchar *x509_dir = hv_kvm_cmdline_escape (self->config->spice_x509_dir);

      g_string_append_printf (spice, ",tls-port=%" G_GINT64_FORMAT ",x509-dir=%s", port,
                              x509_dir);
      if (*ciphers != '\0')
        g_string_append_printf (spice, ",tls-ciphers=%s", ciphers);
    }
  else
    g_string_append_printf (spice, ",port=%" G_GINT64_FORMAT, port);

  /* an interface's address family, when the user chose one */
  if (address != bind && (ip_version == 4 || ip_version == 6))
    g_string_append_printf (spice, ",ipv%" G_GINT64_FORMAT "=on", ip_version);
  return TRUE;
}

static gboolean
cmdline_add_spice (HvKvmCmdline  *self,
                   const gchar   *bind,
                   GError       **error)
{
  static const struct {
    const gchar *parameter;
    const gchar *option;
  } compressions[] = {
    { "spice_image_compression", "image-compression" },
    { "spice_jpeg_wan_compression", "jpeg-wan-compression" },
    { "spice_zlib_glz_wan_compression", "zlib-glz-wan-compression" },
    { "spice_streaming_video", "streaming-video" },
  };
  g_autoptr(GString) spice = g_string_new (NULL);

  if (!hv_kvm_capabilities_has_command (self->config->capabilities, "query-spice"))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter 'spice_bind' is '%s', but this QEMU has no SPICE"), bind);
      return FALSE;
    }
  if (!spice_add_listen (self, bind, spice, error))
    return FALSE;

  if (*hv_kvm_cmdline_param_string (self, "spice_password_file", "") == '\0')
    g_string_append (spice, ",disable-ticketing=on");
  for (gsize i = 0; i < G_N_ELEMENTS (compressions); i++)
    {
      const gchar *value = hv_kvm_cmdline_param_string (self, compressions[i].parameter, "");

      if (*value != '\0')
        g_string_append_printf (spice, ",%s=%s", compressions[i].option, value);
    }
  if (!hv_kvm_cmdline_param_bool (self, "spice_playback_compression", TRUE))
    g_string_append (spice, ",playback-compression=off");
  if (!hv_kvm_cmdline_param_bool (self, "spice_use_vdagent", TRUE))
    g_string_append (spice, ",agent-mouse=off");

  hv_kvm_cmdline_add (self, "-spice", spice->str);
  return TRUE;
}

/* VNC, else SPICE, else nothing; then the graphics card they need. With
 * -nodefaults there is no VGA unless asked for: a display gets one. */
gboolean
hv_kvm_cmdline_add_display (HvKvmCmdline  *self,
                            GError       **error)
{
  const gchar *vnc_bind = hv_kvm_cmdline_param_string (self, "vnc_bind_address", "");
  const gchar *spice_bind = hv_kvm_cmdline_param_string (self, "spice_bind", "");
  const gchar *vga = hv_kvm_cmdline_param_string (self, "vga", "");

  if (*vnc_bind != '\0')
    {
      if (!cmdline_add_vnc (self, vnc_bind, error))
        return FALSE;
      if (*vga == '\0')
        vga = "std";
    }
  else if (*spice_bind != '\0')
    {
      if (!cmdline_add_spice (self, spice_bind, error))
        return FALSE;
      if (*vga == '\0')
        vga = "qxl";
    }
  else
    hv_kvm_cmdline_add (self, "-display", "none");

  if (*vga != '\0')
    hv_kvm_cmdline_add (self, "-vga", vga);
  return TRUE;
}

/* SPICE is on when spice_bind is set and VNC is not (VNC wins, as in
 * Ganeti; the parameter rules refuse both). */
static gboolean
uses_spice (HvKvmCmdline *self)
{
  return *hv_kvm_cmdline_param_string (self, "spice_bind", "") != '\0' &&
         *hv_kvm_cmdline_param_string (self, "vnc_bind_address", "") == '\0';
}

gboolean
hv_kvm_cmdline_uses_spice_agent (HvKvmCmdline *self)
{
  return uses_spice (self) && hv_kvm_cmdline_param_bool (self, "spice_use_vdagent", TRUE);
}

/* The agent channel between the SPICE client and the guest's vdagent. */
void
hv_kvm_cmdline_add_spice_agent (HvKvmCmdline *self)
{
  g_autofree gchar *address = NULL;

  if (!hv_kvm_cmdline_uses_spice_agent (self))
    return;

  if (self->config->slots.spice >= 0)
    address = hv_kvm_cmdline_pci_address (self->config->slots.spice);
  hv_kvm_cmdline_add_printf (self, "-device", "virtio-serial-pci,id=spice%s%s",
                             address != NULL ? "," : "", address != NULL ? address : "");
  hv_kvm_cmdline_add (self, "-device",
                      "virtserialport,chardev=spicechannel0,name=com.redhat.spice.0");
  hv_kvm_cmdline_add (self, "-chardev", "spicevmc,id=spicechannel0,name=vdagent");
}

/* A USB pointer (a tablet by default with VNC, as in Ganeti, so that the
 * pointer follows the client's) and usb_devices, comma-separated. */
void
hv_kvm_cmdline_add_usb (HvKvmCmdline *self)
{
  const gchar *mouse = hv_kvm_cmdline_param_string (self, "usb_mouse", "");
  g_auto(GStrv) devices = g_strsplit (hv_kvm_cmdline_param_string (self, "usb_devices", ""),
                                      ",", -1);
  gboolean usb = FALSE;

  if (*mouse == '\0' && *hv_kvm_cmdline_param_string (self, "vnc_bind_address", "") != '\0')
    mouse = "tablet";

  if (*mouse != '\0')
    {
      hv_kvm_cmdline_add (self, "-usb", NULL);
      hv_kvm_cmdline_add (self, "-usbdevice", mouse);
      usb = TRUE;
    }
  for (guint i = 0; devices[i] != NULL; i++)
    {
      g_strstrip (devices[i]);
      if (*devices[i] == '\0')
        continue;
      if (!usb)
        hv_kvm_cmdline_add (self, "-usb", NULL);
      hv_kvm_cmdline_add (self, "-usbdevice", devices[i]);
      usb = TRUE;
    }
}

/* Ganeti's soundhw names and QEMU 7.2's devices for them (-soundhw is
 * gone). The PCI ones are those HvKvmPciStartSlots gives a slot. */
static const struct {
  const gchar *soundhw;
  const gchar *device;
  const gchar *codec;           /* a device on the card's HDA bus */
  gboolean pci;
} sound_cards[] = {
  { "ac97", "AC97", NULL, TRUE },
  { "es1370", "ES1370", NULL, TRUE },
  { "hda", "intel-hda", "hda-duplex", TRUE },
  { "sb16", "sb16", NULL, FALSE },
  { "adlib", "adlib", NULL, FALSE },
  { "gus", "gus", NULL, FALSE },
  { "cs4231a", "cs4231a", NULL, FALSE },
  { "pcspk", NULL, NULL, FALSE },
};

/* The PC speaker is no device but a machine property. */
void
hv_kvm_cmdline_append_machine_sound (HvKvmCmdline *self,
                                     GString      *machine)
{
  if (hv_kvm_cmdline_param_is (self, "soundhw", "", "pcspk"))
    g_string_append (machine, ",pcspk-audiodev=" AUDIODEV_ID);
}

static gboolean
sound_card_supported (HvKvmCmdline  *self,
                      gsize          card,
                      GError       **error)
{
  const gchar *soundhw = sound_cards[card].soundhw;

  if (sound_cards[card].device != NULL &&
      !hv_kvm_cmdline_require_device (self, sound_cards[card].device, "soundhw", soundhw, error))
    return FALSE;
  if (sound_cards[card].codec != NULL &&
      !hv_kvm_cmdline_require_device (self, sound_cards[card].codec, "soundhw", soundhw, error))
    return FALSE;
  return TRUE;
}

gboolean
hv_kvm_cmdline_add_sound (HvKvmCmdline  *self,
                          GError       **error)
{
  const gchar *soundhw = hv_kvm_cmdline_param_string (self, "soundhw", "");
  g_autofree gchar *address = NULL;
  gsize card;

  if (*soundhw == '\0')
    return TRUE;
  for (card = 0; card < G_N_ELEMENTS (sound_cards); card++)
    if (g_str_equal (sound_cards[card].soundhw, soundhw))
      break;
  if (card == G_N_ELEMENTS (sound_cards))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter 'soundhw' is '%s'; QEMU has ac97, es1370, hda, sb16,"
                     " adlib, gus, cs4231a and pcspk"), soundhw);
      return FALSE;
    }
  if (!sound_card_supported (self, card, error))
    return FALSE;

  /* a server has no speakers: the sound goes to SPICE or nowhere */
  hv_kvm_cmdline_add (self, "-audiodev",
                      uses_spice (self) ? "spice,id=" AUDIODEV_ID : "none,id=" AUDIODEV_ID);
  if (sound_cards[card].device == NULL)
    return TRUE;

  if (sound_cards[card].pci && self->config->slots.sound >= 0)
    address = hv_kvm_cmdline_pci_address (self->config->slots.sound);
  if (sound_cards[card].codec != NULL)
    {
      hv_kvm_cmdline_add_printf (self, "-device", "%s,id=sound0%s%s", sound_cards[card].device,
                                 address != NULL ? "," : "", address != NULL ? address : "");
      hv_kvm_cmdline_add (self, "-device",
                          "hda-duplex,bus=sound0.0,audiodev=" AUDIODEV_ID);
    }
  else
    hv_kvm_cmdline_add_printf (self, "-device", "%s,id=sound0,audiodev=" AUDIODEV_ID "%s%s",
                               sound_cards[card].device,
                               address != NULL ? "," : "", address != NULL ? address : "");
  return TRUE;
}
