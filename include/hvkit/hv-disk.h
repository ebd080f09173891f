/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <hvkit/hv-version-macros.h>
#include <hvkit/hv-device.h>

G_BEGIN_DECLS

#define HV_TYPE_DISK (hv_disk_get_type ())
HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvDisk, hv_disk, HV, DISK, HvDevice)

HV_AVAILABLE_IN_1_0
HvDisk       *hv_disk_new               (void);
HV_AVAILABLE_IN_1_0
HvDisk       *hv_disk_new_from_variant  (GVariant    *dict,
                                         GError     **error);
HV_AVAILABLE_IN_1_0
GVariant     *hv_disk_to_variant        (HvDisk      *self);

HV_AVAILABLE_IN_1_0
gint64        hv_disk_get_size          (HvDisk      *self);
HV_AVAILABLE_IN_1_0
void          hv_disk_set_size          (HvDisk      *self,
                                         gint64       size);
HV_AVAILABLE_IN_1_0
const gchar  *hv_disk_get_mode          (HvDisk      *self);
HV_AVAILABLE_IN_1_0
void          hv_disk_set_mode          (HvDisk      *self,
                                         const gchar *mode);
HV_AVAILABLE_IN_1_0
const gchar  *hv_disk_get_link          (HvDisk      *self);
HV_AVAILABLE_IN_1_0
void          hv_disk_set_link          (HvDisk      *self,
                                         const gchar *link);
HV_AVAILABLE_IN_1_0
const gchar  *hv_disk_get_uri           (HvDisk      *self);
HV_AVAILABLE_IN_1_0
void          hv_disk_set_uri           (HvDisk      *self,
                                         const gchar *uri);
HV_AVAILABLE_IN_1_0
const gchar  *hv_disk_get_dev_type      (HvDisk      *self);
HV_AVAILABLE_IN_1_0
void          hv_disk_set_dev_type      (HvDisk      *self,
                                         const gchar *dev_type);
HV_AVAILABLE_IN_1_0
GVariant     *hv_disk_get_params        (HvDisk      *self);
HV_AVAILABLE_IN_1_0
void          hv_disk_set_params        (HvDisk      *self,
                                         GVariant    *params);
HV_AVAILABLE_IN_1_0
const gchar  *hv_disk_get_cache         (HvDisk      *self);
HV_AVAILABLE_IN_1_0
gboolean      hv_disk_get_geometry      (HvDisk      *self,
                                         gint64      *heads,
                                         gint64      *secs);

G_END_DECLS
