/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hv-hypervisor.h"

G_BEGIN_DECLS

/* The answers of methods a driver leaves NULL, as hv_base gives them. Both
 * complete through @callback from the thread-default main context, never
 * before the call returns; the public _finish functions recognise the
 * results by @source_tag. */
void hv_hypervisor_report_unsupported (HvHypervisor        *self,
                                       gpointer             source_tag,
                                       const gchar         *method,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
void hv_hypervisor_report_no_hotplug  (HvHypervisor        *self,
                                       gpointer             source_tag,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
void hv_hypervisor_report_done        (HvHypervisor        *self,
                                       gpointer             source_tag,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);

GPtrArray *hv_hypervisor_own_array (GPtrArray     *array,
                                    GCopyFunc      ref_func,
                                    GDestroyNotify unref_func);

G_END_DECLS
