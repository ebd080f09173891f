/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <hvkit/hvkit.h>

G_BEGIN_DECLS

#define HVD_TYPE_DAEMON (hvd_daemon_get_type ())
G_DECLARE_FINAL_TYPE (HvdDaemon, hvd_daemon, HVD, DAEMON, GObject)

HvdDaemon *hvd_daemon_new           (void);
gboolean   hvd_daemon_load          (HvdDaemon        *self,
                                     const gchar      *plugin_dir,
                                     GVariant         *config,
                                     gboolean          authorize,
                                     GError          **error);
gboolean   hvd_daemon_export        (HvdDaemon        *self,
                                     GDBusConnection  *connection,
                                     GError          **error);
void       hvd_daemon_unexport      (HvdDaemon        *self);

G_END_DECLS
