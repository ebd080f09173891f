/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hv-kvm-capabilities.h"

G_BEGIN_DECLS

/* Shared between the object, its probe and its tests. */
GArray             *hv_kvm_capabilities_machines_new  (void);
void                hv_kvm_capabilities_machines_add  (GArray      *machines,
                                                       const gchar *name,
                                                       const gchar *alias,
                                                       gboolean     is_default,
                                                       gboolean     deprecated);
GHashTable         *hv_kvm_capabilities_options_new   (void);
void                hv_kvm_capabilities_options_add   (GHashTable  *options,
                                                       const gchar *option,
                                                       const gchar *parameter);
HvKvmCapabilities  *hv_kvm_capabilities_new_take      (guint        major,
                                                       guint        minor,
                                                       guint        micro,
                                                       const gchar *package,
                                                       GPtrArray   *commands,
                                                       GPtrArray   *devices,
                                                       GPtrArray   *cpu_models,
                                                       GPtrArray   *migration_capabilities,
                                                       GArray      *machines,
                                                       GHashTable  *options);
GBytes             *hv_kvm_capabilities_build_probe_input (void);
HvKvmCapabilities  *hv_kvm_capabilities_new_from_qmp_transcript (const gchar *transcript,
                                                                 GError     **error);

G_END_DECLS
