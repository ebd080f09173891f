/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <hvkit/hvkit-driver.h>

#include "hv-kvm-defaults.h"
#include "hv-kvm-pci.h"

G_BEGIN_DECLS

const HvParamDef *hv_kvm_params_get_defs     (gsize        *n_defs);
GVariant         *hv_kvm_params_get_defaults (void);

gboolean          hv_kvm_params_check_rules    (GVariant     *hvparams,
                                                GError      **error);
gboolean          hv_kvm_params_validate_rules (GVariant     *hvparams,
                                                const gchar  *vhost_net_device,
                                                GError      **error);

gboolean          hv_kvm_params_is_interface_name (const gchar *name);

G_END_DECLS
