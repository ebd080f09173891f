/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <unistd.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm.h"
#include "hv-kvm-runtime.h"
#include "hv-test.h"
#include "hv-test-files.h"
#include "hv-test-async.h"
#include "hv-test-kvm-guest.h"

/*
 * Hotplug end to end, through the interface as a node daemon or a Python
 * script calls it (the blocking forms, served by HvKvm's monitor thread):
 * StartInstance with the test guest, HotplugSupported and
 * VerifyHotplugSupport, a disk and a NIC on a bridge hot-added — the guest
 * reports them — modified, removed (device-removed tells of it), then two
 * disks and a NIC hot-added and a reboot, which starts QEMU from the
 * record: the guest finds every device in the slot it had.
 */

#define NAME               "hp-kvm"
#define COMMAND_TIMEOUT_MS 20000

static gchar *work_dir;
static gboolean have_netns;

typedef struct {
  HvHypervisor  *kvm;
  HvInstance    *instance;
  HvTestConsole *serial;
  GPtrArray     *removed;   /* device ids from device-removed */
} Guest;

static void
device_removed_cb (HvHypervisor *kvm,
                   const gchar  *name,
                   const gchar  *device_id,
                   gpointer      user_data)
{
  Guest *guest = user_data;

  g_assert_cmpstr (name, ==, NAME);
  g_ptr_array_add (guest->removed, g_strdup (device_id));
}

static gchar *
write_script (const gchar *name,
              const gchar *body)
{
  g_autofree gchar *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);
  gchar *path = g_build_filename (work_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0700), ==, 0);
  return path;
}

static HvHypervisor *
new_kvm (Guest *guest)
{
  g_autofree gchar *ifup = write_script ("ifup", "ip link set \"$INTERFACE\" master \"$BRIDGE\" up");
  g_autofree gchar *ifdown = write_script ("ifdown", "exit 0");
  g_autofree gchar *run_dir = g_build_filename (work_dir, "run", NULL);
  g_autoptr(GError) error = NULL;
  GVariantDict config;
  HvKvm *kvm;

  g_variant_dict_init (&config, NULL);
  g_variant_dict_insert (&config, "run-dir", "s", run_dir);
  g_variant_dict_insert (&config, "ifup-script", "s", ifup);
  g_variant_dict_insert (&config, "ifdown-script", "s", ifdown);
  kvm = hv_kvm_new (g_variant_dict_end (&config), &error);
  g_assert_no_error (error);
  g_signal_connect (kvm, "device-removed", G_CALLBACK (device_removed_cb), guest);
  return HV_HYPERVISOR (kvm);
}

static HvInstance *
new_instance (HvHypervisor *kvm)
{
  return hv_test_kvm_guest_new_instance (kvm, NAME, "7a0b1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3", 128);
}

/* Connects the console of a QEMU started paused, lets the guest run
 * through the HMP monitor (the socket left to people) and waits for it. */
static void
boot (Guest *guest)
{
  g_autofree gchar *run_dir = g_build_filename (work_dir, "run", NULL);

  if (guest->serial != NULL)
    hv_test_console_close (guest->serial);
  g_clear_object (&guest->serial);
  guest->serial = hv_test_kvm_guest_boot (run_dir, NAME);
}

static gchar *
guest_run (Guest       *guest,
           const gchar *command)
{
  g_autoptr(GError) error = NULL;
  gint status = -1;
  gchar *output = hv_test_console_run (guest->serial, command, COMMAND_TIMEOUT_MS, &status,
                                       &error);

  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  return output;
}

static void
wait_uevent (Guest       *guest,
             const gchar *action,
             const gchar *subsystem,
             gint         slot)
{
  g_autofree gchar *pattern = g_strdup_printf ("^UEVENT %s %s /devices/pci0000:00/0000:00:%02x\\.0/",
                                               action, subsystem, slot);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *line = hv_test_console_wait_for_line (guest->serial, pattern,
                                                          COMMAND_TIMEOUT_MS, &error);

  g_assert_no_error (error);
}

static HvDisk *
new_disk (const gchar *uuid)
{
  g_autofree gchar *path = g_strdup_printf ("%s/disk-%.8s.img", work_dir, uuid);
  HvDisk *disk = hv_disk_new ();
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (truncate (path, 16 * 1024 * 1024), ==, 0);
  hv_device_set_uuid (HV_DEVICE (disk), uuid);
  hv_disk_set_size (disk, 16);
  hv_disk_set_mode (disk, "rw");
  hv_disk_set_link (disk, path);
  return disk;
}

static HvNic *
new_nic (const gchar *uuid,
         const gchar *mac)
{
  HvNic *nic = hv_nic_new ();

  hv_device_set_uuid (HV_DEVICE (nic), uuid);
  hv_nic_set_mac (nic, mac);
  hv_nic_set_mode (nic, "bridged");
  hv_nic_set_link (nic, "br0");
  return nic;
}

/* Slot and vendor:device of every PCI function, as the guest sees them. */
static gchar *
guest_pci_layout (Guest *guest)
{
  return guest_run (guest, "for d in /sys/bus/pci/devices/*; do"
                           " echo ${d##*/} $(cat $d/vendor):$(cat $d/device); done");
}

static void
add (Guest    *guest,
     HvDevice *device,
     guint     seq)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_hypervisor_hot_add_device_sync (guest->kvm, guest->instance, device, seq, NULL,
                                                    &error));
  g_assert_no_error (error);
  g_assert_cmpint (hv_device_get_pci (device), >, 2);
  wait_uevent (guest, "add", HV_IS_DISK (device) ? "block" : "net", hv_device_get_pci (device));
}

static void
del (Guest    *guest,
     HvDevice *device,
     guint     seq)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *id = g_strdup_printf ("%s-%.8s-pci-%d", HV_IS_DISK (device) ? "disk" : "nic",
                                          hv_device_get_uuid (device), hv_device_get_pci (device));

  g_ptr_array_set_size (guest->removed, 0);
  g_assert_true (hv_hypervisor_hot_del_device_sync (guest->kvm, guest->instance, device, seq, NULL,
                                                    &error));
  g_assert_no_error (error);
  wait_uevent (guest, "remove", HV_IS_DISK (device) ? "block" : "net", hv_device_get_pci (device));
  /* device-removed comes in the context HvKvm was made in */
  while (guest->removed->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (g_ptr_array_index (guest->removed, 0), ==, id);
}

/* A disk, and a NIC on the bridge the guest sees with its MAC; the NIC
 * modified on its slot; both removed. */
static void
add_modify_remove (Guest *guest)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk = new_disk ("aaaa0001-0000-4000-8000-000000000001");
  g_autoptr(HvNic) nic = new_nic ("bbbb0001-0000-4000-8000-000000000001", "52:54:00:dd:00:01");
  g_autoptr(HvNic) changed = new_nic ("bbbb0001-0000-4000-8000-000000000001", "52:54:00:dd:00:02");
  g_autofree gchar *macs = NULL;
  g_autofree gchar *macs_after = NULL;
  gint slot;

  add (guest, HV_DEVICE (disk), 0);
  add (guest, HV_DEVICE (nic), 0);
  macs = guest_run (guest, "cat /sys/class/net/*/address");
  g_assert_nonnull (strstr (macs, "52:54:00:dd:00:01"));

  /* HotMod: the NIC again on its slot, with another MAC */
  slot = hv_device_get_pci (HV_DEVICE (nic));
  g_assert_true (hv_hypervisor_hot_mod_device_sync (guest->kvm, guest->instance, HV_DEVICE (changed),
                                                    0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (changed)), ==, slot);
  wait_uevent (guest, "add", "net", slot);
  macs_after = guest_run (guest, "cat /sys/class/net/*/address");
  g_assert_nonnull (strstr (macs_after, "52:54:00:dd:00:02"));
  g_assert_null (strstr (macs_after, "52:54:00:dd:00:01"));

  del (guest, HV_DEVICE (changed), 0);
  del (guest, HV_DEVICE (disk), 0);
}

/* Two disks and a NIC, then a reboot: QEMU starts from the record, and the
 * guest finds every device where it was. */
static void
add_and_reboot (Guest *guest)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk1 = new_disk ("aaaa0002-0000-4000-8000-000000000002");
  g_autoptr(HvDisk) disk2 = new_disk ("aaaa0003-0000-4000-8000-000000000003");
  g_autoptr(HvNic) nic = new_nic ("bbbb0002-0000-4000-8000-000000000002", "52:54:00:dd:00:03");
  g_autofree gchar *before = NULL;
  g_autofree gchar *after = NULL;

  add (guest, HV_DEVICE (disk1), 0);
  add (guest, HV_DEVICE (nic), 0);
  add (guest, HV_DEVICE (disk2), 1);
  before = guest_pci_layout (guest);
  g_assert_true (hv_hypervisor_reboot_instance_sync (guest->kvm, guest->instance, NULL, &error));
  g_assert_no_error (error);
  boot (guest);
  after = guest_pci_layout (guest);
  g_test_message ("PCI layout:\n%s", after);
  g_assert_cmpstr (after, ==, before);
}

/* VerifyHotplugSupport reads the configuration only. */
static void
verify_support (Guest *guest)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvInstance) ide = hv_instance_new (NAME);
  GVariantDict dict;

  g_assert_true (hv_hypervisor_verify_hotplug_support (guest->kvm, guest->instance,
                                                       HV_HOTPLUG_ACTION_ADD, HV_DEVICE_TYPE_DISK,
                                                       &error));
  g_assert_no_error (error);
  g_variant_dict_init (&dict, hv_instance_get_hvparams (guest->instance));
  g_variant_dict_insert (&dict, "disk_type", "s", "ide");
  hv_instance_set_hvparams (ide, g_variant_dict_end (&dict));
  g_assert_false (hv_hypervisor_verify_hotplug_support (guest->kvm, ide, HV_HOTPLUG_ACTION_ADD,
                                                        HV_DEVICE_TYPE_DISK, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_HOTPLUG);
}

static void
test_hypervisor (void)
{
  Guest guest = { NULL, };
  g_autoptr(GError) error = NULL;

  if (!hv_test_guest_require ())
    return;
  if (!have_netns)
    {
      g_test_skip ("no private network namespace for the NIC (not root?)");
      return;
    }
  guest.removed = g_ptr_array_new_with_free_func (g_free);
  guest.kvm = new_kvm (&guest);
  guest.instance = new_instance (guest.kvm);

  /* not running: HotplugSupported says so */
  g_assert_false (hv_hypervisor_hotplug_supported_sync (guest.kvm, guest.instance, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  g_assert_true (hv_hypervisor_start_instance_sync (guest.kvm, guest.instance, TRUE, NULL, &error));
  g_assert_no_error (error);
  boot (&guest);
  g_assert_true (hv_hypervisor_hotplug_supported_sync (guest.kvm, guest.instance, NULL, &error));
  g_assert_no_error (error);
  verify_support (&guest);
  add_modify_remove (&guest);
  add_and_reboot (&guest);

  g_assert_true (hv_hypervisor_stop_instance_sync (guest.kvm, guest.instance, TRUE, FALSE, 0, NULL,
                                                   &error));
  g_assert_no_error (error);
  hv_test_console_close (guest.serial);
  g_clear_object (&guest.serial);
  g_clear_object (&guest.instance);
  g_clear_object (&guest.kvm);
  g_ptr_array_unref (guest.removed);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  gint status;

  g_test_init (&argc, &argv, NULL);
  work_dir = g_dir_make_tmp ("hvkit-hp-kvm-XXXXXX", &error);
  g_assert_no_error (error);
  /* before HvKvm's thread exists: it follows this one into the namespace */
  have_netns = geteuid () == 0 && hv_test_netns_enter (&error);
  g_clear_error (&error);
  if (have_netns)
    {
      hv_test_netns_add_bridge ("br0", &error);
      g_assert_no_error (error);
    }
  g_test_add_func ("/kvm/hotplug/hypervisor", test_hypervisor);
  status = g_test_run ();
  hv_test_remove_tree (work_dir);
  return status;
}
