/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"
#include "hv-kvm-runtime-ganeti.h"

/* The import of Ganeti's JSON runtime files: every input becomes a record
 * or an HV_ERROR_RUNTIME_CORRUPT error, and a record made from one is one
 * the record loader accepts. */

HV_FUZZ_DEFINE_INITIALIZE ()

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static HvRuntimeStore *store;
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) runtime = NULL;

  if (store == NULL)
    store = hv_kvm_runtime_store_new (NULL);

  runtime = hv_kvm_runtime_new_from_ganeti ((const gchar *) data, size, "fuzz", "fuzz", &error);
  if (runtime == NULL)
    {
      hv_fuzz_assert (g_error_matches (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT));
      return 0;
    }

  {
    g_autoptr(GBytes) bytes = hv_kvm_runtime_to_migration_info (store, runtime, NULL);
    g_autoptr(HvKvmRuntime) reread = NULL;

    hv_fuzz_assert (bytes != NULL);
    reread = hv_kvm_runtime_new_from_bytes (store, bytes, "fuzz", NULL);
    hv_fuzz_assert (reread != NULL);
  }
  return 0;
}
