/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include "hv-test-qemu.h"

/**
 * HvTestQemu:
 *
 * A real qemu-system-x86_64 started by a test, with nothing but QMP
 * monitors (`-nodefaults -display none`). The test opens each monitor's
 * listening socket itself and hands it to QEMU (`-chardev
 * socket,fd=N,server=on`), as libvirt does: the socket accepts connections
 * before QEMU has even started, so nothing waits for it to appear, and no
 * retry loop or sleep is needed. QEMU stays the test's child, and
 * PR_SET_PDEATHSIG kills it if the test dies on a failed assertion, so no
 * QEMU outlives its test.
 *
 * HV_TEST_QEMU names another binary.
 */
struct _HvTestQemu {
  gchar       *directory;
  GPtrArray   *qmp_paths;
  GSubprocess *process;
};

static void
kill_with_parent (gpointer user_data)
{
  pid_t parent = GPOINTER_TO_INT (user_data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* the test may have died between fork() and prctl() */
  if (getppid () != parent)
    _exit (1);
}

static gboolean
listen_on (const gchar *path,
           gint        *out_fd,
           GError     **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL ||
      !g_socket_bind (socket, address, FALSE, error) ||
      !g_socket_listen (socket, error))
    return FALSE;
  *out_fd = dup (g_socket_get_fd (socket));
  return TRUE;
}

/**
 * hv_test_qemu_start:
 * @machine: the -machine value, such as `none` or `pc,accel=tcg`
 * @n_monitors: how many QMP monitors (QEMU serves one client per monitor)
 * @extra_args: (nullable): more arguments
 */
HvTestQemu *
hv_test_qemu_start (const gchar        *machine,
                    guint               n_monitors,
                    const gchar *const *extra_args,
                    GError            **error)
{
  g_autoptr(HvTestQemu) self = g_new0 (HvTestQemu, 1);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const gchar *binary = g_getenv ("HV_TEST_QEMU");

  self->qmp_paths = g_ptr_array_new_with_free_func (g_free);
  self->directory = g_dir_make_tmp ("hv-qemu-XXXXXX", error);
  if (self->directory == NULL)
    return NULL;

  g_ptr_array_add (argv, g_strdup (binary != NULL ? binary : "qemu-system-x86_64"));
  g_ptr_array_add (argv, g_strdup ("-machine"));
  g_ptr_array_add (argv, g_strdup (machine));
  g_ptr_array_add (argv, g_strdup ("-nodefaults"));
  g_ptr_array_add (argv, g_strdup ("-no-user-config"));
  g_ptr_array_add (argv, g_strdup ("-display"));
  g_ptr_array_add (argv, g_strdup ("none"));

  for (guint i = 0; i < n_monitors; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("qmp%u.sock", i);
      gchar *path = g_build_filename (self->directory, name, NULL);
      gint fd;

      g_ptr_array_add (self->qmp_paths, path);
      if (!listen_on (path, &fd, error))
        return NULL;
      g_subprocess_launcher_take_fd (launcher, fd, 3 + (gint) i);
      g_ptr_array_add (argv, g_strdup ("-chardev"));
      g_ptr_array_add (argv, g_strdup_printf ("socket,id=qmp%u,fd=%u,server=on,wait=off", i, 3 + i));
      g_ptr_array_add (argv, g_strdup ("-mon"));
      g_ptr_array_add (argv, g_strdup_printf ("chardev=qmp%u,mode=control", i));
    }
  for (gsize i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra_args[i]));
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, kill_with_parent,
                                         GINT_TO_POINTER (getpid ()), NULL);
  self->process = g_subprocess_launcher_spawnv (launcher, (const gchar *const *) argv->pdata, error);
  if (self->process == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

const gchar *
hv_test_qemu_get_qmp_path (HvTestQemu *self,
                           guint       monitor)
{
  g_assert_cmpuint (monitor, <, self->qmp_paths->len);
  return g_ptr_array_index (self->qmp_paths, monitor);
}

const gchar *
hv_test_qemu_get_directory (HvTestQemu *self)
{
  return self->directory;
}

/* QEMU's process id, as a string (for /proc paths) */
const gchar *
hv_test_qemu_get_pid (HvTestQemu *self)
{
  return g_subprocess_get_identifier (self->process);
}

/* Waits for QEMU to exit by itself (after `quit`); returns its exit code. */
gint
hv_test_qemu_wait_exit (HvTestQemu *self)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait (self->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (self->process));
  return g_subprocess_get_exit_status (self->process);
}

void
hv_test_qemu_free (HvTestQemu *self)
{
  if (self == NULL)
    return;
  if (self->process != NULL)
    {
      g_subprocess_force_exit (self->process);
      g_subprocess_wait (self->process, NULL, NULL);
      g_object_unref (self->process);
    }
  if (self->qmp_paths != NULL)
    {
      for (guint i = 0; i < self->qmp_paths->len; i++)
        g_unlink (g_ptr_array_index (self->qmp_paths, i));
      g_ptr_array_unref (self->qmp_paths);
    }
  if (self->directory != NULL)
    g_rmdir (self->directory);
  g_free (self->directory);
  g_free (self);
}
