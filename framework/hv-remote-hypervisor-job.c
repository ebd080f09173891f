/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvRemoteHypervisor"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-error.h"
#include "hv-remote-hypervisor-private.h"

/* migrate_instance of HvRemoteHypervisor: MigrateInstance answers at once
 * with an org.hvkit.Job1 object; the call completes when the job's
 * Finished signal arrives. The subscription is made before the call, so a
 * job that finishes at once is not missed; a hvkitd that leaves the bus
 * ends the call with HV_ERROR_MIGRATION. Cancelling the call cancels the
 * job, and the call completes with the job's outcome (G_IO_ERROR_CANCELLED
 * when the migration did stop). */

typedef struct {
  guint id;                     /* in hv_remote_migrations until complete */
  GDBusConnection *connection;
  const gchar *bus_name;        /* static or NULL */
  gchar *job_path;
  GPtrArray *early;             /* each "(o(sss))" */
  guint finished_id;
  guint watch_id;
  GCancellable *cancellable;
  gulong cancelled_id;
  gboolean done;
} HvRemoteMigrate;

/* The signal subscription and the name watch find their task by a number,
 * in a table that holds it until it completes: GDBus runs their destroy
 * notifies in the context they were made in, which a blocking caller drops
 * once the call is over, so nothing they would free or release can be
 * theirs; and a callback still queued after the task is gone finds no
 * task rather than freed memory. */
static GMutex hv_remote_migrations_lock;
static GHashTable *hv_remote_migrations;       /* id → GTask */
static guint hv_remote_migrations_last;

static guint
hv_remote_migrations_add (GTask *task)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&hv_remote_migrations_lock);

  if (hv_remote_migrations == NULL)
    hv_remote_migrations = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  /* 0 is never an id */
  if (++hv_remote_migrations_last == 0)
    ++hv_remote_migrations_last;
  g_hash_table_insert (hv_remote_migrations, GUINT_TO_POINTER (hv_remote_migrations_last),
                       g_object_ref (task));
  return hv_remote_migrations_last;
}

static GTask *
hv_remote_migrations_lookup (gpointer id)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&hv_remote_migrations_lock);
  GTask *task = hv_remote_migrations != NULL ? g_hash_table_lookup (hv_remote_migrations, id) : NULL;

  return task != NULL ? g_object_ref (task) : NULL;
}

static void
hv_remote_migrations_remove (guint id)
{
  gpointer task = NULL;

  g_mutex_lock (&hv_remote_migrations_lock);
  if (hv_remote_migrations != NULL)
    g_hash_table_steal_extended (hv_remote_migrations, GUINT_TO_POINTER (id), NULL, &task);
  g_mutex_unlock (&hv_remote_migrations_lock);
  /* outside the lock: the last reference may finish the task */
  g_clear_object (&task);
}

static void
hv_remote_migrate_free (gpointer data)
{
  HvRemoteMigrate *migrate = data;

  g_clear_object (&migrate->cancellable);
  g_clear_object (&migrate->connection);
  g_clear_pointer (&migrate->early, g_ptr_array_unref);
  g_free (migrate->job_path);
  g_free (migrate);
}

/* the subscriptions hold the task: dropped once it is complete */
static void
hv_remote_migrate_stop (HvRemoteMigrate *migrate)
{
  migrate->done = TRUE;
  if (migrate->finished_id != 0)
    g_dbus_connection_signal_unsubscribe (migrate->connection, migrate->finished_id);
  migrate->finished_id = 0;
  if (migrate->watch_id != 0)
    g_bus_unwatch_name (migrate->watch_id);
  migrate->watch_id = 0;
  if (migrate->cancelled_id != 0)
    g_cancellable_disconnect (migrate->cancellable, migrate->cancelled_id);
  migrate->cancelled_id = 0;
  if (migrate->id != 0)
    hv_remote_migrations_remove (migrate->id);
  migrate->id = 0;
}

static void
hv_remote_migrate_call_job (HvRemoteMigrate *migrate,
                            const gchar     *method)
{
  /* nobody waits for the answer: a job gone already needs nothing more */
  g_dbus_connection_call (migrate->connection, migrate->bus_name, migrate->job_path,
                          HV_REMOTE_JOB_INTERFACE, method, NULL, NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

/* completes TASK with a job's outcome; unsubscribing drops the
 * subscription's reference to the task (the last but the caller's) */
static void
hv_remote_migrate_complete (GTask    *task,
                            GVariant *outcome)
{
  HvRemoteMigrate *migrate = g_task_get_task_data (task);
  const gchar *state, *error_name, *message;

  if (migrate->done)
    return;
  hv_remote_migrate_stop (migrate);
  g_variant_get (outcome, "(&s&s&s)", &state, &error_name, &message);
  hv_remote_migrate_call_job (migrate, "Release");

  if (g_str_equal (state, "succeeded"))
    g_task_return_boolean (task, TRUE);
  else if (g_str_equal (state, "cancelled"))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The migration was cancelled"));
  else
    {
      g_autoptr(GError) error = NULL;

      if (*error_name != '\0')
        {
          error = g_dbus_error_new_for_dbus_error (error_name, message);
          hv_remote_hypervisor_map_error (&error);
        }
      else
        error = g_error_new (HV_ERROR, HV_ERROR_MIGRATION, _("The migration ended in state '%s'"),
                             state);
      g_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
hv_remote_migrate_on_finished (GDBusConnection *connection,
                               const gchar     *sender_name,
                               const gchar     *object_path,
                               const gchar     *interface_name,
                               const gchar     *signal_name,
                               GVariant        *parameters,
                               gpointer         user_data)
{
  g_autoptr(GTask) task = hv_remote_migrations_lookup (user_data);
  HvRemoteMigrate *migrate;

  if (task == NULL)
    return;
  migrate = g_task_get_task_data (task);
  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
    return;
  if (migrate->job_path == NULL)
    g_ptr_array_add (migrate->early, g_variant_ref_sink (g_variant_new ("(o@(sss))", object_path,
                                                                        parameters)));
  else if (g_str_equal (object_path, migrate->job_path))
    hv_remote_migrate_complete (task, parameters);
}

static void
hv_remote_migrate_on_vanished (GDBusConnection *connection,
                               const gchar     *name,
                               gpointer         user_data)
{
  g_autoptr(GTask) task = hv_remote_migrations_lookup (user_data);
  HvRemoteMigrate *migrate;

  if (task == NULL)
    return;
  migrate = g_task_get_task_data (task);
  if (migrate->job_path == NULL || migrate->done)
    return;
  hv_remote_migrate_stop (migrate);
  g_task_return_new_error (task, HV_ERROR, HV_ERROR_MIGRATION,
                           _("hvkitd left the bus before migration job %s finished"),
                           migrate->job_path);
}

static void
hv_remote_migrate_on_cancelled (GCancellable *cancellable,
                                gpointer      user_data)
{
  HvRemoteMigrate *migrate = user_data;

  if (migrate->job_path != NULL && !migrate->done)
    hv_remote_migrate_call_job (migrate, "Cancel");
}

static void
hv_remote_migrate_on_reply (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvRemoteMigrate *migrate = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      hv_remote_hypervisor_map_error (&error);
      hv_remote_migrate_stop (migrate);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_variant_get (reply, "(o)", &migrate->job_path);

  for (guint i = 0; i < migrate->early->len; i++)
    {
      const gchar *path;
      g_autoptr(GVariant) outcome = NULL;

      g_variant_get (g_ptr_array_index (migrate->early, i), "(&o@(sss))", &path, &outcome);
      if (g_str_equal (path, migrate->job_path))
        {
          hv_remote_migrate_complete (task, outcome);
          return;
        }
    }
  if (migrate->bus_name != NULL)
    migrate->watch_id =
      g_bus_watch_name_on_connection (migrate->connection, migrate->bus_name,
                                      G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                      hv_remote_migrate_on_vanished,
                                      GUINT_TO_POINTER (migrate->id), NULL);
  if (migrate->cancellable != NULL)
    migrate->cancelled_id = g_cancellable_connect (migrate->cancellable,
                                                   G_CALLBACK (hv_remote_migrate_on_cancelled),
                                                   migrate, NULL);
}

static void
hv_remote_migrate_instance_async (HvHypervisor        *hypervisor,
                                  HvInstance          *instance,
                                  const gchar         *target,
                                  gboolean             live,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  HvRemoteHypervisor *self = HV_REMOTE_HYPERVISOR (hypervisor);
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  HvRemoteMigrate *migrate = g_new0 (HvRemoteMigrate, 1);

  g_task_set_source_tag (task, hv_remote_migrate_instance_async);
  g_task_set_task_data (task, migrate, hv_remote_migrate_free);
  migrate->connection = g_object_ref (hv_remote_hypervisor_get_connection (self));
  migrate->bus_name = hv_remote_hypervisor_get_bus_name (self);
  migrate->early = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  migrate->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  migrate->id = hv_remote_migrations_add (task);
  migrate->finished_id =
    g_dbus_connection_signal_subscribe (migrate->connection, migrate->bus_name,
                                        HV_REMOTE_JOB_INTERFACE, "Finished", NULL, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, hv_remote_migrate_on_finished,
                                        GUINT_TO_POINTER (migrate->id), NULL);

  /* not cancellable itself: the job must exist to be cancelled */
  g_dbus_connection_call (migrate->connection, migrate->bus_name,
                          hv_remote_hypervisor_get_object_path (self),
                          HV_REMOTE_HYPERVISOR_INTERFACE, "MigrateInstance",
                          g_variant_new ("(@a{sv}sb)",
                                         hv_remote_hypervisor_floating (hv_instance_to_variant (instance)),
                                         target, live),
                          G_VARIANT_TYPE ("(o)"), hv_remote_hypervisor_get_call_flags (self),
                          G_MAXINT, NULL,
                          hv_remote_migrate_on_reply, g_object_ref (task));
}

static gboolean
hv_remote_migrate_instance_finish (HvHypervisor  *hypervisor,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, hypervisor), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
hv_remote_hypervisor_init_migrate (HvHypervisorInterface *iface)
{
  iface->migrate_instance_async = hv_remote_migrate_instance_async;
  iface->migrate_instance_finish = hv_remote_migrate_instance_finish;
}
