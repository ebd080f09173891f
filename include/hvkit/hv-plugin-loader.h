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
#include <hvkit/hv-hypervisor.h>

G_BEGIN_DECLS

#define HV_TYPE_PLUGIN_LOADER (hv_plugin_loader_get_type ())

HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvPluginLoader, hv_plugin_loader, HV, PLUGIN_LOADER, GObject)

HV_AVAILABLE_IN_1_0
HvPluginLoader  *hv_plugin_loader_new               (const gchar    *plugin_dir);
HV_AVAILABLE_IN_1_0
const gchar     *hv_plugin_loader_get_plugin_dir    (HvPluginLoader *self);
HV_AVAILABLE_IN_1_0
gchar          **hv_plugin_loader_list_hypervisors  (HvPluginLoader *self,
                                                     GError        **error);
HV_AVAILABLE_IN_1_0
HvHypervisor    *hv_plugin_loader_get_hypervisor    (HvPluginLoader *self,
                                                     const gchar    *name,
                                                     GVariant       *config,
                                                     GError        **error);

G_END_DECLS
