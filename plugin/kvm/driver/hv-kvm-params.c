/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <pwd.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "hv-kvm-params.h"

/* The KVM parameters of Ganeti 3.x, their checks and defaults. The table
 * follows hv_kvm's PARAMETERS (in its order), the rules that involve more
 * than one parameter follow CheckParameterSyntax and ValidateParameters
 * (lib/hypervisor/hv_kvm/validation.py), and the defaults HVC_DEFAULTS. */

static const gchar *const boot_orders[] = { "disk", "cdrom", "floppy", "network", NULL };
static const gchar *const nic_types[] = {
  "paravirtual", "e1000", "i82551", "i82557b", "i82559er", "ne2k_isa", "ne2k_pci",
  "pcnet", "rtl8139", NULL
};
static const gchar *const disk_types[] = {
  "paravirtual", "ide", "mtd", "pflash", "scsi", "sd", "scsi-generic", "scsi-block",
  "scsi-hd", "scsi-cd", NULL
};
static const gchar *const scsi_controller_types[] = {
  "lsi", "virtio-scsi-pci", "megasas", "dc390", NULL
};
static const gchar *const discard_types[] = { "default", "ignore", "unmap", NULL };
static const gchar *const mouse_types[] = { "mouse", "tablet", NULL };
static const gchar *const migration_modes[] = { "live", "non-live", NULL };
static const gchar *const cache_types[] = {
  "default", "none", "writeback", "writethrough", NULL
};
static const gchar *const aio_types[] = { "threads", "native", "io_uring", NULL };
static const gchar *const security_models[] = { "none", "user", "pool", NULL };
static const gchar *const kvm_flags[] = { "enabled", "disabled", NULL };
static const gchar *const reboot_behaviors[] = { "reboot", "exit", NULL };
static const gchar *const spice_lossless_compressions[] = {
  "auto_glz", "auto_lz", "glz", "lz", "off", "quic", NULL
};
static const gchar *const spice_lossy_compressions[] = { "always", "auto", "never", NULL };
static const gchar *const spice_video_detections[] = { "all", "filter", "off", NULL };

/* Ganeti's VALID_SERIAL_SPEEDS */
static const gint64 serial_speeds[] = {
  75, 110, 300, 600, 1200, 1800, 2400, 4800, 9600, 14400, 19200, 28800, 38400,
  57600, 115200, 230400, 345600, 460800,
};

static gboolean
is_ip_address (const gchar *str)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (str);

  return address != NULL;
}

/**
 * hv_kvm_params_is_interface_name:
 * @name: a string
 *
 * Whether @name can be a Linux network interface name: the kernel's
 * dev_valid_name(), 1 to 15 characters, not `.` or `..`, without `/`, `:`
 * or white space.
 *
 * Returns: %TRUE if it can
 */
gboolean
hv_kvm_params_is_interface_name (const gchar *name)
{
  gsize len = strlen (name);

  if (len == 0 || len >= IFNAMSIZ || g_str_equal (name, ".") || g_str_equal (name, ".."))
    return FALSE;
  for (const gchar *p = name; *p != '\0'; p++)
    {
      if (*p == '/' || *p == ':' || g_ascii_isspace (*p) || !g_ascii_isprint (*p))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_vnc_bind_address (GVariant      *value,
                        gconstpointer  data)
{
  const gchar *address = g_variant_get_string (value, NULL);

  return is_ip_address (address) || hv_param_is_norm_abs_path (address) ||
         hv_kvm_params_is_interface_name (address);
}

static gboolean
check_spice_bind (GVariant      *value,
                  gconstpointer  data)
{
  const gchar *address = g_variant_get_string (value, NULL);

  return is_ip_address (address) || hv_kvm_params_is_interface_name (address);
}

/* Node check of both bind addresses: a name that is neither an address nor
 * a path must be an interface of this node. */
static gboolean
check_bind_interface_exists (GVariant      *value,
                             gconstpointer  data)
{
  const gchar *address = g_variant_get_string (value, NULL);

  if (is_ip_address (address) || g_path_is_absolute (address))
    return TRUE;
  return if_nametoindex (address) != 0;
}

static gboolean
check_spice_ip_version (GVariant      *value,
                        gconstpointer  data)
{
  gint64 version = g_variant_get_int64 (value);

  return version == 0 || version == 4 || version == 6;
}

static gboolean
check_pci_reservations (GVariant      *value,
                        gconstpointer  data)
{
  gint64 reservations = g_variant_get_int64 (value);

  return reservations >= 0 && reservations <= HV_KVM_PCI_SLOTS;
}

static const HvParamDef hv_kvm_param_defs[] = {
  HV_PARAM_DEF_FILE ("kvm_path", TRUE),
  HV_PARAM_DEF_FILE ("kernel_path", FALSE),
  HV_PARAM_DEF_FILE ("initrd_path", FALSE),
  HV_PARAM_DEF_STRING ("root_path", FALSE),
  HV_PARAM_DEF_STRING ("kernel_args", FALSE),
  HV_PARAM_DEF_BOOLEAN ("acpi"),
  HV_PARAM_DEF_BOOLEAN ("serial_console"),
  HV_PARAM_DEF_INT ("serial_speed"),
  { "vnc_bind_address", "s", FALSE,
    check_vnc_bind_address,
    HV_N_("must be an IP address, an interface name or an absolute path"),
    check_bind_interface_exists, HV_N_("no network interface of this name on this node"),
    NULL },
  HV_PARAM_DEF_BOOLEAN ("vnc_tls"),
  HV_PARAM_DEF_DIR ("vnc_x509_path", FALSE),
  HV_PARAM_DEF_BOOLEAN ("vnc_x509_verify"),
  HV_PARAM_DEF_FILE ("vnc_password_file", FALSE),
  { "spice_bind", "s", FALSE,
    check_spice_bind, HV_N_("must be an IP address or an interface name"),
    check_bind_interface_exists, HV_N_("no network interface of this name on this node"),
    NULL },
  { "spice_ip_version", "x", FALSE,
    check_spice_ip_version, HV_N_("The SPICE IP version should be 4 or 6"),
    NULL, NULL, NULL },
  HV_PARAM_DEF_FILE ("spice_password_file", FALSE),
  HV_PARAM_DEF_IN_SET ("spice_image_compression", FALSE, spice_lossless_compressions),
  HV_PARAM_DEF_IN_SET ("spice_jpeg_wan_compression", FALSE, spice_lossy_compressions),
  HV_PARAM_DEF_IN_SET ("spice_zlib_glz_wan_compression", FALSE, spice_lossy_compressions),
  HV_PARAM_DEF_IN_SET ("spice_streaming_video", FALSE, spice_video_detections),
  HV_PARAM_DEF_BOOLEAN ("spice_playback_compression"),
  HV_PARAM_DEF_BOOLEAN ("spice_use_tls"),
  HV_PARAM_DEF_STRING ("spice_tls_ciphers", FALSE),
  HV_PARAM_DEF_BOOLEAN ("spice_use_vdagent"),
  HV_PARAM_DEF_FILE ("floppy_image_path", FALSE),
  HV_PARAM_DEF_FILE_OR_URL ("cdrom_image_path", FALSE),
  HV_PARAM_DEF_FILE_OR_URL ("cdrom2_image_path", FALSE),
  HV_PARAM_DEF_IN_SET ("boot_order", TRUE, boot_orders),
  HV_PARAM_DEF_IN_SET ("nic_type", TRUE, nic_types),
  HV_PARAM_DEF_IN_SET ("disk_type", TRUE, disk_types),
  HV_PARAM_DEF_IN_SET ("scsi_controller_type", TRUE, scsi_controller_types),
  HV_PARAM_DEF_IN_SET ("disk_discard", FALSE, discard_types),
  HV_PARAM_DEF_IN_SET ("cdrom_disk_type", FALSE, disk_types),
  HV_PARAM_DEF_IN_SET ("usb_mouse", FALSE, mouse_types),
  HV_PARAM_DEF_STRING ("keymap", FALSE),
  HV_PARAM_DEF_PORT ("migration_port", TRUE),
  HV_PARAM_DEF_NONNEGATIVE_INT ("migration_bandwidth", TRUE),
  HV_PARAM_DEF_NONNEGATIVE_INT ("migration_downtime", TRUE),
  HV_PARAM_DEF_IN_SET ("migration_mode", TRUE, migration_modes),
  HV_PARAM_DEF_BOOLEAN ("use_guest_agent"),
  HV_PARAM_DEF_BOOLEAN ("use_localtime"),
  HV_PARAM_DEF_IN_SET ("disk_cache", TRUE, cache_types),
  HV_PARAM_DEF_IN_SET ("disk_aio", FALSE, aio_types),
  HV_PARAM_DEF_IN_SET ("security_model", TRUE, security_models),
  HV_PARAM_DEF_STRING ("security_domain", FALSE),
  HV_PARAM_DEF_IN_SET ("kvm_flag", FALSE, kvm_flags),
  HV_PARAM_DEF_BOOLEAN ("vhost_net"),
  HV_PARAM_DEF_VIRTIO_NET_QUEUES ("virtio_net_queues", FALSE),
  HV_PARAM_DEF_BOOLEAN ("use_chroot"),
  HV_PARAM_DEF_BOOLEAN ("user_shutdown"),
  HV_PARAM_DEF_DIR ("mem_path", FALSE),
  HV_PARAM_DEF_IN_SET ("reboot_behavior", TRUE, reboot_behaviors),
  HV_PARAM_DEF_MULTI_CPU_MASK ("cpu_mask", FALSE),
  HV_PARAM_DEF_STRING ("cpu_type", FALSE),
  HV_PARAM_DEF_NONNEGATIVE_INT ("cpu_cores", FALSE),
  HV_PARAM_DEF_NONNEGATIVE_INT ("cpu_threads", FALSE),
  HV_PARAM_DEF_NONNEGATIVE_INT ("cpu_sockets", FALSE),
  HV_PARAM_DEF_STRING ("soundhw", FALSE),
  HV_PARAM_DEF_STRING ("usb_devices", FALSE),
  HV_PARAM_DEF_STRING ("vga", FALSE),
  HV_PARAM_DEF_STRING ("kvm_extra", FALSE),
  HV_PARAM_DEF_STRING ("machine_version", FALSE),
  HV_PARAM_DEF_STRING ("migration_caps", FALSE),
  { "kvm_pci_reservations", "x", FALSE,
    check_pci_reservations, HV_N_("The number of PCI slots managed by QEMU (max: 32)"),
    NULL, NULL, NULL },
  HV_PARAM_DEF_BOOLEAN ("vnet_hdr"),
};

G_STATIC_ASSERT (HV_KVM_PCI_SLOTS == 32);  /* the message above says so */

/* HVC_DEFAULTS[kvm], as GVariant text of each parameter's type, in the
 * table's order. Two differ from Ganeti on purpose: kernel_path is empty
 * (Ganeti's is a path its own build configures, /boot/vmlinuz-3-kvmU, that
 * nothing installs for hvkit; an empty one boots from the first disk), and
 * vhost_net stays off, as in Ganeti, because QEMU aborts without the
 * device. */
static const struct {
  const gchar *name;
  const gchar *text;
} hv_kvm_param_defaults[] = {
  { "kvm_path", "'/usr/bin/kvm'" },
  { "kernel_path", "''" },
  { "initrd_path", "''" },
  { "root_path", "'/dev/vda1'" },
  { "kernel_args", "'ro'" },
  { "acpi", "true" },
  { "serial_console", "true" },
  { "serial_speed", "38400" },
  { "vnc_bind_address", "''" },
  { "vnc_tls", "false" },
  { "vnc_x509_path", "''" },
  { "vnc_x509_verify", "false" },
  { "vnc_password_file", "''" },
  { "spice_bind", "''" },
  { "spice_ip_version", "0" },
  { "spice_password_file", "''" },
  { "spice_image_compression", "''" },
  { "spice_jpeg_wan_compression", "''" },
  { "spice_zlib_glz_wan_compression", "''" },
  { "spice_streaming_video", "''" },
  { "spice_playback_compression", "true" },
  { "spice_use_tls", "false" },
  { "spice_tls_ciphers", "'HIGH:-DES:-3DES:-EXPORT:-ADH'" },
  { "spice_use_vdagent", "true" },
  { "floppy_image_path", "''" },
  { "cdrom_image_path", "''" },
  { "cdrom2_image_path", "''" },
  { "boot_order", "'disk'" },
  { "nic_type", "'paravirtual'" },
  { "disk_type", "'paravirtual'" },
  { "scsi_controller_type", "'lsi'" },
  { "disk_discard", "'default'" },
  { "cdrom_disk_type", "''" },
  { "usb_mouse", "''" },
  { "keymap", "''" },
  { "migration_port", "8102" },
  { "migration_bandwidth", "32" },
  { "migration_downtime", "30" },
  { "migration_mode", "'live'" },
  { "use_guest_agent", "false" },
  { "use_localtime", "false" },
  { "disk_cache", "'default'" },
  { "disk_aio", "'threads'" },
  { "security_model", "'none'" },
  { "security_domain", "''" },
  { "kvm_flag", "''" },
  { "vhost_net", "false" },
  { "virtio_net_queues", "1" },
  { "use_chroot", "false" },
  { "user_shutdown", "false" },
  { "mem_path", "''" },
  { "reboot_behavior", "'reboot'" },
  { "cpu_mask", "'all'" },
  { "cpu_type", "''" },
  { "cpu_cores", "0" },
  { "cpu_threads", "0" },
  { "cpu_sockets", "0" },
  { "soundhw", "''" },
  { "usb_devices", "''" },
  { "vga", "''" },
  { "kvm_extra", "''" },
  { "machine_version", "''" },
  { "migration_caps", "''" },
  { "kvm_pci_reservations", "12" },
  { "vnet_hdr", "true" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (hv_kvm_param_defaults) == G_N_ELEMENTS (hv_kvm_param_defs));

/**
 * hv_kvm_params_get_defs:
 * @n_defs: (out): the number of rows
 *
 * The KVM parameter table.
 *
 * Returns: (transfer none) (array length=n_defs): the rows
 */
const HvParamDef *
hv_kvm_params_get_defs (gsize *n_defs)
{
  *n_defs = G_N_ELEMENTS (hv_kvm_param_defs);
  return hv_kvm_param_defs;
}

/**
 * hv_kvm_params_get_defaults:
 *
 * A complete set of KVM parameters with Ganeti's defaults: it passes the
 * syntax checks, so callers can change a few values and check the result.
 *
 * Returns: (transfer full): an `a{sv}`
 */
GVariant *
hv_kvm_params_get_defaults (void)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  for (gsize i = 0; i < G_N_ELEMENTS (hv_kvm_param_defs); i++)
    {
      const HvParamDef *def = &hv_kvm_param_defs[i];
      g_autoptr(GError) error = NULL;
      /* g_variant_parse's result is not floating: this reference is ours */
      g_autoptr(GVariant) value = NULL;

      /* The tables are fixed at build time and a test parses every entry:
       * a failure here is a programming error. */
      g_return_val_if_fail (g_str_equal (def->name, hv_kvm_param_defaults[i].name), NULL);
      value = g_variant_parse (G_VARIANT_TYPE (def->type), hv_kvm_param_defaults[i].text,
                               NULL, NULL, &error);
      g_return_val_if_fail (value != NULL, NULL);
      g_variant_builder_add (&builder, "{sv}", def->name, value);
    }

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* Lookups for the rules: they run after the table's checks, so every key
 * is there with its type; a missing one reads as unset. */
static const gchar *
lookup_string (GVariant    *hvparams,
               const gchar *key)
{
  const gchar *value = NULL;

  return g_variant_lookup (hvparams, key, "&s", &value) ? value : "";
}

static gboolean
lookup_boolean (GVariant    *hvparams,
                const gchar *key)
{
  gboolean value = FALSE;

  return g_variant_lookup (hvparams, key, "b", &value) && value;
}

static gint64
lookup_int (GVariant    *hvparams,
            const gchar *key)
{
  gint64 value = 0;

  return g_variant_lookup (hvparams, key, "x", &value) ? value : 0;
}

static gboolean G_GNUC_PRINTF (2, 3)
set_invalid (GError      **error,
             const gchar  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                                                format, args));
  va_end (args);
  return FALSE;
}

static gboolean
check_boot (GVariant  *hvparams,
            GError   **error)
{
  const gchar *kernel_path = lookup_string (hvparams, "kernel_path");
  const gchar *boot_order = lookup_string (hvparams, "boot_order");

  if (*kernel_path != '\0' && *lookup_string (hvparams, "root_path") == '\0')
    return set_invalid (error,
                        _("Parameter 'root_path' is required when 'kernel_path' is set: "
                          "the kernel '%s' needs a root partition"), kernel_path);

  if (g_str_equal (boot_order, "cdrom") && *lookup_string (hvparams, "cdrom_image_path") == '\0')
    return set_invalid (error,
                        _("Parameter 'boot_order' is 'cdrom', but 'cdrom_image_path' is empty: "
                          "cannot boot from a CD-ROM without an ISO image"));

  if (g_str_equal (boot_order, "network") &&
      g_str_equal (lookup_string (hvparams, "nic_type"), "paravirtual"))
    return set_invalid (error,
                        _("Parameter 'boot_order' is 'network', but 'nic_type' is 'paravirtual': "
                          "cannot boot from a paravirtual NIC, choose another NIC type"));

  return TRUE;
}

static gboolean
check_security (GVariant  *hvparams,
                GError   **error)
{
  const gchar *model = lookup_string (hvparams, "security_model");
  const gchar *domain = lookup_string (hvparams, "security_domain");

  if (g_str_equal (model, "user") && *domain == '\0')
    return set_invalid (error,
                        _("Parameter 'security_domain' is required when 'security_model' is "
                          "'user': it names the user QEMU runs as"));

  if ((g_str_equal (model, "none") || g_str_equal (model, "pool")) && *domain != '\0')
    return set_invalid (error,
                        _("Parameter 'security_domain' must be empty when 'security_model' is "
                          "'%s' (current value: '%s')"), model, domain);

  return TRUE;
}

static gboolean
check_console (GVariant  *hvparams,
               GError   **error)
{
  gint64 speed = lookup_int (hvparams, "serial_speed");
  g_autoptr(GString) speeds = NULL;

  if (!lookup_boolean (hvparams, "serial_console"))
    return TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (serial_speeds); i++)
    {
      if (serial_speeds[i] == speed)
        return TRUE;
    }

  speeds = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (serial_speeds); i++)
    g_string_append_printf (speeds, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "", serial_speeds[i]);

  return set_invalid (error,
                      _("Parameter 'serial_speed' is not a serial console speed: with "
                        "'serial_console' on it must be one of %s (current value: '%"
                        G_GINT64_FORMAT "')"), speeds->str, speed);
}

static gboolean
check_vnc (GVariant  *hvparams,
           GError   **error)
{
  if (lookup_boolean (hvparams, "vnc_x509_verify") &&
      *lookup_string (hvparams, "vnc_x509_path") == '\0')
    return set_invalid (error,
                        _("Parameter 'vnc_x509_path' is required when 'vnc_x509_verify' is on"));

  return TRUE;
}

/* The SPICE parameters that mean nothing without spice_bind: Ganeti's
 * _SPICE_ADDITIONAL_PARAMS. The others default to values that are not
 * unset (playback compression and the agent on, a cipher list), so they
 * are left out, as Ganeti does. */
static const gchar *const spice_dependent_params[] = {
  "spice_ip_version", "spice_password_file", "spice_image_compression",
  "spice_jpeg_wan_compression", "spice_zlib_glz_wan_compression",
  "spice_streaming_video", "spice_use_tls",
};

static gboolean
spice_param_is_set (GVariant    *hvparams,
                    const gchar *key)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (hvparams, key, NULL);

  if (value == NULL)
    return FALSE;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return *g_variant_get_string (value, NULL) != '\0';
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_get_boolean (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return g_variant_get_int64 (value) != 0;
  return TRUE;
}

static gboolean
check_spice_ip_family (const gchar  *bind,
                       gint64        version,
                       GError      **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (bind);
  gint64 family_version;

  if (address == NULL || version == 0)
    return TRUE;

  family_version = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? 6 : 4;
  if (family_version == version)
    return TRUE;

  return set_invalid (error,
                      _("Parameter 'spice_ip_version' is %" G_GINT64_FORMAT ", but 'spice_bind' "
                        "is the IPv%" G_GINT64_FORMAT " address '%s'"),
                      version, family_version, bind);
}

static gboolean
check_spice (GVariant  *hvparams,
             GError   **error)
{
  const gchar *bind = lookup_string (hvparams, "spice_bind");

  if (*bind == '\0')
    {
      for (gsize i = 0; i < G_N_ELEMENTS (spice_dependent_params); i++)
        {
          if (spice_param_is_set (hvparams, spice_dependent_params[i]))
            return set_invalid (error, _("Parameter '%s' needs 'spice_bind' to be set"),
                                spice_dependent_params[i]);
        }
      return TRUE;
    }

  /* Ganeti only finds this on the node; it needs nothing of the node. */
  if (*lookup_string (hvparams, "vnc_bind_address") != '\0')
    return set_invalid (error,
                        _("Parameters 'spice_bind' and 'vnc_bind_address' are both set: only one "
                          "of SPICE and VNC can be used at a time"));

  return check_spice_ip_family (bind, lookup_int (hvparams, "spice_ip_version"), error);
}

static gboolean
check_disk_cache (GVariant  *hvparams,
                  GError   **error)
{
  const gchar *cache = lookup_string (hvparams, "disk_cache");

  if (g_str_equal (lookup_string (hvparams, "disk_aio"), "native") && !g_str_equal (cache, "none"))
    return set_invalid (error,
                        _("Parameter 'disk_cache' must be 'none' when 'disk_aio' is 'native' "
                          "(current value: '%s')"), cache);

  return TRUE;
}

/**
 * hv_kvm_params_check_rules:
 * @hvparams: the parameters, an `a{sv}` that passed the table's syntax checks
 * @error: return location for a #GError
 *
 * The syntax rules that involve several parameters: Ganeti's
 * CheckParameterSyntax. They look at nothing but @hvparams.
 *
 * Returns: %TRUE if @hvparams passes, %FALSE with an
 *   %HV_ERROR_INVALID_PARAMETER naming the parameter otherwise
 */
gboolean
hv_kvm_params_check_rules (GVariant  *hvparams,
                           GError   **error)
{
  static gboolean (*const rules[]) (GVariant *, GError **) = {
    check_boot, check_security, check_console, check_vnc, check_spice, check_disk_cache,
  };

  g_return_val_if_fail (g_variant_is_of_type (hvparams, G_VARIANT_TYPE_VARDICT), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      if (!rules[i] (hvparams, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
user_exists (const gchar *name)
{
  g_autofree gchar *buffer = NULL;
  gsize size = 1024;
  struct passwd pwd, *result = NULL;
  int r;

  do
    {
      size *= 2;
      buffer = g_realloc (buffer, size);
      r = getpwnam_r (name, &pwd, buffer, size, &result);
    }
  while (r == ERANGE && size < 1024 * 1024);

  return r == 0 && result != NULL;
}

static gboolean
validate_security_domain (GVariant  *hvparams,
                          GError   **error)
{
  const gchar *domain = lookup_string (hvparams, "security_domain");

  if (!g_str_equal (lookup_string (hvparams, "security_model"), "user") || user_exists (domain))
    return TRUE;

  return set_invalid (error,
                      _("Parameter 'security_domain' names no user of this node "
                        "(current value: '%s')"), domain);
}

/* QEMU 7.2 aborts on vhost=on when it cannot open the device: refuse the
 * parameter instead. */
static gboolean
validate_vhost_net (GVariant     *hvparams,
                    const gchar  *vhost_net_device,
                    GError      **error)
{
  struct stat st;

  if (!lookup_boolean (hvparams, "vhost_net"))
    return TRUE;

  if (stat (vhost_net_device, &st) != 0)
    {
      int errsv = errno;

      return set_invalid (error,
                          _("Parameter 'vhost_net' is on, but this node has no vhost-net "
                            "device: '%s': %s"), vhost_net_device, g_strerror (errsv));
    }
  if (!S_ISCHR (st.st_mode))
    return set_invalid (error,
                        _("Parameter 'vhost_net' is on, but this node has no vhost-net "
                          "device: '%s' is not a character device"), vhost_net_device);

  return TRUE;
}

/**
 * hv_kvm_params_validate_rules:
 * @hvparams: the parameters, an `a{sv}` that passed the syntax checks
 * @vhost_net_device: (nullable): the vhost-net device to look for, or
 *   %NULL for %HV_KVM_DEFAULT_VHOST_NET_DEVICE
 * @error: return location for a #GError
 *
 * The rules that involve several parameters and this node: Ganeti's
 * ValidateParameters (the security domain is a user of the node) and
 * hvkit's own (vhost_net needs the vhost-net device).
 *
 * Returns: %TRUE if @hvparams passes, %FALSE with an
 *   %HV_ERROR_INVALID_PARAMETER naming the parameter otherwise
 */
gboolean
hv_kvm_params_validate_rules (GVariant     *hvparams,
                              const gchar  *vhost_net_device,
                              GError      **error)
{
  g_return_val_if_fail (g_variant_is_of_type (hvparams, G_VARIANT_TYPE_VARDICT), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (vhost_net_device == NULL)
    vhost_net_device = HV_KVM_DEFAULT_VHOST_NET_DEVICE;

  return validate_security_domain (hvparams, error) &&
         validate_vhost_net (hvparams, vhost_net_device, error);
}
