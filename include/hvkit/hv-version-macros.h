/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(__HVKIT_DRIVER_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

/*
 * libhvkit is built with -fvisibility=hidden: a function is exported only
 * when its declaration in an installed header carries one of these macros.
 * Everything else, the *-private.h helpers included, stays inside the
 * library and is not ABI.
 */

#define _HV_EXTERN __attribute__((visibility("default"))) extern

/**
 * HV_AVAILABLE_IN_ALL:
 *
 * Marks a symbol as exported from libhvkit whatever its version, such as
 * the generated enum #GType functions.
 *
 * Since: 1.0
 */
#define HV_AVAILABLE_IN_ALL _HV_EXTERN

/**
 * HV_AVAILABLE_IN_1_0:
 *
 * Marks a symbol as exported from libhvkit since version 1.0.
 *
 * Since: 1.0
 */
#define HV_AVAILABLE_IN_1_0 _HV_EXTERN
