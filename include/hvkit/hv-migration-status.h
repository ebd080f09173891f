/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <glib-object.h>

#include <hvkit/hv-version-macros.h>

G_BEGIN_DECLS

/**
 * HvMigrationState:
 * @HV_MIGRATION_STATE_NONE: no migration has started
 * @HV_MIGRATION_STATE_SETUP: the migration is being set up
 * @HV_MIGRATION_STATE_CANCELLING: a cancel was asked for and is under way
 * @HV_MIGRATION_STATE_CANCELLED: the migration was cancelled
 * @HV_MIGRATION_STATE_ACTIVE: RAM is being transferred
 * @HV_MIGRATION_STATE_POSTCOPY_ACTIVE: the guest runs on the target while
 *   the rest of its RAM follows (postcopy)
 * @HV_MIGRATION_STATE_POSTCOPY_PAUSED: postcopy lost its connection
 * @HV_MIGRATION_STATE_POSTCOPY_RECOVER: postcopy is recovering from a pause
 * @HV_MIGRATION_STATE_COMPLETED: the migration succeeded
 * @HV_MIGRATION_STATE_FAILED: the migration failed
 * @HV_MIGRATION_STATE_COLO: COLO fault tolerance is running
 * @HV_MIGRATION_STATE_PRE_SWITCHOVER: paused before switching over, waiting
 *   for the management to let it continue
 * @HV_MIGRATION_STATE_DEVICE: device state is being transferred after RAM
 * @HV_MIGRATION_STATE_WAIT_UNPLUG: waiting for failover devices to be
 *   unplugged from the guest
 *
 * The states of a migration: one per value of QEMU's `MigrationStatus`, with
 * QEMU's spelling as nicks (`postcopy-active`, `pre-switchover`, …).
 *
 * Since: 1.0
 */
typedef enum {
  HV_MIGRATION_STATE_NONE,
  HV_MIGRATION_STATE_SETUP,
  HV_MIGRATION_STATE_CANCELLING,
  HV_MIGRATION_STATE_CANCELLED,
  HV_MIGRATION_STATE_ACTIVE,
  HV_MIGRATION_STATE_POSTCOPY_ACTIVE,
  HV_MIGRATION_STATE_POSTCOPY_PAUSED,
  HV_MIGRATION_STATE_POSTCOPY_RECOVER,
  HV_MIGRATION_STATE_COMPLETED,
  HV_MIGRATION_STATE_FAILED,
  HV_MIGRATION_STATE_COLO,
  HV_MIGRATION_STATE_PRE_SWITCHOVER,
  HV_MIGRATION_STATE_DEVICE,
  HV_MIGRATION_STATE_WAIT_UNPLUG,
} HvMigrationState;

#define HV_TYPE_MIGRATION_STATUS (hv_migration_status_get_type ())
HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvMigrationStatus, hv_migration_status, HV, MIGRATION_STATUS, GObject)

HV_AVAILABLE_IN_1_0
HvMigrationStatus *hv_migration_status_new                  (HvMigrationState   state);
HV_AVAILABLE_IN_1_0
HvMigrationStatus *hv_migration_status_new_from_variant     (GVariant          *dict,
                                                             GError           **error);
HV_AVAILABLE_IN_1_0
GVariant          *hv_migration_status_to_variant           (HvMigrationStatus *self);

HV_AVAILABLE_IN_1_0
HvMigrationState   hv_migration_status_get_state            (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_state            (HvMigrationStatus *self,
                                                             HvMigrationState   state);
HV_AVAILABLE_IN_1_0
gint64             hv_migration_status_get_total_time       (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_total_time       (HvMigrationStatus *self,
                                                             gint64             total_time);
HV_AVAILABLE_IN_1_0
gint64             hv_migration_status_get_downtime         (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_downtime         (HvMigrationStatus *self,
                                                             gint64             downtime);
HV_AVAILABLE_IN_1_0
gint64             hv_migration_status_get_setup_time       (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_setup_time       (HvMigrationStatus *self,
                                                             gint64             setup_time);
HV_AVAILABLE_IN_1_0
gint64             hv_migration_status_get_transferred      (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_transferred      (HvMigrationStatus *self,
                                                             gint64             transferred);
HV_AVAILABLE_IN_1_0
gint64             hv_migration_status_get_remaining        (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_remaining        (HvMigrationStatus *self,
                                                             gint64             remaining);
HV_AVAILABLE_IN_1_0
gint64             hv_migration_status_get_total            (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_total            (HvMigrationStatus *self,
                                                             gint64             total);
HV_AVAILABLE_IN_1_0
gint64             hv_migration_status_get_dirty_sync_count (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_dirty_sync_count (HvMigrationStatus *self,
                                                             gint64             dirty_sync_count);
HV_AVAILABLE_IN_1_0
gdouble            hv_migration_status_get_mbps             (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_mbps             (HvMigrationStatus *self,
                                                             gdouble            mbps);
HV_AVAILABLE_IN_1_0
gint64             hv_migration_status_get_expected_downtime (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_expected_downtime (HvMigrationStatus *self,
                                                              gint64             expected_downtime);
HV_AVAILABLE_IN_1_0
gint64             hv_migration_status_get_dirty_rate       (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_dirty_rate       (HvMigrationStatus *self,
                                                             gint64             dirty_rate);
HV_AVAILABLE_IN_1_0
const gchar       *hv_migration_status_get_error_desc       (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_error_desc       (HvMigrationStatus *self,
                                                             const gchar       *error_desc);
HV_AVAILABLE_IN_1_0
gint64             hv_migration_status_get_state_time       (HvMigrationStatus *self);
HV_AVAILABLE_IN_1_0
void               hv_migration_status_set_state_time       (HvMigrationStatus *self,
                                                             gint64             state_time);

G_END_DECLS
