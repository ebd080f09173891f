/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include "hv-kvm-hotplug.h"
#include "hv-kvm-iface.h"
#include "hv-kvm-lifecycle.h"

/*
 * HvKvm's adopt_instances: lifecycle/hv-kvm-adopt.c takes the instances
 * over in the monitor thread; each one adopted then gets, as a reconnected
 * one does, the watch for late DEVICE_DELETED queued behind it (its
 * journal is empty: Ganeti kept none).
 */

static void
adopt_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  HvKvmHost *host = hv_kvm_get_host (HV_KVM (g_task_get_source_object (task)));
  g_autoptr(GPtrArray) adopted = NULL;
  GError *error = NULL;
  GPtrArray *adoptions = hv_kvm_adopt_finish (result, &adopted, &error);

  for (guint i = 0; adopted != NULL && i < adopted->len; i++)
    hv_kvm_hotplug_job_queue_reconcile (host, g_ptr_array_index (adopted, i));
  hv_kvm_return_pointer (task, adoptions, (GDestroyNotify) g_ptr_array_unref, error);
}

static void
adopt_in_thread (HvKvmHost *host,
                 GTask     *task)
{
  hv_kvm_adopt_async (host, g_task_get_task_data (task), g_task_get_cancellable (task),
                      adopt_done_cb, task);
}

static void
hv_kvm_adopt_instances_async (HvHypervisor        *hypervisor,
                              const gchar         *source_dir,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  hv_kvm_invoke (HV_KVM (hypervisor),
                 hv_kvm_task_new (hypervisor, hv_kvm_adopt_instances_async,
                                  g_strdup (source_dir), g_free, cancellable, callback, user_data),
                 adopt_in_thread);
}

static GPtrArray *
hv_kvm_adopt_instances_finish (HvHypervisor  *hypervisor,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result, hv_kvm_adopt_instances_async),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
hv_kvm_adopt_iface_init (HvHypervisorInterface *iface)
{
  iface->adopt_instances_async = hv_kvm_adopt_instances_async;
  iface->adopt_instances_finish = hv_kvm_adopt_instances_finish;
}
