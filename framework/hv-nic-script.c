/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvNicScript"

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n-lib.h>

#include "hv-error.h"
#include "hv-instance-name.h"
#include "hv-nic-script.h"

/**
 * HvNicScript:
 *
 * Runs a network configuration script for a NIC of an instance: the
 * `kvm-ifup`/`kvm-ifdown` scripts of Ganeti, which attach a tap to its
 * bridge, route or switch and undo it.
 *
 * ifup runs `<path> <tap>`, ifdown `<path> <tap> <only_local>` where
 * `only_local` is `true` or `false`: whether the script should undo only
 * what it did on this node (and keep, say, DNS entries). The script gets an
 * explicit environment built by hv_nic_script_build_environment() and
 * nothing else of the caller's, its argv is passed as is (there is no
 * shell), its stdin is `/dev/null` and its stdout and stderr are collected.
 * It runs in a process group of its own, so that a timeout or a
 * cancellation stops everything it started that stayed in that group.
 *
 * A script that fails (exits with a status other than 0, or is killed) is
 * an %HV_ERROR_FAILED error whose message gives the interface, the exit
 * status or signal and the script's output, as Ganeti's message does. One
 * that does not finish within #HvNicScript:timeout is killed and reported
 * as %HV_ERROR_TIMEOUT. The operation completes when the script has
 * exited; a daemon the script started that keeps its output open does not
 * hold it up.
 *
 * Since: 1.0
 */

/* What is kept of a script's output for the error message: the tail, which
 * is where a failing script says why. */
#define HV_NIC_SCRIPT_OUTPUT_MAX (16 * 1024)

struct _HvNicScript {
  GObject  parent_instance;
  gchar   *path;
  guint    timeout_ms;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HvNicScript, hv_nic_script, G_TYPE_OBJECT)

static void
hv_nic_script_finalize (GObject *object)
{
  HvNicScript *self = HV_NIC_SCRIPT (object);

  g_free (self->path);

  G_OBJECT_CLASS (hv_nic_script_parent_class)->finalize (object);
}

static void
hv_nic_script_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HvNicScript *self = HV_NIC_SCRIPT (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_nic_script_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  HvNicScript *self = HV_NIC_SCRIPT (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_TIMEOUT:
      hv_nic_script_set_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_nic_script_class_init (HvNicScriptClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hv_nic_script_finalize;
  object_class->get_property = hv_nic_script_get_property;
  object_class->set_property = hv_nic_script_set_property;

  /**
   * HvNicScript:path:
   *
   * The script to run, an absolute path.
   *
   * Since: 1.0
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HvNicScript:timeout:
   *
   * How long a script may run, in milliseconds, before it is killed; 0
   * (the default, as in Ganeti) lets it run as long as it takes.
   *
   * Since: 1.0
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_nic_script_init (HvNicScript *self)
{
}

/**
 * hv_nic_script_new:
 * @path: (type filename): the script, an absolute path
 *
 * Returns: (transfer full): a runner for the script at @path
 *
 * Since: 1.0
 */
HvNicScript *
hv_nic_script_new (const gchar *path)
{
  g_return_val_if_fail (path != NULL && g_path_is_absolute (path), NULL);

  return g_object_new (HV_TYPE_NIC_SCRIPT, "path", path, NULL);
}

/**
 * hv_nic_script_get_path:
 * @self: an #HvNicScript
 *
 * Returns: (type filename): the script's path
 *
 * Since: 1.0
 */
const gchar *
hv_nic_script_get_path (HvNicScript *self)
{
  g_return_val_if_fail (HV_IS_NIC_SCRIPT (self), NULL);

  return self->path;
}

/**
 * hv_nic_script_get_timeout:
 * @self: an #HvNicScript
 *
 * Returns: #HvNicScript:timeout, in milliseconds
 *
 * Since: 1.0
 */
guint
hv_nic_script_get_timeout (HvNicScript *self)
{
  g_return_val_if_fail (HV_IS_NIC_SCRIPT (self), 0);

  return self->timeout_ms;
}

/**
 * hv_nic_script_set_timeout:
 * @self: an #HvNicScript
 * @timeout_ms: how long a script may run, in milliseconds, 0 for ever
 *
 * Sets #HvNicScript:timeout for the runs started from now on.
 *
 * Since: 1.0
 */
void
hv_nic_script_set_timeout (HvNicScript *self,
                           guint        timeout_ms)
{
  g_return_if_fail (HV_IS_NIC_SCRIPT (self));

  if (self->timeout_ms == timeout_ms)
    return;
  self->timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/* One run of the script: the process, its output, and what has happened
 * so far. The task completes once the process has exited and its output
 * is read (to its end, or to what was there when it exited). */
typedef struct {
  GSubprocess  *process;
  GInputStream *output;
  GByteArray   *collected;
  GCancellable *read_cancellable;
  GSource      *timeout_source;
  gchar        *tap;
  gboolean      up;
  guint         timeout_ms;
  gboolean      exited;
  gboolean      output_done;
  gboolean      timed_out;
  gboolean      returned;
} HvNicScriptRun;

static void
hv_nic_script_run_free (gpointer data)
{
  HvNicScriptRun *run = data;

  if (run->timeout_source != NULL)
    {
      g_source_destroy (run->timeout_source);
      g_source_unref (run->timeout_source);
    }
  g_clear_object (&run->read_cancellable);
  g_clear_pointer (&run->collected, g_byte_array_unref);
  g_clear_object (&run->process);
  g_free (run->tap);
  g_free (run);
}

/* The script runs in a process group of its own (see hv_nic_script_child_setup),
 * so its children go with it. */
static void
hv_nic_script_run_kill (HvNicScriptRun *run)
{
  const gchar *identifier = g_subprocess_get_identifier (run->process);

  if (identifier == NULL || run->exited)
    return;
  /* the child may not have made its group yet: kill it by pid too */
  kill (-(pid_t) atoi (identifier), SIGKILL);
  g_subprocess_force_exit (run->process);
}

static void
hv_nic_script_child_setup (gpointer user_data)
{
  setpgid (0, 0);
}

static void
hv_nic_script_run_collect (HvNicScriptRun *run,
                           const guint8   *data,
                           gsize           len)
{
  g_byte_array_append (run->collected, data, (guint) len);
  if (run->collected->len > HV_NIC_SCRIPT_OUTPUT_MAX)
    g_byte_array_remove_range (run->collected, 0,
                               run->collected->len - HV_NIC_SCRIPT_OUTPUT_MAX);
}

/* Once the script has exited, what it wrote is in the pipe: read that much
 * without waiting for an end of file that a daemon it started may hold
 * off. */
static void
hv_nic_script_run_drain (HvNicScriptRun *run)
{
  GPollableInputStream *pollable = G_POLLABLE_INPUT_STREAM (run->output);
  guint8 buffer[4096];

  for (;;)
    {
      gssize n = g_pollable_input_stream_read_nonblocking (pollable, buffer, sizeof buffer,
                                                           NULL, NULL);
      if (n <= 0)
        break;
      hv_nic_script_run_collect (run, buffer, (gsize) n);
    }
}

static gchar *
hv_nic_script_run_describe_failure (HvNicScriptRun *run)
{
  gint status;

  if (run->timed_out)
    return g_strdup_printf (_("did not finish within %u ms and was killed"), run->timeout_ms);
  if (g_subprocess_get_if_exited (run->process))
    return g_strdup_printf (_("exited with status %d"), g_subprocess_get_exit_status (run->process));
  status = g_subprocess_get_term_sig (run->process);
  return g_strdup_printf (_("was killed by signal %d (%s)"), status, g_strsignal (status));
}

static void
hv_nic_script_run_complete (GTask *task)
{
  HvNicScriptRun *run = g_task_get_task_data (task);
  g_autofree gchar *output = NULL;
  g_autofree gchar *reason = NULL;

  if (run->returned || !run->exited || !run->output_done)
    return;
  run->returned = TRUE;
  if (run->timeout_source != NULL)
    g_source_destroy (run->timeout_source);

  /* an empty GByteArray has no data at all */
  output = run->collected->len > 0 ? g_utf8_make_valid ((const gchar *) run->collected->data,
                                                        run->collected->len)
                                   : g_strdup ("");
  g_strchomp (output);
  g_debug ("%s %s: %s", hv_nic_script_get_path (g_task_get_source_object (task)),
           run->tap, output);
  if (!run->timed_out && g_subprocess_get_successful (run->process))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  reason = hv_nic_script_run_describe_failure (run);
  if (run->up)
    g_task_return_new_error (task, HV_ERROR, run->timed_out ? HV_ERROR_TIMEOUT : HV_ERROR_FAILED,
                             _("Failed to configure interface %s: %s; network configuration "
                               "script output: %s"), run->tap, reason, output);
  else
    g_task_return_new_error (task, HV_ERROR, run->timed_out ? HV_ERROR_TIMEOUT : HV_ERROR_FAILED,
                             _("Failed to unconfigure interface %s: %s; network configuration "
                               "script output: %s"), run->tap, reason, output);
}

static void hv_nic_script_run_read (GTask *task);

static void
hv_nic_script_run_read_done (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvNicScriptRun *run = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes != NULL && g_bytes_get_size (bytes) > 0)
    {
      hv_nic_script_run_collect (run, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      if (!run->exited)
        {
          hv_nic_script_run_read (task);
          return;
        }
    }
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("reading the output of %s: %s",
             hv_nic_script_get_path (g_task_get_source_object (task)), error->message);

  /* the script has exited (or the pipe failed): take what is left in the
   * pipe, unless the end of it was reached */
  if (run->exited && (bytes == NULL || g_bytes_get_size (bytes) > 0))
    hv_nic_script_run_drain (run);
  run->output_done = TRUE;
  hv_nic_script_run_complete (task);
}

static void
hv_nic_script_run_read (GTask *task)
{
  HvNicScriptRun *run = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (run->output, 4096, G_PRIORITY_DEFAULT, run->read_cancellable,
                                   hv_nic_script_run_read_done, g_object_ref (task));
}

static void
hv_nic_script_run_exited (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvNicScriptRun *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (run->process, result, &error))
    {
      /* cancelled: stop the script and everything it started */
      hv_nic_script_run_kill (run);
      g_cancellable_cancel (run->read_cancellable);
      if (!run->returned)
        {
          run->returned = TRUE;
          g_task_return_error (task, g_steal_pointer (&error));
        }
      return;
    }

  run->exited = TRUE;
  if (!run->output_done)
    g_cancellable_cancel (run->read_cancellable);
  hv_nic_script_run_complete (task);
}

static gboolean
hv_nic_script_run_timed_out (gpointer user_data)
{
  GTask *task = user_data;
  HvNicScriptRun *run = g_task_get_task_data (task);

  run->timed_out = TRUE;
  hv_nic_script_run_kill (run);
  return G_SOURCE_REMOVE;
}

static void
hv_nic_script_run (HvNicScript         *self,
                   gpointer             source_tag,
                   const gchar * const *argv,
                   const gchar * const *envp,
                   gboolean             up,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  HvNicScriptRun *run = g_new0 (HvNicScriptRun, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, run, hv_nic_script_run_free);
  run->tap = g_strdup (argv[1]);
  run->up = up;
  run->timeout_ms = self->timeout_ms;
  run->collected = g_byte_array_new ();
  run->read_cancellable = g_cancellable_new ();

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_environ (launcher, (gchar **) envp);
  g_subprocess_launcher_set_child_setup (launcher, hv_nic_script_child_setup, NULL, NULL);
  run->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (run->process == NULL)
    {
      run->returned = TRUE;
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                               up ? _("Failed to configure interface %s: %s")
                                  : _("Failed to unconfigure interface %s: %s"),
                               run->tap, error->message);
      return;
    }
  run->output = g_subprocess_get_stdout_pipe (run->process);

  if (run->timeout_ms > 0)
    {
      run->timeout_source = g_timeout_source_new (run->timeout_ms);
      g_source_set_callback (run->timeout_source, hv_nic_script_run_timed_out, task, NULL);
      g_source_set_static_name (run->timeout_source, "[hvkit] NIC script timeout");
      g_source_attach (run->timeout_source, g_task_get_context (task));
    }
  hv_nic_script_run_read (task);
  g_subprocess_wait_async (run->process, cancellable, hv_nic_script_run_exited,
                           g_object_ref (task));
}

static gboolean
hv_nic_script_check_tap (const gchar *tap)
{
  /* the kernel's rule for interface names (dev_valid_name) */
  return tap != NULL && *tap != '\0' && strlen (tap) < 16 &&
         g_strcmp0 (tap, ".") != 0 && g_strcmp0 (tap, "..") != 0 &&
         strpbrk (tap, "/: \t\n\r\v\f") == NULL;
}

/**
 * hv_nic_script_ifup_async:
 * @self: an #HvNicScript
 * @instance: the instance the NIC belongs to
 * @nic: the NIC
 * @seq: the NIC's index in the instance
 * @tap: the tap on the host that backs @nic
 * @cancellable: (nullable): a #GCancellable; cancelling kills the script
 * @callback: (scope async): called when the script has finished
 * @user_data: data for @callback
 *
 * Runs `<path> <tap>` to configure the tap of a NIC, with the environment
 * hv_nic_script_build_environment() builds from @instance's name and tags
 * (`TAGS` is always set, empty without tags), @nic, @seq and @tap.
 * @callback runs in the thread-default main context of the call.
 *
 * Since: 1.0
 */
void
hv_nic_script_ifup_async (HvNicScript         *self,
                          HvInstance          *instance,
                          HvNic               *nic,
                          guint                seq,
                          const gchar         *tap,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  static const gchar *const no_tags[] = { NULL };
  const gchar *const *tags;
  const gchar *argv[3];
  g_auto(GStrv) envp = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HV_IS_NIC_SCRIPT (self));
  g_return_if_fail (HV_IS_INSTANCE (instance));
  g_return_if_fail (HV_IS_NIC (nic));
  g_return_if_fail (seq <= G_MAXINT);
  g_return_if_fail (hv_nic_script_check_tap (tap));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (!hv_instance_name_validate (hv_instance_get_name (instance), &error))
    {
      g_task_report_error (self, callback, user_data, hv_nic_script_ifup_async,
                           g_steal_pointer (&error));
      return;
    }

  tags = hv_instance_get_tags (instance);
  envp = hv_nic_script_build_environment (hv_instance_get_name (instance), nic, (gint) seq, tap,
                                          tags != NULL ? tags : no_tags);
  argv[0] = self->path;
  argv[1] = tap;
  argv[2] = NULL;
  hv_nic_script_run (self, hv_nic_script_ifup_async, argv, (const gchar * const *) envp, TRUE,
                     cancellable, callback, user_data);
}

/**
 * hv_nic_script_ifup_finish:
 * @self: an #HvNicScript
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the script succeeded; otherwise %FALSE with
 *   %HV_ERROR_FAILED (the script failed or could not be started; the
 *   message has its exit status or signal and its output),
 *   %HV_ERROR_TIMEOUT, %HV_ERROR_INVALID_PARAMETER (an invalid instance
 *   name) or %G_IO_ERROR_CANCELLED
 *
 * Since: 1.0
 */
gboolean
hv_nic_script_ifup_finish (HvNicScript   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (HV_IS_NIC_SCRIPT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_nic_script_ifup_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * hv_nic_script_ifdown_async:
 * @self: an #HvNicScript
 * @instance_name: the name of the instance the NIC belonged to
 * @nic: the NIC
 * @tap: the tap on the host that backed @nic
 * @only_local: whether the script should undo only what it did on this
 *   node, as when an instance leaves it by migration or a NIC is unplugged
 * @cancellable: (nullable): a #GCancellable; cancelling kills the script
 * @callback: (scope async): called when the script has finished
 * @user_data: data for @callback
 *
 * Runs `<path> <tap> true|false` to unconfigure the tap of a NIC. As in
 * Ganeti, the environment has neither `TAGS` nor `INTERFACE_INDEX`: an
 * instance being cleaned up may be known only by name, and its tags may
 * have changed since the NIC was configured. @callback runs in the
 * thread-default main context of the call.
 *
 * Since: 1.0
 */
void
hv_nic_script_ifdown_async (HvNicScript         *self,
                            const gchar         *instance_name,
                            HvNic               *nic,
                            const gchar         *tap,
                            gboolean             only_local,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  const gchar *argv[4];
  g_auto(GStrv) envp = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HV_IS_NIC_SCRIPT (self));
  g_return_if_fail (instance_name != NULL);
  g_return_if_fail (HV_IS_NIC (nic));
  g_return_if_fail (hv_nic_script_check_tap (tap));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (!hv_instance_name_validate (instance_name, &error))
    {
      g_task_report_error (self, callback, user_data, hv_nic_script_ifdown_async,
                           g_steal_pointer (&error));
      return;
    }

  envp = hv_nic_script_build_environment (instance_name, nic, -1, tap, NULL);
  argv[0] = self->path;
  argv[1] = tap;
  argv[2] = only_local ? "true" : "false";
  argv[3] = NULL;
  hv_nic_script_run (self, hv_nic_script_ifdown_async, argv, (const gchar * const *) envp, FALSE,
                     cancellable, callback, user_data);
}

/**
 * hv_nic_script_ifdown_finish:
 * @self: an #HvNicScript
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the script succeeded; otherwise %FALSE with the errors
 *   of hv_nic_script_ifup_finish()
 *
 * Since: 1.0
 */
gboolean
hv_nic_script_ifdown_finish (HvNicScript   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (HV_IS_NIC_SCRIPT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_nic_script_ifdown_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The blocking forms run the async ones in a private main context pushed
 * as the thread's default, as GDBus's _sync calls do. */
typedef struct {
  GMainContext *context;
  GAsyncResult *result;
} HvNicScriptSync;

static void
hv_nic_script_sync_done (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  HvNicScriptSync *sync = user_data;

  sync->result = g_object_ref (result);
}

static void
hv_nic_script_sync_begin (HvNicScriptSync *sync)
{
  sync->context = g_main_context_new ();
  sync->result = NULL;
  g_main_context_push_thread_default (sync->context);
}

static void
hv_nic_script_sync_wait (HvNicScriptSync *sync)
{
  while (sync->result == NULL)
    g_main_context_iteration (sync->context, TRUE);
}

static void
hv_nic_script_sync_end (HvNicScriptSync *sync)
{
  g_main_context_pop_thread_default (sync->context);
  g_clear_object (&sync->result);
  g_clear_pointer (&sync->context, g_main_context_unref);
}

/**
 * hv_nic_script_ifup_sync:
 * @self: an #HvNicScript
 * @instance: the instance the NIC belongs to
 * @nic: the NIC
 * @seq: the NIC's index in the instance
 * @tap: the tap on the host that backs @nic
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_nic_script_ifup_async(): no source of the
 * caller's main contexts runs meanwhile.
 *
 * Returns: %TRUE if the script succeeded
 *
 * Since: 1.0
 */
gboolean
hv_nic_script_ifup_sync (HvNicScript   *self,
                         HvInstance    *instance,
                         HvNic         *nic,
                         guint          seq,
                         const gchar   *tap,
                         GCancellable  *cancellable,
                         GError       **error)
{
  HvNicScriptSync sync;
  gboolean ok;

  g_return_val_if_fail (HV_IS_NIC_SCRIPT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_nic_script_sync_begin (&sync);
  hv_nic_script_ifup_async (self, instance, nic, seq, tap, cancellable,
                            hv_nic_script_sync_done, &sync);
  hv_nic_script_sync_wait (&sync);
  ok = hv_nic_script_ifup_finish (self, sync.result, error);
  hv_nic_script_sync_end (&sync);
  return ok;
}

/**
 * hv_nic_script_ifdown_sync:
 * @self: an #HvNicScript
 * @instance_name: the name of the instance the NIC belonged to
 * @nic: the NIC
 * @tap: the tap on the host that backed @nic
 * @only_local: whether the script should undo only what it did on this node
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of hv_nic_script_ifdown_async().
 *
 * Returns: %TRUE if the script succeeded
 *
 * Since: 1.0
 */
gboolean
hv_nic_script_ifdown_sync (HvNicScript   *self,
                           const gchar   *instance_name,
                           HvNic         *nic,
                           const gchar   *tap,
                           gboolean       only_local,
                           GCancellable  *cancellable,
                           GError       **error)
{
  HvNicScriptSync sync;
  gboolean ok;

  g_return_val_if_fail (HV_IS_NIC_SCRIPT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hv_nic_script_sync_begin (&sync);
  hv_nic_script_ifdown_async (self, instance_name, nic, tap, only_local, cancellable,
                              hv_nic_script_sync_done, &sync);
  hv_nic_script_sync_wait (&sync);
  ok = hv_nic_script_ifdown_finish (self, sync.result, error);
  hv_nic_script_sync_end (&sync);
  return ok;
}
