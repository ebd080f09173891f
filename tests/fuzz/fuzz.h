/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

/* What the runtime record's fuzz targets share: libFuzzer's entry points,
 * and a check that stays in optimised builds and ends the run so that the
 * fuzzer keeps the input. */

int LLVMFuzzerInitialize   (int          *argc,
                            char       ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* A critical or a warning in the code under test is a finding too. */
#define HV_FUZZ_DEFINE_INITIALIZE()                                       \
  int                                                                     \
  LLVMFuzzerInitialize (int    *argc,                                     \
                        char ***argv)                                     \
  {                                                                       \
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);  \
    return 0;                                                             \
  }

#define hv_fuzz_assert(expr)                                              \
  G_STMT_START {                                                          \
    if (G_UNLIKELY (!(expr)))                                             \
      {                                                                   \
        fprintf (stderr, "%s:%d: fuzz check failed: %s\n",                \
                 __FILE__, __LINE__, #expr);                              \
        abort ();                                                         \
      }                                                                   \
  } G_STMT_END
