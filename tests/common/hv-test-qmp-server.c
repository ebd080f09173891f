/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gunixfdmessage.h>
#include <gio/gunixsocketaddress.h>
#include <json-glib/json-glib.h>

#include "hv-test-qmp-server.h"

/**
 * HvTestQmpServer:
 *
 * A scripted QMP server on a temporary UNIX socket, for protocol corner
 * cases QEMU will not produce on demand (libvirt's qemuMonitorTest). The
 * script is an ordered list of steps run against the one client that
 * connects: raw bytes to send, events, commands the client must send next
 * (by name, and by exact arguments when given), replies to them in any
 * order, and hang-ups. A command that is not the next expected one fails
 * the test and is answered with a GenericError so the client does not hang.
 *
 * Consecutive outputs go out in one write, unless a chunk size is set:
 * then every chunk goes out in its own main-loop iteration, after the
 * client has read the previous one.
 *
 * It runs on the thread-default main context it was made in, the same as
 * the client's: tests iterate that context until the script is done.
 */

typedef enum {
  STEP_SEND,
  STEP_EXPECT,
  STEP_REPLY,
  STEP_HANGUP,
} StepKind;

typedef struct {
  StepKind  kind;
  gchar    *text;       /* SEND: the bytes; EXPECT: the command; REPLY: the reply */
  gchar    *arguments;  /* EXPECT: exact arguments, or NULL for any */
  guint     n_fds;      /* EXPECT */
  guint     expect;     /* REPLY: the EXPECT step it answers */
  JsonNode *id;         /* EXPECT: the id the client sent */
  GArray   *fds;        /* EXPECT: the descriptors that came with it */
} Step;

struct _HvTestQmpServer {
  GObject          parent_instance;

  GMainContext    *context;
  gchar           *directory;
  gchar           *socket_path;
  GSocketService  *service;
  GSocketConnection *connection;
  GSocket         *socket;
  GSource         *read_source;
  GSource         *write_source;

  GPtrArray       *steps;
  guint            next_step;
  GString         *input;
  guint64          input_offset;  /* stream offset of input->str[0] */
  GQueue           received;      /* Received: commands not yet matched */
  GQueue           pending_fds;   /* PendingFds: not yet given to a line */
  GString         *output;
  gsize            output_sent;
  gsize            chunk_size;
  gboolean         hangup_pending;
  gboolean         client_closed;
  guint            n_connections;
};

/* A command as it came, with the descriptors that came with it. */
typedef struct {
  JsonObject *command;
  GArray     *fds;
} Received;

/* Descriptors from one recvmsg(), for the line at stream offset @owner. */
typedef struct {
  guint64  owner;
  GArray  *fds;
} PendingFds;

G_DEFINE_FINAL_TYPE (HvTestQmpServer, hv_test_qmp_server, G_TYPE_OBJECT)

static void
close_fds (GArray *fds)
{
  for (guint i = 0; i < fds->len; i++)
    if (g_array_index (fds, gint, i) >= 0)
      close (g_array_index (fds, gint, i));
  g_array_set_size (fds, 0);
}

static void
received_free (Received *received)
{
  json_object_unref (received->command);
  close_fds (received->fds);
  g_array_unref (received->fds);
  g_free (received);
}

static void
pending_fds_free (PendingFds *pending)
{
  close_fds (pending->fds);
  g_array_unref (pending->fds);
  g_free (pending);
}

static void
step_free (Step *step)
{
  g_free (step->text);
  g_free (step->arguments);
  g_clear_pointer (&step->id, json_node_unref);
  if (step->fds != NULL)
    {
      close_fds (step->fds);
      g_array_unref (step->fds);
    }
  g_free (step);
}

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
close_connection (HvTestQmpServer *self)
{
  destroy_source (&self->read_source);
  destroy_source (&self->write_source);
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
  g_clear_object (&self->connection);
  g_string_truncate (self->output, 0);
  self->output_sent = 0;
  self->hangup_pending = FALSE;
}

static void
hv_test_qmp_server_finalize (GObject *object)
{
  HvTestQmpServer *self = HV_TEST_QMP_SERVER (object);

  close_connection (self);
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_object_unref (self->service);
  g_unlink (self->socket_path);
  g_rmdir (self->directory);
  g_free (self->socket_path);
  g_free (self->directory);
  g_ptr_array_unref (self->steps);
  g_string_free (self->input, TRUE);
  g_string_free (self->output, TRUE);
  g_queue_clear_full (&self->received, (GDestroyNotify) received_free);
  g_queue_clear_full (&self->pending_fds, (GDestroyNotify) pending_fds_free);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (hv_test_qmp_server_parent_class)->finalize (object);
}

static void
hv_test_qmp_server_class_init (HvTestQmpServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hv_test_qmp_server_finalize;
}

static void
hv_test_qmp_server_init (HvTestQmpServer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  self->input = g_string_new (NULL);
  self->output = g_string_new (NULL);
}

/* ---- output ------------------------------------------------------------ */

static gboolean on_writable (gpointer user_data);
static gboolean on_socket_writable (GSocket *socket, GIOCondition condition, gpointer user_data);

static void
schedule_write (HvTestQmpServer *self)
{
  if (self->write_source != NULL || self->socket == NULL)
    return;
  if (self->chunk_size > 0)
    {
      /* below the client's read source: it reads each chunk on its own */
      self->write_source = g_idle_source_new ();
      g_source_set_priority (self->write_source, G_PRIORITY_LOW);
      g_source_set_callback (self->write_source, on_writable, self, NULL);
    }
  else
    {
      self->write_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
      g_source_set_callback (self->write_source, G_SOURCE_FUNC (on_socket_writable), self, NULL);
    }
  g_source_attach (self->write_source, self->context);
}

/* Writes one chunk, or everything it can; FALSE once the output is gone. */
static gboolean
write_some (HvTestQmpServer *self)
{
  g_autoptr(GError) error = NULL;
  gsize size = self->output->len - self->output_sent;
  gssize n;

  if (self->chunk_size > 0)
    size = MIN (size, self->chunk_size);
  n = g_socket_send (self->socket, self->output->str + self->output_sent, size, NULL, &error);
  if (n < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          /* the client went away: what it missed is its own business */
          self->client_closed = TRUE;
          close_connection (self);
          return FALSE;
        }
      return TRUE;
    }
  self->output_sent += (gsize) n;
  if (self->output_sent == self->output->len)
    {
      g_string_truncate (self->output, 0);
      self->output_sent = 0;
      if (self->hangup_pending)
        {
          self->hangup_pending = FALSE;
          close_connection (self);
        }
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_writable (gpointer user_data)
{
  HvTestQmpServer *self = user_data;

  if (self->socket != NULL && write_some (self))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&self->write_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static gboolean
on_socket_writable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  return on_writable (user_data);
}

static void
flush (HvTestQmpServer *self)
{
  if (self->socket == NULL || self->output->len == 0)
    return;
  if (self->chunk_size == 0 && self->write_source == NULL && !write_some (self))
    return;
  if (self->socket != NULL && self->output->len > 0)
    schedule_write (self);
}

/* ---- the script --------------------------------------------------------- */

static Step *
add_step (HvTestQmpServer *self,
          StepKind         kind,
          const gchar     *text)
{
  Step *step = g_new0 (Step, 1);

  step->kind = kind;
  step->text = g_strdup (text);
  g_ptr_array_add (self->steps, step);
  return step;
}

static void
reply_unexpected (HvTestQmpServer *self,
                  JsonObject      *command,
                  const gchar     *why)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) reply = json_object_new ();
  g_autoptr(JsonObject) error = json_object_new ();
  g_autofree gchar *text = NULL;

  g_test_fail_printf ("fake QMP server: %s", why);
  g_printerr ("fake QMP server: %s\n", why);

  json_object_set_string_member (error, "class", "GenericError");
  json_object_set_string_member (error, "desc", why);
  json_object_set_object_member (reply, "error", g_steal_pointer (&error));
  if (command != NULL && json_object_has_member (command, "id"))
    json_object_set_member (reply, "id", json_node_copy (json_object_get_member (command, "id")));
  json_node_set_object (root, reply);
  text = json_to_string (root, FALSE);
  g_string_append (self->output, text);
  g_string_append (self->output, "\r\n");
}

static gchar *
describe_command (JsonObject *command)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (root, command);
  return json_to_string (root, FALSE);
}

static gboolean
arguments_match (const gchar *expected,
                 JsonObject  *command)
{
  g_autoptr(JsonNode) want = json_from_string (expected, NULL);
  JsonNode *got = json_object_get_member (command, "arguments");
  g_autoptr(JsonNode) empty = NULL;

  g_assert_nonnull (want);
  if (got == NULL)
    {
      empty = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (empty, json_object_new ());
      got = empty;
    }
  return json_node_equal (want, got);
}

/* TRUE if @command is what @step expects; otherwise fails the test. */
static gboolean
match_expect (HvTestQmpServer *self,
              Step            *step,
              Received        *received)
{
  JsonObject *command = received->command;
  g_autofree gchar *text = describe_command (command);
  const gchar *name = json_object_get_string_member_with_default (command, "execute", NULL);
  g_autofree gchar *why = NULL;

  if (g_strcmp0 (name, step->text) != 0)
    why = g_strdup_printf ("expected “%s”, got %s", step->text, text);
  else if (step->arguments != NULL && !arguments_match (step->arguments, command))
    why = g_strdup_printf ("expected “%s” with %s, got %s", step->text, step->arguments, text);
  else if (received->fds->len != step->n_fds)
    why = g_strdup_printf ("expected %u file descriptors with “%s”, got %u",
                           step->n_fds, step->text, received->fds->len);
  if (why != NULL)
    {
      reply_unexpected (self, command, why);
      return FALSE;
    }

  step->id = json_node_copy (json_object_get_member (command, "id"));
  step->fds = g_array_copy (received->fds);
  g_array_set_size (received->fds, 0);
  return TRUE;
}

static void
append_reply (HvTestQmpServer *self,
              Step            *step)
{
  Step *expect = g_ptr_array_index (self->steps, step->expect);
  g_autoptr(JsonNode) reply = json_from_string (step->text, NULL);
  g_autofree gchar *text = NULL;

  g_assert_nonnull (reply);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply));
  if (expect->id != NULL)
    json_object_set_member (json_node_get_object (reply), "id", json_node_copy (expect->id));
  text = json_to_string (reply, FALSE);
  g_string_append (self->output, text);
  g_string_append (self->output, "\r\n");
}

static void
run_script (HvTestQmpServer *self)
{
  Received *received;

  while (self->socket != NULL && !self->hangup_pending && self->next_step < self->steps->len)
    {
      Step *step = g_ptr_array_index (self->steps, self->next_step);

      if (step->kind == STEP_EXPECT)
        {
          Received *next = g_queue_pop_head (&self->received);
          gboolean matched;

          if (next == NULL)
            break;
          matched = match_expect (self, step, next);
          received_free (next);
          if (!matched)
            continue;
        }
      else if (step->kind == STEP_SEND)
        {
          g_string_append (self->output, step->text);
        }
      else if (step->kind == STEP_REPLY)
        {
          append_reply (self, step);
        }
      else if (step->kind == STEP_HANGUP)
        {
          self->hangup_pending = TRUE;
          if (self->output->len == 0)
            {
              self->hangup_pending = FALSE;
              self->next_step++;
              close_connection (self);
              return;
            }
        }
      self->next_step++;
    }

  if (self->next_step == self->steps->len)
    while ((received = g_queue_pop_head (&self->received)) != NULL)
      {
        g_autofree gchar *text = describe_command (received->command);
        g_autofree gchar *why = g_strdup_printf ("unexpected %s after the end of the script", text);

        reply_unexpected (self, received->command, why);
        received_free (received);
      }
  flush (self);
}

/* ---- input -------------------------------------------------------------- */

/* The kernel ends a recvmsg() after the message that carries descriptors,
 * and the client sends a command and its descriptors in one sendmsg(), so
 * they belong to the line holding the last byte received. */
static void
take_fds (HvTestQmpServer        *self,
          GSocketControlMessage **messages,
          gint                    n_messages)
{
  for (gint i = 0; i < n_messages; i++)
    {
      if (G_IS_UNIX_FD_MESSAGE (messages[i]) && self->input->len > 0)
        {
          PendingFds *pending = g_new0 (PendingFds, 1);
          gint n_fds;
          gint *fds = g_unix_fd_message_steal_fds (G_UNIX_FD_MESSAGE (messages[i]), &n_fds);
          gsize last = self->input->len - 1;
          gsize start = 0;

          for (gsize j = last; j > 0; j--)
            if (self->input->str[j - 1] == '\n')
              {
                start = j;
                break;
              }
          pending->owner = self->input_offset + start;
          pending->fds = g_array_new (FALSE, FALSE, sizeof (gint));
          g_array_append_vals (pending->fds, fds, (guint) n_fds);
          g_queue_push_tail (&self->pending_fds, pending);
          g_free (fds);
        }
      g_object_unref (messages[i]);
    }
  g_free (messages);
}

static GArray *
fds_for_line (HvTestQmpServer *self,
              guint64          line_start)
{
  GArray *fds = g_array_new (FALSE, FALSE, sizeof (gint));
  PendingFds *pending;

  while ((pending = g_queue_peek_head (&self->pending_fds)) != NULL &&
         pending->owner <= line_start)
    {
      g_queue_pop_head (&self->pending_fds);
      if (pending->owner == line_start)
        g_array_append_vals (fds, pending->fds->data, pending->fds->len);
      else
        close_fds (pending->fds);
      g_array_set_size (pending->fds, 0);
      pending_fds_free (pending);
    }
  return fds;
}

static void
split_lines (HvTestQmpServer *self)
{
  gchar *newline;

  while ((newline = memchr (self->input->str, '\n', self->input->len)) != NULL)
    {
      gsize size = (gsize) (newline - self->input->str);
      g_autofree gchar *line = g_strndup (self->input->str, size);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = json_from_string (line, &error);
      g_autoptr(GArray) fds = fds_for_line (self, self->input_offset);
      Received *received;

      g_string_erase (self->input, 0, (gssize) size + 1);
      self->input_offset += size + 1;
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          g_autofree gchar *why = g_strdup_printf ("the client sent something that is not a JSON object: %s",
                                                   line);
          close_fds (fds);
          reply_unexpected (self, NULL, why);
          continue;
        }
      received = g_new0 (Received, 1);
      received->command = json_node_dup_object (node);
      received->fds = g_steal_pointer (&fds);
      g_queue_push_tail (&self->received, received);
    }
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  HvTestQmpServer *self = user_data;
  gchar buffer[4096];
  GInputVector vector = { buffer, sizeof buffer };
  GSocketControlMessage **messages = NULL;
  gint n_messages = 0;
  gint flags = 0;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_socket_receive_message (socket, NULL, &vector, 1, &messages, &n_messages, &flags,
                                NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n > 0)
    g_string_append_len (self->input, buffer, n);
  take_fds (self, messages, n_messages);
  if (n <= 0)
    {
      self->client_closed = TRUE;
      g_clear_pointer (&self->read_source, g_source_unref);
      close_connection (self);
      return G_SOURCE_REMOVE;
    }

  split_lines (self);
  run_script (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  HvTestQmpServer *self = user_data;

  if (++self->n_connections > 1)
    {
      g_test_fail_printf ("fake QMP server: a second client connected");
      return TRUE;
    }

  self->connection = g_object_ref (connection);
  self->socket = g_object_ref (g_socket_connection_get_socket (connection));
  g_socket_set_blocking (self->socket, FALSE);
  self->read_source = g_socket_create_source (self->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
  g_source_attach (self->read_source, self->context);
  run_script (self);
  return TRUE;
}

/* ---- API ---------------------------------------------------------------- */

HvTestQmpServer *
hv_test_qmp_server_new (void)
{
  HvTestQmpServer *self = g_object_new (HV_TEST_TYPE_QMP_SERVER, NULL);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  self->directory = g_dir_make_tmp ("hv-qmp-XXXXXX", &error);
  g_assert_no_error (error);
  self->socket_path = g_build_filename (self->directory, "qmp.sock", NULL);

  self->service = g_socket_service_new ();
  address = g_unix_socket_address_new (self->socket_path);
  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                 NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->service);
  return self;
}

const gchar *
hv_test_qmp_server_get_socket_path (HvTestQmpServer *self)
{
  return self->socket_path;
}

/* 0 writes everything at once; n writes n bytes per main-loop iteration. */
void
hv_test_qmp_server_set_chunk_size (HvTestQmpServer *self,
                                   gsize            chunk_size)
{
  self->chunk_size = chunk_size;
}

void
hv_test_qmp_server_add_greeting (HvTestQmpServer *self)
{
  add_step (self, STEP_SEND, HV_TEST_QMP_GREETING);
}

/* The greeting, then qmp_capabilities answered with {}. */
void
hv_test_qmp_server_add_negotiation (HvTestQmpServer *self)
{
  hv_test_qmp_server_add_greeting (self);
  hv_test_qmp_server_add_command (self, "qmp_capabilities", "{}", "{\"return\": {}}");
}

/* Bytes sent as they are: nothing is added, not even a line end. */
void
hv_test_qmp_server_add_send (HvTestQmpServer *self,
                             const gchar     *text)
{
  add_step (self, STEP_SEND, text);
}

/* An event with a fixed timestamp, 2023-11-14T22:13:20.123456Z. */
void
hv_test_qmp_server_add_event (HvTestQmpServer *self,
                              const gchar     *event,
                              const gchar     *data)
{
  g_autofree gchar *text =
    g_strdup_printf ("{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 123456}, "
                     "\"event\": \"%s\"%s%s}\r\n",
                     event, data != NULL ? ", \"data\": " : "", data != NULL ? data : "");

  add_step (self, STEP_SEND, text);
}

/* The next command must be @command, with exactly @arguments (JSON text)
 * unless it is NULL. Returns the step, for add_reply(). */
guint
hv_test_qmp_server_add_expect (HvTestQmpServer *self,
                               const gchar     *command,
                               const gchar     *arguments)
{
  return hv_test_qmp_server_add_expect_fds (self, command, arguments, 0);
}

/* As add_expect(), with @n_fds descriptors as SCM_RIGHTS. */
guint
hv_test_qmp_server_add_expect_fds (HvTestQmpServer *self,
                                   const gchar     *command,
                                   const gchar     *arguments,
                                   guint            n_fds)
{
  Step *step = add_step (self, STEP_EXPECT, command);

  step->arguments = g_strdup (arguments);
  step->n_fds = n_fds;
  return self->steps->len - 1;
}

/* Answers the command of @expect with @reply, a JSON object without id. */
void
hv_test_qmp_server_add_reply (HvTestQmpServer *self,
                              guint            expect,
                              const gchar     *reply)
{
  Step *step;

  g_assert_cmpuint (expect, <, self->steps->len);
  g_assert_cmpint (((Step *) g_ptr_array_index (self->steps, expect))->kind, ==, STEP_EXPECT);
  step = add_step (self, STEP_REPLY, reply);
  step->expect = expect;
}

guint
hv_test_qmp_server_add_command (HvTestQmpServer *self,
                                const gchar     *command,
                                const gchar     *arguments,
                                const gchar     *reply)
{
  guint expect = hv_test_qmp_server_add_expect (self, command, arguments);

  hv_test_qmp_server_add_reply (self, expect, reply);
  return expect;
}

/* Closes the connection once what came before is written. */
void
hv_test_qmp_server_add_hangup (HvTestQmpServer *self)
{
  add_step (self, STEP_HANGUP, NULL);
}

/* The @index-th descriptor that came with the command of @expect; the
 * caller closes it. */
gint
hv_test_qmp_server_steal_fd (HvTestQmpServer *self,
                             guint            expect,
                             guint            index)
{
  Step *step = g_ptr_array_index (self->steps, expect);
  gint fd;

  g_assert_nonnull (step->fds);
  g_assert_cmpuint (index, <, step->fds->len);
  fd = g_array_index (step->fds, gint, index);
  g_array_index (step->fds, gint, index) = -1;
  return fd;
}

/* The id the client sent with the command of @expect, as JSON text, or
 * NULL if it sent none. */
gchar *
hv_test_qmp_server_dup_id (HvTestQmpServer *self,
                           guint            expect)
{
  Step *step = g_ptr_array_index (self->steps, expect);

  return step->id != NULL ? json_to_string (step->id, FALSE) : NULL;
}

/* Every step has run and everything has been written. */
gboolean
hv_test_qmp_server_is_done (HvTestQmpServer *self)
{
  return self->next_step == self->steps->len && self->output->len == 0;
}

gboolean
hv_test_qmp_server_client_closed (HvTestQmpServer *self)
{
  return self->client_closed;
}

void
hv_test_qmp_server_assert_done (HvTestQmpServer *self)
{
  const gchar *pending = NULL;

  if (self->next_step < self->steps->len)
    {
      Step *step = g_ptr_array_index (self->steps, self->next_step);

      pending = step->kind == STEP_EXPECT ? step->text : "an output step";
    }
  /* names the first step that did not run */
  g_assert_cmpstr (pending, ==, NULL);
  g_assert_cmpuint (self->received.length, ==, 0);
}
