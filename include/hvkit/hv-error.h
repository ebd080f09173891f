/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <glib.h>

#include <hvkit/hv-version-macros.h>

G_BEGIN_DECLS

/**
 * HV_ERROR:
 *
 * The error domain of libhvkit and its drivers. Its codes are registered as
 * D-Bus error names (`org.hvkit.Error.*`), so they survive the bus and reach
 * Python as `GLib.Error` with the same domain and code.
 *
 * Since: 1.0
 */
#define HV_ERROR (hv_error_quark ())

/**
 * HvError:
 * @HV_ERROR_FAILED: the operation failed for a reason no other code describes
 * @HV_ERROR_HOTPLUG: a hotplug operation is not possible or failed
 * @HV_ERROR_NOT_SUPPORTED: the driver does not implement the operation
 * @HV_ERROR_INVALID_PARAMETER: a parameter, name or value was refused
 * @HV_ERROR_NOT_RUNNING: the instance is not running
 * @HV_ERROR_ALREADY_RUNNING: the instance is already running
 * @HV_ERROR_MONITOR: the monitor (QMP) failed or QEMU answered with an
 *   error; hv_error_get_qmp_class() gives QEMU's error class
 * @HV_ERROR_MIGRATION: a migration step failed
 * @HV_ERROR_TIMEOUT: the operation did not finish in time
 * @HV_ERROR_RUNTIME_CORRUPT: a runtime record is damaged or unreadable
 *
 * Error codes of the %HV_ERROR domain. No code is 0.
 *
 * Since: 1.0
 */
typedef enum {
  HV_ERROR_FAILED = 1,
  HV_ERROR_HOTPLUG,
  HV_ERROR_NOT_SUPPORTED,
  HV_ERROR_INVALID_PARAMETER,
  HV_ERROR_NOT_RUNNING,
  HV_ERROR_ALREADY_RUNNING,
  HV_ERROR_MONITOR,
  HV_ERROR_MIGRATION,
  HV_ERROR_TIMEOUT,
  HV_ERROR_RUNTIME_CORRUPT,
} HvError;

HV_AVAILABLE_IN_1_0
GQuark       hv_error_quark          (void);
HV_AVAILABLE_IN_1_0
const gchar *hv_error_get_qmp_class  (const GError *error);
HV_AVAILABLE_IN_1_0
void         hv_error_set_qmp_class  (GError       *error,
                                      const gchar  *qmp_class);

G_END_DECLS
