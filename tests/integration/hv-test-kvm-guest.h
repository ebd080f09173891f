/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hvkit.h"
#include "hv-test.h"

G_BEGIN_DECLS

/* How long the test guest may take to boot under TCG on a loaded node. */
#define HV_TEST_KVM_GUEST_BOOT_TIMEOUT_MS 90000

HvInstance    *hv_test_kvm_guest_new_instance (HvHypervisor  *kvm,
                                               const gchar   *name,
                                               const gchar   *uuid,
                                               gint64         memory_mib);
HvTestConsole *hv_test_kvm_guest_boot         (const gchar   *run_dir,
                                               const gchar   *name);

G_END_DECLS
