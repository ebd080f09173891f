/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

guint  hvd_argument_filter_add      (GDBusConnection *connection);
gchar *hvd_argument_filter_describe (GDBusMethodInfo *method,
                                     GVariant        *body);

G_END_DECLS
