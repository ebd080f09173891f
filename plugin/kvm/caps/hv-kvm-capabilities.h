/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The format of the a{sv} written by hv_kvm_capabilities_to_variant(); a
 * cache file or fixture of another format is refused (and re-probed). */
#define HV_KVM_CAPABILITIES_FORMAT 2

#define HV_TYPE_KVM_CAPABILITIES (hv_kvm_capabilities_get_type ())
G_DECLARE_FINAL_TYPE (HvKvmCapabilities, hv_kvm_capabilities, HV, KVM_CAPABILITIES, GObject)

HvKvmCapabilities  *hv_kvm_capabilities_new_from_variant        (GVariant           *variant,
                                                                 GError            **error);
GVariant           *hv_kvm_capabilities_to_variant              (HvKvmCapabilities  *self);

void                hv_kvm_capabilities_get_version             (HvKvmCapabilities  *self,
                                                                 guint              *major,
                                                                 guint              *minor,
                                                                 guint              *micro);
gboolean            hv_kvm_capabilities_check_version           (HvKvmCapabilities  *self,
                                                                 guint               major,
                                                                 guint               minor,
                                                                 guint               micro);
const gchar        *hv_kvm_capabilities_get_version_string      (HvKvmCapabilities  *self);
const gchar        *hv_kvm_capabilities_get_package             (HvKvmCapabilities  *self);

gboolean            hv_kvm_capabilities_has_command             (HvKvmCapabilities  *self,
                                                                 const gchar        *name);
gboolean            hv_kvm_capabilities_has_device              (HvKvmCapabilities  *self,
                                                                 const gchar        *type_name);
gboolean            hv_kvm_capabilities_has_cpu_model           (HvKvmCapabilities  *self,
                                                                 const gchar        *name);
gboolean            hv_kvm_capabilities_has_migration_capability (HvKvmCapabilities *self,
                                                                 const gchar        *name);
gboolean            hv_kvm_capabilities_has_command_line_option (HvKvmCapabilities *self,
                                                                 const gchar        *option,
                                                                 const gchar        *parameter);

const gchar        *hv_kvm_capabilities_get_default_machine     (HvKvmCapabilities  *self);
const gchar        *hv_kvm_capabilities_resolve_machine         (HvKvmCapabilities  *self,
                                                                 const gchar        *name);

void                hv_kvm_capabilities_probe_async             (const gchar        *qemu_path,
                                                                 guint               timeout_ms,
                                                                 GCancellable       *cancellable,
                                                                 GAsyncReadyCallback callback,
                                                                 gpointer            user_data);
HvKvmCapabilities  *hv_kvm_capabilities_probe_finish            (GAsyncResult       *result,
                                                                 GError            **error);

G_END_DECLS
