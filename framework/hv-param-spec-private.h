/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hv-param-def.h"
#include "hv-param-spec.h"

G_BEGIN_DECLS

gboolean  hv_param_spec_type_is_supported (const GVariantType *value_type);
void      hv_param_spec_set_def_checks    (HvParamSpec        *self,
                                           const HvParamDef   *def,
                                           const gchar        *syntax_message);

G_END_DECLS
