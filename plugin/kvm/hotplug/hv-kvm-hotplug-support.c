/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmHotplug"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-hotplug-op.h"

/*
 * What may be hot-plugged: the seeds' VerifyHotplugSupport (from the
 * hvparams alone) and HotplugSupported (from the commands the running
 * QEMU offers, not its version).
 */

/* ---- VerifyHotplugSupport ----------------------------------------------- */

static const gchar *
hvparam_string (GVariant    *hvparams,
                const gchar *key,
                const gchar *fallback)
{
  const gchar *value;

  if (hvparams != NULL && g_variant_lookup (hvparams, key, "&s", &value))
    return value;
  return fallback;
}

static gboolean
hvparam_bool (GVariant    *hvparams,
              const gchar *key,
              gboolean     fallback)
{
  gboolean value;

  if (hvparams != NULL && g_variant_lookup (hvparams, key, "b", &value))
    return value;
  return fallback;
}

static const gchar *
model_key (HvDeviceType type)
{
  return type == HV_DEVICE_TYPE_DISK ? "disk_type" : "nic_type";
}

/* The checks on the two hvparams they need: @model is the device type's
 * disk_type or nic_type. */
static gboolean
verify_support (const gchar      *model,
                gboolean          acpi,
                HvHotplugAction   action,
                HvDeviceType      type,
                GError          **error)
{
  if (type == HV_DEVICE_TYPE_DISK && action == HV_HOTPLUG_ACTION_MOD)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   _("Disks cannot be modified while the instance runs; only NICs can"));
      return FALSE;
    }
  if (!g_str_equal (model, "paravirtual"))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   _("Parameter '%s' is '%s': only paravirtual devices can be hot-plugged"),
                   model_key (type), model);
      return FALSE;
    }
  if (!acpi)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   _("Parameter 'acpi' is off: the guest needs ACPI for PCI hotplug"));
      return FALSE;
    }
  return TRUE;
}

/**
 * hv_kvm_hotplug_verify_support:
 * @hvparams: the instance's hvparams
 * @action: what would be done
 * @type: to which kind of device
 * @error: return location for a #GError
 *
 * Ganeti refuses disk hotplug under chroot or a security model other
 * than none, because the unprivileged or chrooted QEMU could not open the
 * disk; hvkit opens it itself and passes the descriptor (add-fd), so it
 * allows both. Only paravirtual devices are hot-pluggable (virtio on
 * pci.0, found by slot); PCI hotplug needs ACPI in the guest; HotMod is
 * for NICs, as in Ganeti; a NIC can always be hot-added (passing its tap
 * needs nothing Python's fdsend gave Ganeti).
 *
 * Returns: %TRUE if @action is possible, else %FALSE with %HV_ERROR_HOTPLUG
 */
gboolean
hv_kvm_hotplug_verify_support (GVariant         *hvparams,
                               HvHotplugAction   action,
                               HvDeviceType      type,
                               GError          **error)
{
  g_return_val_if_fail (hvparams == NULL || g_variant_is_of_type (hvparams, G_VARIANT_TYPE_VARDICT),
                        FALSE);

  return verify_support (hvparam_string (hvparams, model_key (type), "paravirtual"),
                         hvparam_bool (hvparams, "acpi", TRUE), action, type, error);
}

/* The same on a table of the hvparams (hv_kvm_instance_get_hvparams()):
 * two hash lookups where the a{sv} is walked for each key, some 40 µs of
 * every hotplug operation. */
gboolean
hv_kvm_hotplug_verify_support_table (GVariantDict     *hvparams,
                                     HvHotplugAction   action,
                                     HvDeviceType      type,
                                     GError          **error)
{
  const gchar *model = "paravirtual";
  gboolean acpi = TRUE;

  g_variant_dict_lookup (hvparams, model_key (type), "&s", &model);
  g_variant_dict_lookup (hvparams, "acpi", "b", &acpi);
  return verify_support (model, acpi, action, type, error);
}

/* ---- HotplugSupported --------------------------------------------------- */

/* What hotplug sends, whatever the device. */
static const gchar * const required_commands[] = {
  "query-pci", "device_add", "device_del", "blockdev-add", "blockdev-del",
  "add-fd", "remove-fd", "getfd", "closefd", "netdev_add", "netdev_del", NULL
};

gboolean
hv_kvm_hotplug_check_running (HvKvmInstance  *instance,
                              GError        **error)
{
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);

  if (qmp == NULL || !hv_kvm_qmp_client_is_connected (qmp) ||
      hv_kvm_instance_get_runtime (instance) == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NOT_RUNNING,
                   _("Instance %s is not running"), hv_kvm_instance_get_name (instance));
      return FALSE;
    }
  return TRUE;
}

static void
hv_kvm_hotplug_supported_commands_cb (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) commands = hv_kvm_qmp_query_commands_finish (HV_KVM_QMP_CLIENT (source), result,
                                                             &error);

  if (commands == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; required_commands[i] != NULL; i++)
    if (!g_strv_contains ((const gchar * const *) commands, required_commands[i]))
      {
        g_task_return_new_error (task, HV_ERROR, HV_ERROR_HOTPLUG,
                                 _("The QEMU of instance %s has no QMP command '%s'"),
                                 hv_kvm_instance_get_name (instance), required_commands[i]);
        return;
      }
  g_task_return_boolean (task, TRUE);
}

/**
 * hv_kvm_hotplug_supported_async:
 * @instance: a running instance
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the answer is known
 * @user_data: for @callback
 *
 * Ganeti's HotplugSupported, from the commands the running QEMU offers
 * (query-commands), not from its version.
 */
void
hv_kvm_hotplug_supported_async (HvKvmInstance       *instance,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (HV_KVM_IS_INSTANCE (instance));

  task = g_task_new (instance, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_kvm_hotplug_supported_async);
  if (!hv_kvm_hotplug_check_running (instance, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  hv_kvm_qmp_query_commands_async (hv_kvm_instance_get_qmp (instance), cancellable,
                                   hv_kvm_hotplug_supported_commands_cb, g_steal_pointer (&task));
}

gboolean
hv_kvm_hotplug_supported_finish (HvKvmInstance  *instance,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_hotplug_supported_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
