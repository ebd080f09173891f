/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <hvkit/hv-disk.h>
#include <hvkit/hv-nic.h>

G_BEGIN_DECLS

#define HV_TYPE_INSTANCE (hv_instance_get_type ())
G_DECLARE_FINAL_TYPE (HvInstance, hv_instance, HV, INSTANCE, GObject)

HvInstance          *hv_instance_new                (const gchar         *name);
HvInstance          *hv_instance_new_from_variant   (GVariant            *dict,
                                                     GError             **error);
GVariant            *hv_instance_to_variant         (HvInstance          *self);

const gchar         *hv_instance_get_name           (HvInstance          *self);
void                 hv_instance_set_name           (HvInstance          *self,
                                                     const gchar         *name);
const gchar         *hv_instance_get_uuid           (HvInstance          *self);
void                 hv_instance_set_uuid           (HvInstance          *self,
                                                     const gchar         *uuid);
GVariant            *hv_instance_get_hvparams       (HvInstance          *self);
void                 hv_instance_set_hvparams       (HvInstance          *self,
                                                     GVariant            *hvparams);
GVariant            *hv_instance_lookup_hvparam     (HvInstance          *self,
                                                     const gchar         *key);
GVariant            *hv_instance_get_beparams       (HvInstance          *self);
void                 hv_instance_set_beparams       (HvInstance          *self,
                                                     GVariant            *beparams);
GVariant            *hv_instance_lookup_beparam     (HvInstance          *self,
                                                     const gchar         *key);
const gchar * const *hv_instance_get_tags           (HvInstance          *self);
void                 hv_instance_set_tags           (HvInstance          *self,
                                                     const gchar * const *tags);
gint64               hv_instance_get_network_port   (HvInstance          *self);
void                 hv_instance_set_network_port   (HvInstance          *self,
                                                     gint64               network_port);
const gchar         *hv_instance_get_disk_template  (HvInstance          *self);
void                 hv_instance_set_disk_template  (HvInstance          *self,
                                                     const gchar         *disk_template);

GPtrArray           *hv_instance_get_disks          (HvInstance          *self);
void                 hv_instance_add_disk           (HvInstance          *self,
                                                     HvDisk              *disk);
gboolean             hv_instance_remove_disk        (HvInstance          *self,
                                                     HvDisk              *disk);
GPtrArray           *hv_instance_get_nics           (HvInstance          *self);
void                 hv_instance_add_nic            (HvInstance          *self,
                                                     HvNic               *nic);
gboolean             hv_instance_remove_nic         (HvInstance          *self,
                                                     HvNic               *nic);

G_END_DECLS
