/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Type-checked member access. json-glib's own getters assume the member
 * has the asked-for type (and some of them read the wrong union member when
 * it does not); QEMU's answers are checked with these instead. */
const gchar *hv_kvm_qmp_json_get_string  (JsonObject  *object,
                                          const gchar *member);
JsonObject  *hv_kvm_qmp_json_get_object  (JsonObject  *object,
                                          const gchar *member);
JsonArray   *hv_kvm_qmp_json_get_array   (JsonObject  *object,
                                          const gchar *member);
gboolean     hv_kvm_qmp_json_get_int     (JsonObject  *object,
                                          const gchar *member,
                                          gint64      *out_value);
gboolean     hv_kvm_qmp_json_get_boolean (JsonObject  *object,
                                          const gchar *member,
                                          gboolean    *out_value);
const gchar *hv_kvm_qmp_json_node_type_name (JsonNode *node);

/* hv-kvm-qmp-json-reader.c */
JsonNode    *hv_kvm_qmp_json_read        (const gchar  *text,
                                          gsize         size,
                                          guint         max_depth,
                                          GError      **error);

void         hv_kvm_qmp_json_append_string (GString     *out,
                                            const gchar *value);
void         hv_kvm_qmp_json_append_node   (GString     *out,
                                            JsonNode    *node);
void         hv_kvm_qmp_json_append_object (GString     *out,
                                            JsonObject  *object);

G_END_DECLS
