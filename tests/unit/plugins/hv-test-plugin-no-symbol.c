/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A shared object that is no hvkit plugin: it exports something else. */

#include <gmodule.h>

G_MODULE_EXPORT int hv_plugin_query (void);

G_MODULE_EXPORT int
hv_plugin_query (void)
{
  return 1;
}
