/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hv-test-kvm-guest.h"

/*
 * The test guest as an instance of HvKvm, for the tests and benchmarks
 * that start it through the interface (those that start QEMU themselves
 * use hv-test-kvm-launch.c).
 */

/**
 * hv_test_kvm_guest_new_instance:
 * @kvm: the KVM hypervisor, for its default hvparams
 * @name: the instance's name
 * @uuid: its uuid
 * @memory_mib: maxmem and memory
 *
 * Returns: (transfer full): an instance booting the test guest's kernel
 *   and initramfs, one vCPU, under TCG unless HVKIT_TEST_ACCEL says kvm
 */
HvInstance *
hv_test_kvm_guest_new_instance (HvHypervisor *kvm,
                                const gchar  *name,
                                const gchar  *uuid,
                                gint64        memory_mib)
{
  g_autoptr(GVariant) defaults = NULL;
  g_autofree gchar *kernel = hv_test_guest_get_kernel ();
  g_autofree gchar *initrd = hv_test_guest_get_initrd ();
  HvInstance *instance = hv_instance_new (name);
  GVariantDict hvparams;
  GVariantDict beparams;

  g_object_get (kvm, "default-hvparams", &defaults, NULL);
  g_variant_dict_init (&hvparams, defaults);
  g_variant_dict_insert (&hvparams, "kvm_path", "s", hv_test_get_qemu ());
  g_variant_dict_insert (&hvparams, "kvm_flag", "s",
                         g_str_equal (hv_test_get_accel (), "kvm") ? "enabled" : "disabled");
  g_variant_dict_insert (&hvparams, "kernel_path", "s", kernel);
  g_variant_dict_insert (&hvparams, "initrd_path", "s", initrd);
  g_variant_dict_insert (&hvparams, "root_path", "s", "/dev/ram0");
  g_variant_dict_insert (&hvparams, "kernel_args", "s", hv_test_guest_get_kernel_args ());
  hv_instance_set_hvparams (instance, g_variant_dict_end (&hvparams));
  hv_instance_set_uuid (instance, uuid);
  g_variant_dict_init (&beparams, NULL);
  g_variant_dict_insert (&beparams, "maxmem", "x", memory_mib);
  g_variant_dict_insert (&beparams, "memory", "x", memory_mib);
  g_variant_dict_insert (&beparams, "vcpus", "x", (gint64) 1);
  hv_instance_set_beparams (instance, g_variant_dict_end (&beparams));
  return instance;
}

/**
 * hv_test_kvm_guest_boot:
 * @run_dir: HvKvm's run directory
 * @name: an instance started paused
 *
 * Connects the instance's serial console, lets the guest run through the
 * HMP monitor (the socket left to people), so that nothing it prints is
 * missed, and waits for its ready line.
 *
 * Returns: (transfer full): the serial console, still connected
 */
HvTestConsole *
hv_test_kvm_guest_boot (const gchar *run_dir,
                        const gchar *name)
{
  g_autofree gchar *serial_file = g_strconcat (name, ".serial", NULL);
  g_autofree gchar *monitor_file = g_strconcat (name, ".monitor", NULL);
  g_autofree gchar *serial_path = g_build_filename (run_dir, serial_file, NULL);
  g_autofree gchar *monitor_path = g_build_filename (run_dir, monitor_file, NULL);
  g_autoptr(HvTestConsole) hmp = hv_test_console_new ("hmp");
  HvTestConsole *serial = hv_test_console_new ("serial");
  g_autofree gchar *ready = NULL;
  g_autoptr(GError) error = NULL;

  hv_test_console_connect (serial, serial_path, &error);
  g_assert_no_error (error);
  hv_test_console_connect (hmp, monitor_path, &error);
  g_assert_no_error (error);
  hv_test_console_send_line (hmp, "cont");
  ready = hv_test_console_wait_for_line (serial, HV_TEST_GUEST_READY_PATTERN,
                                         HV_TEST_KVM_GUEST_BOOT_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  hv_test_console_close (hmp);
  return serial;
}
