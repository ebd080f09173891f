/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <signal.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-kvm-lifecycle.h"
#include "hv-kvm-qmp-commands.h"

/*
 * StopInstance, and the shutdown it is made of (the power button, then
 * SIGKILL; at once when forced), which reboot uses too.
 */

/* -- shutdown: QEMU stopped, then torn down -------------------------------- */

typedef struct {
  HvKvmHost    *host;
  gboolean  force;
  gint64    deadline;      /* monotonic µs; 0: none */
} Shutdown;

static void shutdown_press_power (GTask *task);

static void
shutdown_teardown_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!hv_kvm_teardown_finish (HV_KVM_INSTANCE (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
shutdown_teardown (GTask *task)
{
  HvKvmInstance *instance = g_task_get_source_object (task);

  hv_kvm_teardown_async (instance, G_MAXUINT, NULL, shutdown_teardown_cb, task);
}

static void
shutdown_exited_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Shutdown *shutdown = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (hv_kvm_instance_wait_exit_finish (HV_KVM_INSTANCE (source), result, &error))
    {
      shutdown_teardown (task);
      return;
    }
  if (!g_error_matches (error, HV_ERROR, HV_ERROR_TIMEOUT) || shutdown->force)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (shutdown->deadline != 0 && g_get_monotonic_time () >= shutdown->deadline)
    {
      g_debug ("instance %s did not power off in time: killing it",
               hv_kvm_instance_get_name (HV_KVM_INSTANCE (source)));
      shutdown_teardown (task);   /* which kills */
      return;
    }
  shutdown_press_power (task);
}

static void
shutdown_wait (GTask *task)
{
  HvKvmInstance *instance = g_task_get_source_object (task);
  Shutdown *shutdown = g_task_get_task_data (task);
  guint wait_ms = shutdown->force ? HV_KVM_KILL_TIMEOUT_MS
                                  : hv_kvm_host_get_powerdown_interval (shutdown->host);

  if (!shutdown->force && shutdown->deadline != 0)
    {
      gint64 left_ms = (shutdown->deadline - g_get_monotonic_time ()) / 1000;

      wait_ms = (guint) CLAMP (left_ms, 1, (gint64) wait_ms);
    }
  hv_kvm_instance_wait_exit_async (instance, wait_ms, g_task_get_cancellable (task),
                                   shutdown_exited_cb, task);
}

static void
shutdown_powerdown_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  /* a guest already on its way out may close the connection first: its
   * exit, not this reply, tells */
  if (!hv_kvm_qmp_system_powerdown_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    g_debug ("system_powerdown: %s", error->message);
  shutdown_wait (task);
}

/* Ganeti's soft stop: the ACPI power button, pressed again every
 * powerdown-interval-ms (a guest still booting may miss the first press)
 * until the guest is gone or the deadline has passed. */
static void
shutdown_press_power (GTask *task)
{
  HvKvmInstance *instance = g_task_get_source_object (task);
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);

  if (qmp == NULL || !hv_kvm_qmp_client_is_connected (qmp))
    {
      shutdown_wait (task);
      return;
    }
  hv_kvm_qmp_system_powerdown_async (qmp, g_task_get_cancellable (task),
                                     shutdown_powerdown_cb, task);
}

static gboolean
shutdown_uses_acpi (HvKvmInstance *instance)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  gboolean acpi = TRUE;

  if (runtime != NULL && runtime->hvparams != NULL)
    g_variant_lookup (runtime->hvparams, "acpi", "b", &acpi);
  return acpi;
}

void
hv_kvm_shutdown_async (HvKvmHost               *self,
                       HvKvmInstance       *instance,
                       gboolean             force,
                       guint                timeout_ms,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task = g_task_new (instance, cancellable, callback, user_data);
  Shutdown *shutdown = g_new0 (Shutdown, 1);
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, hv_kvm_shutdown_async);
  shutdown->host = self;
  /* without ACPI the guest cannot be asked: QEMU is stopped as by a
   * power cut (Ganeti kills it) */
  shutdown->force = force || !shutdown_uses_acpi (instance);
  if (timeout_ms > 0)
    shutdown->deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_task_set_task_data (task, shutdown, g_free);

  if (!hv_kvm_instance_is_alive (instance))
    shutdown_teardown (task);
  else if (shutdown->force)
    {
      if (!hv_kvm_instance_kill (instance, SIGKILL, &error))
        g_debug ("%s", error->message);
      shutdown_wait (task);
    }
  else
    shutdown_press_power (task);
}

gboolean
hv_kvm_shutdown_finish (HvKvmInstance  *instance,
                        GAsyncResult   *result,
                        GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_shutdown_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- StopInstance --------------------------------------------------------- */

/* The data of a stop task. */
typedef struct {
  HvKvmHost    *host;       /* not a reference: the driver's call holds it */
  gchar        *name;
  gboolean      force;
  guint         timeout_s;
} StopData;

static void
stop_data_free (StopData *data)
{
  g_free (data->name);
  g_free (data);
}

static void
stop_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  HvKvmHost *self = ((StopData *) g_task_get_task_data (task))->host;
  GError *error = NULL;

  hv_kvm_instance_end_operation (instance);
  if (!hv_kvm_shutdown_finish (HV_KVM_INSTANCE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  hv_kvm_host_forget_instance (self, instance);
  g_task_return_boolean (task, TRUE);
}

static void
stop_job (HvKvmInstance *instance,
          GTask         *task)
{
  StopData *data = g_task_get_task_data (task);

  hv_kvm_instance_begin_operation (instance);
  hv_kvm_shutdown_async (data->host, instance, data->force, data->timeout_s * 1000,
                         g_task_get_cancellable (task), stop_done_cb, g_object_ref (task));
}

/* StopInstance: an instance hvkit does not know is not running, which is
 * what was asked; stopping it again is no error (Ganeti's callers retry). */
void
hv_kvm_stop_async (HvKvmHost           *self,
                   const gchar         *name,
                   gboolean             force,
                   guint                timeout_s,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  StopData *data = g_new0 (StopData, 1);
  HvKvmInstance *instance;

  data->host = self;
  data->name = g_strdup (name);
  g_task_set_source_tag (task, hv_kvm_stop_async);
  g_task_set_task_data (task, data, (GDestroyNotify) stop_data_free);
  data->force = force;
  data->timeout_s = timeout_s;

  instance = hv_kvm_host_lookup_instance (self, data->name);
  if (instance == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  /* a migration holds the queue until it ends: cancel it first */
  hv_kvm_instance_cancel_migration (instance);
  hv_kvm_instance_queue_job (instance, task, stop_job);
  g_object_unref (task);
}

gboolean
hv_kvm_stop_finish (GAsyncResult  *result,
     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_stop_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
