/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hvd-hypervisor-object.h"

G_BEGIN_DECLS

/* One method call being served (hvd-hypervisor-object.c dispatches it,
 * hvd-hypervisor-methods.c runs it): the invocation it answers, its
 * arguments and the objects made of them. Whoever holds it answers exactly
 * once and frees it. */

typedef struct _HvdCall HvdCall;

typedef struct {
  const gchar *method;
  const gchar *action_id;
  void       (*run) (HvdCall *call);
} HvdMethod;

struct _HvdCall {
  HvdHypervisorObject *self;
  GDBusMethodInvocation *invocation;
  const HvdMethod *method;
  GVariant *parameters;
  HvInstance *instance;
  HvDevice *device;
  gchar *name;
};

void             hvd_call_free          (HvdCall      *call);
HvHypervisor    *hvd_call_hypervisor    (HvdCall      *call);
void             hvd_call_return        (HvdCall      *call,
                                         GVariant     *value);
void             hvd_call_return_error  (HvdCall      *call,
                                         const GError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvdCall, hvd_call_free)

gchar           *hvd_error_get_dbus_name (const GError *error);

const HvdMethod *hvd_methods_lookup     (const gchar  *method);

G_END_DECLS
