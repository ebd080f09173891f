/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-crc32c-private.h"

/* Every damaged record must be refused with HV_ERROR_RUNTIME_CORRUPT and
 * nothing else; run under AddressSanitizer (build-asan) this also proves
 * that no damage makes the reader touch memory it should not. */

static GVariant *
small_record (void)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string ("inst1"));
  g_variant_builder_add (&builder, "{sv}", "pci", g_variant_new_int32 (5));
  g_variant_builder_add (&builder, "{sv}", "argv",
                         g_variant_new_strv ((const gchar *[]) { "kvm", "-S" }, 2));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static GBytes *
serialize_with (HvRuntimeStore *store,
                GVariant       *record)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = hv_runtime_store_serialize (store, record, &error);

  g_assert_no_error (error);
  return bytes;
}

/* Reads @data with @store and asserts that it is refused as corrupt. */
static void
assert_corrupt (HvRuntimeStore *store,
                const guint8   *data,
                gsize           length,
                const gchar    *reason)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, length);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) record = NULL;
  guint version = 12345;

  record = hv_runtime_store_deserialize (store, bytes, "test data", &version, &error);
  g_assert_null (record);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  g_assert_nonnull (strstr (error->message, "'test data'"));
  if (reason != NULL)
    {
      g_test_message ("expecting '%s' in: %s", reason, error->message);
      g_assert_nonnull (strstr (error->message, reason));
    }
  g_assert_cmpuint (version, ==, 12345);
}

static void
refresh_crc (guint8 *data,
             gsize   length)
{
  guint32 crc = hv_crc32c (data + 16, length - 16);

  for (guint i = 0; i < 4; i++)
    data[12 + i] = (crc >> (8 * i)) & 0xff;
}

static void
test_corrupt_truncated (void)
{
  g_autoptr(HvRuntimeStore) store = hv_runtime_store_new (NULL, G_VARIANT_TYPE_VARDICT, 1);
  g_autoptr(GVariant) record = small_record ();
  g_autoptr(GBytes) bytes = serialize_with (store, record);
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  for (gsize cut = 0; cut < length; cut++)
    {
      /* a copy of exactly @cut bytes, so ASan sees any read past it */
      g_autofree guint8 *copy = g_memdup2 (data, cut);

      assert_corrupt (store, copy, cut, "truncated");
    }
}

static void
test_corrupt_flipped (void)
{
  g_autoptr(HvRuntimeStore) store = hv_runtime_store_new (NULL, G_VARIANT_TYPE_VARDICT, 1);
  g_autoptr(GVariant) record = small_record ();
  g_autoptr(GBytes) bytes = serialize_with (store, record);
  gsize length;
  g_autofree guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (bytes), &length);

  for (gsize i = 0; i < length; i++)
    {
      /* every byte inverted, then every single bit of it */
      for (guint mask = 0; mask <= 8; mask++)
        {
          guint8 flip = mask == 8 ? 0xff : 1u << mask;

          copy[i] ^= flip;
          assert_corrupt (store, copy, length, NULL);
          copy[i] ^= flip;
        }
    }
}

/* Damage a checksum cannot see: the data is altered and the checksum made
 * to match, as a buggy writer or a hand edit would. The reader may accept
 * the result as another valid record or refuse it, but nothing else. */
static void
test_corrupt_flipped_with_valid_crc (void)
{
  g_autoptr(HvRuntimeStore) store = hv_runtime_store_new (NULL, G_VARIANT_TYPE_VARDICT, 1);
  g_autoptr(GVariant) record = small_record ();
  g_autoptr(GBytes) bytes = serialize_with (store, record);
  gsize length;
  g_autofree guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (bytes), &length);
  guint accepted = 0, refused = 0;

  for (gsize i = 16; i < length; i++)
    {
      for (guint value = 0; value < 256; value += 17)
        {
          g_autofree guint8 *damaged = g_memdup2 (copy, length);
          g_autoptr(GBytes) damaged_bytes = NULL;
          g_autoptr(GVariant) loaded = NULL;
          g_autoptr(GError) error = NULL;

          damaged[i] = value;
          refresh_crc (damaged, length);
          damaged_bytes = g_bytes_new_take (g_steal_pointer (&damaged), length);
          loaded = hv_runtime_store_deserialize (store, damaged_bytes, "x", NULL, &error);
          if (loaded != NULL)
            {
              g_assert_no_error (error);
              g_assert_true (g_variant_is_of_type (loaded, G_VARIANT_TYPE_VARDICT));
              g_assert_true (g_variant_is_normal_form (loaded));
              accepted++;
            }
          else
            {
              g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
              refused++;
            }
        }
    }
  /* both outcomes happen, or the test did not test anything */
  g_assert_cmpuint (accepted, >, 0);
  g_assert_cmpuint (refused, >, 0);
}

static void
test_corrupt_header_fields (void)
{
  g_autoptr(HvRuntimeStore) store = hv_runtime_store_new (NULL, G_VARIANT_TYPE_VARDICT, 1);
  g_autoptr(GVariant) record = small_record ();
  g_autoptr(GBytes) bytes = serialize_with (store, record);
  gsize length;
  g_autofree guint8 *good = g_bytes_unref_to_data (g_bytes_ref (bytes), &length);
  g_autofree guint8 *copy = NULL;

  copy = g_memdup2 (good, length);
  memcpy (copy, "GANETI[\"", 8);
  assert_corrupt (store, copy, length, "wrong magic");
  assert_corrupt (store, (const guint8 *) "[[\"kvm\"], [], {}]", 17, "wrong magic");
  assert_corrupt (store, (const guint8 *) "", 0, "truncated");

  /* a file format this reader does not know */
  memcpy (copy, good, length);
  copy[8] = 2;
  assert_corrupt (store, copy, length, "format version 2");

  /* record version 0, even with a matching checksum */
  memcpy (copy, good, length);
  copy[16] = 0;
  refresh_crc (copy, length);
  assert_corrupt (store, copy, length, "version 0");

  /* a header announcing more than any record may hold */
  memcpy (copy, good, length);
  copy[31] = 0x7f;
  refresh_crc (copy, length);
  assert_corrupt (store, copy, length, "header is damaged");
  memcpy (copy, good, length);
  copy[21] = 0x10;
  refresh_crc (copy, length);
  assert_corrupt (store, copy, length, "header is damaged");

  /* a type string that is not one, and non-zero padding */
  memcpy (copy, good, length);
  copy[33] = '!';
  refresh_crc (copy, length);
  assert_corrupt (store, copy, length, "record type");
  memcpy (copy, good, length);
  copy[37] = 1;
  refresh_crc (copy, length);
  assert_corrupt (store, copy, length, "padding");

  /* bytes after the record */
  g_free (copy);
  copy = g_malloc0 (length + 3);
  memcpy (copy, good, length);
  refresh_crc (copy, length + 3);
  assert_corrupt (store, copy, length + 3, "trailing");
}

static void
test_corrupt_future_version (void)
{
  g_autoptr(HvRuntimeStore) newer = hv_runtime_store_new (NULL, G_VARIANT_TYPE_VARDICT, 5);
  g_autoptr(HvRuntimeStore) store = hv_runtime_store_new (NULL, G_VARIANT_TYPE_VARDICT, 1);
  g_autoptr(GVariant) record = small_record ();
  g_autoptr(GBytes) bytes = serialize_with (newer, record);

  assert_corrupt (store, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                  "version 5 is newer");
}

static void
test_corrupt_wrong_type (void)
{
  g_autoptr(HvRuntimeStore) other = hv_runtime_store_new (NULL, G_VARIANT_TYPE ("(ss)"), 1);
  g_autoptr(HvRuntimeStore) store = hv_runtime_store_new (NULL, G_VARIANT_TYPE_VARDICT, 1);
  g_autoptr(GVariant) record = g_variant_ref_sink (g_variant_new ("(ss)", "a", "b"));
  g_autoptr(GBytes) bytes = serialize_with (other, record);

  assert_corrupt (store, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                  "'(ss)', version 1 needs 'a{sv}'");
}

static void
test_corrupt_not_normal (void)
{
  g_autoptr(HvRuntimeStore) store = hv_runtime_store_new (NULL, G_VARIANT_TYPE_STRING, 1);
  g_autoptr(GVariant) record = g_variant_ref_sink (g_variant_new_string ("abcdefg"));
  g_autoptr(GBytes) bytes = serialize_with (store, record);
  gsize length;
  g_autofree guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (bytes), &length);

  /* a nul inside the string: a valid checksum over invalid data */
  copy[length - 4] = '\0';
  refresh_crc (copy, length);
  assert_corrupt (store, copy, length, "normal form");

  /* no nul at the end */
  copy[length - 4] = 'e';
  copy[length - 1] = 'h';
  refresh_crc (copy, length);
  assert_corrupt (store, copy, length, "normal form");

  /* invalid UTF-8 */
  copy[length - 1] = '\0';
  copy[length - 3] = 0xff;
  refresh_crc (copy, length);
  assert_corrupt (store, copy, length, "normal form");
}

static void
test_corrupt_file_named (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *run_dir = g_dir_make_tmp ("hvkit-corrupt-XXXXXX", &error);
  g_autoptr(HvRuntimeStore) store = hv_runtime_store_new (run_dir, G_VARIANT_TYPE_VARDICT, 1);
  g_autoptr(GVariant) record = small_record ();
  g_autoptr(GVariant) loaded = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *conf = g_build_filename (run_dir, "conf", NULL);

  g_assert_no_error (error);
  hv_runtime_store_set_durable (store, FALSE);
  g_assert_true (hv_runtime_store_save (store, "inst1", record, &error));
  g_assert_no_error (error);
  path = hv_runtime_store_get_path (store, "inst1", &error);
  g_assert_true (g_file_set_contents (path, "[[\"kvm\"], [], {}]", -1, &error));

  loaded = hv_runtime_store_load (store, "inst1", NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  /* the message names the file and the reason */
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "wrong magic"));

  g_unlink (path);
  g_rmdir (conf);
  g_rmdir (run_dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/runtime-corrupt/truncated", test_corrupt_truncated);
  g_test_add_func ("/runtime-corrupt/flipped", test_corrupt_flipped);
  g_test_add_func ("/runtime-corrupt/flipped-with-valid-crc", test_corrupt_flipped_with_valid_crc);
  g_test_add_func ("/runtime-corrupt/header-fields", test_corrupt_header_fields);
  g_test_add_func ("/runtime-corrupt/future-version", test_corrupt_future_version);
  g_test_add_func ("/runtime-corrupt/wrong-type", test_corrupt_wrong_type);
  g_test_add_func ("/runtime-corrupt/not-normal", test_corrupt_not_normal);
  g_test_add_func ("/runtime-corrupt/file-named", test_corrupt_file_named);

  return g_test_run ();
}
