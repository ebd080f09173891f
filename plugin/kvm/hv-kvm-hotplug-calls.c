/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-calls-private.h"
#include "hv-kvm-hotplug-calls-private.h"
#include "hv-kvm-hotplug-private.h"

/*
 * HvKvm's hotplug methods, as hv-kvm-calls.c makes the others: the task
 * in the caller's context, the work in the monitor thread as a job of the
 * instance's queue, so that operations on one instance run in the order
 * they were asked for and different instances proceed at once.
 */

typedef enum {
  HOTPLUG_SUPPORTED,
  HOTPLUG_ADD,
  HOTPLUG_DEL,
  HOTPLUG_MOD,
} HotplugCall;

/* HvKvm, weakly: it owns its instances and their connections, and a
 * reference from them would keep it alive through them. */
static GWeakRef *
hotplug_weak_kvm_new (HvKvm *self)
{
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_weak_ref_init (weak, self);
  return weak;
}

static void
hotplug_weak_kvm_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* A removal finished: the owner hears of it in its own context. */
static void
hotplug_removed_cb (HvKvmInstance *instance,
                    HvDeviceType   type,
                    const gchar   *uuid,
                    const gchar   *qemu_id,
                    gpointer       user_data)
{
  g_autoptr(HvKvm) self = g_weak_ref_get (user_data);

  if (self != NULL)
    hv_kvm_emit_device_removed (self, hv_kvm_instance_get_name (instance), qemu_id);
}

/* What an instance needs of HvKvm before hotplug runs on it; the watch is
 * made once per QMP connection. */
static void
hotplug_prepare_instance (HvKvm         *self,
                          HvKvmInstance *instance)
{
  hv_kvm_instance_set_vhost_net_device (instance, hv_kvm_get_vhost_net_device (self));
  hv_kvm_hotplug_watch (instance, hotplug_removed_cb, hotplug_weak_kvm_new (self),
                        hotplug_weak_kvm_free);
}

static void
hotplug_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  HotplugCall call = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "hv-hotplug-call"));
  HvKvmCallData *data = hv_kvm_task_get_call_data (task);
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (call)
    {
    case HOTPLUG_SUPPORTED:
      ok = hv_kvm_hotplug_supported_finish (instance, result, &error);
      break;
    case HOTPLUG_ADD:
      ok = hv_kvm_hotplug_add_finish (instance, result, &error);
      break;
    case HOTPLUG_DEL:
      ok = hv_kvm_hotplug_del_finish (instance, result, &error);
      break;
    case HOTPLUG_MOD:
      ok = hv_kvm_hotplug_mod_finish (instance, result, &error);
      break;
    }
  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  if (call == HOTPLUG_DEL)
    hv_kvm_emit_device_removed (data->kvm, data->name, g_object_get_data (G_OBJECT (task),
                                                                          "hv-hotplug-id"));
  g_task_return_boolean (task, TRUE);
}

static void
hotplug_job (HvKvmInstance *instance,
             GTask         *task)
{
  HvKvmCallData *data = hv_kvm_task_get_call_data (task);
  HotplugCall call = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "hv-hotplug-call"));
  GCancellable *cancellable = g_task_get_cancellable (task);
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  HvKvmRuntimeDevice *device = NULL;

  hotplug_prepare_instance (data->kvm, instance);
  switch (call)
    {
    case HOTPLUG_SUPPORTED:
      hv_kvm_hotplug_supported_async (instance, cancellable, hotplug_done_cb, g_object_ref (task));
      break;
    case HOTPLUG_ADD:
      hv_kvm_hotplug_add_async (instance, data->instance, data->device, data->seq, cancellable,
                                hotplug_done_cb, g_object_ref (task));
      break;
    case HOTPLUG_DEL:
      /* the id the device-removed signal names */
      if (runtime != NULL)
        device = hv_kvm_runtime_find_device (runtime, hv_device_get_device_type (data->device),
                                             hv_device_get_uuid (data->device));
      if (device != NULL && device->qemu_id != NULL)
        g_object_set_data_full (G_OBJECT (task), "hv-hotplug-id", g_strdup (device->qemu_id),
                                g_free);
      hv_kvm_hotplug_del_async (instance, data->instance, data->device, data->seq, cancellable,
                                hotplug_done_cb, g_object_ref (task));
      break;
    case HOTPLUG_MOD:
      hv_kvm_hotplug_mod_async (instance, data->instance, data->device, data->seq, cancellable,
                                hotplug_done_cb, g_object_ref (task));
      break;
    }
}

/* In the monitor thread. */
static void
hotplug_queue (HvKvm       *self,
               GTask       *task,
               HotplugCall  call)
{
  HvKvmCallData *data = hv_kvm_task_get_call_data (task);
  HvKvmInstance *instance = hv_kvm_lookup_instance (self, data->name);

  g_object_set_data (G_OBJECT (task), "hv-hotplug-call", GINT_TO_POINTER (call));
  if (instance == NULL)
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                             _("Instance %s is not running"), data->name);
  else
    hv_kvm_instance_queue_job (instance, task, hotplug_job);
  g_object_unref (task);
}

static void
hotplug_supported_in_worker (HvKvm *self,
                             GTask *task)
{
  hotplug_queue (self, task, HOTPLUG_SUPPORTED);
}

static void
hotplug_add_in_worker (HvKvm *self,
                       GTask *task)
{
  hotplug_queue (self, task, HOTPLUG_ADD);
}

static void
hotplug_del_in_worker (HvKvm *self,
                       GTask *task)
{
  hotplug_queue (self, task, HOTPLUG_DEL);
}

static void
hotplug_mod_in_worker (HvKvm *self,
                       GTask *task)
{
  hotplug_queue (self, task, HOTPLUG_MOD);
}

/* -- the vfuncs ------------------------------------------------------------ */

static gboolean
hv_kvm_verify_hotplug_support (HvHypervisor     *hypervisor,
                               HvInstance       *instance,
                               HvHotplugAction   action,
                               HvDeviceType      device_type,
                               GError          **error)
{
  return hv_kvm_hotplug_verify_support (hv_instance_get_hvparams (instance), action, device_type,
                                        error);
}

static void
hotplug_call (HvHypervisor        *hypervisor,
              gpointer             source_tag,
              HvKvmCallFunc        func,
              HvInstance          *instance,
              HvDevice            *device,
              guint                seq,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  HvKvmCallData *data = g_new0 (HvKvmCallData, 1);
  GTask *outer = g_task_new (hypervisor, cancellable, callback, user_data);

  g_task_set_source_tag (outer, source_tag);
  data->instance = g_object_ref (instance);
  data->name = g_strdup (hv_instance_get_name (instance));
  data->device = device != NULL ? g_object_ref (device) : NULL;
  data->seq = seq;
  hv_kvm_call (HV_KVM (hypervisor), outer, HV_KVM_RESULT_BOOLEAN, NULL, func, data, NULL);
}

static gboolean
hotplug_finish (HvHypervisor  *hypervisor,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, hypervisor), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hv_kvm_hotplug_supported_vfunc (HvHypervisor        *hypervisor,
                                HvInstance          *instance,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  hotplug_call (hypervisor, hv_kvm_hotplug_supported_vfunc, hotplug_supported_in_worker,
                instance, NULL, 0, cancellable, callback, user_data);
}

static gboolean
hv_kvm_hotplug_supported_vfunc_finish (HvHypervisor  *hypervisor,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return hotplug_finish (hypervisor, result, hv_kvm_hotplug_supported_vfunc, error);
}

static void
hv_kvm_hot_add_device (HvHypervisor        *hypervisor,
                       HvInstance          *instance,
                       HvDevice            *device,
                       guint                seq,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  hotplug_call (hypervisor, hv_kvm_hot_add_device, hotplug_add_in_worker, instance, device, seq,
                cancellable, callback, user_data);
}

static gboolean
hv_kvm_hot_add_device_finish (HvHypervisor  *hypervisor,
                              GAsyncResult  *result,
                              GError       **error)
{
  return hotplug_finish (hypervisor, result, hv_kvm_hot_add_device, error);
}

static void
hv_kvm_hot_del_device (HvHypervisor        *hypervisor,
                       HvInstance          *instance,
                       HvDevice            *device,
                       guint                seq,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  hotplug_call (hypervisor, hv_kvm_hot_del_device, hotplug_del_in_worker, instance, device, seq,
                cancellable, callback, user_data);
}

static gboolean
hv_kvm_hot_del_device_finish (HvHypervisor  *hypervisor,
                              GAsyncResult  *result,
                              GError       **error)
{
  return hotplug_finish (hypervisor, result, hv_kvm_hot_del_device, error);
}

static void
hv_kvm_hot_mod_device (HvHypervisor        *hypervisor,
                       HvInstance          *instance,
                       HvDevice            *device,
                       guint                seq,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  hotplug_call (hypervisor, hv_kvm_hot_mod_device, hotplug_mod_in_worker, instance, device, seq,
                cancellable, callback, user_data);
}

static gboolean
hv_kvm_hot_mod_device_finish (HvHypervisor  *hypervisor,
                              GAsyncResult  *result,
                              GError       **error)
{
  return hotplug_finish (hypervisor, result, hv_kvm_hot_mod_device, error);
}

void
hv_kvm_hotplug_calls_iface_init (HvHypervisorInterface *iface)
{
  iface->verify_hotplug_support = hv_kvm_verify_hotplug_support;
  iface->hotplug_supported_async = hv_kvm_hotplug_supported_vfunc;
  iface->hotplug_supported_finish = hv_kvm_hotplug_supported_vfunc_finish;
  iface->hot_add_device_async = hv_kvm_hot_add_device;
  iface->hot_add_device_finish = hv_kvm_hot_add_device_finish;
  iface->hot_del_device_async = hv_kvm_hot_del_device;
  iface->hot_del_device_finish = hv_kvm_hot_del_device_finish;
  iface->hot_mod_device_async = hv_kvm_hot_mod_device;
  iface->hot_mod_device_finish = hv_kvm_hot_mod_device_finish;
}

/* -- after a reconnection -------------------------------------------------- */

static void
reconcile_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* logged, not fatal: the instance runs, the entries stay for next time */
  if (!hv_kvm_hotplug_reconcile_finish (HV_KVM_INSTANCE (source), result, &error))
    g_warning ("Reconciling the hotplug journal of instance %s: %s",
               hv_kvm_instance_get_name (HV_KVM_INSTANCE (source)), error->message);
  g_task_return_boolean (task, TRUE);
}

static void
reconcile_job (HvKvmInstance *instance,
               GTask         *task)
{
  g_autoptr(HvKvm) self = g_weak_ref_get (g_task_get_task_data (task));
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);

  /* a QEMU that did not answer again: nothing to compare with */
  if (self == NULL || qmp == NULL || !hv_kvm_qmp_client_is_connected (qmp))
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  hotplug_prepare_instance (self, instance);
  hv_kvm_hotplug_reconcile_async (instance, NULL, reconcile_done_cb, g_object_ref (task));
}

/**
 * hv_kvm_hotplug_queue_reconcile:
 * @self: the hypervisor
 * @instance: an instance just taken over, whose reconnection is queued
 *
 * Queues, behind the reconnection, the reconcile of the instance's
 * hotplug journal and the watch for late DEVICE_DELETED events.
 * Monitor thread only.
 */
void
hv_kvm_hotplug_queue_reconcile (HvKvm         *self,
                                HvKvmInstance *instance)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_source_tag (task, hv_kvm_hotplug_queue_reconcile);
  g_task_set_task_data (task, hotplug_weak_kvm_new (self), hotplug_weak_kvm_free);
  hv_kvm_instance_queue_job (instance, task, reconcile_job);
}
