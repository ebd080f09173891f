/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "hvkit.h"
#include "hv-test-files.h"

/* Each test gets an empty plugin directory (mode 0700) and copies the
 * modules of tests/unit/plugins into it with the names and modes it needs. */
typedef struct {
  gchar *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("hvkit-plugins-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_chmod (fixture->dir, 0700);
  hv_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* Copies the built module @module ("good" for libhv-test-plugin-good.so)
 * into the fixture's directory as libhv-@name.so, with @mode. */
static gchar *
install_module (Fixture     *fixture,
                const gchar *module,
                const gchar *name,
                guint        mode)
{
  g_autofree gchar *built_name = g_strdup_printf ("libhv-test-plugin-%s.so", module);
  g_autofree gchar *built = g_test_build_filename (G_TEST_BUILT, "unit", "plugins",
                                                   built_name, NULL);
  g_autofree gchar *file_name = g_strdup_printf ("libhv-%s.so", name);
  g_autofree gchar *path = g_build_filename (fixture->dir, file_name, NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_file_get_contents (built, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (path, contents, (gssize) length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, (int) mode), ==, 0);

  return g_steal_pointer (&path);
}

static HvHypervisor *
get_hypervisor (Fixture      *fixture,
                const gchar  *name,
                GError      **error)
{
  g_autoptr(HvPluginLoader) loader = hv_plugin_loader_new (fixture->dir);

  return hv_plugin_loader_get_hypervisor (loader, name, NULL, error);
}

/* The error names the file, says why, and nothing was loaded. */
static void
assert_refused (Fixture      *fixture,
                const gchar  *name,
                const gchar  *path,
                const gchar  *reason)
{
  g_autoptr(HvHypervisor) hypervisor = NULL;
  g_autoptr(GError) error = NULL;

  hypervisor = get_hypervisor (fixture, name, &error);
  g_assert_null (hypervisor);
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  if (strstr (error->message, reason) == NULL)
    g_error ("'%s' does not say '%s'", error->message, reason);
}

static void
test_plugin_dir (void)
{
  g_autofree gchar *saved = g_strdup (g_getenv ("HVKIT_PLUGIN_DIR"));
  g_autoptr(HvPluginLoader) from_env = NULL;
  g_autoptr(HvPluginLoader) from_default = NULL;
  g_autoptr(HvPluginLoader) explicit = NULL;

  g_setenv ("HVKIT_PLUGIN_DIR", "/srv/hvkit/plugins", TRUE);
  from_env = hv_plugin_loader_new (NULL);
  explicit = hv_plugin_loader_new ("/opt/hvkit/plugins");
  g_unsetenv ("HVKIT_PLUGIN_DIR");
  from_default = hv_plugin_loader_new (NULL);
  if (saved != NULL)
    g_setenv ("HVKIT_PLUGIN_DIR", saved, TRUE);

  g_assert_cmpstr (hv_plugin_loader_get_plugin_dir (from_env), ==, "/srv/hvkit/plugins");
  g_assert_cmpstr (hv_plugin_loader_get_plugin_dir (explicit), ==, "/opt/hvkit/plugins");
  g_assert_cmpstr (hv_plugin_loader_get_plugin_dir (from_default), ==, HV_PLUGIN_DIR);
}

static void
test_list (Fixture       *fixture,
           gconstpointer  data)
{
  const gchar *not_modules[] = {
    "README", "libhv-.so", "libhv-Bad.so", "libhv-kvm.so.1", "hv-kvm.so", "libhv-a b.so",
  };
  g_autoptr(HvPluginLoader) loader = hv_plugin_loader_new (fixture->dir);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree gchar *kvm = NULL;
  g_autofree gchar *good = NULL;

  names = hv_plugin_loader_list_hypervisors (loader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  g_clear_pointer (&names, g_strfreev);

  /* listing opens nothing: a module that would be refused is listed */
  kvm = install_module (fixture, "good", "kvm", 0664);
  good = install_module (fixture, "good", "good", 0644);
  for (gsize i = 0; i < G_N_ELEMENTS (not_modules); i++)
    {
      g_autofree gchar *path = g_build_filename (fixture->dir, not_modules[i], NULL);

      g_file_set_contents (path, "", 0, &error);
      g_assert_no_error (error);
    }

  names = hv_plugin_loader_list_hypervisors (loader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "good");
  g_assert_cmpstr (names[1], ==, "kvm");
}

static void
test_list_missing_dir (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree gchar *missing = g_build_filename (fixture->dir, "missing", NULL);
  g_autoptr(HvPluginLoader) loader = hv_plugin_loader_new (missing);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  names = hv_plugin_loader_list_hypervisors (loader, &error);
  g_assert_null (names);
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, missing));
}

static gboolean
path_is_mapped (const gchar *path)
{
  g_autofree gchar *maps = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, path) != NULL;
}

/* The only test that loads the good module: a module's types stay
 * registered for the life of the process, so a second copy of it must not
 * be loaded. */
static void
test_good_module (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree gchar *path = install_module (fixture, "good", "good", 0755);
  g_autoptr(HvPluginLoader) loader = hv_plugin_loader_new (fixture->dir);
  g_autoptr(HvHypervisor) first = NULL;
  g_autoptr(HvHypervisor) second = NULL;
  g_autoptr(HvHypervisor) failed = NULL;
  g_autoptr(HvHypervisor) wrong = NULL;
  g_autoptr(GVariant) config = NULL;
  g_autoptr(GVariant) seen = NULL;
  g_autoptr(GError) error = NULL;
  gboolean initialized = FALSE;

  config = g_variant_ref_sink (g_variant_new_parsed ("{'run-dir': <'/run/test'>}"));
  first = hv_plugin_loader_get_hypervisor (loader, "good", config, &error);
  g_assert_no_error (error);
  g_assert_true (HV_IS_HYPERVISOR (first));
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (first), ==, "HvTestHypervisor");

  /* the configuration reached the object before its initialization ran */
  g_object_get (first, "config", &seen, "initialized", &initialized, NULL);
  g_assert_true (initialized);
  g_assert_true (g_variant_equal (seen, config));

  /* a floating configuration is consumed; a second object is new */
  second = hv_plugin_loader_get_hypervisor (loader, "good",
                                            g_variant_new_parsed ("@a{sv} {}"), &error);
  g_assert_no_error (error);
  g_assert_true (second != first);
  g_assert_true (G_OBJECT_TYPE (second) == G_OBJECT_TYPE (first));

  /* the driver's initialization decides, and its error is the caller's */
  failed = hv_plugin_loader_get_hypervisor (loader, "good",
                                            g_variant_new_parsed ("{'fail': <true>}"), &error);
  g_assert_null (failed);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);

  wrong = hv_plugin_loader_get_hypervisor (loader, "good", g_variant_new_string ("x"), &error);
  g_assert_null (wrong);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);

  /* the module stays loaded when nothing refers to it any more */
  g_clear_object (&first);
  g_clear_object (&second);
  g_clear_object (&loader);
  g_assert_true (path_is_mapped (path));
}

static void
test_wrong_api_version (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree gchar *path = install_module (fixture, "old-api", "old", 0755);
  g_autofree gchar *reason = g_strdup_printf ("plugin API version %u",
                                              (guint) HV_PLUGIN_API_VERSION + 1);

  assert_refused (fixture, "old", path, reason);
  g_assert_false (path_is_mapped (path));
}

static void
test_group_writable (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree gchar *path = install_module (fixture, "good", "good", 0775);

  assert_refused (fixture, "good", path, "writable by its group (mode 0775)");
  g_assert_false (path_is_mapped (path));
}

static void
test_world_writable (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree gchar *path = install_module (fixture, "good", "good", 0757);

  assert_refused (fixture, "good", path, "writable by others (mode 0757)");
  g_assert_false (path_is_mapped (path));
}

static void
test_setuid (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree gchar *path = install_module (fixture, "good", "good", 04755);

  assert_refused (fixture, "good", path, "set-user-ID");
}

static void
test_not_owned_by_root (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree gchar *path = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("giving a file to another user needs root");
      return;
    }

  path = install_module (fixture, "good", "good", 0755);
  g_assert_cmpint (chown (path, 65534, 65534), ==, 0);
  assert_refused (fixture, "good", path, "owned by uid 65534, not by root");
  g_assert_false (path_is_mapped (path));
}

static void
test_symlink (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree gchar *target = install_module (fixture, "good", "target", 0755);
  g_autofree gchar *path = g_build_filename (fixture->dir, "libhv-good.so", NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
  assert_refused (fixture, "good", path, "not a regular file");
}

static void
test_dir_group_writable (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree gchar *path = install_module (fixture, "good", "good", 0755);

  g_assert_cmpint (g_chmod (fixture->dir, 0770), ==, 0);
  assert_refused (fixture, "good", fixture->dir, "writable by its group (mode 0770)");
  g_assert_false (path_is_mapped (path));
}

static void
test_missing_dir (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree gchar *missing = g_build_filename (fixture->dir, "missing", NULL);
  g_autoptr(HvPluginLoader) loader = hv_plugin_loader_new (missing);
  g_autoptr(HvHypervisor) hypervisor = NULL;
  g_autoptr(GError) error = NULL;

  hypervisor = hv_plugin_loader_get_hypervisor (loader, "kvm", NULL, &error);
  g_assert_null (hypervisor);
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOENT)));
}

static void
test_missing_module (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(HvHypervisor) hypervisor = NULL;
  g_autoptr(GError) error = NULL;

  hypervisor = get_hypervisor (fixture, "xen", &error);
  g_assert_null (hypervisor);
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "libhv-xen.so"));
}

static void
test_no_symbol (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree gchar *path = install_module (fixture, "no-symbol", "nosymbol", 0755);

  assert_refused (fixture, "nosymbol", path, "does not export 'hv_plugin_info'");
}

static void
test_misnamed (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree gchar *path = install_module (fixture, "misnamed", "misnamed", 0755);

  assert_refused (fixture, "misnamed", path, "declares hypervisor 'other'");
}

static void
test_not_a_hypervisor (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree gchar *path = install_module (fixture, "plain", "plain", 0755);

  assert_refused (fixture, "plain", path, "'GObject' is not an instantiable HvHypervisor");
}

static void
test_invalid_names (Fixture       *fixture,
                    gconstpointer  data)
{
  const gchar *names[] = { "", "../good", "a/b", "Good", "-kvm", "kvm.so", "k vm" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(HvHypervisor) hypervisor = NULL;
      g_autoptr(GError) error = NULL;

      hypervisor = get_hypervisor (fixture, names[i], &error);
      g_assert_null (hypervisor);
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
    }
}

#define TEST(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugin-loader/plugin-dir", test_plugin_dir);
  TEST ("/plugin-loader/list", test_list);
  TEST ("/plugin-loader/list/missing-dir", test_list_missing_dir);
  TEST ("/plugin-loader/get/good", test_good_module);
  TEST ("/plugin-loader/get/wrong-api-version", test_wrong_api_version);
  TEST ("/plugin-loader/get/group-writable", test_group_writable);
  TEST ("/plugin-loader/get/world-writable", test_world_writable);
  TEST ("/plugin-loader/get/setuid", test_setuid);
  TEST ("/plugin-loader/get/not-owned-by-root", test_not_owned_by_root);
  TEST ("/plugin-loader/get/symlink", test_symlink);
  TEST ("/plugin-loader/get/dir-group-writable", test_dir_group_writable);
  TEST ("/plugin-loader/get/missing-dir", test_missing_dir);
  TEST ("/plugin-loader/get/missing-module", test_missing_module);
  TEST ("/plugin-loader/get/no-symbol", test_no_symbol);
  TEST ("/plugin-loader/get/misnamed", test_misnamed);
  TEST ("/plugin-loader/get/not-a-hypervisor", test_not_a_hypervisor);
  TEST ("/plugin-loader/get/invalid-names", test_invalid_names);

  return g_test_run ();
}
