/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitd"

#include "config.h"

#include <glib/gi18n.h>

#include "hvd-call.h"
#include "hvd-interfaces.h"
#include "hvd-job.h"

/* An org.hvkit.Job1 object: a migration that answered its caller at once
 * and runs on. It is exported when made and leaves the bus (the "closed"
 * signal, upon which its owner drops it) once it finished and its caller
 * released it or left the bus, whichever comes first. */

struct _HvdJob {
  GObject parent_instance;

  HvHypervisor *hypervisor;
  GDBusConnection *connection;
  gchar *object_path;
  gchar *owner;
  gchar *instance_name;
  guint registration_id;
  guint owner_watch_id;
  gulong progress_handler;
  GCancellable *cancellable;

  const gchar *state;           /* static: running, succeeded, failed, cancelled */
  gdouble progress;
  GVariant *status;
  gboolean finished;
  gboolean owner_gone;
  gboolean closed;
};

G_DEFINE_TYPE (HvdJob, hvd_job, G_TYPE_OBJECT)

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];



static void
hvd_job_close (HvdJob *self)
{
  if (self->closed)
    return;
  self->closed = TRUE;
  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  if (self->owner_watch_id != 0)
    g_bus_unwatch_name (self->owner_watch_id);
  self->owner_watch_id = 0;
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
hvd_job_dispose (GObject *object)
{
  HvdJob *self = HVD_JOB (object);

  if (self->progress_handler != 0)
    g_clear_signal_handler (&self->progress_handler, self->hypervisor);
  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  if (self->owner_watch_id != 0)
    g_bus_unwatch_name (self->owner_watch_id);
  self->owner_watch_id = 0;
  g_clear_object (&self->hypervisor);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (hvd_job_parent_class)->dispose (object);
}

static void
hvd_job_finalize (GObject *object)
{
  HvdJob *self = HVD_JOB (object);

  g_free (self->object_path);
  g_free (self->owner);
  g_free (self->instance_name);
  g_clear_pointer (&self->status, g_variant_unref);
  G_OBJECT_CLASS (hvd_job_parent_class)->finalize (object);
}

static void
hvd_job_class_init (HvdJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hvd_job_dispose;
  object_class->finalize = hvd_job_finalize;

  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hvd_job_init (HvdJob *self)
{
  self->state = "running";
  self->cancellable = g_cancellable_new ();
  self->status = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
}

static void
hvd_job_notify_properties (HvdJob *self)
{
  g_autoptr(GVariantBuilder) changed = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);

  if (self->registration_id == 0)
    return;
  g_variant_builder_add (changed, "{sv}", "State", g_variant_new_string (self->state));
  g_variant_builder_add (changed, "{sv}", "Progress", g_variant_new_double (self->progress));
  g_variant_builder_add (changed, "{sv}", "Status", self->status);
  g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                 "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                 g_variant_new ("(sa{sv}as)", "org.hvkit.Job1", changed, NULL),
                                 NULL);
}

static void
hvd_job_on_progress (HvHypervisor      *hypervisor,
                     const gchar       *name,
                     HvMigrationStatus *status,
                     gpointer           user_data)
{
  HvdJob *self = user_data;
  gint64 total;

  if (self->finished || g_strcmp0 (name, self->instance_name) != 0)
    return;
  g_clear_pointer (&self->status, g_variant_unref);
  self->status = hv_migration_status_to_variant (status);
  total = hv_migration_status_get_total (status);
  if (total > 0)
    self->progress = CLAMP ((gdouble) hv_migration_status_get_transferred (status) / total, 0.0, 1.0);
  hvd_job_notify_properties (self);
}

static void
hvd_job_on_migrated (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(HvdJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *error_name = NULL;

  if (hv_hypervisor_migrate_instance_finish (HV_HYPERVISOR (source), result, &error))
    {
      self->state = "succeeded";
      self->progress = 1.0;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->state = "cancelled";
  else
    self->state = "failed";
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    error_name = hvd_error_get_dbus_name (error);
  self->finished = TRUE;
  g_clear_signal_handler (&self->progress_handler, self->hypervisor);

  g_debug ("job %s: migration of %s %s", self->object_path, self->instance_name, self->state);
  hvd_job_notify_properties (self);
  if (self->registration_id != 0)
    g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                   "org.hvkit.Job1", "Finished",
                                   g_variant_new ("(sss)", self->state,
                                                  error_name != NULL ? error_name : "",
                                                  error_name != NULL ? error->message : ""),
                                   NULL);
  if (self->owner_gone)
    hvd_job_close (self);
}

static void
hvd_job_on_owner_vanished (GDBusConnection *connection,
                           const gchar     *name,
                           gpointer         user_data)
{
  HvdJob *self = user_data;

  /* the caller went away: the migration goes on (cancelling it half-way
   * would leave two half instances), the job only until it is over */
  self->owner_gone = TRUE;
  if (self->finished)
    hvd_job_close (self);
}

static void
hvd_job_method_call (GDBusConnection       *connection,
                     const gchar           *sender,
                     const gchar           *object_path,
                     const gchar           *interface_name,
                     const gchar           *method_name,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation,
                     gpointer               user_data)
{
  g_autoptr(HvdJob) self = g_object_ref (user_data);

  if (g_strcmp0 (sender, self->owner) != 0)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                             _("Only the caller that started job %s may %s it"),
                                             self->object_path, method_name);
      return;
    }
  if (g_strcmp0 (method_name, "Cancel") == 0)
    {
      g_cancellable_cancel (self->cancellable);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_strcmp0 (method_name, "Release") == 0)
    {
      if (!self->finished)
        {
          g_dbus_method_invocation_return_error (invocation, HV_ERROR, HV_ERROR_FAILED,
                                                 _("Job %s is still running"), self->object_path);
          return;
        }
      g_dbus_method_invocation_return_value (invocation, NULL);
      hvd_job_close (self);
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           _("No such method '%s'"), method_name);
}

static GVariant *
hvd_job_get_property (GDBusConnection  *connection,
                      const gchar      *sender,
                      const gchar      *object_path,
                      const gchar      *interface_name,
                      const gchar      *property_name,
                      GError          **error,
                      gpointer          user_data)
{
  HvdJob *self = user_data;

  if (g_strcmp0 (property_name, "Operation") == 0)
    return g_variant_new_string ("migrate");
  if (g_strcmp0 (property_name, "Instance") == 0)
    return g_variant_new_string (self->instance_name);
  if (g_strcmp0 (property_name, "State") == 0)
    return g_variant_new_string (self->state);
  if (g_strcmp0 (property_name, "Progress") == 0)
    return g_variant_new_double (self->progress);
  if (g_strcmp0 (property_name, "Status") == 0)
    return g_variant_ref (self->status);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
               _("No such property '%s'"), property_name);
  return NULL;
}

static const GDBusInterfaceVTable hvd_job_vtable = {
  .method_call = hvd_job_method_call,
  .get_property = hvd_job_get_property,
};

HvdJob *
hvd_job_new_migration (HvHypervisor     *hypervisor,
                       GDBusConnection  *connection,
                       const gchar      *object_path,
                       const gchar      *owner,
                       HvInstance       *instance,
                       const gchar      *target,
                       gboolean          live,
                       GError          **error)
{
  g_autoptr(HvdJob) self = g_object_new (HVD_TYPE_JOB, NULL);

  self->hypervisor = g_object_ref (hypervisor);
  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  self->owner = g_strdup (owner);
  self->instance_name = g_strdup (hv_instance_get_name (instance));

  self->registration_id =
    g_dbus_connection_register_object (connection, object_path, hvd_job_interface_info (),
                                       &hvd_job_vtable, self, NULL, error);
  if (self->registration_id == 0)
    return NULL;
  if (owner != NULL)
    self->owner_watch_id =
      g_bus_watch_name_on_connection (connection, owner, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                      NULL, hvd_job_on_owner_vanished, self, NULL);
  self->progress_handler = g_signal_connect (hypervisor, "migration-progress",
                                             G_CALLBACK (hvd_job_on_progress), self);
  hv_hypervisor_migrate_instance_async (hypervisor, instance, target, live, self->cancellable,
                                        hvd_job_on_migrated, g_object_ref (self));
  return g_steal_pointer (&self);
}

const gchar *
hvd_job_get_object_path (HvdJob *self)
{
  g_return_val_if_fail (HVD_IS_JOB (self), NULL);
  return self->object_path;
}
