/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>

#include "hvkit.h"

/* Two drivers written in C: HvBareDriver implements nothing, so every call
 * meets the interface's defaults; HvTestDriver implements a few methods the
 * way a real driver does (GTask, sources on the thread-default context),
 * which the wrappers, the blocking forms and the default checks run. */

#define HV_TYPE_BARE_DRIVER (hv_bare_driver_get_type ())
G_DECLARE_FINAL_TYPE (HvBareDriver, hv_bare_driver, HV, BARE_DRIVER, GObject)

struct _HvBareDriver {
  GObject parent_instance;
};

static void
hv_bare_driver_iface_init (HvHypervisorInterface *iface)
{
}

G_DEFINE_TYPE_WITH_CODE (HvBareDriver, hv_bare_driver, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (HV_TYPE_HYPERVISOR, hv_bare_driver_iface_init))

static void
hv_bare_driver_class_init (HvBareDriverClass *klass)
{
}

static void
hv_bare_driver_init (HvBareDriver *self)
{
}

#define HV_TYPE_TEST_DRIVER (hv_test_driver_get_type ())
G_DECLARE_FINAL_TYPE (HvTestDriver, hv_test_driver, HV, TEST_DRIVER, GObject)

struct _HvTestDriver {
  GObject parent_instance;

  GHashTable *running;       /* name → HvInstance */
  GPtrArray *specs;
  guint start_delay_ms;
  gboolean saw_private_context;
};

static const gchar *
hv_test_driver_get_name (HvHypervisor *hypervisor)
{
  return "test";
}

static gchar **
hv_test_driver_list_instances (HvHypervisor *hypervisor,
                               GError      **error)
{
  HvTestDriver *self = HV_TEST_DRIVER (hypervisor);
  g_autofree const gchar **names =
    (const gchar **) g_hash_table_get_keys_as_array (self->running, NULL);

  return g_strdupv ((gchar **) names);
}

static GPtrArray *
hv_test_driver_get_parameters (HvHypervisor *hypervisor)
{
  return g_ptr_array_ref (HV_TEST_DRIVER (hypervisor)->specs);
}

static gboolean
hv_test_driver_start_done (gpointer user_data)
{
  GTask *task = user_data;
  HvTestDriver *self = g_task_get_source_object (task);
  HvInstance *instance = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;
  g_hash_table_insert (self->running, g_strdup (hv_instance_get_name (instance)),
                       g_object_ref (instance));
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

/* completes from a timeout on the context the call was made in, as a real
 * driver completes from QEMU's answer */
static void
hv_test_driver_start_instance_async (HvHypervisor        *hypervisor,
                                     HvInstance          *instance,
                                     gboolean             startup_paused,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  HvTestDriver *self = HV_TEST_DRIVER (hypervisor);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GSource) source = NULL;

  g_task_set_source_tag (task, hv_test_driver_start_instance_async);
  g_task_set_task_data (task, g_object_ref (instance), g_object_unref);
  self->saw_private_context =
    g_main_context_get_thread_default () != NULL &&
    g_main_context_get_thread_default () != g_main_context_default ();

  if (g_hash_table_contains (self->running, hv_instance_get_name (instance)))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_ALREADY_RUNNING,
                               "Instance '%s' is already running",
                               hv_instance_get_name (instance));
      return;
    }
  source = g_timeout_source_new (self->start_delay_ms);
  g_source_set_callback (source, hv_test_driver_start_done, g_object_ref (task),
                         g_object_unref);
  g_source_attach (source, g_task_get_context (task));
}

static gboolean
hv_test_driver_start_instance_finish (HvHypervisor *hypervisor,
                                      GAsyncResult *result,
                                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, hypervisor), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hv_test_driver_get_all_instances_info_async (HvHypervisor        *hypervisor,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  HvTestDriver *self = HV_TEST_DRIVER (hypervisor);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GPtrArray *infos = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer name;

  g_task_set_source_tag (task, hv_test_driver_get_all_instances_info_async);
  g_hash_table_iter_init (&iter, self->running);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    {
      HvInstanceInfo *info = hv_instance_info_new (name);

      hv_instance_info_set_state (info, HV_INSTANCE_STATE_RUNNING);
      g_ptr_array_add (infos, info);
    }
  g_task_return_pointer (task, infos, (GDestroyNotify) g_ptr_array_unref);
}

static GPtrArray *
hv_test_driver_get_all_instances_info_finish (HvHypervisor *hypervisor,
                                              GAsyncResult *result,
                                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, hypervisor), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
hv_test_driver_iface_init (HvHypervisorInterface *iface)
{
  iface->get_name = hv_test_driver_get_name;
  iface->list_instances = hv_test_driver_list_instances;
  iface->get_parameters = hv_test_driver_get_parameters;
  iface->start_instance_async = hv_test_driver_start_instance_async;
  iface->start_instance_finish = hv_test_driver_start_instance_finish;
  iface->get_all_instances_info_async = hv_test_driver_get_all_instances_info_async;
  iface->get_all_instances_info_finish = hv_test_driver_get_all_instances_info_finish;
}

G_DEFINE_TYPE_WITH_CODE (HvTestDriver, hv_test_driver, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (HV_TYPE_HYPERVISOR, hv_test_driver_iface_init))

static void
hv_test_driver_finalize (GObject *object)
{
  HvTestDriver *self = HV_TEST_DRIVER (object);

  g_hash_table_unref (self->running);
  g_ptr_array_unref (self->specs);

  G_OBJECT_CLASS (hv_test_driver_parent_class)->finalize (object);
}

static void
hv_test_driver_class_init (HvTestDriverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hv_test_driver_finalize;
}

static gboolean
check_absolute (GVariant *value,
                gpointer  user_data)
{
  return g_path_is_absolute (g_variant_get_string (value, NULL));
}

static gboolean
check_exists (GVariant *value,
              gpointer  user_data)
{
  return g_file_test (g_variant_get_string (value, NULL), G_FILE_TEST_EXISTS);
}

static void
hv_test_driver_init (HvTestDriver *self)
{
  HvParamSpec *kernel_path = hv_param_spec_new ("kernel_path", G_VARIANT_TYPE_STRING, FALSE);

  hv_param_spec_set_syntax_check (kernel_path, "must be an absolute path",
                                  check_absolute, NULL, NULL);
  hv_param_spec_set_node_check (kernel_path, "not found", check_exists, NULL, NULL);
  self->specs = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_param_spec_unref);
  g_ptr_array_add (self->specs, kernel_path);
  g_ptr_array_add (self->specs, hv_param_spec_new ("acpi", G_VARIANT_TYPE_BOOLEAN, TRUE));
  self->running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->start_delay_ms = 5;
}

typedef struct {
  HvHypervisor *bare;
  HvHypervisor *driver;
  HvInstance *instance;
  HvDisk *disk;
  GBytes *info;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer user_data)
{
  fixture->bare = g_object_new (HV_TYPE_BARE_DRIVER, NULL);
  fixture->driver = g_object_new (HV_TYPE_TEST_DRIVER, NULL);
  fixture->instance = hv_instance_new ("web1");
  fixture->disk = hv_disk_new ();
  fixture->info = g_bytes_new_static ("runtime", 7);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer user_data)
{
  g_clear_object (&fixture->bare);
  g_assert_finalize_object (fixture->driver);
  g_clear_object (&fixture->instance);
  g_clear_object (&fixture->disk);
  g_clear_pointer (&fixture->info, g_bytes_unref);
}

/* every method of the interface through its blocking form */
typedef gboolean (*CallFunc) (Fixture *f, GError **error);

#define DEFINE_CALL(name, expression) \
  static gboolean call_##name (Fixture *f, GError **error) { return (expression); }
#define DEFINE_CALL_OBJECT(name, type, expression) \
  static gboolean call_##name (Fixture *f, GError **error) \
  { g_autoptr(type) result = (expression); return result != NULL; }

DEFINE_CALL (start, hv_hypervisor_start_instance_sync (f->bare, f->instance, FALSE, NULL, error))
DEFINE_CALL (stop, hv_hypervisor_stop_instance_sync (f->bare, f->instance, FALSE, FALSE, 0,
                                                     NULL, error))
DEFINE_CALL (reboot, hv_hypervisor_reboot_instance_sync (f->bare, f->instance, NULL, error))
DEFINE_CALL (cleanup, hv_hypervisor_cleanup_instance_sync (f->bare, "web1", NULL, error))
DEFINE_CALL_OBJECT (instance_info, HvInstanceInfo,
                    hv_hypervisor_get_instance_info_sync (f->bare, "web1", NULL, error))
DEFINE_CALL_OBJECT (all_info, GPtrArray,
                    hv_hypervisor_get_all_instances_info_sync (f->bare, NULL, error))
DEFINE_CALL_OBJECT (node_info, HvNodeInfo,
                    hv_hypervisor_get_node_info_sync (f->bare, NULL, error))
DEFINE_CALL (verify, hv_hypervisor_verify_sync (f->bare, NULL, error))
DEFINE_CALL (hotplug_supported, hv_hypervisor_hotplug_supported_sync (f->bare, f->instance,
                                                                      NULL, error))
DEFINE_CALL (hot_add, hv_hypervisor_hot_add_device_sync (f->bare, f->instance,
                                                         HV_DEVICE (f->disk), 0, NULL, error))
DEFINE_CALL (hot_del, hv_hypervisor_hot_del_device_sync (f->bare, f->instance,
                                                         HV_DEVICE (f->disk), 0, NULL, error))
DEFINE_CALL (hot_mod, hv_hypervisor_hot_mod_device_sync (f->bare, f->instance,
                                                         HV_DEVICE (f->disk), 0, NULL, error))
DEFINE_CALL (accept, hv_hypervisor_accept_instance_sync (f->bare, f->instance, f->info,
                                                         "192.0.2.2", NULL, error))
DEFINE_CALL (finalize_dst, hv_hypervisor_finalize_migration_dst_sync (f->bare, f->instance,
                                                                      f->info, TRUE, NULL,
                                                                      error))
DEFINE_CALL (migrate, hv_hypervisor_migrate_instance_sync (f->bare, f->instance, "192.0.2.2",
                                                           TRUE, NULL, error))
DEFINE_CALL_OBJECT (migration_status, HvMigrationStatus,
                    hv_hypervisor_get_migration_status_sync (f->bare, f->instance, NULL, error))
DEFINE_CALL (finalize_source, hv_hypervisor_finalize_migration_source_sync (f->bare,
                                                                            f->instance, TRUE,
                                                                            TRUE, NULL, error))
DEFINE_CALL (balloon, hv_hypervisor_balloon_instance_memory_sync (f->bare, f->instance, 512,
                                                                  NULL, error))
DEFINE_CALL (verify_hotplug, hv_hypervisor_verify_hotplug_support (f->bare, f->instance,
                                                                   HV_HOTPLUG_ACTION_ADD,
                                                                   HV_DEVICE_TYPE_NIC, error))
DEFINE_CALL_OBJECT (adopt, GPtrArray,
                    hv_hypervisor_adopt_instances_sync (f->bare, NULL, NULL, error))
DEFINE_CALL_OBJECT (console, HvConsole,
                    hv_hypervisor_get_instance_console (f->bare, f->instance, error))
static gboolean
call_list (Fixture *f, GError **error)
{
  g_auto(GStrv) names = hv_hypervisor_list_instances (f->bare, error);

  return names != NULL;
}

typedef struct {
  const gchar *method;
  CallFunc call;
  gint code;              /* 0: hv_base does nothing and succeeds */
} DefaultCase;

static const DefaultCase default_cases[] = {
  { "start_instance", call_start, HV_ERROR_NOT_SUPPORTED },
  { "stop_instance", call_stop, HV_ERROR_NOT_SUPPORTED },
  { "reboot_instance", call_reboot, HV_ERROR_NOT_SUPPORTED },
  { "cleanup_instance", call_cleanup, 0 },
  { "get_instance_info", call_instance_info, HV_ERROR_NOT_SUPPORTED },
  { "get_all_instances_info", call_all_info, HV_ERROR_NOT_SUPPORTED },
  { "get_node_info", call_node_info, HV_ERROR_NOT_SUPPORTED },
  { "verify", call_verify, HV_ERROR_NOT_SUPPORTED },
  { "hotplug_supported", call_hotplug_supported, HV_ERROR_HOTPLUG },
  { "hot_add_device", call_hot_add, HV_ERROR_HOTPLUG },
  { "hot_del_device", call_hot_del, HV_ERROR_HOTPLUG },
  { "hot_mod_device", call_hot_mod, HV_ERROR_HOTPLUG },
  { "accept_instance", call_accept, 0 },
  { "finalize_migration_dst", call_finalize_dst, 0 },
  { "migrate_instance", call_migrate, HV_ERROR_NOT_SUPPORTED },
  { "get_migration_status", call_migration_status, HV_ERROR_NOT_SUPPORTED },
  { "finalize_migration_source", call_finalize_source, 0 },
  { "balloon_instance_memory", call_balloon, HV_ERROR_NOT_SUPPORTED },
  { "verify_hotplug_support", call_verify_hotplug, HV_ERROR_HOTPLUG },
  { "get_instance_console", call_console, HV_ERROR_NOT_SUPPORTED },
  { "list_instances", call_list, HV_ERROR_NOT_SUPPORTED },
  { "adopt_instances", call_adopt, HV_ERROR_NOT_SUPPORTED },
};

static void
test_hypervisor_defaults (Fixture      *f,
                          gconstpointer user_data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (default_cases); i++)
    {
      const DefaultCase *c = &default_cases[i];
      g_autoptr(GError) error = NULL;
      gboolean ok;

      g_test_message ("%s", c->method);
      ok = c->call (f, &error);
      if (c->code == 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          continue;
        }
      g_assert_false (ok);
      g_assert_error (error, HV_ERROR, c->code);
      if (c->code == HV_ERROR_NOT_SUPPORTED)
        {
          g_autofree gchar *expected =
            g_strdup_printf ("The 'HvBareDriver' hypervisor does not support %s", c->method);

          g_assert_cmpstr (error->message, ==, expected);
        }
      else
        {
          g_assert_cmpstr (error->message, ==,
                           "Hotplug is not supported by the 'HvBareDriver' hypervisor");
        }
    }
}

static void
test_hypervisor_defaults_sync_methods (Fixture      *f,
                                       gconstpointer user_data)
{
  g_autoptr(GPtrArray) specs = hv_hypervisor_get_parameters (f->bare);
  g_autoptr(GBytes) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) empty = g_variant_ref_sink (g_variant_new_parsed ("@a{sv} {}"));
  g_autoptr(GVariant) unknown =
    g_variant_ref_sink (g_variant_new_parsed ("{'kernel_path': <'/vmlinuz'>}"));

  g_assert_cmpstr (hv_hypervisor_get_name (f->bare), ==, "HvBareDriver");
  g_assert_cmpuint (specs->len, ==, 0);

  /* no table: no parameter is known, as with hv_base's empty PARAMETERS */
  g_assert_true (hv_hypervisor_check_parameter_syntax (f->bare, empty, &error));
  g_assert_no_error (error);
  g_assert_false (hv_hypervisor_check_parameter_syntax (f->bare, unknown, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "Parameter 'kernel_path' is not supported");
  g_clear_error (&error);
  g_assert_true (hv_hypervisor_validate_parameters (f->bare, empty, &error));
  g_assert_no_error (error);

  /* hv_base's MigrationInfo: nothing to hand over */
  info = hv_hypervisor_migration_info (f->bare, f->instance, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (info), ==, 0);
}

static void
on_ready (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* a default answers through the callback, from the main context, never
 * before the call returns: callers may rely on that as on any GIO call */
static void
test_hypervisor_defaults_are_async (Fixture      *f,
                                    gconstpointer user_data)
{
  g_autoptr(GAsyncResult) unsupported = NULL;
  g_autoptr(GAsyncResult) hotplug = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;

  hv_hypervisor_reboot_instance_async (f->bare, f->instance, NULL, on_ready, &unsupported);
  hv_hypervisor_hot_del_device_async (f->bare, f->instance, HV_DEVICE (f->disk), 1, NULL,
                                      on_ready, &hotplug);
  hv_hypervisor_cleanup_instance_async (f->bare, "web1", NULL, on_ready, &done);
  g_assert_null (unsupported);
  g_assert_null (hotplug);
  g_assert_null (done);

  while (unsupported == NULL || hotplug == NULL || done == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (hv_hypervisor_reboot_instance_finish (f->bare, unsupported, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_false (hv_hypervisor_hot_del_device_finish (f->bare, hotplug, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_HOTPLUG);
  g_clear_error (&error);
  g_assert_true (hv_hypervisor_cleanup_instance_finish (f->bare, done, &error));
  g_assert_no_error (error);
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* the blocking form waits on a private context: the driver completes there,
 * and nothing of the caller's main context runs meanwhile */
static void
test_hypervisor_sync_private_context (Fixture      *f,
                                      gconstpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  gboolean idle_ran = FALSE;

  g_idle_add (set_flag, &idle_ran);

  HV_TEST_DRIVER (f->driver)->start_delay_ms = 20;
  g_assert_true (hv_hypervisor_start_instance_sync (f->driver, f->instance, FALSE, NULL,
                                                    &error));
  g_assert_no_error (error);
  g_assert_true (HV_TEST_DRIVER (f->driver)->saw_private_context);
  g_assert_false (idle_ran);
  g_assert_null (g_main_context_get_thread_default ());

  names = hv_hypervisor_list_instances (f->driver, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (names, ((const gchar *[]) { "web1", NULL }));

  /* the driver's own error comes back through the wrapper */
  g_assert_false (hv_hypervisor_start_instance_sync (f->driver, f->instance, FALSE, NULL,
                                                     &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_ALREADY_RUNNING);

  while (!idle_ran)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_hypervisor_sync_cancelled (Fixture      *f,
                                gconstpointer user_data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (hv_hypervisor_start_instance_sync (f->driver, f->instance, FALSE,
                                                     cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  names = hv_hypervisor_list_instances (f->driver, NULL);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
}

static void
test_hypervisor_async_driver (Fixture      *f,
                              gconstpointer user_data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GError) error = NULL;

  hv_hypervisor_start_instance_async (f->driver, f->instance, FALSE, NULL, on_ready, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (hv_hypervisor_start_instance_finish (f->driver, result, &error));
  g_assert_no_error (error);

  /* the array the caller gets holds its own references */
  infos = hv_hypervisor_get_all_instances_info_sync (f->driver, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (infos->len, ==, 1);
  g_assert_cmpstr (hv_instance_info_get_name (g_ptr_array_index (infos, 0)), ==, "web1");
  g_assert_cmpint (hv_instance_info_get_state (g_ptr_array_index (infos, 0)), ==,
                   HV_INSTANCE_STATE_RUNNING);
}

/* without check_parameter_syntax or validate_parameters of its own, a
 * driver gets the checks of its table */
static void
test_hypervisor_default_checks (Fixture      *f,
                                gconstpointer user_data)
{
  const struct {
    const gchar *hvparams;
    gboolean syntax_ok;
    const gchar *message;
  } cases[] = {
    { "{'kernel_path': <'/bin/sh'>, 'acpi': <true>}", TRUE, NULL },
    { "{'kernel_path': <''>, 'acpi': <true>}", TRUE, NULL },
    { "{'acpi': <true>}", FALSE, "Parameter 'kernel_path' is missing" },
    { "{'kernel_path': <'vmlinuz'>, 'acpi': <true>}", FALSE,
      "Parameter 'kernel_path' fails syntax check: must be an absolute path "
      "(current value: 'vmlinuz')" },
    { "{'kernel_path': <'/no/such/kernel'>, 'acpi': <true>}", TRUE,
      "Parameter 'kernel_path' fails validation: not found "
      "(current value: '/no/such/kernel')" },
    { "{'kernel_path': <'/bin/sh'>, 'acpi': <true>, 'vhost': <true>}", FALSE,
      "Parameter 'vhost' is not supported" },
  };
  g_autoptr(GPtrArray) specs = hv_hypervisor_get_parameters (f->driver);

  g_assert_cmpuint (specs->len, ==, 2);
  g_assert_cmpstr (hv_param_spec_get_name (g_ptr_array_index (specs, 1)), ==, "acpi");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GVariant) hvparams = g_variant_ref_sink (g_variant_new_parsed (cases[i].hvparams));
      g_autoptr(GError) error = NULL;
      gboolean ok = hv_hypervisor_check_parameter_syntax (f->driver, hvparams, &error);

      g_assert_cmpint (ok, ==, cases[i].syntax_ok);
      if (ok)
        ok = hv_hypervisor_validate_parameters (f->driver, hvparams, &error);
      if (cases[i].message == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
          g_assert_cmpstr (error->message, ==, cases[i].message);
        }
    }
}

static void
on_state_changed (HvHypervisor   *hypervisor,
                  const gchar    *name,
                  HvInstanceState state,
                  gpointer        user_data)
{
  g_autofree gchar *text = g_strdup_printf ("%s %d", name, state);

  g_ptr_array_add (user_data, g_steal_pointer (&text));
}

static void
on_progress (HvHypervisor      *hypervisor,
             const gchar       *name,
             HvMigrationStatus *status,
             gpointer           user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s %" G_GINT64_FORMAT, name,
                                               hv_migration_status_get_transferred (status)));
}

static void
test_hypervisor_signals (Fixture      *f,
                         gconstpointer user_data)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(HvMigrationStatus) status = hv_migration_status_new (HV_MIGRATION_STATE_ACTIVE);
  GSignalQuery query;

  g_signal_query (g_signal_lookup ("device-removed", HV_TYPE_HYPERVISOR), &query);
  g_assert_cmpuint (query.n_params, ==, 2);
  g_assert_true (query.param_types[0] == G_TYPE_STRING);
  g_assert_true (query.param_types[1] == G_TYPE_STRING);

  g_signal_connect (f->driver, "instance-state-changed", G_CALLBACK (on_state_changed), seen);
  g_signal_connect (f->driver, "migration-progress", G_CALLBACK (on_progress), seen);
  g_signal_emit_by_name (f->driver, "instance-state-changed", "web1", HV_INSTANCE_STATE_PAUSED);
  hv_migration_status_set_transferred (status, 4096);
  g_signal_emit_by_name (f->driver, "migration-progress", "web1", status);

  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "web1 2");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "web1 4096");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/hypervisor/defaults/every-method", test_hypervisor_defaults);
  ADD ("/hypervisor/defaults/sync-methods", test_hypervisor_defaults_sync_methods);
  ADD ("/hypervisor/defaults/complete-asynchronously", test_hypervisor_defaults_are_async);
  ADD ("/hypervisor/defaults/parameter-checks", test_hypervisor_default_checks);
  ADD ("/hypervisor/sync/private-context", test_hypervisor_sync_private_context);
  ADD ("/hypervisor/sync/cancelled", test_hypervisor_sync_cancelled);
  ADD ("/hypervisor/async/driver", test_hypervisor_async_driver);
  ADD ("/hypervisor/signals", test_hypervisor_signals);
#undef ADD

  return g_test_run ();
}
