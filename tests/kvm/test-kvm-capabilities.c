/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <gio/gio.h>

#include "hvkit.h"
#include "hv-kvm-capabilities-probe.h"

/* The parsing half of the capability probe, on transcripts recorded from
 * QEMU 7.2 and 10.0 (tests/data/capabilities/qemu-*-probe.jsonl). The probe
 * and its cache run QEMU: tests/integration/test-kvm-capabilities.c. */

#define QEMU_7_2 "qemu-7.2.22-probe.jsonl"
#define QEMU_10_0 "qemu-10.0.2-probe.jsonl"

static gchar *
load_transcript (const gchar *name)
{
  g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "data", "capabilities",
                                                  name, NULL);
  g_autoptr(GError) error = NULL;
  gchar *transcript = NULL;

  g_assert_true (g_file_get_contents (path, &transcript, NULL, &error));
  g_assert_no_error (error);
  return transcript;
}

static HvKvmCapabilities *
load_named_capabilities (const gchar *name)
{
  g_autofree gchar *transcript = load_transcript (name);
  g_autoptr(GError) error = NULL;
  HvKvmCapabilities *capabilities;

  capabilities = hv_kvm_capabilities_new_from_qmp_transcript (transcript, &error);
  g_assert_no_error (error);
  return capabilities;
}

static HvKvmCapabilities *
load_capabilities (void)
{
  return load_named_capabilities (QEMU_7_2);
}

static void
test_transcript (void)
{
  g_autoptr(HvKvmCapabilities) capabilities = load_capabilities ();
  guint major, minor, micro;

  hv_kvm_capabilities_get_version (capabilities, &major, &minor, &micro);
  g_assert_cmpuint (major, ==, 7);
  g_assert_cmpuint (minor, ==, 2);
  g_assert_cmpuint (micro, ==, 22);
  g_assert_cmpstr (hv_kvm_capabilities_get_version_string (capabilities), ==, "7.2.22");
  g_assert_cmpstr (hv_kvm_capabilities_get_package (capabilities), ==,
                   "Debian 1:7.2+dfsg-7+deb12u18+b3");
  g_assert_true (hv_kvm_capabilities_check_version (capabilities, 7, 2, 22));
  g_assert_true (hv_kvm_capabilities_check_version (capabilities, 5, 0, 0));
  g_assert_false (hv_kvm_capabilities_check_version (capabilities, 7, 2, 23));
  g_assert_false (hv_kvm_capabilities_check_version (capabilities, 8, 0, 0));

  /* hotplug is decided from these, not from the version */
  g_assert_true (hv_kvm_capabilities_has_command (capabilities, "blockdev-add"));
  g_assert_true (hv_kvm_capabilities_has_command (capabilities, "add-fd"));
  g_assert_true (hv_kvm_capabilities_has_command (capabilities, "getfd"));
  g_assert_true (hv_kvm_capabilities_has_command (capabilities, "netdev_add"));
  g_assert_false (hv_kvm_capabilities_has_command (capabilities, "migrate_set_speed"));
  g_assert_false (hv_kvm_capabilities_has_command (capabilities, "drive_add"));

  g_assert_true (hv_kvm_capabilities_has_device (capabilities, "virtio-net-pci"));
  g_assert_true (hv_kvm_capabilities_has_device (capabilities, "virtio-blk-pci"));
  g_assert_true (hv_kvm_capabilities_has_device (capabilities, "lsi53c895a"));
  /* abstract types are no devices one can add */
  g_assert_false (hv_kvm_capabilities_has_device (capabilities, "virtio-pci"));
  g_assert_false (hv_kvm_capabilities_has_device (capabilities, "query-pci"));

  g_assert_true (hv_kvm_capabilities_has_cpu_model (capabilities, "qemu64"));
  g_assert_true (hv_kvm_capabilities_has_migration_capability (capabilities, "postcopy-ram"));
  g_assert_false (hv_kvm_capabilities_has_migration_capability (capabilities, "no-such-cap"));

  /* -chroot and -runas are no option groups: 7.2 lists no run-with */
  g_assert_true (hv_kvm_capabilities_has_command_line_option (capabilities, "drive", NULL));
  g_assert_true (hv_kvm_capabilities_has_command_line_option (capabilities, "drive", "aio"));
  g_assert_false (hv_kvm_capabilities_has_command_line_option (capabilities, "drive", "cyls"));
  g_assert_false (hv_kvm_capabilities_has_command_line_option (capabilities, "run-with", NULL));
  g_assert_false (hv_kvm_capabilities_has_command_line_option (capabilities, "run-with",
                                                               "chroot"));
}

/* The same questions to QEMU 10.0: -chroot and -runas became -run-with */
static void
test_transcript_10 (void)
{
  g_autoptr(HvKvmCapabilities) capabilities = load_named_capabilities (QEMU_10_0);

  g_assert_cmpstr (hv_kvm_capabilities_get_version_string (capabilities), ==, "10.0.2");
  g_assert_true (hv_kvm_capabilities_check_version (capabilities, 10, 0, 0));
  g_assert_true (hv_kvm_capabilities_has_command_line_option (capabilities, "run-with",
                                                              "chroot"));
  g_assert_true (hv_kvm_capabilities_has_command_line_option (capabilities, "run-with",
                                                              "user"));
  g_assert_false (hv_kvm_capabilities_has_command_line_option (capabilities, "run-with",
                                                               "no-such"));
  g_assert_true (hv_kvm_capabilities_has_command_line_option (capabilities, "machine", "hpet"));
  g_assert_true (hv_kvm_capabilities_has_command (capabilities, "blockdev-add"));
  g_assert_true (hv_kvm_capabilities_has_device (capabilities, "virtio-net-pci"));
  g_assert_cmpstr (hv_kvm_capabilities_get_default_machine (capabilities), ==,
                   "pc-i440fx-10.0");
  /* a 7.2 instance's machine is still there */
  g_assert_cmpstr (hv_kvm_capabilities_resolve_machine (capabilities, "pc-i440fx-7.2"), ==,
                   "pc-i440fx-7.2");
}

static void
test_machines (void)
{
  g_autoptr(HvKvmCapabilities) capabilities = load_capabilities ();

  g_assert_cmpstr (hv_kvm_capabilities_get_default_machine (capabilities), ==, "pc-i440fx-7.2");
  g_assert_cmpstr (hv_kvm_capabilities_resolve_machine (capabilities, "pc"), ==,
                   "pc-i440fx-7.2");
  g_assert_cmpstr (hv_kvm_capabilities_resolve_machine (capabilities, "q35"), ==, "pc-q35-7.2");
  g_assert_cmpstr (hv_kvm_capabilities_resolve_machine (capabilities, "pc-i440fx-2.12"), ==,
                   "pc-i440fx-2.12");
  g_assert_null (hv_kvm_capabilities_resolve_machine (capabilities, "pc-i440fx-99.0"));
}

static void
test_variant_round_trip (void)
{
  g_autoptr(HvKvmCapabilities) capabilities = load_capabilities ();
  g_autoptr(HvKvmCapabilities) copy = NULL;
  g_autoptr(GVariant) first = hv_kvm_capabilities_to_variant (capabilities);
  g_autoptr(GVariant) second = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (g_variant_is_floating (first));
  copy = hv_kvm_capabilities_new_from_variant (first, &error);
  g_assert_no_error (error);
  second = hv_kvm_capabilities_to_variant (copy);
  g_assert_true (g_variant_equal (first, second));
  g_assert_true (hv_kvm_capabilities_has_command (copy, "device_add"));
  g_assert_cmpstr (hv_kvm_capabilities_resolve_machine (copy, "pc"), ==, "pc-i440fx-7.2");
  g_assert_true (hv_kvm_capabilities_has_command_line_option (copy, "drive", "aio"));
  g_assert_false (hv_kvm_capabilities_has_command_line_option (copy, "run-with", NULL));
}

static void
test_variant_refused (void)
{
  static const gchar *bad[] = {
    "{'format': <uint32 3>}",
    "{'format': <uint32 2>}",
    "{'format': <uint32 2>, 'version': <(uint32 7, uint32 2, uint32 0)>}",
    "{'format': <uint32 2>, 'version': <(uint32 7, uint32 2, uint32 0)>,"
    " 'commands': <['a']>, 'devices': <'nope'>}",
    "{'format': <uint32 2>, 'version': <(uint32 7, uint32 2, uint32 0)>,"
    " 'commands': <['a']>, 'devices': <['b']>, 'machines': <['pc']>}",
    /* format 1 had no command-line options: a file of it is probed again */
    "{'format': <uint32 1>, 'version': <(uint32 7, uint32 2, uint32 0)>,"
    " 'commands': <['a']>, 'devices': <['b']>, 'machines': <@a(ssbb) []>}",
    "{'format': <uint32 2>, 'version': <(uint32 7, uint32 2, uint32 0)>,"
    " 'commands': <['a']>, 'devices': <['b']>, 'machines': <@a(ssbb) []>}",
  };
  g_autoptr(GVariant) not_dict = g_variant_ref_sink (g_variant_new_string ("x"));
  g_autoptr(HvKvmCapabilities) none = NULL;
  g_autoptr(GError) error = NULL;

  none = hv_kvm_capabilities_new_from_variant (not_dict, &error);
  g_assert_null (none);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GVariant) variant = g_variant_ref_sink (g_variant_new_parsed (bad[i]));
      g_autoptr(HvKvmCapabilities) capabilities = NULL;
      g_autoptr(GError) local_error = NULL;

      capabilities = hv_kvm_capabilities_new_from_variant (variant, &local_error);
      g_assert_null (capabilities);
      g_assert_error (local_error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
    }
}

static void
test_transcript_refused (void)
{
  static const struct {
    const gchar *transcript;
    const gchar *message;
  } bad[] = {
    { "this is not json\n", "line 1" },
    { "{\"QMP\": {}}\n", "no version" },
    /* QEMU refused a required question */
    { "{\"return\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}, \"id\": \"version\"}\n"
      "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no such thing\"},"
      " \"id\": \"commands\"}\n", "no such thing" },
    /* QEMU died half-way */
    { "{\"return\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}, \"id\": \"version\"}\n"
      "{\"return\": [], \"id\": \"commands\"}\n", "no answer" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(HvKvmCapabilities) capabilities = NULL;
      g_autoptr(GError) error = NULL;

      capabilities = hv_kvm_capabilities_new_from_qmp_transcript (bad[i].transcript, &error);
      g_assert_null (capabilities);
      g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
      g_assert_nonnull (strstr (error->message, bad[i].message));
    }
}

/* A QEMU without CPU models or migration (another architecture, a cut-down
 * build) still gives capabilities, with those sets empty. */
static void
test_transcript_optional (void)
{
  const gchar *transcript =
    "{\"QMP\": {\"version\": {}}}\r\n"
    "{\"return\": {\"qemu\": {\"major\": 9, \"minor\": 1, \"micro\": 2}, \"package\": \"\"},"
    " \"id\": \"version\"}\r\n"
    "{\"return\": [{\"name\": \"quit\"}, {\"name\": \"device_add\"}], \"id\": \"commands\"}\r\n"
    "{\"return\": [{\"name\": \"pc-i440fx-9.1\", \"alias\": \"pc\", \"is-default\": true}],"
    " \"id\": \"machines\"}\r\n"
    "{\"return\": [{\"name\": \"virtio-net-pci\"}], \"id\": \"devices\"}\r\n"
    "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no\"}, \"id\": \"cpu-models\"}\r\n"
    "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false}}\r\n";
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  g_autoptr(GError) error = NULL;

  capabilities = hv_kvm_capabilities_new_from_qmp_transcript (transcript, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hv_kvm_capabilities_get_version_string (capabilities), ==, "9.1.2");
  g_assert_true (hv_kvm_capabilities_has_command (capabilities, "device_add"));
  g_assert_false (hv_kvm_capabilities_has_cpu_model (capabilities, "qemu64"));
  g_assert_false (hv_kvm_capabilities_has_migration_capability (capabilities, "xbzrle"));
  g_assert_cmpstr (hv_kvm_capabilities_get_default_machine (capabilities), ==, "pc-i440fx-9.1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kvm/capabilities/transcript", test_transcript);
  g_test_add_func ("/kvm/capabilities/transcript-10.0", test_transcript_10);
  g_test_add_func ("/kvm/capabilities/machines", test_machines);
  g_test_add_func ("/kvm/capabilities/variant-round-trip", test_variant_round_trip);
  g_test_add_func ("/kvm/capabilities/variant-refused", test_variant_refused);
  g_test_add_func ("/kvm/capabilities/transcript-refused", test_transcript_refused);
  g_test_add_func ("/kvm/capabilities/transcript-optional", test_transcript_optional);

  return g_test_run ();
}
