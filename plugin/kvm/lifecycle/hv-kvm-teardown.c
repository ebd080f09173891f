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

/*
 * What a stopped instance leaves, removed: QEMU's exit is the only proof
 * that an instance stopped, so teardown waits for it through the pidfd,
 * and only then do ifdown and the removal of the instance's files run
 * (Ganeti 3 runs ifdown while QEMU may still be running).
 */

/* -- teardown ------------------------------------------------------------- */

void
hv_kvm_remove_instance_files (HvKvmInstance *instance)
{
  static const gchar *const suffixes[] = {
    ".pid", ".qmp", ".monitor", ".serial", ".log",
  };
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);

  hv_kvm_adopted_remove_source_files (instance);
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
