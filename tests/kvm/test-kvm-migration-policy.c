/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hvkit.h"
#include "hv-kvm-migration.h"

/*
 * The migration policies' decisions (hv_kvm_migration_policy_step), on
 * the figures a source sees pass by pass. Postcopy through real QEMU is
 * in test-kvm-migration (integration).
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kvm/migration-policy/off-by-default", test_off_by_default);
  g_test_add_func ("/kvm/migration-policy/postcopy", test_postcopy);
  g_test_add_func ("/kvm/migration-policy/downtime-escalation", test_downtime_escalation);

  return g_test_run ();
}
