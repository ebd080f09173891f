/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm-capabilities-cache.h"
#include "hv-test-files.h"

/*
 * The capability probe and its cache against the real QEMU. The "binary"
 * each test probes is a script in a temporary directory that counts its
 * runs in a file and then execs qemu-system-x86_64: the count is what
 * proves that a cached lookup runs no QEMU, and touching the script is a
 * binary changing under the cache.
 */

#define QEMU "/usr/bin/qemu-system-x86_64"

typedef struct {
  gchar *dir;
  gchar *cache_dir;
  gchar *qemu;                  /* the counting wrapper */
  gchar *runs;                  /* its count file */
} Fixture;

static void
write_script (const gchar *path,
              const gchar *body)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, body, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *script = NULL;

  fixture->dir = g_dir_make_tmp ("hvkit-caps-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->cache_dir = g_build_filename (fixture->dir, "cache", NULL);
  fixture->qemu = g_build_filename (fixture->dir, "qemu-system-x86_64", NULL);
  fixture->runs = g_build_filename (fixture->dir, "runs", NULL);
  script = g_strdup_printf ("#!/bin/sh\necho run >> '%s'\nexec " QEMU " \"$@\"\n",
                            fixture->runs);
  write_script (fixture->qemu, script);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  hv_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->cache_dir);
  g_free (fixture->qemu);
  g_free (fixture->runs);
}

static guint
count_runs (Fixture *fixture)
{
  g_autofree gchar *contents = NULL;
  guint runs = 0;

  if (!g_file_get_contents (fixture->runs, &contents, NULL, NULL))
    return 0;
  for (const gchar *p = contents; *p != '\0'; p++)
    runs += *p == '\n';
  return runs;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static HvKvmCapabilities *
lookup (HvKvmCapabilitiesCache  *cache,
        const gchar             *qemu,
        GCancellable            *cancellable,
        GError                 **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hv_kvm_capabilities_cache_lookup_async (cache, qemu, cancellable, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return hv_kvm_capabilities_cache_lookup_finish (cache, result, error);
}

/* The binary "changes": mtime one minute on, as an upgrade would. */
static void
touch (const gchar *path)
{
  struct stat st;
  struct utimbuf times;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  times.actime = st.st_atime;
  times.modtime = st.st_mtime + 60;
  g_assert_cmpint (g_utime (path, &times), ==, 0);
}

static void
test_probe_once (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(HvKvmCapabilitiesCache) cache = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  g_autoptr(HvKvmCapabilitiesCache) other = NULL;
  g_autoptr(HvKvmCapabilities) first = NULL;
  g_autoptr(HvKvmCapabilities) again = NULL;
  g_autoptr(HvKvmCapabilities) from_file = NULL;
  g_autoptr(GVariant) first_variant = NULL;
  g_autoptr(GVariant) file_variant = NULL;
  g_autofree gchar *cache_file = NULL;
  g_autoptr(GError) error = NULL;

  first = lookup (cache, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (cache), ==, 1);
  g_assert_cmpuint (count_runs (fixture), ==, 1);
  g_assert_true (hv_kvm_capabilities_has_command (first, "query-pci"));
  g_assert_true (hv_kvm_capabilities_has_device (first, "virtio-blk-pci"));
  g_assert_nonnull (hv_kvm_capabilities_get_default_machine (first));

  cache_file = hv_kvm_capabilities_cache_get_file_path (cache, fixture->qemu);
  g_assert_true (g_file_test (cache_file, G_FILE_TEST_IS_REGULAR));

  /* the same process: from memory, no QEMU */
  again = lookup (cache, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (again == first);
  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (cache), ==, 1);
  g_assert_cmpuint (count_runs (fixture), ==, 1);

  /* another process (a new cache on the same directory): from the file */
  other = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  from_file = lookup (other, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (other), ==, 0);
  g_assert_cmpuint (count_runs (fixture), ==, 1);
  first_variant = hv_kvm_capabilities_to_variant (first);
  file_variant = hv_kvm_capabilities_to_variant (from_file);
  g_assert_true (g_variant_equal (first_variant, file_variant));
}

static void
test_changed_binary (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(HvKvmCapabilitiesCache) cache = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  g_autoptr(HvKvmCapabilitiesCache) other = NULL;
  g_autoptr(HvKvmCapabilities) before = NULL;
  g_autoptr(HvKvmCapabilities) after = NULL;
  g_autoptr(HvKvmCapabilities) reread = NULL;
  g_autoptr(GError) error = NULL;

  before = lookup (cache, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_runs (fixture), ==, 1);

  touch (fixture->qemu);
  after = lookup (cache, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (after != before);
  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (cache), ==, 2);
  g_assert_cmpuint (count_runs (fixture), ==, 2);

  /* and the file now holds the new binary's key: no third run */
  other = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  reread = lookup (other, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_runs (fixture), ==, 2);
}

static void
test_damaged_file (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(HvKvmCapabilitiesCache) cache = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  g_autoptr(HvKvmCapabilitiesCache) second = NULL;
  g_autoptr(HvKvmCapabilitiesCache) third = NULL;
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  g_autofree gchar *cache_file = NULL;
  g_autofree gchar *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  capabilities = lookup (cache, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&capabilities);

  /* one byte of the payload changed: the checksum refuses it */
  cache_file = hv_kvm_capabilities_cache_get_file_path (cache, fixture->qemu);
  g_assert_true (g_file_get_contents (cache_file, &contents, &length, NULL));
  contents[length - 3] ^= 0x20;
  g_assert_true (g_file_set_contents (cache_file, contents, (gssize) length, NULL));

  second = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  capabilities = lookup (second, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (second), ==, 1);
  g_assert_cmpuint (count_runs (fixture), ==, 2);
  g_clear_object (&capabilities);

  /* torn: half a file */
  g_assert_true (g_file_set_contents (cache_file, contents, (gssize) length / 2, NULL));
  third = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  capabilities = lookup (third, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_runs (fixture), ==, 3);
}

static void
concurrent_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GPtrArray *results = user_data;
  g_autoptr(GError) error = NULL;
  HvKvmCapabilities *capabilities;

  capabilities = hv_kvm_capabilities_cache_lookup_finish (HV_KVM_CAPABILITIES_CACHE (source),
                                                          result, &error);
  g_assert_no_error (error);
  g_ptr_array_add (results, capabilities);
  g_main_context_wakeup (NULL);
}

/* Three starts at once of instances on one new binary: one probe. */
static void
test_concurrent_lookups (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(HvKvmCapabilitiesCache) cache = hv_kvm_capabilities_cache_new (NULL);
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < 3; i++)
    hv_kvm_capabilities_cache_lookup_async (cache, fixture->qemu, NULL, concurrent_cb, results);
  while (results->len < 3)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (cache), ==, 1);
  g_assert_cmpuint (count_runs (fixture), ==, 1);
  g_assert_true (g_ptr_array_index (results, 0) == g_ptr_array_index (results, 1));
  g_assert_true (g_ptr_array_index (results, 1) == g_ptr_array_index (results, 2));
  g_assert_null (hv_kvm_capabilities_cache_get_file_path (cache, fixture->qemu));
}

static void
test_failures (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(HvKvmCapabilitiesCache) cache = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  g_autofree gchar *missing = g_build_filename (fixture->dir, "no-such-qemu", NULL);
  g_autofree gchar *broken = g_build_filename (fixture->dir, "broken-qemu", NULL);
  g_autofree gchar *hanging = g_build_filename (fixture->dir, "hanging-qemu", NULL);
  struct {
    const gchar *path;
    gint code;
    const gchar *message;
  } cases[] = {
    { "qemu-system-x86_64", HV_ERROR_INVALID_PARAMETER, "absolute" },
    { missing, HV_ERROR_FAILED, "no-such-qemu" },
    { fixture->dir, HV_ERROR_FAILED, "not a regular file" },
    /* QEMU that refuses its options: its stderr is in the error */
    { broken, HV_ERROR_MONITOR, "invalid option 'x'" },
    { hanging, HV_ERROR_TIMEOUT, "100 ms" },
  };

  write_script (broken, "#!/bin/sh\necho \"qemu: invalid option 'x'\" >&2\nexit 1\n");
  /* reads the questions, never answers: only the timeout ends it */
  write_script (hanging, "#!/bin/sh\ncat > /dev/null\nexec sleep 600\n");
  hv_kvm_capabilities_cache_set_probe_timeout (cache, 100);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HvKvmCapabilities) capabilities = NULL;
      g_autoptr(GError) error = NULL;

      capabilities = lookup (cache, cases[i].path, NULL, &error);
      g_assert_null (capabilities);
      g_assert_error (error, HV_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("'%s' does not say '%s'", error->message, cases[i].message);
    }
}

static void
probe_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/* QEMU 7.2 drops buffered monitor output when it quits: a probe ending
 * with `quit` lost part of its ~80 KB of answers about one run in ten.
 * Twenty probes in a row must all get everything. */
static void
test_probe_repeated (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GVariant) first = NULL;

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(HvKvmCapabilities) capabilities = NULL;
      g_autoptr(GVariant) variant = NULL;
      g_autoptr(GError) error = NULL;

      hv_kvm_capabilities_probe_async (QEMU, 30000, NULL, probe_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      capabilities = hv_kvm_capabilities_probe_finish (result, &error);
      g_assert_no_error (error);

      variant = hv_kvm_capabilities_to_variant (capabilities);
      if (first == NULL)
        first = g_variant_ref (variant);
      else
        g_assert_true (g_variant_equal (variant, first));
    }
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(HvKvmCapabilitiesCache) cache = hv_kvm_capabilities_cache_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  capabilities = lookup (cache, fixture->qemu, cancellable, &error);
  g_assert_null (capabilities);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Two QEMUs on one host (7.2 and the tests' 10.0): one entry each, in
 * memory and on disk, never one for both, whether looked up one after the
 * other or at the same time. */
static void
test_two_qemus (Fixture       *fixture,
                gconstpointer  data)
{
  const gchar *qemu10 = g_getenv ("HVKIT_TEST_QEMU10");
  g_autoptr(HvKvmCapabilitiesCache) cache = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  g_autoptr(HvKvmCapabilitiesCache) other = NULL;
  g_autoptr(GAsyncResult) result_7 = NULL;
  g_autoptr(GAsyncResult) result_10 = NULL;
  g_autoptr(HvKvmCapabilities) caps_7 = NULL;
  g_autoptr(HvKvmCapabilities) caps_10 = NULL;
  g_autoptr(HvKvmCapabilities) file_7 = NULL;
  g_autoptr(HvKvmCapabilities) file_10 = NULL;
  g_autofree gchar *path_7 = NULL;
  g_autofree gchar *path_10 = NULL;
  g_autoptr(GError) error = NULL;

  if (qemu10 == NULL || *qemu10 == '\0')
    {
      g_test_skip ("HVKIT_TEST_QEMU10 is not set (meson -Dtest_qemu10=true sets it)");
      return;
    }

  /* both probes under way at once: neither joins the other's */
  hv_kvm_capabilities_cache_lookup_async (cache, fixture->qemu, NULL, store_result_cb,
                                          &result_7);
  hv_kvm_capabilities_cache_lookup_async (cache, qemu10, NULL, store_result_cb, &result_10);
  while (result_7 == NULL || result_10 == NULL)
    g_main_context_iteration (NULL, TRUE);
  caps_7 = hv_kvm_capabilities_cache_lookup_finish (cache, result_7, &error);
  g_assert_no_error (error);
  caps_10 = hv_kvm_capabilities_cache_lookup_finish (cache, result_10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (cache), ==, 2);
  g_assert_true (hv_kvm_capabilities_check_version (caps_10, 10, 0, 0));
  g_assert_false (hv_kvm_capabilities_check_version (caps_7, 8, 0, 0));
  g_assert_true (hv_kvm_capabilities_has_command_line_option (caps_10, "run-with", "chroot"));
  g_assert_false (hv_kvm_capabilities_has_command_line_option (caps_7, "run-with", NULL));

  /* one file each */
  path_7 = hv_kvm_capabilities_cache_get_file_path (cache, fixture->qemu);
  path_10 = hv_kvm_capabilities_cache_get_file_path (cache, qemu10);
  g_assert_cmpstr (path_7, !=, path_10);
  g_assert_true (g_file_test (path_7, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (path_10, G_FILE_TEST_IS_REGULAR));

  /* in memory, each its own */
  g_clear_object (&file_7);
  file_7 = lookup (cache, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (file_7 == caps_7);
  g_clear_object (&file_7);

  /* another process reads each from its own file, probing neither */
  other = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  file_10 = lookup (other, qemu10, NULL, &error);
  g_assert_no_error (error);
  file_7 = lookup (other, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (other), ==, 0);
  g_assert_cmpstr (hv_kvm_capabilities_get_version_string (file_10), ==,
                   hv_kvm_capabilities_get_version_string (caps_10));
  g_assert_cmpstr (hv_kvm_capabilities_get_version_string (file_7), ==,
                   hv_kvm_capabilities_get_version_string (caps_7));
  g_assert_cmpuint (count_runs (fixture), ==, 1);
}

/* -- a damaged cache file, case by case ----------------------------------- */

typedef enum {
  DAMAGE_EMPTY,            /* truncated to nothing */
  DAMAGE_HEADER_ONLY,      /* truncated after its header line */
  DAMAGE_GARBAGE,          /* bytes that are no cache file, no newline */
  DAMAGE_OLD_FORMAT,       /* intact, checksum right, another format number */
  DAMAGE_BAD_PAYLOAD,      /* checksum right, the payload not an a{sv} */
  DAMAGE_BAD_CAPABILITIES, /* checksum right, capabilities of no known form */
  DAMAGE_OTHER_BINARY,     /* another QEMU's file, under this one's name */
  DAMAGE_REPLACED_BINARY,  /* the binary replaced, its size and mtime kept */
} Damage;

static const struct {
  const gchar *name;
  Damage       damage;
} damages[] = {
  { "empty", DAMAGE_EMPTY },
  { "header-only", DAMAGE_HEADER_ONLY },
  { "garbage", DAMAGE_GARBAGE },
  { "old-format", DAMAGE_OLD_FORMAT },
  { "bad-payload", DAMAGE_BAD_PAYLOAD },
  { "bad-capabilities", DAMAGE_BAD_CAPABILITIES },
  { "other-binary", DAMAGE_OTHER_BINARY },
  { "replaced-binary", DAMAGE_REPLACED_BINARY },
};

/* A cache file whose header is right for @payload, with format @format. */
static GBytes *
cache_file_new (guint     format,
                GVariant *payload)
{
  g_autofree gchar *checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                            g_variant_get_data (payload),
                                                            g_variant_get_size (payload));
  GString *contents = g_string_new (NULL);

  g_string_append_printf (contents, "hvkit-kvm-capabilities %u %s\n", format, checksum);
  g_string_append_len (contents, g_variant_get_data (payload),
                       (gssize) g_variant_get_size (payload));
  return g_string_free_to_bytes (contents);
}

/* The payload of the intact cache file @contents. */
static GVariant *
cache_file_payload (const gchar *contents,
                    gsize        length)
{
  const gchar *newline = memchr (contents, '\n', length);
  g_autoptr(GBytes) bytes = NULL;

  g_assert_nonnull (newline);
  bytes = g_bytes_new (newline + 1, length - (gsize) (newline + 1 - contents));
  return g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
}

static void
write_bytes (const gchar *path,
             GBytes      *bytes)
{
  g_autoptr(GError) error = NULL;
  gsize length;
  const gchar *data = g_bytes_get_data (bytes, &length);

  g_assert_true (g_file_set_contents (path, data, (gssize) length, &error));
  g_assert_no_error (error);
}

/* Another binary, a copy of the wrapper under another name and with
 * another size: its cache file. */
static GBytes *
other_binary_file (Fixture *fixture)
{
  g_autofree gchar *other = g_build_filename (fixture->dir, "other-qemu", NULL);
  g_autofree gchar *other_cache = g_build_filename (fixture->dir, "other-cache", NULL);
  g_autoptr(HvKvmCapabilitiesCache) cache = hv_kvm_capabilities_cache_new (other_cache);
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  write_script (other, "#!/bin/sh\n# another QEMU, another size\nexec " QEMU " \"$@\"\n");
  capabilities = lookup (cache, other, NULL, &error);
  g_assert_no_error (error);
  path = hv_kvm_capabilities_cache_get_file_path (cache, other);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

/* The wrapper replaced by a new file (another inode) of the same size and
 * mtime, as a package upgrade that keeps the packaged mtime could. */
static void
replace_binary (Fixture *fixture)
{
  g_autofree gchar *contents = NULL;
  g_autofree gchar *next = g_strconcat (fixture->qemu, ".new", NULL);
  struct stat st;
  struct utimbuf times;
  gsize length;

  g_assert_cmpint (g_stat (fixture->qemu, &st), ==, 0);
  g_assert_true (g_file_get_contents (fixture->qemu, &contents, &length, NULL));
  write_script (next, contents);
  times.actime = st.st_atime;
  times.modtime = st.st_mtime;
  g_assert_cmpint (g_utime (next, &times), ==, 0);
  g_assert_cmpint (g_rename (next, fixture->qemu), ==, 0);
}

/* Each damage: a new cache (another process) probes again, gets what the
 * first probe got, and rewrites the file, which the next process uses. */
static void
test_damage (Fixture       *fixture,
             gconstpointer  data)
{
  Damage damage = GPOINTER_TO_INT (data);
  g_autoptr(HvKvmCapabilitiesCache) cache = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  g_autoptr(HvKvmCapabilitiesCache) second = NULL;
  g_autoptr(HvKvmCapabilitiesCache) third = NULL;
  g_autoptr(HvKvmCapabilities) first = NULL;
  g_autoptr(HvKvmCapabilities) probed = NULL;
  g_autoptr(HvKvmCapabilities) reread = NULL;
  g_autoptr(GVariant) first_variant = NULL;
  g_autoptr(GVariant) probed_variant = NULL;
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(GBytes) damaged = NULL;
  g_autofree gchar *cache_file = NULL;
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;
  gsize length;

  first = lookup (cache, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_runs (fixture), ==, 1);
  cache_file = hv_kvm_capabilities_cache_get_file_path (cache, fixture->qemu);
  g_assert_true (g_file_get_contents (cache_file, &contents, &length, NULL));
  payload = cache_file_payload (contents, length);

  switch (damage)
    {
    case DAMAGE_EMPTY:
      damaged = g_bytes_new_static ("", 0);
      break;
    case DAMAGE_HEADER_ONLY:
      damaged = g_bytes_new (contents, (gsize) ((gchar *) memchr (contents, '\n', length) -
                                                contents) + 1);
      break;
    case DAMAGE_GARBAGE:
      {
        gchar junk[1024];

        for (gsize i = 0; i < sizeof junk; i++)
          junk[i] = (gchar) (0x80 | (i * 37));
        damaged = g_bytes_new (junk, sizeof junk);
      }
      break;
    case DAMAGE_OLD_FORMAT:
      damaged = cache_file_new (1, payload);
      break;
    case DAMAGE_BAD_PAYLOAD:
      {
        g_autoptr(GVariant) other = g_variant_ref_sink (g_variant_new_string ("a string"));

        damaged = cache_file_new (2, other);
      }
      break;
    case DAMAGE_BAD_CAPABILITIES:
      {
        g_autoptr(GVariant) binary = g_variant_lookup_value (payload, "binary", NULL);
        g_autoptr(GVariant) bad = NULL;

        g_variant_dict_init (&dict, NULL);
        g_variant_dict_insert_value (&dict, "binary", binary);
        g_variant_dict_insert_value (&dict, "capabilities",
                                     g_variant_new_parsed ("{'format': <uint32 999>}"));
        bad = g_variant_ref_sink (g_variant_get_normal_form (g_variant_dict_end (&dict)));
        damaged = cache_file_new (2, bad);
      }
      break;
    case DAMAGE_OTHER_BINARY:
      damaged = other_binary_file (fixture);
      break;
    case DAMAGE_REPLACED_BINARY:
      replace_binary (fixture);
      break;
    }
  if (damaged != NULL)
    write_bytes (cache_file, damaged);

  second = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  probed = lookup (second, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (second), ==, 1);
  g_assert_cmpuint (count_runs (fixture), ==, 2);
  first_variant = hv_kvm_capabilities_to_variant (first);
  probed_variant = hv_kvm_capabilities_to_variant (probed);
  g_assert_true (g_variant_equal (first_variant, probed_variant));

  /* rewritten: the next process reads it, no third probe */
  third = hv_kvm_capabilities_cache_new (fixture->cache_dir);
  reread = lookup (third, fixture->qemu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hv_kvm_capabilities_cache_get_probe_count (third), ==, 0);
  g_assert_cmpuint (count_runs (fixture), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (!g_file_test (QEMU, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no " QEMU);
      return g_test_run ();
    }

  g_test_add ("/kvm/capabilities/two-qemus", Fixture, NULL, fixture_set_up, test_two_qemus,
              fixture_tear_down);
  g_test_add ("/kvm/capabilities/probe-once", Fixture, NULL, fixture_set_up, test_probe_once,
              fixture_tear_down);
  g_test_add ("/kvm/capabilities/changed-binary", Fixture, NULL, fixture_set_up,
              test_changed_binary, fixture_tear_down);
  g_test_add ("/kvm/capabilities/damaged-file", Fixture, NULL, fixture_set_up,
              test_damaged_file, fixture_tear_down);
  for (gsize i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/kvm/capabilities/damage/%s", damages[i].name);

      g_test_add (path, Fixture, GINT_TO_POINTER (damages[i].damage), fixture_set_up,
                  test_damage, fixture_tear_down);
    }
  g_test_add ("/kvm/capabilities/concurrent-lookups", Fixture, NULL, fixture_set_up,
              test_concurrent_lookups, fixture_tear_down);
  g_test_add ("/kvm/capabilities/failures", Fixture, NULL, fixture_set_up, test_failures,
              fixture_tear_down);
  g_test_add ("/kvm/capabilities/probe-repeated", Fixture, NULL, fixture_set_up,
              test_probe_repeated, fixture_tear_down);
  g_test_add ("/kvm/capabilities/cancelled", Fixture, NULL, fixture_set_up, test_cancelled,
              fixture_tear_down);

  return g_test_run ();
}
