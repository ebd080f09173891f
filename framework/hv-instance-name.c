/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvInstanceName"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-error.h"
#include "hv-instance-name.h"

/* A refused name may hold anything, so it is shown escaped (a newline must
 * not split a log line) and cut short. */
static gchar *
hv_instance_name_display (const gchar *name)
{
  g_autofree gchar *head = g_strndup (name, HV_INSTANCE_NAME_MAX_LENGTH + 1);
  g_autofree gchar *escaped = g_strescape (head, NULL);

  if (strlen (name) > HV_INSTANCE_NAME_MAX_LENGTH + 1)
    return g_strconcat (escaped, "…", NULL);
  return g_steal_pointer (&escaped);
}

static gboolean
hv_instance_name_refuse (const gchar  *name,
                         GError      **error,
                         const gchar  *format,
                         ...) G_GNUC_PRINTF (3, 4);

static gboolean
hv_instance_name_refuse (const gchar  *name,
                         GError      **error,
                         const gchar  *format,
                         ...)
{
  g_autofree gchar *shown = hv_instance_name_display (name);
  g_autofree gchar *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
               _("Invalid instance name '%s': %s"), shown, reason);
  return FALSE;
}

static gboolean
hv_instance_name_char_is_valid (gchar c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.';
}

/**
 * hv_instance_name_validate:
 * @name: an instance name
 * @error: return location for a #GError
 *
 * Checks that @name can name an instance, before any path is built from it.
 * A valid name is 1 to %HV_INSTANCE_NAME_MAX_LENGTH bytes of ASCII letters,
 * digits, `-`, `_` and `.`, starts with a letter or a digit, has no `..`
 * and does not end with `.`: a host name (`web1.example.com`), with `_`
 * allowed as DNS allows it. So a name can never be `.` or `..`, hold a `/`,
 * a control character or a non-ASCII byte, look like an option (`-x`) or a
 * hidden file, or need quoting in a file name or on QEMU's command line
 * (`,`).
 *
 * A refused name is an %HV_ERROR_INVALID_PARAMETER error that shows the
 * name, escaped, and the reason.
 *
 * Returns: %TRUE if @name is valid
 *
 * Since: 1.0
 */
gboolean
hv_instance_name_validate (const gchar  *name,
                           GError      **error)
{
  gsize len;

  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  len = strlen (name);
  if (len == 0)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                           _("Invalid instance name: it is empty"));
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) name[i];

      if (c == '/')
        return hv_instance_name_refuse (name, error, _("it contains '/'"));
      if (c >= 0x80)
        return hv_instance_name_refuse (name, error, _("it contains a non-ASCII character"));
      if (g_ascii_iscntrl (c))
        return hv_instance_name_refuse (name, error, _("it contains a control character"));
      if (!hv_instance_name_char_is_valid (c))
        return hv_instance_name_refuse (name, error,
                                        _("it contains '%c'; only letters, digits, '-', "
                                          "'_' and '.' are allowed"), c);
    }

  if (len > HV_INSTANCE_NAME_MAX_LENGTH)
    return hv_instance_name_refuse (name, error,
                                    _("it is %u bytes long, at most %d are allowed"),
                                    (guint) len, HV_INSTANCE_NAME_MAX_LENGTH);
  if (strstr (name, "..") != NULL)
    return hv_instance_name_refuse (name, error, _("it contains '..'"));
  if (!g_ascii_isalnum (name[0]))
    return hv_instance_name_refuse (name, error,
                                    _("it starts with '%c', not a letter or a digit"), name[0]);
  if (name[len - 1] == '.')
    return hv_instance_name_refuse (name, error, _("it ends with '.'"));
  return TRUE;
}
