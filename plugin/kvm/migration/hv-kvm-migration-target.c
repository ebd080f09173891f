/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "hv-kvm-lifecycle.h"
#include "hv-kvm-migration.h"
#include "hv-kvm-process.h"
#include "hv-kvm-qmp-commands.h"

/*
 * The target of a migration: AcceptInstance and FinalizeMigrationDst.
 *
 * accept: the record from the source, checked (checksum, version, name);
 * migration_caps checked against the target QEMU's list before anything
 * starts; NAME.incoming written (ListInstances leaves the instance out
 * until it succeeded); QEMU launched from the record — same machine, PCI
 * slots and device ids, hot-plugged devices on its command line — with
 * `-incoming defer`, the NICs of a bridge or switch brought up; the
 * capabilities set (`events` and migration_caps); `migrate-incoming
 * tcp:<target>:<migration_port>`. Any failure leaves nothing behind.
 *
 * finalize success: ifup for the NICs not brought up yet (routed), the
 * record saved, NAME.incoming gone (the instance is listed now), the
 * capabilities cleared. finalize failure: QEMU killed, ifdown, every
 * file and the record removed.
 */

typedef struct {
  HvKvmHost            *host;
  gchar                *name;
  HvInstance           *owner;
  GBytes               *info;
  gchar                *target;
  gboolean              success;        /* finalize */
  HvKvmRuntime         *runtime;        /* accept: until launched */
  HvKvmMigrationParams  params;
  GCancellable         *marker;         /* the instance's migration mark */
  guint                 next_nic;       /* finalize: routed ifup */
  GError               *error;          /* accept: the failure being undone */
} Target;

static void
target_free (Target *target)
{
  g_free (target->name);
  g_clear_object (&target->owner);
  g_clear_pointer (&target->info, g_bytes_unref);
  g_free (target->target);
  g_clear_pointer (&target->runtime, hv_kvm_runtime_free);
  hv_kvm_migration_params_clear (&target->params);
  g_clear_object (&target->marker);
  g_clear_error (&target->error);
  g_free (target);
}

static GTask *
target_task_new (HvKvmHost           *host,
                 HvInstance          *owner,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Target *target = g_new0 (Target, 1);

  target->host = host;
  target->name = g_strdup (hv_instance_get_name (owner));
  target->owner = g_object_ref (owner);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, target, (GDestroyNotify) target_free);
  return task;
}

static void
target_remove_marker (Target *target)
{
  g_autofree gchar *marker = hv_kvm_migration_incoming_marker (target->host, target->name);

  if (g_unlink (marker) != 0 && errno != ENOENT)
    g_warning ("Cannot remove '%s': %s", marker, g_strerror (errno));
}

/* How long finalize_migration_dst waits for the incoming migration to
 * end, once the source said it completed (RESUME comes 3–18 ms after the
 * source's `completed`, qemu-facts.md §4). */
#define TARGET_END_TIMEOUT_MS 60000

/* The target's own view of the incoming migration, from its MIGRATION
 * events, kept on the instance from accept to finalize. */
typedef struct {
  HvKvmQmpClient   *qmp;
  gulong            event_id;
  HvMigrationState  state;
  GTask            *waiting;     /* a finalize waiting for the end */
  GSource          *timeout;
} TargetWatch;

static void target_watch_ended (TargetWatch *watch);

static void
target_watch_free (TargetWatch *watch)
{
  g_clear_signal_handler (&watch->event_id, watch->qmp);
  g_clear_object (&watch->qmp);
  hv_kvm_migration_clear_source (&watch->timeout);
  g_warn_if_fail (watch->waiting == NULL);
  g_free (watch);
}

static gboolean
target_watch_is_over (TargetWatch *watch)
{
  return watch->state == HV_MIGRATION_STATE_COMPLETED ||
         watch->state == HV_MIGRATION_STATE_FAILED ||
         watch->state == HV_MIGRATION_STATE_CANCELLED;
}

static void
target_event_cb (HvKvmQmpClient *qmp,
                 const gchar    *event,
                 JsonObject     *data,
                 gint64          timestamp,
                 gpointer        user_data)
{
  TargetWatch *watch = user_data;
  HvMigrationState state;

  if (!g_str_equal (event, "MIGRATION") ||
      !hv_kvm_migration_state_from_qemu (json_object_get_string_member_with_default (data,
                                                                                   "status", ""),
                                         &state))
    return;
  watch->state = state;
  if (target_watch_is_over (watch))
    target_watch_ended (watch);
}

static void
target_watch (HvKvmInstance *instance)
{
  TargetWatch *watch = g_new0 (TargetWatch, 1);

  watch->qmp = g_object_ref (hv_kvm_instance_get_qmp (instance));
  watch->state = HV_MIGRATION_STATE_NONE;
  watch->event_id = g_signal_connect (watch->qmp, "event", G_CALLBACK (target_event_cb), watch);
  hv_kvm_instance_set_migration_state (instance, HV_KVM_MIGRATION_SIDE_TARGET, watch, (GDestroyNotify) target_watch_free);
}

static void
pick_up_query_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HvKvmInstance) instance = user_data;
  TargetWatch *watch = hv_kvm_instance_get_migration_state (instance, HV_KVM_MIGRATION_SIDE_TARGET);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  HvMigrationState state;

  reply = hv_kvm_qmp_query_migrate_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  if (reply == NULL || watch == NULL || target_watch_is_over (watch))
    return;
  /* what happened before the watch was there */
  if (hv_kvm_migration_state_from_qemu (json_object_get_string_member_with_default (reply,
                                                                                  "status",
                                                                                  "none"),
                                        &state) &&
      (state == HV_MIGRATION_STATE_COMPLETED || state == HV_MIGRATION_STATE_FAILED ||
       state == HV_MIGRATION_STATE_CANCELLED))
    {
      watch->state = state;
      target_watch_ended (watch);
    }
}

void
hv_kvm_migration_target_pick_up (HvKvmHost     *host,
                                 HvKvmInstance *instance)
{
  g_autoptr(GCancellable) mark = g_cancellable_new ();
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);

  hv_kvm_instance_set_migration (instance, mark);
  if (qmp == NULL || hv_kvm_instance_get_migration_state (instance, HV_KVM_MIGRATION_SIDE_TARGET) != NULL)
    return;
  g_debug ("%s: picking up the incoming migration", hv_kvm_instance_get_name (instance));
  /* the events first, then what QEMU says: nothing falls in between */
  target_watch (instance);
  hv_kvm_qmp_query_migrate_async (qmp, NULL, pick_up_query_cb, g_object_ref (instance));
}

/* -- AcceptInstance --------------------------------------------------------- */

static void
accept_undone_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Target *target = g_task_get_task_data (task);
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  g_autoptr(GError) error = NULL;

  if (!hv_kvm_teardown_finish (instance, result, &error))
    g_warning ("Undoing the migration target of %s: %s", target->name, error->message);
  hv_kvm_instance_set_migration_state (instance, HV_KVM_MIGRATION_SIDE_TARGET, NULL, NULL);
  hv_kvm_instance_set_qmp (instance, NULL);
  hv_kvm_instance_set_runtime (instance, NULL);
  hv_kvm_instance_set_migration (instance, NULL);
  hv_kvm_instance_end_operation (instance);
  hv_kvm_host_forget_instance (target->host, instance);
  target_remove_marker (target);
  g_task_return_error (task, g_steal_pointer (&target->error));
}

/* QEMU runs: kill it and undo the rest, then report @error. */
static void
accept_fail (GTask         *task,
             HvKvmInstance *instance,
             GError        *error)
{
  Target *target = g_task_get_task_data (task);

  g_debug ("accepting %s failed: %s", target->name, error->message);
  target->error = error;
  hv_kvm_teardown_async (instance, G_MAXUINT, NULL, accept_undone_cb, task);
}

static void
accept_incoming_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Target *target = g_task_get_task_data (task);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (target->host, target->name);
  GError *error = NULL;

  if (!hv_kvm_qmp_migrate_incoming_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      g_prefix_error (&error, _("Cannot make instance %s's target listen: "), target->name);
      accept_fail (g_steal_pointer (&task), instance, error);
      return;
    }
  hv_kvm_instance_end_operation (instance);
  g_task_return_boolean (task, TRUE);
}

static gchar *
target_uri (const gchar *address,
            gint64       port)
{
  /* an IPv6 address goes in brackets */
  if (strchr (address, ':') != NULL && address[0] != '[')
    return g_strdup_printf ("tcp:[%s]:%" G_GINT64_FORMAT, address, port);
  return g_strdup_printf ("tcp:%s:%" G_GINT64_FORMAT, address, port);
}

static void
accept_caps_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Target *target = g_task_get_task_data (task);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (target->host, target->name);
  g_autofree gchar *uri = NULL;
  GError *error = NULL;

  if (!hv_kvm_qmp_migrate_set_capabilities_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      accept_fail (task, instance, error);
      return;
    }
  uri = target_uri (target->target, target->params.port);
  g_debug ("%s: migrate-incoming %s", target->name, uri);
  hv_kvm_qmp_migrate_incoming_async (HV_KVM_QMP_CLIENT (source), uri,
                                     g_task_get_cancellable (task), accept_incoming_cb, task);
}

static void
accept_launched_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Target *target = g_task_get_task_data (task);
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  g_auto(GStrv) caps = NULL;
  GError *error = NULL;

  if (!hv_kvm_launch_finish (instance, result, &error))
    {
      /* the launch undid itself */
      hv_kvm_instance_set_migration (instance, NULL);
      hv_kvm_instance_end_operation (instance);
      hv_kvm_host_forget_instance (target->host, instance);
      target_remove_marker (target);
      g_prefix_error (&error, _("Cannot start the migration target of %s: "), target->name);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  target_watch (instance);
  caps = hv_kvm_migration_params_caps_to_set (&target->params);
  hv_kvm_qmp_migrate_set_capabilities_async (hv_kvm_instance_get_qmp (instance),
                                             (const gchar * const *) caps, TRUE,
                                             g_task_get_cancellable (task), accept_caps_cb,
                                             task);
}

static void
accept_job (HvKvmInstance *instance,
            GTask         *task)
{
  Target *target = g_task_get_task_data (task);
  g_autofree gchar *marker = NULL;
  GError *error = NULL;

  if (hv_kvm_instance_is_alive (instance) || hv_kvm_instance_get_runtime (instance) != NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_ALREADY_RUNNING,
                               _("Cannot accept instance %s: it is known on this node "
                                 "already"), target->name);
      return;
    }
  if (!hv_kvm_host_remember_instance (target->host, instance))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_ALREADY_RUNNING,
                               _("Instance %s is being started already"), target->name);
      return;
    }
  marker = hv_kvm_migration_incoming_marker (target->host, target->name);
  if (!g_file_set_contents (marker, "", 0, &error))
    {
      hv_kvm_host_forget_instance (target->host, instance);
      g_task_return_error (task, error);
      return;
    }
  hv_kvm_instance_begin_operation (instance);
  target->marker = g_cancellable_new ();
  hv_kvm_instance_set_migration (instance, target->marker);
  hv_kvm_launch_incoming_async (target->host, instance, target->owner,
                                g_steal_pointer (&target->runtime), "defer",
                                g_task_get_cancellable (task), accept_launched_cb,
                                g_object_ref (task));
}

/* The record's command line names the source's run dir (pidfile,
 * monitors, serial, chroot…): where the source's -pidfile is, every
 * path under it moves to this host's run dir. Ganeti's nodes share one
 * run dir path; hvkit's run-dir is configured per host. */
static void
target_relocate (HvKvmRuntime *runtime,
                 const gchar  *run_dir)
{
  g_autofree gchar *pid_file = g_strconcat ("/", runtime->name, ".pid", NULL);
  g_autofree gchar *from = NULL;
  g_autofree gchar *to = g_strconcat (run_dir, "/", NULL);

  for (guint i = 0; runtime->argv[i] != NULL && runtime->argv[i + 1] != NULL; i++)
    if (g_str_equal (runtime->argv[i], "-pidfile") &&
        g_str_has_suffix (runtime->argv[i + 1], pid_file))
      from = g_strndup (runtime->argv[i + 1],
                        strlen (runtime->argv[i + 1]) - strlen (pid_file) + 1);
  if (from == NULL || g_str_equal (from, to))
    return;
  for (guint i = 0; runtime->argv[i] != NULL; i++)
    if (strstr (runtime->argv[i], from) != NULL)
      {
        g_autoptr(GString) moved = g_string_new (runtime->argv[i]);

        g_string_replace (moved, from, to, 0);
        g_free (runtime->argv[i]);
        runtime->argv[i] = g_string_free (g_steal_pointer (&moved), FALSE);
      }
}

/* Nothing has started yet: the capabilities are checked against the
 * target QEMU's own list. */
static void
accept_capabilities_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Target *target = g_task_get_task_data (task);
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  HvKvmInstance *instance;
  GError *error = NULL;

  capabilities = hv_kvm_capabilities_cache_lookup_finish (HV_KVM_CAPABILITIES_CACHE (source),
                                                          result, &error);
  if (capabilities == NULL ||
      !hv_kvm_migration_check_caps (&target->params, capabilities, target->name, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (target->runtime->machine != NULL && *target->runtime->machine != '\0')
    g_debug ("%s: target QEMU %s for machine %s", target->name,
             hv_kvm_capabilities_get_version_string (capabilities), target->runtime->machine);

  instance = hv_kvm_host_lookup_instance (target->host, target->name);
  if (instance == NULL)
    instance = hv_kvm_host_add_instance (target->host, target->name);
  hv_kvm_instance_queue_job (instance, task, accept_job);
}

void
hv_kvm_accept_async (HvKvmHost           *host,
                     HvInstance          *owner,
                     GBytes              *info,
                     const gchar         *address,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = target_task_new (host, owner, hv_kvm_accept_async, cancellable, callback,
                                 user_data);
  Target *target = g_task_get_task_data (task);
  const gchar *qemu = NULL;
  GError *error = NULL;

  target->info = g_bytes_ref (info);
  target->target = g_strdup (address);
  /* the record first: a damaged one, or another instance's, is refused
   * before anything is looked at */
  target->runtime = hv_kvm_runtime_new_from_migration_info (hv_kvm_host_get_store (host), info,
                                                            target->name, &error);
  if (target->runtime == NULL)
    {
      g_prefix_error (&error, _("Cannot accept instance %s: "), target->name);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  target_relocate (target->runtime, hv_kvm_host_get_run_dir (host));
  hv_kvm_migration_params_init (&target->params, owner, target->runtime);
  if (target->runtime->hvparams == NULL ||
      !g_variant_lookup (target->runtime->hvparams, "kvm_path", "&s", &qemu) || *qemu == '\0')
    qemu = HV_KVM_DEFAULT_QEMU;
  hv_kvm_capabilities_cache_lookup_async (hv_kvm_host_get_capabilities_cache (host), qemu,
                                          cancellable, accept_capabilities_cb, task);
}

gboolean
hv_kvm_accept_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_accept_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- FinalizeMigrationDst --------------------------------------------------- */

static void
finalize_dst_torn_down_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Target *target = g_task_get_task_data (task);
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  GError *error = NULL;
  gboolean ok;

  ok = hv_kvm_teardown_finish (instance, result, &error);
  hv_kvm_instance_set_migration_state (instance, HV_KVM_MIGRATION_SIDE_TARGET, NULL, NULL);
  hv_kvm_instance_set_qmp (instance, NULL);
  hv_kvm_instance_set_runtime (instance, NULL);
  hv_kvm_instance_set_migration (instance, NULL);
  hv_kvm_host_forget_instance (target->host, instance);
  target_remove_marker (target);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
finalize_dst_caps_cleared_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* the guest runs here now: a capability left set only matters to a
   * next migration, which sets its own */
  if (!hv_kvm_qmp_migrate_set_capabilities_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    g_warning ("Clearing the migration capabilities: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
finalize_dst_succeeded (GTask         *task,
                        HvKvmInstance *instance)
{
  Target *target = g_task_get_task_data (task);
  HvKvmMigrationParams params = { 0 };
  g_auto(GStrv) caps = NULL;
  GError *error = NULL;

  if (!hv_kvm_instance_save_runtime (instance, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  target_remove_marker (target);
  hv_kvm_instance_set_migration_state (instance, HV_KVM_MIGRATION_SIDE_TARGET, NULL, NULL);
  hv_kvm_instance_set_migration (instance, NULL);
  hv_kvm_instance_set_state (instance, HV_INSTANCE_STATE_RUNNING);
  hv_kvm_migration_params_init (&params, target->owner, hv_kvm_instance_get_runtime (instance));
  caps = hv_kvm_migration_params_caps_to_set (&params);
  hv_kvm_migration_params_clear (&params);
  hv_kvm_qmp_migrate_set_capabilities_async (hv_kvm_instance_get_qmp (instance),
                                             (const gchar * const *) caps, FALSE, NULL,
                                             finalize_dst_caps_cleared_cb, task);
}

static void finalize_dst_next_ifup (GTask *task, HvKvmInstance *instance);

static void
finalize_dst_ifup_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  Target *target = g_task_get_task_data (task);
  GError *error = NULL;

  if (!hv_nic_script_ifup_finish (HV_NIC_SCRIPT (source), result, &error))
    {
      g_prefix_error (&error, _("The guest of %s runs here, but a NIC's ifup failed: "),
                      target->name);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  finalize_dst_next_ifup (task, hv_kvm_host_lookup_instance (target->host, target->name));
}

/* ifup for the NICs accept left down: those not on a bridge or switch */
static void
finalize_dst_next_ifup (GTask         *task,
                        HvKvmInstance *instance)
{
  Target *target = g_task_get_task_data (task);
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  HvNicScript *ifup = hv_kvm_instance_get_ifup_script (instance);

  while (ifup != NULL && target->next_nic < runtime->nics->len)
    {
      guint seq = target->next_nic++;
      HvKvmRuntimeDevice *device = g_ptr_array_index (runtime->nics, seq);
      const gchar *mode = hv_kvm_runtime_device_get_string (device, "mode");
      const gchar *tap = hv_kvm_runtime_device_get_string (device, "tap");
      g_autoptr(HvDevice) nic = NULL;
      GError *error = NULL;

      if (mode != NULL && (g_str_equal (mode, "bridged") || g_str_equal (mode, "openvswitch")))
        continue;
      nic = hv_kvm_runtime_device_to_device (device, &error);
      if (nic == NULL)
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      hv_nic_script_ifup_async (ifup, target->owner, HV_NIC (nic), seq, tap,
                                g_task_get_cancellable (task), finalize_dst_ifup_cb, task);
      return;
    }
  finalize_dst_succeeded (task, instance);
}

static void
finalize_dst_cont_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  Target *target = g_task_get_task_data (task);
  GError *error = NULL;

  if (!hv_kvm_qmp_cont_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      g_prefix_error (&error, _("Cannot resume instance %s on this node: "), target->name);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  finalize_dst_next_ifup (task, hv_kvm_host_lookup_instance (target->host, target->name));
}

/* QEMU runs the guest once the migration is in when it ran on the
 * source; after a non-live migration it waits paused, and the guest is
 * to run here now (Ganeti's non-live migration is a pause, not a stop). */
static void
finalize_dst_status_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  Target *target = g_task_get_task_data (task);
  g_autofree gchar *status = NULL;
  GError *error = NULL;

  status = hv_kvm_qmp_query_status_finish (HV_KVM_QMP_CLIENT (source), result, NULL, &error);
  if (status == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (g_str_equal (status, "inmigrate"))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_MIGRATION,
                               _("The migration of %s to this node has not completed"),
                               target->name);
      g_object_unref (task);
      return;
    }
  if (g_str_equal (status, "paused"))
    {
      hv_kvm_qmp_cont_async (HV_KVM_QMP_CLIENT (source), NULL, finalize_dst_cont_cb, task);
      return;
    }
  finalize_dst_next_ifup (task, hv_kvm_host_lookup_instance (target->host, target->name));
}

/* The incoming migration is over (or never was watched): its outcome,
 * then what QEMU's own state says. */
static void
finalize_dst_check (GTask         *task,
                    HvKvmInstance *instance)
{
  Target *target = g_task_get_task_data (task);
  TargetWatch *watch = hv_kvm_instance_get_migration_state (instance, HV_KVM_MIGRATION_SIDE_TARGET);

  if (watch != NULL && watch->state != HV_MIGRATION_STATE_COMPLETED &&
      target_watch_is_over (watch))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_MIGRATION,
                               _("The migration of %s to this node did not complete: QEMU "
                                 "reports it %s"), target->name,
                               watch->state == HV_MIGRATION_STATE_FAILED ? "failed"
                                                                         : "cancelled");
      g_object_unref (task);
      return;
    }
  hv_kvm_qmp_query_status_async (hv_kvm_instance_get_qmp (instance), NULL,
                                 finalize_dst_status_cb, task);
}

static void
target_watch_ended (TargetWatch *watch)
{
  GTask *task = g_steal_pointer (&watch->waiting);
  Target *target;

  hv_kvm_migration_clear_source (&watch->timeout);
  if (task == NULL)
    return;
  target = g_task_get_task_data (task);
  finalize_dst_check (task, hv_kvm_host_lookup_instance (target->host, target->name));
}

static gboolean
target_watch_timeout_cb (gpointer user_data)
{
  TargetWatch *watch = user_data;
  GTask *task = g_steal_pointer (&watch->waiting);
  Target *target = g_task_get_task_data (task);

  g_clear_pointer (&watch->timeout, g_source_unref);
  g_task_return_new_error (task, HV_ERROR, HV_ERROR_TIMEOUT,
                           _("The migration of %s to this node did not end within %u s"),
                           target->name, TARGET_END_TIMEOUT_MS / 1000);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
finalize_dst_job (HvKvmInstance *instance,
                  GTask         *task)
{
  Target *target = g_task_get_task_data (task);
  TargetWatch *watch;

  if (!target->success)
    {
      hv_kvm_teardown_async (instance, G_MAXUINT, NULL, finalize_dst_torn_down_cb,
                             g_object_ref (task));
      return;
    }
  if (!hv_kvm_instance_is_alive (instance) || hv_kvm_instance_get_qmp (instance) == NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_MIGRATION,
                               _("The migration target of %s is not running: its QEMU "
                                 "exited"), target->name);
      return;
    }
  /* a restarted HvKvm: follow the end from here */
  if (hv_kvm_instance_get_migration_state (instance, HV_KVM_MIGRATION_SIDE_TARGET) == NULL)
    hv_kvm_migration_target_pick_up (target->host, instance);
  watch = hv_kvm_instance_get_migration_state (instance, HV_KVM_MIGRATION_SIDE_TARGET);
  if (watch != NULL && !target_watch_is_over (watch))
    {
      /* the source has its `completed` before this QEMU has the guest */
      watch->waiting = g_object_ref (task);
      watch->timeout = hv_kvm_migration_timeout_new (TARGET_END_TIMEOUT_MS, target_watch_timeout_cb,
                                                     watch);
      return;
    }
  finalize_dst_check (g_object_ref (task), instance);
}

void
hv_kvm_finalize_dst_async (HvKvmHost           *host,
                           HvInstance          *owner,
                           gboolean             success,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = target_task_new (host, owner, hv_kvm_finalize_dst_async, cancellable, callback,
                                 user_data);
  Target *target = g_task_get_task_data (task);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (host, target->name);
  g_autofree gchar *marker = hv_kvm_migration_incoming_marker (host, target->name);

  target->success = success;
  /* an instance of that name that runs here, not as the target of an
   * accepted migration (NAME.incoming), is no migration's to undo or to
   * finish: tearing it down would stop a running guest */
  if (instance != NULL && !g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_MIGRATION,
                               _("Instance %s runs on this node and is not the target of a "
                                 "migration: nothing to finalize"), target->name);
      g_object_unref (task);
      return;
    }
  if (instance == NULL)
    {
      /* nothing accepted, or already undone: a failure has nothing to do */
      target_remove_marker (target);
      if (success)
        g_task_return_new_error (task, HV_ERROR, HV_ERROR_MIGRATION,
                                 _("Instance %s was not accepted on this node"), target->name);
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  hv_kvm_instance_queue_job (instance, task, finalize_dst_job);
  g_object_unref (task);
}

gboolean
hv_kvm_finalize_dst_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_finalize_dst_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
