/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * HvKvmQmpClient against a real qemu-system-x86_64 with no guest.
 *
 * HV_TEST_REGENERATE=1 also stores what QEMU sent in the session, pci and
 * quit tests under tests/data/qmp/<version>/: real transcripts, replayed by
 * test-qmp-parser and used as the fuzzing seed corpus:
 *
 *   HV_TEST_REGENERATE=1 meson test -C build test-qmp-qemu
 */
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm-qmp-commands.h"
#include "hv-test-async.h"
#include "hv-test.h"

typedef struct {
  HvTestQemu     *qemu;
  gchar          *second_qmp_path;
  HvKvmQmpClient *client;
  GAsyncResult   *result;
  GPtrArray      *events;
  guint           n_closed;
} Fixture;

/* set while a transcript is being recorded (HV_TEST_REGENERATE=1) */
static GString *transcript = NULL;

static GLogWriterOutput
record_writer (GLogLevelFlags   log_level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  const gchar *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  if (log_level & G_LOG_LEVEL_DEBUG)
    {
      /* the client logs every line it receives as "<- LINE"; QEMU ends
       * each with \r\n */
      if (transcript != NULL && g_strcmp0 (domain, "HvKvmQmp") == 0 &&
          message != NULL && g_str_has_prefix (message, "<- "))
        g_string_append_printf (transcript, "%s\r\n", message + 3);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
start_transcript (void)
{
  if (g_strcmp0 (g_getenv ("HV_TEST_REGENERATE"), "1") == 0)
    transcript = g_string_new (NULL);
}

static void
save_transcript (HvKvmQmpClient *client,
                 const gchar    *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *version = NULL;
  g_autofree gchar *directory = NULL;
  g_autofree gchar *file = NULL;
  guint major, minor;

  if (transcript == NULL)
    return;
  hv_kvm_qmp_client_get_version (client, &major, &minor, NULL);
  version = g_strdup_printf ("%u.%u", major, minor);
  directory = g_test_build_filename (G_TEST_DIST, "data", "qmp", version, NULL);
  g_assert_no_errno (g_mkdir_with_parents (directory, 0755));
  file = g_build_filename (directory, name, NULL);
  g_file_set_contents (file, transcript->str, (gssize) transcript->len, &error);
  g_assert_no_error (error);
  g_test_message ("stored %s", file);
  g_string_free (g_steal_pointer (&transcript), TRUE);
}

static void
on_event (HvKvmQmpClient *client,
          const gchar    *event,
          JsonObject     *data,
          gint64          timestamp,
          gpointer        user_data)
{
  Fixture *f = user_data;

  g_assert_cmpint (timestamp, >, G_GINT64_CONSTANT (1600000000) * G_USEC_PER_SEC);
  g_ptr_array_add (f->events, g_strdup (event));
}

static void
on_closed (HvKvmQmpClient *client,
           const GError   *error,
           gpointer        user_data)
{
  ((Fixture *) user_data)->n_closed++;
}

static void
connect_to (Fixture        *f,
            HvKvmQmpClient *client,
            const gchar    *path)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hv_kvm_qmp_client_connect_async (client, path, NULL, hv_test_store_result, &f->result);
  result = hv_test_wait_result (&f->result);
  hv_kvm_qmp_client_connect_finish (client, result, &error);
  g_assert_no_error (error);
}

/* QEMU with two QMP monitors (it serves one client on each) and no guest */
static void
setup_with (Fixture     *f,
            const gchar *machine,
            gboolean     paused)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *chardev = NULL;

  f->qemu = hv_test_qemu_new ();
  f->second_qmp_path = g_build_filename (hv_test_qemu_get_dir (f->qemu), "qmp-second.sock", NULL);
  chardev = g_strdup_printf ("socket,id=second,path=%s,server=on,wait=off", f->second_qmp_path);
  /* a later -machine overrides the launcher's machine type */
  hv_test_qemu_add_args (f->qemu, "-machine", machine, "-m", "64",
                         "-chardev", chardev, "-mon", "chardev=second,mode=control", NULL);
  if (paused)
    hv_test_qemu_add_args (f->qemu, "-S", NULL);
  hv_test_qemu_start (f->qemu, &error);
  g_assert_no_error (error);

  f->client = hv_kvm_qmp_client_new ();
  f->events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->client, "event", G_CALLBACK (on_event), f);
  g_signal_connect (f->client, "closed", G_CALLBACK (on_closed), f);
  start_transcript ();
  connect_to (f, f->client, hv_test_qemu_get_qmp_path (f->qemu));
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  setup_with (f, "none", FALSE);
}

static void
setup_pc (Fixture       *f,
          gconstpointer  data)
{
  setup_with (f, "pc", TRUE);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (f->client, f);
  hv_kvm_qmp_client_close (f->client);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->client);
  hv_test_qemu_kill (f->qemu);
  g_clear_object (&f->qemu);
  g_free (f->second_qmp_path);
  g_ptr_array_unref (f->events);
  if (transcript != NULL)
    g_string_free (g_steal_pointer (&transcript), TRUE);
}

/* Runs one typed call to its end: START is the _async call without its
 * last three arguments. */
#define AWAIT(f, start_call) \
  (start_call, hv_test_wait_result (&(f)->result))
#define ASYNC_ARGS(f) NULL, hv_test_store_result, &(f)->result

static void
test_greeting_and_version (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree gchar *package = NULL;
  guint major, minor, micro;
  guint q_major, q_minor, q_micro;

  hv_kvm_qmp_client_get_version (f->client, &major, &minor, &micro);
  g_assert_cmpuint (major, >=, 5);
  g_assert_true (hv_kvm_qmp_client_has_capability (f->client, "oob"));

  result = AWAIT (f, hv_kvm_qmp_query_version_async (f->client, ASYNC_ARGS (f)));
  g_assert_true (hv_kvm_qmp_query_version_finish (f->client, result, &q_major, &q_minor, &q_micro,
                                                  &package, NULL));
  g_assert_cmpuint (q_major, ==, major);
  g_assert_cmpuint (q_minor, ==, minor);
  g_assert_cmpuint (q_micro, ==, micro);
  g_assert_cmpstr (package, ==, hv_kvm_qmp_client_get_package (f->client));
}

static void
test_sequential (Fixture       *f,
                 gconstpointer  data)
{
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(GAsyncResult) result =
        AWAIT (f, hv_kvm_qmp_query_status_async (f->client, ASYNC_ARGS (f)));
      gboolean running = FALSE;
      g_autofree gchar *status = hv_kvm_qmp_query_status_finish (f->client, result, &running, NULL);

      g_assert_cmpstr (status, ==, "running");
      g_assert_true (running);
    }
}

static void
on_status (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  guint *n_done = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *status = hv_kvm_qmp_query_status_finish (HV_KVM_QMP_CLIENT (source), result,
                                                             NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "running");
  (*n_done)++;
}

static gboolean
all_done (gpointer data)
{
  return *(guint *) data == 1000;
}

static void
test_pipelined (Fixture       *f,
                gconstpointer  data)
{
  guint n_done = 0;

  for (guint i = 0; i < 1000; i++)
    hv_kvm_qmp_query_status_async (f->client, NULL, on_status, &n_done);
  hv_test_wait_until (all_done, &n_done);
}

/* Whether QEMU holds a descriptor for the pipe with inode @inode. */
static gboolean
qemu_holds_pipe (Fixture *f,
                 ino_t    inode)
{
  g_autofree gchar *fd_dir = g_strdup_printf ("/proc/%d/fd", (gint) hv_test_qemu_get_pid (f->qemu));
  g_autofree gchar *target = g_strdup_printf ("pipe:[%lu]", (gulong) inode);
  g_autoptr(GDir) dir = g_dir_open (fd_dir, 0, NULL);
  const gchar *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (fd_dir, name, NULL);
      g_autofree gchar *link = g_file_read_link (path, NULL);

      if (g_strcmp0 (link, target) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_getfd_closefd (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) got = NULL;
  g_autoptr(GAsyncResult) closed = NULL;
  g_autoptr(GAsyncResult) again = NULL;
  g_autoptr(GError) error = NULL;
  gint fds[2];
  struct stat info;

  g_assert_no_errno (pipe (fds));
  g_assert_no_errno (fstat (fds[0], &info));
  g_assert_false (qemu_holds_pipe (f, info.st_ino));

  got = AWAIT (f, hv_kvm_qmp_getfd_async (f->client, "test-fd", fds[0], ASYNC_ARGS (f)));
  g_assert_true (hv_kvm_qmp_getfd_finish (f->client, got, NULL));
  /* the descriptor travelled: QEMU has its own copy of our pipe */
  g_assert_true (qemu_holds_pipe (f, info.st_ino));

  closed = AWAIT (f, hv_kvm_qmp_closefd_async (f->client, "test-fd", ASYNC_ARGS (f)));
  g_assert_true (hv_kvm_qmp_closefd_finish (f->client, closed, NULL));
  g_assert_false (qemu_holds_pipe (f, info.st_ino));

  again = AWAIT (f, hv_kvm_qmp_closefd_async (f->client, "test-fd", ASYNC_ARGS (f)));
  g_assert_false (hv_kvm_qmp_closefd_finish (f->client, again, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_cmpstr (hv_error_get_qmp_class (error), ==, "GenericError");
  close (fds[0]);
  close (fds[1]);
}

static void
test_add_fd_remove_fd (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GAsyncResult) added = NULL;
  g_autoptr(GAsyncResult) removed = NULL;
  gint64 fdset_id = -1, fd = -1;
  gint fds[2];
  struct stat info;

  g_assert_no_errno (pipe (fds));
  g_assert_no_errno (fstat (fds[1], &info));
  added = AWAIT (f, hv_kvm_qmp_add_fd_async (f->client, fds[1], 7, "hvkit-test", ASYNC_ARGS (f)));
  g_assert_true (hv_kvm_qmp_add_fd_finish (f->client, added, &fdset_id, &fd, NULL));
  g_assert_cmpint (fdset_id, ==, 7);
  g_assert_cmpint (fd, >, 2);
  g_assert_true (qemu_holds_pipe (f, info.st_ino));

  removed = AWAIT (f, hv_kvm_qmp_remove_fd_async (f->client, 7, -1, ASYNC_ARGS (f)));
  g_assert_true (hv_kvm_qmp_remove_fd_finish (f->client, removed, NULL));
  g_assert_false (qemu_holds_pipe (f, info.st_ino));
  close (fds[0]);
  close (fds[1]);
}

static void
test_error_classes (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) deleted = NULL;
  g_autoptr(GAsyncResult) unknown = NULL;
  g_autoptr(GAsyncResult) balloon = NULL;
  g_autoptr(GError) not_found = NULL;
  g_autoptr(GError) no_command = NULL;
  g_autoptr(GError) not_active = NULL;
  g_autoptr(JsonNode) value = NULL;
  guint64 actual;

  deleted = AWAIT (f, hv_kvm_qmp_device_del_async (f->client, "nosuch", ASYNC_ARGS (f)));
  g_assert_false (hv_kvm_qmp_device_del_finish (f->client, deleted, &not_found));
  g_assert_error (not_found, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_cmpstr (hv_error_get_qmp_class (not_found), ==, "DeviceNotFound");
  g_assert_cmpstr (not_found->message, ==, "QEMU command “device_del” failed: Device 'nosuch' not found");

  unknown = AWAIT (f, hv_kvm_qmp_client_execute_async (f->client, "no-such-command", NULL, NULL,
                                                       ASYNC_ARGS (f)));
  value = hv_kvm_qmp_client_execute_finish (f->client, unknown, &no_command);
  g_assert_null (value);
  g_assert_cmpstr (hv_error_get_qmp_class (no_command), ==, "CommandNotFound");

  balloon = AWAIT (f, hv_kvm_qmp_query_balloon_async (f->client, ASYNC_ARGS (f)));
  g_assert_false (hv_kvm_qmp_query_balloon_finish (f->client, balloon, &actual, &not_active));
  g_assert_cmpstr (hv_error_get_qmp_class (not_active), ==, "DeviceNotActive");
  g_assert_true (hv_kvm_qmp_client_is_connected (f->client));
}

static gboolean
any_event (const gchar *event,
           JsonObject  *data,
           gpointer     user_data)
{
  return TRUE;
}

/* A broad session on `-machine none`: every query that works there, the
 * errors, events and fd passing. The transcript seeds the fuzzer. */
static void
test_session (Fixture       *f,
              gconstpointer  data)
{
  GAsyncResult *waited = NULL;
  g_autoptr(GAsyncResult) stop = NULL;
  g_autoptr(GAsyncResult) stopped = NULL;
  g_autoptr(GAsyncResult) cont = NULL;
  g_autoptr(GAsyncResult) commands = NULL;
  g_autoptr(GAsyncResult) hmp = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree gchar *text = NULL;
  g_autoptr(GAsyncResult) pci_result = NULL;
  g_autoptr(GAsyncResult) cpus_result = NULL;
  g_autoptr(GAsyncResult) block_result = NULL;
  g_autoptr(GAsyncResult) nodes_result = NULL;
  g_autoptr(GAsyncResult) migration_result = NULL;
  g_autoptr(JsonArray) pci = NULL;
  g_autoptr(JsonArray) cpus = NULL;
  g_autoptr(JsonArray) block = NULL;
  g_autoptr(JsonArray) nodes = NULL;
  g_autoptr(JsonObject) migration = NULL;
  g_autoptr(JsonObject) event_data = NULL;
  g_autofree gchar *event = NULL;

  commands = AWAIT (f, hv_kvm_qmp_query_commands_async (f->client, ASYNC_ARGS (f)));
  names = hv_kvm_qmp_query_commands_finish (f->client, commands, NULL);
  g_assert_true (g_strv_contains ((const gchar *const *) names, "device_del"));
  g_assert_true (g_strv_contains ((const gchar *const *) names, "migrate-set-capabilities"));
  g_assert_false (g_strv_contains ((const gchar *const *) names, "migrate_set_speed"));

  hmp = AWAIT (f, hv_kvm_qmp_human_monitor_command_async (f->client, "info version", ASYNC_ARGS (f)));
  text = hv_kvm_qmp_human_monitor_command_finish (f->client, hmp, NULL);
  g_assert_true (g_str_has_prefix (text, "7.") || g_str_has_prefix (text, "8.") ||
                 g_str_has_prefix (text, "9."));

  pci_result = AWAIT (f, hv_kvm_qmp_query_pci_async (f->client, ASYNC_ARGS (f)));
  pci = hv_kvm_qmp_query_pci_finish (f->client, pci_result, NULL);
  g_assert_cmpuint (json_array_get_length (pci), ==, 0);
  cpus_result = AWAIT (f, hv_kvm_qmp_query_cpus_fast_async (f->client, ASYNC_ARGS (f)));
  cpus = hv_kvm_qmp_query_cpus_fast_finish (f->client, cpus_result, NULL);
  g_assert_nonnull (cpus);
  block_result = AWAIT (f, hv_kvm_qmp_query_block_async (f->client, ASYNC_ARGS (f)));
  block = hv_kvm_qmp_query_block_finish (f->client, block_result, NULL);
  g_assert_nonnull (block);
  nodes_result = AWAIT (f, hv_kvm_qmp_query_named_block_nodes_async (f->client, ASYNC_ARGS (f)));
  nodes = hv_kvm_qmp_query_named_block_nodes_finish (f->client, nodes_result, NULL);
  g_assert_nonnull (nodes);
  migration_result = AWAIT (f, hv_kvm_qmp_query_migrate_async (f->client, ASYNC_ARGS (f)));
  migration = hv_kvm_qmp_query_migrate_finish (f->client, migration_result, NULL);
  g_assert_cmpuint (json_object_get_size (migration), ==, 0);

  /* the waiter is in place before the command whose event it waits for */
  hv_kvm_qmp_client_wait_event_async (f->client, "STOP", any_event, NULL, NULL, 5000, NULL,
                                      hv_test_store_result, &waited);
  stop = AWAIT (f, hv_kvm_qmp_stop_async (f->client, ASYNC_ARGS (f)));
  g_assert_true (hv_kvm_qmp_stop_finish (f->client, stop, NULL));
  stopped = hv_test_wait_result (&waited);
  event_data = hv_kvm_qmp_client_wait_event_finish (f->client, stopped, &event, NULL, NULL);
  g_assert_cmpstr (event, ==, "STOP");
  cont = AWAIT (f, hv_kvm_qmp_cont_async (f->client, ASYNC_ARGS (f)));
  g_assert_true (hv_kvm_qmp_cont_finish (f->client, cont, NULL));

  test_error_classes (f, data);
  test_getfd_closefd (f, data);
  save_transcript (f->client, "session-none.qmp");
}

static void
test_pci (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GAsyncResult) added = NULL;
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(GAsyncResult) cpus_result = NULL;
  g_autoptr(GAsyncResult) cont = NULL;
  g_autoptr(JsonObject) properties = json_object_new ();
  g_autoptr(JsonArray) buses = NULL;
  g_autoptr(JsonArray) cpus = NULL;
  gboolean found = FALSE;

  json_object_set_string_member (properties, "addr", "0x5");
  added = AWAIT (f, hv_kvm_qmp_device_add_async (f->client, "virtio-net-pci", "nic0", properties,
                                                 ASYNC_ARGS (f)));
  g_assert_true (hv_kvm_qmp_device_add_finish (f->client, added, NULL));

  listed = AWAIT (f, hv_kvm_qmp_query_pci_async (f->client, ASYNC_ARGS (f)));
  buses = hv_kvm_qmp_query_pci_finish (f->client, listed, NULL);
  g_assert_nonnull (buses);
  for (guint i = 0; i < json_array_get_length (buses); i++)
    {
      JsonArray *devices = json_object_get_array_member (json_array_get_object_element (buses, i),
                                                         "devices");

      for (guint j = 0; j < json_array_get_length (devices); j++)
        {
          JsonObject *device = json_array_get_object_element (devices, j);

          if (g_strcmp0 (json_object_get_string_member (device, "qdev_id"), "nic0") == 0)
            {
              g_assert_cmpint (json_object_get_int_member (device, "slot"), ==, 5);
              found = TRUE;
            }
        }
    }
  g_assert_true (found);

  cpus_result = AWAIT (f, hv_kvm_qmp_query_cpus_fast_async (f->client, ASYNC_ARGS (f)));
  cpus = hv_kvm_qmp_query_cpus_fast_finish (f->client, cpus_result, NULL);
  g_assert_cmpuint (json_array_get_length (cpus), ==, 1);

  cont = AWAIT (f, hv_kvm_qmp_cont_async (f->client, ASYNC_ARGS (f)));
  g_assert_true (hv_kvm_qmp_cont_finish (f->client, cont, NULL));
  save_transcript (f->client, "pci-tcg.qmp");
}

static void
test_quit (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const gchar *expected[] = { "SHUTDOWN", NULL };

  /* SHUTDOWN comes before the reply, then QEMU closes the socket */
  result = AWAIT (f, hv_kvm_qmp_quit_async (f->client, ASYNC_ARGS (f)));
  g_assert_true (hv_kvm_qmp_quit_finish (f->client, result, &error));
  g_assert_no_error (error);
  g_ptr_array_add (f->events, NULL);
  g_assert_cmpstrv ((const gchar *const *) f->events->pdata, expected);
  g_assert_true (hv_test_qemu_wait_exit (f->qemu, 10000, NULL));
  g_assert_true (hv_test_qemu_get_exited_cleanly (f->qemu));
  while (f->n_closed == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (hv_kvm_qmp_client_is_connected (f->client));
  save_transcript (f->client, "quit-none.qmp");
}

static void
test_one_client_per_monitor (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(HvKvmQmpClient) second = hv_kvm_qmp_client_new ();
  g_autoptr(HvKvmQmpClient) other = hv_kvm_qmp_client_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* QEMU accepts a second connection but greets it only when the first
   * leaves: the connect must give up, not hang */
  hv_kvm_qmp_client_set_command_timeout (second, 300);
  hv_kvm_qmp_client_connect_async (second, hv_test_qemu_get_qmp_path (f->qemu), NULL,
                                   hv_test_store_result, &f->result);
  result = hv_test_wait_result (&f->result);
  g_assert_false (hv_kvm_qmp_client_connect_finish (second, result, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_TIMEOUT);

  /* a second monitor serves a second client */
  connect_to (f, other, f->second_qmp_path);
  g_assert_true (hv_kvm_qmp_client_is_connected (other));
  g_assert_true (hv_kvm_qmp_client_is_connected (f->client));
  hv_kvm_qmp_client_close (other);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_strcmp0 (g_getenv ("HV_TEST_REGENERATE"), "1") == 0)
    {
      g_log_set_debug_enabled (TRUE);
      g_log_set_writer_func (record_writer, NULL, NULL);
    }

#define ADD(path, setup_func, func) \
  g_test_add ("/qmp/qemu/" path, Fixture, NULL, setup_func, func, teardown)
  ADD ("greeting-and-version", setup, test_greeting_and_version);
  ADD ("sequential-1000", setup, test_sequential);
  ADD ("pipelined-1000", setup, test_pipelined);
  ADD ("getfd-closefd", setup, test_getfd_closefd);
  ADD ("add-fd-remove-fd", setup, test_add_fd_remove_fd);
  ADD ("error-classes", setup, test_error_classes);
  ADD ("session", setup, test_session);
  ADD ("pci", setup_pc, test_pci);
  ADD ("quit", setup, test_quit);
  ADD ("one-client-per-monitor", setup, test_one_client_per_monitor);
#undef ADD

  return g_test_run ();
}
