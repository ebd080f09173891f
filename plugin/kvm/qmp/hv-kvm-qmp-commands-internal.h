/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared by hv-kvm-qmp-commands*.c only.
 */
#pragma once

#include "hv-kvm-qmp-client.h"

G_BEGIN_DECLS

gboolean    hv_kvm_qmp_set_bad_return (GError        **error,
                                       const gchar    *command,
                                       const gchar    *what);
gboolean    hv_kvm_qmp_finish_empty   (HvKvmQmpClient *self,
                                       GAsyncResult   *result,
                                       gpointer        source_tag,
                                       GError        **error);
JsonObject *hv_kvm_qmp_finish_object  (HvKvmQmpClient *self,
                                       GAsyncResult   *result,
                                       gpointer        source_tag,
                                       GError        **error);

G_END_DECLS
