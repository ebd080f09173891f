/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitd"

#include "config.h"

#include <glib/gi18n.h>

#include "hvd-args.h"
#include "hvd-call.h"
#include "hvd-hypervisor-object.h"
#include "hvd-interfaces.h"
#include "hvd-job.h"

/* One HvHypervisor on the bus as org.hvkit.Hypervisor1
 * (data/org.hvkit.Hypervisor1.xml). Every method call goes through the same
 * three steps: its arguments become objects (a failure is InvalidArgs), the
 * caller is authorized for the method's polkit action with the instance's
 * name and uuid as details, and the hypervisor's method runs; the reply is
 * sent from its callback. Nothing blocks the main context but the
 * interface's synchronous methods, which read files. A caller that leaves
 * the bus does not cancel its operation: an operation half done by
 * cancellation is worse than one finished for nobody. */

struct _HvdHypervisorObject {
  GObject parent_instance;

  HvHypervisor *hypervisor;
  HvdAuthority *authority;
  GDBusConnection *connection;
  gchar *object_path;
  guint registration_id;
  gulong signal_handlers[3];
  GHashTable *jobs;             /* object path → HvdJob */
};

G_DEFINE_TYPE (HvdHypervisorObject, hvd_hypervisor_object, G_TYPE_OBJECT)

static void
hvd_call_on_authorized (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  HvdCall *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!hvd_authority_check_finish (HVD_AUTHORITY (source), result, &error))
    {
      hvd_call_return_error (call, error);
      hvd_call_free (call);
      return;
    }
  /* from here the run function owns the call */
  call->method->run (call);
}

static void
hvd_hypervisor_object_method_call (GDBusConnection       *connection,
                                   const gchar           *sender,
                                   const gchar           *object_path,
                                   const gchar           *interface_name,
                                   const gchar           *method_name,
                                   GVariant              *parameters,
                                   GDBusMethodInvocation *invocation,
                                   gpointer               user_data)
{
  HvdHypervisorObject *self = user_data;
  const HvdMethod *method = hvd_methods_lookup (method_name);
  g_autoptr(GError) error = NULL;
  HvdCall *call;

  if (method == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             _("No such method '%s'"), method_name);
      return;
    }

  call = g_new0 (HvdCall, 1);
  call->self = g_object_ref (self);
  call->invocation = invocation;
  call->method = method;
  call->parameters = g_variant_ref (parameters);
  /* arguments → objects: what the method acts on, for the polkit details */
  if (!hvd_args_read_call (method->method, parameters, &call->name, &call->instance,
                           &call->device, &error))
    {
      hvd_call_return_error (call, error);
      hvd_call_free (call);
      return;
    }
  /* without polkit (a session bus), straight to the method: a GTask that
   * completes at once would still cost a main loop iteration per call */
  if (!hvd_authority_is_enabled (self->authority))
    {
      method->run (call);
      return;
    }
  hvd_authority_check_async (self->authority, invocation, method->action_id, call->name,
                             call->instance != NULL ? hv_instance_get_uuid (call->instance) : NULL,
                             NULL, hvd_call_on_authorized, call);
}

static GVariant *
hvd_hypervisor_object_get_property (GDBusConnection  *connection,
                                    const gchar      *sender,
                                    const gchar      *object_path,
                                    const gchar      *interface_name,
                                    const gchar      *property_name,
                                    GError          **error,
                                    gpointer          user_data)
{
  HvdHypervisorObject *self = user_data;

  if (g_strcmp0 (property_name, "Name") == 0)
    return g_variant_new_string (hv_hypervisor_get_name (self->hypervisor));
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
               _("No such property '%s'"), property_name);
  return NULL;
}

static const GDBusInterfaceVTable hvd_hypervisor_object_vtable = {
  .method_call = hvd_hypervisor_object_method_call,
  .get_property = hvd_hypervisor_object_get_property,
};

/* the hypervisor's signals, onto the bus */

static void
hvd_hypervisor_object_emit (HvdHypervisorObject *self,
                            const gchar         *signal_name,
                            GVariant            *parameters)
{
  g_autoptr(GError) error = NULL;

  g_variant_ref_sink (parameters);
  if (self->registration_id != 0 &&
      !g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                      "org.hvkit.Hypervisor1", signal_name, parameters, &error))
    g_warning ("Could not emit %s: %s", signal_name, error->message);
  g_variant_unref (parameters);
}

static void
hvd_hypervisor_object_on_state_changed (HvHypervisor    *hypervisor,
                                        const gchar     *name,
                                        HvInstanceState  state,
                                        gpointer         user_data)
{
  hvd_hypervisor_object_emit (user_data, "InstanceStateChanged",
                              g_variant_new ("(ss)", name,
                                             hvd_args_enum_to_nick (HV_TYPE_INSTANCE_STATE, state)));
}

static void
hvd_hypervisor_object_on_device_removed (HvHypervisor *hypervisor,
                                         const gchar  *name,
                                         const gchar  *device_id,
                                         gpointer      user_data)
{
  hvd_hypervisor_object_emit (user_data, "DeviceRemoved",
                              g_variant_new ("(ss)", name, device_id));
}

static void
hvd_hypervisor_object_on_migration_progress (HvHypervisor      *hypervisor,
                                             const gchar       *name,
                                             HvMigrationStatus *status,
                                             gpointer           user_data)
{
  g_autoptr(GVariant) dict = hv_migration_status_to_variant (status);

  hvd_hypervisor_object_emit (user_data, "MigrationProgress",
                              g_variant_new ("(s@a{sv})", name, dict));
}

static void
hvd_hypervisor_object_dispose (GObject *object)
{
  HvdHypervisorObject *self = HVD_HYPERVISOR_OBJECT (object);

  hvd_hypervisor_object_unexport (self);
  for (gsize i = 0; i < G_N_ELEMENTS (self->signal_handlers); i++)
    if (self->signal_handlers[i] != 0)
      g_clear_signal_handler (&self->signal_handlers[i], self->hypervisor);
  g_clear_pointer (&self->jobs, g_hash_table_unref);
  g_clear_object (&self->hypervisor);
  g_clear_object (&self->authority);
  G_OBJECT_CLASS (hvd_hypervisor_object_parent_class)->dispose (object);
}

static void
hvd_hypervisor_object_finalize (GObject *object)
{
  HvdHypervisorObject *self = HVD_HYPERVISOR_OBJECT (object);

  g_free (self->object_path);
  G_OBJECT_CLASS (hvd_hypervisor_object_parent_class)->finalize (object);
}

static void
hvd_hypervisor_object_class_init (HvdHypervisorObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hvd_hypervisor_object_dispose;
  object_class->finalize = hvd_hypervisor_object_finalize;
}

static void
hvd_hypervisor_object_init (HvdHypervisorObject *self)
{
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

HvdHypervisorObject *
hvd_hypervisor_object_new (HvHypervisor *hypervisor,
                           HvdAuthority *authority)
{
  HvdHypervisorObject *self = g_object_new (HVD_TYPE_HYPERVISOR_OBJECT, NULL);
  g_autofree gchar *escaped = g_dbus_escape_object_path (hv_hypervisor_get_name (hypervisor));

  self->hypervisor = g_object_ref (hypervisor);
  self->authority = g_object_ref (authority);
  self->object_path = g_strconcat ("/org/hvkit/Hypervisor/", escaped, NULL);
  self->signal_handlers[0] =
    g_signal_connect (hypervisor, "instance-state-changed",
                      G_CALLBACK (hvd_hypervisor_object_on_state_changed), self);
  self->signal_handlers[1] =
    g_signal_connect (hypervisor, "device-removed",
                      G_CALLBACK (hvd_hypervisor_object_on_device_removed), self);
  self->signal_handlers[2] =
    g_signal_connect (hypervisor, "migration-progress",
                      G_CALLBACK (hvd_hypervisor_object_on_migration_progress), self);
  return self;
}

gboolean
hvd_hypervisor_object_export (HvdHypervisorObject  *self,
                              GDBusConnection      *connection,
                              GError              **error)
{
  g_return_val_if_fail (HVD_IS_HYPERVISOR_OBJECT (self), FALSE);
  g_return_val_if_fail (self->registration_id == 0, FALSE);

  self->registration_id =
    g_dbus_connection_register_object (connection, self->object_path,
                                       hvd_hypervisor_interface_info (),
                                       &hvd_hypervisor_object_vtable, self, NULL, error);
  if (self->registration_id == 0)
    return FALSE;
  g_set_object (&self->connection, connection);
  return TRUE;
}

void
hvd_hypervisor_object_unexport (HvdHypervisorObject *self)
{
  g_return_if_fail (HVD_IS_HYPERVISOR_OBJECT (self));

  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);
}

const gchar *
hvd_hypervisor_object_get_object_path (HvdHypervisorObject *self)
{
  g_return_val_if_fail (HVD_IS_HYPERVISOR_OBJECT (self), NULL);
  return self->object_path;
}

HvHypervisor *
hvd_hypervisor_object_get_hypervisor (HvdHypervisorObject *self)
{
  g_return_val_if_fail (HVD_IS_HYPERVISOR_OBJECT (self), NULL);
  return self->hypervisor;
}

GDBusConnection *
hvd_hypervisor_object_get_connection (HvdHypervisorObject *self)
{
  g_return_val_if_fail (HVD_IS_HYPERVISOR_OBJECT (self), NULL);
  return self->connection;
}

static void
hvd_job_on_closed (HvdJob  *job,
                   gpointer user_data)
{
  HvdHypervisorObject *self = user_data;

  g_hash_table_remove (self->jobs, hvd_job_get_object_path (job));
}

/* keeps JOB (taken) until it leaves the bus */
void
hvd_hypervisor_object_add_job (HvdHypervisorObject *self,
                               HvdJob              *job)
{
  g_return_if_fail (HVD_IS_HYPERVISOR_OBJECT (self));

  g_signal_connect (job, "closed", G_CALLBACK (hvd_job_on_closed), self);
  g_hash_table_insert (self->jobs, g_strdup (hvd_job_get_object_path (job)), job);
}
