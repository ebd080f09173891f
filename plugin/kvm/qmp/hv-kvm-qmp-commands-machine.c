/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Typed QMP commands: file descriptors, the machine and migration.
 */
#define G_LOG_DOMAIN "HvKvmQmp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hvkit.h"
#include "hv-kvm-qmp-commands.h"
#include "hv-kvm-qmp-json.h"

static void
call_without_arguments (HvKvmQmpClient     *self,
                        const gchar        *command,
                        gpointer            source_tag,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  hv_kvm_qmp_client_call_async (self, command, NULL, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                source_tag, cancellable, callback, user_data);
}

static void
call_with_string (HvKvmQmpClient     *self,
                  const gchar        *command,
                  const gchar        *name,
                  const gchar        *value,
                  gpointer            source_tag,
                  GCancellable       *cancellable,
                  GAsyncReadyCallback callback,
                  gpointer            user_data)
{
  g_autoptr(JsonObject) arguments = json_object_new ();

  json_object_set_string_member (arguments, name, value);
  hv_kvm_qmp_client_call_async (self, command, arguments, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                source_tag, cancellable, callback, user_data);
}

/* ---- file descriptors --------------------------------------------------- */

/**
 * hv_kvm_qmp_getfd_async:
 * @fdname: the name QEMU gives the descriptor; a netdev_add that names it
 *   uses it up
 * @fd: the descriptor, sent as SCM_RIGHTS with the command; the caller
 *   keeps its own
 */
void
hv_kvm_qmp_getfd_async (HvKvmQmpClient *self,
                        const gchar    *fdname,
                        gint            fd,
                        HV_KVM_QMP_COMMAND_ARGS)
{
  g_autoptr(JsonObject) arguments = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;

  g_return_if_fail (fdname != NULL);
  if (g_unix_fd_list_append (fds, fd, &error) < 0)
    {
      g_task_report_new_error (self, callback, user_data, hv_kvm_qmp_getfd_async,
                               HV_ERROR, HV_ERROR_MONITOR, _("Could not pass fd %d to QEMU: %s"),
                               fd, error->message);
      return;
    }
  arguments = json_object_new ();
  json_object_set_string_member (arguments, "fdname", fdname);
  hv_kvm_qmp_client_call_async (self, "getfd", arguments, fds, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_getfd_async, cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_getfd_finish (HvKvmQmpClient *self,
                         GAsyncResult   *result,
                         GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_getfd_async, error);
}

void
hv_kvm_qmp_closefd_async (HvKvmQmpClient *self,
                          const gchar    *fdname,
                          HV_KVM_QMP_COMMAND_ARGS)
{
  call_with_string (self, "closefd", "fdname", fdname, hv_kvm_qmp_closefd_async,
                    cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_closefd_finish (HvKvmQmpClient *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_closefd_async, error);
}

/**
 * hv_kvm_qmp_add_fd_async:
 * @fd: the descriptor, sent as SCM_RIGHTS with the command
 * @fdset_id: the set to add it to, or -1 for a new set
 * @opaque: (nullable): a note QEMU keeps with it (query-fdsets shows it)
 */
void
hv_kvm_qmp_add_fd_async (HvKvmQmpClient *self,
                         gint            fd,
                         gint64          fdset_id,
                         const gchar    *opaque,
                         HV_KVM_QMP_COMMAND_ARGS)
{
  g_autoptr(JsonObject) arguments = json_object_new ();
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;

  if (g_unix_fd_list_append (fds, fd, &error) < 0)
    {
      g_task_report_new_error (self, callback, user_data, hv_kvm_qmp_add_fd_async,
                               HV_ERROR, HV_ERROR_MONITOR, _("Could not pass fd %d to QEMU: %s"),
                               fd, error->message);
      return;
    }
  if (fdset_id >= 0)
    json_object_set_int_member (arguments, "fdset-id", fdset_id);
  if (opaque != NULL)
    json_object_set_string_member (arguments, "opaque", opaque);
  hv_kvm_qmp_client_call_async (self, "add-fd", arguments, fds, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_add_fd_async, cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_add_fd_finish:
 * @out_fdset_id: (out) (optional): the set the descriptor is in
 * @out_fd: (out) (optional): its number inside QEMU
 */
gboolean
hv_kvm_qmp_add_fd_finish (HvKvmQmpClient *self,
                          GAsyncResult   *result,
                          gint64         *out_fdset_id,
                          gint64         *out_fd,
                          GError        **error)
{
  g_autoptr(JsonObject) info = hv_kvm_qmp_finish_object (self, result, hv_kvm_qmp_add_fd_async, error);
  gint64 fdset_id, fd;

  if (info == NULL)
    return FALSE;
  if (!hv_kvm_qmp_json_get_int (info, "fdset-id", &fdset_id) ||
      !hv_kvm_qmp_json_get_int (info, "fd", &fd))
    return hv_kvm_qmp_set_bad_return (error, "add-fd", _("no fdset-id or fd"));
  if (out_fdset_id != NULL)
    *out_fdset_id = fdset_id;
  if (out_fd != NULL)
    *out_fd = fd;
  return TRUE;
}

/**
 * hv_kvm_qmp_remove_fd_async:
 * @fdset_id: the set
 * @fd: QEMU's number of one descriptor in it, or -1 for the whole set
 */
void
hv_kvm_qmp_remove_fd_async (HvKvmQmpClient *self,
                            gint64          fdset_id,
                            gint64          fd,
                            HV_KVM_QMP_COMMAND_ARGS)
{
  g_autoptr(JsonObject) arguments = json_object_new ();

  json_object_set_int_member (arguments, "fdset-id", fdset_id);
  if (fd >= 0)
    json_object_set_int_member (arguments, "fd", fd);
  hv_kvm_qmp_client_call_async (self, "remove-fd", arguments, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_remove_fd_async, cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_remove_fd_finish (HvKvmQmpClient *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_remove_fd_async, error);
}

/* ---- the machine -------------------------------------------------------- */

/**
 * hv_kvm_qmp_human_monitor_command_async:
 * @command_line: an HMP command line, such as `info network`
 *
 * HMP reports many failures only in its text ("Could not open …"): the
 * caller reads it.
 */
void
hv_kvm_qmp_human_monitor_command_async (HvKvmQmpClient *self,
                                        const gchar    *command_line,
                                        HV_KVM_QMP_COMMAND_ARGS)
{
  g_autoptr(JsonObject) arguments = json_object_new ();

  json_object_set_string_member (arguments, "command-line", command_line);
  hv_kvm_qmp_client_call_async (self, "human-monitor-command", arguments, NULL,
                                HV_KVM_QMP_RETURN_STRING, hv_kvm_qmp_human_monitor_command_async,
                                cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_human_monitor_command_finish:
 *
 * Returns: (transfer full): what HMP printed
 */
gchar *
hv_kvm_qmp_human_monitor_command_finish (HvKvmQmpClient *self,
                                         GAsyncResult   *result,
                                         GError        **error)
{
  g_autoptr(JsonNode) value =
    hv_kvm_qmp_client_call_finish (self, result, hv_kvm_qmp_human_monitor_command_async, error);

  return value != NULL ? json_node_dup_string (value) : NULL;
}

void
hv_kvm_qmp_system_powerdown_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  call_without_arguments (self, "system_powerdown", hv_kvm_qmp_system_powerdown_async,
                          cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_system_powerdown_finish (HvKvmQmpClient *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_system_powerdown_async, error);
}

void
hv_kvm_qmp_system_reset_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  call_without_arguments (self, "system_reset", hv_kvm_qmp_system_reset_async,
                          cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_system_reset_finish (HvKvmQmpClient *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_system_reset_async, error);
}

/**
 * hv_kvm_qmp_quit_async:
 *
 * QEMU sends `SHUTDOWN` before the reply, then closes the connection.
 */
void
hv_kvm_qmp_quit_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  call_without_arguments (self, "quit", hv_kvm_qmp_quit_async, cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_quit_finish (HvKvmQmpClient *self,
                        GAsyncResult   *result,
                        GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_quit_async, error);
}

void
hv_kvm_qmp_stop_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  call_without_arguments (self, "stop", hv_kvm_qmp_stop_async, cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_stop_finish (HvKvmQmpClient *self,
                        GAsyncResult   *result,
                        GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_stop_async, error);
}

void
hv_kvm_qmp_cont_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  call_without_arguments (self, "cont", hv_kvm_qmp_cont_async, cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_cont_finish (HvKvmQmpClient *self,
                        GAsyncResult   *result,
                        GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_cont_async, error);
}

/**
 * hv_kvm_qmp_balloon_async:
 * @bytes: the memory the guest should keep
 */
void
hv_kvm_qmp_balloon_async (HvKvmQmpClient *self,
                          guint64         bytes,
                          HV_KVM_QMP_COMMAND_ARGS)
{
  g_autoptr(JsonObject) arguments = json_object_new ();

  g_return_if_fail (bytes <= G_MAXINT64);
  json_object_set_int_member (arguments, "value", (gint64) bytes);
  hv_kvm_qmp_client_call_async (self, "balloon", arguments, NULL, HV_KVM_QMP_RETURN_OBJECT,
                                hv_kvm_qmp_balloon_async, cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_balloon_finish (HvKvmQmpClient *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_balloon_async, error);
}

/* ---- migration ---------------------------------------------------------- */

/**
 * hv_kvm_qmp_migrate_async:
 * @uri: where to, such as `tcp:198.51.100.7:8102`
 *
 * Returns at once; the `MIGRATION` events and query-migrate follow the
 * migration.
 */
void
hv_kvm_qmp_migrate_async (HvKvmQmpClient *self,
                          const gchar    *uri,
                          HV_KVM_QMP_COMMAND_ARGS)
{
  call_with_string (self, "migrate", "uri", uri, hv_kvm_qmp_migrate_async,
                    cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_migrate_finish (HvKvmQmpClient *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_migrate_async, error);
}

/**
 * hv_kvm_qmp_migrate_incoming_async:
 * @uri: where to listen, for a QEMU started with `-incoming defer`
 */
void
hv_kvm_qmp_migrate_incoming_async (HvKvmQmpClient *self,
                                   const gchar    *uri,
                                   HV_KVM_QMP_COMMAND_ARGS)
{
  call_with_string (self, "migrate-incoming", "uri", uri, hv_kvm_qmp_migrate_incoming_async,
                    cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_migrate_incoming_finish (HvKvmQmpClient *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_migrate_incoming_async, error);
}

/**
 * hv_kvm_qmp_migrate_set_parameters_async:
 * @parameters: QEMU's MigrateSetParameters, such as `max-bandwidth` (bytes
 *   per second) and `downtime-limit` (milliseconds)
 */
void
hv_kvm_qmp_migrate_set_parameters_async (HvKvmQmpClient *self,
                                         JsonObject     *parameters,
                                         HV_KVM_QMP_COMMAND_ARGS)
{
  g_return_if_fail (parameters != NULL);
  hv_kvm_qmp_client_call_async (self, "migrate-set-parameters", parameters, NULL,
                                HV_KVM_QMP_RETURN_OBJECT, hv_kvm_qmp_migrate_set_parameters_async,
                                cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_migrate_set_parameters_finish (HvKvmQmpClient *self,
                                          GAsyncResult   *result,
                                          GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_migrate_set_parameters_async, error);
}

/**
 * hv_kvm_qmp_migrate_set_capabilities_async:
 * @capabilities: (array zero-terminated=1): capability names, such as
 *   `events` or `postcopy-ram`
 * @state: what to set each of them to
 */
void
hv_kvm_qmp_migrate_set_capabilities_async (HvKvmQmpClient     *self,
                                           const gchar *const *capabilities,
                                           gboolean            state,
                                           HV_KVM_QMP_COMMAND_ARGS)
{
  g_autoptr(JsonObject) arguments = json_object_new ();
  JsonArray *list = json_array_new ();

  g_return_if_fail (capabilities != NULL);
  for (gsize i = 0; capabilities[i] != NULL; i++)
    {
      JsonObject *capability = json_object_new ();

      json_object_set_string_member (capability, "capability", capabilities[i]);
      json_object_set_boolean_member (capability, "state", state);
      json_array_add_object_element (list, capability);
    }
  json_object_set_array_member (arguments, "capabilities", list);
  hv_kvm_qmp_client_call_async (self, "migrate-set-capabilities", arguments, NULL,
                                HV_KVM_QMP_RETURN_OBJECT, hv_kvm_qmp_migrate_set_capabilities_async,
                                cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_migrate_set_capabilities_finish (HvKvmQmpClient *self,
                                            GAsyncResult   *result,
                                            GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_migrate_set_capabilities_async, error);
}

void
hv_kvm_qmp_query_migrate_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  call_without_arguments (self, "query-migrate", hv_kvm_qmp_query_migrate_async,
                          cancellable, callback, user_data);
}

/**
 * hv_kvm_qmp_query_migrate_finish:
 *
 * Returns: (transfer full): QEMU's MigrationInfo: empty before any
 *   migration, otherwise with a string `status`
 */
JsonObject *
hv_kvm_qmp_query_migrate_finish (HvKvmQmpClient *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_autoptr(JsonObject) info =
    hv_kvm_qmp_finish_object (self, result, hv_kvm_qmp_query_migrate_async, error);

  if (info == NULL)
    return NULL;
  if (json_object_has_member (info, "status") && hv_kvm_qmp_json_get_string (info, "status") == NULL)
    {
      hv_kvm_qmp_set_bad_return (error, "query-migrate", _("the status is not a string"));
      return NULL;
    }
  return g_steal_pointer (&info);
}

void
hv_kvm_qmp_migrate_cancel_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  call_without_arguments (self, "migrate_cancel", hv_kvm_qmp_migrate_cancel_async,
                          cancellable, callback, user_data);
}

gboolean
hv_kvm_qmp_migrate_cancel_finish (HvKvmQmpClient *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_migrate_cancel_async, error);
}

void
hv_kvm_qmp_migrate_start_postcopy_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  call_without_arguments (self, "migrate-start-postcopy",
                          hv_kvm_qmp_migrate_start_postcopy_async, cancellable, callback,
                          user_data);
}

gboolean
hv_kvm_qmp_migrate_start_postcopy_finish (HvKvmQmpClient *self,
                                          GAsyncResult   *result,
                                          GError        **error)
{
  return hv_kvm_qmp_finish_empty (self, result, hv_kvm_qmp_migrate_start_postcopy_async, error);
}

void
hv_kvm_qmp_query_migrate_parameters_async (HvKvmQmpClient *self, HV_KVM_QMP_COMMAND_ARGS)
{
  call_without_arguments (self, "query-migrate-parameters",
                          hv_kvm_qmp_query_migrate_parameters_async, cancellable, callback,
                          user_data);
}

/**
 * hv_kvm_qmp_query_migrate_parameters_finish:
 *
 * Returns: (transfer full): QEMU's MigrationParameters (`max-bandwidth`,
 *   `downtime-limit`, …)
 */
JsonObject *
hv_kvm_qmp_query_migrate_parameters_finish (HvKvmQmpClient *self,
                                            GAsyncResult   *result,
                                            GError        **error)
{
  return hv_kvm_qmp_finish_object (self, result, hv_kvm_qmp_query_migrate_parameters_async,
                                   error);
}
