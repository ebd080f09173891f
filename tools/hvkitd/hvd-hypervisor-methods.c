/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitd"

#include "config.h"

#include <glib/gi18n.h>

#include "hvd-args.h"
#include "hvd-call.h"
#include "hvd-job.h"

/* The methods of org.hvkit.Hypervisor1: each runs the hypervisor's method
 * for a call whose arguments were read and whose caller was authorized,
 * and answers it from the method's callback. */

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
hvd_run_migrate_instance (HvdCall *call)
{
  static guint last_job;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = g_strdup_printf ("/org/hvkit/Job/%u", ++last_job);
  const gchar *target;
  gboolean live;
  HvdJob *job;

  g_variant_get (call->parameters, "(@a{sv}&sb)", NULL, &target, &live);
  job = hvd_job_new_migration (hvd_call_hypervisor (call),
                               hvd_hypervisor_object_get_connection (call->self), path,
                               g_dbus_method_invocation_get_sender (call->invocation),
                               call->instance, target, live, &error);
  if (job == NULL)
    hvd_call_return_error (call, error);
  else
    {
      hvd_hypervisor_object_add_job (call->self, job);
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

static void
hvd_on_adopted (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(HvdCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) adoptions = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

  adoptions = hv_hypervisor_adopt_instances_finish (HV_HYPERVISOR (source), result, &error);
  if (adoptions == NULL)
    {
      hvd_call_return_error (call, error);
      return;
    }
  for (guint i = 0; i < adoptions->len; i++)
    {
      g_autoptr(GVariant) dict = hv_adoption_to_variant (g_ptr_array_index (adoptions, i));
      g_variant_builder_add_value (&builder, dict);
    }
  hvd_call_return (call, g_variant_new ("(aa{sv})", &builder));
}

static void
hvd_run_adopt_instances (HvdCall *call)
{
  const gchar *source_dir;

  g_variant_get_child (call->parameters, 0, "&s", &source_dir);
  hv_hypervisor_adopt_instances_async (hvd_call_hypervisor (call),
                                       *source_dir != '\0' ? source_dir : NULL, NULL,
                                       hvd_on_adopted, call);
}

/* One polkit action per kind of operation (data/org.hvkit.policy.in). */
#define HVD_ACTION_INSTANCE_READ "org.hvkit.instance.read"
#define HVD_ACTION_START "org.hvkit.instance.start"
#define HVD_ACTION_STOP "org.hvkit.instance.stop"
#define HVD_ACTION_HOTPLUG "org.hvkit.instance.hotplug"
#define HVD_ACTION_MIGRATE "org.hvkit.instance.migrate"
#define HVD_ACTION_MODIFY "org.hvkit.instance.modify"
#define HVD_ACTION_NODE_READ "org.hvkit.node.read"
#define HVD_ACTION_ADOPT "org.hvkit.node.adopt"

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
  { "AdoptInstances", HVD_ACTION_ADOPT, hvd_run_adopt_instances },
};

const HvdMethod *
hvd_methods_lookup (const gchar *method)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hvd_methods); i++)
    if (g_str_equal (hvd_methods[i].method, method))
      return &hvd_methods[i];
  return NULL;
}
