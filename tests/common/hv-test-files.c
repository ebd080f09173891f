/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>

#include "hv-test-files.h"

/**
 * hv_test_remove_tree:
 * @path: a directory a test made
 *
 * Removes @path and everything below it, never following a symbolic
 * link out of it; what cannot be removed is left.
 */
void
hv_test_remove_tree (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, entry, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        hv_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}
