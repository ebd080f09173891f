/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm.h"
#include "hv-kvm-process.h"
#include "hv-kvm-runtime.h"
#include "hv-test.h"
#include "hv-test-async.h"
#include "hv-test-files.h"
#include "hv-test-kvm-guest.h"

/*
 * The KVM plugin's lifecycle on real QEMU (TCG) with the test guest:
 * start, info, balloon, reboot, soft and forced stop, NICs on a bridge in a
 * private network namespace, failed starts that leave nothing behind, a
 * second HvKvm taking over, and a guest that powers itself off. Every call
 * goes through the interface's blocking forms, as a Python script would
 * make them: the monitor thread must serve them.
 */

#define COMMAND_TIMEOUT_MS 20000
#define NAME               "lc-test"

typedef struct {
  gchar        *dir;        /* run dir and everything of the test */
  gchar        *record_dir; /* what the recording NIC scripts saw */
  HvHypervisor *kvm;
  HvInstance   *instance;
  HvTestConsole *serial;
  GPtrArray    *state_changes;   /* "name=state" strings, from the signal */
} Fixture;

/* -- set-up --------------------------------------------------------------- */

/* A NIC script that writes down its arguments and environment, then runs
 * the real one. */
static gchar *
write_recording_script (Fixture     *fixture,
                        const gchar *which)
{
  const gchar *script_dir = g_getenv ("HVKIT_TEST_SCRIPT_DIR");
  g_autofree gchar *real = g_build_filename (script_dir, which, NULL);
  g_autofree gchar *path = g_build_filename (fixture->dir, which, NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (script_dir);
  contents = g_strdup_printf ("#!/bin/sh\n"
                              "{ echo \"ARGS=$*\"; env | sort; } > '%s/%s-'\"$1\"\n"
                              "exec '%s' \"$@\"\n",
                              fixture->record_dir, which, real);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return g_steal_pointer (&path);
}

static void
record_state_change (HvHypervisor    *kvm,
                     const gchar     *name,
                     HvInstanceState  state,
                     gpointer         user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GEnumClass) states = g_type_class_ref (HV_TYPE_INSTANCE_STATE);

  g_ptr_array_add (fixture->state_changes,
                   g_strdup_printf ("%s=%s", name, g_enum_get_value (states, state)->value_nick));
}

static HvHypervisor *
new_kvm (Fixture *fixture)
{
  g_autofree gchar *ifup = write_recording_script (fixture, "kvm-ifup");
  g_autofree gchar *ifdown = write_recording_script (fixture, "kvm-ifdown");
  g_autoptr(GError) error = NULL;
  GVariantDict config;
  HvKvm *kvm;

  g_variant_dict_init (&config, NULL);
  g_variant_dict_insert (&config, "run-dir", "s", fixture->dir);
  g_variant_dict_insert (&config, "ifup-script", "s", ifup);
  g_variant_dict_insert (&config, "ifdown-script", "s", ifdown);
  /* the guest's acpid listens from its first second: press again soon */
  g_variant_dict_insert (&config, "powerdown-interval-ms", "u", 2000);
  kvm = hv_kvm_new (g_variant_dict_end (&config), &error);
  g_assert_no_error (error);
  g_signal_connect (kvm, "instance-state-changed", G_CALLBACK (record_state_change), fixture);
  return HV_HYPERVISOR (kvm);
}

static HvInstance *
new_instance (HvHypervisor *kvm)
{
  return hv_test_kvm_guest_new_instance (kvm, NAME, "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5", 256);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("hvkit-lifecycle-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->record_dir = g_build_filename (fixture->dir, "recorded", NULL);
  g_assert_cmpint (g_mkdir (fixture->record_dir, 0700), ==, 0);
  fixture->state_changes = g_ptr_array_new_with_free_func (g_free);
  fixture->serial = hv_test_console_new ("serial");
}

static void
kill_leftover_qemu (Fixture *fixture)
{
  g_autofree gchar *pidfile = g_build_filename (fixture->dir, NAME ".pid", NULL);
  g_autofree gchar *contents = NULL;

  if (g_file_get_contents (pidfile, &contents, NULL, NULL))
    {
      gint64 pid = g_ascii_strtoll (contents, NULL, 10);

      if (pid > 1)
        kill ((pid_t) pid, SIGKILL);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (g_test_failed ())
    g_test_message ("serial log:\n%s", hv_test_console_get_log (fixture->serial));
  hv_test_console_close (fixture->serial);
  g_clear_object (&fixture->serial);
  g_clear_object (&fixture->instance);
  if (fixture->kvm != NULL)
    g_signal_handlers_disconnect_by_data (fixture->kvm, fixture);
  g_clear_object (&fixture->kvm);
  kill_leftover_qemu (fixture);
  hv_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->record_dir);
  g_ptr_array_unref (fixture->state_changes);
}

/* -- helpers -------------------------------------------------------------- */

static void
start (Fixture  *fixture,
       gboolean  paused)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_hypervisor_start_instance_sync (fixture->kvm, fixture->instance, paused,
                                                    NULL, &error));
  g_assert_no_error (error);
}

static gboolean
state_changes_has (gpointer data)
{
  Fixture *fixture = ((gpointer *) data)[0];
  const gchar *wanted = ((gpointer *) data)[1];

  for (guint i = 0; i < fixture->state_changes->len; i++)
    if (g_str_equal (g_ptr_array_index (fixture->state_changes, i), wanted))
      return TRUE;
  return FALSE;
}

/* Starts paused, connects the serial console, then lets the guest run
 * (through the HMP monitor, the socket left to people), so that nothing
 * the guest prints is missed; waits for the ready marker. */
static void
start_and_boot (Fixture *fixture)
{
  start (fixture, TRUE);
  hv_test_console_close (fixture->serial);
  g_clear_object (&fixture->serial);
  fixture->serial = hv_test_kvm_guest_boot (fixture->dir, NAME);

  /* someone else let the guest run: QEMU's RESUME is reported as the
   * instance's own change of state */
  hv_test_wait_until (state_changes_has, (gpointer[]) { fixture, NAME "=running" });
  g_ptr_array_set_size (fixture->state_changes, 0);
}

static HvInstanceInfo *
get_info (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  HvInstanceInfo *info = hv_hypervisor_get_instance_info_sync (fixture->kvm, NAME, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
}

/* Nothing of the instance is left in the run dir: no pidfile, socket,
 * log, marker, NIC file or record. */
static void
assert_nothing_left (Fixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  g_autofree gchar *record = g_build_filename (fixture->dir, "conf", NAME ".runtime", NULL);
  g_autofree gchar *nics = g_build_filename (fixture->dir, "nic", NAME, NULL);
  const gchar *entry;

  while ((entry = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (entry, NAME "."));
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (nics, G_FILE_TEST_EXISTS));
}

/* -- the tests ------------------------------------------------------------ */

/* start → ready → info → balloon → info → reboot → ready → soft stop */
static void
test_start_info_balloon_reboot_stop (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(HvInstanceInfo) info = NULL;
  g_autoptr(HvInstanceInfo) ballooned = NULL;
  g_autoptr(HvInstanceInfo) rebooted = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) listed = NULL;
  g_autofree gchar *powerdown = NULL;

  if (!hv_test_guest_require ())
    return;
  fixture->kvm = new_kvm (fixture);
  fixture->instance = new_instance (fixture->kvm);
  start_and_boot (fixture);

  listed = hv_hypervisor_list_instances (fixture->kvm, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (listed, ((const gchar *[]) { NAME, NULL }));

  {
    g_autoptr(GPtrArray) all = hv_hypervisor_get_all_instances_info_sync (fixture->kvm, NULL,
                                                                          &error);

    g_assert_no_error (error);
    g_assert_cmpuint (all->len, ==, 1);
    g_assert_cmpstr (hv_instance_info_get_name (g_ptr_array_index (all, 0)), ==, NAME);
    g_assert_cmpint (hv_instance_info_get_vcpus (g_ptr_array_index (all, 0)), ==, 1);
  }
  info = get_info (fixture);
  g_assert_cmpstr (hv_instance_info_get_name (info), ==, NAME);
  g_assert_cmpint (hv_instance_info_get_state (info), ==, HV_INSTANCE_STATE_RUNNING);
  g_assert_cmpint (hv_instance_info_get_memory (info), ==, 256);
  g_assert_cmpint (hv_instance_info_get_vcpus (info), ==, 1);
  g_assert_cmpint (hv_instance_info_get_pid (info), >, 1);
  g_assert_cmpfloat (hv_instance_info_get_cpu_time (info), >, 0.0);

  /* the guest's balloon driver gives the memory back before this returns */
  g_assert_true (hv_hypervisor_balloon_instance_memory_sync (fixture->kvm, fixture->instance,
                                                             160, NULL, &error));
  g_assert_no_error (error);
  ballooned = get_info (fixture);
  g_assert_cmpint (hv_instance_info_get_memory (ballooned), ==, 160);
  /* above what QEMU started with is refused */
  g_assert_false (hv_hypervisor_balloon_instance_memory_sync (fixture->kvm, fixture->instance,
                                                              512, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);

  /* a reboot is a new QEMU from the record */
  g_assert_true (hv_hypervisor_reboot_instance_sync (fixture->kvm, fixture->instance, NULL,
                                                     &error));
  g_assert_no_error (error);
  powerdown = hv_test_console_wait_for_line (fixture->serial, HV_TEST_GUEST_POWERDOWN_PATTERN,
                                             COMMAND_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  rebooted = get_info (fixture);
  g_assert_cmpint (hv_instance_info_get_pid (rebooted), !=, hv_instance_info_get_pid (info));
  g_assert_cmpint (hv_instance_info_get_state (rebooted), ==, HV_INSTANCE_STATE_RUNNING);
  g_assert_cmpint (hv_instance_info_get_memory (rebooted), ==, 256);
  /* two starts of one binary, one probe: the second came from the cache */
  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (
                      hv_kvm_get_capabilities_cache (HV_KVM (fixture->kvm))), ==, 1);

  /* soft stop: the guest powers off on the ACPI button */
  {
    g_autofree gchar *serial = g_build_filename (fixture->dir, NAME ".serial", NULL);
    g_autofree gchar *ready = NULL;

    hv_test_console_close (fixture->serial);
    g_clear_object (&fixture->serial);
    fixture->serial = hv_test_console_new ("serial");
    hv_test_console_connect (fixture->serial, serial, &error);
    g_assert_no_error (error);
    ready = hv_test_console_wait_for_line (fixture->serial, HV_TEST_GUEST_READY_PATTERN,
                                           HV_TEST_KVM_GUEST_BOOT_TIMEOUT_MS, &error);
    g_assert_no_error (error);
  }
  g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, fixture->instance, FALSE, FALSE,
                                                   60, NULL, &error));
  g_assert_no_error (error);
  g_free (powerdown);
  powerdown = hv_test_console_wait_for_line (fixture->serial, HV_TEST_GUEST_POWERDOWN_PATTERN,
                                             COMMAND_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  assert_nothing_left (fixture);

  g_assert_null (hv_hypervisor_get_instance_info_sync (fixture->kvm, NAME, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_RUNNING);
  /* none of this was the guest's own doing */
  for (guint i = 0; i < fixture->state_changes->len; i++)
    g_test_message ("unexpected state change: %s",
                    (gchar *) g_ptr_array_index (fixture->state_changes, i));
  g_assert_cmpuint (fixture->state_changes->len, ==, 0);
}

/* The QMP client's view is not needed: /proc tells which binary runs and
 * with which machine. */
static gchar *
read_cmdline (gint64 pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/cmdline", pid);
  g_autoptr(GError) error = NULL;
  gchar *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i + 1 < length; i++)
    if (contents[i] == '\0')
      contents[i] = ' ';
  return contents;
}

/* A host's QEMU upgraded under a running instance (7.2 → 10.0, kvm_path
 * the same path): the reboot from the record runs the new QEMU with the
 * machine type the instance first ran with, not 10.0's default; the
 * capability cache probes the new binary rather than reusing the old
 * one's entry. Needs the second QEMU (HVKIT_TEST_QEMU10); runs in the
 * first QEMU's pass only. */
static void
test_machine_kept_across_qemu (Fixture       *fixture,
                               gconstpointer  user_data)
{
  const gchar *qemu10 = g_getenv ("HVKIT_TEST_QEMU10");
  g_autofree gchar *kvm_path = NULL;
  g_autofree gchar *real10 = NULL;
  g_autofree gchar *qemu10_dir = NULL;
  g_autofree gchar *exe_path = NULL;
  g_autofree gchar *exe = NULL;
  g_autofree gchar *cmdline = NULL;
  g_autofree gchar *powerdown = NULL;
  g_autoptr(HvInstanceInfo) info = NULL;
  g_autoptr(HvInstanceInfo) rebooted = NULL;
  g_autoptr(HvKvmRuntime) runtime = NULL;
  g_autoptr(HvRuntimeStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict hvparams;

  if (!hv_test_guest_require ())
    return;
  if (qemu10 == NULL || *qemu10 == '\0')
    {
      g_test_skip ("HVKIT_TEST_QEMU10 is not set (meson -Dtest_qemu10=true sets it)");
      return;
    }
  if (g_getenv ("HVKIT_TEST_QEMU") != NULL)
    {
      g_test_skip ("runs in the first QEMU's pass");
      return;
    }

  kvm_path = g_build_filename (fixture->dir, "kvm", NULL);
  g_assert_cmpint (symlink ("/usr/bin/qemu-system-x86_64", kvm_path), ==, 0);
  fixture->kvm = new_kvm (fixture);
  fixture->instance = new_instance (fixture->kvm);
  g_variant_dict_init (&hvparams, hv_instance_get_hvparams (fixture->instance));
  g_variant_dict_insert (&hvparams, "kvm_path", "s", kvm_path);
  hv_instance_set_hvparams (fixture->instance, g_variant_dict_end (&hvparams));
  start_and_boot (fixture);
  info = get_info (fixture);

  store = hv_kvm_runtime_store_new (fixture->dir);
  runtime = hv_kvm_runtime_load (store, NAME, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (runtime->machine, ==, "pc-i440fx-7.2");
  g_assert_true (g_str_has_prefix (runtime->qemu_version, "7.2."));

  /* the upgrade: the same path, another binary */
  g_assert_cmpint (g_unlink (kvm_path), ==, 0);
  g_assert_cmpint (symlink (qemu10, kvm_path), ==, 0);

  g_assert_true (hv_hypervisor_reboot_instance_sync (fixture->kvm, fixture->instance, NULL,
                                                     &error));
  g_assert_no_error (error);
  powerdown = hv_test_console_wait_for_line (fixture->serial, HV_TEST_GUEST_POWERDOWN_PATTERN,
                                             COMMAND_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  rebooted = get_info (fixture);
  g_assert_cmpint (hv_instance_info_get_pid (rebooted), !=, hv_instance_info_get_pid (info));

  /* QEMU 10's binary (the wrapper execs it), with 7.2's machine */
  exe_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/exe",
                              (gint64) hv_instance_info_get_pid (rebooted));
  exe = g_file_read_link (exe_path, &error);
  g_assert_no_error (error);
  qemu10_dir = g_path_get_dirname (qemu10);
  real10 = g_build_filename (qemu10_dir, "root", "usr", "bin",
                             "qemu-system-x86_64", NULL);
  g_assert_cmpstr (exe, ==, real10);
  cmdline = read_cmdline (hv_instance_info_get_pid (rebooted));
  if (strstr (cmdline, " -machine pc-i440fx-7.2,") == NULL)
    g_error ("QEMU 10 runs without 7.2's machine: %s", cmdline);
  g_assert_null (strstr (cmdline, "pc-i440fx-10.0"));
  /* two binaries behind one path: two probes, no shared entry */
  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (
                      hv_kvm_get_capabilities_cache (HV_KVM (fixture->kvm))), ==, 2);

  g_clear_pointer (&runtime, hv_kvm_runtime_free);
  runtime = hv_kvm_runtime_load (store, NAME, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (runtime->machine, ==, "pc-i440fx-7.2");

  g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, fixture->instance, TRUE, FALSE,
                                                   0, NULL, &error));
  g_assert_no_error (error);
  assert_nothing_left (fixture);
}

/* The threads of @pid that may run on CPU 0 only. */
static guint
count_threads_pinned_to_0 (gint64 pid)
{
  g_autofree gchar *tasks = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/task", pid);
  g_autoptr(GDir) dir = g_dir_open (tasks, 0, NULL);
  const gchar *tid;
  guint pinned = 0;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (tasks, tid, "status", NULL);
      g_autofree gchar *status = NULL;

      if (g_file_get_contents (path, &status, NULL, NULL) &&
          strstr (status, "\nCpus_allowed_list:\t0\n") != NULL)
        pinned++;
    }
  return pinned;
}

/* force: SIGKILL, and still nothing left */
static void
test_forced_stop (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(HvInstanceInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!hv_test_guest_require ())
    return;
  fixture->kvm = new_kvm (fixture);
  fixture->instance = new_instance (fixture->kvm);
  /* and its one vCPU pinned to CPU 0 before it ever runs */
  {
    GVariantDict hvparams;

    g_variant_dict_init (&hvparams, hv_instance_get_hvparams (fixture->instance));
    g_variant_dict_insert (&hvparams, "cpu_mask", "s", "0");
    hv_instance_set_hvparams (fixture->instance, g_variant_dict_end (&hvparams));
  }
  start (fixture, TRUE);
  info = get_info (fixture);
  g_assert_cmpint (hv_instance_info_get_state (info), ==, HV_INSTANCE_STATE_PAUSED);
  /* (on a node of one CPU every thread is "pinned" to it) */
  if (g_get_num_processors () > 1)
    g_assert_cmpuint (count_threads_pinned_to_0 (hv_instance_info_get_pid (info)), ==, 1);

  g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, fixture->instance, TRUE, FALSE,
                                                   0, NULL, &error));
  g_assert_no_error (error);
  /* gone, or a zombie its parent (init, a subreaper) has not reaped yet */
  g_assert_false (hv_kvm_process_is_instance ((GPid) hv_instance_info_get_pid (info), NAME));
  assert_nothing_left (fixture);
  /* stopping what does not run is what was asked: no error */
  g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, fixture->instance, TRUE, FALSE,
                                                   0, NULL, &error));
  g_assert_no_error (error);
}

static gchar *
read_recorded (Fixture     *fixture,
               const gchar *which,
               const gchar *tap)
{
  g_autofree gchar *file = g_strdup_printf ("%s-%s", which, tap);
  g_autofree gchar *path = g_build_filename (fixture->record_dir, file, NULL);
  g_autoptr(GError) error = NULL;
  gchar *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
add_bridged_nic (HvInstance  *instance,
                 const gchar *uuid,
                 const gchar *mac)
{
  g_autoptr(HvNic) nic = hv_nic_new ();

  hv_device_set_uuid (HV_DEVICE (nic), uuid);
  hv_nic_set_mac (nic, mac);
  hv_nic_set_mode (nic, "bridged");
  hv_nic_set_link (nic, "hvbr0");
  hv_instance_add_nic (instance, nic);
}

/* Two NICs on a bridge: taps made by hvkit with the guest's MAC (first
 * byte fe), on the bridge, ifup run with Ganeti's environment; a stop runs
 * ifdown for each. */
static void
test_nics_on_bridge (Fixture       *fixture,
                     gconstpointer  user_data)
{
  static const gchar *const macs[] = { "aa:00:00:11:22:01", "aa:00:00:11:22:02" };
  static const gchar *const uuids[] = { "0a1b2c3d-0000-4000-8000-000000000001",
                                        "0a1b2c3d-0000-4000-8000-000000000002" };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) taps = NULL;
  g_autoptr(HvKvmRuntime) runtime = NULL;
  g_autoptr(HvRuntimeStore) store = NULL;

  if (!hv_test_guest_require () || !hv_test_netns_require ())
    return;
  /* before HvKvm: its monitor thread opens the taps and runs the scripts */
  hv_test_netns_enter (&error);
  g_assert_no_error (error);
  hv_test_netns_add_bridge ("hvbr0", &error);
  g_assert_no_error (error);
  fixture->kvm = new_kvm (fixture);
  fixture->instance = new_instance (fixture->kvm);
  for (guint i = 0; i < 2; i++)
    add_bridged_nic (fixture->instance, uuids[i], macs[i]);
  hv_instance_set_tags (fixture->instance, (const gchar *[]) { "web", "prod", NULL });
  start (fixture, TRUE);

  store = hv_kvm_runtime_store_new (fixture->dir);
  runtime = hv_kvm_runtime_load (store, NAME, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runtime->nics->len, ==, 2);
  taps = hv_test_netns_list_taps (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (taps), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      HvKvmRuntimeDevice *device = g_ptr_array_index (runtime->nics, i);
      const gchar *tap = hv_kvm_runtime_device_get_string (device, "tap");
      g_autofree gchar *mac = hv_test_netns_get_mac (tap, &error);
      g_autofree gchar *master = hv_test_netns_get_master (tap, &error);
      g_autofree gchar *expected_mac = g_strconcat ("fe", macs[i] + 2, NULL);
      g_autofree gchar *env = read_recorded (fixture, "kvm-ifup", tap);
      g_autofree gchar *args = g_strdup_printf ("ARGS=%s\n", tap);
      g_autofree gchar *line_mac = g_strdup_printf ("\nMAC=%s\n", macs[i]);
      g_autofree gchar *line_index = g_strdup_printf ("\nINTERFACE_INDEX=%u\n", i);
      g_autofree gchar *line_uuid = g_strdup_printf ("\nINTERFACE_UUID=%s\n", uuids[i]);
      g_autofree gchar *line_interface = g_strdup_printf ("\nINTERFACE=%s\n", tap);

      g_assert_no_error (error);
      g_assert_true (g_strv_contains ((const gchar * const *) taps, tap));
      g_assert_cmpstr (mac, ==, expected_mac);
      g_assert_cmpstr (master, ==, "hvbr0");
      g_assert_true (g_str_has_prefix (env, args));
      g_assert_nonnull (strstr (env, line_mac));
      g_assert_nonnull (strstr (env, line_index));
      g_assert_nonnull (strstr (env, line_uuid));
      g_assert_nonnull (strstr (env, line_interface));
      g_assert_nonnull (strstr (env, "\nINSTANCE=" NAME "\n"));
      g_assert_nonnull (strstr (env, "\nMODE=bridged\n"));
      g_assert_nonnull (strstr (env, "\nLINK=hvbr0\n"));
      g_assert_nonnull (strstr (env, "\nBRIDGE=hvbr0\n"));
      g_assert_nonnull (strstr (env, "\nTAGS=web prod\n"));
    }

  g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, fixture->instance, TRUE, FALSE,
                                                   0, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      HvKvmRuntimeDevice *device = g_ptr_array_index (runtime->nics, i);
      const gchar *tap = hv_kvm_runtime_device_get_string (device, "tap");
      g_autofree gchar *env = read_recorded (fixture, "kvm-ifdown", tap);
      g_autofree gchar *args = g_strdup_printf ("ARGS=%s false\n", tap);

      g_assert_true (g_str_has_prefix (env, args));
    }
  g_strfreev (taps);
  taps = hv_test_netns_list_taps (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (taps), ==, 0);
  assert_nothing_left (fixture);
}

/* A missing kernel is refused before anything is made; a QEMU that fails
 * (its disk cannot be opened) is undone: taps, ifdown, files, record. */
static void
test_failed_starts (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk = hv_disk_new ();
  g_autofree gchar *missing = g_build_filename (fixture->dir, "no-such-disk.img", NULL);
  g_auto(GStrv) taps = NULL;
  g_autoptr(GVariant) hvparams = NULL;
  GVariantDict dict;

  if (!hv_test_guest_require () || !hv_test_netns_require ())
    return;
  hv_test_netns_enter (&error);
  g_assert_no_error (error);
  hv_test_netns_add_bridge ("hvbr0", &error);
  g_assert_no_error (error);
  fixture->kvm = new_kvm (fixture);
  fixture->instance = new_instance (fixture->kvm);

  /* a kernel that is not there */
  g_variant_dict_init (&dict, hv_instance_get_hvparams (fixture->instance));
  g_variant_dict_insert (&dict, "kernel_path", "s", "/nonexistent/vmlinuz");
  hvparams = g_variant_ref_sink (g_variant_dict_end (&dict));
  {
    g_autoptr(HvInstance) broken = new_instance (fixture->kvm);

    hv_instance_set_hvparams (broken, hvparams);
    g_assert_false (hv_hypervisor_start_instance_sync (fixture->kvm, broken, TRUE, NULL,
                                                       &error));
    g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
    g_assert_nonnull (strstr (error->message, "kernel_path"));
    g_clear_error (&error);
  }
  assert_nothing_left (fixture);

  /* a disk file that does not exist: refused before a tap, a script or
   * QEMU, saying which */
  hv_device_set_uuid (HV_DEVICE (disk), "d15c0000-0000-4000-8000-000000000001");
  hv_disk_set_size (disk, 16);
  hv_disk_set_mode (disk, "rw");
  hv_disk_set_link (disk, missing);
  hv_instance_add_disk (fixture->instance, disk);
  add_bridged_nic (fixture->instance, "0a1b2c3d-0000-4000-8000-000000000003",
                   "aa:00:00:11:22:03");
  g_assert_false (hv_hypervisor_start_instance_sync (fixture->kvm, fixture->instance, TRUE, NULL,
                                                     &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);
  assert_nothing_left (fixture);
  {
    g_autoptr(GDir) dir = g_dir_open (fixture->record_dir, 0, NULL);
    const gchar *entry;

    while ((entry = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_prefix (entry, "kvm-ifup-"));
  }

  /* QEMU itself fails: a disk path QEMU resolves (relative, so hvkit
   * leaves it to QEMU) that does not exist; the NIC was up by then */
  hv_disk_set_link (disk, "no-such-disk.img");
  g_assert_false (hv_hypervisor_start_instance_sync (fixture->kvm, fixture->instance, TRUE, NULL,
                                                     &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no-such-disk.img"));
  g_clear_error (&error);
  taps = hv_test_netns_list_taps (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (taps), ==, 0);
  assert_nothing_left (fixture);
  {
    /* ifup ran, so ifdown did too */
    g_autoptr(GDir) dir = g_dir_open (fixture->record_dir, 0, NULL);
    guint ifups = 0, ifdowns = 0;
    const gchar *entry;

    while ((entry = g_dir_read_name (dir)) != NULL)
      {
        ifups += g_str_has_prefix (entry, "kvm-ifup-");
        ifdowns += g_str_has_prefix (entry, "kvm-ifdown-");
      }
    g_assert_cmpuint (ifups, ==, 1);
    g_assert_cmpuint (ifdowns, ==, 1);
  }
}

/* The same name twice: the second start is refused, the first instance
 * is untouched. */
static void
test_already_running (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(HvInstanceInfo) before = NULL;
  g_autoptr(HvInstanceInfo) after = NULL;
  g_autoptr(GError) error = NULL;

  if (!hv_test_guest_require ())
    return;
  fixture->kvm = new_kvm (fixture);
  fixture->instance = new_instance (fixture->kvm);
  /* with VNC and a password, which goes over QMP (set_password), never on
   * the command line */
  {
    g_autofree gchar *password = g_build_filename (fixture->dir, "vnc-password", NULL);
    GVariantDict hvparams;

    g_file_set_contents (password, "s3cret\n", -1, &error);
    g_assert_no_error (error);
    g_variant_dict_init (&hvparams, hv_instance_get_hvparams (fixture->instance));
    g_variant_dict_insert (&hvparams, "vnc_bind_address", "s", "127.0.0.1");
    g_variant_dict_insert (&hvparams, "vnc_password_file", "s", password);
    hv_instance_set_hvparams (fixture->instance, g_variant_dict_end (&hvparams));
    hv_instance_set_network_port (fixture->instance, 5900 + 40 + getpid () % 50);
  }
  start (fixture, TRUE);
  before = get_info (fixture);
  {
    g_autofree gchar *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/cmdline",
                                              hv_instance_info_get_pid (before));
    g_autofree gchar *cmdline = NULL;
    gsize length = 0;

    g_file_get_contents (path, &cmdline, &length, &error);
    g_assert_no_error (error);
    for (gsize i = 0; i < length; i++)   /* the arguments, one string */
      if (cmdline[i] == '\0')
        cmdline[i] = ' ';
    g_assert_null (strstr (cmdline, "s3cret"));
    g_assert_nonnull (strstr (cmdline, "password=on"));
  }
  g_assert_false (hv_hypervisor_start_instance_sync (fixture->kvm, fixture->instance, TRUE, NULL,
                                                     &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_ALREADY_RUNNING);
  g_clear_error (&error);
  after = get_info (fixture);
  g_assert_cmpint (hv_instance_info_get_pid (after), ==, hv_instance_info_get_pid (before));
  g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, fixture->instance, TRUE, FALSE,
                                                   0, NULL, &error));
  g_assert_no_error (error);
}

/* A new HvKvm (a restarted daemon) takes over a running instance without
 * stopping it, and can stop it. */
static void
test_takeover (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(HvInstanceInfo) before = NULL;
  g_autoptr(HvInstanceInfo) after = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) listed = NULL;

  if (!hv_test_guest_require ())
    return;
  fixture->kvm = new_kvm (fixture);
  fixture->instance = new_instance (fixture->kvm);
  start (fixture, TRUE);
  before = get_info (fixture);

  /* the daemon goes away; QEMU stays */
  g_signal_handlers_disconnect_by_data (fixture->kvm, fixture);
  g_clear_object (&fixture->kvm);
  g_assert_cmpint (kill ((pid_t) hv_instance_info_get_pid (before), 0), ==, 0);

  fixture->kvm = new_kvm (fixture);
  listed = hv_hypervisor_list_instances (fixture->kvm, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (listed, ((const gchar *[]) { NAME, NULL }));
  after = get_info (fixture);
  g_assert_cmpint (hv_instance_info_get_pid (after), ==, hv_instance_info_get_pid (before));
  g_assert_cmpint (hv_instance_info_get_state (after), ==, HV_INSTANCE_STATE_PAUSED);
  /* taking over is no change of the instance's state */
  g_assert_cmpuint (fixture->state_changes->len, ==, 0);

  g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, fixture->instance, TRUE, FALSE,
                                                   0, NULL, &error));
  g_assert_no_error (error);
  assert_nothing_left (fixture);
}

/* The guest powers itself off: QEMU's SHUTDOWN (guest: true), then its
 * exit, become the shut-down state and instance-state-changed; the
 * instance stays listed until it is cleaned up. */
static void
test_guest_poweroff (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(HvInstanceInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) listed = NULL;
  gpointer wanted[] = { fixture, NAME "=shutdown" };

  if (!hv_test_guest_require ())
    return;
  fixture->kvm = new_kvm (fixture);
  fixture->instance = new_instance (fixture->kvm);
  start_and_boot (fixture);

  hv_test_console_send_line (fixture->serial, "poweroff -f");
  hv_test_wait_until (state_changes_has, wanted);

  info = get_info (fixture);
  g_assert_cmpint (hv_instance_info_get_state (info), ==, HV_INSTANCE_STATE_SHUTDOWN);
  listed = hv_hypervisor_list_instances (fixture->kvm, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (listed, ((const gchar *[]) { NAME, NULL }));

  g_assert_true (hv_hypervisor_cleanup_instance_sync (fixture->kvm, NAME, NULL, &error));
  g_assert_no_error (error);
  assert_nothing_left (fixture);
  g_strfreev (listed);
  listed = hv_hypervisor_list_instances (fixture->kvm, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (listed), ==, 0);
}

/* Bad parameters never get as far as QEMU. */
static void
test_bad_parameters (Fixture       *fixture,
                     gconstpointer  user_data)
{
  static const struct {
    const gchar *key;
    const gchar *value;
  } cases[] = {
    { "acpi", "'yes'" },
    { "serial_speed", "'fast'" },
    { "boot_order", "'floppy-disk'" },
    { "cpu_mask", "'0-'" },
    { "disk_cache", "'sometimes'" },
    { "vnc_bind_address", "'not an address'" },
    { "virtio_net_queues", "int64 99" },
    { "vhost_net", "true" },
  };
  g_autoptr(GError) error = NULL;

  if (!hv_test_guest_require ())
    return;
  {
    GVariantDict config;
    g_autofree gchar *no_vhost = g_build_filename (fixture->dir, "no-vhost-net", NULL);

    g_variant_dict_init (&config, NULL);
    g_variant_dict_insert (&config, "run-dir", "s", fixture->dir);
    g_variant_dict_insert (&config, "vhost-net-device", "s", no_vhost);
    fixture->kvm = HV_HYPERVISOR (hv_kvm_new (g_variant_dict_end (&config), &error));
    g_assert_no_error (error);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HvInstance) instance = new_instance (fixture->kvm);
      GVariantDict hvparams;

      g_variant_dict_init (&hvparams, hv_instance_get_hvparams (instance));
      g_variant_dict_insert_value (&hvparams, cases[i].key, g_variant_new_parsed (cases[i].value));
      hv_instance_set_hvparams (instance, g_variant_dict_end (&hvparams));
      g_assert_false (hv_hypervisor_start_instance_sync (fixture->kvm, instance, TRUE, NULL,
                                                         &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
      if (strstr (error->message, cases[i].key) == NULL)
        g_error ("'%s' not named in: %s", cases[i].key, error->message);
      g_clear_error (&error);
      assert_nothing_left (fixture);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/kvm/lifecycle/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("start-info-balloon-reboot-stop", test_start_info_balloon_reboot_stop);
  ADD ("forced-stop", test_forced_stop);
  ADD ("nics-on-bridge", test_nics_on_bridge);
  ADD ("failed-starts", test_failed_starts);
  ADD ("already-running", test_already_running);
  ADD ("takeover", test_takeover);
  ADD ("guest-poweroff", test_guest_poweroff);
  ADD ("bad-parameters", test_bad_parameters);
  ADD ("machine-kept-across-qemu", test_machine_kept_across_qemu);
#undef ADD

  return g_test_run ();
}
