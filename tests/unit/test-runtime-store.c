/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-crc32c-private.h"
#include "hv-test-files.h"

typedef struct {
  gchar *run_dir;
  HvRuntimeStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->run_dir = g_dir_make_tmp ("hvkit-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = hv_runtime_store_new (fixture->run_dir, G_VARIANT_TYPE_VARDICT, 1);
  /* Durability is exercised by the crash test; here only the format. */
  hv_runtime_store_set_durable (fixture->store, FALSE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  hv_test_remove_tree (fixture->run_dir);
  g_free (fixture->run_dir);
}

/* A record with a value of every common type, nested dictionaries and
 * arrays, and keys no reader knows. */
static GVariant *
make_record (guint counter)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_auto(GVariantBuilder) nested = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  const gchar *argv[] = { "/usr/bin/qemu-system-x86_64", "-name", "inst1.example.com", NULL };

  g_variant_builder_add (&nested, "{sv}", "cache", g_variant_new_string ("none"));
  g_variant_builder_add (&nested, "{sv}", "x-future", g_variant_new ("(ib)", -3, TRUE));
  g_variant_builder_add (&builder, "{sv}", "counter", g_variant_new_uint32 (counter));
  g_variant_builder_add (&builder, "{sv}", "argv", g_variant_new_strv (argv, -1));
  g_variant_builder_add (&builder, "{sv}", "size", g_variant_new_int64 (G_GINT64_CONSTANT (1) << 40));
  g_variant_builder_add (&builder, "{sv}", "ratio", g_variant_new_double (0.25));
  g_variant_builder_add (&builder, "{sv}", "enabled", g_variant_new_boolean (FALSE));
  g_variant_builder_add (&builder, "{sv}", "params", g_variant_builder_end (&nested));
  g_variant_builder_add (&builder, "{sv}", "unknown-key", g_variant_new ("ay", NULL));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static gchar *
record_path (Fixture     *fixture,
             const gchar *name)
{
  g_autoptr(GError) error = NULL;
  gchar *path = hv_runtime_store_get_path (fixture->store, name, &error);

  g_assert_no_error (error);
  return path;
}

static void
test_store_round_trip (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GVariant) record = make_record (7);
  g_autoptr(GVariant) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = record_path (fixture, "inst1.example.com");
  g_autofree gchar *expected_path = g_build_filename (fixture->run_dir, "conf",
                                                      "inst1.example.com.runtime", NULL);
  guint version = 0;
  struct stat st;

  g_assert_cmpstr (path, ==, expected_path);
  g_assert_false (hv_runtime_store_exists (fixture->store, "inst1.example.com"));
  g_assert_true (hv_runtime_store_save (fixture->store, "inst1.example.com", record, &error));
  g_assert_no_error (error);
  g_assert_true (hv_runtime_store_exists (fixture->store, "inst1.example.com"));

  loaded = hv_runtime_store_load (fixture->store, "inst1.example.com", &version, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (version, ==, 1);
  g_assert_true (g_variant_equal (loaded, record));

  /* Only the owner may read the records. */
  g_assert_cmpint (g_stat (hv_runtime_store_get_directory (fixture->store), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
}

static void
test_store_bytes_match_file (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GVariant) record = make_record (1);
  g_autoptr(GVariant) loaded = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = record_path (fixture, "a");
  g_autofree gchar *contents = NULL;
  gsize length;
  guint version = 0;

  g_assert_true (hv_runtime_store_save (fixture->store, "a", record, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);

  bytes = hv_runtime_store_serialize (fixture->store, record, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), contents, length);

  loaded = hv_runtime_store_deserialize (fixture->store, bytes, "migration data", &version, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_equal (loaded, record));
  g_assert_cmpuint (version, ==, 1);
}

static void
test_store_replace (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GVariant) record = make_record (i);
      g_autoptr(GVariant) loaded = NULL;

      g_assert_true (hv_runtime_store_save (fixture->store, "a", record, &error));
      g_assert_no_error (error);
      loaded = hv_runtime_store_load (fixture->store, "a", NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_variant_equal (loaded, record));
    }
}

static void
test_store_list_remove (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GVariant) record = make_record (0);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  const gchar *directory;
  const gchar *junk[] = {
    ".b.runtime.Ab12Cd",  /* a save interrupted by a crash */
    ".hidden.runtime", "README", "x..y.runtime", "c.runtime.bak",
  };

  names = hv_runtime_store_list (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  g_clear_pointer (&names, g_strfreev);

  for (guint i = 0; i < 3; i++)
    {
      const gchar *name = (const gchar *[]) { "c", "a", "b" }[i];

      g_assert_true (hv_runtime_store_save (fixture->store, name, record, &error));
      g_assert_no_error (error);
    }
  directory = hv_runtime_store_get_directory (fixture->store);
  for (guint i = 0; i < G_N_ELEMENTS (junk); i++)
    {
      g_autofree gchar *path = g_build_filename (directory, junk[i], NULL);

      g_assert_true (g_file_set_contents (path, "junk", -1, NULL));
    }

  names = hv_runtime_store_list (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (names, ((const gchar *[]) { "a", "b", "c", NULL }));
  g_clear_pointer (&names, g_strfreev);

  g_assert_true (hv_runtime_store_remove (fixture->store, "b", &error));
  g_assert_no_error (error);
  g_assert_false (hv_runtime_store_exists (fixture->store, "b"));
  /* the leftover temporary file went with it; removing again is fine */
  {
    g_autofree gchar *temp = g_build_filename (directory, junk[0], NULL);

    g_assert_false (g_file_test (temp, G_FILE_TEST_EXISTS));
  }
  g_assert_true (hv_runtime_store_remove (fixture->store, "b", &error));
  g_assert_no_error (error);

  names = hv_runtime_store_list (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (names, ((const gchar *[]) { "a", "c", NULL }));
}

static void
test_store_bad_names (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GVariant) record = make_record (0);
  g_autofree gchar *long_name = g_strnfill (240, 'a');
  const gchar *bad[] = {
    "", "../etc/passwd", "a/b", ".hidden", "-rf", "a..b", "a b", "a\nb",
    "\xc3\xa9t\xc3\xa9", long_name,
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) loaded = NULL;

      g_assert_false (hv_runtime_store_save (fixture->store, bad[i], record, &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
      g_clear_error (&error);
      loaded = hv_runtime_store_load (fixture->store, bad[i], NULL, &error);
      g_assert_null (loaded);
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
      g_clear_error (&error);
      g_assert_false (hv_runtime_store_remove (fixture->store, bad[i], &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
      g_assert_false (hv_runtime_store_exists (fixture->store, bad[i]));
    }

  /* nothing was created outside the store */
  g_assert_false (g_file_test (hv_runtime_store_get_directory (fixture->store), G_FILE_TEST_EXISTS));
}

static void
test_store_errors (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GVariant) record = make_record (0);
  g_autoptr(GVariant) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;

  /* a record of another type is the caller's mistake */
  g_assert_false (hv_runtime_store_save (fixture->store, "a", g_variant_new_string ("x"), &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);

  /* no record at all is not corruption */
  loaded = hv_runtime_store_load (fixture->store, "a", NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_clear_error (&error);

  /* a directory or a symbolic link where the record should be is */
  g_assert_true (hv_runtime_store_save (fixture->store, "b", record, &error));
  path = record_path (fixture, "a");
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  loaded = hv_runtime_store_load (fixture->store, "a", NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_false (hv_runtime_store_exists (fixture->store, "a"));
  g_assert_false (hv_runtime_store_save (fixture->store, "a", record, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_clear_error (&error);
  g_rmdir (path);

  g_assert_cmpint (symlink ("b.runtime", path), ==, 0);
  loaded = hv_runtime_store_load (fixture->store, "a", NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  g_clear_error (&error);

  /* the records' directory cannot be created over a file */
  g_clear_object (&fixture->store);
  {
    g_autofree gchar *file = g_build_filename (fixture->run_dir, "plain", NULL);
    g_autoptr(HvRuntimeStore) store = hv_runtime_store_new (file, G_VARIANT_TYPE_VARDICT, 1);

    g_assert_true (g_file_set_contents (file, "", 0, NULL));
    g_assert_false (hv_runtime_store_save (store, "a", record, &error));
    g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  }
}

static void
test_store_crc32c (void)
{
  /* the check value of CRC-32C, and the same through pieces of every
   * length so the eight-byte loop and the tail agree */
  const gchar *check = "123456789";
  g_autofree guint8 *data = g_malloc (1000);

  g_assert_cmphex (hv_crc32c (check, 9), ==, 0xe3069283);
  g_assert_cmphex (hv_crc32c (NULL, 0), ==, 0);

  for (guint i = 0; i < 1000; i++)
    data[i] = (guint8) (i * 131 + 7);
  for (gsize split = 0; split <= 1000; split += 37)
    {
      guint32 crc = hv_crc32c_update (0, data, split);

      crc = hv_crc32c_update (crc, data + split, 1000 - split);
      g_assert_cmphex (crc, ==, hv_crc32c (data, 1000));
    }
}

/* The files in the records' directory other than the records: what a
 * stage left. */
static guint
count_staged (Fixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (hv_runtime_store_get_directory (fixture->store), 0, NULL);
  const gchar *entry;
  guint count = 0;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    count += entry[0] == '.';
  return count;
}

/* A staged record replaces nothing until committed; committed, it is what
 * a save of it would have made; discarded, nothing of it is left. Only a
 * file staged for that name is committed or deleted. */
static void
test_store_stage (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GVariant) old = make_record (1);
  g_autoptr(GVariant) staged_record = make_record (2);
  g_autoptr(GVariant) loaded = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = record_path (fixture, "a");
  g_autofree gchar *staged = NULL;
  g_autofree gchar *discarded = NULL;
  g_autofree gchar *foreign = NULL;
  g_autofree gchar *dirname = NULL;
  g_autofree gchar *contents = NULL;
  gsize length;
  struct stat st;

  g_assert_true (hv_runtime_store_save (fixture->store, "a", old, &error));
  g_assert_no_error (error);

  staged = hv_runtime_store_stage (fixture->store, "a", staged_record, &error);
  g_assert_no_error (error);
  g_assert_nonnull (staged);
  dirname = g_path_get_dirname (staged);
  g_assert_cmpstr (dirname, ==, hv_runtime_store_get_directory (fixture->store));
  g_assert_cmpuint (count_staged (fixture), ==, 1);
  g_assert_cmpint (g_stat (staged, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  loaded = hv_runtime_store_load (fixture->store, "a", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_equal (loaded, old));
  g_clear_pointer (&loaded, g_variant_unref);

  /* not someone else's, nor another instance's */
  g_assert_false (hv_runtime_store_commit_staged (fixture->store, "b", staged, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);
  foreign = g_build_filename (fixture->run_dir, "foreign", NULL);
  g_assert_true (g_file_set_contents (foreign, "x", 1, &error));
  g_assert_false (hv_runtime_store_commit_staged (fixture->store, "a", foreign, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);
  hv_runtime_store_discard_staged (fixture->store, "a", foreign);
  g_assert_true (g_file_test (foreign, G_FILE_TEST_EXISTS));
  g_assert_false (hv_runtime_store_commit_staged (fixture->store, "../a", staged, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);

  g_assert_true (hv_runtime_store_commit_staged (fixture->store, "a", staged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_staged (fixture), ==, 0);
  loaded = hv_runtime_store_load (fixture->store, "a", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_equal (loaded, staged_record));
  /* byte for byte what a save writes */
  expected = hv_runtime_store_serialize (fixture->store, staged_record, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));

  discarded = hv_runtime_store_stage (fixture->store, "a", g_variant_new_parsed ("@a{sv} {}"),
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_staged (fixture), ==, 1);
  hv_runtime_store_discard_staged (fixture->store, "a", discarded);
  g_assert_cmpuint (count_staged (fixture), ==, 0);
  g_clear_pointer (&loaded, g_variant_unref);
  loaded = hv_runtime_store_load (fixture->store, "a", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_equal (loaded, staged_record));

  /* a stage the record removal finds (a crash before its commit) goes with it */
  g_clear_pointer (&discarded, g_free);
  discarded = hv_runtime_store_stage (fixture->store, "a", g_variant_new_parsed ("@a{sv} {}"),
                                      &error);
  g_assert_no_error (error);
  g_assert_true (hv_runtime_store_remove (fixture->store, "a", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_staged (fixture), ==, 0);

  g_assert_null (hv_runtime_store_stage (fixture->store, "../a", old, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/runtime-store/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("round-trip", test_store_round_trip);
  ADD ("bytes-match-file", test_store_bytes_match_file);
  ADD ("replace", test_store_replace);
  ADD ("list-remove", test_store_list_remove);
  ADD ("bad-names", test_store_bad_names);
  ADD ("errors", test_store_errors);
  ADD ("stage", test_store_stage);
#undef ADD
  g_test_add_func ("/runtime-store/crc32c", test_store_crc32c);

  return g_test_run ();
}
