/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "hvkit-driver.h"

/* A scratch directory with a file, a directory, and links to both and to
 * nothing, for the node checks. */
typedef struct {
  gchar *dir;
  gchar *file;
  gchar *subdir;
  gchar *file_link;
  gchar *dangling_link;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("hvkit-param-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->file = g_build_filename (fixture->dir, "kvm", NULL);
  fixture->subdir = g_build_filename (fixture->dir, "hugepages", NULL);
  fixture->file_link = g_build_filename (fixture->dir, "kvm-link", NULL);
  fixture->dangling_link = g_build_filename (fixture->dir, "dangling", NULL);

  g_file_set_contents (fixture->file, "#!/bin/false\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (fixture->subdir, 0700), ==, 0);
  g_assert_cmpint (symlink (fixture->file, fixture->file_link), ==, 0);
  g_assert_cmpint (symlink ("/nonexistent/hvkit", fixture->dangling_link), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_cmpint (g_unlink (fixture->dangling_link), ==, 0);
  g_assert_cmpint (g_unlink (fixture->file_link), ==, 0);
  g_assert_cmpint (g_rmdir (fixture->subdir), ==, 0);
  g_assert_cmpint (g_unlink (fixture->file), ==, 0);
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->dangling_link);
  g_free (fixture->file_link);
  g_free (fixture->subdir);
  g_free (fixture->file);
  g_free (fixture->dir);
}

static gboolean
check_string (HvParamCheckFunc  check,
              const gchar      *str,
              gconstpointer     data)
{
  g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new_string (str));

  return check (value, data);
}

static gboolean
check_int (HvParamCheckFunc check,
           gint64           number)
{
  g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new_int64 (number));

  return check (value, NULL);
}

static void
assert_strings (HvParamCheckFunc    check,
                gconstpointer       data,
                const gchar *const *good,
                const gchar *const *bad)
{
  for (gsize i = 0; good[i] != NULL; i++)
    {
      if (!check_string (check, good[i], data))
        g_test_fail_printf ("'%s' should pass", good[i]);
    }
  for (gsize i = 0; bad[i] != NULL; i++)
    {
      if (check_string (check, bad[i], data))
        g_test_fail_printf ("'%s' should fail", bad[i]);
    }
}

static void
test_check_file (void)
{
  const gchar *const good[] = {
    "/", "/usr/bin/qemu-system-x86_64", "/a/...b", "/srv/.hidden", "/a b/c", NULL
  };
  const gchar *const bad[] = {
    "", "relative/kvm", "kvm", "/usr/", "//usr/bin", "/usr//bin", "/usr/./bin",
    "/usr/../bin", "/..", "/.", "/usr/bin/.", "/usr/bin/..", NULL
  };
  g_autoptr(GVariant) number = g_variant_ref_sink (g_variant_new_int64 (1));

  assert_strings (hv_param_check_file, NULL, good, bad);
  assert_strings (hv_param_check_dir, NULL, good, bad);
  g_assert_false (hv_param_check_file (number, NULL));
  g_assert_false (hv_param_check_dir (number, NULL));
}

static void
test_check_file_or_url (void)
{
  const gchar *const good[] = {
    "/srv/iso/debian.iso", "http://example.com/debian.iso", "https://example.com:8443/a?b=c",
    "HTTPS://Example.com/x", "ftp://mirror/debian.iso", "ftps://mirror/x", "http://h", NULL
  };
  const gchar *const bad[] = {
    "", "debian.iso", "/srv/iso/", "http://", "http:///x", "http://h x", "http://h\tx",
    "file:///srv/x.iso", "nfs://h/x", "http:/h/x", "://h/x", "tftp://h/x", NULL
  };

  assert_strings (hv_param_check_file_or_url, NULL, good, bad);
}

static void
test_check_cpu_mask (void)
{
  const gchar *const good[] = {
    "0", "0-2,4", "0-2,5,3-3", " 1 , 2", "+3", "7,7", "65535", "000", NULL
  };
  const gchar *const bad[] = {
    "", "all", "1-", "-1", "2-1", "1-2-3", "a", "0,,1", ",", "65536", "1:2", "0x1",
    "1.5", " ", "1 2", NULL
  };

  assert_strings (hv_param_check_cpu_mask, NULL, good, bad);
}

static void
test_check_multi_cpu_mask (void)
{
  const gchar *const good[] = {
    "all", "0", "0-2,4", "1:2-3:all", "0-2,5:all:1,5,6:2", "all:all", "0::1", NULL
  };
  const gchar *const bad[] = {
    "1:x", "all,1", "ALL", "1:2-1", "0:1-", ":,", "all-1", NULL
  };

  assert_strings (hv_param_check_multi_cpu_mask, NULL, good, bad);
}

static void
assert_cpus (GArray     *cpus,
             const gint *expected,
             gsize       n_expected)
{
  g_assert_nonnull (cpus);
  g_assert_cmpmem (cpus->data, cpus->len * sizeof (gint), expected, n_expected * sizeof (gint));
}

static void
test_cpu_mask_parse (void)
{
  const gint single[] = { 3, 1, 2, 1 };
  const gint first[] = { 0, 1, 2, 5 };
  const gint all[] = { HV_CPU_MASK_ALL };
  const gint third[] = { 1, 5, 6 };
  const gint fourth[] = { 2 };
  g_autoptr(GArray) cpus = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  cpus = hv_cpu_mask_parse ("3,1-2,1", &error);
  g_assert_no_error (error);
  assert_cpus (cpus, single, G_N_ELEMENTS (single));
  g_clear_pointer (&cpus, g_array_unref);

  cpus = hv_cpu_mask_parse ("", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cpus->len, ==, 0);

  /* Ganeti's example: sorted, duplicates dropped, "all" is -1 */
  entries = hv_multi_cpu_mask_parse ("5,0-2:all:6,1,5,5:2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 4);
  assert_cpus (entries->pdata[0], first, G_N_ELEMENTS (first));
  assert_cpus (entries->pdata[1], all, G_N_ELEMENTS (all));
  assert_cpus (entries->pdata[2], third, G_N_ELEMENTS (third));
  assert_cpus (entries->pdata[3], fourth, G_N_ELEMENTS (fourth));
  g_clear_pointer (&entries, g_ptr_array_unref);

  entries = hv_multi_cpu_mask_parse ("", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
  g_clear_pointer (&entries, g_ptr_array_unref);

  entries = hv_multi_cpu_mask_parse ("0-1:4-2", &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "Invalid CPU ID range definition (4 > 2): 4-2");
  g_assert_null (entries);
  g_clear_error (&error);

  cpus = hv_cpu_mask_parse ("1-2-3", &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==,
                   "Invalid CPU ID range definition (only one hyphen allowed): 1-2-3");
  g_assert_null (cpus);
  g_clear_error (&error);

  cpus = hv_cpu_mask_parse ("0-99999999999", &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "Invalid CPU ID in range '0-99999999999': above 65535");
  g_assert_null (cpus);
}

static void
test_check_integers (void)
{
  g_autoptr(GVariant) text = g_variant_ref_sink (g_variant_new_string ("80"));

  g_assert_true (check_int (hv_param_check_port, 1));
  g_assert_true (check_int (hv_param_check_port, 8102));
  g_assert_true (check_int (hv_param_check_port, 65534));
  g_assert_false (check_int (hv_param_check_port, 0));
  g_assert_false (check_int (hv_param_check_port, 65535));
  g_assert_false (check_int (hv_param_check_port, -1));
  g_assert_false (hv_param_check_port (text, NULL));

  g_assert_true (check_int (hv_param_check_virtio_net_queues, 1));
  g_assert_true (check_int (hv_param_check_virtio_net_queues, 8));
  g_assert_false (check_int (hv_param_check_virtio_net_queues, 0));
  g_assert_false (check_int (hv_param_check_virtio_net_queues, 9));
  g_assert_false (check_int (hv_param_check_virtio_net_queues, -4));
  g_assert_false (hv_param_check_virtio_net_queues (text, NULL));

  g_assert_true (check_int (hv_param_check_nonnegative_int, 0));
  g_assert_true (check_int (hv_param_check_nonnegative_int, G_MAXINT64));
  g_assert_false (check_int (hv_param_check_nonnegative_int, -1));
  g_assert_false (check_int (hv_param_check_nonnegative_int, G_MININT64));
  g_assert_false (hv_param_check_nonnegative_int (text, NULL));
}

static void
test_check_in_set (void)
{
  const gchar *const caches[] = { "default", "none", "writeback", "writethrough", NULL };
  const gchar *const good[] = { "default", "none", "writethrough", NULL };
  const gchar *const bad[] = { "", "None", "write", "writeback ", "unsafe", NULL };
  g_autoptr(GVariant) number = g_variant_ref_sink (g_variant_new_int64 (0));

  assert_strings (hv_param_check_in_set, caches, good, bad);
  g_assert_false (hv_param_check_in_set (number, caches));
}

static void
test_check_node (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree gchar *missing = g_build_filename (fixture->dir, "missing", NULL);

  g_assert_true (check_string (hv_param_check_is_file, fixture->file, NULL));
  g_assert_true (check_string (hv_param_check_is_file, fixture->file_link, NULL));
  g_assert_false (check_string (hv_param_check_is_file, fixture->subdir, NULL));
  g_assert_false (check_string (hv_param_check_is_file, fixture->dangling_link, NULL));
  g_assert_false (check_string (hv_param_check_is_file, missing, NULL));

  g_assert_true (check_string (hv_param_check_is_dir, fixture->subdir, NULL));
  g_assert_true (check_string (hv_param_check_is_dir, fixture->dir, NULL));
  g_assert_false (check_string (hv_param_check_is_dir, fixture->file, NULL));
  g_assert_false (check_string (hv_param_check_is_dir, missing, NULL));

  g_assert_true (check_string (hv_param_check_is_file_or_url, fixture->file, NULL));
  g_assert_true (check_string (hv_param_check_is_file_or_url, "http://example.com/a.iso", NULL));
  g_assert_false (check_string (hv_param_check_is_file_or_url, fixture->subdir, NULL));
  g_assert_false (check_string (hv_param_check_is_file_or_url, missing, NULL));
}

/* A small table in the shape of the KVM driver's. */
static const gchar *const boot_orders[] = { "disk", "cdrom", "network", NULL };

static const HvParamDef test_defs[] = {
  HV_PARAM_DEF_FILE ("kvm_path", TRUE),
  HV_PARAM_DEF_FILE ("kernel_path", FALSE),
  HV_PARAM_DEF_IN_SET ("boot_order", TRUE, boot_orders),
  HV_PARAM_DEF_PORT ("migration_port", TRUE),
  HV_PARAM_DEF_BOOLEAN ("acpi"),
  HV_PARAM_DEF_DIR ("mem_path", FALSE),
  HV_PARAM_DEF_FILE_OR_URL ("cdrom_image_path", FALSE),
  HV_PARAM_DEF_MULTI_CPU_MASK ("cpu_mask", FALSE),
  HV_PARAM_DEF_NONNEGATIVE_INT ("cpu_cores", FALSE),
  HV_PARAM_DEF_VIRTIO_NET_QUEUES ("virtio_net_queues", FALSE),
  HV_PARAM_DEF_STRING ("security_domain", FALSE),
  HV_PARAM_DEF_STRING ("root_path", TRUE),
};

/* Valid hvparams for test_defs, with @key replaced by @value (NULL: left
 * out) and @extra added when not NULL. */
static GVariant *
build_hvparams (Fixture     *fixture,
                const gchar *key,
                GVariant    *value,
                const gchar *extra)
{
  g_autoptr(GVariant) sunk = value != NULL ? g_variant_ref_sink (value) : NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert (&dict, "kvm_path", "s", fixture->file);
  g_variant_dict_insert (&dict, "kernel_path", "s", "");
  g_variant_dict_insert (&dict, "boot_order", "s", "disk");
  g_variant_dict_insert (&dict, "migration_port", "x", (gint64) 8102);
  g_variant_dict_insert (&dict, "acpi", "b", TRUE);
  g_variant_dict_insert (&dict, "mem_path", "s", "");
  g_variant_dict_insert (&dict, "cdrom_image_path", "s", "http://example.com/a.iso");
  g_variant_dict_insert (&dict, "cpu_mask", "s", "all");
  g_variant_dict_insert (&dict, "cpu_cores", "x", (gint64) 0);
  g_variant_dict_insert (&dict, "virtio_net_queues", "x", (gint64) 4);
  g_variant_dict_insert (&dict, "security_domain", "s", "");
  g_variant_dict_insert (&dict, "root_path", "s", "/dev/vda1");
  if (key != NULL)
    {
      if (sunk != NULL)
        g_variant_dict_insert_value (&dict, key, sunk);
      else
        g_assert_true (g_variant_dict_remove (&dict, key));
    }
  if (extra != NULL)
    g_variant_dict_insert (&dict, extra, "s", "x");
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static void
test_table_valid (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) specs = hv_param_specs_new_from_defs (test_defs, G_N_ELEMENTS (test_defs));
  g_autoptr(GVariant) hvparams = build_hvparams (fixture, NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (specs->len, ==, G_N_ELEMENTS (test_defs));
  g_assert_true (hv_param_specs_check_syntax (specs, hvparams, &error));
  g_assert_no_error (error);
  g_assert_true (hv_param_specs_validate (specs, hvparams, &error));
  g_assert_no_error (error);
}

typedef enum {
  STAGE_SYNTAX,
  STAGE_NODE,
} Stage;

static void
assert_refused (Fixture     *fixture,
                Stage        stage,
                const gchar *key,
                GVariant    *value,
                const gchar *extra,
                const gchar *message)
{
  g_autoptr(GPtrArray) specs = hv_param_specs_new_from_defs (test_defs, G_N_ELEMENTS (test_defs));
  g_autoptr(GVariant) hvparams = build_hvparams (fixture, key, value, extra);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = hv_param_specs_check_syntax (specs, hvparams, &error);
  if (stage == STAGE_NODE)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      ok = hv_param_specs_validate (specs, hvparams, &error);
    }
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_false (ok);
}

static void
test_table_refused (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree gchar *missing_kvm = g_build_filename (fixture->dir, "qemu", NULL);
  g_autofree gchar *missing_kvm_message = NULL;
  g_autofree gchar *kvm_dir_message = NULL;

  assert_refused (fixture, STAGE_SYNTAX, NULL, NULL, "kvm_flag",
                  "Parameter 'kvm_flag' is not supported");
  /* unknown keys are found before anything else is checked */
  assert_refused (fixture, STAGE_SYNTAX, "acpi", NULL, "vnc_tls",
                  "Parameter 'vnc_tls' is not supported");
  assert_refused (fixture, STAGE_SYNTAX, "acpi", NULL, NULL,
                  "Parameter 'acpi' is missing");
  assert_refused (fixture, STAGE_SYNTAX, "kernel_path", NULL, NULL,
                  "Parameter 'kernel_path' is missing");
  assert_refused (fixture, STAGE_SYNTAX, "kvm_path", g_variant_new_string (""), NULL,
                  "Parameter 'kvm_path' is required but is currently not defined");
  assert_refused (fixture, STAGE_SYNTAX, "root_path", g_variant_new_string (""), NULL,
                  "Parameter 'root_path' is required but is currently not defined");
  assert_refused (fixture, STAGE_SYNTAX, "kvm_path", g_variant_new_string ("usr/bin/kvm"), NULL,
                  "Parameter 'kvm_path' fails syntax check: must be an absolute normalized "
                  "path (current value: 'usr/bin/kvm')");
  assert_refused (fixture, STAGE_SYNTAX, "kernel_path", g_variant_new_string ("/boot/../vmlinuz"),
                  NULL,
                  "Parameter 'kernel_path' fails syntax check: must be an absolute normalized "
                  "path (current value: '/boot/../vmlinuz')");
  assert_refused (fixture, STAGE_SYNTAX, "boot_order", g_variant_new_string ("floppy"), NULL,
                  "Parameter 'boot_order' fails syntax check: The value must be one of: "
                  "disk, cdrom, network (current value: 'floppy')");
  assert_refused (fixture, STAGE_SYNTAX, "migration_port", g_variant_new_int64 (0), NULL,
                  "Parameter 'migration_port' fails syntax check: invalid port number "
                  "(current value: '0')");
  assert_refused (fixture, STAGE_SYNTAX, "cdrom_image_path", g_variant_new_string ("nfs://h/a.iso"),
                  NULL,
                  "Parameter 'cdrom_image_path' fails syntax check: must be an absolute "
                  "normalized path or a URL (current value: 'nfs://h/a.iso')");
  assert_refused (fixture, STAGE_SYNTAX, "cpu_mask", g_variant_new_string ("0-1:x"), NULL,
                  "Parameter 'cpu_mask' fails syntax check: Multiple CPU mask definition is "
                  "not well-formed (current value: '0-1:x')");
  assert_refused (fixture, STAGE_SYNTAX, "cpu_cores", g_variant_new_int64 (-2), NULL,
                  "Parameter 'cpu_cores' fails syntax check: cannot be negative "
                  "(current value: '-2')");
  assert_refused (fixture, STAGE_SYNTAX, "virtio_net_queues", g_variant_new_int64 (9), NULL,
                  "Parameter 'virtio_net_queues' fails syntax check: invalid number of queues "
                  "(current value: '9')");

  /* values of another type: a string "8102" is not an integer */
  assert_refused (fixture, STAGE_SYNTAX, "migration_port", g_variant_new_string ("8102"), NULL,
                  "Parameter 'migration_port' must be an integer (type 'x'), not of type 's' "
                  "(current value: '8102')");
  assert_refused (fixture, STAGE_SYNTAX, "acpi", g_variant_new_string ("true"), NULL,
                  "Parameter 'acpi' must be a boolean (type 'b'), not of type 's' "
                  "(current value: 'true')");
  assert_refused (fixture, STAGE_SYNTAX, "kernel_path", g_variant_new_int64 (5), NULL,
                  "Parameter 'kernel_path' must be a string (type 's'), not of type 'x' "
                  "(current value: '5')");
  assert_refused (fixture, STAGE_SYNTAX, "cpu_cores", g_variant_new_int32 (2), NULL,
                  "Parameter 'cpu_cores' must be an integer (type 'x'), not of type 'i' "
                  "(current value: '2')");
  assert_refused (fixture, STAGE_SYNTAX, "acpi", g_variant_new_int64 (1), NULL,
                  "Parameter 'acpi' must be a boolean (type 'b'), not of type 'x' "
                  "(current value: '1')");

  /* node checks: the syntax is fine, the node disagrees */
  missing_kvm_message = g_strdup_printf ("Parameter 'kvm_path' fails validation: not found or "
                                         "not a file (current value: '%s')", missing_kvm);
  assert_refused (fixture, STAGE_NODE, "kvm_path", g_variant_new_string (missing_kvm), NULL,
                  missing_kvm_message);
  kvm_dir_message = g_strdup_printf ("Parameter 'kvm_path' fails validation: not found or not "
                                     "a file (current value: '%s')", fixture->subdir);
  assert_refused (fixture, STAGE_NODE, "kvm_path", g_variant_new_string (fixture->subdir), NULL,
                  kvm_dir_message);
  assert_refused (fixture, STAGE_NODE, "mem_path", g_variant_new_string ("/nonexistent/hugepages"),
                  NULL,
                  "Parameter 'mem_path' fails validation: not found or not a directory "
                  "(current value: '/nonexistent/hugepages')");
  assert_refused (fixture, STAGE_NODE, "cdrom_image_path",
                  g_variant_new_string ("/nonexistent/a.iso"), NULL,
                  "Parameter 'cdrom_image_path' fails validation: not found or not a file or "
                  "URL (current value: '/nonexistent/a.iso')");
}

static void
test_table_validate_alone (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) specs = hv_param_specs_new_from_defs (test_defs, G_N_ELEMENTS (test_defs));
  g_autoptr(GVariant) unknown = build_hvparams (fixture, NULL, NULL, "kvm_flag");
  g_autoptr(GVariant) missing = build_hvparams (fixture, "mem_path", NULL, NULL);
  g_autoptr(GVariant) empty = build_hvparams (fixture, "kvm_path", g_variant_new_string (""), NULL);
  g_autoptr(GError) error = NULL;

  /* validation leaves unknown keys to the syntax check, as hv_base does */
  g_assert_true (hv_param_specs_validate (specs, unknown, &error));
  g_assert_no_error (error);

  /* where hv_base would raise KeyError or stat "", the reason is given */
  g_assert_false (hv_param_specs_validate (specs, missing, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "Parameter 'mem_path' is missing");
  g_clear_error (&error);

  g_assert_false (hv_param_specs_validate (specs, empty, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==,
                   "Parameter 'kvm_path' is required but is currently not defined");
}

static void
test_spec_from_def (void)
{
  g_autoptr(HvParamSpec) file = hv_param_spec_new_from_def (&test_defs[0]);
  g_autoptr(HvParamSpec) set = hv_param_spec_new_from_def (&test_defs[2]);
  g_autoptr(HvParamSpec) flag = hv_param_spec_new_from_def (&test_defs[4]);
  g_autoptr(GPtrArray) specs = hv_param_specs_new_from_defs (test_defs, G_N_ELEMENTS (test_defs));

  g_assert_cmpstr (hv_param_spec_get_name (file), ==, "kvm_path");
  g_assert_true (g_variant_type_equal (hv_param_spec_get_value_type (file), G_VARIANT_TYPE_STRING));
  g_assert_true (hv_param_spec_get_required (file));
  g_assert_true (hv_param_spec_has_syntax_check (file));
  g_assert_true (hv_param_spec_has_node_check (file));
  g_assert_cmpstr (hv_param_spec_get_syntax_message (file), ==,
                   "must be an absolute normalized path");
  g_assert_cmpstr (hv_param_spec_get_node_message (file), ==, "not found or not a file");

  g_assert_cmpstr (hv_param_spec_get_syntax_message (set), ==,
                   "The value must be one of: disk, cdrom, network");
  g_assert_false (hv_param_spec_has_node_check (set));
  g_assert_null (hv_param_spec_get_node_message (set));

  g_assert_true (g_variant_type_equal (hv_param_spec_get_value_type (flag), G_VARIANT_TYPE_BOOLEAN));
  g_assert_false (hv_param_spec_get_required (flag));
  g_assert_false (hv_param_spec_has_syntax_check (flag));
  g_assert_null (hv_param_spec_get_syntax_message (flag));

  g_assert_true (hv_param_specs_find (specs, "acpi") == specs->pdata[4]);
  g_assert_null (hv_param_specs_find (specs, "kvm_flag"));
}

static void
test_spec_duplicate_name (void)
{
  static const HvParamDef twice[] = {
    HV_PARAM_DEF_BOOLEAN ("acpi"),
    HV_PARAM_DEF_BOOLEAN ("acpi"),
  };
  GPtrArray *specs;

  g_test_expect_message ("HvParam", G_LOG_LEVEL_CRITICAL, "*hv_param_specs_find*== NULL*");
  specs = hv_param_specs_new_from_defs (twice, G_N_ELEMENTS (twice));
  g_test_assert_expected_messages ();
  g_assert_null (specs);
}

static gboolean
is_even (GVariant *value,
         gpointer  user_data)
{
  guint *calls = user_data;

  (*calls)++;
  return g_variant_get_int64 (value) % 2 == 0;
}

static void
count_destroy (gpointer user_data)
{
  guint *calls = user_data;

  *calls += 100;
}

static void
test_spec_callbacks (void)
{
  HvParamSpec *spec = hv_param_spec_new ("vcpus", G_VARIANT_TYPE_INT64, TRUE);
  g_autoptr(GError) error = NULL;
  guint calls = 0;

  g_assert_false (hv_param_spec_has_syntax_check (spec));
  /* without a check, any value of the right type passes */
  g_assert_true (hv_param_spec_check_syntax (spec, g_variant_new_int64 (3), &error));
  g_assert_no_error (error);

  hv_param_spec_set_syntax_check (spec, "must be even", is_even, &calls, count_destroy);
  g_assert_true (hv_param_spec_check_syntax (spec, g_variant_new_int64 (4), &error));
  g_assert_no_error (error);
  g_assert_false (hv_param_spec_check_syntax (spec, g_variant_new_int64 (3), &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==,
                   "Parameter 'vcpus' fails syntax check: must be even (current value: '3')");
  g_clear_error (&error);
  g_assert_cmpuint (calls, ==, 2);

  g_assert_false (hv_param_spec_check_syntax (spec, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "Parameter 'vcpus' is missing");
  g_clear_error (&error);
  g_assert_cmpuint (calls, ==, 2);

  hv_param_spec_set_node_check (spec, "not on this node", is_even, &calls, NULL);
  g_assert_false (hv_param_spec_check_node (spec, g_variant_new_int64 (7), &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==,
                   "Parameter 'vcpus' fails validation: not on this node (current value: '7')");
  g_assert_cmpuint (calls, ==, 3);

  /* replacing a check releases the old data, so does the last unref */
  hv_param_spec_set_syntax_check (spec, "anything", is_even, &calls, NULL);
  g_assert_cmpuint (calls, ==, 103);
  hv_param_spec_ref (spec);
  hv_param_spec_unref (spec);
  hv_param_spec_unref (spec);
  g_assert_cmpuint (calls, ==, 103);
}

static void
test_spec_boxed (void)
{
  g_autoptr(HvParamSpec) spec = hv_param_spec_new ("acpi", G_VARIANT_TYPE_BOOLEAN, FALSE);
  g_autoptr(HvParamSpec) copy = g_boxed_copy (HV_TYPE_PARAM_SPEC, spec);
  g_autoptr(GError) error = NULL;

  g_assert_true (copy == spec);
  g_assert_cmpstr (g_type_name (HV_TYPE_PARAM_SPEC), ==, "HvParamSpec");
  /* false is a value, not "unspecified" */
  g_assert_true (hv_param_spec_check_syntax (spec, g_variant_new_boolean (FALSE), &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/param/check/file", test_check_file);
  g_test_add_func ("/param/check/file-or-url", test_check_file_or_url);
  g_test_add_func ("/param/check/cpu-mask", test_check_cpu_mask);
  g_test_add_func ("/param/check/multi-cpu-mask", test_check_multi_cpu_mask);
  g_test_add_func ("/param/check/integers", test_check_integers);
  g_test_add_func ("/param/check/in-set", test_check_in_set);
  g_test_add ("/param/check/node", Fixture, NULL,
              fixture_set_up, test_check_node, fixture_tear_down);
  g_test_add_func ("/param/cpu-mask/parse", test_cpu_mask_parse);
  g_test_add ("/param/table/valid", Fixture, NULL,
              fixture_set_up, test_table_valid, fixture_tear_down);
  g_test_add ("/param/table/refused", Fixture, NULL,
              fixture_set_up, test_table_refused, fixture_tear_down);
  g_test_add ("/param/table/validate-alone", Fixture, NULL,
              fixture_set_up, test_table_validate_alone, fixture_tear_down);
  g_test_add_func ("/param/spec/from-def", test_spec_from_def);
  g_test_add_func ("/param/spec/duplicate-name", test_spec_duplicate_name);
  g_test_add_func ("/param/spec/callbacks", test_spec_callbacks);
  g_test_add_func ("/param/spec/boxed", test_spec_boxed);

  return g_test_run ();
}
