/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <gio/gunixinputstream.h>

#include "hvkit.h"
#include "hv-test.h"
#include "hv-test-migration.h"

/* See hv-test-migration.h; the helper's protocol is in
 * hv-test-migration-helper.c. */

struct _HvTestMigrationHost {
  GSubprocess      *process;
  GDataInputStream *out;
  GOutputStream    *in;
  gchar            *run_dir;
  gchar            *work_dir;
  gchar            *uuid;
  gint64            memory_mib;
  gchar            *name;
  const gchar      *address;
  guint             next_id;
  GHashTable       *replies;     /* id → line after the id */
  GQueue            events;      /* progress lines not waited for yet */
  guint             n_progress;
  gchar            *qemu;        /* NULL: the system's; else bind-mounted over it */
};

void
hv_test_migration_host_free (HvTestMigrationHost *host)
{
  if (host == NULL)
    return;
  if (host->process != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* the helper stops when its stdin closes */
      g_output_stream_close (host->in, NULL, NULL);
      g_subprocess_wait (host->process, NULL, &error);
    }
  g_clear_object (&host->out);
  g_clear_object (&host->process);
  g_free (host->run_dir);
  g_free (host->work_dir);
  g_free (host->uuid);
  g_free (host->name);
  g_free (host->qemu);
  g_hash_table_unref (host->replies);
  g_queue_clear_full (&host->events, g_free);
  g_free (host);
}

const gchar *
hv_test_migration_host_get_address (HvTestMigrationHost *host)
{
  return host->address;
}

const gchar *
hv_test_migration_host_get_run_dir (HvTestMigrationHost *host)
{
  return host->run_dir;
}

GSubprocess *
hv_test_migration_host_get_process (HvTestMigrationHost *host)
{
  return host->process;
}

GPid
hv_test_migration_host_get_qemu_pid (HvTestMigrationHost *host)
{
  g_autofree gchar *file = g_strconcat (host->name, ".pid", NULL);
  g_autofree gchar *path = g_build_filename (host->run_dir, file, NULL);
  g_autofree gchar *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  return (GPid) g_ascii_strtoll (text, NULL, 10);
}

/* Reads one line from the helper: a reply goes to the table, an event
 * to the queue. */
/* No answer or event from a helper for this long fails the test rather
 * than hanging it. */
#define HELPER_SILENCE_TIMEOUT_MS 180000

static void
host_read_one (HvTestMigrationHost *host)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *line = NULL;
  gchar *space;

  if (g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (host->out)) == 0)
    {
      GPollFD fd = { g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (
                       g_subprocess_get_stdout_pipe (host->process))), G_IO_IN, 0 };

      if (g_poll (&fd, 1, HELPER_SILENCE_TIMEOUT_MS) == 0)
        g_error ("the migration helper of %s said nothing for %u s", host->address,
                 HELPER_SILENCE_TIMEOUT_MS / 1000);
    }
  line = g_data_input_stream_read_line_utf8 (host->out, NULL, NULL, &error);

  g_assert_no_error (error);
  if (line == NULL)
    g_error ("the migration helper of %s exited", host->address);
  if (g_str_has_prefix (line, "EVENT progress "))
    {
      host->n_progress++;
      g_queue_push_tail (&host->events, g_strdup (line + strlen ("EVENT progress ")));
      return;
    }
  space = strchr (line, ' ');
  if (space == NULL)
    return;
  *space = '\0';
  g_hash_table_insert (host->replies, GUINT_TO_POINTER (g_ascii_strtoull (line, NULL, 10)),
                       g_strdup (space + 1));
}

guint
hv_test_migration_host_send (HvTestMigrationHost *host,
                             const gchar         *format,
                             ...)
{
  g_autofree gchar *command = NULL;
  g_autofree gchar *line = NULL;
  g_autoptr(GError) error = NULL;
  guint id = ++host->next_id;
  va_list ap;

  va_start (ap, format);
  command = g_strdup_vprintf (format, ap);
  va_end (ap);
  line = g_strdup_printf ("%u %s\n", id, command);
  g_output_stream_write_all (host->in, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (host->in, NULL, &error);
  g_assert_no_error (error);
  return id;
}

gchar *
hv_test_migration_host_wait (HvTestMigrationHost  *host,
                             guint                 id,
                             GError              **error)
{
  g_autofree gchar *answer = NULL;

  while (!g_hash_table_contains (host->replies, GUINT_TO_POINTER (id)))
    host_read_one (host);
  g_hash_table_steal_extended (host->replies, GUINT_TO_POINTER (id), NULL, (gpointer *) &answer);
  if (g_str_has_prefix (answer, "OK "))
    return g_strcompress (answer + 3);
  if (g_str_has_prefix (answer, "ERR "))
    {
      g_auto(GStrv) parts = g_strsplit (answer + 4, " ", 3);
      g_autofree gchar *message = g_strcompress (parts[2] != NULL ? parts[2] : "");

      g_set_error_literal (error, g_quark_from_string (parts[0]),
                           (gint) g_ascii_strtoll (parts[1], NULL, 10), message);
      return NULL;
    }
  g_error ("bad answer from the migration helper: %s", answer);
}

gchar *
hv_test_migration_host_call (HvTestMigrationHost  *host,
                             GError              **error,
                             const gchar          *format,
                             ...)
{
  g_autofree gchar *command = NULL;
  va_list ap;

  va_start (ap, format);
  command = g_strdup_vprintf (format, ap);
  va_end (ap);
  return hv_test_migration_host_wait (host, hv_test_migration_host_send (host, "%s", command),
                                      error);
}

gchar *
hv_test_migration_host_run (HvTestMigrationHost *host,
                            const gchar         *format,
                            ...)
{
  g_autofree gchar *command = NULL;
  g_autoptr(GError) error = NULL;
  gchar *answer;
  va_list ap;

  va_start (ap, format);
  command = g_strdup_vprintf (format, ap);
  va_end (ap);
  answer = hv_test_migration_host_wait (host, hv_test_migration_host_send (host, "%s", command),
                                        &error);
  if (error != NULL)
    g_error ("%.60s on %s: %s", command, host->address, error->message);
  return answer;
}

gchar *
hv_test_migration_host_wait_progress (HvTestMigrationHost *host,
                                      const gchar         *state,
                                      gint64               min_transferred)
{
  for (;;)
    {
      while (g_queue_is_empty (&host->events))
        host_read_one (host);
      {
        g_autofree gchar *line = g_queue_pop_head (&host->events);
        g_auto(GStrv) words = g_strsplit (line, " ", -1);

        if ((state == NULL || g_str_equal (words[0], state)) &&
            g_ascii_strtoll (words[1], NULL, 10) >= min_transferred)
          return g_steal_pointer (&line);
      }
    }
}

void
hv_test_migration_host_clear_progress (HvTestMigrationHost *host)
{
  g_queue_clear_full (&host->events, g_free);
}

guint
hv_test_migration_host_count_progress (HvTestMigrationHost *host)
{
  return host->n_progress;
}

static void
host_start_process (HvTestMigrationHost *host,
                    const gchar         *netns_pid)
{
  g_autofree gchar *memory = g_strdup_printf ("%" G_GINT64_FORMAT, host->memory_mib);
  g_autofree gchar *ready = NULL;
  g_autoptr(GError) error = NULL;

  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  /* another QEMU on this host: the helper mounts it over the system's, in
   * a mount namespace of its own, so that the kvm_path of the record is
   * another QEMU here, as on a host upgraded before its peer */
  if (host->qemu != NULL)
    g_subprocess_launcher_setenv (launcher, "HV_TEST_MIGRATION_QEMU", host->qemu, TRUE);
  host->process = g_subprocess_launcher_spawn (launcher, &error,
                                               HV_TEST_MIGRATION_HELPER, host->run_dir,
                                               host->work_dir, host->name, host->uuid, memory,
                                               netns_pid, NULL);
  g_assert_no_error (error);
  host->in = g_subprocess_get_stdin_pipe (host->process);
  host->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (host->process));
  ready = g_data_input_stream_read_line_utf8 (host->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ready, "READY "));
}

void
hv_test_migration_host_restart (HvTestMigrationHost *host)
{
  g_autofree gchar *qemu = g_strdup_printf ("%d", (gint) hv_test_migration_host_get_qemu_pid (host));
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (qemu, !=, "0");
  g_subprocess_send_signal (host->process, SIGKILL);
  g_subprocess_wait (host->process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&host->out);
  g_clear_object (&host->process);
  g_hash_table_remove_all (host->replies);
  g_queue_clear_full (&host->events, g_free);
  host_start_process (host, qemu);
  g_free (hv_test_migration_host_run (host, "init"));
}

static HvTestMigrationHost *
host_spawn (const gchar *work_dir,
            const gchar *label,
            const gchar *address,
            const gchar *name,
            const gchar *uuid,
            gint64       memory_mib,
            const gchar *qemu)
{
  HvTestMigrationHost *host = g_new0 (HvTestMigrationHost, 1);

  host->qemu = g_strdup (qemu);
  host->run_dir = g_build_filename (work_dir, label, NULL);
  host->work_dir = g_strdup (work_dir);
  host->uuid = g_strdup (uuid);
  host->memory_mib = memory_mib;
  host->name = g_strdup (name);
  host->address = address;
  host->replies = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_queue_init (&host->events);
  host_start_process (host, NULL);
  return host;
}

gboolean
hv_test_migration_hosts_new (const gchar          *work_dir,
                             const gchar          *name,
                             const gchar          *uuid,
                             gint64                memory_mib,
                             HvTestMigrationHost **out_a,
                             HvTestMigrationHost **out_b)
{
  return hv_test_migration_hosts_new_full (work_dir, name, uuid, memory_mib, NULL, NULL,
                                           out_a, out_b);
}

/* As hv_test_migration_hosts_new(), with @qemu_a and @qemu_b (nullable)
 * standing in for the system's QEMU on each host. */
gboolean
hv_test_migration_hosts_new_full (const gchar          *work_dir,
                                  const gchar          *name,
                                  const gchar          *uuid,
                                  gint64                memory_mib,
                                  const gchar          *qemu_a,
                                  const gchar          *qemu_b,
                                  HvTestMigrationHost **out_a,
                                  HvTestMigrationHost **out_b)
{
  HvTestMigrationHost *a;
  HvTestMigrationHost *b;
  g_autofree gchar *pid_a = NULL;
  g_autofree gchar *pid_b = NULL;
  g_autoptr(GError) error = NULL;

  if (!hv_test_guest_require () || !hv_test_netns_require ())
    return FALSE;
  /* HvError is an extended domain: registered before an error of it is
   * made from the helper's answer, or it has no private part */
  g_assert_cmpuint (HV_ERROR, !=, 0);
  /* the test's own namespace, where the pair is made */
  hv_test_netns_enter (&error);
  g_assert_no_error (error);
  hv_test_netns_ip (&error, "link", "add", "mig0", "type", "veth", "peer", "name", "mig1", NULL);
  g_assert_no_error (error);

  a = host_spawn (work_dir, "host-a", HV_TEST_MIGRATION_ADDRESS_A, name, uuid, memory_mib,
                  qemu_a);
  b = host_spawn (work_dir, "host-b", HV_TEST_MIGRATION_ADDRESS_B, name, uuid, memory_mib,
                  qemu_b);
  pid_a = g_strdup (g_subprocess_get_identifier (a->process));
  pid_b = g_strdup (g_subprocess_get_identifier (b->process));
  hv_test_netns_ip (&error, "link", "set", "mig0", "netns", pid_a, NULL);
  g_assert_no_error (error);
  hv_test_netns_ip (&error, "link", "set", "mig1", "netns", pid_b, NULL);
  g_assert_no_error (error);
  g_free (hv_test_migration_host_run (a, "addr mig0 " HV_TEST_MIGRATION_ADDRESS_A "/24"));
  g_free (hv_test_migration_host_run (b, "addr mig1 " HV_TEST_MIGRATION_ADDRESS_B "/24"));
  g_free (hv_test_migration_host_run (a, "init"));
  g_free (hv_test_migration_host_run (b, "init"));
  *out_a = a;
  *out_b = b;
  return TRUE;
}
