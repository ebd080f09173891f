/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-lifecycle.h"

/*
 * RebootInstance: a shutdown, then a launch from the record it ran with.
 */

/* -- RebootInstance ------------------------------------------------------- */

/* The data of a reboot task. */
typedef struct {
  HvKvmHost    *host;       /* not a reference: the driver's call holds it */
  gchar        *name;
  HvInstance   *instance;
  HvKvmRuntime *runtime;    /* the record to start again from */
} RebootData;

static void
reboot_data_free (RebootData *data)
{
  g_free (data->name);
  g_clear_object (&data->instance);
  g_clear_pointer (&data->runtime, hv_kvm_runtime_free);
  g_free (data);
}

static void
reboot_launched_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RebootData *data = g_task_get_task_data (task);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (data->host, data->name);
  GError *error = NULL;

  hv_kvm_instance_end_operation (instance);
  if (!hv_kvm_launch_finish (HV_KVM_INSTANCE (source), result, &error))
    {
      hv_kvm_host_forget_instance (data->host, instance);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
reboot_stopped_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GCancellable *cancellable;
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  RebootData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!hv_kvm_shutdown_finish (HV_KVM_INSTANCE (source), result, &error))
    {
      hv_kvm_instance_end_operation (instance);
      g_task_return_error (task, error);
      return;
    }
  /* the same command line, devices and slots as before: the record */
  cancellable = g_task_get_cancellable (task);
  hv_kvm_launch_async (data->host, instance, data->instance, g_steal_pointer (&data->runtime),
                       FALSE, cancellable, reboot_launched_cb, g_steal_pointer (&task));
}

/* Ganeti's RebootInstance: QEMU is not reset in place (ctrl-alt-del left
 * guests stopped), but stopped — softly, killed after reboot-timeout-ms —
 * and started again from the record it ran with. */
static void
reboot_job (HvKvmInstance *instance,
            GTask         *task)
{
  RebootData *data = g_task_get_task_data (task);
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  g_autoptr(GVariant) record = NULL;
  GError *error = NULL;

  if (!hv_kvm_instance_is_alive (instance) || runtime == NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                               _("Cannot reboot instance %s: it is not running"), data->name);
      return;
    }
  record = hv_kvm_runtime_to_variant (runtime);
  data->runtime = hv_kvm_runtime_new_from_variant (record, &error);
  if (data->runtime == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  hv_kvm_instance_begin_operation (instance);
  hv_kvm_shutdown_async (data->host, instance, FALSE, hv_kvm_host_get_reboot_timeout (data->host),
                         g_task_get_cancellable (task), reboot_stopped_cb, g_object_ref (task));
}

void
hv_kvm_reboot_async (HvKvmHost           *self,
                     HvInstance          *owner,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  RebootData *data = g_new0 (RebootData, 1);
  HvKvmInstance *instance;

  data->host = self;
  data->name = g_strdup (hv_instance_get_name (owner));
  g_task_set_source_tag (task, hv_kvm_reboot_async);
  g_task_set_task_data (task, data, (GDestroyNotify) reboot_data_free);
  data->instance = g_object_ref (owner);

  instance = hv_kvm_host_lookup_instance (self, data->name);
  if (instance == NULL)
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                             _("Cannot reboot instance %s: it is not running"), data->name);
  else
    hv_kvm_instance_queue_job (instance, task, reboot_job);
  g_object_unref (task);
}

gboolean
hv_kvm_reboot_finish (GAsyncResult  *result,
       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_reboot_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
