/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "hv-kvm-params.h"

/* The parameters of Ganeti 3.x's KVM hypervisor, as the reference lists them
 * (feature-map §1.7): the table must have exactly these. */
static const gchar *const ganeti_kvm_parameters[] = {
  "acpi", "boot_order", "cdrom2_image_path", "cdrom_disk_type", "cdrom_image_path",
  "cpu_cores", "cpu_mask", "cpu_sockets", "cpu_threads", "cpu_type", "disk_aio",
  "disk_cache", "disk_discard", "disk_type", "floppy_image_path", "initrd_path",
  "kernel_args", "kernel_path", "keymap", "kvm_extra", "kvm_flag", "kvm_path",
  "kvm_pci_reservations", "machine_version", "mem_path", "migration_bandwidth",
  "migration_caps", "migration_downtime", "migration_mode", "migration_port", "nic_type",
  "reboot_behavior", "root_path", "scsi_controller_type", "security_domain",
  "security_model", "serial_console", "serial_speed", "soundhw", "spice_bind",
  "spice_image_compression", "spice_ip_version", "spice_jpeg_wan_compression",
  "spice_password_file", "spice_playback_compression", "spice_streaming_video",
  "spice_tls_ciphers", "spice_use_tls", "spice_use_vdagent",
  "spice_zlib_glz_wan_compression", "usb_devices", "usb_mouse", "use_chroot",
  "use_guest_agent", "use_localtime", "user_shutdown", "vga", "vhost_net",
  "virtio_net_queues", "vnc_bind_address", "vnc_password_file", "vnc_tls",
  "vnc_x509_path", "vnc_x509_verify", "vnet_hdr",
};

typedef struct {
  GPtrArray *specs;
  GVariant  *defaults;
  gchar     *dir;
  gchar     *regular_file;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const HvParamDef *defs;
  gsize n_defs;

  defs = hv_kvm_params_get_defs (&n_defs);
  fixture->specs = hv_param_specs_new_from_defs (defs, n_defs);
  g_assert_nonnull (fixture->specs);
  fixture->defaults = hv_kvm_params_get_defaults ();
  g_assert_nonnull (fixture->defaults);

  fixture->dir = g_dir_make_tmp ("hvkit-kvm-params-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->regular_file = g_build_filename (fixture->dir, "vhost-net", NULL);
  g_file_set_contents (fixture->regular_file, "", 0, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_cmpint (g_unlink (fixture->regular_file), ==, 0);
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->regular_file);
  g_free (fixture->dir);
  g_variant_unref (fixture->defaults);
  g_ptr_array_unref (fixture->specs);
}

/* The defaults with some values replaced: pairs of a name and the GVariant
 * text of its value, parsed with the type of the parameter's row. */
static GVariant *
params_with_valist (Fixture     *fixture,
                    const gchar *first_name,
                    va_list      args)
{
  g_autoptr(GHashTable) changes = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  GVariantIter iter;
  const gchar *name;
  GVariant *value;

  for (name = first_name; name != NULL; name = va_arg (args, const gchar *))
    g_hash_table_insert (changes, (gpointer) name, va_arg (args, gchar *));

  g_variant_iter_init (&iter, fixture->defaults);
  while (g_variant_iter_loop (&iter, "{&sv}", &name, &value))
    {
      const gchar *text = g_hash_table_lookup (changes, name);
      g_autoptr(GError) error = NULL;

      if (text == NULL)
        {
          g_variant_builder_add (&builder, "{sv}", name, value);
          continue;
        }
      g_variant_builder_add (&builder, "{sv}", name,
                             g_variant_parse (g_variant_get_type (value), text, NULL, NULL,
                                              &error));
      g_assert_no_error (error);
    }

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static GVariant * G_GNUC_NULL_TERMINATED
params_with (Fixture     *fixture,
             const gchar *first_name,
             ...)
{
  GVariant *params;
  va_list args;

  va_start (args, first_name);
  params = params_with_valist (fixture, first_name, args);
  va_end (args);
  return params;
}

/* What HvKvm does for CheckParameterSyntax: the table, then the rules. */
static gboolean
check_syntax (Fixture   *fixture,
              GVariant  *params,
              GError   **error)
{
  return hv_param_specs_check_syntax (fixture->specs, params, error) &&
         hv_kvm_params_check_rules (params, error);
}

static gboolean
validate (Fixture      *fixture,
          GVariant     *params,
          const gchar  *vhost_net_device,
          GError      **error)
{
  return check_syntax (fixture, params, error) &&
         hv_param_specs_validate (fixture->specs, params, error) &&
         hv_kvm_params_validate_rules (params, vhost_net_device, error);
}

static void
assert_refused (GError      *error,
                const gchar *parameter)
{
  g_autofree gchar *quoted = g_strdup_printf ("'%s'", parameter);

  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  if (strstr (error->message, quoted) == NULL)
    g_error ("the message does not name %s: %s", quoted, error->message);
  g_test_message ("%s", error->message);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

static void
test_names (void)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const HvParamDef *defs;
  gsize n_defs;

  defs = hv_kvm_params_get_defs (&n_defs);
  for (gsize i = 0; i < n_defs; i++)
    g_ptr_array_add (names, (gpointer) defs[i].name);
  g_ptr_array_sort (names, compare_names);

  g_assert_cmpuint (n_defs, ==, 65);
  g_assert_cmpuint (names->len, ==, G_N_ELEMENTS (ganeti_kvm_parameters));
  for (guint i = 0; i < names->len; i++)
    g_assert_cmpstr (g_ptr_array_index (names, i), ==, ganeti_kvm_parameters[i]);
}

static void
test_defaults (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const HvParamDef *defs;
  gsize n_defs;

  defs = hv_kvm_params_get_defs (&n_defs);
  g_assert_cmpuint (g_variant_n_children (fixture->defaults), ==, n_defs);
  for (gsize i = 0; i < n_defs; i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (fixture->defaults, defs[i].name, NULL);

      g_assert_nonnull (value);
      g_assert_cmpstr (g_variant_get_type_string (value), ==, defs[i].type);
    }

  g_assert_true (check_syntax (fixture, fixture->defaults, &error));
  g_assert_no_error (error);
  g_assert_false (g_variant_is_floating (fixture->defaults));
}

/* Every row with a syntax check, with a value it takes and one it refuses. */
static const struct {
  const gchar *name;
  const gchar *good;
  const gchar *bad;
} table_cases[] = {
  { "kvm_path", "'/usr/bin/qemu-system-x86_64'", "'usr/bin/kvm'" },
  { "kvm_path", "'/usr/bin/kvm'", "''" },  /* required */
  { "kernel_path", "'/boot/vmlinuz'", "'/boot/../vmlinuz'" },
  { "initrd_path", "'/boot/initrd.img'", "'initrd.img'" },
  { "vnc_bind_address", "'127.0.0.1'", "'eth 0'" },
  { "vnc_bind_address", "'::1'", "'../vnc'" },
  { "vnc_bind_address", "'/run/hvkit/vnc.sock'", "'an-interface-name-too-long'" },
  { "vnc_bind_address", "'br0'", "'eth0:1'" },
  { "vnc_x509_path", "'/etc/hvkit/x509'", "'x509'" },
  { "vnc_password_file", "'/etc/hvkit/vnc-password'", "'/etc//vnc'" },
  { "spice_bind", "'0.0.0.0'", "'/run/spice.sock'" },
  { "spice_bind", "'fe80::1'", "'not an interface'" },
  { "spice_ip_version", "4", "5" },
  { "spice_ip_version", "6", "-4" },
  { "spice_password_file", "'/etc/hvkit/spice-password'", "'spice-password'" },
  { "spice_image_compression", "'auto_glz'", "'zip'" },
  { "spice_jpeg_wan_compression", "'never'", "'sometimes'" },
  { "spice_zlib_glz_wan_compression", "'always'", "'often'" },
  { "spice_streaming_video", "'filter'", "'on'" },
  { "floppy_image_path", "'/srv/floppy.img'", "'floppy.img'" },
  { "cdrom_image_path", "'https://example.org/debian.iso'", "'example.org/debian.iso'" },
  { "cdrom2_image_path", "'/srv/drivers.iso'", "'file:///srv/drivers.iso'" },
  { "boot_order", "'network'", "'usb'" },
  { "boot_order", "'floppy'", "''" },  /* required */
  { "nic_type", "'i82559er'", "'virtio'" },
  { "nic_type", "'e1000'", "''" },
  { "disk_type", "'scsi-hd'", "'nvme'" },
  { "scsi_controller_type", "'virtio-scsi-pci'", "'buslogic'" },
  { "disk_discard", "'unmap'", "'trim'" },
  { "cdrom_disk_type", "'scsi-cd'", "'cdrom'" },
  { "usb_mouse", "'tablet'", "'trackball'" },
  { "migration_port", "65534", "0" },
  { "migration_port", "1", "65535" },
  { "migration_bandwidth", "0", "-1" },
  { "migration_downtime", "300", "-30" },
  { "migration_mode", "'non-live'", "'offline'" },
  { "disk_cache", "'writethrough'", "'unsafe'" },
  { "disk_aio", "'io_uring'", "'posix'" },
  { "security_model", "'pool'", "'selinux'" },
  { "kvm_flag", "'disabled'", "'off'" },
  { "virtio_net_queues", "8", "0" },
  { "virtio_net_queues", "1", "9" },  /* hv_base: 1 to 8 */
  { "mem_path", "'/dev/hugepages'", "'hugepages'" },
  { "reboot_behavior", "'exit'", "'halt'" },
  { "cpu_mask", "'0-3:4,5:all'", "'0-'" },
  { "cpu_cores", "2", "-1" },
  { "cpu_threads", "0", "-2" },
  { "cpu_sockets", "1", "-8" },
  { "kvm_pci_reservations", "32", "33" },
  { "kvm_pci_reservations", "0", "-1" },
};

static void
test_table (Fixture       *fixture,
            gconstpointer  data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (table_cases); i++)
    {
      g_autoptr(GVariant) good = params_with (fixture, table_cases[i].name,
                                              table_cases[i].good, NULL);
      g_autoptr(GVariant) bad = params_with (fixture, table_cases[i].name,
                                             table_cases[i].bad, NULL);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s: %s passes, %s does not", table_cases[i].name,
                      table_cases[i].good, table_cases[i].bad);
      g_assert_true (hv_param_specs_check_syntax (fixture->specs, good, &error));
      g_assert_no_error (error);
      g_assert_false (hv_param_specs_check_syntax (fixture->specs, bad, &error));
      assert_refused (error, table_cases[i].name);
    }
}

static void
test_table_types (Fixture       *fixture,
                  gconstpointer  data)
{
  const struct {
    const gchar *name;
    GVariant    *value;
  } cases[] = {
    { "serial_speed", g_variant_new_string ("38400") },
    { "acpi", g_variant_new_string ("true") },
    { "kvm_path", g_variant_new_boolean (TRUE) },
    { "migration_port", g_variant_new_int32 (8102) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (fixture->defaults);
      g_autoptr(GVariant) params = NULL;
      g_autoptr(GError) error = NULL;

      g_variant_dict_insert_value (&dict, cases[i].name, cases[i].value);
      params = g_variant_ref_sink (g_variant_dict_end (&dict));
      g_assert_false (check_syntax (fixture, params, &error));
      assert_refused (error, cases[i].name);
    }
}

static void
test_unknown_and_missing (Fixture       *fixture,
                          gconstpointer  data)
{
  g_auto(GVariantDict) extra = G_VARIANT_DICT_INIT (fixture->defaults);
  g_auto(GVariantDict) missing = G_VARIANT_DICT_INIT (fixture->defaults);
  g_autoptr(GVariant) with_extra = NULL;
  g_autoptr(GVariant) without = NULL;
  g_autoptr(GError) error = NULL;

  g_variant_dict_insert (&extra, "kernel_pth", "s", "/boot/vmlinuz");
  with_extra = g_variant_ref_sink (g_variant_dict_end (&extra));
  g_assert_false (check_syntax (fixture, with_extra, &error));
  assert_refused (error, "kernel_pth");
  g_clear_error (&error);

  g_variant_dict_remove (&missing, "vnet_hdr");
  without = g_variant_ref_sink (g_variant_dict_end (&missing));
  g_assert_false (check_syntax (fixture, without, &error));
  assert_refused (error, "vnet_hdr");
}

/* A rule: the changes that break it, the parameter its message names, and
 * changes that satisfy it. */
typedef struct {
  const gchar *description;
  const gchar *bad[7];
  const gchar *parameter;
  const gchar *good[7];
} RuleCase;

static const RuleCase rule_cases[] = {
  { "a kernel needs a root partition",
    { "kernel_path", "'/boot/vmlinuz'", "root_path", "''" }, "root_path",
    { "kernel_path", "'/boot/vmlinuz'", "root_path", "'/dev/vda1'" } },
  { "no kernel, no root partition",
    { "kernel_path", "'/boot/vmlinuz'", "root_path", "''" }, "root_path",
    { "kernel_path", "''", "root_path", "''" } },
  { "cdrom boot needs an ISO",
    { "boot_order", "'cdrom'", "cdrom_image_path", "''" }, "boot_order",
    { "boot_order", "'cdrom'", "cdrom_image_path", "'/srv/debian.iso'" } },
  { "network boot refuses a paravirtual NIC",
    { "boot_order", "'network'", "nic_type", "'paravirtual'" }, "nic_type",
    { "boot_order", "'network'", "nic_type", "'e1000'" } },
  { "security model user needs a domain",
    { "security_model", "'user'", "security_domain", "''" }, "security_domain",
    { "security_model", "'user'", "security_domain", "'nobody'" } },
  { "security model none refuses a domain",
    { "security_model", "'none'", "security_domain", "'nobody'" }, "security_domain",
    { "security_model", "'none'", "security_domain", "''" } },
  { "security model pool refuses a domain",
    { "security_model", "'pool'", "security_domain", "'nobody'" }, "security_domain",
    { "security_model", "'pool'", "security_domain", "''" } },
  { "serial console speed",
    { "serial_console", "true", "serial_speed", "12345" }, "serial_speed",
    { "serial_console", "true", "serial_speed", "115200" } },
  { "serial speed ignored without a serial console",
    { "serial_console", "true", "serial_speed", "0" }, "serial_speed",
    { "serial_console", "false", "serial_speed", "12345" } },
  { "vnc_x509_verify needs vnc_x509_path",
    { "vnc_x509_verify", "true", "vnc_x509_path", "''" }, "vnc_x509_path",
    { "vnc_x509_verify", "true", "vnc_x509_path", "'/etc/hvkit/x509'" } },
  { "spice_ip_version needs spice_bind",
    { "spice_ip_version", "4" }, "spice_ip_version",
    { "spice_ip_version", "4", "spice_bind", "'127.0.0.1'" } },
  { "spice_password_file needs spice_bind",
    { "spice_password_file", "'/etc/spice'" }, "spice_password_file",
    { "spice_password_file", "'/etc/spice'", "spice_bind", "'lo'" } },
  { "spice_image_compression needs spice_bind",
    { "spice_image_compression", "'quic'" }, "spice_image_compression",
    { "spice_image_compression", "'quic'", "spice_bind", "'lo'" } },
  { "spice_jpeg_wan_compression needs spice_bind",
    { "spice_jpeg_wan_compression", "'auto'" }, "spice_jpeg_wan_compression",
    { "spice_jpeg_wan_compression", "'auto'", "spice_bind", "'lo'" } },
  { "spice_zlib_glz_wan_compression needs spice_bind",
    { "spice_zlib_glz_wan_compression", "'auto'" }, "spice_zlib_glz_wan_compression",
    { "spice_zlib_glz_wan_compression", "'auto'", "spice_bind", "'lo'" } },
  { "spice_streaming_video needs spice_bind",
    { "spice_streaming_video", "'all'" }, "spice_streaming_video",
    { "spice_streaming_video", "'all'", "spice_bind", "'lo'" } },
  { "spice_use_tls needs spice_bind",
    { "spice_use_tls", "true" }, "spice_use_tls",
    { "spice_use_tls", "true", "spice_bind", "'lo'" } },
  { "SPICE and VNC exclude each other",
    { "spice_bind", "'127.0.0.1'", "vnc_bind_address", "'127.0.0.1'" }, "vnc_bind_address",
    { "spice_bind", "''", "vnc_bind_address", "'127.0.0.1'" } },
  { "an IPv4 spice_bind needs IP version 4",
    { "spice_bind", "'10.0.0.1'", "spice_ip_version", "6" }, "spice_ip_version",
    { "spice_bind", "'10.0.0.1'", "spice_ip_version", "4" } },
  { "an IPv6 spice_bind needs IP version 6",
    { "spice_bind", "'::1'", "spice_ip_version", "4" }, "spice_ip_version",
    { "spice_bind", "'::1'", "spice_ip_version", "6" } },
  { "an interface as spice_bind takes any IP version",
    { "spice_bind", "'::1'", "spice_ip_version", "4" }, "spice_ip_version",
    { "spice_bind", "'eth0'", "spice_ip_version", "6" } },
  { "disk_aio native needs disk_cache none",
    { "disk_aio", "'native'", "disk_cache", "'writeback'" }, "disk_cache",
    { "disk_aio", "'native'", "disk_cache", "'none'" } },
  { "disk_aio threads takes any disk_cache",
    { "disk_aio", "'native'", "disk_cache", "'default'" }, "disk_cache",
    { "disk_aio", "'threads'", "disk_cache", "'writeback'" } },
};

static GVariant *
params_with_array (Fixture            *fixture,
                   const gchar *const *changes)
{
  return params_with (fixture,
                      changes[0], changes[1], changes[2], changes[3],
                      changes[4], changes[5], changes[6], NULL);
}

static void
test_rules (Fixture       *fixture,
            gconstpointer  data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rule_cases); i++)
    {
      g_autoptr(GVariant) bad = params_with_array (fixture, rule_cases[i].bad);
      g_autoptr(GVariant) good = params_with_array (fixture, rule_cases[i].good);
      g_autoptr(GError) error = NULL;

      g_test_message ("rule: %s", rule_cases[i].description);

      /* the table alone takes both: the rule is what refuses */
      g_assert_true (hv_param_specs_check_syntax (fixture->specs, bad, &error));
      g_assert_no_error (error);

      g_assert_false (check_syntax (fixture, bad, &error));
      assert_refused (error, rule_cases[i].parameter);
      g_clear_error (&error);

      g_assert_true (check_syntax (fixture, good, &error));
      g_assert_no_error (error);
    }
}

static void
test_node_vhost_net (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GVariant) on = params_with (fixture, "vhost_net", "true", NULL);
  g_autoptr(GVariant) off = params_with (fixture, "vhost_net", "false", NULL);
  g_autofree gchar *missing = g_build_filename (fixture->dir, "missing", NULL);
  g_autoptr(GError) error = NULL;

  /* the table takes vhost_net either way; the node decides */
  g_assert_true (check_syntax (fixture, on, &error));
  g_assert_no_error (error);

  g_assert_false (hv_kvm_params_validate_rules (on, missing, &error));
  assert_refused (error, "vhost_net");
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_false (hv_kvm_params_validate_rules (on, fixture->regular_file, &error));
  assert_refused (error, "vhost_net");
  g_clear_error (&error);

  /* any character device stands for the real one */
  g_assert_true (hv_kvm_params_validate_rules (on, "/dev/null", &error));
  g_assert_no_error (error);

  g_assert_true (hv_kvm_params_validate_rules (off, missing, &error));
  g_assert_no_error (error);
}

static void
test_node_security_domain (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GVariant) root = params_with (fixture, "security_model", "'user'",
                                          "security_domain", "'root'", NULL);
  g_autoptr(GVariant) nobody = params_with (fixture, "security_model", "'user'",
                                            "security_domain", "'hvkit-no-such-user'", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_kvm_params_validate_rules (root, "/dev/null", &error));
  g_assert_no_error (error);

  g_assert_true (check_syntax (fixture, nobody, &error));
  g_assert_no_error (error);
  g_assert_false (hv_kvm_params_validate_rules (nobody, "/dev/null", &error));
  assert_refused (error, "security_domain");
}

static void
test_node_bind_interfaces (Fixture       *fixture,
                           gconstpointer  data)
{
  const struct {
    const gchar *name;
    const gchar *value;
    gboolean     ok;
  } cases[] = {
    { "vnc_bind_address", "'lo'", TRUE },
    { "vnc_bind_address", "'127.0.0.1'", TRUE },
    { "vnc_bind_address", "'/run/hvkit/vnc'", TRUE },
    { "vnc_bind_address", "'hvkitnoif0'", FALSE },
    { "spice_bind", "'lo'", TRUE },
    { "spice_bind", "'::'", TRUE },
    { "spice_bind", "'hvkitnoif0'", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GVariant) params = params_with (fixture, cases[i].name, cases[i].value, NULL);
      g_autoptr(GError) error = NULL;
      gboolean ok = validate (fixture, params, "/dev/null", &error);

      g_test_message ("%s = %s", cases[i].name, cases[i].value);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          assert_refused (error, cases[i].name);
        }
    }
}

static void
test_node_files (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GVariant) kvm = params_with (fixture, "kvm_path", "'/nonexistent/hvkit/kvm'", NULL);
  g_autoptr(GVariant) mem = params_with (fixture, "mem_path", "'/nonexistent/hugepages'", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (validate (fixture, kvm, "/dev/null", &error));
  assert_refused (error, "kvm_path");
  g_clear_error (&error);

  g_assert_false (validate (fixture, mem, "/dev/null", &error));
  assert_refused (error, "mem_path");
}

static void
test_interface_names (void)
{
  const gchar *good[] = { "lo", "eth0", "br-ext.100", "a", "fifteen-chars-x" };
  const gchar *bad[] = { "", ".", "..", "eth0:1", "a/b", "a b", "sixteen-chars-xx", "tab\t" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (hv_kvm_params_is_interface_name (good[i]));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (hv_kvm_params_is_interface_name (bad[i]));
}

/* Every one of the 65 parameters, given a value of another type, is
 * refused with a message that names it: the check never depends on which
 * parameter it is. */
static void
test_every_wrong_type (Fixture       *fixture,
                       gconstpointer  data)
{
  g_assert_cmpuint (fixture->specs->len, ==, 65);
  for (guint i = 0; i < fixture->specs->len; i++)
    {
      HvParamSpec *spec = g_ptr_array_index (fixture->specs, i);
      const GVariantType *type = hv_param_spec_get_value_type (spec);
      g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (fixture->defaults);
      g_autoptr(GVariant) params = NULL;
      g_autoptr(GError) error = NULL;
      GVariant *wrong;

      if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING))
        wrong = g_variant_new_int64 (1);
      else
        wrong = g_variant_new_string ("1");
      g_variant_dict_insert_value (&dict, hv_param_spec_get_name (spec), wrong);
      params = g_variant_ref_sink (g_variant_dict_end (&dict));
      g_assert_false (check_syntax (fixture, params, &error));
      assert_refused (error, hv_param_spec_get_name (spec));
    }
}

#define TEST(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kvm/params/names", test_names);
  g_test_add_func ("/kvm/params/interface-names", test_interface_names);
  TEST ("/kvm/params/defaults", test_defaults);
  TEST ("/kvm/params/table", test_table);
  TEST ("/kvm/params/table-types", test_table_types);
  TEST ("/kvm/params/every-wrong-type", test_every_wrong_type);
  TEST ("/kvm/params/unknown-and-missing", test_unknown_and_missing);
  TEST ("/kvm/params/rules", test_rules);
  TEST ("/kvm/params/node/vhost-net", test_node_vhost_net);
  TEST ("/kvm/params/node/security-domain", test_node_security_domain);
  TEST ("/kvm/params/node/bind-interfaces", test_node_bind_interfaces);
  TEST ("/kvm/params/node/files", test_node_files);

  return g_test_run ();
}
