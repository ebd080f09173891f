/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "hv-kvm-qmp-commands.h"
#include "hv-kvm-runtime.h"
#include "hv-test-files.h"
#include "hv-test-async.h"
#include "hv-test-hotplug.h"

/*
 * Hotplug against a real QEMU (TCG) running the test guest, which reports
 * what it sees on its console: disks and NICs plugged and unplugged, a
 * NIC modified in place, eight disks at once, failures that must leave
 * QEMU, the record and the host as they were, a removal the guest
 * acknowledges late (before and after a restart of hvkit), and an instance
 * started from the record afterwards. One guest serves every test, in
 * order; each test leaves it as it found it.
 */

#define GUEST_NAME         "hotplug"
#define COMMAND_TIMEOUT_MS 20000

static HvTestKvmLaunch *guest;
static gchar *work_dir;
static gboolean have_netns;

static HvKvmInstance *
instance (void)
{
  return hv_test_kvm_launch_get_instance (guest);
}

static HvKvmRuntime *
record (void)
{
  return hv_kvm_instance_get_runtime (instance ());
}

/* The guest boots with the first test that needs it and serves the rest. */
static gboolean
require_guest (void)
{
  static gboolean tried;
  g_autoptr(GError) error = NULL;

  if (!tried)
    {
      tried = TRUE;
      if (!hv_test_guest_require ())
        return FALSE;
      guest = hv_test_kvm_launch_new (GUEST_NAME, HV_TEST_KVM_GUEST);
      hv_test_kvm_launch_start (guest, NULL, NULL, &error);
      g_assert_no_error (error);
      hv_test_hotplug_set_scripts (guest, work_dir);
    }
  if (guest == NULL)
    {
      g_test_skip ("no test guest");
      return FALSE;
    }
  return TRUE;
}

static gboolean
require_netns (void)
{
  if (!have_netns)
    {
      g_test_skip ("no private network namespace (not root?)");
      return FALSE;
    }
  return require_guest ();
}

static gchar *
guest_run (const gchar *command)
{
  g_autoptr(GError) error = NULL;
  gint status = -1;
  gchar *output = hv_test_console_run (hv_test_kvm_launch_get_serial (guest), command,
                                       COMMAND_TIMEOUT_MS, &status, &error);

  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  return output;
}

/* the record as the store has it, for "nothing changed" */
static GVariant *
saved_record (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) saved = hv_kvm_runtime_load (hv_kvm_instance_get_store (instance ()),
                                                       GUEST_NAME, &error);

  g_assert_no_error (error);
  return hv_kvm_runtime_to_variant (saved);
}

static void
assert_unchanged (GVariant *before)
{
  g_autoptr(GVariant) now = saved_record ();
  g_autoptr(GVariant) in_memory = hv_kvm_runtime_to_variant (record ());

  g_assert_true (g_variant_equal (before, now));
  g_assert_true (g_variant_equal (before, in_memory));
  hv_test_hotplug_assert_agree (guest, 0);
}

/* -- support --------------------------------------------------------------- */

static void
test_supported (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HvRuntimeStore) store = NULL;
  g_autoptr(HvKvmInstance) stopped = NULL;

  if (!require_guest ())
    return;
  hv_kvm_hotplug_supported_async (instance (), NULL, hv_test_store_result, &result);
  done = hv_test_wait_result (&result);
  g_assert_true (hv_kvm_hotplug_supported_finish (instance (), done, &error));
  g_assert_no_error (error);
  g_clear_object (&done);

  /* no QMP connection: not running, whatever the record says */
  store = hv_kvm_runtime_store_new (work_dir);
  stopped = hv_kvm_instance_new ("stopped", work_dir, store);
  hv_kvm_hotplug_supported_async (stopped, NULL, hv_test_store_result, &result);
  done = hv_test_wait_result (&result);
  g_assert_false (hv_kvm_hotplug_supported_finish (stopped, done, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_RUNNING);
  g_assert_nonnull (strstr (error->message, "stopped"));
}

/* -- a disk ---------------------------------------------------------------- */

static void
test_disk (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk = NULL;
  g_autofree gchar *size = NULL;
  g_autofree gchar *command = NULL;
  g_autofree gchar *id = NULL;
  HvKvmRuntimeDevice *added;

  if (!require_guest ())
    return;
  disk = hv_test_hotplug_new_disk (work_dir, "d15c0001-0000-4000-8000-000000000001", TRUE);
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (disk), 0, &error);
  g_assert_no_error (error);

  added = hv_test_hotplug_find (guest, HV_DEVICE_TYPE_DISK, "d15c0001-0000-4000-8000-000000000001");
  g_assert_nonnull (added);
  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (disk)), ==, added->pci);
  id = g_strdup_printf ("disk-d15c0001-pci-%d", added->pci);
  g_assert_cmpstr (added->qemu_id, ==, id);
  hv_test_hotplug_assert_agree (guest, 0);
  hv_test_hotplug_wait_uevent (guest, "add", "block", added->pci);
  /* the guest's disk is the 16 MiB file */
  command = g_strdup_printf ("cat /sys/bus/pci/devices/0000:00:%02x.0/virtio*/block/*/size",
                             added->pci);
  size = guest_run (command);
  g_assert_cmpstr (size, ==, "32768\n");

  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_DEL, HV_DEVICE (disk), 0, &error);
  g_assert_no_error (error);
  g_assert_null (hv_test_hotplug_find (guest, HV_DEVICE_TYPE_DISK,
                                       "d15c0001-0000-4000-8000-000000000001"));
  hv_test_hotplug_assert_agree (guest, 0);
  hv_test_hotplug_wait_uevent (guest, "remove", "block", hv_device_get_pci (HV_DEVICE (disk)));
}

/* -- a disk QEMU could not open itself ---------------------------------------- */

/* With use_chroot (or a security model other than none) QEMU cannot open
 * the disk: hvkit passes it with add-fd. The record's hvparams say so
 * here; the QEMU is an ordinary one, which changes nothing for add-fd. */
static void
test_disk_fd (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk = NULL;
  g_autoptr(GVariant) saved_hvparams = NULL;
  g_autofree gchar *size = NULL;
  g_autofree gchar *command = NULL;
  GVariantDict hvparams;

  if (!require_guest ())
    return;
  saved_hvparams = g_variant_ref (record ()->hvparams);
  g_variant_dict_init (&hvparams, saved_hvparams);
  g_variant_dict_insert (&hvparams, "use_chroot", "b", TRUE);
  record ()->hvparams = g_variant_ref_sink (g_variant_dict_end (&hvparams));
  g_variant_unref (saved_hvparams);

  disk = hv_test_hotplug_new_disk (work_dir, "fdf00001-0000-4000-8000-000000000001", TRUE);
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (disk), 0, &error);
  g_assert_no_error (error);
  /* the node opened /dev/fdset/N, and the set is gone again */
  hv_test_hotplug_assert_agree (guest, 0);
  hv_test_hotplug_wait_uevent (guest, "add", "block", hv_device_get_pci (HV_DEVICE (disk)));
  command = g_strdup_printf ("cat /sys/bus/pci/devices/0000:00:%02x.0/virtio*/block/*/size",
                             hv_device_get_pci (HV_DEVICE (disk)));
  size = guest_run (command);
  g_assert_cmpstr (size, ==, "32768\n");
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_DEL, HV_DEVICE (disk), 0, &error);
  g_assert_no_error (error);
  hv_test_hotplug_assert_agree (guest, 0);
  hv_test_hotplug_wait_uevent (guest, "remove", "block", hv_device_get_pci (HV_DEVICE (disk)));

  g_variant_dict_init (&hvparams, record ()->hvparams);
  g_variant_dict_remove (&hvparams, "use_chroot");
  g_variant_dict_insert (&hvparams, "use_chroot", "b", FALSE);
  g_variant_unref (record ()->hvparams);
  record ()->hvparams = g_variant_ref_sink (g_variant_dict_end (&hvparams));
}

/* -- a NIC on a bridge, modified, removed ---------------------------------- */

static gchar *
read_log (const gchar *name)
{
  g_autofree gchar *path = g_build_filename (work_dir, name, NULL);
  gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

static void
clear_logs (void)
{
  g_autofree gchar *ifup = g_build_filename (work_dir, "ifup.log", NULL);
  g_autofree gchar *ifdown = g_build_filename (work_dir, "ifdown.log", NULL);

  g_unlink (ifup);
  g_unlink (ifdown);
}

static void
assert_guest_has_mac (const gchar *mac,
                      gboolean     present)
{
  g_autofree gchar *addresses = guest_run ("cat /sys/class/net/*/address");

  g_test_message ("guest MACs: %s", addresses);
  g_assert_true ((strstr (addresses, mac) != NULL) == present);
}

static const gchar *
nic_tap (const gchar *uuid)
{
  HvKvmRuntimeDevice *nic = hv_test_hotplug_find (guest, HV_DEVICE_TYPE_NIC, uuid);

  g_assert_nonnull (nic);
  return hv_kvm_runtime_device_get_string (nic, "tap");
}

#define NIC_UUID "41c00001-0000-4000-8000-000000000001"

static void
test_nic (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNic) nic = hv_test_hotplug_new_nic (NIC_UUID, "52:54:00:aa:00:01");
  g_autoptr(HvNic) changed = hv_test_hotplug_new_nic (NIC_UUID, "52:54:00:aa:00:02");
  g_autofree gchar *tap = NULL;
  g_autofree gchar *master = NULL;
  g_autofree gchar *host_mac = NULL;
  g_autofree gchar *ifup = NULL;
  g_autofree gchar *ifdown = NULL;
  g_autofree gchar *expected = NULL;
  g_auto(GStrv) taps = NULL;
  gint slot;

  if (!require_netns ())
    return;
  clear_logs ();
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (nic), 2, &error);
  g_assert_no_error (error);
  slot = hv_device_get_pci (HV_DEVICE (nic));
  hv_test_hotplug_assert_agree (guest, 0);
  tap = g_strdup (nic_tap (NIC_UUID));

  /* the tap is on the bridge (ifup did it), with the guest's MAC but for
   * its first byte */
  master = hv_test_netns_get_master (tap, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (master, ==, "br0");
  host_mac = hv_test_netns_get_mac (tap, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (host_mac, ==, "fe:54:00:aa:00:01");
  ifup = read_log ("ifup.log");
  expected = g_strdup_printf ("%s 52:54:00:aa:00:01 br0 2\n", tap);
  g_assert_cmpstr (ifup, ==, expected);

  /* the guest sees the NIC with its MAC */
  hv_test_hotplug_wait_uevent (guest, "add", "net", slot);
  assert_guest_has_mac ("52:54:00:aa:00:01", TRUE);

  /* HotMod: out and in again, on the same slot, with the new MAC */
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_MOD, HV_DEVICE (changed), 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (changed)), ==, slot);
  g_assert_cmpint (hv_test_hotplug_find (guest, HV_DEVICE_TYPE_NIC, NIC_UUID)->pci, ==, slot);
  hv_test_hotplug_assert_agree (guest, 0);
  hv_test_hotplug_wait_uevent (guest, "remove", "net", slot);
  hv_test_hotplug_wait_uevent (guest, "add", "net", slot);
  assert_guest_has_mac ("52:54:00:aa:00:02", TRUE);
  assert_guest_has_mac ("52:54:00:aa:00:01", FALSE);
  g_clear_pointer (&ifdown, g_free);
  ifdown = read_log ("ifdown.log");
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s 52:54:00:aa:00:01 false\n", tap);
  g_assert_cmpstr (ifdown, ==, expected);
  g_clear_pointer (&tap, g_free);
  tap = g_strdup (nic_tap (NIC_UUID));

  /* removal: ifdown of the tap, the tap and the NIC files gone */
  clear_logs ();
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_DEL, HV_DEVICE (changed), 2, &error);
  g_assert_no_error (error);
  g_assert_null (hv_test_hotplug_find (guest, HV_DEVICE_TYPE_NIC, NIC_UUID));
  hv_test_hotplug_assert_agree (guest, 0);
  g_clear_pointer (&ifdown, g_free);
  ifdown = read_log ("ifdown.log");
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s 52:54:00:aa:00:02 false\n", tap);
  g_assert_cmpstr (ifdown, ==, expected);
  taps = hv_test_netns_list_taps (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (taps), ==, 0);
  g_assert_null (hv_kvm_instance_read_nic_file (instance (), NIC_UUID));
  g_assert_null (hv_kvm_instance_read_nic_file (instance (), "2"));
  hv_test_hotplug_wait_uevent (guest, "remove", "net", slot);
  assert_guest_has_mac ("52:54:00:aa:00:02", FALSE);
}

/* -- eight at once ---------------------------------------------------------- */

static void
test_eight_disks (void)
{
  g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func (g_object_unref);
  GAsyncResult *results[8] = { NULL, };
  g_autoptr(GHashTable) slots = g_hash_table_new (NULL, NULL);

  if (!require_guest ())
    return;
  for (guint i = 0; i < 8; i++)
    {
      g_autofree gchar *uuid = g_strdup_printf ("e1e1e1e%u-0000-4000-8000-00000000000%u", i, i);

      g_ptr_array_add (disks, hv_test_hotplug_new_disk (work_dir, uuid, TRUE));
    }
  /* all queued before the first runs */
  for (guint i = 0; i < 8; i++)
    hv_test_hotplug_queue (guest, HV_TEST_HOTPLUG_ADD, g_ptr_array_index (disks, i), i, &results[i]);
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GAsyncResult) result = hv_test_wait_result (&results[i]);
      gint slot = hv_device_get_pci (g_ptr_array_index (disks, i));

      hv_test_hotplug_finish (guest, result, &error);
      g_assert_no_error (error);
      g_assert_false (g_hash_table_contains (slots, GINT_TO_POINTER (slot)));
      g_hash_table_add (slots, GINT_TO_POINTER (slot));
    }
  g_assert_cmpuint (record ()->disks->len, ==, 8);
  hv_test_hotplug_assert_agree (guest, 0);
  for (guint i = 0; i < 8; i++)
    hv_test_hotplug_wait_uevent (guest, "add", "block",
                                 hv_device_get_pci (g_ptr_array_index (disks, i)));

  /* every other one goes, all asked at once */
  for (guint i = 0; i < 8; i += 2)
    hv_test_hotplug_queue (guest, HV_TEST_HOTPLUG_DEL, g_ptr_array_index (disks, i), i, &results[i]);
  for (guint i = 0; i < 8; i += 2)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GAsyncResult) result = hv_test_wait_result (&results[i]);

      hv_test_hotplug_finish (guest, result, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (record ()->disks->len, ==, 4);
  for (guint i = 0; i < 8; i++)
    g_assert_true ((hv_test_hotplug_find (guest, HV_DEVICE_TYPE_DISK,
                                          hv_device_get_uuid (g_ptr_array_index (disks, i)))
                    != NULL) == (i % 2 == 1));
  hv_test_hotplug_assert_agree (guest, 0);

  /* and the rest, one by one */
  for (guint i = 1; i < 8; i += 2)
    {
      g_autoptr(GError) error = NULL;

      hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_DEL, g_ptr_array_index (disks, i), i, &error);
      g_assert_no_error (error);
    }
  hv_test_hotplug_assert_agree (guest, 0);
  g_assert_cmpuint (record ()->disks->len, ==, 0);
}

/* -- failures leave everything as it was ------------------------------------- */

static void
test_failure_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk = NULL;
  g_autoptr(GVariant) before = NULL;

  if (!require_guest ())
    return;
  before = saved_record ();
  disk = hv_test_hotplug_new_disk (work_dir, "0155ed00-0000-4000-8000-000000000001", FALSE);
  g_assert_false (hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (disk), 0, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "No such file or directory"));
  g_assert_nonnull (strstr (error->message, "disk-0155ed00-pci-"));
  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (disk)), ==, -1);
  assert_unchanged (before);
}

static void
test_failure_taken_slot (void)
{
  HvKvmHotplugTestHooks hooks = HV_KVM_HOTPLUG_TEST_HOOKS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk = NULL;
  g_autoptr(GVariant) before = NULL;
  g_autoptr(GHashTable) layout = NULL;
  GHashTableIter iter;
  gpointer slot, id;

  if (!require_guest ())
    return;
  before = saved_record ();
  /* the balloon's slot */
  layout = hv_test_kvm_launch_pci_layout (guest);
  g_hash_table_iter_init (&iter, layout);
  while (g_hash_table_iter_next (&iter, &slot, &id))
    if (g_str_equal (id, "balloon"))
      hooks.force_slot = GPOINTER_TO_INT (slot);
  g_assert_cmpint (hooks.force_slot, >, 0);

  disk = hv_test_hotplug_new_disk (work_dir, "7a4e0000-0000-4000-8000-000000000001", TRUE);
  hv_kvm_hotplug_set_test_hooks (&hooks);
  g_assert_false (hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (disk), 0, &error));
  hv_kvm_hotplug_set_test_hooks (NULL);
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "not available"));
  /* the node blockdev-add made is gone again */
  assert_unchanged (before);
}

static void
test_failure_ifup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNic) nic = hv_test_hotplug_new_nic ("1f0f0000-0000-4000-8000-000000000001",
                                                  "52:54:00:aa:00:09");
  g_autofree gchar *failing = hv_test_hotplug_write_script (work_dir, "ifup-fails",
                                                            "echo no bridge for $INTERFACE >&2\n"
                                                            "exit 3");
  g_autoptr(HvNicScript) ifup = hv_nic_script_new (failing);
  g_autoptr(HvNicScript) saved_ifup = NULL;
  g_autoptr(GVariant) before = NULL;
  g_auto(GStrv) taps = NULL;
  HvNicScript *ifdown;

  if (!require_netns ())
    return;
  ifdown = hv_kvm_instance_get_ifdown_script (instance ());
  saved_ifup = g_object_ref (hv_kvm_instance_get_ifup_script (instance ()));
  before = saved_record ();
  hv_kvm_instance_set_nic_scripts (instance (), ifup, ifdown);
  g_assert_false (hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (nic), 0, &error));
  hv_kvm_instance_set_nic_scripts (instance (), saved_ifup, ifdown);
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "no bridge for tap"));
  g_clear_error (&error);
  /* the tap was closed, QEMU never heard of it */
  taps = hv_test_netns_list_taps (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (taps), ==, 0);
  assert_unchanged (before);
}

/* A script that hangs is killed at its timeout (the driver's
 * script-timeout-ms sets it) and the hot-add rolled back: no tap, no
 * script process, the record as it was. */
static void
test_failure_ifup_hangs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNic) nic = hv_test_hotplug_new_nic ("1f0f0000-0000-4000-8000-000000000002",
                                                  "52:54:00:aa:00:0a");
  g_autofree gchar *pidfile = g_build_filename (work_dir, "ifup-hangs.pid", NULL);
  g_autofree gchar *body = g_strdup_printf ("echo $$ > %s\nexec sleep 600", pidfile);
  g_autofree gchar *hanging = hv_test_hotplug_write_script (work_dir, "ifup-hangs", body);
  g_autoptr(HvNicScript) ifup = hv_nic_script_new (hanging);
  g_autoptr(HvNicScript) saved_ifup = NULL;
  g_autoptr(GVariant) before = NULL;
  g_autofree gchar *pid = NULL;
  g_auto(GStrv) taps = NULL;
  HvNicScript *ifdown;

  if (!require_netns ())
    return;
  hv_nic_script_set_timeout (ifup, 500);
  ifdown = hv_kvm_instance_get_ifdown_script (instance ());
  saved_ifup = g_object_ref (hv_kvm_instance_get_ifup_script (instance ()));
  before = saved_record ();
  hv_kvm_instance_set_nic_scripts (instance (), ifup, ifdown);
  g_assert_false (hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (nic), 0, &error));
  hv_kvm_instance_set_nic_scripts (instance (), saved_ifup, ifdown);
  g_assert_error (error, HV_ERROR, HV_ERROR_TIMEOUT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  /* the script ran, and is gone with its process group */
  g_assert_true (g_file_get_contents (pidfile, &pid, NULL, NULL));
  g_assert_cmpint (kill ((pid_t) atoi (pid), 0), ==, -1);
  taps = hv_test_netns_list_taps (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (taps), ==, 0);
  assert_unchanged (before);
}

/* -- a removal the guest acknowledges late ----------------------------------- */

static void
removed_cb (HvKvmInstance *instance,
            HvDeviceType   type,
            const gchar   *uuid,
            const gchar   *qemu_id,
            gpointer       user_data)
{
  gboolean *flag = user_data;

  g_assert_cmpint (type, ==, HV_DEVICE_TYPE_DISK);
  *flag = TRUE;
}

static void
qmp_simple (const gchar *command)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = hv_test_kvm_launch_qmp (guest, command, NULL, &error);

  g_assert_no_error (error);
}

/* The vCPUs stopped: nothing acknowledges the unplug before the timeout. */
static HvDisk *
del_with_vcpus_stopped (const gchar *uuid)
{
  g_autoptr(GError) error = NULL;
  HvDisk *disk = hv_test_hotplug_new_disk (work_dir, uuid, TRUE);
  HvKvmPendingOp *pending;
  guint timeout = hv_kvm_instance_get_removal_timeout (instance ());

  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (disk), 0, &error);
  g_assert_no_error (error);
  hv_test_hotplug_wait_uevent (guest, "add", "block", hv_device_get_pci (HV_DEVICE (disk)));

  qmp_simple ("stop");
  hv_kvm_instance_set_removal_timeout (instance (), 300);
  g_assert_false (hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_DEL, HV_DEVICE (disk), 0, &error));
  hv_kvm_instance_set_removal_timeout (instance (), timeout);
  g_assert_error (error, HV_ERROR, HV_ERROR_TIMEOUT);
  g_test_message ("%s", error->message);

  /* pending: still in the record and in QEMU, the journal says so */
  g_assert_cmpuint (record ()->pending->len, ==, 1);
  pending = g_ptr_array_index (record ()->pending, 0);
  g_assert_cmpstr (pending->step, ==, "unplug-pending");
  g_assert_cmpstr (pending->uuid, ==, uuid);
  g_assert_nonnull (hv_test_hotplug_find (guest, HV_DEVICE_TYPE_DISK, uuid));
  hv_test_hotplug_assert_agree (guest, 1);
  {
    g_autoptr(GVariant) saved = saved_record ();
    g_autoptr(GVariant) saved_pending = g_variant_lookup_value (saved, "pending", NULL);

    g_assert_cmpuint (g_variant_n_children (saved_pending), ==, 1);
  }
  return disk;
}

static void
test_late_removal (void)
{
  g_autoptr(HvDisk) disk = NULL;
  gboolean removed = FALSE;

  if (!require_guest ())
    return;
  disk = del_with_vcpus_stopped ("1a7e0000-0000-4000-8000-000000000001");
  hv_kvm_hotplug_watch (instance (), removed_cb, &removed, NULL);
  /* the guest runs again, acknowledges, and the watch finishes the job */
  qmp_simple ("cont");
  hv_test_hotplug_wait_flag (&removed, HV_TEST_HOTPLUG_TIMEOUT_MS);
  g_assert_null (hv_test_hotplug_find (guest, HV_DEVICE_TYPE_DISK, hv_device_get_uuid (HV_DEVICE (disk))));
  hv_test_hotplug_assert_agree (guest, 0);
  hv_test_hotplug_wait_uevent (guest, "remove", "block", hv_device_get_pci (HV_DEVICE (disk)));
}

static gboolean
is_device_deleted (const gchar *event,
                   JsonObject  *data,
                   gpointer     user_data)
{
  return g_strcmp0 (json_object_get_string_member_with_default (data, "device", NULL),
                    user_data) == 0;
}

static void
test_late_removal_after_restart (void)
{
  g_autoptr(HvDisk) disk = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(JsonObject) data = NULL;
  HvKvmQmpClient *qmp;

  if (!require_guest ())
    return;
  /* a client the hotplug code does not watch */
  hv_test_kvm_launch_reconnect (guest, &error);
  g_assert_no_error (error);
  hv_test_hotplug_set_scripts (guest, work_dir);
  disk = del_with_vcpus_stopped ("1a7e0000-0000-4000-8000-000000000002");

  /* the guest acknowledges; only the test sees the event, as if hvkit were
   * not running */
  qmp = hv_kvm_instance_get_qmp (instance ());
  hv_kvm_qmp_client_wait_event_async (qmp, "DEVICE_DELETED", is_device_deleted,
                                      g_strdup (hv_test_hotplug_find (guest, HV_DEVICE_TYPE_DISK,
                                                                      hv_device_get_uuid (HV_DEVICE (disk)))->qemu_id),
                                      g_free, HV_TEST_HOTPLUG_TIMEOUT_MS, NULL, hv_test_store_result,
                                      &result);
  qmp_simple ("cont");
  done = hv_test_wait_result (&result);
  data = hv_kvm_qmp_client_wait_event_finish (qmp, done, NULL, NULL, &error);
  g_assert_no_error (error);

  /* a new hvkit finds the journal, and QEMU without the device */
  hv_test_kvm_launch_reconnect (guest, &error);
  g_assert_no_error (error);
  hv_test_hotplug_set_scripts (guest, work_dir);
  g_assert_cmpuint (record ()->pending->len, ==, 1);
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_RECONCILE, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_null (hv_test_hotplug_find (guest, HV_DEVICE_TYPE_DISK,
                                       hv_device_get_uuid (HV_DEVICE (disk))));
  hv_test_hotplug_assert_agree (guest, 0);
  hv_test_hotplug_wait_uevent (guest, "remove", "block", hv_device_get_pci (HV_DEVICE (disk)));
}

/* -- a device hvkit did not add ---------------------------------------------- */

/* An addition trusts the view of the bus the last one confirmed; a device
 * someone added by hand since, in the slot hvkit would take, makes its
 * device_add fail: undone, then tried again with QEMU asked first. */
static void
test_foreign_device (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) first = NULL;
  g_autoptr(HvDisk) second = NULL;
  g_autoptr(GHashTable) layout = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(JsonObject) arguments = json_object_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) deleted = NULL;
  g_autofree gchar *addr = NULL;
  HvKvmRuntimeDevice *added;
  HvKvmQmpClient *qmp;
  gint free_slot = 3;

  if (!require_guest ())
    return;
  first = hv_test_hotplug_new_disk (work_dir, "f0e10001-0000-4000-8000-000000000001", TRUE);
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (first), 0, &error);
  g_assert_no_error (error);

  /* the slot the next addition would take, given to a device by hand */
  layout = hv_test_kvm_launch_pci_layout (guest);
  while (g_hash_table_contains (layout, GINT_TO_POINTER (free_slot)))
    free_slot++;
  addr = g_strdup_printf ("0x%x", free_slot);
  json_object_set_string_member (arguments, "driver", "virtio-rng-pci");
  json_object_set_string_member (arguments, "id", "by-hand0");
  json_object_set_string_member (arguments, "bus", "pci.0");
  json_object_set_string_member (arguments, "addr", addr);
  reply = hv_test_kvm_launch_qmp (guest, "device_add", arguments, &error);
  g_assert_no_error (error);

  second = hv_test_hotplug_new_disk (work_dir, "f0e10002-0000-4000-8000-000000000002", TRUE);
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (second), 1, &error);
  g_assert_no_error (error);
  added = hv_test_hotplug_find (guest, HV_DEVICE_TYPE_DISK, "f0e10002-0000-4000-8000-000000000002");
  g_assert_nonnull (added);
  g_assert_cmpint (added->pci, !=, free_slot);
  after = hv_test_kvm_launch_pci_layout (guest);
  g_assert_cmpstr (g_hash_table_lookup (after, GINT_TO_POINTER (free_slot)), ==, "by-hand0");
  hv_test_hotplug_assert_agree (guest, 0);

  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_DEL, HV_DEVICE (second), 1, &error);
  g_assert_no_error (error);
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_DEL, HV_DEVICE (first), 0, &error);
  g_assert_no_error (error);
  /* and the hand-made device goes as it came, its removal waited for */
  qmp = hv_kvm_instance_get_qmp (instance ());
  hv_kvm_qmp_client_wait_event_async (qmp, "DEVICE_DELETED", is_device_deleted,
                                      g_strdup ("by-hand0"), g_free, HV_TEST_HOTPLUG_TIMEOUT_MS,
                                      NULL, hv_test_store_result, &result);
  g_clear_pointer (&arguments, json_object_unref);
  arguments = json_object_new ();
  json_object_set_string_member (arguments, "id", "by-hand0");
  g_clear_pointer (&reply, json_node_unref);
  reply = hv_test_kvm_launch_qmp (guest, "device_del", arguments, &error);
  g_assert_no_error (error);
  deleted = hv_kvm_qmp_client_wait_event_finish (qmp, hv_test_wait_result (&result), NULL, NULL,
                                                 &error);
  g_assert_no_error (error);
  hv_test_hotplug_assert_agree (guest, 0);
}

/* -- an instance started from the record ------------------------------------- */

static void
test_start_from_record (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk1 = NULL;
  g_autoptr(HvDisk) disk2 = NULL;
  g_autoptr(HvNic) nic = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(HvKvmRuntime) saved = NULL;
  GHashTableIter iter;
  gpointer slot, id;

  if (!require_netns ())
    return;
  disk1 = hv_test_hotplug_new_disk (work_dir, "5ec0d001-0000-4000-8000-000000000001", TRUE);
  disk2 = hv_test_hotplug_new_disk (work_dir, "5ec0d002-0000-4000-8000-000000000002", TRUE);
  nic = hv_test_hotplug_new_nic ("5ec0d003-0000-4000-8000-000000000003", "52:54:00:aa:00:03");
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (disk1), 0, &error);
  g_assert_no_error (error);
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (nic), 0, &error);
  g_assert_no_error (error);
  hv_test_hotplug_run (guest, HV_TEST_HOTPLUG_ADD, HV_DEVICE (disk2), 1, &error);
  g_assert_no_error (error);
  before = hv_test_kvm_launch_pci_layout (guest);

  /* what a migration target (or a restart) runs: the command line from the
   * saved record, the hot-plugged devices on it */
  saved = hv_kvm_runtime_load (hv_kvm_instance_get_store (instance ()), GUEST_NAME, &error);
  g_assert_no_error (error);
  hv_test_kvm_launch_kill (guest);
  hv_test_kvm_launch_start (guest, saved, "defer", &error);
  g_assert_no_error (error);
  after = hv_test_kvm_launch_pci_layout (guest);
  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &slot, &id))
    {
      g_test_message ("slot %d: %s", GPOINTER_TO_INT (slot), (const gchar *) id);
      g_assert_cmpstr (g_hash_table_lookup (after, slot), ==, id);
    }
  g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before));
  /* the last test: the guest is not booted again */
  g_clear_pointer (&guest, hv_test_kvm_launch_free);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* hotplug must use the context it is called in, never the global one */
  g_main_context_push_thread_default (context);

  work_dir = g_dir_make_tmp ("hvkit-hotplug-XXXXXX", &error);
  g_assert_no_error (error);
  have_netns = geteuid () == 0 && hv_test_netns_enter (&error);
  g_clear_error (&error);
  if (have_netns)
    {
      hv_test_netns_add_bridge ("br0", &error);
      g_assert_no_error (error);
    }
  hv_test_hotplug_set_in_netns (have_netns);

  g_test_add_func ("/kvm/hotplug/supported", test_supported);
  g_test_add_func ("/kvm/hotplug/disk", test_disk);
  g_test_add_func ("/kvm/hotplug/disk-fd", test_disk_fd);
  g_test_add_func ("/kvm/hotplug/nic", test_nic);
  g_test_add_func ("/kvm/hotplug/eight-disks", test_eight_disks);
  g_test_add_func ("/kvm/hotplug/failure-missing-file", test_failure_missing_file);
  g_test_add_func ("/kvm/hotplug/failure-taken-slot", test_failure_taken_slot);
  g_test_add_func ("/kvm/hotplug/failure-ifup", test_failure_ifup);
  g_test_add_func ("/kvm/hotplug/failure-ifup-hangs", test_failure_ifup_hangs);
  g_test_add_func ("/kvm/hotplug/late-removal", test_late_removal);
  g_test_add_func ("/kvm/hotplug/late-removal-after-restart", test_late_removal_after_restart);
  g_test_add_func ("/kvm/hotplug/foreign-device", test_foreign_device);
  g_test_add_func ("/kvm/hotplug/start-from-record", test_start_from_record);
  status = g_test_run ();

  g_clear_pointer (&guest, hv_test_kvm_launch_free);
  g_main_context_pop_thread_default (context);
  hv_test_remove_tree (work_dir);
  return status;
}
