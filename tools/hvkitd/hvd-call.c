/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitd"

#include "config.h"

#include <glib/gi18n.h>

#include "hvd-call.h"

void
hvd_call_free (HvdCall *call)
{
  /* every path answers: a call freed unanswered is a bug in this file */
  if (call->invocation != NULL)
    g_dbus_method_invocation_return_error (call->invocation, HV_ERROR, HV_ERROR_FAILED,
                                           _("hvkitd did not answer %s"), call->method->method);
  g_clear_object (&call->self);
  g_clear_pointer (&call->parameters, g_variant_unref);
  g_clear_object (&call->instance);
  g_clear_object (&call->device);
  g_free (call->name);
  g_free (call);
}

HvHypervisor *
hvd_call_hypervisor (HvdCall *call)
{
  return hvd_hypervisor_object_get_hypervisor (call->self);
}

void
hvd_call_return_error (HvdCall      *call,
                       const GError *error)
{
  g_debug ("%s: %s", call->method->method, error->message);
  g_dbus_method_invocation_return_gerror (g_steal_pointer (&call->invocation), error);
}

void
hvd_call_return (HvdCall  *call,
                 GVariant *value)
{
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), value);
}
