/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include <gio/gio.h>

#include "hvkit.h"
#include "hv-kvm-host.h"
#include "hv-kvm-instance.h"

G_BEGIN_DECLS

/*
 * Hotplug of disks and NICs into one running instance (an HvKvmInstance
 * with its record and a connected QMP client). See docs/design.md,
 * "Hotplug".
 *
 * Everything runs in the thread-default main context the instance lives
 * in, and only there: GIO async calls, GTask, no threads, no sleeps. The
 * caller runs add, del, mod and reconcile one at a time per instance
 * (through hv_kvm_instance_queue_job()); they do not queue themselves,
 * since a job that queued another would wait for itself.
 *
 * Every operation is journalled in the record's `pending` list before QEMU
 * does anything the guest can see or that only the journal could name (a
 * disk's blockdev-add, whose node hvkit names, goes out while the intent
 * is saved), rolls back exactly the steps it took when one fails
 * (reporting the first error), and saves the record only once QEMU
 * confirmed the change. A crash in the middle is repaired by
 * hv_kvm_hotplug_reconcile_async() on the next connection.
 */

/* Pure: the seeds' VerifyHotplugSupport on @hvparams (the instance's, a
 * complete set). %HV_ERROR_HOTPLUG when @action on @type cannot be done. */
gboolean  hv_kvm_hotplug_verify_support    (GVariant             *hvparams,
                                            HvHotplugAction       action,
                                            HvDeviceType          type,
                                            GError              **error);
gboolean  hv_kvm_hotplug_verify_support_table (GVariantDict       *hvparams,
                                               HvHotplugAction     action,
                                               HvDeviceType        type,
                                               GError            **error);

/* Whether the running QEMU offers the commands hotplug uses, from its own
 * query-commands. %HV_ERROR_NOT_RUNNING without a QMP connection. */
void      hv_kvm_hotplug_supported_async   (HvKvmInstance        *instance,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean  hv_kvm_hotplug_supported_finish  (HvKvmInstance        *instance,
                                            GAsyncResult         *result,
                                            GError              **error);

/* Plugs @device (an HvDisk with a link, or an HvNic) into @instance. @owner
 * is the instance as the caller knows it (its tags reach the ifup script);
 * @seq the device's index there (NIC files, INTERFACE_INDEX). A device
 * whose pci is set (>= 0) goes to that slot, else to the first free one. */
void      hv_kvm_hotplug_add_async         (HvKvmInstance        *instance,
                                            HvInstance           *owner,
                                            HvDevice             *device,
                                            guint                 seq,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean  hv_kvm_hotplug_add_finish        (HvKvmInstance        *instance,
                                            GAsyncResult         *result,
                                            GError              **error);

/* Unplugs the device of the record with @device's uuid. %HV_ERROR_TIMEOUT
 * when the guest did not give it up within the instance's removal timeout:
 * the device then stays in the record as "removal pending" until a late
 * DEVICE_DELETED (hv_kvm_hotplug_watch()) or a reconcile finishes it. */
void      hv_kvm_hotplug_del_async         (HvKvmInstance        *instance,
                                            HvInstance           *owner,
                                            HvDevice             *device,
                                            guint                 seq,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean  hv_kvm_hotplug_del_finish        (HvKvmInstance        *instance,
                                            GAsyncResult         *result,
                                            GError              **error);

/* NICs only, as in Ganeti: unplugs the NIC with @device's uuid and plugs
 * @device (its new MAC, link…) into the same slot. */
void      hv_kvm_hotplug_mod_async         (HvKvmInstance        *instance,
                                            HvInstance           *owner,
                                            HvDevice             *device,
                                            guint                 seq,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean  hv_kvm_hotplug_mod_finish        (HvKvmInstance        *instance,
                                            GAsyncResult         *result,
                                            GError              **error);

/* After a (re)connection: rolls every journalled operation forward or back
 * from what QEMU reports (query-pci, query-named-block-nodes,
 * query-fdsets), so that the record and QEMU agree, finishes removals
 * QEMU completed meanwhile, and deletes the block nodes of hvkit's naming
 * that no record holds. Call hv_kvm_hotplug_watch() too. */
void      hv_kvm_hotplug_reconcile_async   (HvKvmInstance        *instance,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean  hv_kvm_hotplug_reconcile_finish  (HvKvmInstance        *instance,
                                            GAsyncResult         *result,
                                            GError              **error);

/* Called once a removal left pending has been finished by a late
 * DEVICE_DELETED; @uuid and @qemu_id are the device's. */
typedef void (*HvKvmHotplugRemovedFunc) (HvKvmInstance *instance,
                                         HvDeviceType   type,
                                         const gchar   *uuid,
                                         const gchar   *qemu_id,
                                         gpointer       user_data);

/* Listens to the instance's current QMP client: a DEVICE_DELETED for a
 * device whose removal is pending queues a job (hv_kvm_instance_queue_job)
 * that finishes the removal. Call again after a new client was set; a
 * client is watched once. @removed may be NULL. */
void      hv_kvm_hotplug_watch             (HvKvmInstance        *instance,
                                            HvKvmHotplugRemovedFunc removed,
                                            gpointer              user_data,
                                            GDestroyNotify        user_data_destroy);

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
