/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmRuntime"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-kvm-runtime-ganeti.h"

/* Ganeti's JSON runtime files: reading one, checking its shape, and
 * turning it, once the rules of hv-kvm-runtime-ganeti-rules.c have run,
 * into an HvKvmRuntime. */

/* A runtime file is a few kilobytes; nothing in it nests deeper than a
 * disk's children. The bounds keep json-glib's and this file's recursion
 * and allocations small whatever the input. */
#define HV_KVM_GANETI_MAX_SIZE  (16u * 1024u * 1024u)
#define HV_KVM_GANETI_MAX_DEPTH 64

static gboolean
hv_kvm_ganeti_error (GError      **error,
                     const gchar  *format,
                     ...) G_GNUC_PRINTF (2, 3);

static gboolean
hv_kvm_ganeti_error (GError      **error,
                     const gchar  *format,
                     ...)
{
  va_list args;

  if (error == NULL)
    return FALSE;
  va_start (args, format);
  *error = g_error_new_valist (HV_ERROR, HV_ERROR_RUNTIME_CORRUPT, format, args);
  va_end (args);
  return FALSE;
}

/* Checks the outline of the text before json-glib parses it: how deep [
 * and { nest outside strings (bounding json-glib's recursion and this
 * file's), and that the document is one list with nothing after it
 * (json-glib 1.6 leaks what it parsed when a value is followed by more). */
static gboolean
hv_kvm_ganeti_json_outline (const gchar  *data,
                            gsize         length,
                            GError      **error)
{
  guint depth = 0;
  gboolean in_string = FALSE, started = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      gchar c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (started && depth == 0 && !g_ascii_isspace (c))
        return hv_kvm_ganeti_error (error, _("it has more after its JSON list"));
      if (!started && !g_ascii_isspace (c))
        {
          if (c != '[')
            return hv_kvm_ganeti_error (error, _("it is not a JSON list"));
          started = TRUE;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > HV_KVM_GANETI_MAX_DEPTH)
            return hv_kvm_ganeti_error (error, _("its JSON nests deeper than %d levels"),
                                        HV_KVM_GANETI_MAX_DEPTH);
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

/* Ganeti's files start with '[' (after white space); hvkit's with a magic. */
gboolean
hv_kvm_runtime_data_is_ganeti (const gchar *data,
                               gsize        length)
{
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isspace (data[i]))
        return data[i] == '[';
    }
  return FALSE;
}

void
hv_kvm_ganeti_runtime_free (HvKvmGanetiRuntime *runtime)
{
  if (runtime == NULL)
    return;
  g_clear_pointer (&runtime->argv, g_ptr_array_unref);
  g_clear_pointer (&runtime->nics, g_ptr_array_unref);
  g_clear_pointer (&runtime->hvparams, json_object_unref);
  g_clear_pointer (&runtime->disks, g_ptr_array_unref);
  g_clear_pointer (&runtime->extra, g_ptr_array_unref);
  g_free (runtime);
}

static gboolean
hv_kvm_ganeti_node_is (JsonNode *node,
                       GType     value_type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == value_type;
}

/* The keys the rules read must have the type they expect. */
static gboolean
hv_kvm_ganeti_check_device (JsonObject   *device,
                            const gchar  *what,
                            guint         index,
                            GError      **error)
{
  JsonNode *uuid = json_object_get_member (device, "uuid");
  JsonNode *pci = json_object_get_member (device, "pci");
  JsonNode *hvinfo = json_object_get_member (device, "hvinfo");

  if (uuid != NULL && !JSON_NODE_HOLDS_NULL (uuid) && !hv_kvm_ganeti_node_is (uuid, G_TYPE_STRING))
    return hv_kvm_ganeti_error (error, _("%s %u: its uuid is not a string"), what, index);
  if (pci != NULL && !JSON_NODE_HOLDS_NULL (pci) && !hv_kvm_ganeti_node_is (pci, G_TYPE_INT64))
    return hv_kvm_ganeti_error (error, _("%s %u: its pci slot is not an integer"), what, index);
  if (hvinfo != NULL && !JSON_NODE_HOLDS_OBJECT (hvinfo))
    return hv_kvm_ganeti_error (error, _("%s %u: its hvinfo is not an object"), what, index);
  return TRUE;
}

static gboolean
hv_kvm_ganeti_parse_argv (HvKvmGanetiRuntime  *runtime,
                          JsonNode            *node,
                          GError             **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return hv_kvm_ganeti_error (error, _("its first entry, the command line, is not a list"));
  array = json_node_get_array (node);
  runtime->argv = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *arg = json_array_get_element (array, i);

      /* Ganeti 1.2/2.0 put -m and -smp values in as numbers. */
      if (hv_kvm_ganeti_node_is (arg, G_TYPE_INT64))
        g_ptr_array_add (runtime->argv, g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (arg)));
      else if (hv_kvm_ganeti_node_is (arg, G_TYPE_STRING))
        g_ptr_array_add (runtime->argv, g_strdup (json_node_get_string (arg)));
      else
        return hv_kvm_ganeti_error (error, _("command line argument %u is not a string"), i);
    }
  return TRUE;
}

static gboolean
hv_kvm_ganeti_parse_nics (HvKvmGanetiRuntime  *runtime,
                          JsonNode            *node,
                          GError             **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return hv_kvm_ganeti_error (error, _("its second entry, the NICs, is not a list"));
  array = json_node_get_array (node);
  runtime->nics = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *nic = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_OBJECT (nic))
        return hv_kvm_ganeti_error (error, _("NIC %u is not an object"), i);
      if (!hv_kvm_ganeti_check_device (json_node_get_object (nic), _("NIC"), i, error))
        return FALSE;
      g_ptr_array_add (runtime->nics, json_object_ref (json_node_get_object (nic)));
    }
  return TRUE;
}

static gboolean
hv_kvm_ganeti_parse_disks (HvKvmGanetiRuntime  *runtime,
                           JsonNode            *node,
                           GError             **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return hv_kvm_ganeti_error (error, _("its fourth entry, the disks, is not a list"));
  array = json_node_get_array (node);
  runtime->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) json_array_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *entry_node = json_array_get_element (array, i);
      JsonArray *entry;
      guint n;

      if (!JSON_NODE_HOLDS_ARRAY (entry_node))
        return hv_kvm_ganeti_error (error, _("disk %u is not a list"), i);
      entry = json_node_get_array (entry_node);
      n = json_array_get_length (entry);
      if (n < 2 || n > 3
          || !JSON_NODE_HOLDS_OBJECT (json_array_get_element (entry, 0))
          || !hv_kvm_ganeti_node_is (json_array_get_element (entry, 1), G_TYPE_STRING)
          || (n == 3 && !JSON_NODE_HOLDS_NULL (json_array_get_element (entry, 2))
              && !hv_kvm_ganeti_node_is (json_array_get_element (entry, 2), G_TYPE_STRING)))
        return hv_kvm_ganeti_error (error, _("disk %u is not [disk, link] or [disk, link, uri]"), i);
      if (!hv_kvm_ganeti_check_device (json_array_get_object_element (entry, 0), _("disk"), i, error))
        return FALSE;
      g_ptr_array_add (runtime->disks, json_array_ref (entry));
    }
  return TRUE;
}

/* Whether every string and member name under @node is valid UTF-8:
 * json-glib 1.6 turns escapes such as "\777" into bytes that are not, and
 * GVariant refuses them. The depth was bounded before parsing. */
static gboolean
hv_kvm_ganeti_strings_valid (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const gchar *key;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &key, &member))
          if (!g_utf8_validate (key, -1, NULL) || !hv_kvm_ganeti_strings_valid (member))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!hv_kvm_ganeti_strings_valid (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) != G_TYPE_STRING
             || g_utf8_validate (json_node_get_string (node), -1, NULL);
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

static gboolean
hv_kvm_ganeti_parse_entries (HvKvmGanetiRuntime  *runtime,
                             const gchar         *data,
                             gsize                length,
                             GError             **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonArray *entries;
  JsonNode *root;
  guint n;

  if (length > HV_KVM_GANETI_MAX_SIZE)
    return hv_kvm_ganeti_error (error, _("it is larger than 16 MiB"));
  if (!g_utf8_validate_len (data, length, NULL))
    return hv_kvm_ganeti_error (error, _("it is not UTF-8 text"));
  if (!hv_kvm_ganeti_json_outline (data, length, error))
    return FALSE;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    return hv_kvm_ganeti_error (error, _("it is not JSON: %s"), local_error->message);

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return hv_kvm_ganeti_error (error, _("it is not a JSON list"));
  if (!hv_kvm_ganeti_strings_valid (root))
    return hv_kvm_ganeti_error (error, _("a string in it is not valid UTF-8"));
  entries = json_node_get_array (root);
  n = json_array_get_length (entries);
  if (n < 3)
    return hv_kvm_ganeti_error (error, _("it has %u entries where Ganeti writes 3 or 4"), n);
  if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (entries, 2)))
    return hv_kvm_ganeti_error (error, _("its third entry, the hvparams, is not an object"));

  if (!hv_kvm_ganeti_parse_argv (runtime, json_array_get_element (entries, 0), error)
      || !hv_kvm_ganeti_parse_nics (runtime, json_array_get_element (entries, 1), error)
      || (n >= 4 && !hv_kvm_ganeti_parse_disks (runtime, json_array_get_element (entries, 3), error)))
    return FALSE;
  runtime->hvparams = json_node_dup_object (json_array_get_element (entries, 2));
  runtime->extra = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  for (guint i = 4; i < n; i++)
    g_ptr_array_add (runtime->extra, json_node_copy (json_array_get_element (entries, i)));
  return TRUE;
}

/* Reads a runtime file and checks its shape; errors are
 * HV_ERROR_RUNTIME_CORRUPT with the reason only. */
HvKvmGanetiRuntime *
hv_kvm_ganeti_runtime_parse (const gchar  *data,
                             gsize         length,
                             GError      **error)
{
  g_autoptr(HvKvmGanetiRuntime) runtime = g_new0 (HvKvmGanetiRuntime, 1);

  if (!hv_kvm_ganeti_parse_entries (runtime, data, length, error))
    return NULL;
  return g_steal_pointer (&runtime);
}
