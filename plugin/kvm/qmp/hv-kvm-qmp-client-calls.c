/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * HvKvmQmpClient: calls — ids, replies, timeouts and cancellation.
 */
#define G_LOG_DOMAIN "HvKvmQmp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hvkit.h"
#include "hv-kvm-qmp-client-internal.h"
#include "hv-kvm-qmp-json.h"

void
hv_kvm_qmp_call_free (HvKvmQmpCall *call)
{
  hv_kvm_qmp_destroy_source (&call->cancel_source);
  g_clear_object (&call->task);
  g_free (call->command);
  g_free (call);
}

static gboolean
on_timer (gpointer user_data);

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs timer_source_funcs = {
  .dispatch = timer_dispatch,
};

/* One timer per client, set to the earliest deadline it has seen; when it
 * fires it fails what is due and moves on to the next deadline. Calls that
 * complete in time leave it alone, so the usual call costs no timer work. */
static void
arm_timer (HvKvmQmpClient *self,
           gint64          deadline)
{
  gint64 ready;

  if (self->timer_source == NULL)
    {
      self->timer_source = g_source_new (&timer_source_funcs, sizeof (GSource));
      g_source_set_callback (self->timer_source, on_timer, self, NULL);
      g_source_set_static_name (self->timer_source, "HvKvmQmpClient timer");
      g_source_attach (self->timer_source, self->context);
    }

  ready = g_source_get_ready_time (self->timer_source);
  if (ready == -1 || deadline < ready)
    g_source_set_ready_time (self->timer_source, deadline);
}

static void
abandon_call (HvKvmQmpClient *self,
              HvKvmQmpCall   *call)
{
  gint64 *key = g_new (gint64, 1);

  *key = (gint64) call->serial;
  g_hash_table_replace (self->abandoned, key, g_strdup (call->command));
}

static gint
compare_calls (gconstpointer a,
               gconstpointer b)
{
  const HvKvmQmpCall *call_a = *(HvKvmQmpCall *const *) a;
  const HvKvmQmpCall *call_b = *(HvKvmQmpCall *const *) b;

  return call_a->serial < call_b->serial ? -1 : call_a->serial > call_b->serial;
}

static gboolean
on_timer (gpointer user_data)
{
  g_autoptr(HvKvmQmpClient) self = g_object_ref (HV_KVM_QMP_CLIENT (user_data));
  g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_kvm_qmp_call_free);
  gint64 now = g_get_monotonic_time ();
  gint64 next = -1;
  GHashTableIter iter;
  HvKvmQmpCall *call;

  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &call))
    {
      if (call->deadline == 0)
        continue;
      if (call->deadline <= now)
        {
          g_hash_table_iter_steal (&iter);
          g_ptr_array_add (expired, call);
        }
      else if (next == -1 || call->deadline < next)
        {
          next = call->deadline;
        }
    }
  if (next != -1)
    g_source_set_ready_time (self->timer_source, next);

  g_ptr_array_sort (expired, compare_calls);
  for (guint i = 0; i < expired->len; i++)
    {
      call = g_ptr_array_index (expired, i);
      abandon_call (self, call);
      g_task_return_new_error (call->task, HV_ERROR, HV_ERROR_TIMEOUT,
                               _("QEMU did not answer “%s” within %u ms"),
                               call->command, call->timeout_ms);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_call_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  HvKvmQmpCall *call = user_data;
  HvKvmQmpClient *self = call->client;
  gint64 serial = (gint64) call->serial;

  g_hash_table_steal (self->calls, &serial);
  abandon_call (self, call);
  g_debug ("“%s” (id %" G_GUINT64_FORMAT ") cancelled; its reply will be dropped",
           call->command, call->serial);
  g_task_return_new_error (call->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("“%s” was cancelled"), call->command);
  hv_kvm_qmp_call_free (call);
  return G_SOURCE_REMOVE;
}

static void
start_call (HvKvmQmpClient    *self,
            GTask             *task,
            const gchar       *command,
            JsonObject        *arguments,
            GUnixFDList       *fds,
            gint               timeout_ms,
            HvKvmQmpReturnType return_type)
{
  HvKvmQmpCall *call;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->state != HV_KVM_QMP_STATE_READY)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_MONITOR,
                               _("Could not send “%s”: the QMP client is not connected"),
                               command);
      return;
    }

  call = g_new0 (HvKvmQmpCall, 1);
  call->client = self;
  call->serial = ++self->next_serial;
  call->command = g_strdup (command);
  call->task = g_object_ref (task);
  call->return_type = return_type;
  call->timeout_ms = timeout_ms < 0 ? self->command_timeout_ms : (guint) timeout_ms;
  if (call->timeout_ms > 0)
    call->deadline = g_get_monotonic_time () + (gint64) call->timeout_ms * 1000;
  g_hash_table_insert (self->calls, &call->serial, call);

  if (cancellable != NULL)
    {
      call->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (call->cancel_source, G_SOURCE_FUNC (on_call_cancelled), call, NULL);
      g_source_attach (call->cancel_source, self->context);
    }
  if (call->deadline != 0)
    arm_timer (self, call->deadline);

  /* last: a write error closes the connection, which fails this call too */
  hv_kvm_qmp_client_send_command (self, call->serial, command, arguments, fds);
}

static const gchar *
return_type_name (HvKvmQmpReturnType return_type)
{
  switch (return_type)
    {
    case HV_KVM_QMP_RETURN_OBJECT:
      return "an object";
    case HV_KVM_QMP_RETURN_ARRAY:
      return "an array";
    case HV_KVM_QMP_RETURN_STRING:
      return "a string";
    case HV_KVM_QMP_RETURN_ANY:
    default:
      return "anything";
    }
}

static gboolean
check_return_type (JsonNode          *value,
                   HvKvmQmpReturnType return_type)
{
  switch (return_type)
    {
    case HV_KVM_QMP_RETURN_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (value);
    case HV_KVM_QMP_RETURN_ARRAY:
      return JSON_NODE_HOLDS_ARRAY (value);
    case HV_KVM_QMP_RETURN_STRING:
      return JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING;
    case HV_KVM_QMP_RETURN_ANY:
    default:
      return TRUE;
    }
}

static void
complete_call_with (HvKvmQmpCall          *call,
                    const HvKvmQmpMessage *message)
{
  GError *error;
  JsonNode *value;

  if (message->kind == HV_KVM_QMP_MESSAGE_ERROR)
    {
      error = g_error_new (HV_ERROR, HV_ERROR_MONITOR, _("QEMU command “%s” failed: %s"),
                           call->command, message->error_desc);
      hv_error_set_qmp_class (error, message->error_class);
      g_task_return_error (call->task, error);
      return;
    }

  if (!check_return_type (message->value, call->return_type))
    {
      g_task_return_new_error (call->task, HV_ERROR, HV_ERROR_MONITOR,
                               _("QEMU command “%s” returned %s where %s was expected"),
                               call->command, hv_kvm_qmp_json_node_type_name (message->value),
                               return_type_name (call->return_type));
      return;
    }

  /* the value outlives the message it came in */
  value = json_node_ref (message->value);
  json_node_set_parent (value, NULL);
  g_task_return_pointer (call->task, value, (GDestroyNotify) json_node_unref);
}

/* Takes @call, which is no longer in the table. */
void
hv_kvm_qmp_client_complete_call (HvKvmQmpClient        *self,
                                 HvKvmQmpCall          *call,
                                 const HvKvmQmpMessage *message)
{
  /* before the callback runs: no cancel can come after the reply */
  hv_kvm_qmp_destroy_source (&call->cancel_source);
  complete_call_with (call, message);
  hv_kvm_qmp_call_free (call);
}

/**
 * hv_kvm_qmp_client_execute_async:
 * @self: a connected client
 * @command: the QMP command, such as `query-status`
 * @arguments: (nullable): its arguments
 * @fds: (nullable): file descriptors to send with it (`getfd`, `add-fd`);
 *   they are duplicated by the kernel, the caller keeps its own
 * @cancellable: (nullable): cancels this call only; QEMU may still run the
 *   command, and its reply is dropped
 * @callback: called with the result
 * @user_data: for @callback
 *
 * Sends @command with the client's command timeout. Any number of calls may
 * be in flight.
 */
void
hv_kvm_qmp_client_execute_async (HvKvmQmpClient     *self,
                                 const gchar        *command,
                                 JsonObject         *arguments,
                                 GUnixFDList        *fds,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));
  g_return_if_fail (command != NULL && *command != '\0');
  g_return_if_fail (fds == NULL || G_IS_UNIX_FD_LIST (fds));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_kvm_qmp_client_execute_async);
  start_call (self, task, command, arguments, fds, -1, HV_KVM_QMP_RETURN_ANY);
}

/**
 * hv_kvm_qmp_client_execute_finish:
 *
 * Returns: (transfer full): the `return` value of the command. A QEMU error
 *   is %HV_ERROR_MONITOR naming the command, with QEMU's description and
 *   its class (hv_error_get_qmp_class()); a timeout is %HV_ERROR_TIMEOUT.
 */
JsonNode *
hv_kvm_qmp_client_execute_finish (HvKvmQmpClient *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_qmp_client_execute_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * hv_kvm_qmp_client_execute_full_async:
 * @timeout_ms: milliseconds for this call; 0 for none, -1 for the
 *   client's command timeout
 *
 * Like hv_kvm_qmp_client_execute_async(), with a timeout of its own.
 */
void
hv_kvm_qmp_client_execute_full_async (HvKvmQmpClient     *self,
                                      const gchar        *command,
                                      JsonObject         *arguments,
                                      GUnixFDList        *fds,
                                      gint                timeout_ms,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));
  g_return_if_fail (command != NULL && *command != '\0');
  g_return_if_fail (fds == NULL || G_IS_UNIX_FD_LIST (fds));
  g_return_if_fail (timeout_ms >= -1);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_kvm_qmp_client_execute_full_async);
  start_call (self, task, command, arguments, fds, timeout_ms, HV_KVM_QMP_RETURN_ANY);
}

/**
 * hv_kvm_qmp_client_execute_full_finish:
 *
 * Returns: (transfer full): as hv_kvm_qmp_client_execute_finish()
 */
JsonNode *
hv_kvm_qmp_client_execute_full_finish (HvKvmQmpClient *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_qmp_client_execute_full_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The typed wrappers' entry: the GTask carries the wrapper's source tag, and
 * a `return` of another type than @return_type fails the call. */
void
hv_kvm_qmp_client_call_async (HvKvmQmpClient     *self,
                              const gchar        *command,
                              JsonObject         *arguments,
                              GUnixFDList        *fds,
                              HvKvmQmpReturnType  return_type,
                              gpointer            source_tag,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  start_call (self, task, command, arguments, fds, -1, return_type);
}

JsonNode *
hv_kvm_qmp_client_call_finish (HvKvmQmpClient *self,
                               GAsyncResult   *result,
                               gpointer        source_tag,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Fails every pending call, in the order they were sent. */
void
hv_kvm_qmp_client_fail_calls (HvKvmQmpClient *self,
                    const GError   *reason)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_kvm_qmp_call_free);
  GHashTableIter iter;
  HvKvmQmpCall *call;

  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &call))
    {
      g_hash_table_iter_steal (&iter);
      g_ptr_array_add (pending, call);
    }
  g_hash_table_remove_all (self->abandoned);

  /* in the order they were sent */
  g_ptr_array_sort (pending, compare_calls);
  for (guint i = 0; i < pending->len; i++)
    {
      call = g_ptr_array_index (pending, i);
      if (reason != NULL)
        g_task_return_new_error (call->task, HV_ERROR, HV_ERROR_MONITOR,
                                 _("QEMU command “%s” failed: connection closed (%s)"),
                                 call->command, reason->message);
      else
        g_task_return_new_error (call->task, HV_ERROR, HV_ERROR_MONITOR,
                                 _("QEMU command “%s” failed: connection closed"),
                                 call->command);
    }
}
