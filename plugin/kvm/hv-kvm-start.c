/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-lifecycle-private.h"
#include "hv-kvm-process-private.h"

/*
 * StartInstance: checks, then a job of the instance's queue that launches
 * QEMU (hv-kvm-launch.c).
 */

/* -- StartInstance -------------------------------------------------------- */

static void
start_launched_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  GError *error = NULL;

  hv_kvm_instance_end_operation (instance);
  if (!hv_kvm_launch_finish (result, &error))
    {
      hv_kvm_forget_instance (hv_kvm_task_get_kvm (task), instance);
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
  HvKvmCallData *data = hv_kvm_task_get_call_data (task);
  g_autoptr(GError) error = NULL;

  /* what a dead instance left is gone as far as it could be; a start
   * overwrites the rest */
  if (!hv_kvm_teardown_finish (result, &error))
    g_debug ("cleaning up before the start of %s: %s", data->name, error->message);
  cancellable = g_task_get_cancellable (task);
  hv_kvm_launch_async (data->kvm, HV_KVM_INSTANCE (source), data->instance, NULL, data->paused,
                       cancellable, start_launched_cb, g_steal_pointer (&task));
}

static void
start_job (HvKvmInstance *instance,
           GTask         *task)
{
  HvKvmCallData *data = hv_kvm_task_get_call_data (task);

  if (hv_kvm_instance_is_alive (instance))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_ALREADY_RUNNING,
                               _("Instance %s is already running"), data->name);
      return;
    }
  if (!hv_kvm_remember_instance (data->kvm, instance))
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
    hv_kvm_launch_async (data->kvm, instance, data->instance, NULL, data->paused,
                         g_task_get_cancellable (task), start_launched_cb,
                         g_object_ref (task));
}

/* A QEMU of this name that hvkit does not know about (started by hand
 * with hvkit's files) must not be started twice either. */
static gboolean
start_check_not_running (HvKvm        *self,
                         const gchar  *name,
                         GError      **error)
{
  g_autofree gchar *file = g_strconcat (name, ".pid", NULL);
  g_autofree gchar *pidfile = g_build_filename (hv_kvm_get_run_dir (self), file, NULL);
  GPid pid = hv_kvm_process_read_pidfile (pidfile, NULL);

  if (pid != 0 && hv_kvm_process_is_instance (pid, name))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_ALREADY_RUNNING,
                   _("Instance %s is already running (QEMU process %d)"), name, (gint) pid);
      return FALSE;
    }
  return TRUE;
}

void
hv_kvm_start_instance (HvKvm *self,
                       GTask *task)
{
  HvKvmCallData *data = hv_kvm_task_get_call_data (task);
  g_autoptr(GError) error = NULL;
  HvKvmInstance *instance;

  if (hv_instance_name_validate (data->name, &error) &&
      hv_instance_get_hvparams (data->instance) == NULL)
    g_set_error (&error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                 _("Instance %s has no hvparams"), data->name);
  if (error != NULL ||
      !hv_hypervisor_validate_parameters (HV_HYPERVISOR (self),
                                          hv_instance_get_hvparams (data->instance), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  instance = hv_kvm_lookup_instance (self, data->name);
  if (instance == NULL)
    {
      if (!start_check_not_running (self, data->name, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
      instance = hv_kvm_add_instance (self, data->name);
    }
  hv_kvm_instance_queue_job (instance, task, start_job);
  g_object_unref (task);
}
