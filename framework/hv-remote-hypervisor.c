/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvRemoteHypervisor"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-enum-types.h"
#include "hv-error.h"
#include "hv-param-spec.h"
#include "hv-remote-hypervisor-private.h"

/**
 * HvRemoteHypervisor:
 *
 * An #HvHypervisor that hvkitd serves: every method is a call to its
 * `org.hvkit.Hypervisor1` object, every signal one of its D-Bus signals.
 *
 * A program uses one API whether the driver runs in its own process or in
 * hvkitd, which keeps the QEMU monitor connections of every instance open
 * however many short-lived clients come and go. Errors come back as the
 * %HV_ERROR code the driver gave, with its message; an argument hvkitd
 * could not convert (`org.freedesktop.DBus.Error.InvalidArgs`) is
 * %HV_ERROR_INVALID_PARAMETER. Problems of the bus itself keep their
 * #GDBusError or #GIOError (a refusal by polkit is
 * %G_DBUS_ERROR_ACCESS_DENIED).
 *
 * hv_hypervisor_migrate_instance_async() follows the `org.hvkit.Job1`
 * object hvkitd answers with until it finishes; the migration's progress
 * arrives as #HvHypervisor::migration-progress, and cancelling the call
 * cancels the job. An %HV_ERROR_MONITOR error keeps QEMU's error class
 * (hv_error_get_qmp_class()): hvkitd sends it as the last element of the
 * error's D-Bus name, `org.hvkit.Error.Monitor.DeviceNotFound`.
 *
 * The parameter table (hv_hypervisor_get_parameters()) is read once, when
 * the object is made; its specs carry hvkitd's check messages, but the
 * checks themselves run in hvkitd, through
 * hv_hypervisor_check_parameter_syntax() and
 * hv_hypervisor_validate_parameters().
 *
 * Signals are emitted in the thread-default main context the object was
 * made in.
 *
 * Since: 1.0
 */

struct _HvRemoteHypervisor {
  GObject parent_instance;

  GDBusConnection *connection;
  gchar *name;
  gchar *object_path;
  GPtrArray *specs;             /* HvParamSpec */
  guint subscription_id;
  gboolean allow_interactive_authorization;
};

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_NAME,
  PROP_ALLOW_INTERACTIVE_AUTHORIZATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void hv_remote_hypervisor_initable_iface_init (GInitableIface *iface);
static void hv_remote_hypervisor_async_initable_iface_init (GAsyncInitableIface *iface);
static void hv_remote_hypervisor_hypervisor_iface_init (HvHypervisorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HvRemoteHypervisor, hv_remote_hypervisor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      hv_remote_hypervisor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      hv_remote_hypervisor_async_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (HV_TYPE_HYPERVISOR,
                                                      hv_remote_hypervisor_hypervisor_iface_init))

/* -- calls and errors ------------------------------------------------------ */

const gchar *
hv_remote_hypervisor_get_bus_name (HvRemoteHypervisor *self)
{
  /* a peer-to-peer connection has no bus and no names */
  return g_dbus_connection_get_unique_name (self->connection) != NULL
         ? HV_REMOTE_HYPERVISOR_BUS_NAME : NULL;
}

/* The objects' to_variant gives a new reference, not a floating one, which
 * g_variant_new ("@a{sv}") would take a second reference of: this turns it
 * into a floating value on the same bytes, for building the arguments. */
GVariant *
hv_remote_hypervisor_floating (GVariant *owned)
{
  g_autoptr(GVariant) held = owned;
  g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes (held);

  return g_variant_new_from_bytes (g_variant_get_type (held), bytes, g_variant_is_normal_form (held));
}

GDBusCallFlags
hv_remote_hypervisor_get_call_flags (HvRemoteHypervisor *self)
{
  return self->allow_interactive_authorization
         ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION : G_DBUS_CALL_FLAGS_NONE;
}

#define HV_REMOTE_MONITOR_ERROR_PREFIX "org.hvkit.Error.Monitor."

/* hvkitd names an HV_ERROR_MONITOR error that carries QEMU's error class
 * `org.hvkit.Error.Monitor.<Class>`, a name GDBus does not know (it maps
 * whole names only): that is the code again, with the class restored. */
static gboolean
hv_remote_hypervisor_map_monitor_error (GError **error)
{
  g_autofree gchar *name = g_dbus_error_get_remote_error (*error);
  const gchar *qmp_class;
  GError *mapped;

  if (name == NULL || !g_str_has_prefix (name, HV_REMOTE_MONITOR_ERROR_PREFIX))
    return FALSE;
  qmp_class = name + strlen (HV_REMOTE_MONITOR_ERROR_PREFIX);
  if (*qmp_class == '\0' || strchr (qmp_class, '.') != NULL)
    return FALSE;
  g_dbus_error_strip_remote_error (*error);
  mapped = g_error_new_literal (HV_ERROR, HV_ERROR_MONITOR, (*error)->message);
  hv_error_set_qmp_class (mapped, qmp_class);
  g_clear_error (error);
  *error = mapped;
  return TRUE;
}

void
hv_remote_hypervisor_map_error (GError **error)
{
  if (error == NULL || *error == NULL)
    return;
  if (hv_remote_hypervisor_map_monitor_error (error))
    return;
  if (g_error_matches (*error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS))
    {
      g_dbus_error_strip_remote_error (*error);
      (*error)->domain = HV_ERROR;
      (*error)->code = HV_ERROR_INVALID_PARAMETER;
      return;
    }
  g_dbus_error_strip_remote_error (*error);
}

static void
hv_remote_hypervisor_on_reply (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      hv_remote_hypervisor_map_error (&error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, reply, (GDestroyNotify) g_variant_unref);
}

/* Calls METHOD; TASK (taken) returns the reply, a GVariant, or the mapped
 * error. Calls have no timeout: a start or a removal takes what it takes,
 * and a hvkitd that goes away ends them with an error from the bus. */
void
hv_remote_hypervisor_call (HvRemoteHypervisor *self,
                           const gchar        *method,
                           GVariant           *parameters,
                           const GVariantType *reply_type,
                           GCancellable       *cancellable,
                           GTask              *task)
{
  g_dbus_connection_call (self->connection, hv_remote_hypervisor_get_bus_name (self),
                          self->object_path, HV_REMOTE_HYPERVISOR_INTERFACE, method, parameters,
                          reply_type, hv_remote_hypervisor_get_call_flags (self), G_MAXINT,
                          cancellable,
                          hv_remote_hypervisor_on_reply, task);
}

GVariant *
hv_remote_hypervisor_call_sync (HvRemoteHypervisor  *self,
                                const gchar         *method,
                                GVariant            *parameters,
                                const GVariantType  *reply_type,
                                GError             **error)
{
  GVariant *reply;

  reply = g_dbus_connection_call_sync (self->connection, hv_remote_hypervisor_get_bus_name (self),
                                       self->object_path, HV_REMOTE_HYPERVISOR_INTERFACE, method,
                                       parameters, reply_type,
                                       hv_remote_hypervisor_get_call_flags (self), G_MAXINT,
                                       NULL, error);
  if (reply == NULL)
    hv_remote_hypervisor_map_error (error);
  return reply;
}

/* -- signals --------------------------------------------------------------- */

static void
hv_remote_hypervisor_on_signal (GDBusConnection *connection,
                                const gchar     *sender_name,
                                const gchar     *object_path,
                                const gchar     *interface_name,
                                const gchar     *signal_name,
                                GVariant        *parameters,
                                gpointer         user_data)
{
  HvRemoteHypervisor *self = user_data;
  const gchar *name;

  if (g_strcmp0 (signal_name, "InstanceStateChanged") == 0 &&
      g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ss)")))
    {
      g_autoptr(GEnumClass) klass = g_type_class_ref (HV_TYPE_INSTANCE_STATE);
      const gchar *nick;
      GEnumValue *value;

      g_variant_get (parameters, "(&s&s)", &name, &nick);
      value = g_enum_get_value_by_nick (klass, nick);
      g_signal_emit_by_name (self, "instance-state-changed", name,
                             value != NULL ? value->value : HV_INSTANCE_STATE_UNKNOWN);
    }
  else if (g_strcmp0 (signal_name, "DeviceRemoved") == 0 &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ss)")))
    {
      const gchar *device_id;

      g_variant_get (parameters, "(&s&s)", &name, &device_id);
      g_signal_emit_by_name (self, "device-removed", name, device_id);
    }
  else if (g_strcmp0 (signal_name, "MigrationProgress") == 0 &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv})")))
    {
      g_autoptr(GVariant) dict = NULL;
      g_autoptr(HvMigrationStatus) status = NULL;
      g_autoptr(GError) error = NULL;

      g_variant_get (parameters, "(&s@a{sv})", &name, &dict);
      status = hv_migration_status_new_from_variant (dict, &error);
      if (status == NULL)
        g_warning ("hvkitd sent a migration status that does not convert: %s", error->message);
      else
        g_signal_emit_by_name (self, "migration-progress", name, status);
    }
}

/* -- construction ---------------------------------------------------------- */

static gboolean
hv_remote_hypervisor_spec_passes (GVariant *value,
                                  gpointer  user_data)
{
  /* the check runs in hvkitd (check_parameter_syntax, validate_parameters) */
  return TRUE;
}

static gboolean
hv_remote_hypervisor_read_parameters (HvRemoteHypervisor  *self,
                                      GVariant            *reply,
                                      GError             **error)
{
  g_autoptr(GVariantIter) iter = NULL;
  GVariant *dict;

  g_variant_get (reply, "(aa{sv})", &iter);
  while (g_variant_iter_next (iter, "@a{sv}", &dict))
    {
      g_autoptr(GVariant) held = dict;
      const gchar *name = NULL, *type = NULL, *message;
      gboolean required = FALSE;
      HvParamSpec *spec;

      if (!g_variant_lookup (dict, "name", "&s", &name) ||
          !g_variant_lookup (dict, "type", "&s", &type) ||
          !g_variant_type_string_is_valid (type))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                       _("hvkitd described a parameter without a valid name or type"));
          return FALSE;
        }
      g_variant_lookup (dict, "required", "b", &required);
      spec = hv_param_spec_new (name, G_VARIANT_TYPE (type), required);
      if (g_variant_lookup (dict, "syntax_message", "&s", &message))
        hv_param_spec_set_syntax_check (spec, message, hv_remote_hypervisor_spec_passes, NULL, NULL);
      if (g_variant_lookup (dict, "node_message", "&s", &message))
        hv_param_spec_set_node_check (spec, message, hv_remote_hypervisor_spec_passes, NULL, NULL);
      g_ptr_array_add (self->specs, spec);
    }
  return TRUE;
}

static void
hv_remote_hypervisor_subscribe (HvRemoteHypervisor *self)
{
  self->subscription_id =
    g_dbus_connection_signal_subscribe (self->connection, hv_remote_hypervisor_get_bus_name (self),
                                        HV_REMOTE_HYPERVISOR_INTERFACE, NULL, self->object_path,
                                        NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        hv_remote_hypervisor_on_signal, self, NULL);
}

static gboolean
hv_remote_hypervisor_initable_init (GInitable     *initable,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  HvRemoteHypervisor *self = HV_REMOTE_HYPERVISOR (initable);
  g_autoptr(GVariant) reply = NULL;

  /* the registered names of HV_ERROR, before the first reply */
  (void) hv_error_quark ();
  hv_remote_hypervisor_subscribe (self);
  reply = g_dbus_connection_call_sync (self->connection, hv_remote_hypervisor_get_bus_name (self),
                                       self->object_path, HV_REMOTE_HYPERVISOR_INTERFACE,
                                       "GetParameters", NULL, G_VARIANT_TYPE ("(aa{sv})"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
  if (reply == NULL)
    {
      hv_remote_hypervisor_map_error (error);
      g_prefix_error (error, _("Could not reach hypervisor '%s' of hvkitd: "), self->name);
      return FALSE;
    }
  return hv_remote_hypervisor_read_parameters (self, reply, error);
}

static void
hv_remote_hypervisor_on_parameters (GObject      *source,
                                    GAsyncResult *result,
                                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvRemoteHypervisor *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      hv_remote_hypervisor_map_error (&error);
      g_prefix_error (&error, _("Could not reach hypervisor '%s' of hvkitd: "), self->name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!hv_remote_hypervisor_read_parameters (self, reply, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
hv_remote_hypervisor_init_async (GAsyncInitable      *initable,
                                 int                  io_priority,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  HvRemoteHypervisor *self = HV_REMOTE_HYPERVISOR (initable);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hv_remote_hypervisor_init_async);
  (void) hv_error_quark ();
  hv_remote_hypervisor_subscribe (self);
  g_dbus_connection_call (self->connection, hv_remote_hypervisor_get_bus_name (self),
                          self->object_path, HV_REMOTE_HYPERVISOR_INTERFACE, "GetParameters",
                          NULL, G_VARIANT_TYPE ("(aa{sv})"), G_DBUS_CALL_FLAGS_NONE, -1,
                          cancellable, hv_remote_hypervisor_on_parameters, g_steal_pointer (&task));
}

static gboolean
hv_remote_hypervisor_init_finish (GAsyncInitable  *initable,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, initable), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hv_remote_hypervisor_initable_iface_init (GInitableIface *iface)
{
  iface->init = hv_remote_hypervisor_initable_init;
}

static void
hv_remote_hypervisor_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = hv_remote_hypervisor_init_async;
  iface->init_finish = hv_remote_hypervisor_init_finish;
}

/* -- the synchronous methods ----------------------------------------------- */

static const gchar *
hv_remote_hypervisor_get_name (HvHypervisor *hypervisor)
{
  return HV_REMOTE_HYPERVISOR (hypervisor)->name;
}

static gchar **
hv_remote_hypervisor_list_instances (HvHypervisor  *hypervisor,
                                     GError       **error)
{
  g_autoptr(GVariant) reply = NULL;
  gchar **names;

  reply = hv_remote_hypervisor_call_sync (HV_REMOTE_HYPERVISOR (hypervisor), "ListInstances",
                                          NULL, G_VARIANT_TYPE ("(as)"), error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(^as)", &names);
  return names;
}

static HvConsole *
hv_remote_hypervisor_get_instance_console (HvHypervisor  *hypervisor,
                                           HvInstance    *instance,
                                           GError       **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) dict = NULL;

  reply = hv_remote_hypervisor_call_sync (HV_REMOTE_HYPERVISOR (hypervisor), "GetInstanceConsole",
                                          g_variant_new ("(@a{sv})", hv_remote_hypervisor_floating (hv_instance_to_variant (instance))),
                                          G_VARIANT_TYPE ("(a{sv})"), error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(@a{sv})", &dict);
  return hv_console_new_from_variant (dict, error);
}

static GPtrArray *
hv_remote_hypervisor_get_parameters (HvHypervisor *hypervisor)
{
  return g_ptr_array_ref (HV_REMOTE_HYPERVISOR (hypervisor)->specs);
}

static gboolean
hv_remote_hypervisor_check_parameters (HvHypervisor  *hypervisor,
                                       const gchar   *method,
                                       GVariant      *hvparams,
                                       GError       **error)
{
  g_autoptr(GVariant) reply = NULL;

  reply = hv_remote_hypervisor_call_sync (HV_REMOTE_HYPERVISOR (hypervisor), method,
                                          g_variant_new ("(@a{sv})", hvparams), NULL, error);
  return reply != NULL;
}

static gboolean
hv_remote_hypervisor_check_parameter_syntax (HvHypervisor  *hypervisor,
                                             GVariant      *hvparams,
                                             GError       **error)
{
  return hv_remote_hypervisor_check_parameters (hypervisor, "CheckParameterSyntax", hvparams, error);
}

static gboolean
hv_remote_hypervisor_validate_parameters (HvHypervisor  *hypervisor,
                                          GVariant      *hvparams,
                                          GError       **error)
{
  return hv_remote_hypervisor_check_parameters (hypervisor, "ValidateParameters", hvparams, error);
}

static const gchar *
hv_remote_hypervisor_nick (GType enum_type,
                           gint  value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);

  return enum_value != NULL ? enum_value->value_nick : "";
}

static gboolean
hv_remote_hypervisor_verify_hotplug_support (HvHypervisor     *hypervisor,
                                             HvInstance       *instance,
                                             HvHotplugAction   action,
                                             HvDeviceType      device_type,
                                             GError          **error)
{
  g_autoptr(GVariant) reply = NULL;

  reply = hv_remote_hypervisor_call_sync (HV_REMOTE_HYPERVISOR (hypervisor), "VerifyHotplugSupport",
                                          g_variant_new ("(@a{sv}ss)", hv_remote_hypervisor_floating (hv_instance_to_variant (instance)),
                                                         hv_remote_hypervisor_nick (HV_TYPE_HOTPLUG_ACTION, action),
                                                         hv_remote_hypervisor_nick (HV_TYPE_DEVICE_TYPE, device_type)),
                                          NULL, error);
  return reply != NULL;
}

static GBytes *
hv_remote_hypervisor_migration_info (HvHypervisor  *hypervisor,
                                     HvInstance    *instance,
                                     GError       **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) info = NULL;

  reply = hv_remote_hypervisor_call_sync (HV_REMOTE_HYPERVISOR (hypervisor), "MigrationInfo",
                                          g_variant_new ("(@a{sv})", hv_remote_hypervisor_floating (hv_instance_to_variant (instance))),
                                          G_VARIANT_TYPE ("(ay)"), error);
  if (reply == NULL)
    return NULL;
  info = g_variant_get_child_value (reply, 0);
  return g_variant_get_data_as_bytes (info);
}

static void
hv_remote_hypervisor_hypervisor_iface_init (HvHypervisorInterface *iface)
{
  iface->get_name = hv_remote_hypervisor_get_name;
  iface->list_instances = hv_remote_hypervisor_list_instances;
  iface->get_instance_console = hv_remote_hypervisor_get_instance_console;
  iface->get_parameters = hv_remote_hypervisor_get_parameters;
  iface->check_parameter_syntax = hv_remote_hypervisor_check_parameter_syntax;
  iface->validate_parameters = hv_remote_hypervisor_validate_parameters;
  iface->verify_hotplug_support = hv_remote_hypervisor_verify_hotplug_support;
  iface->migration_info = hv_remote_hypervisor_migration_info;
  hv_remote_hypervisor_init_calls (iface);
}

/* -- GObject --------------------------------------------------------------- */

static void
hv_remote_hypervisor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HvRemoteHypervisor *self = HV_REMOTE_HYPERVISOR (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ALLOW_INTERACTIVE_AUTHORIZATION:
      g_value_set_boolean (value, self->allow_interactive_authorization);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_remote_hypervisor_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  HvRemoteHypervisor *self = HV_REMOTE_HYPERVISOR (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_NAME:
      {
        g_autofree gchar *escaped = NULL;

        self->name = g_value_dup_string (value);
        escaped = g_dbus_escape_object_path (self->name != NULL ? self->name : "");
        self->object_path = g_strconcat ("/org/hvkit/Hypervisor/", escaped, NULL);
      }
      break;
    case PROP_ALLOW_INTERACTIVE_AUTHORIZATION:
      hv_remote_hypervisor_set_allow_interactive_authorization (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_remote_hypervisor_dispose (GObject *object)
{
  HvRemoteHypervisor *self = HV_REMOTE_HYPERVISOR (object);

  if (self->subscription_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->subscription_id);
  self->subscription_id = 0;
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (hv_remote_hypervisor_parent_class)->dispose (object);
}

static void
hv_remote_hypervisor_finalize (GObject *object)
{
  HvRemoteHypervisor *self = HV_REMOTE_HYPERVISOR (object);

  g_free (self->name);
  g_free (self->object_path);
  g_ptr_array_unref (self->specs);
  G_OBJECT_CLASS (hv_remote_hypervisor_parent_class)->finalize (object);
}

static void
hv_remote_hypervisor_class_init (HvRemoteHypervisorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = hv_remote_hypervisor_get_property;
  object_class->set_property = hv_remote_hypervisor_set_property;
  object_class->dispose = hv_remote_hypervisor_dispose;
  object_class->finalize = hv_remote_hypervisor_finalize;

  /**
   * HvRemoteHypervisor:connection:
   *
   * The connection to the bus hvkitd serves on.
   *
   * Since: 1.0
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvRemoteHypervisor:name:
   *
   * The name of the hypervisor in hvkitd, such as `kvm`.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvRemoteHypervisor:allow-interactive-authorization:
   *
   * Whether hvkitd may have polkit ask the user for authentication (a
   * password to an agent) before it answers a call; for programs a person
   * runs, such as hvkitctl. Off, a call polkit would ask about is refused.
   *
   * Since: 1.0
   */
  properties[PROP_ALLOW_INTERACTIVE_AUTHORIZATION] =
    g_param_spec_boolean ("allow-interactive-authorization", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_remote_hypervisor_init (HvRemoteHypervisor *self)
{
  self->specs = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_param_spec_unref);
}

/* -- public ---------------------------------------------------------------- */

/**
 * hv_remote_hypervisor_new_sync:
 * @connection: a connection to the bus hvkitd serves on
 * @name: the hypervisor's name in hvkitd, such as `kvm`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Connects to hypervisor @name of the hvkitd on @connection's bus, reading
 * its parameter table. Blocks; see hv_remote_hypervisor_new() for the
 * asynchronous form.
 *
 * Returns: (transfer full): the hypervisor, or %NULL with @error set when
 *   hvkitd or the hypervisor cannot be reached
 *
 * Since: 1.0
 */
HvRemoteHypervisor *
hv_remote_hypervisor_new_sync (GDBusConnection  *connection,
                               const gchar      *name,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (HV_TYPE_REMOTE_HYPERVISOR, cancellable, error,
                         "connection", connection, "name", name, NULL);
}

/**
 * hv_remote_hypervisor_new:
 * @connection: a connection to the bus hvkitd serves on
 * @name: the hypervisor's name in hvkitd, such as `kvm`
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the hypervisor is ready
 * @user_data: (closure callback): data for @callback
 *
 * Connects to hypervisor @name of the hvkitd on @connection's bus without
 * blocking. Finish with hv_remote_hypervisor_new_finish().
 *
 * Since: 1.0
 */
void
hv_remote_hypervisor_new (GDBusConnection     *connection,
                          const gchar         *name,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (G_IS_DBUS_CONNECTION (connection));
  g_return_if_fail (name != NULL);

  g_async_initable_new_async (HV_TYPE_REMOTE_HYPERVISOR, G_PRIORITY_DEFAULT, cancellable,
                              callback, user_data, "connection", connection, "name", name, NULL);
}

/**
 * hv_remote_hypervisor_new_finish:
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes hv_remote_hypervisor_new().
 *
 * Returns: (transfer full): the hypervisor, or %NULL with @error set
 *
 * Since: 1.0
 */
HvRemoteHypervisor *
hv_remote_hypervisor_new_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);
  GObject *object;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);
  return object != NULL ? HV_REMOTE_HYPERVISOR (object) : NULL;
}

/**
 * hv_remote_hypervisor_get_connection:
 * @self: an #HvRemoteHypervisor
 *
 * Returns: (transfer none): the connection to hvkitd's bus
 *
 * Since: 1.0
 */
GDBusConnection *
hv_remote_hypervisor_get_connection (HvRemoteHypervisor *self)
{
  g_return_val_if_fail (HV_IS_REMOTE_HYPERVISOR (self), NULL);
  return self->connection;
}

/**
 * hv_remote_hypervisor_get_object_path:
 * @self: an #HvRemoteHypervisor
 *
 * Returns: the path of the hypervisor's object in hvkitd,
 *   `/org/hvkit/Hypervisor/NAME`
 *
 * Since: 1.0
 */
const gchar *
hv_remote_hypervisor_get_object_path (HvRemoteHypervisor *self)
{
  g_return_val_if_fail (HV_IS_REMOTE_HYPERVISOR (self), NULL);
  return self->object_path;
}

/**
 * hv_remote_hypervisor_get_allow_interactive_authorization:
 * @self: an #HvRemoteHypervisor
 *
 * Returns: whether calls let polkit ask the user for authentication
 *
 * Since: 1.0
 */
gboolean
hv_remote_hypervisor_get_allow_interactive_authorization (HvRemoteHypervisor *self)
{
  g_return_val_if_fail (HV_IS_REMOTE_HYPERVISOR (self), FALSE);
  return self->allow_interactive_authorization;
}

/**
 * hv_remote_hypervisor_set_allow_interactive_authorization:
 * @self: an #HvRemoteHypervisor
 * @allow: whether polkit may ask
 *
 * Sets #HvRemoteHypervisor:allow-interactive-authorization: whether the
 * calls that follow let polkit ask the user for authentication before
 * hvkitd answers them. Such calls wait without a timeout.
 *
 * Since: 1.0
 */
void
hv_remote_hypervisor_set_allow_interactive_authorization (HvRemoteHypervisor *self,
                                                          gboolean            allow)
{
  g_return_if_fail (HV_IS_REMOTE_HYPERVISOR (self));

  allow = !!allow;
  if (self->allow_interactive_authorization == allow)
    return;
  self->allow_interactive_authorization = allow;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_INTERACTIVE_AUTHORIZATION]);
}
