/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <hvkit/hv-version-macros.h>
#include <hvkit/hv-disk.h>
#include <hvkit/hv-nic.h>

G_BEGIN_DECLS

#define HV_TYPE_INSTANCE (hv_instance_get_type ())
HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvInstance, hv_instance, HV, INSTANCE, GObject)

HV_AVAILABLE_IN_1_0
HvInstance          *hv_instance_new                (const gchar         *name);
HV_AVAILABLE_IN_1_0
HvInstance          *hv_instance_new_from_variant   (GVariant            *dict,
                                                     GError             **error);
HV_AVAILABLE_IN_1_0
GVariant            *hv_instance_to_variant         (HvInstance          *self);

HV_AVAILABLE_IN_1_0
const gchar         *hv_instance_get_name           (HvInstance          *self);
HV_AVAILABLE_IN_1_0
void                 hv_instance_set_name           (HvInstance          *self,
                                                     const gchar         *name);
HV_AVAILABLE_IN_1_0
const gchar         *hv_instance_get_uuid           (HvInstance          *self);
HV_AVAILABLE_IN_1_0
void                 hv_instance_set_uuid           (HvInstance          *self,
                                                     const gchar         *uuid);
HV_AVAILABLE_IN_1_0
GVariant            *hv_instance_get_hvparams       (HvInstance          *self);
HV_AVAILABLE_IN_1_0
void                 hv_instance_set_hvparams       (HvInstance          *self,
                                                     GVariant            *hvparams);
HV_AVAILABLE_IN_1_0
GVariant            *hv_instance_lookup_hvparam     (HvInstance          *self,
                                                     const gchar         *key);
HV_AVAILABLE_IN_1_0
GVariant            *hv_instance_get_beparams       (HvInstance          *self);
HV_AVAILABLE_IN_1_0
void                 hv_instance_set_beparams       (HvInstance          *self,
                                                     GVariant            *beparams);
HV_AVAILABLE_IN_1_0
GVariant            *hv_instance_lookup_beparam     (HvInstance          *self,
                                                     const gchar         *key);
HV_AVAILABLE_IN_1_0
const gchar * const *hv_instance_get_tags           (HvInstance          *self);
HV_AVAILABLE_IN_1_0
void                 hv_instance_set_tags           (HvInstance          *self,
                                                     const gchar * const *tags);
HV_AVAILABLE_IN_1_0
gint64               hv_instance_get_network_port   (HvInstance          *self);
HV_AVAILABLE_IN_1_0
void                 hv_instance_set_network_port   (HvInstance          *self,
                                                     gint64               network_port);
HV_AVAILABLE_IN_1_0
const gchar         *hv_instance_get_disk_template  (HvInstance          *self);
HV_AVAILABLE_IN_1_0
void                 hv_instance_set_disk_template  (HvInstance          *self,
                                                     const gchar         *disk_template);

HV_AVAILABLE_IN_1_0
GPtrArray           *hv_instance_get_disks          (HvInstance          *self);
HV_AVAILABLE_IN_1_0
void                 hv_instance_add_disk           (HvInstance          *self,
                                                     HvDisk              *disk);
HV_AVAILABLE_IN_1_0
gboolean             hv_instance_remove_disk        (HvInstance          *self,
                                                     HvDisk              *disk);
HV_AVAILABLE_IN_1_0
GPtrArray           *hv_instance_get_nics           (HvInstance          *self);
HV_AVAILABLE_IN_1_0
void                 hv_instance_add_nic            (HvInstance          *self,
                                                     HvNic               *nic);
HV_AVAILABLE_IN_1_0
gboolean             hv_instance_remove_nic         (HvInstance          *self,
                                                     HvNic               *nic);

G_END_DECLS
