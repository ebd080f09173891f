/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HV_TEST_TYPE_CONSOLE (hv_test_console_get_type ())
G_DECLARE_FINAL_TYPE (HvTestConsole, hv_test_console, HV_TEST, CONSOLE, GObject)

HvTestConsole *hv_test_console_new                  (const gchar          *name);

void           hv_test_console_connect_async        (HvTestConsole        *self,
                                                     const gchar          *path,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean       hv_test_console_connect_finish       (HvTestConsole        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
gboolean       hv_test_console_connect              (HvTestConsole        *self,
                                                     const gchar          *path,
                                                     GError              **error);

void           hv_test_console_send_line            (HvTestConsole        *self,
                                                     const gchar          *line);

void           hv_test_console_wait_for_line_async  (HvTestConsole        *self,
                                                     const gchar          *pattern,
                                                     guint                 timeout_ms,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gchar         *hv_test_console_wait_for_line_finish (HvTestConsole        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
gchar         *hv_test_console_wait_for_line        (HvTestConsole        *self,
                                                     const gchar          *pattern,
                                                     guint                 timeout_ms,
                                                     GError              **error);

void           hv_test_console_run_async            (HvTestConsole        *self,
                                                     const gchar          *command,
                                                     guint                 timeout_ms,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gchar         *hv_test_console_run_finish           (HvTestConsole        *self,
                                                     GAsyncResult         *result,
                                                     gint                 *out_status,
                                                     GError              **error);
gchar         *hv_test_console_run                  (HvTestConsole        *self,
                                                     const gchar          *command,
                                                     guint                 timeout_ms,
                                                     gint                 *out_status,
                                                     GError              **error);

void           hv_test_console_skip_received        (HvTestConsole        *self);
void           hv_test_console_forget_received      (HvTestConsole        *self);
const gchar   *hv_test_console_get_log              (HvTestConsole        *self);
void           hv_test_console_close                (HvTestConsole        *self);

G_END_DECLS
