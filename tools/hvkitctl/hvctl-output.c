/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitctl"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <json-glib/json-glib.h>

#include "hvctl.h"

/* What hvkitctl prints: JSON (--json) from the a{sv} hvkitd answers with,
 * or plain `key: value` lines for people; and the JSON specs it reads. */

static void
hvctl_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree gchar *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static void
hvctl_print_plain (GVariant    *value,
                   const gchar *indent)
{
  GVariantIter iter;
  const gchar *key;
  GVariant *child;

  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT))
    {
      g_autofree gchar *text = g_variant_print (value, FALSE);

      g_print ("%s%s\n", indent, text);
      return;
    }
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &child))
    {
      g_autoptr(GVariant) held = child;

      if (g_variant_is_of_type (child, G_VARIANT_TYPE_VARDICT))
        {
          g_autofree gchar *deeper = g_strconcat (indent, "  ", NULL);

          g_print ("%s%s:\n", indent, key);
          hvctl_print_plain (child, deeper);
        }
      else if (g_variant_is_of_type (child, G_VARIANT_TYPE_STRING))
        g_print ("%s%s: %s\n", indent, key, g_variant_get_string (child, NULL));
      else
        {
          g_autofree gchar *text = g_variant_print (child, FALSE);

          g_print ("%s%s: %s\n", indent, key, text);
        }
    }
}

void
hvctl_print_variant (HvctlContext *ctx,
                     GVariant     *value)
{
  /* a new reference or a floating one: either way, this function's */
  g_autoptr(GVariant) held = g_variant_take_ref (value);

  if (ctx->json)
    {
      g_autoptr(JsonNode) node = json_gvariant_serialize (value);

      hvctl_print_json (node);
      return;
    }
  if (g_variant_is_of_type (value, G_VARIANT_TYPE ("aa{sv}")))
    {
      for (gsize i = 0; i < g_variant_n_children (value); i++)
        {
          g_autoptr(GVariant) child = g_variant_get_child_value (value, i);

          if (i > 0)
            g_print ("\n");
          hvctl_print_plain (child, "");
        }
      return;
    }
  hvctl_print_plain (value, "");
}

void
hvctl_print_strv (HvctlContext        *ctx,
                  const gchar * const *strv)
{
  if (ctx->json)
    {
      hvctl_print_variant (ctx, g_variant_new_strv (strv, -1));
      return;
    }
  for (gsize i = 0; strv[i] != NULL; i++)
    g_print ("%s\n", strv[i]);
}

/* SPEC: JSON text if it starts with '{', '-' for standard input, else the
 * name of a file holding JSON; its object becomes an a{sv} (numbers x or
 * d, strings s, booleans b, objects a{sv}, arrays of strings as). */
GVariant *
hvctl_parse_spec (const gchar  *spec,
                  const gchar  *what,
                  GError      **error)
{
  g_autofree gchar *text = NULL;
  g_autoptr(GError) local_error = NULL;
  GVariant *value;

  if (spec[0] == '{')
    text = g_strdup (spec);
  else if (g_str_equal (spec, "-"))
    {
      g_autoptr(GInputStream) input = g_unix_input_stream_new (0, FALSE);
      g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();

      if (g_output_stream_splice (output, input, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                  NULL, error) < 0)
        return NULL;
      text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (output)),
                        g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (output)));
    }
  else if (!g_file_get_contents (spec, &text, NULL, error))
    return NULL;

  value = json_gvariant_deserialize_data (text, -1, "a{sv}", &local_error);
  if (value == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("The %s is not a JSON object: %s"), what, local_error->message);
      return NULL;
    }
  return g_variant_ref_sink (value);
}
