/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvMigrationStatus"

#include "config.h"

#include "hv-migration-status.h"
#include "hv-enum-types.h"
#include "hv-variant-private.h"

/**
 * HvMigrationStatus:
 *
 * The progress of a migration, as QEMU's `query-migrate` reports it and
 * #HvHypervisor::migration-progress carries it.
 *
 * As a{sv}: `state` s (the nick of an #HvMigrationState, QEMU's own
 * spelling), `total_time`, `downtime` and `setup_time` x (milliseconds),
 * `transferred`, `remaining` and `total` x (bytes of RAM), `dirty_sync_count`
 * x, `mbps` d (throughput in megabits per second), `expected_downtime` x
 * (milliseconds), `dirty_rate` x (pages dirtied per second),
 * `error_desc` s (why it failed) and `state_time` x (when the state began,
 * microseconds since the epoch).
 *
 * Since: 1.0
 */

struct _HvMigrationStatus {
  GObject parent_instance;

  HvMigrationState state;
  gint64 total_time;
  gint64 downtime;
  gint64 setup_time;
  gint64 transferred;
  gint64 remaining;
  gint64 total;
  gint64 dirty_sync_count;
  gdouble mbps;
  gint64 expected_downtime;
  gint64 dirty_rate;
  gchar *error_desc;
  gint64 state_time;
};

G_DEFINE_FINAL_TYPE (HvMigrationStatus, hv_migration_status, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_TOTAL_TIME,
  PROP_DOWNTIME,
  PROP_SETUP_TIME,
  PROP_TRANSFERRED,
  PROP_REMAINING,
  PROP_TOTAL,
  PROP_DIRTY_SYNC_COUNT,
  PROP_MBPS,
  PROP_EXPECTED_DOWNTIME,
  PROP_DIRTY_RATE,
  PROP_ERROR_DESC,
  PROP_STATE_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hv_migration_status_finalize (GObject *object)
{
  HvMigrationStatus *self = HV_MIGRATION_STATUS (object);

  g_free (self->error_desc);

  G_OBJECT_CLASS (hv_migration_status_parent_class)->finalize (object);
}

static void
hv_migration_status_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HvMigrationStatus *self = HV_MIGRATION_STATUS (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_TOTAL_TIME:
      g_value_set_int64 (value, self->total_time);
      break;
    case PROP_DOWNTIME:
      g_value_set_int64 (value, self->downtime);
      break;
    case PROP_SETUP_TIME:
      g_value_set_int64 (value, self->setup_time);
      break;
    case PROP_TRANSFERRED:
      g_value_set_int64 (value, self->transferred);
      break;
    case PROP_REMAINING:
      g_value_set_int64 (value, self->remaining);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;
    case PROP_DIRTY_SYNC_COUNT:
      g_value_set_int64 (value, self->dirty_sync_count);
      break;
    case PROP_MBPS:
      g_value_set_double (value, self->mbps);
      break;
    case PROP_EXPECTED_DOWNTIME:
      g_value_set_int64 (value, self->expected_downtime);
      break;
    case PROP_DIRTY_RATE:
      g_value_set_int64 (value, self->dirty_rate);
      break;
    case PROP_ERROR_DESC:
      g_value_set_string (value, self->error_desc);
      break;
    case PROP_STATE_TIME:
      g_value_set_int64 (value, self->state_time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_migration_status_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  HvMigrationStatus *self = HV_MIGRATION_STATUS (object);

  switch (prop_id)
    {
    case PROP_STATE:
      hv_migration_status_set_state (self, g_value_get_enum (value));
      break;
    case PROP_TOTAL_TIME:
      hv_migration_status_set_total_time (self, g_value_get_int64 (value));
      break;
    case PROP_DOWNTIME:
      hv_migration_status_set_downtime (self, g_value_get_int64 (value));
      break;
    case PROP_SETUP_TIME:
      hv_migration_status_set_setup_time (self, g_value_get_int64 (value));
      break;
    case PROP_TRANSFERRED:
      hv_migration_status_set_transferred (self, g_value_get_int64 (value));
      break;
    case PROP_REMAINING:
      hv_migration_status_set_remaining (self, g_value_get_int64 (value));
      break;
    case PROP_TOTAL:
      hv_migration_status_set_total (self, g_value_get_int64 (value));
      break;
    case PROP_DIRTY_SYNC_COUNT:
      hv_migration_status_set_dirty_sync_count (self, g_value_get_int64 (value));
      break;
    case PROP_MBPS:
      hv_migration_status_set_mbps (self, g_value_get_double (value));
      break;
    case PROP_EXPECTED_DOWNTIME:
      hv_migration_status_set_expected_downtime (self, g_value_get_int64 (value));
      break;
    case PROP_DIRTY_RATE:
      hv_migration_status_set_dirty_rate (self, g_value_get_int64 (value));
      break;
    case PROP_ERROR_DESC:
      hv_migration_status_set_error_desc (self, g_value_get_string (value));
      break;
    case PROP_STATE_TIME:
      hv_migration_status_set_state_time (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_migration_status_class_init (HvMigrationStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hv_migration_status_finalize;
  object_class->get_property = hv_migration_status_get_property;
  object_class->set_property = hv_migration_status_set_property;

  /**
   * HvMigrationStatus:state:
   *
   * The migration's state; in a{sv}, the nick of the value (QEMU's
   * spelling).
   *
   * Since: 1.0
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, HV_TYPE_MIGRATION_STATE, HV_MIGRATION_STATE_NONE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:total-time:
   *
   * Milliseconds since the migration started. Its variant key is
   * `total_time`.
   *
   * Since: 1.0
   */
  properties[PROP_TOTAL_TIME] =
    g_param_spec_int64 ("total-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:downtime:
   *
   * Milliseconds the guest was stopped at the end of a completed
   * migration.
   *
   * Since: 1.0
   */
  properties[PROP_DOWNTIME] =
    g_param_spec_int64 ("downtime", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:setup-time:
   *
   * Milliseconds the setup took. Its variant key is `setup_time`.
   *
   * Since: 1.0
   */
  properties[PROP_SETUP_TIME] =
    g_param_spec_int64 ("setup-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:transferred:
   *
   * Bytes of RAM transferred so far.
   *
   * Since: 1.0
   */
  properties[PROP_TRANSFERRED] =
    g_param_spec_int64 ("transferred", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:remaining:
   *
   * Bytes of RAM still to transfer.
   *
   * Since: 1.0
   */
  properties[PROP_REMAINING] =
    g_param_spec_int64 ("remaining", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:total:
   *
   * Bytes of RAM of the guest.
   *
   * Since: 1.0
   */
  properties[PROP_TOTAL] =
    g_param_spec_int64 ("total", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:dirty-sync-count:
   *
   * How many times the dirty bitmap was synchronised; postcopy starts
   * after the second. Its variant key is `dirty_sync_count`.
   *
   * Since: 1.0
   */
  properties[PROP_DIRTY_SYNC_COUNT] =
    g_param_spec_int64 ("dirty-sync-count", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:mbps:
   *
   * The throughput in megabits per second.
   *
   * Since: 1.0
   */
  properties[PROP_MBPS] =
    g_param_spec_double ("mbps", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:expected-downtime:
   *
   * The downtime QEMU expects if it stopped the guest now, in
   * milliseconds. Its variant key is `expected_downtime`.
   *
   * Since: 1.0
   */
  properties[PROP_EXPECTED_DOWNTIME] =
    g_param_spec_int64 ("expected-downtime", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:dirty-rate:
   *
   * Pages the guest dirties per second, as QEMU measured it at the last
   * pass. Its variant key is `dirty_rate`.
   *
   * Since: 1.0
   */
  properties[PROP_DIRTY_RATE] =
    g_param_spec_int64 ("dirty-rate", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:error-desc:
   *
   * Why the migration failed, as QEMU says it, or %NULL. Its variant
   * key is `error_desc`.
   *
   * Since: 1.0
   */
  properties[PROP_ERROR_DESC] =
    g_param_spec_string ("error-desc", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvMigrationStatus:state-time:
   *
   * When the migration entered its current #HvMigrationStatus:state, in
   * microseconds since the Unix epoch, as the hypervisor stamped it (for
   * QEMU, the timestamp of its `MIGRATION` event), or 0 when the
   * hypervisor did not say (a status asked after a restart). With the
   * state `completed` it is when QEMU finished the transfer: a caller can
   * tell how long after that it heard of it. Its variant key is
   * `state_time`.
   *
   * Since: 1.0
   */
  properties[PROP_STATE_TIME] =
    g_param_spec_int64 ("state-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_migration_status_init (HvMigrationStatus *self)
{
  self->state = HV_MIGRATION_STATE_NONE;
}

/**
 * hv_migration_status_new:
 * @state: the migration's state
 *
 * A status in @state with every counter 0; the driver fills them in.
 *
 * Returns: (transfer full): a new #HvMigrationStatus
 *
 * Since: 1.0
 */
HvMigrationStatus *
hv_migration_status_new (HvMigrationState state)
{
  return g_object_new (HV_TYPE_MIGRATION_STATUS, "state", state, NULL);
}

/**
 * hv_migration_status_new_from_variant:
 * @dict: an a{sv} (see #HvMigrationStatus for its keys)
 * @error: return location for a #GError
 *
 * Reads a migration status from its a{sv} form. Keys it does not know are kept
 * and written back by hv_migration_status_to_variant().
 *
 * Returns: (transfer full): a new #HvMigrationStatus, or %NULL with
 *   %HV_ERROR_INVALID_PARAMETER when a key has a value of the wrong type
 *
 * Since: 1.0
 */
HvMigrationStatus *
hv_migration_status_new_from_variant (GVariant *dict,
                                      GError  **error)
{
  g_autoptr(HvMigrationStatus) self = NULL;

  g_return_val_if_fail (dict != NULL, NULL);
  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HV_TYPE_MIGRATION_STATUS, NULL);
  if (!hv_variant_read_object (G_OBJECT (self), dict, NULL, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * hv_migration_status_to_variant:
 * @self: a #HvMigrationStatus
 *
 * A migration status as an a{sv}, with any key it was read with that it does
 * not know, sorted by key.
 *
 * Returns: (transfer full): a new a{sv}, not floating
 *
 * Since: 1.0
 */
GVariant *
hv_migration_status_to_variant (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), NULL);

  return hv_variant_object_to_dict (G_OBJECT (self));
}

/**
 * hv_migration_status_get_state:
 * @self: a #HvMigrationStatus
 *
 * Returns: the migration's state
 *
 * Since: 1.0
 */
HvMigrationState
hv_migration_status_get_state (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), HV_MIGRATION_STATE_NONE);

  return self->state;
}

/**
 * hv_migration_status_set_state:
 * @self: a #HvMigrationStatus
 * @state: the migration's state
 *
 * Sets #HvMigrationStatus:state.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_state (HvMigrationStatus *self,
                               HvMigrationState   state)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/**
 * hv_migration_status_get_total_time:
 * @self: a #HvMigrationStatus
 *
 * Returns: the time since the start in ms
 *
 * Since: 1.0
 */
gint64
hv_migration_status_get_total_time (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), 0);

  return self->total_time;
}

/**
 * hv_migration_status_set_total_time:
 * @self: a #HvMigrationStatus
 * @total_time: the time since the start in ms
 *
 * Sets #HvMigrationStatus:total-time.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_total_time (HvMigrationStatus *self,
                                    gint64             total_time)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));
  g_return_if_fail (total_time >= 0);

  if (self->total_time == total_time)
    return;
  self->total_time = total_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_TIME]);
}

/**
 * hv_migration_status_get_downtime:
 * @self: a #HvMigrationStatus
 *
 * Returns: the downtime in ms
 *
 * Since: 1.0
 */
gint64
hv_migration_status_get_downtime (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), 0);

  return self->downtime;
}

/**
 * hv_migration_status_set_downtime:
 * @self: a #HvMigrationStatus
 * @downtime: the downtime in ms
 *
 * Sets #HvMigrationStatus:downtime.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_downtime (HvMigrationStatus *self,
                                  gint64             downtime)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));
  g_return_if_fail (downtime >= 0);

  if (self->downtime == downtime)
    return;
  self->downtime = downtime;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOWNTIME]);
}

/**
 * hv_migration_status_get_setup_time:
 * @self: a #HvMigrationStatus
 *
 * Returns: the setup time in ms
 *
 * Since: 1.0
 */
gint64
hv_migration_status_get_setup_time (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), 0);

  return self->setup_time;
}

/**
 * hv_migration_status_set_setup_time:
 * @self: a #HvMigrationStatus
 * @setup_time: the setup time in ms
 *
 * Sets #HvMigrationStatus:setup-time.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_setup_time (HvMigrationStatus *self,
                                    gint64             setup_time)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));
  g_return_if_fail (setup_time >= 0);

  if (self->setup_time == setup_time)
    return;
  self->setup_time = setup_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETUP_TIME]);
}

/**
 * hv_migration_status_get_transferred:
 * @self: a #HvMigrationStatus
 *
 * Returns: the bytes transferred
 *
 * Since: 1.0
 */
gint64
hv_migration_status_get_transferred (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), 0);

  return self->transferred;
}

/**
 * hv_migration_status_set_transferred:
 * @self: a #HvMigrationStatus
 * @transferred: the bytes transferred
 *
 * Sets #HvMigrationStatus:transferred.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_transferred (HvMigrationStatus *self,
                                     gint64             transferred)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));
  g_return_if_fail (transferred >= 0);

  if (self->transferred == transferred)
    return;
  self->transferred = transferred;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSFERRED]);
}

/**
 * hv_migration_status_get_remaining:
 * @self: a #HvMigrationStatus
 *
 * Returns: the bytes remaining
 *
 * Since: 1.0
 */
gint64
hv_migration_status_get_remaining (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), 0);

  return self->remaining;
}

/**
 * hv_migration_status_set_remaining:
 * @self: a #HvMigrationStatus
 * @remaining: the bytes remaining
 *
 * Sets #HvMigrationStatus:remaining.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_remaining (HvMigrationStatus *self,
                                   gint64             remaining)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));
  g_return_if_fail (remaining >= 0);

  if (self->remaining == remaining)
    return;
  self->remaining = remaining;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMAINING]);
}

/**
 * hv_migration_status_get_total:
 * @self: a #HvMigrationStatus
 *
 * Returns: the total bytes
 *
 * Since: 1.0
 */
gint64
hv_migration_status_get_total (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), 0);

  return self->total;
}

/**
 * hv_migration_status_set_total:
 * @self: a #HvMigrationStatus
 * @total: the total bytes
 *
 * Sets #HvMigrationStatus:total.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_total (HvMigrationStatus *self,
                               gint64             total)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));
  g_return_if_fail (total >= 0);

  if (self->total == total)
    return;
  self->total = total;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
}

/**
 * hv_migration_status_get_dirty_sync_count:
 * @self: a #HvMigrationStatus
 *
 * Returns: the dirty sync count
 *
 * Since: 1.0
 */
gint64
hv_migration_status_get_dirty_sync_count (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), 0);

  return self->dirty_sync_count;
}

/**
 * hv_migration_status_set_dirty_sync_count:
 * @self: a #HvMigrationStatus
 * @dirty_sync_count: the dirty sync count
 *
 * Sets #HvMigrationStatus:dirty-sync-count.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_dirty_sync_count (HvMigrationStatus *self,
                                          gint64             dirty_sync_count)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));
  g_return_if_fail (dirty_sync_count >= 0);

  if (self->dirty_sync_count == dirty_sync_count)
    return;
  self->dirty_sync_count = dirty_sync_count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY_SYNC_COUNT]);
}

/**
 * hv_migration_status_get_mbps:
 * @self: a #HvMigrationStatus
 *
 * Returns: the throughput in Mbit/s
 *
 * Since: 1.0
 */
gdouble
hv_migration_status_get_mbps (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), 0.0);

  return self->mbps;
}

/**
 * hv_migration_status_set_mbps:
 * @self: a #HvMigrationStatus
 * @mbps: the throughput in Mbit/s
 *
 * Sets #HvMigrationStatus:mbps.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_mbps (HvMigrationStatus *self,
                              gdouble            mbps)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));
  g_return_if_fail (mbps >= 0.0);

  if (self->mbps == mbps)
    return;
  self->mbps = mbps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MBPS]);
}

/**
 * hv_migration_status_get_error_desc:
 * @self: a #HvMigrationStatus
 *
 * Returns: (nullable): the error description
 *
 * Since: 1.0
 */
const gchar *
hv_migration_status_get_error_desc (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), NULL);

  return self->error_desc;
}

/**
 * hv_migration_status_set_error_desc:
 * @self: a #HvMigrationStatus
 * @error_desc: (nullable): the error description
 *
 * Sets #HvMigrationStatus:error-desc.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_error_desc (HvMigrationStatus *self,
                                    const gchar       *error_desc)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));

  if (hv_set_str (&self->error_desc, error_desc))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_DESC]);
}

/**
 * hv_migration_status_get_expected_downtime:
 * @self: a #HvMigrationStatus
 *
 * Returns: the downtime QEMU expects, in milliseconds
 *
 * Since: 1.0
 */
gint64
hv_migration_status_get_expected_downtime (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), 0);

  return self->expected_downtime;
}

/**
 * hv_migration_status_set_expected_downtime:
 * @self: a #HvMigrationStatus
 * @expected_downtime: the downtime QEMU expects, in milliseconds
 *
 * Sets #HvMigrationStatus:expected-downtime.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_expected_downtime (HvMigrationStatus *self,
                                           gint64             expected_downtime)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));
  g_return_if_fail (expected_downtime >= 0);

  if (self->expected_downtime == expected_downtime)
    return;
  self->expected_downtime = expected_downtime;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPECTED_DOWNTIME]);
}

/**
 * hv_migration_status_get_dirty_rate:
 * @self: a #HvMigrationStatus
 *
 * Returns: the pages the guest dirties per second
 *
 * Since: 1.0
 */
gint64
hv_migration_status_get_dirty_rate (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), 0);

  return self->dirty_rate;
}

/**
 * hv_migration_status_set_dirty_rate:
 * @self: a #HvMigrationStatus
 * @dirty_rate: pages dirtied per second
 *
 * Sets #HvMigrationStatus:dirty-rate.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_dirty_rate (HvMigrationStatus *self,
                                    gint64             dirty_rate)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));
  g_return_if_fail (dirty_rate >= 0);

  if (self->dirty_rate == dirty_rate)
    return;
  self->dirty_rate = dirty_rate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY_RATE]);
}

/**
 * hv_migration_status_get_state_time:
 * @self: a #HvMigrationStatus
 *
 * Returns: when the current state began, in microseconds since the Unix
 *   epoch, or 0 when unknown
 *
 * Since: 1.0
 */
gint64
hv_migration_status_get_state_time (HvMigrationStatus *self)
{
  g_return_val_if_fail (HV_IS_MIGRATION_STATUS (self), 0);

  return self->state_time;
}

/**
 * hv_migration_status_set_state_time:
 * @self: a #HvMigrationStatus
 * @state_time: when the current state began, in microseconds since the
 *   Unix epoch, or 0 when unknown
 *
 * Sets #HvMigrationStatus:state-time.
 *
 * Since: 1.0
 */
void
hv_migration_status_set_state_time (HvMigrationStatus *self,
                                    gint64             state_time)
{
  g_return_if_fail (HV_IS_MIGRATION_STATUS (self));
  g_return_if_fail (state_time >= 0);

  if (self->state_time == state_time)
    return;
  self->state_time = state_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_TIME]);
}
