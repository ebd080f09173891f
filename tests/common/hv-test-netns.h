/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean    hv_test_netns_require    (void);
gboolean    hv_test_netns_enter      (GError      **error);
gboolean    hv_test_netns_ip         (GError      **error,
                                      const gchar  *first_arg,
                                      ...) G_GNUC_NULL_TERMINATED;
gboolean    hv_test_netns_add_bridge (const gchar  *name,
                                      GError      **error);
JsonObject *hv_test_netns_get_link   (const gchar  *name,
                                      GError      **error);
GStrv       hv_test_netns_list_taps  (GError      **error);
gchar      *hv_test_netns_get_mac    (const gchar  *name,
                                      GError      **error);
gchar      *hv_test_netns_get_master (const gchar  *name,
                                      GError      **error);

G_END_DECLS
