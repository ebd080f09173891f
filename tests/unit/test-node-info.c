/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "hvkit.h"

static HvNodeInfo *
read_fixture (const gchar  *name,
              const gchar  *sysfs,
              GError      **error)
{
  g_autofree gchar *meminfo = g_test_build_filename (G_TEST_DIST, "data", "node", name,
                                                     "meminfo", NULL);
  g_autofree gchar *cpuinfo = g_test_build_filename (G_TEST_DIST, "data", "node", name,
                                                     "cpuinfo", NULL);
  g_autofree gchar *sys = g_test_build_filename (G_TEST_DIST, "data", "node", name, sysfs, NULL);

  return hv_node_info_new_from_system (meminfo, cpuinfo, sys, error);
}

static void
assert_variant (GVariant    *variant,
                const gchar *expected)
{
  g_autofree gchar *printed = g_variant_print (variant, TRUE);

  g_assert_cmpstr (printed, ==, expected);
}

static void
test_node_info_numa2 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNodeInfo) info = read_fixture ("numa2", "sys", &error);
  g_autoptr(GVariant) variant = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (hv_node_info_get_memory_total (info), ==, 64299);
  /* 49152 + 1023 + 4095: Ganeti rounds each field down on its own, the
   * sum of the kB would give 54271 */
  g_assert_cmpint (hv_node_info_get_memory_free (info), ==, 54270);
  g_assert_cmpint (hv_node_info_get_memory_dom0 (info), ==, 8192);
  g_assert_cmpint (hv_node_info_get_cpu_total (info), ==, 4);
  g_assert_cmpint (hv_node_info_get_cpu_dom0 (info), ==, 4);
  g_assert_cmpint (hv_node_info_get_cpu_nodes (info), ==, 2);
  g_assert_cmpint (hv_node_info_get_cpu_sockets (info), ==, 2);
  g_assert_null (hv_node_info_get_hv_version (info));

  variant = hv_node_info_to_variant (info);
  g_assert_false (g_variant_is_floating (variant));
  assert_variant (variant,
                  "{'memory_total': <int64 64299>, 'memory_free': <int64 54270>, "
                  "'memory_dom0': <int64 8192>, 'cpu_total': <int64 4>, "
                  "'cpu_dom0': <int64 4>, 'cpu_nodes': <int64 2>, 'cpu_sockets': <int64 2>}");
}

static void
test_node_info_single (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNodeInfo) info = read_fixture ("single", "sys", &error);

  g_assert_no_error (error);
  g_assert_cmpint (hv_node_info_get_memory_total (info), ==, 24105);
  g_assert_cmpint (hv_node_info_get_memory_free (info), ==, 21686 + 3 + 422);
  g_assert_cmpint (hv_node_info_get_memory_dom0 (info), ==, 283);
  g_assert_cmpint (hv_node_info_get_cpu_total (info), ==, 2);
  g_assert_cmpint (hv_node_info_get_cpu_dom0 (info), ==, 2);
  g_assert_cmpint (hv_node_info_get_cpu_nodes (info), ==, 1);
  g_assert_cmpint (hv_node_info_get_cpu_sockets (info), ==, 1);
}

static void
test_node_info_no_sysfs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNodeInfo) info = read_fixture ("numa2", "no-such-sysfs", &error);

  /* no NUMA directory: one node; the sockets come from cpuinfo */
  g_assert_no_error (error);
  g_assert_cmpint (hv_node_info_get_cpu_nodes (info), ==, 1);
  g_assert_cmpint (hv_node_info_get_cpu_sockets (info), ==, 2);
  g_assert_cmpint (hv_node_info_get_cpu_total (info), ==, 4);
}

typedef struct {
  gchar *dir;
  gchar *meminfo;
  gchar *cpuinfo;
} Scratch;

static void
scratch_set_up (Scratch       *scratch,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  scratch->dir = g_dir_make_tmp ("hvkit-node-XXXXXX", &error);
  g_assert_no_error (error);
  scratch->meminfo = g_build_filename (scratch->dir, "meminfo", NULL);
  scratch->cpuinfo = g_build_filename (scratch->dir, "cpuinfo", NULL);
}

static void
scratch_tear_down (Scratch       *scratch,
                   gconstpointer  data)
{
  g_unlink (scratch->meminfo);
  g_unlink (scratch->cpuinfo);
  g_assert_cmpint (g_rmdir (scratch->dir), ==, 0);
  g_free (scratch->cpuinfo);
  g_free (scratch->meminfo);
  g_free (scratch->dir);
}

static void
scratch_write (Scratch     *scratch,
               const gchar *meminfo,
               const gchar *cpuinfo)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (scratch->meminfo, meminfo, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (scratch->cpuinfo, cpuinfo, -1, &error);
  g_assert_no_error (error);
}

static void
test_node_info_cpuinfo_lines (Scratch       *scratch,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNodeInfo) info = NULL;

  /* only "processor : N" lines count; no physical id and no sysfs: one
   * socket, as an arm64 node reports it */
  scratch_write (scratch,
                 "MemTotal: 2048 kB\n",
                 "processor\t: 0\nBogoMIPS\t: 50.00\n\n"
                 "processor : 1  \n"
                 "processor:2\n"
                 "processors\t: 3\n"
                 "processor\t: x\n"
                 " processor\t: 4\n"
                 "model name\t: processor : 5\n");
  info = hv_node_info_new_from_system (scratch->meminfo, scratch->cpuinfo, scratch->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hv_node_info_get_cpu_total (info), ==, 3);
  g_assert_cmpint (hv_node_info_get_cpu_sockets (info), ==, 1);
  g_assert_cmpint (hv_node_info_get_cpu_nodes (info), ==, 1);
  g_assert_cmpint (hv_node_info_get_memory_total (info), ==, 2);
  g_assert_cmpint (hv_node_info_get_memory_free (info), ==, 0);
  g_assert_cmpint (hv_node_info_get_memory_dom0 (info), ==, 0);
}

static void
assert_read_fails (Scratch     *scratch,
                   const gchar *meminfo,
                   const gchar *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNodeInfo) info = NULL;
  g_auto(GStrv) parts = g_strsplit (expected, "@MEMINFO@", -1);
  g_autofree gchar *message = g_strjoinv (scratch->meminfo, parts);

  scratch_write (scratch, meminfo, "processor\t: 0\n");
  info = hv_node_info_new_from_system (scratch->meminfo, scratch->cpuinfo, scratch->dir, &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_null (info);
}

static void
test_node_info_errors (Scratch       *scratch,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNodeInfo) info = NULL;
  g_autofree gchar *missing = g_build_filename (scratch->dir, "missing", NULL);

  assert_read_fails (scratch, "MemTotal: 1024 kB\nMemFree: lots kB\n",
                     "Failed to compute memory usage: MemFree in @MEMINFO@ is not a number of kB: "
                     "'lots kB'");
  assert_read_fails (scratch, "MemTotal:\nMemFree: 1 kB\n",
                     "Failed to compute memory usage: MemTotal in @MEMINFO@ is not a number of kB: ''");
  assert_read_fails (scratch, "MemTotal: -1 kB\n",
                     "Failed to compute memory usage: MemTotal in @MEMINFO@ is not a number of kB: "
                     "'-1 kB'");
  assert_read_fails (scratch, "MemFree: 1024 kB\nActive: 4 kB\n",
                     "Failed to compute memory usage: no MemTotal in @MEMINFO@");

  scratch_write (scratch, "MemTotal: 1024 kB\n", "processor\t: 0\n");
  info = hv_node_info_new_from_system (missing, scratch->cpuinfo, scratch->dir, &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "Failed to list node info: "));
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_null (info);
  g_clear_error (&error);

  info = hv_node_info_new_from_system (scratch->meminfo, missing, scratch->dir, &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_null (info);
}

static void
test_node_info_variant (void)
{
  g_autoptr(HvNodeInfo) info = hv_node_info_new ();
  g_autoptr(HvNodeInfo) back = NULL;
  g_autoptr(HvNodeInfo) wrong = NULL;
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GVariant) again = NULL;
  g_autoptr(GVariant) with_unknown = NULL;
  g_autoptr(GError) error = NULL;

  hv_node_info_set_memory_total (info, 4096);
  hv_node_info_set_cpu_total (info, 8);
  hv_node_info_set_hv_version (info, "7.2.0");
  variant = hv_node_info_to_variant (info);
  assert_variant (variant,
                  "{'memory_total': <int64 4096>, 'memory_free': <int64 0>, "
                  "'memory_dom0': <int64 0>, 'cpu_total': <int64 8>, 'cpu_dom0': <int64 0>, "
                  "'cpu_nodes': <int64 0>, 'cpu_sockets': <int64 0>, 'hv_version': <'7.2.0'>}");

  /* a newer writer's key survives a round trip through this reader */
  with_unknown = g_variant_ref_sink (g_variant_new_parsed (
    "{'cpu_total': <int64 2>, 'numa_distances': <[10, 21]>, 'hv_version': <'8.0'>}"));
  back = hv_node_info_new_from_variant (with_unknown, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hv_node_info_get_cpu_total (back), ==, 2);
  g_assert_cmpint (hv_node_info_get_memory_total (back), ==, 0);
  g_assert_cmpstr (hv_node_info_get_hv_version (back), ==, "8.0");
  again = hv_node_info_to_variant (back);
  assert_variant (again,
                  "{'memory_total': <int64 0>, 'memory_free': <int64 0>, "
                  "'memory_dom0': <int64 0>, 'cpu_total': <int64 2>, 'cpu_dom0': <int64 0>, "
                  "'cpu_nodes': <int64 0>, 'cpu_sockets': <int64 0>, 'hv_version': <'8.0'>, "
                  "'numa_distances': <[10, 21]>}");

  wrong = hv_node_info_new_from_variant (g_variant_new_parsed ("{'cpu_total': <'2'>}"), &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "Node info key 'cpu_total' must be of type 'x', not 's'");
  g_assert_null (wrong);
  g_clear_error (&error);

  wrong = hv_node_info_new_from_variant (g_variant_new_parsed ("{'hv_version': <int64 7>}"),
                                         &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "Node info key 'hv_version' must be of type 's', not 'x'");
  g_assert_null (wrong);
  g_clear_error (&error);

  wrong = hv_node_info_new_from_variant (g_variant_new_parsed ("{'memory_free': <int64 -5>}"),
                                         &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==,
                   "Node info key 'memory_free' must not be negative (current value: '-5')");
  g_assert_null (wrong);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_node_info_properties (void)
{
  g_autoptr(HvNodeInfo) info = hv_node_info_new ();
  g_autofree gchar *version = NULL;
  gint64 sockets = 0;
  guint notified = 0;

  g_signal_connect (info, "notify", G_CALLBACK (count_notify), &notified);
  g_object_set (info, "cpu-sockets", (gint64) 2, "hv-version", "7.2.0", NULL);
  g_assert_cmpuint (notified, ==, 2);
  /* the same values again notify nothing */
  g_object_set (info, "cpu-sockets", (gint64) 2, "hv-version", "7.2.0", NULL);
  hv_node_info_set_cpu_sockets (info, 2);
  g_assert_cmpuint (notified, ==, 2);
  hv_node_info_set_hv_version (info, NULL);
  g_assert_cmpuint (notified, ==, 3);

  g_object_get (info, "cpu-sockets", &sockets, "hv-version", &version, NULL);
  g_assert_cmpint (sockets, ==, 2);
  g_assert_null (version);
}

static void
test_node_info_this_node (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNodeInfo) info = hv_node_info_new_from_system (NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (hv_node_info_get_memory_total (info), >, 0);
  g_assert_cmpint (hv_node_info_get_memory_free (info), <=, hv_node_info_get_memory_total (info));
  g_assert_cmpint (hv_node_info_get_cpu_total (info), ==, sysconf (_SC_NPROCESSORS_ONLN));
  g_assert_cmpint (hv_node_info_get_cpu_nodes (info), >=, 1);
  g_assert_cmpint (hv_node_info_get_cpu_sockets (info), >=, 1);
  g_assert_cmpint (hv_node_info_get_cpu_sockets (info), <=, hv_node_info_get_cpu_total (info));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/node-info/numa2", test_node_info_numa2);
  g_test_add_func ("/node-info/single", test_node_info_single);
  g_test_add_func ("/node-info/no-sysfs", test_node_info_no_sysfs);
  g_test_add ("/node-info/cpuinfo-lines", Scratch, NULL,
              scratch_set_up, test_node_info_cpuinfo_lines, scratch_tear_down);
  g_test_add ("/node-info/errors", Scratch, NULL,
              scratch_set_up, test_node_info_errors, scratch_tear_down);
  g_test_add_func ("/node-info/variant", test_node_info_variant);
  g_test_add_func ("/node-info/properties", test_node_info_properties);
  g_test_add_func ("/node-info/this-node", test_node_info_this_node);

  return g_test_run ();
}
