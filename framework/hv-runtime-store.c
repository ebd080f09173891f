/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvRuntimeStore"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-error.h"
#include "hv-instance-name.h"
#include "hv-runtime-store.h"
#include "hv-runtime-store-private.h"

/**
 * HvRuntimeStore:
 *
 * Keeps one record per instance, the driver's memory of a running instance
 * (its command line, devices, parameters at start…), in
 * `<run-dir>/conf/<name>.runtime`.
 *
 * A record is a #GVariant of a type the driver declares when it creates the
 * store, together with the version of that type. Saving is atomic and
 * durable: the record is written to a temporary file in the same directory,
 * flushed with fsync(), renamed over the old one and the directory is
 * flushed too, so after a crash at any moment the file holds either the old
 * or the new record, whole. The file carries a magic, a format version, the
 * record's version and type and a CRC-32C checksum; loading refuses anything
 * else with %HV_ERROR_RUNTIME_CORRUPT, naming the file and the reason.
 *
 * When a driver changes its record, it raises the version and registers an
 * upgrade step from the old version with hv_runtime_store_add_upgrade(). A
 * record of an older version is upgraded step by step when it is loaded; it
 * is written in the current version at its next save.
 *
 * A store created without a run directory only converts records to and from
 * bytes (hv_runtime_store_serialize(), hv_runtime_store_deserialize()): what
 * a migration source sends and its target checks, or what a tool reads.
 *
 * Once its upgrade steps are added, a store may be used from several
 * threads. Saving the same instance's record from two threads at once is
 * the caller's race to avoid: the file stays whole, the last rename wins.
 *
 * Since: 1.0
 */

#define HV_RUNTIME_SUFFIX ".runtime"

typedef struct {
  guint from_version;
  GVariantType *from_type;
  HvRuntimeUpgradeFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} HvRuntimeUpgrade;

struct _HvRuntimeStore {
  GObject parent_instance;

  gchar *run_dir;
  gchar *directory;
  GVariantType *record_type;
  guint version;
  gboolean durable;
  GPtrArray *upgrades;   /* HvRuntimeUpgrade*, indexed by from_version - 1 */
};

G_DEFINE_FINAL_TYPE (HvRuntimeStore, hv_runtime_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RUN_DIR,
  PROP_DIRECTORY,
  PROP_RECORD_TYPE,
  PROP_VERSION,
  PROP_DURABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hv_runtime_upgrade_free (gpointer data)
{
  HvRuntimeUpgrade *upgrade = data;

  if (upgrade == NULL)
    return;
  if (upgrade->destroy != NULL)
    upgrade->destroy (upgrade->user_data);
  g_variant_type_free (upgrade->from_type);
  g_free (upgrade);
}

static void
hv_runtime_store_constructed (GObject *object)
{
  HvRuntimeStore *self = HV_RUNTIME_STORE (object);

  G_OBJECT_CLASS (hv_runtime_store_parent_class)->constructed (object);

  if (self->run_dir != NULL)
    self->directory = g_build_filename (self->run_dir, "conf", NULL);
  if (self->record_type == NULL)
    self->record_type = g_variant_type_copy (G_VARIANT_TYPE_VARDICT);
}

static void
hv_runtime_store_finalize (GObject *object)
{
  HvRuntimeStore *self = HV_RUNTIME_STORE (object);

  g_free (self->run_dir);
  g_free (self->directory);
  g_clear_pointer (&self->record_type, g_variant_type_free);
  g_ptr_array_unref (self->upgrades);

  G_OBJECT_CLASS (hv_runtime_store_parent_class)->finalize (object);
}

static void
hv_runtime_store_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  HvRuntimeStore *self = HV_RUNTIME_STORE (object);

  switch (prop_id)
    {
    case PROP_RUN_DIR:
      g_value_set_string (value, self->run_dir);
      break;
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;
    case PROP_RECORD_TYPE:
      g_value_set_boxed (value, self->record_type);
      break;
    case PROP_VERSION:
      g_value_set_uint (value, self->version);
      break;
    case PROP_DURABLE:
      g_value_set_boolean (value, self->durable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_runtime_store_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  HvRuntimeStore *self = HV_RUNTIME_STORE (object);

  switch (prop_id)
    {
    case PROP_RUN_DIR:
      self->run_dir = g_value_dup_string (value);
      break;
    case PROP_RECORD_TYPE:
      self->record_type = g_value_dup_boxed (value);
      break;
    case PROP_VERSION:
      self->version = g_value_get_uint (value);
      break;
    case PROP_DURABLE:
      hv_runtime_store_set_durable (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_runtime_store_class_init (HvRuntimeStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = hv_runtime_store_constructed;
  object_class->finalize = hv_runtime_store_finalize;
  object_class->get_property = hv_runtime_store_get_property;
  object_class->set_property = hv_runtime_store_set_property;

  /**
   * HvRuntimeStore:run-dir:
   *
   * The driver's run directory; records live in its `conf` subdirectory.
   * %NULL for a store that only converts records to and from bytes.
   *
   * Since: 1.0
   */
  properties[PROP_RUN_DIR] =
    g_param_spec_string ("run-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvRuntimeStore:directory:
   *
   * The directory holding the records, `<run-dir>/conf`, created with mode
   * 0700 at the first save.
   *
   * Since: 1.0
   */
  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * HvRuntimeStore:record-type:
   *
   * The #GVariantType of a record in the current version.
   *
   * Since: 1.0
   */
  properties[PROP_RECORD_TYPE] =
    g_param_spec_boxed ("record-type", NULL, NULL, G_TYPE_VARIANT_TYPE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvRuntimeStore:version:
   *
   * The current version of the record, 1 or more. Records are saved in
   * this version; older ones are upgraded when loaded.
   *
   * Since: 1.0
   */
  properties[PROP_VERSION] =
    g_param_spec_uint ("version", NULL, NULL, 1, G_MAXUINT32, 1,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvRuntimeStore:durable:
   *
   * Whether a save waits until the record and the directory entry are on
   * disk (fsync). On by default; turning it off keeps saves atomic, not
   * durable across a power loss, and is meant for tests and benchmarks.
   *
   * Since: 1.0
   */
  properties[PROP_DURABLE] =
    g_param_spec_boolean ("durable", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_runtime_store_init (HvRuntimeStore *self)
{
  self->version = 1;
  self->durable = TRUE;
  self->upgrades = g_ptr_array_new_with_free_func (hv_runtime_upgrade_free);
}

/**
 * hv_runtime_store_new:
 * @run_dir: (nullable) (type filename): the driver's run directory, or
 *   %NULL for a store that only converts records to and from bytes
 * @record_type: the type of a record in the current version
 * @version: the current version of the record, 1 or more
 *
 * Creates a store for a driver's records. Nothing is touched on disk until
 * the first save.
 *
 * Returns: (transfer full): a new #HvRuntimeStore
 *
 * Since: 1.0
 */
HvRuntimeStore *
hv_runtime_store_new (const gchar        *run_dir,
                      const GVariantType *record_type,
                      guint               version)
{
  g_return_val_if_fail (record_type != NULL, NULL);
  g_return_val_if_fail (g_variant_type_is_definite (record_type), NULL);
  g_return_val_if_fail (version >= 1, NULL);

  return g_object_new (HV_TYPE_RUNTIME_STORE,
                       "run-dir", run_dir,
                       "record-type", record_type,
                       "version", version,
                       NULL);
}

/**
 * hv_runtime_store_add_upgrade:
 * @self: a #HvRuntimeStore
 * @from_version: the version this step upgrades from, below the current one
 * @from_type: the type of a record of @from_version
 * @func: (scope notified) (closure user_data) (destroy destroy): the step
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the store is finalized
 *
 * Registers the step that turns a record of @from_version into one of
 * @from_version + 1. A store of version N reads records of version K < N
 * only if the steps from K, K + 1, …, N - 1 are all registered; each step's
 * result must have the type of the next version (the @from_type of the next
 * step, or #HvRuntimeStore:record-type for the last one). Register the steps
 * before the store is used.
 *
 * Since: 1.0
 */
void
hv_runtime_store_add_upgrade (HvRuntimeStore       *self,
                              guint                 from_version,
                              const GVariantType   *from_type,
                              HvRuntimeUpgradeFunc  func,
                              gpointer              user_data,
                              GDestroyNotify        destroy)
{
  HvRuntimeUpgrade *upgrade;

  g_return_if_fail (HV_IS_RUNTIME_STORE (self));
  g_return_if_fail (from_version >= 1 && from_version < self->version);
  g_return_if_fail (from_type != NULL && g_variant_type_is_definite (from_type));
  g_return_if_fail (func != NULL);

  if (self->upgrades->len < self->version - 1)
    g_ptr_array_set_size (self->upgrades, self->version - 1);
  g_return_if_fail (g_ptr_array_index (self->upgrades, from_version - 1) == NULL);

  upgrade = g_new0 (HvRuntimeUpgrade, 1);
  upgrade->from_version = from_version;
  upgrade->from_type = g_variant_type_copy (from_type);
  upgrade->func = func;
  upgrade->user_data = user_data;
  upgrade->destroy = destroy;
  g_ptr_array_index (self->upgrades, from_version - 1) = upgrade;
}

/**
 * hv_runtime_store_get_run_dir:
 * @self: a #HvRuntimeStore
 *
 * Returns: (nullable) (type filename): the run directory
 *
 * Since: 1.0
 */
const gchar *
hv_runtime_store_get_run_dir (HvRuntimeStore *self)
{
  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), NULL);

  return self->run_dir;
}

/**
 * hv_runtime_store_get_directory:
 * @self: a #HvRuntimeStore
 *
 * Returns: (nullable) (type filename): the directory of the records
 *
 * Since: 1.0
 */
const gchar *
hv_runtime_store_get_directory (HvRuntimeStore *self)
{
  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), NULL);

  return self->directory;
}

/**
 * hv_runtime_store_get_record_type:
 * @self: a #HvRuntimeStore
 *
 * Returns: (transfer none): the type of a record in the current version
 *
 * Since: 1.0
 */
const GVariantType *
hv_runtime_store_get_record_type (HvRuntimeStore *self)
{
  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), NULL);

  return self->record_type;
}

/**
 * hv_runtime_store_get_version:
 * @self: a #HvRuntimeStore
 *
 * Returns: the current version of the record
 *
 * Since: 1.0
 */
guint
hv_runtime_store_get_version (HvRuntimeStore *self)
{
  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), 0);

  return self->version;
}

/**
 * hv_runtime_store_get_durable:
 * @self: a #HvRuntimeStore
 *
 * Returns: whether saves are flushed to disk
 *
 * Since: 1.0
 */
gboolean
hv_runtime_store_get_durable (HvRuntimeStore *self)
{
  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), FALSE);

  return self->durable;
}

/**
 * hv_runtime_store_set_durable:
 * @self: a #HvRuntimeStore
 * @durable: whether saves are flushed to disk
 *
 * See #HvRuntimeStore:durable.
 *
 * Since: 1.0
 */
void
hv_runtime_store_set_durable (HvRuntimeStore *self,
                              gboolean        durable)
{
  g_return_if_fail (HV_IS_RUNTIME_STORE (self));

  durable = !!durable;
  if (self->durable == durable)
    return;
  self->durable = durable;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURABLE]);
}

/**
 * hv_runtime_store_serialize:
 * @self: a #HvRuntimeStore
 * @record: a record of #HvRuntimeStore:record-type; a floating reference is
 *   consumed
 * @error: return location for a #GError
 *
 * The bytes of @record as hv_runtime_store_save() writes them to a file: a
 * migration source sends them to its target, which reads them back with
 * hv_runtime_store_deserialize().
 *
 * Returns: (transfer full): the serialized record, or %NULL with @error set
 *   (%HV_ERROR_INVALID_PARAMETER) when @record has the wrong type or is too
 *   large
 *
 * Since: 1.0
 */
GBytes *
hv_runtime_store_serialize (HvRuntimeStore  *self,
                            GVariant        *record,
                            GError         **error)
{
  g_autoptr(GVariant) owned = NULL;

  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), NULL);
  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  owned = g_variant_ref_sink (record);
  if (!g_variant_is_of_type (owned, self->record_type))
    {
      g_autofree gchar *expected = g_variant_type_dup_string (self->record_type);

      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("A runtime record must be of type '%s', not '%s'"),
                   expected, g_variant_get_type_string (owned));
      return NULL;
    }

  return hv_runtime_format_encode (self->version, owned, error);
}

/* ---- decoding ---------------------------------------------------------- */

static HvRuntimeUpgrade *
hv_runtime_store_get_upgrade (HvRuntimeStore *self,
                              guint           from_version)
{
  if (from_version == 0 || from_version > self->upgrades->len)
    return NULL;
  return g_ptr_array_index (self->upgrades, from_version - 1);
}

/* The type a record of @version must have, or NULL when this store cannot
 * read that version. */
static const GVariantType *
hv_runtime_store_type_of_version (HvRuntimeStore *self,
                                  guint           version)
{
  HvRuntimeUpgrade *upgrade;

  if (version == self->version)
    return self->record_type;
  upgrade = hv_runtime_store_get_upgrade (self, version);
  return upgrade != NULL ? upgrade->from_type : NULL;
}

static GVariant *
hv_runtime_store_upgrade (HvRuntimeStore  *self,
                          GVariant        *record,
                          guint            version,
                          const gchar     *source,
                          GError         **error)
{
  g_autoptr(GVariant) current = g_variant_ref (record);

  for (guint v = version; v < self->version; v++)
    {
      HvRuntimeUpgrade *upgrade = hv_runtime_store_get_upgrade (self, v);
      const GVariantType *next_type = hv_runtime_store_type_of_version (self, v + 1);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GVariant) next = NULL;

      if (upgrade == NULL)
        {
          hv_runtime_set_corrupt (error, source, _("no upgrade is known from record version %u"), v);
          return NULL;
        }
      next = upgrade->func (current, upgrade->user_data, &local_error);
      if (next == NULL)
        {
          hv_runtime_set_corrupt (error, source, _("upgrading it from version %u to %u failed: %s"),
                                  v, v + 1, local_error != NULL ? local_error->message : "?");
          return NULL;
        }
      g_variant_take_ref (next);
      if (next_type == NULL || !g_variant_is_of_type (next, next_type))
        {
          hv_runtime_set_corrupt (error, source, _("upgrading it from version %u gave a record of type '%s'"),
                                  v, g_variant_get_type_string (next));
          return NULL;
        }
      g_clear_pointer (&current, g_variant_unref);
      current = g_steal_pointer (&next);
    }

  return g_steal_pointer (&current);
}

static GVariant *
hv_runtime_store_parse (HvRuntimeStore  *self,
                        GBytes          *bytes,
                        const gchar     *source,
                        guint           *out_version,
                        GError         **error)
{
  g_autofree gchar *type_string = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GVariant) record = NULL;
  const GVariantType *expected_type;
  guint version;

  if (!hv_runtime_format_decode (bytes, source, &version, &type_string, &payload, error))
    return NULL;
  if (version > self->version)
    {
      hv_runtime_set_corrupt (error, source, _("record version %u is newer than this reader's %u"),
                              version, self->version);
      return NULL;
    }
  expected_type = hv_runtime_store_type_of_version (self, version);
  if (expected_type == NULL)
    {
      hv_runtime_set_corrupt (error, source, _("no upgrade is known from record version %u"), version);
      return NULL;
    }
  if (!g_variant_type_equal (G_VARIANT_TYPE (type_string), expected_type))
    {
      g_autofree gchar *expected = g_variant_type_dup_string (expected_type);

      hv_runtime_set_corrupt (error, source, _("its record type is '%s', version %u needs '%s'"),
                              type_string, version, expected);
      return NULL;
    }
  record = hv_runtime_format_read_payload (expected_type, payload, source, error);
  if (record == NULL)
    return NULL;

  if (out_version != NULL)
    *out_version = version;
  if (version < self->version)
    return hv_runtime_store_upgrade (self, record, version, source, error);
  return g_steal_pointer (&record);
}

/**
 * hv_runtime_store_deserialize:
 * @self: a #HvRuntimeStore
 * @data: bytes made by hv_runtime_store_serialize() or read from a record
 *   file
 * @source: (nullable): what @data is, for error messages ("migration data
 *   of instance1")
 * @out_version: (out) (optional): the version the record had in @data
 * @error: return location for a #GError
 *
 * Reads a record from bytes with every check hv_runtime_store_load()
 * applies to a file, and upgrades it to the current version.
 *
 * Returns: (transfer full): the record, of #HvRuntimeStore:record-type, or
 *   %NULL with @error set to %HV_ERROR_RUNTIME_CORRUPT
 *
 * Since: 1.0
 */
GVariant *
hv_runtime_store_deserialize (HvRuntimeStore  *self,
                              GBytes          *data,
                              const gchar     *source,
                              guint           *out_version,
                              GError         **error)
{
  g_autofree gchar *quoted = NULL;

  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  quoted = g_strdup_printf ("'%s'", source != NULL ? source : _("data"));
  return hv_runtime_store_parse (self, data, quoted, out_version, error);
}

/* ---- files ------------------------------------------------------------- */

/**
 * hv_runtime_store_get_path:
 * @self: a #HvRuntimeStore with a run directory
 * @name: an instance name
 * @error: return location for a #GError
 *
 * The file that holds @name's record, `<run-dir>/conf/<name>.runtime`.
 *
 * Returns: (transfer full) (type filename): the path, or %NULL with @error
 *   set (%HV_ERROR_INVALID_PARAMETER) when @name is not a valid instance
 *   name
 *
 * Since: 1.0
 */
gchar *
hv_runtime_store_get_path (HvRuntimeStore  *self,
                           const gchar     *name,
                           GError         **error)
{
  g_autofree gchar *basename = NULL;

  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), NULL);
  g_return_val_if_fail (self->directory != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!hv_instance_name_validate (name, error))
    return NULL;
  basename = g_strconcat (name, HV_RUNTIME_SUFFIX, NULL);
  return g_build_filename (self->directory, basename, NULL);
}

/**
 * hv_runtime_store_load:
 * @self: a #HvRuntimeStore with a run directory
 * @name: an instance name
 * @out_version: (out) (optional): the version the record had in its file
 * @error: return location for a #GError
 *
 * Reads @name's record and upgrades it to the current version; the file is
 * left as it is until the next save. A file with a wrong magic, an unknown
 * format or a newer record version, a bad checksum, a wrong type, data not
 * in normal form or a failed upgrade gives %HV_ERROR_RUNTIME_CORRUPT; a
 * missing or unreadable file %HV_ERROR_FAILED (use
 * hv_runtime_store_exists() to tell a missing record apart).
 *
 * Returns: (transfer full): the record, of #HvRuntimeStore:record-type, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
GVariant *
hv_runtime_store_load (HvRuntimeStore  *self,
                       const gchar     *name,
                       guint           *out_version,
                       GError         **error)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *quoted = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), NULL);
  g_return_val_if_fail (self->directory != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = hv_runtime_store_get_path (self, name, error);
  if (path == NULL)
    return NULL;
  bytes = hv_runtime_file_read (path, error);
  if (bytes == NULL)
    return NULL;

  quoted = g_strdup_printf ("'%s'", path);
  return hv_runtime_store_parse (self, bytes, quoted, out_version, error);
}

/* The first half of a save, which hv_runtime_store_save() and
 * hv_runtime_store_stage() share: @record (consumed when floating)
 * checked, serialized and written to a temporary file beside @name's
 * record, whose path goes to @out_path. Returns the temporary file. */
static gchar *
hv_runtime_store_write_temp (HvRuntimeStore  *self,
                             const gchar     *name,
                             GVariant        *record,
                             gchar          **out_path,
                             GError         **error)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (record);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree gchar *path = hv_runtime_store_get_path (self, name, error);
  gchar *temp_path;

  if (path == NULL)
    return NULL;
  bytes = hv_runtime_store_serialize (self, owned, error);
  if (bytes == NULL)
    return NULL;
  if (!hv_runtime_directory_ensure (self->run_dir, self->directory, error))
    return NULL;

  temp_path = hv_runtime_file_write_temp (self->directory, path, bytes, self->durable, error);
  if (temp_path != NULL && out_path != NULL)
    *out_path = g_steal_pointer (&path);
  return temp_path;
}

/**
 * hv_runtime_store_save:
 * @self: a #HvRuntimeStore with a run directory
 * @name: an instance name
 * @record: the record, of #HvRuntimeStore:record-type; a floating reference
 *   is consumed
 * @error: return location for a #GError
 *
 * Replaces @name's record, atomically, and when #HvRuntimeStore:durable is
 * set (the default) durably: when this returns %TRUE the new record is on
 * disk, and at no moment does the file hold anything but the old or the new
 * record. Creates the records' directory with mode 0700 when needed.
 *
 * Returns: %TRUE on success; %FALSE with @error set to
 *   %HV_ERROR_INVALID_PARAMETER for a bad name or record, %HV_ERROR_FAILED
 *   when the file cannot be written
 *
 * Since: 1.0
 */
gboolean
hv_runtime_store_save (HvRuntimeStore  *self,
                       const gchar     *name,
                       GVariant        *record,
                       GError         **error)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *temp_path = NULL;

  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), FALSE);
  g_return_val_if_fail (self->directory != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  temp_path = hv_runtime_store_write_temp (self, name, record, &path, error);
  return temp_path != NULL &&
         hv_runtime_file_rename_in (self->directory, temp_path, path, self->durable, error);
}

/**
 * hv_runtime_store_stage:
 * @self: a #HvRuntimeStore with a run directory
 * @name: an instance name
 * @record: the record, of #HvRuntimeStore:record-type; a floating reference
 *   is consumed
 * @error: return location for a #GError
 *
 * The first half of hv_runtime_store_save(): writes @record to a new
 * temporary file beside @name's record, flushed to disk when
 * #HvRuntimeStore:durable is set, and leaves the record as it is.
 * hv_runtime_store_commit_staged() then makes it the record with one
 * rename, as atomically and as durably as a save would;
 * hv_runtime_store_discard_staged() deletes it. For a caller that knows
 * the record it will save before it may save it: hotplug writes the record
 * with the new device while QEMU works on the command whose answer decides,
 * and only renames it once QEMU said yes. A crash in between leaves a
 * temporary file that hv_runtime_store_remove() deletes with the record.
 *
 * Returns: (transfer full) (type filename): the staged file, or %NULL with
 *   @error set as by hv_runtime_store_save()
 *
 * Since: 1.0
 */
gchar *
hv_runtime_store_stage (HvRuntimeStore  *self,
                        const gchar     *name,
                        GVariant        *record,
                        GError         **error)
{
  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), NULL);
  g_return_val_if_fail (self->directory != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return hv_runtime_store_write_temp (self, name, record, NULL, error);
}

/**
 * hv_runtime_store_commit_staged:
 * @self: the #HvRuntimeStore that staged @staged
 * @name: the instance name it was staged for
 * @staged: (type filename): what hv_runtime_store_stage() returned
 * @error: return location for a #GError
 *
 * Makes the staged record @name's record: when this returns %TRUE it is,
 * as after hv_runtime_store_save() of the record that was staged. A file
 * staged for @name is gone either way.
 *
 * Returns: %TRUE on success; %FALSE with @error set to
 *   %HV_ERROR_INVALID_PARAMETER for a bad name or a file this store did not
 *   stage for @name, %HV_ERROR_FAILED when the rename fails
 *
 * Since: 1.0
 */
gboolean
hv_runtime_store_commit_staged (HvRuntimeStore  *self,
                                const gchar     *name,
                                const gchar     *staged,
                                GError         **error)
{
  g_autofree gchar *path = NULL;

  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), FALSE);
  g_return_val_if_fail (self->directory != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (staged != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = hv_runtime_store_get_path (self, name, error);
  if (path == NULL)
    return FALSE;
  if (!hv_runtime_file_is_temp_of (self->directory, path, staged))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("'%s' is not a record staged for instance '%s'"), staged, name);
      return FALSE;
    }
  return hv_runtime_file_rename_in (self->directory, staged, path, self->durable, error);
}

/**
 * hv_runtime_store_discard_staged:
 * @self: the #HvRuntimeStore that staged @staged
 * @name: the instance name it was staged for
 * @staged: (type filename): what hv_runtime_store_stage() returned
 *
 * Deletes a staged record that will not be committed; the record is left
 * as it is. A path this store did not stage for @name is left alone.
 *
 * Since: 1.0
 */
void
hv_runtime_store_discard_staged (HvRuntimeStore *self,
                                 const gchar    *name,
                                 const gchar    *staged)
{
  g_autofree gchar *path = NULL;

  g_return_if_fail (HV_IS_RUNTIME_STORE (self));
  g_return_if_fail (self->directory != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (staged != NULL);

  path = hv_runtime_store_get_path (self, name, NULL);
  if (path != NULL && hv_runtime_file_is_temp_of (self->directory, path, staged))
    g_unlink (staged);
}

/**
 * hv_runtime_store_exists:
 * @self: a #HvRuntimeStore with a run directory
 * @name: an instance name
 *
 * Returns: whether @name is a valid instance name with a record file
 *
 * Since: 1.0
 */
gboolean
hv_runtime_store_exists (HvRuntimeStore *self,
                         const gchar    *name)
{
  g_autofree gchar *path = NULL;
  struct stat st;

  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), FALSE);
  g_return_val_if_fail (self->directory != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  path = hv_runtime_store_get_path (self, name, NULL);
  return path != NULL && lstat (path, &st) == 0 && S_ISREG (st.st_mode);
}

/**
 * hv_runtime_store_remove:
 * @self: a #HvRuntimeStore with a run directory
 * @name: an instance name
 * @error: return location for a #GError
 *
 * Deletes @name's record and any temporary file a save interrupted by a
 * crash left behind. Removing a record that does not exist succeeds.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
hv_runtime_store_remove (HvRuntimeStore  *self,
                         const gchar     *name,
                         GError         **error)
{
  g_autofree gchar *path = NULL;

  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), FALSE);
  g_return_val_if_fail (self->directory != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = hv_runtime_store_get_path (self, name, error);
  if (path == NULL)
    return FALSE;
  return hv_runtime_file_remove (self->directory, path, self->durable, error);
}

/**
 * hv_runtime_store_list:
 * @self: a #HvRuntimeStore with a run directory
 * @error: return location for a #GError
 *
 * The names of the instances that have a record, sorted. Temporary files
 * and files whose name is not a valid instance name are left out.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names, or %NULL
 *   with @error set when the directory cannot be read
 *
 * Since: 1.0
 */
gchar **
hv_runtime_store_list (HvRuntimeStore  *self,
                       GError         **error)
{
  g_return_val_if_fail (HV_IS_RUNTIME_STORE (self), NULL);
  g_return_val_if_fail (self->directory != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return hv_runtime_file_list (self->directory, HV_RUNTIME_SUFFIX, error);
}
