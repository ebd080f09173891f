/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The line /init prints on ttyS0 once the guest runs commands, as a GRegex
 * for hv_test_console_wait_for_line(). */
#define HV_TEST_GUEST_READY_PATTERN "^HVKIT-GUEST-READY "

/* Printed by the guest when the ACPI power button was pressed. */
#define HV_TEST_GUEST_POWERDOWN_PATTERN "^HVKIT-GUEST-POWERDOWN$"

const gchar *hv_test_get_accel                (void);
const gchar *hv_test_get_qemu                 (void);

gboolean     hv_test_guest_require            (void);
const gchar *hv_test_guest_get_dir            (void);
gchar       *hv_test_guest_get_kernel         (void);
gchar       *hv_test_guest_get_initrd         (void);
const gchar *hv_test_guest_get_kernel_args    (void);
const gchar *hv_test_guest_get_kernel_release (void);

G_END_DECLS
