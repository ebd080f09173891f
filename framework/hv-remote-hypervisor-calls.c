/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvRemoteHypervisor"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-enum-types.h"
#include "hv-error.h"
#include "hv-remote-hypervisor-private.h"

/* The asynchronous methods of HvRemoteHypervisor: one D-Bus call each,
 * whose task returns the reply; the _finish functions turn it back into
 * objects. MigrateInstance, which follows a job, is
 * hv-remote-hypervisor-job.c. */

static void
hv_remote_call_async (HvHypervisor        *hypervisor,
                      gpointer             source_tag,
                      const gchar         *method,
                      GVariant            *parameters,
                      const gchar         *reply_type,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (hypervisor, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  hv_remote_hypervisor_call (HV_REMOTE_HYPERVISOR (hypervisor), method, parameters,
                             reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                             cancellable, task);
}

static GVariant *
hv_remote_finish_reply (HvHypervisor  *hypervisor,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, hypervisor), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
hv_remote_finish_boolean (HvHypervisor  *hypervisor,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_autoptr(GVariant) reply = hv_remote_finish_reply (hypervisor, result, error);

  return reply != NULL;
}

static GVariant *
hv_remote_instance (HvInstance *instance)
{
  return hv_remote_hypervisor_floating (hv_instance_to_variant (instance));
}

static void
hv_remote_start_instance_async (HvHypervisor        *hypervisor,
                                HvInstance          *instance,
                                gboolean             startup_paused,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_start_instance_async, "StartInstance",
                        g_variant_new ("(@a{sv}b)", hv_remote_instance (instance), startup_paused),
                        NULL, cancellable, callback, user_data);
}

static void
hv_remote_stop_instance_async (HvHypervisor        *hypervisor,
                               HvInstance          *instance,
                               gboolean             force,
                               gboolean             retry,
                               guint                timeout_s,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_stop_instance_async, "StopInstance",
                        g_variant_new ("(@a{sv}bbu)", hv_remote_instance (instance),
                                       force, retry, timeout_s),
                        NULL, cancellable, callback, user_data);
}

static void
hv_remote_reboot_instance_async (HvHypervisor        *hypervisor,
                                 HvInstance          *instance,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_reboot_instance_async, "RebootInstance",
                        g_variant_new ("(@a{sv})", hv_remote_instance (instance)),
                        NULL, cancellable, callback, user_data);
}

static void
hv_remote_cleanup_instance_async (HvHypervisor        *hypervisor,
                                  const gchar         *name,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_cleanup_instance_async, "CleanupInstance",
                        g_variant_new ("(s)", name), NULL, cancellable, callback, user_data);
}

static void
hv_remote_get_instance_info_async (HvHypervisor        *hypervisor,
                                   const gchar         *name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_get_instance_info_async, "GetInstanceInfo",
                        g_variant_new ("(s)", name), "(a{sv})", cancellable, callback, user_data);
}

static HvInstanceInfo *
hv_remote_get_instance_info_finish (HvHypervisor  *hypervisor,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_autoptr(GVariant) reply = hv_remote_finish_reply (hypervisor, result, error);
  g_autoptr(GVariant) dict = NULL;

  if (reply == NULL)
    return NULL;
  dict = g_variant_get_child_value (reply, 0);
  return hv_instance_info_new_from_variant (dict, error);
}

/* A reply of one aa{sv}: one object per dict, by @from_variant, or
 * %NULL and the first dict's error. */
typedef GObject *(*HvRemoteFromVariant) (GVariant  *dict,
                                         GError   **error);

static GPtrArray *
hv_remote_objects_from_reply (GVariant             *reply,
                              HvRemoteFromVariant   from_variant,
                              GError              **error)
{
  g_autoptr(GVariant) dicts = g_variant_get_child_value (reply, 0);
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func (g_object_unref);

  for (gsize i = 0; i < g_variant_n_children (dicts); i++)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (dicts, i);
      GObject *object = from_variant (dict, error);

      if (object == NULL)
        return NULL;
      g_ptr_array_add (objects, object);
    }
  return g_steal_pointer (&objects);
}

static void
hv_remote_adopt_instances_async (HvHypervisor        *hypervisor,
                                 const gchar         *source_dir,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_adopt_instances_async, "AdoptInstances",
                        g_variant_new ("(s)", source_dir != NULL ? source_dir : ""),
                        "(aa{sv})", cancellable, callback, user_data);
}

static GPtrArray *
hv_remote_adopt_instances_finish (HvHypervisor  *hypervisor,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_autoptr(GVariant) reply = hv_remote_finish_reply (hypervisor, result, error);

  if (reply == NULL)
    return NULL;
  return hv_remote_objects_from_reply (reply, (HvRemoteFromVariant) hv_adoption_new_from_variant,
                                       error);
}

static void
hv_remote_get_all_instances_info_async (HvHypervisor        *hypervisor,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_get_all_instances_info_async, "GetAllInstancesInfo",
                        NULL, "(aa{sv})", cancellable, callback, user_data);
}

static GPtrArray *
hv_remote_get_all_instances_info_finish (HvHypervisor  *hypervisor,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_autoptr(GVariant) reply = hv_remote_finish_reply (hypervisor, result, error);

  if (reply == NULL)
    return NULL;
  return hv_remote_objects_from_reply (reply,
                                       (HvRemoteFromVariant) hv_instance_info_new_from_variant,
                                       error);
}

static void
hv_remote_get_node_info_async (HvHypervisor        *hypervisor,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_get_node_info_async, "GetNodeInfo",
                        NULL, "(a{sv})", cancellable, callback, user_data);
}

static HvNodeInfo *
hv_remote_get_node_info_finish (HvHypervisor  *hypervisor,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_autoptr(GVariant) reply = hv_remote_finish_reply (hypervisor, result, error);
  g_autoptr(GVariant) dict = NULL;

  if (reply == NULL)
    return NULL;
  dict = g_variant_get_child_value (reply, 0);
  return hv_node_info_new_from_variant (dict, error);
}

static void
hv_remote_verify_async (HvHypervisor        *hypervisor,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_verify_async, "Verify", NULL, NULL,
                        cancellable, callback, user_data);
}

static void
hv_remote_hotplug_supported_async (HvHypervisor        *hypervisor,
                                   HvInstance          *instance,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_hotplug_supported_async, "HotplugSupported",
                        g_variant_new ("(@a{sv})", hv_remote_instance (instance)),
                        NULL, cancellable, callback, user_data);
}

static GVariant *
hv_remote_device_parameters (HvInstance *instance,
                             HvDevice   *device,
                             guint       seq)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (HV_TYPE_DEVICE_TYPE);
  GEnumValue *type = g_enum_get_value (klass, hv_device_get_device_type (device));

  return g_variant_new ("(@a{sv}s@a{sv}u)", hv_remote_instance (instance), type->value_nick,
                        hv_remote_hypervisor_floating (hv_device_to_variant (device)), seq);
}

/* HotAddDevice and HotModDevice answer with the device as placed: its slot
 * and hvinfo go back into the caller's device, as an in-process driver
 * leaves them there */
static void
hv_remote_call_device_async (HvHypervisor        *hypervisor,
                             gpointer             source_tag,
                             const gchar         *method,
                             HvInstance          *instance,
                             HvDevice            *device,
                             guint                seq,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (hypervisor, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_object_set_data_full (G_OBJECT (task), "hv-remote-device", g_object_ref (device), g_object_unref);
  hv_remote_hypervisor_call (HV_REMOTE_HYPERVISOR (hypervisor), method,
                             hv_remote_device_parameters (instance, device, seq),
                             G_VARIANT_TYPE ("(a{sv})"), cancellable, task);
}

static gboolean
hv_remote_finish_device (HvHypervisor  *hypervisor,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_autoptr(GVariant) reply = hv_remote_finish_reply (hypervisor, result, error);
  HvDevice *device = g_object_get_data (G_OBJECT (result), "hv-remote-device");
  g_autoptr(GVariant) placed = NULL;
  g_autoptr(GVariant) hvinfo = NULL;
  gint32 pci;

  if (reply == NULL)
    return FALSE;
  placed = g_variant_get_child_value (reply, 0);
  if (g_variant_lookup (placed, "pci", "i", &pci))
    hv_device_set_pci (device, pci);
  hvinfo = g_variant_lookup_value (placed, "hvinfo", G_VARIANT_TYPE_VARDICT);
  if (hvinfo != NULL)
    hv_device_set_hvinfo (device, hvinfo);
  return TRUE;
}

static void
hv_remote_hot_add_device_async (HvHypervisor        *hypervisor,
                                HvInstance          *instance,
                                HvDevice            *device,
                                guint                seq,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  hv_remote_call_device_async (hypervisor, hv_remote_hot_add_device_async, "HotAddDevice",
                               instance, device, seq, cancellable, callback, user_data);
}

static void
hv_remote_hot_del_device_async (HvHypervisor        *hypervisor,
                                HvInstance          *instance,
                                HvDevice            *device,
                                guint                seq,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_hot_del_device_async, "HotDelDevice",
                        hv_remote_device_parameters (instance, device, seq),
                        NULL, cancellable, callback, user_data);
}

static void
hv_remote_hot_mod_device_async (HvHypervisor        *hypervisor,
                                HvInstance          *instance,
                                HvDevice            *device,
                                guint                seq,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  hv_remote_call_device_async (hypervisor, hv_remote_hot_mod_device_async, "HotModDevice",
                               instance, device, seq, cancellable, callback, user_data);
}

static GVariant *
hv_remote_bytes (GBytes *bytes)
{
  return g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE);
}

static void
hv_remote_accept_instance_async (HvHypervisor        *hypervisor,
                                 HvInstance          *instance,
                                 GBytes              *info,
                                 const gchar         *target,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_accept_instance_async, "AcceptInstance",
                        g_variant_new ("(@a{sv}@ays)", hv_remote_instance (instance),
                                       hv_remote_bytes (info), target),
                        NULL, cancellable, callback, user_data);
}

static void
hv_remote_finalize_migration_dst_async (HvHypervisor        *hypervisor,
                                        HvInstance          *instance,
                                        GBytes              *info,
                                        gboolean             success,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_finalize_migration_dst_async, "FinalizeMigrationDst",
                        g_variant_new ("(@a{sv}@ayb)", hv_remote_instance (instance),
                                       hv_remote_bytes (info), success),
                        NULL, cancellable, callback, user_data);
}

static void
hv_remote_get_migration_status_async (HvHypervisor        *hypervisor,
                                      HvInstance          *instance,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_get_migration_status_async, "GetMigrationStatus",
                        g_variant_new ("(@a{sv})", hv_remote_instance (instance)),
                        "(a{sv})", cancellable, callback, user_data);
}

static HvMigrationStatus *
hv_remote_get_migration_status_finish (HvHypervisor  *hypervisor,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_autoptr(GVariant) reply = hv_remote_finish_reply (hypervisor, result, error);
  g_autoptr(GVariant) dict = NULL;

  if (reply == NULL)
    return NULL;
  dict = g_variant_get_child_value (reply, 0);
  return hv_migration_status_new_from_variant (dict, error);
}

static void
hv_remote_finalize_migration_source_async (HvHypervisor        *hypervisor,
                                           HvInstance          *instance,
                                           gboolean             success,
                                           gboolean             live,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_finalize_migration_source_async,
                        "FinalizeMigrationSource",
                        g_variant_new ("(@a{sv}bb)", hv_remote_instance (instance), success, live),
                        NULL, cancellable, callback, user_data);
}

static void
hv_remote_balloon_instance_memory_async (HvHypervisor        *hypervisor,
                                         HvInstance          *instance,
                                         gint64               memory,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  hv_remote_call_async (hypervisor, hv_remote_balloon_instance_memory_async, "BalloonInstanceMemory",
                        g_variant_new ("(@a{sv}x)", hv_remote_instance (instance), memory),
                        NULL, cancellable, callback, user_data);
}

void
hv_remote_hypervisor_init_calls (HvHypervisorInterface *iface)
{
  iface->start_instance_async = hv_remote_start_instance_async;
  iface->start_instance_finish = hv_remote_finish_boolean;
  iface->stop_instance_async = hv_remote_stop_instance_async;
  iface->stop_instance_finish = hv_remote_finish_boolean;
  iface->reboot_instance_async = hv_remote_reboot_instance_async;
  iface->reboot_instance_finish = hv_remote_finish_boolean;
  iface->cleanup_instance_async = hv_remote_cleanup_instance_async;
  iface->cleanup_instance_finish = hv_remote_finish_boolean;
  iface->get_instance_info_async = hv_remote_get_instance_info_async;
  iface->get_instance_info_finish = hv_remote_get_instance_info_finish;
  iface->get_all_instances_info_async = hv_remote_get_all_instances_info_async;
  iface->get_all_instances_info_finish = hv_remote_get_all_instances_info_finish;
  iface->adopt_instances_async = hv_remote_adopt_instances_async;
  iface->adopt_instances_finish = hv_remote_adopt_instances_finish;
  iface->get_node_info_async = hv_remote_get_node_info_async;
  iface->get_node_info_finish = hv_remote_get_node_info_finish;
  iface->verify_async = hv_remote_verify_async;
  iface->verify_finish = hv_remote_finish_boolean;
  iface->hotplug_supported_async = hv_remote_hotplug_supported_async;
  iface->hotplug_supported_finish = hv_remote_finish_boolean;
  iface->hot_add_device_async = hv_remote_hot_add_device_async;
  iface->hot_add_device_finish = hv_remote_finish_device;
  iface->hot_del_device_async = hv_remote_hot_del_device_async;
  iface->hot_del_device_finish = hv_remote_finish_boolean;
  iface->hot_mod_device_async = hv_remote_hot_mod_device_async;
  iface->hot_mod_device_finish = hv_remote_finish_device;
  iface->accept_instance_async = hv_remote_accept_instance_async;
  iface->accept_instance_finish = hv_remote_finish_boolean;
  iface->finalize_migration_dst_async = hv_remote_finalize_migration_dst_async;
  iface->finalize_migration_dst_finish = hv_remote_finish_boolean;
  iface->get_migration_status_async = hv_remote_get_migration_status_async;
  iface->get_migration_status_finish = hv_remote_get_migration_status_finish;
  iface->finalize_migration_source_async = hv_remote_finalize_migration_source_async;
  iface->finalize_migration_source_finish = hv_remote_finish_boolean;
  iface->balloon_instance_memory_async = hv_remote_balloon_instance_memory_async;
  iface->balloon_instance_memory_finish = hv_remote_finish_boolean;
  hv_remote_hypervisor_init_migrate (iface);
}
