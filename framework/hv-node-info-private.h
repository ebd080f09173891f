/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hv-node-info.h"

G_BEGIN_DECLS

gboolean hv_node_info_read_system (HvNodeInfo   *self,
                                   const gchar  *meminfo,
                                   const gchar  *cpuinfo,
                                   const gchar  *sysfs_root,
                                   GError      **error);

G_END_DECLS
