/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "hvkit.h"
#include "hv-kvm-migration.h"

/*
 * The migration policies' decisions (hv_kvm_migration_policy_step), on
 * the figures a source sees pass by pass, and QEMU's query-migrate as an
 * HvMigrationStatus. Postcopy through real QEMU is in test-kvm-migration
 * (integration).
 */

#define MIB (G_GINT64_CONSTANT (1) << 20)

static HvKvmMigrationPolicyState
state_new (gint64 downtime_ms)
{
  HvKvmMigrationPolicyState state = { 0 };

  state.downtime_ms = downtime_ms;
  state.best_remaining = -1;
  return state;
}

static void
test_off_by_default (void)
{
  HvKvmMigrationPolicy policy = { 0, 2, 0, 100, 2000 };
  HvKvmMigrationPolicyState state = state_new (30);

  for (gint64 pass = 1; pass < 20; pass++)
    g_assert_cmpint (hv_kvm_migration_policy_step (&policy, &state, TRUE,
                                                   HV_MIGRATION_STATE_ACTIVE, pass, 64 * MIB),
                     ==, HV_KVM_MIGRATION_POLICY_NONE);
  g_assert_cmpint (state.downtime_ms, ==, 30);
}

static void
test_postcopy (void)
{
  HvKvmMigrationPolicy policy = { 1, 2, 0, 100, 2000 };
  HvKvmMigrationPolicyState state = state_new (30);

  /* not without postcopy-ram, not before the second pass, not while
   * setting up, then once */
  g_assert_cmpint (hv_kvm_migration_policy_step (&policy, &state, FALSE,
                                                 HV_MIGRATION_STATE_ACTIVE, 5, MIB), ==, 0);
  g_assert_cmpint (hv_kvm_migration_policy_step (&policy, &state, TRUE,
                                                 HV_MIGRATION_STATE_ACTIVE, 1, MIB), ==, 0);
  g_assert_cmpint (hv_kvm_migration_policy_step (&policy, &state, TRUE,
                                                 HV_MIGRATION_STATE_SETUP, 2, MIB), ==, 0);
  g_assert_cmpint (hv_kvm_migration_policy_step (&policy, &state, TRUE,
                                                 HV_MIGRATION_STATE_ACTIVE, 2, MIB),
                   ==, HV_KVM_MIGRATION_POLICY_START_POSTCOPY);
  g_assert_cmpint (hv_kvm_migration_policy_step (&policy, &state, TRUE,
                                                 HV_MIGRATION_STATE_ACTIVE, 3, MIB), ==, 0);
}

static void
test_downtime_escalation (void)
{
  /* K = 2 passes without shrinking, steps of 100 ms, at most 250 */
  HvKvmMigrationPolicy policy = { 0, 2, 2, 100, 250 };
  HvKvmMigrationPolicyState state = state_new (30);
  struct {
    gint64 pass;
    gint64 remaining_mib;
    gint64 downtime_after;
    gboolean raised;
  } steps[] = {
    { 1, 90, 30, FALSE },    /* the first figure: the least so far */
    { 1, 80, 30, FALSE },    /* the same pass: not looked at again */
    { 2, 40, 30, FALSE },    /* shrinking */
    { 3, 45, 30, FALSE },    /* one pass without shrinking */
    { 4, 41, 130, TRUE },    /* two: one step up */
    { 5, 50, 130, FALSE },
    { 6, 30, 130, FALSE },   /* shrank: counting starts again */
    { 7, 31, 130, FALSE },
    { 8, 31, 230, TRUE },
    { 9, 35, 230, FALSE },
    { 10, 35, 250, TRUE },   /* the cap, not a full step */
    { 11, 40, 250, FALSE },
    { 12, 40, 250, FALSE },  /* at the cap: no more */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      HvKvmMigrationPolicyActions actions =
        hv_kvm_migration_policy_step (&policy, &state, FALSE, HV_MIGRATION_STATE_ACTIVE,
                                      steps[i].pass, steps[i].remaining_mib * MIB);

      g_assert_cmpint (!!(actions & HV_KVM_MIGRATION_POLICY_RAISE_DOWNTIME), ==, steps[i].raised);
      g_assert_cmpint (state.downtime_ms, ==, steps[i].downtime_after);
    }
}

/* Every value of QEMU 7.2's MigrationStatus has its state; none is
 * "unknown". */
static void
test_states (void)
{
  static const gchar *const words[] = {
    "none", "setup", "cancelling", "cancelled", "active", "postcopy-active",
    "postcopy-paused", "postcopy-recover", "completed", "failed", "colo",
    "pre-switchover", "device", "wait-unplug",
  };
  g_autoptr(GEnumClass) states = g_type_class_ref (HV_TYPE_MIGRATION_STATE);
  HvMigrationState state;

  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    {
      g_assert_true (hv_kvm_migration_state_from_qemu (words[i], &state));
      /* the nick is QEMU's own word */
      g_assert_cmpstr (g_enum_get_value (states, state)->value_nick, ==, words[i]);
    }
  g_assert_false (hv_kvm_migration_state_from_qemu ("teleporting", &state));
}

static void
test_status_from_reply (void)
{
  g_autoptr(JsonNode) node = json_from_string (
    "{\"status\": \"active\", \"total-time\": 1500, \"setup-time\": 5,"
    " \"expected-downtime\": 45,"
    " \"ram\": {\"transferred\": 1073741824, \"remaining\": 1048576,"
    " \"total\": 2147483648, \"dirty-sync-count\": 3, \"mbps\": 268.4,"
    " \"dirty-pages-rate\": 2500}}", NULL);
  g_autoptr(HvMigrationStatus) status =
    hv_kvm_migration_status_from_reply (json_node_get_object (node));
  g_autoptr(JsonNode) odd = json_from_string ("{\"status\": \"teleporting\"}", NULL);
  g_autoptr(HvMigrationStatus) failed =
    hv_kvm_migration_status_from_reply (json_node_get_object (odd));
  g_autoptr(JsonNode) empty = json_from_string ("{}", NULL);
  g_autoptr(HvMigrationStatus) none =
    hv_kvm_migration_status_from_reply (json_node_get_object (empty));

  g_assert_cmpint (hv_migration_status_get_state (status), ==, HV_MIGRATION_STATE_ACTIVE);
  g_assert_cmpint (hv_migration_status_get_total_time (status), ==, 1500);
  g_assert_cmpint (hv_migration_status_get_setup_time (status), ==, 5);
  g_assert_cmpint (hv_migration_status_get_expected_downtime (status), ==, 45);
  g_assert_cmpint (hv_migration_status_get_transferred (status), ==, 1073741824);
  g_assert_cmpint (hv_migration_status_get_remaining (status), ==, 1048576);
  g_assert_cmpint (hv_migration_status_get_total (status), ==, G_GINT64_CONSTANT (2147483648));
  g_assert_cmpint (hv_migration_status_get_dirty_sync_count (status), ==, 3);
  g_assert_cmpint (hv_migration_status_get_dirty_rate (status), ==, 2500);
  g_assert_cmpfloat (hv_migration_status_get_mbps (status), ==, 268.4);
  /* a word hvkit does not know is said, not hidden */
  g_assert_cmpint (hv_migration_status_get_state (failed), ==, HV_MIGRATION_STATE_FAILED);
  g_assert_nonnull (strstr (hv_migration_status_get_error_desc (failed), "teleporting"));
  /* QEMU's empty answer before any migration */
  g_assert_cmpint (hv_migration_status_get_state (none), ==, HV_MIGRATION_STATE_NONE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kvm/migration-status/states", test_states);
  g_test_add_func ("/kvm/migration-status/from-reply", test_status_from_reply);
  g_test_add_func ("/kvm/migration-policy/off-by-default", test_off_by_default);
  g_test_add_func ("/kvm/migration-policy/postcopy", test_postcopy);
  g_test_add_func ("/kvm/migration-policy/downtime-escalation", test_downtime_escalation);

  return g_test_run ();
}
