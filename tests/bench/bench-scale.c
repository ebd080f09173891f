/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One HvKvm holding 100 instances, as a node agent holds every VM of its
 * host. The instances need no guest for what is measured: QEMU under TCG
 * with 32 MiB, no disk, no NIC, no kernel, started paused (-S: no guest
 * code ever runs), so a hundred fit on a small machine.
 *
 *   instances               how many (HVKIT_SCALE_INSTANCES, default 100)
 *   start_all_s             StartInstance of each in turn, the next once
 *                           the last returned
 *   start_all_concurrent_s  all StartInstance calls made at once, until
 *                           the last returned
 *   rss_mib, threads, fds   of this process (which holds HvKvm) with all
 *                           instances running; QEMU's own memory is not in
 *                           it. Per instance hvkit holds the QMP socket
 *                           and the pidfd of its QEMU: the baseline and
 *                           the count per instance go to stderr
 *   all_info_ms_p50         GetAllInstancesInfo of all, 20 rounds
 *   hot_add_ms_p50_single   one disk hot-added into one instance while no
 *                           other operation runs, 20 instances
 *   hot_add_all_concurrent_ms  one disk hot-added into every instance at
 *                           once, until the last is done
 *   reconnect_all_ms        the first HvKvm released (its run directory's
 *                           lock with it, see host/hv-kvm-host.c), a new
 *                           one made over the same run directory, until
 *                           GetAllInstancesInfo has every instance's
 *                           answer from QEMU (vCPUs from query-cpus-fast)
 *
 * The targets (rss_mib ≤ 20, all_info_ms_p50 ≤ 50, reconnect_all_ms ≤
 * 1000, hot_add_all_concurrent_ms ≤ instances × single ÷ cores × 1.5) are
 * printed to stderr with each figure; the JSON holds the figures only.
 *
 * Every QEMU is stopped at the end through HvKvm, and whatever a failure
 * left is killed from its pidfile (the run directory's QEMUs only);
 * fatal signals kill the ones started too (hv_test_qemu_register_pid).
 *
 *   meson test -C build --benchmark bench-scale -v
 *   HVKIT_SCALE_INSTANCES=10 build/tests/bench/bench-scale
 */
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/pidfd.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm.h"
#include "hv-kvm-process.h"
#include "hv-test.h"
#include "hv-test-files.h"

#define DEFAULT_INSTANCES 100
#define INFO_ROUNDS       20
#define SINGLE_ADDS       20
#define MEMORY_MIB        32
#define KILL_TIMEOUT_MS   10000

typedef struct {
  gchar        *work_dir;
  gchar        *run_dir;
  HvHypervisor *kvm;
  GPtrArray    *instances;      /* HvInstance */
  guint         n;
  guint         pending;        /* async calls not answered yet */
  guint         failures;
  GError       *first_error;
  GArray       *pids;           /* GPid of QEMUs registered for a fatal kill */
} Bench;

static gdouble
ms_since (gint64 start_us)
{
  return (gdouble) (g_get_monotonic_time () - start_us) / 1000.0;
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
median (GArray *samples)
{
  g_array_sort (samples, compare_doubles);
  return g_array_index (samples, gdouble, (samples->len - 1) / 2);
}

/* ---- this process ----------------------------------------------------------- */

static gint64
status_field (const gchar *key)
{
  g_autofree gchar *status = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], key) && lines[i][strlen (key)] == ':')
      return g_ascii_strtoll (lines[i] + strlen (key) + 1, NULL, 10);
  return -1;
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  /* the directory's own descriptor */
  return n > 0 ? n - 1 : 0;
}

/* CPU seconds of this process, and of the QEMUs of the run directory
 * (their pidfiles): where a wall time went. */
static gdouble
cpu_self_s (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gdouble) usage.ru_utime.tv_sec + (gdouble) usage.ru_utime.tv_usec / 1e6 +
         (gdouble) usage.ru_stime.tv_sec + (gdouble) usage.ru_stime.tv_usec / 1e6;
}

static gdouble
cpu_qemus_s (const gchar *run_dir)
{
  g_autoptr(GDir) dir = g_dir_open (run_dir, 0, NULL);
  const gchar *entry;
  gdouble total = 0;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = NULL;
      GPid pid;

      if (!g_str_has_suffix (entry, ".pid"))
        continue;
      path = g_build_filename (run_dir, entry, NULL);
      pid = hv_kvm_process_read_pidfile (path, NULL);
      if (pid > 0)
        total += hv_kvm_process_get_cpu_time (pid);
    }
  return total;
}

/* QEMU's daemonizing parents, which hvkit reaps: the exec, the dynamic
 * linking and what QEMU does before it forks its daemon. */
static gdouble
cpu_children_s (void)
{
  struct rusage usage;

  getrusage (RUSAGE_CHILDREN, &usage);
  return (gdouble) usage.ru_utime.tv_sec + (gdouble) usage.ru_utime.tv_usec / 1e6 +
         (gdouble) usage.ru_stime.tv_sec + (gdouble) usage.ru_stime.tv_usec / 1e6;
}

typedef struct {
  gint64  wall;
  gdouble self;
  gdouble qemus;
  gdouble children;
} CpuMark;

static void
cpu_mark (Bench   *bench,
          CpuMark *mark)
{
  mark->qemus = cpu_qemus_s (bench->run_dir);
  mark->self = cpu_self_s ();
  mark->children = cpu_children_s ();
  mark->wall = g_get_monotonic_time ();
}

/* Wall time, hvkit's CPU and the QEMUs' CPU since @mark, per @per. */
static void
cpu_report (Bench         *bench,
            const CpuMark *mark,
            const gchar   *what,
            guint          per)
{
  gdouble wall = (gdouble) (g_get_monotonic_time () - mark->wall) / 1000.0;
  gdouble self = (cpu_self_s () - mark->self) * 1000.0;
  gdouble qemus = (cpu_qemus_s (bench->run_dir) - mark->qemus) * 1000.0;
  gdouble children = (cpu_children_s () - mark->children) * 1000.0;

  g_printerr ("bench-scale: %s: %.1f ms wall, hvkit CPU %.1f ms, QEMUs' CPU %.1f ms"
              " + %.1f ms before daemonizing (per one of %u)\n", what, wall / per, self / per,
              qemus / per, children / per, per);
}

/* ---- calls to all at once ---------------------------------------------------- */

static void
note_error (Bench  *bench,
            GError *error)
{
  bench->failures++;
  g_printerr ("bench-scale: %s\n", error->message);
  if (bench->first_error == NULL)
    bench->first_error = error;
  else
    g_error_free (error);
}

static void
wait_all (Bench *bench)
{
  while (bench->pending > 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
started_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Bench *bench = user_data;
  GError *error = NULL;

  if (!hv_hypervisor_start_instance_finish (HV_HYPERVISOR (source), result, &error))
    note_error (bench, error);
  bench->pending--;
}

static void
stopped_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Bench *bench = user_data;
  GError *error = NULL;

  if (!hv_hypervisor_stop_instance_finish (HV_HYPERVISOR (source), result, &error))
    note_error (bench, error);
  bench->pending--;
}

static void
added_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Bench *bench = user_data;
  GError *error = NULL;

  if (!hv_hypervisor_hot_add_device_finish (HV_HYPERVISOR (source), result, &error))
    note_error (bench, error);
  bench->pending--;
}

static gboolean
check (Bench       *bench,
       const gchar *what)
{
  if (bench->failures == 0)
    return TRUE;
  g_printerr ("bench-scale: %u failures in %s\n", bench->failures, what);
  return FALSE;
}

/* The QEMU of instance @name, to kill if the bench dies before it stops it. */
static void
register_qemu (Bench       *bench,
               const gchar *name)
{
  g_autofree gchar *file = g_strconcat (name, ".pid", NULL);
  g_autofree gchar *path = g_build_filename (bench->run_dir, file, NULL);
  GPid pid = hv_kvm_process_read_pidfile (path, NULL);

  if (pid > 0)
    {
      hv_test_qemu_register_pid (pid);
      g_array_append_val (bench->pids, pid);
    }
}

/* Stopped (or killed): a pid is not killed once it may name another
 * process. */
static void
unregister_qemus (Bench *bench)
{
  for (guint i = 0; i < bench->pids->len; i++)
    hv_test_qemu_unregister_pid (g_array_index (bench->pids, GPid, i));
  g_array_set_size (bench->pids, 0);
}

static void
start (Bench    *bench,
       guint     i)
{
  bench->pending++;
  hv_hypervisor_start_instance_async (bench->kvm, g_ptr_array_index (bench->instances, i), TRUE,
                                      NULL, started_cb, bench);
}

static gboolean
start_all_sequential (Bench   *bench,
                      gdouble *seconds)
{
  gint64 begin = g_get_monotonic_time ();
  CpuMark mark;

  cpu_mark (bench, &mark);
  for (guint i = 0; i < bench->n; i++)
    {
      start (bench, i);
      wait_all (bench);
    }
  *seconds = ms_since (begin) / 1000.0;
  cpu_report (bench, &mark, "sequential starts", bench->n);
  for (guint i = 0; i < bench->n; i++)
    register_qemu (bench, hv_instance_get_name (g_ptr_array_index (bench->instances, i)));
  return check (bench, "the sequential starts");
}

static gboolean
start_all_concurrent (Bench   *bench,
                      gdouble *seconds)
{
  gint64 begin = g_get_monotonic_time ();
  CpuMark mark;

  /* no QEMU of the run directory runs: the QEMUs' CPU is their start's */
  cpu_mark (bench, &mark);
  for (guint i = 0; i < bench->n; i++)
    start (bench, i);
  wait_all (bench);
  *seconds = ms_since (begin) / 1000.0;
  cpu_report (bench, &mark, "concurrent starts", bench->n);
  for (guint i = 0; i < bench->n; i++)
    register_qemu (bench, hv_instance_get_name (g_ptr_array_index (bench->instances, i)));
  return check (bench, "the concurrent starts");
}

static gboolean
stop_all (Bench *bench)
{
  for (guint i = 0; i < bench->n; i++)
    {
      bench->pending++;
      hv_hypervisor_stop_instance_async (bench->kvm, g_ptr_array_index (bench->instances, i),
                                         TRUE, FALSE, 0, NULL, stopped_cb, bench);
    }
  wait_all (bench);
  if (bench->failures > 0)
    return check (bench, "the stops");
  unregister_qemus (bench);
  return TRUE;
}

/* ---- the instances ---------------------------------------------------------- */

static HvHypervisor *
new_kvm (const gchar *run_dir)
{
  g_autoptr(GError) error = NULL;
  GVariantDict config;
  HvKvm *kvm;

  g_variant_dict_init (&config, NULL);
  g_variant_dict_insert (&config, "run-dir", "s", run_dir);
  kvm = hv_kvm_new (g_variant_dict_end (&config), &error);
  g_assert_no_error (error);
  return HV_HYPERVISOR (kvm);
}

/* No kernel, no disk: -S keeps the BIOS from running at all. */
static HvInstance *
new_instance (HvHypervisor *kvm,
              guint         i)
{
  g_autoptr(GVariant) defaults = NULL;
  g_autofree gchar *name = g_strdup_printf ("scale-%03u", i);
  g_autofree gchar *uuid = g_strdup_printf ("5ca1e000-0000-4000-8000-%012u", i);
  HvInstance *instance = hv_instance_new (name);
  GVariantDict hvparams;
  GVariantDict beparams;

  g_object_get (kvm, "default-hvparams", &defaults, NULL);
  g_variant_dict_init (&hvparams, defaults);
  g_variant_dict_insert (&hvparams, "kvm_path", "s", hv_test_get_qemu ());
  g_variant_dict_insert (&hvparams, "kvm_flag", "s",
                         g_str_equal (hv_test_get_accel (), "kvm") ? "enabled" : "disabled");
  g_variant_dict_insert (&hvparams, "kernel_path", "s", "");
  hv_instance_set_hvparams (instance, g_variant_dict_end (&hvparams));
  hv_instance_set_uuid (instance, uuid);
  g_variant_dict_init (&beparams, NULL);
  g_variant_dict_insert (&beparams, "maxmem", "x", (gint64) MEMORY_MIB);
  g_variant_dict_insert (&beparams, "memory", "x", (gint64) MEMORY_MIB);
  g_variant_dict_insert (&beparams, "vcpus", "x", (gint64) 1);
  hv_instance_set_beparams (instance, g_variant_dict_end (&beparams));
  return instance;
}

/* A 1 MiB sparse disk of its own for instance @i (QEMU locks an image
 * it writes: two instances cannot share one). */
static HvDisk *
new_disk (Bench *bench,
          guint  i,
          guint  n)
{
  g_autofree gchar *uuid = g_strdup_printf ("d15c%04u-0000-4000-8000-%012u", n, i);
  g_autofree gchar *file = g_strdup_printf ("disk-%03u-%u.img", i, n);
  g_autofree gchar *path = g_build_filename (bench->work_dir, file, NULL);
  HvDisk *disk = hv_disk_new ();
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (truncate (path, 1024 * 1024), ==, 0);
  hv_device_set_uuid (HV_DEVICE (disk), uuid);
  hv_disk_set_size (disk, 1);
  hv_disk_set_mode (disk, "rw");
  hv_disk_set_link (disk, path);
  return disk;
}

/* ---- the measurements -------------------------------------------------------- */

/* GetAllInstancesInfo; FALSE unless every instance is there and QEMU
 * answered for it (a running instance without an answer is listed too,
 * with no vCPU count). */
static gboolean
all_info (Bench   *bench,
          gdouble *ms)
{
  gint64 begin = g_get_monotonic_time ();
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GError) error = NULL;
  guint answered = 0;

  infos = hv_hypervisor_get_all_instances_info_sync (bench->kvm, NULL, &error);
  *ms = ms_since (begin);
  if (infos == NULL)
    {
      g_printerr ("bench-scale: GetAllInstancesInfo: %s\n", error->message);
      return FALSE;
    }
  for (guint i = 0; i < infos->len; i++)
    if (hv_instance_info_get_vcpus (g_ptr_array_index (infos, i)) == 1)
      answered++;
  if (infos->len != bench->n || answered != bench->n)
    {
      g_printerr ("bench-scale: GetAllInstancesInfo listed %u of %u instances, %u with "
                  "QEMU's answer\n", infos->len, bench->n, answered);
      return FALSE;
    }
  return TRUE;
}

static gboolean
all_info_p50 (Bench   *bench,
              gdouble *p50)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (gdouble));
  CpuMark mark;

  cpu_mark (bench, &mark);
  for (guint round = 0; round < INFO_ROUNDS; round++)
    {
      gdouble ms;

      if (!all_info (bench, &ms))
        return FALSE;
      g_array_append_val (samples, ms);
    }
  cpu_report (bench, &mark, "GetAllInstancesInfo", INFO_ROUNDS);
  *p50 = median (samples);
  return TRUE;
}

static gboolean
hot_add_single_p50 (Bench   *bench,
                    gdouble *p50)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (gdouble));
  CpuMark mark;

  cpu_mark (bench, &mark);
  for (guint i = 0; i < MIN (SINGLE_ADDS, bench->n); i++)
    {
      g_autoptr(HvDisk) disk = new_disk (bench, i, 0);
      gint64 begin = g_get_monotonic_time ();
      gdouble ms;

      bench->pending++;
      hv_hypervisor_hot_add_device_async (bench->kvm, g_ptr_array_index (bench->instances, i),
                                          HV_DEVICE (disk), 0, NULL, added_cb, bench);
      wait_all (bench);
      ms = ms_since (begin);
      g_array_append_val (samples, ms);
    }
  cpu_report (bench, &mark, "single hot-adds", samples->len);
  *p50 = median (samples);
  return check (bench, "the single hot-adds");
}

static gboolean
hot_add_concurrent (Bench   *bench,
                    gdouble *ms)
{
  g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func (g_object_unref);
  CpuMark mark;
  gint64 begin;

  for (guint i = 0; i < bench->n; i++)
    g_ptr_array_add (disks, new_disk (bench, i, 1));
  cpu_mark (bench, &mark);
  begin = g_get_monotonic_time ();
  for (guint i = 0; i < bench->n; i++)
    {
      bench->pending++;
      hv_hypervisor_hot_add_device_async (bench->kvm, g_ptr_array_index (bench->instances, i),
                                          g_ptr_array_index (disks, i), 1, NULL, added_cb, bench);
    }
  wait_all (bench);
  *ms = ms_since (begin);
  cpu_report (bench, &mark, "concurrent hot-adds", 1);
  return check (bench, "the concurrent hot-adds");
}

static gboolean
reconnect_all (Bench   *bench,
               gdouble *ms)
{
  gint64 begin;

  /* the lock and the QMP sockets go with the first: QEMU serves one
   * client, and the run directory one process */
  g_clear_object (&bench->kvm);
  begin = g_get_monotonic_time ();
  bench->kvm = new_kvm (bench->run_dir);
  if (!all_info (bench, ms))
    return FALSE;
  *ms = ms_since (begin);
  return TRUE;
}

/* ---- the end ---------------------------------------------------------------- */

/* Whatever QEMU of the run directory still runs (a failure left it): its
 * pidfile names it, its command line names the run directory. */
static guint
kill_leftovers (const gchar *run_dir)
{
  g_autoptr(GDir) dir = g_dir_open (run_dir, 0, NULL);
  const gchar *entry;
  guint killed = 0;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = NULL;
      g_autofree gchar *cmdline_path = NULL;
      g_autofree gchar *cmdline = NULL;
      gsize length = 0;
      GPid pid;
      gint pidfd;

      if (!g_str_has_suffix (entry, ".pid"))
        continue;
      path = g_build_filename (run_dir, entry, NULL);
      pid = hv_kvm_process_read_pidfile (path, NULL);
      if (pid <= 0)
        continue;
      pidfd = pidfd_open (pid, 0);
      if (pidfd < 0)
        continue;
      cmdline_path = g_strdup_printf ("/proc/%d/cmdline", (gint) pid);
      if (g_file_get_contents (cmdline_path, &cmdline, &length, NULL) &&
          memmem (cmdline, length, run_dir, strlen (run_dir)) != NULL &&
          pidfd_send_signal (pidfd, SIGKILL, NULL, 0) == 0)
        {
          GPollFD poll_fd = { .fd = pidfd, .events = G_IO_IN };

          g_poll (&poll_fd, 1, KILL_TIMEOUT_MS);
          killed++;
        }
      close (pidfd);
    }
  return killed;
}

static void
report (const gchar *key,
        gdouble      value,
        const gchar *target)
{
  g_printerr ("  %-26s %10.2f%s%s\n", key, value, target != NULL ? "   target " : "",
              target != NULL ? target : "");
}

typedef struct {
  gdouble start_s, start_concurrent_s, rss_mib, info_p50, add_single, add_concurrent;
  gdouble reconnect_ms;
  gint64  threads;
  guint   fds;
} Results;

/* This process with every instance running, against before HvKvm. */
static void
measure_process (Bench         *bench,
                 Results       *results,
                 gint64         rss_base_kib,
                 gint64         threads_base,
                 guint          fds_base)
{
  results->rss_mib = (gdouble) status_field ("VmRSS") / 1024.0;
  results->threads = status_field ("Threads");
  results->fds = count_fds ();
  g_printerr ("bench-scale: before HvKvm: RSS %.1f MiB, %" G_GINT64_FORMAT " threads, "
              "%u fds; with %u instances: %.2f fds and %.1f KiB per instance\n",
              (gdouble) rss_base_kib / 1024.0, threads_base, fds_base, bench->n,
              (gdouble) (results->fds - fds_base) / bench->n,
              (results->rss_mib * 1024.0 - (gdouble) rss_base_kib) / bench->n);
}

static gboolean
measure (Bench   *bench,
         Results *results)
{
  gint64 rss_base_kib = status_field ("VmRSS");
  gint64 threads_base = status_field ("Threads");
  guint fds_base = count_fds ();
  g_autoptr(HvInstance) warm = NULL;
  g_autoptr(GError) error = NULL;

  bench->kvm = new_kvm (bench->run_dir);
  for (guint i = 0; i < bench->n; i++)
    g_ptr_array_add (bench->instances, new_instance (bench->kvm, i));

  /* the first start probes QEMU's capabilities: not what is measured */
  warm = new_instance (bench->kvm, 999);
  if (!hv_hypervisor_start_instance_sync (bench->kvm, warm, TRUE, NULL, &error) ||
      !hv_hypervisor_stop_instance_sync (bench->kvm, warm, TRUE, FALSE, 0, NULL, &error))
    {
      g_printerr ("bench-scale: the warm-up start: %s\n", error->message);
      return FALSE;
    }

  if (!start_all_sequential (bench, &results->start_s) || !stop_all (bench) ||
      !start_all_concurrent (bench, &results->start_concurrent_s))
    return FALSE;
  measure_process (bench, results, rss_base_kib, threads_base, fds_base);
  return all_info_p50 (bench, &results->info_p50) &&
         hot_add_single_p50 (bench, &results->add_single) &&
         hot_add_concurrent (bench, &results->add_concurrent) &&
         reconnect_all (bench, &results->reconnect_ms);
}

static void
print_results (Bench         *bench,
               const Results *results)
{
  gint n_cores = (gint) sysconf (_SC_NPROCESSORS_ONLN);
  g_autofree gchar *add_target = NULL;
  g_autofree gchar *loadavg = NULL;

  add_target = g_strdup_printf ("<= %.0f (%u x single / %d cores x 1.5)",
                                bench->n * results->add_single / n_cores * 1.5, bench->n,
                                n_cores);
  if (!g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    loadavg = g_strdup ("?\n");
  g_printerr ("bench-scale: %u instances, load average at the end: %s", bench->n, loadavg);
  report ("start_all_s", results->start_s, NULL);
  report ("start_all_concurrent_s", results->start_concurrent_s, NULL);
  report ("rss_mib", results->rss_mib, "<= 20");
  report ("all_info_ms_p50", results->info_p50, "<= 50");
  report ("hot_add_ms_p50_single", results->add_single, NULL);
  report ("hot_add_all_concurrent_ms", results->add_concurrent, add_target);
  report ("reconnect_all_ms", results->reconnect_ms, "<= 1000");

  g_print ("{\"instances\": %u, \"start_all_s\": %.2f, \"start_all_concurrent_s\": %.2f,"
           " \"rss_mib\": %.1f, \"threads\": %" G_GINT64_FORMAT ", \"fds\": %u,"
           " \"all_info_ms_p50\": %.2f, \"hot_add_ms_p50_single\": %.2f,"
           " \"hot_add_all_concurrent_ms\": %.1f, \"reconnect_all_ms\": %.1f}\n",
           bench->n, results->start_s, results->start_concurrent_s, results->rss_mib,
           results->threads, results->fds, results->info_p50, results->add_single,
           results->add_concurrent, results->reconnect_ms);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  Bench bench = { NULL, };
  Results results = { 0, };
  const gchar *count = g_getenv ("HVKIT_SCALE_INSTANCES");
  gboolean ok;
  guint leftovers;

  bench.n = count != NULL ? (guint) g_ascii_strtoull (count, NULL, 10) : DEFAULT_INSTANCES;
  if (bench.n == 0 || bench.n > 999)
    {
      g_printerr ("bench-scale: HVKIT_SCALE_INSTANCES must be 1 to 999\n");
      return 1;
    }
  /* tmpfs, as /run on a node: the record's fsync is not what is measured */
  if (g_getenv ("TMPDIR") == NULL && g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR))
    g_setenv ("TMPDIR", "/dev/shm", TRUE);
  bench.work_dir = g_dir_make_tmp ("hvkit-scale-XXXXXX", &error);
  g_assert_no_error (error);
  bench.run_dir = g_build_filename (bench.work_dir, "run", NULL);
  bench.pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  bench.instances = g_ptr_array_new_with_free_func (g_object_unref);

  ok = measure (&bench, &results);

  /* the end, whatever happened: every QEMU stopped, then killed if not */
  if (bench.kvm != NULL && !stop_all (&bench))
    ok = FALSE;
  g_clear_object (&bench.kvm);
  leftovers = kill_leftovers (bench.run_dir);
  unregister_qemus (&bench);
  if (leftovers > 0)
    {
      g_printerr ("bench-scale: %u QEMUs were left running, killed\n", leftovers);
      ok = FALSE;
    }
  hv_test_remove_tree (bench.work_dir);
  if (ok)
    print_results (&bench, &results);
  g_ptr_array_unref (bench.instances);
  g_array_unref (bench.pids);
  g_free (bench.run_dir);
  g_free (bench.work_dir);
  return ok ? 0 : 1;
}
