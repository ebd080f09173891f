/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_DRIVER_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit-driver.h> can be included directly."
#endif

#include <glib.h>

#include <hvkit/hv-version-macros.h>

G_BEGIN_DECLS

/**
 * HV_CPU_MASK_ALL:
 *
 * The CPU number hv_multi_cpu_mask_parse() gives for an `all` entry: the
 * vCPU may run on any host CPU (Ganeti's `CPU_PINNING_ALL_VAL`).
 *
 * Since: 1.0
 */
#define HV_CPU_MASK_ALL (-1)

/**
 * HV_CPU_MASK_MAX_CPU:
 *
 * The highest CPU number a mask may name. Ganeti has no bound; hvkit has
 * one so that a range such as `0-4000000000` is refused instead of filling
 * memory. Linux supports at most 8192 CPUs.
 *
 * Since: 1.0
 */
#define HV_CPU_MASK_MAX_CPU 65535

HV_AVAILABLE_IN_1_0
GArray    *hv_cpu_mask_parse       (const gchar  *mask,
                                    GError      **error);
HV_AVAILABLE_IN_1_0
GPtrArray *hv_multi_cpu_mask_parse (const gchar  *mask,
                                    GError      **error);

G_END_DECLS
