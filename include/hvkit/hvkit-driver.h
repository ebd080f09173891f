/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/*
 * The header for hypervisor drivers written in C, in tree or out of it:
 * everything of <hvkit/hvkit.h> plus the C-only API of drivers (parameter
 * tables, CPU masks, the plugin entry point). That part is not
 * introspected; bindings never see it.
 */

#include <hvkit/hvkit.h>

#define __HVKIT_DRIVER_INSIDE__

#include <hvkit/hv-cpu-mask.h>
#include <hvkit/hv-param-def.h>
#include <hvkit/hv-plugin.h>

#undef __HVKIT_DRIVER_INSIDE__
