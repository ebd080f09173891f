/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <gio/gio.h>

#include <hvkit/hv-hypervisor.h>

/* the visibility macros may not be there yet (hv-version-macros.h) */
#ifndef HV_AVAILABLE_IN_1_0
#define HV_AVAILABLE_IN_1_0 extern
#endif

G_BEGIN_DECLS

/**
 * HV_REMOTE_HYPERVISOR_BUS_NAME:
 *
 * The bus name hvkitd owns, `org.hvkit`.
 *
 * Since: 1.0
 */
#define HV_REMOTE_HYPERVISOR_BUS_NAME "org.hvkit"

#define HV_TYPE_REMOTE_HYPERVISOR (hv_remote_hypervisor_get_type ())
HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvRemoteHypervisor, hv_remote_hypervisor, HV, REMOTE_HYPERVISOR, GObject)

HV_AVAILABLE_IN_1_0
HvRemoteHypervisor *hv_remote_hypervisor_new_sync       (GDBusConnection     *connection,
                                                         const gchar         *name,
                                                         GCancellable        *cancellable,
                                                         GError             **error);
HV_AVAILABLE_IN_1_0
void                hv_remote_hypervisor_new            (GDBusConnection     *connection,
                                                         const gchar         *name,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
HV_AVAILABLE_IN_1_0
HvRemoteHypervisor *hv_remote_hypervisor_new_finish     (GAsyncResult        *result,
                                                         GError             **error);
HV_AVAILABLE_IN_1_0
GDBusConnection    *hv_remote_hypervisor_get_connection (HvRemoteHypervisor  *self);
HV_AVAILABLE_IN_1_0
const gchar        *hv_remote_hypervisor_get_object_path (HvRemoteHypervisor *self);
HV_AVAILABLE_IN_1_0
gboolean            hv_remote_hypervisor_get_allow_interactive_authorization (HvRemoteHypervisor *self);
HV_AVAILABLE_IN_1_0
void                hv_remote_hypervisor_set_allow_interactive_authorization (HvRemoteHypervisor *self,
                                                                              gboolean            allow);

G_END_DECLS
