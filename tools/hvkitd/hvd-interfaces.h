/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The interfaces of data/org.hvkit.*.xml, compiled into hvkitd as a
 * resource: the XML that is installed is the XML that is served. */
GDBusInterfaceInfo *hvd_manager_interface_info    (void);
GDBusInterfaceInfo *hvd_hypervisor_interface_info (void);
GDBusInterfaceInfo *hvd_job_interface_info        (void);

G_END_DECLS
