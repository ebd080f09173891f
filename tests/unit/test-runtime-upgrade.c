/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gstdio.h>

#include "hvkit.h"

/* A record that changed twice, as a driver's would:
 *   version 1: (s)     the instance name
 *   version 2: (sx)    + memory in MiB, 128 for records that had none
 *   version 3: a{sv}   name, memory and tags, so later fields need no
 *                      new version
 * Each step is a function of its own with a test of its own; the chain
 * test proves the store runs them in order and saves the result in the
 * current version only when asked to. */

#define TYPE_V1 G_VARIANT_TYPE ("(s)")
#define TYPE_V2 G_VARIANT_TYPE ("(sx)")
#define TYPE_V3 G_VARIANT_TYPE_VARDICT

static GVariant *
upgrade_1_to_2 (GVariant  *record,
                gpointer   user_data,
                GError   **error)
{
  const gchar *name;

  g_variant_get (record, "(&s)", &name);
  return g_variant_ref_sink (g_variant_new ("(sx)", name, (gint64) 128));
}

static GVariant *
upgrade_2_to_3 (GVariant  *record,
                gpointer   user_data,
                GError   **error)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  const gchar *name;
  gint64 memory;

  g_variant_get (record, "(&sx)", &name, &memory);
  if (memory <= 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, "memory %" G_GINT64_FORMAT " is not positive", memory);
      return NULL;
    }
  g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (name));
  g_variant_builder_add (&builder, "{sv}", "memory", g_variant_new_int64 (memory));
  g_variant_builder_add (&builder, "{sv}", "tags", g_variant_new_strv (NULL, 0));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* A buggy step: the type it returns is not version 3's. */
static GVariant *
upgrade_2_to_3_wrong_type (GVariant  *record,
                           gpointer   user_data,
                           GError   **error)
{
  return g_variant_ref_sink (g_variant_new_string ("oops"));
}

typedef struct {
  gchar *run_dir;
  HvRuntimeStore *v1;
  HvRuntimeStore *v2;
  HvRuntimeStore *v3;
  guint destroyed;
} Fixture;

static void
count_destroy (gpointer data)
{
  Fixture *fixture = data;

  fixture->destroyed++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->run_dir = g_dir_make_tmp ("hvkit-upgrade-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->v1 = hv_runtime_store_new (fixture->run_dir, TYPE_V1, 1);
  fixture->v2 = hv_runtime_store_new (fixture->run_dir, TYPE_V2, 2);
  fixture->v3 = hv_runtime_store_new (fixture->run_dir, TYPE_V3, 3);
  hv_runtime_store_set_durable (fixture->v1, FALSE);
  hv_runtime_store_set_durable (fixture->v2, FALSE);
  hv_runtime_store_set_durable (fixture->v3, FALSE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(GStrv) names = hv_runtime_store_list (fixture->v1, NULL);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    hv_runtime_store_remove (fixture->v1, names[i], NULL);
  g_clear_object (&fixture->v1);
  g_clear_object (&fixture->v2);
  g_clear_object (&fixture->v3);
  {
    g_autofree gchar *conf = g_build_filename (fixture->run_dir, "conf", NULL);

    g_rmdir (conf);
  }
  g_rmdir (fixture->run_dir);
  g_free (fixture->run_dir);
}

static void
add_both_steps (Fixture *fixture)
{
  hv_runtime_store_add_upgrade (fixture->v3, 1, TYPE_V1, upgrade_1_to_2, fixture, count_destroy);
  hv_runtime_store_add_upgrade (fixture->v3, 2, TYPE_V2, upgrade_2_to_3, fixture, count_destroy);
}

static GVariant *
expected_v3 (const gchar *name,
             gint64       memory)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v2 = g_variant_ref_sink (g_variant_new ("(sx)", name, memory));
  GVariant *v3 = upgrade_2_to_3 (v2, NULL, &error);

  g_assert_no_error (error);
  return v3;
}

static guint32
file_version (Fixture     *fixture,
              const gchar *name)
{
  g_autofree gchar *path = hv_runtime_store_get_path (fixture->v1, name, NULL);
  g_autofree gchar *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >=, 20);
  return (guint8) contents[16] | (guint8) contents[17] << 8;
}

static void
test_upgrade_step_1_to_2 (void)
{
  g_autoptr(GVariant) v1 = g_variant_ref_sink (g_variant_new ("(s)", "inst1"));
  g_autoptr(GVariant) v2 = upgrade_1_to_2 (v1, NULL, NULL);
  g_autoptr(GVariant) expected = g_variant_ref_sink (g_variant_new ("(sx)", "inst1", (gint64) 128));

  g_assert_true (g_variant_equal (v2, expected));
}

static void
test_upgrade_step_2_to_3 (void)
{
  g_autoptr(GVariant) v2 = g_variant_ref_sink (g_variant_new ("(sx)", "inst1", (gint64) 512));
  g_autoptr(GVariant) bad = g_variant_ref_sink (g_variant_new ("(sx)", "inst1", (gint64) 0));
  g_autoptr(GVariant) v3 = NULL;
  g_autoptr(GVariant) none = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *printed = NULL;

  v3 = upgrade_2_to_3 (v2, NULL, &error);
  g_assert_no_error (error);
  printed = g_variant_print (v3, FALSE);
  g_assert_cmpstr (printed, ==, "{'name': <'inst1'>, 'memory': <int64 512>, 'tags': <@as []>}");

  none = upgrade_2_to_3 (bad, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
}

static void
test_upgrade_chain (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) from_v1 = NULL;
  g_autoptr(GVariant) from_v2 = NULL;
  g_autoptr(GVariant) again = NULL;
  g_autoptr(GVariant) want_v1 = expected_v3 ("old", 128);
  g_autoptr(GVariant) want_v2 = expected_v3 ("newer", 2048);
  guint version = 0;

  add_both_steps (fixture);
  g_assert_true (hv_runtime_store_save (fixture->v1, "old", g_variant_new ("(s)", "old"), &error));
  g_assert_no_error (error);
  g_assert_true (hv_runtime_store_save (fixture->v2, "newer",
                                        g_variant_new ("(sx)", "newer", (gint64) 2048), &error));
  g_assert_no_error (error);

  from_v1 = hv_runtime_store_load (fixture->v3, "old", &version, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (version, ==, 1);
  g_assert_true (g_variant_equal (from_v1, want_v1));

  from_v2 = hv_runtime_store_load (fixture->v3, "newer", &version, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (version, ==, 2);
  g_assert_true (g_variant_equal (from_v2, want_v2));

  /* loading leaves the file alone: an older hvkit could still read it */
  g_assert_cmpuint (file_version (fixture, "old"), ==, 1);
  g_assert_cmpuint (file_version (fixture, "newer"), ==, 2);

  /* the next save writes the current version, which loads as it is */
  g_assert_true (hv_runtime_store_save (fixture->v3, "old", from_v1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_version (fixture, "old"), ==, 3);
  again = hv_runtime_store_load (fixture->v3, "old", &version, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (version, ==, 3);
  g_assert_true (g_variant_equal (again, want_v1));

  /* and an older reader now refuses it instead of misreading it */
  g_clear_pointer (&again, g_variant_unref);
  again = hv_runtime_store_load (fixture->v2, "old", NULL, &error);
  g_assert_null (again);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
}

static void
test_upgrade_missing_step (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) loaded = NULL;

  hv_runtime_store_add_upgrade (fixture->v3, 2, TYPE_V2, upgrade_2_to_3, NULL, NULL);
  g_assert_true (hv_runtime_store_save (fixture->v1, "old", g_variant_new ("(s)", "old"), &error));
  g_assert_no_error (error);

  loaded = hv_runtime_store_load (fixture->v3, "old", NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  g_assert_nonnull (strstr (error->message, "no upgrade is known from record version 1"));
}

static void
test_upgrade_step_fails (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) loaded = NULL;

  add_both_steps (fixture);
  g_assert_true (hv_runtime_store_save (fixture->v2, "bad",
                                        g_variant_new ("(sx)", "bad", (gint64) -1), &error));
  g_assert_no_error (error);

  loaded = hv_runtime_store_load (fixture->v3, "bad", NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  g_assert_nonnull (strstr (error->message, "from version 2 to 3 failed: memory -1 is not positive"));
}

static void
test_upgrade_step_wrong_type (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) loaded = NULL;

  hv_runtime_store_add_upgrade (fixture->v3, 1, TYPE_V1, upgrade_1_to_2, NULL, NULL);
  hv_runtime_store_add_upgrade (fixture->v3, 2, TYPE_V2, upgrade_2_to_3_wrong_type, NULL, NULL);
  g_assert_true (hv_runtime_store_save (fixture->v1, "old", g_variant_new ("(s)", "old"), &error));
  g_assert_no_error (error);

  loaded = hv_runtime_store_load (fixture->v3, "old", NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
}

static void
test_upgrade_old_version_wrong_type (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(HvRuntimeStore) odd_v1 = hv_runtime_store_new (fixture->run_dir, G_VARIANT_TYPE ("(ss)"), 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) loaded = NULL;

  add_both_steps (fixture);
  hv_runtime_store_set_durable (odd_v1, FALSE);
  g_assert_true (hv_runtime_store_save (odd_v1, "odd", g_variant_new ("(ss)", "a", "b"), &error));
  g_assert_no_error (error);

  loaded = hv_runtime_store_load (fixture->v3, "odd", NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  g_assert_nonnull (strstr (error->message, "'(ss)', version 1 needs '(s)'"));
}

static void
test_upgrade_destroy_notify (Fixture       *fixture,
                             gconstpointer  data)
{
  add_both_steps (fixture);
  g_assert_cmpuint (fixture->destroyed, ==, 0);
  g_clear_object (&fixture->v3);
  g_assert_cmpuint (fixture->destroyed, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/runtime-upgrade/step-1-to-2", test_upgrade_step_1_to_2);
  g_test_add_func ("/runtime-upgrade/step-2-to-3", test_upgrade_step_2_to_3);
#define ADD(path, func) \
  g_test_add ("/runtime-upgrade/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("chain", test_upgrade_chain);
  ADD ("missing-step", test_upgrade_missing_step);
  ADD ("step-fails", test_upgrade_step_fails);
  ADD ("step-wrong-type", test_upgrade_step_wrong_type);
  ADD ("old-version-wrong-type", test_upgrade_old_version_wrong_type);
  ADD ("destroy-notify", test_upgrade_destroy_notify);
#undef ADD

  return g_test_run ();
}
