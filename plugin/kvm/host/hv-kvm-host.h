/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include <gio/gio.h>

#include "hvkit.h"
#include "hv-kvm-capabilities-cache.h"
#include "hv-kvm-defaults.h"
#include "hv-kvm-instance.h"

G_BEGIN_DECLS

/*
 * The KVM driver's state on this host, as libvirt's virQEMUDriver: the
 * configuration, the record store, the capability cache, the monitor
 * thread and the registry of known instances. HvKvm (driver/) owns one and
 * implements the interface over it; the lifecycle, hotplug and migration
 * layers get it and never see HvKvm.
 *
 * Changes the layers above must hear of come back up as this object's
 * signals, emitted in the context the host was made in (the owner's):
 *   "instance-state-changed" (name, HvInstanceState): a state the guest
 *     changed (not one of hvkit's own operations);
 *   "device-removed" (name, device id);
 *   "migration-progress" (name, HvMigrationStatus).
 */

#define HV_KVM_TYPE_HOST (hv_kvm_host_get_type ())
G_DECLARE_FINAL_TYPE (HvKvmHost, hv_kvm_host, HV_KVM, HOST, GObject)

HvKvmHost   *hv_kvm_host_new                   (GVariant       *config,
                                                GError        **error);

/* The configuration (docs/design.md, "Configuration"). */
const gchar *hv_kvm_host_get_run_dir           (HvKvmHost      *self);
const gchar *hv_kvm_host_get_vhost_net_device  (HvKvmHost      *self);
const gchar *hv_kvm_host_get_cache_dir         (HvKvmHost      *self);
guint        hv_kvm_host_get_start_timeout     (HvKvmHost      *self);
guint        hv_kvm_host_get_powerdown_interval (HvKvmHost     *self);
guint        hv_kvm_host_get_reboot_timeout    (HvKvmHost      *self);
guint        hv_kvm_host_get_balloon_timeout   (HvKvmHost      *self);

/* The migration policies of the configuration, all off by default:
 *   migration-auto-postcopy (u, 0): non-zero starts postcopy
 *     (migrate-start-postcopy) once migration-postcopy-passes (u, 2,
 *     Ganeti's) dirty-sync passes are done, when postcopy-ram is in
 *     the instance's migration_caps;
 *   migration-downtime-stall-passes (u, 0): K non-zero raises
 *     downtime-limit by migration-downtime-step-ms (u, 100) each time the
 *     remaining RAM did not shrink over K passes, up to
 *     migration-downtime-max-ms (u, 2000). */
typedef struct {
  guint auto_postcopy;
  guint postcopy_passes;
  guint downtime_stall_passes;
  guint downtime_step_ms;
  guint downtime_max_ms;
} HvKvmMigrationPolicy;

const HvKvmMigrationPolicy *hv_kvm_host_get_migration_policy (HvKvmHost *self);
HvKvmCapabilitiesCache *hv_kvm_host_get_capabilities_cache (HvKvmHost *self);
HvRuntimeStore *hv_kvm_host_get_store          (HvKvmHost      *self);

/* The monitor thread (hv-kvm-worker.c). */
void         hv_kvm_host_invoke                (HvKvmHost      *self,
                                                GSourceFunc     func,
                                                gpointer        data,
                                                GDestroyNotify  destroy);
void         hv_kvm_host_run_sync              (HvKvmHost      *self,
                                                GSourceFunc     func,
                                                gpointer        data);
gboolean     hv_kvm_host_is_current            (HvKvmHost      *self);
/* Forgets every instance (their QEMUs run on) and ends the thread. */
void         hv_kvm_host_shutdown              (HvKvmHost      *self);

/* The known instances. Monitor thread only. */
HvKvmInstance *hv_kvm_host_lookup_instance     (HvKvmHost      *self,
                                                const gchar    *name);
HvKvmInstance *hv_kvm_host_add_instance        (HvKvmHost      *self,
                                                const gchar    *name);
gboolean     hv_kvm_host_remember_instance     (HvKvmHost      *self,
                                                HvKvmInstance  *instance);
void         hv_kvm_host_forget_instance       (HvKvmHost      *self,
                                                HvKvmInstance  *instance);
GPtrArray   *hv_kvm_host_get_instances         (HvKvmHost      *self);

/* Emits "migration-progress" (@status taken) in the owner's context;
 * any thread. */
void         hv_kvm_host_emit_migration_progress (HvKvmHost         *self,
                                                  const gchar       *name,
                                                  HvMigrationStatus *status);

/* Emits "device-removed" in the owner's context; any thread. */
void         hv_kvm_host_emit_device_removed   (HvKvmHost      *self,
                                                const gchar    *name,
                                                const gchar    *device_id);

G_END_DECLS
