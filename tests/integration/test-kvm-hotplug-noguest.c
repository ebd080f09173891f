/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <unistd.h>

#include "hv-kvm-runtime.h"
#include "hv-test-files.h"
#include "hv-test-hotplug.h"

/*
 * A QEMU with no guest OS (no kernel, no disk to boot: the BIOS waits for
 * ever), so that nothing acknowledges an unplug: the removal times out
 * and is recorded as pending, a second removal takes it over, the device
 * cannot be added twice meanwhile, and a new hvkit's reconcile keeps it
 * pending because QEMU still has it.
 */

#define NAME          "noguest"
#define DISK_UUID     "0d150000-0000-4000-8000-000000000001"
#define NIC_UUID      "041c0000-0000-4000-8000-000000000002"
#define TIMEOUT_MS    300

static gchar *work_dir;
static gboolean have_netns;

static HvKvmPendingOp *
pending_of (HvTestKvmLaunch *launch,
            const gchar     *uuid)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (hv_test_kvm_launch_get_instance (launch));

  for (guint i = 0; i < runtime->pending->len; i++)
    {
      HvKvmPendingOp *pending = g_ptr_array_index (runtime->pending, i);

      if (g_strcmp0 (pending->uuid, uuid) == 0)
        return pending;
    }
  return NULL;
}

static void
assert_removal_pending (HvTestKvmLaunch *launch,
                        HvDeviceType     type,
                        const gchar     *uuid)
{
  HvKvmPendingOp *pending = pending_of (launch, uuid);

  g_assert_nonnull (pending);
  g_assert_cmpint (pending->action, ==, HV_HOTPLUG_ACTION_DEL);
  g_assert_cmpstr (pending->step, ==, "unplug-pending");
  g_assert_nonnull (hv_test_hotplug_find (launch, type, uuid));
}

static void
del_times_out (HvTestKvmLaunch *launch,
               HvDevice        *device)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_false (hv_test_hotplug_run (launch, HV_TEST_HOTPLUG_DEL, device, 0, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "removal is pending"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, TIMEOUT_MS * 1000);
}

static void
test_no_guest (void)
{
  g_autoptr(HvTestKvmLaunch) launch = hv_test_kvm_launch_new (NAME, HV_TEST_KVM_NO_OS);
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk = hv_test_hotplug_new_disk (work_dir, DISK_UUID, TRUE);
  g_autoptr(HvNic) nic = hv_test_hotplug_new_nic (NIC_UUID, "52:54:00:bb:00:01");
  guint n_pending = 1;

  hv_test_kvm_launch_start (launch, NULL, NULL, &error);
  g_assert_no_error (error);
  hv_test_hotplug_set_scripts (launch, work_dir);
  hv_kvm_instance_set_removal_timeout (hv_test_kvm_launch_get_instance (launch), TIMEOUT_MS);

  /* plugging needs no guest */
  hv_test_hotplug_run (launch, HV_TEST_HOTPLUG_ADD, HV_DEVICE (disk), 0, &error);
  g_assert_no_error (error);
  hv_test_hotplug_assert_agree (launch, 0);

  /* unplugging does */
  del_times_out (launch, HV_DEVICE (disk));
  assert_removal_pending (launch, HV_DEVICE_TYPE_DISK, DISK_UUID);
  hv_test_hotplug_assert_agree (launch, 1);
  /* asked again: one entry still */
  del_times_out (launch, HV_DEVICE (disk));
  assert_removal_pending (launch, HV_DEVICE_TYPE_DISK, DISK_UUID);
  hv_test_hotplug_assert_agree (launch, 1);
  /* not twice in the instance */
  g_assert_false (hv_test_hotplug_run (launch, HV_TEST_HOTPLUG_ADD, HV_DEVICE (disk), 0, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_HOTPLUG);
  g_clear_error (&error);

  if (have_netns)
    {
      /* a NIC's removal left pending keeps its tap and netdev */
      hv_test_hotplug_run (launch, HV_TEST_HOTPLUG_ADD, HV_DEVICE (nic), 1, &error);
      g_assert_no_error (error);
      del_times_out (launch, HV_DEVICE (nic));
      assert_removal_pending (launch, HV_DEVICE_TYPE_NIC, NIC_UUID);
      n_pending++;
      hv_test_hotplug_assert_agree (launch, n_pending);
    }

  /* a new hvkit: QEMU still has them, so they stay pending */
  hv_test_kvm_launch_reconnect (launch, &error);
  g_assert_no_error (error);
  hv_test_hotplug_set_scripts (launch, work_dir);
  hv_test_hotplug_run (launch, HV_TEST_HOTPLUG_RECONCILE, NULL, 0, &error);
  g_assert_no_error (error);
  assert_removal_pending (launch, HV_DEVICE_TYPE_DISK, DISK_UUID);
  hv_test_hotplug_assert_agree (launch, n_pending);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_main_context_push_thread_default (context);
  work_dir = g_dir_make_tmp ("hvkit-noguest-XXXXXX", &error);
  g_assert_no_error (error);
  have_netns = geteuid () == 0 && hv_test_netns_enter (&error);
  g_clear_error (&error);
  if (have_netns)
    {
      hv_test_netns_add_bridge ("br0", &error);
      g_assert_no_error (error);
    }
  hv_test_hotplug_set_in_netns (have_netns);

  g_test_add_func ("/kvm/hotplug/no-guest", test_no_guest);
  status = g_test_run ();
  g_main_context_pop_thread_default (context);
  hv_test_remove_tree (work_dir);
  return status;
}
