/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm.h"
#include "hv-kvm-hotplug-testhooks.h"
#include "hv-kvm-process.h"
#include "hv-kvm-qmp-testhooks.h"
#include "hv-kvm-runtime.h"
#include "hv-test.h"
#include "hv-test-files.h"
#include "hv-test-kvm-guest.h"
#include "hv-test-leftovers.h"
#include "hv-test-netns.h"

/*
 * QEMU killed with SIGKILL at every step boundary of a start, a hot-add
 * and a hot-removal of a disk and of a NIC, a balloon call and a live
 * migration (to a second HvKvm in this process, its own run dir, over the
 * loopback of the test's network namespace), while a
 * second, healthy instance runs beside it in the same HvKvm. The
 * boundaries are the QMP client's (its socket connected, each command
 * about to be sent: qmp/hv-kvm-qmp-testhooks.h) and, for the hot-adds,
 * hotplug's journal steps (hotplug/hv-kvm-hotplug-testhooks.h), which
 * also cover what hvkit does between two commands (a tap, a script, a NIC
 * file). Each operation is run with the kill at boundary 0, 1, 2… until
 * it runs to its end without reaching the boundary: every boundary it has
 * is tried. After each kill: the call failed with a GError that says QEMU
 * went away (or, killed after its last step, succeeded), the instance is
 * reported not running and its cleanup leaves no QEMU, file, socket, tap,
 * script process or fd of this process behind; the healthy instance
 * answered throughout.
 *
 * Real QEMU without a guest (the instances have no kernel), but for a
 * hot-removal's steps after the guest's DEVICE_DELETED: there the victim
 * boots the test guest under TCG, once per step, and QEMU is killed after
 * each (test_removal_steps; test-kvm-hotplug-crash kills hvkit there
 * instead). The removal fails saying QEMU went away while a QEMU-facing
 * step is still to come, and succeeds after the last one; the record has
 * the device no more, the guest having given it up.
 * NICs need root: the test runs in a private network namespace then.
 */

#define QEMU          "/usr/bin/qemu-system-x86_64"
#define VICTIM        "victim"
#define HEALTHY       "healthy"
#define DISK_UUID     "c1a50001-0000-4000-8000-000000000001"
#define NIC_UUID      "c1a50002-0000-4000-8000-000000000002"
#define NIC_MAC       "52:54:00:c1:00:02"
#define MAX_BOUNDARIES 64

static const gchar *const disk_add_steps[] = {
  "intent", "slot-checked", "node-added", "device-added", NULL
};
static const gchar *const nic_add_steps[] = {
  "intent", "slot-checked", "tap-opened", "ifup-done", "fd-passed", "netdev-added",
  "device-added", "nic-files-written", NULL
};

/* A removal's steps from the guest's DEVICE_DELETED on ("unplugged" ends
 * with it), and whether QEMU is still asked something after each: killed
 * there, the removal fails saying QEMU went away; killed after its last
 * QEMU-facing step, it succeeds. */
typedef struct {
  const gchar *step;
  gboolean     qemu_asked_after;
} DelStep;

static const DelStep disk_del_steps[] = {
  { "unplugged", TRUE },        /* blockdev-del */
  { "node-deleted", FALSE },
  { NULL, FALSE }
};
static const DelStep nic_del_steps[] = {
  { "unplugged", TRUE },        /* ifdown, then netdev_del */
  { "ifdown-done", TRUE },      /* netdev_del */
  { "netdev-deleted", FALSE },
  { "nic-files-removed", FALSE },
  { NULL, FALSE }
};

/* While set, the name of the instance whose QEMU hvkit gets no pidfd of
 * (test_start_unwatched), and how many times it asked. */
static const gchar *pidfd_refused_name;
static gint pidfd_refusals;

/*
 * The plugin's parts are linked into this program, so their calls of
 * pidfd_open() reach this one rather than the C library's: it refuses a
 * pidfd of the QEMU of pidfd_refused_name as with no descriptor left
 * (EMFILE), which is hard to aim at that one moment with RLIMIT_NOFILE.
 * The test's own pidfds are opened through syscall() and never refused.
 */
int
pidfd_open (pid_t        pid,
            unsigned int flags)
{
  const gchar *refused = g_atomic_pointer_get (&pidfd_refused_name);

  if (refused != NULL && hv_kvm_process_is_instance ((GPid) pid, refused))
    {
      g_atomic_int_inc (&pidfd_refusals);
      errno = EMFILE;
      return -1;
    }
  return (int) syscall (SYS_pidfd_open, pid, flags);
}

static gboolean in_netns;
static gboolean tolerate_timeouts;   /* see log_writer() */
static guint unexpected_warnings;

typedef enum {
  OP_START,
  OP_HOT_ADD,
  OP_HOT_DEL,
  OP_BALLOON,
  OP_MIGRATE,   /* to a second HvKvm in this process, over the loopback */
} Op;

typedef struct {
  const gchar  *name;
  Op            op;
  HvDeviceType  type;
  gboolean      needs_netns;
  gboolean      stop_qemu;     /* SIGSTOP at the boundary, not SIGKILL */
  gboolean      guest;         /* the victim boots the test guest (TCG) */
} Matrix;

/* With QEMU stopped, its calls time out quickly; otherwise they are not
 * expected to time out at all. */
#define STOPPED_COMMAND_TIMEOUT_MS 1500

/* How long the test guest may take to give a device up, or to tell of
 * one hot-added, on a loaded node under TCG. */
#define GUEST_TIMEOUT_MS 30000

typedef struct {
  gchar        *dir;        /* the run dir, and the disks and scripts */
  GVariant     *config;     /* HvKvm's */
  HvHypervisor *kvm;
  HvHypervisor *target;     /* a migration's, run dir <dir>/target */
  GBytes       *migration_info;
  HvInstance   *victim;
  HvInstance   *healthy;
  guint         fds;        /* this process's, with only the healthy one running */
} Fixture;

static guint
count_taps (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) taps = NULL;

  if (!in_netns)
    return 0;
  taps = hv_test_netns_list_taps (&error);
  g_assert_no_error (error);
  return g_strv_length (taps);
}

static void
assert_healthy (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvInstanceInfo) info = hv_hypervisor_get_instance_info_sync (fixture->kvm, HEALTHY,
                                                                          NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (hv_instance_info_get_state (info), ==, HV_INSTANCE_STATE_PAUSED);
}

/* A pidfd of the victim's QEMU, to wait for its end; -1 when it has none. */
static gint
open_victim_pidfd (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvInstanceInfo) info = hv_hypervisor_get_instance_info_sync (fixture->kvm, VICTIM,
                                                                          NULL, &error);
  gint pidfd;

  if (info == NULL)
    return -1;
  pidfd = (gint) syscall (SYS_pidfd_open, (pid_t) hv_instance_info_get_pid (info), 0);
  g_assert_cmpint (pidfd, >=, 0);
  return pidfd;
}

/* The killed QEMU's exit, which hvkit asks its own pidfd about: waited
 * for, not slept on. */
static void
wait_victim_exit (gint pidfd)
{
  GPollFD poll_fd = { .fd = pidfd, .events = G_IO_IN };

  if (pidfd < 0)
    return;
  g_assert_cmpint (g_poll (&poll_fd, 1, 30000), ==, 1);
  close (pidfd);
}

/* After QEMU died under an operation: the instance is not running; once
 * cleaned up nothing of it is left. The healthy one answers. */
static void
assert_victim_gone (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvInstanceInfo) info = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) names = NULL;

  g_assert_cmpuint (hv_test_count_qemus (fixture->dir, VICTIM), ==, 0);
  info = hv_hypervisor_get_instance_info_sync (fixture->kvm, VICTIM, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  names = hv_hypervisor_list_instances (fixture->kvm, &error);
  g_assert_no_error (error);
  g_assert_false (g_strv_contains ((const gchar *const *) names, VICTIM));

  g_assert_true (hv_hypervisor_cleanup_instance_sync (fixture->kvm, VICTIM, NULL, &error));
  g_assert_no_error (error);
  hv_test_find_files (fixture->dir, VICTIM, files);
  for (guint i = 0; i < files->len; i++)
    g_test_message ("left behind: %s", (const gchar *) g_ptr_array_index (files, i));
  g_assert_cmpuint (files->len, ==, 0);
  g_assert_cmpuint (count_taps (), ==, 0);
  g_assert_cmpuint (hv_test_count_children (), ==, 0);
  /* what HvKvm posted to this (its owner's) context before the cleanup
   * answered: its signals, holding what they tell about */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  hv_test_assert_no_fd_left (fixture->fds);
  assert_healthy (fixture);
}

/* -- the instances ------------------------------------------------------------ */

static HvInstance *
new_instance (HvHypervisor *kvm,
              const gchar  *name)
{
  g_autoptr(GVariant) defaults = NULL;
  HvInstance *instance = hv_instance_new (name);
  GVariantDict hvparams;

  g_object_get (kvm, "default-hvparams", &defaults, NULL);
  g_variant_dict_init (&hvparams, defaults);
  g_variant_dict_insert (&hvparams, "kvm_path", "s", QEMU);
  g_variant_dict_insert (&hvparams, "kvm_flag", "s", "disabled");
  g_variant_dict_insert (&hvparams, "kernel_path", "s", "");
  hv_instance_set_hvparams (instance, g_variant_dict_end (&hvparams));
  hv_instance_set_beparams (instance, g_variant_new_parsed (
    "{'maxmem': <int64 128>, 'memory': <int64 128>, 'vcpus': <int64 1>}"));
  return instance;
}

static void
start (Fixture    *fixture,
       HvInstance *instance)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_hypervisor_start_instance_sync (fixture->kvm, instance, TRUE, NULL,
                                                    &error));
  g_assert_no_error (error);
}

static void
stop (Fixture    *fixture,
      HvInstance *instance)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, instance, TRUE, FALSE, 0,
                                                   NULL, &error));
  g_assert_no_error (error);
}

static HvDevice *
new_device (Fixture      *fixture,
            HvDeviceType  type)
{
  HvDisk *disk;
  HvNic *nic;

  if (type == HV_DEVICE_TYPE_NIC)
    {
      nic = hv_nic_new ();
      hv_device_set_uuid (HV_DEVICE (nic), NIC_UUID);
      hv_nic_set_mac (nic, NIC_MAC);
      hv_nic_set_mode (nic, "bridged");
      hv_nic_set_link (nic, "br0");
      return HV_DEVICE (nic);
    }
  disk = hv_disk_new ();
  hv_device_set_uuid (HV_DEVICE (disk), DISK_UUID);
  hv_disk_set_size (disk, 16);
  hv_disk_set_mode (disk, "rw");
  {
    g_autofree gchar *path = g_build_filename (fixture->dir, "disk.img", NULL);

    hv_disk_set_link (disk, path);
  }
  return HV_DEVICE (disk);
}

static void
write_script (const gchar *path,
              const gchar *body)
{
  g_autofree gchar *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0700), ==, 0);
}

static void new_target (Fixture *fixture);

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *disk = NULL;
  g_autofree gchar *ifup = NULL;
  g_autofree gchar *ifdown = NULL;
  GVariantDict config;
  HvKvm *kvm;

  if (!g_file_test (QEMU, G_FILE_TEST_IS_EXECUTABLE))
    return;
  if (((const Matrix *) user_data)->guest && !hv_test_guest_require ())
    return;
  fixture->dir = g_dir_make_tmp ("hvkit-killed-XXXXXX", &error);
  g_assert_no_error (error);
  disk = g_build_filename (fixture->dir, "disk.img", NULL);
  g_assert_true (g_file_set_contents (disk, "", 0, &error));
  g_assert_cmpint (truncate (disk, 16 * 1024 * 1024), ==, 0);
  ifup = g_build_filename (fixture->dir, "ifup", NULL);
  ifdown = g_build_filename (fixture->dir, "ifdown", NULL);
  write_script (ifup, "ip link set \"$INTERFACE\" master \"$BRIDGE\" up");
  write_script (ifdown, "exit 0");

  g_variant_dict_init (&config, NULL);
  g_variant_dict_insert (&config, "run-dir", "s", fixture->dir);
  g_variant_dict_insert (&config, "ifup-script", "s", ifup);
  g_variant_dict_insert (&config, "ifdown-script", "s", ifdown);
  /* no guest to balloon or to give a device up: they fail in time */
  g_variant_dict_insert (&config, "balloon-timeout-ms", "u", 1000);
  g_variant_dict_insert (&config, "removal-timeout-ms", "u",
                         ((const Matrix *) user_data)->guest ? GUEST_TIMEOUT_MS : 1000);
  g_variant_dict_insert (&config, "start-timeout-ms", "u", 20000);
  g_variant_dict_insert (&config, "command-timeout-ms", "u",
                         ((const Matrix *) user_data)->stop_qemu ? STOPPED_COMMAND_TIMEOUT_MS
                                                                 : 20000);
  fixture->config = g_variant_ref_sink (g_variant_dict_end (&config));
  kvm = hv_kvm_new (fixture->config, &error);
  g_assert_no_error (error);
  fixture->kvm = HV_HYPERVISOR (kvm);
  if (((const Matrix *) user_data)->guest)
    fixture->victim = hv_test_kvm_guest_new_instance (fixture->kvm, VICTIM,
                                                      "c1a50000-0000-4000-8000-000000000000",
                                                      128);
  else
    fixture->victim = new_instance (fixture->kvm, VICTIM);
  fixture->healthy = new_instance (fixture->kvm, HEALTHY);
  if (((const Matrix *) user_data)->op == OP_MIGRATE)
    new_target (fixture);
  start (fixture, fixture->healthy);
  /* once around with the victim, so that what GLib opens once is open */
  start (fixture, fixture->victim);
  assert_healthy (fixture);
  stop (fixture, fixture->victim);
  fixture->fds = hv_test_count_fds ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  HvKvmHotplugTestHooks no_hotplug_hooks = HV_KVM_HOTPLUG_TEST_HOOKS_INIT;

  g_assert_cmpuint (unexpected_warnings, ==, 0);
  tolerate_timeouts = FALSE;
  if (fixture->dir == NULL)
    return;
  hv_kvm_qmp_set_test_hooks (NULL);
  hv_kvm_hotplug_set_test_hooks (&no_hotplug_hooks);
  g_clear_object (&fixture->victim);
  g_clear_object (&fixture->healthy);
  g_clear_object (&fixture->target);
  g_clear_pointer (&fixture->migration_info, g_bytes_unref);
  /* HvKvm goes, its monitor thread, connections and run-dir lock with it;
   * what it posted to this context (signals) holds it until dispatched */
  g_object_add_weak_pointer (G_OBJECT (fixture->kvm), (gpointer *) &fixture->kvm);
  g_object_unref (fixture->kvm);
  {
    gint64 deadline = g_get_monotonic_time () + FD_SETTLE_MS * 1000;

    while (fixture->kvm != NULL && g_get_monotonic_time () < deadline)
      {
        while (g_main_context_iteration (NULL, FALSE))
          ;
        if (fixture->kvm != NULL)
          g_usleep (10 * 1000);
      }
  }
  g_assert_null (fixture->kvm);
  hv_test_kill_qemus (fixture->dir, VICTIM);
  hv_test_kill_qemus (fixture->dir, HEALTHY);
  hv_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_clear_pointer (&fixture->config, g_variant_unref);
}

static gboolean
require_qemu (Fixture *fixture)
{
  if (fixture->dir == NULL)
    {
      g_test_skip ("no " QEMU);
      return FALSE;
    }
  return TRUE;
}

/* -- the matrix ---------------------------------------------------------------- */


/* A second HvKvm, a migration's target host, on <dir>/target. */
static void
new_target (Fixture *fixture)
{
  g_autofree gchar *run_dir = g_build_filename (fixture->dir, "target", NULL);
  g_autoptr(GError) error = NULL;
  GVariantDict config;

  g_variant_dict_init (&config, fixture->config);
  g_variant_dict_insert (&config, "run-dir", "s", run_dir);
  fixture->target = HV_HYPERVISOR (hv_kvm_new (g_variant_dict_end (&config), &error));
  g_assert_no_error (error);
}

/* The target accepts the victim. */
static void
prepare_target (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&fixture->migration_info, g_bytes_unref);
  fixture->migration_info = hv_hypervisor_migration_info (fixture->kvm, fixture->victim, &error);
  g_assert_no_error (error);
  g_assert_true (hv_hypervisor_accept_instance_sync (fixture->target, fixture->victim,
                                                     fixture->migration_info, "127.0.0.1", NULL,
                                                     &error));
  g_assert_no_error (error);
}

/* Both sides of a migration finalized as @success says; on failure the
 * target has nothing left of the victim. */
static void
end_migration (Fixture  *fixture,
               gboolean  success)
{
  g_autofree gchar *run_dir = g_build_filename (fixture->dir, "target", NULL);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_hypervisor_finalize_migration_dst_sync (fixture->target, fixture->victim,
                                                            fixture->migration_info, success,
                                                            NULL, &error));
  g_assert_no_error (error);
  if (!hv_hypervisor_finalize_migration_source_sync (fixture->kvm, fixture->victim, success,
                                                     TRUE, NULL, &error))
    {
      /* its QEMU is gone: nothing to resume */
      g_test_message ("finalize on the source: %s", error->message);
      g_assert_false (success);
      g_clear_error (&error);
    }
  if (success)
    {
      g_assert_true (hv_hypervisor_stop_instance_sync (fixture->target, fixture->victim, TRUE,
                                                       FALSE, 0, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (hv_test_count_qemus (run_dir, VICTIM), ==, 0);
  hv_test_find_files (run_dir, VICTIM, files);
  for (guint i = 0; i < files->len; i++)
    g_test_message ("left on the target: %s", (const gchar *) g_ptr_array_index (files, i));
  g_assert_cmpuint (files->len, ==, 0);
}

/* What is set up before the operation under test (not killed). */
static void
prepare (Fixture      *fixture,
         const Matrix *matrix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDevice) device = NULL;

  if (matrix->op == OP_START)
    return;
  start (fixture, fixture->victim);
  if (matrix->op == OP_MIGRATE)
    {
      prepare_target (fixture);
      return;
    }
  if (matrix->op != OP_HOT_DEL)
    return;
  device = new_device (fixture, matrix->type);
  g_assert_true (hv_hypervisor_hot_add_device_sync (fixture->kvm, fixture->victim, device, 0,
                                                    NULL, &error));
  g_assert_no_error (error);
}

static gboolean
run_op (Fixture      *fixture,
        const Matrix *matrix,
        GError      **error)
{
  g_autoptr(HvDevice) device = NULL;

  switch (matrix->op)
    {
    case OP_START:
      return hv_hypervisor_start_instance_sync (fixture->kvm, fixture->victim, TRUE, NULL,
                                                error);
    case OP_HOT_ADD:
      device = new_device (fixture, matrix->type);
      return hv_hypervisor_hot_add_device_sync (fixture->kvm, fixture->victim, device, 0, NULL,
                                                error);
    case OP_HOT_DEL:
      device = new_device (fixture, matrix->type);
      return hv_hypervisor_hot_del_device_sync (fixture->kvm, fixture->victim, device, 0, NULL,
                                                error);
    case OP_BALLOON:
      return hv_hypervisor_balloon_instance_memory_sync (fixture->kvm, fixture->victim, 64,
                                                         NULL, error);
    case OP_MIGRATE:
      return hv_hypervisor_migrate_instance_sync (fixture->kvm, fixture->victim, "127.0.0.1",
                                                  TRUE, NULL, error);
    }
  g_assert_not_reached ();
}

/* The call's error when QEMU died under it: it says so, one way or
 * another, and is one of hvkit's. */
static void
assert_error_says_qemu_died (const Matrix *matrix,
                             const gchar  *at,
                             GError       *error)
{
  g_test_message ("%s, QEMU killed at %s: %s", matrix->name, at,
                  error != NULL ? error->message : "succeeded");
  if (error == NULL)
    return;
  g_assert_true (error->domain == HV_ERROR);
  /* about QEMU or its QMP socket, whichever step noticed */
  g_assert_true (strstr (error->message, "QEMU") != NULL ||
                 strstr (error->message, ".qmp") != NULL);
  g_assert_false (g_str_has_suffix (error->message, ":"));
}

/* The operation once for each QMP boundary it has, QEMU killed there. */
static void
test_qmp_boundaries (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const Matrix *matrix = user_data;
  g_autofree gchar *socket_name = g_strconcat (fixture->dir, "/" VICTIM ".qmp", NULL);
  guint boundary;

  if (!require_qemu (fixture))
    return;
  if (matrix->needs_netns && !in_netns)
    {
      g_test_skip ("NICs need root (a private network namespace)");
      return;
    }
  for (boundary = 0; boundary < MAX_BOUNDARIES; boundary++)
    {
      HvKvmQmpTestHooks hooks = HV_KVM_QMP_TEST_HOOKS_INIT;
      g_autoptr(GError) error = NULL;
      g_autofree gchar *killed_at = NULL;
      gboolean ok;

      gint pidfd;

      prepare (fixture, matrix);
      pidfd = open_victim_pidfd (fixture);
      hooks.socket_name = socket_name;
      hooks.kill_at_boundary = (gint) boundary;
      hv_kvm_qmp_set_test_hooks (&hooks);
      ok = run_op (fixture, matrix, &error);
      killed_at = hv_kvm_qmp_testhook_get_killed_at (NULL);
      hv_kvm_qmp_set_test_hooks (NULL);
      if (killed_at == NULL)
        {
          if (pidfd >= 0)
            close (pidfd);
          /* ran to its end with fewer boundaries: every one was tried */
          g_test_message ("%s: %u QMP boundaries", matrix->name, boundary);
          if (error != NULL)
            g_test_message ("%s, not killed: %s", matrix->name, error->message);
          /* no guest: a balloon or a removal times out; the rest succeed */
          if (matrix->op == OP_START || matrix->op == OP_HOT_ADD || matrix->op == OP_MIGRATE)
            g_assert_no_error (error);
          g_clear_error (&error);
          if (matrix->op == OP_MIGRATE)
            {
              end_migration (fixture, TRUE);
              break;
            }
          stop (fixture, fixture->victim);
          g_assert_true (hv_hypervisor_cleanup_instance_sync (fixture->kvm, VICTIM, NULL,
                                                              &error));
          g_assert_no_error (error);
          g_assert_cmpuint (hv_test_count_qemus (fixture->dir, VICTIM), ==, 0);
          hv_test_assert_no_fd_left (fixture->fds);
          break;
        }
      g_test_message ("boundary %u: %s", boundary, killed_at);
      wait_victim_exit (pidfd);
      g_assert_true (ok == (error == NULL));
      assert_error_says_qemu_died (matrix, killed_at, error);
      if (matrix->op == OP_MIGRATE)
        end_migration (fixture, FALSE);
      assert_victim_gone (fixture);
    }
  g_assert_cmpuint (boundary, >, 0);
  g_assert_cmpuint (boundary, <, MAX_BOUNDARIES);
}

/* A hot-add once for each of its journal steps, QEMU killed after it. */
static void
test_hotplug_steps (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const Matrix *matrix = user_data;
  const gchar *const *steps = matrix->type == HV_DEVICE_TYPE_NIC ? nic_add_steps
                                                                 : disk_add_steps;

  if (!require_qemu (fixture))
    return;
  if (matrix->needs_netns && !in_netns)
    {
      g_test_skip ("NICs need root (a private network namespace)");
      return;
    }
  for (guint i = 0; steps[i] != NULL; i++)
    {
      HvKvmHotplugTestHooks hooks = HV_KVM_HOTPLUG_TEST_HOOKS_INIT;
      HvKvmHotplugTestHooks none = HV_KVM_HOTPLUG_TEST_HOOKS_INIT;
      g_autoptr(GError) error = NULL;
      gboolean ok;
      gint pidfd;

      prepare (fixture, matrix);
      pidfd = open_victim_pidfd (fixture);
      hooks.kill_after_step = steps[i];
      hooks.kill_action = HV_HOTPLUG_ACTION_ADD;
      hooks.kill_qemu = TRUE;
      hv_kvm_hotplug_set_test_hooks (&hooks);
      ok = run_op (fixture, matrix, &error);
      hv_kvm_hotplug_set_test_hooks (&none);
      wait_victim_exit (pidfd);
      g_assert_true (ok == (error == NULL));
      assert_error_says_qemu_died (matrix, steps[i], error);
      assert_victim_gone (fixture);
    }
}

/* What the removal left before any cleanup: the victim's record, as saved
 * now, without the device under test and with nothing pending; no NIC
 * file of the victim, no tap (QEMU held it) and no script running. */
static void
assert_removed (Fixture      *fixture,
                HvDeviceType  type)
{
  g_autoptr(HvRuntimeStore) store = hv_kvm_runtime_store_new (fixture->dir);
  g_autofree gchar *nic_dir = g_build_filename (fixture->dir, "nic", VICTIM, NULL);
  g_autoptr(GDir) listing = g_dir_open (nic_dir, 0, NULL);
  g_autoptr(GError) error = NULL;
  HvKvmRuntime *runtime = hv_kvm_runtime_load (store, VICTIM, &error);
  const gchar *entry;

  while (listing != NULL && (entry = g_dir_read_name (listing)) != NULL)
    g_test_message ("NIC file left: %s/%s", nic_dir, entry);
  if (listing != NULL)
    {
      g_dir_rewind (listing);
      g_assert_null (g_dir_read_name (listing));
    }
  g_assert_cmpuint (count_taps (), ==, 0);
  g_assert_cmpuint (hv_test_count_children (), ==, 0);

  g_assert_no_error (error);
  g_assert_nonnull (runtime);
  g_assert_cmpuint (runtime->pending->len, ==, 0);
  g_assert_null (hv_kvm_runtime_find_device (runtime, type,
                                             type == HV_DEVICE_TYPE_DISK ? DISK_UUID
                                                                         : NIC_UUID));
  hv_kvm_runtime_free (runtime);
}

/* The victim started with the test guest booted, the device hot-added and
 * seen by the guest. Returns the guest's serial console. */
static HvTestConsole *
boot_with_device (Fixture      *fixture,
                  HvDeviceType  type)
{
  g_autoptr(HvDevice) device = new_device (fixture, type);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *pattern = NULL;
  g_autofree gchar *line = NULL;
  HvTestConsole *serial;

  start (fixture, fixture->victim);
  serial = hv_test_kvm_guest_boot (fixture->dir, VICTIM);
  g_assert_true (hv_hypervisor_hot_add_device_sync (fixture->kvm, fixture->victim, device, 0,
                                                    NULL, &error));
  g_assert_no_error (error);
  /* the guest has it before it is asked to give it up */
  pattern = g_strdup_printf ("^UEVENT add %s /devices/pci0000:00/0000:00:%02x\\.0/",
                             type == HV_DEVICE_TYPE_DISK ? "block" : "net",
                             hv_device_get_pci (device));
  line = hv_test_console_wait_for_line (serial, pattern, GUEST_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  return serial;
}

/* A removal once for each of its steps from the guest's DEVICE_DELETED
 * on, QEMU killed after it (the guest boots each time: it dies with its
 * QEMU). Killed before its last QEMU-facing step, the removal fails
 * saying QEMU went away; killed after it, it succeeds. Either way the
 * device was given up by the guest, so the record no longer has it and
 * keeps no journal entry; the instance is not running and its cleanup
 * leaves nothing. */
static void
test_removal_steps (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const Matrix *matrix = user_data;
  const DelStep *steps = matrix->type == HV_DEVICE_TYPE_NIC ? nic_del_steps : disk_del_steps;

  if (fixture->dir == NULL)
    {
      /* skipped, or failed, already when the guest is missing */
      if (!g_file_test (QEMU, G_FILE_TEST_IS_EXECUTABLE))
        g_test_skip ("no " QEMU);
      return;
    }
  if (matrix->needs_netns && !in_netns)
    {
      g_test_skip ("NICs need root (a private network namespace)");
      return;
    }
  for (guint i = 0; steps[i].step != NULL; i++)
    {
      HvKvmHotplugTestHooks hooks = HV_KVM_HOTPLUG_TEST_HOOKS_INIT;
      HvKvmHotplugTestHooks none = HV_KVM_HOTPLUG_TEST_HOOKS_INIT;
      g_autoptr(HvTestConsole) serial = boot_with_device (fixture, matrix->type);
      g_autoptr(HvDevice) device = new_device (fixture, matrix->type);
      g_autoptr(GError) error = NULL;
      gboolean ok;
      gint pidfd;

      pidfd = open_victim_pidfd (fixture);
      hooks.kill_after_step = steps[i].step;
      hooks.kill_action = HV_HOTPLUG_ACTION_DEL;
      hooks.kill_qemu = TRUE;
      hv_kvm_hotplug_set_test_hooks (&hooks);
      ok = hv_hypervisor_hot_del_device_sync (fixture->kvm, fixture->victim, device, 0, NULL,
                                              &error);
      hv_kvm_hotplug_set_test_hooks (&none);
      g_assert_cmpint (pidfd, >=, 0);
      wait_victim_exit (pidfd);
      g_assert_true (ok == (error == NULL));
      assert_error_says_qemu_died (matrix, steps[i].step, error);
      if (steps[i].qemu_asked_after)
        g_assert_nonnull (error);
      else
        g_assert_no_error (error);
      assert_removed (fixture, matrix->type);
      hv_test_console_close (serial);
      g_clear_object (&serial);
      assert_victim_gone (fixture);
    }
}

/* A start whose QEMU daemonized but cannot be watched (no pidfd of it:
 * no descriptor left, say). The start fails saying so, and the QEMU it
 * started is not left running untracked: killed by pid (its /proc
 * cmdline is the instance's) and gone before the call returns; nothing
 * else is left, and the instance starts again afterwards. */
static void
test_start_unwatched (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!require_qemu (fixture))
    return;
  g_atomic_int_set (&pidfd_refusals, 0);
  g_atomic_pointer_set (&pidfd_refused_name, VICTIM);
  ok = hv_hypervisor_start_instance_sync (fixture->kvm, fixture->victim, TRUE, NULL, &error);
  g_atomic_pointer_set (&pidfd_refused_name, NULL);
  g_test_message ("start without a pidfd: %s", ok ? "succeeded" : error->message);
  g_assert_false (ok);
  g_assert_cmpint (g_atomic_int_get (&pidfd_refusals), >=, 1);
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, VICTIM));
  g_assert_nonnull (strstr (error->message, "Cannot watch QEMU process"));
  g_assert_nonnull (strstr (error->message, g_strerror (EMFILE)));
  g_clear_error (&error);
  /* already gone when the call returned */
  g_assert_cmpuint (hv_test_count_qemus (fixture->dir, VICTIM), ==, 0);
  assert_victim_gone (fixture);

  start (fixture, fixture->victim);
  assert_healthy (fixture);
  stop (fixture, fixture->victim);
  g_assert_true (hv_hypervisor_cleanup_instance_sync (fixture->kvm, VICTIM, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hv_test_count_qemus (fixture->dir, VICTIM), ==, 0);
}

/* Whether the victim's journal has nothing pending; then the device is
 * in the record, or hot-adding it now succeeds. Otherwise FALSE with the
 * refusal of that hot-add in @error. */
static gboolean
record_settled (Fixture       *fixture,
                HvDeviceType   type,
                GError       **error)
{
  g_autoptr(HvRuntimeStore) store = hv_kvm_runtime_store_new (fixture->dir);
  g_autoptr(HvDevice) device = new_device (fixture, type);
  HvKvmRuntime *runtime = hv_kvm_runtime_load (store, VICTIM, error);
  guint pending, devices;

  g_assert_nonnull (runtime);
  pending = runtime->pending->len;
  devices = type == HV_DEVICE_TYPE_DISK ? runtime->disks->len : runtime->nics->len;
  hv_kvm_runtime_free (runtime);
  g_test_message ("the record: %u device(s) of the kind, %u pending", devices, pending);
  /* "other" may be there: the device under test is the one at seq 2 */
  if (pending == 0 && devices >= 2)
    return TRUE;
  return hv_hypervisor_hot_add_device_sync (fixture->kvm, fixture->victim, device, 2, NULL,
                                            error);
}

/* A hot-add of the device under test refused because hvkit knows it may
 * be in QEMU: pending, or recorded already (QEMU took it, its
 * confirmation did not come back in time). */
static void
assert_refused_as_unsettled (GError *error)
{
  g_assert_error (error, HV_ERROR, HV_ERROR_HOTPLUG);
  g_assert_true (strstr (error->message, "still pending") != NULL ||
                 strstr (error->message, "already has") != NULL);
}

/* A new HvKvm over the run dir, as after a restart of hvkit: it takes the
 * instances over and reconciles their journals before anything else. */
static void
restart_hvkit (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fixture->kvm);
  fixture->kvm = HV_HYPERVISOR (hv_kvm_new (fixture->config, &error));
  g_assert_no_error (error);
  /* a hotplug call waits behind the victim's takeover and reconcile */
  g_assert_true (hv_hypervisor_hotplug_supported_sync (fixture->kvm, fixture->victim, NULL,
                                                       &error));
  g_assert_no_error (error);
  assert_healthy (fixture);
}

/* QEMU stopped (SIGSTOP) at each QMP boundary of the operation: the call
 * fails with HV_ERROR_TIMEOUT after command-timeout-ms (its rollback's
 * commands time out too), the healthy instance answers meanwhile; after
 * SIGCONT the instance answers again and another device can be hot-added
 * into it. The device under test is either settled (not added, or added
 * and recorded) or, when QEMU may have carried out a command it did not
 * answer, kept pending: a hot-add of it is refused saying so, until a
 * restarted hvkit's reconcile settles it. */
static void
test_stopped_at_boundaries (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const Matrix *matrix = user_data;
  g_autofree gchar *socket_name = g_strconcat (VICTIM, ".qmp", NULL);
  guint boundary;

  if (!require_qemu (fixture))
    return;
  tolerate_timeouts = TRUE;
  for (boundary = 0; boundary < MAX_BOUNDARIES; boundary++)
    {
      HvKvmQmpTestHooks hooks = HV_KVM_QMP_TEST_HOOKS_INIT;
      g_autoptr(GError) error = NULL;
      g_autoptr(HvDisk) other = NULL;
      g_autofree gchar *killed_at = NULL;
      g_autofree gchar *other_path = g_build_filename (fixture->dir, "other.img", NULL);
      GPid pid = 0;
      gboolean ok;

      prepare (fixture, matrix);
      hooks.socket_name = socket_name;
      hooks.kill_at_boundary = (gint) boundary;
      hooks.signal_number = SIGSTOP;
      hv_kvm_qmp_set_test_hooks (&hooks);
      ok = run_op (fixture, matrix, &error);
      killed_at = hv_kvm_qmp_testhook_get_killed_at (&pid);
      hv_kvm_qmp_set_test_hooks (NULL);
      if (killed_at == NULL)
        {
          g_test_message ("%s: %u QMP boundaries", matrix->name, boundary);
          g_assert_no_error (error);
          stop (fixture, fixture->victim);
          break;
        }
      g_test_message ("stopped at %s: %s", killed_at, ok ? "succeeded" : error->message);
      g_assert_false (ok);
      g_assert_error (error, HV_ERROR, HV_ERROR_TIMEOUT);
      assert_healthy (fixture);
      g_assert_cmpint (kill ((pid_t) pid, SIGCONT), ==, 0);
      g_clear_error (&error);

      /* it answers again, and takes another disk */
      {
        g_autoptr(HvInstanceInfo) info = NULL;

        info = hv_hypervisor_get_instance_info_sync (fixture->kvm, VICTIM, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpint (hv_instance_info_get_state (info), ==, HV_INSTANCE_STATE_PAUSED);
      }
      g_assert_true (g_file_set_contents (other_path, "", 0, NULL));
      g_assert_cmpint (truncate (other_path, 16 * 1024 * 1024), ==, 0);
      other = hv_disk_new ();
      hv_device_set_uuid (HV_DEVICE (other), "c1a50003-0000-4000-8000-000000000003");
      hv_disk_set_size (other, 16);
      hv_disk_set_mode (other, "rw");
      hv_disk_set_link (other, other_path);
      ok = hv_hypervisor_hot_add_device_sync (fixture->kvm, fixture->victim, HV_DEVICE (other), 1,
                                              NULL, &error);
      g_test_message ("another disk after SIGCONT: %s", ok ? "added" : error->message);
      g_assert_no_error (error);
      if (!record_settled (fixture, matrix->type, &error))
        {
          /* the device's outcome is unknown to hvkit: it says so, and a
           * restarted hvkit's reconcile settles it with QEMU */
          g_test_message ("the same disk again: %s", error->message);
          assert_refused_as_unsettled (error);
          g_clear_error (&error);
          restart_hvkit (fixture);
          /* settled: forward, back, or — a device QEMU has that was never
           * confirmed — as a removal, which waits for a guest these
           * instances do not have */
          if (!record_settled (fixture, matrix->type, &error))
            {
              g_test_message ("after the reconcile: %s", error->message);
              assert_refused_as_unsettled (error);
              g_clear_error (&error);
            }
        }
      stop (fixture, fixture->victim);
      g_assert_true (hv_hypervisor_cleanup_instance_sync (fixture->kvm, VICTIM, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (hv_test_count_qemus (fixture->dir, VICTIM), ==, 0);
    }
  g_assert_cmpuint (boundary, >, 0);
  g_assert_cmpuint (boundary, <, MAX_BOUNDARIES);
}

static const Matrix qmp_matrix[] = {
  { "start", OP_START, HV_DEVICE_TYPE_DISK, FALSE },
  { "hot-add-disk", OP_HOT_ADD, HV_DEVICE_TYPE_DISK, FALSE },
  { "hot-add-nic", OP_HOT_ADD, HV_DEVICE_TYPE_NIC, TRUE },
  { "hot-del-disk", OP_HOT_DEL, HV_DEVICE_TYPE_DISK, FALSE },
  { "hot-del-nic", OP_HOT_DEL, HV_DEVICE_TYPE_NIC, TRUE },
  { "balloon", OP_BALLOON, HV_DEVICE_TYPE_DISK, FALSE },
  /* the loopback of a private network namespace: no port of the host's */
  { "migrate", OP_MIGRATE, HV_DEVICE_TYPE_DISK, TRUE },
};

/* the test guest under TCG: a removal's steps after its DEVICE_DELETED */
static const Matrix removal_matrix[] = {
  { "hot-del-disk", OP_HOT_DEL, HV_DEVICE_TYPE_DISK, FALSE, FALSE, TRUE },
  { "hot-del-nic", OP_HOT_DEL, HV_DEVICE_TYPE_NIC, TRUE, FALSE, TRUE },
};

static const Matrix unwatched_start = { "start-unwatched", OP_START, HV_DEVICE_TYPE_DISK, FALSE };

static const Matrix stopped_matrix[] = {
  { "hot-add-disk", OP_HOT_ADD, HV_DEVICE_TYPE_DISK, FALSE, TRUE },
};

static const Matrix step_matrix[] = {
  { "hot-add-disk", OP_HOT_ADD, HV_DEVICE_TYPE_DISK, FALSE },
  { "hot-add-nic", OP_HOT_ADD, HV_DEVICE_TYPE_NIC, TRUE },
};

/* A rollback whose commands QEMU does not answer (it is stopped) logs
 * each one it could not undo: a warning hvkit should give then, and only
 * then. Warnings are not fatal here; any other one fails the test in its
 * teardown. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  if (log_level & G_LOG_LEVEL_WARNING)
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "MESSAGE") &&
            (fields[i].length >= 0 || !tolerate_timeouts ||
             strstr (fields[i].value, "did not answer") == NULL))
          unexpected_warnings++;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  /* HvKvm's monitor thread is made by this thread, so it shares the
   * namespace and the taps it opens are in it */
  if (geteuid () == 0 && access ("/dev/net/tun", R_OK | W_OK) == 0)
    {
      hv_test_netns_enter (&error);
      g_assert_no_error (error);
      hv_test_netns_add_bridge ("br0", &error);
      g_assert_no_error (error);
      in_netns = TRUE;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (qmp_matrix); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/kvm/qemu-killed/qmp/%s", qmp_matrix[i].name);

      g_test_add (path, Fixture, &qmp_matrix[i], fixture_set_up, test_qmp_boundaries,
                  fixture_tear_down);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (step_matrix); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/kvm/qemu-killed/step/%s", step_matrix[i].name);

      g_test_add (path, Fixture, &step_matrix[i], fixture_set_up, test_hotplug_steps,
                  fixture_tear_down);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (removal_matrix); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/kvm/qemu-killed/step/%s",
                                                removal_matrix[i].name);

      g_test_add (path, Fixture, &removal_matrix[i], fixture_set_up, test_removal_steps,
                  fixture_tear_down);
    }
  g_test_add ("/kvm/qemu-killed/start-unwatched", Fixture, &unwatched_start, fixture_set_up,
              test_start_unwatched, fixture_tear_down);
  for (gsize i = 0; i < G_N_ELEMENTS (stopped_matrix); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/kvm/qemu-killed/stopped/%s",
                                                stopped_matrix[i].name);

      g_test_add (path, Fixture, &stopped_matrix[i], fixture_set_up, test_stopped_at_boundaries,
                  fixture_tear_down);
    }
  return g_test_run ();
}
