/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gstdio.h>

#include "hv-kvm-runtime-ganeti.h"

/* The cost of the KVM runtime record with 8 disks and 8 NICs: a durable
 * save, a save without fsync, a load with every check, and the import of
 * the same instance's Ganeti file. Each is compared with what GLib alone
 * does with the same bytes in the same run (g_file_set_contents_full
 * durable, g_file_get_contents, json-glib parsing). Prints JSON; medians
 * in microseconds.
 *
 *   meson test -C build --benchmark bench-runtime --verbose
 *   build/tests/bench/bench-runtime [ITERATIONS]
 */

#define N_DEVICES 8

static gchar *
make_ganeti_json (void)
{
  g_autoptr(GString) json = g_string_new ("[[\"/usr/bin/kvm\", \"-name\", \"bench.example.com\", \"-m\", \"4096\","
                                          " \"-smp\", \"4\", \"-balloon\", \"virtio,id=balloon,bus=pci.0,addr=0x3\","
                                          " \"-daemonize\", \"-machine\", \"pc-i440fx-2.1\","
                                          " \"-uuid\", \"4f3b2c1d-8e7a-4b6c-9d0e-1f2a3b4c5d6e\","
                                          " \"-vnc\", \":1,tls,x509verify=/etc/ganeti/x509\", \"-S\"], [");

  for (guint i = 0; i < N_DEVICES; i++)
    g_string_append_printf (json,
                            "%s{\"mac\": \"aa:00:00:00:00:%02x\", \"ip\": \"192.0.2.%u\","
                            " \"nicparams\": {\"mode\": \"bridged\", \"link\": \"br%u\", \"vlan\": \"\"},"
                            " \"uuid\": \"%08x-2d3a-4e1f-9b7c-6a5d4e3f2a1b\", \"name\": \"eth%u\", \"pci\": %u}",
                            i > 0 ? ", " : "", i, i + 10, i, 0x8c5f0b00 + i, i, 4 + i);
  g_string_append (json, "], {\"acpi\": true, \"boot_order\": \"disk\", \"disk_cache\": \"none\","
                         " \"disk_type\": \"paravirtual\", \"nic_type\": \"paravirtual\", \"kernel_path\": \"\","
                         " \"vnc_bind_address\": \"0.0.0.0\", \"migration_downtime\": 30, \"disk_discard\": \"default\"}, [");
  for (guint i = 0; i < N_DEVICES; i++)
    g_string_append_printf (json,
                            "%s[{\"dev_type\": \"drbd\", \"logical_id\": [\"node1\", \"node2\", %u, %u, %u, \"secret\"],"
                            " \"iv_name\": \"disk/%u\", \"size\": 10240, \"mode\": \"rw\", \"params\": {\"cache\": \"none\"},"
                            " \"uuid\": \"%08x-5e6f-4a8b-9c0d-e1f2a3b4c5d6\", \"pci\": %u},"
                            " \"/var/run/ganeti/instance-disks/bench.example.com:%u\", null]",
                            i > 0 ? ", " : "", 11000 + i, i, i, i, 0x1a2b3c00 + i, 12 + i, i);
  g_string_append (json, "]]");
  return g_string_free (g_steal_pointer (&json), FALSE);
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

typedef void (*BenchFunc) (gpointer data);

/* Median of @iterations runs of @func, in microseconds. */
static gdouble
measure (BenchFunc  func,
         gpointer   data,
         guint      iterations)
{
  g_autofree gdouble *times = g_new (gdouble, iterations);

  func (data);  /* warm-up */
  for (guint i = 0; i < iterations; i++)
    {
      gint64 start = g_get_monotonic_time ();

      func (data);
      times[i] = (gdouble) (g_get_monotonic_time () - start);
    }
  qsort (times, iterations, sizeof (gdouble), compare_doubles);
  return iterations % 2 ? times[iterations / 2] : (times[iterations / 2 - 1] + times[iterations / 2]) / 2;
}

typedef struct {
  HvRuntimeStore *store;
  HvKvmRuntime *runtime;
  gchar *path;
  gchar *plain_path;
  GBytes *bytes;
  gchar *ganeti;
} Bench;

static void
bench_save (gpointer data)
{
  Bench *bench = data;

  if (!hv_kvm_runtime_save (bench->store, bench->runtime, NULL))
    g_error ("save failed");
}

static void
bench_load (gpointer data)
{
  Bench *bench = data;
  g_autoptr(HvKvmRuntime) runtime = hv_kvm_runtime_load (bench->store, "bench.example.com", NULL);

  if (runtime == NULL)
    g_error ("load failed");
}

static void
bench_import (gpointer data)
{
  Bench *bench = data;
  g_autoptr(HvKvmRuntime) runtime = hv_kvm_runtime_new_from_ganeti (bench->ganeti, strlen (bench->ganeti),
                                                                    NULL, "bench", NULL);

  if (runtime == NULL)
    g_error ("import failed");
}

static void
baseline_set_contents_durable (gpointer data)
{
  Bench *bench = data;

  g_file_set_contents_full (bench->plain_path, g_bytes_get_data (bench->bytes, NULL),
                            g_bytes_get_size (bench->bytes),
                            G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, NULL);
}

static void
baseline_get_contents (gpointer data)
{
  Bench *bench = data;
  g_autofree gchar *contents = NULL;

  g_file_get_contents (bench->path, &contents, NULL, NULL);
}

static void
baseline_json_parse (gpointer data)
{
  Bench *bench = data;
  g_autoptr(JsonParser) parser = json_parser_new ();

  json_parser_load_from_data (parser, bench->ganeti, -1, NULL);
}

int
main (int argc, char **argv)
{
  guint iterations = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 2000;
  guint durable_iterations = MAX (iterations / 10, 20);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *run_dir = g_dir_make_tmp ("hvkit-bench-XXXXXX", &error);
  g_autofree gchar *conf = NULL;
  Bench bench = { 0 };
  gdouble save, save_nosync, load, import, base_write, base_read, base_parse;

  g_assert_no_error (error);
  bench.ganeti = make_ganeti_json ();
  bench.runtime = hv_kvm_runtime_new_from_ganeti (bench.ganeti, strlen (bench.ganeti), NULL, "bench", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bench.runtime->disks->len, ==, N_DEVICES);
  g_assert_cmpuint (bench.runtime->nics->len, ==, N_DEVICES);
  bench.store = hv_kvm_runtime_store_new (run_dir);
  bench.bytes = hv_kvm_runtime_to_migration_info (bench.store, bench.runtime, &error);
  g_assert_no_error (error);
  bench.path = hv_runtime_store_get_path (bench.store, "bench.example.com", &error);
  bench.plain_path = g_build_filename (run_dir, "plain", NULL);

  save = measure (bench_save, &bench, durable_iterations);
  base_write = measure (baseline_set_contents_durable, &bench, durable_iterations);
  hv_runtime_store_set_durable (bench.store, FALSE);
  save_nosync = measure (bench_save, &bench, iterations);
  load = measure (bench_load, &bench, iterations);
  base_read = measure (baseline_get_contents, &bench, iterations);
  import = measure (bench_import, &bench, iterations);
  base_parse = measure (baseline_json_parse, &bench, iterations);

  g_print ("{\n"
           "  \"record_bytes\": %" G_GSIZE_FORMAT ",\n"
           "  \"ganeti_json_bytes\": %" G_GSIZE_FORMAT ",\n"
           "  \"disks\": %d, \"nics\": %d,\n"
           "  \"iterations\": %u, \"durable_iterations\": %u,\n"
           "  \"save_us_p50\": %.1f,\n"
           "  \"save_nosync_us_p50\": %.1f,\n"
           "  \"load_us_p50\": %.1f,\n"
           "  \"ganeti_import_us_p50\": %.1f,\n"
           "  \"baseline\": {\n"
           "    \"glib_set_contents_durable_us_p50\": %.1f,\n"
           "    \"glib_get_contents_us_p50\": %.1f,\n"
           "    \"json_glib_parse_us_p50\": %.1f\n"
           "  }\n"
           "}\n",
           g_bytes_get_size (bench.bytes), strlen (bench.ganeti), N_DEVICES, N_DEVICES,
           iterations, durable_iterations, save, save_nosync, load, import,
           base_write, base_read, base_parse);

  hv_runtime_store_remove (bench.store, "bench.example.com", NULL);
  g_unlink (bench.plain_path);
  conf = g_build_filename (run_dir, "conf", NULL);
  g_rmdir (conf);
  g_rmdir (run_dir);
  g_clear_object (&bench.store);
  hv_kvm_runtime_free (bench.runtime);
  g_bytes_unref (bench.bytes);
  g_free (bench.path);
  g_free (bench.plain_path);
  g_free (bench.ganeti);
  return 0;
}
