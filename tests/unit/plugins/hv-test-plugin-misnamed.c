/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A plugin that declares another hypervisor than its file name says. */

#include "hvkit-driver.h"

HV_PLUGIN_DEFINE ("other", g_object_get_type);
