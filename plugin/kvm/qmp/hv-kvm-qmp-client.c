/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmQmp"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gio/gunixfdmessage.h>
#include <gio/gunixsocketaddress.h>

#include "hvkit.h"
#include "hv-kvm-qmp-client.h"
#include "hv-kvm-qmp-client-internal.h"
#include "hv-kvm-qmp-json.h"

/**
 * HvKvmQmpClient:
 *
 * One persistent QMP connection to one QEMU, on the thread-default main
 * context the client was made in. Every command carries its own id
 * (`hv-<serial>`), so any number may be in flight; replies are matched by
 * id. A call that is cancelled or times out completes at once and its late
 * reply is dropped by id; the connection stays usable. When the connection
 * ends every pending call fails with %HV_ERROR_MONITOR and #HvKvmQmpClient::closed
 * is emitted.
 *
 * Nothing blocks: the socket is non-blocking, reads go straight into the
 * framing buffer, and a command is written with one sendmsg() as soon as it
 * is made — with its file descriptors, if any, as SCM_RIGHTS in the same
 * call.
 */

enum {
  PROP_0,
  PROP_SOCKET_PATH,
  PROP_CONNECTED,
  PROP_COMMAND_TIMEOUT,
  PROP_MAX_MESSAGE_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_EVENT,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HvKvmQmpClient, hv_kvm_qmp_client, G_TYPE_OBJECT)

static void
hv_kvm_qmp_client_dispose (GObject *object)
{
  HvKvmQmpClient *self = HV_KVM_QMP_CLIENT (object);

  /* Pending calls hold a reference on the client through their GTask, so
   * none is left here unless g_object_run_dispose() was called. */
  hv_kvm_qmp_client_close_internal (self, NULL, FALSE);
  G_OBJECT_CLASS (hv_kvm_qmp_client_parent_class)->dispose (object);
}

static void
hv_kvm_qmp_client_finalize (GObject *object)
{
  HvKvmQmpClient *self = HV_KVM_QMP_CLIENT (object);

  g_hash_table_unref (self->calls);
  g_hash_table_unref (self->abandoned);
  g_string_free (self->output, TRUE);
  hv_kvm_qmp_parser_free (self->parser);
  hv_kvm_qmp_greeting_clear (&self->greeting);
  json_object_unref (self->empty_data);
  g_free (self->socket_path);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (hv_kvm_qmp_client_parent_class)->finalize (object);
}

static void
hv_kvm_qmp_client_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  HvKvmQmpClient *self = HV_KVM_QMP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SOCKET_PATH:
      g_value_set_string (value, self->socket_path);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, hv_kvm_qmp_client_is_connected (self));
      break;
    case PROP_COMMAND_TIMEOUT:
      g_value_set_uint (value, self->command_timeout_ms);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, hv_kvm_qmp_client_get_max_message_size (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_kvm_qmp_client_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  HvKvmQmpClient *self = HV_KVM_QMP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_COMMAND_TIMEOUT:
      hv_kvm_qmp_client_set_command_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_MESSAGE_SIZE:
      hv_kvm_qmp_client_set_max_message_size (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_kvm_qmp_client_class_init (HvKvmQmpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hv_kvm_qmp_client_dispose;
  object_class->finalize = hv_kvm_qmp_client_finalize;
  object_class->get_property = hv_kvm_qmp_client_get_property;
  object_class->set_property = hv_kvm_qmp_client_set_property;

  properties[PROP_SOCKET_PATH] =
    g_param_spec_string ("socket-path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* milliseconds; 0 waits for ever */
  properties[PROP_COMMAND_TIMEOUT] =
    g_param_spec_uint ("command-timeout", NULL, NULL,
                       0, G_MAXUINT, HV_KVM_QMP_DEFAULT_COMMAND_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint64 ("max-message-size", NULL, NULL,
                         1, G_MAXSIZE, HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HvKvmQmpClient::event:
   * @self: the client
   * @event: the event's name, also the signal's detail
   * @data: the event's data, an empty object when it has none
   * @timestamp: when QEMU emitted it, in microseconds since the epoch, or -1
   *
   * Emitted for every QMP event, after the waiters it completes.
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_INT64);

  /**
   * HvKvmQmpClient::closed:
   * @self: the client
   * @error: (nullable): why the connection ended, or %NULL when
   *   hv_kvm_qmp_client_close() ended it
   *
   * Emitted once when an established connection ends, after every pending
   * call has failed.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
hv_kvm_qmp_client_init (HvKvmQmpClient *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->calls = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                       NULL, (GDestroyNotify) hv_kvm_qmp_call_free);
  self->abandoned = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->output = g_string_sized_new (4096);
  self->parser = hv_kvm_qmp_parser_new (HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE);
  /* shared by every event without data: sealed, so no handler can fill it */
  self->empty_data = json_object_new ();
  json_object_seal (self->empty_data);
  self->command_timeout_ms = HV_KVM_QMP_DEFAULT_COMMAND_TIMEOUT_MS;
}

/**
 * hv_kvm_qmp_client_new:
 *
 * Makes a client for the thread-default main context; everything it does
 * happens there.
 *
 * Returns: (transfer full): a new, unconnected client
 */
HvKvmQmpClient *
hv_kvm_qmp_client_new (void)
{
  return g_object_new (HV_KVM_TYPE_QMP_CLIENT, NULL);
}

gboolean
hv_kvm_qmp_client_is_connected (HvKvmQmpClient *self)
{
  g_return_val_if_fail (HV_KVM_IS_QMP_CLIENT (self), FALSE);
  return self->state == HV_KVM_QMP_STATE_READY;
}

/**
 * hv_kvm_qmp_client_get_socket_path:
 *
 * Returns: (nullable): the socket given to the last connect
 */
const gchar *
hv_kvm_qmp_client_get_socket_path (HvKvmQmpClient *self)
{
  g_return_val_if_fail (HV_KVM_IS_QMP_CLIENT (self), NULL);
  return self->socket_path;
}

/**
 * hv_kvm_qmp_client_get_version:
 * @out_major: (out) (optional):
 * @out_minor: (out) (optional):
 * @out_micro: (out) (optional):
 *
 * QEMU's version from its greeting; zeros before the greeting.
 */
void
hv_kvm_qmp_client_get_version (HvKvmQmpClient *self,
                               guint          *out_major,
                               guint          *out_minor,
                               guint          *out_micro)
{
  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));
  if (out_major != NULL)
    *out_major = self->greeting.major;
  if (out_minor != NULL)
    *out_minor = self->greeting.minor;
  if (out_micro != NULL)
    *out_micro = self->greeting.micro;
}

/**
 * hv_kvm_qmp_client_get_package:
 *
 * Returns: (nullable): QEMU's package string from its greeting
 */
const gchar *
hv_kvm_qmp_client_get_package (HvKvmQmpClient *self)
{
  g_return_val_if_fail (HV_KVM_IS_QMP_CLIENT (self), NULL);
  return self->greeting.package;
}

/**
 * hv_kvm_qmp_client_get_capabilities:
 *
 * Returns: (nullable) (array zero-terminated=1): the QMP capabilities
 *   QEMU's greeting offered, %NULL before the greeting
 */
const gchar *const *
hv_kvm_qmp_client_get_capabilities (HvKvmQmpClient *self)
{
  g_return_val_if_fail (HV_KVM_IS_QMP_CLIENT (self), NULL);
  return (const gchar *const *) self->greeting.capabilities;
}

gboolean
hv_kvm_qmp_client_has_capability (HvKvmQmpClient *self,
                                  const gchar    *capability)
{
  g_return_val_if_fail (HV_KVM_IS_QMP_CLIENT (self), FALSE);
  return self->greeting.capabilities != NULL &&
         g_strv_contains ((const gchar *const *) self->greeting.capabilities, capability);
}

guint
hv_kvm_qmp_client_get_command_timeout (HvKvmQmpClient *self)
{
  g_return_val_if_fail (HV_KVM_IS_QMP_CLIENT (self), 0);
  return self->command_timeout_ms;
}

/**
 * hv_kvm_qmp_client_set_command_timeout:
 * @timeout_ms: milliseconds, 0 for none
 *
 * How long a command, and the greeting and negotiation of a connect, may
 * take. Applies to calls made afterwards.
 */
void
hv_kvm_qmp_client_set_command_timeout (HvKvmQmpClient *self,
                                       guint           timeout_ms)
{
  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));
  if (self->command_timeout_ms == timeout_ms)
    return;
  self->command_timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMMAND_TIMEOUT]);
}

/**
 * hv_kvm_qmp_client_set_connect_timeout:
 * @timeout_ms: milliseconds, 0 for the command timeout
 *
 * How long the greeting and negotiation of a connect may take, when it is
 * not the command timeout: a QEMU just started answers within its start
 * timeout or not at all. Applies to connects made afterwards.
 */
void
hv_kvm_qmp_client_set_connect_timeout (HvKvmQmpClient *self,
                                       guint           timeout_ms)
{
  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));
  self->connect_timeout_ms = timeout_ms;
}

gsize
hv_kvm_qmp_client_get_max_message_size (HvKvmQmpClient *self)
{
  g_return_val_if_fail (HV_KVM_IS_QMP_CLIENT (self), 0);
  return hv_kvm_qmp_parser_get_max_message_size (self->parser);
}

/**
 * hv_kvm_qmp_client_set_max_message_size:
 * @max_message_size: bytes, not counting the line end
 *
 * A message from QEMU longer than this closes the connection with an
 * error. The default, 10 MiB, is libvirt's.
 */
void
hv_kvm_qmp_client_set_max_message_size (HvKvmQmpClient *self,
                                        gsize           max_message_size)
{
  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));
  g_return_if_fail (max_message_size > 0);
  if (hv_kvm_qmp_parser_get_max_message_size (self->parser) == max_message_size)
    return;
  hv_kvm_qmp_parser_set_max_message_size (self->parser, max_message_size);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_MESSAGE_SIZE]);
}

/* ---- output ------------------------------------------------------------ */

static gboolean
on_socket_writable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data);

static void
clear_output (HvKvmQmpClient *self)
{
  HvKvmQmpAttachment *attachment;

  g_string_truncate (self->output, 0);
  self->output_sent = 0;
  while ((attachment = g_queue_pop_head (&self->attachments)) != NULL)
    {
      g_object_unref (attachment->fds);
      g_free (attachment);
    }
}

/* Writes what it can without blocking. The file descriptors of a command go
 * with its first byte, and no other command's bytes share their sendmsg():
 * the kernel ends a read at the end of such a message, so QEMU reads them
 * together with the command that names them. */
static gboolean
flush_output (HvKvmQmpClient *self,
              GError        **error)
{
  while (self->output_sent < self->output->len)
    {
      HvKvmQmpAttachment *attachment = g_queue_peek_head (&self->attachments);
      GSocketControlMessage *message = NULL;
      g_autoptr(GSocketControlMessage) fd_message = NULL;
      gsize limit = self->output->len;
      GOutputVector vector;
      gssize n;

      if (attachment != NULL && attachment->offset == self->output_sent)
        {
          fd_message = g_unix_fd_message_new_with_fd_list (attachment->fds);
          message = fd_message;
          limit = attachment->end;
        }
      else if (attachment != NULL)
        {
          limit = attachment->offset;
        }

      vector.buffer = self->output->str + self->output_sent;
      vector.size = limit - self->output_sent;
      n = g_socket_send_message (self->socket, NULL, &vector, 1,
                                 message != NULL ? &message : NULL, message != NULL ? 1 : 0,
                                 G_SOCKET_MSG_NONE, NULL, error);
      if (n < 0)
        {
          if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return FALSE;
          g_clear_error (error);
          break;
        }
      if (message != NULL)
        {
          g_queue_pop_head (&self->attachments);
          g_object_unref (attachment->fds);
          g_free (attachment);
        }
      self->output_sent += (gsize) n;
    }

  if (self->output_sent == self->output->len)
    {
      g_string_truncate (self->output, 0);
      self->output_sent = 0;
      if (self->write_source != NULL)
        {
          g_source_destroy (self->write_source);
          g_clear_pointer (&self->write_source, g_source_unref);
        }
    }
  else if (self->write_source == NULL)
    {
      self->write_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
      g_source_set_callback (self->write_source, G_SOURCE_FUNC (on_socket_writable), self, NULL);
      g_source_attach (self->write_source, self->context);
    }
  return TRUE;
}

static void
flush_or_close (HvKvmQmpClient *self)
{
  g_autoptr(GError) error = NULL;

  if (!flush_output (self, &error))
    {
      g_autoptr(GError) reason =
        g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                     _("Could not write to QEMU's QMP socket %s: %s"),
                     self->socket_path, error->message);
      hv_kvm_qmp_client_close_internal (self, reason, TRUE);
    }
}

static gboolean
on_socket_writable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  g_autoptr(HvKvmQmpClient) self = g_object_ref (HV_KVM_QMP_CLIENT (user_data));

  flush_or_close (self);
  return G_SOURCE_CONTINUE;
}

static void
append_unsigned (GString *out,
                 guint64  value)
{
  gchar digits[24];
  gsize i = sizeof digits;

  do
    {
      digits[--i] = (gchar) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0);
  g_string_append_len (out, digits + i, (gssize) (sizeof digits - i));
}

/* Appends the command to the output and writes it if nothing is queued
 * before it; a write error closes the connection. */
void
hv_kvm_qmp_client_send_command (HvKvmQmpClient *self,
                                guint64         serial,
                                const gchar    *command,
                                JsonObject     *arguments,
                                GUnixFDList    *fds)
{
  gsize start = self->output->len;

  /* QEMU 7.2 reads its QMP socket one byte per main-loop iteration, some
   * 4.5 µs a byte here: the command goes out as short as JSON allows */
  g_string_append (self->output, "{\"execute\":");
  hv_kvm_qmp_json_append_string (self->output, command);
  if (arguments != NULL)
    {
      g_string_append (self->output, ",\"arguments\":");
      hv_kvm_qmp_json_append_object (self->output, arguments);
    }
  g_string_append (self->output, ",\"id\":");
  append_unsigned (self->output, serial);
  g_string_append (self->output, "}\n");

  if (fds != NULL && g_unix_fd_list_get_length (fds) > 0)
    {
      HvKvmQmpAttachment *attachment = g_new0 (HvKvmQmpAttachment, 1);

      attachment->offset = start;
      attachment->end = self->output->len;
      attachment->fds = g_object_ref (fds);
      g_queue_push_tail (&self->attachments, attachment);
    }

  if (HV_KVM_QMP_DEBUG_ENABLED ())
    g_debug ("-> %.*s%s", (int) (self->output->len - start - 1), self->output->str + start,
             fds != NULL ? " (with file descriptors)" : "");

  /* while earlier bytes wait for the socket, the writable source sends these */
  if (self->write_source == NULL)
    flush_or_close (self);
}

/* ---- closing ----------------------------------------------------------- */

/* Ends the connection: every pending call and waiter fails, a connect in
 * progress fails with @reason, and an established connection emits
 * ::closed. Handlers may connect again from their callbacks. */
void
hv_kvm_qmp_client_close_internal (HvKvmQmpClient *self,
                                  const GError   *reason,
                                  gboolean        emit)
{
  g_autoptr(HvKvmQmpClient) guard = g_object_ref (self);
  g_autoptr(GTask) connect_task = NULL;
  gboolean was_ready = self->state == HV_KVM_QMP_STATE_READY;

  if (self->state == HV_KVM_QMP_STATE_IDLE || self->state == HV_KVM_QMP_STATE_CLOSED)
    return;

  g_debug ("closing the QMP connection to %s: %s", self->socket_path,
           reason != NULL ? reason->message : "closed by its owner");
  self->state = HV_KVM_QMP_STATE_CLOSED;
  hv_kvm_qmp_destroy_source (&self->read_source);
  hv_kvm_qmp_destroy_source (&self->write_source);
  hv_kvm_qmp_destroy_source (&self->timer_source);
  hv_kvm_qmp_destroy_source (&self->connect_source);
  hv_kvm_qmp_destroy_source (&self->connect_timeout_source);
  hv_kvm_qmp_destroy_source (&self->connect_cancel_source);
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
  clear_output (self);

  connect_task = g_steal_pointer (&self->connect_task);
  if (connect_task != NULL)
    {
      if (reason != NULL)
        g_task_return_error (connect_task, g_error_copy (reason));
      else
        g_task_return_new_error (connect_task, HV_ERROR, HV_ERROR_MONITOR,
                                 _("The connection to %s was closed before it was ready"),
                                 self->socket_path);
    }

  hv_kvm_qmp_client_fail_calls (self, reason);
  hv_kvm_qmp_client_fail_waiters (self, reason);

  if (was_ready && emit)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
      g_signal_emit (self, signals[SIGNAL_CLOSED], 0, reason);
    }
}

/**
 * hv_kvm_qmp_client_close:
 *
 * Closes the connection. Pending calls and waiters fail with
 * %HV_ERROR_MONITOR ("connection closed"); ::closed is emitted with no
 * error. The client may connect again afterwards.
 */
void
hv_kvm_qmp_client_close (HvKvmQmpClient *self)
{
  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));
  hv_kvm_qmp_client_close_internal (self, NULL, TRUE);
}

void
hv_kvm_qmp_client_emit_event (HvKvmQmpClient        *self,
                              const HvKvmQmpMessage *message)
{
  JsonObject *data = message->data != NULL ? message->data : self->empty_data;

  hv_kvm_qmp_client_complete_waiters (self, message->event, data, message->timestamp);
  /* an event nobody asked for by name has no quark yet, and needs none */
  g_signal_emit (self, signals[SIGNAL_EVENT], g_quark_try_string (message->event),
                 message->event, data, message->timestamp);
}

void
hv_kvm_qmp_client_notify_connected (HvKvmQmpClient *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}
