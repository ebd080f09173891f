/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <hvkit/hv-device.h>

G_BEGIN_DECLS

#define HV_TYPE_NIC (hv_nic_get_type ())
G_DECLARE_FINAL_TYPE (HvNic, hv_nic, HV, NIC, HvDevice)

HvNic        *hv_nic_new               (void);
HvNic        *hv_nic_new_from_variant  (GVariant    *dict,
                                        GError     **error);
GVariant     *hv_nic_to_variant        (HvNic       *self);

const gchar  *hv_nic_get_mac           (HvNic       *self);
void          hv_nic_set_mac           (HvNic       *self,
                                        const gchar *mac);
const gchar  *hv_nic_get_ip            (HvNic       *self);
void          hv_nic_set_ip            (HvNic       *self,
                                        const gchar *ip);
const gchar  *hv_nic_get_mode          (HvNic       *self);
void          hv_nic_set_mode          (HvNic       *self,
                                        const gchar *mode);
const gchar  *hv_nic_get_link          (HvNic       *self);
void          hv_nic_set_link          (HvNic       *self,
                                        const gchar *link);
const gchar  *hv_nic_get_vlan          (HvNic       *self);
void          hv_nic_set_vlan          (HvNic       *self,
                                        const gchar *vlan);
GVariant     *hv_nic_get_network       (HvNic       *self);
void          hv_nic_set_network       (HvNic       *self,
                                        GVariant    *network);

G_END_DECLS
