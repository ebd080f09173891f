/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm-capabilities-cache.h"

/*
 * What the capability cache saves a start: the lookup of a QEMU binary
 * with an empty cache (one probe: QEMU runs and answers, the file is
 * written) against the lookup a new process makes with the file there,
 * and against the lookup of a process that already knows the binary.
 * Prints one JSON object with medians in milliseconds.
 *
 *   meson test -C build --benchmark bench-kvm-capabilities -v
 *   build/tests/bench/bench-kvm-capabilities [qemu] [rounds]
 */

#define DEFAULT_QEMU "/usr/bin/qemu-system-x86_64"
#define DEFAULT_ROUNDS 15

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/* One lookup; returns its wall time in ms. */
static gdouble
timed_lookup (HvKvmCapabilitiesCache  *cache,
              const gchar             *qemu,
              HvKvmCapabilities      **out)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  HvKvmCapabilities *capabilities;

  hv_kvm_capabilities_cache_lookup_async (cache, qemu, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  capabilities = hv_kvm_capabilities_cache_lookup_finish (cache, result, &error);
  if (capabilities == NULL)
    {
      g_printerr ("lookup of %s failed: %s\n", qemu, error->message);
      exit (1);
    }
  if (out != NULL)
    *out = capabilities;
  else
    g_object_unref (capabilities);
  return (gdouble) (g_get_monotonic_time () - start) / 1000.0;
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a;
  gdouble y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
median (GArray *samples)
{
  g_array_sort (samples, compare_doubles);
  if (samples->len % 2 == 1)
    return g_array_index (samples, gdouble, samples->len / 2);
  return (g_array_index (samples, gdouble, samples->len / 2 - 1) +
          g_array_index (samples, gdouble, samples->len / 2)) / 2;
}

static void
remove_cache_dir (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int argc, char **argv)
{
  const gchar *qemu = argc > 1 ? argv[1] : DEFAULT_QEMU;
  guint rounds = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : DEFAULT_ROUNDS;
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) cached = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) in_process = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *base = g_dir_make_tmp ("hvkit-bench-caps-XXXXXX", &error);
  g_autofree gchar *cache_dir = g_build_filename (base != NULL ? base : "", "cache", NULL);
  gdouble first_ms, cached_ms;

  if (base == NULL || rounds == 0)
    {
      g_printerr ("usage: %s [qemu] [rounds > 0]: %s\n", argv[0],
                  error != NULL ? error->message : "no rounds");
      return 1;
    }

  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr(HvKvmCapabilitiesCache) empty = hv_kvm_capabilities_cache_new (cache_dir);
      gdouble ms;

      /* an empty cache directory each time: this is a first start */
      remove_cache_dir (cache_dir);
      ms = timed_lookup (empty, qemu, capabilities == NULL ? &capabilities : NULL);
      g_array_append_val (first, ms);
    }

  for (guint i = 0; i < rounds; i++)
    {
      /* a new process: nothing in memory, the file from the last probe */
      g_autoptr(HvKvmCapabilitiesCache) warm = hv_kvm_capabilities_cache_new (cache_dir);
      gdouble ms = timed_lookup (warm, qemu, NULL);

      g_array_append_val (cached, ms);
      /* the same process again: memory, after one stat() */
      ms = timed_lookup (warm, qemu, NULL);
      g_array_append_val (in_process, ms);
      if (hv_kvm_capabilities_cache_get_probe_count (warm) != 0)
        {
          g_printerr ("a cached lookup probed QEMU\n");
          return 1;
        }
    }

  first_ms = median (first);
  cached_ms = median (cached);
  g_print ("{\n"
           "  \"qemu\": \"%s\",\n"
           "  \"qemu_version\": \"%s\",\n"
           "  \"rounds\": %u,\n"
           "  \"probe_ms_first\": %.3f,\n"
           "  \"probe_ms_cached\": %.3f,\n"
           "  \"probe_ms_cached_in_process\": %.3f,\n"
           "  \"probe_speedup\": %.1f\n"
           "}\n",
           qemu, hv_kvm_capabilities_get_version_string (capabilities), rounds,
           first_ms, cached_ms, median (in_process), first_ms / cached_ms);

  remove_cache_dir (cache_dir);
  g_rmdir (base);
  return 0;
}
