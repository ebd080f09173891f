/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/pidfd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <hvkit/hvkit-driver.h>

#include "hv-kvm-process.h"

/* What QEMU printed before it daemonized, for an error message: the end of
 * it, on one line per line. */
#define HV_KVM_PROCESS_LOG_TAIL 4096

static gchar *
hv_kvm_process_read_log (const gchar *log_path)
{
  g_autofree gchar *contents = NULL;
  gsize length = 0;

  if (log_path == NULL || !g_file_get_contents (log_path, &contents, &length, NULL))
    return g_strdup ("");
  if (length > HV_KVM_PROCESS_LOG_TAIL)
    return g_strdup (g_strstrip (contents + length - HV_KVM_PROCESS_LOG_TAIL));
  return g_strdup (g_strstrip (contents));
}

typedef struct {
  GSubprocessLauncher *launcher;  /* until QEMU is spawned */
  GStrv        argv;
  GSubprocess *process;
  gchar       *program;
  gchar       *log_path;
  GSource     *timeout;
  guint        timeout_ms;
  gboolean     timed_out;
} SpawnData;

static void
spawn_data_free (SpawnData *data)
{
  if (data->timeout != NULL)
    {
      g_source_destroy (data->timeout);
      g_source_unref (data->timeout);
    }
  g_clear_object (&data->launcher);
  g_strfreev (data->argv);
  g_clear_object (&data->process);
  g_free (data->program);
  g_free (data->log_path);
  g_free (data);
}

static gboolean
spawn_timeout_cb (gpointer user_data)
{
  SpawnData *data = user_data;

  data->timed_out = TRUE;
  g_subprocess_force_exit (data->process);
  return G_SOURCE_REMOVE;
}

static void
spawn_wait_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpawnData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *log = NULL;

  if (g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_subprocess_force_exit (data->process);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  log = hv_kvm_process_read_log (data->log_path);
  if (data->timed_out && *log == '\0')
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_TIMEOUT,
                             _("QEMU (%s) did not finish starting within %u ms"),
                             data->program, data->timeout_ms);
  else if (data->timed_out)
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_TIMEOUT,
                             _("QEMU (%s) did not finish starting within %u ms: %s"),
                             data->program, data->timeout_ms, log);
  else if (*log == '\0')
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                             _("QEMU (%s) failed to start: %s"),
                             data->program, error->message);
  else
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                             _("QEMU (%s) failed to start: %s: %s"),
                             data->program, error->message, log);
}

/*
 * The fork and exec, in a thread of GIO's pool. GLib's spawn returns only
 * once the child has exec'd (it reads the child's error pipe), which on a
 * busy node takes 10 ms and at times 250 ms: in the monitor thread, a
 * hundred starts at once queued behind each other's exec for seconds, and
 * every instance's QMP traffic with them (bench-scale). There is no
 * asynchronous spawn to use instead; the thread does that call only, and
 * everything after it is back in the caller's context.
 */
static void
spawn_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SpawnData *data = task_data;
  GError *error = NULL;

  data->process = g_subprocess_launcher_spawnv (data->launcher,
                                                (const gchar * const *) data->argv, &error);
  /* the descriptors QEMU inherited close with the launcher */
  g_clear_object (&data->launcher);
  if (data->process == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
spawn_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpawnData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                               _("Cannot run QEMU (%s): %s"), data->program, error->message);
      return;
    }
  data->timeout = g_timeout_source_new (data->timeout_ms);
  g_source_set_callback (data->timeout, spawn_timeout_cb, data, NULL);
  g_source_attach (data->timeout, g_task_get_context (task));
  g_subprocess_wait_check_async (data->process, cancellable, spawn_wait_cb,
                                 g_steal_pointer (&task));
}

/**
 * hv_kvm_process_spawn_async:
 * @argv: QEMU's command line, with -daemonize
 * @fds: (array length=n_fds) (nullable): descriptors QEMU inherits; each
 *   @fd is taken, and closed here once QEMU has its copy
 * @n_fds: the number of @fds
 * @log_path: (nullable): where QEMU's output before it daemonizes goes
 *   (truncated); its end is in the error when QEMU fails
 * @timeout_ms: how long QEMU may take to daemonize; 0 for the default
 * @cancellable: (nullable): kills the starting QEMU
 * @callback: called when QEMU has daemonized or failed
 * @user_data: for @callback
 *
 * Runs QEMU through GSubprocess (argv, never a shell) and completes when
 * the spawned process exits, which with -daemonize means that the daemon
 * is ready: its sockets listen and its pidfile is written. The fork and
 * exec happen in a thread of GIO's pool (spawn_thread()), so that several
 * starts overlap; the rest in the thread-default context of the call.
 */
void
hv_kvm_process_spawn_async (const gchar * const  *argv,
                            const HvKvmProcessFd *fds,
                            gsize                 n_fds,
                            const gchar          *log_path,
                            guint                 timeout_ms,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GTask) spawn = NULL;
  SpawnData *data;

  g_return_if_fail (argv != NULL && argv[0] != NULL);

  g_task_set_source_tag (task, hv_kvm_process_spawn_async);
  data = g_new0 (SpawnData, 1);
  data->program = g_strdup (argv[0]);
  data->argv = g_strdupv ((gchar **) argv);
  data->log_path = g_strdup (log_path);
  data->timeout_ms = timeout_ms > 0 ? timeout_ms : HV_KVM_PROCESS_START_TIMEOUT_MS;
  g_task_set_task_data (task, data, (GDestroyNotify) spawn_data_free);

  data->launcher = g_subprocess_launcher_new (log_path != NULL ? G_SUBPROCESS_FLAGS_STDERR_MERGE
                                                               : G_SUBPROCESS_FLAGS_NONE);
  if (log_path != NULL)
    {
      g_unlink (log_path);
      g_subprocess_launcher_set_stdout_file_path (data->launcher, log_path);
    }
  for (gsize i = 0; i < n_fds; i++)
    g_subprocess_launcher_take_fd (data->launcher, fds[i].fd, fds[i].target);

  /* the outer task's data, used by the thread alone until it returns */
  spawn = g_task_new (NULL, NULL, spawn_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (spawn, spawn_thread);
  g_task_set_task_data (spawn, data, NULL);
  g_task_run_in_thread (spawn, spawn_thread);
}

gboolean
hv_kvm_process_spawn_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_process_spawn_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * hv_kvm_process_read_pidfile:
 * @path: a pidfile QEMU wrote
 * @error: return location for a #GError
 *
 * Returns: the pid in it, or 0 with @error set (%G_FILE_ERROR_NOENT as
 *   %HV_ERROR_NOT_RUNNING when there is no pidfile)
 */
GPid
hv_kvm_process_read_pidfile (const gchar  *path,
                             GError      **error)
{
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 pid = 0;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, HV_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                     ? HV_ERROR_NOT_RUNNING : HV_ERROR_FAILED,
                   _("Cannot read pidfile '%s': %s"), path, local_error->message);
      return 0;
    }
  g_strstrip (contents);
  if (!g_ascii_string_to_signed (contents, 10, 2, G_MAXINT, &pid, NULL))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Pidfile '%s' does not hold a process id"), path);
      return 0;
    }
  return (GPid) pid;
}

/*
 * Whether @pid is the QEMU of instance @name: its /proc/<pid>/cmdline has
 * `-name <name>` (QEMU also takes `-name <name>,debug-threads=on` and
 * `-name guest=<name>,…`). A pidfile outlives a crash, and its pid may
 * have been reused by another process since.
 */
gboolean
hv_kvm_process_is_instance (GPid         pid,
                            const gchar *name)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/cmdline", (gint) pid);
  g_autofree gchar *contents = NULL;
  gsize length = 0;
  gsize name_length = strlen (name);

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;

  for (gsize at = 0; at < length; at += strlen (contents + at) + 1)
    {
      const gchar *arg = contents + at;
      const gchar *value;

      if (strcmp (arg, "-name") != 0)
        continue;
      at += strlen (arg) + 1;
      if (at >= length)
        return FALSE;
      value = contents + at;
      if (g_str_has_prefix (value, "guest="))
        value += strlen ("guest=");
      return strncmp (value, name, name_length) == 0 &&
             (value[name_length] == '\0' || value[name_length] == ',');
    }
  return FALSE;
}

/* A pidfd for @pid: the daemon is not our child, and a pid could be
 * reused once it is gone; the pidfd cannot. */
gint
hv_kvm_process_open_pidfd (GPid     pid,
                           GError **error)
{
  gint pidfd = pidfd_open ((pid_t) pid, 0);

  if (pidfd < 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, errsv == ESRCH ? HV_ERROR_NOT_RUNNING : HV_ERROR_FAILED,
                   _("Cannot watch QEMU process %d: %s"), (gint) pid, g_strerror (errsv));
      return -1;
    }
  return pidfd;
}

/* A pidfd is readable once its process has exited. */
gboolean
hv_kvm_process_pidfd_exited (gint pidfd)
{
  GPollFD poll_fd = { .fd = pidfd, .events = G_IO_IN };

  return g_poll (&poll_fd, 1, 0) == 1;
}

gboolean
hv_kvm_process_kill (gint     pidfd,
                     gint     signal_number,
                     GError **error)
{
  if (pidfd_send_signal (pidfd, signal_number, NULL, 0) < 0 && errno != ESRCH)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot send signal %d to QEMU: %s"), signal_number, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* How often the end of a process hvkit has no pidfd of is looked for. */
#define HV_KVM_PROCESS_UNWATCHED_POLL_MS 10

/* /proc/<pid>/stat after the command name (field 2, in parentheses, which
 * may hold anything): fields[0] is empty, field N is fields[N - 2]. NULL
 * when it cannot be read. */
static GStrv
hv_kvm_process_read_stat (GPid pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", (gint) pid);
  g_autofree gchar *contents = NULL;
  const gchar *after_name;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  after_name = strrchr (contents, ')');
  if (after_name == NULL)
    return NULL;
  return g_strsplit (after_name + 1, " ", -1);
}

/* The start time of @pid (field 22, in clock ticks since boot), which
 * tells it from a later process of the same pid; 0 when it is gone or has
 * exited (a zombie that its parent, init, has not reaped yet is gone for
 * hvkit). */
static guint64
hv_kvm_process_get_start_time (GPid pid)
{
  g_auto(GStrv) fields = hv_kvm_process_read_stat (pid);
  guint64 start_time = 0;

  /* the state is field 3 */
  if (fields == NULL || g_strv_length (fields) < 21 || g_str_equal (fields[1], "Z") ||
      g_str_equal (fields[1], "X") ||
      !g_ascii_string_to_unsigned (fields[20], 10, 1, G_MAXUINT64, &start_time, NULL))
    return 0;
  return start_time;
}

typedef struct {
  GPid     pid;
  guint64  start_time;
  gchar   *name;
  gint64   deadline;     /* monotonic, µs */
  guint    timeout_ms;
  GSource *poll;
} Unwatched;

static void
unwatched_free (Unwatched *unwatched)
{
  if (unwatched->poll != NULL)
    {
      g_source_destroy (unwatched->poll);
      g_source_unref (unwatched->poll);
    }
  g_free (unwatched->name);
  g_free (unwatched);
}

static gboolean
unwatched_poll_cb (gpointer user_data)
{
  GTask *task = user_data;
  Unwatched *unwatched = g_task_get_task_data (task);

  if (hv_kvm_process_get_start_time (unwatched->pid) != unwatched->start_time)
    {
      g_task_return_boolean (task, TRUE);
      return G_SOURCE_REMOVE;
    }
  if (g_get_monotonic_time () >= unwatched->deadline)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_TIMEOUT,
                               _("QEMU process %d of instance %s did not exit within %u ms of"
                                 " SIGKILL"), (gint) unwatched->pid, unwatched->name,
                               unwatched->timeout_ms);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/**
 * hv_kvm_process_kill_unwatched_async:
 * @pid: a process hvkit could get no pidfd of
 * @name: the instance whose QEMU it should be
 * @timeout_ms: how long it may take to exit
 * @callback: called once it is gone, or on timeout
 * @user_data: for @callback
 *
 * Kills @pid with SIGKILL, if it is the QEMU of instance @name (the check
 * of a pidfile: its /proc/<pid>/cmdline), and waits for it to exit. It is
 * not hvkit's child and hvkit has no pidfd of it (pidfd_open() failed:
 * no descriptor left, say), so nothing tells of its end: /proc is looked
 * at every 10 ms, and a process of the same pid started later is not
 * taken for it. Completes at once when @pid is not that QEMU (gone, or
 * another process).
 */
void
hv_kvm_process_kill_unwatched_async (GPid                 pid,
                                     const gchar         *name,
                                     guint                timeout_ms,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  Unwatched *unwatched;
  guint64 start_time;

  g_return_if_fail (pid > 0 && name != NULL);

  g_task_set_source_tag (task, hv_kvm_process_kill_unwatched_async);
  start_time = hv_kvm_process_get_start_time (pid);
  /* its start time read first: the process checked is the one waited for */
  if (start_time == 0 || !hv_kvm_process_is_instance (pid, name))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (kill ((pid_t) pid, SIGKILL) < 0 && errno != ESRCH)
    {
      int errsv = errno;

      g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                               _("Cannot kill QEMU process %d of instance %s: %s"), (gint) pid,
                               name, g_strerror (errsv));
      return;
    }
  unwatched = g_new0 (Unwatched, 1);
  unwatched->pid = pid;
  unwatched->start_time = start_time;
  unwatched->name = g_strdup (name);
  unwatched->timeout_ms = timeout_ms;
  unwatched->deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_task_set_task_data (task, unwatched, (GDestroyNotify) unwatched_free);
  if (hv_kvm_process_get_start_time (pid) != start_time)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  unwatched->poll = g_timeout_source_new (HV_KVM_PROCESS_UNWATCHED_POLL_MS);
  g_source_set_callback (unwatched->poll, unwatched_poll_cb, g_object_ref (task), g_object_unref);
  g_source_set_static_name (unwatched->poll, "[hvkit] unwatched QEMU exit");
  g_source_attach (unwatched->poll, g_task_get_context (task));
}

gboolean
hv_kvm_process_kill_unwatched_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hv_kvm_process_kill_unwatched_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* User and system CPU time of @pid in seconds, from /proc/<pid>/stat; 0
 * when it cannot be read. */
gdouble
hv_kvm_process_get_cpu_time (GPid pid)
{
  g_auto(GStrv) fields = hv_kvm_process_read_stat (pid);
  long ticks_per_s = sysconf (_SC_CLK_TCK);

  /* utime, stime are fields 14, 15 */
  if (fields == NULL || g_strv_length (fields) < 14 || ticks_per_s <= 0)
    return 0;
  return (g_ascii_strtod (fields[12], NULL) + g_ascii_strtod (fields[13], NULL)) /
         (gdouble) ticks_per_s;
}

/**
 * hv_kvm_process_pin_thread:
 * @thread_id: a vCPU thread of QEMU (query-cpus-fast's `thread-id`)
 * @cpus: (element-type gint): the CPUs it may run on, or a single
 *   %HV_CPU_MASK_ALL
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
hv_kvm_process_pin_thread (gint64   thread_id,
                           GArray  *cpus,
                           GError **error)
{
  cpu_set_t set;
  long n_cpus = sysconf (_SC_NPROCESSORS_CONF);

  CPU_ZERO (&set);
  for (guint i = 0; i < cpus->len; i++)
    {
      gint cpu = g_array_index (cpus, gint, i);

      if (cpu == HV_CPU_MASK_ALL)
        {
          for (long c = 0; c < n_cpus && c < CPU_SETSIZE; c++)
            CPU_SET (c, &set);
        }
      else if (cpu >= CPU_SETSIZE || cpu >= n_cpus)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("CPU %d of cpu_mask does not exist on this node (it has %ld)"),
                       cpu, n_cpus);
          return FALSE;
        }
      else
        CPU_SET (cpu, &set);
    }
  if (sched_setaffinity ((pid_t) thread_id, sizeof set, &set) < 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot pin vCPU thread %" G_GINT64_FORMAT ": %s"),
                   thread_id, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}
