/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvHypervisor"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-enum-types.h"
#include "hv-error.h"
#include "hv-hypervisor-private.h"
#include "hv-param-spec.h"

/**
 * HvHypervisor:
 *
 * The interface every hypervisor driver implements: Ganeti's
 * `BaseHypervisor`, with the same methods and parameter semantics.
 *
 * What only checks values or reads local files is synchronous. Everything
 * that talks to QEMU, runs a program or waits is an `_async`/`_finish` pair
 * on #GTask with a #GCancellable, and has a blocking `_sync` form that runs
 * the async one in a private main context pushed as the thread's default
 * (as GDBus does for its `_sync` calls), so the caller's own main context
 * does not run while it waits.
 *
 * A driver that leaves a method out answers as hv_base does:
 * %HV_ERROR_NOT_SUPPORTED, %HV_ERROR_HOTPLUG for the hotplug methods, and
 * success without doing anything for cleanup_instance, migration_info,
 * accept_instance and the two finalize_migration methods.
 *
 * Drivers may be written in C or in any language with GObject
 * Introspection; the methods are virtual functions of
 * #HvHypervisorInterface, which a Python class implements as
 * `do_start_instance_async` and so on.
 *
 * Since: 1.0
 */

G_DEFINE_INTERFACE (HvHypervisor, hv_hypervisor, G_TYPE_OBJECT)

static void
hv_hypervisor_default_init (HvHypervisorInterface *iface)
{
  /**
   * HvHypervisor::instance-state-changed:
   * @self: the hypervisor
   * @name: the instance's name
   * @state: the state it is in now
   *
   * Emitted when the driver sees an instance change state without being
   * asked to: the guest paused, resumed, shut itself down, or its process
   * went away.
   *
   * Since: 1.0
   */
  g_signal_new ("instance-state-changed", G_TYPE_FROM_INTERFACE (iface),
                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 2, G_TYPE_STRING, HV_TYPE_INSTANCE_STATE);

  /**
   * HvHypervisor::device-removed:
   * @self: the hypervisor
   * @name: the instance's name
   * @device_id: the driver's id of the device
   *
   * Emitted when an instance confirms that a device is gone (QEMU's
   * `DEVICE_DELETED`), whether hvkit or the guest asked for it.
   *
   * Since: 1.0
   */
  g_signal_new ("device-removed", G_TYPE_FROM_INTERFACE (iface),
                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * HvHypervisor::migration-progress:
   * @self: the hypervisor
   * @name: the instance's name
   * @status: where the migration is
   *
   * Emitted while an instance migrates, each time the driver learns of
   * progress, and once at the end (completed, failed or cancelled).
   *
   * Since: 1.0
   */
  g_signal_new ("migration-progress", G_TYPE_FROM_INTERFACE (iface),
                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 2, G_TYPE_STRING, HV_TYPE_MIGRATION_STATUS);
}

void
hv_hypervisor_report_unsupported (HvHypervisor        *self,
                                  gpointer             source_tag,
                                  const gchar         *method,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_task_report_new_error (self, callback, user_data, source_tag,
                           HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                           _("The '%s' hypervisor does not support %s"),
                           hv_hypervisor_get_name (self), method);
}

void
hv_hypervisor_report_no_hotplug (HvHypervisor        *self,
                                 gpointer             source_tag,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_task_report_new_error (self, callback, user_data, source_tag,
                           HV_ERROR, HV_ERROR_HOTPLUG,
                           _("Hotplug is not supported by the '%s' hypervisor"),
                           hv_hypervisor_get_name (self));
}

void
hv_hypervisor_report_done (HvHypervisor        *self,
                           gpointer             source_tag,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_return_boolean (task, TRUE);
}

/* An array a driver returned, as one that holds its own reference to each
 * element and releases them when freed. A driver written in C hands over
 * such an array already; one implemented with PyGObject hands over an array
 * of elements it only lends (`transfer container`, PyGObject 3.42), so the
 * references are taken here, while the driver still holds its own. */
GPtrArray *
hv_hypervisor_own_array (GPtrArray     *array,
                         GCopyFunc      ref_func,
                         GDestroyNotify unref_func)
{
  GPtrArray *owned;

  if (array == NULL)
    return NULL;
  owned = g_ptr_array_new_full (array->len, unref_func);
  for (guint i = 0; i < array->len; i++)
    g_ptr_array_add (owned, ref_func (g_ptr_array_index (array, i), NULL));
  g_ptr_array_unref (array);
  return owned;
}

/**
 * hv_hypervisor_get_name:
 * @self: an #HvHypervisor
 *
 * The driver's name, as the plugin loader knows it.
 *
 * Returns: the name, such as `kvm`
 *
 * Since: 1.0
 */
const gchar *
hv_hypervisor_get_name (HvHypervisor *self)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->get_name == NULL)
    return G_OBJECT_TYPE_NAME (self);
  return iface->get_name (self);
}

/**
 * hv_hypervisor_list_instances:
 * @self: an #HvHypervisor
 * @error: return location for a #GError
 *
 * The instances running on this node, Ganeti's `ListInstances`.
 *
 * Returns: (transfer full) (array zero-terminated=1): their names, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
gchar **
hv_hypervisor_list_instances (HvHypervisor *self,
                              GError      **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->list_instances == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                   _("The '%s' hypervisor does not support %s"),
                   hv_hypervisor_get_name (self), "list_instances");
      return NULL;
    }
  return iface->list_instances (self, error);
}

/**
 * hv_hypervisor_get_instance_console:
 * @self: an #HvHypervisor
 * @instance: the instance
 * @error: return location for a #GError
 *
 * How to reach the console of @instance, Ganeti's `GetInstanceConsole`.
 *
 * Returns: (transfer full): the console, or %NULL with @error set
 *
 * Since: 1.0
 */
HvConsole *
hv_hypervisor_get_instance_console (HvHypervisor *self,
                                    HvInstance   *instance,
                                    GError      **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->get_instance_console == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                   _("The '%s' hypervisor does not support %s"),
                   hv_hypervisor_get_name (self), "get_instance_console");
      return NULL;
    }
  return iface->get_instance_console (self, instance, error);
}

/**
 * hv_hypervisor_get_parameters:
 * @self: an #HvHypervisor
 *
 * The driver's parameter table: every hvparam it accepts, with its type and
 * checks. A driver that leaves the method out has none.
 *
 * A driver implemented in Python must keep the specs it returns alive (build
 * them once): PyGObject lends the elements of a returned list.
 *
 * Returns: (transfer container) (element-type HvParamSpec): the parameters
 *
 * Since: 1.0
 */
GPtrArray *
hv_hypervisor_get_parameters (HvHypervisor *self)
{
  HvHypervisorInterface *iface;
  GPtrArray *specs;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  specs = iface->get_parameters != NULL ? iface->get_parameters (self) : NULL;
  if (specs == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) hv_param_spec_unref);
  return hv_hypervisor_own_array (specs, (GCopyFunc) hv_param_spec_ref,
                                  (GDestroyNotify) hv_param_spec_unref);
}

/**
 * hv_hypervisor_check_parameter_syntax:
 * @self: an #HvHypervisor
 * @hvparams: a complete set of hypervisor parameters, an a{sv}
 * @error: return location for a #GError
 *
 * Checks @hvparams without looking at the node, Ganeti's
 * `CheckParameterSyntax`: unknown and missing parameters, required ones
 * left empty and values failing their syntax check are refused with
 * %HV_ERROR_INVALID_PARAMETER. A driver that leaves the method out gets
 * exactly the checks of its parameter table (hv_param_specs_check_syntax());
 * one that adds rules across parameters runs those too.
 *
 * Returns: %TRUE if @hvparams passes
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_check_parameter_syntax (HvHypervisor *self,
                                      GVariant     *hvparams,
                                      GError      **error)
{
  HvHypervisorInterface *iface;
  g_autoptr(GPtrArray) specs = NULL;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (hvparams != NULL, FALSE);
  g_return_val_if_fail (g_variant_is_of_type (hvparams, G_VARIANT_TYPE_VARDICT), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->check_parameter_syntax != NULL)
    return iface->check_parameter_syntax (self, hvparams, error);
  specs = hv_hypervisor_get_parameters (self);
  return hv_param_specs_check_syntax (specs, hvparams, error);
}

/**
 * hv_hypervisor_validate_parameters:
 * @self: an #HvHypervisor
 * @hvparams: a complete set of hypervisor parameters that passed
 *   hv_hypervisor_check_parameter_syntax(), an a{sv}
 * @error: return location for a #GError
 *
 * Checks @hvparams against this node, Ganeti's `ValidateParameters`: files
 * and directories exist, devices are present. A driver that leaves the
 * method out gets the node checks of its parameter table
 * (hv_param_specs_validate()).
 *
 * Returns: %TRUE if @hvparams passes
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_validate_parameters (HvHypervisor *self,
                                   GVariant     *hvparams,
                                   GError      **error)
{
  HvHypervisorInterface *iface;
  g_autoptr(GPtrArray) specs = NULL;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (hvparams != NULL, FALSE);
  g_return_val_if_fail (g_variant_is_of_type (hvparams, G_VARIANT_TYPE_VARDICT), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->validate_parameters != NULL)
    return iface->validate_parameters (self, hvparams, error);
  specs = hv_hypervisor_get_parameters (self);
  return hv_param_specs_validate (specs, hvparams, error);
}

/**
 * hv_hypervisor_verify_hotplug_support:
 * @self: an #HvHypervisor
 * @instance: the instance
 * @action: what would be done
 * @device_type: to which kind of device
 * @error: return location for a #GError
 *
 * Whether @action on a device of @device_type is possible for @instance
 * with its parameters, Ganeti's `VerifyHotplugSupport`. It looks at the
 * configuration only; hv_hypervisor_hotplug_supported_async() asks the
 * running instance.
 *
 * Returns: %TRUE if it is possible; %FALSE with %HV_ERROR_HOTPLUG saying
 *   why not
 *
 * Since: 1.0
 */
gboolean
hv_hypervisor_verify_hotplug_support (HvHypervisor    *self,
                                      HvInstance      *instance,
                                      HvHotplugAction  action,
                                      HvDeviceType     device_type,
                                      GError         **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), FALSE);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->verify_hotplug_support == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   _("Hotplug is not supported by the '%s' hypervisor"),
                   hv_hypervisor_get_name (self));
      return FALSE;
    }
  return iface->verify_hotplug_support (self, instance, action, device_type, error);
}

/**
 * hv_hypervisor_migration_info:
 * @self: an #HvHypervisor
 * @instance: the instance about to migrate
 * @error: return location for a #GError
 *
 * What the migration target needs to receive @instance, Ganeti's
 * `MigrationInfo`; it is handed to hv_hypervisor_accept_instance_async()
 * on the target. A driver that leaves the method out needs nothing and
 * returns empty bytes.
 *
 * Returns: (transfer full): opaque data, or %NULL with @error set
 *
 * Since: 1.0
 */
GBytes *
hv_hypervisor_migration_info (HvHypervisor *self,
                              HvInstance   *instance,
                              GError      **error)
{
  HvHypervisorInterface *iface;

  g_return_val_if_fail (HV_IS_HYPERVISOR (self), NULL);
  g_return_val_if_fail (HV_IS_INSTANCE (instance), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = HV_HYPERVISOR_GET_IFACE (self);
  if (iface->migration_info == NULL)
    return g_bytes_new (NULL, 0);
  return iface->migration_info (self, instance, error);
}
