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

/* A critical or a warning in the code under test is a finding too. It
 * must end in abort(): GLib's own fatal path raises SIGTRAP, which
 * libFuzzer does not catch, so the input would not be saved. */
static inline void
hv_fuzz_log_abort (const gchar *domain,
                   const gchar *message)
{
  fprintf (stderr, "%s: %s\n", domain != NULL ? domain : "?", message);
  abort ();
}

static inline void
hv_fuzz_log_handler (const gchar    *domain,
                     GLogLevelFlags  level,
                     const gchar    *message,
                     gpointer        user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    hv_fuzz_log_abort (domain, message);
}

static inline GLogWriterOutput
hv_fuzz_log_writer (GLogLevelFlags   level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         user_data)
{
  const gchar *domain = NULL, *message = "";

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    hv_fuzz_log_abort (domain, message);
  return G_LOG_WRITER_HANDLED;
}

#define HV_FUZZ_DEFINE_INITIALIZE()                                       \
  int                                                                     \
  LLVMFuzzerInitialize (int    *argc,                                     \
                        char ***argv)                                     \
  {                                                                       \
    g_log_set_default_handler (hv_fuzz_log_handler, NULL);                \
    g_log_set_writer_func (hv_fuzz_log_writer, NULL, NULL);               \
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
