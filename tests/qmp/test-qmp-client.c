/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * HvKvmQmpClient against the fake QMP server: the protocol corner cases
 * QEMU does not produce on demand.
 */
#include <string.h>
#include <unistd.h>
#include <gio/gunixfdlist.h>

#include "hvkit.h"
#include "hv-kvm-qmp-client.h"
#include "hv-test-async.h"
#include "hv-test-qmp-server.h"

typedef struct {
  HvTestQmpServer *server;
  HvKvmQmpClient  *client;
  GAsyncResult    *result;
  GPtrArray       *log;        /* "event NAME", "reply N", … in the order seen */
  guint            n_closed;
  GError          *closed_error;
} Fixture;

static void
on_event (HvKvmQmpClient *client,
          const gchar    *event,
          JsonObject     *data,
          gint64          timestamp,
          gpointer        user_data)
{
  Fixture *f = user_data;

  g_assert_nonnull (data);
  g_ptr_array_add (f->log, g_strdup_printf ("event %s", event));
}

static void
on_closed (HvKvmQmpClient *client,
           const GError   *error,
           gpointer        user_data)
{
  Fixture *f = user_data;

  f->n_closed++;
  g_clear_error (&f->closed_error);
  f->closed_error = error != NULL ? g_error_copy (error) : NULL;
  g_assert_false (hv_kvm_qmp_client_is_connected (client));
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  f->server = hv_test_qmp_server_new ();
  f->client = hv_kvm_qmp_client_new ();
  f->log = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->client, "event", G_CALLBACK (on_event), f);
  g_signal_connect (f->client, "closed", G_CALLBACK (on_closed), f);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (f->client, f);
  hv_kvm_qmp_client_close (f->client);
  /* completions of calls the test left pending */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->result);
  g_assert_finalize_object (f->client);
  g_clear_object (&f->server);
  g_ptr_array_unref (f->log);
  g_clear_error (&f->closed_error);
}

static gboolean
connect_client (Fixture *f,
                GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hv_kvm_qmp_client_connect_async (f->client, hv_test_qmp_server_get_socket_path (f->server),
                                   NULL, hv_test_store_result, &f->result);
  result = hv_test_wait_result (&f->result);
  return hv_kvm_qmp_client_connect_finish (f->client, result, error);
}

static void
start (Fixture     *f,
       const gchar *command,
       const gchar *arguments,
       GAsyncResult **slot)
{
  g_autoptr(JsonNode) node = arguments != NULL ? json_from_string (arguments, NULL) : NULL;

  hv_kvm_qmp_client_execute_async (f->client, command, node != NULL ? json_node_get_object (node) : NULL,
                                   NULL, NULL, hv_test_store_result, slot);
}

static JsonNode *
finish (Fixture       *f,
        GAsyncResult **slot,
        GError       **error)
{
  g_autoptr(GAsyncResult) result = hv_test_wait_result (slot);

  return hv_kvm_qmp_client_execute_finish (f->client, result, error);
}

static JsonNode *
execute (Fixture     *f,
         const gchar *command,
         const gchar *arguments,
         GError     **error)
{
  start (f, command, arguments, &f->result);
  return finish (f, &f->result, error);
}

static gboolean
server_done (gpointer data)
{
  return hv_test_qmp_server_is_done (data);
}

static gboolean
server_saw_close (gpointer data)
{
  return hv_test_qmp_server_client_closed (data);
}

static void
assert_log (Fixture            *f,
            const gchar *const *expected)
{
  g_ptr_array_add (f->log, NULL);
  g_assert_cmpstrv ((const gchar *const *) f->log->pdata, expected);
  g_ptr_array_remove_index (f->log, f->log->len - 1);
}

/* ---- connecting --------------------------------------------------------- */

static void
test_connect (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *id = NULL;
  guint major, minor, micro;

  hv_test_qmp_server_add_negotiation (f->server);
  g_assert_false (hv_kvm_qmp_client_is_connected (f->client));
  g_assert_true (connect_client (f, &error));
  g_assert_no_error (error);

  g_assert_true (hv_kvm_qmp_client_is_connected (f->client));
  hv_kvm_qmp_client_get_version (f->client, &major, &minor, &micro);
  g_assert_cmpuint (major, ==, 7);
  g_assert_cmpuint (minor, ==, 2);
  g_assert_cmpuint (micro, ==, 22);
  g_assert_cmpstr (hv_kvm_qmp_client_get_package (f->client), ==, "Debian 1:7.2+dfsg-7+deb12u18+b3");
  g_assert_true (hv_kvm_qmp_client_has_capability (f->client, "oob"));
  g_assert_false (hv_kvm_qmp_client_has_capability (f->client, "exec-oob"));
  g_assert_cmpstr (hv_kvm_qmp_client_get_socket_path (f->client), ==,
                   hv_test_qmp_server_get_socket_path (f->server));
  /* qmp_capabilities is sent with an id of ours, without arguments */
  id = hv_test_qmp_server_dup_id (f->server, 1);
  g_assert_cmpstr (id, ==, "1");
  hv_test_qmp_server_assert_done (f->server);
}

static void
test_connect_events_before_greeting (Fixture       *f,
                                     gconstpointer  data)
{
  const gchar *expected[] = { "event RESUME", "event STOP", NULL };

  hv_test_qmp_server_add_event (f->server, "RESUME", NULL);
  hv_test_qmp_server_add_event (f->server, "STOP", "{}");
  hv_test_qmp_server_add_negotiation (f->server);
  g_assert_true (connect_client (f, NULL));
  assert_log (f, expected);
  hv_test_qmp_server_assert_done (f->server);
}

static void
assert_connect_fails (Fixture     *f,
                      gint         code,
                      const gchar *message_part)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (connect_client (f, &error));
  g_assert_error (error, HV_ERROR, code);
  /* prints both when the part is missing */
  if (strstr (error->message, message_part) == NULL)
    g_assert_cmpstr (error->message, ==, message_part);
  g_assert_false (hv_kvm_qmp_client_is_connected (f->client));
  /* a connect that failed never was a connection */
  g_assert_cmpuint (f->n_closed, ==, 0);
}

static void
test_connect_not_qmp (Fixture       *f,
                      gconstpointer  data)
{
  hv_test_qmp_server_add_send (f->server, "{\"hello\": \"world\"}\r\n");
  assert_connect_fails (f, HV_ERROR_MONITOR, "does not speak QMP");
  hv_test_wait_until (server_saw_close, f->server);
  hv_test_qmp_server_assert_done (f->server);
}

static void
test_connect_hmp_banner (Fixture       *f,
                         gconstpointer  data)
{
  hv_test_qmp_server_add_send (f->server,
                               "QEMU 7.2.22 monitor - type 'help' for more information\r\n(qemu) ");
  assert_connect_fails (f, HV_ERROR_MONITOR, "does not speak QMP");
}

static void
test_connect_reply_before_greeting (Fixture       *f,
                                    gconstpointer  data)
{
  hv_test_qmp_server_add_send (f->server, "{\"return\": {}}\r\n");
  assert_connect_fails (f, HV_ERROR_MONITOR, "a reply came before the greeting");
}

/* QEMU finished a command of a client that went (a crashed hvkit) and
 * writes its answer to the next client, before the greeting: dropped. */
static void
test_connect_stale_reply_before_greeting (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  hv_test_qmp_server_add_send (f->server, "{\"return\": {}, \"id\": 41}\r\n");
  hv_test_qmp_server_add_negotiation (f->server);
  g_assert_true (connect_client (f, &error));
  g_assert_no_error (error);
  g_assert_true (hv_kvm_qmp_client_is_connected (f->client));
  hv_test_qmp_server_assert_done (f->server);
}

static void
test_connect_bad_greeting (Fixture       *f,
                           gconstpointer  data)
{
  hv_test_qmp_server_add_send (f->server, "{\"QMP\": {\"capabilities\": []}}\r\n");
  assert_connect_fails (f, HV_ERROR_MONITOR, "bad QMP greeting");
}

static void
test_connect_hangup_before_greeting (Fixture       *f,
                                     gconstpointer  data)
{
  hv_test_qmp_server_add_hangup (f->server);
  assert_connect_fails (f, HV_ERROR_MONITOR, "closed the connection before the QMP greeting");
}

static void
test_connect_negotiation_refused (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  hv_test_qmp_server_add_greeting (f->server);
  hv_test_qmp_server_add_command (f->server, "qmp_capabilities", NULL,
                                  "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                                  "\"Capabilities negotiation is already complete, command ignored\"}}");
  g_assert_false (connect_client (f, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_cmpstr (hv_error_get_qmp_class (error), ==, "CommandNotFound");
  g_assert_nonnull (strstr (error->message, "already complete"));
}

static void
test_connect_timeout (Fixture       *f,
                      gconstpointer  data)
{
  /* as when another client holds QEMU's only QMP connection */
  hv_kvm_qmp_client_set_command_timeout (f->client, 50);
  assert_connect_fails (f, HV_ERROR_TIMEOUT, "is another client connected?");
}

static void
test_connect_no_socket (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  hv_kvm_qmp_client_connect_async (f->client, "/nonexistent/qmp.sock", NULL,
                                   hv_test_store_result, &f->result);
  result = hv_test_wait_result (&f->result);
  g_assert_false (hv_kvm_qmp_client_connect_finish (f->client, result, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_nonnull (strstr (error->message, "/nonexistent/qmp.sock"));
}

static void
test_connect_cancel (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  hv_kvm_qmp_client_connect_async (f->client, hv_test_qmp_server_get_socket_path (f->server),
                                   cancellable, hv_test_store_result, &f->result);
  g_cancellable_cancel (cancellable);
  result = hv_test_wait_result (&f->result);
  g_assert_false (hv_kvm_qmp_client_connect_finish (f->client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_connect_twice (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  hv_test_qmp_server_add_negotiation (f->server);
  g_assert_true (connect_client (f, NULL));
  g_assert_false (connect_client (f, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_true (hv_kvm_qmp_client_is_connected (f->client));
}

static void
test_line_feed_only (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) value = NULL;

  hv_test_qmp_server_add_send (f->server,
                               "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, \"major\": 9}, "
                               "\"package\": \"\"}, \"capabilities\": []}}\n");
  hv_test_qmp_server_add_command (f->server, "qmp_capabilities", NULL, "{\"return\": {}}");
  hv_test_qmp_server_add_command (f->server, "query-status", NULL, "{\"return\": {\"status\": \"paused\"}}");
  g_assert_true (connect_client (f, NULL));
  value = execute (f, "query-status", NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (value), "status"), ==, "paused");
  g_assert_null (hv_kvm_qmp_client_get_capabilities (f->client)[0]);
}

/* ---- commands ------------------------------------------------------------ */

static void
test_execute_not_connected (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = execute (f, "query-status", NULL, &error);

  g_assert_null (value);
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_nonnull (strstr (error->message, "not connected"));
}

static void
test_execute_arguments (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(GError) error = NULL;

  hv_test_qmp_server_add_negotiation (f->server);
  /* nested values, escapes, numbers, in the order given */
  hv_test_qmp_server_add_command (f->server, "device_add",
                                  "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\\\"q\\\\\\n\u00e9\", "
                                  "\"addr\": \"0x5\", \"n\": -12, \"f\": 0.5, \"b\": false, "
                                  "\"z\": null, \"list\": [1, [2], {\"x\": \"y\"}]}",
                                  "{\"return\": {}}");
  g_assert_true (connect_client (f, NULL));
  value = execute (f, "device_add",
                   "{\"driver\": \"virtio-blk-pci\", \"id\": \"d\\\"q\\\\\\n\u00e9\", \"addr\": \"0x5\", "
                   "\"n\": -12, \"f\": 0.5, \"b\": false, \"z\": null, \"list\": [1, [2], {\"x\": \"y\"}]}",
                   &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (value));
  hv_test_qmp_server_assert_done (f->server);
}

static void
test_error_reply (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(JsonNode) after = NULL;

  hv_test_qmp_server_add_negotiation (f->server);
  hv_test_qmp_server_add_command (f->server, "device_del", "{\"id\": \"nosuch\"}",
                                  "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'nosuch' not found\"}}");
  hv_test_qmp_server_add_command (f->server, "query-status", NULL, "{\"return\": {}}");
  g_assert_true (connect_client (f, NULL));

  value = execute (f, "device_del", "{\"id\": \"nosuch\"}", &error);
  g_assert_null (value);
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_cmpstr (error->message, ==, "QEMU command “device_del” failed: Device 'nosuch' not found");
  g_assert_cmpstr (hv_error_get_qmp_class (error), ==, "DeviceNotFound");

  /* an error reply is one call's failure, not the connection's */
  after = execute (f, "query-status", NULL, NULL);
  g_assert_nonnull (after);
  g_assert_cmpuint (f->n_closed, ==, 0);
}

static void
on_reply_logged (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = hv_kvm_qmp_client_execute_finish (HV_KVM_QMP_CLIENT (source), result, &error);

  g_assert_no_error (error);
  g_ptr_array_add (f->log, g_strdup_printf ("reply %s", json_node_get_string (value)));
}

static void
start_logged (Fixture     *f,
              const gchar *command)
{
  hv_kvm_qmp_client_execute_async (f->client, command, NULL, NULL, NULL, on_reply_logged, f);
}

static gboolean
log_has (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  guint n = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return f->log->len >= n;
}

static void
wait_log (Fixture *f,
          guint    n)
{
  gpointer data[] = { f, GUINT_TO_POINTER (n) };

  hv_test_wait_until (log_has, data);
}

static void
test_replies_out_of_order (Fixture       *f,
                           gconstpointer  data)
{
  const gchar *expected[] = { "reply c", "reply a", "reply b", NULL };
  guint a, b, c;

  hv_test_qmp_server_add_negotiation (f->server);
  a = hv_test_qmp_server_add_expect (f->server, "a", NULL);
  b = hv_test_qmp_server_add_expect (f->server, "b", NULL);
  c = hv_test_qmp_server_add_expect (f->server, "c", NULL);
  hv_test_qmp_server_add_reply (f->server, c, "{\"return\": \"c\"}");
  hv_test_qmp_server_add_reply (f->server, a, "{\"return\": \"a\"}");
  hv_test_qmp_server_add_reply (f->server, b, "{\"return\": \"b\"}");
  g_assert_true (connect_client (f, NULL));

  start_logged (f, "a");
  start_logged (f, "b");
  start_logged (f, "c");
  wait_log (f, 3);
  assert_log (f, expected);
  hv_test_qmp_server_assert_done (f->server);
}

static void
test_events_between_replies (Fixture       *f,
                             gconstpointer  data)
{
  const gchar *expected[] = { "event STOP", "reply x", "event RESUME", "event SHUTDOWN", "reply y", NULL };
  guint x, y;

  hv_test_qmp_server_add_negotiation (f->server);
  x = hv_test_qmp_server_add_expect (f->server, "x", NULL);
  y = hv_test_qmp_server_add_expect (f->server, "y", NULL);
  hv_test_qmp_server_add_event (f->server, "STOP", NULL);
  hv_test_qmp_server_add_reply (f->server, x, "{\"return\": \"x\"}");
  hv_test_qmp_server_add_event (f->server, "RESUME", NULL);
  hv_test_qmp_server_add_event (f->server, "SHUTDOWN", "{\"guest\": false, \"reason\": \"host-qmp-quit\"}");
  hv_test_qmp_server_add_reply (f->server, y, "{\"return\": \"y\"}");
  g_assert_true (connect_client (f, NULL));

  start_logged (f, "x");
  start_logged (f, "y");
  wait_log (f, 5);
  assert_log (f, expected);
}

static gboolean
is_removal_of (const gchar *event,
               JsonObject  *data,
               gpointer     user_data)
{
  return g_strcmp0 (json_object_get_string_member_with_default (data, "device", NULL), user_data) == 0;
}

static void
on_waiter_logged (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *event = NULL;
  gint64 timestamp = 0;
  g_autoptr(JsonObject) event_data =
    hv_kvm_qmp_client_wait_event_finish (HV_KVM_QMP_CLIENT (source), result, &event, &timestamp, &error);

  g_assert_no_error (error);
  g_assert_cmpint (timestamp, ==, G_GINT64_CONSTANT (1700000000123456));
  g_ptr_array_add (f->log, g_strdup_printf ("waiter %s %s", event,
                                            json_object_get_string_member (event_data, "path")));
}

static void
test_event_before_reply (Fixture       *f,
                         gconstpointer  data)
{
  const gchar *expected[] = {
    "event DEVICE_DELETED",
    "waiter DEVICE_DELETED /machine/peripheral/disk0",
    "event DEVICE_DELETED",
    "reply done",
    NULL
  };
  guint device_del;

  /* what QEMU sends for a removal the guest acknowledges at once */
  hv_test_qmp_server_add_negotiation (f->server);
  device_del = hv_test_qmp_server_add_expect (f->server, "device_del", "{\"id\": \"disk0\"}");
  hv_test_qmp_server_add_event (f->server, "DEVICE_DELETED",
                                "{\"path\": \"/machine/peripheral/disk0/virtio-backend\"}");
  hv_test_qmp_server_add_event (f->server, "DEVICE_DELETED",
                                "{\"device\": \"disk0\", \"path\": \"/machine/peripheral/disk0\"}");
  hv_test_qmp_server_add_reply (f->server, device_del, "{\"return\": \"done\"}");
  g_assert_true (connect_client (f, NULL));

  /* registered before the command: the event that comes first is not lost */
  hv_kvm_qmp_client_wait_event_async (f->client, "DEVICE_DELETED", is_removal_of,
                                      g_strdup ("disk0"), g_free, 5000, NULL, on_waiter_logged, f);
  {
    g_autoptr(JsonNode) arguments = json_from_string ("{\"id\": \"disk0\"}", NULL);

    hv_kvm_qmp_client_execute_async (f->client, "device_del", json_node_get_object (arguments),
                                     NULL, NULL, on_reply_logged, f);
  }
  wait_log (f, 4);
  assert_log (f, expected);
}

static void
test_wait_event_any (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) reply = NULL;
  g_autoptr(JsonObject) event_data = NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autofree gchar *event = NULL;
  GAsyncResult *reply_slot = NULL;
  guint ping;

  hv_test_qmp_server_add_negotiation (f->server);
  ping = hv_test_qmp_server_add_expect (f->server, "ping", NULL);
  hv_test_qmp_server_add_event (f->server, "POWERDOWN", NULL);
  hv_test_qmp_server_add_reply (f->server, ping, "{\"return\": {}}");
  g_assert_true (connect_client (f, NULL));

  hv_kvm_qmp_client_wait_event_async (f->client, NULL, NULL, NULL, NULL, 0, NULL,
                                      hv_test_store_result, &f->result);
  start (f, "ping", NULL, &reply_slot);
  result = hv_test_wait_result (&f->result);
  event_data = hv_kvm_qmp_client_wait_event_finish (f->client, result, &event, NULL, NULL);
  g_assert_cmpstr (event, ==, "POWERDOWN");
  g_assert_cmpuint (json_object_get_size (event_data), ==, 0);
  reply = hv_test_wait_result (&reply_slot);
  value = hv_kvm_qmp_client_execute_finish (f->client, reply, NULL);
  g_assert_nonnull (value);
}

static void
test_wait_event_timeout_and_cancel (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) cancelled = NULL;
  g_autoptr(GError) closed = NULL;
  g_autoptr(JsonObject) none = NULL;

  hv_test_qmp_server_add_negotiation (f->server);
  hv_test_qmp_server_add_event (f->server, "OTHER", NULL);
  g_assert_true (connect_client (f, NULL));

  hv_kvm_qmp_client_wait_event_async (f->client, "NEVER", NULL, NULL, NULL, 30, NULL,
                                      hv_test_store_result, &f->result);
  result = hv_test_wait_result (&f->result);
  none = hv_kvm_qmp_client_wait_event_finish (f->client, result, NULL, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, HV_ERROR, HV_ERROR_TIMEOUT);
  g_clear_object (&result);

  hv_kvm_qmp_client_wait_event_async (f->client, "NEVER", NULL, NULL, NULL, 0, cancellable,
                                      hv_test_store_result, &f->result);
  g_cancellable_cancel (cancellable);
  result = hv_test_wait_result (&f->result);
  g_assert_null (hv_kvm_qmp_client_wait_event_finish (f->client, result, NULL, NULL, &cancelled));
  g_assert_error (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&result);

  /* a waiter fails when the connection goes */
  hv_kvm_qmp_client_wait_event_async (f->client, "NEVER", NULL, NULL, NULL, 0, NULL,
                                      hv_test_store_result, &f->result);
  hv_kvm_qmp_client_close (f->client);
  result = hv_test_wait_result (&f->result);
  g_assert_null (hv_kvm_qmp_client_wait_event_finish (f->client, result, NULL, NULL, &closed));
  g_assert_error (closed, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_nonnull (strstr (closed->message, "connection closed"));
}

static void
on_stop_only (HvKvmQmpClient *client,
              const gchar    *event,
              JsonObject     *data,
              gint64          timestamp,
              gpointer        user_data)
{
  guint *n_stop = user_data;

  g_assert_cmpstr (event, ==, "STOP");
  (*n_stop)++;
}

static void
test_event_detail (Fixture       *f,
                   gconstpointer  data)
{
  guint n_stop = 0;

  hv_test_qmp_server_add_negotiation (f->server);
  hv_test_qmp_server_add_event (f->server, "RESUME", NULL);
  hv_test_qmp_server_add_event (f->server, "STOP", NULL);
  hv_test_qmp_server_add_event (f->server, "UNHEARD_OF_EVENT", NULL);
  hv_test_qmp_server_add_event (f->server, "STOP", NULL);
  g_signal_connect (f->client, "event::STOP", G_CALLBACK (on_stop_only), &n_stop);
  g_assert_true (connect_client (f, NULL));
  wait_log (f, 4);
  g_assert_cmpuint (n_stop, ==, 2);
}

static void
test_byte_by_byte (Fixture       *f,
                   gconstpointer  data)
{
  const gchar *expected[] = { "event STOP", "reply one", "reply two", NULL };

  hv_test_qmp_server_set_chunk_size (f->server, 1);
  hv_test_qmp_server_add_negotiation (f->server);
  hv_test_qmp_server_add_event (f->server, "STOP", NULL);
  hv_test_qmp_server_add_command (f->server, "one", NULL, "{\"return\": \"one\"}");
  hv_test_qmp_server_add_command (f->server, "two", NULL, "{\"return\": \"two\"}");
  g_assert_true (connect_client (f, NULL));
  start_logged (f, "one");
  wait_log (f, 2);
  start_logged (f, "two");
  wait_log (f, 3);
  assert_log (f, expected);
}

static void
on_numbered_reply (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  guint *n_done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = hv_kvm_qmp_client_execute_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  g_autofree gchar *want = NULL;

  g_assert_no_error (error);
  (*n_done)++;
  want = g_strdup_printf ("reply-%u", 1000 - *n_done);
  g_assert_cmpstr (json_node_get_string (value), ==, want);
}

static gboolean
thousand_done (gpointer data)
{
  return *(guint *) data == 1000;
}

static void
test_many_in_one_write (Fixture       *f,
                        gconstpointer  data)
{
  guint expects[1000];
  guint n_done = 0;

  hv_test_qmp_server_add_negotiation (f->server);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree gchar *command = g_strdup_printf ("cmd-%u", i);

      expects[i] = hv_test_qmp_server_add_expect (f->server, command, NULL);
    }
  /* all 1000 replies in one write, the last command answered first */
  for (guint i = 1000; i-- > 0;)
    {
      g_autofree gchar *reply = g_strdup_printf ("{\"return\": \"reply-%u\"}", i);

      hv_test_qmp_server_add_reply (f->server, expects[i], reply);
    }
  g_assert_true (connect_client (f, NULL));

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree gchar *command = g_strdup_printf ("cmd-%u", i);

      hv_kvm_qmp_client_execute_async (f->client, command, NULL, NULL, NULL, on_numbered_reply, &n_done);
    }
  hv_test_wait_until (thousand_done, &n_done);
  hv_test_qmp_server_assert_done (f->server);
}

static void
test_large_message (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GString) reply = g_string_new ("{\"return\": \"");
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(GError) error = NULL;

  /* 3 MiB: many reads for one message, under the 10 MiB default */
  for (guint i = 0; i < 3 * 1024 * 1024 / 64; i++)
    g_string_append (reply, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  g_string_append (reply, "\"}");
  hv_test_qmp_server_add_negotiation (f->server);
  hv_test_qmp_server_add_command (f->server, "big", NULL, reply->str);
  g_assert_true (connect_client (f, NULL));
  value = execute (f, "big", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (json_node_get_string (value)), ==, 3 * 1024 * 1024);
}

/* ---- the connection ends --------------------------------------------------- */

static void
assert_closed_with (Fixture       *f,
                    GAsyncResult **slot,
                    const gchar   *reason_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = finish (f, slot, &error);

  g_assert_null (value);
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_nonnull (strstr (error->message, "connection closed"));
  if (strstr (error->message, reason_part) == NULL)
    g_assert_cmpstr (error->message, ==, reason_part);
  g_assert_cmpuint (f->n_closed, ==, 1);
  g_assert_error (f->closed_error, HV_ERROR, HV_ERROR_MONITOR);
  if (strstr (f->closed_error->message, reason_part) == NULL)
    g_assert_cmpstr (f->closed_error->message, ==, reason_part);
  g_assert_false (hv_kvm_qmp_client_is_connected (f->client));
}

static void
test_oversized_message (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree gchar *filler = g_strnfill (2000, 'x');
  g_autofree gchar *event = g_strdup_printf ("{\"filler\": \"%s\"}", filler);

  hv_kvm_qmp_client_set_max_message_size (f->client, 1024);
  g_assert_cmpuint (hv_kvm_qmp_client_get_max_message_size (f->client), ==, 1024);
  hv_test_qmp_server_add_negotiation (f->server);
  hv_test_qmp_server_add_expect (f->server, "query-status", NULL);
  hv_test_qmp_server_add_event (f->server, "BIG", event);
  g_assert_true (connect_client (f, NULL));
  start (f, "query-status", NULL, &f->result);
  assert_closed_with (f, &f->result, "larger than 1024 bytes");
  hv_test_wait_until (server_saw_close, f->server);
}

static void
test_garbage (Fixture       *f,
              gconstpointer  data)
{
  hv_test_qmp_server_add_negotiation (f->server);
  hv_test_qmp_server_add_expect (f->server, "query-status", NULL);
  hv_test_qmp_server_add_send (f->server, "this is not json\r\n");
  g_assert_true (connect_client (f, NULL));
  start (f, "query-status", NULL, &f->result);
  assert_closed_with (f, &f->result, "Malformed QMP message");
}

static void
test_garbage_then_more (Fixture       *f,
                        gconstpointer  data)
{
  /* nothing after the garbage in the same read is acted on */
  hv_test_qmp_server_add_negotiation (f->server);
  hv_test_qmp_server_add_expect (f->server, "query-status", NULL);
  hv_test_qmp_server_add_send (f->server, "{\"return\": \n{\"event\": \"STOP\"}\r\n");
  g_assert_true (connect_client (f, NULL));
  start (f, "query-status", NULL, &f->result);
  assert_closed_with (f, &f->result, "Malformed QMP message");
  g_assert_cmpuint (f->log->len, ==, 0);
}

static void
test_idless_error (Fixture       *f,
                   gconstpointer  data)
{
  hv_test_qmp_server_add_negotiation (f->server);
  hv_test_qmp_server_add_expect (f->server, "query-status", NULL);
  hv_test_qmp_server_add_send (f->server, "{\"error\": {\"class\": \"GenericError\", "
                                          "\"desc\": \"JSON parse error, invalid keyword 'this'\"}}\r\n");
  g_assert_true (connect_client (f, NULL));
  start (f, "query-status", NULL, &f->result);
  assert_closed_with (f, &f->result, "QEMU could not read a command: JSON parse error");
}

static void
test_hangup_with_pending (Fixture       *f,
                          gconstpointer  data)
{
  GAsyncResult *slots[10] = { NULL, };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = NULL;

  hv_test_qmp_server_add_negotiation (f->server);
  for (guint i = 0; i < 10; i++)
    hv_test_qmp_server_add_expect (f->server, "query-status", NULL);
  hv_test_qmp_server_add_hangup (f->server);
  g_assert_true (connect_client (f, NULL));

  for (guint i = 0; i < 10; i++)
    start (f, "query-status", NULL, &slots[i]);
  for (guint i = 0; i < 10; i++)
    assert_closed_with (f, &slots[i], "QEMU closed the QMP connection");
  hv_test_qmp_server_assert_done (f->server);

  /* the client says so from then on */
  value = execute (f, "query-status", NULL, &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_nonnull (strstr (error->message, "not connected"));
  g_assert_cmpuint (f->n_closed, ==, 1);
}

static void
test_close_by_owner (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(HvTestQmpServer) second = hv_test_qmp_server_new ();
  g_autoptr(GAsyncResult) result = NULL;

  hv_test_qmp_server_add_negotiation (f->server);
  hv_test_qmp_server_add_expect (f->server, "query-status", NULL);
  g_assert_true (connect_client (f, NULL));
  start (f, "query-status", NULL, &f->result);
  hv_test_wait_until (server_done, f->server);
  hv_kvm_qmp_client_close (f->client);

  value = finish (f, &f->result, &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_cmpstr (error->message, ==, "QEMU command “query-status” failed: connection closed");
  g_assert_cmpuint (f->n_closed, ==, 1);
  g_assert_null (f->closed_error);
  hv_test_wait_until (server_saw_close, f->server);

  /* and the same client connects again */
  hv_test_qmp_server_add_negotiation (second);
  hv_test_qmp_server_add_command (second, "query-status", NULL, "{\"return\": {}}");
  hv_kvm_qmp_client_connect_async (f->client, hv_test_qmp_server_get_socket_path (second), NULL,
                                   hv_test_store_result, &f->result);
  result = hv_test_wait_result (&f->result);
  g_assert_true (hv_kvm_qmp_client_connect_finish (f->client, result, NULL));
  g_clear_pointer (&value, json_node_unref);
  value = execute (f, "query-status", NULL, NULL);
  g_assert_nonnull (value);
  hv_test_qmp_server_assert_done (second);
}

static void
close_on_first_event (HvKvmQmpClient *client,
                      const gchar    *event,
                      JsonObject     *data,
                      gint64          timestamp,
                      gpointer        user_data)
{
  hv_kvm_qmp_client_close (client);
}

static void
test_handler_closes_midway (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = NULL;
  guint query;

  hv_test_qmp_server_add_negotiation (f->server);
  query = hv_test_qmp_server_add_expect (f->server, "query-status", NULL);
  /* one write: the event, then the reply the closed client must not take */
  hv_test_qmp_server_add_event (f->server, "STOP", NULL);
  hv_test_qmp_server_add_reply (f->server, query, "{\"return\": {}}");
  g_assert_true (connect_client (f, NULL));
  g_signal_connect (f->client, "event", G_CALLBACK (close_on_first_event), NULL);
  value = execute (f, "query-status", NULL, &error);
  g_assert_null (value);
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_cmpuint (f->log->len, ==, 1);
  g_assert_cmpuint (f->n_closed, ==, 1);
}

/* ---- cancellation and timeouts ------------------------------------------- */

static void
test_cancel_then_late_reply (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = NULL;
  guint slow, next;

  hv_test_qmp_server_add_negotiation (f->server);
  slow = hv_test_qmp_server_add_expect (f->server, "slow", NULL);
  next = hv_test_qmp_server_add_expect (f->server, "next", NULL);
  hv_test_qmp_server_add_reply (f->server, slow, "{\"return\": \"late\"}");
  hv_test_qmp_server_add_reply (f->server, next, "{\"return\": \"next\"}");
  g_assert_true (connect_client (f, NULL));

  hv_kvm_qmp_client_execute_async (f->client, "slow", NULL, NULL, cancellable,
                                   hv_test_store_result, &f->result);
  g_cancellable_cancel (cancellable);
  result = hv_test_wait_result (&f->result);
  g_assert_null (hv_kvm_qmp_client_execute_finish (f->client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* the late reply to "slow" arrives first and is dropped by its id */
  value = execute (f, "next", NULL, NULL);
  g_assert_cmpstr (json_node_get_string (value), ==, "next");
  g_assert_true (hv_kvm_qmp_client_is_connected (f->client));
  hv_test_qmp_server_assert_done (f->server);
}

static void
test_cancel_before_send (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hv_test_qmp_server_add_negotiation (f->server);
  g_assert_true (connect_client (f, NULL));
  g_cancellable_cancel (cancellable);
  /* never sent: the server would fail the test on it */
  hv_kvm_qmp_client_execute_async (f->client, "never", NULL, NULL, cancellable,
                                   hv_test_store_result, &f->result);
  result = hv_test_wait_result (&f->result);
  g_assert_null (hv_kvm_qmp_client_execute_finish (f->client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_timeout_then_late_reply (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(JsonNode) other = NULL;
  guint slow, next;

  hv_test_qmp_server_add_negotiation (f->server);
  slow = hv_test_qmp_server_add_expect (f->server, "slow", NULL);
  next = hv_test_qmp_server_add_expect (f->server, "next", NULL);
  hv_test_qmp_server_add_reply (f->server, slow, "{\"return\": \"late\"}");
  hv_test_qmp_server_add_reply (f->server, next, "{\"return\": \"next\"}");
  hv_test_qmp_server_add_command (f->server, "third", NULL, "{\"return\": \"third\"}");
  g_assert_true (connect_client (f, NULL));

  hv_kvm_qmp_client_execute_full_async (f->client, "slow", NULL, NULL, 30, NULL,
                                        hv_test_store_result, &f->result);
  result = hv_test_wait_result (&f->result);
  g_assert_null (hv_kvm_qmp_client_execute_full_finish (f->client, result, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_TIMEOUT);
  g_assert_cmpstr (error->message, ==, "QEMU did not answer “slow” within 30 ms");

  value = execute (f, "next", NULL, NULL);
  g_assert_cmpstr (json_node_get_string (value), ==, "next");
  /* the client-wide timeout applies when the call has none of its own */
  hv_kvm_qmp_client_set_command_timeout (f->client, 20);
  other = execute (f, "third", NULL, NULL);
  g_assert_cmpstr (json_node_get_string (other), ==, "third");
  hv_test_qmp_server_assert_done (f->server);
}

static void
test_timeouts_in_order (Fixture       *f,
                        gconstpointer  data)
{
  GAsyncResult *slots[3] = { NULL, };
  const gint timeouts[3] = { 60, 20, 40 };

  hv_test_qmp_server_add_negotiation (f->server);
  for (guint i = 0; i < 3; i++)
    hv_test_qmp_server_add_expect (f->server, "slow", NULL);
  g_assert_true (connect_client (f, NULL));

  /* one timer serves them all; each fails at its own deadline */
  for (guint i = 0; i < 3; i++)
    hv_kvm_qmp_client_execute_full_async (f->client, "slow", NULL, NULL, timeouts[i], NULL,
                                          hv_test_store_result, &slots[i]);
  while (slots[1] == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (slots[0]);
  g_assert_null (slots[2]);
  while (slots[2] == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (slots[0]);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GAsyncResult) result = hv_test_wait_result (&slots[i]);
      g_autoptr(GError) error = NULL;

      g_assert_null (hv_kvm_qmp_client_execute_full_finish (f->client, result, &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_TIMEOUT);
    }
  g_assert_true (hv_kvm_qmp_client_is_connected (f->client));
}

static void
test_unknown_ids_dropped (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(JsonNode) value = NULL;
  guint query;

  hv_test_qmp_server_add_negotiation (f->server);
  query = hv_test_qmp_server_add_expect (f->server, "query-status", NULL);
  hv_test_qmp_server_add_send (f->server, "{\"return\": {}, \"id\": 999}\r\n");
  hv_test_qmp_server_add_send (f->server, "{\"return\": {}, \"id\": \"2\"}\r\n");
  hv_test_qmp_server_add_send (f->server, "{\"return\": {}, \"id\": 2.0}\r\n");
  hv_test_qmp_server_add_send (f->server, "{\"return\": {}, \"id\": -2}\r\n");
  hv_test_qmp_server_add_send (f->server, "{\"return\": {}, \"id\": \"libvirt-3\"}\r\n");
  hv_test_qmp_server_add_send (f->server, "{\"return\": {}, \"id\": {\"any\": \"json\"}}\r\n");
  hv_test_qmp_server_add_send (f->server, "{\"return\": {}}\r\n");
  hv_test_qmp_server_add_send (f->server, "{\"id\": 998, \"error\": {\"class\": \"GenericError\", \"desc\": \"x\"}}\r\n");
  hv_test_qmp_server_add_reply (f->server, query, "{\"return\": \"mine\"}");
  g_assert_true (connect_client (f, NULL));
  value = execute (f, "query-status", NULL, NULL);
  g_assert_cmpstr (json_node_get_string (value), ==, "mine");
  g_assert_cmpuint (f->n_closed, ==, 0);
}

/* ---- file descriptors --------------------------------------------------- */

static void
assert_fd_carries (gint         received,
                   gint         write_end,
                   const gchar *text)
{
  gchar buffer[64] = { 0, };

  g_assert_cmpint (received, >=, 0);
  g_assert_cmpint (write (write_end, text, strlen (text)), ==, (gssize) strlen (text));
  g_assert_cmpint (read (received, buffer, sizeof buffer - 1), ==, (gssize) strlen (text));
  g_assert_cmpstr (buffer, ==, text);
  close (received);
}

static void
test_fd_passing (Fixture       *f,
                 gconstpointer  data)
{
  gint first[2], second[2];
  GAsyncResult *slots[3] = { NULL, };
  g_autoptr(GUnixFDList) first_fds = g_unix_fd_list_new ();
  g_autoptr(GUnixFDList) second_fds = g_unix_fd_list_new ();
  g_autoptr(JsonNode) first_arguments = json_from_string ("{\"fdname\": \"tapfd0\"}", NULL);
  g_autoptr(JsonNode) second_arguments = json_from_string ("{\"fdname\": \"tapfd1\"}", NULL);
  guint getfd0, getfd1;

  g_assert_no_errno (pipe (first));
  g_assert_no_errno (pipe (second));
  g_assert_cmpint (g_unix_fd_list_append (first_fds, first[0], NULL), ==, 0);
  g_assert_cmpint (g_unix_fd_list_append (second_fds, second[0], NULL), ==, 0);

  hv_test_qmp_server_add_negotiation (f->server);
  getfd0 = hv_test_qmp_server_add_expect_fds (f->server, "getfd", "{\"fdname\": \"tapfd0\"}", 1);
  hv_test_qmp_server_add_expect (f->server, "query-status", NULL);
  getfd1 = hv_test_qmp_server_add_expect_fds (f->server, "getfd", "{\"fdname\": \"tapfd1\"}", 1);
  hv_test_qmp_server_add_reply (f->server, getfd0, "{\"return\": {}}");
  hv_test_qmp_server_add_reply (f->server, getfd0 + 1, "{\"return\": {}}");
  hv_test_qmp_server_add_reply (f->server, getfd1, "{\"return\": {}}");
  g_assert_true (connect_client (f, NULL));

  /* pipelined: each descriptor must reach the command that names it */
  hv_kvm_qmp_client_execute_async (f->client, "getfd", json_node_get_object (first_arguments),
                                   first_fds, NULL, hv_test_store_result, &slots[0]);
  start (f, "query-status", NULL, &slots[1]);
  hv_kvm_qmp_client_execute_async (f->client, "getfd", json_node_get_object (second_arguments),
                                   second_fds, NULL, hv_test_store_result, &slots[2]);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonNode) value = finish (f, &slots[i], NULL);

      g_assert_nonnull (value);
    }
  hv_test_qmp_server_assert_done (f->server);

  /* the server reads what is written into the pipes the client holds */
  assert_fd_carries (hv_test_qmp_server_steal_fd (f->server, getfd0, 0), first[1], "first");
  assert_fd_carries (hv_test_qmp_server_steal_fd (f->server, getfd1, 0), second[1], "second");
  for (guint i = 0; i < 2; i++)
    {
      close (first[i]);
      close (second[i]);
    }
}

/* ---- the fake server itself --------------------------------------------- */

static void
test_fake_server_fails_on_unexpected (Fixture       *f,
                                      gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) value = NULL;

      hv_test_qmp_server_add_negotiation (f->server);
      hv_test_qmp_server_add_command (f->server, "expected", NULL, "{\"return\": {}}");
      g_assert_true (connect_client (f, NULL));
      /* answered with an error, so the client does not hang … */
      value = execute (f, "surprise", NULL, &error);
      g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
      g_assert_cmpstr (hv_error_get_qmp_class (error), ==, "GenericError");
      /* … and the test has failed already */
      g_assert_true (g_test_failed ());
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*fake QMP server: expected ?expected?, got {\"execute\":\"surprise\"*");
}

static void
test_fake_server_fails_on_missing (Fixture       *f,
                                   gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      hv_test_qmp_server_add_negotiation (f->server);
      hv_test_qmp_server_add_expect (f->server, "never-sent", NULL);
      g_assert_true (connect_client (f, NULL));
      hv_test_qmp_server_assert_done (f->server);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*never-sent*");
}

static void
test_fd_passing_queued (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree gchar *filler = g_strnfill (4 * 1024 * 1024, 'x');
  g_autoptr(JsonObject) big = json_object_new ();
  g_autoptr(GUnixFDList) first_fds = g_unix_fd_list_new ();
  g_autoptr(GUnixFDList) second_fds = g_unix_fd_list_new ();
  g_autoptr(JsonNode) first_arguments = json_from_string ("{\"fdname\": \"a\"}", NULL);
  g_autoptr(JsonNode) second_arguments = json_from_string ("{\"fdname\": \"b\"}", NULL);
  GAsyncResult *slots[4] = { NULL, };
  gint first[2], second[2];
  guint getfd_a, getfd_b;

  g_assert_no_errno (pipe (first));
  g_assert_no_errno (pipe (second));
  g_assert_cmpint (g_unix_fd_list_append (first_fds, first[0], NULL), ==, 0);
  g_assert_cmpint (g_unix_fd_list_append (second_fds, second[0], NULL), ==, 0);
  json_object_set_string_member (big, "filler", filler);

  hv_test_qmp_server_add_negotiation (f->server);
  hv_test_qmp_server_add_command (f->server, "big", NULL, "{\"return\": {}}");
  getfd_a = hv_test_qmp_server_add_expect_fds (f->server, "getfd", "{\"fdname\": \"a\"}", 1);
  hv_test_qmp_server_add_reply (f->server, getfd_a, "{\"return\": {}}");
  hv_test_qmp_server_add_command (f->server, "query-status", NULL, "{\"return\": {}}");
  getfd_b = hv_test_qmp_server_add_expect_fds (f->server, "getfd", "{\"fdname\": \"b\"}", 1);
  hv_test_qmp_server_add_reply (f->server, getfd_b, "{\"return\": {}}");
  g_assert_true (connect_client (f, NULL));

  /* 4 MiB fill the socket: the rest waits in the client's output, and each
   * descriptor must still go with the first byte of its own command */
  hv_kvm_qmp_client_execute_async (f->client, "big", big, NULL, NULL, hv_test_store_result, &slots[0]);
  hv_kvm_qmp_client_execute_async (f->client, "getfd", json_node_get_object (first_arguments),
                                   first_fds, NULL, hv_test_store_result, &slots[1]);
  start (f, "query-status", NULL, &slots[2]);
  hv_kvm_qmp_client_execute_async (f->client, "getfd", json_node_get_object (second_arguments),
                                   second_fds, NULL, hv_test_store_result, &slots[3]);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(JsonNode) value = finish (f, &slots[i], NULL);

      g_assert_nonnull (value);
    }
  hv_test_qmp_server_assert_done (f->server);
  assert_fd_carries (hv_test_qmp_server_steal_fd (f->server, getfd_a, 0), first[1], "a");
  assert_fd_carries (hv_test_qmp_server_steal_fd (f->server, getfd_b, 0), second[1], "b");
  for (guint i = 0; i < 2; i++)
    {
      close (first[i]);
      close (second[i]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/qmp/client/" path, Fixture, NULL, setup, func, teardown)
  ADD ("connect", test_connect);
  ADD ("connect/events-before-greeting", test_connect_events_before_greeting);
  ADD ("connect/not-qmp", test_connect_not_qmp);
  ADD ("connect/hmp-banner", test_connect_hmp_banner);
  ADD ("connect/reply-before-greeting", test_connect_reply_before_greeting);
  ADD ("connect/stale-reply-before-greeting", test_connect_stale_reply_before_greeting);
  ADD ("connect/bad-greeting", test_connect_bad_greeting);
  ADD ("connect/hangup-before-greeting", test_connect_hangup_before_greeting);
  ADD ("connect/negotiation-refused", test_connect_negotiation_refused);
  ADD ("connect/timeout", test_connect_timeout);
  ADD ("connect/no-socket", test_connect_no_socket);
  ADD ("connect/cancel", test_connect_cancel);
  ADD ("connect/twice", test_connect_twice);
  ADD ("line-feed-only", test_line_feed_only);
  ADD ("execute/not-connected", test_execute_not_connected);
  ADD ("execute/arguments", test_execute_arguments);
  ADD ("execute/error-reply", test_error_reply);
  ADD ("replies-out-of-order", test_replies_out_of_order);
  ADD ("events-between-replies", test_events_between_replies);
  ADD ("event-before-reply", test_event_before_reply);
  ADD ("event-detail", test_event_detail);
  ADD ("wait-event/any", test_wait_event_any);
  ADD ("wait-event/timeout-cancel-close", test_wait_event_timeout_and_cancel);
  ADD ("byte-by-byte", test_byte_by_byte);
  ADD ("many-in-one-write", test_many_in_one_write);
  ADD ("large-message", test_large_message);
  ADD ("closed/oversized-message", test_oversized_message);
  ADD ("closed/garbage", test_garbage);
  ADD ("closed/garbage-then-more", test_garbage_then_more);
  ADD ("closed/idless-error", test_idless_error);
  ADD ("closed/hangup-with-pending", test_hangup_with_pending);
  ADD ("closed/by-owner", test_close_by_owner);
  ADD ("closed/handler-closes-midway", test_handler_closes_midway);
  ADD ("cancel/late-reply", test_cancel_then_late_reply);
  ADD ("cancel/before-send", test_cancel_before_send);
  ADD ("timeout/late-reply", test_timeout_then_late_reply);
  ADD ("timeout/in-order", test_timeouts_in_order);
  ADD ("unknown-ids-dropped", test_unknown_ids_dropped);
  ADD ("fd-passing", test_fd_passing);
  ADD ("fd-passing/queued", test_fd_passing_queued);
  g_test_add ("/qmp/fake-server/fails-on-unexpected", Fixture, NULL, setup,
              test_fake_server_fails_on_unexpected, teardown);
  g_test_add ("/qmp/fake-server/fails-on-missing", Fixture, NULL, setup,
              test_fake_server_fails_on_missing, teardown);
#undef ADD

  return g_test_run ();
}
