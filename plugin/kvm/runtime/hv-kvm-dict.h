/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Builds a{sv} dictionaries sorted by key, so that equal records are equal
 * variants and serialize to equal bytes; cheaper than GVariantDict plus a
 * sort, which matters on every load and save of a runtime record. */
typedef struct {
  GArray *entries;   /* HvKvmDictEntry */
} HvKvmDict;

void      hv_kvm_dict_init        (HvKvmDict    *dict);
void      hv_kvm_dict_clear       (HvKvmDict    *dict);
void      hv_kvm_dict_add         (HvKvmDict    *dict,
                                   const gchar  *key,
                                   GVariant     *value);
void      hv_kvm_dict_add_all     (HvKvmDict    *dict,
                                   GVariant     *asv);
GVariant *hv_kvm_dict_lookup      (HvKvmDict    *dict,
                                   const gchar  *key);
gboolean  hv_kvm_dict_remove      (HvKvmDict    *dict,
                                   const gchar  *key);
GVariant *hv_kvm_dict_end         (HvKvmDict    *dict);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HvKvmDict, hv_kvm_dict_clear)

G_END_DECLS
