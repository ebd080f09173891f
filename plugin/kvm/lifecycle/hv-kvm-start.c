/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-lifecycle.h"
#include "hv-kvm-process.h"

/*
 * StartInstance: checks, then a job of the instance's queue that launches
 * QEMU (hv-kvm-launch.c).
 */

/* -- StartInstance -------------------------------------------------------- */

typedef struct {
  HvKvmHost  *host;       /* not a reference: the driver's call holds it */
  gchar      *name;
  HvInstance *instance;
  gboolean    paused;
} StartData;

static void
start_data_free (StartData *data)
{
  g_free (data->name);
  g_clear_object (&data->instance);
  g_free (data);
}

static void
start_launched_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  GError *error = NULL;

  hv_kvm_instance_end_operation (instance);
  if (!hv_kvm_launch_finish (HV_KVM_INSTANCE (source), result, &error))
    {
      hv_kvm_host_forget_instance (((StartData *) g_task_get_task_data (task))->host, instance);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
start_cleaned_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GCancellable *cancellable;
  g_autoptr(GTask) task = user_data;
  StartData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* what a dead instance left is gone as far as it could be; a start
   * overwrites the rest */
  if (!hv_kvm_teardown_finish (HV_KVM_INSTANCE (source), result, &error))
    g_debug ("cleaning up before the start of %s: %s", data->name, error->message);
  cancellable = g_task_get_cancellable (task);
  hv_kvm_launch_async (data->host, HV_KVM_INSTANCE (source), data->instance, NULL, data->paused,
                       cancellable, start_launched_cb, g_steal_pointer (&task));
}

/* A QEMU of this name that hvkit does not know about (started by hand
 * with hvkit's files) must not be started twice either. */
static gboolean
start_check_not_running (HvKvmHost        *self,
                         const gchar  *name,
                         GError      **error)
{
  g_autofree gchar *file = g_strconcat (name, ".pid", NULL);
  g_autofree gchar *pidfile = g_build_filename (hv_kvm_host_get_run_dir (self), file, NULL);
  GPid pid = hv_kvm_process_read_pidfile (pidfile, NULL);

  if (pid != 0 && hv_kvm_process_is_instance (pid, name))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_ALREADY_RUNNING,
                   _("Instance %s is already running (QEMU process %d)"), name, (gint) pid);
      return FALSE;
    }
  return TRUE;
}

static void
start_job (HvKvmInstance *instance,
           GTask         *task)
{
  StartData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (hv_kvm_instance_is_alive (instance))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_ALREADY_RUNNING,
                               _("Instance %s is already running"), data->name);
      return;
    }
  /* a QEMU the instance does not follow (one a failed teardown could not
   * kill) is asked for again here, in the queue, not only before it */
  if (!start_check_not_running (data->host, data->name, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!hv_kvm_host_remember_instance (data->host, instance))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_ALREADY_RUNNING,
                               _("Instance %s is being started already"), data->name);
      return;
    }
  hv_kvm_instance_begin_operation (instance);
  /* an instance known but dead (its guest powered off, or QEMU crashed)
   * is cleaned up first, its NICs' ifdown included */
  if (hv_kvm_instance_get_runtime (instance) != NULL)
    hv_kvm_teardown_async (instance, G_MAXUINT, NULL, start_cleaned_cb, g_object_ref (task));
  else
    hv_kvm_launch_async (data->host, instance, data->instance, NULL, data->paused,
                         g_task_get_cancellable (task), start_launched_cb,
                         g_object_ref (task));
}

/**
 * hv_kvm_start_async:
 * @host: the host, in its monitor thread
 * @instance: the instance, its hvparams validated by the driver
 * @paused: leave the guest paused (Ganeti's startup_paused)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once QEMU runs, or nothing of it is left
 * @user_data: for @callback
 *
 * StartInstance: a job of the instance's queue that launches QEMU.
 */
void
hv_kvm_start_async (HvKvmHost           *self,
                    HvInstance          *owner,
                    gboolean             paused,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  StartData *data = g_new0 (StartData, 1);
  g_autoptr(GError) error = NULL;
  HvKvmInstance *instance;

  data->host = self;
  data->name = g_strdup (hv_instance_get_name (owner));
  data->instance = g_object_ref (owner);
  data->paused = paused;
  g_task_set_source_tag (task, hv_kvm_start_async);
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);

  instance = hv_kvm_host_lookup_instance (self, data->name);
  if (instance == NULL)
    {
      if (!start_check_not_running (self, data->name, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
      instance = hv_kvm_host_add_instance (self, data->name);
    }
  hv_kvm_instance_queue_job (instance, task, start_job);
  g_object_unref (task);
}

gboolean
hv_kvm_start_finish (GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_start_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
