/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmRuntime"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-runtime.h"

/* The KVM record in an HvRuntimeStore, and as migration info: the same
 * bytes, the same checks. */

/*
 * The store of the KVM plugin's records: a{sv}, version
 * HV_KVM_RUNTIME_VERSION. When the record changes in a way an a{sv} with
 * unknown keys kept cannot absorb, raise the version and register here the
 * step from the old one (hv_runtime_store_add_upgrade), with its test.
 * @run_dir: NULL for a store that only reads and writes migration info.
 */
HvRuntimeStore *
hv_kvm_runtime_store_new (const gchar *run_dir)
{
  return hv_runtime_store_new (run_dir, G_VARIANT_TYPE_VARDICT, HV_KVM_RUNTIME_VERSION);
}

gboolean
hv_kvm_runtime_save (HvRuntimeStore      *store,
                     const HvKvmRuntime  *self,
                     GError             **error)
{
  g_autoptr(GVariant) record = hv_kvm_runtime_to_variant (self);

  return hv_runtime_store_save (store, self->name, record, error);
}

/* A record that passed the store's checks but not the KVM plugin's own
 * (a key of the wrong type, two devices in one slot…) is corrupt too. */
static HvKvmRuntime *
hv_kvm_runtime_parse (GVariant     *record,
                      guint         version,
                      const gchar  *source,
                      const gchar  *name,
                      GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(HvKvmRuntime) self = hv_kvm_runtime_new_from_variant (record, &local_error);

  if (self == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
                   _("Runtime record %s is corrupt: %s"), source, local_error->message);
      return NULL;
    }
  if (name != NULL && g_strcmp0 (self->name, name) != 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
                   _("Runtime record %s is corrupt: it belongs to instance '%s', not '%s'"),
                   source, self->name, name);
      return NULL;
    }
  self->version = version;
  return g_steal_pointer (&self);
}

/* Loads @name's record; besides the store's errors, a record that is not a
 * valid KVM record or is another instance's is HV_ERROR_RUNTIME_CORRUPT. */
HvKvmRuntime *
hv_kvm_runtime_load (HvRuntimeStore  *store,
                     const gchar     *name,
                     GError         **error)
{
  g_autoptr(GVariant) record = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *source = NULL;
  guint version = 0;

  record = hv_runtime_store_load (store, name, &version, error);
  if (record == NULL)
    return NULL;
  path = hv_runtime_store_get_path (store, name, NULL);
  source = g_strdup_printf ("'%s'", path);
  return hv_kvm_runtime_parse (record, version, source, name, error);
}

/* Reads a record from its file form (a record file's contents, migration
 * info); @source names it in errors. */
HvKvmRuntime *
hv_kvm_runtime_new_from_bytes (HvRuntimeStore  *store,
                               GBytes          *data,
                               const gchar     *source,
                               GError         **error)
{
  g_autoptr(GVariant) record = NULL;
  g_autofree gchar *quoted = g_strdup_printf ("'%s'", source);
  guint version = 0;

  record = hv_runtime_store_deserialize (store, data, source, &version, error);
  if (record == NULL)
    return NULL;
  return hv_kvm_runtime_parse (record, version, quoted, NULL, error);
}

/* What migration_info() hands to the target: the record's file form. */
GBytes *
hv_kvm_runtime_to_migration_info (HvRuntimeStore      *store,
                                  const HvKvmRuntime  *self,
                                  GError             **error)
{
  g_autoptr(GVariant) record = hv_kvm_runtime_to_variant (self);

  return hv_runtime_store_serialize (store, record, error);
}

/* The receiving side of a migration: @info must pass every check a record
 * file passes and be the record of instance @name. */
HvKvmRuntime *
hv_kvm_runtime_new_from_migration_info (HvRuntimeStore  *store,
                                        GBytes          *info,
                                        const gchar     *name,
                                        GError         **error)
{
  g_autofree gchar *source = g_strdup_printf (_("migration info of instance %s"), name);
  g_autofree gchar *quoted = g_strdup_printf ("'%s'", source);
  g_autoptr(GVariant) record = NULL;
  guint version = 0;

  record = hv_runtime_store_deserialize (store, info, source, &version, error);
  if (record == NULL)
    return NULL;
  return hv_kvm_runtime_parse (record, version, quoted, name, error);
}
