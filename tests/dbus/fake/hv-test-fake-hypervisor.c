/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvTestFake"

#include "config.h"

#include <stdlib.h>

#include <hvkit/hvkit-driver.h>

/* A driver for the dbus suite, as the plugin "fake": what the KVM plugin
 * cannot be made to do on demand. GetInstanceInfo of an instance named
 * "error-N" fails with HV_ERROR code N (every code, through the bus and
 * back), "error-N-CLASS" with QEMU's error class CLASS too; migrate_instance runs a pretend migration that reports progress
 * every HV_TEST_FAKE_TICK_MS until 100 %, to a target named "fail" fails
 * with HV_ERROR_MIGRATION half-way, to one named "hold" never ends until
 * cancelled. */

#define HV_TEST_FAKE_TICK_MS 20
#define HV_TEST_FAKE_STEPS 5
#define HV_TEST_FAKE_TOTAL (HV_TEST_FAKE_STEPS * 1024 * 1024)

#define HV_TEST_TYPE_FAKE_HYPERVISOR (hv_test_fake_hypervisor_get_type ())
G_DECLARE_FINAL_TYPE (HvTestFakeHypervisor, hv_test_fake_hypervisor, HV_TEST, FAKE_HYPERVISOR, GObject)

struct _HvTestFakeHypervisor {
  GObject parent_instance;
};

static void hv_test_fake_hypervisor_iface_init (HvHypervisorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HvTestFakeHypervisor, hv_test_fake_hypervisor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HV_TYPE_HYPERVISOR,
                                                      hv_test_fake_hypervisor_iface_init))

static const gchar *
hv_test_fake_get_name (HvHypervisor *self)
{
  return "fake";
}

static gchar **
hv_test_fake_list_instances (HvHypervisor  *self,
                             GError       **error)
{
  return g_strsplit ("fake-1", ",", -1);
}

static void
hv_test_fake_get_instance_info_async (HvHypervisor        *self,
                                      const gchar         *name,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HvInstanceInfo) info = NULL;

  if (g_str_has_prefix (name, "error-"))
    {
      gchar *end = NULL;
      gint code = (gint) g_ascii_strtoll (name + strlen ("error-"), &end, 10);
      GError *error = g_error_new (HV_ERROR, code, "fake error %d for %s", code, name);

      if (*end == '-')
        hv_error_set_qmp_class (error, end + 1);
      g_task_return_error (task, error);
      return;
    }
  info = hv_instance_info_new (name);
  hv_instance_info_set_state (info, HV_INSTANCE_STATE_RUNNING);
  hv_instance_info_set_memory (info, 128);
  g_task_return_pointer (task, g_steal_pointer (&info), g_object_unref);
}

static HvInstanceInfo *
hv_test_fake_get_instance_info_finish (HvHypervisor  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  gchar *name;
  gchar *target;
  guint step;
  GSource *timer;
} HvTestFakeMigration;

static void
hv_test_fake_migration_free (gpointer data)
{
  HvTestFakeMigration *migration = data;

  if (migration->timer != NULL)
    {
      g_source_destroy (migration->timer);
      g_source_unref (migration->timer);
    }
  g_free (migration->name);
  g_free (migration->target);
  g_free (migration);
}

static void
hv_test_fake_report (GTask            *task,
                     HvMigrationState  state)
{
  HvTestFakeMigration *migration = g_task_get_task_data (task);
  g_autoptr(HvMigrationStatus) status = hv_migration_status_new (state);
  guint step = MIN (migration->step, HV_TEST_FAKE_STEPS);

  hv_migration_status_set_total (status, HV_TEST_FAKE_TOTAL);
  hv_migration_status_set_transferred (status, (gint64) step * HV_TEST_FAKE_TOTAL / HV_TEST_FAKE_STEPS);
  hv_migration_status_set_remaining (status, HV_TEST_FAKE_TOTAL - (gint64) step * HV_TEST_FAKE_TOTAL / HV_TEST_FAKE_STEPS);
  hv_migration_status_set_dirty_sync_count (status, step);
  g_signal_emit_by_name (g_task_get_source_object (task), "migration-progress",
                         migration->name, status);
}

static gboolean
hv_test_fake_migration_tick (gpointer user_data)
{
  GTask *task = user_data;
  HvTestFakeMigration *migration = g_task_get_task_data (task);

  /* reported before the task completes, as a driver sees it end */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      hv_test_fake_report (task, HV_MIGRATION_STATE_CANCELLED);
      g_task_return_error_if_cancelled (task);
      return G_SOURCE_REMOVE;
    }
  if (g_str_equal (migration->target, "hold"))
    return G_SOURCE_CONTINUE;
  migration->step++;
  if (g_str_equal (migration->target, "fail") && migration->step > HV_TEST_FAKE_STEPS / 2)
    {
      hv_test_fake_report (task, HV_MIGRATION_STATE_FAILED);
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_MIGRATION,
                               "fake migration of %s to %s failed", migration->name,
                               migration->target);
      return G_SOURCE_REMOVE;
    }
  if (migration->step >= HV_TEST_FAKE_STEPS)
    {
      hv_test_fake_report (task, HV_MIGRATION_STATE_COMPLETED);
      g_task_return_boolean (task, TRUE);
      return G_SOURCE_REMOVE;
    }
  hv_test_fake_report (task, HV_MIGRATION_STATE_ACTIVE);
  return G_SOURCE_CONTINUE;
}

static void
hv_test_fake_migrate_instance_async (HvHypervisor        *self,
                                     HvInstance          *instance,
                                     const gchar         *target,
                                     gboolean             live,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  HvTestFakeMigration *migration = g_new0 (HvTestFakeMigration, 1);

  migration->name = g_strdup (hv_instance_get_name (instance));
  migration->target = g_strdup (target);
  g_task_set_task_data (task, migration, hv_test_fake_migration_free);
  migration->timer = g_timeout_source_new (HV_TEST_FAKE_TICK_MS);
  g_source_set_callback (migration->timer, hv_test_fake_migration_tick, task, g_object_unref);
  g_source_attach (migration->timer, g_task_get_context (task));
}

static gboolean
hv_test_fake_migrate_instance_finish (HvHypervisor  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hv_test_fake_hypervisor_iface_init (HvHypervisorInterface *iface)
{
  iface->get_name = hv_test_fake_get_name;
  iface->list_instances = hv_test_fake_list_instances;
  iface->get_instance_info_async = hv_test_fake_get_instance_info_async;
  iface->get_instance_info_finish = hv_test_fake_get_instance_info_finish;
  iface->migrate_instance_async = hv_test_fake_migrate_instance_async;
  iface->migrate_instance_finish = hv_test_fake_migrate_instance_finish;
}

static void
hv_test_fake_hypervisor_class_init (HvTestFakeHypervisorClass *klass)
{
}

static void
hv_test_fake_hypervisor_init (HvTestFakeHypervisor *self)
{
}

HV_PLUGIN_DEFINE ("fake", hv_test_fake_hypervisor_get_type);
