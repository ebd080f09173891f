/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "hv-test-guest.h"
#include "hv-test-qemu.h"

/* A bare QEMU for tests: argv through GSubprocess, `-daemonize -pidfile`
 * so that the QMP socket exists when the start returns, in a temporary
 * directory of its own.
 *
 * The daemon is not our child, so its exit is seen through a pidfd (readable
 * once the process is dead) rather than waitpid(); QEMU removes its pidfile
 * when it exits by itself, which tells a clean exit from a killed one.
 *
 * A daemonized QEMU outlives a test process that aborts on a failed
 * assertion, where no teardown runs; so every started QEMU is also listed
 * for an emergency SIGKILL from the fatal-signal handlers and atexit. */

#define HV_TEST_QEMU_START_TIMEOUT_MS 30000
#define HV_TEST_QEMU_KILL_TIMEOUT_MS  10000
#define HV_TEST_QEMU_MAX_RUNNING      256

struct _HvTestQemu {
  GObject parent_instance;

  GMainContext *context;
  GPtrArray *argv;
  gchar *dir;
  gchar *qmp_path;
  gchar *serial_path;
  gchar *pid_path;
  gchar *output_path;
  GPid pid;
  gint pidfd;
  gboolean running;
};

G_DEFINE_FINAL_TYPE (HvTestQemu, hv_test_qemu, G_TYPE_OBJECT)

/* -- emergency kill ------------------------------------------------------ */

static volatile sig_atomic_t hv_test_qemu_pids[HV_TEST_QEMU_MAX_RUNNING];

static void
hv_test_qemu_kill_all (void)
{
  for (guint i = 0; i < HV_TEST_QEMU_MAX_RUNNING; i++)
    if (hv_test_qemu_pids[i] > 0)
      kill (hv_test_qemu_pids[i], SIGKILL);
}

static void
hv_test_qemu_fatal_signal (int signum)
{
  hv_test_qemu_kill_all ();
  /* SA_RESETHAND restored the default action */
  raise (signum);
}

static void
hv_test_qemu_install_handlers (void)
{
  static gsize installed = 0;
  const int signals[] = { SIGABRT, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGILL,
                          SIGTERM, SIGINT, SIGHUP };

  if (!g_once_init_enter (&installed))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      struct sigaction action = { 0 };

      action.sa_handler = hv_test_qemu_fatal_signal;
      action.sa_flags = SA_RESETHAND;
      sigemptyset (&action.sa_mask);
      sigaction (signals[i], &action, NULL);
    }
  atexit (hv_test_qemu_kill_all);
  g_once_init_leave (&installed, 1);
}

static void
hv_test_qemu_register (GPid pid)
{
  hv_test_qemu_install_handlers ();
  for (guint i = 0; i < HV_TEST_QEMU_MAX_RUNNING; i++)
    if (hv_test_qemu_pids[i] == 0)
      {
        hv_test_qemu_pids[i] = pid;
        return;
      }
  g_critical ("more than %d QEMUs running in one test", HV_TEST_QEMU_MAX_RUNNING);
}

static void
hv_test_qemu_unregister (GPid pid)
{
  for (guint i = 0; i < HV_TEST_QEMU_MAX_RUNNING; i++)
    if (hv_test_qemu_pids[i] == pid)
      hv_test_qemu_pids[i] = 0;
}

/* -- arguments ----------------------------------------------------------- */

/**
 * hv_test_qemu_add_args:
 * @self: a QEMU not started yet
 * @first_arg: an argument
 * @...: more arguments, then %NULL
 *
 * Appends arguments to the command line, which starts as
 * `qemu-system-x86_64 -name hv-test -machine pc,accel=ACCEL -nodefaults
 * -display none -qmp unix:DIR/qmp.sock,server=on,wait=off -daemonize
 * -pidfile DIR/qemu.pid` (ACCEL from hv_test_get_accel()).
 */
void
hv_test_qemu_add_args (HvTestQemu  *self,
                       const gchar *first_arg,
                       ...)
{
  va_list args;

  g_return_if_fail (HV_TEST_IS_QEMU (self));
  g_return_if_fail (self->pid == 0);

  va_start (args, first_arg);
  for (const gchar *arg = first_arg; arg != NULL; arg = va_arg (args, const gchar *))
    g_ptr_array_add (self->argv, g_strdup (arg));
  va_end (args);
}

/**
 * hv_test_qemu_add_guest:
 * @self: a QEMU not started yet
 *
 * Boots the test guest (hv_test_guest_require() must have said yes): its
 * kernel, initramfs and kernel arguments, `-no-reboot`, and ttyS0 on a
 * socket at hv_test_qemu_get_serial_path(). QEMU's default of 128 MiB of
 * RAM is enough; add `-m` for more.
 */
void
hv_test_qemu_add_guest (HvTestQemu *self)
{
  g_autofree gchar *kernel = hv_test_guest_get_kernel ();
  g_autofree gchar *initrd = hv_test_guest_get_initrd ();
  g_autofree gchar *chardev = g_strdup_printf ("socket,id=serial0,path=%s,server=on,wait=off",
                                               self->serial_path);

  hv_test_qemu_add_args (self,
                         "-kernel", kernel,
                         "-initrd", initrd,
                         "-append", hv_test_guest_get_kernel_args (),
                         "-no-reboot",
                         "-chardev", chardev,
                         "-serial", "chardev:serial0",
                         NULL);
}

/* -- start --------------------------------------------------------------- */

gchar *
hv_test_qemu_get_output (HvTestQemu *self)
{
  gchar *contents = NULL;

  g_return_val_if_fail (HV_TEST_IS_QEMU (self), NULL);

  if (!g_file_get_contents (self->output_path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

static gboolean
hv_test_qemu_adopt (HvTestQemu  *self,
                    GError     **error)
{
  g_autofree gchar *contents = NULL;
  gint64 pid;

  if (!g_file_get_contents (self->pid_path, &contents, NULL, error))
    return FALSE;
  g_strstrip (contents);
  if (!g_ascii_string_to_signed (contents, 10, 1, G_MAXINT, &pid, error))
    return FALSE;
  self->pidfd = pidfd_open ((pid_t) pid, 0);
  if (self->pidfd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "QEMU %" G_GINT64_FORMAT " from %s is gone: %s",
                   pid, self->pid_path, g_strerror (saved_errno));
      return FALSE;
    }
  self->pid = (GPid) pid;
  self->running = TRUE;
  hv_test_qemu_register (self->pid);
  return TRUE;
}

typedef struct {
  GSubprocess *process;
  GSource *timeout;
  gboolean timed_out;
} HvTestQemuStart;

static void
hv_test_qemu_start_free (HvTestQemuStart *start)
{
  g_source_destroy (start->timeout);
  g_source_unref (start->timeout);
  g_object_unref (start->process);
  g_free (start);
}

static void
hv_test_qemu_start_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvTestQemu *self = g_task_get_source_object (task);
  HvTestQemuStart *start = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  g_source_destroy (start->timeout);
  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error))
    {
      g_autofree gchar *output = hv_test_qemu_get_output (self);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_subprocess_force_exit (G_SUBPROCESS (source));
      /* one line, as TAP wants for "Bail out!" */
      g_strdelimit (g_strstrip (output), "\n", '|');
      g_task_return_new_error (task, error->domain, error->code,
                               "QEMU did not start%s: %s: %s",
                               start->timed_out ? " in time" : "", error->message, output);
      return;
    }
  if (!hv_test_qemu_adopt (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static gboolean
hv_test_qemu_start_timeout_cb (gpointer user_data)
{
  HvTestQemuStart *start = user_data;

  start->timed_out = TRUE;
  g_subprocess_force_exit (start->process);
  return G_SOURCE_REMOVE;
}

/**
 * hv_test_qemu_start_async:
 * @self: a QEMU not started yet
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: for @callback
 *
 * Starts QEMU and waits until it has daemonized: then its sockets exist.
 * QEMU's own messages go to DIR/qemu.log (hv_test_qemu_get_output()) until
 * it daemonizes.
 */
void
hv_test_qemu_start_async (HvTestQemu          *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  HvTestQemuStart *start;
  g_autoptr(GTask) task = NULL;
  g_autofree gchar *command_line = NULL;

  g_return_if_fail (HV_TEST_IS_QEMU (self));
  g_return_if_fail (self->pid == 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_test_qemu_start_async);

  g_ptr_array_add (self->argv, NULL);
  command_line = g_strjoinv (" ", (gchar **) self->argv->pdata);
  g_test_message ("starting %s", command_line);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, self->output_path);
  process = g_subprocess_launcher_spawnv (launcher, (const gchar * const *) self->argv->pdata,
                                          &error);
  g_ptr_array_remove_index (self->argv, self->argv->len - 1);
  if (process == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* a QEMU that never gets to daemonize is killed after a while */
  start = g_new0 (HvTestQemuStart, 1);
  start->process = g_object_ref (process);
  start->timeout = g_timeout_source_new (HV_TEST_QEMU_START_TIMEOUT_MS);
  g_source_set_callback (start->timeout, hv_test_qemu_start_timeout_cb, start, NULL);
  g_source_attach (start->timeout, self->context);
  g_task_set_task_data (task, start, (GDestroyNotify) hv_test_qemu_start_free);
  g_subprocess_wait_check_async (process, cancellable, hv_test_qemu_start_cb,
                                 g_steal_pointer (&task));
}

gboolean
hv_test_qemu_start_finish (HvTestQemu    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_test_qemu_start_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- exit ---------------------------------------------------------------- */

static void
hv_test_qemu_set_exited (HvTestQemu *self)
{
  if (!self->running)
    return;
  self->running = FALSE;
  hv_test_qemu_unregister (self->pid);
  close (self->pidfd);
  self->pidfd = -1;
}

typedef struct {
  GSource *exited;
  GSource *timeout;
  guint timeout_ms;
} HvTestQemuWait;

/* Whichever source fires first returns the task and stops the other. */
static void
hv_test_qemu_wait_stop (HvTestQemuWait *wait)
{
  g_source_destroy (wait->exited);
  g_source_destroy (wait->timeout);
}

static void
hv_test_qemu_wait_free (HvTestQemuWait *wait)
{
  hv_test_qemu_wait_stop (wait);
  g_source_unref (wait->exited);
  g_source_unref (wait->timeout);
  g_free (wait);
}

static gboolean
hv_test_qemu_exited_cb (gint         fd,
                        GIOCondition condition,
                        gpointer     user_data)
{
  GTask *task = user_data;

  hv_test_qemu_wait_stop (g_task_get_task_data (task));
  hv_test_qemu_set_exited (g_task_get_source_object (task));
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static gboolean
hv_test_qemu_wait_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  HvTestQemu *self = g_task_get_source_object (task);
  HvTestQemuWait *wait = g_task_get_task_data (task);

  hv_test_qemu_wait_stop (wait);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "QEMU %d still running after %u ms", self->pid, wait->timeout_ms);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/**
 * hv_test_qemu_wait_exit_async:
 * @self: a started QEMU
 * @timeout_ms: how long to wait
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: for @callback
 *
 * Waits until the QEMU process is gone (a guest that powered off, `quit`),
 * or fails with %G_IO_ERROR_TIMED_OUT.
 */
void
hv_test_qemu_wait_exit_async (HvTestQemu          *self,
                              guint                timeout_ms,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  HvTestQemuWait *wait;

  g_return_if_fail (HV_TEST_IS_QEMU (self));
  g_return_if_fail (self->pid != 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_test_qemu_wait_exit_async);
  if (!self->running)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  /* both sources call back with the task, which owns them */
  wait = g_new0 (HvTestQemuWait, 1);
  wait->timeout_ms = timeout_ms;
  wait->exited = g_unix_fd_source_new (self->pidfd, G_IO_IN);
  g_source_set_callback (wait->exited, G_SOURCE_FUNC (hv_test_qemu_exited_cb), task, NULL);
  wait->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (wait->timeout, hv_test_qemu_wait_timeout_cb, task, NULL);
  g_task_set_task_data (task, wait, (GDestroyNotify) hv_test_qemu_wait_free);
  g_source_attach (wait->exited, self->context);
  g_source_attach (wait->timeout, self->context);
}

gboolean
hv_test_qemu_wait_exit_finish (HvTestQemu    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hv_test_qemu_wait_exit_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * hv_test_qemu_kill:
 * @self: a QEMU
 *
 * Kills QEMU with SIGKILL if it still runs and waits (a bounded, blocking
 * wait: this is for teardown) until it is gone. Safe to call at any time.
 */
void
hv_test_qemu_kill (HvTestQemu *self)
{
  struct pollfd pfd = { 0 };

  g_return_if_fail (HV_TEST_IS_QEMU (self));

  if (!self->running)
    return;
  pfd.fd = self->pidfd;
  pfd.events = POLLIN;
  if (pidfd_send_signal (self->pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
    g_warning ("cannot kill QEMU %d: %s", self->pid, g_strerror (errno));
  else if (poll (&pfd, 1, HV_TEST_QEMU_KILL_TIMEOUT_MS) != 1)
    g_warning ("QEMU %d survived SIGKILL for %d ms", self->pid, HV_TEST_QEMU_KILL_TIMEOUT_MS);
  hv_test_qemu_set_exited (self);
}

/* -- sync wrappers: the caller's context is QEMU's context ---------------- */

static void
hv_test_qemu_sync_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
hv_test_qemu_wait_sync (HvTestQemu    *self,
                        GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (self->context, TRUE);
  return *result;
}

gboolean
hv_test_qemu_start (HvTestQemu  *self,
                    GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hv_test_qemu_start_async (self, NULL, hv_test_qemu_sync_cb, &result);
  return hv_test_qemu_start_finish (self, hv_test_qemu_wait_sync (self, &result), error);
}

gboolean
hv_test_qemu_wait_exit (HvTestQemu  *self,
                        guint        timeout_ms,
                        GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hv_test_qemu_wait_exit_async (self, timeout_ms, NULL, hv_test_qemu_sync_cb, &result);
  return hv_test_qemu_wait_exit_finish (self, hv_test_qemu_wait_sync (self, &result), error);
}

/* -- accessors ----------------------------------------------------------- */

const gchar *
hv_test_qemu_get_dir (HvTestQemu *self)
{
  g_return_val_if_fail (HV_TEST_IS_QEMU (self), NULL);
  return self->dir;
}

const gchar *
hv_test_qemu_get_qmp_path (HvTestQemu *self)
{
  g_return_val_if_fail (HV_TEST_IS_QEMU (self), NULL);
  return self->qmp_path;
}

/**
 * hv_test_qemu_get_serial_path:
 *
 * Returns: where hv_test_qemu_add_guest() puts the guest's ttyS0
 */
const gchar *
hv_test_qemu_get_serial_path (HvTestQemu *self)
{
  g_return_val_if_fail (HV_TEST_IS_QEMU (self), NULL);
  return self->serial_path;
}

/**
 * hv_test_qemu_get_pid:
 *
 * Returns: the daemonized QEMU's pid, or 0 before it started
 */
GPid
hv_test_qemu_get_pid (HvTestQemu *self)
{
  g_return_val_if_fail (HV_TEST_IS_QEMU (self), 0);
  return self->pid;
}

/**
 * hv_test_qemu_is_running:
 *
 * Returns: %TRUE from a successful start until its exit was seen
 */
gboolean
hv_test_qemu_is_running (HvTestQemu *self)
{
  g_return_val_if_fail (HV_TEST_IS_QEMU (self), FALSE);
  return self->running;
}

/**
 * hv_test_qemu_get_exited_cleanly:
 *
 * Returns: %TRUE if QEMU has exited and removed its pidfile, as it does when
 *   it quits or its guest powers off, but not when it is killed or aborts
 */
gboolean
hv_test_qemu_get_exited_cleanly (HvTestQemu *self)
{
  g_return_val_if_fail (HV_TEST_IS_QEMU (self), FALSE);
  return self->pid != 0 && !self->running &&
         !g_file_test (self->pid_path, G_FILE_TEST_EXISTS);
}

/* -- object -------------------------------------------------------------- */

static void
hv_test_qemu_dispose (GObject *object)
{
  hv_test_qemu_kill (HV_TEST_QEMU (object));
  G_OBJECT_CLASS (hv_test_qemu_parent_class)->dispose (object);
}

static void
hv_test_qemu_finalize (GObject *object)
{
  HvTestQemu *self = HV_TEST_QEMU (object);
  g_autoptr(GDir) dir = g_dir_open (self->dir, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (self->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (self->dir);

  g_main_context_unref (self->context);
  g_ptr_array_unref (self->argv);
  g_free (self->dir);
  g_free (self->qmp_path);
  g_free (self->serial_path);
  g_free (self->pid_path);
  g_free (self->output_path);
  G_OBJECT_CLASS (hv_test_qemu_parent_class)->finalize (object);
}

static void
hv_test_qemu_class_init (HvTestQemuClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hv_test_qemu_dispose;
  object_class->finalize = hv_test_qemu_finalize;
}

static void
hv_test_qemu_init (HvTestQemu *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->argv = g_ptr_array_new_with_free_func (g_free);
  self->pidfd = -1;
}

/**
 * hv_test_qemu_new:
 *
 * Makes a temporary directory for the sockets, pidfile and output of one
 * QEMU, removed again when the object is finalized.
 *
 * Returns: (transfer full): a QEMU to add arguments to and start
 */
HvTestQemu *
hv_test_qemu_new (void)
{
  HvTestQemu *self = g_object_new (HV_TEST_TYPE_QEMU, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *machine = NULL;
  g_autofree gchar *qmp = NULL;

  /* /tmp, not the build directory: a unix socket path has 107 bytes */
  self->dir = g_dir_make_tmp ("hv-test-qemu-XXXXXX", &error);
  g_assert_no_error (error);
  self->qmp_path = g_build_filename (self->dir, "qmp.sock", NULL);
  self->serial_path = g_build_filename (self->dir, "serial.sock", NULL);
  self->pid_path = g_build_filename (self->dir, "qemu.pid", NULL);
  self->output_path = g_build_filename (self->dir, "qemu.log", NULL);

  machine = g_strdup_printf ("pc,accel=%s", hv_test_get_accel ());
  qmp = g_strdup_printf ("unix:%s,server=on,wait=off", self->qmp_path);
  hv_test_qemu_add_args (self,
                         "qemu-system-x86_64",
                         "-name", "hv-test",
                         "-machine", machine,
                         "-nodefaults",
                         "-display", "none",
                         "-qmp", qmp,
                         "-daemonize",
                         "-pidfile", self->pid_path,
                         NULL);
  return self;
}

/* -- QEMUs started elsewhere ---------------------------------------------- */

void
hv_test_qemu_register_pid (GPid pid)
{
  g_return_if_fail (pid > 0);
  hv_test_qemu_register (pid);
}

void
hv_test_qemu_unregister_pid (GPid pid)
{
  hv_test_qemu_unregister (pid);
}
