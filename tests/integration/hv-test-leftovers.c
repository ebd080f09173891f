/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "hv-kvm-process.h"
#include "hv-test-leftovers.h"

/*
 * What an operation that failed may have left behind, counted: this
 * process's fds and children, an instance's QEMUs and files.
 */

/* This process's fds but GLib's wakeup eventfds (a main context's, made
 * and dropped as threads and sync calls come and go): sockets, pidfds,
 * taps, pipes and files are what an operation could leak. */
static guint
hv_test_count_fds_showing (gboolean show)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const gchar *entry;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename ("/proc/self/fd", entry, NULL);
      g_autofree gchar *target = g_file_read_link (path, NULL);

      if (show)
        {
          g_autofree gchar *info_path = g_build_filename ("/proc/self/fdinfo", entry, NULL);
          g_autofree gchar *info = NULL;

          g_file_get_contents (info_path, &info, NULL, NULL);
          g_test_message ("fd %s: %s %s", entry, target,
                          g_strcmp0 (target, "anon_inode:[pidfd]") == 0 ? info : "");
        }
      n += g_strcmp0 (target, "anon_inode:[eventfd]") != 0;
    }
  return n - 1;   /* the listing's own */
}

guint
hv_test_count_fds (void)
{
  return hv_test_count_fds_showing (FALSE);
}

/* No more fds than @expected. After a failed start one pidfd, of a
 * process already reaped, is closed by another thread a moment after the
 * call returned (GLib's child watch of the spawn, it seems): the count is
 * given up to FD_SETTLE_MS to come down, an fd still open then is a leak. */

void
hv_test_assert_no_fd_left (guint expected)
{
  gint64 deadline = g_get_monotonic_time () + FD_SETTLE_MS * 1000;
  guint n;

  /* one sample at or below: hvkit's threads open files for a moment too
   * (a pidfile, /proc) */
  while ((n = hv_test_count_fds ()) > expected && g_get_monotonic_time () < deadline)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10 * 1000);
    }
  if (n > expected)
    hv_test_count_fds_showing (TRUE);
  g_assert_cmpuint (n, <=, expected);
}

/* This process's children (a script still running, a QEMU not yet
 * daemonized): every thread's. */
guint
hv_test_count_children (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const gchar *tid;
  guint n = 0;

  g_assert_nonnull (tasks);
  while ((tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree gchar *path = g_build_filename ("/proc/self/task", tid, "children", NULL);
      g_autofree gchar *children = NULL;
      g_auto(GStrv) pids = NULL;

      if (!g_file_get_contents (path, &children, NULL, NULL))
        continue;
      pids = g_strsplit (g_strstrip (children), " ", -1);
      for (guint i = 0; pids[i] != NULL; i++)
        n += pids[i][0] != '\0';
    }
  return n;
}

/* The QEMUs of instance @name whose command line names @dir. */
guint
hv_test_count_qemus (const gchar *dir,
                     const gchar *name)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const gchar *entry;
  guint n = 0;

  while ((entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree gchar *path = g_build_filename ("/proc", entry, "cmdline", NULL);
      g_autofree gchar *cmdline = NULL;
      gsize length = 0;
      gint64 pid;

      if (!g_ascii_string_to_signed (entry, 10, 1, G_MAXINT, &pid, NULL) ||
          !hv_kvm_process_is_instance ((GPid) pid, name) ||
          !g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      n += strstr (cmdline, dir) != NULL;
    }
  return n;
}

void
hv_test_kill_qemus (const gchar *dir,
                    const gchar *name)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const gchar *entry;

  while ((entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree gchar *path = g_build_filename ("/proc", entry, "cmdline", NULL);
      g_autofree gchar *cmdline = NULL;
      gsize length = 0;
      gint64 pid;

      if (!g_ascii_string_to_signed (entry, 10, 1, G_MAXINT, &pid, NULL) ||
          !hv_kvm_process_is_instance ((GPid) pid, name) ||
          !g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, dir) != NULL)
        kill ((pid_t) pid, SIGKILL);
    }
}

/* The files of the instance @name in the run dir, its subdirectories
 * included (NIC files, records, journals). */
void
hv_test_find_files (const gchar *dir,
            const gchar *name,
            GPtrArray   *found)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const gchar *entry;

  if (listing == NULL)
    return;
  while ((entry = g_dir_read_name (listing)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, entry, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        hv_test_find_files (path, name, found);
      if (g_str_has_prefix (entry, name))
        g_ptr_array_add (found, g_steal_pointer (&path));
    }
}

