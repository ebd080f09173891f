/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Compiled only into the tests' build of hotplug/ (HV_KVM_TESTHOOKS).
 */
#define G_LOG_DOMAIN "HvKvmHotplug"

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include "hv-kvm-hotplug-testhooks.h"

#ifndef HV_KVM_TESTHOOKS
#error "hv-kvm-hotplug-testhooks.c belongs to the tests' build only"
#endif

static HvKvmHotplugTestHooks test_hooks = HV_KVM_HOTPLUG_TEST_HOOKS_INIT;
static gchar *test_kill_step;

/**
 * hv_kvm_hotplug_set_test_hooks:
 * @hooks: (nullable): the hooks, copied; %NULL for none
 *
 * For the tests only: forces the slot of hot-adds, or kills the process
 * with SIGKILL right after a named step (a crash at that point).
 */
void
hv_kvm_hotplug_set_test_hooks (const HvKvmHotplugTestHooks *hooks)
{
  static const HvKvmHotplugTestHooks none = HV_KVM_HOTPLUG_TEST_HOOKS_INIT;

  g_clear_pointer (&test_kill_step, g_free);
  test_hooks = hooks != NULL ? *hooks : none;
  test_kill_step = g_strdup (test_hooks.kill_after_step);
  test_hooks.kill_after_step = test_kill_step;
}

gint
hv_kvm_hotplug_testhook_force_slot (void)
{
  return test_hooks.force_slot;
}

void
hv_kvm_hotplug_testhook_step_done (HvKvmHotplugOp *op,
                                   const gchar    *step)
{
  if (test_hooks.kill_after_step == NULL || op->action != test_hooks.kill_action ||
      !g_str_equal (step, test_hooks.kill_after_step))
    return;
  if (test_hooks.kill_qemu)
    {
      GPid pid = hv_kvm_instance_get_pid (op->instance);

      /* QEMU dies there; the operation goes on and finds it gone */
      g_debug ("test hook: QEMU %d killed after step %s of %s", (int) pid, step, op->qemu_id);
      if (pid > 0)
        kill ((pid_t) pid, SIGKILL);
      return;
    }
  /* what a crash leaves: the journal as the steps saved it, QEMU as it is */
  g_debug ("test hook: killed after step %s of %s", step, op->qemu_id);
  kill (getpid (), SIGKILL);
}
