/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <hvkit/hvkit-driver.h>

G_BEGIN_DECLS

/* The device QEMU opens for vhost=on; QEMU 7.2 aborts when it is missing. */
#define HV_KVM_VHOST_NET_DEVICE "/dev/vhost-net"

/* The PCI slots QEMU's pc machine has (kvm_pci_reservations' bound). */
#define HV_KVM_PCI_SLOTS 32

const HvParamDef *hv_kvm_params_get_defs     (gsize        *n_defs);
GVariant         *hv_kvm_params_get_defaults (void);

gboolean          hv_kvm_params_check_rules    (GVariant     *hvparams,
                                                GError      **error);
gboolean          hv_kvm_params_validate_rules (GVariant     *hvparams,
                                                const gchar  *vhost_net_device,
                                                GError      **error);

gboolean          hv_kvm_params_is_interface_name (const gchar *name);

G_END_DECLS
