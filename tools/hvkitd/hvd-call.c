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

/* The D-Bus name of ERROR: GDBus's (org.hvkit.Error.<Code> for HV_ERROR),
 * and for an HV_ERROR_MONITOR error that carries QEMU's error class, the
 * class as one more element, `org.hvkit.Error.Monitor.DeviceNotFound`: the
 * message stays QEMU's text, and a client that knows only the code still
 * sees the name it expects as the prefix. */
gchar *
hvd_error_get_dbus_name (const GError *error)
{
  g_autofree gchar *name = g_dbus_error_encode_gerror (error);
  const gchar *qmp_class = hv_error_get_qmp_class (error);
  g_autofree gchar *with_class = NULL;

  if (!g_error_matches (error, HV_ERROR, HV_ERROR_MONITOR) || qmp_class == NULL)
    return g_steal_pointer (&name);
  with_class = g_strconcat (name, ".", qmp_class, NULL);
  if (!g_dbus_is_error_name (with_class))
    {
      g_debug ("QEMU error class '%s' is no D-Bus name element; sent without it", qmp_class);
      return g_steal_pointer (&name);
    }
  return g_steal_pointer (&with_class);
}

void
hvd_call_return_error (HvdCall      *call,
                       const GError *error)
{
  g_autofree gchar *name = hvd_error_get_dbus_name (error);

  g_debug ("%s: %s: %s", call->method->method, name, error->message);
  g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&call->invocation), name,
                                              error->message);
}

void
hvd_call_return (HvdCall  *call,
                 GVariant *value)
{
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), value);
}
