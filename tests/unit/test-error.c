/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>

#include "hvkit.h"

static void
test_error_dbus_names (void)
{
  const struct {
    HvError code;
    const gchar *name;
  } names[] = {
    { HV_ERROR_FAILED, "org.hvkit.Error.Failed" },
    { HV_ERROR_HOTPLUG, "org.hvkit.Error.Hotplug" },
    { HV_ERROR_NOT_SUPPORTED, "org.hvkit.Error.NotSupported" },
    { HV_ERROR_INVALID_PARAMETER, "org.hvkit.Error.InvalidParameter" },
    { HV_ERROR_NOT_RUNNING, "org.hvkit.Error.NotRunning" },
    { HV_ERROR_ALREADY_RUNNING, "org.hvkit.Error.AlreadyRunning" },
    { HV_ERROR_MONITOR, "org.hvkit.Error.Monitor" },
    { HV_ERROR_MIGRATION, "org.hvkit.Error.Migration" },
    { HV_ERROR_TIMEOUT, "org.hvkit.Error.Timeout" },
    { HV_ERROR_RUNTIME_CORRUPT, "org.hvkit.Error.RuntimeCorrupt" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) local = g_error_new_literal (HV_ERROR, names[i].code, "boom");
      g_autoptr(GError) remote = NULL;
      g_autofree gchar *dbus_name = g_dbus_error_encode_gerror (local);

      g_assert_cmpstr (dbus_name, ==, names[i].name);

      /* and back, as a client on the other side of the bus sees it */
      remote = g_dbus_error_new_for_dbus_error (names[i].name, "boom");
      g_assert_error (remote, HV_ERROR, (gint) names[i].code);
      g_assert_true (g_dbus_error_strip_remote_error (remote));
      g_assert_cmpstr (remote->message, ==, "boom");
    }
}

static void
test_error_no_code_zero (void)
{
  g_autoptr(GError) error = g_error_new_literal (HV_ERROR, HV_ERROR_FAILED, "x");

  g_assert_cmpint (HV_ERROR_FAILED, !=, 0);
  g_assert_cmpint (error->code, ==, 1);
}

static void
test_error_qmp_class (void)
{
  g_autoptr(GError) error = g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                         "device_del: Device 'x' not found");
  g_autoptr(GError) copy = NULL;
  g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "io");

  g_assert_null (hv_error_get_qmp_class (error));
  hv_error_set_qmp_class (error, "DeviceNotFound");
  g_assert_cmpstr (hv_error_get_qmp_class (error), ==, "DeviceNotFound");

  /* the class follows the error through copies and prefixes */
  copy = g_error_copy (error);
  g_prefix_error (&copy, "hot-del: ");
  g_assert_cmpstr (hv_error_get_qmp_class (copy), ==, "DeviceNotFound");

  hv_error_set_qmp_class (error, NULL);
  g_assert_null (hv_error_get_qmp_class (error));

  g_assert_null (hv_error_get_qmp_class (other));
  g_assert_null (hv_error_get_qmp_class (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/error/dbus-names", test_error_dbus_names);
  g_test_add_func ("/error/no-code-zero", test_error_no_code_zero);
  g_test_add_func ("/error/qmp-class", test_error_qmp_class);

  return g_test_run ();
}
