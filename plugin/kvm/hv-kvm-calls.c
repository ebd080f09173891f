/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include "hv-kvm-calls-private.h"

/*
 * HvKvm's methods of the interface: each makes its task in the caller's
 * context and hands the work to the monitor thread (hv-kvm-worker.c),
 * where the lifecycle runs; the result comes back in that task.
 */

typedef struct {
  HvKvm           *self;
  GTask           *outer;       /* the caller's */
  HvKvmResultKind  kind;
  GDestroyNotify   result_free;
  HvKvmCallFunc    func;
  HvKvmCallData   *data;
} Call;

static void
hv_kvm_call_data_free (HvKvmCallData *data)
{
  if (data->op_free != NULL)
    data->op_free (data->op);
  g_clear_pointer (&data->runtime, hv_kvm_runtime_free);
  g_free (data->name);
  g_clear_object (&data->instance);
  g_clear_object (&data->device);
  g_free (data);
}

HvKvmCallData *
hv_kvm_task_get_call_data (GTask *task)
{
  return g_task_get_task_data (task);
}

HvKvm *
hv_kvm_task_get_kvm (GTask *task)
{
  return hv_kvm_task_get_call_data (task)->kvm;
}

/* In the monitor thread: passes the inner task's result on. */
static void
hv_kvm_call_relay_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Call *call = user_data;
  GTask *inner = G_TASK (result);
  GError *error = NULL;

  if (call->kind == HV_KVM_RESULT_BOOLEAN)
    {
      gboolean value = g_task_propagate_boolean (inner, &error);

      if (error != NULL)
        g_task_return_error (call->outer, error);
      else
        g_task_return_boolean (call->outer, value);
    }
  else
    {
      gpointer value = g_task_propagate_pointer (inner, &error);

      if (error != NULL)
        g_task_return_error (call->outer, error);
      else
        g_task_return_pointer (call->outer, value, call->result_free);
    }
  /* usually not the last reference (a task returned from another thread
   * keeps itself until its callback has run in its own context), but it
   * can be, and with it HvKvm's: hv_kvm_worker_free() copes */
  g_object_unref (call->outer);
  g_free (call);
}

static gboolean
hv_kvm_call_start_cb (gpointer user_data)
{
  Call *call = user_data;
  GTask *inner;

  /* no source object: the caller's task holds HvKvm for as long as this
   * one runs */
  inner = g_task_new (NULL, g_task_get_cancellable (call->outer), hv_kvm_call_relay_cb, call);
  g_task_set_source_tag (inner, call->func);
  g_task_set_task_data (inner, g_steal_pointer (&call->data),
                        (GDestroyNotify) hv_kvm_call_data_free);
  call->func (call->self, inner);
  return G_SOURCE_REMOVE;
}

/**
 * hv_kvm_call:
 * @self: the hypervisor
 * @outer: (transfer full): the caller's task
 * @kind: what @func returns through its task
 * @result_free: (nullable): frees a pointer result
 * @func: runs in the monitor thread; it owns the task it gets and must
 *   complete it
 * @data: (transfer full): an #HvKvmCallData
 * @data_free: unused, %NULL (the data is an #HvKvmCallData)
 */
void
hv_kvm_call (HvKvm           *self,
             GTask           *outer,
             HvKvmResultKind  kind,
             GDestroyNotify   result_free,
             HvKvmCallFunc    func,
             gpointer         data,
             GDestroyNotify   data_free)
{
  Call *call = g_new0 (Call, 1);

  g_return_if_fail (data_free == NULL);

  call->self = self;
  call->outer = outer;
  call->kind = kind;
  call->result_free = result_free;
  call->func = func;
  call->data = data;
  call->data->kvm = self;
  hv_kvm_worker_invoke (hv_kvm_get_worker (self), hv_kvm_call_start_cb, call, NULL);
}

static HvKvmCallData *
hv_kvm_call_data_new (HvInstance  *instance,
                      const gchar *name)
{
  HvKvmCallData *data = g_new0 (HvKvmCallData, 1);

  data->instance = instance != NULL ? g_object_ref (instance) : NULL;
  data->name = g_strdup (instance != NULL ? hv_instance_get_name (instance) : name);
  return data;
}

static GTask *
hv_kvm_outer_new (HvHypervisor        *hypervisor,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (hypervisor, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  return task;
}

#define HV_KVM_FINISH(result, hypervisor, tag) \
  G_STMT_START { \
    g_return_val_if_fail (g_task_is_valid ((result), (hypervisor)), 0); \
    g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == (tag), 0); \
  } G_STMT_END

/* -- the lifecycle -------------------------------------------------------- */

static void
hv_kvm_start_instance_async (HvHypervisor        *hypervisor,
                             HvInstance          *instance,
                             gboolean             startup_paused,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  HvKvmCallData *data = hv_kvm_call_data_new (instance, NULL);

  data->paused = startup_paused;
  hv_kvm_call (HV_KVM (hypervisor),
               hv_kvm_outer_new (hypervisor, hv_kvm_start_instance_async, cancellable,
                                 callback, user_data),
               HV_KVM_RESULT_BOOLEAN, NULL, hv_kvm_start_instance, data, NULL);
}

static gboolean
hv_kvm_start_instance_finish (HvHypervisor  *hypervisor,
                              GAsyncResult  *result,
                              GError       **error)
{
  HV_KVM_FINISH (result, hypervisor, hv_kvm_start_instance_async);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hv_kvm_stop_instance_async (HvHypervisor        *hypervisor,
                            HvInstance          *instance,
                            gboolean             force,
                            gboolean             retry,
                            guint                timeout_s,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  HvKvmCallData *data = hv_kvm_call_data_new (instance, NULL);

  data->force = force;
  data->retry = retry;
  data->timeout_s = timeout_s;
  hv_kvm_call (HV_KVM (hypervisor),
               hv_kvm_outer_new (hypervisor, hv_kvm_stop_instance_async, cancellable,
                                 callback, user_data),
               HV_KVM_RESULT_BOOLEAN, NULL, hv_kvm_stop_instance, data, NULL);
}

static gboolean
hv_kvm_stop_instance_finish (HvHypervisor  *hypervisor,
                             GAsyncResult  *result,
                             GError       **error)
{
  HV_KVM_FINISH (result, hypervisor, hv_kvm_stop_instance_async);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hv_kvm_reboot_instance_async (HvHypervisor        *hypervisor,
                              HvInstance          *instance,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  hv_kvm_call (HV_KVM (hypervisor),
               hv_kvm_outer_new (hypervisor, hv_kvm_reboot_instance_async, cancellable,
                                 callback, user_data),
               HV_KVM_RESULT_BOOLEAN, NULL, hv_kvm_reboot_instance,
               hv_kvm_call_data_new (instance, NULL), NULL);
}

static gboolean
hv_kvm_reboot_instance_finish (HvHypervisor  *hypervisor,
                               GAsyncResult  *result,
                               GError       **error)
{
  HV_KVM_FINISH (result, hypervisor, hv_kvm_reboot_instance_async);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hv_kvm_cleanup_instance_async (HvHypervisor        *hypervisor,
                               const gchar         *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  hv_kvm_call (HV_KVM (hypervisor),
               hv_kvm_outer_new (hypervisor, hv_kvm_cleanup_instance_async, cancellable,
                                 callback, user_data),
               HV_KVM_RESULT_BOOLEAN, NULL, hv_kvm_cleanup_instance,
               hv_kvm_call_data_new (NULL, name), NULL);
}

static gboolean
hv_kvm_cleanup_instance_finish (HvHypervisor  *hypervisor,
                                GAsyncResult  *result,
                                GError       **error)
{
  HV_KVM_FINISH (result, hypervisor, hv_kvm_cleanup_instance_async);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hv_kvm_balloon_instance_memory_async (HvHypervisor        *hypervisor,
                                      HvInstance          *instance,
                                      gint64               memory,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  HvKvmCallData *data = hv_kvm_call_data_new (instance, NULL);

  data->memory = memory;
  hv_kvm_call (HV_KVM (hypervisor),
               hv_kvm_outer_new (hypervisor, hv_kvm_balloon_instance_memory_async,
                                 cancellable, callback, user_data),
               HV_KVM_RESULT_BOOLEAN, NULL, hv_kvm_balloon_instance, data, NULL);
}

static gboolean
hv_kvm_balloon_instance_memory_finish (HvHypervisor  *hypervisor,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  HV_KVM_FINISH (result, hypervisor, hv_kvm_balloon_instance_memory_async);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- what runs where ------------------------------------------------------ */

static void
hv_kvm_get_instance_info_async (HvHypervisor        *hypervisor,
                                const gchar         *name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  hv_kvm_call (HV_KVM (hypervisor),
               hv_kvm_outer_new (hypervisor, hv_kvm_get_instance_info_async, cancellable,
                                 callback, user_data),
               HV_KVM_RESULT_POINTER, g_object_unref, hv_kvm_get_instance_info,
               hv_kvm_call_data_new (NULL, name), NULL);
}

static HvInstanceInfo *
hv_kvm_get_instance_info_finish (HvHypervisor  *hypervisor,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  HV_KVM_FINISH (result, hypervisor, hv_kvm_get_instance_info_async);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
hv_kvm_get_all_instances_info_async (HvHypervisor        *hypervisor,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  hv_kvm_call (HV_KVM (hypervisor),
               hv_kvm_outer_new (hypervisor, hv_kvm_get_all_instances_info_async,
                                 cancellable, callback, user_data),
               HV_KVM_RESULT_POINTER, (GDestroyNotify) g_ptr_array_unref,
               hv_kvm_get_all_instances_info, hv_kvm_call_data_new (NULL, NULL), NULL);
}

static GPtrArray *
hv_kvm_get_all_instances_info_finish (HvHypervisor  *hypervisor,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  HV_KVM_FINISH (result, hypervisor, hv_kvm_get_all_instances_info_async);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
hv_kvm_get_node_info_async (HvHypervisor        *hypervisor,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  hv_kvm_call (HV_KVM (hypervisor),
               hv_kvm_outer_new (hypervisor, hv_kvm_get_node_info_async, cancellable,
                                 callback, user_data),
               HV_KVM_RESULT_POINTER, g_object_unref, hv_kvm_get_node_info,
               hv_kvm_call_data_new (NULL, NULL), NULL);
}

static HvNodeInfo *
hv_kvm_get_node_info_finish (HvHypervisor  *hypervisor,
                             GAsyncResult  *result,
                             GError       **error)
{
  HV_KVM_FINISH (result, hypervisor, hv_kvm_get_node_info_async);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
hv_kvm_verify_async (HvHypervisor        *hypervisor,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  hv_kvm_call (HV_KVM (hypervisor),
               hv_kvm_outer_new (hypervisor, hv_kvm_verify_async, cancellable,
                                 callback, user_data),
               HV_KVM_RESULT_BOOLEAN, NULL, hv_kvm_verify,
               hv_kvm_call_data_new (NULL, NULL), NULL);
}

static gboolean
hv_kvm_verify_finish (HvHypervisor  *hypervisor,
                      GAsyncResult  *result,
                      GError       **error)
{
  HV_KVM_FINISH (result, hypervisor, hv_kvm_verify_async);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gchar **
hv_kvm_list_instances (HvHypervisor  *hypervisor,
                       GError       **error)
{
  return hv_kvm_list_running (HV_KVM (hypervisor), error);
}

static HvConsole *
hv_kvm_get_instance_console (HvHypervisor  *hypervisor,
                             HvInstance    *instance,
                             GError       **error)
{
  return hv_kvm_make_console (HV_KVM (hypervisor), instance, error);
}

void
hv_kvm_calls_iface_init (HvHypervisorInterface *iface)
{
  iface->start_instance_async = hv_kvm_start_instance_async;
  iface->start_instance_finish = hv_kvm_start_instance_finish;
  iface->stop_instance_async = hv_kvm_stop_instance_async;
  iface->stop_instance_finish = hv_kvm_stop_instance_finish;
  iface->reboot_instance_async = hv_kvm_reboot_instance_async;
  iface->reboot_instance_finish = hv_kvm_reboot_instance_finish;
  iface->cleanup_instance_async = hv_kvm_cleanup_instance_async;
  iface->cleanup_instance_finish = hv_kvm_cleanup_instance_finish;
  iface->balloon_instance_memory_async = hv_kvm_balloon_instance_memory_async;
  iface->balloon_instance_memory_finish = hv_kvm_balloon_instance_memory_finish;
  iface->get_instance_info_async = hv_kvm_get_instance_info_async;
  iface->get_instance_info_finish = hv_kvm_get_instance_info_finish;
  iface->get_all_instances_info_async = hv_kvm_get_all_instances_info_async;
  iface->get_all_instances_info_finish = hv_kvm_get_all_instances_info_finish;
  iface->get_node_info_async = hv_kvm_get_node_info_async;
  iface->get_node_info_finish = hv_kvm_get_node_info_finish;
  iface->verify_async = hv_kvm_verify_async;
  iface->verify_finish = hv_kvm_verify_finish;
  iface->list_instances = hv_kvm_list_instances;
  iface->get_instance_console = hv_kvm_get_instance_console;
}
