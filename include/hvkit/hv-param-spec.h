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

#define HV_TYPE_PARAM_SPEC (hv_param_spec_get_type ())

typedef struct _HvParamSpec HvParamSpec;

/**
 * HvParamSpecCheckFunc:
 * @value: the value to check, of the parameter's type and never an
 *   unspecified (empty) string
 * @user_data: the data given with the function
 *
 * A syntax or node check given by a binding or a program; drivers written in
 * C use the #HvParamCheckFunc of their static table instead.
 *
 * Returns: %TRUE if @value passes
 *
 * Since: 1.0
 */
typedef gboolean (*HvParamSpecCheckFunc) (GVariant *value,
                                          gpointer  user_data);

HV_AVAILABLE_IN_1_0
GType               hv_param_spec_get_type           (void) G_GNUC_CONST;

HV_AVAILABLE_IN_1_0
HvParamSpec        *hv_param_spec_new                (const gchar          *name,
                                                      const GVariantType   *value_type,
                                                      gboolean              required);
HV_AVAILABLE_IN_1_0
HvParamSpec        *hv_param_spec_ref                (HvParamSpec          *self);
HV_AVAILABLE_IN_1_0
void                hv_param_spec_unref              (HvParamSpec          *self);

HV_AVAILABLE_IN_1_0
const gchar        *hv_param_spec_get_name           (const HvParamSpec    *self);
HV_AVAILABLE_IN_1_0
const GVariantType *hv_param_spec_get_value_type     (const HvParamSpec    *self);
HV_AVAILABLE_IN_1_0
gboolean            hv_param_spec_get_required       (const HvParamSpec    *self);
HV_AVAILABLE_IN_1_0
const gchar        *hv_param_spec_get_syntax_message (const HvParamSpec    *self);
HV_AVAILABLE_IN_1_0
const gchar        *hv_param_spec_get_node_message   (const HvParamSpec    *self);
HV_AVAILABLE_IN_1_0
gboolean            hv_param_spec_has_syntax_check   (const HvParamSpec    *self);
HV_AVAILABLE_IN_1_0
gboolean            hv_param_spec_has_node_check     (const HvParamSpec    *self);

HV_AVAILABLE_IN_1_0
void                hv_param_spec_set_syntax_check   (HvParamSpec          *self,
                                                      const gchar          *message,
                                                      HvParamSpecCheckFunc  func,
                                                      gpointer              user_data,
                                                      GDestroyNotify        destroy);
HV_AVAILABLE_IN_1_0
void                hv_param_spec_set_node_check     (HvParamSpec          *self,
                                                      const gchar          *message,
                                                      HvParamSpecCheckFunc  func,
                                                      gpointer              user_data,
                                                      GDestroyNotify        destroy);

HV_AVAILABLE_IN_1_0
gboolean            hv_param_spec_check_syntax       (const HvParamSpec    *self,
                                                      GVariant             *value,
                                                      GError              **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_param_spec_check_node         (const HvParamSpec    *self,
                                                      GVariant             *value,
                                                      GError              **error);

HV_AVAILABLE_IN_1_0
HvParamSpec        *hv_param_specs_find              (GPtrArray            *specs,
                                                      const gchar          *name);
HV_AVAILABLE_IN_1_0
gboolean            hv_param_specs_check_syntax      (GPtrArray            *specs,
                                                      GVariant             *hvparams,
                                                      GError              **error);
HV_AVAILABLE_IN_1_0
gboolean            hv_param_specs_validate          (GPtrArray            *specs,
                                                      GVariant             *hvparams,
                                                      GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvParamSpec, hv_param_spec_unref)

G_END_DECLS
