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

GBytes   *hv_runtime_file_read         (const gchar  *path,
                                        GError      **error);
gboolean  hv_runtime_directory_ensure  (const gchar  *run_dir,
                                        const gchar  *directory,
                                        GError      **error);
gboolean  hv_runtime_file_replace      (const gchar  *directory,
                                        const gchar  *path,
                                        GBytes       *contents,
                                        gboolean      durable,
                                        GError      **error);
gboolean  hv_runtime_file_remove       (const gchar  *directory,
                                        const gchar  *path,
                                        gboolean      durable,
                                        GError      **error);

G_END_DECLS
