/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitd"

#include "config.h"

#include <glib/gi18n.h>

#include "hvd-argument-filter.h"
#include "hvd-interfaces.h"

/* GDBus checks a call's signature against the interface before any
 * handler runs, and its InvalidArgs names only the types ("Type of
 * message, '(sb)', does not match expected type '(a{sv}b)'"). This filter,
 * which runs on the connection's worker thread before that check, answers
 * a call to org.hvkit.Hypervisor1 or org.hvkit.Job1 whose arguments do not
 * fit first, naming the argument. It only reads the interfaces' cached
 * info, which nothing changes once loaded. */

/* What is wrong with BODY (the arguments of a call of METHOD, %NULL for
 * none) as a translated sentence, or %NULL if nothing is. */
gchar *
hvd_argument_filter_describe (GDBusMethodInfo *method,
                              GVariant        *body)
{
  guint n_expected = 0, n_given = body != NULL ? g_variant_n_children (body) : 0;
  g_autoptr(GString) names = g_string_new (NULL);

  for (; method->in_args != NULL && method->in_args[n_expected] != NULL; n_expected++)
    g_string_append_printf (names, "%s%s %s", n_expected > 0 ? ", " : "",
                            method->in_args[n_expected]->name,
                            method->in_args[n_expected]->signature);
  for (guint i = 0; i < MIN (n_expected, n_given); i++)
    {
      GDBusArgInfo *arg = method->in_args[i];
      g_autoptr(GVariant) value = g_variant_get_child_value (body, i);

      if (!g_str_equal (g_variant_get_type_string (value), arg->signature))
        return g_strdup_printf (_("Argument '%s' of %s has type '%s', expected '%s'"),
                                arg->name, method->name, g_variant_get_type_string (value),
                                arg->signature);
    }
  if (n_given != n_expected)
    return g_strdup_printf (_("%s takes %u arguments (%s), not %u"),
                            method->name, n_expected, names->str, n_given);
  return NULL;
}

static GDBusMessage *
hvd_argument_filter (GDBusConnection *connection,
                     GDBusMessage    *message,
                     gboolean         incoming,
                     gpointer         user_data)
{
  const gchar *interface = g_dbus_message_get_interface (message);
  GDBusInterfaceInfo *info;
  GDBusMethodInfo *method;
  g_autofree gchar *problem = NULL;
  g_autoptr(GDBusMessage) reply = NULL;

  if (!incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    return message;
  if (g_strcmp0 (interface, "org.hvkit.Hypervisor1") == 0)
    info = hvd_hypervisor_interface_info ();
  else if (g_strcmp0 (interface, "org.hvkit.Job1") == 0)
    info = hvd_job_interface_info ();
  else
    return message;
  method = g_dbus_interface_info_lookup_method (info, g_dbus_message_get_member (message));
  if (method == NULL)
    return message;     /* GDBus answers UnknownMethod */
  problem = hvd_argument_filter_describe (method, g_dbus_message_get_body (message));
  if (problem == NULL)
    return message;

  g_debug ("refusing a call: %s", problem);
  reply = g_dbus_message_new_method_error_literal (message, "org.freedesktop.DBus.Error.InvalidArgs",
                                                   problem);
  g_dbus_connection_send_message (connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
  g_object_unref (message);
  return NULL;
}

guint
hvd_argument_filter_add (GDBusConnection *connection)
{
  /* loaded here, before any message can reach the filter's thread */
  hvd_hypervisor_interface_info ();
  hvd_job_interface_info ();
  return g_dbus_connection_add_filter (connection, hvd_argument_filter, NULL, NULL);
}
