/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvHypervisor"

#include "config.h"

#include "hv-hypervisor-private.h"

/* The migration and memory methods of HvHypervisor (see hv-hypervisor.c). */

/**
 * hv_hypervisor_accept_instance_async:
 * @self: an #HvHypervisor
 * @instance: the instance to receive
 * @info: what hv_hypervisor_migration_info() returned on the source
 * @target: the address on this node the source will send to
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Prepares this node to receive @instance, Ganeti's `AcceptInstance`. A driver
 * that leaves the method out needs no preparation and succeeds.
 *
 * Finish with hv_hypervisor_accept_instance_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_accept_instance_async (HvHypervisor        *self,
                                     HvInstance          *instance,
                                     GBytes              *info,
                                     const gchar         *target,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (info != NULL);
  g_return_if_fail (target != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->accept_instance_async == NULL)
    hv_hypervisor_report_done (self, hv_hypervisor_accept_instance_async,
                               cancellable, callback, user_data);
  else
    iface->accept_instance_async (self, instance, info, target, cancellable,
                                  callback, user_data);
}

/**
 * hv_hypervisor_accept_instance_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_accept_instance_async().
 *
 * Returns: %TRUE once the node waits for the migration
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_accept_instance_finish (HvHypervisor  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_accept_instance_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->accept_instance_finish != NULL, FALSE);
  return iface->accept_instance_finish (self, result, error);
}

/**
 * hv_hypervisor_finalize_migration_dst_async:
 * @self: an #HvHypervisor
 * @instance: the instance received
 * @info: what hv_hypervisor_migration_info() returned on the source
 * @success: whether the migration succeeded
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Completes a migration on the target, or undoes
 * hv_hypervisor_accept_instance_async() when it failed, Ganeti's
 * `FinalizeMigrationDst`. A driver that leaves the method out has nothing to
 * do and succeeds.
 *
 * Finish with hv_hypervisor_finalize_migration_dst_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_finalize_migration_dst_async (HvHypervisor        *self,
                                            HvInstance          *instance,
                                            GBytes              *info,
                                            gboolean             success,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (info != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->finalize_migration_dst_async == NULL)
    hv_hypervisor_report_done (self, hv_hypervisor_finalize_migration_dst_async,
                               cancellable, callback, user_data);
  else
    iface->finalize_migration_dst_async (self, instance, info, success,
                                         cancellable, callback, user_data);
}

/**
 * hv_hypervisor_finalize_migration_dst_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_finalize_migration_dst_async().
 *
 * Returns: %TRUE when done
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_finalize_migration_dst_finish (HvHypervisor  *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_finalize_migration_dst_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->finalize_migration_dst_finish != NULL, FALSE);
  return iface->finalize_migration_dst_finish (self, result, error);
}

/**
 * hv_hypervisor_migrate_instance_async:
 * @self: an #HvHypervisor
 * @instance: the instance to migrate
 * @target: the address of the target node
 * @live: whether the guest keeps running while its memory is copied
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Migrates @instance to @target, Ganeti's `MigrateInstance`. The driver emits
 * #HvHypervisor::migration-progress while it runs.
 *
 * Finish with hv_hypervisor_migrate_instance_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_migrate_instance_async (HvHypervisor        *self,
                                      HvInstance          *instance,
                                      const gchar         *target,
                                      gboolean             live,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (target != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->migrate_instance_async == NULL)
    hv_hypervisor_report_unsupported (self,
                                      hv_hypervisor_migrate_instance_async,
                                      "migrate_instance", callback, user_data);
  else
    iface->migrate_instance_async (self, instance, target, live, cancellable,
                                   callback, user_data);
}

/**
 * hv_hypervisor_migrate_instance_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_migrate_instance_async().
 *
 * Returns: %TRUE once the migration completed
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_migrate_instance_finish (HvHypervisor  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_migrate_instance_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->migrate_instance_finish != NULL, FALSE);
  return iface->migrate_instance_finish (self, result, error);
}

/**
 * hv_hypervisor_get_migration_status_async:
 * @self: an #HvHypervisor
 * @instance: the migrating instance
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Where the migration of @instance is, Ganeti's `GetMigrationStatus`.
 *
 * Finish with hv_hypervisor_get_migration_status_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_get_migration_status_async (HvHypervisor        *self,
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
  if (iface->get_migration_status_async == NULL)
    hv_hypervisor_report_unsupported (self,
                                      hv_hypervisor_get_migration_status_async,
                                      "get_migration_status", callback,
                                      user_data);
  else
    iface->get_migration_status_async (self, instance, cancellable, callback,
                                       user_data);
}

/**
 * hv_hypervisor_get_migration_status_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_get_migration_status_async().
 *
 * Returns: (transfer full): the status, or %NULL with @error set
 *
 * Since: 1.0
 */
HvMigrationStatus *
hv_hypervisor_get_migration_status_finish (HvHypervisor  *self,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_async_result_is_tagged (result, hv_hypervisor_get_migration_status_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->get_migration_status_finish != NULL, NULL);
  return iface->get_migration_status_finish (self, result, error);
}

/**
 * hv_hypervisor_finalize_migration_source_async:
 * @self: an #HvHypervisor
 * @instance: the instance that migrated
 * @success: whether the migration succeeded
 * @live: whether it was a live migration
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Completes a migration on the source, Ganeti's `FinalizeMigrationSource`:
 * after success the source instance is cleaned up, after a failed live
 * migration it runs on. A driver that leaves the method out has nothing to do
 * and succeeds.
 *
 * Finish with hv_hypervisor_finalize_migration_source_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_finalize_migration_source_async (HvHypervisor        *self,
                                               HvInstance          *instance,
                                               gboolean             success,
                                               gboolean             live,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->finalize_migration_source_async == NULL)
    hv_hypervisor_report_done (self,
                               hv_hypervisor_finalize_migration_source_async,
                               cancellable, callback, user_data);
  else
    iface->finalize_migration_source_async (self, instance, success, live,
                                            cancellable, callback, user_data);
}

/**
 * hv_hypervisor_finalize_migration_source_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_finalize_migration_source_async().
 *
 * Returns: %TRUE when done
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_finalize_migration_source_finish (HvHypervisor  *self,
                                                GAsyncResult  *result,
                                                GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_finalize_migration_source_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->finalize_migration_source_finish != NULL, FALSE);
  return iface->finalize_migration_source_finish (self, result, error);
}

/**
 * hv_hypervisor_balloon_instance_memory_async:
 * @self: an #HvHypervisor
 * @instance: a running instance
 * @memory: the memory the guest should have, in MiB
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Changes the memory of the running @instance through its balloon, Ganeti's
 * `BalloonInstanceMemory`.
 *
 * Finish with hv_hypervisor_balloon_instance_memory_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_balloon_instance_memory_async (HvHypervisor        *self,
                                             HvInstance          *instance,
                                             gint64               memory,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (memory > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->balloon_instance_memory_async == NULL)
    hv_hypervisor_report_unsupported (self,
                                      hv_hypervisor_balloon_instance_memory_async,
                                      "balloon_instance_memory", callback,
                                      user_data);
  else
    iface->balloon_instance_memory_async (self, instance, memory, cancellable,
                                          callback, user_data);
}

/**
 * hv_hypervisor_balloon_instance_memory_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_balloon_instance_memory_async().
 *
 * Returns: %TRUE once the guest was asked to use @memory
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_balloon_instance_memory_finish (HvHypervisor  *self,
                                              GAsyncResult  *result,
                                              GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_balloon_instance_memory_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->balloon_instance_memory_finish != NULL, FALSE);
  return iface->balloon_instance_memory_finish (self, result, error);
}
