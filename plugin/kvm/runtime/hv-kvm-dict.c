/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmRuntime"

#include "config.h"

#include <string.h>

#include "hv-kvm-dict.h"

typedef struct {
  gchar *key;
  GVariant *value;
} HvKvmDictEntry;

static void
hv_kvm_dict_entry_clear (gpointer data)
{
  HvKvmDictEntry *entry = data;

  g_free (entry->key);
  g_variant_unref (entry->value);
}

void
hv_kvm_dict_init (HvKvmDict *dict)
{
  dict->entries = g_array_sized_new (FALSE, FALSE, sizeof (HvKvmDictEntry), 16);
  g_array_set_clear_func (dict->entries, hv_kvm_dict_entry_clear);
}

void
hv_kvm_dict_clear (HvKvmDict *dict)
{
  g_clear_pointer (&dict->entries, g_array_unref);
}

static gint
hv_kvm_dict_find (HvKvmDict   *dict,
                  const gchar *key)
{
  for (guint i = 0; i < dict->entries->len; i++)
    if (strcmp (g_array_index (dict->entries, HvKvmDictEntry, i).key, key) == 0)
      return i;
  return -1;
}

/* Sets @key to @value (a floating reference is taken), replacing it. */
void
hv_kvm_dict_add (HvKvmDict   *dict,
                 const gchar *key,
                 GVariant    *value)
{
  HvKvmDictEntry entry = { g_strdup (key), g_variant_ref_sink (value) };
  gint index = hv_kvm_dict_find (dict, key);

  if (index >= 0)
    g_array_remove_index_fast (dict->entries, index);
  g_array_append_val (dict->entries, entry);
}

/* Adds every entry of the a{sv} @asv. */
void
hv_kvm_dict_add_all (HvKvmDict *dict,
                     GVariant  *asv)
{
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  g_variant_iter_init (&iter, asv);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      hv_kvm_dict_add (dict, key, value);
      g_variant_unref (value);
    }
}

/* The value of @key, or NULL; (transfer none). */
GVariant *
hv_kvm_dict_lookup (HvKvmDict   *dict,
                    const gchar *key)
{
  gint index = hv_kvm_dict_find (dict, key);

  return index >= 0 ? g_array_index (dict->entries, HvKvmDictEntry, index).value : NULL;
}

gboolean
hv_kvm_dict_remove (HvKvmDict   *dict,
                    const gchar *key)
{
  gint index = hv_kvm_dict_find (dict, key);

  if (index < 0)
    return FALSE;
  g_array_remove_index_fast (dict->entries, index);
  return TRUE;
}

static gint
hv_kvm_dict_compare (gconstpointer a,
                     gconstpointer b)
{
  return strcmp (((const HvKvmDictEntry *) a)->key, ((const HvKvmDictEntry *) b)->key);
}

/* The a{sv}, sorted by key, as a new non-floating reference; @dict is
 * left empty. */
GVariant *
hv_kvm_dict_end (HvKvmDict *dict)
{
  guint n = dict->entries->len;
  g_autofree GVariant **children = g_new (GVariant *, n + 1);

  g_array_sort (dict->entries, hv_kvm_dict_compare);
  for (guint i = 0; i < n; i++)
    {
      HvKvmDictEntry *entry = &g_array_index (dict->entries, HvKvmDictEntry, i);

      children[i] = g_variant_new_dict_entry (g_variant_new_string (entry->key),
                                              g_variant_new_variant (entry->value));
    }
  g_array_set_size (dict->entries, 0);
  return g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), children, n));
}
