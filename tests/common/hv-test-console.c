/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gunixsocketaddress.h>

#include "hv-test-console.h"

/* A client for a line-oriented unix socket: the test guest's serial console
 * (QEMU's `-chardev socket,server=on`), or a QMP socket spoken to by hand.
 *
 * It reads all the time, from connect until close, and keeps every line, so
 * nothing the guest prints is lost between two waits and a failing test can
 * show the whole conversation. A wait takes the first line matching its
 * pattern that no earlier wait took, whether it arrived before or after the
 * call; the lines around it stay for other waits, so the order of waits need
 * not be the order of lines (a QMP event may come before the reply to the
 * command that caused it). A command run in the guest shell finds its output
 * between unique markers and takes nothing. Each wait has a timeout; nothing
 * sleeps.
 *
 * The reading lives in the main context the console was made in; the sync
 * calls iterate that context (a private one would stop the reading). */

#define HV_TEST_CONSOLE_READ_SIZE 4096
#define HV_TEST_CONSOLE_LOG_TAIL  30

struct _HvTestConsole {
  GObject parent_instance;

  gchar *name;
  GMainContext *context;
  GSocketConnection *connection;
  GCancellable *cancellable;    /* of the reads and writes */
  GString *log;                 /* everything read, without '\r' */
  GString *partial;             /* the line being received */
  GPtrArray *lines;             /* complete lines, without "\r\n" */
  GByteArray *taken;            /* per line: a wait took it */
  guint floor;                  /* first line a new wait looks at */
  GList *waiters;               /* of GTask, in arrival order */
  GString *outgoing;            /* queued for writing */
  gboolean writing;
  GError *closed;               /* why no more lines will come */
  guint next_command;
};

G_DEFINE_FINAL_TYPE (HvTestConsole, hv_test_console, G_TYPE_OBJECT)

typedef enum {
  HV_TEST_WAITER_LINE,
  HV_TEST_WAITER_COMMAND,
} HvTestWaiterKind;

typedef struct {
  HvTestWaiterKind kind;
  GRegex *regex;
  gchar *what;                  /* for messages */
  guint from;                   /* first line that may match */
  guint next;                   /* first line not yet looked at */
  guint command;                /* HV_TEST_WAITER_COMMAND: its number */
  guint timeout_ms;
  GSource *timeout;
  GSource *cancelled;
} HvTestWaiter;

static void
hv_test_waiter_stop (HvTestWaiter *waiter)
{
  if (waiter->timeout != NULL)
    g_source_destroy (waiter->timeout);
  g_clear_pointer (&waiter->timeout, g_source_unref);
  if (waiter->cancelled != NULL)
    g_source_destroy (waiter->cancelled);
  g_clear_pointer (&waiter->cancelled, g_source_unref);
}

static void
hv_test_waiter_free (HvTestWaiter *waiter)
{
  hv_test_waiter_stop (waiter);
  g_clear_pointer (&waiter->regex, g_regex_unref);
  g_free (waiter->what);
  g_free (waiter);
}

/* Takes a waiter's task out of the list before it is returned: its callback
 * may run at once and add waiters, so callers restart any walk over the
 * list; and its timeout must not fire for a task already returned. */
static HvTestWaiter *
hv_test_console_take_waiter (HvTestConsole *self,
                             GTask         *task)
{
  HvTestWaiter *waiter = g_task_get_task_data (task);

  self->waiters = g_list_remove (self->waiters, task);
  hv_test_waiter_stop (waiter);
  return waiter;
}

/* A failed wait shows the last lines read as test messages (TAP comments):
 * the error message itself stays on one line, as TAP wants for "Bail out!".
 * Outside a GTest program (a helper process) they go to stderr, which the
 * test's log keeps. */
static void
hv_test_console_show_tail (HvTestConsole *self)
{
  g_autoptr(GString) tail = g_string_new (NULL);
  guint first = self->lines->len > HV_TEST_CONSOLE_LOG_TAIL
                ? self->lines->len - HV_TEST_CONSOLE_LOG_TAIL : 0;

  g_string_append_printf (tail, "--- last %u of %u lines from %s ---\n",
                          self->lines->len - first, self->lines->len, self->name);
  for (guint i = first; i < self->lines->len; i++)
    g_string_append_printf (tail, "%s\n", (const gchar *) g_ptr_array_index (self->lines, i));
  if (self->partial->len > 0)
    g_string_append_printf (tail, "%s[no newline]\n", self->partial->str);
  g_string_append (tail, "---");
  if (g_test_initialized ())
    g_test_message ("%s", tail->str);
  else
    g_printerr ("%s\n", tail->str);
}

static void
hv_test_console_fail_waiter (HvTestConsole *self,
                             GTask         *task,
                             const GError  *error)
{
  HvTestWaiter *waiter = hv_test_console_take_waiter (self, task);

  hv_test_console_show_tail (self);
  g_task_return_new_error (task, error->domain, error->code,
                           "%s: %s while waiting for %s (last lines above)",
                           self->name, error->message, waiter->what);
  g_object_unref (task);
}

static gchar *
hv_test_console_collect_output (HvTestConsole *self,
                                HvTestWaiter  *waiter,
                                guint          end)
{
  g_autofree gchar *begin = g_strdup_printf ("HVKIT-BEGIN %u", waiter->command);
  g_autoptr(GString) output = g_string_new (NULL);
  guint i = end;

  while (i > waiter->from && !g_str_equal (g_ptr_array_index (self->lines, i - 1), begin))
    i--;
  if (i == waiter->from)
    return NULL;
  for (; i < end; i++)
    {
      const gchar *line = g_ptr_array_index (self->lines, i);

      /* uevents are printed by another process at any time */
      if (!g_str_has_prefix (line, "UEVENT "))
        g_string_append_printf (output, "%s\n", line);
    }
  return g_string_free (g_steal_pointer (&output), FALSE);
}

/* Returns TRUE if the task was completed (the waiter list may have changed). */
static gboolean
hv_test_console_try_waiter (HvTestConsole *self,
                            GTask         *task)
{
  HvTestWaiter *waiter = g_task_get_task_data (task);

  for (; waiter->next < self->lines->len; waiter->next++)
    {
      const gchar *line = g_ptr_array_index (self->lines, waiter->next);
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree gchar *status = NULL;
      gchar *output;

      if (waiter->kind == HV_TEST_WAITER_LINE && self->taken->data[waiter->next])
        continue;
      if (!g_regex_match (waiter->regex, line, 0, &match))
        continue;

      hv_test_console_take_waiter (self, task);
      if (waiter->kind == HV_TEST_WAITER_LINE)
        {
          self->taken->data[waiter->next] = TRUE;
          g_task_return_pointer (task, g_strdup (line), g_free);
          g_object_unref (task);
          return TRUE;
        }

      status = g_match_info_fetch (match, 1);
      output = hv_test_console_collect_output (self, waiter, waiter->next);
      if (output == NULL)
        {
          hv_test_console_show_tail (self);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   "%s: end of %s without its beginning (last lines above)",
                                   self->name, waiter->what);
        }
      else
        {
          g_task_set_task_data (task, GINT_TO_POINTER (atoi (status)), NULL);
          g_task_return_pointer (task, output, g_free);
        }
      g_object_unref (task);
      return TRUE;
    }
  return FALSE;
}

static void
hv_test_console_dispatch (HvTestConsole *self)
{
  gboolean again = TRUE;

  while (again)
    {
      again = FALSE;
      for (GList *l = self->waiters; l != NULL; l = l->next)
        {
          if (hv_test_console_try_waiter (self, l->data))
            {
              again = TRUE;
              break;
            }
        }
    }

  while (self->closed != NULL && self->waiters != NULL)
    hv_test_console_fail_waiter (self, self->waiters->data, self->closed);
}

static void
hv_test_console_add_line (HvTestConsole *self)
{
  const guint8 no = FALSE;

  g_ptr_array_add (self->lines, g_strdup (self->partial->str));
  g_byte_array_append (self->taken, &no, 1);
  g_string_truncate (self->partial, 0);
}

static void
hv_test_console_add_text (HvTestConsole *self,
                          const gchar   *data,
                          gsize          size)
{
  for (gsize i = 0; i < size; i++)
    {
      if (data[i] == '\r')
        continue;
      g_string_append_c (self->log, data[i]);
      if (data[i] != '\n')
        {
          g_string_append_c (self->partial, data[i]);
          continue;
        }
      hv_test_console_add_line (self);
    }
}

static void
hv_test_console_set_closed (HvTestConsole *self,
                            GError        *error)
{
  if (self->closed != NULL)
    {
      g_error_free (error);
      return;
    }
  self->closed = error;
  if (self->partial->len > 0)
    hv_test_console_add_line (self);
  hv_test_console_dispatch (self);
}

static void hv_test_console_read (HvTestConsole *self);

static void
hv_test_console_read_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source),
                                                              result, &error);
  HvTestConsole *self;

  /* Cancelled means closed or disposed: self may be gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = HV_TEST_CONSOLE (user_data);
  if (bytes == NULL)
    {
      hv_test_console_set_closed (self, g_steal_pointer (&error));
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      hv_test_console_set_closed (self, g_error_new_literal (G_IO_ERROR,
                                                             G_IO_ERROR_CONNECTION_CLOSED,
                                                             "connection closed by the other end"));
      return;
    }
  hv_test_console_add_text (self, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  hv_test_console_read (self);
  hv_test_console_dispatch (self);
}

static void
hv_test_console_read (HvTestConsole *self)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (self->connection));

  g_input_stream_read_bytes_async (input, HV_TEST_CONSOLE_READ_SIZE, G_PRIORITY_DEFAULT,
                                   self->cancellable, hv_test_console_read_cb, self);
}

typedef struct {
  HvTestConsole *self;          /* not a reference: see hv_test_console_read_cb */
  GBytes *bytes;
} HvTestConsoleWrite;

static void hv_test_console_flush (HvTestConsole *self);

static void
hv_test_console_write_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  HvTestConsoleWrite *write = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result,
                                                  NULL, &error);
  HvTestConsole *self = write->self;

  g_bytes_unref (write->bytes);
  g_free (write);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->writing = FALSE;
  if (!ok)
    {
      hv_test_console_set_closed (self, g_steal_pointer (&error));
      return;
    }
  hv_test_console_flush (self);
}

static void
hv_test_console_flush (HvTestConsole *self)
{
  GOutputStream *output;
  HvTestConsoleWrite *write;
  gsize size;
  gchar *data;

  if (self->writing || self->outgoing->len == 0 || self->closed != NULL)
    return;
  output = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));
  size = self->outgoing->len;
  data = g_string_free (self->outgoing, FALSE);
  self->outgoing = g_string_new (NULL);
  write = g_new0 (HvTestConsoleWrite, 1);
  write->self = self;
  write->bytes = g_bytes_new_take (data, size);
  self->writing = TRUE;
  g_output_stream_write_all_async (output, data, size, G_PRIORITY_DEFAULT,
                                   self->cancellable, hv_test_console_write_cb, write);
}

/**
 * hv_test_console_send_line:
 * @self: a connected console
 * @line: text to send, without the newline
 *
 * Queues @line and a newline for writing. A write error closes the console
 * and fails the waits.
 */
void
hv_test_console_send_line (HvTestConsole *self,
                           const gchar   *line)
{
  g_return_if_fail (HV_TEST_IS_CONSOLE (self));
  g_return_if_fail (self->connection != NULL);

  g_string_append_printf (self->outgoing, "%s\n", line);
  hv_test_console_flush (self);
}

static gboolean
hv_test_console_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  HvTestConsole *self = g_task_get_source_object (task);
  HvTestWaiter *waiter = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timed out after %u ms",
                       waiter->timeout_ms);
  hv_test_console_fail_waiter (self, task, error);
  return G_SOURCE_REMOVE;
}

static gboolean
hv_test_console_cancelled_cb (GCancellable *cancellable,
                              gpointer      user_data)
{
  GTask *task = user_data;
  HvTestConsole *self = g_task_get_source_object (task);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "cancelled");

  hv_test_console_fail_waiter (self, task, error);
  return G_SOURCE_REMOVE;
}

/* The task is owned by the waiter list until it completes. */
static void
hv_test_console_add_waiter (HvTestConsole *self,
                            GTask         *task,
                            HvTestWaiter  *waiter,
                            guint          timeout_ms)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_task_set_task_data (task, waiter, (GDestroyNotify) hv_test_waiter_free);
  waiter->timeout_ms = timeout_ms;
  waiter->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (waiter->timeout, hv_test_console_timeout_cb, task, NULL);
  g_source_attach (waiter->timeout, self->context);
  if (cancellable != NULL)
    {
      waiter->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancelled, G_SOURCE_FUNC (hv_test_console_cancelled_cb),
                             task, NULL);
      g_source_attach (waiter->cancelled, self->context);
    }
  self->waiters = g_list_append (self->waiters, task);
  hv_test_console_dispatch (self);
}

/**
 * hv_test_console_wait_for_line_async:
 * @self: a console
 * @pattern: a GRegex matched against each line, without its line end
 * @timeout_ms: how long to wait
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: for @callback
 *
 * Waits for a line matching @pattern and takes it: the first one that no
 * earlier wait took, among those that arrived before this call (since the
 * last hv_test_console_skip_received()) and those to come. Fails with
 * %G_IO_ERROR_TIMED_OUT, or the error that closed the console; the message
 * ends with the last lines read.
 */
void
hv_test_console_wait_for_line_async (HvTestConsole       *self,
                                     const gchar         *pattern,
                                     guint                timeout_ms,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  GTask *task;
  HvTestWaiter *waiter;
  GRegex *regex;

  g_return_if_fail (HV_TEST_IS_CONSOLE (self));

  regex = g_regex_new (pattern, G_REGEX_OPTIMIZE, 0, &error);
  if (regex == NULL)
    {
      g_critical ("%s: bad pattern /%s/: %s", self->name, pattern, error->message);
      return;
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_test_console_wait_for_line_async);
  waiter = g_new0 (HvTestWaiter, 1);
  waiter->kind = HV_TEST_WAITER_LINE;
  waiter->regex = regex;
  waiter->what = g_strdup_printf ("a line matching /%s/", pattern);
  waiter->from = waiter->next = self->floor;
  hv_test_console_add_waiter (self, task, waiter, timeout_ms);
}

/**
 * hv_test_console_wait_for_line_finish:
 *
 * Returns: (transfer full): the matching line, or %NULL with @error set
 */
gchar *
hv_test_console_wait_for_line_finish (HvTestConsole  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hv_test_console_wait_for_line_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * hv_test_console_run_async:
 * @self: a console on the test guest's serial port
 * @command: a shell command line for the guest
 * @timeout_ms: how long to wait for it to finish
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: for @callback
 *
 * Runs @command in the guest shell between two markers that carry a number
 * unique to this console, and collects what it prints (stdout and stderr,
 * without the `UEVENT` lines the guest prints meanwhile) and its exit status.
 * Its lines stay for hv_test_console_wait_for_line().
 */
void
hv_test_console_run_async (HvTestConsole       *self,
                           const gchar         *command,
                           guint                timeout_ms,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autofree gchar *pattern = NULL;
  g_autofree gchar *line = NULL;
  GTask *task;
  HvTestWaiter *waiter;

  g_return_if_fail (HV_TEST_IS_CONSOLE (self));
  g_return_if_fail (command != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_test_console_run_async);
  waiter = g_new0 (HvTestWaiter, 1);
  waiter->kind = HV_TEST_WAITER_COMMAND;
  waiter->command = ++self->next_command;
  pattern = g_strdup_printf ("^HVKIT-END %u ([0-9]+)$", waiter->command);
  waiter->regex = g_regex_new (pattern, 0, 0, NULL);
  waiter->what = g_strdup_printf ("the end of command %u `%s`", waiter->command, command);
  waiter->from = waiter->next = self->lines->len;
  /* The markers are printed with the number as an argument, so that the
   * command line itself, were it echoed, cannot match them. The braces keep
   * `a; b` or `a && b` one command for $?. */
  line = g_strdup_printf ("printf 'HVKIT-BEGIN %%u\\n' %u; { %s\n}; printf 'HVKIT-END %%u %%d\\n' %u $?",
                          waiter->command, command, waiter->command);
  hv_test_console_send_line (self, line);
  hv_test_console_add_waiter (self, task, waiter, timeout_ms);
}

/**
 * hv_test_console_run_finish:
 * @out_status: (out) (optional): the command's exit status
 *
 * Returns: (transfer full): the command's output, one '\n' after each line,
 *   or %NULL with @error set
 */
gchar *
hv_test_console_run_finish (HvTestConsole  *self,
                            GAsyncResult   *result,
                            gint           *out_status,
                            GError        **error)
{
  gchar *output;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hv_test_console_run_async, NULL);

  output = g_task_propagate_pointer (G_TASK (result), error);
  if (output != NULL && out_status != NULL)
    *out_status = GPOINTER_TO_INT (g_task_get_task_data (G_TASK (result)));
  return output;
}

/**
 * hv_test_console_skip_received:
 * @self: a console
 *
 * Makes later waits look only at lines that arrive after this call, so that
 * e.g. the uevent of an earlier device of the same name cannot satisfy them.
 */
void
hv_test_console_skip_received (HvTestConsole *self)
{
  g_return_if_fail (HV_TEST_IS_CONSOLE (self));

  self->floor = self->lines->len;
}

/**
 * hv_test_console_forget_received:
 * @self: a console with no wait pending
 *
 * As hv_test_console_skip_received(), and frees the lines and the log
 * kept so far: a run of thousands of waits (a soak) keeps its memory flat.
 */
void
hv_test_console_forget_received (HvTestConsole *self)
{
  g_return_if_fail (HV_TEST_IS_CONSOLE (self));
  g_return_if_fail (self->waiters == NULL);

  g_ptr_array_set_size (self->lines, 0);
  g_byte_array_set_size (self->taken, 0);
  g_string_truncate (self->log, 0);
  self->floor = 0;
}

/**
 * hv_test_console_get_log:
 * @self: a console
 *
 * Returns: everything read so far, line ends as "\n"
 */
const gchar *
hv_test_console_get_log (HvTestConsole *self)
{
  g_return_val_if_fail (HV_TEST_IS_CONSOLE (self), NULL);

  return self->log->str;
}

static void
hv_test_console_connect_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvTestConsole *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      g_task_return_new_error (task, error->domain, error->code, "%s: cannot connect to %s: %s",
                               self->name, (const gchar *) g_task_get_task_data (task),
                               error->message);
      return;
    }
  self->connection = connection;
  hv_test_console_read (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * hv_test_console_connect_async:
 * @self: a console not yet connected
 * @path: the unix socket
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: for @callback
 *
 * Connects to @path and starts reading.
 */
void
hv_test_console_connect_async (HvTestConsole       *self,
                               const gchar         *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  GTask *task;

  g_return_if_fail (HV_TEST_IS_CONSOLE (self));
  g_return_if_fail (self->connection == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_test_console_connect_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), cancellable,
                                 hv_test_console_connect_cb, task);
}

gboolean
hv_test_console_connect_finish (HvTestConsole  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hv_test_console_connect_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hv_test_console_sync_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
hv_test_console_wait_sync (HvTestConsole  *self,
                           GAsyncResult  **result)
{
  while (*result == NULL)
    g_main_context_iteration (self->context, TRUE);
  return *result;
}

gboolean
hv_test_console_connect (HvTestConsole  *self,
                         const gchar    *path,
                         GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hv_test_console_connect_async (self, path, NULL, hv_test_console_sync_cb, &result);
  return hv_test_console_connect_finish (self, hv_test_console_wait_sync (self, &result), error);
}

gchar *
hv_test_console_wait_for_line (HvTestConsole  *self,
                               const gchar    *pattern,
                               guint           timeout_ms,
                               GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hv_test_console_wait_for_line_async (self, pattern, timeout_ms, NULL,
                                       hv_test_console_sync_cb, &result);
  return hv_test_console_wait_for_line_finish (self, hv_test_console_wait_sync (self, &result),
                                               error);
}

gchar *
hv_test_console_run (HvTestConsole  *self,
                     const gchar    *command,
                     guint           timeout_ms,
                     gint           *out_status,
                     GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hv_test_console_run_async (self, command, timeout_ms, NULL, hv_test_console_sync_cb, &result);
  return hv_test_console_run_finish (self, hv_test_console_wait_sync (self, &result),
                                     out_status, error);
}

/**
 * hv_test_console_close:
 * @self: a console
 *
 * Stops reading and writing and fails the pending waits; the log stays.
 */
void
hv_test_console_close (HvTestConsole *self)
{
  g_return_if_fail (HV_TEST_IS_CONSOLE (self));

  g_cancellable_cancel (self->cancellable);
  /* The stream would refuse to close while the cancelled read is pending. */
  if (self->connection != NULL)
    g_socket_close (g_socket_connection_get_socket (self->connection), NULL);
  hv_test_console_set_closed (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                         "console closed"));
}

static void
hv_test_console_dispose (GObject *object)
{
  HvTestConsole *self = HV_TEST_CONSOLE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (hv_test_console_parent_class)->dispose (object);
}

static void
hv_test_console_finalize (GObject *object)
{
  HvTestConsole *self = HV_TEST_CONSOLE (object);

  /* Each pending waiter holds a reference on the console. */
  g_assert (self->waiters == NULL);
  g_free (self->name);
  g_main_context_unref (self->context);
  g_object_unref (self->cancellable);
  g_string_free (self->log, TRUE);
  g_string_free (self->partial, TRUE);
  g_ptr_array_unref (self->lines);
  g_byte_array_unref (self->taken);
  g_string_free (self->outgoing, TRUE);
  g_clear_error (&self->closed);
  G_OBJECT_CLASS (hv_test_console_parent_class)->finalize (object);
}

static void
hv_test_console_class_init (HvTestConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hv_test_console_dispose;
  object_class->finalize = hv_test_console_finalize;
}

static void
hv_test_console_init (HvTestConsole *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->log = g_string_new (NULL);
  self->partial = g_string_new (NULL);
  self->lines = g_ptr_array_new_with_free_func (g_free);
  self->taken = g_byte_array_new ();
  self->outgoing = g_string_new (NULL);
}

/**
 * hv_test_console_new:
 * @name: what the console is, for messages ("serial", "qmp")
 *
 * Returns: (transfer full): a console to connect
 */
HvTestConsole *
hv_test_console_new (const gchar *name)
{
  HvTestConsole *self = g_object_new (HV_TEST_TYPE_CONSOLE, NULL);

  self->name = g_strdup (name);
  return self;
}
