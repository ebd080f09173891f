/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

#define HV_TYPE_NODE_INFO (hv_node_info_get_type ())

G_DECLARE_FINAL_TYPE (HvNodeInfo, hv_node_info, HV, NODE_INFO, GObject)

HvNodeInfo  *hv_node_info_new                (void);
HvNodeInfo  *hv_node_info_new_from_system    (const gchar  *meminfo,
                                              const gchar  *cpuinfo,
                                              const gchar  *sysfs_root,
                                              GError      **error);
HvNodeInfo  *hv_node_info_new_from_variant   (GVariant     *variant,
                                              GError      **error);
GVariant    *hv_node_info_to_variant         (HvNodeInfo   *self);

gint64       hv_node_info_get_memory_total   (HvNodeInfo   *self);
void         hv_node_info_set_memory_total   (HvNodeInfo   *self,
                                              gint64        memory_total);
gint64       hv_node_info_get_memory_free    (HvNodeInfo   *self);
void         hv_node_info_set_memory_free    (HvNodeInfo   *self,
                                              gint64        memory_free);
gint64       hv_node_info_get_memory_dom0    (HvNodeInfo   *self);
void         hv_node_info_set_memory_dom0    (HvNodeInfo   *self,
                                              gint64        memory_dom0);
gint64       hv_node_info_get_cpu_total      (HvNodeInfo   *self);
void         hv_node_info_set_cpu_total      (HvNodeInfo   *self,
                                              gint64        cpu_total);
gint64       hv_node_info_get_cpu_dom0       (HvNodeInfo   *self);
void         hv_node_info_set_cpu_dom0       (HvNodeInfo   *self,
                                              gint64        cpu_dom0);
gint64       hv_node_info_get_cpu_nodes      (HvNodeInfo   *self);
void         hv_node_info_set_cpu_nodes      (HvNodeInfo   *self,
                                              gint64        cpu_nodes);
gint64       hv_node_info_get_cpu_sockets    (HvNodeInfo   *self);
void         hv_node_info_set_cpu_sockets    (HvNodeInfo   *self,
                                              gint64        cpu_sockets);
const gchar *hv_node_info_get_hv_version     (HvNodeInfo   *self);
void         hv_node_info_set_hv_version     (HvNodeInfo   *self,
                                              const gchar  *hv_version);

G_END_DECLS
