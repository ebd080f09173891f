/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-kvm-lifecycle.h"
#include "hv-kvm-migration.h"
#include "hv-kvm-qmp-commands.h"

/*
 * The source of a migration: MigrateInstance, GetMigrationStatus and
 * FinalizeMigrationSource.
 *
 * migrate is a job of the instance: `stop` when not live, the parameters
 * (max-bandwidth, downtime-limit, max-postcopy-bandwidth), the
 * capabilities (`events` and migration_caps, checked against QEMU's list
 * first), `migrate`. Then nothing polls: QEMU's MIGRATION events say
 * where it is, and it completes on `completed`, `failed` or `cancelled`;
 * a MIGRATION or MIGRATION_PASS event asks one query-migrate for the
 * figures of `migration-progress`, at most ten a second. Its cancellable
 * (or a stop) sends `migrate_cancel`; QEMU resumes the guest itself when
 * a live migration fails.
 *
 * What a migration left is kept on the instance (SourceMigration, its
 * source-side migration state) for the status and for finalize: whether
 * the guest ran before, the capabilities set, the last status.
 */

/* migration-progress at most this often */
#define PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)
/* how often a `completed` status is asked again while QEMU 7.2 still
 * reports downtime 0 (qemu-facts.md §4) */
#define COMPLETED_REQUERIES 5

typedef struct {
  HvKvmHost         *host;
  HvKvmInstance     *instance;       /* not a reference: its migration state */
  HvKvmQmpClient    *qmp;            /* the connection followed */
  GMainContext      *context;        /* the monitor thread's */
  gchar             *name;
  gboolean           was_running;
  gboolean           stopped;        /* a non-live migration stopped it */
  GStrv              caps;           /* set on this side, to clear */
  HvMigrationStatus *status;         /* the last known */
  GTask             *task;           /* the migrate job while it runs */
  gulong             event_id;
  gulong             closed_id;
  gulong             cancel_id;
  gboolean           cancel_sent;
  gboolean           query_busy;
  gboolean           query_wanted;
  gint64             last_progress;  /* monotonic µs */
  guint              requeries;      /* query-migrate asked again after `completed` */
  GSource           *progress_source;
  gint64             state_time;     /* QEMU's time of the state's event, µs, or 0 */

  HvKvmMigrationPolicyState policy;
} SourceMigration;

static void
source_migration_free (SourceMigration *migration)
{
  g_free (migration->name);
  g_clear_object (&migration->qmp);
  g_main_context_unref (migration->context);
  g_strfreev (migration->caps);
  g_clear_object (&migration->status);
  hv_kvm_migration_clear_source (&migration->progress_source);
  g_free (migration);
}

static SourceMigration *
source_migration_get (HvKvmInstance *instance)
{
  return hv_kvm_instance_get_migration_state (instance, HV_KVM_MIGRATION_SIDE_SOURCE);
}

/* -- the status ------------------------------------------------------------- */

static void
source_set_status (SourceMigration   *migration,
                   HvMigrationStatus *status)
{
  g_set_object (&migration->status, status);
}

/* Each emission is a copy: the signal runs in the owner's thread while
 * this one goes on. It carries the QEMU timestamp of the MIGRATION event
 * that began the current state (HvMigrationStatus:state-time). */
static void
source_emit_progress (SourceMigration *migration)
{
  g_autoptr(GVariant) variant = NULL;
  HvMigrationStatus *copy;

  if (migration->status == NULL)
    return;
  variant = g_variant_ref_sink (hv_migration_status_to_variant (migration->status));
  copy = hv_migration_status_new_from_variant (variant, NULL);
  if (copy == NULL)
    return;
  hv_migration_status_set_state_time (copy, migration->state_time);
  hv_kvm_host_emit_migration_progress (migration->host, migration->name, copy);
  migration->last_progress = g_get_monotonic_time ();
}

static void source_query (SourceMigration *migration);
static void source_apply_policies (SourceMigration *migration);

static gboolean
source_progress_due_cb (gpointer user_data)
{
  SourceMigration *migration = user_data;

  g_clear_pointer (&migration->progress_source, g_source_unref);
  source_query (migration);
  return G_SOURCE_REMOVE;
}

static void
source_query_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  HvKvmInstance *instance = user_data;
  SourceMigration *migration = source_migration_get (instance);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(HvMigrationStatus) status = NULL;
  g_autoptr(GError) error = NULL;

  reply = hv_kvm_qmp_query_migrate_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  if (migration == NULL)
    {
      g_object_unref (instance);
      return;
    }
  migration->query_busy = FALSE;
  /* once the migration ended, the end's own answers are the figures */
  if (reply != NULL && migration->task != NULL)
    {
      status = hv_kvm_migration_status_from_reply (reply);
      /* the events may be ahead of a query sent before them */
      if (migration->status != NULL)
        hv_migration_status_set_state (status, hv_migration_status_get_state (migration->status));
      source_set_status (migration, status);
      source_emit_progress (migration);
      source_apply_policies (migration);
    }
  else if (reply == NULL)
    g_debug ("%s: query-migrate: %s", migration->name, error->message);
  if (migration->query_wanted && migration->task != NULL)
    {
      migration->query_wanted = FALSE;
      source_query (migration);
    }
  g_object_unref (instance);
}

static void
policy_postcopy_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* refused (QEMU not ready for it yet): precopy goes on */
  if (!hv_kvm_qmp_migrate_start_postcopy_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    g_warning ("migrate-start-postcopy: %s", error->message);
}

static void
policy_downtime_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!hv_kvm_qmp_migrate_set_parameters_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    g_warning ("Raising the migration downtime limit: %s", error->message);
}

/* The policies (hv_kvm_migration_policy_step), on each new figure. */
static void
source_apply_policies (SourceMigration *migration)
{
  HvMigrationStatus *status = migration->status;
  HvKvmMigrationPolicyActions actions;

  actions = hv_kvm_migration_policy_step (hv_kvm_host_get_migration_policy (migration->host),
                                          &migration->policy,
                                          g_strv_contains ((const gchar * const *) migration->caps,
                                                           "postcopy-ram"),
                                          hv_migration_status_get_state (status),
                                          hv_migration_status_get_dirty_sync_count (status),
                                          hv_migration_status_get_remaining (status));
  if (actions & HV_KVM_MIGRATION_POLICY_START_POSTCOPY)
    {
      g_debug ("%s: migrate-start-postcopy", migration->name);
      hv_kvm_qmp_migrate_start_postcopy_async (migration->qmp, NULL, policy_postcopy_cb, NULL);
    }
  if (actions & HV_KVM_MIGRATION_POLICY_RAISE_DOWNTIME)
    {
      g_autoptr(JsonObject) parameters = json_object_new ();

      g_debug ("%s: downtime-limit %" G_GINT64_FORMAT " ms", migration->name,
               migration->policy.downtime_ms);
      json_object_set_int_member (parameters, "downtime-limit", migration->policy.downtime_ms);
      hv_kvm_qmp_migrate_set_parameters_async (migration->qmp, parameters, NULL,
                                               policy_downtime_cb, NULL);
    }
}

/* One query-migrate for the figures of an event, unless one is on its
 * way; at most one progress per PROGRESS_INTERVAL_US: a later event
 * arms a timeout for the rest of the interval, never a polling loop. */
static void
source_query (SourceMigration *migration)
{
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (migration->instance);
  gint64 wait = migration->last_progress + PROGRESS_INTERVAL_US - g_get_monotonic_time ();

  if (qmp == NULL || !hv_kvm_qmp_client_is_connected (qmp))
    return;
  if (migration->query_busy)
    {
      migration->query_wanted = TRUE;
      return;
    }
  if (migration->last_progress != 0 && wait > 0)
    {
      if (migration->progress_source == NULL)
        migration->progress_source = hv_kvm_migration_timeout_new ((guint) (wait / 1000) + 1,
                                                                   source_progress_due_cb,
                                                                   migration);
      return;
    }
  migration->query_busy = TRUE;
  hv_kvm_qmp_query_migrate_async (qmp, NULL, source_query_cb, g_object_ref (migration->instance));
}

/* -- MigrateInstance -------------------------------------------------------- */

typedef struct {
  HvKvmHost            *host;     /* not a reference: the driver's call holds it */
  gchar                *target;
  gboolean              live;
  HvInstance           *owner;
  HvKvmMigrationParams  params;
} Migrate;

static void
migrate_free (Migrate *migrate)
{
  g_free (migrate->target);
  g_clear_object (&migrate->owner);
  hv_kvm_migration_params_clear (&migrate->params);
  g_free (migrate);
}

static void
source_disconnect (SourceMigration *migration)
{
  g_clear_signal_handler (&migration->event_id, migration->qmp);
  g_clear_signal_handler (&migration->closed_id, migration->qmp);
  if (migration->task != NULL && migration->cancel_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (migration->task), migration->cancel_id);
  migration->cancel_id = 0;
}

static void
source_cont_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!hv_kvm_qmp_cont_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    g_warning ("Resuming the guest after a failed migration: %s", error->message);
}

/* The end of the migrate job: @error NULL for success. After a failure
 * the instance is the source's again: no longer marked, and running if
 * it ran (a non-live migration stopped it). */
static void
source_end (SourceMigration *migration,
            GError          *error)
{
  HvKvmQmpClient *qmp = migration->qmp;
  GTask *task;

  source_disconnect (migration);
  task = g_steal_pointer (&migration->task);
  if (error != NULL)
    {
      hv_kvm_instance_set_migration (migration->instance, NULL);
      if (migration->stopped && migration->was_running && qmp != NULL &&
          hv_kvm_qmp_client_is_connected (qmp))
        {
          migration->stopped = FALSE;
          hv_kvm_qmp_cont_async (qmp, NULL, source_cont_cb, NULL);
        }
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
source_failed_query_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  HvKvmInstance *instance = user_data;
  SourceMigration *migration = source_migration_get (instance);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  const gchar *reason = NULL;

  reply = hv_kvm_qmp_query_migrate_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  if (reply != NULL)
    {
      g_autoptr(HvMigrationStatus) status = hv_kvm_migration_status_from_reply (reply);

      hv_migration_status_set_state (status, HV_MIGRATION_STATE_FAILED);
      source_set_status (migration, status);
      reason = hv_migration_status_get_error_desc (status);
    }
  source_emit_progress (migration);
  source_end (migration, g_error_new (HV_ERROR, HV_ERROR_MIGRATION,
                                      _("Migration of instance %s failed: %s; it runs on "
                                        "here"), migration->name,
                                      reason != NULL ? reason : _("QEMU gave no reason")));
  g_object_unref (instance);
}

static void
source_completed_query_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  HvKvmInstance *instance = user_data;
  SourceMigration *migration = source_migration_get (instance);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = hv_kvm_qmp_query_migrate_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  if (migration != NULL && reply != NULL)
    {
      g_autoptr(HvMigrationStatus) status = hv_kvm_migration_status_from_reply (reply);

      source_set_status (migration, status);
      /* QEMU 7.2 answers downtime 0 at first: ask again */
      if (hv_migration_status_get_downtime (status) == 0 &&
          hv_migration_status_get_state (status) == HV_MIGRATION_STATE_COMPLETED &&
          migration->requeries > 0)
        {
          migration->requeries--;
          hv_kvm_qmp_query_migrate_async (HV_KVM_QMP_CLIENT (source), NULL,
                                          source_completed_query_cb, instance);
          return;
        }
      source_emit_progress (migration);
    }
  g_object_unref (instance);
}

static void
source_on_state (SourceMigration  *migration,
                 HvMigrationState  state,
                 gint64            timestamp)
{
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (migration->instance);

  if (migration->status == NULL)
    migration->status = hv_migration_status_new (state);
  else
    hv_migration_status_set_state (migration->status, state);
  migration->state_time = MAX (timestamp, 0);

  switch (state)
    {
    case HV_MIGRATION_STATE_COMPLETED:
      /* the caller hears of it now, the `completed` progress first (so a
       * caller that returns from migrate_instance has it queued in its
       * context); the final figures follow */
      source_emit_progress (migration);
      source_end (migration, NULL);
      migration->requeries = COMPLETED_REQUERIES;
      hv_kvm_qmp_query_migrate_async (qmp, NULL, source_completed_query_cb,
                                      g_object_ref (migration->instance));
      break;
    case HV_MIGRATION_STATE_FAILED:
      hv_kvm_qmp_query_migrate_async (qmp, NULL, source_failed_query_cb,
                                      g_object_ref (migration->instance));
      break;
    case HV_MIGRATION_STATE_CANCELLED:
      source_emit_progress (migration);
      source_end (migration, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                          _("Migration of instance %s was cancelled; it runs "
                                            "on here"), migration->name));
      break;
    default:
      source_query (migration);
      break;
    }
}

static void
source_event_cb (HvKvmQmpClient *qmp,
                 const gchar    *event,
                 JsonObject     *data,
                 gint64          timestamp,
                 gpointer        user_data)
{
  SourceMigration *migration = user_data;

  if (migration->task == NULL)
    return;
  if (g_str_equal (event, "MIGRATION"))
    {
      const gchar *word = json_object_get_string_member_with_default (data, "status", "");
      HvMigrationState state;

      g_debug ("%s: MIGRATION %s", migration->name, word);
      if (!hv_kvm_migration_state_from_qemu (word, &state))
        {
          g_warning ("Instance %s: QEMU reports migration status '%s', unknown to hvkit",
                     migration->name, word);
          return;
        }
      source_on_state (migration, state, timestamp);
    }
  else if (g_str_equal (event, "MIGRATION_PASS"))
    {
      if (migration->status != NULL)
        hv_migration_status_set_dirty_sync_count (
          migration->status, json_object_get_int_member_with_default (data, "pass", 0));
      source_query (migration);
    }
}

static void
source_closed_cb (HvKvmQmpClient *qmp,
                  const GError   *error,
                  gpointer        user_data)
{
  SourceMigration *migration = user_data;

  if (migration->task == NULL)
    return;
  if (migration->status != NULL)
    hv_migration_status_set_state (migration->status, HV_MIGRATION_STATE_FAILED);
  source_end (migration, g_error_new (HV_ERROR, HV_ERROR_MIGRATION,
                                      _("Migration of instance %s failed: its QEMU closed the "
                                        "monitor (%s)"), migration->name,
                                      error != NULL ? error->message : _("closed")));
}

static void
source_cancel_sent_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* the `cancelled` event ends the job; a refusal means it ended anyway */
  if (!hv_kvm_qmp_migrate_cancel_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    g_debug ("migrate_cancel: %s", error->message);
}

static gboolean
source_cancel_idle_cb (gpointer user_data)
{
  HvKvmInstance *instance = user_data;
  SourceMigration *migration = source_migration_get (instance);
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);

  if (migration != NULL && migration->task != NULL && !migration->cancel_sent && qmp != NULL)
    {
      migration->cancel_sent = TRUE;
      g_debug ("%s: migrate_cancel", migration->name);
      hv_kvm_qmp_migrate_cancel_async (qmp, NULL, source_cancel_sent_cb, NULL);
    }
  return G_SOURCE_REMOVE;
}

/* The cancellable may fire in any thread: migrate_cancel goes from the
 * monitor thread. */
static void
source_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  SourceMigration *migration = user_data;

  g_main_context_invoke_full (migration->context, G_PRIORITY_DEFAULT,
                              source_cancel_idle_cb, g_object_ref (migration->instance),
                              g_object_unref);
}

static void
migrate_sent_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  HvKvmInstance *instance = user_data;
  SourceMigration *migration = source_migration_get (instance);
  GError *error = NULL;

  if (!hv_kvm_qmp_migrate_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      if (migration->task != NULL)
        {
          GError *refused = g_error_new (HV_ERROR, HV_ERROR_MIGRATION,
                                         _("Cannot migrate instance %s: QEMU refused: %s"),
                                         migration->name, error->message);

          g_error_free (error);
          source_end (migration, refused);
        }
      else
        g_error_free (error);
    }
  g_object_unref (instance);
}

static void
migrate_caps_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  HvKvmInstance *instance = user_data;
  SourceMigration *migration = source_migration_get (instance);
  Migrate *migrate = g_task_get_task_data (migration->task);
  HvKvmQmpClient *qmp = HV_KVM_QMP_CLIENT (source);
  g_autofree gchar *uri = NULL;
  GError *error = NULL;

  if (!hv_kvm_qmp_migrate_set_capabilities_finish (qmp, result, &error))
    {
      source_end (migration, error);
      g_object_unref (instance);
      return;
    }
  if (strchr (migrate->target, ':') != NULL && migrate->target[0] != '[')
    uri = g_strdup_printf ("tcp:[%s]:%" G_GINT64_FORMAT, migrate->target, migrate->params.port);
  else
    uri = g_strdup_printf ("tcp:%s:%" G_GINT64_FORMAT, migrate->target, migrate->params.port);
  migration->qmp = g_object_ref (qmp);
  migration->event_id = g_signal_connect (qmp, "event", G_CALLBACK (source_event_cb), migration);
  migration->closed_id = g_signal_connect (qmp, "closed", G_CALLBACK (source_closed_cb),
                                           migration);
  if (g_task_get_cancellable (migration->task) != NULL)
    migration->cancel_id = g_cancellable_connect (g_task_get_cancellable (migration->task),
                                                  G_CALLBACK (source_cancelled_cb), migration,
                                                  NULL);
  g_debug ("%s: migrate %s", migration->name, uri);
  hv_kvm_qmp_migrate_async (qmp, uri, NULL, migrate_sent_cb, instance);
}

static void
migrate_params_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  HvKvmInstance *instance = user_data;
  SourceMigration *migration = source_migration_get (instance);
  GError *error = NULL;

  if (!hv_kvm_qmp_migrate_set_parameters_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      source_end (migration, error);
      g_object_unref (instance);
      return;
    }
  hv_kvm_qmp_migrate_set_capabilities_async (HV_KVM_QMP_CLIENT (source),
                                             (const gchar * const *) migration->caps, TRUE,
                                             NULL, migrate_caps_cb, instance);
}

static void
migrate_set_params (SourceMigration *migration)
{
  Migrate *migrate = g_task_get_task_data (migration->task);
  g_autoptr(JsonObject) parameters = json_object_new ();
  gint64 bandwidth = migrate->params.bandwidth_mib * 1024 * 1024;

  json_object_set_int_member (parameters, "max-bandwidth", bandwidth);
  json_object_set_int_member (parameters, "downtime-limit", migrate->params.downtime_ms);
  json_object_set_int_member (parameters, "max-postcopy-bandwidth", bandwidth);
  hv_kvm_qmp_migrate_set_parameters_async (hv_kvm_instance_get_qmp (migration->instance),
                                           parameters, NULL, migrate_params_cb,
                                           g_object_ref (migration->instance));
}

static void
migrate_stopped_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  HvKvmInstance *instance = user_data;
  SourceMigration *migration = source_migration_get (instance);
  GError *error = NULL;

  if (!hv_kvm_qmp_stop_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    source_end (migration, error);
  else
    {
      migration->stopped = TRUE;
      migrate_set_params (migration);
    }
  g_object_unref (instance);
}

static void
migrate_job (HvKvmInstance *instance,
             GTask         *task)
{
  Migrate *migrate = g_task_get_task_data (task);
  HvKvmHost *host = migrate->host;
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);
  SourceMigration *migration;

  if (!hv_kvm_instance_is_alive (instance) || qmp == NULL ||
      !hv_kvm_qmp_client_is_connected (qmp))
    {
      hv_kvm_instance_set_migration (instance, NULL);
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                               _("Cannot migrate instance %s: it is not running"),
                               hv_kvm_instance_get_name (instance));
      return;
    }

  migration = g_new0 (SourceMigration, 1);
  migration->host = host;
  migration->instance = instance;
  migration->context = g_main_context_ref_thread_default ();
  migration->name = g_strdup (hv_kvm_instance_get_name (instance));
  migration->was_running = hv_kvm_instance_get_state (instance) == HV_INSTANCE_STATE_RUNNING;
  migration->caps = hv_kvm_migration_params_caps_to_set (&migrate->params);
  migration->status = hv_migration_status_new (HV_MIGRATION_STATE_SETUP);
  migration->state_time = 0;
  migration->policy.downtime_ms = migrate->params.downtime_ms;
  migration->policy.best_remaining = -1;
  migration->task = g_object_ref (task);
  hv_kvm_instance_set_migration_state (instance, HV_KVM_MIGRATION_SIDE_SOURCE, migration, (GDestroyNotify) source_migration_free);

  if (!migrate->live && migration->was_running)
    hv_kvm_qmp_stop_async (qmp, NULL, migrate_stopped_cb, g_object_ref (instance));
  else
    migrate_set_params (migration);
}

static void
mark_cancelled_cb (GCancellable *mark,
                   gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

static void
migrate_capabilities_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Migrate *migrate = g_task_get_task_data (task);
  HvKvmHost *host = migrate->host;
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  HvKvmInstance *instance;
  GError *error = NULL;

  capabilities = hv_kvm_capabilities_cache_lookup_finish (HV_KVM_CAPABILITIES_CACHE (source),
                                                          result, &error);
  if (capabilities == NULL ||
      !hv_kvm_migration_check_caps (&migrate->params, capabilities,
                                    hv_instance_get_name (migrate->owner), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  instance = hv_kvm_host_lookup_instance (host, hv_instance_get_name (migrate->owner));
  if (instance == NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                               _("Cannot migrate instance %s: it is not running"),
                               hv_instance_get_name (migrate->owner));
      return;
    }
  if (!hv_kvm_instance_check_not_migrating (instance, _("migrate"), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* marked from now: a hotplug asked while it waits in the queue is
   * refused too */
  hv_kvm_instance_set_migration_state (instance, HV_KVM_MIGRATION_SIDE_SOURCE, NULL, NULL);
  {
    g_autoptr(GCancellable) mark = g_cancellable_new ();

    hv_kvm_instance_set_migration (instance, mark);
    /* a stop cancels the mark: the migration goes with it */
    g_cancellable_connect (mark, G_CALLBACK (mark_cancelled_cb),
                           g_object_ref (g_task_get_cancellable (task)), g_object_unref);
  }
  hv_kvm_instance_queue_job (instance, task, migrate_job);
}

void
hv_kvm_migrate_async (HvKvmHost           *host,
                      HvInstance          *owner,
                      const gchar         *target,
                      gboolean             live,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GCancellable) own = cancellable != NULL ? g_object_ref (cancellable)
                                                    : g_cancellable_new ();
  GTask *task = g_task_new (NULL, own, callback, user_data);
  Migrate *migrate = g_new0 (Migrate, 1);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (host, hv_instance_get_name (owner));
  HvKvmRuntime *runtime = instance != NULL ? hv_kvm_instance_get_runtime (instance) : NULL;
  const gchar *qemu = NULL;

  g_task_set_source_tag (task, hv_kvm_migrate_async);
  /* QEMU's outcome, not the cancellable's: a migration that completed
   * although cancelled too late has its guest on the target */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, migrate, (GDestroyNotify) migrate_free);
  migrate->host = host;
  migrate->target = g_strdup (target);
  migrate->live = live;
  migrate->owner = g_object_ref (owner);
  hv_kvm_migration_params_init (&migrate->params, owner, runtime);

  if (instance == NULL || runtime == NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                               _("Cannot migrate instance %s: it is not running"),
                               hv_instance_get_name (owner));
      g_object_unref (task);
      return;
    }
  if (runtime->hvparams == NULL ||
      !g_variant_lookup (runtime->hvparams, "kvm_path", "&s", &qemu) || *qemu == '\0')
    qemu = HV_KVM_DEFAULT_QEMU;
  /* the capabilities are checked before anything is touched */
  hv_kvm_capabilities_cache_lookup_async (hv_kvm_host_get_capabilities_cache (host), qemu, NULL,
                                          migrate_capabilities_cb, task);
}

gboolean
hv_kvm_migrate_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_migrate_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- GetMigrationStatus ----------------------------------------------------- */

typedef struct {
  HvKvmHost *host;
  gchar     *name;
  guint      requeries;
} StatusQuery;

static void
status_query_free (StatusQuery *query)
{
  g_free (query->name);
  g_free (query);
}

static void
status_query_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StatusQuery *query = g_task_get_task_data (task);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (query->host, query->name);
  SourceMigration *migration = instance != NULL ? source_migration_get (instance) : NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(HvMigrationStatus) status = NULL;
  GError *error = NULL;

  reply = hv_kvm_qmp_query_migrate_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  if (reply == NULL)
    {
      /* QEMU gone after its migration: what the events kept */
      if (migration != NULL && migration->status != NULL)
        {
          g_clear_error (&error);
          g_task_return_pointer (task, g_object_ref (migration->status), g_object_unref);
          return;
        }
      g_task_return_error (task, error);
      return;
    }
  status = hv_kvm_migration_status_from_reply (reply);
  if (hv_migration_status_get_state (status) == HV_MIGRATION_STATE_COMPLETED &&
      hv_migration_status_get_downtime (status) == 0 && query->requeries-- > 0)
    {
      hv_kvm_qmp_query_migrate_async (HV_KVM_QMP_CLIENT (source), NULL, status_query_cb,
                                      g_steal_pointer (&task));
      return;
    }
  /* the events may be ahead of QEMU's own answer (the final state) */
  if (migration != NULL && migration->status != NULL && migration->task == NULL &&
      hv_migration_status_get_state (status) != hv_migration_status_get_state (migration->status) &&
      hv_migration_status_get_state (status) == HV_MIGRATION_STATE_ACTIVE)
    hv_migration_status_set_state (status, hv_migration_status_get_state (migration->status));
  if (migration != NULL && migration->status != NULL &&
      hv_migration_status_get_state (status) == hv_migration_status_get_state (migration->status))
    hv_migration_status_set_state_time (status, migration->state_time);
  if (migration != NULL)
    source_set_status (migration, status);
  g_task_return_pointer (task, g_steal_pointer (&status), g_object_unref);
}

void
hv_kvm_migration_status_async (HvKvmHost           *host,
                               const gchar         *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  StatusQuery *query = g_new0 (StatusQuery, 1);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (host, name);
  HvKvmQmpClient *qmp = instance != NULL ? hv_kvm_instance_get_qmp (instance) : NULL;
  SourceMigration *migration = instance != NULL ? source_migration_get (instance) : NULL;

  query->host = host;
  query->name = g_strdup (name);
  query->requeries = COMPLETED_REQUERIES;
  g_task_set_source_tag (task, hv_kvm_migration_status_async);
  g_task_set_task_data (task, query, (GDestroyNotify) status_query_free);
  if (qmp == NULL || !hv_kvm_qmp_client_is_connected (qmp))
    {
      if (migration != NULL && migration->status != NULL)
        g_task_return_pointer (task, g_object_ref (migration->status), g_object_unref);
      else
        g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                                 _("Instance %s is not running on this node"), name);
      g_object_unref (task);
      return;
    }
  /* not a job: it answers at once, while the migration holds the queue */
  hv_kvm_qmp_query_migrate_async (qmp, cancellable, status_query_cb, task);
}

HvMigrationStatus *
hv_kvm_migration_status_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_migration_status_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -- FinalizeMigrationSource ------------------------------------------------ */

typedef struct {
  HvKvmHost *host;
  gchar     *name;
  gboolean   success;
  gboolean   live;
} Finalize;

static void
finalize_free (Finalize *finalize)
{
  g_free (finalize->name);
  g_free (finalize);
}

static void
finalize_torn_down_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Finalize *finalize = g_task_get_task_data (task);
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  GError *error = NULL;
  gboolean ok;

  ok = hv_kvm_teardown_finish (instance, result, &error);
  hv_kvm_instance_set_qmp (instance, NULL);
  hv_kvm_instance_set_runtime (instance, NULL);
  hv_kvm_instance_set_migration (instance, NULL);
  hv_kvm_instance_set_migration_state (instance, HV_KVM_MIGRATION_SIDE_SOURCE, NULL, NULL);
  hv_kvm_host_forget_instance (finalize->host, instance);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
finalize_quit_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Finalize *finalize = g_task_get_task_data (task);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (finalize->host, finalize->name);
  g_autoptr(GError) error = NULL;

  /* whether QEMU quit or not, teardown kills what is left */
  if (!hv_kvm_qmp_quit_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    g_debug ("%s: quit: %s", finalize->name, error->message);
  hv_kvm_teardown_async (instance, G_MAXUINT, NULL, finalize_torn_down_cb, task);
}

static void
finalize_caps_cleared_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Finalize *finalize = g_task_get_task_data (task);
  GError *error = NULL;

  if (!hv_kvm_qmp_migrate_set_capabilities_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      g_prefix_error (&error, _("Cannot clear the migration capabilities of %s: "),
                      finalize->name);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
finalize_clear_caps (GTask         *task,
                     HvKvmInstance *instance)
{
  SourceMigration *migration = source_migration_get (instance);
  HvKvmMigrationParams params = { 0 };
  g_auto(GStrv) caps = NULL;

  if (migration != NULL)
    caps = g_strdupv (migration->caps);
  else
    {
      hv_kvm_migration_params_init (&params, NULL, hv_kvm_instance_get_runtime (instance));
      caps = hv_kvm_migration_params_caps_to_set (&params);
      hv_kvm_migration_params_clear (&params);
    }
  hv_kvm_instance_set_migration (instance, NULL);
  hv_kvm_instance_set_migration_state (instance, HV_KVM_MIGRATION_SIDE_SOURCE, NULL, NULL);
  hv_kvm_qmp_migrate_set_capabilities_async (hv_kvm_instance_get_qmp (instance),
                                             (const gchar * const *) caps, FALSE, NULL,
                                             finalize_caps_cleared_cb, task);
}

static void
finalize_cont_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Finalize *finalize = g_task_get_task_data (task);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (finalize->host, finalize->name);
  GError *error = NULL;

  if (!hv_kvm_qmp_cont_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      g_prefix_error (&error, _("Cannot resume instance %s after its failed migration: "),
                      finalize->name);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  finalize_clear_caps (task, instance);
}

static void
finalize_source_job (HvKvmInstance *instance,
                     GTask         *task)
{
  Finalize *finalize = g_task_get_task_data (task);
  SourceMigration *migration = source_migration_get (instance);
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);
  gboolean alive = hv_kvm_instance_is_alive (instance) && qmp != NULL &&
                   hv_kvm_qmp_client_is_connected (qmp);

  if (finalize->success || !alive)
    {
      /* the guest runs on the target (or QEMU died meanwhile): ifdown
       * for every NIC, QEMU gone, its files and record removed */
      if (alive)
        hv_kvm_qmp_quit_async (qmp, NULL, finalize_quit_cb, g_object_ref (task));
      else
        hv_kvm_teardown_async (instance, G_MAXUINT, NULL, finalize_torn_down_cb,
                               g_object_ref (task));
      return;
    }
  /* the guest stays here: running again if it ran before */
  if (hv_kvm_instance_get_state (instance) != HV_INSTANCE_STATE_RUNNING &&
      (migration == NULL || migration->was_running))
    {
      if (migration != NULL)
        migration->stopped = FALSE;
      hv_kvm_qmp_cont_async (qmp, NULL, finalize_cont_cb, g_object_ref (task));
      return;
    }
  finalize_clear_caps (g_object_ref (task), instance);
}

void
hv_kvm_finalize_source_async (HvKvmHost           *host,
                              const gchar         *name,
                              gboolean             success,
                              gboolean             live,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Finalize *finalize = g_new0 (Finalize, 1);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (host, name);

  finalize->host = host;
  finalize->name = g_strdup (name);
  finalize->success = success;
  finalize->live = live;
  g_task_set_source_tag (task, hv_kvm_finalize_source_async);
  g_task_set_task_data (task, finalize, (GDestroyNotify) finalize_free);
  if (instance == NULL)
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                             _("Instance %s is not known on this node"), name);
  else
    hv_kvm_instance_queue_job (instance, task, finalize_source_job);
  g_object_unref (task);
}

gboolean
hv_kvm_finalize_source_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_finalize_source_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- a restarted HvKvm ---------------------------------------------------- */

static void
pick_up_source_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = g_task_get_source_object (task);
  HvKvmHost *host = g_task_get_task_data (task);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HvMigrationStatus) status = NULL;
  HvKvmMigrationParams params = { 0 };
  SourceMigration *migration;
  HvMigrationState state;

  reply = hv_kvm_qmp_query_migrate_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  if (reply == NULL)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  status = hv_kvm_migration_status_from_reply (reply);
  state = hv_migration_status_get_state (status);
  if (state == HV_MIGRATION_STATE_NONE || state == HV_MIGRATION_STATE_FAILED ||
      state == HV_MIGRATION_STATE_CANCELLED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_debug ("%s: picking up the outgoing migration (%s)", hv_kvm_instance_get_name (instance),
           json_object_get_string_member_with_default (reply, "status", ""));
  migration = g_new0 (SourceMigration, 1);
  migration->host = host;
  migration->instance = instance;
  migration->context = g_main_context_ref_thread_default ();
  migration->name = g_strdup (hv_kvm_instance_get_name (instance));
  /* it ran before: a guest migrating is one that runs */
  migration->was_running = TRUE;
  hv_kvm_migration_params_init (&params, NULL, hv_kvm_instance_get_runtime (instance));
  migration->caps = hv_kvm_migration_params_caps_to_set (&params);
  hv_kvm_migration_params_clear (&params);
  migration->status = g_steal_pointer (&status);
  migration->state_time = 0;
  hv_kvm_instance_set_migration_state (instance, HV_KVM_MIGRATION_SIDE_SOURCE, migration, (GDestroyNotify) source_migration_free);
  {
    g_autoptr(GCancellable) mark = g_cancellable_new ();

    hv_kvm_instance_set_migration (instance, mark);
  }
  g_task_return_boolean (task, TRUE);
}

/* A job, queued behind the takeover: whatever was asked after it waits
 * until QEMU said whether a migration runs. */
static void
pick_up_job (HvKvmInstance *instance,
             GTask         *task)
{
  HvKvmHost *host = g_task_get_task_data (task);
  g_autofree gchar *marker = hv_kvm_migration_incoming_marker (host,
                                                               hv_kvm_instance_get_name (instance));
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);

  if (g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      hv_kvm_migration_target_pick_up (host, instance);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (qmp == NULL || !hv_kvm_qmp_client_is_connected (qmp))
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  hv_kvm_qmp_query_migrate_async (qmp, NULL, pick_up_source_cb, g_object_ref (task));
}

void
hv_kvm_migration_pick_up (HvKvmHost     *host,
                          HvKvmInstance *instance)
{
  g_autoptr(GTask) task = g_task_new (instance, NULL, NULL, NULL);

  g_task_set_source_tag (task, hv_kvm_migration_pick_up);
  g_task_set_task_data (task, host, NULL);
  hv_kvm_instance_queue_job (instance, task, pick_up_job);
}
