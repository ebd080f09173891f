/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hvkit.h"

/* Crash safety: a child process saves records in a loop, durably, and is
 * killed with SIGKILL at a random moment; the record file must then load
 * and hold the last record the child reported saved or the one after it.
 * HV_TEST_CRASH_KILLS sets the number of kills (default 500). */

#define RECORD_NAME "crash.example.com"

static GVariant *
make_record (guint64 counter)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  /* sizes vary so that a torn write would not line up with the old file */
  g_autofree gchar *filler = g_strnfill (64 + (counter * 7919) % 6000, 'a' + counter % 26);

  g_variant_builder_add (&builder, "{sv}", "counter", g_variant_new_uint64 (counter));
  g_variant_builder_add (&builder, "{sv}", "filler", g_variant_new_string (filler));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static void
write_counter (int     fd,
               guint64 counter)
{
  gchar line[32];
  gint length = g_snprintf (line, sizeof line, "%" G_GUINT64_FORMAT "\n", counter);

  while (write (fd, line, length) < 0 && errno == EINTR)
    ;
}

/* The child: never returns. */
static G_NORETURN void
save_loop (const gchar *run_dir,
           guint64      start,
           int          fd)
{
  g_autoptr(HvRuntimeStore) store = hv_runtime_store_new (run_dir, G_VARIANT_TYPE_VARDICT, 1);

  for (guint64 counter = start;; counter++)
    {
      g_autoptr(GVariant) record = make_record (counter);
      g_autoptr(GError) error = NULL;

      if (!hv_runtime_store_save (store, RECORD_NAME, record, &error))
        {
          g_printerr ("save %" G_GUINT64_FORMAT ": %s\n", counter, error->message);
          _exit (2);
        }
      write_counter (fd, counter);
    }
}

/* Reads the child's reports to their end; returns the last counter. */
static guint64
read_last_counter (int     fd,
                   guint64 none)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gchar buffer[4096];
  gssize n;
  const gchar *last;

  while ((n = read (fd, buffer, sizeof buffer)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      g_string_append_len (text, buffer, n);
    }

  /* a report cut by the kill has no newline yet and does not count */
  while (text->len > 0 && text->str[text->len - 1] != '\n')
    g_string_truncate (text, text->len - 1);
  if (text->len == 0)
    return none;
  g_string_truncate (text, text->len - 1);
  last = strrchr (text->str, '\n');
  return g_ascii_strtoull (last != NULL ? last + 1 : text->str, NULL, 10);
}

static guint
count_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_crash_kill_during_save (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *run_dir = g_dir_make_tmp ("hvkit-crash-XXXXXX", &error);
  g_autoptr(HvRuntimeStore) store = NULL;
  const gchar *kills_env = g_getenv ("HV_TEST_CRASH_KILLS");
  guint kills = kills_env != NULL ? (guint) g_ascii_strtoull (kills_env, NULL, 10) : 500;
  guint64 next = 1;
  guint previous_seen = 0, new_seen = 0;
  g_auto(GStrv) names = NULL;
  gint64 started = g_get_monotonic_time ();

  g_assert_no_error (error);
  store = hv_runtime_store_new (run_dir, G_VARIANT_TYPE_VARDICT, 1);

  /* fork() without exec is only sound in a process with one thread; it
   * makes a kill cycle a fraction of a millisecond instead of an exec. */
  g_assert_cmpuint (count_threads (), ==, 1);

  for (guint kill_count = 0; kill_count < kills; kill_count++)
    {
      g_autoptr(GVariant) loaded = NULL;
      g_autoptr(GVariant) expected = NULL;
      int fds[2];
      pid_t pid;
      int status;
      guint64 acknowledged, found;
      gchar first[64];
      gssize n;

      g_assert_cmpint (pipe (fds), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          save_loop (run_dir, next, fds[1]);
        }
      close (fds[1]);

      /* Wait for the first report, so that the child is inside its loop,
       * then let it run for a random part of a few saves. A report is a
       * short line; reading one byte at a time keeps the rest in the pipe
       * for read_last_counter(). */
      n = 0;
      while (n < (gssize) sizeof first - 1)
        {
          gssize r = read (fds[0], first + n, 1);

          if (r < 0 && errno == EINTR)
            continue;
          g_assert_cmpint (r, ==, 1);
          if (first[n++] == '\n')
            break;
        }
      first[n] = '\0';
      g_usleep (g_test_rand_int_range (0, 4000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));

      acknowledged = read_last_counter (fds[0], g_ascii_strtoull (first, NULL, 10));
      close (fds[0]);

      loaded = hv_runtime_store_load (store, RECORD_NAME, NULL, &error);
      g_assert_no_error (error);
      g_variant_lookup (loaded, "counter", "t", &found);
      if (found != acknowledged && found != acknowledged + 1)
        g_test_message ("kill %u: found %" G_GUINT64_FORMAT ", acknowledged %" G_GUINT64_FORMAT,
                        kill_count, found, acknowledged);
      g_assert_true (found == acknowledged || found == acknowledged + 1);
      expected = make_record (found);
      g_assert_true (g_variant_equal (loaded, expected));

      if (found == acknowledged)
        previous_seen++;
      else
        new_seen++;
      next = found + 1;
    }

  g_test_message ("%u kills in %.1f s: %u saw the acknowledged record, %u the one in flight",
                  kills, (g_get_monotonic_time () - started) / 1e6, previous_seen, new_seen);

  /* the leftovers of interrupted saves are not records, and go with remove */
  names = hv_runtime_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (names, ((const gchar *[]) { RECORD_NAME, NULL }));
  g_assert_true (hv_runtime_store_remove (store, RECORD_NAME, &error));
  g_assert_no_error (error);
  {
    g_autofree gchar *conf = g_build_filename (run_dir, "conf", NULL);

    g_assert_cmpint (g_rmdir (conf), ==, 0);
  }
  g_rmdir (run_dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/runtime-crash/kill-during-save", test_crash_kill_during_save);

  return g_test_run ();
}
