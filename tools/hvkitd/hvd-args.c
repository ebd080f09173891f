/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitd"

#include "config.h"

#include <glib/gi18n.h>

#include "hvd-args.h"

static void
hvd_args_set_invalid (GError      **error,
                      const gchar  *argument,
                      const GError *cause)
{
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
               _("Argument '%s': %s"), argument, cause->message);
}

HvInstance *
hvd_args_get_instance (GVariant     *dict,
                       const gchar  *argument,
                       GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(HvInstance) instance = hv_instance_new_from_variant (dict, &local_error);

  if (instance == NULL)
    {
      hvd_args_set_invalid (error, argument, local_error);
      return NULL;
    }
  return g_steal_pointer (&instance);
}

HvDevice *
hvd_args_get_device (const gchar  *device_type,
                     GVariant     *dict,
                     const gchar  *argument,
                     GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  gint type;
  HvDevice *device = NULL;

  if (!hvd_args_get_enum (HV_TYPE_DEVICE_TYPE, device_type, "device_type", &type, error))
    return NULL;
  if (type == HV_DEVICE_TYPE_DISK)
    device = HV_DEVICE (hv_disk_new_from_variant (dict, &local_error));
  else
    device = HV_DEVICE (hv_nic_new_from_variant (dict, &local_error));
  if (device == NULL)
    hvd_args_set_invalid (error, argument, local_error);
  return device;
}

gboolean
hvd_args_get_enum (GType         enum_type,
                   const gchar  *nick,
                   const gchar  *argument,
                   gint         *value,
                   GError      **error)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *enum_value = g_enum_get_value_by_nick (klass, nick);
  g_autoptr(GString) nicks = NULL;

  if (enum_value != NULL)
    {
      *value = enum_value->value;
      return TRUE;
    }
  nicks = g_string_new (NULL);
  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (nicks, "%s'%s'", i > 0 ? ", " : "", klass->values[i].value_nick);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
               _("Argument '%s': '%.64s' is not one of %s"), argument, nick, nicks->str);
  return FALSE;
}

const gchar *
hvd_args_enum_to_nick (GType enum_type,
                       gint  value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);

  return enum_value != NULL ? enum_value->value_nick : "unknown";
}
