/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitctl"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "hvctl.h"

/* hvkitctl migrate: Ganeti's sequence across two hvkitd, the source on
 * hvkitctl's bus and the target on --target-bus: MigrationInfo on the
 * source, AcceptInstance on the target, MigrateInstance (a job, followed
 * with a progress bar on a terminal, plain lines otherwise), then
 * FinalizeMigrationDst and FinalizeMigrationSource with the outcome. */

typedef struct {
  HvctlContext *ctx;
  GMainLoop *loop;
  GError *error;
  gboolean done;
  gint64 started_us;
  gint64 last_transferred;
} HvctlMigration;

static void
hvctl_migration_on_progress (HvHypervisor      *hypervisor,
                             const gchar       *name,
                             HvMigrationStatus *status,
                             gpointer           user_data)
{
  HvctlMigration *migration = user_data;
  gint64 transferred = hv_migration_status_get_transferred (status);
  gint64 total = hv_migration_status_get_total (status);
  gint64 passes = hv_migration_status_get_dirty_sync_count (status);
  gdouble seconds = (g_get_monotonic_time () - migration->started_us) / 1e6;
  gdouble rate = seconds > 0 ? transferred / seconds / (1024 * 1024) : 0;
  g_autoptr(GEnumClass) klass = g_type_class_ref (HV_TYPE_MIGRATION_STATE);
  GEnumValue *state = g_enum_get_value (klass, hv_migration_status_get_state (status));
  const gchar *state_nick = state != NULL ? state->value_nick : "?";

  if (migration->ctx->json)
    return;
  if (migration->ctx->tty)
    {
      gint width = 30;
      gint filled = total > 0 ? (gint) (width * CLAMP ((gdouble) transferred / total, 0, 1)) : 0;
      g_autofree gchar *bar = g_strnfill (filled, '#');
      g_autofree gchar *rest = g_strnfill (width - filled, '-');

      g_print ("\r[%s%s] %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " MiB  %.1f MiB/s  pass %"
               G_GINT64_FORMAT "  %s   ", bar, rest, transferred / (1024 * 1024),
               total / (1024 * 1024), rate, passes, state_nick);
      fflush (stdout);
    }
  else
    g_print (_("%s: %s, %lld of %lld bytes, %.1f MiB/s, pass %lld\n"),
             name, state_nick, (long long) transferred, (long long) total, rate,
             (long long) passes);
  migration->last_transferred = transferred;
}

static void
hvctl_migration_on_done (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  HvctlMigration *migration = user_data;

  hv_hypervisor_migrate_instance_finish (HV_HYPERVISOR (source), result, &migration->error);
  migration->done = TRUE;
  g_main_loop_quit (migration->loop);
}

gboolean
hvctl_migrate (HvctlContext  *ctx,
               HvInstance    *instance,
               const gchar   *target,
               const gchar   *target_bus,
               gboolean       live,
               GError       **error)
{
  g_autoptr(GDBusConnection) target_connection = NULL;
  g_autoptr(HvRemoteHypervisor) destination = NULL;
  g_autoptr(GBytes) info = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  HvctlMigration migration = { ctx, loop, NULL, FALSE, g_get_monotonic_time (), 0 };
  g_autoptr(GError) finalize_error = NULL;
  gboolean success;
  gulong handler;

  target_connection =
    g_dbus_connection_new_for_address_sync (target_bus,
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, error);
  if (target_connection == NULL)
    return FALSE;
  destination = hv_remote_hypervisor_new_sync (target_connection, ctx->hypervisor_name, NULL, error);
  if (destination == NULL)
    return FALSE;
  hv_remote_hypervisor_set_allow_interactive_authorization (destination, ctx->interactive);

  info = hv_hypervisor_migration_info (ctx->hypervisor, instance, error);
  if (info == NULL)
    return FALSE;
  if (!hv_hypervisor_accept_instance_sync (HV_HYPERVISOR (destination), instance, info, target,
                                           NULL, error))
    return FALSE;

  handler = g_signal_connect (ctx->hypervisor, "migration-progress",
                              G_CALLBACK (hvctl_migration_on_progress), &migration);
  hv_hypervisor_migrate_instance_async (ctx->hypervisor, instance, target, live, NULL,
                                        hvctl_migration_on_done, &migration);
  while (!migration.done)
    g_main_loop_run (loop);
  g_signal_handler_disconnect (ctx->hypervisor, handler);
  if (ctx->tty && !ctx->json)
    g_print ("\n");
  success = migration.error == NULL;

  /* both finalizes run whatever the outcome: the target drops or keeps
   * the instance, the source resumes or stops it */
  if (!hv_hypervisor_finalize_migration_dst_sync (HV_HYPERVISOR (destination), instance, info,
                                                  success, NULL, &finalize_error))
    g_printerr (_("hvkitctl: finalizing the migration on the target failed: %s\n"),
                finalize_error->message);
  g_clear_error (&finalize_error);
  if (!hv_hypervisor_finalize_migration_source_sync (ctx->hypervisor, instance, success, live,
                                                     NULL, &finalize_error))
    g_printerr (_("hvkitctl: finalizing the migration on the source failed: %s\n"),
                finalize_error->message);

  if (!success)
    {
      g_propagate_error (error, migration.error);
      return FALSE;
    }
  if (finalize_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&finalize_error));
      return FALSE;
    }
  return TRUE;
}
