/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include "hv-kvm-hotplug-op.h"

G_BEGIN_DECLS

/*
 * Test hooks of hotplug: a forced slot (device_add on a taken slot) and a
 * SIGKILL of the process, or of the instance's QEMU, right after a named
 * step (a crash there). They
 * exist only in the build of hotplug/ that the tests link
 * (HV_KVM_TESTHOOKS, libhv_kvm_hotplug_testhooks); in the module users
 * install they are constants and the code that kills is absent — a test
 * checks that with nm. The step names are the journal's (docs/design.md,
 * "Hotplug").
 */
typedef struct {
  gint         force_slot;        /* >= 0: hot-adds go to this slot, free or not */
  const gchar *kill_after_step;   /* SIGKILL this process once a step of that
                                   * name has completed (NULL: never) */
  HvHotplugAction kill_action;    /* …in an operation doing this */
  gboolean     kill_qemu;         /* kill the instance's QEMU instead (QEMU dies
                                   * there, hvkit lives on) */
} HvKvmHotplugTestHooks;

#define HV_KVM_HOTPLUG_TEST_HOOKS_INIT { .force_slot = -1, .kill_after_step = NULL, \
                                         .kill_action = HV_HOTPLUG_ACTION_ADD, \
                                         .kill_qemu = FALSE }

#ifdef HV_KVM_TESTHOOKS

/* Process-wide, set before an operation starts; %NULL for none. */
void  hv_kvm_hotplug_set_test_hooks      (const HvKvmHotplugTestHooks *hooks);
gint  hv_kvm_hotplug_testhook_force_slot (void);
void  hv_kvm_hotplug_testhook_step_done  (HvKvmHotplugOp              *op,
                                          const gchar                 *step);

#else

#define hv_kvm_hotplug_testhook_force_slot() (-1)
#define hv_kvm_hotplug_testhook_step_done(op, step) G_STMT_START { (void) (op); } G_STMT_END

#endif

G_END_DECLS
