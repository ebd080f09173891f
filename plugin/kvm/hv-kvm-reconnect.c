/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-kvm-hotplug-calls-private.h"
#include "hv-kvm-lifecycle-private.h"
#include "hv-kvm-process-private.h"
#include "hv-kvm-qmp-commands-private.h"

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
  HvKvmInstance *instance = g_object_get_data (G_OBJECT (task), "hv-instance");
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

  g_object_set_data_full (G_OBJECT (task), "hv-instance", g_object_ref (instance),
                          g_object_unref);
  g_signal_connect_swapped (task, "notify::completed",
                            G_CALLBACK (hv_kvm_instance_end_operation), instance);
  hv_kvm_instance_set_qmp (instance, qmp);
  hv_kvm_qmp_client_connect_async (qmp, socket_path, NULL, reconnect_connected_cb,
                                   g_object_ref (task));
}

static void
reconnect_instance (HvKvm       *self,
                    const gchar *name)
{
  HvRuntimeStore *store = hv_kvm_get_store (self);
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
      return;
    }
  instance = hv_kvm_add_instance (self, name);
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
      /* then the hotplug journal, against what that QEMU has */
      hv_kvm_hotplug_queue_reconcile (self, instance);
      return;
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
}

void
hv_kvm_reconnect (HvKvm *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = hv_runtime_store_list (hv_kvm_get_store (self), &error);

  if (names == NULL)
    {
      g_warning ("Cannot list the runtime records: %s", error->message);
      return;
    }
  for (guint i = 0; names[i] != NULL; i++)
    reconnect_instance (self, names[i]);
}
