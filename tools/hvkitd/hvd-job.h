/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <hvkit/hvkit.h>

G_BEGIN_DECLS

#define HVD_TYPE_JOB (hvd_job_get_type ())
G_DECLARE_FINAL_TYPE (HvdJob, hvd_job, HVD, JOB, GObject)

HvdJob      *hvd_job_new_migration (HvHypervisor     *hypervisor,
                                    GDBusConnection  *connection,
                                    const gchar      *object_path,
                                    const gchar      *owner,
                                    HvInstance       *instance,
                                    const gchar      *target,
                                    gboolean          live,
                                    GError          **error);
const gchar *hvd_job_get_object_path (HvdJob *self);

G_END_DECLS
