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
 * HV_INSTANCE_NAME_MAX_LENGTH:
 *
 * The longest instance name, in bytes: 63, the length of a DNS label.
 *
 * An instance name becomes part of file names, among them the unix socket
 * `<run-dir>/<name>.<suffix>`, whose whole path must fit the 108 bytes of
 * `sun_path`, terminating NUL included. 63 leaves 44 bytes for the run
 * directory, the `/` and a suffix: Ganeti's
 * `/var/run/ganeti/kvm-hypervisor/ctrl` (35) with `.monitor` (8) fits
 * exactly, hvkit's default `/run/hvkit` leaves room to spare. A driver must
 * still check the paths it builds, since the run directory is configurable.
 * Ganeti allows a full domain name (up to 253 bytes) but fails later, when
 * the monitor socket cannot be bound; hvkit refuses such a name up front.
 *
 * Since: 1.0
 */
#define HV_INSTANCE_NAME_MAX_LENGTH 63

HV_AVAILABLE_IN_1_0
gboolean hv_instance_name_validate (const gchar  *name,
                                    GError      **error);

G_END_DECLS
