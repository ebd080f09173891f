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

G_BEGIN_DECLS

#define HV_TYPE_PLUGIN_LOADER (hv_plugin_loader_get_type ())

G_DECLARE_FINAL_TYPE (HvPluginLoader, hv_plugin_loader, HV, PLUGIN_LOADER, GObject)

HvPluginLoader  *hv_plugin_loader_new               (const gchar    *plugin_dir);
const gchar     *hv_plugin_loader_get_plugin_dir    (HvPluginLoader *self);
gchar          **hv_plugin_loader_list_hypervisors  (HvPluginLoader *self,
                                                     GError        **error);
HvHypervisor    *hv_plugin_loader_get_hypervisor    (HvPluginLoader *self,
                                                     const gchar    *name,
                                                     GVariant       *config,
                                                     GError        **error);

G_END_DECLS
