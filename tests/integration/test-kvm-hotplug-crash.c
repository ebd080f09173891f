/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <unistd.h>

#include "hv-kvm.h"
#include "hv-kvm-qmp-commands.h"
#include "hv-kvm-runtime.h"
#include "hv-test-files.h"
#include "hv-test-async.h"
#include "hv-test-hotplug.h"

/*
 * hvkit killed with SIGKILL after every step of a hot-add and of a
 * hot-removal, of a disk and of a NIC: a helper process (this program,
 * run with --helper) takes over QEMU's QMP socket, starts the operation
 * and is killed by the test hook right after the named step; then a new
 * HvKvm (a restarted hvkit) takes over and reconciles, and the record, QEMU
 * and the host must agree — no block node, fd, netdev, tap or NIC file
 * left, no journal entry, every recorded device in QEMU and no other.
 */

#define GUEST_NAME "crash"
#define DISK_UUID  "c4a50001-0000-4000-8000-000000000001"
#define NIC_UUID   "c4a50002-0000-4000-8000-000000000002"
#define NIC_MAC    "52:54:00:cc:00:02"

static const gchar * const disk_add_steps[] = {
  "intent", "slot-checked", "node-added", "device-added", NULL
};
/* trusting the last view of the bus, a disk's blockdev-add goes out
 * before the intent is saved: a crash in between leaves a node no journal
 * names, which the reconcile finds by its name */
static const gchar * const disk_add_trusted_steps[] = {
  "sent-early", "intent", "slot-checked", "node-added", "device-added", NULL
};
#define TRUSTED_VIEW 0x100
static const gchar * const nic_add_steps[] = {
  "intent", "slot-checked", "tap-opened", "ifup-done", "fd-passed", "netdev-added", "device-added",
  "nic-files-written", NULL
};
static const gchar * const disk_del_steps[] = { "intent", "unplugged", "node-deleted", NULL };
static const gchar * const nic_del_steps[] = {
  "intent", "unplugged", "ifdown-done", "netdev-deleted", "nic-files-removed", NULL
};

static HvTestKvmLaunch *guest;
static gchar *work_dir;

/* -- the helper: the hvkit that dies ---------------------------------------- */

static HvDevice *
helper_device (HvDeviceType type)
{
  if (type == HV_DEVICE_TYPE_DISK)
    return HV_DEVICE (hv_test_hotplug_new_disk (work_dir, DISK_UUID, FALSE));
  return HV_DEVICE (hv_test_hotplug_new_nic (NIC_UUID, NIC_MAC));
}

static HvKvmInstance *
helper_connect (const gchar *run_dir)
{
  g_autoptr(HvRuntimeStore) store = hv_kvm_runtime_store_new (run_dir);
  g_autoptr(HvKvmQmpClient) qmp = hv_kvm_qmp_client_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  HvKvmInstance *instance = hv_kvm_instance_new (GUEST_NAME, run_dir, store);
  HvKvmRuntime *record = hv_kvm_runtime_load (store, GUEST_NAME, &error);

  g_assert_no_error (error);
  hv_kvm_instance_set_runtime (instance, record);
  path = hv_kvm_instance_get_path (instance, ".qmp");
  hv_kvm_qmp_client_connect_async (qmp, path, NULL, hv_test_store_result, &result);
  done = hv_test_wait_result (&result);
  hv_kvm_qmp_client_connect_finish (qmp, done, &error);
  g_assert_no_error (error);
  hv_kvm_instance_set_qmp (instance, qmp);
  return instance;
}

/* --helper RUN_DIR WORK_DIR hotadd|hotdel disk|nic STEP VIEW: VIEW is "-", or
 * the slots in use (a mask) for the helper to trust as QEMU's bus */
static int
helper_main (gchar **argv)
{
  g_autoptr(HvKvmInstance) instance = NULL;
  g_autoptr(HvInstance) owner = hv_instance_new (GUEST_NAME);
  g_autoptr(HvDevice) device = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *ifup_path = g_build_filename (argv[1], "ifup", NULL);
  g_autofree gchar *ifdown_path = g_build_filename (argv[1], "ifdown", NULL);
  g_autoptr(HvNicScript) ifup = hv_nic_script_new (ifup_path);
  g_autoptr(HvNicScript) ifdown = hv_nic_script_new (ifdown_path);
  HvKvmHotplugTestHooks hooks = HV_KVM_HOTPLUG_TEST_HOOKS_INIT;
  gboolean add = g_str_equal (argv[2], "hotadd");

  work_dir = argv[1];
  instance = helper_connect (argv[0]);
  hv_kvm_instance_set_nic_scripts (instance, ifup, ifdown);
  device = helper_device (g_str_equal (argv[3], "disk") ? HV_DEVICE_TYPE_DISK : HV_DEVICE_TYPE_NIC);
  if (!g_str_equal (argv[5], "-"))
    hv_kvm_instance_set_pci_view (instance, (guint32) g_ascii_strtoull (argv[5], NULL, 16), TRUE);
  hooks.kill_after_step = argv[4];
  hooks.kill_action = add ? HV_HOTPLUG_ACTION_ADD : HV_HOTPLUG_ACTION_DEL;
  hv_kvm_hotplug_set_test_hooks (&hooks);
  if (add)
    hv_kvm_hotplug_add_async (instance, owner, device, 0, NULL, hv_test_store_result, &result);
  else
    hv_kvm_hotplug_del_async (instance, owner, device, 0, NULL, hv_test_store_result, &result);
  done = hv_test_wait_result (&result);
  /* not killed: the step never came */
  g_printerr ("helper: %s of %s ended without step %s\n", argv[2], argv[3], argv[4]);
  return 3;
}

/* -- the test: crash, restart, reconcile ------------------------------------ */

static void
crash_at (const gchar *action,
          const gchar *type,
          const gchar *step,
          gboolean     trusted)
{
  g_autoptr(GSubprocess) helper = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree gchar *view = g_strdup ("-");

  if (trusted)
    {
      g_autoptr(GHashTable) layout = hv_test_kvm_launch_pci_layout (guest);
      GHashTableIter iter;
      gpointer slot;
      guint32 used = 0;

      g_hash_table_iter_init (&iter, layout);
      while (g_hash_table_iter_next (&iter, &slot, NULL))
        used |= 1u << GPOINTER_TO_INT (slot);
      g_free (view);
      view = g_strdup_printf ("%x", used);
    }

  /* QEMU serves one QMP client: the helper's, then the new hvkit's */
  hv_test_kvm_launch_disconnect (guest);
  helper = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self, "--helper",
                             hv_test_kvm_launch_get_run_dir (guest), work_dir, action, type, step,
                             view, NULL);
  g_assert_no_error (error);
  g_subprocess_wait (helper, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (helper));
  g_assert_cmpint (g_subprocess_get_term_sig (helper), ==, SIGKILL);
}

/* A restarted hvkit: a new HvKvm on the run directory takes the instance
 * over (pidfile, /proc/<pid>/cmdline, QMP) and reconciles the journal the
 * dead one left, before it serves any other call on the instance — the
 * HotplugSupported asked here waits behind both. Then it goes, and the
 * test looks at the record it saved and at QEMU itself. */
static void
reconcile (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvInstance) owner = hv_instance_new (GUEST_NAME);
  g_autofree gchar *ifup = g_build_filename (work_dir, "ifup", NULL);
  g_autofree gchar *ifdown = g_build_filename (work_dir, "ifdown", NULL);
  g_autoptr(HvKvm) kvm = NULL;
  GVariantDict config;

  g_variant_dict_init (&config, NULL);
  g_variant_dict_insert (&config, "run-dir", "s", hv_test_kvm_launch_get_run_dir (guest));
  g_variant_dict_insert (&config, "ifup-script", "s", ifup);
  g_variant_dict_insert (&config, "ifdown-script", "s", ifdown);
  kvm = hv_kvm_new (g_variant_dict_end (&config), &error);
  g_assert_no_error (error);
  g_assert_true (hv_hypervisor_hotplug_supported_sync (HV_HYPERVISOR (kvm), owner, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&kvm);   /* QEMU serves one QMP client: the test's again */

  hv_test_kvm_launch_reconnect (guest, &error);
  g_assert_no_error (error);
  hv_test_hotplug_set_scripts (guest, work_dir);
}

static void
removed_cb (HvKvmInstance *instance,
            HvDeviceType   type,
            const gchar   *uuid,
            const gchar   *qemu_id,
            gpointer       user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Whether QEMU still has the device with @uuid that the record holds. */
static gboolean
qemu_has_device (HvDeviceType  type,
                 const gchar  *uuid)
{
  HvKvmRuntimeDevice *device = hv_test_hotplug_find (guest, type, uuid);
  g_autoptr(GHashTable) layout = hv_test_kvm_launch_pci_layout (guest);

  return device != NULL &&
         g_strcmp0 (g_hash_table_lookup (layout, GINT_TO_POINTER (device->pci)),
                    device->qemu_id) == 0;
}

/* The record and QEMU agree; a removal still pending (the crash came
 * before device_del, which the reconcile sent again) finishes with the
 * guest's DEVICE_DELETED, and then they agree with the device gone. (While
 * the guest works on it, QEMU may drop the device at any moment, so the
 * pending state itself is only checked in the record.) The
 * guest may have given the device up while no hvkit was connected (between
 * the reconciling HvKvm and the test's own connection): QEMU sends that
 * DEVICE_DELETED to nobody, and the next reconcile, which finds the device
 * gone from query-pci, is what finishes the removal. */
static void
assert_recovered (HvDeviceType  type,
                  const gchar  *uuid)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (hv_test_kvm_launch_get_instance (guest));
  g_autoptr(GError) error = NULL;
  gboolean removed = FALSE;

  if (runtime->pending->len == 0)
    {
      hv_test_hotplug_assert_agree (guest, 0);
      return;
    }
  g_assert_cmpuint (runtime->pending->len, ==, 1);
  /* watched before QEMU is asked: a DEVICE_DELETED from now on is heard */
  hv_kvm_hotplug_watch (hv_test_kvm_launch_get_instance (guest), removed_cb, &removed, NULL);
  if (qemu_has_device (type, uuid))
    hv_test_hotplug_wait_flag (&removed, HV_TEST_HOTPLUG_TIMEOUT_MS);
  else
    {
      g_test_message ("the guest gave the device up while nobody listened: reconciling");
      g_assert_true (hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_RECONCILE, NULL, 0, &error));
      g_assert_no_error (error);
    }
  g_assert_null (hv_test_hotplug_find (guest, type, uuid));
  hv_test_hotplug_assert_agree (guest, 0);
}

static void
remove_if_there (HvDeviceType type,
                 const gchar *uuid)
{
  g_autoptr(HvDevice) device = helper_device (type);
  g_autoptr(GError) error = NULL;

  if (hv_test_hotplug_find (guest, type, uuid) == NULL)
    return;
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_DEL, device, 0, &error);
  g_assert_no_error (error);
  hv_test_hotplug_assert_agree (guest, 0);
}

static void
add_device (HvDeviceType type)
{
  g_autoptr(HvDevice) device = helper_device (type);
  g_autoptr(GError) error = NULL;

  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, device, 0, &error);
  g_assert_no_error (error);
}

static gboolean
require_guest (gboolean nic)
{
  g_autoptr(GError) error = NULL;

  if (nic && geteuid () != 0)
    {
      g_test_skip ("taps need a private network namespace (root)");
      return FALSE;
    }
  if (guest != NULL)
    return TRUE;
  if (!hv_test_guest_require ())
    return FALSE;
  guest = hv_test_kvm_launch_new (GUEST_NAME, HV_TEST_KVM_GUEST);
  hv_test_kvm_launch_start (guest, NULL, NULL, &error);
  g_assert_no_error (error);
  hv_test_hotplug_set_scripts (guest, work_dir);
  return TRUE;
}

static void
test_crash_add (gconstpointer user_data)
{
  HvDeviceType type = GPOINTER_TO_INT (user_data) & 0xff;
  gboolean trusted = (GPOINTER_TO_INT (user_data) & TRUSTED_VIEW) != 0;
  const gchar * const *steps = type == HV_DEVICE_TYPE_NIC ? nic_add_steps
                               : trusted ? disk_add_trusted_steps : disk_add_steps;
  const gchar *uuid = type == HV_DEVICE_TYPE_DISK ? DISK_UUID : NIC_UUID;

  if (!require_guest (type == HV_DEVICE_TYPE_NIC))
    return;
  if (type == HV_DEVICE_TYPE_DISK)
    g_object_unref (hv_test_hotplug_new_disk (work_dir, DISK_UUID, TRUE));
  for (guint i = 0; steps[i] != NULL; i++)
    {
      g_test_message ("killed after %s", steps[i]);
      crash_at ("hotadd", type == HV_DEVICE_TYPE_DISK ? "disk" : "nic", steps[i], trusted);
      reconcile ();
      assert_recovered (type, uuid);
      /* forward or back, as QEMU had it then */
      g_test_message ("%s", hv_test_hotplug_find (guest, type, uuid) != NULL ? "kept" : "undone");
      remove_if_there (type, uuid);
    }
}

static void
test_crash_del (gconstpointer user_data)
{
  HvDeviceType type = GPOINTER_TO_INT (user_data);
  const gchar * const *steps = type == HV_DEVICE_TYPE_DISK ? disk_del_steps : nic_del_steps;
  const gchar *uuid = type == HV_DEVICE_TYPE_DISK ? DISK_UUID : NIC_UUID;

  if (!require_guest (type == HV_DEVICE_TYPE_NIC))
    return;
  if (type == HV_DEVICE_TYPE_DISK)
    g_object_unref (hv_test_hotplug_new_disk (work_dir, DISK_UUID, TRUE));
  for (guint i = 0; steps[i] != NULL; i++)
    {
      g_test_message ("killed after %s", steps[i]);
      add_device (type);
      crash_at ("hotdel", type == HV_DEVICE_TYPE_DISK ? "disk" : "nic", steps[i], FALSE);
      reconcile ();
      /* a removal goes forward: the device is gone in the end */
      assert_recovered (type, uuid);
      g_assert_null (hv_test_hotplug_find (guest, type, uuid));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  int status;

  g_main_context_push_thread_default (context);
  if (argc == 8 && g_str_equal (argv[1], "--helper"))
    return helper_main (argv + 2);

  g_test_init (&argc, &argv, NULL);
  work_dir = g_dir_make_tmp ("hvkit-crash-XXXXXX", &error);
  g_assert_no_error (error);
  /* the helpers are started from this thread, so they share the namespace */
  if (geteuid () == 0)
    {
      hv_test_netns_enter (&error);
      g_assert_no_error (error);
      hv_test_netns_add_bridge ("br0", &error);
      g_assert_no_error (error);
      hv_test_hotplug_set_in_netns (TRUE);
    }

  g_test_add_data_func ("/kvm/hotplug/crash/add-disk", GINT_TO_POINTER (HV_DEVICE_TYPE_DISK),
                        test_crash_add);
  g_test_add_data_func ("/kvm/hotplug/crash/add-disk-trusted",
                        GINT_TO_POINTER (HV_DEVICE_TYPE_DISK | TRUSTED_VIEW), test_crash_add);
  g_test_add_data_func ("/kvm/hotplug/crash/add-nic", GINT_TO_POINTER (HV_DEVICE_TYPE_NIC),
                        test_crash_add);
  g_test_add_data_func ("/kvm/hotplug/crash/del-disk", GINT_TO_POINTER (HV_DEVICE_TYPE_DISK),
                        test_crash_del);
  g_test_add_data_func ("/kvm/hotplug/crash/del-nic", GINT_TO_POINTER (HV_DEVICE_TYPE_NIC),
                        test_crash_del);
  status = g_test_run ();
  g_clear_pointer (&guest, hv_test_kvm_launch_free);
  g_main_context_pop_thread_default (context);
  hv_test_remove_tree (work_dir);
  return status;
}
