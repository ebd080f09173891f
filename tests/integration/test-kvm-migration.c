/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-test.h"
#include "hv-test-files.h"
#include "hv-test-migration.h"

/*
 * Live migration between two hosts (issue 10): two helper processes, each
 * in its own network namespace with its own run dir and HvKvm, joined by
 * a veth pair; the disk files shared. Ganeti's sequence through the
 * interface: migration_info on A, accept_instance on B, migrate_instance
 * on A, the finalizes. Every failure test ends with exactly one running
 * guest (or, when its QEMU was the one killed, none) and nothing of the
 * other side: no process, tap, file or record.
 *
 * "Mid-transfer" is made reliable with migration_bandwidth (1 MiB/s: the
 * test guest's ~90 MiB of non-zero RAM take over a minute), never with
 * sleeps: the failure is caused once a progress event says RAM flows.
 */

#define NAME "mig-kvm"
#define UUID "5b6c7d8e-9f01-4a2b-8c3d-4e5f60718293"
#define DISK_UUID "0d1e2f30-4152-4637-8849-5a6b7c8d9eaf"
#define NIC_UUID "1e2f3041-5263-4748-995a-6b7c8d9eaf01"
#define NIC_MAC "aa:00:00:4d:49:47"

typedef struct {
  gchar               *work_dir;
  HvTestMigrationHost *a;
  HvTestMigrationHost *b;
  gboolean             ready;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->work_dir = g_dir_make_tmp ("hvkit-migration-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->ready = hv_test_migration_hosts_new (fixture->work_dir, NAME, UUID, 128, &fixture->a,
                                                &fixture->b);
}

/* Host B upgraded first: its QEMU is 10.0 (the wrapper meson builds,
 * HVKIT_TEST_QEMU10), mounted over the system's 7.2 for B's process only,
 * so that the kvm_path of A's record runs 10.0 there. */
static void
fixture_set_up_qemu10 (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const gchar *qemu10 = g_getenv ("HVKIT_TEST_QEMU10");

  fixture->work_dir = g_dir_make_tmp ("hvkit-migration-XXXXXX", &error);
  g_assert_no_error (error);
  if (qemu10 == NULL || !g_file_test (qemu10, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no second QEMU (HVKIT_TEST_QEMU10, meson -Dtest_qemu10=true)");
      return;
    }
  fixture->ready = hv_test_migration_hosts_new_full (fixture->work_dir, NAME, UUID, 128, NULL,
                                                     qemu10, &fixture->a, &fixture->b);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  HvTestMigrationHost *hosts[] = { fixture->a, fixture->b };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      GPid pid;

      if (hosts[i] == NULL)
        continue;
      /* whatever a failed assertion left running */
      pid = hv_test_migration_host_get_qemu_pid (hosts[i]);
      if (pid > 0)
        kill (pid, SIGKILL);
      hv_test_migration_host_free (hosts[i]);
    }
  /* HV_TEST_KEEP_WORK_DIR=1 keeps the run dirs and QEMU logs to look at */
  if (g_getenv ("HV_TEST_KEEP_WORK_DIR") == NULL)
    hv_test_remove_tree (fixture->work_dir);
  else
    g_printerr ("# kept %s\n", fixture->work_dir);
  g_free (fixture->work_dir);
}

static void
check (gchar *answer)
{
  g_free (answer);
}

/* The guest on A, with something in its RAM only. */
static void
start_source (Fixture *fixture)
{
  check (hv_test_migration_host_run (fixture->a, "start"));
  check (hv_test_migration_host_run (fixture->a, "run echo state-4711 > /tmp/state"));
}

static void
accept_on_b (Fixture *fixture)
{
  g_autofree gchar *info = hv_test_migration_host_run (fixture->a, "info");

  check (hv_test_migration_host_run (fixture->b, "accept %s %s", info,
                                     HV_TEST_MIGRATION_ADDRESS_B));
}

static void
assert_nothing_left (HvTestMigrationHost *host)
{
  g_autofree gchar *left = hv_test_migration_host_run (host, "leftovers");
  g_autofree gchar *listed = hv_test_migration_host_run (host, "list");

  g_assert_cmpstr (left, ==, "");
  g_assert_cmpstr (listed, ==, "");
  g_assert_cmpint (hv_test_migration_host_get_qemu_pid (host), ==, 0);
}

/* The guest runs on @host, listed, with its RAM state and answering. */
static void
assert_guest_runs (HvTestMigrationHost *host)
{
  g_autofree gchar *listed = hv_test_migration_host_run (host, "list");
  g_autofree gchar *state = hv_test_migration_host_run (host, "run cat /tmp/state");
  GPid pid = hv_test_migration_host_get_qemu_pid (host);

  g_assert_cmpstr (listed, ==, NAME);
  g_assert_cmpstr (state, ==, "state-4711");
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (kill (pid, 0), ==, 0);
}

/* Both capabilities the migration set are cleared on @host. */
static void
assert_caps_cleared (HvTestMigrationHost *host)
{
  check (hv_test_migration_host_run (host, "hmp ^events:\\soff info migrate_capabilities"));
}

/* Waits until the source reports RAM flowing to the target. */
static void
wait_transferring (HvTestMigrationHost *host)
{
  g_autofree gchar *line = hv_test_migration_host_wait_progress (host, "active", 1);

  g_test_message ("mid-transfer: %s", line);
}

/* -- the whole flow --------------------------------------------------------- */

static void
test_live (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree gchar *disk = NULL;
  g_autofree gchar *disk_pci = NULL;
  g_autofree gchar *nic_pci = NULL;
  g_autofree gchar *done = NULL;
  g_autofree gchar *status = NULL;
  g_autofree gchar *uptime_before = NULL;
  g_autofree gchar *uptime_after = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) words = NULL;
  guint id;

  if (!fixture->ready)
    return;
  disk = g_build_filename (fixture->work_dir, "disk0.img", NULL);
  g_file_set_contents (disk, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (truncate (disk, 16 * 1024 * 1024), ==, 0);

  start_source (fixture);
  disk_pci = hv_test_migration_host_run (fixture->a, "hotadd disk %s %s 0", DISK_UUID, disk);
  nic_pci = hv_test_migration_host_run (fixture->a, "hotadd nic %s %s 0", NIC_UUID, NIC_MAC);
  check (hv_test_migration_host_run (fixture->a,
                                     "wait-line ^UEVENT\\sadd\\sblock\\s/devices/pci0000:00/0000:00:%02x\\.0/",
                                     (guint) g_ascii_strtoull (disk_pci, NULL, 10)));
  check (hv_test_migration_host_run (fixture->a,
                                     "wait-line ^UEVENT\\sadd\\snet\\s/devices/pci0000:00/0000:00:%02x\\.0/",
                                     (guint) g_ascii_strtoull (nic_pci, NULL, 10)));
  check (hv_test_migration_host_run (fixture->a, "run test -b /dev/vda"));
  uptime_before = hv_test_migration_host_run (fixture->a, "run cut -d. -f1 /proc/uptime");

  accept_on_b (fixture);
  /* not the target's yet: ListInstances leaves it out */
  {
    g_autofree gchar *listed = hv_test_migration_host_run (fixture->b, "list");

    g_assert_cmpstr (listed, ==, "");
  }
  check (hv_test_migration_host_run (fixture->a, "set migration_bandwidth=200"));
  id = hv_test_migration_host_send (fixture->a, "migrate %s live", HV_TEST_MIGRATION_ADDRESS_B);
  done = hv_test_migration_host_wait (fixture->a, id, &error);
  g_assert_no_error (error);
  /* migration-progress was emitted, the last one completed */
  g_assert_cmpuint (hv_test_migration_host_count_progress (fixture->a), >, 0);
  /* the `completed` progress says when QEMU completed (state-time, wall
   * clock µs): before migrate_instance returned, and not long before */
  {
    g_autofree gchar *completed = hv_test_migration_host_wait_progress (fixture->a, "completed", 0);
    g_auto(GStrv) fields = g_strsplit (completed, " ", -1);
    gint64 state_time = g_ascii_strtoll (fields[4], NULL, 10);
    gint64 returned = g_ascii_strtoll (done, NULL, 10);

    g_assert_cmpint (state_time, >, 0);
    g_assert_cmpint (state_time, <=, returned);
    g_assert_cmpint (returned - state_time, <, 10 * G_USEC_PER_SEC);
  }

  /* final figures: completed, a real downtime (QEMU's first answer can
   * say 0) */
  status = hv_test_migration_host_run (fixture->a, "status");
  words = g_strsplit (status, " ", -1);
  g_assert_cmpstr (words[0], ==, "completed");
  g_assert_cmpint (g_ascii_strtoll (words[1], NULL, 10), >, 0);
  g_assert_cmpint (g_ascii_strtoll (words[2], NULL, 10), >, 0);

  check (hv_test_migration_host_run (fixture->b, "finalize-dst ok"));
  check (hv_test_migration_host_run (fixture->a, "finalize-src ok live"));
  assert_nothing_left (fixture->a);

  check (hv_test_migration_host_run (fixture->b, "console"));
  assert_guest_runs (fixture->b);
  assert_caps_cleared (fixture->b);
  uptime_after = hv_test_migration_host_run (fixture->b, "run cut -d. -f1 /proc/uptime");
  g_assert_cmpint (g_ascii_strtoll (uptime_after, NULL, 10), >=,
                   g_ascii_strtoll (uptime_before, NULL, 10));
  /* the hot-added devices are there, and go away on request */
  check (hv_test_migration_host_run (fixture->b, "run test -b /dev/vda"));
  {
    g_autofree gchar *again = hv_test_migration_host_run (fixture->b, "hotdel disk %s %s 0",
                                                          DISK_UUID, disk);
    g_autofree gchar *again_nic = hv_test_migration_host_run (fixture->b, "hotdel nic %s %s 0",
                                                              NIC_UUID, NIC_MAC);
  }
  check (hv_test_migration_host_run (fixture->b, "run ! test -e /dev/vda"));
  check (hv_test_migration_host_run (fixture->b, "stop"));
  assert_nothing_left (fixture->b);
}

/* -- cancel, and what a running migration refuses --------------------------- */

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree gchar *status = NULL;
  g_autoptr(GError) error = NULL;
  guint id;

  if (!fixture->ready)
    return;
  start_source (fixture);
  accept_on_b (fixture);
  check (hv_test_migration_host_run (fixture->a, "set migration_bandwidth=1"));
  check (hv_test_migration_host_run (fixture->a, "set migration_downtime=123"));
  id = hv_test_migration_host_send (fixture->a, "migrate %s live", HV_TEST_MIGRATION_ADDRESS_B);
  wait_transferring (fixture->a);

  /* bandwidth and downtime as QEMU has them */
  check (hv_test_migration_host_run (fixture->a,
                                     "hmp ^max-bandwidth:\\s1048576\\sbytes/second "
                                     "info migrate_parameters"));
  check (hv_test_migration_host_run (fixture->a,
                                     "hmp ^downtime-limit:\\s123\\sms info migrate_parameters"));
  check (hv_test_migration_host_run (fixture->a, "hmp ^events:\\son info migrate_capabilities"));

  /* one operation at a time */
  g_assert_null (hv_test_migration_host_call (fixture->a, &error, "hotadd nic %s %s 0", NIC_UUID,
                                              NIC_MAC));
  g_assert_error (error, HV_ERROR, HV_ERROR_MIGRATION);
  g_assert_nonnull (strstr (error->message, "migration"));
  g_clear_error (&error);
  g_assert_null (hv_test_migration_host_call (fixture->a, &error, "balloon 64"));
  g_assert_error (error, HV_ERROR, HV_ERROR_MIGRATION);
  g_clear_error (&error);
  /* the target too, while it waits for the guest */
  g_assert_null (hv_test_migration_host_call (fixture->b, &error, "hotadd nic %s %s 0", NIC_UUID,
                                              NIC_MAC));
  g_assert_error (error, HV_ERROR, HV_ERROR_MIGRATION);
  g_clear_error (&error);

  check (hv_test_migration_host_run (fixture->a, "cancel"));
  g_assert_null (hv_test_migration_host_wait (fixture->a, id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  status = hv_test_migration_host_run (fixture->a, "status");
  g_assert_true (g_str_has_prefix (status, "cancelled "));

  check (hv_test_migration_host_run (fixture->b, "finalize-dst fail"));
  check (hv_test_migration_host_run (fixture->a, "finalize-src fail live"));
  assert_nothing_left (fixture->b);
  assert_guest_runs (fixture->a);
  assert_caps_cleared (fixture->a);
}

/* -- the target's QEMU killed mid-transfer ---------------------------------- */

static void
test_target_killed (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree gchar *status = NULL;
  g_autoptr(GError) error = NULL;
  GPid target;
  guint id;

  if (!fixture->ready)
    return;
  start_source (fixture);
  accept_on_b (fixture);
  check (hv_test_migration_host_run (fixture->a, "set migration_bandwidth=1"));
  id = hv_test_migration_host_send (fixture->a, "migrate %s live", HV_TEST_MIGRATION_ADDRESS_B);
  wait_transferring (fixture->a);
  target = hv_test_migration_host_get_qemu_pid (fixture->b);
  g_assert_cmpint (target, >, 0);
  g_assert_cmpint (kill (target, SIGKILL), ==, 0);

  g_assert_null (hv_test_migration_host_wait (fixture->a, id, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_MIGRATION);
  g_test_message ("%s", error->message);
  status = hv_test_migration_host_run (fixture->a, "status");
  g_assert_true (g_str_has_prefix (status, "failed "));

  check (hv_test_migration_host_run (fixture->b, "finalize-dst fail"));
  check (hv_test_migration_host_run (fixture->a, "finalize-src fail live"));
  assert_nothing_left (fixture->b);
  assert_guest_runs (fixture->a);
  assert_caps_cleared (fixture->a);
}

/* -- the source's QEMU killed mid-transfer: the guest is gone with it; the
 * target undoes itself, the source cleans up what its QEMU left ---------- */

static void
test_source_killed (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GPid source;
  guint id;

  if (!fixture->ready)
    return;
  start_source (fixture);
  accept_on_b (fixture);
  check (hv_test_migration_host_run (fixture->a, "set migration_bandwidth=1"));
  id = hv_test_migration_host_send (fixture->a, "migrate %s live", HV_TEST_MIGRATION_ADDRESS_B);
  wait_transferring (fixture->a);
  source = hv_test_migration_host_get_qemu_pid (fixture->a);
  g_assert_cmpint (kill (source, SIGKILL), ==, 0);

  g_assert_null (hv_test_migration_host_wait (fixture->a, id, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_MIGRATION);
  g_clear_error (&error);
  check (hv_test_migration_host_run (fixture->b, "finalize-dst fail"));
  check (hv_test_migration_host_run (fixture->a, "finalize-src fail live"));
  assert_nothing_left (fixture->a);
  assert_nothing_left (fixture->b);
}

/* -- nothing listens on the target ------------------------------------------ */

static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree gchar *status = NULL;
  g_autoptr(GError) error = NULL;

  if (!fixture->ready)
    return;
  start_source (fixture);
  g_assert_null (hv_test_migration_host_call (fixture->a, &error, "migrate %s live",
                                              HV_TEST_MIGRATION_ADDRESS_B));
  g_assert_error (error, HV_ERROR, HV_ERROR_MIGRATION);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  status = hv_test_migration_host_run (fixture->a, "status");
  g_assert_true (g_str_has_prefix (status, "failed "));
  check (hv_test_migration_host_run (fixture->a, "finalize-src fail live"));
  assert_guest_runs (fixture->a);
  assert_caps_cleared (fixture->a);
  assert_nothing_left (fixture->b);
}

/* -- non-live: stopped first, running on the target after ------------------- */

static void
test_non_live (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (!fixture->ready)
    return;
  start_source (fixture);
  accept_on_b (fixture);
  check (hv_test_migration_host_run (fixture->a, "set migration_bandwidth=200"));
  check (hv_test_migration_host_run (fixture->a, "migrate %s non-live",
                                     HV_TEST_MIGRATION_ADDRESS_B));
  check (hv_test_migration_host_run (fixture->b, "finalize-dst ok"));
  check (hv_test_migration_host_run (fixture->a, "finalize-src ok non-live"));
  assert_nothing_left (fixture->a);
  check (hv_test_migration_host_run (fixture->b, "console"));
  assert_guest_runs (fixture->b);
  check (hv_test_migration_host_run (fixture->b, "stop"));
}

/* -- refused before anything starts ------------------------------------------ */

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree gchar *info = NULL;
  g_autofree gchar *damaged = NULL;
  g_autoptr(GError) error = NULL;
  guchar *bytes;
  gsize size;

  if (!fixture->ready)
    return;
  start_source (fixture);
  info = hv_test_migration_host_run (fixture->a, "info");

  /* a damaged record */
  bytes = g_base64_decode (info, &size);
  bytes[size / 2] ^= 0x5a;
  damaged = g_base64_encode (bytes, size);
  g_free (bytes);
  g_assert_null (hv_test_migration_host_call (fixture->b, &error, "accept %s %s", damaged,
                                              HV_TEST_MIGRATION_ADDRESS_B));
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  g_assert_nonnull (strstr (error->message, NAME));
  g_clear_error (&error);
  assert_nothing_left (fixture->b);

  /* an unknown capability, on either side */
  check (hv_test_migration_host_run (fixture->b, "set migration_caps=xbzrle:no-such-cap"));
  g_assert_null (hv_test_migration_host_call (fixture->b, &error, "accept %s %s", info,
                                              HV_TEST_MIGRATION_ADDRESS_B));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_nonnull (strstr (error->message, "no-such-cap"));
  g_clear_error (&error);
  assert_nothing_left (fixture->b);

  check (hv_test_migration_host_run (fixture->a, "set migration_caps=no-such-cap"));
  g_assert_null (hv_test_migration_host_call (fixture->a, &error, "migrate %s live",
                                              HV_TEST_MIGRATION_ADDRESS_B));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_nonnull (strstr (error->message, "no-such-cap"));
  g_clear_error (&error);
  assert_guest_runs (fixture->a);
}

/* -- the policies ------------------------------------------------------------ */

/* Postcopy from the first dirty-sync pass, at 20 MiB/s: the guest runs on
 * the target while its RAM follows. (The downtime escalation's decisions
 * are tested in test-kvm-migration-policy, unit suite.) */
static void
test_auto_postcopy (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree gchar *postcopy = NULL;

  if (!fixture->ready)
    return;
  check (hv_test_migration_host_run (fixture->a,
                                     "init migration-auto-postcopy=1 migration-postcopy-passes=1"));
  start_source (fixture);
  check (hv_test_migration_host_run (fixture->a, "set migration_caps=postcopy-ram"));
  check (hv_test_migration_host_run (fixture->b, "set migration_caps=postcopy-ram"));
  accept_on_b (fixture);
  check (hv_test_migration_host_run (fixture->a, "set migration_bandwidth=20"));
  check (hv_test_migration_host_run (fixture->a, "migrate %s live", HV_TEST_MIGRATION_ADDRESS_B));
  postcopy = hv_test_migration_host_wait_progress (fixture->a, "postcopy-active", 0);
  check (hv_test_migration_host_run (fixture->b, "finalize-dst ok"));
  check (hv_test_migration_host_run (fixture->a, "finalize-src ok live"));
  assert_nothing_left (fixture->a);
  check (hv_test_migration_host_run (fixture->b, "console"));
  assert_guest_runs (fixture->b);
  check (hv_test_migration_host_run (fixture->b, "stop"));
}

/* -- a node daemon restarted on both sides while the migration runs ------- */

static void
test_restart (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree gchar *status = NULL;
  g_autoptr(GError) error = NULL;

  if (!fixture->ready)
    return;
  start_source (fixture);
  accept_on_b (fixture);
  check (hv_test_migration_host_run (fixture->a, "set migration_bandwidth=10"));
  hv_test_migration_host_send (fixture->a, "migrate %s live", HV_TEST_MIGRATION_ADDRESS_B);
  wait_transferring (fixture->a);

  /* both HvKvms gone (SIGKILL), new ones on the same run dirs */
  hv_test_migration_host_restart (fixture->a);
  hv_test_migration_host_restart (fixture->b);

  /* picked up: still one operation at a time, the status QEMU's */
  g_assert_null (hv_test_migration_host_call (fixture->a, &error, "hotadd nic %s %s 0", NIC_UUID,
                                              NIC_MAC));
  g_assert_error (error, HV_ERROR, HV_ERROR_MIGRATION);
  g_clear_error (&error);
  status = hv_test_migration_host_run (fixture->a, "status");
  g_test_message ("after the restart: %s", status);
  g_assert_true (g_str_has_prefix (status, "active ") || g_str_has_prefix (status, "completed "));
  {
    g_autofree gchar *listed = hv_test_migration_host_run (fixture->b, "list");

    g_assert_cmpstr (listed, ==, "");
  }

  /* the target's finalize waits for the end; then both finalizes work */
  check (hv_test_migration_host_run (fixture->b, "finalize-dst ok"));
  g_clear_pointer (&status, g_free);
  status = hv_test_migration_host_run (fixture->a, "status");
  g_assert_true (g_str_has_prefix (status, "completed "));
  check (hv_test_migration_host_run (fixture->a, "finalize-src ok live"));
  assert_nothing_left (fixture->a);
  check (hv_test_migration_host_run (fixture->b, "console"));
  assert_guest_runs (fixture->b);
  check (hv_test_migration_host_run (fixture->b, "stop"));
  assert_nothing_left (fixture->b);
}

/* -- a stop cancels the migration first ---------------------------------- */

static void
test_stop_cancels (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint id;

  if (!fixture->ready)
    return;
  start_source (fixture);
  accept_on_b (fixture);
  check (hv_test_migration_host_run (fixture->a, "set migration_bandwidth=1"));
  id = hv_test_migration_host_send (fixture->a, "migrate %s live", HV_TEST_MIGRATION_ADDRESS_B);
  wait_transferring (fixture->a);
  check (hv_test_migration_host_run (fixture->a, "stop"));
  g_assert_null (hv_test_migration_host_wait (fixture->a, id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  check (hv_test_migration_host_run (fixture->b, "finalize-dst fail"));
  assert_nothing_left (fixture->a);
  assert_nothing_left (fixture->b);
}

/* -- a routed NIC: its ifup on the target only after success ------------- */

#define ROUTED_UUID "2f304152-6374-4859-8a6b-7c8d9eaf0112"
#define ROUTED_MAC "aa:00:00:52:54:45"

static void
test_routed_nic (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree gchar *source_ifups = NULL;
  g_autofree gchar *accepted_ifups = NULL;
  g_autofree gchar *final_ifups = NULL;

  if (!fixture->ready)
    return;
  start_source (fixture);
  check (hv_test_migration_host_run (fixture->a, "hotadd nic %s %s 0", NIC_UUID, NIC_MAC));
  check (hv_test_migration_host_run (fixture->a, "hotadd rnic %s %s 1", ROUTED_UUID,
                                     ROUTED_MAC));
  source_ifups = hv_test_migration_host_run (fixture->a, "ifups");
  g_assert_nonnull (strstr (source_ifups, "routed "));

  /* the target brings up the bridged NIC at once, the routed one only
   * once the guest is its own */
  accept_on_b (fixture);
  accepted_ifups = hv_test_migration_host_run (fixture->b, "ifups");
  g_assert_nonnull (strstr (accepted_ifups, "bridged "));
  g_assert_null (strstr (accepted_ifups, "routed "));
  check (hv_test_migration_host_run (fixture->a, "set migration_bandwidth=200"));
  check (hv_test_migration_host_run (fixture->a, "migrate %s live", HV_TEST_MIGRATION_ADDRESS_B));
  g_clear_pointer (&accepted_ifups, g_free);
  accepted_ifups = hv_test_migration_host_run (fixture->b, "ifups");
  g_assert_null (strstr (accepted_ifups, "routed "));
  check (hv_test_migration_host_run (fixture->b, "finalize-dst ok"));
  final_ifups = hv_test_migration_host_run (fixture->b, "ifups");
  g_assert_nonnull (strstr (final_ifups, "routed "));
  check (hv_test_migration_host_run (fixture->a, "finalize-src ok live"));
  assert_nothing_left (fixture->a);
  check (hv_test_migration_host_run (fixture->b, "stop"));
  assert_nothing_left (fixture->b);
}

/* -- from a QEMU 7.2 host to a QEMU 10.0 host and back ---------------------- */

/* The guest, with a hot-added disk and NIC, goes from @from to @to, whose
 * QEMU answers HMP's `info version` with @to_version; its RAM state and
 * devices come along. */
static void
migrate_across (HvTestMigrationHost *from,
                HvTestMigrationHost *to,
                const gchar         *to_address,
                const gchar         *to_version)
{
  g_autofree gchar *info = hv_test_migration_host_run (from, "info");
  g_autofree gchar *done = NULL;
  g_autoptr(GError) error = NULL;
  guint id;

  check (hv_test_migration_host_run (to, "accept %s %s", info, to_address));
  id = hv_test_migration_host_send (from, "migrate %s live", to_address);
  done = hv_test_migration_host_wait (from, id, &error);
  g_assert_no_error (error);
  check (hv_test_migration_host_run (to, "finalize-dst ok"));
  check (hv_test_migration_host_run (from, "finalize-src ok live"));
  assert_nothing_left (from);
  check (hv_test_migration_host_run (to, "hmp %s info version", to_version));
  check (hv_test_migration_host_run (to, "console"));
  assert_guest_runs (to);
  check (hv_test_migration_host_run (to, "run test -b /dev/vda"));
}

static void
test_qemu_versions (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree gchar *disk = NULL;
  g_autofree gchar *disk_pci = NULL;
  g_autofree gchar *nic_pci = NULL;
  g_autoptr(GError) error = NULL;

  if (!fixture->ready)
    return;
  disk = g_build_filename (fixture->work_dir, "disk0.img", NULL);
  g_file_set_contents (disk, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (truncate (disk, 16 * 1024 * 1024), ==, 0);

  start_source (fixture);
  check (hv_test_migration_host_run (fixture->a, "hmp ^7\\.2\\. info version"));
  disk_pci = hv_test_migration_host_run (fixture->a, "hotadd disk %s %s 0", DISK_UUID, disk);
  nic_pci = hv_test_migration_host_run (fixture->a, "hotadd nic %s %s 0", NIC_UUID, NIC_MAC);
  check (hv_test_migration_host_run (fixture->a,
                                     "wait-line ^UEVENT\\sadd\\sblock\\s/devices/pci0000:00/0000:00:%02x\\.0/",
                                     (guint) g_ascii_strtoull (disk_pci, NULL, 10)));

  /* up to 10.0, where the machine stays 7.2's, and back down to 7.2 */
  migrate_across (fixture->a, fixture->b, HV_TEST_MIGRATION_ADDRESS_B, "^10\\.0\\.");
  migrate_across (fixture->b, fixture->a, HV_TEST_MIGRATION_ADDRESS_A, "^7\\.2\\.");

  /* the hot-added devices still go away on request */
  g_free (hv_test_migration_host_run (fixture->a, "hotdel disk %s %s 0", DISK_UUID, disk));
  g_free (hv_test_migration_host_run (fixture->a, "hotdel nic %s %s 0", NIC_UUID, NIC_MAC));
  check (hv_test_migration_host_run (fixture->a, "run ! test -e /dev/vda"));
  check (hv_test_migration_host_run (fixture->a, "stop"));
  assert_nothing_left (fixture->a);
  assert_nothing_left (fixture->b);
}

#define TEST(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  TEST ("/kvm/migration/live", test_live);
  TEST ("/kvm/migration/cancel", test_cancel);
  TEST ("/kvm/migration/target-killed", test_target_killed);
  TEST ("/kvm/migration/source-killed", test_source_killed);
  TEST ("/kvm/migration/unreachable", test_unreachable);
  TEST ("/kvm/migration/non-live", test_non_live);
  TEST ("/kvm/migration/refused", test_refused);
  TEST ("/kvm/migration/auto-postcopy", test_auto_postcopy);
  TEST ("/kvm/migration/restart", test_restart);
  TEST ("/kvm/migration/stop-cancels", test_stop_cancels);
  TEST ("/kvm/migration/routed-nic", test_routed_nic);
  g_test_add ("/kvm/migration/qemu-7.2-to-10.0-and-back", Fixture, NULL, fixture_set_up_qemu10,
              test_qemu_versions, fixture_tear_down);

  return g_test_run ();
}
