/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * HvKvmQmpClient: waiting for an event.
 */
#define G_LOG_DOMAIN "HvKvmQmp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hvkit.h"
#include "hv-kvm-qmp-client-internal.h"

typedef struct {
  HvKvmQmpClient        *client;   /* not a reference: waiters die with the connection */
  gchar                 *event;
  HvKvmQmpEventMatchFunc match;
  gpointer               match_data;
  GDestroyNotify         match_data_destroy;
  guint                  timeout_ms;
  GTask                 *task;
  GSource               *timeout_source;
  GSource               *cancel_source;
} Waiter;

typedef struct {
  gchar      *event;
  JsonObject *data;
  gint64      timestamp;
} EventResult;

static void
event_result_free (EventResult *result)
{
  g_free (result->event);
  json_object_unref (result->data);
  g_free (result);
}

static void
waiter_free (Waiter *waiter)
{
  hv_kvm_qmp_destroy_source (&waiter->timeout_source);
  hv_kvm_qmp_destroy_source (&waiter->cancel_source);
  if (waiter->match_data_destroy != NULL)
    waiter->match_data_destroy (waiter->match_data);
  g_clear_object (&waiter->task);
  g_free (waiter->event);
  g_free (waiter);
}

static const gchar *
waiter_describe (Waiter *waiter)
{
  return waiter->event != NULL ? waiter->event : _("any event");
}

/* Unlinks @waiter, fails it with @error and frees it. */
static void
waiter_fail (Waiter *waiter,
             GError *error)
{
  g_queue_remove (&waiter->client->waiters, waiter);
  hv_kvm_qmp_destroy_source (&waiter->timeout_source);
  hv_kvm_qmp_destroy_source (&waiter->cancel_source);
  g_task_return_error (waiter->task, error);
  waiter_free (waiter);
}

static gboolean
on_waiter_timeout (gpointer user_data)
{
  Waiter *waiter = user_data;

  waiter_fail (waiter, g_error_new (HV_ERROR, HV_ERROR_TIMEOUT,
                                    _("QEMU sent no matching %s within %u ms"),
                                    waiter_describe (waiter), waiter->timeout_ms));
  return G_SOURCE_REMOVE;
}

static gboolean
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter_fail (waiter, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                    _("Waiting for %s was cancelled"), waiter_describe (waiter)));
  return G_SOURCE_REMOVE;
}

/**
 * hv_kvm_qmp_client_wait_event_async:
 * @self: a connected client
 * @event: (nullable): the event's name, or %NULL for any event
 * @match: (nullable) (scope notified): decides whether an event of that
 *   name is the one; must not call into @self
 * @match_data: (closure match): for @match
 * @match_data_destroy: (destroy match): frees @match_data when the wait ends
 * @timeout_ms: milliseconds, or 0 for none
 * @cancellable: (nullable): ends the wait
 * @callback: called with the first matching event
 * @user_data: for @callback
 *
 * Waits for the first event, after this call, that has the name @event and
 * that @match accepts. The waiter is registered before this function
 * returns, so register it *before* sending the command that causes the
 * event: QEMU may send `DEVICE_DELETED` before `device_del`'s reply.
 *
 * |[<!-- language="C" -->
 * hv_kvm_qmp_client_wait_event_async (client, NULL, is_removal_of, g_strdup (id), g_free,
 *                                     10000, cancellable, on_removed, op);
 * hv_kvm_qmp_device_del_async (client, id, cancellable, on_device_del, op);
 * ]|
 *
 * where `is_removal_of` accepts `DEVICE_DELETED` and
 * `DEVICE_UNPLUG_GUEST_ERROR` whose `device` is the id.
 */
void
hv_kvm_qmp_client_wait_event_async (HvKvmQmpClient        *self,
                                    const gchar           *event,
                                    HvKvmQmpEventMatchFunc match,
                                    gpointer               match_data,
                                    GDestroyNotify         match_data_destroy,
                                    guint                  timeout_ms,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  Waiter *waiter;

  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_kvm_qmp_client_wait_event_async);
  if (self->state != HV_KVM_QMP_STATE_READY || g_cancellable_is_cancelled (cancellable))
    {
      if (match_data_destroy != NULL)
        match_data_destroy (match_data);
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_new_error (task, HV_ERROR, HV_ERROR_MONITOR,
                                 _("Could not wait for %s: the QMP client is not connected"),
                                 event != NULL ? event : _("an event"));
      return;
    }

  waiter = g_new0 (Waiter, 1);
  waiter->client = self;
  waiter->event = g_strdup (event);
  waiter->match = match;
  waiter->match_data = match_data;
  waiter->match_data_destroy = match_data_destroy;
  waiter->timeout_ms = timeout_ms;
  waiter->task = g_steal_pointer (&task);
  g_queue_push_tail (&self->waiters, waiter);

  if (timeout_ms > 0)
    {
      waiter->timeout_source = g_timeout_source_new (timeout_ms);
      g_source_set_callback (waiter->timeout_source, on_waiter_timeout, waiter, NULL);
      g_source_attach (waiter->timeout_source, self->context);
    }
  if (cancellable != NULL)
    {
      waiter->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancel_source, G_SOURCE_FUNC (on_waiter_cancelled),
                             waiter, NULL);
      g_source_attach (waiter->cancel_source, self->context);
    }
}

/**
 * hv_kvm_qmp_client_wait_event_finish:
 * @out_event: (out) (optional) (transfer full): the event's name
 * @out_timestamp: (out) (optional): when QEMU emitted it, in microseconds
 *   since the epoch, or -1
 *
 * Returns: (transfer full): the event's data, an empty object when it had
 *   none; %HV_ERROR_TIMEOUT when none came in time, %HV_ERROR_MONITOR when
 *   the connection closed first
 */
JsonObject *
hv_kvm_qmp_client_wait_event_finish (HvKvmQmpClient *self,
                                     GAsyncResult   *result,
                                     gchar         **out_event,
                                     gint64         *out_timestamp,
                                     GError        **error)
{
  EventResult *event_result;
  JsonObject *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_qmp_client_wait_event_async, NULL);

  event_result = g_task_propagate_pointer (G_TASK (result), error);
  if (event_result == NULL)
    return NULL;
  if (out_event != NULL)
    *out_event = g_steal_pointer (&event_result->event);
  if (out_timestamp != NULL)
    *out_timestamp = event_result->timestamp;
  data = json_object_ref (event_result->data);
  event_result_free (event_result);
  return data;
}

/* Completes, in the order they were registered, the waiters @event
 * satisfies. They are unlinked first: a callback may register new ones. */
void
hv_kvm_qmp_client_complete_waiters (HvKvmQmpClient *self,
                                    const gchar    *event,
                                    JsonObject     *data,
                                    gint64          timestamp)
{
  GQueue matched = G_QUEUE_INIT;
  GList *link = self->waiters.head;
  Waiter *waiter;

  while (link != NULL)
    {
      GList *next = link->next;

      waiter = link->data;
      if ((waiter->event == NULL || g_str_equal (waiter->event, event)) &&
          (waiter->match == NULL || waiter->match (event, data, waiter->match_data)))
        {
          g_queue_unlink (&self->waiters, link);
          g_queue_push_tail_link (&matched, link);
        }
      link = next;
    }

  while ((waiter = g_queue_pop_head (&matched)) != NULL)
    {
      EventResult *result = g_new0 (EventResult, 1);

      result->event = g_strdup (event);
      result->data = json_object_ref (data);
      result->timestamp = timestamp;
      hv_kvm_qmp_destroy_source (&waiter->timeout_source);
      hv_kvm_qmp_destroy_source (&waiter->cancel_source);
      g_task_return_pointer (waiter->task, result, (GDestroyNotify) event_result_free);
      waiter_free (waiter);
    }
}

void
hv_kvm_qmp_client_fail_waiters (HvKvmQmpClient *self,
                                const GError   *reason)
{
  Waiter *waiter;

  while ((waiter = g_queue_peek_head (&self->waiters)) != NULL)
    {
      if (reason != NULL)
        waiter_fail (waiter, g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                          _("Waiting for %s failed: connection closed (%s)"),
                                          waiter_describe (waiter), reason->message));
      else
        waiter_fail (waiter, g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                          _("Waiting for %s failed: connection closed"),
                                          waiter_describe (waiter)));
    }
}
