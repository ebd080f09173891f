/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <glib-object.h>

#include <hvkit/hv-version-macros.h>

G_BEGIN_DECLS

#define HV_TYPE_NODE_INFO (hv_node_info_get_type ())

HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvNodeInfo, hv_node_info, HV, NODE_INFO, GObject)

HV_AVAILABLE_IN_1_0
HvNodeInfo  *hv_node_info_new                (void);
HV_AVAILABLE_IN_1_0
HvNodeInfo  *hv_node_info_new_from_system    (const gchar  *meminfo,
                                              const gchar  *cpuinfo,
                                              const gchar  *sysfs_root,
                                              GError      **error);
HV_AVAILABLE_IN_1_0
HvNodeInfo  *hv_node_info_new_from_variant   (GVariant     *variant,
                                              GError      **error);
HV_AVAILABLE_IN_1_0
GVariant    *hv_node_info_to_variant         (HvNodeInfo   *self);

HV_AVAILABLE_IN_1_0
gint64       hv_node_info_get_memory_total   (HvNodeInfo   *self);
HV_AVAILABLE_IN_1_0
void         hv_node_info_set_memory_total   (HvNodeInfo   *self,
                                              gint64        memory_total);
HV_AVAILABLE_IN_1_0
gint64       hv_node_info_get_memory_free    (HvNodeInfo   *self);
HV_AVAILABLE_IN_1_0
void         hv_node_info_set_memory_free    (HvNodeInfo   *self,
                                              gint64        memory_free);
HV_AVAILABLE_IN_1_0
gint64       hv_node_info_get_memory_dom0    (HvNodeInfo   *self);
HV_AVAILABLE_IN_1_0
void         hv_node_info_set_memory_dom0    (HvNodeInfo   *self,
                                              gint64        memory_dom0);
HV_AVAILABLE_IN_1_0
gint64       hv_node_info_get_cpu_total      (HvNodeInfo   *self);
HV_AVAILABLE_IN_1_0
void         hv_node_info_set_cpu_total      (HvNodeInfo   *self,
                                              gint64        cpu_total);
HV_AVAILABLE_IN_1_0
gint64       hv_node_info_get_cpu_dom0       (HvNodeInfo   *self);
HV_AVAILABLE_IN_1_0
void         hv_node_info_set_cpu_dom0       (HvNodeInfo   *self,
                                              gint64        cpu_dom0);
HV_AVAILABLE_IN_1_0
gint64       hv_node_info_get_cpu_nodes      (HvNodeInfo   *self);
HV_AVAILABLE_IN_1_0
void         hv_node_info_set_cpu_nodes      (HvNodeInfo   *self,
                                              gint64        cpu_nodes);
HV_AVAILABLE_IN_1_0
gint64       hv_node_info_get_cpu_sockets    (HvNodeInfo   *self);
HV_AVAILABLE_IN_1_0
void         hv_node_info_set_cpu_sockets    (HvNodeInfo   *self,
                                              gint64        cpu_sockets);
HV_AVAILABLE_IN_1_0
const gchar *hv_node_info_get_hv_version     (HvNodeInfo   *self);
HV_AVAILABLE_IN_1_0
void         hv_node_info_set_hv_version     (HvNodeInfo   *self,
                                              const gchar  *hv_version);

G_END_DECLS
