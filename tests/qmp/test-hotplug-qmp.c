/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The hotplug logic against the scripted QMP server: the exact commands of
 * each path and their order, the undo of exactly the steps taken, events
 * that QEMU sends before the reply that caused them, the guest's refusal,
 * the reconcile's decisions, and the rules of VerifyHotplugSupport.
 * Disks only: NICs need taps, which the integration tests have.
 */
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm-hotplug.h"
#include "hv-kvm-params.h"
#include "hv-test-async.h"
#include "hv-test-qmp-server.h"

#define DISK_UUID  "d15c0001-0000-4000-8000-000000000001"
#define DISK_ID    "disk-d15c0001-pci-3"
#define OTHER_UUID "0e4e0002-0000-4000-8000-000000000002"
#define OTHER_ID   "disk-0e4e0002-pci-5"

/* bus 0 of a machine with -nodefaults: host and ISA bridges */
#define QUERY_PCI_EMPTY \
  "{\"return\": [{\"bus\": 0, \"devices\": [" \
  "{\"bus\": 0, \"slot\": 0, \"function\": 0, \"qdev_id\": \"\"}," \
  "{\"bus\": 0, \"slot\": 1, \"function\": 0, \"qdev_id\": \"\"}]}]}"
#define QUERY_PCI_WITH(slot, id) \
  "{\"return\": [{\"bus\": 0, \"devices\": [" \
  "{\"bus\": 0, \"slot\": 0, \"function\": 0, \"qdev_id\": \"\"}," \
  "{\"bus\": 0, \"slot\": 1, \"function\": 0, \"qdev_id\": \"\"}," \
  "{\"bus\": 0, \"slot\": " #slot ", \"function\": 0, \"qdev_id\": \"" id "\"}]}]}"

/* Warnings of the hotplug code, counted rather than printed (structured
 * logging has no g_test_expect_message()). */
static guint hotplug_warnings;

static GLogWriterOutput
count_warnings (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length < 0 &&
        g_str_equal (fields[i].value, "HvKvmHotplug") && (level & G_LOG_LEVEL_WARNING))
      {
        hotplug_warnings++;
        return G_LOG_WRITER_HANDLED;
      }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

typedef struct {
  gchar *dir;
  gchar *disk_path;
  HvTestQmpServer *server;
  HvKvmQmpClient *client;
  HvRuntimeStore *store;
  HvKvmInstance *instance;
  HvInstance *owner;
} Fixture;

static HvKvmRuntime *
new_record (void)
{
  HvKvmRuntime *runtime = hv_kvm_runtime_new ("fake");

  g_variant_unref (runtime->hvparams);
  runtime->hvparams = hv_kvm_params_get_defaults ();
  return runtime;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  gint fd;

  fixture->dir = g_dir_make_tmp ("hvkit-hotplug-qmp-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->disk_path = g_build_filename (fixture->dir, "disk.img", NULL);
  fd = g_open (fixture->disk_path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  fixture->server = hv_test_qmp_server_new ();
  hv_test_qmp_server_add_negotiation (fixture->server);
  fixture->store = hv_kvm_runtime_store_new (fixture->dir);
  hv_runtime_store_set_durable (fixture->store, FALSE);
  fixture->instance = hv_kvm_instance_new ("fake", fixture->dir, fixture->store);
  hv_kvm_instance_set_runtime (fixture->instance, new_record ());
  hv_kvm_instance_set_removal_timeout (fixture->instance, 100);
  fixture->owner = hv_instance_new ("fake");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree gchar *conf = g_build_filename (fixture->dir, "conf", NULL);
  g_autofree gchar *record = g_build_filename (conf, "fake.runtime", NULL);

  /* every command of the script came, nothing more */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (!g_test_failed ())
    hv_test_qmp_server_assert_done (fixture->server);
  if (fixture->client != NULL)
    hv_kvm_qmp_client_close (fixture->client);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->instance);
  g_clear_object (&fixture->owner);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->server);
  g_unlink (record);
  g_rmdir (conf);
  g_unlink (fixture->disk_path);
  g_rmdir (fixture->dir);
  g_free (fixture->disk_path);
  g_free (fixture->dir);
}

/* Connects once the script is written: the server runs it from the
 * start. */
static void
fixture_connect (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;

  fixture->client = hv_kvm_qmp_client_new ();
  hv_kvm_qmp_client_connect_async (fixture->client,
                                   hv_test_qmp_server_get_socket_path (fixture->server), NULL,
                                   hv_test_store_result, &result);
  done = hv_test_wait_result (&result);
  hv_kvm_qmp_client_connect_finish (fixture->client, done, &error);
  g_assert_no_error (error);
  hv_kvm_instance_set_qmp (fixture->instance, fixture->client);
}

static HvKvmRuntime *
record (Fixture *fixture)
{
  return hv_kvm_instance_get_runtime (fixture->instance);
}

static HvDisk *
new_disk (Fixture     *fixture,
          const gchar *uuid)
{
  HvDisk *disk = hv_disk_new ();

  hv_device_set_uuid (HV_DEVICE (disk), uuid);
  hv_disk_set_size (disk, 16);
  hv_disk_set_mode (disk, "rw");
  hv_disk_set_link (disk, fixture->disk_path);
  return disk;
}

/* A disk hotplug added earlier: in the record with its node. */
static void
record_disk (Fixture     *fixture,
             const gchar *uuid,
             const gchar *qemu_id,
             gint         slot)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, uuid);
  HvKvmRuntimeDevice *device = hv_kvm_runtime_device_new_from_device (HV_DEVICE (disk));

  hv_kvm_runtime_device_set_pci (device, slot);
  hv_kvm_runtime_device_set_qemu_id (device, qemu_id);
  hv_kvm_runtime_device_set (device, "node_name", g_variant_new_string (qemu_id));
  g_ptr_array_add (record (fixture)->disks, device);
}

static gchar *
blockdev_add_arguments (Fixture     *fixture,
                        const gchar *node)
{
  return g_strdup_printf ("{\"driver\": \"raw\", \"node-name\": \"%s\", "
                          "\"file\": {\"driver\": \"file\", \"filename\": \"%s\"}}",
                          node, fixture->disk_path);
}

typedef enum { ADD, DEL, RECONCILE } Call;

static gboolean
run (Fixture  *fixture,
     Call      call,
     HvDevice *device,
     GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  gboolean ok = FALSE;

  if (call == ADD)
    hv_kvm_hotplug_add_async (fixture->instance, fixture->owner, device, 0, NULL,
                              hv_test_store_result, &result);
  else if (call == DEL)
    hv_kvm_hotplug_del_async (fixture->instance, fixture->owner, device, 0, NULL,
                              hv_test_store_result, &result);
  else
    hv_kvm_hotplug_reconcile_async (fixture->instance, NULL, hv_test_store_result, &result);
  done = hv_test_wait_result (&result);
  if (call == ADD)
    ok = hv_kvm_hotplug_add_finish (fixture->instance, done, error);
  else if (call == DEL)
    ok = hv_kvm_hotplug_del_finish (fixture->instance, done, error);
  else
    ok = hv_kvm_hotplug_reconcile_finish (fixture->instance, done, error);
  return ok;
}

static HvKvmRuntime *
saved (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  HvKvmRuntime *runtime = hv_kvm_runtime_load (fixture->store, "fake", &error);

  g_assert_no_error (error);
  return runtime;
}

/* -- additions -------------------------------------------------------------- */

static void
test_add_disk (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, DISK_UUID);
  g_autofree gchar *blockdev = blockdev_add_arguments (fixture, DISK_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) on_disk = NULL;
  HvKvmRuntimeDevice *device;

  guint node, device_add;

  hv_test_qmp_server_add_command (fixture->server, "query-pci", NULL, QUERY_PCI_EMPTY);
  /* one round trip: device_add goes out before blockdev-add is answered
   * (the server answers nothing until it has both); device_add's success
   * says the node is under the device and the device at its slot: no
   * query-block, no query-pci */
  node = hv_test_qmp_server_add_expect (fixture->server, "blockdev-add", blockdev);
  device_add = hv_test_qmp_server_add_expect (fixture->server, "device_add",
                                  "{\"driver\": \"virtio-blk-pci\", \"id\": \"" DISK_ID "\", "
                                  "\"drive\": \"" DISK_ID "\", \"bus\": \"pci.0\", \"addr\": \"0x3\"}");
  hv_test_qmp_server_add_reply (fixture->server, node, "{\"return\": {}}");
  hv_test_qmp_server_add_reply (fixture->server, device_add, "{\"return\": {}}");
  fixture_connect (fixture);

  g_assert_true (run (fixture, ADD, HV_DEVICE (disk), &error));
  g_assert_no_error (error);
  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (disk)), ==, 3);
  on_disk = saved (fixture);
  g_assert_cmpuint (on_disk->disks->len, ==, 1);
  g_assert_cmpuint (on_disk->pending->len, ==, 0);
  device = g_ptr_array_index (on_disk->disks, 0);
  g_assert_cmpstr (device->qemu_id, ==, DISK_ID);
  g_assert_cmpint (device->pci, ==, 3);
  g_assert_cmpstr (hv_kvm_runtime_device_get_string (device, "node_name"), ==, DISK_ID);
}

/* A slot the prediction took for free is QEMU's (a kvm_extra device):
 * the intent is made again for the next one before QEMU is touched. */
static void
test_add_slot_moved (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, DISK_UUID);
  g_autofree gchar *blockdev = blockdev_add_arguments (fixture, "disk-d15c0001-pci-4");
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) on_disk = NULL;

  hv_test_qmp_server_add_command (fixture->server, "query-pci", NULL, QUERY_PCI_WITH (3, "rng0"));
  hv_test_qmp_server_add_command (fixture->server, "blockdev-add", blockdev, "{\"return\": {}}");
  hv_test_qmp_server_add_command (fixture->server, "device_add",
                                  "{\"driver\": \"virtio-blk-pci\", \"id\": \"disk-d15c0001-pci-4\", "
                                  "\"drive\": \"disk-d15c0001-pci-4\", \"bus\": \"pci.0\", "
                                  "\"addr\": \"0x4\"}", "{\"return\": {}}");
  fixture_connect (fixture);

  g_assert_true (run (fixture, ADD, HV_DEVICE (disk), &error));
  g_assert_no_error (error);
  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (disk)), ==, 4);
  on_disk = saved (fixture);
  g_assert_cmpuint (on_disk->pending->len, ==, 0);
  g_assert_nonnull (hv_kvm_runtime_find_device (on_disk, HV_DEVICE_TYPE_DISK, DISK_UUID));
  g_assert_cmpint (hv_kvm_runtime_find_device (on_disk, HV_DEVICE_TYPE_DISK, DISK_UUID)->pci, ==, 4);
}

/* device_add refused: the node goes, nothing else was done. */
static void
test_add_undo (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, DISK_UUID);
  g_autofree gchar *blockdev = blockdev_add_arguments (fixture, DISK_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) on_disk = NULL;

  hv_test_qmp_server_add_command (fixture->server, "query-pci", NULL, QUERY_PCI_EMPTY);
  hv_test_qmp_server_add_command (fixture->server, "blockdev-add", blockdev, "{\"return\": {}}");
  hv_test_qmp_server_add_command (fixture->server, "device_add", NULL,
                                  "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                                  "\"PCI: slot 3 function 0 not available\"}}");
  hv_test_qmp_server_add_command (fixture->server, "blockdev-del",
                                  "{\"node-name\": \"" DISK_ID "\"}", "{\"return\": {}}");
  fixture_connect (fixture);

  g_assert_false (run (fixture, ADD, HV_DEVICE (disk), &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_cmpstr (hv_error_get_qmp_class (error), ==, "GenericError");
  g_assert_nonnull (strstr (error->message, "slot 3 function 0 not available"));
  g_assert_nonnull (strstr (error->message, DISK_ID));
  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (disk)), ==, -1);
  g_assert_cmpuint (record (fixture)->disks->len, ==, 0);
  g_assert_cmpuint (record (fixture)->pending->len, ==, 0);
  on_disk = saved (fixture);
  g_assert_cmpuint (on_disk->pending->len, ==, 0);
}

/* blockdev-add refused, and device_add, sent behind it, refused too
 * (no such node): blockdev-add's error, nothing to undo. */
static void
test_add_node_refused (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, DISK_UUID);
  g_autoptr(GError) error = NULL;

  hv_test_qmp_server_add_command (fixture->server, "query-pci", NULL, QUERY_PCI_EMPTY);
  hv_test_qmp_server_add_command (fixture->server, "blockdev-add", NULL,
                                  "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                                  "\"Could not open 'x': No such file or directory\"}}");
  hv_test_qmp_server_add_command (fixture->server, "device_add", NULL,
                                  "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                                  "\"Drive '" DISK_ID "' not found\"}}");
  fixture_connect (fixture);

  g_assert_false (run (fixture, ADD, HV_DEVICE (disk), &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_nonnull (strstr (error->message, "No such file or directory"));
  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (disk)), ==, -1);
  g_assert_cmpuint (record (fixture)->disks->len, ==, 0);
  g_assert_cmpuint (record (fixture)->pending->len, ==, 0);
}

/* blockdev-add refused because a node of that name was there already
 * (someone else's), and device_add, sent behind it, took that node: the
 * device is unplugged, the node left alone, blockdev-add's error
 * reported. */
static void
test_add_node_taken (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, DISK_UUID);
  g_autoptr(GError) error = NULL;
  guint del;

  hv_test_qmp_server_add_command (fixture->server, "query-pci", NULL, QUERY_PCI_EMPTY);
  hv_test_qmp_server_add_command (fixture->server, "blockdev-add", NULL,
                                  "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                                  "\"Duplicate nodes with node-name='" DISK_ID "'\"}}");
  hv_test_qmp_server_add_command (fixture->server, "device_add", NULL, "{\"return\": {}}");
  del = hv_test_qmp_server_add_expect (fixture->server, "device_del", "{\"id\": \"" DISK_ID "\"}");
  hv_test_qmp_server_add_reply (fixture->server, del, "{\"return\": {}}");
  hv_test_qmp_server_add_event (fixture->server, "DEVICE_DELETED",
                                "{\"device\": \"" DISK_ID "\", \"path\": \"/machine/peripheral/"
                                DISK_ID "\"}");
  fixture_connect (fixture);

  g_assert_false (run (fixture, ADD, HV_DEVICE (disk), &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_nonnull (strstr (error->message, "Duplicate nodes"));
  g_assert_cmpuint (record (fixture)->disks->len, ==, 0);
  g_assert_cmpuint (record (fixture)->pending->len, ==, 0);
}

/* An undo that fails too: the first error is the one reported. */
static void
test_add_first_error (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, DISK_UUID);
  g_autoptr(GError) error = NULL;

  hv_test_qmp_server_add_command (fixture->server, "query-pci", NULL, QUERY_PCI_EMPTY);
  hv_test_qmp_server_add_command (fixture->server, "blockdev-add", NULL, "{\"return\": {}}");
  hv_test_qmp_server_add_command (fixture->server, "device_add", NULL,
                                  "{\"error\": {\"class\": \"GenericError\", \"desc\": \"first\"}}");
  hv_test_qmp_server_add_command (fixture->server, "blockdev-del", NULL,
                                  "{\"error\": {\"class\": \"GenericError\", \"desc\": \"second\"}}");
  /* is the node still there? it is: the undo failed */
  hv_test_qmp_server_add_command (fixture->server, "query-named-block-nodes", NULL,
                                  "{\"return\": [{\"node-name\": \"" DISK_ID "\"}]}");
  fixture_connect (fixture);

  hotplug_warnings = 0;
  g_assert_false (run (fixture, ADD, HV_DEVICE (disk), &error));
  /* the second is logged */
  g_assert_cmpuint (hotplug_warnings, ==, 1);
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_nonnull (strstr (error->message, "first"));
  /* the node is left: the journal keeps the entry for the reconcile */
  g_assert_cmpuint (record (fixture)->pending->len, ==, 1);
}

/* -- removals --------------------------------------------------------------- */

static void
test_del_event_first (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, OTHER_UUID);
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) on_disk = NULL;
  guint del;

  record_disk (fixture, OTHER_UUID, OTHER_ID, 5);
  /* both DEVICE_DELETED before the reply, the backend's first */
  del = hv_test_qmp_server_add_expect (fixture->server, "device_del", "{\"id\": \"" OTHER_ID "\"}");
  hv_test_qmp_server_add_event (fixture->server, "DEVICE_DELETED",
                                "{\"path\": \"/machine/peripheral/" OTHER_ID "/virtio-backend\"}");
  hv_test_qmp_server_add_event (fixture->server, "DEVICE_DELETED",
                                "{\"device\": \"" OTHER_ID "\", \"path\": \"/machine/peripheral/"
                                OTHER_ID "\"}");
  hv_test_qmp_server_add_reply (fixture->server, del, "{\"return\": {}}");
  hv_test_qmp_server_add_command (fixture->server, "blockdev-del",
                                  "{\"node-name\": \"" OTHER_ID "\"}", "{\"return\": {}}");
  fixture_connect (fixture);

  g_assert_true (run (fixture, DEL, HV_DEVICE (disk), &error));
  g_assert_no_error (error);
  on_disk = saved (fixture);
  g_assert_cmpuint (on_disk->disks->len, ==, 0);
  g_assert_cmpuint (on_disk->pending->len, ==, 0);
}

static void
test_del_rejected (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, OTHER_UUID);
  g_autoptr(GError) error = NULL;

  record_disk (fixture, OTHER_UUID, OTHER_ID, 5);
  hv_test_qmp_server_add_command (fixture->server, "device_del", NULL, "{\"return\": {}}");
  hv_test_qmp_server_add_event (fixture->server, "DEVICE_UNPLUG_GUEST_ERROR",
                                "{\"device\": \"" OTHER_ID "\", \"path\": \"/machine/peripheral/"
                                OTHER_ID "\"}");
  fixture_connect (fixture);

  g_assert_false (run (fixture, DEL, HV_DEVICE (disk), &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_HOTPLUG);
  g_assert_nonnull (strstr (error->message, "rejected by the guest"));
  g_assert_cmpuint (record (fixture)->disks->len, ==, 1);
  g_assert_cmpuint (record (fixture)->pending->len, ==, 0);
}

/* QEMU does not have it: it is gone, and the removal goes on. */
static void
test_del_not_found (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, OTHER_UUID);
  g_autoptr(GError) error = NULL;

  record_disk (fixture, OTHER_UUID, OTHER_ID, 5);
  hv_test_qmp_server_add_command (fixture->server, "device_del", NULL,
                                  "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": "
                                  "\"Device '" OTHER_ID "' not found\"}}");
  /* a -drive backend QEMU deleted with its device: blockdev-del finds no
   * node, and neither does the check */
  hv_test_qmp_server_add_command (fixture->server, "blockdev-del", NULL,
                                  "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                                  "\"Failed to find node with node-name='" OTHER_ID "'\"}}");
  hv_test_qmp_server_add_command (fixture->server, "query-named-block-nodes", NULL,
                                  "{\"return\": []}");
  fixture_connect (fixture);

  g_assert_true (run (fixture, DEL, HV_DEVICE (disk), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (record (fixture)->disks->len, ==, 0);
}

static void
test_del_timeout (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, OTHER_UUID);
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) on_disk = NULL;
  HvKvmPendingOp *pending;

  record_disk (fixture, OTHER_UUID, OTHER_ID, 5);
  hv_test_qmp_server_add_command (fixture->server, "device_del", NULL, "{\"return\": {}}");
  /* the same again: a second removal takes the pending one over */
  hv_test_qmp_server_add_command (fixture->server, "device_del", NULL, "{\"return\": {}}");
  fixture_connect (fixture);

  for (guint i = 0; i < 2; i++)
    {
      g_assert_false (run (fixture, DEL, HV_DEVICE (disk), &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_TIMEOUT);
      g_assert_nonnull (strstr (error->message, OTHER_ID));
      g_clear_error (&error);
      on_disk = saved (fixture);
      g_assert_cmpuint (on_disk->disks->len, ==, 1);
      g_assert_cmpuint (on_disk->pending->len, ==, 1);
      pending = g_ptr_array_index (on_disk->pending, 0);
      g_assert_cmpint (pending->action, ==, HV_HOTPLUG_ACTION_DEL);
      g_assert_cmpstr (pending->step, ==, "unplug-pending");
      g_assert_cmpstr (pending->qemu_id, ==, OTHER_ID);
      g_clear_pointer (&on_disk, hv_kvm_runtime_free);
    }
}

/* -- reconcile -------------------------------------------------------------- */

static void
add_pending (Fixture         *fixture,
             HvHotplugAction  action,
             const gchar     *uuid,
             const gchar     *qemu_id,
             gint             slot)
{
  g_autoptr(HvDisk) disk = new_disk (fixture, uuid);
  g_autoptr(HvKvmRuntimeDevice) device = hv_kvm_runtime_device_new_from_device (HV_DEVICE (disk));
  HvKvmPendingOp *pending = hv_kvm_pending_op_new (HV_DEVICE_TYPE_DISK, action, "intent", uuid,
                                                   qemu_id, slot);
  GVariantDict extra;

  hv_kvm_runtime_device_set_pci (device, slot);
  hv_kvm_runtime_device_set_qemu_id (device, qemu_id);
  hv_kvm_runtime_device_set (device, "node_name", g_variant_new_string (qemu_id));
  g_variant_dict_init (&extra, NULL);
  g_variant_dict_insert_value (&extra, "device", device->dict);
  g_variant_unref (pending->extra);
  pending->extra = g_variant_ref_sink (g_variant_dict_end (&extra));
  g_ptr_array_add (record (fixture)->pending, pending);
}

static void
test_reconcile (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) on_disk = NULL;

  /* an addition QEMU completed; one it did not (its node is left); a
   * removal QEMU completed; one it did not; and a node of hvkit's naming
   * that nothing holds (a crash between blockdev-add and the intent's
   * save), next to one of someone else's */
  add_pending (fixture, HV_HOTPLUG_ACTION_ADD, DISK_UUID, DISK_ID, 3);
  add_pending (fixture, HV_HOTPLUG_ACTION_ADD, "a0000004-0000-4000-8000-000000000004",
               "disk-a0000004-pci-4", 4);
  record_disk (fixture, OTHER_UUID, OTHER_ID, 5);
  add_pending (fixture, HV_HOTPLUG_ACTION_DEL, OTHER_UUID, OTHER_ID, 5);
  record_disk (fixture, "b0000006-0000-4000-8000-000000000006", "disk-b0000006-pci-6", 6);
  add_pending (fixture, HV_HOTPLUG_ACTION_DEL, "b0000006-0000-4000-8000-000000000006",
               "disk-b0000006-pci-6", 6);

  hv_test_qmp_server_add_command (fixture->server, "query-pci", NULL,
                                  "{\"return\": [{\"bus\": 0, \"devices\": ["
                                  "{\"bus\": 0, \"slot\": 3, \"function\": 0, \"qdev_id\": \"" DISK_ID "\"},"
                                  "{\"bus\": 0, \"slot\": 6, \"function\": 0, \"qdev_id\": \"disk-b0000006-pci-6\"}]}]}");
  hv_test_qmp_server_add_command (fixture->server, "query-named-block-nodes", NULL,
                                  "{\"return\": [{\"node-name\": \"" DISK_ID "\"},"
                                  "{\"node-name\": \"disk-a0000004-pci-4\"},"
                                  "{\"node-name\": \"" OTHER_ID "\"},"
                                  "{\"node-name\": \"disk-b0000006-pci-6\"},"
                                  "{\"node-name\": \"disk-c0000007-pci-7\"},"
                                  "{\"node-name\": \"user-disk\"},"
                                  "{\"node-name\": \"#block512\"}]}");
  hv_test_qmp_server_add_command (fixture->server, "query-fdsets", NULL, "{\"return\": []}");
  hv_test_qmp_server_add_command (fixture->server, "blockdev-del",
                                  "{\"node-name\": \"disk-c0000007-pci-7\"}", "{\"return\": {}}");
  hv_test_qmp_server_add_command (fixture->server, "blockdev-del",
                                  "{\"node-name\": \"disk-a0000004-pci-4\"}", "{\"return\": {}}");
  hv_test_qmp_server_add_command (fixture->server, "blockdev-del",
                                  "{\"node-name\": \"" OTHER_ID "\"}", "{\"return\": {}}");
  hv_test_qmp_server_add_command (fixture->server, "device_del",
                                  "{\"id\": \"disk-b0000006-pci-6\"}", "{\"return\": {}}");
  fixture_connect (fixture);

  g_assert_true (run (fixture, RECONCILE, NULL, &error));
  g_assert_no_error (error);
  on_disk = saved (fixture);
  /* the completed addition is in, the completed removal out, the other
   * removal still pending */
  g_assert_cmpuint (on_disk->disks->len, ==, 2);
  g_assert_nonnull (hv_kvm_runtime_find_device (on_disk, HV_DEVICE_TYPE_DISK, DISK_UUID));
  g_assert_nonnull (hv_kvm_runtime_find_device (on_disk, HV_DEVICE_TYPE_DISK,
                                                "b0000006-0000-4000-8000-000000000006"));
  g_assert_cmpuint (on_disk->pending->len, ==, 1);
  g_assert_cmpstr (((HvKvmPendingOp *) g_ptr_array_index (on_disk->pending, 0))->step, ==,
                   "unplug-pending");
}

/* -- support ---------------------------------------------------------------- */

static void
test_supported (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;

  hv_test_qmp_server_add_command (fixture->server, "query-commands", NULL,
                                  "{\"return\": [{\"name\": \"query-pci\"}, {\"name\": \"device_add\"}]}");
  fixture_connect (fixture);
  hv_kvm_hotplug_supported_async (fixture->instance, NULL, hv_test_store_result, &result);
  done = hv_test_wait_result (&result);
  g_assert_false (hv_kvm_hotplug_supported_finish (fixture->instance, done, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_HOTPLUG);
  g_assert_nonnull (strstr (error->message, "device_del"));
}

static GVariant *
hvparams_with (const gchar *key,
               GVariant    *value)
{
  g_autoptr(GVariant) defaults = hv_kvm_params_get_defaults ();
  GVariantDict dict;

  g_variant_dict_init (&dict, defaults);
  if (key != NULL)
    g_variant_dict_insert_value (&dict, key, value);
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static void
test_verify_support (void)
{
  static const struct {
    const gchar *key;
    const gchar *value;      /* GVariant text */
    HvHotplugAction action;
    HvDeviceType type;
    gboolean ok;
  } cases[] = {
    { NULL, NULL, HV_HOTPLUG_ACTION_ADD, HV_DEVICE_TYPE_DISK, TRUE },
    { NULL, NULL, HV_HOTPLUG_ACTION_DEL, HV_DEVICE_TYPE_DISK, TRUE },
    { NULL, NULL, HV_HOTPLUG_ACTION_MOD, HV_DEVICE_TYPE_DISK, FALSE },
    { NULL, NULL, HV_HOTPLUG_ACTION_ADD, HV_DEVICE_TYPE_NIC, TRUE },
    { NULL, NULL, HV_HOTPLUG_ACTION_MOD, HV_DEVICE_TYPE_NIC, TRUE },
    /* Ganeti refuses these for disks; hvkit passes the disk as an fd */
    { "security_model", "'user'", HV_HOTPLUG_ACTION_ADD, HV_DEVICE_TYPE_DISK, TRUE },
    { "security_model", "'pool'", HV_HOTPLUG_ACTION_ADD, HV_DEVICE_TYPE_DISK, TRUE },
    { "use_chroot", "true", HV_HOTPLUG_ACTION_ADD, HV_DEVICE_TYPE_DISK, TRUE },
    { "disk_type", "'ide'", HV_HOTPLUG_ACTION_ADD, HV_DEVICE_TYPE_DISK, FALSE },
    { "disk_type", "'scsi'", HV_HOTPLUG_ACTION_DEL, HV_DEVICE_TYPE_DISK, FALSE },
    { "disk_type", "'ide'", HV_HOTPLUG_ACTION_ADD, HV_DEVICE_TYPE_NIC, TRUE },
    { "nic_type", "'e1000'", HV_HOTPLUG_ACTION_ADD, HV_DEVICE_TYPE_NIC, FALSE },
    { "nic_type", "'rtl8139'", HV_HOTPLUG_ACTION_MOD, HV_DEVICE_TYPE_NIC, FALSE },
    { "acpi", "false", HV_HOTPLUG_ACTION_ADD, HV_DEVICE_TYPE_NIC, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GVariant) value = cases[i].value != NULL
                                  ? g_variant_parse (NULL, cases[i].value, NULL, NULL, NULL) : NULL;
      g_autoptr(GVariant) hvparams = hvparams_with (cases[i].key, value);
      g_autoptr(GVariantDict) table = g_variant_dict_new (hvparams);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) table_error = NULL;
      gboolean ok = hv_kvm_hotplug_verify_support (hvparams, cases[i].action, cases[i].type,
                                                   &error);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, error != NULL ? error->message : "ok");
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        g_assert_error (error, HV_ERROR, HV_ERROR_HOTPLUG);
      else
        g_assert_no_error (error);
      /* the table's form, hotplug's own, says the same in the same words */
      g_assert_cmpint (hv_kvm_hotplug_verify_support_table (table, cases[i].action, cases[i].type,
                                                            &table_error), ==, ok);
      g_assert_cmpstr (table_error != NULL ? table_error->message : NULL, ==,
                       error != NULL ? error->message : NULL);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (count_warnings, NULL, NULL);

#define ADD_TEST(path, func) \
  g_test_add ("/hotplug/qmp/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD_TEST ("add-disk", test_add_disk);
  ADD_TEST ("add-slot-moved", test_add_slot_moved);
  ADD_TEST ("add-undo", test_add_undo);
  ADD_TEST ("add-node-refused", test_add_node_refused);
  ADD_TEST ("add-node-taken", test_add_node_taken);
  ADD_TEST ("add-first-error", test_add_first_error);
  ADD_TEST ("del-event-first", test_del_event_first);
  ADD_TEST ("del-rejected", test_del_rejected);
  ADD_TEST ("del-not-found", test_del_not_found);
  ADD_TEST ("del-timeout", test_del_timeout);
  ADD_TEST ("reconcile", test_reconcile);
  ADD_TEST ("supported", test_supported);
  g_test_add_func ("/hotplug/verify-support", test_verify_support);
#undef ADD_TEST

  return g_test_run ();
}
