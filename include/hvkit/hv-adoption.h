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

#define HV_TYPE_ADOPTION (hv_adoption_get_type ())
HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvAdoption, hv_adoption, HV, ADOPTION, GObject)

HV_AVAILABLE_IN_1_0
HvAdoption  *hv_adoption_new              (const gchar  *name,
                                           gboolean      adopted,
                                           const gchar  *reason);
HV_AVAILABLE_IN_1_0
HvAdoption  *hv_adoption_new_from_variant (GVariant     *dict,
                                           GError      **error);
HV_AVAILABLE_IN_1_0
GVariant    *hv_adoption_to_variant       (HvAdoption   *self);

HV_AVAILABLE_IN_1_0
const gchar *hv_adoption_get_name         (HvAdoption   *self);
HV_AVAILABLE_IN_1_0
void         hv_adoption_set_name         (HvAdoption   *self,
                                           const gchar  *name);
HV_AVAILABLE_IN_1_0
gboolean     hv_adoption_get_adopted      (HvAdoption   *self);
HV_AVAILABLE_IN_1_0
void         hv_adoption_set_adopted      (HvAdoption   *self,
                                           gboolean      adopted);
HV_AVAILABLE_IN_1_0
const gchar *hv_adoption_get_reason       (HvAdoption   *self);
HV_AVAILABLE_IN_1_0
void         hv_adoption_set_reason       (HvAdoption   *self,
                                           const gchar  *reason);

G_END_DECLS
