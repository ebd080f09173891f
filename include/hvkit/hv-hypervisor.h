/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <gio/gio.h>

#include <hvkit/hv-version-macros.h>
#include <hvkit/hv-adoption.h>
#include <hvkit/hv-console.h>
#include <hvkit/hv-device.h>
#include <hvkit/hv-instance.h>
#include <hvkit/hv-instance-info.h>
#include <hvkit/hv-migration-status.h>
#include <hvkit/hv-node-info.h>

G_BEGIN_DECLS

#define HV_TYPE_HYPERVISOR (hv_hypervisor_get_type ())
HV_AVAILABLE_IN_1_0
G_DECLARE_INTERFACE (HvHypervisor, hv_hypervisor, HV, HYPERVISOR, GObject)

/**
 * HvHypervisorInterface:
 * @g_iface: the parent interface
 * @get_name: the driver's name, such as `kvm`
 * @list_instances: the names of the instances running on this node
 * @get_instance_console: how to reach an instance's console
 * @get_parameters: the driver's parameter table
 * @check_parameter_syntax: check hvparams without looking at the node
 * @validate_parameters: check hvparams against this node
 * @verify_hotplug_support: whether a hotplug action on a device type is
 *   possible for an instance
 * @migration_info: the data the migration target needs
 * @start_instance_async: start an instance
 * @start_instance_finish: finish @start_instance_async
 * @stop_instance_async: stop an instance
 * @stop_instance_finish: finish @stop_instance_async
 * @reboot_instance_async: reboot an instance
 * @reboot_instance_finish: finish @reboot_instance_async
 * @cleanup_instance_async: remove what a stopped instance left behind
 * @cleanup_instance_finish: finish @cleanup_instance_async
 * @get_instance_info_async: query a running instance
 * @get_instance_info_finish: finish @get_instance_info_async
 * @get_all_instances_info_async: query every running instance
 * @get_all_instances_info_finish: finish @get_all_instances_info_async
 * @get_node_info_async: query what this node offers instances
 * @get_node_info_finish: finish @get_node_info_async
 * @verify_async: check that the node can run instances
 * @verify_finish: finish @verify_async
 * @hotplug_supported_async: whether a running instance accepts hotplug
 * @hotplug_supported_finish: finish @hotplug_supported_async
 * @hot_add_device_async: plug a device into a running instance
 * @hot_add_device_finish: finish @hot_add_device_async
 * @hot_del_device_async: unplug a device from a running instance
 * @hot_del_device_finish: finish @hot_del_device_async
 * @hot_mod_device_async: change a device of a running instance
 * @hot_mod_device_finish: finish @hot_mod_device_async
 * @accept_instance_async: prepare this node to receive a migration
 * @accept_instance_finish: finish @accept_instance_async
 * @finalize_migration_dst_async: finish a migration on the target
 * @finalize_migration_dst_finish: finish @finalize_migration_dst_async
 * @migrate_instance_async: migrate an instance to another node
 * @migrate_instance_finish: finish @migrate_instance_async
 * @get_migration_status_async: query a migration's progress
 * @get_migration_status_finish: finish @get_migration_status_async
 * @finalize_migration_source_async: finish a migration on the source
 * @finalize_migration_source_finish: finish @finalize_migration_source_async
 * @balloon_instance_memory_async: change the memory of a running instance
 * @balloon_instance_memory_finish: finish @balloon_instance_memory_async
 * @adopt_instances_async: take over instances another manager started
 *   (optional; Since: 1.0)
 * @adopt_instances_finish: finish @adopt_instances_async
 *
 * The methods a driver implements; the public functions of the same names
 * check their arguments and call them. Every method may be left %NULL: it
 * then answers as Ganeti's hv_base does, %HV_ERROR_NOT_SUPPORTED (hotplug
 * ones %HV_ERROR_HOTPLUG), or succeeds doing nothing where hv_base does
 * (cleanup_instance, migration_info, accept_instance and the two
 * finalize_migration methods). An `_async` method left %NULL still
 * completes through its callback, never before the call returns. A driver
 * that sets an `_async` method sets its `_finish` too.
 *
 * Since: 1.0
 */
struct _HvHypervisorInterface {
  GTypeInterface g_iface;

  const gchar *(*get_name)                (HvHypervisor        *self);
  gchar      **(*list_instances)          (HvHypervisor        *self,
                                           GError             **error);
  HvConsole   *(*get_instance_console)    (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           GError             **error);
  GPtrArray   *(*get_parameters)          (HvHypervisor        *self);
  gboolean     (*check_parameter_syntax)  (HvHypervisor        *self,
                                           GVariant            *hvparams,
                                           GError             **error);
  gboolean     (*validate_parameters)     (HvHypervisor        *self,
                                           GVariant            *hvparams,
                                           GError             **error);
  gboolean     (*verify_hotplug_support)  (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           HvHotplugAction      action,
                                           HvDeviceType         device_type,
                                           GError             **error);
  GBytes      *(*migration_info)          (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           GError             **error);

  void         (*start_instance_async)    (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           gboolean             startup_paused,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean     (*start_instance_finish)   (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
  void         (*stop_instance_async)     (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           gboolean             force,
                                           gboolean             retry,
                                           guint                timeout_s,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean     (*stop_instance_finish)    (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
  void         (*reboot_instance_async)   (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean     (*reboot_instance_finish)  (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
  void         (*cleanup_instance_async)  (HvHypervisor        *self,
                                           const gchar         *name,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean     (*cleanup_instance_finish) (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
  void         (*get_instance_info_async) (HvHypervisor        *self,
                                           const gchar         *name,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  HvInstanceInfo *(*get_instance_info_finish) (HvHypervisor    *self,
                                               GAsyncResult    *result,
                                               GError         **error);
  void         (*get_all_instances_info_async) (HvHypervisor        *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
  GPtrArray   *(*get_all_instances_info_finish) (HvHypervisor  *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);
  void         (*get_node_info_async)     (HvHypervisor        *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  HvNodeInfo  *(*get_node_info_finish)    (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
  void         (*verify_async)            (HvHypervisor        *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean     (*verify_finish)           (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
  void         (*hotplug_supported_async) (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean     (*hotplug_supported_finish) (HvHypervisor       *self,
                                            GAsyncResult       *result,
                                            GError            **error);
  void         (*hot_add_device_async)    (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           HvDevice            *device,
                                           guint                seq,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean     (*hot_add_device_finish)   (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
  void         (*hot_del_device_async)    (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           HvDevice            *device,
                                           guint                seq,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean     (*hot_del_device_finish)   (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
  void         (*hot_mod_device_async)    (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           HvDevice            *device,
                                           guint                seq,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean     (*hot_mod_device_finish)   (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
  void         (*accept_instance_async)   (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           GBytes              *info,
                                           const gchar         *target,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean     (*accept_instance_finish)  (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
  void         (*finalize_migration_dst_async) (HvHypervisor        *self,
                                                HvInstance          *instance,
                                                GBytes              *info,
                                                gboolean             success,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
  gboolean     (*finalize_migration_dst_finish) (HvHypervisor  *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);
  void         (*migrate_instance_async)  (HvHypervisor        *self,
                                           HvInstance          *instance,
                                           const gchar         *target,
                                           gboolean             live,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean     (*migrate_instance_finish) (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
  void         (*get_migration_status_async) (HvHypervisor        *self,
                                              HvInstance          *instance,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
  HvMigrationStatus *(*get_migration_status_finish) (HvHypervisor  *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
  void         (*finalize_migration_source_async) (HvHypervisor        *self,
                                                   HvInstance          *instance,
                                                   gboolean             success,
                                                   gboolean             live,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
  gboolean     (*finalize_migration_source_finish) (HvHypervisor  *self,
                                                    GAsyncResult  *result,
                                                    GError       **error);
  void         (*balloon_instance_memory_async) (HvHypervisor        *self,
                                                 HvInstance          *instance,
                                                 gint64               memory,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
  gboolean     (*balloon_instance_memory_finish) (HvHypervisor  *self,
                                                  GAsyncResult  *result,
                                                  GError       **error);
  void         (*adopt_instances_async)   (HvHypervisor        *self,
                                           const gchar         *source_dir,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  GPtrArray   *(*adopt_instances_finish)  (HvHypervisor        *self,
                                           GAsyncResult        *result,
                                           GError             **error);

  /*< private >*/
  gpointer padding[14];
};

/* synchronous: pure checks and local files */
HV_AVAILABLE_IN_1_0
const gchar        *hv_hypervisor_get_name                (HvHypervisor        *self);
HV_AVAILABLE_IN_1_0
gchar             **hv_hypervisor_list_instances          (HvHypervisor        *self,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
HvConsole          *hv_hypervisor_get_instance_console    (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
GPtrArray          *hv_hypervisor_get_parameters          (HvHypervisor        *self);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_check_parameter_syntax  (HvHypervisor        *self,
                                                           GVariant            *hvparams,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_validate_parameters     (HvHypervisor        *self,
                                                           GVariant            *hvparams,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_verify_hotplug_support  (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           HvHotplugAction      action,
                                                           HvDeviceType         device_type,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
GBytes             *hv_hypervisor_migration_info          (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           GError             **error);

/* the lifecycle */
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_start_instance_async    (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           gboolean             startup_paused,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_start_instance_finish   (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_stop_instance_async     (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           gboolean             force,
                                                           gboolean             retry,
                                                           guint                timeout_s,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_stop_instance_finish    (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_reboot_instance_async   (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_reboot_instance_finish  (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_cleanup_instance_async  (HvHypervisor        *self,
                                                           const gchar         *name,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_cleanup_instance_finish (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_get_instance_info_async (HvHypervisor        *self,
                                                           const gchar         *name,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
HvInstanceInfo     *hv_hypervisor_get_instance_info_finish (HvHypervisor       *self,
                                                            GAsyncResult       *result,
                                                            GError            **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_get_all_instances_info_async  (HvHypervisor        *self,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
HV_AVAILABLE_IN_1_0
GPtrArray          *hv_hypervisor_get_all_instances_info_finish (HvHypervisor        *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_get_node_info_async     (HvHypervisor        *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
HvNodeInfo         *hv_hypervisor_get_node_info_finish    (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_verify_async            (HvHypervisor        *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_verify_finish           (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* hotplug */
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_hotplug_supported_async (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_hotplug_supported_finish (HvHypervisor       *self,
                                                            GAsyncResult       *result,
                                                            GError            **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_hot_add_device_async    (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           HvDevice            *device,
                                                           guint                seq,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_hot_add_device_finish   (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_hot_del_device_async    (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           HvDevice            *device,
                                                           guint                seq,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_hot_del_device_finish   (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_hot_mod_device_async    (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           HvDevice            *device,
                                                           guint                seq,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_hot_mod_device_finish   (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* migration and memory */
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_accept_instance_async   (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           GBytes              *info,
                                                           const gchar         *target,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_accept_instance_finish  (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_finalize_migration_dst_async  (HvHypervisor        *self,
                                                                 HvInstance          *instance,
                                                                 GBytes              *info,
                                                                 gboolean             success,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_finalize_migration_dst_finish (HvHypervisor        *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_migrate_instance_async  (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           const gchar         *target,
                                                           gboolean             live,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_migrate_instance_finish (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_get_migration_status_async  (HvHypervisor        *self,
                                                               HvInstance          *instance,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
HV_AVAILABLE_IN_1_0
HvMigrationStatus  *hv_hypervisor_get_migration_status_finish (HvHypervisor        *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_finalize_migration_source_async  (HvHypervisor        *self,
                                                                    HvInstance          *instance,
                                                                    gboolean             success,
                                                                    gboolean             live,
                                                                    GCancellable        *cancellable,
                                                                    GAsyncReadyCallback  callback,
                                                                    gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_finalize_migration_source_finish (HvHypervisor        *self,
                                                                    GAsyncResult        *result,
                                                                    GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_balloon_instance_memory_async  (HvHypervisor        *self,
                                                                  HvInstance          *instance,
                                                                  gint64               memory,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_balloon_instance_memory_finish (HvHypervisor        *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);

/* blocking forms, built over the async ones (hv-hypervisor-sync.c) */
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_start_instance_sync     (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           gboolean             startup_paused,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_stop_instance_sync      (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           gboolean             force,
                                                           gboolean             retry,
                                                           guint                timeout_s,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_reboot_instance_sync    (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_cleanup_instance_sync   (HvHypervisor        *self,
                                                           const gchar         *name,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
HvInstanceInfo     *hv_hypervisor_get_instance_info_sync  (HvHypervisor        *self,
                                                           const gchar         *name,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
GPtrArray          *hv_hypervisor_get_all_instances_info_sync (HvHypervisor        *self,
                                                               GCancellable        *cancellable,
                                                               GError             **error);
HV_AVAILABLE_IN_1_0
HvNodeInfo         *hv_hypervisor_get_node_info_sync      (HvHypervisor        *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_verify_sync             (HvHypervisor        *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_hotplug_supported_sync  (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_hot_add_device_sync     (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           HvDevice            *device,
                                                           guint                seq,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_hot_del_device_sync     (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           HvDevice            *device,
                                                           guint                seq,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_hot_mod_device_sync     (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           HvDevice            *device,
                                                           guint                seq,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_accept_instance_sync    (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           GBytes              *info,
                                                           const gchar         *target,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_finalize_migration_dst_sync (HvHypervisor        *self,
                                                               HvInstance          *instance,
                                                               GBytes              *info,
                                                               gboolean             success,
                                                               GCancellable        *cancellable,
                                                               GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_migrate_instance_sync   (HvHypervisor        *self,
                                                           HvInstance          *instance,
                                                           const gchar         *target,
                                                           gboolean             live,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
HvMigrationStatus  *hv_hypervisor_get_migration_status_sync (HvHypervisor        *self,
                                                             HvInstance          *instance,
                                                             GCancellable        *cancellable,
                                                             GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_finalize_migration_source_sync (HvHypervisor        *self,
                                                                  HvInstance          *instance,
                                                                  gboolean             success,
                                                                  gboolean             live,
                                                                  GCancellable        *cancellable,
                                                                  GError             **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_hypervisor_balloon_instance_memory_sync (HvHypervisor        *self,
                                                                HvInstance          *instance,
                                                                gint64               memory,
                                                                GCancellable        *cancellable,
                                                                GError             **error);

/* adopting instances another manager started */
HV_AVAILABLE_IN_1_0
void                hv_hypervisor_adopt_instances_async   (HvHypervisor        *self,
                                                           const gchar         *source_dir,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
HV_AVAILABLE_IN_1_0
GPtrArray          *hv_hypervisor_adopt_instances_finish  (HvHypervisor        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
HV_AVAILABLE_IN_1_0
GPtrArray          *hv_hypervisor_adopt_instances_sync    (HvHypervisor        *self,
                                                           const gchar         *source_dir,
                                                           GCancellable        *cancellable,
                                                           GError             **error);

G_END_DECLS
