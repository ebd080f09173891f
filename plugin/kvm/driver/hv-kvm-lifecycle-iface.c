/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-iface.h"
#include "hv-kvm-lifecycle.h"

/*
 * HvKvm's lifecycle methods. Each checks what it can where it is called,
 * makes its task in the caller's context with the typed data of its
 * operation, and runs the operation (lifecycle/) in the monitor thread;
 * the result comes back in that task.
 */

/* The data of a call about one instance. */
typedef struct {
  HvInstance *instance;   /* NULL when only the name was given */
  gchar      *name;
  gboolean    paused;     /* start */
  gboolean    force;      /* stop */
  guint       timeout_s;  /* stop */
  gint64      memory;     /* balloon, MiB */
} InstanceCall;

static void
instance_call_free (InstanceCall *call)
{
  g_clear_object (&call->instance);
  g_free (call->name);
  g_free (call);
}

static InstanceCall *
instance_call_new (HvInstance  *instance,
                   const gchar *name)
{
  InstanceCall *call = g_new0 (InstanceCall, 1);

  call->instance = instance != NULL ? g_object_ref (instance) : NULL;
  call->name = g_strdup (instance != NULL ? hv_instance_get_name (instance) : name);
  return call;
}

static GTask *
instance_task_new (HvHypervisor        *hypervisor,
                   gpointer             source_tag,
                   InstanceCall        *call,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  return hv_kvm_task_new (hypervisor, source_tag, call, (GDestroyNotify) instance_call_free,
                          cancellable, callback, user_data);
}

/* -- StartInstance ---------------------------------------------------------- */

HV_KVM_RELAY_BOOLEAN (start_done_cb, hv_kvm_start_finish)

static void
start_in_thread (HvKvmHost *host,
                 GTask     *task)
{
  InstanceCall *call = g_task_get_task_data (task);

  hv_kvm_start_async (host, call->instance, call->paused, g_task_get_cancellable (task),
                      start_done_cb, task);
}

/* The parameters are checked in the caller's thread: they are the
 * caller's mistakes, and need nothing of the monitor thread. */
static gboolean
start_check (HvHypervisor  *hypervisor,
             HvInstance    *instance,
             GError       **error)
{
  const gchar *name = hv_instance_get_name (instance);

  if (!hv_instance_name_validate (name, error))
    return FALSE;
  if (hv_instance_get_hvparams (instance) == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Instance %s has no hvparams"), name);
      return FALSE;
    }
  return hv_hypervisor_validate_parameters (hypervisor, hv_instance_get_hvparams (instance),
                                            error);
}

static void
hv_kvm_start_instance_async (HvHypervisor        *hypervisor,
                             HvInstance          *instance,
                             gboolean             startup_paused,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  InstanceCall *call = instance_call_new (instance, NULL);
  GTask *task;
  GError *error = NULL;

  call->paused = startup_paused;
  task = instance_task_new (hypervisor, hv_kvm_start_instance_async, call, cancellable,
                            callback, user_data);
  if (!start_check (hypervisor, instance, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  hv_kvm_invoke (HV_KVM (hypervisor), task, start_in_thread);
}

static gboolean
hv_kvm_start_instance_finish (HvHypervisor  *hypervisor,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result, hv_kvm_start_instance_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- StopInstance ----------------------------------------------------------- */

HV_KVM_RELAY_BOOLEAN (stop_done_cb, hv_kvm_stop_finish)

static void
stop_in_thread (HvKvmHost *host,
                GTask     *task)
{
  InstanceCall *call = g_task_get_task_data (task);

  hv_kvm_stop_async (host, call->name, call->force, call->timeout_s,
                     g_task_get_cancellable (task), stop_done_cb, task);
}

/* @retry is Ganeti's: a second soft stop of a guest that ignored the
 * first. hvkit presses the power button again on its own until the
 * timeout (powerdown-interval-ms), so a retry is a stop like any other. */
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
  InstanceCall *call = instance_call_new (instance, NULL);

  call->force = force;
  call->timeout_s = timeout_s;
  hv_kvm_invoke_for_instance (HV_KVM (hypervisor),
                              instance_task_new (hypervisor, hv_kvm_stop_instance_async, call,
                                                 cancellable, callback, user_data),
                              call->name, stop_in_thread);
}

static gboolean
hv_kvm_stop_instance_finish (HvHypervisor  *hypervisor,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result, hv_kvm_stop_instance_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- RebootInstance --------------------------------------------------------- */

HV_KVM_RELAY_BOOLEAN (reboot_done_cb, hv_kvm_reboot_finish)

static void
reboot_in_thread (HvKvmHost *host,
                  GTask     *task)
{
  InstanceCall *call = g_task_get_task_data (task);

  hv_kvm_reboot_async (host, call->instance, g_task_get_cancellable (task), reboot_done_cb,
                       task);
}

static void
hv_kvm_reboot_instance_async (HvHypervisor        *hypervisor,
                              HvInstance          *instance,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  InstanceCall *call = instance_call_new (instance, NULL);

  hv_kvm_invoke_for_instance (HV_KVM (hypervisor),
                              instance_task_new (hypervisor, hv_kvm_reboot_instance_async, call,
                                                 cancellable, callback, user_data),
                              call->name, reboot_in_thread);
}

static gboolean
hv_kvm_reboot_instance_finish (HvHypervisor  *hypervisor,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result, hv_kvm_reboot_instance_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- CleanupInstance -------------------------------------------------------- */

HV_KVM_RELAY_BOOLEAN (cleanup_done_cb, hv_kvm_cleanup_finish)

static void
cleanup_in_thread (HvKvmHost *host,
                   GTask     *task)
{
  InstanceCall *call = g_task_get_task_data (task);

  hv_kvm_cleanup_async (host, call->name, g_task_get_cancellable (task), cleanup_done_cb, task);
}

static void
hv_kvm_cleanup_instance_async (HvHypervisor        *hypervisor,
                               const gchar         *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  /* the name becomes paths of files to remove */
  hv_kvm_invoke_for_instance (HV_KVM (hypervisor),
                              instance_task_new (hypervisor, hv_kvm_cleanup_instance_async,
                                                 instance_call_new (NULL, name), cancellable,
                                                 callback, user_data),
                              name, cleanup_in_thread);
}

static gboolean
hv_kvm_cleanup_instance_finish (HvHypervisor  *hypervisor,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result, hv_kvm_cleanup_instance_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- BalloonInstanceMemory -------------------------------------------------- */

HV_KVM_RELAY_BOOLEAN (balloon_done_cb, hv_kvm_balloon_finish)

static void
balloon_in_thread (HvKvmHost *host,
                   GTask     *task)
{
  InstanceCall *call = g_task_get_task_data (task);

  hv_kvm_balloon_async (host, call->name, call->memory, g_task_get_cancellable (task),
                        balloon_done_cb, task);
}

static void
hv_kvm_balloon_instance_memory_async (HvHypervisor        *hypervisor,
                                      HvInstance          *instance,
                                      gint64               memory,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  InstanceCall *call = instance_call_new (instance, NULL);

  call->memory = memory;
  hv_kvm_invoke_for_instance (HV_KVM (hypervisor),
                              instance_task_new (hypervisor, hv_kvm_balloon_instance_memory_async,
                                                 call, cancellable, callback, user_data),
                              call->name, balloon_in_thread);
}

static gboolean
hv_kvm_balloon_instance_memory_finish (HvHypervisor  *hypervisor,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result,
                                           hv_kvm_balloon_instance_memory_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- GetInstanceInfo, GetAllInstancesInfo ----------------------------------- */

static void
info_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError *error = NULL;
  HvInstanceInfo *info = hv_kvm_info_finish (result, &error);

  hv_kvm_return_pointer (user_data, info, g_object_unref, error);
}

static void
info_in_thread (HvKvmHost *host,
                GTask     *task)
{
  InstanceCall *call = g_task_get_task_data (task);

  hv_kvm_info_async (host, call->name, g_task_get_cancellable (task), info_done_cb, task);
}

static void
hv_kvm_get_instance_info_async (HvHypervisor        *hypervisor,
                                const gchar         *name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  hv_kvm_invoke_for_instance (HV_KVM (hypervisor),
                              instance_task_new (hypervisor, hv_kvm_get_instance_info_async,
                                                 instance_call_new (NULL, name), cancellable,
                                                 callback, user_data),
                              name, info_in_thread);
}

static HvInstanceInfo *
hv_kvm_get_instance_info_finish (HvHypervisor  *hypervisor,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result, hv_kvm_get_instance_info_async),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
all_info_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GError *error = NULL;
  GPtrArray *infos = hv_kvm_all_info_finish (result, &error);

  hv_kvm_return_pointer (user_data, infos, (GDestroyNotify) g_ptr_array_unref, error);
}

static void
all_info_in_thread (HvKvmHost *host,
                    GTask     *task)
{
  hv_kvm_all_info_async (host, g_task_get_cancellable (task), all_info_done_cb, task);
}

static void
hv_kvm_get_all_instances_info_async (HvHypervisor        *hypervisor,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  hv_kvm_invoke (HV_KVM (hypervisor),
                 hv_kvm_task_new (hypervisor, hv_kvm_get_all_instances_info_async, NULL, NULL,
                                  cancellable, callback, user_data),
                 all_info_in_thread);
}

static GPtrArray *
hv_kvm_get_all_instances_info_finish (HvHypervisor  *hypervisor,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result,
                                           hv_kvm_get_all_instances_info_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -- GetNodeInfo, Verify ---------------------------------------------------- */

/* The node's QEMU binary when nothing else says: Ganeti's default
 * kvm_path. Called in the caller's thread: the task keeps it. */
static gchar *
node_default_qemu (HvKvm *self)
{
  const gchar *path = NULL;

  if (!g_variant_lookup (hv_kvm_get_default_hvparams (self), "kvm_path", "&s", &path) ||
      *path == '\0')
    return g_strdup (HV_KVM_DEFAULT_QEMU);
  return g_strdup (path);
}

static void
node_info_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GError *error = NULL;
  HvNodeInfo *info = hv_kvm_node_info_finish (result, &error);

  hv_kvm_return_pointer (user_data, info, g_object_unref, error);
}

static void
node_info_in_thread (HvKvmHost *host,
                     GTask     *task)
{
  hv_kvm_node_info_async (host, g_task_get_task_data (task), g_task_get_cancellable (task),
                          node_info_done_cb, task);
}

static void
hv_kvm_get_node_info_async (HvHypervisor        *hypervisor,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  hv_kvm_invoke (HV_KVM (hypervisor),
                 hv_kvm_task_new (hypervisor, hv_kvm_get_node_info_async,
                                  node_default_qemu (HV_KVM (hypervisor)), g_free,
                                  cancellable, callback, user_data),
                 node_info_in_thread);
}

static HvNodeInfo *
hv_kvm_get_node_info_finish (HvHypervisor  *hypervisor,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result, hv_kvm_get_node_info_async),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

HV_KVM_RELAY_BOOLEAN (verify_done_cb, hv_kvm_verify_finish)

static void
verify_in_thread (HvKvmHost *host,
                  GTask     *task)
{
  hv_kvm_verify_async (host, g_task_get_task_data (task), g_task_get_cancellable (task),
                       verify_done_cb, task);
}

static void
hv_kvm_verify_vfunc_async (HvHypervisor        *hypervisor,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  hv_kvm_invoke (HV_KVM (hypervisor),
                 hv_kvm_task_new (hypervisor, hv_kvm_verify_vfunc_async,
                                  node_default_qemu (HV_KVM (hypervisor)), g_free,
                                  cancellable, callback, user_data),
                 verify_in_thread);
}

static gboolean
hv_kvm_verify_vfunc_finish (HvHypervisor  *hypervisor,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result, hv_kvm_verify_vfunc_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- ListInstances, GetInstanceConsole: the run directory, no QEMU ---------- */

static gchar **
hv_kvm_list_instances (HvHypervisor  *hypervisor,
                       GError       **error)
{
  return hv_kvm_list_running (hv_kvm_get_host (HV_KVM (hypervisor)), error);
}

static HvConsole *
hv_kvm_get_instance_console (HvHypervisor  *hypervisor,
                             HvInstance    *instance,
                             GError       **error)
{
  return hv_kvm_make_console (hv_kvm_get_host (HV_KVM (hypervisor)), instance, error);
}

void
hv_kvm_lifecycle_iface_init (HvHypervisorInterface *iface)
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
  iface->verify_async = hv_kvm_verify_vfunc_async;
  iface->verify_finish = hv_kvm_verify_vfunc_finish;
  iface->list_instances = hv_kvm_list_instances;
  iface->get_instance_console = hv_kvm_get_instance_console;
}
