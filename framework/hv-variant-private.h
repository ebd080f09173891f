/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The objects of libhvkit convert to and from an a{sv} dictionary whose keys
 * are their read-write properties, spelt with '_' where the property has '-'
 * ("dev_type" is the property "dev-type"). The variant type of a key follows
 * from its property: string "s", int "i", int64 "x", double "d", boolean "b",
 * GStrv "as", an enum "s" holding the value's nick, a GVariant property the
 * type of its GParamSpecVariant. Keys no property knows are kept on the
 * object and written back, so a record survives an older reader. */

/* One key of a nested dictionary (a disk's params, a NIC's network) whose
 * type is checked; alt_type, when set, is a second accepted type. */
typedef struct {
  const gchar *key;
  const gchar *type;
  const gchar *alt_type;
} HvVariantKey;

gboolean      hv_variant_read_object       (GObject             *object,
                                            GVariant            *dict,
                                            const gchar * const *own_keys,
                                            GError             **error);
GVariantDict *hv_variant_write_object      (GObject             *object);
GVariant     *hv_variant_dict_end_sorted   (GVariantDict        *dict);
GVariant     *hv_variant_object_to_dict    (GObject             *object);

gboolean      hv_variant_lookup            (GVariant            *dict,
                                            const gchar         *key,
                                            const GVariantType  *type,
                                            GVariant           **out_value,
                                            GError             **error);
gboolean      hv_variant_check_keys        (GVariant            *dict,
                                            const gchar         *dict_key,
                                            const HvVariantKey  *keys,
                                            gsize                n_keys,
                                            GError             **error);
void          hv_variant_set_type_error    (GError             **error,
                                            const gchar         *key,
                                            GVariant            *value,
                                            const gchar         *type,
                                            const gchar         *alt_type);
GVariant     *hv_variant_new_empty_dict    (void);

/* Property setters: each replaces *pointer when the new value differs and
 * returns whether it did, so the caller knows to notify. hv_set_variant
 * sinks a floating @value. */
gboolean      hv_set_str                   (gchar              **pointer,
                                            const gchar         *value);
gboolean      hv_set_strv                  (gchar             ***pointer,
                                            const gchar * const *value);
gboolean      hv_set_variant               (GVariant           **pointer,
                                            GVariant            *value);

G_END_DECLS
