/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include "hv-kvm-hotplug.h"
#include "hv-kvm-iface.h"

/*
 * HvKvm's hotplug methods, as the lifecycle's (hv-kvm-lifecycle-iface.c):
 * the task in the caller's context with the call's typed data, the work
 * in the monitor thread as a job of the instance's queue (hotplug/).
 */

typedef enum {
  HOTPLUG_SUPPORTED,
  HOTPLUG_ADD,
  HOTPLUG_DEL,
  HOTPLUG_MOD,
} HotplugKind;

/* The data of one hotplug call. */
typedef struct {
  HotplugKind  kind;
  HvInstance  *instance;
  HvDevice    *device;     /* NULL for HOTPLUG_SUPPORTED */
  guint        seq;
} HotplugCall;

static void
hotplug_call_free (HotplugCall *call)
{
  g_clear_object (&call->instance);
  g_clear_object (&call->device);
  g_free (call);
}

HV_KVM_RELAY_BOOLEAN (hotplug_done_cb, hv_kvm_hotplug_job_finish)

static void
hotplug_in_thread (HvKvmHost *host,
                   GTask     *task)
{
  HotplugCall *call = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  switch (call->kind)
    {
    case HOTPLUG_SUPPORTED:
      hv_kvm_hotplug_job_supported_async (host, call->instance, cancellable, hotplug_done_cb,
                                          task);
      break;
    case HOTPLUG_ADD:
      hv_kvm_hotplug_job_add_async (host, call->instance, call->device, call->seq, cancellable,
                                    hotplug_done_cb, task);
      break;
    case HOTPLUG_DEL:
      hv_kvm_hotplug_job_del_async (host, call->instance, call->device, call->seq, cancellable,
                                    hotplug_done_cb, task);
      break;
    case HOTPLUG_MOD:
      hv_kvm_hotplug_job_mod_async (host, call->instance, call->device, call->seq, cancellable,
                                    hotplug_done_cb, task);
      break;
    }
}

static void
hotplug_call (HvHypervisor        *hypervisor,
              gpointer             source_tag,
              HotplugKind          kind,
              HvInstance          *instance,
              HvDevice            *device,
              guint                seq,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  HotplugCall *call = g_new0 (HotplugCall, 1);

  call->kind = kind;
  call->instance = g_object_ref (instance);
  call->device = device != NULL ? g_object_ref (device) : NULL;
  call->seq = seq;
  hv_kvm_invoke_for_instance (HV_KVM (hypervisor),
                              hv_kvm_task_new (hypervisor, source_tag, call,
                                               (GDestroyNotify) hotplug_call_free, cancellable,
                                               callback, user_data),
                              hv_instance_get_name (instance), hotplug_in_thread);
}

static gboolean
hotplug_finish (HvHypervisor  *hypervisor,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result, source_tag), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

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
hv_kvm_hotplug_supported_vfunc (HvHypervisor        *hypervisor,
                                HvInstance          *instance,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  hotplug_call (hypervisor, hv_kvm_hotplug_supported_vfunc, HOTPLUG_SUPPORTED, instance, NULL,
                0, cancellable, callback, user_data);
}

static gboolean
hv_kvm_hotplug_supported_vfunc_finish (HvHypervisor  *hypervisor,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return hotplug_finish (hypervisor, result, hv_kvm_hotplug_supported_vfunc, error);
}

static void
hv_kvm_hot_add_device_async (HvHypervisor        *hypervisor,
                             HvInstance          *instance,
                             HvDevice            *device,
                             guint                seq,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  hotplug_call (hypervisor, hv_kvm_hot_add_device_async, HOTPLUG_ADD, instance, device, seq,
                cancellable, callback, user_data);
}

static gboolean
hv_kvm_hot_add_device_finish (HvHypervisor  *hypervisor,
                              GAsyncResult  *result,
                              GError       **error)
{
  return hotplug_finish (hypervisor, result, hv_kvm_hot_add_device_async, error);
}

static void
hv_kvm_hot_del_device_async (HvHypervisor        *hypervisor,
                             HvInstance          *instance,
                             HvDevice            *device,
                             guint                seq,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  hotplug_call (hypervisor, hv_kvm_hot_del_device_async, HOTPLUG_DEL, instance, device, seq,
                cancellable, callback, user_data);
}

static gboolean
hv_kvm_hot_del_device_finish (HvHypervisor  *hypervisor,
                              GAsyncResult  *result,
                              GError       **error)
{
  return hotplug_finish (hypervisor, result, hv_kvm_hot_del_device_async, error);
}

static void
hv_kvm_hot_mod_device_async (HvHypervisor        *hypervisor,
                             HvInstance          *instance,
                             HvDevice            *device,
                             guint                seq,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  hotplug_call (hypervisor, hv_kvm_hot_mod_device_async, HOTPLUG_MOD, instance, device, seq,
                cancellable, callback, user_data);
}

static gboolean
hv_kvm_hot_mod_device_finish (HvHypervisor  *hypervisor,
                              GAsyncResult  *result,
                              GError       **error)
{
  return hotplug_finish (hypervisor, result, hv_kvm_hot_mod_device_async, error);
}

void
hv_kvm_hotplug_iface_init (HvHypervisorInterface *iface)
{
  iface->verify_hotplug_support = hv_kvm_verify_hotplug_support;
  iface->hotplug_supported_async = hv_kvm_hotplug_supported_vfunc;
  iface->hotplug_supported_finish = hv_kvm_hotplug_supported_vfunc_finish;
  iface->hot_add_device_async = hv_kvm_hot_add_device_async;
  iface->hot_add_device_finish = hv_kvm_hot_add_device_finish;
  iface->hot_del_device_async = hv_kvm_hot_del_device_async;
  iface->hot_del_device_finish = hv_kvm_hot_del_device_finish;
  iface->hot_mod_device_async = hv_kvm_hot_mod_device_async;
  iface->hot_mod_device_finish = hv_kvm_hot_mod_device_finish;
}
