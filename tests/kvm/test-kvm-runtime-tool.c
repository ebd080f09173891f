/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* The installed tool hvkit-runtime, run as a user would run it: its output,
 * its exit status and its messages. HVKIT_RUNTIME_TOOL is its path. */

typedef struct {
  gint status;
  gchar *out;
  gchar *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run_tool (Run         *run,
          const gchar *first,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const gchar *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("HVKIT_RUNTIME_TOOL"));
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const gchar *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_nonnull (g_ptr_array_index (argv, 0));
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &run->out, &run->err, &run->status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (run->status));
  run->status = WEXITSTATUS (run->status);
}

static gchar *
fixture_path (const gchar *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "ganeti", name, NULL);
}

static JsonObject *
parse_object (const gchar *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_tool_dump_ganeti (void)
{
  g_autofree gchar *path = fixture_path ("2.16-hvinfo.runtime");
  g_autofree gchar *golden_path = fixture_path ("2.16-hvinfo.expected.json");
  g_autofree gchar *golden = NULL;
  g_autoptr(JsonObject) dump = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_auto(Run) run = { 0 };

  run_tool (&run, "dump", path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  dump = parse_object (run.out);
  g_assert_cmpstr (json_object_get_string_member (dump, "format"), ==, "ganeti");
  g_assert_true (json_object_get_null_member (dump, "version"));

  /* the record is the one the import test expects */
  g_assert_true (g_file_get_contents (golden_path, &golden, NULL, NULL));
  expected = json_from_string (golden, NULL);
  g_assert_true (json_node_equal (json_object_get_member (dump, "record"), expected));
}

static void
test_tool_import (void)
{
  g_autofree gchar *path = fixture_path ("2.10-seed-disk-link.runtime");
  g_autofree gchar *golden_path = fixture_path ("2.10-seed-disk-link.expected.json");
  g_autofree gchar *dir = g_dir_make_tmp ("hvkit-tool-XXXXXX", NULL);
  g_autofree gchar *out = g_build_filename (dir, "inst2.example.com.runtime", NULL);
  g_autofree gchar *contents = NULL;
  g_autofree gchar *golden = NULL;
  g_autoptr(JsonObject) dump = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_auto(Run) imported = { 0 };
  g_auto(Run) dumped = { 0 };
  g_auto(Run) again = { 0 };
  GStatBuf st;

  run_tool (&imported, "import", path, out, NULL);
  g_assert_cmpint (imported.status, ==, 0);
  g_assert_cmpstr (imported.err, ==, "");
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (out, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "HVKITREC"));

  run_tool (&dumped, "dump", out, NULL);
  g_assert_cmpint (dumped.status, ==, 0);
  dump = parse_object (dumped.out);
  g_assert_cmpstr (json_object_get_string_member (dump, "format"), ==, "hvkit");
  g_assert_cmpint (json_object_get_int_member (dump, "version"), ==, 1);
  g_assert_true (g_file_get_contents (golden_path, &golden, NULL, NULL));
  expected = json_from_string (golden, NULL);
  g_assert_true (json_node_equal (json_object_get_member (dump, "record"), expected));

  /* an hvkit record is not something to import */
  run_tool (&again, "import", out, out, NULL);
  g_assert_cmpint (again.status, ==, 1);
  g_assert_nonnull (strstr (again.err, "is not a Ganeti runtime file"));

  g_unlink (out);
  g_rmdir (dir);
}

static void
test_tool_errors (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("hvkit-tool-XXXXXX", NULL);
  g_autofree gchar *bad = g_build_filename (dir, "bad.runtime", NULL);
  g_autofree gchar *out = g_build_filename (dir, "out", NULL);
  g_auto(Run) corrupt = { 0 };
  g_auto(Run) not_ganeti = { 0 };
  g_auto(Run) usage = { 0 };
  g_auto(Run) missing = { 0 };

  g_assert_true (g_file_set_contents (bad, "HVKITREC and then nonsense", -1, NULL));
  run_tool (&corrupt, "dump", bad, NULL);
  g_assert_cmpint (corrupt.status, ==, 1);
  g_assert_cmpstr (corrupt.out, ==, "");
  g_assert_nonnull (strstr (corrupt.err, "is corrupt"));
  g_assert_nonnull (strstr (corrupt.err, bad));

  g_assert_true (g_file_set_contents (bad, "[[\"kvm\"], {}, {}]", -1, NULL));
  run_tool (&not_ganeti, "import", bad, out, NULL);
  g_assert_cmpint (not_ganeti.status, ==, 1);
  g_assert_nonnull (strstr (not_ganeti.err, "cannot be imported"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  run_tool (&usage, "frobnicate", NULL);
  g_assert_cmpint (usage.status, ==, 2);
  g_assert_nonnull (strstr (usage.err, "dump FILE"));

  run_tool (&missing, "dump", out, NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_cmpstr (missing.out, ==, "");

  g_unlink (bad);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kvm-runtime-tool/dump-ganeti", test_tool_dump_ganeti);
  g_test_add_func ("/kvm-runtime-tool/import", test_tool_import);
  g_test_add_func ("/kvm-runtime-tool/errors", test_tool_errors);

  return g_test_run ();
}
