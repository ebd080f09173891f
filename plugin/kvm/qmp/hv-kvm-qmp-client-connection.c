/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * HvKvmQmpClient: connecting, the greeting and negotiation, and reading.
 */
#define G_LOG_DOMAIN "HvKvmQmp"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gio/gunixsocketaddress.h>

#include "hvkit.h"
#include "hv-kvm-qmp-client-internal.h"

static void
fail_connect (HvKvmQmpClient *self,
              GError         *reason)
{
  g_autoptr(GError) owned = reason;

  hv_kvm_qmp_client_close_internal (self, owned, TRUE);
}

static void
fail_connect_with_message (HvKvmQmpClient *self,
                           gint            code,
                           const gchar    *message)
{
  fail_connect (self, g_error_new_literal (HV_ERROR, code, message));
}

static void
finish_connect (HvKvmQmpClient *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  hv_kvm_qmp_destroy_source (&self->connect_timeout_source);
  hv_kvm_qmp_destroy_source (&self->connect_cancel_source);
  self->state = HV_KVM_QMP_STATE_READY;
  g_debug ("connected to QEMU %u.%u.%u on %s", self->greeting.major, self->greeting.minor,
           self->greeting.micro, self->socket_path);
  hv_kvm_qmp_client_notify_connected (self);
  g_task_return_boolean (task, TRUE);
}

static void
handle_greeting (HvKvmQmpClient        *self,
                 const HvKvmQmpMessage *message)
{
  g_autoptr(GError) error = NULL;

  if (!hv_kvm_qmp_greeting_init (&self->greeting, message, &error))
    {
      fail_connect (self, g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                       _("%s sent a bad QMP greeting: %s"),
                                       self->socket_path, error->message));
      return;
    }

  /* No capability is asked for: hvkit needs none of them (out-of-band
   * execution would change how QEMU orders replies). */
  self->state = HV_KVM_QMP_STATE_NEGOTIATING;
  self->negotiation_serial = ++self->next_serial;
  hv_kvm_qmp_client_send_command (self, self->negotiation_serial, "qmp_capabilities", NULL, NULL);
}

static void
handle_negotiation_reply (HvKvmQmpClient        *self,
                          const HvKvmQmpMessage *message)
{
  GError *error;

  if (message->kind == HV_KVM_QMP_MESSAGE_RETURN)
    {
      finish_connect (self);
      return;
    }
  error = g_error_new (HV_ERROR, HV_ERROR_MONITOR, _("QEMU refused qmp_capabilities on %s: %s"),
                       self->socket_path, message->error_desc);
  hv_error_set_qmp_class (error, message->error_class);
  fail_connect (self, error);
}

static void
drop_reply (HvKvmQmpClient        *self,
            const HvKvmQmpMessage *message,
            gboolean               ours,
            guint64                serial)
{
  gint64 key = (gint64) serial;
  const gchar *command = ours ? g_hash_table_lookup (self->abandoned, &key) : NULL;

  if (command != NULL)
    {
      g_debug ("dropping the late reply to “%s” (id %" G_GUINT64_FORMAT ")", command, serial);
      g_hash_table_remove (self->abandoned, &key);
    }
  else
    {
      g_debug ("dropping a reply with an unknown id");
    }
}

static void
handle_reply (HvKvmQmpClient        *self,
              const HvKvmQmpMessage *message)
{
  HvKvmQmpCall *call = NULL;
  gboolean ours;
  guint64 serial = 0;
  gint64 key;

  ours = hv_kvm_qmp_message_get_serial (message, &serial);
  if (!ours && message->kind == HV_KVM_QMP_MESSAGE_ERROR && message->id == NULL)
    {
      /* QEMU could not parse what it was sent, so it cannot say which
       * command failed: no pending call can be trusted to finish. */
      fail_connect (self, g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                       _("QEMU could not read a command: %s"),
                                       message->error_desc));
      return;
    }
  if (ours && self->state == HV_KVM_QMP_STATE_NEGOTIATING && serial == self->negotiation_serial)
    {
      handle_negotiation_reply (self, message);
      return;
    }

  key = (gint64) serial;
  if (ours && g_hash_table_steal_extended (self->calls, &key, NULL, (gpointer *) &call))
    {
      hv_kvm_qmp_client_complete_call (self, call, message);
      return;
    }
  drop_reply (self, message, ours, serial);
}

static void
dispatch_message (HvKvmQmpClient        *self,
                  const HvKvmQmpMessage *message)
{
  switch (message->kind)
    {
    case HV_KVM_QMP_MESSAGE_EVENT:
      /* QEMU may send events before its greeting (Ganeti saw it) */
      hv_kvm_qmp_client_emit_event (self, message);
      break;
    case HV_KVM_QMP_MESSAGE_GREETING:
      if (self->state == HV_KVM_QMP_STATE_GREETING)
        handle_greeting (self, message);
      else
        g_debug ("dropping a second greeting");
      break;
    case HV_KVM_QMP_MESSAGE_RETURN:
    case HV_KVM_QMP_MESSAGE_ERROR:
    default:
      if (self->state == HV_KVM_QMP_STATE_GREETING)
        fail_connect (self, g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                         _("%s does not speak QMP: a reply came before the greeting"),
                                         self->socket_path));
      else
        handle_reply (self, message);
    }
}

static void
close_on_protocol_error (HvKvmQmpClient *self,
                         GError         *error)
{
  if (self->state == HV_KVM_QMP_STATE_GREETING)
    fail_connect (self, g_error_new (HV_ERROR, HV_ERROR_MONITOR, _("%s does not speak QMP: %s"),
                                     self->socket_path, error->message));
  else
    fail_connect (self, g_error_copy (error));
}

static void
process_messages (HvKvmQmpClient *self)
{
  guint generation = self->generation;

  /* A handler may close the client, or close it and connect again: either
   * way the rest of this buffer belongs to a connection that is gone. */
  while (self->generation == generation && self->state != HV_KVM_QMP_STATE_CLOSED)
    {
      g_autoptr(GError) error = NULL;
      g_auto(HvKvmQmpMessage) message = { 0, };
      JsonNode *root = hv_kvm_qmp_parser_next (self->parser, &error);

      if (root == NULL)
        {
          if (error != NULL)
            close_on_protocol_error (self, error);
          return;
        }

      if (HV_KVM_QMP_DEBUG_ENABLED ())
        {
          gsize size;
          const gchar *line = hv_kvm_qmp_parser_get_line (self->parser, &size);

          g_debug ("<- %.*s", (int) size, line);
        }

      if (!hv_kvm_qmp_message_init (&message, root, &error))
        {
          close_on_protocol_error (self, error);
          return;
        }
      dispatch_message (self, &message);
    }
}

static gboolean
on_socket_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  g_autoptr(HvKvmQmpClient) self = g_object_ref (HV_KVM_QMP_CLIENT (user_data));
  g_autoptr(GError) error = NULL;
  gsize size;
  guint8 *buffer = hv_kvm_qmp_parser_reserve (self->parser, &size);
  gssize n = g_socket_receive (socket, (gchar *) buffer, size, NULL, &error);

  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      fail_connect (self, g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                       _("Could not read from QEMU's QMP socket %s: %s"),
                                       self->socket_path, error->message));
      return G_SOURCE_REMOVE;
    }
  if (n == 0)
    {
      if (self->state == HV_KVM_QMP_STATE_GREETING)
        fail_connect (self, g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                         _("%s closed the connection before the QMP greeting"),
                                         self->socket_path));
      else
        fail_connect (self, g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                         _("QEMU closed the QMP connection %s"),
                                         self->socket_path));
      return G_SOURCE_REMOVE;
    }

  hv_kvm_qmp_parser_commit (self->parser, (gsize) n);
  process_messages (self);
  return G_SOURCE_CONTINUE;
}

static void
start_reading (HvKvmQmpClient *self)
{
  hv_kvm_qmp_destroy_source (&self->connect_source);
  self->state = HV_KVM_QMP_STATE_GREETING;
  self->read_source = g_socket_create_source (self->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_socket_readable), self, NULL);
  g_source_set_static_name (self->read_source, "HvKvmQmpClient read");
  g_source_attach (self->read_source, self->context);
}

static gboolean
on_connect_ready (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  HvKvmQmpClient *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_socket_check_connect_result (socket, &error))
    {
      fail_connect (self, g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                       _("Could not connect to QEMU's QMP socket %s: %s"),
                                       self->socket_path, error->message));
      return G_SOURCE_REMOVE;
    }
  start_reading (self);
  return G_SOURCE_REMOVE;
}

static guint
get_connect_timeout (HvKvmQmpClient *self)
{
  return self->connect_timeout_ms > 0 ? self->connect_timeout_ms : self->command_timeout_ms;
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  HvKvmQmpClient *self = user_data;
  g_autofree gchar *message = NULL;

  if (self->state == HV_KVM_QMP_STATE_NEGOTIATING)
    message = g_strdup_printf (_("QEMU did not answer qmp_capabilities on %s within %u ms"),
                               self->socket_path, get_connect_timeout (self));
  else
    /* QEMU greets one client at a time: the others wait in the backlog */
    message = g_strdup_printf (_("No QMP greeting from %s within %u ms; is another client connected?"),
                               self->socket_path, get_connect_timeout (self));
  g_clear_pointer (&self->connect_timeout_source, g_source_unref);
  fail_connect_with_message (self, HV_ERROR_TIMEOUT, message);
  return G_SOURCE_REMOVE;
}

static gboolean
on_connect_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  HvKvmQmpClient *self = user_data;

  g_clear_pointer (&self->connect_cancel_source, g_source_unref);
  fail_connect (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("Connecting to %s was cancelled"), self->socket_path));
  return G_SOURCE_REMOVE;
}

static void
watch_connect (HvKvmQmpClient *self,
               GCancellable   *cancellable)
{
  if (get_connect_timeout (self) > 0)
    {
      self->connect_timeout_source = g_timeout_source_new (get_connect_timeout (self));
      g_source_set_callback (self->connect_timeout_source, on_connect_timeout, self, NULL);
      g_source_attach (self->connect_timeout_source, self->context);
    }
  if (cancellable != NULL)
    {
      self->connect_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->connect_cancel_source, G_SOURCE_FUNC (on_connect_cancelled),
                             self, NULL);
      g_source_attach (self->connect_cancel_source, self->context);
    }
}

static void
reset_connection (HvKvmQmpClient *self,
                  const gchar    *socket_path)
{
  self->generation++;
  hv_kvm_qmp_parser_reset (self->parser);
  hv_kvm_qmp_greeting_clear (&self->greeting);
  memset (&self->greeting, 0, sizeof self->greeting);
  g_free (self->socket_path);
  self->socket_path = g_strdup (socket_path);
}

/**
 * hv_kvm_qmp_client_connect_async:
 * @self: a client that is not connected
 * @socket_path: QEMU's QMP socket (`-qmp unix:PATH,server=on,wait=off`)
 * @cancellable: (nullable): cancels the connect
 * @callback: called once the connection is ready or has failed
 * @user_data: for @callback
 *
 * Connects, reads the greeting (events before it are emitted as usual),
 * checks that it is QMP and negotiates with `qmp_capabilities`. The whole
 * takes at most the command timeout: QEMU greets one client at a time, so
 * a second client would otherwise wait for ever. A closed client may
 * connect again.
 */
void
hv_kvm_qmp_client_connect_async (HvKvmQmpClient     *self,
                                 const gchar        *socket_path,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));
  g_return_if_fail (socket_path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_kvm_qmp_client_connect_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->state != HV_KVM_QMP_STATE_IDLE && self->state != HV_KVM_QMP_STATE_CLOSED)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                               _("The QMP client is already connected to %s"), self->socket_path);
      return;
    }

  reset_connection (self, socket_path);
  self->socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                               G_SOCKET_PROTOCOL_DEFAULT, &error);
  if (self->socket == NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_MONITOR,
                               _("Could not create a socket for %s: %s"), socket_path, error->message);
      return;
    }
  g_socket_set_blocking (self->socket, FALSE);

  self->state = HV_KVM_QMP_STATE_CONNECTING;
  self->connect_task = g_steal_pointer (&task);
  watch_connect (self, cancellable);

  address = g_unix_socket_address_new (socket_path);
  if (g_socket_connect (self->socket, address, NULL, &error))
    {
      start_reading (self);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      self->connect_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
      g_source_set_callback (self->connect_source, G_SOURCE_FUNC (on_connect_ready), self, NULL);
      g_source_attach (self->connect_source, self->context);
    }
  else
    {
      fail_connect (self, g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                       _("Could not connect to QEMU's QMP socket %s: %s"),
                                       socket_path, error->message));
    }
}

/**
 * hv_kvm_qmp_client_connect_finish:
 *
 * Returns: %TRUE once the client is ready for commands; %HV_ERROR_MONITOR
 *   when the socket cannot be reached or does not speak QMP,
 *   %HV_ERROR_TIMEOUT when no greeting came in time
 */
gboolean
hv_kvm_qmp_client_connect_finish (HvKvmQmpClient *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_qmp_client_connect_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
