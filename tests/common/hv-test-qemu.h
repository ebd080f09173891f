/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HV_TEST_TYPE_QEMU (hv_test_qemu_get_type ())
G_DECLARE_FINAL_TYPE (HvTestQemu, hv_test_qemu, HV_TEST, QEMU, GObject)

HvTestQemu  *hv_test_qemu_new                 (void);

void         hv_test_qemu_add_args            (HvTestQemu           *self,
                                               const gchar          *first_arg,
                                               ...) G_GNUC_NULL_TERMINATED;
void         hv_test_qemu_add_guest           (HvTestQemu           *self);

void         hv_test_qemu_start_async         (HvTestQemu           *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean     hv_test_qemu_start_finish        (HvTestQemu           *self,
                                               GAsyncResult         *result,
                                               GError              **error);
gboolean     hv_test_qemu_start               (HvTestQemu           *self,
                                               GError              **error);

void         hv_test_qemu_wait_exit_async     (HvTestQemu           *self,
                                               guint                 timeout_ms,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean     hv_test_qemu_wait_exit_finish    (HvTestQemu           *self,
                                               GAsyncResult         *result,
                                               GError              **error);
gboolean     hv_test_qemu_wait_exit           (HvTestQemu           *self,
                                               guint                 timeout_ms,
                                               GError              **error);

void         hv_test_qemu_kill                (HvTestQemu           *self);

const gchar *hv_test_qemu_get_dir             (HvTestQemu           *self);
const gchar *hv_test_qemu_get_qmp_path        (HvTestQemu           *self);
const gchar *hv_test_qemu_get_serial_path     (HvTestQemu           *self);
GPid         hv_test_qemu_get_pid             (HvTestQemu           *self);
gboolean     hv_test_qemu_is_running          (HvTestQemu           *self);
gboolean     hv_test_qemu_get_exited_cleanly  (HvTestQemu           *self);
gchar       *hv_test_qemu_get_output          (HvTestQemu           *self);

/* For a QEMU started by other means (an hvkit command line): SIGKILLed
 * from the same fatal-signal handlers and atexit as the ones above. */
void         hv_test_qemu_register_pid        (GPid                  pid);
void         hv_test_qemu_unregister_pid      (GPid                  pid);

G_END_DECLS
