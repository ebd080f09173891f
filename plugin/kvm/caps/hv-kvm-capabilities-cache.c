/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmCapabilities"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hvkit.h"
#include "hv-kvm-capabilities-cache.h"

/*
 * Capabilities probed once per QEMU binary and kept twice: in memory for
 * this process, and in a file per binary under the cache directory for the
 * next process. Both are keyed by the binary's path, size, mtime, ctime,
 * inode and device, so an upgraded or touched binary is probed again and an
 * unchanged one never is. Lookups of a binary whose probe is under way wait
 * for that probe instead of starting another.
 *
 * A cache file is one header line, "hvkit-kvm-capabilities <format>
 * <sha256 of the rest>", then a serialized a{sv} in normal form: "binary"
 * (the key) and "capabilities" (hv_kvm_capabilities_to_variant()). A file
 * that is torn, edited, of another format or of another binary is ignored
 * and rewritten.
 */

#define CACHE_FILE_MAGIC "hvkit-kvm-capabilities"

#define BINARY_ATTRIBUTES \
  G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE "," \
  G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC "," \
  G_FILE_ATTRIBUTE_TIME_CHANGED "," G_FILE_ATTRIBUTE_TIME_CHANGED_USEC "," \
  G_FILE_ATTRIBUTE_UNIX_INODE "," G_FILE_ATTRIBUTE_UNIX_DEVICE

typedef struct {
  GVariant *key;
  HvKvmCapabilities *capabilities;
} CacheEntry;

typedef struct {
  GVariant *key;
  GPtrArray *tasks;             /* GTask waiting for this probe */
} PendingProbe;

struct _HvKvmCapabilitiesCache {
  GObject parent_instance;

  gchar *cache_dir;
  guint probe_timeout_ms;
  guint probe_count;
  GHashTable *entries;          /* qemu path → CacheEntry */
  GHashTable *pending;          /* qemu path → PendingProbe */
};

G_DEFINE_FINAL_TYPE (HvKvmCapabilitiesCache, hv_kvm_capabilities_cache, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CACHE_DIR,
  PROP_PROBE_TIMEOUT,
  PROP_PROBE_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct {
  gchar *qemu_path;
  GVariant *key;
} LookupData;

static void
lookup_data_free (LookupData *data)
{
  g_free (data->qemu_path);
  g_clear_pointer (&data->key, g_variant_unref);
  g_free (data);
}

static void
cache_entry_free (CacheEntry *entry)
{
  g_variant_unref (entry->key);
  g_object_unref (entry->capabilities);
  g_free (entry);
}

static void
pending_probe_free (PendingProbe *pending)
{
  g_variant_unref (pending->key);
  g_ptr_array_unref (pending->tasks);
  g_free (pending);
}

static void
hv_kvm_capabilities_cache_finalize (GObject *object)
{
  HvKvmCapabilitiesCache *self = HV_KVM_CAPABILITIES_CACHE (object);

  g_free (self->cache_dir);
  g_hash_table_unref (self->entries);
  g_hash_table_unref (self->pending);

  G_OBJECT_CLASS (hv_kvm_capabilities_cache_parent_class)->finalize (object);
}

static void
hv_kvm_capabilities_cache_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  HvKvmCapabilitiesCache *self = HV_KVM_CAPABILITIES_CACHE (object);

  switch (prop_id)
    {
    case PROP_CACHE_DIR:
      g_value_set_string (value, self->cache_dir);
      break;
    case PROP_PROBE_TIMEOUT:
      g_value_set_uint (value, self->probe_timeout_ms);
      break;
    case PROP_PROBE_COUNT:
      g_value_set_uint (value, self->probe_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_kvm_capabilities_cache_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  HvKvmCapabilitiesCache *self = HV_KVM_CAPABILITIES_CACHE (object);

  switch (prop_id)
    {
    case PROP_CACHE_DIR:
      self->cache_dir = g_value_dup_string (value);
      break;
    case PROP_PROBE_TIMEOUT:
      hv_kvm_capabilities_cache_set_probe_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_kvm_capabilities_cache_class_init (HvKvmCapabilitiesCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hv_kvm_capabilities_cache_finalize;
  object_class->get_property = hv_kvm_capabilities_cache_get_property;
  object_class->set_property = hv_kvm_capabilities_cache_set_property;

  /* where cache files live; NULL keeps capabilities in memory only */
  properties[PROP_CACHE_DIR] =
    g_param_spec_string ("cache-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBE_TIMEOUT] =
    g_param_spec_uint ("probe-timeout", NULL, NULL,
                       1, G_MAXUINT, HV_KVM_CAPABILITIES_PROBE_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  /* how many times QEMU ran to answer lookups */
  properties[PROP_PROBE_COUNT] =
    g_param_spec_uint ("probe-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_kvm_capabilities_cache_init (HvKvmCapabilitiesCache *self)
{
  self->probe_timeout_ms = HV_KVM_CAPABILITIES_PROBE_TIMEOUT_MS;
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) cache_entry_free);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) pending_probe_free);
}

/**
 * hv_kvm_capabilities_cache_new:
 * @cache_dir: (nullable): directory for the cache files, or %NULL to keep
 *   capabilities in memory only
 *
 * Returns: (transfer full): a new, empty cache
 */
HvKvmCapabilitiesCache *
hv_kvm_capabilities_cache_new (const gchar *cache_dir)
{
  return g_object_new (HV_TYPE_KVM_CAPABILITIES_CACHE, "cache-dir", cache_dir, NULL);
}

const gchar *
hv_kvm_capabilities_cache_get_cache_dir (HvKvmCapabilitiesCache *self)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES_CACHE (self), NULL);

  return self->cache_dir;
}

guint
hv_kvm_capabilities_cache_get_probe_timeout (HvKvmCapabilitiesCache *self)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES_CACHE (self), 0);

  return self->probe_timeout_ms;
}

void
hv_kvm_capabilities_cache_set_probe_timeout (HvKvmCapabilitiesCache *self,
                                             guint                   timeout_ms)
{
  g_return_if_fail (HV_IS_KVM_CAPABILITIES_CACHE (self));
  g_return_if_fail (timeout_ms > 0);

  if (self->probe_timeout_ms == timeout_ms)
    return;
  self->probe_timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBE_TIMEOUT]);
}

/**
 * hv_kvm_capabilities_cache_get_probe_count:
 *
 * Returns: how many probes (QEMU runs) this cache started
 */
guint
hv_kvm_capabilities_cache_get_probe_count (HvKvmCapabilitiesCache *self)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES_CACHE (self), 0);

  return self->probe_count;
}

/**
 * hv_kvm_capabilities_cache_get_file_path:
 * @qemu_path: absolute path of a QEMU binary
 *
 * Returns: (transfer full) (nullable): the cache file of @qemu_path, named
 *   after its base name and a hash of its path, or %NULL without a cache
 *   directory
 */
gchar *
hv_kvm_capabilities_cache_get_file_path (HvKvmCapabilitiesCache *self,
                                         const gchar            *qemu_path)
{
  g_autofree gchar *hash = NULL;
  g_autofree gchar *base = NULL;
  g_autofree gchar *name = NULL;

  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES_CACHE (self), NULL);
  g_return_val_if_fail (qemu_path != NULL, NULL);

  if (self->cache_dir == NULL)
    return NULL;

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, qemu_path, -1);
  base = g_path_get_basename (qemu_path);
  name = g_strdup_printf ("%s-%.16s.capabilities", base, hash);
  return g_build_filename (self->cache_dir, name, NULL);
}

static GVariant *
binary_key_new (const gchar *qemu_path,
                GFileInfo   *info)
{
  return g_variant_ref_sink (g_variant_new (
    "(stxxtt)", qemu_path,
    (guint64) g_file_info_get_size (info),
    (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) * G_USEC_PER_SEC +
    g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC),
    (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_CHANGED) * G_USEC_PER_SEC +
    g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_CHANGED_USEC),
    g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE),
    (guint64) g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_DEVICE)));
}

static GBytes *
cache_file_contents_new (GVariant          *key,
                         HvKvmCapabilities *capabilities)
{
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GVariant) caps = hv_kvm_capabilities_to_variant (capabilities);
  g_autofree gchar *checksum = NULL;
  GVariantDict dict;
  GString *contents;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "binary", key);
  g_variant_dict_insert_value (&dict, "capabilities", caps);
  /* g_variant_get_normal_form() does not take a floating reference */
  record = g_variant_ref_sink (g_variant_dict_end (&dict));
  payload = g_variant_get_normal_form (record);

  checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, g_variant_get_data (payload),
                                          g_variant_get_size (payload));
  contents = g_string_new (NULL);
  g_string_append_printf (contents, "%s %u %s\n", CACHE_FILE_MAGIC,
                          HV_KVM_CAPABILITIES_FORMAT, checksum);
  g_string_append_len (contents, g_variant_get_data (payload),
                       (gssize) g_variant_get_size (payload));
  return g_string_free_to_bytes (contents);
}

/* Returns the capabilities in @contents if it is an intact cache file of
 * the binary @key describes; otherwise NULL and why in @reason. */
static HvKvmCapabilities *
cache_file_contents_parse (GBytes    *contents,
                           GVariant  *key,
                           gchar    **reason)
{
  const gchar *data = g_bytes_get_data (contents, NULL);
  gsize size = g_bytes_get_size (contents);
  const gchar *newline = memchr (data, '\n', MIN (size, 256));
  g_autofree gchar *expected_header = NULL;
  g_autofree gchar *checksum = NULL;
  g_autoptr(GBytes) payload_bytes = NULL;
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(GVariant) stored_key = NULL;
  g_autoptr(GVariant) caps = NULL;
  g_autoptr(GError) error = NULL;
  HvKvmCapabilities *capabilities;
  gsize header_length;

  if (newline == NULL)
    return *reason = g_strdup ("no header line"), NULL;
  header_length = (gsize) (newline - data) + 1;
  checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) newline + 1,
                                          size - header_length);
  expected_header = g_strdup_printf ("%s %u %s\n", CACHE_FILE_MAGIC,
                                     HV_KVM_CAPABILITIES_FORMAT, checksum);
  if (strlen (expected_header) != header_length ||
      memcmp (expected_header, data, header_length) != 0)
    return *reason = g_strdup ("another format, or a checksum mismatch"), NULL;

  payload_bytes = g_bytes_new_from_bytes (contents, header_length, size - header_length);
  payload = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT,
                                                          payload_bytes, FALSE));
  if (!g_variant_is_normal_form (payload))
    return *reason = g_strdup ("not in normal form"), NULL;

  stored_key = g_variant_lookup_value (payload, "binary", G_VARIANT_TYPE ("(stxxtt)"));
  if (stored_key == NULL || !g_variant_equal (stored_key, key))
    return *reason = g_strdup ("written for another binary, or before it changed"), NULL;

  caps = g_variant_lookup_value (payload, "capabilities", G_VARIANT_TYPE_VARDICT);
  if (caps == NULL)
    return *reason = g_strdup ("no capabilities"), NULL;
  capabilities = hv_kvm_capabilities_new_from_variant (caps, &error);
  if (capabilities == NULL)
    return *reason = g_strdup (error->message), NULL;
  return capabilities;
}

static void
remember (HvKvmCapabilitiesCache *self,
          const gchar            *qemu_path,
          GVariant               *key,
          HvKvmCapabilities      *capabilities)
{
  CacheEntry *entry = g_new0 (CacheEntry, 1);

  entry->key = g_variant_ref (key);
  entry->capabilities = g_object_ref (capabilities);
  g_hash_table_replace (self->entries, g_strdup (qemu_path), entry);
}

typedef struct {
  HvKvmCapabilitiesCache *self;
  gchar *qemu_path;
  GVariant *key;
  HvKvmCapabilities *capabilities;
  GFile *file;
  GBytes *contents;
} ProbeContext;

static void
probe_context_free (ProbeContext *context)
{
  g_object_unref (context->self);
  g_free (context->qemu_path);
  g_variant_unref (context->key);
  g_clear_object (&context->capabilities);
  g_clear_object (&context->file);
  g_clear_pointer (&context->contents, g_bytes_unref);
  g_free (context);
}

/* Completes every lookup waiting for the probe of @context, with its
 * capabilities or with @error. */
static void
finish_probe (ProbeContext *context,
              const GError *error)
{
  HvKvmCapabilitiesCache *self = context->self;
  PendingProbe *pending = g_hash_table_lookup (self->pending, context->qemu_path);
  g_autoptr(GPtrArray) tasks = NULL;

  if (pending != NULL && g_variant_equal (pending->key, context->key))
    {
      tasks = g_ptr_array_ref (pending->tasks);
      g_hash_table_remove (self->pending, context->qemu_path);
    }
  else
    tasks = g_ptr_array_new ();

  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);

      if (error == NULL)
        g_task_return_pointer (task, g_object_ref (context->capabilities), g_object_unref);
      else
        g_task_return_error (task, g_error_copy (error));
    }

  probe_context_free (context);
}

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ProbeContext *context = user_data;
  g_autoptr(GError) error = NULL;

  /* a cache that cannot be written costs a probe next time, nothing else */
  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_warning ("Could not write QEMU capability cache '%s': %s",
               g_file_peek_path (G_FILE (source)), error->message);

  finish_probe (context, NULL);
}

static void
make_directory_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ProbeContext *context = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_make_directory_finish (G_FILE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    g_debug ("capability cache directory '%s': %s", g_file_peek_path (G_FILE (source)),
             error->message);

  g_file_replace_contents_bytes_async (context->file, context->contents, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                       write_done_cb, context);
}

static void
probe_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ProbeContext *context = user_data;
  HvKvmCapabilitiesCache *self = context->self;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr(GFile) directory = NULL;

  context->capabilities = hv_kvm_capabilities_probe_finish (result, &error);
  if (context->capabilities == NULL)
    {
      finish_probe (context, error);
      return;
    }

  g_debug ("probed '%s': QEMU %s", context->qemu_path,
           hv_kvm_capabilities_get_version_string (context->capabilities));
  remember (self, context->qemu_path, context->key, context->capabilities);

  /* the lookups complete once the file is written, so that the next
   * process (or test) finds it */
  path = hv_kvm_capabilities_cache_get_file_path (self, context->qemu_path);
  if (path == NULL)
    {
      finish_probe (context, NULL);
      return;
    }
  context->file = g_file_new_for_path (path);
  context->contents = cache_file_contents_new (context->key, context->capabilities);
  directory = g_file_get_parent (context->file);
  g_file_make_directory_async (directory, G_PRIORITY_DEFAULT, NULL, make_directory_cb, context);
}

/* Joins @task to the probe of its binary under way, or starts one. */
static void
start_probe (GTask *task)
{
  HvKvmCapabilitiesCache *self = g_task_get_source_object (task);
  LookupData *data = g_task_get_task_data (task);
  PendingProbe *pending = g_hash_table_lookup (self->pending, data->qemu_path);
  ProbeContext *context;

  if (pending != NULL && g_variant_equal (pending->key, data->key))
    {
      g_ptr_array_add (pending->tasks, task);
      return;
    }

  pending = g_new0 (PendingProbe, 1);
  pending->key = g_variant_ref (data->key);
  pending->tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (pending->tasks, task);
  g_hash_table_replace (self->pending, g_strdup (data->qemu_path), pending);

  self->probe_count++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBE_COUNT]);

  context = g_new0 (ProbeContext, 1);
  context->self = g_object_ref (self);
  context->qemu_path = g_strdup (data->qemu_path);
  context->key = g_variant_ref (data->key);
  /* not the caller's cancellable: other lookups may be waiting on it too */
  hv_kvm_capabilities_probe_async (data->qemu_path, self->probe_timeout_ms, NULL,
                                   probe_done_cb, context);
}

static void
load_cache_file_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmCapabilitiesCache *self = g_task_get_source_object (task);
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *reason = NULL;

  contents = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (contents == NULL)
    reason = g_strdup (error->message);
  else
    capabilities = cache_file_contents_parse (contents, data->key, &reason);

  if (capabilities == NULL)
    {
      g_debug ("capability cache '%s' not used: %s", g_file_peek_path (G_FILE (source)),
               reason);
      start_probe (g_steal_pointer (&task));
      return;
    }

  remember (self, data->qemu_path, data->key, capabilities);
  g_task_return_pointer (task, g_steal_pointer (&capabilities), g_object_unref);
}

static void
query_binary_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmCapabilitiesCache *self = g_task_get_source_object (task);
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *cache_path = NULL;
  g_autoptr(GFile) cache_file = NULL;
  GCancellable *cancellable;
  CacheEntry *entry;

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (info == NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                               _("Cannot use QEMU binary '%s': %s"),
                               data->qemu_path, error->message);
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                               _("Cannot use QEMU binary '%s': not a regular file"),
                               data->qemu_path);
      return;
    }

  data->key = binary_key_new (data->qemu_path, info);
  entry = g_hash_table_lookup (self->entries, data->qemu_path);
  if (entry != NULL && g_variant_equal (entry->key, data->key))
    {
      g_task_return_pointer (task, g_object_ref (entry->capabilities), g_object_unref);
      return;
    }

  cache_path = hv_kvm_capabilities_cache_get_file_path (self, data->qemu_path);
  if (cache_path == NULL)
    {
      start_probe (g_steal_pointer (&task));
      return;
    }
  cache_file = g_file_new_for_path (cache_path);
  cancellable = g_task_get_cancellable (task);
  g_file_load_bytes_async (cache_file, cancellable, load_cache_file_cb, g_steal_pointer (&task));
}

/**
 * hv_kvm_capabilities_cache_lookup_async:
 * @self: a #HvKvmCapabilitiesCache
 * @qemu_path: absolute path of a QEMU system emulator
 * @cancellable: (nullable): a #GCancellable; it stops the lookup, not a
 *   probe other lookups may share
 * @callback: called with the capabilities
 * @user_data: data for @callback
 *
 * Gives the capabilities of @qemu_path: from memory, else from its cache
 * file, else from a probe (which then fills both). Costs one stat() when
 * the binary is known and unchanged.
 */
void
hv_kvm_capabilities_cache_lookup_async (HvKvmCapabilitiesCache *self,
                                        const gchar            *qemu_path,
                                        GCancellable           *cancellable,
                                        GAsyncReadyCallback     callback,
                                        gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFile) file = NULL;
  LookupData *data;

  g_return_if_fail (HV_IS_KVM_CAPABILITIES_CACHE (self));
  g_return_if_fail (qemu_path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_kvm_capabilities_cache_lookup_async);
  g_task_set_check_cancellable (task, TRUE);

  if (!g_path_is_absolute (qemu_path))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                               _("The QEMU binary '%s' is not an absolute path"), qemu_path);
      return;
    }

  data = g_new0 (LookupData, 1);
  data->qemu_path = g_strdup (qemu_path);
  g_task_set_task_data (task, data, (GDestroyNotify) lookup_data_free);

  file = g_file_new_for_path (qemu_path);
  g_file_query_info_async (file, BINARY_ATTRIBUTES, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, cancellable, query_binary_cb,
                           g_steal_pointer (&task));
}

/**
 * hv_kvm_capabilities_cache_lookup_finish:
 *
 * Returns: (transfer full): the capabilities, or %NULL with the probe's
 *   error (see hv_kvm_capabilities_probe_finish()), %HV_ERROR_FAILED for a
 *   binary that cannot be read, or %HV_ERROR_INVALID_PARAMETER for a
 *   relative path
 */
HvKvmCapabilities *
hv_kvm_capabilities_cache_lookup_finish (HvKvmCapabilitiesCache  *self,
                                         GAsyncResult            *result,
                                         GError                 **error)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES_CACHE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hv_kvm_capabilities_cache_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
