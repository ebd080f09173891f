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

G_BEGIN_DECLS

/**
 * HvRuntimeUpgradeFunc:
 * @record: a record of the step's version, in normal form
 * @user_data: (closure): the data given to hv_runtime_store_add_upgrade()
 * @error: return location for a #GError
 *
 * One step of a record's upgrade chain: it turns a record of version N into
 * the same record in version N + 1. It must not keep @record.
 *
 * Returns: (transfer full) (nullable): the record in version N + 1, or
 *   %NULL with @error set when @record cannot be upgraded
 *
 * Since: 1.0
 */
typedef GVariant *(*HvRuntimeUpgradeFunc) (GVariant  *record,
                                           gpointer   user_data,
                                           GError   **error);

#define HV_TYPE_RUNTIME_STORE (hv_runtime_store_get_type ())
HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvRuntimeStore, hv_runtime_store, HV, RUNTIME_STORE, GObject)

HV_AVAILABLE_IN_1_0
HvRuntimeStore     *hv_runtime_store_new             (const gchar          *run_dir,
                                                      const GVariantType   *record_type,
                                                      guint                 version);
HV_AVAILABLE_IN_1_0
void                hv_runtime_store_add_upgrade     (HvRuntimeStore       *self,
                                                      guint                 from_version,
                                                      const GVariantType   *from_type,
                                                      HvRuntimeUpgradeFunc  func,
                                                      gpointer              user_data,
                                                      GDestroyNotify        destroy);

HV_AVAILABLE_IN_1_0
const gchar        *hv_runtime_store_get_run_dir     (HvRuntimeStore       *self);
HV_AVAILABLE_IN_1_0
const gchar        *hv_runtime_store_get_directory   (HvRuntimeStore       *self);
HV_AVAILABLE_IN_1_0
const GVariantType *hv_runtime_store_get_record_type (HvRuntimeStore       *self);
HV_AVAILABLE_IN_1_0
guint               hv_runtime_store_get_version     (HvRuntimeStore       *self);
HV_AVAILABLE_IN_1_0
gboolean            hv_runtime_store_get_durable     (HvRuntimeStore       *self);
HV_AVAILABLE_IN_1_0
void                hv_runtime_store_set_durable     (HvRuntimeStore       *self,
                                                      gboolean              durable);

HV_AVAILABLE_IN_1_0
gchar              *hv_runtime_store_get_path        (HvRuntimeStore       *self,
                                                      const gchar          *name,
                                                      GError              **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_runtime_store_save            (HvRuntimeStore       *self,
                                                      const gchar          *name,
                                                      GVariant             *record,
                                                      GError              **error);
HV_AVAILABLE_IN_1_0
gchar              *hv_runtime_store_stage           (HvRuntimeStore       *self,
                                                      const gchar          *name,
                                                      GVariant             *record,
                                                      GError              **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_runtime_store_commit_staged   (HvRuntimeStore       *self,
                                                      const gchar          *name,
                                                      const gchar          *staged,
                                                      GError              **error);
HV_AVAILABLE_IN_1_0
void                hv_runtime_store_discard_staged  (HvRuntimeStore       *self,
                                                      const gchar          *name,
                                                      const gchar          *staged);
HV_AVAILABLE_IN_1_0
GVariant           *hv_runtime_store_load            (HvRuntimeStore       *self,
                                                      const gchar          *name,
                                                      guint                *out_version,
                                                      GError              **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_runtime_store_exists          (HvRuntimeStore       *self,
                                                      const gchar          *name);
HV_AVAILABLE_IN_1_0
gboolean            hv_runtime_store_remove          (HvRuntimeStore       *self,
                                                      const gchar          *name,
                                                      GError              **error);
HV_AVAILABLE_IN_1_0
gchar             **hv_runtime_store_list            (HvRuntimeStore       *self,
                                                      GError              **error);

HV_AVAILABLE_IN_1_0
GBytes             *hv_runtime_store_serialize       (HvRuntimeStore       *self,
                                                      GVariant             *record,
                                                      GError              **error);
HV_AVAILABLE_IN_1_0
GVariant           *hv_runtime_store_deserialize     (HvRuntimeStore       *self,
                                                      GBytes               *data,
                                                      const gchar          *source,
                                                      guint                *out_version,
                                                      GError              **error);

G_END_DECLS
