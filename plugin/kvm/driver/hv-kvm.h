/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include <hvkit/hvkit-driver.h>

#include "hv-kvm-host.h"

G_BEGIN_DECLS

#define HV_TYPE_KVM (hv_kvm_get_type ())
G_DECLARE_FINAL_TYPE (HvKvm, hv_kvm, HV, KVM, GObject)

HvKvm       *hv_kvm_new                  (GVariant      *config,
                                          GError       **error);
HvKvmHost   *hv_kvm_get_host             (HvKvm         *self);
const gchar *hv_kvm_get_run_dir          (HvKvm         *self);
const gchar *hv_kvm_get_vhost_net_device (HvKvm         *self);
GVariant    *hv_kvm_get_default_hvparams (HvKvm         *self);
HvKvmCapabilitiesCache *hv_kvm_get_capabilities_cache (HvKvm *self);

G_END_DECLS
