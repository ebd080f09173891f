/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* No record, nor the file holding one, may be larger: a record is a few
 * kilobytes, and a reader must not be made to allocate what a damaged
 * header announces. */
#define HV_RUNTIME_STORE_MAX_SIZE (16u * 1024u * 1024u)

/* The file format (hv-runtime-format.c); see docs/design.md. */
GBytes   *hv_runtime_format_encode     (guint                version,
                                        GVariant            *record,
                                        GError             **error);
gboolean  hv_runtime_format_decode     (GBytes              *bytes,
                                        const gchar         *source,
                                        guint               *out_version,
                                        gchar              **out_type_string,
                                        GBytes             **out_payload,
                                        GError             **error);
GVariant *hv_runtime_format_read_payload (const GVariantType *type,
                                          GBytes             *payload,
                                          const gchar        *source,
                                          GError            **error);
void      hv_runtime_set_corrupt       (GError             **error,
                                        const gchar         *source,
                                        const gchar         *format,
                                        ...) G_GNUC_PRINTF (3, 4);

/* Files (hv-runtime-file.c) */
GBytes   *hv_runtime_file_read         (const gchar  *path,
                                        GError      **error);
gboolean  hv_runtime_directory_ensure  (const gchar  *run_dir,
                                        const gchar  *directory,
                                        GError      **error);
gchar    *hv_runtime_file_write_temp   (const gchar  *directory,
                                        const gchar  *path,
                                        GBytes       *contents,
                                        gboolean      durable,
                                        GError      **error);
gboolean  hv_runtime_file_rename_in    (const gchar  *directory,
                                        const gchar  *temp_path,
                                        const gchar  *path,
                                        gboolean      durable,
                                        GError      **error);
gboolean  hv_runtime_file_is_temp_of   (const gchar  *directory,
                                        const gchar  *path,
                                        const gchar  *temp_path);
gchar   **hv_runtime_file_list         (const gchar  *directory,
                                        const gchar  *suffix,
                                        GError      **error);
gboolean  hv_runtime_file_remove       (const gchar  *directory,
                                        const gchar  *path,
                                        gboolean      durable,
                                        GError      **error);

G_END_DECLS
