/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include <gio/gio.h>

#include "hvkit.h"
#include "hv-kvm-capabilities.h"
#include "hv-kvm-qmp-client.h"
#include "hv-kvm-runtime.h"

G_BEGIN_DECLS

/*
 * One instance HvKvm knows to be running (or to have been running: a
 * guest that powered itself off stays known as shut down until it is
 * cleaned up): its runtime record, the persistent QMP connection, the
 * QEMU process, and the queue its operations wait in.
 *
 * An HvKvmInstance lives in the main context of the thread it was made in
 * and is only ever touched there (in HvKvm, its monitor thread; in tests,
 * the test's own context).
 *
 * Files of instance NAME under the run directory:
 *   NAME.pid  NAME.qmp  NAME.monitor  NAME.serial  NAME.log  NAME.shutdown
 *   conf/NAME.runtime               the record (HvRuntimeStore)
 *   nic/NAME/SEQ, nic/NAME/UUID     the tap of each NIC, by sequence
 *                                   number and by uuid (Ganeti's NIC files)
 */

#define HV_KVM_TYPE_INSTANCE (hv_kvm_instance_get_type ())
G_DECLARE_FINAL_TYPE (HvKvmInstance, hv_kvm_instance, HV_KVM, INSTANCE, GObject)

HvKvmInstance     *hv_kvm_instance_new                (const gchar         *name,
                                                       const gchar         *run_dir,
                                                       HvRuntimeStore      *store);

const gchar       *hv_kvm_instance_get_name           (HvKvmInstance       *self);
const gchar       *hv_kvm_instance_get_run_dir        (HvKvmInstance       *self);
gchar             *hv_kvm_instance_get_path           (HvKvmInstance       *self,
                                                       const gchar         *suffix);

/* The record: owned by the instance, changed in place, then saved. */
GVariantDict      *hv_kvm_instance_get_hvparams       (HvKvmInstance       *self);
HvKvmRuntime      *hv_kvm_instance_get_runtime        (HvKvmInstance       *self);
void               hv_kvm_instance_set_runtime        (HvKvmInstance       *self,
                                                       HvKvmRuntime        *runtime);
gboolean           hv_kvm_instance_save_runtime       (HvKvmInstance       *self,
                                                       GError             **error);
HvRuntimeStore    *hv_kvm_instance_get_store          (HvKvmInstance       *self);

/* The QEMU process: @pidfd (taken) is watched in the instance's context;
 * its exit changes the state and emits "exited". */
void               hv_kvm_instance_set_process        (HvKvmInstance       *self,
                                                       GPid                 pid,
                                                       gint                 pidfd);
GPid               hv_kvm_instance_get_pid            (HvKvmInstance       *self);
gboolean           hv_kvm_instance_is_alive           (HvKvmInstance       *self);
gboolean           hv_kvm_instance_kill               (HvKvmInstance       *self,
                                                       gint                 signal_number,
                                                       GError             **error);
void               hv_kvm_instance_wait_exit_async    (HvKvmInstance       *self,
                                                       guint                timeout_ms,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean           hv_kvm_instance_wait_exit_finish   (HvKvmInstance       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* The state as hvkit last saw it, from QMP events (STOP, RESUME,
 * SHUTDOWN) and the process watch; "state-changed" tells of changes.
 * A guest that powered itself off (SHUTDOWN with guest: true) leaves
 * NAME.shutdown behind and ends in HV_INSTANCE_STATE_SHUTDOWN. */
HvInstanceState    hv_kvm_instance_get_state          (HvKvmInstance       *self);
void               hv_kvm_instance_set_state          (HvKvmInstance       *self,
                                                       HvInstanceState      state);
gboolean           hv_kvm_instance_get_user_shutdown  (HvKvmInstance       *self);
void               hv_kvm_instance_set_user_shutdown  (HvKvmInstance       *self,
                                                       gboolean             user_shutdown);

/* Lifecycle operations (start, stop, reboot) change the state on purpose:
 * while one runs the instance is busy, and HvKvm does not report its
 * state changes as the guest's own. */
void               hv_kvm_instance_begin_operation    (HvKvmInstance       *self);
void               hv_kvm_instance_end_operation      (HvKvmInstance       *self);
gboolean           hv_kvm_instance_is_busy            (HvKvmInstance       *self);

/* The persistent QMP connection; NULL while there is none. Setting one
 * follows its events for the state. */
HvKvmQmpClient    *hv_kvm_instance_get_qmp            (HvKvmInstance       *self);
void               hv_kvm_instance_set_qmp            (HvKvmInstance       *self,
                                                       HvKvmQmpClient      *qmp);

void               hv_kvm_instance_set_capabilities   (HvKvmInstance       *self,
                                                       HvKvmCapabilities   *capabilities);

/* The scripts run for each NIC (ifup when it is plugged, ifdown when it
 * goes); NULL runs none. */
HvNicScript       *hv_kvm_instance_get_ifup_script    (HvKvmInstance       *self);
HvNicScript       *hv_kvm_instance_get_ifdown_script  (HvKvmInstance       *self);
void               hv_kvm_instance_set_nic_scripts    (HvKvmInstance       *self,
                                                       HvNicScript         *ifup,
                                                       HvNicScript         *ifdown);

/* How long a hot-removal waits for the guest's DEVICE_DELETED. */
guint              hv_kvm_instance_get_removal_timeout (HvKvmInstance      *self);
void               hv_kvm_instance_set_removal_timeout (HvKvmInstance      *self,
                                                        guint               timeout_ms);

/* How long each QMP command of the instance's connections may go
 * unanswered (set on every client hv_kvm_instance_set_qmp() is given). */
guint              hv_kvm_instance_get_command_timeout (HvKvmInstance      *self);
void               hv_kvm_instance_set_command_timeout (HvKvmInstance      *self,
                                                        guint               timeout_ms);

/* NIC files: <run-dir>/nic/<name>/<seq> and .../<uuid>, holding the tap's
 * name; written atomically, without fsync (no tap outlives the host). */
gboolean           hv_kvm_instance_write_nic_file     (HvKvmInstance       *self,
                                                       guint                seq,
                                                       const gchar         *uuid,
                                                       const gchar         *tap,
                                                       GError             **error);
gchar             *hv_kvm_instance_read_nic_file      (HvKvmInstance       *self,
                                                       const gchar         *key);
void               hv_kvm_instance_remove_nic_file    (HvKvmInstance       *self,
                                                       guint                seq,
                                                       const gchar         *uuid);
void               hv_kvm_instance_remove_nic_files   (HvKvmInstance       *self);

/*
 * The queue: operations on one instance (hotplug, stop, balloon…) run one
 * after another in the order they were queued. @job is called once every
 * job queued before it has completed its task; it must complete @task
 * (g_task_return_*), and the next job starts when the task's callback has
 * run. @task must belong to this instance's main context.
 */
typedef void (*HvKvmInstanceJob) (HvKvmInstance *self,
                                  GTask         *task);

void               hv_kvm_instance_queue_job          (HvKvmInstance       *self,
                                                       GTask               *task,
                                                       HvKvmInstanceJob     job);
guint              hv_kvm_instance_get_queue_length   (HvKvmInstance       *self);

/* The vhost-net device NICs with vhost_net open (HvKvm's
 * vhost-net-device); /dev/vhost-net unless set. */
const gchar       *hv_kvm_instance_get_vhost_net_device (HvKvmInstance *self);
void               hv_kvm_instance_set_vhost_net_device (HvKvmInstance *self,
                                                         const gchar   *path);

/* What hotplug keeps of the instance: the store its journal is written
 * to (the record's, without fsync), the PCI bus as it last saw it on the
 * current connection, and whether that connection is watched for late
 * DEVICE_DELETED. The last two start anew with every connection. */
HvRuntimeStore    *hv_kvm_instance_get_journal_store  (HvKvmInstance       *self);
gboolean           hv_kvm_instance_get_pci_view       (HvKvmInstance       *self,
                                                       guint32             *used);
void               hv_kvm_instance_set_pci_view       (HvKvmInstance       *self,
                                                       guint32              used,
                                                       gboolean             known);
gboolean           hv_kvm_instance_claim_hotplug_watch (HvKvmInstance      *self);

/* What info keeps of the current connection (the balloon's size, kept
 * by BALLOON_CHANGE; the vCPUs); both start anew with every connection. */
gboolean           hv_kvm_instance_get_balloon_actual (HvKvmInstance     *self,
                                                       guint64           *actual);
void               hv_kvm_instance_set_balloon_actual (HvKvmInstance     *self,
                                                       guint64            actual);
guint              hv_kvm_instance_get_n_vcpus        (HvKvmInstance     *self);
void               hv_kvm_instance_set_n_vcpus        (HvKvmInstance     *self,
                                                       guint              n_vcpus);

/* Removes every NIC file of the instance that names @tap. */
void               hv_kvm_instance_remove_nic_files_of_tap (HvKvmInstance *self,
                                                            const gchar   *tap);

/* A migration of the instance runs (either side): hotplug and balloon
 * are refused with an error saying so, a stop cancels it first. */
void               hv_kvm_instance_set_migration      (HvKvmInstance       *self,
                                                       GCancellable        *cancellable);
gboolean           hv_kvm_instance_is_migrating       (HvKvmInstance       *self);
void               hv_kvm_instance_cancel_migration   (HvKvmInstance       *self);
gboolean           hv_kvm_instance_check_not_migrating (HvKvmInstance      *self,
                                                        const gchar        *operation,
                                                        GError            **error);

/* What migration/ keeps on the instance while a migration of it is
 * followed: on a source, its migration; on a target, its watch of QEMU's
 * MIGRATION events. A slot a side, freed with @data_free when replaced or
 * with the instance. */
typedef enum {
  HV_KVM_MIGRATION_SIDE_SOURCE,
  HV_KVM_MIGRATION_SIDE_TARGET,
} HvKvmMigrationSide;

gpointer           hv_kvm_instance_get_migration_state (HvKvmInstance      *self,
                                                        HvKvmMigrationSide  side);
void               hv_kvm_instance_set_migration_state (HvKvmInstance      *self,
                                                        HvKvmMigrationSide  side,
                                                        gpointer            data,
                                                        GDestroyNotify      data_free);

G_END_DECLS
