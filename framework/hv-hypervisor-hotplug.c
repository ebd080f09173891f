/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvHypervisor"

#include "config.h"

#include "hv-hypervisor-private.h"

/* The hotplug methods of HvHypervisor (see hv-hypervisor.c). */

/**
 * hv_hypervisor_hotplug_supported_async:
 * @self: an #HvHypervisor
 * @instance: a running instance
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Asks the running @instance whether it accepts hotplug at all, Ganeti's
 * `HotplugSupported`.
 *
 * Finish with hv_hypervisor_hotplug_supported_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_hotplug_supported_async (HvHypervisor        *self,
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
  if (iface->hotplug_supported_async == NULL)
    hv_hypervisor_report_no_hotplug (self,
                                     hv_hypervisor_hotplug_supported_async,
                                     callback, user_data);
  else
    iface->hotplug_supported_async (self, instance, cancellable, callback,
                                    user_data);
}

/**
 * hv_hypervisor_hotplug_supported_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_hotplug_supported_async().
 *
 * Returns: %TRUE if it does; %FALSE with %HV_ERROR_HOTPLUG saying why not
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_hotplug_supported_finish (HvHypervisor  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_hotplug_supported_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->hotplug_supported_finish != NULL, FALSE);
  return iface->hotplug_supported_finish (self, result, error);
}

/**
 * hv_hypervisor_hot_add_device_async:
 * @self: an #HvHypervisor
 * @instance: a running instance
 * @device: the disk or NIC to add
 * @seq: the index the device will have among the instance's devices of its
 *   type
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Plugs @device into the running @instance, Ganeti's `HotAddDevice`.
 *
 * Finish with hv_hypervisor_hot_add_device_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_hot_add_device_async (HvHypervisor        *self,
                                    HvInstance          *instance,
                                    HvDevice            *device,
                                    guint                seq,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (HV_IS_DEVICE (device));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->hot_add_device_async == NULL)
    hv_hypervisor_report_no_hotplug (self, hv_hypervisor_hot_add_device_async,
                                     callback, user_data);
  else
    iface->hot_add_device_async (self, instance, device, seq, cancellable,
                                 callback, user_data);
}

/**
 * hv_hypervisor_hot_add_device_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_hot_add_device_async().
 *
 * Returns: %TRUE once the instance has the device; %FALSE with
 *   %HV_ERROR_HOTPLUG or %HV_ERROR_MONITOR, after undoing the steps taken
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_hot_add_device_finish (HvHypervisor  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_hot_add_device_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->hot_add_device_finish != NULL, FALSE);
  return iface->hot_add_device_finish (self, result, error);
}

/**
 * hv_hypervisor_hot_del_device_async:
 * @self: an #HvHypervisor
 * @instance: a running instance
 * @device: the disk or NIC to remove
 * @seq: the index of the device among the instance's devices of its type
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Unplugs @device from the running @instance, Ganeti's `HotDelDevice`.
 *
 * Finish with hv_hypervisor_hot_del_device_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_hot_del_device_async (HvHypervisor        *self,
                                    HvInstance          *instance,
                                    HvDevice            *device,
                                    guint                seq,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (HV_IS_DEVICE (device));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->hot_del_device_async == NULL)
    hv_hypervisor_report_no_hotplug (self, hv_hypervisor_hot_del_device_async,
                                     callback, user_data);
  else
    iface->hot_del_device_async (self, instance, device, seq, cancellable,
                                 callback, user_data);
}

/**
 * hv_hypervisor_hot_del_device_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_hot_del_device_async().
 *
 * Returns: %TRUE once the instance confirmed the removal
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_hot_del_device_finish (HvHypervisor  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_hot_del_device_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->hot_del_device_finish != NULL, FALSE);
  return iface->hot_del_device_finish (self, result, error);
}

/**
 * hv_hypervisor_hot_mod_device_async:
 * @self: an #HvHypervisor
 * @instance: a running instance
 * @device: the disk or NIC as it should be now
 * @seq: the index of the device among the instance's devices of its type
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the operation completes
 * @user_data: (closure callback): data for @callback
 *
 * Changes @device of the running @instance to match @device, Ganeti's
 * `HotModDevice`.
 *
 * Finish with hv_hypervisor_hot_mod_device_finish().
 *
 * Since: 1.0
 */
void
hv_hypervisor_hot_mod_device_async (HvHypervisor        *self,
                                    HvInstance          *instance,
                                    HvDevice            *device,
                                    guint                seq,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  HvHypervisorInterface *iface;

  g_return_if_fail (HV_IS_HYPERVISOR (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (HV_IS_DEVICE (device));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->hot_mod_device_async == NULL)
    hv_hypervisor_report_no_hotplug (self, hv_hypervisor_hot_mod_device_async,
                                     callback, user_data);
  else
    iface->hot_mod_device_async (self, instance, device, seq, cancellable,
                                 callback, user_data);
}

/**
 * hv_hypervisor_hot_mod_device_finish:
 * @self: an #HvHypervisor
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_hypervisor_hot_mod_device_async().
 *
 * Returns: %TRUE once the instance has the changed device
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_hot_mod_device_finish (HvHypervisor  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, hv_hypervisor_hot_mod_device_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  g_return_val_if_fail (iface->hot_mod_device_finish != NULL, FALSE);
  return iface->hot_mod_device_finish (self, result, error);
}
