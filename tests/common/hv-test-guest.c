/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <json-glib/json-glib.h>

#include "hv-test-guest.h"

/* The test guest is built by tests/guest/build-guest.py into the directory
 * meson passes as HVKIT_TEST_GUEST_DIR; guest.json there says what it is. */
typedef struct {
  gchar *dir;
  gchar *kernel_release;
  gchar *kernel_args;
  gchar *error;
} HvTestGuestInfo;

/**
 * hv_test_get_accel:
 *
 * The QEMU accelerator for tests whose guest must run: "tcg", unless
 * HVKIT_TEST_ACCEL names another one. The presence of /dev/kvm never selects
 * KVM: the one on the project machines exists but cannot boot Linux (see
 * docs/design.md, "Test guest").
 *
 * Returns: "tcg" or the value of HVKIT_TEST_ACCEL
 */
const gchar *
hv_test_get_accel (void)
{
  const gchar *accel = g_getenv ("HVKIT_TEST_ACCEL");

  if (accel == NULL || *accel == '\0')
    return "tcg";
  if (!g_str_equal (accel, "tcg") && !g_str_equal (accel, "kvm"))
    g_critical ("HVKIT_TEST_ACCEL=%s: expected tcg or kvm", accel);
  return accel;
}

/**
 * hv_test_get_qemu:
 *
 * The QEMU that tests of instances give as kvm_path: the system's
 * (Debian 12's 7.2), unless HVKIT_TEST_QEMU names another one, such as
 * the wrapper of the QEMU 10.0 that contrib/fetch-qemu.sh unpacks (meson
 * runs the lifecycle and hotplug tests a second time with it).
 *
 * Returns: an absolute path
 */
const gchar *
hv_test_get_qemu (void)
{
  const gchar *qemu = g_getenv ("HVKIT_TEST_QEMU");

  if (qemu == NULL || *qemu == '\0')
    return "/usr/bin/qemu-system-x86_64";
  if (!g_path_is_absolute (qemu))
    g_critical ("HVKIT_TEST_QEMU=%s: expected an absolute path", qemu);
  return qemu;
}

static HvTestGuestInfo *
hv_test_guest_load (void)
{
  static HvTestGuestInfo info;
  static gsize loaded = 0;

  if (g_once_init_enter (&loaded))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree gchar *manifest = NULL;
      const gchar *dir = g_getenv ("HVKIT_TEST_GUEST_DIR");
      JsonObject *root;

      if (dir == NULL || *dir == '\0')
        {
          info.error = g_strdup ("HVKIT_TEST_GUEST_DIR is not set (tests that boot "
                                 "the test guest run through `meson test`)");
          goto out;
        }
      info.dir = g_strdup (dir);
      manifest = g_build_filename (dir, "guest.json", NULL);
      if (!json_parser_load_from_file (parser, manifest, &error))
        {
          info.error = g_strdup_printf ("cannot read the test guest's %s: %s "
                                        "(build it with `meson compile -C build hv-test-guest`)",
                                        manifest, error->message);
          goto out;
        }
      root = json_node_get_object (json_parser_get_root (parser));
      info.kernel_release = g_strdup (json_object_get_string_member_with_default (root, "kernel_release", ""));
      info.kernel_args = g_strdup (json_object_get_string_member_with_default (root, "kernel_args", ""));
      if (*info.kernel_release == '\0' || *info.kernel_args == '\0')
        info.error = g_strdup_printf ("%s lacks kernel_release or kernel_args", manifest);
out:
      g_once_init_leave (&loaded, 1);
    }
  return &info;
}

/**
 * hv_test_guest_require:
 *
 * Checks that the test guest is available for the running test. Outside
 * `meson test` (no HVKIT_TEST_GUEST_DIR) the test is skipped; when meson says
 * where the guest is but it is not there, the test fails, since the build
 * was supposed to make it.
 *
 * Returns: %TRUE if the test can boot the guest; otherwise the test is
 *   already marked skipped or failed and should return
 */
gboolean
hv_test_guest_require (void)
{
  HvTestGuestInfo *info = hv_test_guest_load ();

  if (info->error == NULL)
    return TRUE;
  if (info->dir == NULL)
    g_test_skip (info->error);
  else
    g_test_fail_printf ("%s", info->error);
  return FALSE;
}

/**
 * hv_test_guest_get_dir:
 *
 * Returns: the directory holding vmlinuz, initrd.img and guest.json
 */
const gchar *
hv_test_guest_get_dir (void)
{
  HvTestGuestInfo *info = hv_test_guest_load ();

  g_return_val_if_fail (info->error == NULL, NULL);
  return info->dir;
}

/**
 * hv_test_guest_get_kernel:
 *
 * Returns: (transfer full): the path of the guest's kernel, for `-kernel`
 */
gchar *
hv_test_guest_get_kernel (void)
{
  return g_build_filename (hv_test_guest_get_dir (), "vmlinuz", NULL);
}

/**
 * hv_test_guest_get_initrd:
 *
 * Returns: (transfer full): the path of the guest's initramfs, for `-initrd`
 */
gchar *
hv_test_guest_get_initrd (void)
{
  return g_build_filename (hv_test_guest_get_dir (), "initrd.img", NULL);
}

/**
 * hv_test_guest_get_kernel_args:
 *
 * The kernel command line the guest was measured with: the console on
 * ttyS0, no reboot loop on panic, and the switches that shorten a TCG boot.
 *
 * Returns: the arguments for `-append`
 */
const gchar *
hv_test_guest_get_kernel_args (void)
{
  HvTestGuestInfo *info = hv_test_guest_load ();

  g_return_val_if_fail (info->error == NULL, NULL);
  return info->kernel_args;
}

/**
 * hv_test_guest_get_kernel_release:
 *
 * Returns: what `uname -r` says in the guest, e.g. "6.1.0-56-cloud-amd64"
 */
const gchar *
hv_test_guest_get_kernel_release (void)
{
  HvTestGuestInfo *info = hv_test_guest_load ();

  g_return_val_if_fail (info->error == NULL, NULL);
  return info->kernel_release;
}
