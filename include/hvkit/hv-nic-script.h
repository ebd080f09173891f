/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <gio/gio.h>

#include <hvkit/hv-instance.h>
#include <hvkit/hv-nic.h>

G_BEGIN_DECLS

#define HV_TYPE_NIC_SCRIPT (hv_nic_script_get_type ())

G_DECLARE_FINAL_TYPE (HvNicScript, hv_nic_script, HV, NIC_SCRIPT, GObject)

HvNicScript  *hv_nic_script_new               (const gchar          *path);
const gchar  *hv_nic_script_get_path          (HvNicScript          *self);
guint         hv_nic_script_get_timeout       (HvNicScript          *self);
void          hv_nic_script_set_timeout       (HvNicScript          *self,
                                               guint                 timeout_ms);

gchar       **hv_nic_script_build_environment (const gchar          *instance_name,
                                               HvNic                *nic,
                                               gint                  seq,
                                               const gchar          *tap,
                                               const gchar * const  *tags);

void          hv_nic_script_ifup_async        (HvNicScript          *self,
                                               HvInstance           *instance,
                                               HvNic                *nic,
                                               guint                 seq,
                                               const gchar          *tap,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean      hv_nic_script_ifup_finish       (HvNicScript          *self,
                                               GAsyncResult         *result,
                                               GError              **error);
gboolean      hv_nic_script_ifup_sync         (HvNicScript          *self,
                                               HvInstance           *instance,
                                               HvNic                *nic,
                                               guint                 seq,
                                               const gchar          *tap,
                                               GCancellable         *cancellable,
                                               GError              **error);

void          hv_nic_script_ifdown_async      (HvNicScript          *self,
                                               const gchar          *instance_name,
                                               HvNic                *nic,
                                               const gchar          *tap,
                                               gboolean              only_local,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean      hv_nic_script_ifdown_finish     (HvNicScript          *self,
                                               GAsyncResult         *result,
                                               GError              **error);
gboolean      hv_nic_script_ifdown_sync       (HvNicScript          *self,
                                               const gchar          *instance_name,
                                               HvNic                *nic,
                                               const gchar          *tap,
                                               gboolean              only_local,
                                               GCancellable         *cancellable,
                                               GError              **error);

G_END_DECLS
