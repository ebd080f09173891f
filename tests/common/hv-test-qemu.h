/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _HvTestQemu HvTestQemu;

HvTestQemu  *hv_test_qemu_start        (const gchar        *machine,
                                        guint               n_monitors,
                                        const gchar *const *extra_args,
                                        GError            **error);
const gchar *hv_test_qemu_get_qmp_path (HvTestQemu         *self,
                                        guint               monitor);
const gchar *hv_test_qemu_get_directory (HvTestQemu        *self);
const gchar *hv_test_qemu_get_pid      (HvTestQemu         *self);
gint         hv_test_qemu_wait_exit    (HvTestQemu         *self);
void         hv_test_qemu_free         (HvTestQemu         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvTestQemu, hv_test_qemu_free)

G_END_DECLS
