/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hv-remote-hypervisor.h"

G_BEGIN_DECLS

/* Shared by hv-remote-hypervisor.c (the object, its signals, the
 * synchronous methods) and hv-remote-hypervisor-calls.c (the asynchronous
 * methods). */

#define HV_REMOTE_HYPERVISOR_INTERFACE "org.hvkit.Hypervisor1"
#define HV_REMOTE_JOB_INTERFACE "org.hvkit.Job1"

const gchar *hv_remote_hypervisor_get_bus_name (HvRemoteHypervisor *self);
GVariant    *hv_remote_hypervisor_floating     (GVariant           *owned);
GDBusCallFlags hv_remote_hypervisor_get_call_flags (HvRemoteHypervisor *self);
void         hv_remote_hypervisor_map_error    (GError            **error);
void         hv_remote_hypervisor_call         (HvRemoteHypervisor *self,
                                                const gchar        *method,
                                                GVariant           *parameters,
                                                const GVariantType *reply_type,
                                                GCancellable       *cancellable,
                                                GTask              *task);
GVariant    *hv_remote_hypervisor_call_sync    (HvRemoteHypervisor *self,
                                                const gchar        *method,
                                                GVariant           *parameters,
                                                const GVariantType *reply_type,
                                                GError            **error);
void         hv_remote_hypervisor_init_calls   (HvHypervisorInterface *iface);
void         hv_remote_hypervisor_init_migrate (HvHypervisorInterface *iface);

G_END_DECLS
