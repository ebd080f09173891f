/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-migration.h"

/*
 * What both sides of a migration share: the record as migration info,
 * QEMU's states and figures as HvMigrationStatus, the parameters and the
 * capabilities.
 */

GBytes *
hv_kvm_migration_info (HvKvmHost    *host,
                       const gchar  *name,
                       GError      **error)
{
  HvRuntimeStore *store = hv_kvm_host_get_store (host);
  g_autoptr(HvKvmRuntime) runtime = NULL;
  g_autofree gchar *path = NULL;

  if (!hv_instance_name_validate (name, error))
    return NULL;
  path = hv_runtime_store_get_path (store, name, error);
  if (path == NULL)
    return NULL;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NOT_RUNNING,
                   _("Instance %s is not running on this node: it has no record"), name);
      return NULL;
    }
  runtime = hv_kvm_runtime_load (store, name, error);
  if (runtime == NULL)
    return NULL;
  return hv_kvm_runtime_to_migration_info (store, runtime, error);
}

static const struct {
  const gchar      *qemu;
  HvMigrationState  state;
} migration_states[] = {
  { "none", HV_MIGRATION_STATE_NONE },
  { "setup", HV_MIGRATION_STATE_SETUP },
  { "cancelling", HV_MIGRATION_STATE_CANCELLING },
  { "cancelled", HV_MIGRATION_STATE_CANCELLED },
  { "active", HV_MIGRATION_STATE_ACTIVE },
  { "postcopy-active", HV_MIGRATION_STATE_POSTCOPY_ACTIVE },
  { "postcopy-paused", HV_MIGRATION_STATE_POSTCOPY_PAUSED },
  { "postcopy-recover", HV_MIGRATION_STATE_POSTCOPY_RECOVER },
  { "completed", HV_MIGRATION_STATE_COMPLETED },
  { "failed", HV_MIGRATION_STATE_FAILED },
  { "colo", HV_MIGRATION_STATE_COLO },
  { "pre-switchover", HV_MIGRATION_STATE_PRE_SWITCHOVER },
  { "device", HV_MIGRATION_STATE_DEVICE },
  { "wait-unplug", HV_MIGRATION_STATE_WAIT_UNPLUG },
};

gboolean
hv_kvm_migration_state_from_qemu (const gchar      *status,
                                  HvMigrationState *out_state)
{
  for (gsize i = 0; status != NULL && i < G_N_ELEMENTS (migration_states); i++)
    if (g_str_equal (status, migration_states[i].qemu))
      {
        *out_state = migration_states[i].state;
        return TRUE;
      }
  return FALSE;
}

HvMigrationStatus *
hv_kvm_migration_status_from_reply (JsonObject *reply)
{
  const gchar *word = json_object_get_string_member_with_default (reply, "status", "none");
  HvMigrationState state = HV_MIGRATION_STATE_NONE;
  HvMigrationStatus *status;
  JsonObject *ram;

  /* an empty reply is QEMU's "none"; a word QEMU 7.2 lacks is a failure
   * to understand it, said so in error-desc rather than hidden */
  if (!hv_kvm_migration_state_from_qemu (word, &state))
    {
      status = hv_migration_status_new (HV_MIGRATION_STATE_FAILED);
      g_autofree gchar *desc = g_strdup_printf (_("QEMU reports migration status '%s', which "
                                                  "hvkit does not know"), word);
      hv_migration_status_set_error_desc (status, desc);
      return status;
    }
  status = hv_migration_status_new (state);
  hv_migration_status_set_total_time (status,
                                      json_object_get_int_member_with_default (reply, "total-time", 0));
  hv_migration_status_set_downtime (status,
                                    json_object_get_int_member_with_default (reply, "downtime", 0));
  hv_migration_status_set_setup_time (status,
                                      json_object_get_int_member_with_default (reply, "setup-time", 0));
  hv_migration_status_set_expected_downtime (
    status, MAX (json_object_get_int_member_with_default (reply, "expected-downtime", 0), 0));
  if (json_object_has_member (reply, "error-desc"))
    hv_migration_status_set_error_desc (status, json_object_get_string_member (reply, "error-desc"));
  ram = json_object_has_member (reply, "ram") ? json_object_get_object_member (reply, "ram") : NULL;
  if (ram != NULL)
    {
      hv_migration_status_set_transferred (status,
                                           json_object_get_int_member_with_default (ram, "transferred", 0));
      hv_migration_status_set_remaining (status,
                                         json_object_get_int_member_with_default (ram, "remaining", 0));
      hv_migration_status_set_total (status,
                                     json_object_get_int_member_with_default (ram, "total", 0));
      hv_migration_status_set_dirty_sync_count (status,
                                                json_object_get_int_member_with_default (ram, "dirty-sync-count", 0));
      hv_migration_status_set_mbps (status,
                                    json_object_get_double_member_with_default (ram, "mbps", 0.0));
      hv_migration_status_set_dirty_rate (
        status, MAX (json_object_get_int_member_with_default (ram, "dirty-pages-rate", 0), 0));
    }
  return status;
}

static gint64
params_int (GVariant    *hvparams,
            const gchar *key,
            gint64       fallback)
{
  gint64 value = fallback;

  if (hvparams != NULL)
    g_variant_lookup (hvparams, key, "x", &value);
  return value;
}

void
hv_kvm_migration_params_init (HvKvmMigrationParams *params,
                              HvInstance           *owner,
                              HvKvmRuntime         *runtime)
{
  GVariant *hvparams = owner != NULL ? hv_instance_get_hvparams (owner) : NULL;
  g_autoptr(GPtrArray) caps = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = NULL;
  const gchar *text = NULL;

  if (hvparams == NULL && runtime != NULL)
    hvparams = runtime->hvparams;
  /* Ganeti's defaults (hv-kvm-params.c) when a key is missing */
  params->port = params_int (hvparams, "migration_port", 8102);
  params->bandwidth_mib = params_int (hvparams, "migration_bandwidth", 32);
  params->downtime_ms = params_int (hvparams, "migration_downtime", 30);
  if (hvparams == NULL || !g_variant_lookup (hvparams, "migration_caps", "&s", &text))
    text = "";
  words = g_strsplit (text, ":", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      g_strstrip (words[i]);
      if (*words[i] != '\0' && !g_str_equal (words[i], "events"))
        g_ptr_array_add (caps, g_strdup (words[i]));
    }
  g_ptr_array_add (caps, NULL);
  params->caps = (GStrv) g_ptr_array_free (g_steal_pointer (&caps), FALSE);
}

void
hv_kvm_migration_params_clear (HvKvmMigrationParams *params)
{
  g_clear_pointer (&params->caps, g_strfreev);
}

GStrv
hv_kvm_migration_params_caps_to_set (const HvKvmMigrationParams *params)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, "events");
  g_strv_builder_addv (builder, (const gchar **) params->caps);
  return g_strv_builder_end (builder);
}

gboolean
hv_kvm_migration_check_caps (const HvKvmMigrationParams  *params,
                             HvKvmCapabilities           *capabilities,
                             const gchar                 *name,
                             GError                     **error)
{
  for (guint i = 0; params->caps[i] != NULL; i++)
    if (!hv_kvm_capabilities_has_migration_capability (capabilities, params->caps[i]))
      {
        g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                     _("Parameter 'migration_caps' of instance %s names '%s', a migration "
                       "capability QEMU %s does not have"),
                     name, params->caps[i],
                     hv_kvm_capabilities_get_version_string (capabilities));
        return FALSE;
      }
  return TRUE;
}

gchar *
hv_kvm_migration_incoming_marker (HvKvmHost   *host,
                                  const gchar *name)
{
  g_autofree gchar *file = g_strconcat (name, ".incoming", NULL);

  return g_build_filename (hv_kvm_host_get_run_dir (host), file, NULL);
}

/* Auto-postcopy: once, after policy->postcopy_passes dirty-sync passes,
 * when postcopy-ram is set. Downtime escalation: at each new pass, the
 * remaining RAM is compared with the least seen at a pass; after
 * policy->downtime_stall_passes passes without a new least, the limit goes
 * up one step, never above the cap. Only while RAM is being sent. */
HvKvmMigrationPolicyActions
hv_kvm_migration_policy_step (const HvKvmMigrationPolicy *policy,
                              HvKvmMigrationPolicyState  *state,
                              gboolean                    postcopy_ram,
                              HvMigrationState            migration_state,
                              gint64                      passes,
                              gint64                      remaining)
{
  HvKvmMigrationPolicyActions actions = HV_KVM_MIGRATION_POLICY_NONE;

  if (migration_state != HV_MIGRATION_STATE_ACTIVE)
    return actions;
  if (policy->auto_postcopy != 0 && postcopy_ram && !state->postcopy_started &&
      passes >= policy->postcopy_passes)
    {
      state->postcopy_started = TRUE;
      actions |= HV_KVM_MIGRATION_POLICY_START_POSTCOPY;
    }
  if (policy->downtime_stall_passes == 0 || passes <= state->last_pass)
    return actions;
  state->last_pass = passes;
  if (state->best_remaining < 0 || remaining < state->best_remaining)
    {
      state->best_remaining = remaining;
      state->stalled = 0;
      return actions;
    }
  if (++state->stalled < policy->downtime_stall_passes ||
      state->downtime_ms >= policy->downtime_max_ms)
    return actions;
  state->stalled = 0;
  state->downtime_ms = MIN (state->downtime_ms + policy->downtime_step_ms,
                            (gint64) policy->downtime_max_ms);
  return actions | HV_KVM_MIGRATION_POLICY_RAISE_DOWNTIME;
}

GSource *
hv_kvm_migration_timeout_new (guint       timeout_ms,
                              GSourceFunc func,
                              gpointer    data)
{
  GSource *source = g_timeout_source_new (timeout_ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

void
hv_kvm_migration_clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}
