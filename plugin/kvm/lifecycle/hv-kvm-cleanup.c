/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-lifecycle.h"

/*
 * CleanupInstance: what a stopped instance left behind.
 */

/* -- CleanupInstance ------------------------------------------------------ */

/* The data of a cleanup task. */
typedef struct {
  HvKvmHost    *host;       /* not a reference: the driver's call holds it */
  gchar        *name;
} CleanupData;

static void
cleanup_data_free (CleanupData *data)
{
  g_free (data->name);
  g_free (data);
}

static void
cleanup_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  GError *error = NULL;

  hv_kvm_host_forget_instance (((CleanupData *) g_task_get_task_data (task))->host, instance);
  if (!hv_kvm_teardown_finish (HV_KVM_INSTANCE (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
cleanup_job (HvKvmInstance *instance,
             GTask         *task)
{
  if (hv_kvm_instance_is_alive (instance))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_ALREADY_RUNNING,
                               _("Cannot clean up instance %s: it is running"),
                               hv_kvm_instance_get_name (instance));
      return;
    }
  hv_kvm_teardown_async (instance, G_MAXUINT, g_task_get_cancellable (task), cleanup_done_cb,
                         g_object_ref (task));
}

/* CleanupInstance: what a stopped instance left behind (its guest powered
 * off, QEMU crashed, or hvkit was not there when it ended): ifdown for its
 * NICs, then its files and record. Refused while QEMU runs, as in Ganeti. */
void
hv_kvm_cleanup_async (HvKvmHost           *self,
                      const gchar         *name,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  CleanupData *data = g_new0 (CleanupData, 1);
  HvKvmInstance *instance;

  data->host = self;
  data->name = g_strdup (name);
  g_task_set_source_tag (task, hv_kvm_cleanup_async);
  g_task_set_task_data (task, data, (GDestroyNotify) cleanup_data_free);

  instance = hv_kvm_host_lookup_instance (self, data->name);
  if (instance == NULL)
    {
      /* nothing known, but files may be left from before a restart */
      g_autoptr(HvKvmInstance) stray = hv_kvm_instance_new (data->name, hv_kvm_host_get_run_dir (self),
                                                            hv_kvm_host_get_store (self));

      hv_kvm_remove_instance_files (stray);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  hv_kvm_instance_queue_job (instance, task, cleanup_job);
  g_object_unref (task);
}

gboolean
hv_kvm_cleanup_finish (GAsyncResult  *result,
        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_cleanup_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
