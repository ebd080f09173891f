/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"

/* Without libFuzzer (a gcc build, -Dfuzzing=false): runs a target once on
 * each file or directory of files given, so the seed corpus is a
 * regression test of the suite 'fuzz'. */

static gboolean
run_file (const gchar *path)
{
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  LLVMFuzzerTestOneInput ((const guint8 *) contents, length);
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint runs = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
          const gchar *name;

          while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree gchar *path = g_build_filename (argv[i], name, NULL);

              if (!run_file (path))
                return 1;
              runs++;
            }
        }
      else if (!run_file (argv[i]))
        return 1;
      else
        runs++;
    }
  g_print ("%u inputs\n", runs);
  return runs > 0 ? 0 : 1;
}
