/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Typed QMP commands: queries, block devices, devices and network
 * back-ends. File descriptors, the machine and migration are in
 * hv-kvm-qmp-commands-machine.c.
 */
#define G_LOG_DOMAIN "HvKvmQmp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hvkit.h"
#include "hv-kvm-qmp-commands.h"
#include "hv-kvm-qmp-json.h"

/* ---- shared by every wrapper ------------------------------------------- */

gboolean
hv_kvm_qmp_set_bad_return (GError     **error,
                           const gchar *command,
                           const gchar *what)
{
  g_set_error (error, HV_ERROR, HV_ERROR_MONITOR,
               _("QEMU command “%s” returned an unexpected value: %s"), command, what);
  return FALSE;
}

/* Finishes a command whose `return` is an empty object. */
gboolean
hv_kvm_qmp_finish_empty (HvKvmQmpClient *self,
                         GAsyncResult   *result,
                         gpointer        source_tag,
                         GError        **error)
{
  g_autoptr(JsonNode) value = hv_kvm_qmp_client_call_finish (self, result, source_tag, error);

  return value != NULL;
}

JsonObject *
hv_kvm_qmp_finish_object (HvKvmQmpClient *self,
                          GAsyncResult   *result,
                          gpointer        source_tag,
                          GError        **error)
{
  g_autoptr(JsonNode) value = hv_kvm_qmp_client_call_finish (self, result, source_tag, error);

  return value != NULL ? json_node_dup_object (value) : NULL;
}

/* Finishes a command returning an array whose every element is an object
 * carrying @member of @member_type (an object for G_TYPE_OBJECT). */
static JsonArray *
finish_array_of (HvKvmQmpClient *self,
                 GAsyncResult   *result,
                 gpointer        source_tag,
                 const gchar    *command,
                 const gchar    *member,
                 GType           member_type,
                 GError        **error)
{
  g_autoptr(JsonNode) value = hv_kvm_qmp_client_call_finish (self, result, source_tag, error);
  JsonArray *array;

  if (value == NULL)
    return NULL;
  array = json_node_get_array (value);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      gint64 number;
      gboolean ok;

      if (object == NULL)
        ok = FALSE;
      else if (member_type == G_TYPE_OBJECT)
        ok = hv_kvm_qmp_json_get_array (object, member) != NULL ||
             hv_kvm_qmp_json_get_object (object, member) != NULL;
      else if (member_type == G_TYPE_INT64)
        ok = hv_kvm_qmp_json_get_int (object, member, &number);
      else
        ok = hv_kvm_qmp_json_get_string (object, member) != NULL;

      if (!ok)
        {
          g_autofree gchar *what = g_strdup_printf (_("element %u has no “%s”"), i, member);

          hv_kvm_qmp_set_bad_return (error, command, what);
          return NULL;
        }
    }
  return json_array_ref (array);
}

static JsonObject *
arguments_with_string (const gchar *name,
                       const gchar *value)
{
  JsonObject *arguments = json_object_new ();

  json_object_set_string_member (arguments, name, value);
  return arguments;
}

/* ---- queries ------------------------------------------------------------ */

void
hv_kvm_qmp_query_version_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  hv_kvm_qmp_client_call_async (self, "query-version", NULL, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_query_version_async, cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_query_version_finish:
 * @out_package: (out) (optional) (transfer full): the package string, or
 *   an empty string when QEMU has none
 */
gboolean
hv_kvm_qmp_query_version_finish (HvKvmQmpClient *self,
                                 GAsyncResult   *result,
                                 guint          *out_major,
                                 guint          *out_minor,
                                 guint          *out_micro,
                                 gchar         **out_package,
                                 GError        **error)
{
  g_autoptr(JsonObject) info =
    hv_kvm_qmp_finish_object (self, result, hv_kvm_qmp_query_version_async, error);
  JsonObject *qemu;
  gint64 major, minor, micro;
  const gchar *package;

  if (info == NULL)
    return FALSE;
  qemu = hv_kvm_qmp_json_get_object (info, "qemu");
  if (qemu == NULL ||
      !hv_kvm_qmp_json_get_int (qemu, "major", &major) || major < 0 || major > G_MAXUINT ||
      !hv_kvm_qmp_json_get_int (qemu, "minor", &minor) || minor < 0 || minor > G_MAXUINT ||
      !hv_kvm_qmp_json_get_int (qemu, "micro", &micro) || micro < 0 || micro > G_MAXUINT)
    return hv_kvm_qmp_set_bad_return (error, "query-version", _("no version numbers"));
  package = hv_kvm_qmp_json_get_string (info, "package");

  if (out_major != NULL)
    *out_major = (guint) major;
  if (out_minor != NULL)
    *out_minor = (guint) minor;
  if (out_micro != NULL)
    *out_micro = (guint) micro;
  if (out_package != NULL)
    *out_package = g_strdup (package != NULL ? package : "");
  return TRUE;
}

void
hv_kvm_qmp_query_status_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  hv_kvm_qmp_client_call_async (self, "query-status", NULL, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_query_status_async, cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_query_status_finish:
 * @out_running: (out) (optional): whether the vCPUs run
 *
 * Returns: (transfer full): QEMU's run state, such as `running`, `paused`
 *   or `postmigrate`
 */
gchar *
hv_kvm_qmp_query_status_finish (HvKvmQmpClient *self,
                                GAsyncResult   *result,
                                gboolean       *out_running,
                                GError        **error)
{
  g_autoptr(JsonObject) info =
    hv_kvm_qmp_finish_object (self, result, hv_kvm_qmp_query_status_async, error);
  const gchar *status;
  gboolean running;

  if (info == NULL)
    return NULL;
  status = hv_kvm_qmp_json_get_string (info, "status");
  if (status == NULL || !hv_kvm_qmp_json_get_boolean (info, "running", &running))
    {
      hv_kvm_qmp_set_bad_return (error, "query-status", _("no status or running flag"));
      return NULL;
    }
  if (out_running != NULL)
    *out_running = running;
  return g_strdup (status);
}

void
hv_kvm_qmp_query_commands_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  hv_kvm_qmp_client_call_async (self, "query-commands", NULL, NULL, HV_KVM_QMP_RETURN_ARRAY,
                                hv_kvm_qmp_query_commands_async, cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_query_commands_finish:
 *
 * Returns: (transfer full): the names of the commands QEMU offers, in its
 *   order
 */
GStrv
hv_kvm_qmp_query_commands_finish (HvKvmQmpClient *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_autoptr(JsonArray) commands =
    finish_array_of (self, result, hv_kvm_qmp_query_commands_async, "query-commands",
                     "name", G_TYPE_STRING, error);
  GStrv names;
  guint n;

  if (commands == NULL)
    return NULL;
  n = json_array_get_length (commands);
  names = g_new0 (gchar *, n + 1);
  for (guint i = 0; i < n; i++)
    names[i] = g_strdup (hv_kvm_qmp_json_get_string (json_array_get_object_element (commands, i),
                                                     "name"));
  return names;
}

void
hv_kvm_qmp_query_pci_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  hv_kvm_qmp_client_call_async (self, "query-pci", NULL, NULL, HV_KVM_QMP_RETURN_ARRAY,
                                hv_kvm_qmp_query_pci_async, cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_query_pci_finish:
 *
 * Returns: (transfer full): QEMU's PciInfo list, one object per bus, each
 *   with its `devices` array
 */
JsonArray *
hv_kvm_qmp_query_pci_finish (HvKvmQmpClient *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  return finish_array_of (self, result, hv_kvm_qmp_query_pci_async, "query-pci",
                          "devices", G_TYPE_OBJECT, error);
}

void
hv_kvm_qmp_query_block_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  hv_kvm_qmp_client_call_async (self, "query-block", NULL, NULL, HV_KVM_QMP_RETURN_ARRAY,
                                hv_kvm_qmp_query_block_async, cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_query_block_finish:
 *
 * Returns: (transfer full): QEMU's BlockInfo list, each with its `device`
 */
JsonArray *
hv_kvm_qmp_query_block_finish (HvKvmQmpClient *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  return finish_array_of (self, result, hv_kvm_qmp_query_block_async, "query-block",
                          "device", G_TYPE_STRING, error);
}

void
hv_kvm_qmp_query_named_block_nodes_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  hv_kvm_qmp_client_call_async (self, "query-named-block-nodes", NULL, NULL,
                                HV_KVM_QMP_RETURN_ARRAY, hv_kvm_qmp_query_named_block_nodes_async,
                                cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_query_named_block_nodes_finish:
 *
 * Returns: (transfer full): QEMU's BlockDeviceInfo list, each with its
 *   `node-name`
 */
JsonArray *
hv_kvm_qmp_query_named_block_nodes_finish (HvKvmQmpClient *self,
                                           GAsyncResult   *result,
                                           GError        **error)
{
  return finish_array_of (self, result, hv_kvm_qmp_query_named_block_nodes_async,
                          "query-named-block-nodes", "node-name", G_TYPE_STRING, error);
}

void
hv_kvm_qmp_query_cpus_fast_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  hv_kvm_qmp_client_call_async (self, "query-cpus-fast", NULL, NULL, HV_KVM_QMP_RETURN_ARRAY,
                                hv_kvm_qmp_query_cpus_fast_async, cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_query_cpus_fast_finish:
 *
 * Returns: (transfer full): QEMU's CpuInfoFast list, each with its
 *   `cpu-index` and `thread-id`
 */
JsonArray *
hv_kvm_qmp_query_cpus_fast_finish (HvKvmQmpClient *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_autoptr(JsonArray) cpus =
    finish_array_of (self, result, hv_kvm_qmp_query_cpus_fast_async, "query-cpus-fast",
                     "cpu-index", G_TYPE_INT64, error);
  gint64 thread_id;

  if (cpus == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (cpus); i++)
    if (!hv_kvm_qmp_json_get_int (json_array_get_object_element (cpus, i), "thread-id", &thread_id))
      {
        hv_kvm_qmp_set_bad_return (error, "query-cpus-fast", _("a vCPU has no thread-id"));
        return NULL;
      }
  return g_steal_pointer (&cpus);
}

void
hv_kvm_qmp_query_balloon_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  hv_kvm_qmp_client_call_async (self, "query-balloon", NULL, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_query_balloon_async, cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_query_balloon_finish:
 * @out_actual: (out): the guest's memory, in bytes
 *
 * Without a balloon device QEMU answers with the class `DeviceNotActive`.
 */
gboolean
hv_kvm_qmp_query_balloon_finish (HvKvmQmpClient *self,
                                 GAsyncResult   *result,
                                 guint64        *out_actual,
                                 GError        **error)
{
  g_autoptr(JsonObject) info =
    hv_kvm_qmp_finish_object (self, result, hv_kvm_qmp_query_balloon_async, error);
  gint64 actual;

  if (info == NULL)
    return FALSE;
  if (!hv_kvm_qmp_json_get_int (info, "actual", &actual) || actual < 0)
    return hv_kvm_qmp_set_bad_return (error, "query-balloon", _("no actual size"));
  *out_actual = (guint64) actual;
  return TRUE;
}

/* ---- block devices ------------------------------------------------------ */

/**
 * hv_kvm_qmp_blockdev_add_async:
 * @options: QEMU's BlockdevOptions, with at least `driver` and `node-name`
 */
void
hv_kvm_qmp_blockdev_add_async (HvKvmQmpClient *self,
                               JsonObject     *options,
                               HV_KVM_QMP_COMMAND_ARGS)
{
  g_return_if_fail (options != NULL);
  hv_kvm_qmp_client_call_async (self, "blockdev-add", options, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_blockdev_add_async, cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_blockdev_add_finish (HvKvmQmpClient *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_blockdev_add_async, error);
}

void
hv_kvm_qmp_blockdev_del_async (HvKvmQmpClient *self,
                               const gchar    *node_name,
                               HV_KVM_QMP_COMMAND_ARGS)
{
  g_autoptr(JsonObject) arguments = arguments_with_string ("node-name", node_name);

  hv_kvm_qmp_client_call_async (self, "blockdev-del", arguments, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_blockdev_del_async, cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_blockdev_del_finish (HvKvmQmpClient *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_blockdev_del_async, error);
}

/* ---- devices and network back-ends -------------------------------------- */

/* {first: value, id: id, …properties} */
static JsonObject *
arguments_with_properties (const gchar *first,
                           const gchar *value,
                           const gchar *id,
                           JsonObject  *properties)
{
  JsonObject *arguments = json_object_new ();
  JsonObjectIter iter;
  const gchar *name;
  JsonNode *member;

  json_object_set_string_member (arguments, first, value);
  json_object_set_string_member (arguments, "id", id);
  if (properties != NULL)
    {
      json_object_iter_init_ordered (&iter, properties);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (arguments, name, json_node_ref (member));
    }
  return arguments;
}

/**
 * hv_kvm_qmp_device_add_async:
 * @driver: the device model, such as `virtio-blk-pci`
 * @id: the device's id, which `DEVICE_DELETED` will carry
 * @properties: (nullable): the other properties, such as `drive`, `bus`
 *   and `addr`
 */
void
hv_kvm_qmp_device_add_async (HvKvmQmpClient *self,
                             const gchar    *driver,
                             const gchar    *id,
                             JsonObject     *properties,
                             HV_KVM_QMP_COMMAND_ARGS)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_if_fail (driver != NULL && id != NULL);
  arguments = arguments_with_properties ("driver", driver, id, properties);
  hv_kvm_qmp_client_call_async (self, "device_add", arguments, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_device_add_async, cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_device_add_finish (HvKvmQmpClient *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_device_add_async, error);
}

/**
 * hv_kvm_qmp_device_del_async:
 *
 * Asks for the removal; only `DEVICE_DELETED` proves it happened. Register
 * the waiter for it (hv_kvm_qmp_client_wait_event_async()) before calling
 * this.
 */
void
hv_kvm_qmp_device_del_async (HvKvmQmpClient *self,
                             const gchar    *id,
                             HV_KVM_QMP_COMMAND_ARGS)
{
  g_autoptr(JsonObject) arguments = arguments_with_string ("id", id);

  hv_kvm_qmp_client_call_async (self, "device_del", arguments, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_device_del_async, cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_device_del_finish:
 *
 * An unknown id is %HV_ERROR_MONITOR with the class `DeviceNotFound`.
 */
gboolean
hv_kvm_qmp_device_del_finish (HvKvmQmpClient *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_device_del_async, error);
}

/**
 * hv_kvm_qmp_netdev_add_async:
 * @type: the back-end type, such as `tap`
 * @id: the back-end's id
 * @properties: (nullable): the other properties, such as `fd` (a name from
 *   getfd, used up by this call) or `vhost`
 */
void
hv_kvm_qmp_netdev_add_async (HvKvmQmpClient *self,
                             const gchar    *type,
                             const gchar    *id,
                             JsonObject     *properties,
                             HV_KVM_QMP_COMMAND_ARGS)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_if_fail (type != NULL && id != NULL);
  arguments = arguments_with_properties ("type", type, id, properties);
  hv_kvm_qmp_client_call_async (self, "netdev_add", arguments, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_netdev_add_async, cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_netdev_add_finish (HvKvmQmpClient *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_netdev_add_async, error);
}

void
hv_kvm_qmp_netdev_del_async (HvKvmQmpClient *self,
                             const gchar    *id,
                             HV_KVM_QMP_COMMAND_ARGS)
{
  g_autoptr(JsonObject) arguments = arguments_with_string ("id", id);

  hv_kvm_qmp_client_call_async (self, "netdev_del", arguments, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_netdev_del_async, cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_netdev_del_finish (HvKvmQmpClient *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_netdev_del_async, error);
}
