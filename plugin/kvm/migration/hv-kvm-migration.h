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
 * Live migration between two hosts, Ganeti's sequence (docs/design.md,
 * "Migration"): migration_info on the source, accept on the target,
 * migrate on the source (followed by QEMU's MIGRATION and MIGRATION_PASS
 * events on the instance's one QMP connection), then the two finalizes.
 * Every operation runs in the host's monitor thread; those that change an
 * instance queue themselves as its jobs. While a migration runs the
 * instance is marked (hv_kvm_instance_set_migration()): hotplug and
 * balloon are refused, a stop cancels the migration first.
 */

/* The record as the store holds it (versioned, checksummed): any thread. */
GBytes            *hv_kvm_migration_info           (HvKvmHost           *host,
                                                    const gchar         *name,
                                                    GError             **error);

/* -- the target ------------------------------------------------------------ */

void               hv_kvm_accept_async             (HvKvmHost           *host,
                                                    HvInstance          *owner,
                                                    GBytes              *info,
                                                    const gchar         *target,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean           hv_kvm_accept_finish            (GAsyncResult        *result,
                                                    GError             **error);

void               hv_kvm_finalize_dst_async       (HvKvmHost           *host,
                                                    HvInstance          *owner,
                                                    gboolean             success,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean           hv_kvm_finalize_dst_finish      (GAsyncResult        *result,
                                                    GError             **error);

/* -- the source ------------------------------------------------------------ */

void               hv_kvm_migrate_async            (HvKvmHost           *host,
                                                    HvInstance          *owner,
                                                    const gchar         *target,
                                                    gboolean             live,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean           hv_kvm_migrate_finish           (GAsyncResult        *result,
                                                    GError             **error);

void               hv_kvm_migration_status_async   (HvKvmHost           *host,
                                                    const gchar         *name,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
HvMigrationStatus *hv_kvm_migration_status_finish  (GAsyncResult        *result,
                                                    GError             **error);

void               hv_kvm_finalize_source_async    (HvKvmHost           *host,
                                                    const gchar         *name,
                                                    gboolean             success,
                                                    gboolean             live,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean           hv_kvm_finalize_source_finish   (GAsyncResult        *result,
                                                    GError             **error);

/* A new HvKvm took @instance over (hv_kvm_reconnect): a migration that
 * runs, or waits for its finalize, is picked up — the instance marked
 * again, the target's end followed, the source's state known to
 * get_migration_status and finalize_migration_source. */
void               hv_kvm_migration_pick_up        (HvKvmHost           *host,
                                                    HvKvmInstance       *instance);

/* -- shared by migration/, and pure ---------------------------------------- */

/* The target's part of hv_kvm_migration_pick_up (NAME.incoming exists). */
void               hv_kvm_migration_target_pick_up (HvKvmHost           *host,
                                                    HvKvmInstance       *instance);

/* QEMU's MigrationStatus, as its HvMigrationState; FALSE for a word QEMU
 * 7.2 does not have. */
gboolean           hv_kvm_migration_state_from_qemu (const gchar        *status,
                                                     HvMigrationState   *out_state);
/* A query-migrate reply as an HvMigrationStatus. */
HvMigrationStatus *hv_kvm_migration_status_from_reply (JsonObject       *reply);

/* The migration parameters of an instance: its hvparams, else the
 * record's. */
typedef struct {
  gint64   port;
  gint64   bandwidth_mib;   /* migration_bandwidth, MiB/s */
  gint64   downtime_ms;     /* migration_downtime */
  GStrv    caps;            /* migration_caps, split at ':', empty ones out */
} HvKvmMigrationParams;

void               hv_kvm_migration_params_init    (HvKvmMigrationParams *params,
                                                    HvInstance           *owner,
                                                    HvKvmRuntime         *runtime);
void               hv_kvm_migration_params_clear   (HvKvmMigrationParams *params);
/* The capabilities to set on both sides: `events` (hvkit follows the
 * events) and migration_caps. */
GStrv              hv_kvm_migration_params_caps_to_set (const HvKvmMigrationParams *params);
/* Every capability of migration_caps is one QEMU knows, else an error
 * naming the first that is not. */
gboolean           hv_kvm_migration_check_caps     (const HvKvmMigrationParams *params,
                                                    HvKvmCapabilities    *capabilities,
                                                    const gchar          *name,
                                                    GError              **error);
/* A timeout in the calling thread's context (the monitor thread's), not
 * the global default one g_timeout_add() would use. Destroy with
 * hv_kvm_migration_clear_source(). */
GSource           *hv_kvm_migration_timeout_new    (guint                timeout_ms,
                                                    GSourceFunc          func,
                                                    gpointer             data);
void               hv_kvm_migration_clear_source   (GSource            **source);
/* <run-dir>/NAME.incoming: a migration target that did not succeed yet
 * (ListInstances leaves it out). */
gchar             *hv_kvm_migration_incoming_marker (HvKvmHost          *host,
                                                     const gchar        *name);

/* The policies' decisions, a pure function of what the migration saw:
 * called with each new figure of the source; @state starts zeroed with
 * downtime_ms = migration_downtime and best_remaining = -1. */
typedef struct {
  gboolean postcopy_started;
  gint64   downtime_ms;      /* the downtime-limit set */
  gint64   last_pass;        /* the dirty-sync-count last looked at */
  gint64   best_remaining;   /* the least remaining RAM seen at a pass, -1 */
  guint    stalled;          /* passes since it last shrank */
} HvKvmMigrationPolicyState;

typedef enum {
  HV_KVM_MIGRATION_POLICY_NONE = 0,
  HV_KVM_MIGRATION_POLICY_START_POSTCOPY = 1 << 0,
  HV_KVM_MIGRATION_POLICY_RAISE_DOWNTIME = 1 << 1,   /* to state->downtime_ms */
} HvKvmMigrationPolicyActions;

HvKvmMigrationPolicyActions hv_kvm_migration_policy_step (const HvKvmMigrationPolicy *policy,
                                                          HvKvmMigrationPolicyState  *state,
                                                          gboolean                    postcopy_ram,
                                                          HvMigrationState            migration_state,
                                                          gint64                      passes,
                                                          gint64                      remaining);

G_END_DECLS
