/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include "hv-kvm-private.h"

G_BEGIN_DECLS

/* HvKvm's hotplug methods (hv-kvm-hotplug-calls.c), on the module of
 * hv-kvm-hotplug-private.h. */
void  hv_kvm_hotplug_calls_iface_init (HvHypervisorInterface *iface);
void  hv_kvm_hotplug_queue_reconcile  (HvKvm                 *self,
                                       HvKvmInstance         *instance);

G_END_DECLS
