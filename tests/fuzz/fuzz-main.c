/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs a libFuzzer target over files and directories of inputs, without
 * libFuzzer: in a build without -Dfuzzing=true, the fuzz suite replays the
 * seed corpus (and any crash reproducer added to it) through every target.
 * Options (arguments starting with '-') are libFuzzer's and are ignored.
 */
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint
run_path (const gchar *path)
{
  g_autofree gchar *contents = NULL;
  gsize size;
  guint n = 0;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const gchar *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree gchar *child = g_build_filename (path, name, NULL);

          n += run_path (child);
        }
      return n;
    }
  if (!g_file_get_contents (path, &contents, &size, NULL))
    {
      g_printerr ("cannot read %s\n", path);
      return 0;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, size);
  return 1;
}

int
main (int argc, char **argv)
{
  guint n = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    if (argv[i][0] != '-')
      n += run_path (argv[i]);
  printf ("%u inputs ran without a crash\n", n);
  return n > 0 ? 0 : 1;
}
