/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include "hv-kvm-calls-private.h"

G_BEGIN_DECLS

/*
 * The steps the lifecycle methods are made of, on one known instance in
 * the monitor thread. None of them queues: the method that uses them is a
 * job of the instance's queue already.
 */

/* The QEMU of an instance whose kvm_path is empty. */
#define HV_KVM_DEFAULT_QEMU "/usr/bin/qemu-system-x86_64"

/* How long a killed QEMU may take to be gone. */
#define HV_KVM_KILL_TIMEOUT_MS 30000

/* Starts QEMU for @instance: from @runtime (a record, taken) when given,
 * as a reboot does, else from @owner's configuration. On failure nothing
 * is left: no process, tap, NIC file or record. */
void      hv_kvm_launch_async    (HvKvm               *self,
                                  HvKvmInstance       *instance,
                                  HvInstance          *owner,
                                  HvKvmRuntime        *runtime,
                                  gboolean             paused,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
gboolean  hv_kvm_launch_finish   (GAsyncResult        *result,
                                  GError             **error);

/* Stops QEMU — the power button until @timeout_ms (0: for ever), then
 * SIGKILL; at once with @force — and tears the instance down. */
void      hv_kvm_shutdown_async  (HvKvm               *self,
                                  HvKvmInstance       *instance,
                                  gboolean             force,
                                  guint                timeout_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
gboolean  hv_kvm_shutdown_finish (GAsyncResult        *result,
                                  GError             **error);

/* Kills QEMU if it still runs, then runs ifdown for the first @n_nics_up
 * NICs of the record and removes the instance's files and record. Every
 * step runs; the first error is reported. */
void      hv_kvm_teardown_async  (HvKvmInstance       *instance,
                                  guint                n_nics_up,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
gboolean  hv_kvm_teardown_finish (GAsyncResult        *result,
                                  GError             **error);

/* The files of a known instance that teardown removes. */
void      hv_kvm_remove_instance_files (HvKvmInstance *instance);

G_END_DECLS
