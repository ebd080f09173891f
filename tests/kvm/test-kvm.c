/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "hv-kvm.h"
#include "hv-kvm-params.h"

/* HvKvm as the plugin loader creates it: configuration, initialization,
 * and the HvHypervisor methods it has so far. */
typedef struct {
  gchar *dir;
  gchar *run_dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("hvkit-kvm-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->run_dir = g_build_filename (fixture->dir, "run", "hvkit", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree gchar *run = g_path_get_dirname (fixture->run_dir);
  g_autofree gchar *lock = NULL;
  static const gchar *const made[] = { "conf", "cache", NULL };

  /* an HvKvm looks for records to take over in conf; node info keeps the
   * capabilities of the node's QEMU in cache */
  for (guint i = 0; made[i] != NULL; i++)
    {
      g_autofree gchar *dir = g_build_filename (fixture->run_dir, made[i], NULL);
      g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
      const gchar *entry;

      while (listing != NULL && (entry = g_dir_read_name (listing)) != NULL)
        {
          g_autofree gchar *path = g_build_filename (dir, entry, NULL);

          g_unlink (path);
        }
      g_rmdir (dir);
    }
  lock = g_build_filename (fixture->run_dir, "hvkit.lock", NULL);
  g_unlink (lock);
  g_rmdir (fixture->run_dir);
  g_rmdir (run);
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->run_dir);
  g_free (fixture->dir);
}

static HvKvm *
new_kvm (Fixture      *fixture,
         const gchar  *vhost_net_device,
         GError      **error)
{
  g_auto(GVariantDict) config = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert (&config, "run-dir", "s", fixture->run_dir);
  if (vhost_net_device != NULL)
    g_variant_dict_insert (&config, "vhost-net-device", "s", vhost_net_device);
  return hv_kvm_new (g_variant_dict_end (&config), error);
}

/* One process per run directory: a second is refused at once, naming the
 * first; the same process may make another HvKvm over it (a takeover). */
static void
test_run_dir_lock (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(HvKvm) kvm = NULL;
  g_autoptr(HvKvm) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *expected = NULL;

  if (g_test_subprocess ())
    {
      /* another process: the parent holds the directory */
      g_auto(GVariantDict) config = G_VARIANT_DICT_INIT (NULL);
      gint64 begin = g_get_monotonic_time ();

      g_variant_dict_insert (&config, "run-dir", "s", g_getenv ("HV_TEST_LOCKED_RUN_DIR"));
      kvm = hv_kvm_new (g_variant_dict_end (&config), &error);
      if (g_strcmp0 (g_getenv ("HV_TEST_LOCK_EXPECT"), "free") == 0)
        {
          g_assert_no_error (error);
          g_assert_nonnull (kvm);
          return;
        }
      g_assert_null (kvm);
      g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
      /* at once, not after a QMP timeout */
      g_assert_cmpint (g_get_monotonic_time () - begin, <, G_USEC_PER_SEC);
      g_printerr ("%s\n", error->message);
      return;
    }

  kvm = new_kvm (fixture, NULL, &error);
  g_assert_no_error (error);
  again = new_kvm (fixture, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&again);

  g_setenv ("HV_TEST_LOCKED_RUN_DIR", fixture->run_dir, TRUE);
  g_setenv ("HV_TEST_LOCK_EXPECT", "held", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  expected = g_strdup_printf ("*The run directory '%s' is in use by process %d*",
                              fixture->run_dir, (gint) getpid ());
  g_test_trap_assert_stderr (expected);

  /* gone with the last HvKvm of the process: another process may take it */
  g_clear_object (&kvm);
  g_setenv ("HV_TEST_LOCK_EXPECT", "free", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_config (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(HvKvm) kvm = NULL;
  g_autoptr(HvKvm) unconfigured = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *run_dir = NULL;
  struct stat st;

  /* before initialization: the built-in defaults */
  unconfigured = g_object_new (HV_TYPE_KVM, NULL);
  g_assert_cmpstr (hv_kvm_get_run_dir (unconfigured), ==, HV_DEFAULT_RUN_DIR);
  g_assert_cmpstr (hv_kvm_get_vhost_net_device (unconfigured), ==, "/dev/vhost-net");

  kvm = new_kvm (fixture, "/dev/null", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hv_kvm_get_run_dir (kvm), ==, fixture->run_dir);
  g_assert_cmpstr (hv_kvm_get_vhost_net_device (kvm), ==, "/dev/null");
  g_object_get (kvm, "run-dir", &run_dir, NULL);
  g_assert_cmpstr (run_dir, ==, fixture->run_dir);

  /* the run directory was made, with its parents, for root only */
  g_assert_cmpint (g_stat (fixture->run_dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpuint (st.st_mode & 0777, ==, 0700);

  /* GInitable: a second init gives the same answer */
  g_assert_true (g_initable_init (G_INITABLE (kvm), NULL, &error));
  g_assert_no_error (error);
}

/* The capability cache: under the run dir unless configured elsewhere,
 * made only when a probe has something to write. */
static void
test_config_cache_dir (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(HvKvm) kvm = NULL;
  g_autoptr(HvKvm) configured = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *expected = g_build_filename (fixture->run_dir, "cache", NULL);
  g_autofree gchar *elsewhere = g_build_filename (fixture->dir, "caps", NULL);
  g_autofree gchar *cache_dir = NULL;

  kvm = new_kvm (fixture, NULL, &error);
  g_assert_no_error (error);
  g_object_get (kvm, "cache-dir", &cache_dir, NULL);
  g_assert_cmpstr (cache_dir, ==, expected);
  g_assert_cmpstr (hv_kvm_capabilities_cache_get_cache_dir (hv_kvm_get_capabilities_cache (kvm)),
                   ==, expected);
  g_assert_false (g_file_test (expected, G_FILE_TEST_EXISTS));

  configured = hv_kvm_new (g_variant_new_parsed ("{'run-dir': <%s>, 'cache-dir': <%s>}",
                                                 fixture->run_dir, elsewhere), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hv_kvm_capabilities_cache_get_cache_dir (
                     hv_kvm_get_capabilities_cache (configured)), ==, elsewhere);
}

static void
test_config_refused (Fixture       *fixture,
                     gconstpointer  data)
{
  const struct {
    const gchar *config;
    const gchar *key;
  } cases[] = {
    { "{'run_dir': <'/run/hvkit'>}", "'run_dir'" },
    { "{'qemu': <'/usr/bin/qemu'>}", "known keys: run-dir, vhost-net-device" },
    { "{'run-dir': <int64 1>}", "'run-dir'" },
    { "{'run-dir': <'run/hvkit'>}", "'run-dir'" },
    { "{'vhost-net-device': <''>}", "'vhost-net-device'" },
    { "{'monitor-thread': <'no'>}", "'monitor-thread'" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HvKvm) kvm = NULL;
      g_autoptr(GError) error = NULL;

      kvm = hv_kvm_new (g_variant_new_parsed (cases[i].config), &error);
      g_assert_null (kvm);
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].key));
    }
}

/* Whether a thread of HvKvm's own (GLib names it "hv-kvm") runs in this
 * process. */
static gboolean
monitor_thread_runs (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const gchar *task;

  g_assert_nonnull (tasks);
  while ((task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree gchar *path = g_build_filename ("/proc/self/task", task, "comm", NULL);
      g_autofree gchar *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_equal (g_strchomp (comm), "hv-kvm"))
        return TRUE;
    }
  return FALSE;
}

static void
on_info_refused (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(HvInstanceInfo) info = NULL;

  info = hv_hypervisor_get_instance_info_finish (HV_HYPERVISOR (source), result, error);
  g_assert_null (info);
}

/* "monitor-thread" false (hvkitd's choice) puts the instances in the
 * creator's main context: no thread of HvKvm's own, and a call is still
 * answered later from that context, never from inside the call. */
static void
test_monitor_thread (Fixture       *fixture,
                     gconstpointer  data)
{
  for (guint with_thread = 0; with_thread <= 1; with_thread++)
    {
      g_autoptr(HvKvm) kvm = NULL;
      g_autoptr(GError) error = NULL;
      gint64 deadline;

      kvm = hv_kvm_new (g_variant_new_parsed ("{'run-dir': <%s>, 'monitor-thread': <%b>}",
                                              fixture->run_dir, (gboolean) with_thread),
                        &error);
      g_assert_no_error (error);
      g_assert_cmpint (monitor_thread_runs (), ==, with_thread);

      hv_hypervisor_get_instance_info_async (HV_HYPERVISOR (kvm), "absent", NULL,
                                             on_info_refused, &error);
      g_assert_no_error (error);
      while (error == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_error (error, HV_ERROR, HV_ERROR_NOT_RUNNING);

      g_clear_object (&kvm);
      /* The last reference may have been a task's in the monitor thread,
       * dropped there after this thread ran its callback: HvKvm is then
       * finalized in its own thread, which ends after its current
       * dispatch, detached (hv_kvm_worker_free()). Nothing to join, so its
       * end is watched in /proc, with a deadline. */
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (monitor_thread_runs () && g_get_monotonic_time () < deadline)
        g_usleep (1000);
      g_assert_false (monitor_thread_runs ());
    }
}

static void
test_run_dir_unusable (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree gchar *file = g_build_filename (fixture->dir, "file", NULL);
  g_autoptr(HvKvm) kvm = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;

  g_file_set_contents (file, "", 0, &error);
  g_assert_no_error (error);
  g_free (fixture->run_dir);
  fixture->run_dir = g_build_filename (file, "run", NULL);

  kvm = g_object_new (HV_TYPE_KVM,
                      "config", g_variant_new_parsed ("{'run-dir': <%s>}", fixture->run_dir),
                      NULL);
  g_assert_false (g_initable_init (G_INITABLE (kvm), NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, fixture->run_dir));

  g_assert_false (g_initable_init (G_INITABLE (kvm), NULL, &again));
  g_assert_error (again, HV_ERROR, HV_ERROR_FAILED);
  g_assert_cmpstr (again->message, ==, error->message);

  g_assert_cmpint (g_unlink (file), ==, 0);
}

static void
test_parameters (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(HvKvm) kvm = new_kvm (fixture, NULL, NULL);
  HvHypervisor *hypervisor = HV_HYPERVISOR (kvm);
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  const HvParamDef *defs;
  gsize n_defs;

  g_assert_cmpstr (hv_hypervisor_get_name (hypervisor), ==, "kvm");

  defs = hv_kvm_params_get_defs (&n_defs);
  first = hv_hypervisor_get_parameters (hypervisor);
  g_assert_cmpuint (first->len, ==, n_defs);
  for (guint i = 0; i < first->len; i++)
    g_assert_cmpstr (hv_param_spec_get_name (g_ptr_array_index (first, i)), ==, defs[i].name);

  /* what a caller does with its array does not change the driver's */
  g_ptr_array_set_size (first, 0);
  second = hv_hypervisor_get_parameters (hypervisor);
  g_assert_cmpuint (second->len, ==, n_defs);
}

/* The driver's defaults with some values replaced: pairs of a name and a
 * (floating) GVariant, then NULL. */
static GVariant * G_GNUC_NULL_TERMINATED
defaults_with (HvKvm       *kvm,
               const gchar *first_name,
               ...)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (hv_kvm_get_default_hvparams (kvm));
  const gchar *name;
  va_list args;

  va_start (args, first_name);
  for (name = first_name; name != NULL; name = va_arg (args, const gchar *))
    g_variant_dict_insert_value (&dict, name, va_arg (args, GVariant *));
  va_end (args);

  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static void
test_check_and_validate (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree gchar *missing = g_build_filename (fixture->dir, "vhost-net", NULL);
  g_autoptr(HvKvm) without_device = new_kvm (fixture, missing, NULL);
  g_autoptr(HvKvm) with_device = new_kvm (fixture, "/dev/null", NULL);
  HvHypervisor *hypervisor = HV_HYPERVISOR (without_device);
  g_autoptr(GVariant) defaults = NULL;
  g_autoptr(GVariant) cdrom = NULL;
  g_autoptr(GVariant) vhost = NULL;
  g_autoptr(GError) error = NULL;

  g_object_get (without_device, "default-hvparams", &defaults, NULL);
  g_assert_true (hv_hypervisor_check_parameter_syntax (hypervisor, defaults, &error));
  g_assert_no_error (error);

  /* a rule across parameters, in the syntax check */
  cdrom = defaults_with (without_device, "boot_order", g_variant_new_string ("cdrom"), NULL);
  g_assert_false (hv_hypervisor_check_parameter_syntax (hypervisor, cdrom, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);
  g_assert_false (hv_hypervisor_validate_parameters (hypervisor, cdrom, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);

  /* vhost_net: syntax is fine anywhere, the node decides */
  vhost = defaults_with (without_device,
                         "vhost_net", g_variant_new_boolean (TRUE),
                         "kvm_path", g_variant_new_string ("/bin/true"),
                         NULL);
  g_assert_true (hv_hypervisor_check_parameter_syntax (hypervisor, vhost, &error));
  g_assert_no_error (error);
  g_assert_false (hv_hypervisor_validate_parameters (hypervisor, vhost, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_nonnull (strstr (error->message, "'vhost_net'"));
  g_clear_error (&error);

  g_assert_true (hv_hypervisor_validate_parameters (HV_HYPERVISOR (with_device), vhost, &error));
  g_assert_no_error (error);
}

static void
test_node_info (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(HvKvm) kvm = new_kvm (fixture, NULL, NULL);
  g_autoptr(HvNodeInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = hv_hypervisor_get_node_info_sync (HV_HYPERVISOR (kvm), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hv_node_info_get_memory_total (info), >, 0);
  g_assert_cmpint (hv_node_info_get_memory_free (info), <=, hv_node_info_get_memory_total (info));
  g_assert_cmpint (hv_node_info_get_cpu_total (info), >=, 1);
  g_assert_cmpint (hv_node_info_get_cpu_nodes (info), >=, 1);
  g_assert_cmpint (hv_node_info_get_cpu_sockets (info), >=, 1);
  /* the version of the node's QEMU, from the capability cache */
  if (g_file_test ("/usr/bin/kvm", G_FILE_TEST_IS_EXECUTABLE))
    g_assert_true (g_regex_match_simple ("^[0-9]+\\.[0-9]+\\.[0-9]+$",
                                         hv_node_info_get_hv_version (info), 0, 0));
}

/* Ganeti's GetInstanceConsole, pure: serial over ssh, VNC, SPICE, or a
 * message. */
static void
test_console (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(HvKvm) kvm = new_kvm (fixture, NULL, NULL);
  g_autoptr(HvInstance) instance = hv_instance_new ("web1");
  g_autoptr(HvConsole) serial = NULL;
  g_autoptr(HvConsole) vnc = NULL;
  g_autoptr(HvConsole) spice = NULL;
  g_autoptr(HvConsole) none = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *connect = g_strdup_printf ("UNIX-CONNECT:%s/web1.serial", fixture->run_dir);

  hv_instance_set_network_port (instance, 5903);
  hv_instance_set_hvparams (instance, g_variant_new_parsed ("{'serial_console': <true>}"));
  serial = hv_hypervisor_get_instance_console (HV_HYPERVISOR (kvm), instance, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hv_console_get_kind (serial), ==, HV_CONSOLE_KIND_SSH);
  g_assert_cmpstr (hv_console_get_user (serial), ==, "root");
  g_assert_cmpstr (hv_console_get_host (serial), ==, g_get_host_name ());
  g_assert_cmpstrv (hv_console_get_command (serial),
                    ((const gchar *[]) { "socat", "STDIO,raw,echo=0,escape=0x1d", connect, NULL }));

  hv_instance_set_hvparams (instance, g_variant_new_parsed (
    "{'serial_console': <false>, 'vnc_bind_address': <'192.0.2.10'>}"));
  vnc = hv_hypervisor_get_instance_console (HV_HYPERVISOR (kvm), instance, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hv_console_get_kind (vnc), ==, HV_CONSOLE_KIND_VNC);
  g_assert_cmpstr (hv_console_get_host (vnc), ==, "192.0.2.10");
  g_assert_cmpint (hv_console_get_port (vnc), ==, 5903);
  g_assert_cmpint (hv_console_get_display (vnc), ==, 3);

  hv_instance_set_hvparams (instance, g_variant_new_parsed (
    "{'serial_console': <false>, 'spice_bind': <'0.0.0.0'>}"));
  spice = hv_hypervisor_get_instance_console (HV_HYPERVISOR (kvm), instance, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hv_console_get_kind (spice), ==, HV_CONSOLE_KIND_SPICE);
  /* where QEMU listens on every address, the node is where to connect */
  g_assert_cmpstr (hv_console_get_host (spice), ==, g_get_host_name ());
  g_assert_cmpint (hv_console_get_port (spice), ==, 5903);

  hv_instance_set_hvparams (instance, g_variant_new_parsed ("{'serial_console': <false>}"));
  none = hv_hypervisor_get_instance_console (HV_HYPERVISOR (kvm), instance, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hv_console_get_kind (none), ==, HV_CONSOLE_KIND_MESSAGE);
  g_assert_nonnull (strstr (hv_console_get_message (none), "web1"));
}

/* Ganeti's Verify: the node's QEMU runs, the run dir takes files. */
static void
test_verify (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(HvKvm) kvm = new_kvm (fixture, NULL, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_test ("/usr/bin/kvm", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no /usr/bin/kvm (Ganeti's default kvm_path)");
      return;
    }
  g_assert_true (hv_hypervisor_verify_sync (HV_HYPERVISOR (kvm), NULL, &error));
  g_assert_no_error (error);
}

/* A start with incomplete hvparams is refused before anything is made;
 * so is the migration of an instance that does not run here. */
static void
test_refused_and_not_supported (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(HvKvm) kvm = new_kvm (fixture, NULL, NULL);
  g_autoptr(HvInstance) instance = hv_instance_new ("web1");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) listed = NULL;

  hv_instance_set_hvparams (instance, g_variant_new_parsed ("@a{sv} {}"));
  g_assert_false (hv_hypervisor_start_instance_sync (HV_HYPERVISOR (kvm), instance, FALSE,
                                                     NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_nonnull (strstr (error->message, "kvm_path"));
  g_clear_error (&error);
  listed = hv_hypervisor_list_instances (HV_HYPERVISOR (kvm), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (listed), ==, 0);

  /* migration of an instance that does not run here: refused, saying so */
  g_assert_false (hv_hypervisor_migrate_instance_sync (HV_HYPERVISOR (kvm), instance,
                                                       "198.51.100.7", TRUE, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_RUNNING);
  g_assert_nonnull (strstr (error->message, "web1"));
  g_clear_error (&error);
  g_assert_null (hv_hypervisor_migration_info (HV_HYPERVISOR (kvm), instance, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  g_assert_false (hv_hypervisor_migrate_instance_sync (HV_HYPERVISOR (kvm), instance,
                                                       "198.51.100.7/24", TRUE, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
}

#define TEST(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  TEST ("/kvm/hypervisor/config", test_config);
  TEST ("/kvm/hypervisor/config-cache-dir", test_config_cache_dir);
  TEST ("/kvm/hypervisor/config-refused", test_config_refused);
  TEST ("/kvm/hypervisor/monitor-thread", test_monitor_thread);
  TEST ("/kvm/hypervisor/run-dir-unusable", test_run_dir_unusable);
  TEST ("/kvm/hypervisor/run-dir-lock", test_run_dir_lock);
  TEST ("/kvm/hypervisor/parameters", test_parameters);
  TEST ("/kvm/hypervisor/check-and-validate", test_check_and_validate);
  TEST ("/kvm/hypervisor/node-info", test_node_info);
  TEST ("/kvm/hypervisor/console", test_console);
  TEST ("/kvm/hypervisor/verify", test_verify);
  TEST ("/kvm/hypervisor/refused-and-not-supported", test_refused_and_not_supported);

  return g_test_run ();
}
