/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A soak: on one running test guest (TCG), cycles of HotAddDevice and
 * HotDelDevice of a disk and of a NIC on a bridge, through HvKvm as a
 * node agent calls it, in a private network namespace. Each cycle: the
 * disk added (the guest reports it), the NIC added (the guest reports
 * it), the disk removed, the NIC removed (each removal returns on QEMU's
 * DEVICE_DELETED). Nothing of the cycles may accumulate:
 *
 *   cycles                       HVKIT_SOAK_CYCLES, default 1000
 *   fds_at_100, fds_at_end       descriptors of this process (HvKvm's)
 *   rss_mib_at_100, _at_end      its resident memory
 *   taps_at_end                  taps left in the namespace (the guest
 *                                started with none)
 *   record_bytes_at_100, _at_end the instance's runtime record
 *   journal_bytes_at_end         the record's journal (`pending`), as
 *                                serialized
 *
 * "at_100" is after cycle 100, or after half the cycles when there are
 * fewer than 200 (the CI form runs 50): by then every cache, pool and
 * arena has its working size, and what grows after it grows per cycle.
 *
 * Flat, or the program exits 1:
 *   - fds equal: every descriptor of a cycle (tap, disk, getfd, script
 *     pipes) is closed by its end;
 *   - RSS within 2 MiB: malloc's arenas breathe by some hundred KiB; a
 *     leak of 2.3 KiB or more per cycle shows over 900 cycles. Smaller
 *     leaks are LeakSanitizer's and memcheck's (soak-short, soak-valgrind),
 *     where the RSS is the tool's too (ASan's quarantine of freed memory,
 *     memcheck's shadow memory) and is not checked
 *     (HVKIT_SOAK_RSS_TOLERANCE_MIB=-1; the tolerance in MiB otherwise);
 *   - record bytes equal: the record after a cycle is the record before;
 *   - journal compacted: no entry left (0 bytes);
 *   - no tap left.
 *
 *   meson test -C build --benchmark bench-soak -v
 *   meson test -C build soak-short           (50 cycles, suite integration)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm.h"
#include "hv-kvm-runtime.h"
#include "hv-test.h"
#include "hv-test-files.h"
#include "hv-test-kvm-guest.h"

#define NAME               "soak"
#define DEFAULT_CYCLES     1000
#define COMMAND_TIMEOUT_MS 60000
#define RSS_TOLERANCE_MIB  2.0
#define DISK_UUID          "50a10000-d15c-4000-8000-000000000001"
#define NIC_UUID           "50a10000-0a1c-4000-8000-000000000002"

typedef struct {
  gchar         *work_dir;
  gchar         *run_dir;
  HvHypervisor  *kvm;
  HvInstance    *instance;
  HvTestConsole *serial;
  gchar         *disk_path;
  GPid           pid;           /* QEMU, killed if the soak aborts */
} Soak;

typedef struct {
  guint   fds;
  gchar  *fd_list;     /* what each descriptor is, for a failure's message */
  gdouble rss_mib;
  gint64  record_bytes;
  gint64  journal_bytes;
  guint   taps;
} Sample;

/* ---- what is measured ---------------------------------------------------------- */

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n > 0 ? n - 1 : 0;     /* the directory's own */
}

static gchar *
list_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_autoptr(GString) list = g_string_new (NULL);
  const gchar *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename ("/proc/self/fd", entry, NULL);
      g_autofree gchar *target = g_file_read_link (path, NULL);

      g_string_append_printf (list, " %s=%s", entry, target != NULL ? target : "?");
    }
  return g_string_free (g_steal_pointer (&list), FALSE);
}

static gdouble
rss_mib (void)
{
  g_autofree gchar *status = NULL;
  const gchar *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "\nVmRSS:")) == NULL)
    return -1;
  return (gdouble) g_ascii_strtoll (line + strlen ("\nVmRSS:"), NULL, 10) / 1024.0;
}

static guint
count_taps (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) taps = hv_test_netns_list_taps (&error);

  g_assert_no_error (error);
  return g_strv_length (taps);
}

static gboolean
quit_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The last removal returns once QEMU has let the device go; GLib closes
 * the ifdown script's pipes and child-watch descriptor in its worker
 * thread a moment later. So a count is taken once two readings 100 ms
 * apart agree (at most 2 s), the same way after cycle 100 and at the end:
 * a descriptor that stays open is still counted. */
static guint
count_settled_fds (void)
{
  guint last = count_fds ();

  for (guint i = 0; i < 20; i++)
    {
      gboolean done = FALSE;
      guint now;

      g_timeout_add (100, quit_cb, &done);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
      now = count_fds ();
      if (now == last)
        break;
      last = now;
    }
  return last;
}

static void
sample (Soak   *soak,
        Sample *out)
{
  g_autoptr(HvRuntimeStore) store = hv_kvm_runtime_store_new (soak->run_dir);
  g_autofree gchar *path = NULL;
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GVariant) pending = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf buf;

  path = hv_runtime_store_get_path (store, NAME, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  record = hv_runtime_store_load (store, NAME, NULL, &error);
  g_assert_no_error (error);
  pending = g_variant_lookup_value (record, "pending", G_VARIANT_TYPE ("aa{sv}"));
  out->fds = count_settled_fds ();
  g_free (out->fd_list);
  out->fd_list = list_fds ();
  out->rss_mib = rss_mib ();
  out->record_bytes = buf.st_size;
  out->journal_bytes = pending != NULL ? (gint64) g_variant_get_size (pending) : 0;
  out->taps = count_taps ();
}

/* ---- the guest ---------------------------------------------------------------- */

static HvHypervisor *
new_kvm (Soak *soak)
{
  g_autofree gchar *ifup = g_build_filename (soak->work_dir, "ifup", NULL);
  g_autofree gchar *ifdown = g_build_filename (soak->work_dir, "ifdown", NULL);
  g_autoptr(GError) error = NULL;
  GVariantDict config;
  HvKvm *kvm;

  g_file_set_contents (ifup, "#!/bin/sh\nexec ip link set \"$INTERFACE\" master \"$BRIDGE\" up\n",
                       -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (ifdown, "#!/bin/sh\nexit 0\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (ifup, 0700), ==, 0);
  g_assert_cmpint (g_chmod (ifdown, 0700), ==, 0);
  g_variant_dict_init (&config, NULL);
  g_variant_dict_insert (&config, "run-dir", "s", soak->run_dir);
  g_variant_dict_insert (&config, "ifup-script", "s", ifup);
  g_variant_dict_insert (&config, "ifdown-script", "s", ifdown);
  /* what is measured is what stays behind, not how fast the guest lets
   * a device go: under valgrind, or on a loaded node, 10 s was too short */
  g_variant_dict_insert (&config, "removal-timeout-ms", "u", (guint32) 60000);
  kvm = hv_kvm_new (g_variant_dict_end (&config), &error);
  g_assert_no_error (error);
  return HV_HYPERVISOR (kvm);
}

static HvDisk *
new_disk (Soak *soak)
{
  HvDisk *disk = hv_disk_new ();

  hv_device_set_uuid (HV_DEVICE (disk), DISK_UUID);
  hv_disk_set_size (disk, 16);
  hv_disk_set_mode (disk, "rw");
  hv_disk_set_link (disk, soak->disk_path);
  return disk;
}

static HvNic *
new_nic (void)
{
  HvNic *nic = hv_nic_new ();

  hv_device_set_uuid (HV_DEVICE (nic), NIC_UUID);
  hv_nic_set_mac (nic, "52:54:00:50:a1:02");
  hv_nic_set_mode (nic, "bridged");
  hv_nic_set_link (nic, "br0");
  return nic;
}

static gboolean
wait_uevent (Soak        *soak,
             const gchar *action,
             const gchar *subsystem,
             gint         slot,
             GError     **error)
{
  g_autofree gchar *pattern = g_strdup_printf ("^UEVENT %s %s /devices/pci0000:00/0000:00:%02x\\.0/",
                                               action, subsystem, slot);
  g_autofree gchar *line = hv_test_console_wait_for_line (soak->serial, pattern,
                                                          COMMAND_TIMEOUT_MS, error);

  return line != NULL;
}

/* One cycle; FALSE with @error on the first failure. */
static gboolean
cycle (Soak    *soak,
       GError **error)
{
  g_autoptr(HvDisk) disk = new_disk (soak);
  g_autoptr(HvNic) nic = new_nic ();

  /* what the guest said in the cycles before is not kept */
  hv_test_console_forget_received (soak->serial);
  return hv_hypervisor_hot_add_device_sync (soak->kvm, soak->instance, HV_DEVICE (disk), 0,
                                            NULL, error) &&
         wait_uevent (soak, "add", "block", hv_device_get_pci (HV_DEVICE (disk)), error) &&
         hv_hypervisor_hot_add_device_sync (soak->kvm, soak->instance, HV_DEVICE (nic), 1,
                                            NULL, error) &&
         wait_uevent (soak, "add", "net", hv_device_get_pci (HV_DEVICE (nic)), error) &&
         hv_hypervisor_hot_del_device_sync (soak->kvm, soak->instance, HV_DEVICE (disk), 0,
                                            NULL, error) &&
         hv_hypervisor_hot_del_device_sync (soak->kvm, soak->instance, HV_DEVICE (nic), 1,
                                            NULL, error);
}

/* ---- flat --------------------------------------------------------------------- */

static gboolean
check_flat (const Sample *at_reference,
            const Sample *at_end)
{
  const gchar *tolerance_env = g_getenv ("HVKIT_SOAK_RSS_TOLERANCE_MIB");
  gdouble rss_tolerance = tolerance_env != NULL ? g_ascii_strtod (tolerance_env, NULL)
                                                : RSS_TOLERANCE_MIB;
  gboolean flat = TRUE;

  if (at_end->fds != at_reference->fds)
    {
      g_printerr ("bench-soak: descriptors grew from %u to %u\n  before:%s\n  after:%s\n",
                  at_reference->fds, at_end->fds, at_reference->fd_list, at_end->fd_list);
      flat = FALSE;
    }
  if (rss_tolerance >= 0 && at_end->rss_mib > at_reference->rss_mib + rss_tolerance)
    {
      g_printerr ("bench-soak: RSS grew from %.1f to %.1f MiB (tolerance %.1f MiB)\n",
                  at_reference->rss_mib, at_end->rss_mib, rss_tolerance);
      flat = FALSE;
    }
  if (at_end->record_bytes != at_reference->record_bytes)
    {
      g_printerr ("bench-soak: the record went from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                  " bytes\n", at_reference->record_bytes, at_end->record_bytes);
      flat = FALSE;
    }
  if (at_end->journal_bytes != 0)
    {
      g_printerr ("bench-soak: the journal holds %" G_GINT64_FORMAT " bytes\n",
                  at_end->journal_bytes);
      flat = FALSE;
    }
  if (at_end->taps != 0)
    {
      g_printerr ("bench-soak: %u taps left\n", at_end->taps);
      flat = FALSE;
    }
  return flat;
}

static gboolean
run (Soak   *soak,
     guint   cycles,
     guint   reference,
     Sample *at_reference,
     Sample *at_end)
{
  g_autoptr(GError) error = NULL;
  gint64 begin = g_get_monotonic_time ();

  soak->kvm = new_kvm (soak);
  soak->instance = hv_test_kvm_guest_new_instance (soak->kvm, NAME,
                                                   "50a10000-0000-4000-8000-000000000000", 128);
  if (!hv_hypervisor_start_instance_sync (soak->kvm, soak->instance, TRUE, NULL, &error))
    {
      g_printerr ("bench-soak: start: %s\n", error->message);
      return FALSE;
    }
  {
    g_autofree gchar *pidfile = g_build_filename (soak->run_dir, NAME ".pid", NULL);
    g_autofree gchar *contents = NULL;

    g_file_get_contents (pidfile, &contents, NULL, &error);
    g_assert_no_error (error);
    soak->pid = (GPid) g_ascii_strtoll (contents, NULL, 10);
    hv_test_qemu_register_pid (soak->pid);
  }
  soak->serial = hv_test_kvm_guest_boot (soak->run_dir, NAME);
  for (guint i = 1; i <= cycles; i++)
    {
      if (!cycle (soak, &error))
        {
          g_printerr ("bench-soak: cycle %u: %s\n", i, error->message);
          return FALSE;
        }
      if (i == reference)
        sample (soak, at_reference);
      if (i % 100 == 0)
        g_printerr ("bench-soak: %u cycles, %.0f s\n", i,
                    (gdouble) (g_get_monotonic_time () - begin) / G_USEC_PER_SEC);
    }
  sample (soak, at_end);
  return TRUE;
}

static void
stop (Soak *soak)
{
  g_autoptr(GError) error = NULL;

  if (soak->serial != NULL)
    hv_test_console_close (soak->serial);
  g_clear_object (&soak->serial);
  if (soak->kvm != NULL && soak->instance != NULL &&
      !hv_hypervisor_stop_instance_sync (soak->kvm, soak->instance, TRUE, FALSE, 0, NULL, &error))
    g_printerr ("bench-soak: stop: %s\n", error->message);
  else if (soak->pid > 0)
    hv_test_qemu_unregister_pid (soak->pid);
  g_clear_object (&soak->instance);
  g_clear_object (&soak->kvm);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const gchar *count = g_getenv ("HVKIT_SOAK_CYCLES");
  Soak soak = { NULL, };
  Sample at_reference = { 0, }, at_end = { 0, };
  guint cycles = count != NULL ? (guint) g_ascii_strtoull (count, NULL, 10) : DEFAULT_CYCLES;
  guint reference = cycles >= 200 ? 100 : cycles / 2;
  gboolean ok;

  if (cycles < 2)
    {
      g_printerr ("bench-soak: HVKIT_SOAK_CYCLES must be 2 or more\n");
      return 1;
    }
  if (g_getenv ("HVKIT_TEST_GUEST_DIR") == NULL || geteuid () != 0 ||
      access ("/dev/net/tun", R_OK | W_OK) != 0)
    {
      /* meson's exit code for a skipped test */
      g_printerr ("bench-soak: needs root, /dev/net/tun and the test guest (meson test)\n");
      return 77;
    }
  /* before HvKvm's thread exists: it follows this one into the namespace */
  if (!hv_test_netns_enter (&error) || !hv_test_netns_add_bridge ("br0", &error))
    {
      g_printerr ("bench-soak: network namespace: %s\n", error->message);
      return 1;
    }
  if (g_getenv ("TMPDIR") == NULL && g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR))
    g_setenv ("TMPDIR", "/dev/shm", TRUE);
  soak.work_dir = g_dir_make_tmp ("hvkit-soak-XXXXXX", &error);
  g_assert_no_error (error);
  soak.run_dir = g_build_filename (soak.work_dir, "run", NULL);
  soak.disk_path = g_build_filename (soak.work_dir, "disk.img", NULL);
  g_file_set_contents (soak.disk_path, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (truncate (soak.disk_path, 16 * 1024 * 1024), ==, 0);

  ok = run (&soak, cycles, reference, &at_reference, &at_end);
  stop (&soak);
  hv_test_remove_tree (soak.work_dir);
  g_clear_pointer (&soak.disk_path, g_free);
  g_clear_pointer (&soak.run_dir, g_free);
  g_clear_pointer (&soak.work_dir, g_free);
  if (!ok)
    {
      g_free (at_reference.fd_list);
      g_free (at_end.fd_list);
      return 1;
    }

  g_print ("{\"cycles\": %u, \"fds_at_100\": %u, \"fds_at_end\": %u,"
           " \"rss_mib_at_100\": %.2f, \"rss_mib_at_end\": %.2f, \"taps_at_end\": %u,"
           " \"record_bytes_at_100\": %" G_GINT64_FORMAT ", \"record_bytes_at_end\": %"
           G_GINT64_FORMAT ", \"journal_bytes_at_end\": %" G_GINT64_FORMAT "}\n",
           cycles, at_reference.fds, at_end.fds, at_reference.rss_mib, at_end.rss_mib,
           at_end.taps, at_reference.record_bytes, at_end.record_bytes, at_end.journal_bytes);
  if (reference != 100)
    g_printerr ("bench-soak: the *_at_100 figures are after cycle %u of %u\n", reference, cycles);
  ok = check_flat (&at_reference, &at_end);
  g_free (at_reference.fd_list);
  g_free (at_end.fd_list);
  return ok ? 0 : 1;
}
