/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * HvKvmQmpClient against raw QMP, on one real QEMU in one run:
 *
 *   floor      a minimal blocking client: write one line, read one line,
 *              the same bytes the client sends
 *   client     HvKvmQmpClient's typed query-status, one call at a time
 *   pipelined  the same with 64 calls in flight
 *
 * and, for the record, the floor with the shortest line (no id). The floor
 * and the client talk to two QMP monitors of the same QEMU (`-machine
 * none`), and the modes run in alternating rounds, so that the noise of a
 * shared machine falls on all of them alike. Prints one JSON object on
 * stdout; the detail, with the CPU time QEMU and this process spent per
 * command in each mode, goes to stderr.
 *
 * What caps pipelining is QEMU 7.2 itself: its monitor reads the QMP socket
 * one byte per recvmsg() (and four eventfd writes per byte), and without
 * the oob capability it stops reading while a command runs. Each command
 * costs QEMU about 200 µs of CPU time whoever sends it and however many
 * are queued; a round trip grows by some 4.5 µs per byte of the command.
 *
 *   bench-qmp [ROUND_TRIPS_PER_MODE]     (default 10000)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "hvkit.h"
#include "hv-kvm-qmp-commands.h"
#include "hv-test-async.h"
#include "hv-test-qemu.h"

#define ROUNDS 10
#define IN_FLIGHT 64

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the floor ------------------------------------------------------------ */

typedef struct {
  gint  fd;
  gchar buffer[65536];
  gsize filled;
} Floor;

/* Reads until a whole line is in; drops it. */
static void
floor_read_line (Floor *floor)
{
  for (;;)
    {
      gchar *newline = memchr (floor->buffer, '\n', floor->filled);
      gssize n;

      if (newline != NULL)
        {
          gsize used = (gsize) (newline - floor->buffer) + 1;

          memmove (floor->buffer, newline + 1, floor->filled - used);
          floor->filled -= used;
          return;
        }
      n = read (floor->fd, floor->buffer + floor->filled, sizeof floor->buffer - floor->filled);
      g_assert_cmpint (n, >, 0);
      floor->filled += (gsize) n;
    }
}

static void
floor_write_line (Floor       *floor,
                  const gchar *line,
                  gsize        size)
{
  g_assert_cmpint (write (floor->fd, line, size), ==, (gssize) size);
}

static void
floor_connect (Floor       *floor,
               const gchar *path)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  static const gchar negotiate[] = "{\"execute\": \"qmp_capabilities\"}\n";

  g_assert_cmpuint (strlen (path), <, sizeof address.sun_path);
  strcpy (address.sun_path, path);
  floor->fd = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (floor->fd, >=, 0);
  g_assert_no_errno (connect (floor->fd, (struct sockaddr *) &address, sizeof address));
  floor_read_line (floor);  /* the greeting */
  floor_write_line (floor, negotiate, strlen (negotiate));
  floor_read_line (floor);
}

/* Returns the time the block took; adds each round trip to @rtts. The line
 * is byte for byte what HvKvmQmpClient sends (its ids have five digits by
 * then), or, @with_id false, the shortest query-status there is. QEMU reads
 * a QMP socket one byte per main-loop iteration, so the length of the line
 * is most of the round trip: comparing the same bytes measures the client. */
static gint64
floor_run (Floor   *floor,
           guint    n,
           gboolean with_id,
           GArray  *rtts)
{
  static guint serial = 10000;
  gint64 start = now_ns ();

  for (guint i = 0; i < n; i++)
    {
      gchar line[64];
      gint64 sent;
      gint size;
      gdouble rtt_us;

      if (with_id)
        size = g_snprintf (line, sizeof line, "{\"execute\":\"query-status\",\"id\":%u}\n", serial++);
      else
        size = g_snprintf (line, sizeof line, "{\"execute\":\"query-status\"}\n");
      sent = now_ns ();
      floor_write_line (floor, line, (gsize) size);
      floor_read_line (floor);
      rtt_us = (gdouble) (now_ns () - sent) / 1000.0;
      if (rtts != NULL)
        g_array_append_val (rtts, rtt_us);
    }
  return now_ns () - start;
}

/* ---- HvKvmQmpClient --------------------------------------------------------- */

typedef struct {
  HvKvmQmpClient *client;
  guint           to_start;
  guint           to_finish;
  gint64          sent;       /* one at a time: when the call was made */
  GArray         *rtts;
  gboolean        sequential;
} Run;

static void start_next (Run *run);

static void
on_status (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  gboolean running = FALSE;
  g_autofree gchar *status = hv_kvm_qmp_query_status_finish (run->client, result, &running, &error);

  g_assert_no_error (error);
  g_assert_true (running);
  if (run->sequential && run->rtts != NULL)
    {
      gdouble rtt_us = (gdouble) (now_ns () - run->sent) / 1000.0;

      g_array_append_val (run->rtts, rtt_us);
    }
  run->to_finish--;
  start_next (run);
}

static void
start_next (Run *run)
{
  if (run->to_start == 0)
    return;
  run->to_start--;
  run->sent = now_ns ();
  hv_kvm_qmp_query_status_async (run->client, NULL, on_status, run);
}

static gboolean
run_done (gpointer data)
{
  return ((Run *) data)->to_finish == 0;
}

static gint64
client_run (HvKvmQmpClient *client,
            guint           n,
            guint           in_flight,
            GArray         *rtts)
{
  Run run = {
    .client = client,
    .to_start = n,
    .to_finish = n,
    .rtts = rtts,
    .sequential = in_flight == 1,
  };
  gint64 start = now_ns ();

  for (guint i = 0; i < in_flight; i++)
    start_next (&run);
  hv_test_wait_until (run_done, &run);
  return now_ns () - start;
}

/* ---- figures ------------------------------------------------------------- */

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
percentile (GArray *samples,
            gdouble p)
{
  gsize index;

  g_array_sort (samples, compare_doubles);
  index = (gsize) ceil (p / 100.0 * (gdouble) samples->len) - 1;
  return g_array_index (samples, gdouble, MIN (index, samples->len - 1));
}

/* CPU time, user + system, in nanoseconds: of QEMU (all its threads) from
 * /proc, or of this process. */
static gint64
cpu_ns (GPid pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", (gint) pid);
  g_autofree gchar *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const gchar *after_name;

  g_assert_true (g_file_get_contents (path, &stat, NULL, NULL));
  after_name = strrchr (stat, ')');
  g_assert_nonnull (after_name);
  fields = g_strsplit (after_name + 2, " ", -1);
  /* utime and stime are fields 14 and 15, the 12th and 13th after the name */
  return (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10)) *
         (1000000000 / sysconf (_SC_CLK_TCK));
}

typedef struct {
  const gchar *name;
  gint64       wall_ns;
  gint64       qemu_cpu_ns;
  gint64       own_cpu_ns;
  guint        n;
} Mode;

static void
mode_account (Mode   *mode,
              GPid    qemu,
              gint64  wall_ns,
              gint64  qemu_before,
              gint64  own_before,
              guint   n)
{
  mode->wall_ns += wall_ns;
  mode->qemu_cpu_ns += cpu_ns (qemu) - qemu_before;
  mode->own_cpu_ns += cpu_ns (getpid ()) - own_before;
  mode->n += n;
}

static gdouble
mode_per_s (const Mode *mode)
{
  return (gdouble) mode->n * 1e9 / (gdouble) mode->wall_ns;
}

static void
mode_report (const Mode *mode)
{
  g_printerr ("%-16s %7.0f cmds/s   QEMU %6.1f us CPU/cmd   client %5.1f us CPU/cmd\n",
              mode->name, mode_per_s (mode),
              (gdouble) mode->qemu_cpu_ns / 1000.0 / mode->n,
              (gdouble) mode->own_cpu_ns / 1000.0 / mode->n);
}

static HvTestQemu *
start_qemu (gchar **out_floor_path)
{
  HvTestQemu *qemu = hv_test_qemu_new ();
  g_autofree gchar *chardev = NULL;
  g_autoptr(GError) error = NULL;
  gint saved_stdout;

  *out_floor_path = g_build_filename (hv_test_qemu_get_dir (qemu), "floor.sock", NULL);
  chardev = g_strdup_printf ("socket,id=floor,path=%s,server=on,wait=off", *out_floor_path);
  hv_test_qemu_add_args (qemu, "-machine", "none", "-chardev", chardev,
                         "-mon", "chardev=floor,mode=control", NULL);
  /* the launcher notes its command line on stdout, which is for the JSON */
  fflush (stdout);
  saved_stdout = dup (STDOUT_FILENO);
  dup2 (STDERR_FILENO, STDOUT_FILENO);
  hv_test_qemu_start (qemu, &error);
  fflush (stdout);
  dup2 (saved_stdout, STDOUT_FILENO);
  close (saved_stdout);
  g_assert_no_error (error);
  return qemu;
}

int
main (int argc, char **argv)
{
  g_autoptr(HvTestQemu) qemu = NULL;
  g_autoptr(HvKvmQmpClient) client = hv_kvm_qmp_client_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GArray) floor_rtts = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) bare_rtts = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) client_rtts = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GError) error = NULL;
  g_autofree gchar *floor_path = NULL;
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  guint block = MAX (n / ROUNDS, 1);
  Mode floor_mode = { "floor" }, bare_mode = { "floor, no id" };
  Mode client_mode = { "client" }, pipelined_mode = { "client, 64 deep" };
  gdouble floor_p50, client_p50, client_p95;
  Floor floor = { .fd = -1 };
  GPid pid;

  qemu = start_qemu (&floor_path);
  pid = hv_test_qemu_get_pid (qemu);
  hv_kvm_qmp_client_connect_async (client, hv_test_qemu_get_qmp_path (qemu), NULL,
                                   hv_test_store_result, &result);
  result = hv_test_wait_result (&result);
  hv_kvm_qmp_client_connect_finish (client, result, &error);
  g_assert_no_error (error);
  floor_connect (&floor, floor_path);

  /* warm up both ends */
  floor_run (&floor, 500, TRUE, NULL);
  client_run (client, 500, 1, NULL);
  client_run (client, 500, IN_FLIGHT, NULL);

  for (guint round = 0; round < ROUNDS; round++)
    {
      gint64 qemu_before, own_before, wall;

#define MEASURE(mode, call)                                        \
      qemu_before = cpu_ns (pid);                                  \
      own_before = cpu_ns (getpid ());                             \
      wall = (call);                                               \
      mode_account (&(mode), pid, wall, qemu_before, own_before, block)

      MEASURE (floor_mode, floor_run (&floor, block, TRUE, floor_rtts));
      MEASURE (client_mode, client_run (client, block, 1, client_rtts));
      MEASURE (pipelined_mode, client_run (client, block, IN_FLIGHT, NULL));
      MEASURE (bare_mode, floor_run (&floor, block, FALSE, bare_rtts));
#undef MEASURE
    }

  floor_p50 = percentile (floor_rtts, 50);
  client_p50 = percentile (client_rtts, 50);
  client_p95 = percentile (client_rtts, 95);
  g_printerr ("%u query-status per mode, in %u alternating rounds\n", block * ROUNDS, ROUNDS);
  mode_report (&floor_mode);
  mode_report (&client_mode);
  mode_report (&pipelined_mode);
  mode_report (&bare_mode);
  g_printerr ("round trip p50: floor %.1f us, floor without id %.1f us, client %.1f us\n",
              floor_p50, percentile (bare_rtts, 50), client_p50);

  printf ("{\"floor_rtt_us_p50\": %.1f, \"client_rtt_us_p50\": %.1f, \"client_rtt_us_p95\": %.1f, "
          "\"ratio_seq\": %.3f, \"floor_cmds_per_s\": %.0f, \"pipelined_cmds_per_s\": %.0f}\n",
          floor_p50, client_p50, client_p95, client_p50 / floor_p50,
          mode_per_s (&floor_mode), mode_per_s (&pipelined_mode));

  close (floor.fd);
  hv_kvm_qmp_client_close (client);
  return 0;
}
