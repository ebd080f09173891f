/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A plugin whose type is a plain GObject, not an HvHypervisor. Copied as
 * libhv-plain.so. */

#include "hvkit-driver.h"

HV_PLUGIN_DEFINE ("plain", g_object_get_type);
