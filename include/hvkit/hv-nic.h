/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <hvkit/hv-version-macros.h>
#include <hvkit/hv-device.h>

G_BEGIN_DECLS

#define HV_TYPE_NIC (hv_nic_get_type ())
HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvNic, hv_nic, HV, NIC, HvDevice)

HV_AVAILABLE_IN_1_0
HvNic        *hv_nic_new               (void);
HV_AVAILABLE_IN_1_0
HvNic        *hv_nic_new_from_variant  (GVariant    *dict,
                                        GError     **error);
HV_AVAILABLE_IN_1_0
GVariant     *hv_nic_to_variant        (HvNic       *self);

HV_AVAILABLE_IN_1_0
const gchar  *hv_nic_get_mac           (HvNic       *self);
HV_AVAILABLE_IN_1_0
void          hv_nic_set_mac           (HvNic       *self,
                                        const gchar *mac);
HV_AVAILABLE_IN_1_0
const gchar  *hv_nic_get_ip            (HvNic       *self);
HV_AVAILABLE_IN_1_0
void          hv_nic_set_ip            (HvNic       *self,
                                        const gchar *ip);
HV_AVAILABLE_IN_1_0
const gchar  *hv_nic_get_mode          (HvNic       *self);
HV_AVAILABLE_IN_1_0
void          hv_nic_set_mode          (HvNic       *self,
                                        const gchar *mode);
HV_AVAILABLE_IN_1_0
const gchar  *hv_nic_get_link          (HvNic       *self);
HV_AVAILABLE_IN_1_0
void          hv_nic_set_link          (HvNic       *self,
                                        const gchar *link);
HV_AVAILABLE_IN_1_0
const gchar  *hv_nic_get_vlan          (HvNic       *self);
HV_AVAILABLE_IN_1_0
void          hv_nic_set_vlan          (HvNic       *self,
                                        const gchar *vlan);
HV_AVAILABLE_IN_1_0
GVariant     *hv_nic_get_network       (HvNic       *self);
HV_AVAILABLE_IN_1_0
void          hv_nic_set_network       (HvNic       *self,
                                        GVariant    *network);

G_END_DECLS
