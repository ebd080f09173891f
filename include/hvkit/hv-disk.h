/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <hvkit/hv-device.h>

G_BEGIN_DECLS

#define HV_TYPE_DISK (hv_disk_get_type ())
G_DECLARE_FINAL_TYPE (HvDisk, hv_disk, HV, DISK, HvDevice)

HvDisk       *hv_disk_new               (void);
HvDisk       *hv_disk_new_from_variant  (GVariant    *dict,
                                         GError     **error);
GVariant     *hv_disk_to_variant        (HvDisk      *self);

gint64        hv_disk_get_size          (HvDisk      *self);
void          hv_disk_set_size          (HvDisk      *self,
                                         gint64       size);
const gchar  *hv_disk_get_mode          (HvDisk      *self);
void          hv_disk_set_mode          (HvDisk      *self,
                                         const gchar *mode);
const gchar  *hv_disk_get_link          (HvDisk      *self);
void          hv_disk_set_link          (HvDisk      *self,
                                         const gchar *link);
const gchar  *hv_disk_get_uri           (HvDisk      *self);
void          hv_disk_set_uri           (HvDisk      *self,
                                         const gchar *uri);
const gchar  *hv_disk_get_dev_type      (HvDisk      *self);
void          hv_disk_set_dev_type      (HvDisk      *self,
                                         const gchar *dev_type);
GVariant     *hv_disk_get_params        (HvDisk      *self);
void          hv_disk_set_params        (HvDisk      *self,
                                         GVariant    *params);
const gchar  *hv_disk_get_cache         (HvDisk      *self);
gboolean      hv_disk_get_geometry      (HvDisk      *self,
                                         gint64      *heads,
                                         gint64      *secs);

G_END_DECLS
