/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "fuzz.h"
#include "hv-crc32c-private.h"
#include "hv-kvm-runtime.h"

/* The loader of runtime records and migration info, as the receiving side
 * of a migration runs it on bytes from the network: every input is a
 * record or HV_ERROR_RUNTIME_CORRUPT. Each input is read twice, as it is
 * and with its checksum made to match, so that the fuzzer gets past the
 * checksum to the header, the GVariant and the KVM record checks. */

static void
load (HvRuntimeStore *store,
      const guint8   *data,
      gsize           size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) runtime = hv_kvm_runtime_new_from_bytes (store, bytes, "fuzz", &error);

  if (runtime == NULL)
    {
      hv_fuzz_assert (g_error_matches (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT));
      return;
    }

  /* what was accepted writes back and reads again the same */
  {
    g_autoptr(GVariant) record = hv_kvm_runtime_to_variant (runtime);
    g_autoptr(GBytes) again = hv_runtime_store_serialize (store, record, NULL);
    g_autoptr(HvKvmRuntime) reread = hv_kvm_runtime_new_from_bytes (store, again, "fuzz", NULL);
    g_autoptr(GVariant) record_again = NULL;

    hv_fuzz_assert (reread != NULL);
    record_again = hv_kvm_runtime_to_variant (reread);
    hv_fuzz_assert (g_variant_equal (record, record_again));
  }
}

HV_FUZZ_DEFINE_INITIALIZE ()

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static HvRuntimeStore *store;

  if (store == NULL)
    store = hv_kvm_runtime_store_new (NULL);

  load (store, data, size);
  if (size >= 16)
    {
      g_autofree guint8 *fixed = g_memdup2 (data, size);
      guint32 crc = hv_crc32c (fixed + 16, size - 16);

      for (guint i = 0; i < 4; i++)
        fixed[12 + i] = (crc >> (8 * i)) & 0xff;
      load (store, fixed, size);
    }
  return 0;
}
