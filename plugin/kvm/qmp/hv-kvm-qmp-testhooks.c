/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Compiled only into the tests' build of qmp/ (HV_KVM_TESTHOOKS).
 */
#define G_LOG_DOMAIN "HvKvmQmp"

#include "config.h"

#include <signal.h>
#include <sys/types.h>

#include "hv-kvm-qmp-testhooks.h"

#ifndef HV_KVM_TESTHOOKS
#error "hv-kvm-qmp-testhooks.c belongs to the tests' build only"
#endif

/* Set from the test's thread, read in the monitor thread. */
static GMutex test_lock;
static gchar *test_socket_name;
static gint test_kill_at = -1;
static gint test_signal;
static GPid test_killed_pid;
static guint test_boundaries;
static gchar *test_killed_at;

/**
 * hv_kvm_qmp_set_test_hooks:
 * @hooks: (nullable): the hooks, copied; %NULL for none
 *
 * For the tests only: kills QEMU with SIGKILL (or stops it) at a numbered
 * boundary of the talk on one QMP socket.
 */
void
hv_kvm_qmp_set_test_hooks (const HvKvmQmpTestHooks *hooks)
{
  g_mutex_lock (&test_lock);
  g_clear_pointer (&test_socket_name, g_free);
  g_clear_pointer (&test_killed_at, g_free);
  test_boundaries = 0;
  test_kill_at = -1;
  test_signal = SIGKILL;
  test_killed_pid = 0;
  if (hooks != NULL)
    {
      test_socket_name = g_strdup (hooks->socket_name);
      test_kill_at = hooks->kill_at_boundary;
      if (hooks->signal_number != 0)
        test_signal = hooks->signal_number;
    }
  g_mutex_unlock (&test_lock);
}

guint
hv_kvm_qmp_testhook_get_boundaries (void)
{
  guint boundaries;

  g_mutex_lock (&test_lock);
  boundaries = test_boundaries;
  g_mutex_unlock (&test_lock);
  return boundaries;
}

gchar *
hv_kvm_qmp_testhook_get_killed_at (GPid *out_pid)
{
  gchar *killed_at;

  g_mutex_lock (&test_lock);
  killed_at = g_strdup (test_killed_at);
  if (out_pid != NULL)
    *out_pid = test_killed_pid;
  g_mutex_unlock (&test_lock);
  return killed_at;
}

void
hv_kvm_qmp_testhook_boundary (GSocket     *socket,
                              const gchar *socket_path,
                              const gchar *what)
{
  g_autofree gchar *name = socket_path != NULL ? g_path_get_basename (socket_path) : NULL;
  g_autoptr(GCredentials) peer = NULL;
  g_autoptr(GError) error = NULL;
  pid_t pid;
  gint signal_number;

  g_mutex_lock (&test_lock);
  if (test_socket_name == NULL ||
      g_strcmp0 (g_path_is_absolute (test_socket_name) ? socket_path : name,
                 test_socket_name) != 0 ||
      test_boundaries++ != (guint) test_kill_at || test_kill_at < 0)
    {
      g_mutex_unlock (&test_lock);
      return;
    }
  test_killed_at = g_strdup (what);
  signal_number = test_signal;
  /* what a dying QEMU leaves: the socket as it is, the process gone (or
   * stopped, the socket unread) */
  peer = g_socket_get_credentials (socket, &error);
  g_assert_no_error (error);
  pid = g_credentials_get_unix_pid (peer, &error);
  g_assert_no_error (error);
  test_killed_pid = (GPid) pid;
  g_mutex_unlock (&test_lock);
  g_debug ("test hook: QEMU %d of %s sent signal %d before %s", (int) pid, name, signal_number,
           what);
  kill (pid, signal_number);
}
