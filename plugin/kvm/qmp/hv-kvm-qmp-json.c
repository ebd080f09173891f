/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmQmp"

#include "config.h"

#include <math.h>

#include "hv-kvm-qmp-json.h"

static JsonNode *
get_value_member (JsonObject  *object,
                  const gchar *member,
                  GType        value_type)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != value_type)
    return NULL;
  return node;
}

const gchar *
hv_kvm_qmp_json_get_string (JsonObject  *object,
                            const gchar *member)
{
  JsonNode *node = get_value_member (object, member, G_TYPE_STRING);

  return node != NULL ? json_node_get_string (node) : NULL;
}

JsonObject *
hv_kvm_qmp_json_get_object (JsonObject  *object,
                            const gchar *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
hv_kvm_qmp_json_get_array (JsonObject  *object,
                           const gchar *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gboolean
hv_kvm_qmp_json_get_int (JsonObject  *object,
                         const gchar *member,
                         gint64      *out_value)
{
  JsonNode *node = get_value_member (object, member, G_TYPE_INT64);

  if (node == NULL)
    return FALSE;
  *out_value = json_node_get_int (node);
  return TRUE;
}

gboolean
hv_kvm_qmp_json_get_boolean (JsonObject  *object,
                             const gchar *member,
                             gboolean    *out_value)
{
  JsonNode *node = get_value_member (object, member, G_TYPE_BOOLEAN);

  if (node == NULL)
    return FALSE;
  *out_value = json_node_get_boolean (node);
  return TRUE;
}

/* For messages: "returned a string where an object was expected". */
const gchar *
hv_kvm_qmp_json_node_type_name (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_INT64:
      return "an integer";
    default:
      return "a number";
    }
}

void
hv_kvm_qmp_json_append_string (GString     *out,
                               const gchar *value)
{
  const guchar *p;

  g_string_append_c (out, '"');
  for (p = (const guchar *) value; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (gchar) *p);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_value (GString  *out,
              JsonNode *node)
{
  gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      hv_kvm_qmp_json_append_string (out, json_node_get_string (node));
      break;
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    case G_TYPE_DOUBLE:
      /* JSON has no NaN or infinity */
      if (isfinite (json_node_get_double (node)))
        g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
      else
        g_string_append (out, "null");
      break;
    default:
      g_string_append (out, "null");
    }
}

void
hv_kvm_qmp_json_append_object (GString    *out,
                               JsonObject *object)
{
  JsonObjectIter iter;
  const gchar *name;
  JsonNode *member;
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  /* in insertion order, so that what is sent reads like what was built */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      hv_kvm_qmp_json_append_string (out, name);
      g_string_append_c (out, ':');
      hv_kvm_qmp_json_append_node (out, member);
    }
  g_string_append_c (out, '}');
}

/* A compact writer for what hvkit sends: one line without a blank, no copy
 * of the tree and no GObject notifications, unlike JsonGenerator. */
void
hv_kvm_qmp_json_append_node (GString  *out,
                             JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      hv_kvm_qmp_json_append_object (out, json_node_get_object (node));
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            hv_kvm_qmp_json_append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
        break;
      }
    case JSON_NODE_VALUE:
      append_value (out, node);
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
    }
}
