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
 * Stopping, rebooting and cleaning up. QEMU's exit is the only proof that
 * an instance stopped: it is waited for through the pidfd, and only then
 * do ifdown and the removal of the instance's files run (Ganeti 3 runs
 * ifdown while QEMU may still be running).
 */

/* -- teardown ------------------------------------------------------------- */

void
hv_kvm_remove_instance_files (HvKvmInstance *instance)
{
  static const gchar *const suffixes[] = {
    ".pid", ".qmp", ".monitor", ".serial", ".log",
  };
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree gchar *path = hv_kvm_instance_get_path (instance, suffixes[i]);

      g_unlink (path);
    }
  hv_kvm_instance_set_user_shutdown (instance, FALSE);
  hv_kvm_instance_remove_nic_files (instance);
  if (runtime != NULL || hv_runtime_store_exists (hv_kvm_instance_get_store (instance),
                                                  hv_kvm_instance_get_name (instance)))
    {
      g_autoptr(GError) error = NULL;

      if (!hv_runtime_store_remove (hv_kvm_instance_get_store (instance),
                                    hv_kvm_instance_get_name (instance), &error))
        g_warning ("%s", error->message);
    }
}

typedef struct {
  guint   n_nics_up;
  guint   next_nic;     /* counts down */
  GError *error;        /* the first */
} Teardown;

static void
teardown_free (Teardown *teardown)
{
  g_clear_error (&teardown->error);
  g_free (teardown);
}

static void
teardown_keep_error (Teardown *teardown,
                     GError   *error)
{
  if (teardown->error == NULL)
    teardown->error = error;
  else
    {
      g_debug ("also: %s", error->message);
      g_error_free (error);
    }
}

static void teardown_next_ifdown (GTask *task);

static void
teardown_ifdown_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!hv_nic_script_ifdown_finish (HV_NIC_SCRIPT (source), result, &error))
    teardown_keep_error (g_task_get_task_data (task), error);
  teardown_next_ifdown (g_steal_pointer (&task));
}

static void
teardown_finish (GTask *task)
{
  HvKvmInstance *instance = g_task_get_source_object (task);
  Teardown *teardown = g_task_get_task_data (task);

  hv_kvm_remove_instance_files (instance);
  if (teardown->error != NULL)
    g_task_return_error (task, g_steal_pointer (&teardown->error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* ifdown for the NICs that were brought up, last first */
static void
teardown_next_ifdown (GTask *task)
{
  HvKvmInstance *instance = g_task_get_source_object (task);
  Teardown *teardown = g_task_get_task_data (task);
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  HvNicScript *ifdown = hv_kvm_instance_get_ifdown_script (instance);

  while (runtime != NULL && ifdown != NULL && teardown->next_nic > 0)
    {
      HvKvmRuntimeDevice *device = g_ptr_array_index (runtime->nics, --teardown->next_nic);
      const gchar *tap = hv_kvm_runtime_device_get_string (device, "tap");
      g_autoptr(HvDevice) nic = NULL;
      GError *error = NULL;

      if (tap == NULL)
        continue;
      nic = hv_kvm_runtime_device_to_device (device, &error);
      if (nic == NULL)
        {
          teardown_keep_error (teardown, error);
          continue;
        }
      hv_nic_script_ifdown_async (ifdown, hv_kvm_instance_get_name (instance), HV_NIC (nic), tap,
                                  FALSE, g_task_get_cancellable (task), teardown_ifdown_cb, task);
      return;
    }
  teardown_finish (task);
}

static void
teardown_exited_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!hv_kvm_instance_wait_exit_finish (HV_KVM_INSTANCE (source), result, &error))
    {
      /* QEMU survived SIGKILL (a process in D state): its files stay */
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  teardown_next_ifdown (task);
}

void
hv_kvm_teardown_async (HvKvmInstance       *instance,
                       guint                n_nics_up,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task = g_task_new (instance, cancellable, callback, user_data);
  Teardown *teardown = g_new0 (Teardown, 1);
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  GError *error = NULL;

  g_task_set_source_tag (task, hv_kvm_teardown_async);
  teardown->n_nics_up = n_nics_up;
  teardown->next_nic = runtime != NULL ? MIN (n_nics_up, runtime->nics->len) : 0;
  g_task_set_task_data (task, teardown, (GDestroyNotify) teardown_free);

  if (hv_kvm_instance_is_alive (instance))
    {
      if (!hv_kvm_instance_kill (instance, SIGKILL, &error))
        teardown_keep_error (teardown, error);
      /* not cancellable: a half torn-down instance helps nobody */
      hv_kvm_instance_wait_exit_async (instance, HV_KVM_KILL_TIMEOUT_MS, NULL,
                                       teardown_exited_cb, task);
      return;
    }
  if (hv_kvm_instance_get_qmp (instance) != NULL)
    hv_kvm_qmp_client_close (hv_kvm_instance_get_qmp (instance));
  teardown_next_ifdown (task);
}

gboolean
hv_kvm_teardown_finish (HvKvmInstance  *instance,
                        GAsyncResult   *result,
                        GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_teardown_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

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

/* The data of a stop, a reboot or a cleanup task. */
typedef struct {
  HvKvmHost    *host;       /* not a reference: the driver's call holds it */
  gchar        *name;
  HvInstance   *instance;   /* reboot */
  gboolean      force;      /* stop */
  guint         timeout_s;  /* stop */
  HvKvmRuntime *runtime;    /* reboot: the record to start again from */
} StopData;

static void
stop_data_free (StopData *data)
{
  g_free (data->name);
  g_clear_object (&data->instance);
  g_clear_pointer (&data->runtime, hv_kvm_runtime_free);
  g_free (data);
}

static GTask *
stop_task_new (HvKvmHost           *host,
               const gchar         *name,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  StopData *data = g_new0 (StopData, 1);

  data->host = host;
  data->name = g_strdup (name);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) stop_data_free);
  return task;
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
  GTask *task = stop_task_new (self, name, hv_kvm_stop_async, cancellable, callback, user_data);
  StopData *data = g_task_get_task_data (task);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (self, data->name);

  data->force = force;
  data->timeout_s = timeout_s;

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

/* -- RebootInstance ------------------------------------------------------- */

static void
reboot_launched_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StopData *data = g_task_get_task_data (task);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (data->host, data->name);
  GError *error = NULL;

  hv_kvm_instance_end_operation (instance);
  if (!hv_kvm_launch_finish (HV_KVM_INSTANCE (source), result, &error))
    {
      hv_kvm_host_forget_instance (data->host, instance);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
reboot_stopped_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GCancellable *cancellable;
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  StopData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!hv_kvm_shutdown_finish (HV_KVM_INSTANCE (source), result, &error))
    {
      hv_kvm_instance_end_operation (instance);
      g_task_return_error (task, error);
      return;
    }
  /* the same command line, devices and slots as before: the record */
  cancellable = g_task_get_cancellable (task);
  hv_kvm_launch_async (data->host, instance, data->instance, g_steal_pointer (&data->runtime),
                       FALSE, cancellable, reboot_launched_cb, g_steal_pointer (&task));
}

/* Ganeti's RebootInstance: QEMU is not reset in place (ctrl-alt-del left
 * guests stopped), but stopped — softly, killed after reboot-timeout-ms —
 * and started again from the record it ran with. */
static void
reboot_job (HvKvmInstance *instance,
            GTask         *task)
{
  StopData *data = g_task_get_task_data (task);
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  g_autoptr(GVariant) record = NULL;
  GError *error = NULL;

  if (!hv_kvm_instance_is_alive (instance) || runtime == NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                               _("Cannot reboot instance %s: it is not running"), data->name);
      return;
    }
  record = hv_kvm_runtime_to_variant (runtime);
  data->runtime = hv_kvm_runtime_new_from_variant (record, &error);
  if (data->runtime == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  hv_kvm_instance_begin_operation (instance);
  hv_kvm_shutdown_async (data->host, instance, FALSE, hv_kvm_host_get_reboot_timeout (data->host),
                         g_task_get_cancellable (task), reboot_stopped_cb, g_object_ref (task));
}

void
hv_kvm_reboot_async (HvKvmHost           *self,
                     HvInstance          *owner,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = stop_task_new (self, hv_instance_get_name (owner), hv_kvm_reboot_async,
                               cancellable, callback, user_data);
  StopData *data = g_task_get_task_data (task);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (self, data->name);

  data->instance = g_object_ref (owner);

  if (instance == NULL)
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                             _("Cannot reboot instance %s: it is not running"), data->name);
  else
    hv_kvm_instance_queue_job (instance, task, reboot_job);
  g_object_unref (task);
}

gboolean
hv_kvm_reboot_finish (GAsyncResult  *result,
       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_reboot_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- CleanupInstance ------------------------------------------------------ */

static void
cleanup_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  GError *error = NULL;

  hv_kvm_host_forget_instance (((StopData *) g_task_get_task_data (task))->host, instance);
  if (!hv_kvm_teardown_finish (HV_KVM_INSTANCE (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
cleanup_job (HvKvmInstance *instance,
             GTask         *task)
{
  if (hv_kvm_instance_is_alive (instance))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_ALREADY_RUNNING,
                               _("Cannot clean up instance %s: it is running"),
                               hv_kvm_instance_get_name (instance));
      return;
    }
  hv_kvm_teardown_async (instance, G_MAXUINT, g_task_get_cancellable (task), cleanup_done_cb,
                         g_object_ref (task));
}

/* CleanupInstance: what a stopped instance left behind (its guest powered
 * off, QEMU crashed, or hvkit was not there when it ended): ifdown for its
 * NICs, then its files and record. Refused while QEMU runs, as in Ganeti. */
void
hv_kvm_cleanup_async (HvKvmHost           *self,
                      const gchar         *name,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = stop_task_new (self, name, hv_kvm_cleanup_async, cancellable, callback,
                               user_data);
  StopData *data = g_task_get_task_data (task);
  HvKvmInstance *instance;

  instance = hv_kvm_host_lookup_instance (self, data->name);
  if (instance == NULL)
    {
      /* nothing known, but files may be left from before a restart */
      g_autoptr(HvKvmInstance) stray = hv_kvm_instance_new (data->name, hv_kvm_host_get_run_dir (self),
                                                            hv_kvm_host_get_store (self));

      hv_kvm_remove_instance_files (stray);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  hv_kvm_instance_queue_job (instance, task, cleanup_job);
  g_object_unref (task);
}

gboolean
hv_kvm_cleanup_finish (GAsyncResult  *result,
        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_cleanup_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
