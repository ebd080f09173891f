/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvParam"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-error.h"
#include "hv-param-spec-private.h"

/**
 * HvParamSpec:
 *
 * One hypervisor parameter of a driver: its name, value type, whether it is
 * required, a syntax check that runs wherever parameters are edited and a
 * node check that runs on the node that starts the instance, each with the
 * message that explains a failure. It is Ganeti's hv_base 5-tuple.
 *
 * Values are those of an `a{sv}` of hvparams: strings (`s`), booleans (`b`)
 * and integers (`x`). A value of another type than the parameter's is
 * refused with a message naming the type expected; a string `"8"` is not an
 * integer. The empty string is the *unspecified* value (Ganeti's `None` or
 * `""`); booleans and integers are always specified. A key missing from the
 * dictionary is *missing*, which is an error: a complete set of hvparams
 * names every parameter of the driver.
 *
 * Drivers in C build their specs from a static table of #HvParamDef with
 * hv_param_specs_new_from_defs(); bindings use hv_param_spec_new() and
 * hv_param_spec_set_syntax_check(). A spec is reference counted and must
 * not be changed once it is shared.
 *
 * Since: 1.0
 */

typedef struct {
  gchar                *message;
  HvParamCheckFunc      def_func;
  gconstpointer         def_data;
  HvParamSpecCheckFunc  func;
  gpointer              user_data;
  GDestroyNotify        destroy;
} HvParamCheck;

struct _HvParamSpec {
  gchar        *name;
  GVariantType *value_type;
  gboolean      required;
  HvParamCheck  syntax;
  HvParamCheck  node;
};

G_DEFINE_BOXED_TYPE (HvParamSpec, hv_param_spec, hv_param_spec_ref, hv_param_spec_unref)

static void
hv_param_check_clear (HvParamCheck *check)
{
  if (check->destroy != NULL)
    check->destroy (check->user_data);
  g_free (check->message);
  memset (check, 0, sizeof *check);
}

static gboolean
hv_param_check_is_set (const HvParamCheck *check)
{
  return check->def_func != NULL || check->func != NULL;
}

static gboolean
hv_param_check_run (const HvParamCheck *check,
                    GVariant           *value)
{
  if (check->def_func != NULL)
    return check->def_func (value, check->def_data);
  if (check->func != NULL)
    return check->func (value, check->user_data);
  return TRUE;
}

gboolean
hv_param_spec_type_is_supported (const GVariantType *value_type)
{
  return g_variant_type_equal (value_type, G_VARIANT_TYPE_STRING) ||
         g_variant_type_equal (value_type, G_VARIANT_TYPE_BOOLEAN) ||
         g_variant_type_equal (value_type, G_VARIANT_TYPE_INT64);
}

/**
 * hv_param_spec_new:
 * @name: the parameter's name
 * @value_type: its type: %G_VARIANT_TYPE_STRING, %G_VARIANT_TYPE_BOOLEAN
 *   or %G_VARIANT_TYPE_INT64
 * @required: whether the unspecified value (the empty string) is refused
 *
 * A parameter without checks; add them with hv_param_spec_set_syntax_check()
 * and hv_param_spec_set_node_check() before sharing it.
 *
 * Returns: (transfer full): a new #HvParamSpec
 *
 * Since: 1.0
 */
HvParamSpec *
hv_param_spec_new (const gchar        *name,
                   const GVariantType *value_type,
                   gboolean            required)
{
  HvParamSpec *self;

  g_return_val_if_fail (name != NULL && *name != '\0', NULL);
  g_return_val_if_fail (value_type != NULL, NULL);
  g_return_val_if_fail (hv_param_spec_type_is_supported (value_type), NULL);

  self = g_atomic_rc_box_new0 (HvParamSpec);
  self->name = g_strdup (name);
  self->value_type = g_variant_type_copy (value_type);
  self->required = required;
  return self;
}

/**
 * hv_param_spec_ref:
 * @self: a #HvParamSpec
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @self
 *
 * Since: 1.0
 */
HvParamSpec *
hv_param_spec_ref (HvParamSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

static void
hv_param_spec_clear (gpointer data)
{
  HvParamSpec *self = data;

  g_free (self->name);
  g_variant_type_free (self->value_type);
  hv_param_check_clear (&self->syntax);
  hv_param_check_clear (&self->node);
}

/**
 * hv_param_spec_unref:
 * @self: (transfer full): a #HvParamSpec
 *
 * Drops a reference; the last one frees @self.
 *
 * Since: 1.0
 */
void
hv_param_spec_unref (HvParamSpec *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, hv_param_spec_clear);
}

/**
 * hv_param_spec_get_name:
 * @self: a #HvParamSpec
 *
 * Returns: the parameter's name
 *
 * Since: 1.0
 */
const gchar *
hv_param_spec_get_name (const HvParamSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

/**
 * hv_param_spec_get_value_type:
 * @self: a #HvParamSpec
 *
 * Returns: (transfer none): the type of the parameter's values
 *
 * Since: 1.0
 */
const GVariantType *
hv_param_spec_get_value_type (const HvParamSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->value_type;
}

/**
 * hv_param_spec_get_required:
 * @self: a #HvParamSpec
 *
 * Returns: whether an unspecified value is refused
 *
 * Since: 1.0
 */
gboolean
hv_param_spec_get_required (const HvParamSpec *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->required;
}

/**
 * hv_param_spec_get_syntax_message:
 * @self: a #HvParamSpec
 *
 * Returns: (nullable): what a failing syntax check means, translated, or
 *   %NULL when there is none
 *
 * Since: 1.0
 */
const gchar *
hv_param_spec_get_syntax_message (const HvParamSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->syntax.message;
}

/**
 * hv_param_spec_get_node_message:
 * @self: a #HvParamSpec
 *
 * Returns: (nullable): what a failing node check means, translated, or
 *   %NULL when there is none
 *
 * Since: 1.0
 */
const gchar *
hv_param_spec_get_node_message (const HvParamSpec *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->node.message;
}

/**
 * hv_param_spec_has_syntax_check:
 * @self: a #HvParamSpec
 *
 * Returns: whether @self has a syntax check
 *
 * Since: 1.0
 */
gboolean
hv_param_spec_has_syntax_check (const HvParamSpec *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return hv_param_check_is_set (&self->syntax);
}

/**
 * hv_param_spec_has_node_check:
 * @self: a #HvParamSpec
 *
 * Returns: whether @self has a node check
 *
 * Since: 1.0
 */
gboolean
hv_param_spec_has_node_check (const HvParamSpec *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return hv_param_check_is_set (&self->node);
}

static void
hv_param_check_set (HvParamCheck         *check,
                    const gchar          *message,
                    HvParamSpecCheckFunc  func,
                    gpointer              user_data,
                    GDestroyNotify        destroy)
{
  hv_param_check_clear (check);
  check->message = g_strdup (message);
  check->func = func;
  check->user_data = user_data;
  check->destroy = destroy;
}

/**
 * hv_param_spec_set_syntax_check:
 * @self: a #HvParamSpec not yet shared
 * @message: what a failing check means, translated, as in "must be an
 *   absolute normalized path"
 * @func: (scope notified) (closure user_data) (destroy destroy): the check
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Sets the syntax check: it must not look at the world, as it runs wherever
 * parameters are edited. It replaces any check set before.
 *
 * Since: 1.0
 */
void
hv_param_spec_set_syntax_check (HvParamSpec          *self,
                                const gchar          *message,
                                HvParamSpecCheckFunc  func,
                                gpointer              user_data,
                                GDestroyNotify        destroy)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (message != NULL);
  g_return_if_fail (func != NULL);

  hv_param_check_set (&self->syntax, message, func, user_data, destroy);
}

/**
 * hv_param_spec_set_node_check:
 * @self: a #HvParamSpec not yet shared
 * @message: what a failing check means, translated, as in "not found or
 *   not a file"
 * @func: (scope notified) (closure user_data) (destroy destroy): the check
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Sets the node check, which may look at the node it runs on. It replaces
 * any check set before.
 *
 * Since: 1.0
 */
void
hv_param_spec_set_node_check (HvParamSpec          *self,
                              const gchar          *message,
                              HvParamSpecCheckFunc  func,
                              gpointer              user_data,
                              GDestroyNotify        destroy)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (message != NULL);
  g_return_if_fail (func != NULL);

  hv_param_check_set (&self->node, message, func, user_data, destroy);
}

void
hv_param_spec_set_def_checks (HvParamSpec      *self,
                              const HvParamDef *def,
                              const gchar      *syntax_message)
{
  hv_param_check_clear (&self->syntax);
  hv_param_check_clear (&self->node);
  if (def->syntax_check != NULL)
    {
      self->syntax.def_func = def->syntax_check;
      self->syntax.def_data = def->data;
      self->syntax.message = g_strdup (syntax_message);
    }
  if (def->node_check != NULL)
    {
      self->node.def_func = def->node_check;
      self->node.def_data = def->data;
      if (def->node_message != NULL)
        self->node.message = g_strdup (g_dgettext (GETTEXT_PACKAGE, def->node_message));
    }
}

/* The value as hv_base prints it inside "(current value: '…')". */
static gchar *
hv_param_format_value (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (g_variant_get_boolean (value) ? "true" : "false");
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (value));
  return g_variant_print (value, FALSE);
}

static const gchar *
hv_param_describe_type (const GVariantType *value_type)
{
  if (g_variant_type_equal (value_type, G_VARIANT_TYPE_STRING))
    return _("a string");
  if (g_variant_type_equal (value_type, G_VARIANT_TYPE_BOOLEAN))
    return _("a boolean");
  if (g_variant_type_equal (value_type, G_VARIANT_TYPE_INT64))
    return _("an integer");
  return _("a value of another type");
}

static const gchar *
hv_param_message_or_default (const gchar *message)
{
  return message != NULL ? message : _("invalid value");
}

/* The checks common to syntax and node checks: missing, wrong type,
 * unspecified. Sets *skip when the value is unspecified and optional. */
static gboolean
hv_param_spec_check_value (const HvParamSpec  *self,
                           GVariant           *value,
                           gboolean           *skip,
                           GError            **error)
{
  *skip = FALSE;

  if (value == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter '%s' is missing"), self->name);
      return FALSE;
    }

  if (!g_variant_is_of_type (value, self->value_type))
    {
      g_autofree gchar *shown = hv_param_format_value (value);
      g_autofree gchar *expected = g_variant_type_dup_string (self->value_type);

      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter '%s' must be %s (type '%s'), not of type '%s' "
                     "(current value: '%s')"),
                   self->name, hv_param_describe_type (self->value_type), expected,
                   g_variant_get_type_string (value), shown);
      return FALSE;
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) &&
      *g_variant_get_string (value, NULL) == '\0')
    {
      if (!self->required)
        {
          *skip = TRUE;
          return TRUE;
        }
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter '%s' is required but is currently not defined"),
                   self->name);
      return FALSE;
    }

  return TRUE;
}

/**
 * hv_param_spec_check_syntax:
 * @self: a #HvParamSpec
 * @value: (nullable): the parameter's value, %NULL when it is missing
 * @error: return location for a #GError
 *
 * Checks one value as hv_base's `CheckParameterSyntax` does: a missing
 * value, a value of another type and an unspecified value of a required
 * parameter are refused; an unspecified value of an optional parameter
 * passes without running the check; otherwise the syntax check decides.
 * Every refusal is %HV_ERROR_INVALID_PARAMETER and names the parameter and,
 * where there is one, its current value.
 *
 * Returns: %TRUE if @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_spec_check_syntax (const HvParamSpec  *self,
                            GVariant           *value,
                            GError            **error)
{
  g_autoptr(GVariant) held = value != NULL ? g_variant_ref_sink (value) : NULL;
  gboolean skip;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!hv_param_spec_check_value (self, held, &skip, error))
    return FALSE;
  if (skip || hv_param_check_run (&self->syntax, held))
    return TRUE;

  {
    g_autofree gchar *shown = hv_param_format_value (held);

    g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                 _("Parameter '%s' fails syntax check: %s (current value: '%s')"),
                 self->name, hv_param_message_or_default (self->syntax.message), shown);
  }
  return FALSE;
}

/**
 * hv_param_spec_check_node:
 * @self: a #HvParamSpec
 * @value: (nullable): the parameter's value, %NULL when it is missing
 * @error: return location for a #GError
 *
 * Checks one value on this node as hv_base's `ValidateParameters` does: an
 * unspecified value of an optional parameter passes, otherwise the node
 * check decides. A missing value, a value of another type or an unspecified
 * value of a required parameter is refused with the same message as
 * hv_param_spec_check_syntax() gives (hv_base would fail on them in less
 * helpful ways).
 *
 * Returns: %TRUE if @value passes
 *
 * Since: 1.0
 */
gboolean
hv_param_spec_check_node (const HvParamSpec  *self,
                          GVariant           *value,
                          GError            **error)
{
  g_autoptr(GVariant) held = value != NULL ? g_variant_ref_sink (value) : NULL;
  gboolean skip;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!hv_param_spec_check_value (self, held, &skip, error))
    return FALSE;
  if (skip || hv_param_check_run (&self->node, held))
    return TRUE;

  {
    g_autofree gchar *shown = hv_param_format_value (held);

    g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                 _("Parameter '%s' fails validation: %s (current value: '%s')"),
                 self->name, hv_param_message_or_default (self->node.message), shown);
  }
  return FALSE;
}

/**
 * hv_param_specs_find:
 * @specs: (element-type HvParamSpec): a driver's parameters
 * @name: a parameter name
 *
 * Returns: (transfer none) (nullable): the spec called @name, or %NULL
 *
 * Since: 1.0
 */
HvParamSpec *
hv_param_specs_find (GPtrArray   *specs,
                     const gchar *name)
{
  g_return_val_if_fail (specs != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < specs->len; i++)
    {
      HvParamSpec *spec = g_ptr_array_index (specs, i);

      if (g_strcmp0 (spec->name, name) == 0)
        return spec;
    }
  return NULL;
}

/* name → value of an a{sv}. A lookup in a serialized a{sv} walks it and
 * makes a child for every entry it passes: over a whole table that was
 * most of the time of a check. */
static GHashTable *
hv_param_specs_index (GVariant *hvparams)
{
  GHashTable *index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_variant_unref);
  GVariantIter iter;
  gchar *name;
  GVariant *value;

  g_variant_iter_init (&iter, hvparams);
  while (g_variant_iter_next (&iter, "{sv}", &name, &value))
    {
      /* the first of two equal keys, as g_variant_lookup_value() finds */
      if (g_hash_table_contains (index, name))
        {
          g_free (name);
          g_variant_unref (value);
        }
      else
        g_hash_table_insert (index, name, value);
    }
  return index;
}

/**
 * hv_param_specs_check_syntax:
 * @specs: (element-type HvParamSpec): a driver's parameters
 * @hvparams: a complete set of hvparams, `a{sv}`
 * @error: return location for a #GError
 *
 * hv_base's `CheckParameterSyntax`: first every key of @hvparams must be a
 * parameter of @specs ("Parameter 'x' is not supported"), then each
 * parameter, in the order of @specs, must be present and pass
 * hv_param_spec_check_syntax(). The first failure is reported.
 *
 * Returns: %TRUE if @hvparams passes
 *
 * Since: 1.0
 */
gboolean
hv_param_specs_check_syntax (GPtrArray  *specs,
                             GVariant   *hvparams,
                             GError    **error)
{
  g_autoptr(GVariant) held = NULL;
  g_autoptr(GHashTable) index = NULL;
  GVariantIter iter;
  const gchar *key;

  g_return_val_if_fail (specs != NULL, FALSE);
  g_return_val_if_fail (hvparams != NULL, FALSE);
  g_return_val_if_fail (g_variant_is_of_type (hvparams, G_VARIANT_TYPE_VARDICT), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  held = g_variant_ref_sink (hvparams);

  g_variant_iter_init (&iter, held);
  while (g_variant_iter_next (&iter, "{&sv}", &key, NULL))
    {
      if (hv_param_specs_find (specs, key) == NULL)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Parameter '%s' is not supported"), key);
          return FALSE;
        }
    }

  index = hv_param_specs_index (held);
  for (guint i = 0; i < specs->len; i++)
    {
      HvParamSpec *spec = g_ptr_array_index (specs, i);

      if (!hv_param_spec_check_syntax (spec, g_hash_table_lookup (index, spec->name), error))
        return FALSE;
    }
  return TRUE;
}

/**
 * hv_param_specs_validate:
 * @specs: (element-type HvParamSpec): a driver's parameters
 * @hvparams: a complete set of hvparams, `a{sv}`, that passed
 *   hv_param_specs_check_syntax()
 * @error: return location for a #GError
 *
 * hv_base's `ValidateParameters`: each parameter, in the order of @specs,
 * must pass hv_param_spec_check_node() on this node ("Parameter 'x' fails
 * validation: …"). Keys that are not parameters are left to
 * hv_param_specs_check_syntax(). The first failure is reported.
 *
 * Returns: %TRUE if @hvparams passes
 *
 * Since: 1.0
 */
gboolean
hv_param_specs_validate (GPtrArray  *specs,
                         GVariant   *hvparams,
                         GError    **error)
{
  g_autoptr(GVariant) held = NULL;
  g_autoptr(GHashTable) index = NULL;

  g_return_val_if_fail (specs != NULL, FALSE);
  g_return_val_if_fail (hvparams != NULL, FALSE);
  g_return_val_if_fail (g_variant_is_of_type (hvparams, G_VARIANT_TYPE_VARDICT), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  held = g_variant_ref_sink (hvparams);

  index = hv_param_specs_index (held);
  for (guint i = 0; i < specs->len; i++)
    {
      HvParamSpec *spec = g_ptr_array_index (specs, i);

      if (!hv_param_spec_check_node (spec, g_hash_table_lookup (index, spec->name), error))
        return FALSE;
    }
  return TRUE;
}
