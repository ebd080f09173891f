/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A plugin built for another plugin API version. Past api_version its
 * HvPluginInfo may look like anything: the loader must not read on. */

#include "hvkit-driver.h"

G_MODULE_EXPORT extern const guint hv_plugin_info[4];
G_MODULE_EXPORT const guint hv_plugin_info[4] = {
  HV_PLUGIN_API_VERSION + 1, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef,
};
