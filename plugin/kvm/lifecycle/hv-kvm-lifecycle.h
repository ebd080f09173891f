/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include "hv-kvm-host.h"
#include "hv-kvm-runtime.h"

G_BEGIN_DECLS

/*
 * The lifecycle of instances on an HvKvmHost: the operations behind the
 * driver's lifecycle methods, and the steps they are made of. Every
 * function here runs in the host's monitor thread (hv_kvm_host_invoke());
 * each operation queues itself as a job of its instance, so operations on
 * one instance run in the order they were asked for. Parameters are
 * checked by the driver before they get here.
 */

/* -- operations (one job of the instance's queue each) -------------------- */

void      hv_kvm_start_async          (HvKvmHost           *host,
                                       HvInstance          *instance,
                                       gboolean             paused,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean  hv_kvm_start_finish         (GAsyncResult        *result,
                                       GError             **error);

void      hv_kvm_stop_async           (HvKvmHost           *host,
                                       const gchar         *name,
                                       gboolean             force,
                                       guint                timeout_s,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean  hv_kvm_stop_finish          (GAsyncResult        *result,
                                       GError             **error);

void      hv_kvm_reboot_async         (HvKvmHost           *host,
                                       HvInstance          *instance,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean  hv_kvm_reboot_finish        (GAsyncResult        *result,
                                       GError             **error);

void      hv_kvm_cleanup_async        (HvKvmHost           *host,
                                       const gchar         *name,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean  hv_kvm_cleanup_finish       (GAsyncResult        *result,
                                       GError             **error);

void      hv_kvm_info_async           (HvKvmHost           *host,
                                       const gchar         *name,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
HvInstanceInfo *hv_kvm_info_finish    (GAsyncResult        *result,
                                       GError             **error);

void      hv_kvm_all_info_async       (HvKvmHost           *host,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
GPtrArray *hv_kvm_all_info_finish     (GAsyncResult        *result,
                                       GError             **error);

void      hv_kvm_balloon_async        (HvKvmHost           *host,
                                       const gchar         *name,
                                       gint64               memory,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean  hv_kvm_balloon_finish       (GAsyncResult        *result,
                                       GError             **error);

/* @qemu: the node's QEMU binary (the default kvm_path) */
void      hv_kvm_node_info_async      (HvKvmHost           *host,
                                       const gchar         *qemu,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
HvNodeInfo *hv_kvm_node_info_finish   (GAsyncResult        *result,
                                       GError             **error);

void      hv_kvm_verify_async         (HvKvmHost           *host,
                                       const gchar         *qemu,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean  hv_kvm_verify_finish        (GAsyncResult        *result,
                                       GError             **error);

/* Pure reads of the run directory: any thread. */
gchar   **hv_kvm_list_running         (HvKvmHost           *host,
                                       GError             **error);
HvConsole *hv_kvm_make_console        (HvKvmHost           *host,
                                       HvInstance          *instance,
                                       GError             **error);

/* A new driver takes over what runs (hv-kvm-reconnect.c). */
GPtrArray *hv_kvm_reconnect           (HvKvmHost           *host);

/* Adopting what Ganeti's own driver started (hv-kvm-adopt.c): one
 * HvAdoption per record of @source_dir; @out_adopted the instances taken
 * over, whose QMP connection is up. */
void      hv_kvm_adopt_async          (HvKvmHost           *host,
                                       const gchar         *source_dir,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
GPtrArray *hv_kvm_adopt_finish        (GAsyncResult        *result,
                                       GPtrArray          **out_adopted,
                                       GError             **error);
/* Teardown of an adopted instance removes Ganeti's files of it too. */
void      hv_kvm_adopted_remove_source_files (HvKvmInstance *instance);
void      hv_kvm_adopted_forget_source       (HvKvmRuntime  *runtime);

/* -- steps, on one known instance; none of them queues --------------------- */

/* Starts QEMU for @instance: from @runtime (a record, taken) when given,
 * as a reboot does, else from @owner's configuration. On failure nothing
 * is left: no process, tap, NIC file or record. */
void      hv_kvm_launch_async    (HvKvmHost           *host,
                                  HvKvmInstance       *instance,
                                  HvInstance          *owner,
                                  HvKvmRuntime        *runtime,
                                  gboolean             paused,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
/* The same for a migration target: `-incoming @incoming` ("defer"), only
 * bridged and openvswitch NICs brought up, no balloon, no `cont`. */
void      hv_kvm_launch_incoming_async (HvKvmHost           *host,
                                        HvKvmInstance       *instance,
                                        HvInstance          *owner,
                                        HvKvmRuntime        *runtime,
                                        const gchar         *incoming,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  hv_kvm_launch_finish (HvKvmInstance       *instance,
                                  GAsyncResult        *result,
                                  GError             **error);

/* Stops QEMU — the power button until @timeout_ms (0: for ever), then
 * SIGKILL; at once with @force — and tears the instance down. */
void      hv_kvm_shutdown_async  (HvKvmHost           *host,
                                  HvKvmInstance       *instance,
                                  gboolean             force,
                                  guint                timeout_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
gboolean  hv_kvm_shutdown_finish (HvKvmInstance       *instance,
                                  GAsyncResult        *result,
                                  GError             **error);

/* Kills QEMU if it still runs, then runs ifdown for the first @n_nics_up
 * NICs of the record and removes the instance's files and record. Every
 * step runs; the first error is reported. */
void      hv_kvm_teardown_async  (HvKvmInstance       *instance,
                                  guint                n_nics_up,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
gboolean  hv_kvm_teardown_finish (HvKvmInstance       *instance,
                                  GAsyncResult        *result,
                                  GError             **error);

/* The files of a known instance that teardown removes. */
void      hv_kvm_remove_instance_files (HvKvmInstance *instance);

G_END_DECLS
