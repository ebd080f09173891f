/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <gio/gio.h>

#include <hvkit/hv-version-macros.h>
#include <hvkit/hv-instance.h>
#include <hvkit/hv-nic.h>

G_BEGIN_DECLS

#define HV_TYPE_NIC_SCRIPT (hv_nic_script_get_type ())

HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvNicScript, hv_nic_script, HV, NIC_SCRIPT, GObject)

HV_AVAILABLE_IN_1_0
HvNicScript  *hv_nic_script_new               (const gchar          *path);
HV_AVAILABLE_IN_1_0
const gchar  *hv_nic_script_get_path          (HvNicScript          *self);
HV_AVAILABLE_IN_1_0
guint         hv_nic_script_get_timeout       (HvNicScript          *self);
HV_AVAILABLE_IN_1_0
void          hv_nic_script_set_timeout       (HvNicScript          *self,
                                               guint                 timeout_ms);

HV_AVAILABLE_IN_1_0
gchar       **hv_nic_script_build_environment (const gchar          *instance_name,
                                               HvNic                *nic,
                                               gint                  seq,
                                               const gchar          *tap,
                                               const gchar * const  *tags);

HV_AVAILABLE_IN_1_0
void          hv_nic_script_ifup_async        (HvNicScript          *self,
                                               HvInstance           *instance,
                                               HvNic                *nic,
                                               guint                 seq,
                                               const gchar          *tap,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
HV_AVAILABLE_IN_1_0
gboolean      hv_nic_script_ifup_finish       (HvNicScript          *self,
                                               GAsyncResult         *result,
                                               GError              **error);
HV_AVAILABLE_IN_1_0
gboolean      hv_nic_script_ifup_sync         (HvNicScript          *self,
                                               HvInstance           *instance,
                                               HvNic                *nic,
                                               guint                 seq,
                                               const gchar          *tap,
                                               GCancellable         *cancellable,
                                               GError              **error);

HV_AVAILABLE_IN_1_0
void          hv_nic_script_ifdown_async      (HvNicScript          *self,
                                               const gchar          *instance_name,
                                               HvNic                *nic,
                                               const gchar          *tap,
                                               gboolean              only_local,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
HV_AVAILABLE_IN_1_0
gboolean      hv_nic_script_ifdown_finish     (HvNicScript          *self,
                                               GAsyncResult         *result,
                                               GError              **error);
HV_AVAILABLE_IN_1_0
gboolean      hv_nic_script_ifdown_sync       (HvNicScript          *self,
                                               const gchar          *instance_name,
                                               HvNic                *nic,
                                               const gchar          *tap,
                                               gboolean              only_local,
                                               GCancellable         *cancellable,
                                               GError              **error);

G_END_DECLS
