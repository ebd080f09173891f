/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <hvkit/hvkit.h>

G_BEGIN_DECLS

#define HVD_TYPE_AUTHORITY (hvd_authority_get_type ())
G_DECLARE_FINAL_TYPE (HvdAuthority, hvd_authority, HVD, AUTHORITY, GObject)

HvdAuthority *hvd_authority_new_sync     (gboolean                enabled,
                                          GCancellable           *cancellable,
                                          GError                **error);
gboolean      hvd_authority_is_enabled   (HvdAuthority           *self);
void          hvd_authority_check_async  (HvdAuthority           *self,
                                          GDBusMethodInvocation  *invocation,
                                          const gchar            *action_id,
                                          const gchar            *instance_name,
                                          const gchar            *instance_uuid,
                                          GCancellable           *cancellable,
                                          GAsyncReadyCallback     callback,
                                          gpointer                user_data);
gboolean      hvd_authority_check_finish (HvdAuthority           *self,
                                          GAsyncResult           *result,
                                          GError                **error);

G_END_DECLS
