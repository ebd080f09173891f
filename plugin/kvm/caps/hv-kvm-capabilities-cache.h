/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hv-kvm-capabilities.h"

G_BEGIN_DECLS

/* How long a probe may take before QEMU is killed; settable for tests. */
#define HV_KVM_CAPABILITIES_PROBE_TIMEOUT_MS 30000

#define HV_TYPE_KVM_CAPABILITIES_CACHE (hv_kvm_capabilities_cache_get_type ())
G_DECLARE_FINAL_TYPE (HvKvmCapabilitiesCache, hv_kvm_capabilities_cache, HV,
                      KVM_CAPABILITIES_CACHE, GObject)

HvKvmCapabilitiesCache *hv_kvm_capabilities_cache_new               (const gchar            *cache_dir);
const gchar            *hv_kvm_capabilities_cache_get_cache_dir     (HvKvmCapabilitiesCache *self);
guint                   hv_kvm_capabilities_cache_get_probe_timeout (HvKvmCapabilitiesCache *self);
void                    hv_kvm_capabilities_cache_set_probe_timeout (HvKvmCapabilitiesCache *self,
                                                                     guint                   timeout_ms);
guint                   hv_kvm_capabilities_cache_get_probe_count   (HvKvmCapabilitiesCache *self);
gchar                  *hv_kvm_capabilities_cache_get_file_path     (HvKvmCapabilitiesCache *self,
                                                                     const gchar            *qemu_path);

void                    hv_kvm_capabilities_cache_lookup_async      (HvKvmCapabilitiesCache *self,
                                                                     const gchar            *qemu_path,
                                                                     GCancellable           *cancellable,
                                                                     GAsyncReadyCallback     callback,
                                                                     gpointer                user_data);
HvKvmCapabilities      *hv_kvm_capabilities_cache_lookup_finish     (HvKvmCapabilitiesCache *self,
                                                                     GAsyncResult           *result,
                                                                     GError                **error);

G_END_DECLS
