/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <hvkit/hvkit.h>

/* HvRemoteHypervisor from C against hvkitd with the test plugin "fake",
 * on a private bus (GTestDBus): every HV_ERROR code comes back as the same
 * domain, code and message; a migration follows its job in the blocking
 * form, which iterates only its own context. With the KVM plugin, a real
 * QEMU error keeps its class across the bus. */

#define HV_TEST_TIMEOUT_S 30

typedef struct {
  GTestDBus *bus;
  gchar *run_dir;               /* the KVM plugin's, or NULL */
  GSubprocess *hvkitd;
  GDBusConnection *connection;
  HvRemoteHypervisor *remote;
} Fixture;

static void
on_name_appeared (GDBusConnection *connection,
                  const gchar     *name,
                  const gchar     *owner,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
remove_tree (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean appeared = FALSE, timed_out = FALSE;
  guint watch, timer;

  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  /* --session: no polkit, the bus is the test's own */
  if (g_strcmp0 (data, "kvm") == 0)
    {
      fixture->run_dir = g_dir_make_tmp ("hvkit-remote-kvm-XXXXXX", &error);
      g_assert_no_error (error);
      fixture->hvkitd = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                                          g_getenv ("HVKIT_TEST_HVKITD"), "--session",
                                          "--run-dir", fixture->run_dir, NULL);
    }
  else
    fixture->hvkitd = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                                        g_getenv ("HVKIT_TEST_HVKITD"), "--session",
                                        "--plugin-dir", g_getenv ("HVKIT_TEST_FAKE_PLUGIN_DIR"),
                                        NULL);
  g_assert_no_error (error);
  watch = g_bus_watch_name_on_connection (fixture->connection, HV_REMOTE_HYPERVISOR_BUS_NAME,
                                          G_BUS_NAME_WATCHER_FLAGS_NONE, on_name_appeared,
                                          NULL, &appeared, NULL);
  timer = g_timeout_add_seconds (HV_TEST_TIMEOUT_S, on_timeout, &timed_out);
  while (!appeared && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_bus_unwatch_name (watch);
  g_assert_true (appeared);
  g_source_remove (timer);

  fixture->remote = hv_remote_hypervisor_new_sync (fixture->connection,
                                                   data != NULL ? data : "fake", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->remote);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->remote);
  g_subprocess_send_signal (fixture->hvkitd, SIGTERM);
  g_subprocess_wait_check (fixture->hvkitd, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&fixture->hvkitd);
  g_clear_object (&fixture->connection);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
  if (fixture->run_dir != NULL)
    remove_tree (fixture->run_dir);
  g_clear_pointer (&fixture->run_dir, g_free);
}

/* hvkitd sends the class as the last element of the error's name; one
 * that is no name element (a '-') is left out rather than mangled */
static void
test_monitor_error_class (Fixture       *fixture,
                          gconstpointer  data)
{
  static const struct {
    const gchar *name;
    const gchar *qmp_class;
  } cases[] = {
    { "error-7-DeviceNotFound", "DeviceNotFound" },
    { "error-7-GenericError", "GenericError" },
    { "error-7", NULL },
    { "error-7-Not-A-Name", NULL },
    { "error-2-DeviceNotFound", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HvInstanceInfo) info = NULL;
      gint code = g_str_has_prefix (cases[i].name, "error-7") ? HV_ERROR_MONITOR : HV_ERROR_HOTPLUG;
      g_autofree gchar *message = g_strdup_printf ("fake error %d for %s", code, cases[i].name);

      info = hv_hypervisor_get_instance_info_sync (HV_HYPERVISOR (fixture->remote),
                                                   cases[i].name, NULL, &error);
      g_assert_null (info);
      g_assert_error (error, HV_ERROR, code);
      g_assert_cmpstr (error->message, ==, message);
      g_assert_cmpstr (hv_error_get_qmp_class (error), ==, cases[i].qmp_class);
    }
}

static void
test_every_error_code (Fixture       *fixture,
                       gconstpointer  data)
{
  for (gint code = HV_ERROR_FAILED; code <= HV_ERROR_RUNTIME_CORRUPT; code++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HvInstanceInfo) info = NULL;
      g_autofree gchar *name = g_strdup_printf ("error-%d", code);
      g_autofree gchar *message = g_strdup_printf ("fake error %d for %s", code, name);

      info = hv_hypervisor_get_instance_info_sync (HV_HYPERVISOR (fixture->remote), name,
                                                   NULL, &error);
      g_assert_null (info);
      g_assert_error (error, HV_ERROR, code);
      g_assert_cmpstr (error->message, ==, message);
    }
}

static void
test_objects_and_names (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvInstanceInfo) info = NULL;
  g_auto(GStrv) names = NULL;

  g_assert_cmpstr (hv_hypervisor_get_name (HV_HYPERVISOR (fixture->remote)), ==, "fake");
  names = hv_hypervisor_list_instances (HV_HYPERVISOR (fixture->remote), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (names, ((const gchar * const[]) { "fake-1", NULL }));
  info = hv_hypervisor_get_instance_info_sync (HV_HYPERVISOR (fixture->remote), "fake-1",
                                               NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hv_instance_info_get_name (info), ==, "fake-1");
  g_assert_cmpint (hv_instance_info_get_state (info), ==, HV_INSTANCE_STATE_RUNNING);
  g_assert_cmpint (hv_instance_info_get_memory (info), ==, 128);
  g_clear_object (&info);

  /* hvkitd checks names before the driver sees them */
  info = hv_hypervisor_get_instance_info_sync (HV_HYPERVISOR (fixture->remote), "../evil",
                                               NULL, &error);
  g_assert_null (info);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_nonnull (strstr (error->message, "../evil"));
}

static void
test_migration_blocking (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvInstance) instance = hv_instance_new ("fake-1");

  g_assert_true (hv_hypervisor_migrate_instance_sync (HV_HYPERVISOR (fixture->remote), instance,
                                                      "node2", TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (hv_hypervisor_migrate_instance_sync (HV_HYPERVISOR (fixture->remote), instance,
                                                       "fail", TRUE, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_MIGRATION);
  g_assert_cmpstr (error->message, ==, "fake migration of fake-1 to fail failed");
}

/* The test guest's kernel, started paused under TCG: QEMU's own answers,
 * no guest needed. */
static HvInstance *
make_kvm_instance (gint64 downtime_ms)
{
  g_autofree gchar *defaults_dir = g_dir_make_tmp ("hvkit-remote-defaults-XXXXXX", NULL);
  g_autoptr(HvPluginLoader) loader = hv_plugin_loader_new (NULL);
  g_autoptr(HvHypervisor) kvm = NULL;
  g_autoptr(GVariant) defaults = NULL;
  g_autoptr(GVariant) config = NULL;
  g_autoptr(GVariant) spec = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict hvparams;
  g_auto(GVariantBuilder) dict = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autofree gchar *kernel = g_build_filename (g_getenv ("HVKIT_TEST_GUEST_DIR"), "vmlinuz", NULL);
  g_autofree gchar *initrd = g_build_filename (g_getenv ("HVKIT_TEST_GUEST_DIR"), "initrd.img",
                                               NULL);
  HvInstance *instance;

  /* the driver's defaults, from an HvKvm of this process (its own run dir) */
  config = g_variant_ref_sink (g_variant_new_parsed ("{'run-dir': <%s>}", defaults_dir));
  kvm = hv_plugin_loader_get_hypervisor (loader, "kvm", config, &error);
  g_assert_no_error (error);
  g_object_get (kvm, "default-hvparams", &defaults, NULL);
  g_clear_object (&kvm);
  remove_tree (defaults_dir);

  g_variant_dict_init (&hvparams, defaults);
  g_variant_dict_insert (&hvparams, "kvm_path", "s", "/usr/bin/qemu-system-x86_64");
  g_variant_dict_insert (&hvparams, "kvm_flag", "s", "disabled");
  g_variant_dict_insert (&hvparams, "kernel_path", "s", kernel);
  g_variant_dict_insert (&hvparams, "initrd_path", "s", initrd);
  g_variant_dict_insert (&hvparams, "root_path", "s", "/dev/ram0");
  g_variant_dict_insert (&hvparams, "migration_downtime", "x", downtime_ms);
  g_variant_builder_add (&dict, "{sv}", "name", g_variant_new_string ("remote-qemu-error"));
  g_variant_builder_add (&dict, "{sv}", "uuid",
                         g_variant_new_string ("8c3d4e5f-6071-4829-8a3b-4c5d6e7f8091"));
  g_variant_builder_add (&dict, "{sv}", "hvparams", g_variant_dict_end (&hvparams));
  g_variant_builder_add (&dict, "{sv}", "beparams",
                         g_variant_new_parsed ("{'maxmem': <int64 64>, 'memory': <int64 64>,"
                                               " 'vcpus': <int64 1>}"));
  spec = g_variant_ref_sink (g_variant_builder_end (&dict));
  instance = hv_instance_new_from_variant (spec, &error);
  g_assert_no_error (error);
  return instance;
}

/* QEMU refuses a downtime limit above 2000 s with its GenericError, which
 * hvkitd sends as org.hvkit.Error.Monitor.GenericError: the remote makes
 * it HV_ERROR_MONITOR with the class again */
static void
test_qemu_error_class (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(HvInstance) instance = NULL;
  g_autoptr(GError) error = NULL;
  HvHypervisor *remote = HV_HYPERVISOR (fixture->remote);

  if (g_getenv ("HVKIT_TEST_GUEST_DIR") == NULL)
    {
      g_test_skip ("HVKIT_TEST_GUEST_DIR is not set");
      return;
    }
  instance = make_kvm_instance (3000000);
  g_assert_true (hv_hypervisor_start_instance_sync (remote, instance, TRUE, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (hv_hypervisor_migrate_instance_sync (remote, instance, "127.0.0.1", TRUE,
                                                       NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_cmpstr (hv_error_get_qmp_class (error), ==, "GenericError");
  g_assert_nonnull (strstr (error->message, "downtime"));
  g_clear_error (&error);

  g_assert_true (hv_hypervisor_stop_instance_sync (remote, instance, TRUE, FALSE, 0, NULL,
                                                   &error));
  g_assert_no_error (error);
  g_assert_true (hv_hypervisor_cleanup_instance_sync (remote, "remote-qemu-error", NULL, &error));
  g_assert_no_error (error);
}

static void
test_unreachable (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(HvRemoteHypervisor) remote = NULL;
  g_autoptr(GError) error = NULL;

  g_test_dbus_up (bus);
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  /* no hvkitd on this bus: the bus's error, said to be about hvkitd */
  remote = hv_remote_hypervisor_new_sync (connection, "kvm", NULL, &error);
  g_assert_null (remote);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "hvkitd"));
  g_clear_object (&connection);
  g_test_dbus_down (bus);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("HVKIT_TEST_HVKITD") == NULL)
    {
      g_test_skip ("HVKIT_TEST_HVKITD is not set (run through meson test)");
      return g_test_run ();
    }
  g_test_add ("/remote-hypervisor/every-error-code", Fixture, NULL,
              fixture_set_up, test_every_error_code, fixture_tear_down);
  g_test_add ("/remote-hypervisor/monitor-error-class", Fixture, NULL,
              fixture_set_up, test_monitor_error_class, fixture_tear_down);
  g_test_add ("/remote-hypervisor/objects-and-names", Fixture, NULL,
              fixture_set_up, test_objects_and_names, fixture_tear_down);
  g_test_add ("/remote-hypervisor/migration-blocking", Fixture, NULL,
              fixture_set_up, test_migration_blocking, fixture_tear_down);
  g_test_add_func ("/remote-hypervisor/unreachable", test_unreachable);
  g_test_add ("/remote-hypervisor/qemu-error-class", Fixture, "kvm",
              fixture_set_up, test_qemu_error_class, fixture_tear_down);
  return g_test_run ();
}
