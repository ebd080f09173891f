/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hv-test-async.h"

void
hv_test_store_result (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

GAsyncResult *
hv_test_wait_result (GAsyncResult **slot)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (*slot == NULL)
    g_main_context_iteration (context, TRUE);
  return g_steal_pointer (slot);
}

void
hv_test_wait_until (gboolean (*done) (gpointer data),
                    gpointer   data)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (!done (data))
    g_main_context_iteration (context, TRUE);
}
