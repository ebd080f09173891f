/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "hvkit-runtime"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "hv-kvm-runtime-ganeti.h"

/* hvkit-runtime: shows a KVM runtime record, hvkit's or Ganeti's, as
 * JSON, and converts Ganeti's into hvkit's. */

#define HV_RUNTIME_TOOL_MAX_SIZE (16 * 1024 * 1024)

static GBytes *
read_file (const gchar  *path,
           GError      **error)
{
  g_autofree gchar *contents = NULL;
  gsize length = 0;
  GStatBuf st;

  if (g_stat (path, &st) == 0 && st.st_size > HV_RUNTIME_TOOL_MAX_SIZE)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
                   _("Runtime record '%s' is corrupt: %s"), path, _("it is larger than 16 MiB"));
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

/* The instance name a Ganeti file's name gives: "inst1.example.com.runtime"
 * is inst1.example.com's. */
static gchar *
name_from_path (const gchar *path)
{
  g_autofree gchar *basename = g_path_get_basename (path);

  if (g_str_has_suffix (basename, ".runtime"))
    basename[strlen (basename) - strlen (".runtime")] = '\0';
  return g_steal_pointer (&basename);
}

static HvKvmRuntime *
load_any (const gchar  *path,
          const gchar **out_format,
          GError      **error)
{
  g_autoptr(GBytes) bytes = read_file (path, error);
  g_autoptr(HvRuntimeStore) store = NULL;
  g_autofree gchar *name = NULL;
  gsize length;
  const gchar *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &length);
  if (hv_kvm_runtime_data_is_ganeti (data, length))
    {
      *out_format = "ganeti";
      name = name_from_path (path);
      return hv_kvm_runtime_new_from_ganeti (data, length, name, path, error);
    }

  *out_format = "hvkit";
  store = hv_kvm_runtime_store_new (NULL);
  return hv_kvm_runtime_new_from_bytes (store, bytes, path, error);
}

static gboolean
dump (const gchar  *path,
      GError      **error)
{
  g_autoptr(HvKvmRuntime) runtime = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GVariant) record = NULL;
  g_autofree gchar *text = NULL;
  const gchar *format = NULL;

  runtime = load_any (path, &format, error);
  if (runtime == NULL)
    return FALSE;
  record = hv_kvm_runtime_to_variant (runtime);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, path);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, format);
  /* Ganeti's files have no version; an imported record is hvkit's current */
  json_builder_set_member_name (builder, "version");
  if (g_str_equal (format, "hvkit"))
    json_builder_add_int_value (builder, runtime->version);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "record");
  json_builder_add_value (builder, json_gvariant_serialize (record));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
  return TRUE;
}

static gboolean
import (const gchar  *path,
        const gchar  *out_path,
        GError      **error)
{
  g_autoptr(GBytes) bytes = read_file (path, error);
  g_autoptr(HvRuntimeStore) store = hv_kvm_runtime_store_new (NULL);
  g_autoptr(HvKvmRuntime) runtime = NULL;
  g_autoptr(GBytes) record = NULL;
  g_autofree gchar *name = NULL;
  gsize length;
  const gchar *data;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &length);
  if (!hv_kvm_runtime_data_is_ganeti (data, length))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("'%s' is not a Ganeti runtime file (a JSON list)"), path);
      return FALSE;
    }

  name = name_from_path (path);
  runtime = hv_kvm_runtime_new_from_ganeti (data, length, name, path, error);
  if (runtime == NULL)
    return FALSE;
  record = hv_kvm_runtime_to_migration_info (store, runtime, error);
  if (record == NULL)
    return FALSE;

  return g_file_set_contents_full (out_path, g_bytes_get_data (record, NULL), g_bytes_get_size (record),
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version"), NULL },
    { NULL }
  };
  gboolean ok;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, HV_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("dump FILE | import GANETI_FILE OUT"));
  g_option_context_set_summary (context,
                                _("dump FILE: print a KVM runtime record, hvkit's or Ganeti's, as JSON\n"
                                  "import GANETI_FILE OUT: convert a Ganeti runtime file into an hvkit record"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("hvkit-runtime: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("hvkit-runtime %s\n", HV_VERSION);
      return 0;
    }

  if (argc == 3 && g_str_equal (argv[1], "dump"))
    ok = dump (argv[2], &error);
  else if (argc == 4 && g_str_equal (argv[1], "import"))
    ok = import (argv[2], argv[3], &error);
  else
    {
      g_autofree gchar *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return 2;
    }

  if (!ok)
    {
      g_printerr ("hvkit-runtime: %s\n", error->message);
      return 1;
    }
  return 0;
}
