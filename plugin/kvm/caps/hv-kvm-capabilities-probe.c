/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmCapabilities"

#include "config.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "hvkit.h"
#include "hv-kvm-capabilities-probe.h"

/*
 * The probe: one QEMU run, `-machine none` with QMP on its stdin and
 * stdout. Every question is asked at once; QEMU answers them in order, and
 * once the last answer is in QEMU is killed: the whole run is one
 * GSubprocess read line by line. No socket, no connect retry, no help text
 * parsed with regular expressions.
 *
 * Two things QEMU 7.2 does shape this:
 * - `quit` is not asked: QEMU drops monitor output still buffered when it
 *   exits, and the answers are ~80 KB, more than a pipe holds (one run in
 *   ten lost ~15 KB here). Killing it after the last answer loses nothing.
 * - The questions are in a memfd that becomes QEMU's stdin rather than in
 *   a pipe: a QEMU that dies before reading them would make a write to a
 *   pipe raise SIGPIPE in the process that loaded hvkit. Without OOB, QEMU
 *   reads no further input while a command is queued, so the end of the
 *   file does not cut the conversation short.
 */

/* The questions, by id. The ones marked required fail the probe when QEMU
 * answers with an error; the others leave their set empty. */
static const struct {
  const gchar *id;
  const gchar *command;
  const gchar *arguments;
  gboolean required;
} probe_commands[] = {
  { "version", "query-version", NULL, TRUE },
  { "commands", "query-commands", NULL, TRUE },
  { "machines", "query-machines", NULL, TRUE },
  { "devices", "qom-list-types", "{\"implements\": \"device\", \"abstract\": false}", TRUE },
  { "cpu-models", "query-cpu-definitions", NULL, FALSE },
  { "migration-capabilities", "query-migrate-capabilities", NULL, FALSE },
  { "command-line-options", "query-command-line-options", NULL, FALSE },
};

/* What the probe writes on QEMU's stdin; also used to record fixtures. */
GBytes *
hv_kvm_capabilities_build_probe_input (void)
{
  GString *input = g_string_new ("{\"execute\": \"qmp_capabilities\", \"id\": \"negotiate\"}\n");

  for (gsize i = 0; i < G_N_ELEMENTS (probe_commands); i++)
    {
      g_string_append_printf (input, "{\"execute\": \"%s\", \"id\": \"%s\"",
                              probe_commands[i].command, probe_commands[i].id);
      if (probe_commands[i].arguments != NULL)
        g_string_append_printf (input, ", \"arguments\": %s", probe_commands[i].arguments);
      g_string_append (input, "}\n");
    }

  return g_string_free_to_bytes (input);
}

/* Reads the transcript into id → reply object ("return" or "error"). */
static GHashTable *
index_replies (const gchar  *transcript,
               GError      **error)
{
  g_autoptr(GHashTable) replies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) json_node_unref);
  g_auto(GStrv) lines = g_strsplit (transcript, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) local_error = NULL;
      JsonObject *object;
      const gchar *id;

      g_strstrip (lines[i]);
      if (*lines[i] == '\0')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, &local_error) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_MONITOR,
                       _("QEMU capability probe: line %u is not a QMP message: %s"),
                       i + 1, local_error != NULL ? local_error->message : lines[i]);
          return NULL;
        }

      object = json_node_get_object (json_parser_get_root (parser));
      id = json_object_get_string_member_with_default (object, "id", NULL);
      if (id != NULL)
        g_hash_table_replace (replies, g_strdup (id), json_node_ref (json_parser_get_root (parser)));
    }

  return g_steal_pointer (&replies);
}

/* Returns the "return" array of the reply to @id, or NULL (with @error set
 * only when the command is required). */
static JsonArray *
lookup_return_array (GHashTable  *replies,
                     const gchar *id,
                     gboolean     required,
                     GError     **error)
{
  JsonNode *reply = g_hash_table_lookup (replies, id);
  JsonObject *object = reply != NULL ? json_node_get_object (reply) : NULL;
  JsonNode *result = object != NULL ? json_object_get_member (object, "return") : NULL;

  if (result != NULL && JSON_NODE_HOLDS_ARRAY (result))
    return json_node_get_array (result);

  if (required)
    {
      JsonObject *qmp_error = object != NULL ?
        json_object_get_object_member (object, "error") : NULL;

      g_set_error (error, HV_ERROR, HV_ERROR_MONITOR,
                   _("QEMU capability probe: no list in the answer to '%s': %s"), id,
                   qmp_error != NULL ?
                   json_object_get_string_member_with_default (qmp_error, "desc", "?") :
                   _("no answer"));
    }
  else if (object != NULL)
    g_debug ("probe: '%s' gave no list; its set stays empty", id);
  return NULL;
}

static GPtrArray *
collect_member (JsonArray   *array,
                const gchar *member)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  guint length = array != NULL ? json_array_get_length (array) : 0;

  for (guint i = 0; i < length; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const gchar *name;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      name = json_object_get_string_member_with_default (json_node_get_object (node),
                                                         member, NULL);
      if (name != NULL)
        g_ptr_array_add (names, g_strdup (name));
    }
  return names;
}

static GArray *
collect_machines (JsonArray *array)
{
  GArray *machines = hv_kvm_capabilities_machines_new ();

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *machine;
      const gchar *name;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      machine = json_node_get_object (node);
      name = json_object_get_string_member_with_default (machine, "name", NULL);
      if (name == NULL)
        continue;
      hv_kvm_capabilities_machines_add (
        machines, name,
        json_object_get_string_member_with_default (machine, "alias", NULL),
        json_object_get_boolean_member_with_default (machine, "is-default", FALSE),
        json_object_get_boolean_member_with_default (machine, "deprecated", FALSE));
    }
  return machines;
}

/* option → parameter names; an option with no fixed parameters (-device,
 * -object) is there with none */
static GHashTable *
collect_options (JsonArray *array)
{
  GHashTable *options = hv_kvm_capabilities_options_new ();
  guint length = array != NULL ? json_array_get_length (array) : 0;

  for (guint i = 0; i < length; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *option;
      JsonNode *parameters_node;
      JsonArray *parameters = NULL;
      const gchar *name;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      option = json_node_get_object (node);
      name = json_object_get_string_member_with_default (option, "option", NULL);
      if (name == NULL)
        continue;
      hv_kvm_capabilities_options_add (options, name, NULL);
      parameters_node = json_object_get_member (option, "parameters");
      if (parameters_node != NULL && JSON_NODE_HOLDS_ARRAY (parameters_node))
        parameters = json_node_get_array (parameters_node);
      for (guint j = 0; parameters != NULL && j < json_array_get_length (parameters); j++)
        {
          JsonNode *parameter = json_array_get_element (parameters, j);

          if (JSON_NODE_HOLDS_OBJECT (parameter))
            hv_kvm_capabilities_options_add (
              options, name,
              json_object_get_string_member_with_default (json_node_get_object (parameter),
                                                          "name", NULL));
        }
    }
  return options;
}

static gboolean
read_version (GHashTable   *replies,
              guint        *major,
              guint        *minor,
              guint        *micro,
              const gchar **package,
              GError      **error)
{
  JsonNode *reply = g_hash_table_lookup (replies, "version");
  JsonObject *result = NULL;
  JsonObject *qemu = NULL;

  if (reply != NULL)
    result = json_object_get_object_member (json_node_get_object (reply), "return");
  if (result != NULL && json_object_has_member (result, "qemu"))
    qemu = json_object_get_object_member (result, "qemu");
  if (qemu == NULL)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_MONITOR,
                           _("QEMU capability probe: query-version gave no version"));
      return FALSE;
    }

  *major = (guint) json_object_get_int_member_with_default (qemu, "major", 0);
  *minor = (guint) json_object_get_int_member_with_default (qemu, "minor", 0);
  *micro = (guint) json_object_get_int_member_with_default (qemu, "micro", 0);
  *package = json_object_get_string_member_with_default (result, "package", "");
  return TRUE;
}

/**
 * hv_kvm_capabilities_new_from_qmp_transcript:
 * @transcript: what QEMU wrote on its QMP stdout during a probe: the
 *   greeting, then one reply per line
 * @error: return location for a #GError
 *
 * The parsing half of the probe, apart so that a recorded transcript of a
 * real QEMU serves the tests as a fixture.
 *
 * Returns: (transfer full): the capabilities, or %NULL with %HV_ERROR_MONITOR
 */
HvKvmCapabilities *
hv_kvm_capabilities_new_from_qmp_transcript (const gchar  *transcript,
                                             GError      **error)
{
  g_autoptr(GHashTable) replies = NULL;
  JsonArray *lists[G_N_ELEMENTS (probe_commands)] = { NULL, };
  const gchar *package = NULL;
  guint major, minor, micro;

  g_return_val_if_fail (transcript != NULL, NULL);

  replies = index_replies (transcript, error);
  if (replies == NULL || !read_version (replies, &major, &minor, &micro, &package, error))
    return NULL;

  /* probe_commands[0] is query-version, read above */
  for (gsize i = 1; i < G_N_ELEMENTS (probe_commands); i++)
    {
      lists[i] = lookup_return_array (replies, probe_commands[i].id,
                                      probe_commands[i].required, error);
      if (lists[i] == NULL && probe_commands[i].required)
        return NULL;
    }

  return hv_kvm_capabilities_new_take (major, minor, micro, package,
                                       collect_member (lists[1], "name"),
                                       collect_member (lists[3], "name"),
                                       collect_member (lists[4], "name"),
                                       collect_member (lists[5], "capability"),
                                       collect_machines (lists[2]),
                                       collect_options (lists[6]));
}

typedef struct {
  gchar *qemu_path;
  guint timeout_ms;
  GSubprocess *subprocess;
  GDataInputStream *output;      /* QEMU's stdout, line by line */
  GOutputStream *errors;         /* QEMU's stderr, all of it */
  GString *transcript;
  GHashTable *unanswered;        /* ids of the questions */
  GSource *timeout_source;
  GError *error;                 /* the first failure */
  gboolean timed_out;
  guint running;                 /* reading stdout, reading stderr, waiting */
} ProbeData;

static void
probe_data_free (ProbeData *data)
{
  if (data->timeout_source != NULL)
    {
      g_source_destroy (data->timeout_source);
      g_source_unref (data->timeout_source);
    }
  g_free (data->qemu_path);
  g_clear_object (&data->subprocess);
  g_clear_object (&data->output);
  g_clear_object (&data->errors);
  g_string_free (data->transcript, TRUE);
  g_hash_table_unref (data->unanswered);
  g_clear_error (&data->error);
  g_free (data);
}

static gchar *
probe_stderr (ProbeData *data)
{
  GMemoryOutputStream *errors = G_MEMORY_OUTPUT_STREAM (data->errors);
  gchar *text = g_strndup (g_memory_output_stream_get_data (errors),
                           g_memory_output_stream_get_data_size (errors));

  /* a stream nothing was written to has no data at all: NULL */
  return text != NULL ? g_strstrip (text) : g_strdup ("");
}

/* Once QEMU is gone and both of its outputs are read: the answer. */
static void
probe_finish (GTask *task)
{
  ProbeData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *stderr_text = NULL;
  HvKvmCapabilities *capabilities;

  if (data->error != NULL &&
      g_error_matches (data->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
      return;
    }
  if (data->timed_out)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_TIMEOUT,
                               _("Probing QEMU '%s' took longer than %u ms"),
                               data->qemu_path, data->timeout_ms);
      return;
    }

  capabilities = hv_kvm_capabilities_new_from_qmp_transcript (data->transcript->str, &error);
  if (capabilities != NULL && g_hash_table_size (data->unanswered) == 0)
    {
      g_task_return_pointer (task, capabilities, g_object_unref);
      return;
    }
  g_clear_object (&capabilities);

  stderr_text = probe_stderr (data);
  g_task_return_new_error (task, HV_ERROR, error != NULL ? error->code : HV_ERROR_MONITOR,
                           _("Could not probe QEMU '%s': %s%s%s"), data->qemu_path,
                           error != NULL ? error->message :
                           data->error != NULL ? data->error->message :
                           _("QEMU exited before it answered"),
                           *stderr_text != '\0' ? ": " : "", stderr_text);
}

static void
probe_step_done (GTask *task)
{
  ProbeData *data = g_task_get_task_data (task);

  if (--data->running == 0)
    probe_finish (task);
  g_object_unref (task);
}

static void
probe_fail (ProbeData *data,
            GError    *error)
{
  if (data->error == NULL)
    data->error = error;
  else
    g_error_free (error);
  g_subprocess_force_exit (data->subprocess);
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  ProbeData *data = user_data;

  /* the reads end at EOF once QEMU is killed */
  data->timed_out = TRUE;
  g_subprocess_force_exit (data->subprocess);
  return G_SOURCE_REMOVE;
}

/* Notes the answer on @line, if it is one. */
static void
probe_take_line (ProbeData   *data,
                 const gchar *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  const gchar *id;

  g_string_append (data->transcript, line);
  g_string_append_c (data->transcript, '\n');

  if (!json_parser_load_from_data (parser, line, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  id = json_object_get_string_member_with_default (json_node_get_object (root), "id", NULL);
  if (id != NULL)
    g_hash_table_remove (data->unanswered, id);
}

static void
probe_read_line_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  ProbeData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (data->output, result, NULL, &error);
  if (line == NULL)
    {
      /* EOF, or a failure; either way QEMU's part is over */
      if (error != NULL)
        probe_fail (data, g_steal_pointer (&error));
      probe_step_done (task);
      return;
    }

  probe_take_line (data, line);
  if (g_hash_table_size (data->unanswered) == 0)
    {
      /* everything asked is answered: no need for QEMU any more */
      g_subprocess_force_exit (data->subprocess);
      probe_step_done (task);
      return;
    }
  g_data_input_stream_read_line_async (data->output, G_PRIORITY_DEFAULT,
                                       g_task_get_cancellable (task), probe_read_line_cb, task);
}

static void
probe_splice_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  /* what QEMU said on stderr only goes into error messages */
  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0)
    g_debug ("probe: reading QEMU's stderr: %s", error->message);
  probe_step_done (task);
}

static void
probe_wait_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  ProbeData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error))
    probe_fail (data, error);
  probe_step_done (task);
}

/* A memory file holding @input, positioned at its start. */
static gint
input_file_new (GBytes  *input,
                GError **error)
{
  gsize size = 0;
  const gchar *data = g_bytes_get_data (input, &size);
  gint fd = memfd_create ("hvkit-probe", MFD_CLOEXEC);
  gssize written = 0;

  if (fd >= 0)
    {
      do
        written = write (fd, data, size);
      while (written < 0 && errno == EINTR);
    }
  if (fd < 0 || written != (gssize) size || lseek (fd, 0, SEEK_SET) != 0)
    {
      gint saved_errno = errno;

      if (fd >= 0)
        g_close (fd, NULL);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "memfd: %s", g_strerror (saved_errno));
      return -1;
    }
  return fd;
}

/**
 * hv_kvm_capabilities_probe_async:
 * @qemu_path: absolute path of a QEMU system emulator
 * @timeout_ms: how long QEMU may take to answer before it is killed
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the probe is done
 * @user_data: data for @callback
 *
 * Runs @qemu_path once with `-machine none` and asks its QMP what it
 * offers. Uncached: hv_kvm_capabilities_cache_lookup_async() is what a
 * start calls.
 */
void
hv_kvm_capabilities_probe_async (const gchar         *qemu_path,
                                 guint                timeout_ms,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GBytes) input = hv_kvm_capabilities_build_probe_input ();
  g_autoptr(GError) error = NULL;
  ProbeData *data;
  gint input_fd;

  g_return_if_fail (qemu_path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_kvm_capabilities_probe_async);
  data = g_new0 (ProbeData, 1);
  data->qemu_path = g_strdup (qemu_path);
  data->timeout_ms = timeout_ms;
  data->transcript = g_string_new (NULL);
  data->unanswered = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_add (data->unanswered, (gpointer) "negotiate");
  for (gsize i = 0; i < G_N_ELEMENTS (probe_commands); i++)
    g_hash_table_add (data->unanswered, (gpointer) probe_commands[i].id);
  g_task_set_task_data (task, data, (GDestroyNotify) probe_data_free);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  input_fd = input_file_new (input, &error);
  if (input_fd < 0)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                               _("Could not run QEMU '%s': %s"), qemu_path, error->message);
      return;
    }
  g_subprocess_launcher_take_stdin_fd (launcher, input_fd);
  /* C locale: QEMU's messages end up in our errors untranslated either way */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  data->subprocess = g_subprocess_launcher_spawn (launcher, &error, qemu_path,
                                                  "-machine", "none", "-nodefaults",
                                                  "-display", "none", "-no-user-config",
                                                  "-qmp", "stdio", NULL);
  if (data->subprocess == NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                               _("Could not run QEMU '%s': %s"), qemu_path, error->message);
      return;
    }

  data->timeout_source = g_timeout_source_new (timeout_ms);
  g_source_set_callback (data->timeout_source, probe_timeout_cb, data, NULL);
  g_source_set_static_name (data->timeout_source, "[hvkit] QEMU capability probe timeout");
  g_source_attach (data->timeout_source, g_task_get_context (task));

  /* three things run until QEMU is gone; each holds a reference */
  data->running = 3;
  data->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (data->subprocess));
  g_data_input_stream_set_newline_type (data->output, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  g_data_input_stream_read_line_async (data->output, G_PRIORITY_DEFAULT, cancellable,
                                       probe_read_line_cb, g_object_ref (task));
  data->errors = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (data->errors, g_subprocess_get_stderr_pipe (data->subprocess),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL,
                                probe_splice_cb, g_object_ref (task));
  g_subprocess_wait_async (data->subprocess, NULL, probe_wait_cb, g_object_ref (task));
}

/**
 * hv_kvm_capabilities_probe_finish:
 *
 * Returns: (transfer full): the capabilities, or %NULL with the error:
 *   %HV_ERROR_FAILED if QEMU could not run, %HV_ERROR_TIMEOUT, or
 *   %HV_ERROR_MONITOR if its answers made no sense (with its stderr)
 */
HvKvmCapabilities *
hv_kvm_capabilities_probe_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hv_kvm_capabilities_probe_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
