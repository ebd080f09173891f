/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 *
 * Layer 2 of the QMP client: one async/finish pair per QEMU command that
 * hvkit uses, each checking the type of what QEMU returns. A `return` of
 * another shape is %HV_ERROR_MONITOR naming the command.
 */
#pragma once

#include "hv-kvm-qmp-client.h"

G_BEGIN_DECLS

#define HV_KVM_QMP_COMMAND_ARGS \
  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data

/* queries */
void        hv_kvm_qmp_query_version_async           (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_query_version_finish          (HvKvmQmpClient *self, GAsyncResult *result,
                                                      guint *out_major, guint *out_minor,
                                                      guint *out_micro, gchar **out_package,
                                                      GError **error);
void        hv_kvm_qmp_query_status_async            (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
gchar      *hv_kvm_qmp_query_status_finish           (HvKvmQmpClient *self, GAsyncResult *result,
                                                      gboolean *out_running, GError **error);
void        hv_kvm_qmp_query_commands_async          (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
GStrv       hv_kvm_qmp_query_commands_finish         (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_query_pci_async               (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
JsonArray  *hv_kvm_qmp_query_pci_finish              (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_query_block_async             (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
JsonArray  *hv_kvm_qmp_query_block_finish            (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_query_named_block_nodes_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
JsonArray  *hv_kvm_qmp_query_named_block_nodes_finish (HvKvmQmpClient *self, GAsyncResult *result,
                                                       GError **error);
void        hv_kvm_qmp_query_cpus_fast_async         (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
JsonArray  *hv_kvm_qmp_query_cpus_fast_finish        (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_query_balloon_async           (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_query_balloon_finish          (HvKvmQmpClient *self, GAsyncResult *result,
                                                      guint64 *out_actual, GError **error);

/* block devices */
void        hv_kvm_qmp_blockdev_add_async            (HvKvmQmpClient *self, JsonObject *options,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_blockdev_add_finish           (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_blockdev_del_async            (HvKvmQmpClient *self, const gchar *node_name,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_blockdev_del_finish           (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);

/* devices and network back-ends */
void        hv_kvm_qmp_device_add_async              (HvKvmQmpClient *self, const gchar *driver,
                                                      const gchar *id, JsonObject *properties,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_device_add_finish             (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_device_del_async              (HvKvmQmpClient *self, const gchar *id,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_device_del_finish             (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_netdev_add_async              (HvKvmQmpClient *self, const gchar *type,
                                                      const gchar *id, JsonObject *properties,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_netdev_add_finish             (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_netdev_del_async              (HvKvmQmpClient *self, const gchar *id,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_netdev_del_finish             (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);

/* file descriptors */
void        hv_kvm_qmp_getfd_async                   (HvKvmQmpClient *self, const gchar *fdname,
                                                      gint fd, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_getfd_finish                  (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_closefd_async                 (HvKvmQmpClient *self, const gchar *fdname,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_closefd_finish                (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_add_fd_async                  (HvKvmQmpClient *self, gint fd,
                                                      gint64 fdset_id, const gchar *opaque,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_add_fd_finish                 (HvKvmQmpClient *self, GAsyncResult *result,
                                                      gint64 *out_fdset_id, gint64 *out_fd,
                                                      GError **error);
void        hv_kvm_qmp_remove_fd_async               (HvKvmQmpClient *self, gint64 fdset_id,
                                                      gint64 fd, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_remove_fd_finish              (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);

/* the machine */
void        hv_kvm_qmp_human_monitor_command_async   (HvKvmQmpClient *self, const gchar *command_line,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gchar      *hv_kvm_qmp_human_monitor_command_finish  (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_system_powerdown_async        (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_system_powerdown_finish       (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_system_reset_async            (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_system_reset_finish           (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_quit_async                    (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_quit_finish                   (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_stop_async                    (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_stop_finish                   (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_cont_async                    (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_cont_finish                   (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_balloon_async                 (HvKvmQmpClient *self, guint64 bytes,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_balloon_finish                (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);

/* migration */
void        hv_kvm_qmp_migrate_async                 (HvKvmQmpClient *self, const gchar *uri,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_migrate_finish                (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_migrate_incoming_async        (HvKvmQmpClient *self, const gchar *uri,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_migrate_incoming_finish       (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_migrate_set_parameters_async  (HvKvmQmpClient *self, JsonObject *parameters,
                                                      HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_migrate_set_parameters_finish (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_migrate_set_capabilities_async (HvKvmQmpClient *self,
                                                       const gchar *const *capabilities,
                                                       gboolean state, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_migrate_set_capabilities_finish (HvKvmQmpClient *self, GAsyncResult *result,
                                                        GError **error);
void        hv_kvm_qmp_query_migrate_async           (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
JsonObject *hv_kvm_qmp_query_migrate_finish          (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_migrate_cancel_async          (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_migrate_cancel_finish         (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_migrate_start_postcopy_async  (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS);
gboolean    hv_kvm_qmp_migrate_start_postcopy_finish (HvKvmQmpClient *self, GAsyncResult *result,
                                                      GError **error);
void        hv_kvm_qmp_query_migrate_parameters_async (HvKvmQmpClient *self,
                                                       HV_KVM_QMP_COMMAND_ARGS);
JsonObject *hv_kvm_qmp_query_migrate_parameters_finish (HvKvmQmpClient *self,
                                                        GAsyncResult *result, GError **error);

/* What the typed commands share (hv-kvm-qmp-commands*.c): the checks of
 * a reply's shape. */
gboolean    hv_kvm_qmp_set_bad_return (GError        **error,
                                       const gchar    *command,
                                       const gchar    *what);
gboolean    hv_kvm_qmp_finish_empty   (HvKvmQmpClient *self,
                                       GAsyncResult   *result,
                                       gpointer        source_tag,
                                       GError        **error);
JsonObject *hv_kvm_qmp_finish_object  (HvKvmQmpClient *self,
                                       GAsyncResult   *result,
                                       gpointer        source_tag,
                                       GError        **error);

G_END_DECLS
