/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

/* What every fuzz target has: libFuzzer's entry point, and a check that
 * stays in optimised builds and ends the run so the fuzzer keeps the
 * input. */

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

#define hv_fuzz_assert(expr)                                              \
  G_STMT_START {                                                          \
    if (G_UNLIKELY (!(expr)))                                             \
      {                                                                   \
        fprintf (stderr, "%s:%d: fuzz check failed: %s\n",                \
                 __FILE__, __LINE__, #expr);                              \
        abort ();                                                         \
      }                                                                   \
  } G_STMT_END
