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
  g_autofree gchar *shown = NULL;

  if (enum_value != NULL)
    {
      *value = enum_value->value;
      return TRUE;
    }
  nicks = g_string_new (NULL);
  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (nicks, "%s'%s'", i > 0 ? ", " : "", klass->values[i].value_nick);
  /* the first 64 characters, not bytes: the message goes back as a D-Bus
   * string, which must be valid UTF-8 (fuzz-dbus-args found '%.64s'
   * cutting a character in two, which GDBus refuses to send).
   * g_utf8_substring() reads past the end of a shorter string. */
  if (g_utf8_strlen (nick, -1) > 64)
    shown = g_utf8_substring (nick, 0, 64);
  else
    shown = g_strdup (nick);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
               _("Argument '%s': '%s' is not one of %s"), argument, shown, nicks->str);
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

/* hvd_args_read_call:
 * @method: the method of org.hvkit.Hypervisor1 called
 * @parameters: its arguments, of the method's in signature
 * @out_name: (out): the instance's name, or %NULL when the method takes none
 * @out_instance: (out): the instance, when the first argument is one
 * @out_device: (out): the device, for the Hot*Device methods
 *
 * What a call acts on, read from its arguments before the caller is
 * authorized (the polkit details are its name and uuid). On failure the
 * out arguments are left %NULL. Instance names are checked here, whatever
 * the driver does with them: a name is part of file names, and polkit
 * rules match on it. */
gboolean
hvd_args_read_call (const gchar  *method,
                    GVariant     *parameters,
                    gchar       **out_name,
                    HvInstance  **out_instance,
                    HvDevice    **out_device,
                    GError      **error)
{
  g_autoptr(GVariant) first = NULL;
  g_autofree gchar *name = NULL;
  g_autoptr(HvInstance) instance = NULL;
  g_autoptr(HvDevice) device = NULL;

  *out_name = NULL;
  *out_instance = NULL;
  *out_device = NULL;
  if (g_variant_n_children (parameters) == 0)
    return TRUE;
  /* AdoptInstances: a directory, no instance */
  if (g_str_equal (method, "AdoptInstances"))
    return TRUE;
  first = g_variant_get_child_value (parameters, 0);
  /* CleanupInstance and GetInstanceInfo: an instance by name */
  if (g_variant_is_of_type (first, G_VARIANT_TYPE_STRING))
    {
      name = g_variant_dup_string (first, NULL);
      if (!hv_instance_name_validate (name, error))
        return FALSE;
      *out_name = g_steal_pointer (&name);
      return TRUE;
    }
  /* CheckParameterSyntax and ValidateParameters: hvparams */
  if (g_str_has_suffix (method, "Parameters") || g_str_equal (method, "CheckParameterSyntax"))
    return TRUE;

  instance = hvd_args_get_instance (first, "instance", error);
  if (instance == NULL)
    return FALSE;
  name = g_strdup (hv_instance_get_name (instance));
  if (!hv_instance_name_validate (name, error))
    return FALSE;

  if (g_str_has_prefix (method, "Hot") && g_str_has_suffix (method, "Device"))
    {
      const gchar *device_type;
      g_autoptr(GVariant) dict = g_variant_get_child_value (parameters, 2);

      g_variant_get_child (parameters, 1, "&s", &device_type);
      device = hvd_args_get_device (device_type, dict, "device", error);
      if (device == NULL)
        return FALSE;
    }
  *out_name = g_steal_pointer (&name);
  *out_instance = g_steal_pointer (&instance);
  *out_device = g_steal_pointer (&device);
  return TRUE;
}
