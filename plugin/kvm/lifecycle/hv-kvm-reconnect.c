/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-kvm-lifecycle.h"
#include "hv-kvm-process.h"
#include "hv-kvm-qmp-commands.h"

/*
 * A new HvKvm (a restarted daemon) takes over what runs: every record in
 * the run directory becomes a known instance; one whose pidfile names a
 * process with its `-name` gets that process watched and its QMP
 * connection back, as libvirt's qemuProcessReconnect does. Nothing here
 * ever stops a guest: a record that cannot be read, a QEMU that does not
 * answer, are logged and left alone for a person (or CleanupInstance).
 */

static void
reconnect_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HvKvmInstance) instance = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Taking over instance %s: %s", hv_kvm_instance_get_name (instance),
               error->message);
}

static void
reconnect_status_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = g_task_get_task_data (task);
  g_autofree gchar *status = NULL;
  gboolean running = FALSE;
  GError *error = NULL;

  status = hv_kvm_qmp_query_status_finish (HV_KVM_QMP_CLIENT (source), result, &running, &error);
  if (status == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  hv_kvm_instance_set_state (instance, running ? HV_INSTANCE_STATE_RUNNING
                                               : HV_INSTANCE_STATE_PAUSED);
  g_debug ("took over instance %s, pid %d, %s", hv_kvm_instance_get_name (instance),
           (gint) hv_kvm_instance_get_pid (instance), status);
  g_task_return_boolean (task, TRUE);
}

static void
reconnect_connected_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!hv_kvm_qmp_client_connect_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  hv_kvm_qmp_query_status_async (HV_KVM_QMP_CLIENT (source), NULL, reconnect_status_cb,
                                 g_steal_pointer (&task));
}

/* The first job of a taken-over instance: whatever is asked of it waits
 * until its QEMU answers again. */
static void
reconnect_job (HvKvmInstance *instance,
               GTask         *task)
{
  g_autoptr(HvKvmQmpClient) qmp = hv_kvm_qmp_client_new ();
  g_autofree gchar *socket_path = hv_kvm_instance_get_path (instance, ".qmp");

  g_task_set_task_data (task, g_object_ref (instance), g_object_unref);
  g_signal_connect_swapped (task, "notify::completed",
                            G_CALLBACK (hv_kvm_instance_end_operation), instance);
  hv_kvm_instance_set_qmp (instance, qmp);
  hv_kvm_qmp_client_connect_async (qmp, socket_path, NULL, reconnect_connected_cb,
                                   g_object_ref (task));
}

/* Returns the instance if its QEMU runs and its takeover is queued. */
static HvKvmInstance *
reconnect_instance (HvKvmHost   *host,
                    const gchar *name)
{
  HvRuntimeStore *store = hv_kvm_host_get_store (host);
  g_autoptr(HvKvmRuntime) runtime = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *pidfile = NULL;
  g_autofree gchar *marker = NULL;
  HvKvmInstance *instance;
  GPid pid;
  gint pidfd = -1;

  runtime = hv_kvm_runtime_load (store, name, &error);
  if (runtime == NULL)
    {
      g_warning ("Not taking over instance %s: %s", name, error->message);
      return NULL;
    }
  instance = hv_kvm_host_add_instance (host, name);
  hv_kvm_instance_set_runtime (instance, g_steal_pointer (&runtime));

  pidfile = hv_kvm_instance_get_path (instance, ".pid");
  pid = hv_kvm_process_read_pidfile (pidfile, NULL);
  if (pid != 0)
    pidfd = hv_kvm_process_open_pidfd (pid, NULL);
  if (pidfd >= 0 && hv_kvm_process_is_instance (pid, name))
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, reconnect_done_cb, g_object_ref (instance));

      g_task_set_source_tag (task, reconnect_job);
      /* busy until its QEMU answers: what it finds is no change of state */
      hv_kvm_instance_begin_operation (instance);
      hv_kvm_instance_set_process (instance, pid, pidfd);
      hv_kvm_instance_set_state (instance, HV_INSTANCE_STATE_UNKNOWN);
      hv_kvm_instance_queue_job (instance, task, reconnect_job);
      return instance;
    }
  if (pidfd >= 0)
    g_close (pidfd, NULL);

  /* QEMU ended while no hvkit watched: a guest that powered itself off
   * left its marker; anything else is a stopped instance to clean up */
  marker = hv_kvm_instance_get_path (instance, ".shutdown");
  if (g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      hv_kvm_instance_set_user_shutdown (instance, TRUE);
      hv_kvm_instance_set_state (instance, HV_INSTANCE_STATE_SHUTDOWN);
    }
  g_debug ("instance %s has a record but no QEMU", name);
  return NULL;
}

/**
 * hv_kvm_reconnect:
 * @host: the host, in its monitor thread
 *
 * Makes every record of the run directory a known instance and queues the
 * takeover of those whose QEMU runs.
 *
 * Returns: (transfer container) (element-type HvKvmInstance): the
 *   instances whose QEMU runs, each with its takeover queued: the caller
 *   queues what must follow it (the hotplug journal's reconcile)
 */
GPtrArray *
hv_kvm_reconnect (HvKvmHost *host)
{
  g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = hv_runtime_store_list (hv_kvm_host_get_store (host), &error);

  if (names == NULL)
    {
      g_warning ("Cannot list the runtime records: %s", error->message);
      return g_steal_pointer (&running);
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      HvKvmInstance *instance = reconnect_instance (host, names[i]);

      if (instance != NULL)
        g_ptr_array_add (running, g_object_ref (instance));
    }
  return g_steal_pointer (&running);
}
