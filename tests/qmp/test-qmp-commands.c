/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One test per typed command (libvirt's qemumonitorjsontest): the exact
 * command and arguments it sends, the typed result it makes of QEMU's
 * answer, and the error it makes of an answer of the wrong shape.
 */
#include <string.h>
#include <unistd.h>

#include "hvkit.h"
#include "hv-kvm-qmp-commands.h"
#include "hv-test-async.h"
#include "hv-test-qmp-server.h"

typedef void     (*StartFunc) (HvKvmQmpClient *client, GAsyncReadyCallback callback, gpointer user_data);
typedef gboolean (*CheckFunc) (HvKvmQmpClient *client, GAsyncResult *result, GError **error);

typedef struct {
  const gchar *name;
  const gchar *command;
  const gchar *arguments;  /* exactly what must be sent */
  guint        n_fds;
  const gchar *reply;      /* a good answer, checked by check() */
  const gchar *bad_reply;  /* an answer of the wrong shape */
  StartFunc    start;
  CheckFunc    check;
} CommandCase;

static gint test_fd = -1;

static JsonObject *
object_from (const gchar *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  return json_node_dup_object (node);
}

#define EMPTY_CHECK(name)                                                    \
  static gboolean                                                            \
  check_##name (HvKvmQmpClient *client, GAsyncResult *result, GError **error) \
  {                                                                          \
    return hv_kvm_qmp_##name##_finish (client, result, error);               \
  }

#define NO_ARGUMENT_START(name)                                              \
  static void                                                                \
  start_##name (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud) \
  {                                                                          \
    hv_kvm_qmp_##name##_async (client, NULL, cb, ud);                        \
  }

/* ---- queries ------------------------------------------------------------ */

NO_ARGUMENT_START (query_version)

static gboolean
check_query_version (HvKvmQmpClient *client, GAsyncResult *result, GError **error)
{
  guint major, minor, micro;
  g_autofree gchar *package = NULL;

  if (!hv_kvm_qmp_query_version_finish (client, result, &major, &minor, &micro, &package, error))
    return FALSE;
  g_assert_cmpuint (major, ==, 7);
  g_assert_cmpuint (minor, ==, 2);
  g_assert_cmpuint (micro, ==, 22);
  g_assert_cmpstr (package, ==, "Debian 1:7.2+dfsg-7+deb12u18+b3");
  return TRUE;
}

NO_ARGUMENT_START (query_status)

static gboolean
check_query_status (HvKvmQmpClient *client, GAsyncResult *result, GError **error)
{
  gboolean running = TRUE;
  g_autofree gchar *status = hv_kvm_qmp_query_status_finish (client, result, &running, error);

  if (status == NULL)
    return FALSE;
  g_assert_cmpstr (status, ==, "paused");
  g_assert_false (running);
  return TRUE;
}

NO_ARGUMENT_START (query_commands)

static gboolean
check_query_commands (HvKvmQmpClient *client, GAsyncResult *result, GError **error)
{
  g_auto(GStrv) names = hv_kvm_qmp_query_commands_finish (client, result, error);
  const gchar *expected[] = { "device_del", "query-status", NULL };

  if (names == NULL)
    return FALSE;
  g_assert_cmpstrv (names, expected);
  return TRUE;
}

#define ARRAY_CHECK(name, expected_length)                                   \
  NO_ARGUMENT_START (name)                                                   \
  static gboolean                                                            \
  check_##name (HvKvmQmpClient *client, GAsyncResult *result, GError **error) \
  {                                                                          \
    g_autoptr(JsonArray) array = hv_kvm_qmp_##name##_finish (client, result, error); \
                                                                             \
    if (array == NULL)                                                       \
      return FALSE;                                                          \
    g_assert_cmpuint (json_array_get_length (array), ==, expected_length);   \
    return TRUE;                                                             \
  }

ARRAY_CHECK (query_pci, 1)
ARRAY_CHECK (query_block, 2)
ARRAY_CHECK (query_named_block_nodes, 1)
ARRAY_CHECK (query_cpus_fast, 2)

NO_ARGUMENT_START (query_balloon)

static gboolean
check_query_balloon (HvKvmQmpClient *client, GAsyncResult *result, GError **error)
{
  guint64 actual = 0;

  if (!hv_kvm_qmp_query_balloon_finish (client, result, &actual, error))
    return FALSE;
  g_assert_cmpuint (actual, ==, G_GUINT64_CONSTANT (536870912));
  return TRUE;
}

/* ---- block devices, devices, back-ends ----------------------------------- */

static void
start_blockdev_add (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  g_autoptr(JsonObject) options =
    object_from ("{\"driver\": \"raw\", \"node-name\": \"d0\", "
                 "\"file\": {\"driver\": \"file\", \"filename\": \"/dev/fdset/7\"}}");

  hv_kvm_qmp_blockdev_add_async (client, options, NULL, cb, ud);
}
EMPTY_CHECK (blockdev_add)

static void
start_blockdev_del (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  hv_kvm_qmp_blockdev_del_async (client, "d0", NULL, cb, ud);
}
EMPTY_CHECK (blockdev_del)

static void
start_device_add (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  g_autoptr(JsonObject) properties = object_from ("{\"drive\": \"d0\", \"bus\": \"pci.0\", \"addr\": \"0x5\"}");

  hv_kvm_qmp_device_add_async (client, "virtio-blk-pci", "disk0", properties, NULL, cb, ud);
}
EMPTY_CHECK (device_add)

static void
start_device_del (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  hv_kvm_qmp_device_del_async (client, "disk0", NULL, cb, ud);
}
EMPTY_CHECK (device_del)

static void
start_netdev_add (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  g_autoptr(JsonObject) properties = object_from ("{\"fd\": \"tapfd0\", \"vhost\": false}");

  hv_kvm_qmp_netdev_add_async (client, "tap", "net0", properties, NULL, cb, ud);
}
EMPTY_CHECK (netdev_add)

static void
start_netdev_del (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  hv_kvm_qmp_netdev_del_async (client, "net0", NULL, cb, ud);
}
EMPTY_CHECK (netdev_del)

/* ---- file descriptors ----------------------------------------------------- */

static void
start_getfd (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  hv_kvm_qmp_getfd_async (client, "tapfd0", test_fd, NULL, cb, ud);
}
EMPTY_CHECK (getfd)

static void
start_closefd (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  hv_kvm_qmp_closefd_async (client, "tapfd0", NULL, cb, ud);
}
EMPTY_CHECK (closefd)

static void
start_add_fd (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  hv_kvm_qmp_add_fd_async (client, test_fd, 7, "disk0-rw", NULL, cb, ud);
}

static gboolean
check_add_fd (HvKvmQmpClient *client, GAsyncResult *result, GError **error)
{
  gint64 fdset_id = -1, fd = -1;

  if (!hv_kvm_qmp_add_fd_finish (client, result, &fdset_id, &fd, error))
    return FALSE;
  g_assert_cmpint (fdset_id, ==, 7);
  g_assert_cmpint (fd, ==, 13);
  return TRUE;
}

static void
start_remove_fd (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  hv_kvm_qmp_remove_fd_async (client, 7, -1, NULL, cb, ud);
}
EMPTY_CHECK (remove_fd)

/* ---- the machine ---------------------------------------------------------- */

static void
start_human_monitor_command (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  hv_kvm_qmp_human_monitor_command_async (client, "drive_add dummy file=/x,if=none,id=hd1", NULL, cb, ud);
}

static gboolean
check_human_monitor_command (HvKvmQmpClient *client, GAsyncResult *result, GError **error)
{
  g_autofree gchar *text = hv_kvm_qmp_human_monitor_command_finish (client, result, error);

  if (text == NULL)
    return FALSE;
  g_assert_cmpstr (text, ==, "OK\r\n");
  return TRUE;
}

NO_ARGUMENT_START (system_powerdown)
EMPTY_CHECK (system_powerdown)
NO_ARGUMENT_START (system_reset)
EMPTY_CHECK (system_reset)
NO_ARGUMENT_START (quit)
EMPTY_CHECK (quit)
NO_ARGUMENT_START (stop)
EMPTY_CHECK (stop)
NO_ARGUMENT_START (cont)
EMPTY_CHECK (cont)

static void
start_balloon (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  hv_kvm_qmp_balloon_async (client, G_GUINT64_CONSTANT (268435456), NULL, cb, ud);
}
EMPTY_CHECK (balloon)

/* ---- migration ------------------------------------------------------------ */

static void
start_migrate (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  hv_kvm_qmp_migrate_async (client, "tcp:127.0.0.1:47311", NULL, cb, ud);
}
EMPTY_CHECK (migrate)

static void
start_migrate_incoming (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  hv_kvm_qmp_migrate_incoming_async (client, "tcp:127.0.0.1:47311", NULL, cb, ud);
}
EMPTY_CHECK (migrate_incoming)

static void
start_migrate_set_parameters (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  g_autoptr(JsonObject) parameters = object_from ("{\"max-bandwidth\": 10737418240, \"downtime-limit\": 300}");

  hv_kvm_qmp_migrate_set_parameters_async (client, parameters, NULL, cb, ud);
}
EMPTY_CHECK (migrate_set_parameters)

static void
start_migrate_set_capabilities (HvKvmQmpClient *client, GAsyncReadyCallback cb, gpointer ud)
{
  const gchar *capabilities[] = { "events", "postcopy-ram", NULL };

  hv_kvm_qmp_migrate_set_capabilities_async (client, capabilities, TRUE, NULL, cb, ud);
}
EMPTY_CHECK (migrate_set_capabilities)

NO_ARGUMENT_START (query_migrate)

static gboolean
check_query_migrate (HvKvmQmpClient *client, GAsyncResult *result, GError **error)
{
  g_autoptr(JsonObject) info = hv_kvm_qmp_query_migrate_finish (client, result, error);

  if (info == NULL)
    return FALSE;
  g_assert_cmpstr (json_object_get_string_member (info, "status"), ==, "completed");
  return TRUE;
}

NO_ARGUMENT_START (migrate_cancel)
EMPTY_CHECK (migrate_cancel)

NO_ARGUMENT_START (migrate_start_postcopy)
EMPTY_CHECK (migrate_start_postcopy)

NO_ARGUMENT_START (query_migrate_parameters)

static gboolean
check_query_migrate_parameters (HvKvmQmpClient *client, GAsyncResult *result, GError **error)
{
  g_autoptr(JsonObject) parameters = hv_kvm_qmp_query_migrate_parameters_finish (client, result,
                                                                                  error);

  if (parameters == NULL)
    return FALSE;
  g_assert_cmpint (json_object_get_int_member (parameters, "downtime-limit"), ==, 123);
  return TRUE;
}

#define CASE(name, command, arguments, n_fds, reply, bad_reply) \
  { #name, command, arguments, n_fds, reply, bad_reply, start_##name, check_##name }

#define EMPTY_REPLY "{\"return\": {}}"
#define STRING_REPLY "{\"return\": \"surprise\"}"

static const CommandCase cases[] = {
  CASE (query_version, "query-version", "{}", 0,
        "{\"return\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
        "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}}",
        "{\"return\": {\"qemu\": {\"major\": \"7\"}}}"),
  CASE (query_status, "query-status", "{}", 0,
        "{\"return\": {\"status\": \"paused\", \"singlestep\": false, \"running\": false}}",
        "{\"return\": {\"status\": 1, \"running\": false}}"),
  CASE (query_commands, "query-commands", "{}", 0,
        "{\"return\": [{\"name\": \"device_del\"}, {\"name\": \"query-status\"}]}",
        "{\"return\": [{\"name\": \"device_del\"}, {\"nom\": \"x\"}]}"),
  CASE (query_pci, "query-pci", "{}", 0,
        "{\"return\": [{\"bus\": 0, \"devices\": [{\"slot\": 5, \"qdev_id\": \"disk0\"}]}]}",
        "{\"return\": [{\"bus\": 0}]}"),
  CASE (query_block, "query-block", "{}", 0,
        "{\"return\": [{\"device\": \"hd1\", \"locked\": false}, {\"device\": \"\", \"qdev\": \"disk0\"}]}",
        "{\"return\": [7]}"),
  CASE (query_named_block_nodes, "query-named-block-nodes", "{}", 0,
        "{\"return\": [{\"node-name\": \"d0\", \"drv\": \"raw\"}]}",
        "{\"return\": {\"node-name\": \"d0\"}}"),
  CASE (query_cpus_fast, "query-cpus-fast", "{}", 0,
        "{\"return\": [{\"cpu-index\": 0, \"thread-id\": 4242}, {\"cpu-index\": 1, \"thread-id\": 4243}]}",
        "{\"return\": [{\"cpu-index\": 0}]}"),
  CASE (query_balloon, "query-balloon", "{}", 0,
        "{\"return\": {\"actual\": 536870912}}",
        "{\"return\": {\"actual\": -1}}"),
  CASE (blockdev_add, "blockdev-add",
        "{\"driver\": \"raw\", \"node-name\": \"d0\", \"file\": {\"driver\": \"file\", \"filename\": \"/dev/fdset/7\"}}",
        0, EMPTY_REPLY, STRING_REPLY),
  CASE (blockdev_del, "blockdev-del", "{\"node-name\": \"d0\"}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (device_add, "device_add",
        "{\"driver\": \"virtio-blk-pci\", \"id\": \"disk0\", \"drive\": \"d0\", \"bus\": \"pci.0\", \"addr\": \"0x5\"}",
        0, EMPTY_REPLY, STRING_REPLY),
  CASE (device_del, "device_del", "{\"id\": \"disk0\"}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (netdev_add, "netdev_add",
        "{\"type\": \"tap\", \"id\": \"net0\", \"fd\": \"tapfd0\", \"vhost\": false}",
        0, EMPTY_REPLY, STRING_REPLY),
  CASE (netdev_del, "netdev_del", "{\"id\": \"net0\"}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (getfd, "getfd", "{\"fdname\": \"tapfd0\"}", 1, EMPTY_REPLY, STRING_REPLY),
  CASE (closefd, "closefd", "{\"fdname\": \"tapfd0\"}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (add_fd, "add-fd", "{\"fdset-id\": 7, \"opaque\": \"disk0-rw\"}", 1,
        "{\"return\": {\"fd\": 13, \"fdset-id\": 7}}", "{\"return\": {\"fd\": 13}}"),
  CASE (remove_fd, "remove-fd", "{\"fdset-id\": 7}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (human_monitor_command, "human-monitor-command",
        "{\"command-line\": \"drive_add dummy file=/x,if=none,id=hd1\"}", 0,
        "{\"return\": \"OK\\r\\n\"}", EMPTY_REPLY),
  CASE (system_powerdown, "system_powerdown", "{}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (system_reset, "system_reset", "{}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (quit, "quit", "{}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (stop, "stop", "{}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (cont, "cont", "{}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (balloon, "balloon", "{\"value\": 268435456}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (migrate, "migrate", "{\"uri\": \"tcp:127.0.0.1:47311\"}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (migrate_incoming, "migrate-incoming", "{\"uri\": \"tcp:127.0.0.1:47311\"}", 0,
        EMPTY_REPLY, STRING_REPLY),
  CASE (migrate_set_parameters, "migrate-set-parameters",
        "{\"max-bandwidth\": 10737418240, \"downtime-limit\": 300}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (migrate_set_capabilities, "migrate-set-capabilities",
        "{\"capabilities\": [{\"capability\": \"events\", \"state\": true}, "
        "{\"capability\": \"postcopy-ram\", \"state\": true}]}",
        0, EMPTY_REPLY, STRING_REPLY),
  CASE (query_migrate, "query-migrate", "{}", 0,
        "{\"return\": {\"status\": \"completed\", \"total-time\": 633}}",
        "{\"return\": {\"status\": [\"completed\"]}}"),
  CASE (migrate_cancel, "migrate_cancel", "{}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (migrate_start_postcopy, "migrate-start-postcopy", "{}", 0, EMPTY_REPLY, STRING_REPLY),
  CASE (query_migrate_parameters, "query-migrate-parameters", "{}", 0,
        "{\"return\": {\"downtime-limit\": 123, \"max-bandwidth\": 1048576}}",
        STRING_REPLY),
};

static void
test_command (gconstpointer data)
{
  const CommandCase *test = data;
  g_autoptr(HvTestQmpServer) server = hv_test_qmp_server_new ();
  g_autoptr(HvKvmQmpClient) client = hv_kvm_qmp_client_new ();
  g_autoptr(GAsyncResult) connected = NULL;
  g_autoptr(GAsyncResult) good = NULL;
  g_autoptr(GAsyncResult) bad = NULL;
  g_autoptr(GAsyncResult) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) bad_error = NULL;
  g_autoptr(GError) refused_error = NULL;
  GAsyncResult *slot = NULL;
  guint expect;

  hv_test_qmp_server_add_negotiation (server);
  expect = hv_test_qmp_server_add_expect_fds (server, test->command, test->arguments, test->n_fds);
  hv_test_qmp_server_add_reply (server, expect, test->reply);
  expect = hv_test_qmp_server_add_expect_fds (server, test->command, test->arguments, test->n_fds);
  hv_test_qmp_server_add_reply (server, expect, test->bad_reply);
  expect = hv_test_qmp_server_add_expect_fds (server, test->command, NULL, test->n_fds);
  hv_test_qmp_server_add_reply (server, expect, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}");

  hv_kvm_qmp_client_connect_async (client, hv_test_qmp_server_get_socket_path (server), NULL,
                                   hv_test_store_result, &slot);
  connected = hv_test_wait_result (&slot);
  g_assert_true (hv_kvm_qmp_client_connect_finish (client, connected, NULL));

  /* the right command with the right arguments, and its typed result */
  test->start (client, hv_test_store_result, &slot);
  good = hv_test_wait_result (&slot);
  g_assert_true (test->check (client, good, &error));
  g_assert_no_error (error);

  /* an answer of the wrong shape is an error naming the command */
  test->start (client, hv_test_store_result, &slot);
  bad = hv_test_wait_result (&slot);
  g_assert_false (test->check (client, bad, &bad_error));
  g_assert_error (bad_error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_nonnull (strstr (bad_error->message, test->command));

  /* and QEMU's error keeps its class */
  test->start (client, hv_test_store_result, &slot);
  refused = hv_test_wait_result (&slot);
  g_assert_false (test->check (client, refused, &refused_error));
  g_assert_error (refused_error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_cmpstr (hv_error_get_qmp_class (refused_error), ==, "GenericError");

  hv_test_qmp_server_assert_done (server);
}

int
main (int argc, char **argv)
{
  gint pipe_fds[2];
  gint status;

  g_test_init (&argc, &argv, NULL);

  /* getfd and add-fd send a descriptor; any will do for the wire */
  g_assert_no_errno (pipe (pipe_fds));
  test_fd = pipe_fds[0];

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/qmp/commands/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_command);
    }

  status = g_test_run ();
  close (pipe_fds[0]);
  close (pipe_fds[1]);
  return status;
}
