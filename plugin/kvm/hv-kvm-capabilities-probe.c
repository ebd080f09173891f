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
#include "hv-kvm-capabilities-private.h"

/*
 * The probe: one QEMU run, `-machine none` with QMP on its stdin and
 * stdout. Every question is asked at once, ending with `quit`; QEMU
 * answers them in order and exits, and the whole conversation is read with
 * g_subprocess_communicate_async(). No socket, no connect retry, no help
 * text parsed with regular expressions.
 *
 * The questions are in a memfd that becomes QEMU's stdin rather than in a
 * pipe: a QEMU that dies before reading them would make a write to a pipe
 * raise SIGPIPE in the process that loaded hvkit. Without OOB, QEMU reads
 * no further input while a command is queued, so the end of the file never
 * cuts the conversation short.
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
  g_string_append (input, "{\"execute\": \"quit\", \"id\": \"quit\"}\n");

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
                                       collect_machines (lists[2]));
}

typedef struct {
  gchar *qemu_path;
  GSource *timeout_source;
  gboolean timed_out;
  guint timeout_ms;
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
  g_free (data);
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  ProbeData *data = g_task_get_task_data (task);
  GSubprocess *subprocess = g_object_get_data (G_OBJECT (task), "subprocess");

  /* communicate_async completes once the killed process is reaped */
  data->timed_out = TRUE;
  g_subprocess_force_exit (subprocess);
  return G_SOURCE_REMOVE;
}

static void
probe_communicate_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ProbeData *data = g_task_get_task_data (task);
  GSubprocess *subprocess = G_SUBPROCESS (source);
  g_autoptr(GBytes) stdout_bytes = NULL;
  g_autoptr(GBytes) stderr_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *transcript = NULL;
  g_autofree gchar *stderr_text = NULL;
  HvKvmCapabilities *capabilities;

  if (!g_subprocess_communicate_finish (subprocess, result, &stdout_bytes, &stderr_bytes,
                                        &error))
    {
      /* cancelled, or the pipes failed: QEMU must not outlive the probe */
      g_subprocess_force_exit (subprocess);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                                 _("Could not probe QEMU '%s': %s"),
                                 data->qemu_path, error->message);
      return;
    }
  if (data->timed_out)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_TIMEOUT,
                               _("Probing QEMU '%s' took longer than %u ms"),
                               data->qemu_path, data->timeout_ms);
      return;
    }

  /* an empty GBytes has no data pointer at all */
  transcript = g_strndup (g_bytes_get_size (stdout_bytes) > 0 ?
                          g_bytes_get_data (stdout_bytes, NULL) : "",
                          g_bytes_get_size (stdout_bytes));
  capabilities = hv_kvm_capabilities_new_from_qmp_transcript (transcript, &error);
  if (capabilities == NULL)
    {
      stderr_text = g_strndup (g_bytes_get_size (stderr_bytes) > 0 ?
                               g_bytes_get_data (stderr_bytes, NULL) : "",
                               g_bytes_get_size (stderr_bytes));
      g_strstrip (stderr_text);
      g_task_return_new_error (task, HV_ERROR, error->code,
                               _("Could not probe QEMU '%s' (exit status %d): %s%s%s"),
                               data->qemu_path, g_subprocess_get_status (subprocess),
                               error->message, *stderr_text != '\0' ? ": " : "",
                               stderr_text);
      return;
    }

  g_task_return_pointer (task, capabilities, g_object_unref);
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
  g_autoptr(GSubprocess) subprocess = NULL;
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
  subprocess = g_subprocess_launcher_spawn (launcher, &error, qemu_path,
                                            "-machine", "none", "-nodefaults",
                                            "-display", "none", "-no-user-config",
                                            "-qmp", "stdio", NULL);
  if (subprocess == NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                               _("Could not run QEMU '%s': %s"), qemu_path, error->message);
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "subprocess", g_object_ref (subprocess),
                          g_object_unref);

  data->timeout_source = g_timeout_source_new (timeout_ms);
  g_source_set_callback (data->timeout_source, probe_timeout_cb, task, NULL);
  g_source_set_static_name (data->timeout_source, "[hvkit] QEMU capability probe timeout");
  g_source_attach (data->timeout_source, g_task_get_context (task));

  g_subprocess_communicate_async (subprocess, NULL, cancellable,
                                  probe_communicate_cb, g_steal_pointer (&task));
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
