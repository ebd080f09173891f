/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * StartInstance against the same QEMU started by hand, on one machine in
 * one run, in alternating rounds (the one that goes first alternates too),
 * so that the noise of a shared machine falls on both alike:
 *
 *   bare   the command line hvkit runs for the test guest (from its
 *          runtime record: hv_kvm_runtime_load + hv_kvm_cmdline_build, so
 *          with -daemonize and -S), spawned and waited for until the
 *          launcher exits, then a minimal blocking QMP client: greeting,
 *          qmp_capabilities, cont, until cont's reply.
 *   hvkit  hv_hypervisor_start_instance_sync() with startup_paused FALSE,
 *          until it returns: validation, capabilities (cached after the
 *          first start), record, spawn, QMP connection, the durable save
 *          of the record, cont.
 *
 * Both end at the same point: QEMU has answered `cont` and the guest's
 * CPUs run. The instance has no NICs and no disks and starts with all its
 * memory (no balloon call), so no ifup and no taps are measured. Each QEMU
 * is killed and gone before the next round.
 *
 * Also: the capability lookup of hvkit's first start with an empty cache
 * directory (the probe) against a new HvKvmCapabilitiesCache on the same
 * directory (the file), as a restarted hvkit would make it.
 *
 * Prints one JSON object on stdout, medians and p95s in milliseconds; the
 * phases of the bare start and the costs of hvkit's own steps, measured
 * alone, go to stderr. The run directory is under $TMPDIR (durable saves
 * fsync: a tmpfs, such as /run on a real node, makes them almost free).
 * With HVKIT_BENCH_TRACE=1, each hvkit start of the rounds is also shown
 * as a timeline of the plugin's debug messages (the QMP traffic among
 * them): where its time goes.
 *
 *   meson test -C build --benchmark bench-kvm-start -v
 *   build/tests/bench/bench-kvm-start [ROUNDS]     (default 10)
 *
 * The QEMU is the system's, or the one HVKIT_TEST_QEMU names, as in the
 * tests: `bench-kvm-start-qemu10` is the same with the QEMU 10.0 of
 * contrib/fetch-qemu.sh (-Dtest_qemu10=true).
 */
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm.h"
#include "hv-kvm-capabilities-cache.h"
#include "hv-kvm-cmdline.h"
#include "hv-kvm-process.h"
#include "hv-kvm-runtime.h"
#include "hv-test.h"
#include "hv-test-async.h"
#include "hv-test-files.h"
#include "hv-test-kvm-guest.h"

#define NAME "bench-start"
#define DEFAULT_ROUNDS 10
#define EXIT_TIMEOUT_MS 10000

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
percentile (GArray  *samples,
            gdouble  p)
{
  gsize index;

  g_array_sort (samples, compare_doubles);
  index = (gsize) ceil (p / 100.0 * (gdouble) samples->len);
  return g_array_index (samples, gdouble, CLAMP (index, 1, samples->len) - 1);
}

static void
add_sample (GArray  *samples,
            gdouble  ms)
{
  g_array_append_val (samples, ms);
}

/* ---- the trace ---------------------------------------------------------- */

static GMutex trace_lock;
static GString *trace;      /* NULL: not tracing */
static gint64 trace_start;

/* Keeps the plugin's debug messages (from its monitor thread too) with
 * the time since the start being traced; other messages as usual. */
static GLogWriterOutput
trace_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  const gchar *domain = "";
  const gchar *message = "";

  if ((level & G_LOG_LEVEL_DEBUG) == 0)
    return g_log_writer_default (level, fields, n_fields, user_data);
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  g_mutex_lock (&trace_lock);
  if (trace_start != 0 && g_str_has_prefix (domain, "HvKvm"))
    g_string_append_printf (trace, "  %+8.2f ms  %-9s %.72s\n",
                            (gdouble) (g_get_monotonic_time () - trace_start) / 1000.0,
                            domain, message);
  g_mutex_unlock (&trace_lock);
  return G_LOG_WRITER_HANDLED;
}

static void
trace_init (void)
{
  if (g_strcmp0 (g_getenv ("HVKIT_BENCH_TRACE"), "1") != 0)
    return;
  /* the QMP client formats its traffic only when debug output is on */
  g_setenv ("G_MESSAGES_DEBUG", "HvKvm HvKvmQmp", TRUE);
  trace = g_string_new (NULL);
  g_log_set_writer_func (trace_writer, NULL, NULL);
}

static void
trace_begin (gint64 start_us)
{
  if (trace == NULL)
    return;
  g_mutex_lock (&trace_lock);
  g_string_truncate (trace, 0);
  trace_start = start_us;
  g_mutex_unlock (&trace_lock);
}

static void
trace_end (const gchar *title,
           gdouble      total_ms)
{
  if (trace == NULL)
    return;
  g_mutex_lock (&trace_lock);
  g_printerr ("%s:\n%s  %+8.2f ms  returned\n", title, trace->str, total_ms);
  trace_start = 0;
  g_mutex_unlock (&trace_lock);
}

/* ---- the instance ------------------------------------------------------- */

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

/* The test guest, booted from its kernel, as the lifecycle tests start it. */
static HvInstance *
new_instance (HvHypervisor *kvm)
{
  return hv_test_kvm_guest_new_instance (kvm, NAME, "8d2f4a6b-1c3e-4f5a-9b7d-0e1f2a3b4c5d", 256);
}

static HvKvmCapabilities *
lookup_capabilities (HvKvmCapabilitiesCache *cache)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HvKvmCapabilities *capabilities;

  hv_kvm_capabilities_cache_lookup_async (cache, hv_test_get_qemu (), NULL, hv_test_store_result, &result);
  result = hv_test_wait_result (&result);
  capabilities = hv_kvm_capabilities_cache_lookup_finish (cache, result, &error);
  g_assert_no_error (error);
  return capabilities;
}

static HvKvmCapabilitiesCache *
new_cache_of (HvHypervisor *kvm)
{
  g_autofree gchar *cache_dir = NULL;

  g_object_get (kvm, "cache-dir", &cache_dir, NULL);
  return hv_kvm_capabilities_cache_new (cache_dir);
}

/* The record of the running instance, as a restarted hvkit reads it. */
static HvKvmRuntime *
load_record (const gchar *run_dir)
{
  g_autoptr(HvRuntimeStore) store = hv_kvm_runtime_store_new (run_dir);
  g_autoptr(GError) error = NULL;
  HvKvmRuntime *runtime = hv_kvm_runtime_load (store, NAME, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (runtime->disks->len + runtime->nics->len, ==, 0);
  return runtime;
}

/* What hvkit runs: the record's base and its (no) devices, as
 * hv-kvm-start.c builds it. */
static GStrv
argv_from_record (HvHypervisor       *kvm,
                  const gchar        *run_dir,
                  const HvKvmRuntime *runtime)
{
  /* HvKvm's cache belongs to its monitor thread: a cache of our own on
   * the same directory gives the same capabilities, from the file */
  g_autoptr(HvKvmCapabilitiesCache) cache = new_cache_of (kvm);
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  HvKvmCmdlineConfig config = HV_KVM_CMDLINE_CONFIG_INIT;
  g_autoptr(GError) error = NULL;
  GStrv argv;

  capabilities = lookup_capabilities (cache);
  config.run_dir = run_dir;
  config.capabilities = capabilities;
  argv = hv_kvm_cmdline_build ((const gchar * const *) runtime->argv, runtime->hvparams,
                               &config, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const gchar * const *) argv, "-daemonize"));
  g_assert_true (g_strv_contains ((const gchar * const *) argv, "-S"));
  return argv;
}

/* ---- bare QEMU and a minimal blocking QMP client ------------------------ */

typedef struct {
  gdouble spawn_ms;     /* until the launcher exited: QEMU daemonized */
  gdouble connect_ms;   /* connect, greeting, qmp_capabilities */
  gdouble cont_ms;      /* cont, until its reply */
} BarePhases;

typedef struct {
  gint  fd;
  gchar buffer[65536];
  gsize filled;
} Qmp;

/* The next line from QEMU, in @line (NUL-terminated, without the newline). */
static void
qmp_read_line (Qmp   *qmp,
               gchar *line,
               gsize  size)
{
  for (;;)
    {
      gchar *newline = memchr (qmp->buffer, '\n', qmp->filled);
      gssize n;

      if (newline != NULL)
        {
          gsize used = (gsize) (newline - qmp->buffer) + 1;

          g_strlcpy (line, qmp->buffer, MIN (size, used));
          memmove (qmp->buffer, newline + 1, qmp->filled - used);
          qmp->filled -= used;
          return;
        }
      n = read (qmp->fd, qmp->buffer + qmp->filled, sizeof qmp->buffer - qmp->filled);
      g_assert_cmpint (n, >, 0);
      qmp->filled += (gsize) n;
    }
}

/* Sends @command and reads until its reply; events (RESUME comes before
 * cont's reply) are skipped. */
static void
qmp_execute (Qmp         *qmp,
             const gchar *command)
{
  gchar line[4096];

  g_assert_cmpint (write (qmp->fd, command, strlen (command)), ==, (gssize) strlen (command));
  do
    qmp_read_line (qmp, line, sizeof line);
  while (strstr (line, "\"event\"") != NULL);
  if (strstr (line, "\"return\"") == NULL)
    g_error ("QMP %s answered %s", command, line);
}

static gdouble
bare_start (const gchar * const *argv,
            const gchar         *qmp_path,
            BarePhases          *phases)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autoptr(GError) error = NULL;
  Qmp qmp = { .fd = -1 };
  gchar greeting[4096];
  gint64 start = g_get_monotonic_time ();
  gint64 mark;
  gint status = 0;

  /* as hvkit does, no shell and no descriptor of ours in QEMU; its output
   * before it daemonizes goes to our stderr (stdout is for the JSON) */
  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
  phases->spawn_ms = ms_since (start);

  mark = g_get_monotonic_time ();
  g_assert_cmpuint (strlen (qmp_path), <, sizeof address.sun_path);
  strcpy (address.sun_path, qmp_path);
  qmp.fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (qmp.fd, >=, 0);
  g_assert_no_errno (connect (qmp.fd, (struct sockaddr *) &address, sizeof address));
  qmp_read_line (&qmp, greeting, sizeof greeting);
  g_assert_nonnull (strstr (greeting, "\"QMP\""));
  qmp_execute (&qmp, "{\"execute\":\"qmp_capabilities\"}\n");
  phases->connect_ms = ms_since (mark);

  mark = g_get_monotonic_time ();
  qmp_execute (&qmp, "{\"execute\":\"cont\"}\n");
  phases->cont_ms = ms_since (mark);
  close (qmp.fd);
  return ms_since (start);
}

/* Kills the bare QEMU of the pidfile and waits until it is gone; then
 * removes its files, as hvkit's stop does for its own. */
static void
bare_stop (const gchar *run_dir)
{
  static const gchar *const suffixes[] = { ".pid", ".qmp", ".monitor", ".serial" };
  g_autofree gchar *pidfile = g_build_filename (run_dir, NAME ".pid", NULL);
  g_autoptr(GError) error = NULL;
  struct pollfd exited = { .events = POLLIN };
  GPid pid;

  pid = hv_kvm_process_read_pidfile (pidfile, &error);
  g_assert_no_error (error);
  exited.fd = hv_kvm_process_open_pidfd (pid, &error);
  g_assert_no_error (error);
  hv_kvm_process_kill (exited.fd, SIGKILL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (poll (&exited, 1, EXIT_TIMEOUT_MS), ==, 1);
  close (exited.fd);
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree gchar *file = g_strconcat (NAME, suffixes[i], NULL);
      g_autofree gchar *path = g_build_filename (run_dir, file, NULL);

      g_unlink (path);
    }
}

/* The same command line through hvkit's launcher alone (GSubprocess, its
 * output to the log file, the launcher's exit seen by a child watch),
 * until the daemon is there: the part of hvkit's start that is the bare
 * start's spawn. */
static gdouble
launcher_start (const gchar * const *argv,
                const gchar         *run_dir)
{
  g_autofree gchar *log_path = g_build_filename (run_dir, NAME ".log", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gdouble ms;

  hv_kvm_process_spawn_async (argv, NULL, 0, log_path, 0, NULL, hv_test_store_result, &result);
  result = hv_test_wait_result (&result);
  ms = ms_since (start);
  g_assert_true (hv_kvm_process_spawn_finish (result, &error));
  g_assert_no_error (error);
  g_unlink (log_path);
  return ms;
}

/* ---- hvkit -------------------------------------------------------------- */

static gdouble
hvkit_start (HvHypervisor *kvm,
             HvInstance   *instance,
             const gchar  *title)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gdouble ms;

  if (title != NULL)
    trace_begin (start);
  g_assert_true (hv_hypervisor_start_instance_sync (kvm, instance, FALSE, NULL, &error));
  ms = ms_since (start);
  g_assert_no_error (error);
  if (title != NULL)
    trace_end (title, ms);
  return ms;
}

static void
hvkit_stop (HvHypervisor *kvm,
            HvInstance   *instance)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_hypervisor_stop_instance_sync (kvm, instance, TRUE, FALSE, 0, NULL,
                                                   &error));
  g_assert_no_error (error);
}

/* ---- hvkit's steps alone ------------------------------------------------ */

/* The capability lookup of a first start (an empty cache directory: QEMU
 * is probed) and of a restarted hvkit (a new cache, the file there). */
static void
measure_probe (const gchar *base,
               guint        rounds,
               GArray      *first,
               GArray      *cached)
{
  g_autofree gchar *cache_dir = g_build_filename (base, "probe-cache", NULL);

  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr(HvKvmCapabilitiesCache) empty = NULL;
      g_autoptr(HvKvmCapabilitiesCache) warm = NULL;
      g_autoptr(HvKvmCapabilities) probed = NULL;
      g_autoptr(HvKvmCapabilities) loaded = NULL;
      g_autofree gchar *file = NULL;
      gint64 start;

      empty = hv_kvm_capabilities_cache_new (cache_dir);
      file = hv_kvm_capabilities_cache_get_file_path (empty, hv_test_get_qemu ());
      g_unlink (file);
      start = g_get_monotonic_time ();
      probed = lookup_capabilities (empty);
      add_sample (first, ms_since (start));
      g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (empty), ==, 1);

      warm = hv_kvm_capabilities_cache_new (cache_dir);
      start = g_get_monotonic_time ();
      loaded = lookup_capabilities (warm);
      add_sample (cached, ms_since (start));
      g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (warm), ==, 0);
    }
}

/* The record's save, durable (fsync of the file and the directory) and
 * not, in a store on the run directory's file system. */
static void
report_record_save (const gchar        *base,
                    const HvKvmRuntime *runtime,
                    guint               rounds)
{
  g_autofree gchar *store_dir = g_build_filename (base, "save-store", NULL);
  g_autoptr(HvRuntimeStore) store = hv_kvm_runtime_store_new (store_dir);
  g_autoptr(GArray) durable = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) plain = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < rounds; i++)
    {
      for (guint mode = 0; mode < 2; mode++)
        {
          gint64 start;

          hv_runtime_store_set_durable (store, mode == 0);
          start = g_get_monotonic_time ();
          g_assert_true (hv_kvm_runtime_save (store, runtime, &error));
          g_assert_no_error (error);
          add_sample (mode == 0 ? durable : plain, ms_since (start));
        }
    }
  g_printerr ("record save (%s): durable %.2f ms p50 (p95 %.2f), without fsync %.2f ms\n",
              store_dir, percentile (durable, 50), percentile (durable, 95),
              percentile (plain, 50));
  hv_runtime_store_remove (store, NAME, NULL);
}

/* The checks every start makes first (ValidateParameters, which includes
 * CheckParameterSyntax), on the instance's 65 hvparams. */
static void
report_validation (HvHypervisor *kvm,
                   HvInstance   *instance,
                   guint         rounds)
{
  g_autoptr(GArray) syntax = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) validate = g_array_new (FALSE, FALSE, sizeof (gdouble));
  GVariant *hvparams = hv_instance_get_hvparams (instance);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < rounds; i++)
    {
      gint64 start = g_get_monotonic_time ();

      g_assert_true (hv_hypervisor_check_parameter_syntax (kvm, hvparams, &error));
      add_sample (syntax, ms_since (start));
      start = g_get_monotonic_time ();
      g_assert_true (hv_hypervisor_validate_parameters (kvm, hvparams, &error));
      add_sample (validate, ms_since (start));
      g_assert_no_error (error);
    }
  g_printerr ("validate_parameters: %.2f ms p50, of which check_parameter_syntax %.2f ms\n",
              percentile (validate, 50), percentile (syntax, 50));
}

/* What every start after hvkit's first pays for its capabilities. */
static void
report_cached_lookup (HvHypervisor *kvm,
                      guint         rounds)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(HvKvmCapabilitiesCache) cache = new_cache_of (kvm);
  g_autoptr(HvKvmCapabilities) from_file = lookup_capabilities (cache);

  for (guint i = 0; i < rounds; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(HvKvmCapabilities) capabilities = lookup_capabilities (cache);

      add_sample (samples, ms_since (start));
    }
  g_printerr ("capability lookup of a later start (in memory, one stat): %.3f ms p50\n",
              percentile (samples, 50));
}

int
main (int argc, char **argv)
{
  guint rounds = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : DEFAULT_ROUNDS;
  g_autoptr(GArray) bare = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) hvkit = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) spawn = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) connect = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) cont = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) launcher = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) probe_first = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) probe_cached = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(HvHypervisor) kvm = NULL;
  g_autoptr(HvInstance) instance = NULL;
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  g_autoptr(HvKvmRuntime) runtime = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *base = NULL;
  g_autofree gchar *run_dir = NULL;
  g_autofree gchar *qmp_path = NULL;
  g_autofree gchar *command_line = NULL;
  g_auto(GStrv) bare_argv = NULL;
  gdouble first_ms, bare_p50, hvkit_p50;

  if (rounds == 0 || g_getenv ("HVKIT_TEST_GUEST_DIR") == NULL)
    {
      g_printerr ("usage: %s [ROUNDS > 0], with HVKIT_TEST_GUEST_DIR set "
                  "(meson test -C build --benchmark bench-kvm-start)\n", argv[0]);
      return 1;
    }
  trace_init ();
  base = g_dir_make_tmp ("hvkit-bench-start-XXXXXX", &error);
  g_assert_no_error (error);
  run_dir = g_build_filename (base, "run", NULL);
  qmp_path = g_build_filename (run_dir, NAME ".qmp", NULL);

  /* hvkit's first start probes QEMU and writes the record; the bare
   * command line is taken from that record while it exists */
  kvm = new_kvm (run_dir);
  instance = new_instance (kvm);
  first_ms = hvkit_start (kvm, instance, NULL);
  runtime = load_record (run_dir);
  bare_argv = argv_from_record (kvm, run_dir, runtime);
  hvkit_stop (kvm, instance);
  command_line = g_strjoinv (" ", bare_argv);
  g_printerr ("first hvkit start (with the probe): %.1f ms\ncommand line: %s\n",
              first_ms, command_line);

  for (guint round = 0; round < rounds; round++)
    {
      for (guint turn = 0; turn < 2; turn++)
        {
          if ((round + turn) % 2 == 0)
            {
              BarePhases phases;

              add_sample (bare, bare_start ((const gchar * const *) bare_argv, qmp_path,
                                            &phases));
              add_sample (spawn, phases.spawn_ms);
              add_sample (connect, phases.connect_ms);
              add_sample (cont, phases.cont_ms);
              bare_stop (run_dir);
            }
          else
            {
              g_autofree gchar *title = g_strdup_printf ("hvkit start, round %u", round + 1);

              add_sample (hvkit, hvkit_start (kvm, instance, title));
              hvkit_stop (kvm, instance);
            }
        }
      add_sample (launcher, launcher_start ((const gchar * const *) bare_argv, run_dir));
      bare_stop (run_dir);
    }

  measure_probe (base, rounds, probe_first, probe_cached);
  {
    g_autoptr(HvKvmCapabilitiesCache) cache = new_cache_of (kvm);

    capabilities = lookup_capabilities (cache);
  }

  g_printerr ("%u alternating rounds, startup not paused (both until QEMU answered cont)\n",
              rounds);
  g_printerr ("bare start:  %.1f ms p50 (p95 %.1f) = spawn until daemonized %.1f + "
              "QMP connect and capabilities %.2f + cont %.2f (p50s)\n",
              percentile (bare, 50), percentile (bare, 95), percentile (spawn, 50),
              percentile (connect, 50), percentile (cont, 50));
  g_printerr ("hvkit start: %.1f ms p50 (p95 %.1f); its launcher alone, until daemonized: "
              "%.1f ms p50\n", percentile (hvkit, 50), percentile (hvkit, 95),
              percentile (launcher, 50));
  report_validation (kvm, instance, rounds);
  report_cached_lookup (kvm, rounds);
  report_record_save (base, runtime, rounds);

  bare_p50 = percentile (bare, 50);
  hvkit_p50 = percentile (hvkit, 50);
  printf ("{\"qemu_version\": \"%s\", \"rounds\": %u, \"startup_paused\": false, "
          "\"bare_start_ms_p50\": %.1f, \"bare_start_ms_p95\": %.1f, "
          "\"hvkit_start_ms_p50\": %.1f, \"hvkit_start_ms_p95\": %.1f, \"ratio\": %.3f, "
          "\"probe_ms_first\": %.1f, \"probe_ms_cached\": %.3f}\n",
          hv_kvm_capabilities_get_version_string (capabilities), rounds,
          bare_p50, percentile (bare, 95), hvkit_p50, percentile (hvkit, 95),
          hvkit_p50 / bare_p50, percentile (probe_first, 50), percentile (probe_cached, 50));

  g_clear_object (&kvm);
  hv_test_remove_tree (base);
  return 0;
}
