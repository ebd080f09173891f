/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hv-kvm-runtime.h"
#include "hv-test-async.h"
#include "hv-test-hotplug.h"

HvDisk *
hv_test_hotplug_new_disk (const gchar *dir,
                          const gchar *uuid,
                          gboolean     create_file)
{
  g_autofree gchar *name = g_strdup_printf ("disk-%.8s.img", uuid);
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  HvDisk *disk = hv_disk_new ();

  if (create_file)
    {
      gint fd = g_open (path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (ftruncate (fd, 16 * 1024 * 1024), ==, 0);
      close (fd);
    }
  hv_device_set_uuid (HV_DEVICE (disk), uuid);
  hv_disk_set_size (disk, 16);
  hv_disk_set_mode (disk, "rw");
  hv_disk_set_link (disk, path);
  return disk;
}

HvNic *
hv_test_hotplug_new_nic (const gchar *uuid,
                         const gchar *mac)
{
  HvNic *nic = hv_nic_new ();

  hv_device_set_uuid (HV_DEVICE (nic), uuid);
  hv_nic_set_mac (nic, mac);
  hv_nic_set_mode (nic, "bridged");
  hv_nic_set_link (nic, "br0");
  return nic;
}

gchar *
hv_test_hotplug_write_script (const gchar *dir,
                              const gchar *name,
                              const gchar *body)
{
  g_autofree gchar *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);
  gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0700), ==, 0);
  return path;
}

/* ifup puts the tap on the NIC's bridge and logs; ifdown logs. */
void
hv_test_hotplug_set_scripts (HvTestKvmLaunch *launch,
                             const gchar     *dir)
{
  g_autofree gchar *ifup_body = g_strdup_printf (
    "echo \"$INTERFACE $MAC $BRIDGE $INTERFACE_INDEX\" >> %s/ifup.log\n"
    "ip link set \"$INTERFACE\" master \"$BRIDGE\" up", dir);
  g_autofree gchar *ifdown_body = g_strdup_printf (
    "echo \"$INTERFACE $MAC $2\" >> %s/ifdown.log", dir);
  g_autofree gchar *ifup_path = hv_test_hotplug_write_script (dir, "ifup", ifup_body);
  g_autofree gchar *ifdown_path = hv_test_hotplug_write_script (dir, "ifdown", ifdown_body);
  g_autoptr(HvNicScript) ifup = hv_nic_script_new (ifup_path);
  g_autoptr(HvNicScript) ifdown = hv_nic_script_new (ifdown_path);

  hv_kvm_instance_set_nic_scripts (hv_test_kvm_launch_get_instance (launch), ifup, ifdown);
}

/* ---- calls as jobs ------------------------------------------------------ */

typedef struct {
  HvTestHotplugCall call;
  HvInstance *owner;
  HvDevice *device;
  guint seq;
} Call;

static void
call_free (Call *call)
{
  g_clear_object (&call->owner);
  g_clear_object (&call->device);
  g_free (call);
}

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (call->call)
    {
    case HV_TEST_HOTPLUG_ADD:
      ok = hv_kvm_hotplug_add_finish (instance, result, &error);
      break;
    case HV_TEST_HOTPLUG_DEL:
      ok = hv_kvm_hotplug_del_finish (instance, result, &error);
      break;
    case HV_TEST_HOTPLUG_MOD:
      ok = hv_kvm_hotplug_mod_finish (instance, result, &error);
      break;
    case HV_TEST_HOTPLUG_RECONCILE:
      ok = hv_kvm_hotplug_reconcile_finish (instance, result, &error);
      break;
    }
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
call_job (HvKvmInstance *instance,
          GTask         *task)
{
  Call *call = g_task_get_task_data (task);

  switch (call->call)
    {
    case HV_TEST_HOTPLUG_ADD:
      hv_kvm_hotplug_add_async (instance, call->owner, call->device, call->seq, NULL, call_done_cb,
                                g_object_ref (task));
      break;
    case HV_TEST_HOTPLUG_DEL:
      hv_kvm_hotplug_del_async (instance, call->owner, call->device, call->seq, NULL, call_done_cb,
                                g_object_ref (task));
      break;
    case HV_TEST_HOTPLUG_MOD:
      hv_kvm_hotplug_mod_async (instance, call->owner, call->device, call->seq, NULL, call_done_cb,
                                g_object_ref (task));
      break;
    case HV_TEST_HOTPLUG_RECONCILE:
      hv_kvm_hotplug_reconcile_async (instance, NULL, call_done_cb, g_object_ref (task));
      break;
    }
}

void
hv_test_hotplug_queue (HvTestKvmLaunch    *launch,
                       HvTestHotplugCall   call,
                       HvDevice           *device,
                       guint               seq,
                       GAsyncResult      **slot)
{
  HvKvmInstance *instance = hv_test_kvm_launch_get_instance (launch);
  g_autoptr(GTask) task = g_task_new (instance, NULL, hv_test_store_result, slot);
  Call *data = g_new0 (Call, 1);

  data->call = call;
  data->owner = g_object_ref (hv_test_kvm_launch_get_owner (launch));
  data->device = device != NULL ? g_object_ref (device) : NULL;
  data->seq = seq;
  g_task_set_task_data (task, data, (GDestroyNotify) call_free);
  hv_kvm_instance_queue_job (instance, task, call_job);
}

gboolean
hv_test_hotplug_finish (HvTestKvmLaunch  *launch,
                        GAsyncResult     *result,
                        GError          **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
hv_test_hotplug_run (HvTestKvmLaunch    *launch,
                     HvTestHotplugCall   call,
                     HvDevice           *device,
                     guint               seq,
                     GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;

  hv_test_hotplug_queue (launch, call, device, seq, &result);
  done = hv_test_wait_result (&result);
  return hv_test_hotplug_finish (launch, done, error);
}

/* ---- the guest ---------------------------------------------------------- */

void
hv_test_hotplug_wait_uevent (HvTestKvmLaunch *launch,
                             const gchar     *action,
                             const gchar     *subsystem,
                             gint             slot)
{
  g_autofree gchar *pattern = g_strdup_printf ("^UEVENT %s %s /devices/pci0000:00/0000:00:%02x\\.0/.*/"
                                               "(vd[a-z]+|eth[0-9]+)$", action, subsystem, slot);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *line = hv_test_console_wait_for_line (hv_test_kvm_launch_get_serial (launch),
                                                          pattern, HV_TEST_HOTPLUG_TIMEOUT_MS,
                                                          &error);

  g_assert_no_error (error);
  g_test_message ("%s", line);
}

/* ---- agreement ---------------------------------------------------------- */

static gboolean in_netns;

void
hv_test_hotplug_set_in_netns (gboolean value)
{
  in_netns = value;
}

HvKvmRuntimeDevice *
hv_test_hotplug_find (HvTestKvmLaunch *launch,
                      HvDeviceType     type,
                      const gchar     *uuid)
{
  return hv_kvm_runtime_find_device (hv_kvm_instance_get_runtime (
                                       hv_test_kvm_launch_get_instance (launch)), type, uuid);
}

static void
assert_devices_at_slots (HvKvmRuntime *runtime,
                         GHashTable   *layout)
{
  GHashTableIter iter;
  gpointer slot, id;
  guint hvkit_ids = 0;
  guint recorded = 0;

  g_hash_table_iter_init (&iter, layout);
  while (g_hash_table_iter_next (&iter, &slot, &id))
    if (g_str_has_prefix (id, "disk-") || g_str_has_prefix (id, "nic-"))
      hvkit_ids++;
  for (guint l = 0; l < 2; l++)
    {
      GPtrArray *devices = l == 0 ? runtime->disks : runtime->nics;

      for (guint i = 0; i < devices->len; i++)
        {
          HvKvmRuntimeDevice *device = g_ptr_array_index (devices, i);

          g_assert_cmpstr (g_hash_table_lookup (layout, GINT_TO_POINTER (device->pci)), ==,
                           device->qemu_id);
          recorded++;
        }
    }
  g_assert_cmpuint (hvkit_ids, ==, recorded);
}

static GStrv
record_strings (GPtrArray   *devices,
                const gchar *key)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < devices->len; i++)
    {
      const gchar *value = hv_kvm_runtime_device_get_string (g_ptr_array_index (devices, i), key);

      if (value != NULL)
        g_strv_builder_add (builder, value);
    }
  return g_strv_builder_end (builder);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

static void
assert_same_set (GStrv a,
                 GStrv b)
{
  qsort (a, g_strv_length (a), sizeof (gchar *), compare_strings);
  qsort (b, g_strv_length (b), sizeof (gchar *), compare_strings);
  g_assert_cmpstrv (a, b);
}

/* Descriptors in QEMU's fd sets. A set whose descriptors were all
 * removed stays listed, empty, while a node holds its copy of one: QEMU's
 * bookkeeping, which goes with the node. */
static guint
count_fds (JsonNode *fdsets)
{
  JsonArray *sets = json_node_get_array (fdsets);
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (sets); i++)
    {
      JsonObject *set = json_array_get_object_element (sets, i);

      g_test_message ("fd set %" G_GINT64_FORMAT ": %u descriptors",
                      json_object_get_int_member (set, "fdset-id"),
                      json_array_get_length (json_object_get_array_member (set, "fds")));
      count += json_array_get_length (json_object_get_array_member (set, "fds"));
    }
  return count;
}

static guint
count_tap_netdevs (HvTestKvmLaunch *launch)
{
  g_autoptr(JsonObject) arguments = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;
  const gchar *text;
  guint count = 0;

  json_object_set_string_member (arguments, "command-line", "info network");
  reply = hv_test_kvm_launch_qmp (launch, "human-monitor-command", arguments, &error);
  g_assert_no_error (error);
  text = json_node_get_string (reply);
  for (const gchar *p = strstr (text, "type=tap"); p != NULL; p = strstr (p + 1, "type=tap"))
    count++;
  return count;
}

static void
assert_host_agrees (HvTestKvmLaunch *launch,
                    HvKvmRuntime    *runtime)
{
  HvKvmInstance *instance = hv_test_kvm_launch_get_instance (launch);
  g_auto(GStrv) recorded_taps = record_strings (runtime->nics, "tap");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) taps = hv_test_netns_list_taps (&error);

  g_assert_no_error (error);
  assert_same_set (taps, recorded_taps);
  for (guint i = 0; i < runtime->nics->len; i++)
    {
      HvKvmRuntimeDevice *device = g_ptr_array_index (runtime->nics, i);
      g_autofree gchar *file = hv_kvm_instance_read_nic_file (instance,
                                                              hv_kvm_runtime_device_get_uuid (device));

      g_assert_cmpstr (file, ==, hv_kvm_runtime_device_get_string (device, "tap"));
    }
}

void
hv_test_hotplug_assert_agree (HvTestKvmLaunch *launch,
                              guint            pending)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (hv_test_kvm_launch_get_instance (launch));
  g_autoptr(GHashTable) layout = hv_test_kvm_launch_pci_layout (launch);
  g_auto(GStrv) nodes = hv_test_kvm_launch_block_nodes (launch);
  g_auto(GStrv) recorded_nodes = record_strings (runtime->disks, "node_name");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) fdsets = hv_test_kvm_launch_qmp (launch, "query-fdsets", NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (runtime->pending->len, ==, pending);
  assert_devices_at_slots (runtime, layout);
  assert_same_set (nodes, recorded_nodes);
  g_assert_cmpuint (count_fds (fdsets), ==, 0);
  g_assert_cmpuint (count_tap_netdevs (launch), ==, runtime->nics->len);
  if (in_netns)
    assert_host_agrees (launch, runtime);
}

/* ---- waiting ------------------------------------------------------------ */

static gboolean
flag_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
hv_test_hotplug_wait_flag (gboolean *flag,
                           guint     timeout_ms)
{
  GMainContext *context = g_main_context_get_thread_default ();
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);
  gboolean timed_out = FALSE;

  g_source_set_callback (timeout, flag_timeout_cb, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!*flag && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_assert_true (*flag);
}
