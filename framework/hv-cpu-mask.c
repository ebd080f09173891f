/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvParam"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-cpu-mask.h"
#include "hv-error.h"

/* Ganeti reads each bound with Python's int(): surrounding whitespace and a
 * leading '+' are accepted, so "0, 2-3" is a valid mask and stays one here.
 * Anything else that int() would take (digit separators, non-ASCII digits)
 * is refused. */
static gboolean
hv_cpu_mask_parse_cpu (const gchar  *text,
                       const gchar  *end,
                       const gchar  *range,
                       gint         *cpu,
                       GError      **error)
{
  guint64 value = 0;
  const gchar *p = text;

  while (p < end && g_ascii_isspace (*p))
    p++;
  while (end > p && g_ascii_isspace (end[-1]))
    end--;
  if (p < end && *p == '+')
    p++;
  if (p == end)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Invalid CPU ID in range '%s': no number"), range);
      return FALSE;
    }
  for (; p < end; p++)
    {
      if (!g_ascii_isdigit (*p))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Invalid CPU ID in range '%s': '%c' is not a digit"), range, *p);
          return FALSE;
        }
      value = value * 10 + (guint64) (*p - '0');
      if (value > HV_CPU_MASK_MAX_CPU)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Invalid CPU ID in range '%s': above %d"), range, HV_CPU_MASK_MAX_CPU);
          return FALSE;
        }
    }
  *cpu = (gint) value;
  return TRUE;
}

static gboolean
hv_cpu_mask_parse_range (const gchar  *range,
                         GArray       *cpus,
                         GError      **error)
{
  const gchar *end = range + strlen (range);
  const gchar *hyphen = strchr (range, '-');
  gint lower;
  gint higher;

  if (hyphen != NULL && strchr (hyphen + 1, '-') != NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Invalid CPU ID range definition (only one hyphen allowed): %s"),
                   range);
      return FALSE;
    }
  if (!hv_cpu_mask_parse_cpu (range, hyphen != NULL ? hyphen : end, range, &lower, error))
    return FALSE;
  if (hyphen == NULL)
    higher = lower;
  else if (!hv_cpu_mask_parse_cpu (hyphen + 1, end, range, &higher, error))
    return FALSE;
  if (lower > higher)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Invalid CPU ID range definition (%d > %d): %s"), lower, higher, range);
      return FALSE;
    }
  for (gint cpu = lower; cpu <= higher; cpu++)
    g_array_append_val (cpus, cpu);
  return TRUE;
}

/**
 * hv_cpu_mask_parse:
 * @mask: a CPU mask such as `0-2,4`
 * @error: return location for a #GError
 *
 * Parses a single CPU mask as Ganeti's `ParseCpuMask` does: comma-separated
 * CPU numbers and `lower-higher` ranges, in the order written, duplicates
 * kept. The empty mask gives an empty array (which the syntax check
 * hv_param_check_cpu_mask() refuses). Errors are %HV_ERROR_INVALID_PARAMETER.
 *
 * Returns: (transfer full) (element-type gint): the CPU numbers, or %NULL
 *
 * Since: 1.0
 */
GArray *
hv_cpu_mask_parse (const gchar  *mask,
                   GError      **error)
{
  g_autoptr(GArray) cpus = g_array_new (FALSE, FALSE, sizeof (gint));
  g_auto(GStrv) ranges = NULL;

  g_return_val_if_fail (mask != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*mask == '\0')
    return g_steal_pointer (&cpus);

  ranges = g_strsplit (mask, ",", -1);
  for (gsize i = 0; ranges[i] != NULL; i++)
    {
      if (!hv_cpu_mask_parse_range (ranges[i], cpus, error))
        return NULL;
    }
  return g_steal_pointer (&cpus);
}

static gint
hv_cpu_compare (gconstpointer a,
                gconstpointer b)
{
  gint x = *(const gint *) a;
  gint y = *(const gint *) b;

  return (x > y) - (x < y);
}

static void
hv_cpu_array_sort_unique (GArray *cpus)
{
  guint kept = 0;

  g_array_sort (cpus, hv_cpu_compare);
  for (guint i = 0; i < cpus->len; i++)
    {
      if (kept == 0 || g_array_index (cpus, gint, i) != g_array_index (cpus, gint, kept - 1))
        g_array_index (cpus, gint, kept++) = g_array_index (cpus, gint, i);
    }
  g_array_set_size (cpus, kept);
}

/**
 * hv_multi_cpu_mask_parse:
 * @mask: a multiple CPU mask such as `0-2,5:all:1,5,6:2`
 * @error: return location for a #GError
 *
 * Parses a multiple CPU mask as Ganeti's `ParseMultiCpuMask` does: one
 * colon-separated entry per vCPU, each either `all` (a single
 * %HV_CPU_MASK_ALL) or a CPU mask for hv_cpu_mask_parse(), sorted and
 * without duplicates. The empty mask gives no entries, an empty entry an
 * empty array, as in Ganeti.
 *
 * Returns: (transfer full) (element-type GArray): one #GArray of gint per
 *   vCPU, or %NULL
 *
 * Since: 1.0
 */
GPtrArray *
hv_multi_cpu_mask_parse (const gchar  *mask,
                         GError      **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (mask != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*mask == '\0')
    return g_steal_pointer (&entries);

  parts = g_strsplit (mask, ":", -1);
  for (gsize i = 0; parts[i] != NULL; i++)
    {
      GArray *cpus;

      if (g_strcmp0 (parts[i], "all") == 0)
        {
          gint all = HV_CPU_MASK_ALL;

          cpus = g_array_new (FALSE, FALSE, sizeof (gint));
          g_array_append_val (cpus, all);
        }
      else
        {
          cpus = hv_cpu_mask_parse (parts[i], error);
          if (cpus == NULL)
            return NULL;
          hv_cpu_array_sort_unique (cpus);
        }
      g_ptr_array_add (entries, cpus);
    }
  return g_steal_pointer (&entries);
}
