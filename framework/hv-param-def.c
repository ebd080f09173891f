/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvParam"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-cpu-mask.h"
#include "hv-param-spec-private.h"

/* The driver-facing half of the parameter tables: the stock checks of
 * hv_base and the builders of HvParamSpec from static rows. It is C only
 * and stays out of the GIR (see hv-param-def.h). */

static const gchar *
hv_param_get_string (GVariant *value)
{
  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return NULL;
  return g_variant_get_string (value, NULL);
}

static gboolean
hv_param_get_int (GVariant *value,
                  gint64   *out)
{
  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return FALSE;
  *out = g_variant_get_int64 (value);
  return TRUE;
}

/**
 * hv_param_is_norm_abs_path:
 * @path: a path
 *
 * Ganeti's `IsNormAbsPath`: @path is absolute and normalised, so that it
 * cannot climb out of where it points: no empty, `.` or `..` component and
 * no trailing `/` (`/` itself is fine). Python keeps a leading `//` when it
 * normalises, so Ganeti takes `//srv/x`; hvkit does not.
 *
 * Returns: whether @path is an absolute normalised path
 *
 * Since: 1.0
 */
gboolean
hv_param_is_norm_abs_path (const gchar *path)
{
  const gchar *component;

  g_return_val_if_fail (path != NULL, FALSE);

  if (path[0] != '/')
    return FALSE;
  if (path[1] == '\0')
    return TRUE;

  component = path + 1;
  for (;;)
    {
      const gchar *slash = strchr (component, '/');
      gsize len = slash != NULL ? (gsize) (slash - component) : strlen (component);

      if (len == 0 ||
          (len == 1 && component[0] == '.') ||
          (len == 2 && component[0] == '.' && component[1] == '.'))
        return FALSE;
      if (slash == NULL)
        return TRUE;
      component = slash + 1;
    }
}

/**
 * hv_param_is_url:
 * @str: a string
 *
 * Whether @str is a URL QEMU's curl block driver can read: an `http`,
 * `https`, `ftp` or `ftps` scheme (in any case), `://`, a host, and no
 * whitespace or control characters anywhere.
 *
 * Returns: whether @str is such a URL
 *
 * Since: 1.0
 */
gboolean
hv_param_is_url (const gchar *str)
{
  static const gchar *const schemes[] = { "http", "https", "ftp", "ftps" };
  const gchar *sep;
  gboolean known = FALSE;

  g_return_val_if_fail (str != NULL, FALSE);

  sep = strstr (str, "://");
  if (sep == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      if ((gsize) (sep - str) == strlen (schemes[i]) &&
          g_ascii_strncasecmp (str, schemes[i], strlen (schemes[i])) == 0)
        known = TRUE;
    }
  if (!known || sep[3] == '\0' || sep[3] == '/')
    return FALSE;
  for (const gchar *p = sep + 3; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
        return FALSE;
    }
  return TRUE;
}

/**
 * hv_param_check_file:
 * @value: a string
 * @data: unused
 *
 * Syntax check of hv_base's file parameters: an absolute normalised path
 * (hv_param_is_norm_abs_path()). Message: %HV_PARAM_MESSAGE_NORM_ABS_PATH.
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_file (GVariant      *value,
                     gconstpointer  data)
{
  const gchar *path = hv_param_get_string (value);

  return path != NULL && hv_param_is_norm_abs_path (path);
}

/**
 * hv_param_check_dir:
 * @value: a string
 * @data: unused
 *
 * Syntax check of hv_base's directory parameters, the same as
 * hv_param_check_file(): only the node check tells them apart.
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_dir (GVariant      *value,
                    gconstpointer  data)
{
  return hv_param_check_file (value, data);
}

/**
 * hv_param_check_file_or_url:
 * @value: a string
 * @data: unused
 *
 * Syntax check of hv_base's file-or-URL parameters (CD-ROM images): an
 * absolute normalised path or a URL (hv_param_is_url()).
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_file_or_url (GVariant      *value,
                            gconstpointer  data)
{
  const gchar *str = hv_param_get_string (value);

  return str != NULL && (hv_param_is_norm_abs_path (str) || hv_param_is_url (str));
}

/**
 * hv_param_check_cpu_mask:
 * @value: a string
 * @data: unused
 *
 * A well-formed single CPU mask naming at least one CPU
 * (hv_cpu_mask_parse()), as `0-2,4`.
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_cpu_mask (GVariant      *value,
                         gconstpointer  data)
{
  const gchar *mask = hv_param_get_string (value);
  g_autoptr(GArray) cpus = NULL;

  if (mask == NULL)
    return FALSE;
  cpus = hv_cpu_mask_parse (mask, NULL);
  return cpus != NULL && cpus->len > 0;
}

/**
 * hv_param_check_multi_cpu_mask:
 * @value: a string
 * @data: unused
 *
 * A well-formed multiple CPU mask (hv_multi_cpu_mask_parse()), as `all` or
 * `1:2-3:all`.
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_multi_cpu_mask (GVariant      *value,
                               gconstpointer  data)
{
  const gchar *mask = hv_param_get_string (value);
  g_autoptr(GPtrArray) entries = NULL;

  if (mask == NULL)
    return FALSE;
  entries = hv_multi_cpu_mask_parse (mask, NULL);
  return entries != NULL;
}

/**
 * hv_param_check_port:
 * @value: an integer
 * @data: unused
 *
 * A TCP port as hv_base checks it: 1 to 65534.
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_port (GVariant      *value,
                     gconstpointer  data)
{
  gint64 port;

  return hv_param_get_int (value, &port) && port > 0 && port < 65535;
}

/**
 * hv_param_check_virtio_net_queues:
 * @value: an integer
 * @data: unused
 *
 * A number of virtio-net queues in hv_base's safe range: 1 to 8.
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_virtio_net_queues (GVariant      *value,
                                  gconstpointer  data)
{
  gint64 queues;

  return hv_param_get_int (value, &queues) && queues > 0 && queues < 9;
}

/**
 * hv_param_check_nonnegative_int:
 * @value: an integer
 * @data: unused
 *
 * An integer that is not negative.
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_nonnegative_int (GVariant      *value,
                                gconstpointer  data)
{
  gint64 number;

  return hv_param_get_int (value, &number) && number >= 0;
}

/**
 * hv_param_check_in_set:
 * @value: a string
 * @data: the allowed values, a %NULL-terminated `const gchar *const[]`
 *
 * Ganeti's `ParamInSet`: @value is one of @data, compared exactly. With no
 * syntax message in its #HvParamDef, the message is "The value must be one
 * of: a, b, c".
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_in_set (GVariant      *value,
                       gconstpointer  data)
{
  const gchar *str = hv_param_get_string (value);

  g_return_val_if_fail (data != NULL, FALSE);

  return str != NULL && g_strv_contains (data, str);
}

/**
 * hv_param_check_is_file:
 * @value: a string
 * @data: unused
 *
 * Node check: @value names a regular file, following symbolic links.
 * Message: %HV_PARAM_MESSAGE_NOT_A_FILE.
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_is_file (GVariant      *value,
                        gconstpointer  data)
{
  const gchar *path = hv_param_get_string (value);

  return path != NULL && g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/**
 * hv_param_check_is_dir:
 * @value: a string
 * @data: unused
 *
 * Node check: @value names a directory, following symbolic links.
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_is_dir (GVariant      *value,
                       gconstpointer  data)
{
  const gchar *path = hv_param_get_string (value);

  return path != NULL && g_file_test (path, G_FILE_TEST_IS_DIR);
}

/**
 * hv_param_check_is_file_or_url:
 * @value: a string
 * @data: unused
 *
 * Node check: @value names a regular file or is a URL; whether the URL
 * answers is for the driver to find out.
 *
 * Returns: whether @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_check_is_file_or_url (GVariant      *value,
                               gconstpointer  data)
{
  const gchar *str = hv_param_get_string (value);

  return str != NULL && (hv_param_is_url (str) || g_file_test (str, G_FILE_TEST_IS_REGULAR));
}

static gchar *
hv_param_def_build_syntax_message (const HvParamDef *def)
{
  g_autofree gchar *values = NULL;

  if (def->syntax_message != NULL)
    return g_strdup (g_dgettext (GETTEXT_PACKAGE, def->syntax_message));
  if (def->syntax_check != hv_param_check_in_set)
    return NULL;

  values = g_strjoinv (", ", (gchar **) def->data);
  return g_strdup_printf (_("The value must be one of: %s"), values);
}

/**
 * hv_param_spec_new_from_def:
 * @def: a row of a driver's parameter table
 *
 * The #HvParamSpec of one row. @def's functions and data must stay valid as
 * long as the spec lives (they are static in a driver); its strings are
 * copied, its messages translated in hvkit's catalog.
 *
 * Returns: (transfer full): a new #HvParamSpec
 *
 * Since: 1.0
 */
HvParamSpec *
hv_param_spec_new_from_def (const HvParamDef *def)
{
  g_autoptr(HvParamSpec) spec = NULL;
  g_autofree gchar *syntax_message = NULL;

  g_return_val_if_fail (def != NULL, NULL);
  g_return_val_if_fail (def->name != NULL, NULL);
  g_return_val_if_fail (def->type != NULL && g_variant_type_string_is_valid (def->type), NULL);
  g_return_val_if_fail (def->syntax_check != hv_param_check_in_set || def->data != NULL, NULL);

  spec = hv_param_spec_new (def->name, G_VARIANT_TYPE (def->type), def->required);
  if (spec == NULL)
    return NULL;
  syntax_message = hv_param_def_build_syntax_message (def);
  hv_param_spec_set_def_checks (spec, def, syntax_message);
  return g_steal_pointer (&spec);
}

/**
 * hv_param_specs_new_from_defs:
 * @defs: (array length=n_defs): a driver's parameter table
 * @n_defs: the number of rows, usually `G_N_ELEMENTS (defs)`
 *
 * The specs of a whole table, in its order, which is the order the table
 * functions check in. Names must be unique.
 *
 * Returns: (transfer full) (element-type HvParamSpec): the specs
 *
 * Since: 1.0
 */
GPtrArray *
hv_param_specs_new_from_defs (const HvParamDef *defs,
                              gsize             n_defs)
{
  g_autoptr(GPtrArray) specs = g_ptr_array_new_full ((guint) n_defs,
                                                     (GDestroyNotify) hv_param_spec_unref);

  g_return_val_if_fail (defs != NULL || n_defs == 0, NULL);

  for (gsize i = 0; i < n_defs; i++)
    {
      HvParamSpec *spec;

      g_return_val_if_fail (defs[i].name != NULL, NULL);
      g_return_val_if_fail (hv_param_specs_find (specs, defs[i].name) == NULL, NULL);

      spec = hv_param_spec_new_from_def (&defs[i]);
      if (spec == NULL)
        return NULL;
      g_ptr_array_add (specs, spec);
    }
  return g_steal_pointer (&specs);
}
