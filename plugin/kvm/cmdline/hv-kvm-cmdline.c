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
 * The skeleton of the command line: process, machine, memory, CPUs,
 * sockets, and the order in which the other files add theirs. Nothing here
 * reads a file or asks QEMU anything; what it needs to know comes in the
 * config.
 */

/* The hvparams the command line reads, with the type each must have. A
 * missing key means its default (Ganeti's, except kernel_path: a library
 * has no business guessing a kernel's path). */
static const struct {
  const gchar *key;
  const gchar *type;
} param_types[] = {
  { "acpi", "b" }, { "boot_order", "s" }, { "cdrom2_image_path", "s" },
  { "cdrom_disk_type", "s" }, { "cdrom_image_path", "s" }, { "cpu_cores", "x" },
  { "cpu_sockets", "x" }, { "cpu_threads", "x" }, { "cpu_type", "s" },
  { "disk_aio", "s" }, { "disk_cache", "s" }, { "disk_discard", "s" },
  { "disk_type", "s" }, { "floppy_image_path", "s" }, { "initrd_path", "s" },
  { "kernel_args", "s" }, { "kernel_path", "s" }, { "keymap", "s" },
  { "kvm_extra", "s" }, { "kvm_flag", "s" }, { "kvm_path", "s" },
  { "machine_version", "s" }, { "mem_path", "s" }, { "nic_type", "s" },
  { "reboot_behavior", "s" }, { "root_path", "s" }, { "scsi_controller_type", "s" },
  { "security_domain", "s" }, { "security_model", "s" }, { "serial_console", "b" },
  { "serial_speed", "x" }, { "soundhw", "s" }, { "spice_bind", "s" },
  { "spice_image_compression", "s" }, { "spice_ip_version", "x" },
  { "spice_jpeg_wan_compression", "s" }, { "spice_password_file", "s" },
  { "spice_playback_compression", "b" }, { "spice_streaming_video", "s" },
  { "spice_tls_ciphers", "s" }, { "spice_use_tls", "b" }, { "spice_use_vdagent", "b" },
  { "spice_zlib_glz_wan_compression", "s" }, { "usb_devices", "s" },
  { "usb_mouse", "s" }, { "use_chroot", "b" }, { "use_localtime", "b" },
  { "vga", "s" }, { "vhost_net", "b" }, { "virtio_net_queues", "x" },
  { "vnc_bind_address", "s" }, { "vnc_password_file", "s" }, { "vnc_tls", "b" },
  { "vnc_x509_path", "s" }, { "vnc_x509_verify", "b" },
};

static gboolean
variant_is_integer (GVariant *value)
{
  return g_variant_is_of_type (value, G_VARIANT_TYPE_INT64) ||
         g_variant_is_of_type (value, G_VARIANT_TYPE_INT32) ||
         g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32) ||
         g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64);
}

/* Refuses a known key of another type, before anything is built, so that
 * the getters below can fall back silently only for missing keys. */
gboolean
hv_kvm_cmdline_check_types (GVariant  *hvparams,
                            GError   **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (param_types); i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (hvparams, param_types[i].key, NULL);
      gboolean ok;

      if (value == NULL)
        continue;
      if (g_str_equal (param_types[i].type, "x"))
        ok = variant_is_integer (value);
      else
        ok = g_variant_is_of_type (value, G_VARIANT_TYPE (param_types[i].type));
      if (!ok)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Parameter '%s' has type '%s', expected '%s'"),
                       param_types[i].key, g_variant_get_type_string (value),
                       param_types[i].type);
          return FALSE;
        }
    }
  return TRUE;
}

void
hv_kvm_cmdline_clear (HvKvmCmdline *self)
{
  g_clear_pointer (&self->index, g_hash_table_unref);
}

/* A lookup in a serialized a{sv} walks its entries and makes a new child
 * for each one it passes; a command line asks for some hundred values of
 * 65, so they are indexed once (a tenth of the time of a start went to
 * lookups). */
static GVariant *
hv_kvm_cmdline_lookup (HvKvmCmdline *self,
                       const gchar  *key)
{
  if (self->index == NULL)
    {
      GVariantIter iter;
      const gchar *name;
      GVariant *value;

      self->index = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) g_variant_unref);
      g_variant_iter_init (&iter, self->hvparams);
      /* the names point into hvparams, which outlives the index */
      while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
        {
          /* the first of two equal keys, as g_variant_lookup() finds */
          if (g_hash_table_contains (self->index, name))
            g_variant_unref (value);
          else
            g_hash_table_insert (self->index, (gpointer) name, value);
        }
    }
  return g_hash_table_lookup (self->index, key);
}

const gchar *
hv_kvm_cmdline_param_string (HvKvmCmdline *self,
                             const gchar  *key,
                             const gchar  *fallback)
{
  GVariant *value = hv_kvm_cmdline_lookup (self, key);

  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_get_string (value, NULL);
  return fallback;
}

gboolean
hv_kvm_cmdline_param_is (HvKvmCmdline *self,
                         const gchar  *key,
                         const gchar  *fallback,
                         const gchar  *value)
{
  return g_strcmp0 (hv_kvm_cmdline_param_string (self, key, fallback), value) == 0;
}

gboolean
hv_kvm_cmdline_param_bool (HvKvmCmdline *self,
                           const gchar  *key,
                           gboolean      fallback)
{
  GVariant *value = hv_kvm_cmdline_lookup (self, key);

  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_get_boolean (value);
  return fallback;
}

gint64
hv_kvm_cmdline_param_int (HvKvmCmdline *self,
                          const gchar  *key,
                          gint64        fallback)
{
  GVariant *value = hv_kvm_cmdline_lookup (self, key);

  if (value == NULL)
    return fallback;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return g_variant_get_int64 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    return g_variant_get_int32 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    return (gint64) MIN (g_variant_get_uint64 (value), (guint64) G_MAXINT64);
  return fallback;
}

void
hv_kvm_cmdline_add (HvKvmCmdline *self,
                    const gchar  *option,
                    const gchar  *value)
{
  g_ptr_array_add (self->argv, g_strdup (option));
  if (value != NULL)
    g_ptr_array_add (self->argv, g_strdup (value));
}

void
hv_kvm_cmdline_add_printf (HvKvmCmdline *self,
                           const gchar  *option,
                           const gchar  *format,
                           ...)
{
  va_list args;

  g_ptr_array_add (self->argv, g_strdup (option));
  va_start (args, format);
  g_ptr_array_add (self->argv, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Commas separate QEMU's sub-options; one inside a value is doubled. */
gchar *
hv_kvm_cmdline_escape (const gchar *value)
{
  g_auto(GStrv) parts = g_strsplit (value, ",", -1);

  return g_strjoinv (",,", parts);
}

/* QEMU reads addr as hex: "0x5", never "5" (which would be 0x5 by luck
 * and 0x10 would be refused as "10"). */
gchar *
hv_kvm_cmdline_pci_address (gint slot)
{
  return g_strdup_printf ("bus=pci.0,addr=0x%x", (guint) slot);
}

/* Refuses a parameter whose device the binary lacks, naming both, rather
 * than letting QEMU exit with its own words after the taps are open. */
gboolean
hv_kvm_cmdline_require_device (HvKvmCmdline  *self,
                               const gchar   *device,
                               const gchar   *parameter,
                               const gchar   *value,
                               GError       **error)
{
  if (hv_kvm_capabilities_has_device (self->config->capabilities, device))
    return TRUE;

  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
               _("Parameter '%s' is '%s', but this QEMU has no device '%s'"),
               parameter, value, device);
  return FALSE;
}

static const gchar *
cmdline_qemu_path (HvKvmCmdline  *self,
                   GError       **error)
{
  const gchar *path = hv_kvm_cmdline_param_string (self, "kvm_path", "");

  if (*path == '\0')
    path = self->config->default_qemu_path;
  if (path == NULL || *path == '\0')
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                           _("Parameter 'kvm_path' is empty and there is no default QEMU"));
      return NULL;
    }
  return path;
}

/* The machine type, concrete: "pc" on the command line would become
 * another machine after a QEMU upgrade, under a running guest's record. */
static gboolean
cmdline_add_machine (HvKvmCmdline  *self,
                     GError       **error)
{
  HvKvmCapabilities *capabilities = self->config->capabilities;
  const gchar *version = hv_kvm_cmdline_param_string (self, "machine_version", "");
  const gchar *kvm_flag = hv_kvm_cmdline_param_string (self, "kvm_flag", "");
  const gchar *accel = self->config->accel;
  const gchar *machine;
  g_autoptr(GString) spec = NULL;

  if (*version != '\0')
    machine = hv_kvm_capabilities_resolve_machine (capabilities, version);
  else
    machine = hv_kvm_capabilities_get_default_machine (capabilities);
  if (machine == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter 'machine_version' is '%s', a machine QEMU %s does not have"),
                   version, hv_kvm_capabilities_get_version_string (capabilities));
      return FALSE;
    }

  /* the PCI layout (slots 0-2 QEMU's, devices on pci.0) is i440fx's; q35
   * has pcie.0 and other fixed slots, and Ganeti does not support it
   * either */
  if (!g_str_has_prefix (machine, "pc-i440fx-"))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter 'machine_version' is '%s' (%s); only i440fx machines"
                     " (pc, pc-i440fx-*) are supported"), version, machine);
      return FALSE;
    }

  /* Ganeti: enabled → kvm, disabled → no KVM, empty → QEMU's choice */
  if (accel == NULL && g_str_equal (kvm_flag, "enabled"))
    accel = "kvm";
  else if (accel == NULL && g_str_equal (kvm_flag, "disabled"))
    accel = "tcg";

  spec = g_string_new (machine);
  if (accel != NULL)
    g_string_append_printf (spec, ",accel=%s", accel);
  if (!hv_kvm_cmdline_param_bool (self, "acpi", TRUE))
    g_string_append (spec, ",acpi=off");
  hv_kvm_cmdline_append_machine_sound (self, spec);
  hv_kvm_cmdline_add (self, "-machine", spec->str);
  return TRUE;
}

static gboolean
cmdline_add_resources (HvKvmCmdline  *self,
                       GError       **error)
{
  GVariant *beparams = hv_instance_get_beparams (self->instance);
  const gchar *cpu_type = hv_kvm_cmdline_param_string (self, "cpu_type", "");
  const gchar *mem_path = hv_kvm_cmdline_param_string (self, "mem_path", "");
  static const gchar * const topology[] = { "cores", "threads", "sockets" };
  g_autoptr(GString) smp = NULL;
  gint64 memory = 0;
  gint64 vcpus = 1;

  if (!g_variant_lookup (beparams, "maxmem", "x", &memory) &&
      !g_variant_lookup (beparams, "memory", "x", &memory))
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                           _("Parameter 'maxmem' (or 'memory') is missing from the beparams"));
      return FALSE;
    }
  g_variant_lookup (beparams, "vcpus", "x", &vcpus);
  if (memory <= 0 || vcpus <= 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Memory (%lld MiB) and vCPUs (%lld) must be positive"),
                   (long long) memory, (long long) vcpus);
      return FALSE;
    }

  /* QEMU boots with all of maxmem; the lifecycle balloons down to memory */
  hv_kvm_cmdline_add_printf (self, "-m", "%" G_GINT64_FORMAT, memory);

  smp = g_string_new (NULL);
  g_string_printf (smp, "%" G_GINT64_FORMAT, vcpus);
  for (gsize i = 0; i < G_N_ELEMENTS (topology); i++)
    {
      g_autofree gchar *key = g_strdup_printf ("cpu_%s", topology[i]);
      gint64 count = hv_kvm_cmdline_param_int (self, key, 0);

      if (count > 0)
        g_string_append_printf (smp, ",%s=%" G_GINT64_FORMAT, topology[i], count);
    }
  hv_kvm_cmdline_add (self, "-smp", smp->str);

  if (*cpu_type != '\0')
    hv_kvm_cmdline_add (self, "-cpu", cpu_type);
  if (*mem_path != '\0')
    {
      hv_kvm_cmdline_add (self, "-mem-path", mem_path);
      hv_kvm_cmdline_add (self, "-mem-prealloc", NULL);
    }
  return TRUE;
}

/* pidfile, monitors and the daemon: the same paths the lifecycle and the
 * console look at, all under the run dir. */
void
hv_kvm_cmdline_add_process_options (GPtrArray   *argv,
                                    const gchar *run_dir,
                                    const gchar *name)
{
  g_autofree gchar *socket_dir = hv_kvm_cmdline_escape (run_dir);

  g_ptr_array_add (argv, g_strdup ("-pidfile"));
  g_ptr_array_add (argv, g_strdup_printf ("%s/%s.pid", run_dir, name));
  g_ptr_array_add (argv, g_strdup ("-daemonize"));
  g_ptr_array_add (argv, g_strdup ("-qmp"));
  g_ptr_array_add (argv, g_strdup_printf ("unix:%s/%s.qmp,server=on,wait=off", socket_dir, name));
  g_ptr_array_add (argv, g_strdup ("-monitor"));
  g_ptr_array_add (argv, g_strdup_printf ("unix:%s/%s.monitor,server=on,wait=off", socket_dir, name));
}

static void
cmdline_add_process (HvKvmCmdline *self)
{
  hv_kvm_cmdline_add_process_options (self->argv, self->config->run_dir,
                                      hv_instance_get_name (self->instance));
}

static void
cmdline_add_behaviour (HvKvmCmdline *self)
{
  const gchar *keymap = hv_kvm_cmdline_param_string (self, "keymap", "");

  if (hv_kvm_cmdline_param_bool (self, "use_localtime", FALSE))
    hv_kvm_cmdline_add (self, "-rtc", "base=localtime");
  if (hv_kvm_cmdline_param_is (self, "reboot_behavior", "reboot", "exit"))
    hv_kvm_cmdline_add (self, "-no-reboot", NULL);
  /* QEMU 7.2's keymaps are complete; Ganeti's "include en-us" file was a
   * workaround for the partial ones of 2008 */
  if (*keymap != '\0')
    hv_kvm_cmdline_add (self, "-k", keymap);
}

/* Where QEMU chroots: in the base, so that a restart keeps it. Its form
 * is the binary's; hv_kvm_cmdline_build() rewrites it for another one. */
static void
cmdline_add_chroot (HvKvmCmdline *self)
{
  g_autofree gchar *chroot_dir = NULL;
  g_autofree gchar *escaped = NULL;

  if (!hv_kvm_cmdline_param_bool (self, "use_chroot", FALSE))
    return;

  chroot_dir = self->config->chroot_dir != NULL ?
    g_strdup (self->config->chroot_dir) :
    g_build_filename (self->config->run_dir, "chroot",
                      hv_instance_get_name (self->instance), NULL);
  if (!hv_kvm_capabilities_has_command_line_option (self->config->capabilities,
                                                    "run-with", "chroot"))
    {
      hv_kvm_cmdline_add (self, "-chroot", chroot_dir);
      return;
    }
  escaped = hv_kvm_cmdline_escape (chroot_dir);
  hv_kvm_cmdline_add_printf (self, "-run-with", "chroot=%s", escaped);
}

/* The balloon: always there, so that memory can be taken back at start. */
static void
cmdline_add_balloon (HvKvmCmdline *self)
{
  g_autofree gchar *address = NULL;

  if (self->config->slots.balloon < 0)
    {
      hv_kvm_cmdline_add (self, "-device", "virtio-balloon-pci,id=balloon");
      return;
    }
  address = hv_kvm_cmdline_pci_address (self->config->slots.balloon);
  hv_kvm_cmdline_add_printf (self, "-device", "virtio-balloon-pci,id=balloon,%s", address);
}

static gboolean
cmdline_check_config (const HvKvmCmdlineConfig  *config,
                      GError                   **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (config->run_dir != NULL, FALSE);
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (config->capabilities), FALSE);
  return TRUE;
}

/**
 * hv_kvm_cmdline_build_base:
 * @instance: the instance, with the hvparams and beparams it starts with
 * @config: run dir, capabilities, slots of the fixed devices…
 * @error: return location for a #GError
 *
 * Makes the part of the command line that the runtime record keeps: all of
 * it except the disks, the NICs, kvm_extra and what belongs to one
 * execution (see hv_kvm_cmdline_build()). The sound card, the SCSI
 * controller, the balloon and the SPICE agent take the slots
 * @config gives; the PCI layout is decided by the caller, and with
 * `-nodefaults` QEMU adds nothing of its own beyond slots 0 and 1.
 *
 * Returns: (transfer full): the base, argv[0] being QEMU; or %NULL with
 *   %HV_ERROR_INVALID_PARAMETER naming the parameter that cannot be made
 *   into options
 */
GStrv
hv_kvm_cmdline_build_base (HvInstance                *instance,
                           const HvKvmCmdlineConfig  *config,
                           GError                   **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(HvKvmCmdline) self = { argv, NULL, config, instance, NULL };
  const gchar *qemu_path;
  const gchar *uuid;

  g_return_val_if_fail (HV_IS_INSTANCE (instance), NULL);
  if (!cmdline_check_config (config, error))
    return NULL;

  self.hvparams = hv_instance_get_hvparams (instance);
  if (!hv_kvm_cmdline_check_types (self.hvparams, error) ||
      (qemu_path = cmdline_qemu_path (&self, error)) == NULL)
    return NULL;

  g_ptr_array_add (argv, g_strdup (qemu_path));
  hv_kvm_cmdline_add (&self, "-name", hv_instance_get_name (instance));
  uuid = hv_instance_get_uuid (instance);
  if (uuid != NULL && *uuid != '\0')
    {
      if (!g_uuid_string_is_valid (uuid))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Instance uuid '%s' is not a UUID"), uuid);
          return NULL;
        }
      hv_kvm_cmdline_add (&self, "-uuid", uuid);
    }
  if (!cmdline_add_machine (&self, error))
    return NULL;
  hv_kvm_cmdline_add (&self, "-nodefaults", NULL);

  if (!cmdline_add_resources (&self, error))
    return NULL;
  cmdline_add_process (&self);
  cmdline_add_behaviour (&self);

  /* devices in the order of their slots: sound → SCSI → balloon → SPICE */
  if (!hv_kvm_cmdline_add_console (&self, error) ||
      !hv_kvm_cmdline_add_display (&self, error) ||
      !hv_kvm_cmdline_add_sound (&self, error) ||
      !hv_kvm_cmdline_add_scsi_controller (&self, error))
    return NULL;
  cmdline_add_balloon (&self);
  hv_kvm_cmdline_add_spice_agent (&self);
  hv_kvm_cmdline_add_usb (&self);
  if (!hv_kvm_cmdline_add_boot_media (&self, error))
    return NULL;
  cmdline_add_chroot (&self);

  g_ptr_array_add (argv, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}

/* The chroot of the base and the user to run as, in the form the binary
 * has: QEMU 9 folded -chroot, and 9.1 -runas, into -run-with (and 10.0
 * refuses the old ones); 7.2 has no -run-with. Decided per parameter from
 * query-command-line-options, never from the version. */
static gboolean
cmdline_add_process_security (HvKvmCmdline  *self,
                              const gchar   *chroot_dir,
                              GError       **error)
{
  HvKvmCapabilities *capabilities = self->config->capabilities;
  const gchar *model = hv_kvm_cmdline_param_string (self, "security_model", "none");
  const gchar *user = NULL;
  g_autoptr(GString) run_with = g_string_new (NULL);

  if (g_str_equal (model, "user"))
    user = hv_kvm_cmdline_param_string (self, "security_domain", "");
  else if (g_str_equal (model, "pool"))
    user = self->config->runas_user;

  if (user != NULL && *user == '\0')
    user = NULL;
  if (user == NULL && (g_str_equal (model, "user") || g_str_equal (model, "pool")))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   g_str_equal (model, "user") ?
                   _("Parameter 'security_model' is '%s' but 'security_domain' is empty") :
                   _("Parameter 'security_model' is '%s' but no user was taken from the uid pool"),
                   model);
      return FALSE;
    }

  if (chroot_dir != NULL)
    {
      if (hv_kvm_capabilities_has_command_line_option (capabilities, "run-with", "chroot"))
        {
          g_autofree gchar *escaped = hv_kvm_cmdline_escape (chroot_dir);

          g_string_append_printf (run_with, "chroot=%s", escaped);
        }
      else
        hv_kvm_cmdline_add (self, "-chroot", chroot_dir);
    }
  if (user != NULL)
    {
      if (hv_kvm_capabilities_has_command_line_option (capabilities, "run-with", "user"))
        {
          g_autofree gchar *escaped = hv_kvm_cmdline_escape (user);

          g_string_append_printf (run_with, "%suser=%s", run_with->len > 0 ? "," : "",
                                  escaped);
        }
      else
        hv_kvm_cmdline_add (self, "-runas", user);
    }
  if (run_with->len > 0)
    hv_kvm_cmdline_add (self, "-run-with", run_with->str);
  return TRUE;
}

static gboolean
cmdline_add_extra (HvKvmCmdline  *self,
                   GError       **error)
{
  g_auto(GStrv) extra = NULL;
  g_autoptr(GError) local_error = NULL;

  extra = hv_kvm_cmdline_split_extra (hv_kvm_cmdline_param_string (self, "kvm_extra", ""),
                                      &local_error);
  if (extra == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter 'kvm_extra' cannot be split: %s"), local_error->message);
      return FALSE;
    }
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (self->argv, g_strdup (extra[i]));
  return TRUE;
}

/**
 * hv_kvm_cmdline_build:
 * @base: a base from hv_kvm_cmdline_build_base(), fresh or from a record
 * @hvparams: the a{sv} hvparams the instance started with
 * @config: the disks and NICs with their slots, ids and tap fds; the pool
 *   user; `-incoming` for a migration target
 * @error: return location for a #GError
 *
 * Makes the command line of one execution: @base (its machine resolved to
 * a concrete type of this QEMU, see hv_kvm_cmdline_pin_base_machine()),
 * the chroot and the user to run as in the form this QEMU takes
 * (`-chroot`/`-runas` or `-run-with`, whichever form @base has the chroot
 * in), the disks,
 * the NICs, kvm_extra, then `-incoming` or `-S`. The same call serves a
 * first start, a restart from a saved record and a migration target:
 * devices keep the slots and ids they are given, so a device hot-plugged
 * on the source is where the migration stream expects it. kvm_extra comes
 * after the devices: a device it adds without an address takes a slot
 * left free, never one decided here.
 *
 * Without `-incoming`, QEMU starts paused (`-S`); the lifecycle pins the
 * vCPUs, balloons and sets passwords before `cont`. A migration target
 * runs when the migration completes, as in Ganeti.
 *
 * Returns: (transfer full): the argv, or %NULL with
 *   %HV_ERROR_INVALID_PARAMETER, also when @base runs a machine type this
 *   QEMU does not have
 */
GStrv
hv_kvm_cmdline_build (const gchar * const       *base,
                      GVariant                  *hvparams,
                      const HvKvmCmdlineConfig  *config,
                      GError                   **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(HvKvmCmdline) self = { argv, hvparams, config, NULL, NULL };
  g_autofree gchar *chroot_dir = NULL;

  g_return_val_if_fail (base != NULL && base[0] != NULL, NULL);
  g_return_val_if_fail (hvparams != NULL &&
                        g_variant_is_of_type (hvparams, G_VARIANT_TYPE_VARDICT), NULL);
  if (!cmdline_check_config (config, error) ||
      !hv_kvm_cmdline_check_types (hvparams, error))
    return NULL;

  if (!hv_kvm_cmdline_take_base (&self, base, &chroot_dir, error) ||
      !cmdline_add_process_security (&self, chroot_dir, error) ||
      !hv_kvm_cmdline_add_disks (&self, error) ||
      !hv_kvm_cmdline_add_nics (&self, error) ||
      !cmdline_add_extra (&self, error))
    return NULL;

  if (config->incoming != NULL)
    hv_kvm_cmdline_add (&self, "-incoming", config->incoming);
  else
    hv_kvm_cmdline_add (&self, "-S", NULL);

  g_ptr_array_add (argv, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}

/**
 * hv_kvm_cmdline_split_extra:
 * @extra: the kvm_extra parameter
 * @error: return location for a #GError
 *
 * Splits @extra into arguments as Python's `shlex.split()` does (POSIX
 * rules, no comments), which is what Ganeti has done since 3.0: blanks
 * separate words; single quotes keep everything; double quotes keep
 * everything but `\"` and `\\`; a backslash outside quotes keeps the next
 * character; `''` is an empty argument. Unlike g_shell_parse_argv(), `#`
 * starts no comment and an empty string is no error. Nothing is expanded:
 * there is no shell.
 *
 * Returns: (transfer full): the arguments (empty for an empty @extra), or
 *   %NULL with %G_SHELL_ERROR_BAD_QUOTING for an unclosed quote or a
 *   trailing backslash
 */
GStrv
hv_kvm_cmdline_split_extra (const gchar  *extra,
                            GError      **error)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) word = g_string_new (NULL);
  gboolean in_word = FALSE;
  gchar quote = '\0';

  g_return_val_if_fail (extra != NULL, NULL);

  for (const gchar *p = extra; *p != '\0'; p++)
    {
      if (quote == '\'')
        {
          if (*p == '\'')
            quote = '\0';
          else
            g_string_append_c (word, *p);
        }
      else if (quote == '"')
        {
          if (*p == '"')
            quote = '\0';
          else if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
            g_string_append_c (word, *++p);
          else if (*p == '\\' && p[1] == '\0')
            quote = '\\';
          else
            g_string_append_c (word, *p);
        }
      else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        {
          if (in_word)
            g_ptr_array_add (words, g_strdup (word->str));
          g_string_truncate (word, 0);
          in_word = FALSE;
        }
      else
        {
          in_word = TRUE;
          if (*p == '\'' || *p == '"')
            quote = *p;
          else if (*p == '\\' && p[1] == '\0')
            {
              g_set_error_literal (error, G_SHELL_ERROR, G_SHELL_ERROR_BAD_QUOTING,
                                   _("No escaped character"));
              return NULL;
            }
          else if (*p == '\\')
            g_string_append_c (word, *++p);
          else
            g_string_append_c (word, *p);
        }
    }

  if (quote != '\0')
    {
      g_set_error_literal (error, G_SHELL_ERROR, G_SHELL_ERROR_BAD_QUOTING,
                           quote == '\\' ? _("No escaped character") : _("No closing quotation"));
      return NULL;
    }
  if (in_word)
    g_ptr_array_add (words, g_strdup (word->str));
  g_ptr_array_add (words, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&words), FALSE);
}
