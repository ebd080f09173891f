/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvNodeInfo"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-error.h"
#include "hv-node-info-private.h"

/* How HvNodeInfo reads a Linux node: /proc/meminfo, /proc/cpuinfo and
 * sysfs, each path given so that tests can point at fixtures. */

static gboolean
hv_node_info_parse_number (const gchar *text,
                           gint64      *value)
{
  g_autofree gchar *copy = g_strstrip (g_strdup (text));
  gchar *end = copy;
  gint64 number;

  while (*end != '\0' && !g_ascii_isspace (*end))
    end++;
  *end = '\0';
  if (*copy == '\0' || !g_ascii_string_to_signed (copy, 10, G_MININT64, G_MAXINT64, &number, NULL))
    return FALSE;
  *value = number;
  return TRUE;
}

/* Ganeti's GetLinuxNodeInfo: MemTotal is the total, MemFree + Buffers +
 * Cached what instances may have, Active what the node uses. Each field is
 * turned into MiB on its own, rounding down, as Ganeti does, so the numbers
 * agree with a Ganeti node's to the MiB. */
static gboolean
hv_node_info_read_meminfo (HvNodeInfo   *self,
                           const gchar  *path,
                           GError      **error)
{
  g_autofree gchar *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean have_total = FALSE;
  gint64 total = 0;
  gint64 free_mib = 0;
  gint64 active = 0;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Failed to list node info: %s"), local_error->message);
      return FALSE;
    }

  lines = g_strsplit (contents, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      gchar *colon = strchr (lines[i], ':');
      gint64 kib;

      if (colon == NULL)
        continue;
      *colon = '\0';
      g_strstrip (lines[i]);
      if (!g_str_equal (lines[i], "MemTotal") && !g_str_equal (lines[i], "MemFree") &&
          !g_str_equal (lines[i], "Buffers") && !g_str_equal (lines[i], "Cached") &&
          !g_str_equal (lines[i], "Active"))
        continue;
      if (!hv_node_info_parse_number (colon + 1, &kib) || kib < 0)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                       _("Failed to compute memory usage: %s in %s is not a number of kB: '%s'"),
                       lines[i], path, g_strstrip (colon + 1));
          return FALSE;
        }
      if (g_str_equal (lines[i], "MemTotal"))
        {
          total = kib / 1024;
          have_total = TRUE;
        }
      else if (g_str_equal (lines[i], "Active"))
        active = kib / 1024;
      else
        free_mib += kib / 1024;
    }

  if (!have_total)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Failed to compute memory usage: no MemTotal in %s"), path);
      return FALSE;
    }
  hv_node_info_set_memory_total (self, total);
  hv_node_info_set_memory_free (self, free_mib);
  hv_node_info_set_memory_dom0 (self, active);
  return TRUE;
}

/* After @prefix: optional blanks, ':', optional blanks, then the rest. */
static const gchar *
hv_cpuinfo_field (const gchar *line,
                  const gchar *prefix)
{
  const gchar *p;

  if (!g_str_has_prefix (line, prefix))
    return NULL;
  p = line + strlen (prefix);
  while (g_ascii_isspace (*p))
    p++;
  if (*p != ':')
    return NULL;
  p++;
  while (g_ascii_isspace (*p))
    p++;
  return p;
}

static gboolean
hv_cpuinfo_is_number (const gchar *text)
{
  const gchar *p = text;

  while (g_ascii_isdigit (*p))
    p++;
  if (p == text)
    return FALSE;
  while (g_ascii_isspace (*p))
    p++;
  return *p == '\0';
}

static gint
hv_int_compare (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static guint
hv_count_distinct (GArray *values)
{
  guint distinct = 0;

  g_array_sort (values, hv_int_compare);
  for (guint i = 0; i < values->len; i++)
    {
      if (i == 0 || g_array_index (values, gint64, i) != g_array_index (values, gint64, i - 1))
        distinct++;
    }
  return distinct;
}

/* Ganeti counts the lines matching ^processor\s*:\s*[0-9]+\s*$. The distinct
 * "physical id" values are the socket count when sysfs has none. */
static gboolean
hv_node_info_read_cpuinfo (const gchar  *path,
                           gint64       *cpu_total,
                           guint        *sockets,
                           GError      **error)
{
  g_autofree gchar *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) package_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Failed to list node info: %s"), local_error->message);
      return FALSE;
    }

  *cpu_total = 0;
  lines = g_strsplit (contents, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      const gchar *value;
      gint64 id;

      if ((value = hv_cpuinfo_field (lines[i], "processor")) != NULL &&
          hv_cpuinfo_is_number (value))
        (*cpu_total)++;
      else if ((value = hv_cpuinfo_field (lines[i], "physical id")) != NULL &&
               hv_node_info_parse_number (value, &id))
        g_array_append_val (package_ids, id);
    }
  *sockets = hv_count_distinct (package_ids);
  return TRUE;
}

/* Entries of @dir_path named <prefix><digits>, as sysfs names node0 and
 * cpu12 next to cpufreq, has_cpu or possible. NULL when @dir_path cannot be
 * read. */
static GPtrArray *
hv_sysfs_list_numbered (const gchar *dir_path,
                        const gchar *prefix)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const gchar *name;

  dir = g_dir_open (dir_path, 0, &error);
  if (dir == NULL)
    {
      g_debug ("cannot list %s: %s", dir_path, error->message);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      const gchar *digits = name + strlen (prefix);

      if (g_str_has_prefix (name, prefix) && *digits != '\0' &&
          strspn (digits, "0123456789") == strlen (digits))
        g_ptr_array_add (names, g_build_filename (dir_path, name, NULL));
    }
  return g_steal_pointer (&names);
}

/* The NUMA nodes are /sys/devices/system/node/node<N>. A kernel without
 * NUMA has no such directory: one node. */
static gint64
hv_node_info_count_numa_nodes (const gchar *sysfs_root)
{
  g_autofree gchar *dir = g_build_filename (sysfs_root, "devices", "system", "node", NULL);
  g_autoptr(GPtrArray) nodes = hv_sysfs_list_numbered (dir, "node");
  gint64 count = 0;

  if (nodes == NULL)
    return 1;
  for (guint i = 0; i < nodes->len; i++)
    {
      if (g_file_test (nodes->pdata[i], G_FILE_TEST_IS_DIR))
        count++;
    }
  return MAX (count, 1);
}

/* The sockets are the distinct physical_package_id of the online CPUs
 * (offline ones have no topology). 0 when sysfs does not say. */
static guint
hv_node_info_count_sysfs_sockets (const gchar *sysfs_root)
{
  g_autofree gchar *dir = g_build_filename (sysfs_root, "devices", "system", "cpu", NULL);
  g_autoptr(GPtrArray) cpus = hv_sysfs_list_numbered (dir, "cpu");
  g_autoptr(GArray) package_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (cpus == NULL)
    return 0;
  for (guint i = 0; i < cpus->len; i++)
    {
      g_autofree gchar *path = g_build_filename (cpus->pdata[i], "topology",
                                                 "physical_package_id", NULL);
      g_autofree gchar *contents = NULL;
      gint64 id;

      if (g_file_get_contents (path, &contents, NULL, NULL) &&
          hv_node_info_parse_number (contents, &id))
        g_array_append_val (package_ids, id);
    }
  return hv_count_distinct (package_ids);
}

gboolean
hv_node_info_read_system (HvNodeInfo   *self,
                          const gchar  *meminfo,
                          const gchar  *cpuinfo,
                          const gchar  *sysfs_root,
                          GError      **error)
{
  gint64 cpu_total;
  guint sockets;
  guint sysfs_sockets;

  if (!hv_node_info_read_meminfo (self, meminfo, error))
    return FALSE;
  if (!hv_node_info_read_cpuinfo (cpuinfo, &cpu_total, &sockets, error))
    return FALSE;

  hv_node_info_set_cpu_total (self, cpu_total);
  /* the node OS can use every CPU: KVM does not reserve any */
  hv_node_info_set_cpu_dom0 (self, cpu_total);
  hv_node_info_set_cpu_nodes (self, hv_node_info_count_numa_nodes (sysfs_root));
  sysfs_sockets = hv_node_info_count_sysfs_sockets (sysfs_root);
  if (sysfs_sockets > 0)
    sockets = sysfs_sockets;
  hv_node_info_set_cpu_sockets (self, MAX (sockets, 1));
  return TRUE;
}
