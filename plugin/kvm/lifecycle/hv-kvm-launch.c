/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <hvkit/hvkit-driver.h>

#include "hv-kvm-cmdline.h"
#include "hv-kvm-lifecycle.h"
#include "hv-kvm-process.h"
#include "hv-kvm-qmp-commands.h"
#include "hv-kvm-tap.h"

/*
 * Launching QEMU for an instance, as Ganeti's _ExecuteKVMRuntime does it,
 * without its faults: the record (command line without devices, disks and NICs with
 * slots and ids), the taps opened here, ifup per NIC, QEMU daemonized
 * with -S, the persistent QMP connection, the record saved, passwords,
 * CPU pinning and the balloon while the guest is stopped, then `cont`.
 * Any failure undoes what was done (hv_kvm_teardown_async) and reports
 * the first error.
 */

/* The descriptors QEMU inherits are numbered from here. */
#define HV_KVM_LAUNCH_FIRST_FD 3

typedef struct {
  HvKvmHost             *host;
  HvInstance        *owner;          /* NIC script environment (tags) */
  gboolean           paused;
  gchar             *incoming;       /* a migration target: -incoming */
  HvKvmRuntime      *runtime;        /* until handed to the instance */
  HvKvmCapabilities *capabilities;
  GPtrArray         *taps;           /* HvKvmTap, one per NIC of the record */
  guint              n_nics_up;      /* ifup ran for NICs [0, n_nics_up) */
  guint              next_password;  /* index into launch_set_passwords' list */
  GError            *error;          /* the failure being undone */
} Launch;

static void
launch_free (Launch *launch)
{
  g_clear_object (&launch->owner);
  g_free (launch->incoming);
  g_clear_pointer (&launch->runtime, hv_kvm_runtime_free);
  g_clear_object (&launch->capabilities);
  g_clear_pointer (&launch->taps, g_ptr_array_unref);
  g_clear_error (&launch->error);
  g_free (launch);
}

static HvKvmInstance *
launch_get_instance (GTask *task)
{
  return g_task_get_source_object (task);
}

static const gchar *
launch_param_string (HvKvmRuntime *runtime,
                     const gchar  *key,
                     const gchar  *fallback)
{
  const gchar *value = NULL;

  if (runtime->hvparams == NULL || !g_variant_lookup (runtime->hvparams, key, "&s", &value))
    return fallback;
  return value;
}

static gboolean
launch_param_bool (HvKvmRuntime *runtime,
                   const gchar  *key,
                   gboolean      fallback)
{
  gboolean value = fallback;

  if (runtime->hvparams != NULL)
    g_variant_lookup (runtime->hvparams, key, "b", &value);
  return value;
}

/* -- undo ----------------------------------------------------------------- */

static void
launch_return_error (GTask *task)
{
  HvKvmInstance *instance = launch_get_instance (task);
  Launch *launch = g_task_get_task_data (task);

  hv_kvm_instance_set_qmp (instance, NULL);
  hv_kvm_instance_set_runtime (instance, NULL);
  g_task_return_error (task, g_steal_pointer (&launch->error));
  g_object_unref (task);
}

static void
launch_undone_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!hv_kvm_teardown_finish (HV_KVM_INSTANCE (source), result, &error))
    g_warning ("Undoing the start of instance %s: %s",
               hv_kvm_instance_get_name (HV_KVM_INSTANCE (source)), error->message);
  launch_return_error (task);
}

static void
launch_unwatched_killed_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  GTask *task = user_data;
  HvKvmInstance *instance = launch_get_instance (task);
  Launch *launch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!hv_kvm_process_kill_unwatched_finish (result, &error))
    {
      /* QEMU survived SIGKILL (a process in D state): its files stay, as
       * the teardown leaves them then */
      g_warning ("Undoing the start of instance %s: %s", hv_kvm_instance_get_name (instance),
                 error->message);
      launch_return_error (task);
      return;
    }
  hv_kvm_teardown_async (instance, launch->n_nics_up, NULL, launch_undone_cb, task);
}

static gboolean launch_adopt_process (HvKvmInstance  *instance,
                                      GPid           *unwatched,
                                      GError        **error);

/* Undoes what was done, in reverse — QEMU killed, ifdown for the NICs
 * brought up, taps closed, files and record removed — and reports @error,
 * the first. */
static void
launch_fail (GTask  *task,
             GError *error)
{
  HvKvmInstance *instance = launch_get_instance (task);
  Launch *launch = g_task_get_task_data (task);
  GPid unwatched = 0;

  g_debug ("start of %s failed: %s", hv_kvm_instance_get_name (instance), error->message);
  launch->error = error;
  g_clear_pointer (&launch->taps, g_ptr_array_unref);
  if (launch->runtime != NULL)
    hv_kvm_instance_set_runtime (instance, g_steal_pointer (&launch->runtime));
  /* QEMU writes its pidfile before it opens its disks: one stuck there
   * (a FIFO, a hung NFS file) runs on after its daemonizing parent was
   * killed. The teardown kills and waits for the process the instance
   * follows, so it follows that one before anything is removed. */
  if (hv_kvm_instance_get_pid (instance) == 0)
    {
      g_autoptr(GError) stray_error = NULL;

      if (!launch_adopt_process (instance, &unwatched, &stray_error))
        g_debug ("no QEMU of %s left to follow: %s", hv_kvm_instance_get_name (instance),
                 stray_error->message);
    }
  /* this instance's QEMU, but no pidfd of it to be had: killed by pid
   * and waited for, never left running untracked */
  if (unwatched != 0)
    {
      hv_kvm_process_kill_unwatched_async (unwatched, hv_kvm_instance_get_name (instance),
                                           HV_KVM_KILL_TIMEOUT_MS, launch_unwatched_killed_cb,
                                           task);
      return;
    }
  hv_kvm_teardown_async (instance, launch->n_nics_up, NULL, launch_undone_cb, task);
}

/* -- the end: passwords, CPUs, balloon, cont ------------------------------- */

static void
launch_done (GTask *task)
{
  HvKvmInstance *instance = launch_get_instance (task);
  Launch *launch = g_task_get_task_data (task);

  hv_kvm_instance_set_state (instance, launch->paused ? HV_INSTANCE_STATE_PAUSED
                                                      : HV_INSTANCE_STATE_RUNNING);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
launch_cont_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!hv_kvm_qmp_cont_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      launch_fail (task, error);
      return;
    }
  launch_done (task);
}

static void
launch_cont (GTask *task)
{
  Launch *launch = g_task_get_task_data (task);

  if (launch->paused || launch->incoming != NULL)
    {
      launch_done (task);
      return;
    }
  hv_kvm_qmp_cont_async (hv_kvm_instance_get_qmp (launch_get_instance (task)),
                         g_task_get_cancellable (task), launch_cont_cb, task);
}

static void
launch_balloon_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!hv_kvm_qmp_balloon_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      launch_fail (task, error);
      return;
    }
  launch_cont (task);
}

/* QEMU boots with maxmem; the balloon takes it down to the memory the
 * instance is to start with, before its CPUs run (Ganeti's order). */
static void
launch_balloon (GTask *task)
{
  HvKvmInstance *instance = launch_get_instance (task);
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  Launch *launch = g_task_get_task_data (task);
  gint64 maxmem = 0;
  gint64 memory = 0;
  GVariant *beparams = launch->owner != NULL ? hv_instance_get_beparams (launch->owner) : NULL;

  /* a migration target gets its guest's memory from the source */
  if (launch->incoming != NULL || beparams == NULL ||
      !g_variant_lookup (beparams, "maxmem", "x", &maxmem) ||
      !g_variant_lookup (beparams, "memory", "x", &memory) ||
      memory <= 0 || memory >= maxmem)
    {
      launch_cont (task);
      return;
    }
  g_debug ("ballooning %s from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " MiB",
           runtime->name, maxmem, memory);
  hv_kvm_qmp_balloon_async (hv_kvm_instance_get_qmp (instance), (guint64) memory << 20,
                            g_task_get_cancellable (task), launch_balloon_cb, task);
}

/* cpu_mask: one mask for the whole instance, or one per vCPU (Ganeti's
 * _ExecuteCpuAffinity); "all" pins nothing. */
static gboolean
launch_pin_threads (HvKvmRuntime  *runtime,
                    JsonArray     *cpus,
                    GError       **error)
{
  const gchar *mask = launch_param_string (runtime, "cpu_mask", "all");
  g_autoptr(GPtrArray) masks = hv_multi_cpu_mask_parse (mask, error);
  guint n_vcpus = json_array_get_length (cpus);

  if (masks == NULL)
    return FALSE;
  if (masks->len > 1 && masks->len != n_vcpus)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter 'cpu_mask' has %u masks, but instance %s has %u vCPUs"),
                   masks->len, runtime->name, n_vcpus);
      return FALSE;
    }
  for (guint i = 0; i < n_vcpus; i++)
    {
      JsonObject *cpu = json_array_get_object_element (cpus, i);
      GArray *set = g_ptr_array_index (masks, masks->len > 1 ? i : 0);

      if (cpu == NULL || !json_object_has_member (cpu, "thread-id"))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_MONITOR,
                       _("QEMU gave no thread id for vCPU %u of instance %s"), i, runtime->name);
          return FALSE;
        }
      if (!hv_kvm_process_pin_thread (json_object_get_int_member (cpu, "thread-id"), set, error))
        return FALSE;
    }
  return TRUE;
}

static void
launch_cpus_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  HvKvmInstance *instance = launch_get_instance (task);
  g_autoptr(JsonArray) cpus = NULL;
  GError *error = NULL;

  cpus = hv_kvm_qmp_query_cpus_fast_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  if (cpus == NULL ||
      !launch_pin_threads (hv_kvm_instance_get_runtime (instance), cpus, &error))
    {
      launch_fail (task, error);
      return;
    }
  launch_balloon (task);
}

static void
launch_pin (GTask *task)
{
  HvKvmInstance *instance = launch_get_instance (task);
  const gchar *mask = launch_param_string (hv_kvm_instance_get_runtime (instance),
                                           "cpu_mask", "all");

  if (*mask == '\0' || g_str_equal (mask, "all"))
    {
      launch_balloon (task);
      return;
    }
  hv_kvm_qmp_query_cpus_fast_async (hv_kvm_instance_get_qmp (instance),
                                    g_task_get_cancellable (task), launch_cpus_cb, task);
}

/* -- passwords ------------------------------------------------------------ */

static void launch_set_passwords (GTask *task);

static void
launch_password_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(JsonNode) reply = NULL;
  GError *error = NULL;

  reply = hv_kvm_qmp_client_execute_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  if (reply == NULL)
    {
      launch_fail (task, error);
      return;
    }
  launch_set_passwords (task);
}

/* The first line of a password file, as Ganeti reads it. */
static gchar *
launch_read_password (const gchar  *path,
                      const gchar  *param,
                      GError      **error)
{
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gchar *end;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter '%s': cannot read the password: %s"), param,
                   local_error->message);
      return NULL;
    }
  end = strpbrk (contents, "\r\n");
  if (end != NULL)
    *end = '\0';
  return g_steal_pointer (&contents);
}

/* VNC and SPICE passwords go over QMP, never on the command line, where
 * /proc/<pid>/cmdline would show them to every user of the node. */
static void
launch_set_passwords (GTask *task)
{
  static const struct {
    const gchar *param;
    const gchar *protocol;
  } passwords[] = {
    { "vnc_password_file", "vnc" },
    { "spice_password_file", "spice" },
  };
  HvKvmInstance *instance = launch_get_instance (task);
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  Launch *launch = g_task_get_task_data (task);

  while (launch->next_password < G_N_ELEMENTS (passwords))
    {
      guint i = launch->next_password++;
      const gchar *path = launch_param_string (runtime, passwords[i].param, "");
      g_autoptr(JsonObject) arguments = NULL;
      g_autofree gchar *password = NULL;
      GError *error = NULL;

      if (*path == '\0')
        continue;
      password = launch_read_password (path, passwords[i].param, &error);
      if (password == NULL)
        {
          launch_fail (task, error);
          return;
        }
      arguments = json_object_new ();
      json_object_set_string_member (arguments, "protocol", passwords[i].protocol);
      json_object_set_string_member (arguments, "password", password);
      hv_kvm_qmp_client_execute_async (hv_kvm_instance_get_qmp (instance), "set_password",
                                       arguments, NULL, g_task_get_cancellable (task),
                                       launch_password_cb, task);
      return;
    }
  launch_pin (task);
}

/* -- QEMU and its monitor ------------------------------------------------- */

static void
launch_connected_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  HvKvmInstance *instance = launch_get_instance (task);
  Launch *launch = g_task_get_task_data (task);
  GError *error = NULL;

  if (!hv_kvm_qmp_client_connect_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      launch_fail (task, error);
      return;
    }
  hv_kvm_instance_set_capabilities (instance, launch->capabilities);
  /* the record is saved once QEMU runs and answers: from now on a
   * restarted hvkit finds the instance */
  if (!hv_kvm_instance_save_runtime (instance, &error))
    {
      launch_fail (task, error);
      return;
    }
  launch_set_passwords (task);
}

/* The instance follows the QEMU its pidfile names. When that is this
 * instance's QEMU but no pidfd of it can be had, its pid goes to
 * @unwatched (if not %NULL). */
static gboolean
launch_adopt_process (HvKvmInstance  *instance,
                      GPid           *unwatched,
                      GError        **error)
{
  g_autofree gchar *pidfile = hv_kvm_instance_get_path (instance, ".pid");
  GError *pidfd_error = NULL;
  GPid pid;
  gint pidfd;

  pid = hv_kvm_process_read_pidfile (pidfile, error);
  if (pid == 0)
    return FALSE;
  pidfd = hv_kvm_process_open_pidfd (pid, &pidfd_error);
  if (pidfd < 0)
    {
      if (unwatched != NULL &&
          hv_kvm_process_is_instance (pid, hv_kvm_instance_get_name (instance)))
        *unwatched = pid;
      g_propagate_prefixed_error (error, pidfd_error, _("Instance %s: "),
                                  hv_kvm_instance_get_name (instance));
      return FALSE;
    }
  /* checked with the pidfd open: the pid cannot be reused under it */
  if (!hv_kvm_process_is_instance (pid, hv_kvm_instance_get_name (instance)))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Process %d of pidfile '%s' is not the QEMU of instance %s"),
                   (gint) pid, pidfile, hv_kvm_instance_get_name (instance));
      g_close (pidfd, NULL);
      return FALSE;
    }
  hv_kvm_instance_set_process (instance, pid, pidfd);
  return TRUE;
}

static void
launch_spawned_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  HvKvmInstance *instance = launch_get_instance (task);
  Launch *launch = g_task_get_task_data (task);
  g_autoptr(HvKvmQmpClient) qmp = NULL;
  g_autofree gchar *socket_path = NULL;
  GError *error = NULL;

  /* a QEMU without a pidfd is asked for one again by launch_fail(), and
   * killed by pid when there is none */
  if (!hv_kvm_process_spawn_finish (result, &error) ||
      !launch_adopt_process (instance, NULL, &error))
    {
      launch_fail (task, error);
      return;
    }
  hv_kvm_instance_set_state (instance, HV_INSTANCE_STATE_PAUSED);
  qmp = hv_kvm_qmp_client_new ();
  /* a QEMU that does not greet is a start that did not finish: it has the
   * start's limit, not a command's */
  hv_kvm_qmp_client_set_connect_timeout (qmp, hv_kvm_host_get_start_timeout (launch->host));
  hv_kvm_instance_set_qmp (instance, qmp);
  socket_path = hv_kvm_instance_get_path (instance, ".qmp");
  hv_kvm_qmp_client_connect_async (qmp, socket_path, g_task_get_cancellable (task),
                                   launch_connected_cb, task);
}

/* The full command line: the record's base plus its disks and NICs, with
 * the tap descriptors numbered as QEMU will see them. */
static GStrv
launch_build_argv (GTask    *task,
                   GArray   *fds,
                   GError  **error)
{
  HvKvmInstance *instance = launch_get_instance (task);
  Launch *launch = g_task_get_task_data (task);
  HvKvmRuntime *runtime = launch->runtime;
  HvKvmCmdlineConfig config = HV_KVM_CMDLINE_CONFIG_INIT;
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree HvKvmCmdlineDisk *disks = g_new0 (HvKvmCmdlineDisk, runtime->disks->len + 1);
  g_autofree HvKvmCmdlineNic *nics = g_new0 (HvKvmCmdlineNic, runtime->nics->len + 1);
  gint next_fd = HV_KVM_LAUNCH_FIRST_FD;

  for (guint i = 0; i < runtime->disks->len; i++)
    {
      HvKvmRuntimeDevice *device = g_ptr_array_index (runtime->disks, i);
      HvDevice *disk = hv_kvm_runtime_device_to_device (device, error);

      if (disk == NULL)
        return NULL;
      g_ptr_array_add (devices, disk);
      disks[i].disk = HV_DISK (disk);
      disks[i].qemu_id = device->qemu_id;
    }
  for (guint i = 0; i < runtime->nics->len; i++)
    {
      HvKvmRuntimeDevice *device = g_ptr_array_index (runtime->nics, i);
      HvKvmTap *tap = g_ptr_array_index (launch->taps, i);
      HvDevice *nic = hv_kvm_runtime_device_to_device (device, error);

      if (nic == NULL)
        return NULL;
      g_ptr_array_add (devices, nic);
      nics[i].nic = HV_NIC (nic);
      nics[i].qemu_id = device->qemu_id;
      nics[i].n_queues = tap->n_queues;
      nics[i].has_vhost = tap->has_vhost;
      for (guint q = 0; q < tap->n_queues; q++)
        {
          HvKvmProcessFd fd = { tap->fds[q], next_fd };

          nics[i].tap_fds[q] = next_fd++;
          g_array_append_val (fds, fd);
          if (tap->has_vhost)
            {
              HvKvmProcessFd vhost = { tap->vhost_fds[q], next_fd };

              nics[i].vhost_fds[q] = next_fd++;
              g_array_append_val (fds, vhost);
            }
        }
    }
  config.run_dir = hv_kvm_instance_get_run_dir (instance);
  config.capabilities = launch->capabilities;
  config.disks = disks;
  config.n_disks = runtime->disks->len;
  config.nics = nics;
  config.n_nics = runtime->nics->len;
  config.incoming = launch->incoming;
  return hv_kvm_cmdline_build ((const gchar * const *) runtime->argv, runtime->hvparams,
                               &config, error);
}

static void
launch_spawn (GTask *task)
{
  HvKvmInstance *instance = launch_get_instance (task);
  Launch *launch = g_task_get_task_data (task);
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (HvKvmProcessFd));
  g_autofree gchar *log_path = hv_kvm_instance_get_path (instance, ".log");
  g_auto(GStrv) argv = NULL;
  GError *error = NULL;

  argv = launch_build_argv (task, fds, &error);
  if (argv == NULL)
    {
      launch_fail (task, error);
      return;
    }
  /* the launcher takes the descriptors and closes them once QEMU has its
   * copies: from here on only QEMU holds the taps */
  for (guint i = 0; i < launch->taps->len; i++)
    {
      HvKvmTap *tap = g_ptr_array_index (launch->taps, i);

      for (guint q = 0; q < HV_KVM_NIC_MAX_QUEUES; q++)
        tap->fds[q] = tap->vhost_fds[q] = -1;
    }
  hv_kvm_instance_set_runtime (instance, g_steal_pointer (&launch->runtime));
  hv_kvm_process_spawn_async ((const gchar * const *) argv, (HvKvmProcessFd *) fds->data,
                              fds->len, log_path, hv_kvm_host_get_start_timeout (launch->host),
                              g_task_get_cancellable (task), launch_spawned_cb, task);
}

static void launch_next_ifup (GTask *task);

static void
launch_ifup_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Launch *launch = g_task_get_task_data (task);
  GError *error = NULL;

  if (!hv_nic_script_ifup_finish (HV_NIC_SCRIPT (source), result, &error))
    {
      launch_fail (task, error);
      return;
    }
  launch->n_nics_up++;
  launch_next_ifup (task);
}

static gboolean
launch_nic_is_switched (HvKvmRuntimeDevice *device)
{
  const gchar *mode = hv_kvm_runtime_device_get_string (device, "mode");

  return mode != NULL && (g_str_equal (mode, "bridged") || g_str_equal (mode, "openvswitch"));
}

/* ifup for each NIC in turn, with Ganeti's environment */
static void
launch_next_ifup (GTask *task)
{
  HvKvmInstance *instance = launch_get_instance (task);
  Launch *launch = g_task_get_task_data (task);
  HvNicScript *ifup = hv_kvm_instance_get_ifup_script (instance);
  HvKvmRuntimeDevice *device;
  g_autoptr(HvDevice) nic = NULL;
  HvKvmTap *tap;
  GError *error = NULL;

  if (ifup == NULL || launch->n_nics_up == launch->runtime->nics->len)
    {
      launch_spawn (task);
      return;
    }
  device = g_ptr_array_index (launch->runtime->nics, launch->n_nics_up);
  tap = g_ptr_array_index (launch->taps, launch->n_nics_up);
  /* a migration target brings up only the NICs of a bridge or switch:
   * a routed NIC would take its routes from the source while the guest
   * still runs there (the migration does it after success) */
  if (launch->incoming != NULL && !launch_nic_is_switched (device))
    {
      launch->n_nics_up++;
      launch_next_ifup (task);
      return;
    }
  nic = hv_kvm_runtime_device_to_device (device, &error);
  if (nic == NULL)
    {
      launch_fail (task, error);
      return;
    }
  hv_nic_script_ifup_async (ifup, launch->owner, HV_NIC (nic), launch->n_nics_up, tap->name,
                            g_task_get_cancellable (task), launch_ifup_cb, task);
}

/* A tap per NIC, as its parameters say; its name goes into the record and
 * the NIC files, for ifdown later. */
static gboolean
launch_open_taps (GTask   *task,
                  GError **error)
{
  HvKvmInstance *instance = launch_get_instance (task);
  Launch *launch = g_task_get_task_data (task);
  HvKvmRuntime *runtime = launch->runtime;
  gboolean paravirtual = g_str_equal (launch_param_string (runtime, "nic_type", "paravirtual"),
                                      "paravirtual");
  gboolean vnet_hdr = launch_param_bool (runtime, "vnet_hdr", TRUE);
  gboolean vhost = paravirtual && launch_param_bool (runtime, "vhost_net", FALSE);
  gint64 queues = 1;

  if (paravirtual && runtime->hvparams != NULL)
    g_variant_lookup (runtime->hvparams, "virtio_net_queues", "x", &queues);
  queues = CLAMP (queues, 1, HV_KVM_NIC_MAX_QUEUES);

  launch->taps = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_kvm_tap_free);
  for (guint i = 0; i < runtime->nics->len; i++)
    {
      HvKvmRuntimeDevice *device = g_ptr_array_index (runtime->nics, i);
      g_autoptr(HvKvmTap) tap = NULL;

      tap = hv_kvm_tap_open (NULL, vnet_hdr, (guint) queues,
                             vhost ? hv_kvm_host_get_vhost_net_device (launch->host) : NULL, error);
      if (tap == NULL ||
          !hv_kvm_tap_set_mac (tap, hv_kvm_runtime_device_get_string (device, "mac"), error) ||
          !hv_kvm_instance_write_nic_file (instance, i, hv_kvm_runtime_device_get_uuid (device),
                                           tap->name, error))
        return FALSE;
      hv_kvm_runtime_device_set (device, "tap", g_variant_new_string (tap->name));
      g_ptr_array_add (launch->taps, g_steal_pointer (&tap));
    }
  return TRUE;
}

static gchar *
launch_machine_of (const gchar * const *argv)
{
  for (gsize i = 0; argv[i] != NULL && argv[i + 1] != NULL; i++)
    if (g_str_equal (argv[i], "-machine"))
      return g_strndup (argv[i + 1], strcspn (argv[i + 1], ","));
  return g_strdup ("");
}

/* A new record from the instance's configuration: slots and ids for its
 * devices, and the base of its command line. */
static HvKvmRuntime *
launch_new_runtime (GTask   *task,
                    GError **error)
{
  HvKvmInstance *instance = launch_get_instance (task);
  Launch *launch = g_task_get_task_data (task);
  HvInstance *owner = launch->owner;
  g_autoptr(HvKvmRuntime) runtime = hv_kvm_runtime_new (hv_kvm_instance_get_name (instance));
  HvKvmCmdlineConfig config = HV_KVM_CMDLINE_CONFIG_INIT;
  g_autofree gchar *spice_x509_dir = g_build_filename (HV_SYSCONFDIR, "hvkit", "spice", NULL);
  HvKvmPciStartDevices fixed;
  GPtrArray *disks = hv_instance_get_disks (owner);
  GPtrArray *nics = hv_instance_get_nics (owner);

  if (hv_instance_get_uuid (owner) != NULL)
    {
      g_free (runtime->uuid);
      runtime->uuid = g_strdup (hv_instance_get_uuid (owner));
    }
  g_variant_unref (runtime->hvparams);
  runtime->hvparams = g_variant_ref (hv_instance_get_hvparams (owner));
  for (guint i = 0; i < disks->len; i++)
    g_ptr_array_add (runtime->disks,
                     hv_kvm_runtime_device_new_from_device (g_ptr_array_index (disks, i)));
  for (guint i = 0; i < nics->len; i++)
    g_ptr_array_add (runtime->nics,
                     hv_kvm_runtime_device_new_from_device (g_ptr_array_index (nics, i)));

  hv_kvm_cmdline_get_start_devices (runtime->hvparams, &fixed);
  if (!hv_kvm_runtime_assign_devices (runtime, &fixed, &config.slots, error))
    return NULL;
  config.run_dir = hv_kvm_instance_get_run_dir (instance);
  config.capabilities = launch->capabilities;
  config.spice_x509_dir = spice_x509_dir;
  config.default_qemu_path = HV_KVM_DEFAULT_QEMU;
  g_strfreev (runtime->argv);
  runtime->argv = hv_kvm_cmdline_build_base (owner, &config, error);
  if (runtime->argv == NULL)
    return NULL;
  g_free (runtime->qemu_version);
  runtime->qemu_version = g_strdup (hv_kvm_capabilities_get_version_string (launch->capabilities));
  g_free (runtime->machine);
  runtime->machine = launch_machine_of ((const gchar * const *) runtime->argv);
  return g_steal_pointer (&runtime);
}

/* A disk file QEMU would fail to open as asked (gone, a directory, on a
 * read-only filesystem — which stops root too) is refused here, before a
 * tap is made or QEMU is run, saying which. A URI, or a path QEMU opens
 * under another user (runas), is left to QEMU. */
static gboolean
launch_check_disks (HvKvmInstance  *instance,
                    HvKvmRuntime   *runtime,
                    GError        **error)
{
  for (guint i = 0; i < runtime->disks->len; i++)
    {
      g_autoptr(HvDevice) device = hv_kvm_runtime_device_to_device (
        g_ptr_array_index (runtime->disks, i), error);
      const gchar *link;
      gboolean read_only;
      struct stat st;
      int errsv;

      if (device == NULL)
        return FALSE;
      link = hv_disk_get_link (HV_DISK (device));
      if (link == NULL || link[0] != '/')
        continue;
      read_only = g_strcmp0 (hv_disk_get_mode (HV_DISK (device)), "ro") == 0;
      if (stat (link, &st) == 0 && S_ISDIR (st.st_mode))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                       _("Disk %u of instance %s, '%s', is a directory"), i,
                       hv_kvm_instance_get_name (instance), link);
          return FALSE;
        }
      if (access (link, read_only ? R_OK : R_OK | W_OK) != 0)
        {
          errsv = errno;
          g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                       read_only ? _("Disk %u of instance %s, '%s', cannot be read: %s")
                                 : _("Disk %u of instance %s, '%s', cannot be written: %s"),
                       i, hv_kvm_instance_get_name (instance), link, g_strerror (errsv));
          return FALSE;
        }
    }
  return TRUE;
}

static void
launch_capabilities_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  Launch *launch = g_task_get_task_data (task);
  GError *error = NULL;

  launch->capabilities = hv_kvm_capabilities_cache_lookup_finish (
    HV_KVM_CAPABILITIES_CACHE (source), result, &error);
  if (launch->capabilities == NULL)
    {
      launch_fail (task, error);
      return;
    }
  if (launch->runtime == NULL)
    launch->runtime = launch_new_runtime (task, &error);
  /* a record keeps the machine its instance first ran with, on any QEMU */
  else if (!hv_kvm_cmdline_pin_record_machine (launch->runtime, launch->capabilities, &error))
    {
      launch_fail (task, error);
      return;
    }
  if (launch->runtime == NULL ||
      !launch_check_disks (launch_get_instance (task), launch->runtime, &error) ||
      !launch_open_taps (task, &error))
    {
      launch_fail (task, error);
      return;
    }
  launch_next_ifup (task);
}

static void launch_begin (HvKvmHost *self, HvKvmInstance *instance, HvInstance *owner,
                          HvKvmRuntime *runtime, gboolean paused, const gchar *incoming,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data);

void
hv_kvm_launch_async (HvKvmHost           *self,
                     HvKvmInstance       *instance,
                     HvInstance          *owner,
                     HvKvmRuntime        *runtime,
                     gboolean             paused,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  launch_begin (self, instance, owner, runtime, paused, NULL, cancellable, callback, user_data);
}

/* A migration target: QEMU from @runtime with `-incoming @incoming`, the
 * NICs of a bridge or switch brought up, no balloon, no `cont` (QEMU
 * runs the guest once the migration is in). */
void
hv_kvm_launch_incoming_async (HvKvmHost           *self,
                              HvKvmInstance       *instance,
                              HvInstance          *owner,
                              HvKvmRuntime        *runtime,
                              const gchar         *incoming,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (runtime != NULL && incoming != NULL);

  launch_begin (self, instance, owner, runtime, FALSE, incoming, cancellable, callback,
                user_data);
}

static void
launch_begin (HvKvmHost           *self,
              HvKvmInstance       *instance,
              HvInstance          *owner,
              HvKvmRuntime        *runtime,
              gboolean             paused,
              const gchar         *incoming,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = g_task_new (instance, cancellable, callback, user_data);
  Launch *launch = g_new0 (Launch, 1);
  GVariant *hvparams;
  const gchar *qemu;

  g_task_set_source_tag (task, hv_kvm_launch_async);
  /* a record started by hvkit (a reboot, a migration target) has no
   * files of Ganeti's, even if it was adopted from there */
  if (runtime != NULL)
    hv_kvm_adopted_forget_source (runtime);
  launch->host = self;
  launch->owner = owner != NULL ? g_object_ref (owner) : NULL;
  launch->paused = paused;
  launch->incoming = g_strdup (incoming);
  launch->runtime = runtime;
  g_task_set_task_data (task, launch, (GDestroyNotify) launch_free);

  hv_kvm_instance_set_user_shutdown (instance, FALSE);
  hvparams = runtime != NULL ? runtime->hvparams : hv_instance_get_hvparams (owner);
  if (hvparams == NULL || !g_variant_lookup (hvparams, "kvm_path", "&s", &qemu) || *qemu == '\0')
    qemu = HV_KVM_DEFAULT_QEMU;
  hv_kvm_capabilities_cache_lookup_async (hv_kvm_host_get_capabilities_cache (self), qemu,
                                          cancellable, launch_capabilities_cb, task);
}

gboolean
hv_kvm_launch_finish (HvKvmInstance  *instance,
                      GAsyncResult   *result,
                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_launch_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

