/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvVariant"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-error.h"
#include "hv-variant-private.h"

/* The keys a record carried that no property of the object knows, as a
 * sorted a{sv}; kept on the object itself so that every type shares it. */
static GQuark
hv_variant_unknown_quark (void)
{
  return g_quark_from_static_string ("hv-variant-unknown-keys");
}

GVariant *
hv_variant_new_empty_dict (void)
{
  return g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
}

/* g_set_str() is GLib 2.76; hvkit builds with 2.74 */
gboolean
hv_set_str (gchar      **pointer,
            const gchar *value)
{
  if (g_strcmp0 (*pointer, value) == 0)
    return FALSE;
  g_free (*pointer);
  *pointer = g_strdup (value);
  return TRUE;
}

gboolean
hv_set_strv (gchar             ***pointer,
             const gchar * const *value)
{
  if (*pointer == NULL && value == NULL)
    return FALSE;
  if (*pointer != NULL && value != NULL &&
      g_strv_equal ((const gchar * const *) *pointer, value))
    return FALSE;
  g_strfreev (*pointer);
  *pointer = g_strdupv ((gchar **) value);
  return TRUE;
}

gboolean
hv_set_variant (GVariant **pointer,
                GVariant  *value)
{
  g_autoptr(GVariant) owned = value != NULL ? g_variant_ref_sink (value) : NULL;

  if (*pointer == NULL && owned == NULL)
    return FALSE;
  if (*pointer != NULL && owned != NULL && g_variant_equal (*pointer, owned))
    return FALSE;
  g_clear_pointer (pointer, g_variant_unref);
  *pointer = g_steal_pointer (&owned);
  return TRUE;
}

void
hv_variant_set_type_error (GError     **error,
                           const gchar *key,
                           GVariant    *value,
                           const gchar *type,
                           const gchar *alt_type)
{
  if (alt_type != NULL)
    g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                 _("Key '%s' has type '%s', expected type '%s' or '%s'"),
                 key, g_variant_get_type_string (value), type, alt_type);
  else
    g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                 _("Key '%s' has type '%s', expected type '%s'"),
                 key, g_variant_get_type_string (value), type);
}

gboolean
hv_variant_lookup (GVariant           *dict,
                   const gchar        *key,
                   const GVariantType *type,
                   GVariant          **out_value,
                   GError            **error)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, key, NULL);

  *out_value = NULL;
  if (value == NULL)
    return TRUE;
  if (!g_variant_is_of_type (value, type))
    {
      g_autofree gchar *expected = g_variant_type_dup_string (type);

      hv_variant_set_type_error (error, key, value, expected, NULL);
      return FALSE;
    }
  *out_value = g_steal_pointer (&value);
  return TRUE;
}

gboolean
hv_variant_check_keys (GVariant           *dict,
                       const gchar        *dict_key,
                       const HvVariantKey *keys,
                       gsize               n_keys,
                       GError            **error)
{
  for (gsize i = 0; i < n_keys; i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (dict, keys[i].key, NULL);

      if (value == NULL)
        continue;
      if (g_variant_is_of_type (value, G_VARIANT_TYPE (keys[i].type)))
        continue;
      if (keys[i].alt_type != NULL &&
          g_variant_is_of_type (value, G_VARIANT_TYPE (keys[i].alt_type)))
        continue;

      {
        g_autofree gchar *path = g_strdup_printf ("%s.%s", dict_key, keys[i].key);

        hv_variant_set_type_error (error, path, value, keys[i].type, keys[i].alt_type);
        return FALSE;
      }
    }
  return TRUE;
}

/* A property takes part in the a{sv} form when it is read-write and can be
 * set after construction; its key is its name with '_' for '-'. */
static GParamSpec *
hv_variant_find_property (GObject     *object,
                          const gchar *key)
{
  g_autofree gchar *name = NULL;
  GParamSpec *pspec;

  if (strchr (key, '-') != NULL)
    return NULL;
  name = g_strdelimit (g_strdup (key), "_", '-');
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  if (pspec == NULL ||
      (pspec->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE ||
      (pspec->flags & G_PARAM_CONSTRUCT_ONLY) != 0)
    return NULL;
  return pspec;
}

static const GVariantType *
hv_variant_type_for_pspec (GParamSpec *pspec)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  if (G_IS_PARAM_SPEC_VARIANT (pspec))
    return G_PARAM_SPEC_VARIANT (pspec)->type;
  if (type == G_TYPE_STRING || G_TYPE_IS_ENUM (type))
    return G_VARIANT_TYPE_STRING;
  if (type == G_TYPE_INT)
    return G_VARIANT_TYPE_INT32;
  if (type == G_TYPE_INT64)
    return G_VARIANT_TYPE_INT64;
  if (type == G_TYPE_DOUBLE)
    return G_VARIANT_TYPE_DOUBLE;
  if (type == G_TYPE_BOOLEAN)
    return G_VARIANT_TYPE_BOOLEAN;
  if (type == G_TYPE_STRV)
    return G_VARIANT_TYPE_STRING_ARRAY;
  g_return_val_if_reached (NULL);
}

static gboolean
hv_variant_enum_from_nick (GParamSpec  *pspec,
                           const gchar *key,
                           const gchar *nick,
                           GValue      *value,
                           GError     **error)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (G_PARAM_SPEC_VALUE_TYPE (pspec));
  GEnumValue *enum_value = g_enum_get_value_by_nick (klass, nick);
  g_autoptr(GString) nicks = NULL;

  if (enum_value != NULL)
    {
      g_value_set_enum (value, enum_value->value);
      return TRUE;
    }

  nicks = g_string_new (NULL);
  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (nicks, "%s%s", i > 0 ? ", " : "", klass->values[i].value_nick);
  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
               _("Key '%s' has the value '%s', expected one of: %s"),
               key, nick, nicks->str);
  return FALSE;
}

static gboolean
hv_variant_to_value (GParamSpec  *pspec,
                     const gchar *key,
                     GVariant    *variant,
                     GValue      *value,
                     GError     **error)
{
  const GVariantType *type = hv_variant_type_for_pspec (pspec);
  GType value_type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  if (!g_variant_is_of_type (variant, type))
    {
      g_autofree gchar *expected = g_variant_type_dup_string (type);

      hv_variant_set_type_error (error, key, variant, expected, NULL);
      return FALSE;
    }

  g_value_init (value, value_type);
  if (G_IS_PARAM_SPEC_VARIANT (pspec))
    g_value_set_variant (value, variant);
  else if (G_TYPE_IS_ENUM (value_type))
    return hv_variant_enum_from_nick (pspec, key, g_variant_get_string (variant, NULL),
                                      value, error);
  else if (value_type == G_TYPE_STRING)
    g_value_set_string (value, g_variant_get_string (variant, NULL));
  else if (value_type == G_TYPE_INT)
    g_value_set_int (value, g_variant_get_int32 (variant));
  else if (value_type == G_TYPE_INT64)
    g_value_set_int64 (value, g_variant_get_int64 (variant));
  else if (value_type == G_TYPE_DOUBLE)
    g_value_set_double (value, g_variant_get_double (variant));
  else if (value_type == G_TYPE_BOOLEAN)
    g_value_set_boolean (value, g_variant_get_boolean (variant));
  else if (value_type == G_TYPE_STRV)
    g_value_take_boxed (value, g_variant_dup_strv (variant, NULL));

  /* the property's own bounds (pci >= -1, sizes >= 0, …) */
  if (g_param_value_validate (pspec, value))
    {
      g_autofree gchar *text = g_variant_print (variant, FALSE);

      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Key '%s' has the value %s, which is out of range"), key, text);
      return FALSE;
    }
  return TRUE;
}

gboolean
hv_variant_read_object (GObject             *object,
                        GVariant            *dict,
                        const gchar * const *own_keys,
                        GError             **error)
{
  g_auto(GVariantDict) unknown = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GVariant) unknown_dict = NULL;
  GVariantIter iter;
  const gchar *key;
  GVariant *child;

  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);
  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), FALSE);

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &child))
    {
      g_autoptr(GVariant) variant = child;
      g_auto(GValue) value = G_VALUE_INIT;
      GParamSpec *pspec;

      if (own_keys != NULL && g_strv_contains (own_keys, key))
        continue;

      pspec = hv_variant_find_property (object, key);
      if (pspec == NULL)
        {
          g_variant_dict_insert_value (&unknown, key, variant);
          continue;
        }
      if (!hv_variant_to_value (pspec, key, variant, &value, error))
        return FALSE;
      g_object_set_property (object, pspec->name, &value);
    }

  unknown_dict = hv_variant_dict_end_sorted (&unknown);
  if (g_variant_n_children (unknown_dict) > 0)
    g_object_set_qdata_full (object, hv_variant_unknown_quark (),
                             g_steal_pointer (&unknown_dict),
                             (GDestroyNotify) g_variant_unref);
  else
    g_object_set_qdata (object, hv_variant_unknown_quark (), NULL);
  return TRUE;
}

static GVariant *
hv_variant_from_value (GParamSpec   *pspec,
                       const GValue *value)
{
  GType value_type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  if (G_IS_PARAM_SPEC_VARIANT (pspec))
    return g_value_get_variant (value);
  if (G_TYPE_IS_ENUM (value_type))
    {
      g_autoptr(GEnumClass) klass = g_type_class_ref (value_type);
      GEnumValue *enum_value = g_enum_get_value (klass, g_value_get_enum (value));

      return enum_value != NULL ? g_variant_new_string (enum_value->value_nick) : NULL;
    }
  if (value_type == G_TYPE_STRING)
    return g_value_get_string (value) != NULL ?
           g_variant_new_string (g_value_get_string (value)) : NULL;
  if (value_type == G_TYPE_INT)
    return g_variant_new_int32 (g_value_get_int (value));
  if (value_type == G_TYPE_INT64)
    return g_variant_new_int64 (g_value_get_int64 (value));
  if (value_type == G_TYPE_DOUBLE)
    return g_variant_new_double (g_value_get_double (value));
  if (value_type == G_TYPE_BOOLEAN)
    return g_variant_new_boolean (g_value_get_boolean (value));
  if (value_type == G_TYPE_STRV)
    return g_value_get_boxed (value) != NULL ?
           g_variant_new_strv (g_value_get_boxed (value), -1) : NULL;
  g_return_val_if_reached (NULL);
}

/* The properties of a type that take part in its a{sv} form, with their
 * keys, sorted by key: found once per type (a class's property list does
 * not change), and kept for the life of the process as the class is. */
typedef struct {
  GParamSpec *pspec;
  gchar *key;
} HvVariantProperty;

typedef struct {
  guint n;
  HvVariantProperty properties[];
} HvVariantProperties;

static gint
hv_variant_compare_properties (gconstpointer a,
                               gconstpointer b)
{
  return strcmp (((const HvVariantProperty *) a)->key, ((const HvVariantProperty *) b)->key);
}

static const HvVariantProperties *
hv_variant_get_properties (GObject *object)
{
  static GMutex lock;
  static GQuark quark;
  GType type = G_OBJECT_TYPE (object);
  HvVariantProperties *properties;

  g_mutex_lock (&lock);
  if (quark == 0)
    quark = g_quark_from_static_string ("hv-variant-properties");
  properties = g_type_get_qdata (type, quark);
  if (properties == NULL)
    {
      g_autofree GParamSpec **pspecs = NULL;
      guint n_pspecs = 0;

      pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n_pspecs);
      properties = g_malloc (sizeof (HvVariantProperties) + n_pspecs * sizeof (HvVariantProperty));
      properties->n = 0;
      for (guint i = 0; i < n_pspecs; i++)
        {
          gchar *key = g_strdelimit (g_strdup (pspecs[i]->name), "-", '_');

          if (hv_variant_find_property (object, key) != pspecs[i])
            {
              g_free (key);
              continue;
            }
          properties->properties[properties->n++] = (HvVariantProperty) { pspecs[i], key };
        }
      if (properties->n > 1)
        qsort (properties->properties, properties->n, sizeof (HvVariantProperty),
               hv_variant_compare_properties);
      g_type_set_qdata (type, quark, properties);
    }
  g_mutex_unlock (&lock);
  return properties;
}

/* The value of @property of @object in its a{sv} form (floating, or not
 * when a GVariant property's own), or NULL for an unset one. */
static GVariant *
hv_variant_read_property (GObject                 *object,
                          const HvVariantProperty *property,
                          GValue                  *value)
{
  g_value_init (value, G_PARAM_SPEC_VALUE_TYPE (property->pspec));
  g_object_get_property (object, property->pspec->name, value);
  return hv_variant_from_value (property->pspec, value);
}

GVariantDict *
hv_variant_write_object (GObject *object)
{
  GVariant *unknown = g_object_get_qdata (object, hv_variant_unknown_quark ());
  GVariantDict *dict = g_variant_dict_new (unknown);
  const HvVariantProperties *properties = hv_variant_get_properties (object);

  for (guint i = 0; i < properties->n; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      GVariant *variant = hv_variant_read_property (object, &properties->properties[i], &value);

      if (variant != NULL)
        g_variant_dict_insert_value (dict, properties->properties[i].key, variant);
    }
  return dict;
}

/* hv_variant_write_object() and hv_variant_dict_end_sorted() in one, for
 * an object whose form has no other keys: the entries made in their
 * order, without a dictionary to sort (hvkitd converts an object for
 * each reply it sends; a hot-add converts its device). An object that
 * kept unknown keys goes the long way. */
GVariant *
hv_variant_object_to_dict (GObject *object)
{
  GVariant *unknown = g_object_get_qdata (object, hv_variant_unknown_quark ());
  const HvVariantProperties *properties;
  g_autofree GVariant **children = NULL;
  gsize n = 0;

  if (unknown != NULL && g_variant_n_children (unknown) > 0)
    {
      g_autoptr(GVariantDict) dict = hv_variant_write_object (object);

      return hv_variant_dict_end_sorted (dict);
    }
  properties = hv_variant_get_properties (object);
  children = g_new (GVariant *, properties->n + 1);
  for (guint i = 0; i < properties->n; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      GVariant *variant = hv_variant_read_property (object, &properties->properties[i], &value);

      if (variant != NULL)
        children[n++] = g_variant_new_dict_entry (g_variant_new_string (properties->properties[i].key),
                                                  g_variant_new_variant (variant));
    }
  return g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), children, n));
}

typedef struct {
  const gchar *key;
  GVariant *entry;
} HvVariantEntry;

static gint
hv_variant_compare_entries (gconstpointer a,
                            gconstpointer b)
{
  return strcmp (((const HvVariantEntry *) a)->key, ((const HvVariantEntry *) b)->key);
}

/* Ends @dict into an a{sv} sorted by key: the same object always gives the
 * same bytes, which the runtime store's checksums and golden files rely on.
 * Each key is read once, not in every comparison (through a format string):
 * hvkitd converts an object for each reply it sends. */
GVariant *
hv_variant_dict_end_sorted (GVariantDict *dict)
{
  g_autoptr(GVariant) unsorted = g_variant_ref_sink (g_variant_dict_end (dict));
  gsize n = g_variant_n_children (unsorted);
  g_autofree HvVariantEntry *entries = g_new (HvVariantEntry, n);
  g_autofree GVariant **sorted = g_new (GVariant *, n);
  GVariant *result;

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) key = NULL;

      entries[i].entry = g_variant_get_child_value (unsorted, i);
      key = g_variant_get_child_value (entries[i].entry, 0);
      /* the string's bytes belong to the entry, which outlives the sort */
      entries[i].key = g_variant_get_string (key, NULL);
    }
  if (n > 1)   /* g_new (…, 0) is NULL, which qsort must not get */
    qsort (entries, n, sizeof *entries, hv_variant_compare_entries);
  for (gsize i = 0; i < n; i++)
    sorted[i] = entries[i].entry;
  result = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), sorted, n));
  for (gsize i = 0; i < n; i++)
    g_variant_unref (entries[i].entry);
  return result;
}
