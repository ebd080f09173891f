/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvHypervisor"

#include "config.h"

#include "hv-hypervisor-private.h"

/* The blocking forms of the async methods. Each runs its async method in
 * a new main context pushed as the thread's default, and iterates only that
 * context until the callback has run, as GDBus's _sync calls do: sources of
 * the caller's own contexts do not run meanwhile, so no other callback of
 * the program runs inside the blocking call. */

typedef struct {
  GMainContext *context;
  GAsyncResult *result;
} HvSyncCall;

#define HV_SYNC_CALL_INIT { NULL, NULL }

static void
hv_sync_call_begin (HvSyncCall *call)
{
  call->context = g_main_context_new ();
  g_main_context_push_thread_default (call->context);
}

static void
hv_sync_call_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  HvSyncCall *call = user_data;

  call->result = g_object_ref (result);
}

static void
hv_sync_call_wait (HvSyncCall *call)
{
  while (call->result == NULL)
    g_main_context_iteration (call->context, TRUE);
}

static void
hv_sync_call_clear (HvSyncCall *call)
{
  if (call->context != NULL)
    {
      g_main_context_pop_thread_default (call->context);
      g_clear_pointer (&call->context, g_main_context_unref);
    }
  g_clear_object (&call->result);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HvSyncCall, hv_sync_call_clear)

/**
 * hv_hypervisor_start_instance_sync:
 * @self: an #HvHypervisor
 * @instance: the instance to start
 * @startup_paused: whether to leave the guest paused (its CPUs stopped) once
 *   started
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_start_instance_async(), as every
 * `_sync` method is: it pushes a new main context as the thread's default,
 * calls the async method and iterates only that context until the method
 * completes. No source of the caller's main contexts runs meanwhile.
 *
 * A driver must therefore complete its async methods without the caller's
 * main context: by attaching what it waits on to the thread-default context
 * current when the method is called, or by doing its I/O in a thread of its
 * own. #GTask does the former by itself.
 *
 * Returns: %TRUE once the instance runs (or is paused, as asked); %FALSE with
 *   %HV_ERROR_ALREADY_RUNNING if it was running
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_start_instance_sync (HvHypervisor  *self,
                                   HvInstance    *instance,
                                   gboolean       startup_paused,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_start_instance_async (self, instance, startup_paused,
                                      cancellable, hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_start_instance_finish (self, call.result, error);
}

/**
 * hv_hypervisor_stop_instance_sync:
 * @self: an #HvHypervisor
 * @instance: the instance to stop
 * @force: kill the process instead of asking the guest to power off
 * @retry: whether this call repeats one that did not finish
 * @timeout_s: seconds to wait for the guest to power off before killing it, or
 *   0 to wait as long as it takes; ignored with @force
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_stop_instance_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE once the instance is stopped
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_stop_instance_sync (HvHypervisor  *self,
                                  HvInstance    *instance,
                                  gboolean       force,
                                  gboolean       retry,
                                  guint          timeout_s,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_stop_instance_async (self, instance, force, retry, timeout_s,
                                     cancellable, hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_stop_instance_finish (self, call.result, error);
}

/**
 * hv_hypervisor_reboot_instance_sync:
 * @self: an #HvHypervisor
 * @instance: the instance to reboot
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_reboot_instance_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE once the instance runs again
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_reboot_instance_sync (HvHypervisor  *self,
                                    HvInstance    *instance,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_reboot_instance_async (self, instance, cancellable,
                                       hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_reboot_instance_finish (self, call.result, error);
}

/**
 * hv_hypervisor_cleanup_instance_sync:
 * @self: an #HvHypervisor
 * @name: the name of a stopped instance
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_cleanup_instance_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE once nothing is left
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_cleanup_instance_sync (HvHypervisor  *self,
                                     const gchar   *name,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_cleanup_instance_async (self, name, cancellable,
                                        hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_cleanup_instance_finish (self, call.result, error);
}

/**
 * hv_hypervisor_get_instance_info_sync:
 * @self: an #HvHypervisor
 * @name: the instance's name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_get_instance_info_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: (transfer full): the information, or %NULL with @error set
 *   (%HV_ERROR_NOT_RUNNING when the instance does not run)
 *
 * Since: 1.0
 */
HvInstanceInfo *
hv_hypervisor_get_instance_info_sync (HvHypervisor  *self,
                                      const gchar   *name,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  hv_sync_call_begin (&call);
  hv_hypervisor_get_instance_info_async (self, name, cancellable,
                                         hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_get_instance_info_finish (self, call.result, error);
}

/**
 * hv_hypervisor_get_all_instances_info_sync:
 * @self: an #HvHypervisor
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_get_all_instances_info_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: (transfer container) (element-type HvInstanceInfo): the
 *   information, or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
hv_hypervisor_get_all_instances_info_sync (HvHypervisor  *self,
                                           GCancellable  *cancellable,
                                           GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  hv_sync_call_begin (&call);
  hv_hypervisor_get_all_instances_info_async (self, cancellable,
                                              hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_get_all_instances_info_finish (self, call.result, error);
}

/**
 * hv_hypervisor_get_node_info_sync:
 * @self: an #HvHypervisor
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_get_node_info_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: (transfer full): the node's information, or %NULL with @error set
 *
 * Since: 1.0
 */
HvNodeInfo *
hv_hypervisor_get_node_info_sync (HvHypervisor  *self,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  hv_sync_call_begin (&call);
  hv_hypervisor_get_node_info_async (self, cancellable, hv_sync_call_done,
                                     &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_get_node_info_finish (self, call.result, error);
}

/**
 * hv_hypervisor_verify_sync:
 * @self: an #HvHypervisor
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_verify_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE if the node is fit; %FALSE with an error describing every
 *   problem found
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_verify_sync (HvHypervisor  *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_verify_async (self, cancellable, hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_verify_finish (self, call.result, error);
}

/**
 * hv_hypervisor_hotplug_supported_sync:
 * @self: an #HvHypervisor
 * @instance: a running instance
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_hotplug_supported_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE if it does; %FALSE with %HV_ERROR_HOTPLUG saying why not
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_hotplug_supported_sync (HvHypervisor  *self,
                                      HvInstance    *instance,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_hotplug_supported_async (self, instance, cancellable,
                                         hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_hotplug_supported_finish (self, call.result, error);
}

/**
 * hv_hypervisor_hot_add_device_sync:
 * @self: an #HvHypervisor
 * @instance: a running instance
 * @device: the disk or NIC to add
 * @seq: the index the device will have among the instance's devices of its
 *   type
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_hot_add_device_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE once the instance has the device; %FALSE with
 *   %HV_ERROR_HOTPLUG or %HV_ERROR_MONITOR, after undoing the steps taken
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_hot_add_device_sync (HvHypervisor  *self,
                                   HvInstance    *instance,
                                   HvDevice      *device,
                                   guint          seq,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (HV_IS_DEVICE (device), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_hot_add_device_async (self, instance, device, seq, cancellable,
                                      hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_hot_add_device_finish (self, call.result, error);
}

/**
 * hv_hypervisor_hot_del_device_sync:
 * @self: an #HvHypervisor
 * @instance: a running instance
 * @device: the disk or NIC to remove
 * @seq: the index of the device among the instance's devices of its type
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_hot_del_device_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE once the instance confirmed the removal
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_hot_del_device_sync (HvHypervisor  *self,
                                   HvInstance    *instance,
                                   HvDevice      *device,
                                   guint          seq,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (HV_IS_DEVICE (device), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_hot_del_device_async (self, instance, device, seq, cancellable,
                                      hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_hot_del_device_finish (self, call.result, error);
}

/**
 * hv_hypervisor_hot_mod_device_sync:
 * @self: an #HvHypervisor
 * @instance: a running instance
 * @device: the disk or NIC as it should be now
 * @seq: the index of the device among the instance's devices of its type
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_hot_mod_device_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE once the instance has the changed device
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_hot_mod_device_sync (HvHypervisor  *self,
                                   HvInstance    *instance,
                                   HvDevice      *device,
                                   guint          seq,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (HV_IS_DEVICE (device), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_hot_mod_device_async (self, instance, device, seq, cancellable,
                                      hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_hot_mod_device_finish (self, call.result, error);
}

/**
 * hv_hypervisor_accept_instance_sync:
 * @self: an #HvHypervisor
 * @instance: the instance to receive
 * @info: what hv_hypervisor_migration_info() returned on the source
 * @target: the address on this node the source will send to
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_accept_instance_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE once the node waits for the migration
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_accept_instance_sync (HvHypervisor  *self,
                                    HvInstance    *instance,
                                    GBytes        *info,
                                    const gchar   *target,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (target != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_accept_instance_async (self, instance, info, target,
                                       cancellable, hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_accept_instance_finish (self, call.result, error);
}

/**
 * hv_hypervisor_finalize_migration_dst_sync:
 * @self: an #HvHypervisor
 * @instance: the instance received
 * @info: what hv_hypervisor_migration_info() returned on the source
 * @success: whether the migration succeeded
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_finalize_migration_dst_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE when done
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_finalize_migration_dst_sync (HvHypervisor  *self,
                                           HvInstance    *instance,
                                           GBytes        *info,
                                           gboolean       success,
                                           GCancellable  *cancellable,
                                           GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_finalize_migration_dst_async (self, instance, info, success,
                                              cancellable, hv_sync_call_done,
                                              &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_finalize_migration_dst_finish (self, call.result, error);
}

/**
 * hv_hypervisor_migrate_instance_sync:
 * @self: an #HvHypervisor
 * @instance: the instance to migrate
 * @target: the address of the target node
 * @live: whether the guest keeps running while its memory is copied
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_migrate_instance_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE once the migration completed
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_migrate_instance_sync (HvHypervisor  *self,
                                     HvInstance    *instance,
                                     const gchar   *target,
                                     gboolean       live,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (target != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_migrate_instance_async (self, instance, target, live,
                                        cancellable, hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_migrate_instance_finish (self, call.result, error);
}

/**
 * hv_hypervisor_get_migration_status_sync:
 * @self: an #HvHypervisor
 * @instance: the migrating instance
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_get_migration_status_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: (transfer full): the status, or %NULL with @error set
 *
 * Since: 1.0
 */
HvMigrationStatus *
hv_hypervisor_get_migration_status_sync (HvHypervisor  *self,
                                         HvInstance    *instance,
                                         GCancellable  *cancellable,
                                         GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  hv_sync_call_begin (&call);
  hv_hypervisor_get_migration_status_async (self, instance, cancellable,
                                            hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_get_migration_status_finish (self, call.result, error);
}

/**
 * hv_hypervisor_finalize_migration_source_sync:
 * @self: an #HvHypervisor
 * @instance: the instance that migrated
 * @success: whether the migration succeeded
 * @live: whether it was a live migration
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_finalize_migration_source_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE when done
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_finalize_migration_source_sync (HvHypervisor  *self,
                                              HvInstance    *instance,
                                              gboolean       success,
                                              gboolean       live,
                                              GCancellable  *cancellable,
                                              GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_finalize_migration_source_async (self, instance, success, live,
                                                 cancellable, hv_sync_call_done,
                                                 &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_finalize_migration_source_finish (self, call.result, error);
}

/**
 * hv_hypervisor_balloon_instance_memory_sync:
 * @self: an #HvHypervisor
 * @instance: a running instance
 * @memory: the memory the guest should have, in MiB
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_balloon_instance_memory_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: %TRUE once the guest was asked to use @memory
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_balloon_instance_memory_sync (HvHypervisor  *self,
                                            HvInstance    *instance,
                                            gint64         memory,
                                            GCancellable  *cancellable,
                                            GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (memory > 0, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_sync_call_begin (&call);
  hv_hypervisor_balloon_instance_memory_async (self, instance, memory,
                                               cancellable, hv_sync_call_done,
                                               &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_balloon_instance_memory_finish (self, call.result, error);
}

/**
 * hv_hypervisor_adopt_instances_sync:
 * @self: an #HvHypervisor
 * @source_dir: (nullable): as for hv_hypervisor_adopt_instances_async()
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_hypervisor_adopt_instances_async(); see
 * hv_hypervisor_start_instance_sync() for how it waits.
 *
 * Returns: (transfer container) (element-type HvAdoption): one outcome per
 *   instance found, or %NULL with @error set
 *
 * Since: 1.0
 */
GPtrArray *
hv_hypervisor_adopt_instances_sync (HvHypervisor  *self,
                                    const gchar   *source_dir,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  g_auto(HvSyncCall) call = HV_SYNC_CALL_INIT;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  hv_sync_call_begin (&call);
  hv_hypervisor_adopt_instances_async (self, source_dir, cancellable, hv_sync_call_done, &call);
  hv_sync_call_wait (&call);
  return hv_hypervisor_adopt_instances_finish (self, call.result, error);
}
