/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <hvkit/hvkit.h>

#include "hvd-authority.h"
#include "hvd-job.h"

G_BEGIN_DECLS

#define HVD_TYPE_HYPERVISOR_OBJECT (hvd_hypervisor_object_get_type ())
G_DECLARE_FINAL_TYPE (HvdHypervisorObject, hvd_hypervisor_object, HVD, HYPERVISOR_OBJECT, GObject)

HvdHypervisorObject *hvd_hypervisor_object_new             (HvHypervisor        *hypervisor,
                                                            HvdAuthority        *authority);
gboolean             hvd_hypervisor_object_export          (HvdHypervisorObject *self,
                                                            GDBusConnection     *connection,
                                                            GError             **error);
void                 hvd_hypervisor_object_unexport        (HvdHypervisorObject *self);
const gchar         *hvd_hypervisor_object_get_object_path (HvdHypervisorObject *self);
HvHypervisor        *hvd_hypervisor_object_get_hypervisor  (HvdHypervisorObject *self);
GDBusConnection     *hvd_hypervisor_object_get_connection  (HvdHypervisorObject *self);
void                 hvd_hypervisor_object_add_job         (HvdHypervisorObject *self,
                                                            HvdJob              *job);

G_END_DECLS
