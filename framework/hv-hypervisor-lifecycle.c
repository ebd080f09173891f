/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvHypervisor"

#include "config.h"

#include "hv-hypervisor-private.h"

/* The lifecycle methods of HvHypervisor (see hv-hypervisor.c). */

/**
 * hv_hypervisor_start_instance_async:
 * @self: an #HvHypervisor
 * @instance: the instance to start
 * @startup_paused: whether to leave the guest paused (its CPUs stopped) once
 *   started
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Starts @instance on this node, Ganeti's `StartInstance`: the process, its
 * disks and its NICs (with their ifup scripts).
 *
 * Finish with hv_hypervisor_start_instance_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_start_instance_async (HvHypervisor        *self,
                                    HvInstance          *instance,
                                    gboolean             startup_paused,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->start_instance_async == NULL)
    hv_hypervisor_report_unsupported (self, hv_hypervisor_start_instance_async,
                                      "start_instance", callback, user_data);
  else
    iface->start_instance_async (self, instance, startup_paused, cancellable,
                                 callback, user_data);
}

/**
 * hv_hypervisor_start_instance_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_start_instance_async().
 *
 * Returns: %TRUE once the instance runs (or is paused, as asked); %FALSE with
 *   %HV_ERROR_ALREADY_RUNNING if it was running
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_start_instance_finish (HvHypervisor  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_start_instance_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->start_instance_finish != NULL, FALSE);
  return iface->start_instance_finish (self, result, error);
}

/**
 * hv_hypervisor_stop_instance_async:
 * @self: an #HvHypervisor
 * @instance: the instance to stop
 * @force: kill the process instead of asking the guest to power off
 * @retry: whether this call repeats one that did not finish
 * @timeout_s: seconds to wait for the guest to power off before killing it, or
 *   0 to wait as long as it takes; ignored with @force
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Stops @instance, Ganeti's `StopInstance`: asks the guest to power off, or
 * kills it when @force is set or @timeout_s has passed.
 *
 * Finish with hv_hypervisor_stop_instance_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_stop_instance_async (HvHypervisor        *self,
                                   HvInstance          *instance,
                                   gboolean             force,
                                   gboolean             retry,
                                   guint                timeout_s,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->stop_instance_async == NULL)
    hv_hypervisor_report_unsupported (self, hv_hypervisor_stop_instance_async,
                                      "stop_instance", callback, user_data);
  else
    iface->stop_instance_async (self, instance, force, retry, timeout_s,
                                cancellable, callback, user_data);
}

/**
 * hv_hypervisor_stop_instance_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_stop_instance_async().
 *
 * Returns: %TRUE once the instance is stopped
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_stop_instance_finish (HvHypervisor  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_stop_instance_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->stop_instance_finish != NULL, FALSE);
  return iface->stop_instance_finish (self, result, error);
}

/**
 * hv_hypervisor_reboot_instance_async:
 * @self: an #HvHypervisor
 * @instance: the instance to reboot
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Reboots @instance, Ganeti's `RebootInstance`.
 *
 * Finish with hv_hypervisor_reboot_instance_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_reboot_instance_async (HvHypervisor        *self,
                                     HvInstance          *instance,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->reboot_instance_async == NULL)
    hv_hypervisor_report_unsupported (self, hv_hypervisor_reboot_instance_async,
                                      "reboot_instance", callback, user_data);
  else
    iface->reboot_instance_async (self, instance, cancellable, callback,
                                  user_data);
}

/**
 * hv_hypervisor_reboot_instance_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_reboot_instance_async().
 *
 * Returns: %TRUE once the instance runs again
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_reboot_instance_finish (HvHypervisor  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_reboot_instance_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->reboot_instance_finish != NULL, FALSE);
  return iface->reboot_instance_finish (self, result, error);
}

/**
 * hv_hypervisor_cleanup_instance_async:
 * @self: an #HvHypervisor
 * @name: the name of a stopped instance
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Removes what a stopped instance left on this node (pidfile, sockets, runtime
 * record), Ganeti's `CleanupInstance`. A driver that leaves the method out has
 * nothing to clean up and succeeds.
 *
 * Finish with hv_hypervisor_cleanup_instance_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_cleanup_instance_async (HvHypervisor        *self,
                                      const gchar         *name,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->cleanup_instance_async == NULL)
    hv_hypervisor_report_done (self, hv_hypervisor_cleanup_instance_async,
                               cancellable, callback, user_data);
  else
    iface->cleanup_instance_async (self, name, cancellable, callback,
                                   user_data);
}

/**
 * hv_hypervisor_cleanup_instance_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_cleanup_instance_async().
 *
 * Returns: %TRUE once nothing is left
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_cleanup_instance_finish (HvHypervisor  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_cleanup_instance_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->cleanup_instance_finish != NULL, FALSE);
  return iface->cleanup_instance_finish (self, result, error);
}

/**
 * hv_hypervisor_get_instance_info_async:
 * @self: an #HvHypervisor
 * @name: the instance's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * What the driver knows about the running instance @name, Ganeti's
 * `GetInstanceInfo`.
 *
 * Finish with hv_hypervisor_get_instance_info_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_get_instance_info_async (HvHypervisor        *self,
                                       const gchar         *name,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->get_instance_info_async == NULL)
    hv_hypervisor_report_unsupported (self,
                                      hv_hypervisor_get_instance_info_async,
                                      "get_instance_info", callback, user_data);
  else
    iface->get_instance_info_async (self, name, cancellable, callback,
                                    user_data);
}

/**
 * hv_hypervisor_get_instance_info_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_get_instance_info_async().
 *
 * Returns: (transfer full): the information, or %NULL with @error set
 *   (%HV_ERROR_NOT_RUNNING when the instance does not run)
 *
 * Since: 1.0
 */
HvInstanceInfo *
hv_hypervisor_get_instance_info_finish (HvHypervisor  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_async_result_is_tagged (result, hv_hypervisor_get_instance_info_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->get_instance_info_finish != NULL, NULL);
  return iface->get_instance_info_finish (self, result, error);
}

/**
 * hv_hypervisor_get_all_instances_info_async:
 * @self: an #HvHypervisor
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * What the driver knows about every instance running on this node, Ganeti's
 * `GetAllInstancesInfo`.
 *
 * Finish with hv_hypervisor_get_all_instances_info_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_get_all_instances_info_async (HvHypervisor        *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->get_all_instances_info_async == NULL)
    hv_hypervisor_report_unsupported (self,
                                      hv_hypervisor_get_all_instances_info_async,
                                      "get_all_instances_info", callback,
                                      user_data);
  else
    iface->get_all_instances_info_async (self, cancellable, callback,
                                         user_data);
}

/**
 * hv_hypervisor_get_all_instances_info_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_get_all_instances_info_async().
 *
 * Returns: (transfer container) (element-type HvInstanceInfo): the
 *   information, or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
hv_hypervisor_get_all_instances_info_finish (HvHypervisor  *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  HvHypervisorInterface *iface;
  GPtrArray *infos;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_async_result_is_tagged (result, hv_hypervisor_get_all_instances_info_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->get_all_instances_info_finish != NULL, NULL);
  infos = iface->get_all_instances_info_finish (self, result, error);
  return hv_hypervisor_own_array (infos, (GCopyFunc) g_object_ref, g_object_unref);
}

/**
 * hv_hypervisor_get_node_info_async:
 * @self: an #HvHypervisor
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * What this node offers instances: memory, CPUs, NUMA nodes and sockets, and
 * the hypervisor's version, Ganeti's `GetNodeInfo`. Drivers on Linux build it
 * with hv_node_info_new_from_system().
 *
 * Finish with hv_hypervisor_get_node_info_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_get_node_info_async (HvHypervisor        *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->get_node_info_async == NULL)
    hv_hypervisor_report_unsupported (self, hv_hypervisor_get_node_info_async,
                                      "get_node_info", callback, user_data);
  else
    iface->get_node_info_async (self, cancellable, callback, user_data);
}

/**
 * hv_hypervisor_get_node_info_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_get_node_info_async().
 *
 * Returns: (transfer full): the node's information, or %NULL with @error set
 *
 * Since: 1.0
 */
HvNodeInfo *
hv_hypervisor_get_node_info_finish (HvHypervisor  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_async_result_is_tagged (result, hv_hypervisor_get_node_info_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->get_node_info_finish != NULL, NULL);
  return iface->get_node_info_finish (self, result, error);
}

/**
 * hv_hypervisor_verify_async:
 * @self: an #HvHypervisor
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Checks that this node can run instances (the programs and devices the driver
 * needs are there), Ganeti's `Verify`.
 *
 * Finish with hv_hypervisor_verify_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_verify_async (HvHypervisor        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->verify_async == NULL)
    hv_hypervisor_report_unsupported (self, hv_hypervisor_verify_async,
                                      "verify", callback, user_data);
  else
    iface->verify_async (self, cancellable, callback, user_data);
}

/**
 * hv_hypervisor_verify_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_verify_async().
 *
 * Returns: %TRUE if the node is fit; %FALSE with an error describing every
 *   problem found
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_verify_finish (HvHypervisor  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_verify_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->verify_finish != NULL, FALSE);
  return iface->verify_finish (self, result, error);
}

/**
 * hv_hypervisor_adopt_instances_async:
 * @self: an #HvHypervisor
 * @source_dir: (nullable): where the other manager keeps its instances'
 *   files; %NULL for the driver's default (the KVM driver: Ganeti's
 *   `/var/run/ganeti/kvm-hypervisor`)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Takes over the instances that another manager (for the KVM driver,
 * Ganeti's own KVM driver) started and still runs: from then on this
 * driver lists, queries, hot-plugs into, balloons and stops each of them
 * as if it had started it. An instance the driver cannot take over safely
 * is refused and left exactly as it was; the result says, per instance,
 * which it was and why. The call as a whole fails only when @source_dir
 * cannot be read at all.
 *
 * Optional: a driver that does not implement it answers
 * %HV_ERROR_NOT_SUPPORTED.
 *
 * Finish with hv_hypervisor_adopt_instances_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_adopt_instances_async (HvHypervisor        *self,
                                     const gchar         *source_dir,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->adopt_instances_async == NULL)
    hv_hypervisor_report_unsupported (self, hv_hypervisor_adopt_instances_async,
                                      "adopt_instances", callback, user_data);
  else
    iface->adopt_instances_async (self, source_dir, cancellable, callback, user_data);
}

/**
 * hv_hypervisor_adopt_instances_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_adopt_instances_async().
 *
 * Returns: (transfer container) (element-type HvAdoption): one outcome per
 *   instance found, sorted by name, or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
hv_hypervisor_adopt_instances_finish (HvHypervisor  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  HvHypervisorInterface *iface;
  GPtrArray *adoptions;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_async_result_is_tagged (result, hv_hypervisor_adopt_instances_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->adopt_instances_finish != NULL, NULL);
  adoptions = iface->adopt_instances_finish (self, result, error);
  return hv_hypervisor_own_array (adoptions, (GCopyFunc) g_object_ref, g_object_unref);
}
