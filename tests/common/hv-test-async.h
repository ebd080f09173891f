/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* GAsyncReadyCallback that stores a reference to the result in the
 * GAsyncResult * that @user_data points to. */
void          hv_test_store_result (GObject      *source_object,
                                    GAsyncResult *result,
                                    gpointer      user_data);

/* Iterates the thread-default main context until *@slot is set; returns it
 * and clears the slot, so the same slot can be used again. */
GAsyncResult *hv_test_wait_result  (GAsyncResult **slot);

/* Iterates the thread-default main context until @done (@data) is TRUE. */
void          hv_test_wait_until   (gboolean     (*done) (gpointer data),
                                    gpointer       data);

G_END_DECLS
