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
#include "hv-kvm-qmp-json.h"
#include "hv-kvm-qmp-message.h"
#include "hv-kvm-qmp-parser.h"
#include "hv-kvm-qmp-testhooks.h"

/*
 * HvKvmQmpClient in one file, by concern: the object and its I/O, the
 * connection (greeting, negotiation), the calls (ids, replies, timeouts,
 * cancellation, file descriptors) and the events (signals, waiters).
 */

/* Formatting a message costs more than the round trip it describes; the
 * default writer drops debug messages unless G_MESSAGES_DEBUG asks. */
#define HV_KVM_QMP_DEBUG_ENABLED() \
  (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))

typedef enum {
  HV_KVM_QMP_STATE_IDLE,
  HV_KVM_QMP_STATE_CONNECTING,
  HV_KVM_QMP_STATE_GREETING,
  HV_KVM_QMP_STATE_NEGOTIATING,
  HV_KVM_QMP_STATE_READY,
  HV_KVM_QMP_STATE_CLOSED,
} HvKvmQmpState;

typedef struct {
  HvKvmQmpClient    *client;    /* not a reference: calls die with the connection */
  guint64            serial;
  gchar             *command;
  GTask             *task;
  HvKvmQmpReturnType return_type;
  guint              timeout_ms;
  gint64             deadline;  /* monotonic microseconds, 0 for none */
  GSource           *cancel_source;
} HvKvmQmpCall;

/* file descriptors that go with the command at [@offset, @end) of the output */
typedef struct {
  gsize        offset;
  gsize        end;
  GUnixFDList *fds;
} HvKvmQmpAttachment;

struct _HvKvmQmpClient {
  GObject           parent_instance;

  GMainContext     *context;
  HvKvmQmpState     state;
  guint             generation;  /* bumped by every connect */
  gchar            *socket_path;
  GSocket          *socket;
  GSource          *read_source;
  GSource          *write_source;
  GSource          *timer_source;

  HvKvmQmpParser   *parser;
  GString          *output;
  gsize             output_sent;
  GQueue            attachments;
  guint             corked;      /* hv_kvm_qmp_client_cork() */

  guint64           next_serial;
  GHashTable       *calls;       /* &serial → HvKvmQmpCall */
  GHashTable       *abandoned;   /* serial → command, cancelled or timed out */
  GQueue            waiters;
  JsonObject       *empty_data;

  GTask            *connect_task;
  GSource          *connect_source;
  GSource          *connect_timeout_source;
  GSource          *connect_cancel_source;
  guint64           negotiation_serial;
  HvKvmQmpGreeting  greeting;

  guint             command_timeout_ms;
  guint             connect_timeout_ms;  /* 0: command_timeout_ms */
};

static inline void
hv_kvm_qmp_destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void hv_kvm_qmp_call_free               (HvKvmQmpCall          *call);
static void hv_kvm_qmp_client_fail_calls       (HvKvmQmpClient        *self,
                                         const GError          *reason);
static void hv_kvm_qmp_client_close_internal   (HvKvmQmpClient        *self,
                                         const GError          *reason,
                                         gboolean               emit);
static void hv_kvm_qmp_client_send_command     (HvKvmQmpClient        *self,
                                         guint64                serial,
                                         const gchar           *command,
                                         JsonObject            *arguments,
                                         GUnixFDList           *fds);
static void hv_kvm_qmp_client_complete_call    (HvKvmQmpClient        *self,
                                         HvKvmQmpCall          *call,
                                         const HvKvmQmpMessage *message);
static void hv_kvm_qmp_client_emit_event       (HvKvmQmpClient        *self,
                                         const HvKvmQmpMessage *message);
static void hv_kvm_qmp_client_notify_connected (HvKvmQmpClient        *self);
static void hv_kvm_qmp_client_complete_waiters (HvKvmQmpClient        *self,
                                         const gchar           *event,
                                         JsonObject            *data,
                                         gint64                 timestamp);
static void hv_kvm_qmp_client_fail_waiters     (HvKvmQmpClient        *self,
                                         const GError          *reason);

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
static void
hv_kvm_qmp_client_send_command (HvKvmQmpClient *self,
                                guint64         serial,
                                const gchar    *command,
                                JsonObject     *arguments,
                                GUnixFDList    *fds)
{
  gsize start = self->output->len;

  hv_kvm_qmp_testhook_boundary (self->socket, self->socket_path, command);
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

  /* while earlier bytes wait for the socket, the writable source sends
   * these; while corked, uncorking does */
  if (self->write_source == NULL && self->corked == 0)
    flush_or_close (self);
}

/**
 * hv_kvm_qmp_client_cork:
 * @self: a client
 *
 * Holds the commands sent from now on in the client until the matching
 * hv_kvm_qmp_client_uncork(), which writes them together: as few writes
 * as their file descriptors allow (a command with descriptors still goes
 * in a write of its own), and one wake-up of QEMU's monitor instead of
 * one per command. A client that keeps writing command after command is
 * also one the scheduler of a busy host preempts for the QEMU thread each
 * write wakes. Nests.
 */
void
hv_kvm_qmp_client_cork (HvKvmQmpClient *self)
{
  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));

  self->corked++;
}

/**
 * hv_kvm_qmp_client_uncork:
 * @self: a client
 *
 * Ends hv_kvm_qmp_client_cork(); the last one writes what was held (a
 * write error closes the connection, failing its calls).
 */
void
hv_kvm_qmp_client_uncork (HvKvmQmpClient *self)
{
  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));
  g_return_if_fail (self->corked > 0);

  if (--self->corked == 0 && self->write_source == NULL && self->output->len > 0 &&
      self->socket != NULL)
    flush_or_close (self);
}

/* ---- closing ----------------------------------------------------------- */

/* Ends the connection: every pending call and waiter fails, a connect in
 * progress fails with @reason, and an established connection emits
 * ::closed. Handlers may connect again from their callbacks. */
static void
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

static void
hv_kvm_qmp_client_emit_event (HvKvmQmpClient        *self,
                              const HvKvmQmpMessage *message)
{
  JsonObject *data = message->data != NULL ? message->data : self->empty_data;

  hv_kvm_qmp_client_complete_waiters (self, message->event, data, message->timestamp);
  /* an event nobody asked for by name has no quark yet, and needs none */
  g_signal_emit (self, signals[SIGNAL_EVENT], g_quark_try_string (message->event),
                 message->event, data, message->timestamp);
}

static void
hv_kvm_qmp_client_notify_connected (HvKvmQmpClient *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

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
      /* The answer to a command of the client before this one, which QEMU
       * finished after that client went (a crashed hvkit): QEMU writes it to
       * whoever is connected now, before or after its greeting. Only a
       * reply with an id can be that; hvkit's commands always have one. */
      if (self->state == HV_KVM_QMP_STATE_GREETING && message->id != NULL)
        g_debug ("%s: dropping a reply to an earlier client before the greeting",
                 self->socket_path);
      else if (self->state == HV_KVM_QMP_STATE_GREETING)
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

/**
 * hv_kvm_qmp_client_drain:
 *
 * Reads and handles what QEMU wrote that is not read yet, without waiting
 * (the socket does not block): the events a QEMU sent just before it
 * exited (its SHUTDOWN) are still in the socket when its exit is seen
 * first. Stops at the end of what is there; the connection stays as it
 * is, for the caller to close.
 */
void
hv_kvm_qmp_client_drain (HvKvmQmpClient *self)
{
  g_return_if_fail (HV_KVM_IS_QMP_CLIENT (self));

  g_autoptr(HvKvmQmpClient) guard = g_object_ref (self);

  /* the end of the stream, an error or nothing more to read: the caller
   * closes the connection as it meant to */
  while (self->read_source != NULL && self->socket != NULL)
    {
      gsize size;
      guint8 *buffer = hv_kvm_qmp_parser_reserve (self->parser, &size);
      gssize n = g_socket_receive (self->socket, (gchar *) buffer, size, NULL, NULL);

      if (n <= 0)
        return;
      hv_kvm_qmp_parser_commit (self->parser, (gsize) n);
      process_messages (self);
    }
}

static void
start_reading (HvKvmQmpClient *self)
{
  hv_kvm_qmp_destroy_source (&self->connect_source);
  hv_kvm_qmp_testhook_boundary (self->socket, self->socket_path, "greeting");
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

static void
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
static void
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
static void
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
static void
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

static void
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
