/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitd"

#include "config.h"

#include <glib/gi18n.h>

#include "hvd-args.h"
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

typedef struct _HvdCall HvdCall;

typedef struct {
  const gchar *method;
  const gchar *action_id;
  void       (*run) (HvdCall *call);
} HvdMethod;

struct _HvdCall {
  HvdHypervisorObject *self;
  GDBusMethodInvocation *invocation;
  const HvdMethod *method;
  GVariant *parameters;
  HvInstance *instance;
  HvDevice *device;
  gchar *name;
};

static void
hvd_call_free (HvdCall *call)
{
  /* every path answers: a call freed unanswered is a bug in this file */
  if (call->invocation != NULL)
    g_dbus_method_invocation_return_error (call->invocation, HV_ERROR, HV_ERROR_FAILED,
                                           _("hvkitd did not answer %s"), call->method->method);
  g_clear_object (&call->self);
  g_clear_pointer (&call->parameters, g_variant_unref);
  g_clear_object (&call->instance);
  g_clear_object (&call->device);
  g_free (call->name);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvdCall, hvd_call_free)

static HvHypervisor *
hvd_call_hypervisor (HvdCall *call)
{
  return call->self->hypervisor;
}

static void
hvd_call_return_error (HvdCall      *call,
                       const GError *error)
{
  g_debug ("%s: %s", call->method->method, error->message);
  g_dbus_method_invocation_return_gerror (g_steal_pointer (&call->invocation), error);
}

static void
hvd_call_return (HvdCall  *call,
                 GVariant *value)
{
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), value);
}

/* the methods' result callbacks, by what they return */

typedef gboolean (*HvdBooleanFinish) (HvHypervisor *, GAsyncResult *, GError **);

static void
hvd_call_on_boolean_done (HvdCall          *call,
                          GAsyncResult     *result,
                          HvdBooleanFinish  finish)
{
  g_autoptr(GError) error = NULL;

  if (!finish (hvd_call_hypervisor (call), result, &error))
    hvd_call_return_error (call, error);
  else
    hvd_call_return (call, NULL);
}

#define HVD_BOOLEAN_CALLBACK(func, finish)                               \
  static void                                                           \
  func (GObject *source, GAsyncResult *result, gpointer user_data)      \
  {                                                                     \
    g_autoptr(HvdCall) call = user_data;                                \
    hvd_call_on_boolean_done (call, result, finish);                    \
  }

HVD_BOOLEAN_CALLBACK (hvd_on_started, hv_hypervisor_start_instance_finish)
HVD_BOOLEAN_CALLBACK (hvd_on_stopped, hv_hypervisor_stop_instance_finish)
HVD_BOOLEAN_CALLBACK (hvd_on_rebooted, hv_hypervisor_reboot_instance_finish)
HVD_BOOLEAN_CALLBACK (hvd_on_cleaned_up, hv_hypervisor_cleanup_instance_finish)
HVD_BOOLEAN_CALLBACK (hvd_on_verified, hv_hypervisor_verify_finish)
HVD_BOOLEAN_CALLBACK (hvd_on_hotplug_supported, hv_hypervisor_hotplug_supported_finish)
HVD_BOOLEAN_CALLBACK (hvd_on_hot_deleted, hv_hypervisor_hot_del_device_finish)
HVD_BOOLEAN_CALLBACK (hvd_on_accepted, hv_hypervisor_accept_instance_finish)
HVD_BOOLEAN_CALLBACK (hvd_on_finalized_source, hv_hypervisor_finalize_migration_source_finish)
HVD_BOOLEAN_CALLBACK (hvd_on_finalized_dst, hv_hypervisor_finalize_migration_dst_finish)
HVD_BOOLEAN_CALLBACK (hvd_on_ballooned, hv_hypervisor_balloon_instance_memory_finish)

/* the methods */

static void
hvd_run_start_instance (HvdCall *call)
{
  gboolean paused;

  g_variant_get_child (call->parameters, 1, "b", &paused);
  hv_hypervisor_start_instance_async (hvd_call_hypervisor (call), call->instance, paused, NULL,
                                      hvd_on_started, call);
}

static void
hvd_run_stop_instance (HvdCall *call)
{
  gboolean force, retry;
  guint32 timeout_s;

  g_variant_get (call->parameters, "(@a{sv}bbu)", NULL, &force, &retry, &timeout_s);
  hv_hypervisor_stop_instance_async (hvd_call_hypervisor (call), call->instance, force, retry,
                                     timeout_s, NULL, hvd_on_stopped, call);
}

static void
hvd_run_reboot_instance (HvdCall *call)
{
  hv_hypervisor_reboot_instance_async (hvd_call_hypervisor (call), call->instance, NULL,
                                       hvd_on_rebooted, call);
}

static void
hvd_run_cleanup_instance (HvdCall *call)
{
  hv_hypervisor_cleanup_instance_async (hvd_call_hypervisor (call), call->name, NULL,
                                        hvd_on_cleaned_up, call);
}

static void
hvd_run_list_instances (HvdCall *call)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = hv_hypervisor_list_instances (hvd_call_hypervisor (call), &error);

  if (names == NULL)
    hvd_call_return_error (call, error);
  else
    hvd_call_return (call, g_variant_new ("(^as)", names));
  hvd_call_free (call);
}

static void
hvd_on_instance_info (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(HvdCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HvInstanceInfo) info = NULL;
  g_autoptr(GVariant) dict = NULL;

  info = hv_hypervisor_get_instance_info_finish (HV_HYPERVISOR (source), result, &error);
  if (info == NULL)
    {
      hvd_call_return_error (call, error);
      return;
    }
  dict = hv_instance_info_to_variant (info);
  hvd_call_return (call, g_variant_new ("(@a{sv})", dict));
}

static void
hvd_run_get_instance_info (HvdCall *call)
{
  hv_hypervisor_get_instance_info_async (hvd_call_hypervisor (call), call->name, NULL,
                                         hvd_on_instance_info, call);
}

static void
hvd_on_all_instances_info (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(HvdCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

  infos = hv_hypervisor_get_all_instances_info_finish (HV_HYPERVISOR (source), result, &error);
  if (infos == NULL)
    {
      hvd_call_return_error (call, error);
      return;
    }
  for (guint i = 0; i < infos->len; i++)
    {
      g_autoptr(GVariant) dict = hv_instance_info_to_variant (g_ptr_array_index (infos, i));
      g_variant_builder_add_value (&builder, dict);
    }
  hvd_call_return (call, g_variant_new ("(aa{sv})", &builder));
}

static void
hvd_run_get_all_instances_info (HvdCall *call)
{
  hv_hypervisor_get_all_instances_info_async (hvd_call_hypervisor (call), NULL,
                                              hvd_on_all_instances_info, call);
}

static void
hvd_on_node_info (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HvdCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNodeInfo) info = NULL;
  g_autoptr(GVariant) dict = NULL;

  info = hv_hypervisor_get_node_info_finish (HV_HYPERVISOR (source), result, &error);
  if (info == NULL)
    {
      hvd_call_return_error (call, error);
      return;
    }
  dict = hv_node_info_to_variant (info);
  hvd_call_return (call, g_variant_new ("(@a{sv})", dict));
}

static void
hvd_run_get_node_info (HvdCall *call)
{
  hv_hypervisor_get_node_info_async (hvd_call_hypervisor (call), NULL, hvd_on_node_info, call);
}

static void
hvd_run_get_instance_console (HvdCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvConsole) console = NULL;

  console = hv_hypervisor_get_instance_console (hvd_call_hypervisor (call), call->instance, &error);
  if (console == NULL)
    hvd_call_return_error (call, error);
  else
    {
      g_autoptr(GVariant) dict = hv_console_to_variant (console);
      hvd_call_return (call, g_variant_new ("(@a{sv})", dict));
    }
  hvd_call_free (call);
}

static void
hvd_run_verify (HvdCall *call)
{
  hv_hypervisor_verify_async (hvd_call_hypervisor (call), NULL, hvd_on_verified, call);
}

static GVariant *
hvd_param_spec_to_variant (const HvParamSpec *spec)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autofree gchar *type = g_variant_type_dup_string (hv_param_spec_get_value_type (spec));

  g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (hv_param_spec_get_name (spec)));
  g_variant_builder_add (&builder, "{sv}", "type", g_variant_new_string (type));
  g_variant_builder_add (&builder, "{sv}", "required",
                         g_variant_new_boolean (hv_param_spec_get_required (spec)));
  if (hv_param_spec_get_syntax_message (spec) != NULL)
    g_variant_builder_add (&builder, "{sv}", "syntax_message",
                           g_variant_new_string (hv_param_spec_get_syntax_message (spec)));
  if (hv_param_spec_get_node_message (spec) != NULL)
    g_variant_builder_add (&builder, "{sv}", "node_message",
                           g_variant_new_string (hv_param_spec_get_node_message (spec)));
  return g_variant_builder_end (&builder);
}

static void
hvd_run_get_parameters (HvdCall *call)
{
  g_autoptr(GPtrArray) specs = hv_hypervisor_get_parameters (hvd_call_hypervisor (call));
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

  for (guint i = 0; i < specs->len; i++)
    g_variant_builder_add_value (&builder, hvd_param_spec_to_variant (g_ptr_array_index (specs, i)));
  hvd_call_return (call, g_variant_new ("(aa{sv})", &builder));
  hvd_call_free (call);
}

static void
hvd_run_check_parameters (HvdCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) hvparams = g_variant_get_child_value (call->parameters, 0);
  gboolean ok;

  if (g_strcmp0 (call->method->method, "CheckParameterSyntax") == 0)
    ok = hv_hypervisor_check_parameter_syntax (hvd_call_hypervisor (call), hvparams, &error);
  else
    ok = hv_hypervisor_validate_parameters (hvd_call_hypervisor (call), hvparams, &error);
  if (!ok)
    hvd_call_return_error (call, error);
  else
    hvd_call_return (call, NULL);
  hvd_call_free (call);
}

static void
hvd_run_hotplug_supported (HvdCall *call)
{
  hv_hypervisor_hotplug_supported_async (hvd_call_hypervisor (call), call->instance, NULL,
                                         hvd_on_hotplug_supported, call);
}

static void
hvd_run_verify_hotplug_support (HvdCall *call)
{
  g_autoptr(GError) error = NULL;
  const gchar *action_nick, *type_nick;
  gint action, type;

  g_variant_get (call->parameters, "(@a{sv}&s&s)", NULL, &action_nick, &type_nick);
  if (!hvd_args_get_enum (HV_TYPE_HOTPLUG_ACTION, action_nick, "action", &action, &error) ||
      !hvd_args_get_enum (HV_TYPE_DEVICE_TYPE, type_nick, "device_type", &type, &error) ||
      !hv_hypervisor_verify_hotplug_support (hvd_call_hypervisor (call), call->instance,
                                             action, type, &error))
    hvd_call_return_error (call, error);
  else
    hvd_call_return (call, NULL);
  hvd_call_free (call);
}

/* an added or changed device goes back with the placement the driver gave it */
static void
hvd_call_on_device_placed (HvdCall          *call,
                           GAsyncResult     *result,
                           HvdBooleanFinish  finish)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) dict = NULL;

  if (!finish (hvd_call_hypervisor (call), result, &error))
    {
      hvd_call_return_error (call, error);
      return;
    }
  dict = hv_device_to_variant (call->device);
  hvd_call_return (call, g_variant_new ("(@a{sv})", dict));
}

static void
hvd_on_hot_added (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HvdCall) call = user_data;

  hvd_call_on_device_placed (call, result, hv_hypervisor_hot_add_device_finish);
}

static void
hvd_on_hot_modified (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(HvdCall) call = user_data;

  hvd_call_on_device_placed (call, result, hv_hypervisor_hot_mod_device_finish);
}

static void
hvd_run_hotplug (HvdCall *call)
{
  HvHypervisor *hypervisor = hvd_call_hypervisor (call);
  const gchar *method = call->method->method;
  guint32 seq;

  g_variant_get_child (call->parameters, 3, "u", &seq);
  if (g_strcmp0 (method, "HotAddDevice") == 0)
    hv_hypervisor_hot_add_device_async (hypervisor, call->instance, call->device, seq, NULL,
                                        hvd_on_hot_added, call);
  else if (g_strcmp0 (method, "HotDelDevice") == 0)
    hv_hypervisor_hot_del_device_async (hypervisor, call->instance, call->device, seq, NULL,
                                        hvd_on_hot_deleted, call);
  else
    hv_hypervisor_hot_mod_device_async (hypervisor, call->instance, call->device, seq, NULL,
                                        hvd_on_hot_modified, call);
}

static void
hvd_run_migration_info (HvdCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) info = NULL;

  info = hv_hypervisor_migration_info (hvd_call_hypervisor (call), call->instance, &error);
  if (info == NULL)
    hvd_call_return_error (call, error);
  else
    hvd_call_return (call, g_variant_new ("(@ay)",
                                          g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING,
                                                                    info, TRUE)));
  hvd_call_free (call);
}

static GBytes *
hvd_call_get_bytes (HvdCall *call,
                    gsize    index)
{
  g_autoptr(GVariant) value = g_variant_get_child_value (call->parameters, index);

  return g_variant_get_data_as_bytes (value);
}

static void
hvd_run_accept_instance (HvdCall *call)
{
  g_autoptr(GBytes) info = hvd_call_get_bytes (call, 1);
  const gchar *target;

  g_variant_get_child (call->parameters, 2, "&s", &target);
  hv_hypervisor_accept_instance_async (hvd_call_hypervisor (call), call->instance, info, target,
                                       NULL, hvd_on_accepted, call);
}

static void
hvd_job_on_closed (HvdJob  *job,
                   gpointer user_data)
{
  HvdHypervisorObject *self = user_data;

  g_hash_table_remove (self->jobs, hvd_job_get_object_path (job));
}

static void
hvd_run_migrate_instance (HvdCall *call)
{
  static guint last_job;
  HvdHypervisorObject *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = g_strdup_printf ("/org/hvkit/Job/%u", ++last_job);
  const gchar *target;
  gboolean live;
  HvdJob *job;

  g_variant_get (call->parameters, "(@a{sv}&sb)", NULL, &target, &live);
  job = hvd_job_new_migration (self->hypervisor, self->connection, path,
                               g_dbus_method_invocation_get_sender (call->invocation),
                               call->instance, target, live, &error);
  if (job == NULL)
    hvd_call_return_error (call, error);
  else
    {
      g_signal_connect (job, "closed", G_CALLBACK (hvd_job_on_closed), self);
      g_hash_table_insert (self->jobs, g_strdup (path), job);
      hvd_call_return (call, g_variant_new ("(o)", path));
    }
  hvd_call_free (call);
}

static void
hvd_on_migration_status (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(HvdCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HvMigrationStatus) status = NULL;
  g_autoptr(GVariant) dict = NULL;

  status = hv_hypervisor_get_migration_status_finish (HV_HYPERVISOR (source), result, &error);
  if (status == NULL)
    {
      hvd_call_return_error (call, error);
      return;
    }
  dict = hv_migration_status_to_variant (status);
  hvd_call_return (call, g_variant_new ("(@a{sv})", dict));
}

static void
hvd_run_get_migration_status (HvdCall *call)
{
  hv_hypervisor_get_migration_status_async (hvd_call_hypervisor (call), call->instance, NULL,
                                            hvd_on_migration_status, call);
}

static void
hvd_run_finalize_migration_source (HvdCall *call)
{
  gboolean success, live;

  g_variant_get (call->parameters, "(@a{sv}bb)", NULL, &success, &live);
  hv_hypervisor_finalize_migration_source_async (hvd_call_hypervisor (call), call->instance,
                                                 success, live, NULL,
                                                 hvd_on_finalized_source, call);
}

static void
hvd_run_finalize_migration_dst (HvdCall *call)
{
  g_autoptr(GBytes) info = hvd_call_get_bytes (call, 1);
  gboolean success;

  g_variant_get_child (call->parameters, 2, "b", &success);
  hv_hypervisor_finalize_migration_dst_async (hvd_call_hypervisor (call), call->instance, info,
                                              success, NULL, hvd_on_finalized_dst, call);
}

static void
hvd_run_balloon_instance_memory (HvdCall *call)
{
  gint64 memory;

  g_variant_get_child (call->parameters, 1, "x", &memory);
  hv_hypervisor_balloon_instance_memory_async (hvd_call_hypervisor (call), call->instance, memory,
                                               NULL, hvd_on_ballooned, call);
}

/* One polkit action per kind of operation (data/org.hvkit.policy.in). */
#define HVD_ACTION_INSTANCE_READ "org.hvkit.instance.read"
#define HVD_ACTION_START "org.hvkit.instance.start"
#define HVD_ACTION_STOP "org.hvkit.instance.stop"
#define HVD_ACTION_HOTPLUG "org.hvkit.instance.hotplug"
#define HVD_ACTION_MIGRATE "org.hvkit.instance.migrate"
#define HVD_ACTION_MODIFY "org.hvkit.instance.modify"
#define HVD_ACTION_NODE_READ "org.hvkit.node.read"

static const HvdMethod hvd_methods[] = {
  { "StartInstance", HVD_ACTION_START, hvd_run_start_instance },
  { "StopInstance", HVD_ACTION_STOP, hvd_run_stop_instance },
  { "RebootInstance", HVD_ACTION_STOP, hvd_run_reboot_instance },
  { "CleanupInstance", HVD_ACTION_STOP, hvd_run_cleanup_instance },
  { "ListInstances", HVD_ACTION_NODE_READ, hvd_run_list_instances },
  { "GetInstanceInfo", HVD_ACTION_INSTANCE_READ, hvd_run_get_instance_info },
  { "GetAllInstancesInfo", HVD_ACTION_NODE_READ, hvd_run_get_all_instances_info },
  { "GetNodeInfo", HVD_ACTION_NODE_READ, hvd_run_get_node_info },
  { "GetInstanceConsole", HVD_ACTION_INSTANCE_READ, hvd_run_get_instance_console },
  { "Verify", HVD_ACTION_NODE_READ, hvd_run_verify },
  { "GetParameters", HVD_ACTION_NODE_READ, hvd_run_get_parameters },
  { "CheckParameterSyntax", HVD_ACTION_NODE_READ, hvd_run_check_parameters },
  { "ValidateParameters", HVD_ACTION_NODE_READ, hvd_run_check_parameters },
  { "HotplugSupported", HVD_ACTION_INSTANCE_READ, hvd_run_hotplug_supported },
  { "VerifyHotplugSupport", HVD_ACTION_INSTANCE_READ, hvd_run_verify_hotplug_support },
  { "HotAddDevice", HVD_ACTION_HOTPLUG, hvd_run_hotplug },
  { "HotDelDevice", HVD_ACTION_HOTPLUG, hvd_run_hotplug },
  { "HotModDevice", HVD_ACTION_HOTPLUG, hvd_run_hotplug },
  { "MigrationInfo", HVD_ACTION_MIGRATE, hvd_run_migration_info },
  { "AcceptInstance", HVD_ACTION_MIGRATE, hvd_run_accept_instance },
  { "MigrateInstance", HVD_ACTION_MIGRATE, hvd_run_migrate_instance },
  { "GetMigrationStatus", HVD_ACTION_INSTANCE_READ, hvd_run_get_migration_status },
  { "FinalizeMigrationSource", HVD_ACTION_MIGRATE, hvd_run_finalize_migration_source },
  { "FinalizeMigrationDst", HVD_ACTION_MIGRATE, hvd_run_finalize_migration_dst },
  { "BalloonInstanceMemory", HVD_ACTION_MODIFY, hvd_run_balloon_instance_memory },
};

/* arguments → objects: what the method acts on, for the polkit details.
 * Instance names are checked here, whatever the driver does with them:
 * a name is part of file names, and polkit rules match on it. */
static gboolean
hvd_call_check_name (const gchar  *name,
                     GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  if (hv_instance_name_validate (name, &local_error))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
hvd_call_read_arguments (HvdCall  *call,
                         GError  **error)
{
  const gchar *method = call->method->method;
  g_autoptr(GVariant) first = NULL;

  if (g_variant_n_children (call->parameters) == 0)
    return TRUE;
  first = g_variant_get_child_value (call->parameters, 0);
  /* CleanupInstance and GetInstanceInfo: an instance by name */
  if (g_variant_is_of_type (first, G_VARIANT_TYPE_STRING))
    {
      call->name = g_variant_dup_string (first, NULL);
      return hvd_call_check_name (call->name, error);
    }
  /* CheckParameterSyntax and ValidateParameters: hvparams */
  if (g_str_has_suffix (method, "Parameters") || g_str_equal (method, "CheckParameterSyntax"))
    return TRUE;

  call->instance = hvd_args_get_instance (first, "instance", error);
  if (call->instance == NULL)
    return FALSE;
  call->name = g_strdup (hv_instance_get_name (call->instance));
  if (!hvd_call_check_name (call->name, error))
    return FALSE;

  if (g_str_has_prefix (method, "Hot") && g_str_has_suffix (method, "Device"))
    {
      const gchar *device_type;
      g_autoptr(GVariant) device = g_variant_get_child_value (call->parameters, 2);

      g_variant_get_child (call->parameters, 1, "&s", &device_type);
      call->device = hvd_args_get_device (device_type, device, "device", error);
      if (call->device == NULL)
        return FALSE;
    }
  return TRUE;
}

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
  const HvdMethod *method = NULL;
  g_autoptr(GError) error = NULL;
  HvdCall *call;

  for (gsize i = 0; i < G_N_ELEMENTS (hvd_methods) && method == NULL; i++)
    if (g_str_equal (hvd_methods[i].method, method_name))
      method = &hvd_methods[i];
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
  if (!hvd_call_read_arguments (call, &error))
    {
      hvd_call_return_error (call, error);
      hvd_call_free (call);
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
