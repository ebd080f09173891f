/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-test.h"
#include "hv-test-files.h"
#include "hv-test-migration.h"

/*
 * bench-migrate (issue 10): the test guest with 256 MiB between two
 * namespaced hosts (hv-test-migration.h), 5 rounds of each:
 *
 * - floor: raw QMP by hand on the same guest and hosts — the target QEMU
 *   started with the argv hvkit gave its own target (`-incoming defer`
 *   included), `migrate-set-capabilities events` on both, the same
 *   bandwidth and downtime on the source, `migrate-incoming`, `migrate`,
 *   until the target's RESUME;
 * - hvkit: accept_instance + migrate_instance + finalize_migration_dst +
 *   finalize_migration_source, as Ganeti calls them.
 *
 * notice: from the timestamp of QEMU's `completed` event to the
 * completion of migrate_instance (both clocks are this machine's).
 * Prints one JSON object on stdout, medians in milliseconds.
 */

#define NAME    "bench-mig"
#define UUID    "6c7d8e9f-0a1b-4c2d-9e3f-405162738495"
#define ROUNDS  5
#define MEMORY  256
/* as good as unlimited on a veth: the floor and hvkit move the same */
#define BANDWIDTH_MIB 10000
#define DOWNTIME_MS   30

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a;
  gdouble y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
p50 (GArray *samples)
{
  gsize index;

  g_array_sort (samples, compare_doubles);
  index = (gsize) ceil (0.5 * (gdouble) samples->len);
  return g_array_index (samples, gdouble, CLAMP (index, 1, samples->len) - 1);
}

static void
add (GArray  *samples,
     gdouble  value)
{
  g_array_append_val (samples, value);
}

static gdouble
ms_since (gint64 start)
{
  return (gdouble) (g_get_monotonic_time () - start) / 1000.0;
}

static void
run (HvTestMigrationHost *host,
     const gchar         *command)
{
  g_free (hv_test_migration_host_run (host, "%s", command));
}

typedef struct {
  GArray *floor;
  GArray *migrate;
  GArray *notice;
  GArray *accept;
  GArray *finalize;
  GArray *downtime;
  gchar  *argv_a;
  gchar  *argv_b;
} Samples;

static void
hvkit_round (HvTestMigrationHost *a,
             HvTestMigrationHost *b,
             Samples             *samples)
{
  g_autofree gchar *info = NULL;
  g_autofree gchar *done = NULL;
  g_autofree gchar *status = NULL;
  g_autofree gchar *completed = NULL;
  g_auto(GStrv) words = NULL;
  g_auto(GStrv) event = NULL;
  gint64 start, finalize_start, status_start;
  gdouble status_ms;

  run (a, "start");
  if (samples->argv_a == NULL)
    samples->argv_a = hv_test_migration_host_run (a, "argv");
  info = hv_test_migration_host_run (a, "info");
  hv_test_migration_host_clear_progress (a);

  start = g_get_monotonic_time ();
  g_free (hv_test_migration_host_run (b, "accept %s %s", info, HV_TEST_MIGRATION_ADDRESS_B));
  add (samples->accept, ms_since (start));
  done = hv_test_migration_host_run (a, "migrate %s live", HV_TEST_MIGRATION_ADDRESS_B);
  /* the figures, outside the timed sequence */
  status_start = g_get_monotonic_time ();
  /* the `completed` that ended migrate_instance carries QEMU's time */
  do
    {
      g_free (completed);
      completed = hv_test_migration_host_wait_progress (a, "completed", 0);
    }
  while (g_str_has_suffix (completed, " -"));
  status = hv_test_migration_host_run (a, "status");
  status_ms = ms_since (status_start);
  finalize_start = g_get_monotonic_time ();
  run (b, "finalize-dst ok");
  run (a, "finalize-src ok live");
  add (samples->finalize, ms_since (finalize_start));
  add (samples->migrate, ms_since (start) - status_ms);

  event = g_strsplit (completed, " ", -1);
  add (samples->notice,
       (gdouble) (g_ascii_strtoll (done, NULL, 10) - g_ascii_strtoll (event[4], NULL, 10)) / 1000.0);
  words = g_strsplit (status, " ", -1);
  g_assert_cmpstr (words[0], ==, "completed");
  add (samples->downtime, (gdouble) g_ascii_strtoll (words[1], NULL, 10));
  if (samples->argv_b == NULL)
    samples->argv_b = hv_test_migration_host_run (b, "argv");
  run (b, "stop");
}

static void
floor_round (HvTestMigrationHost *a,
             HvTestMigrationHost *b,
             Samples             *samples)
{
  g_autofree gchar *uri = g_strdup_printf ("{\"uri\": \"tcp:%s:8102\"}",
                                           HV_TEST_MIGRATION_ADDRESS_B);
  g_autofree gchar *params = g_strdup_printf ("{\"max-bandwidth\": %" G_GINT64_FORMAT ", \"downtime-limit\": %d}",
                                              (gint64) BANDWIDTH_MIB * 1024 * 1024, DOWNTIME_MS);
  const gchar *events = "{\"capabilities\": [{\"capability\": \"events\", \"state\": true}]}";
  g_autoptr(GError) error = NULL;
  gint64 start;
  guint resumed;

  /* the source as hvkit started it, by hand; its guest booted */
  g_free (hv_test_migration_host_run (a, "raw-start %s", samples->argv_a));
  run (a, "console");
  run (a, "raw-qmp cont");
  g_free (hv_test_migration_host_run (a, "wait-line %s", HV_TEST_GUEST_READY_PATTERN));
  g_free (hv_test_migration_host_run (a, "raw-qmp migrate-set-capabilities %s", events));
  g_free (hv_test_migration_host_run (a, "raw-qmp migrate-set-parameters %s", params));

  start = g_get_monotonic_time ();
  g_free (hv_test_migration_host_run (b, "raw-start %s", samples->argv_b));
  g_free (hv_test_migration_host_run (b, "raw-qmp migrate-set-capabilities %s", events));
  g_free (hv_test_migration_host_run (b, "raw-qmp migrate-incoming %s", uri));
  g_free (hv_test_migration_host_run (a, "raw-qmp migrate %s", uri));
  resumed = hv_test_migration_host_send (b, "raw-wait-event RESUME");
  g_free (hv_test_migration_host_wait (b, resumed, &error));
  g_assert_no_error (error);
  add (samples->floor, ms_since (start));

  run (a, "raw-kill");
  run (b, "raw-kill");
}

int
main (int    argc,
      char **argv)
{
  g_autofree gchar *work_dir = NULL;
  g_autoptr(GError) error = NULL;
  HvTestMigrationHost *a = NULL;
  HvTestMigrationHost *b = NULL;
  g_autofree gchar *bandwidth = g_strdup_printf ("set migration_bandwidth=%d", BANDWIDTH_MIB);
  g_autofree gchar *downtime = g_strdup_printf ("set migration_downtime=%d", DOWNTIME_MS);
  Samples samples = { 0 };

  g_test_init (&argc, &argv, NULL);
  work_dir = g_dir_make_tmp ("hvkit-bench-migrate-XXXXXX", &error);
  g_assert_no_error (error);
  if (!hv_test_migration_hosts_new (work_dir, NAME, UUID, MEMORY, &a, &b))
    {
      g_printerr ("bench-migrate: skipped (needs root, taps and the test guest)\n");
      printf ("{}\n");
      hv_test_remove_tree (work_dir);
      return 0;
    }
  samples.floor = g_array_new (FALSE, FALSE, sizeof (gdouble));
  samples.migrate = g_array_new (FALSE, FALSE, sizeof (gdouble));
  samples.notice = g_array_new (FALSE, FALSE, sizeof (gdouble));
  samples.accept = g_array_new (FALSE, FALSE, sizeof (gdouble));
  samples.finalize = g_array_new (FALSE, FALSE, sizeof (gdouble));
  samples.downtime = g_array_new (FALSE, FALSE, sizeof (gdouble));
  run (a, bandwidth);
  run (a, downtime);

  for (guint round = 0; round < ROUNDS; round++)
    {
      hvkit_round (a, b, &samples);
      floor_round (a, b, &samples);
      g_printerr ("round %u: floor %.1f ms, hvkit %.1f ms (accept %.1f, finalize %.1f), "
                  "notice %.2f ms, downtime %.0f ms\n", round + 1,
                  g_array_index (samples.floor, gdouble, round),
                  g_array_index (samples.migrate, gdouble, round),
                  g_array_index (samples.accept, gdouble, round),
                  g_array_index (samples.finalize, gdouble, round),
                  g_array_index (samples.notice, gdouble, round),
                  g_array_index (samples.downtime, gdouble, round));
    }

  printf ("{\"floor_migrate_ms_p50\": %.1f, \"migrate_ms_p50\": %.1f, \"ratio_migrate\": %.3f, "
          "\"notice_ms_p50\": %.2f, \"accept_ms_p50\": %.1f, \"finalize_ms_p50\": %.1f, "
          "\"downtime_ms_p50\": %.0f}\n",
          p50 (samples.floor), p50 (samples.migrate), p50 (samples.migrate) / p50 (samples.floor),
          p50 (samples.notice), p50 (samples.accept), p50 (samples.finalize),
          p50 (samples.downtime));

  hv_test_migration_host_free (a);
  hv_test_migration_host_free (b);
  hv_test_remove_tree (work_dir);
  g_array_unref (samples.floor);
  g_array_unref (samples.migrate);
  g_array_unref (samples.notice);
  g_array_unref (samples.accept);
  g_array_unref (samples.finalize);
  g_array_unref (samples.downtime);
  g_free (samples.argv_a);
  g_free (samples.argv_b);
  return 0;
}
