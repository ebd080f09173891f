/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include "hv-kvm-host.h"
#include "hv-kvm-hotplug.h"

G_BEGIN_DECLS

/*
 * Hotplug on an HvKvmHost: each operation finds its instance and runs as a
 * job of the instance's queue, so that operations on one instance run in
 * the order they were asked for and different instances proceed at once.
 * Monitor thread only. A finished removal is told through
 * hv_kvm_host_emit_device_removed().
 */

void      hv_kvm_hotplug_job_supported_async (HvKvmHost           *host,
                                              HvInstance          *owner,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
void      hv_kvm_hotplug_job_add_async       (HvKvmHost           *host,
                                              HvInstance          *owner,
                                              HvDevice            *device,
                                              guint                seq,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
void      hv_kvm_hotplug_job_del_async       (HvKvmHost           *host,
                                              HvInstance          *owner,
                                              HvDevice            *device,
                                              guint                seq,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
void      hv_kvm_hotplug_job_mod_async       (HvKvmHost           *host,
                                              HvInstance          *owner,
                                              HvDevice            *device,
                                              guint                seq,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* Any of the four. */
gboolean  hv_kvm_hotplug_job_finish          (GAsyncResult        *result,
                                              GError             **error);

/* Queues, behind an instance's takeover (hv_kvm_reconnect()), the
 * reconcile of its journal and the watch for late DEVICE_DELETED. */
void      hv_kvm_hotplug_job_queue_reconcile (HvKvmHost           *host,
                                              HvKvmInstance       *instance);

G_END_DECLS
