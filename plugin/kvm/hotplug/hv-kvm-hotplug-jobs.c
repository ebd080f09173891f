/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-hotplug-jobs.h"

typedef enum {
  HOTPLUG_SUPPORTED,
  HOTPLUG_ADD,
  HOTPLUG_DEL,
  HOTPLUG_MOD,
} HotplugKind;

/* The data of one hotplug task. */
typedef struct {
  HvKvmHost   *host;       /* not a reference: the driver's call holds it */
  HotplugKind  kind;
  gchar       *name;
  HvInstance  *owner;
  HvDevice    *device;     /* NULL for HOTPLUG_SUPPORTED */
  guint        seq;
  gchar       *removed_id; /* del: the id the device-removed signal names */
} Hotplug;

static void
hotplug_free (Hotplug *hotplug)
{
  g_free (hotplug->name);
  g_clear_object (&hotplug->owner);
  g_clear_object (&hotplug->device);
  g_free (hotplug->removed_id);
  g_free (hotplug);
}

/* The host, weakly: it owns its instances and their connections, and a
 * reference from them would keep it alive through them. */
static GWeakRef *
weak_host_new (HvKvmHost *host)
{
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_weak_ref_init (weak, host);
  return weak;
}

static void
weak_host_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* A removal left pending finished: the owner hears of it. */
static void
hotplug_removed_cb (HvKvmInstance *instance,
                    HvDeviceType   type,
                    const gchar   *uuid,
                    const gchar   *qemu_id,
                    gpointer       user_data)
{
  g_autoptr(HvKvmHost) host = g_weak_ref_get (user_data);

  if (host != NULL)
    hv_kvm_host_emit_device_removed (host, hv_kvm_instance_get_name (instance), qemu_id);
}

/* The watch for late DEVICE_DELETED, made once per QMP connection. */
static void
hotplug_watch (HvKvmHost     *host,
               HvKvmInstance *instance)
{
  hv_kvm_hotplug_watch (instance, hotplug_removed_cb, weak_host_new (host), weak_host_free);
}

static void
hotplug_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  Hotplug *hotplug = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (hotplug->kind)
    {
    case HOTPLUG_SUPPORTED:
      ok = hv_kvm_hotplug_supported_finish (instance, result, &error);
      break;
    case HOTPLUG_ADD:
      ok = hv_kvm_hotplug_add_finish (instance, result, &error);
      break;
    case HOTPLUG_DEL:
      ok = hv_kvm_hotplug_del_finish (instance, result, &error);
      break;
    case HOTPLUG_MOD:
      ok = hv_kvm_hotplug_mod_finish (instance, result, &error);
      break;
    }
  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  if (hotplug->kind == HOTPLUG_DEL)
    hv_kvm_host_emit_device_removed (hotplug->host, hotplug->name, hotplug->removed_id);
  g_task_return_boolean (task, TRUE);
}

static void
hotplug_job (HvKvmInstance *instance,
             GTask         *task)
{
  Hotplug *hotplug = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  HvKvmRuntimeDevice *device = NULL;
  GError *error = NULL;

  /* marked while it waited (a restarted driver found a migration) */
  if (hotplug->kind != HOTPLUG_SUPPORTED &&
      !hv_kvm_instance_check_not_migrating (instance, _("hotplug a device of"), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  hotplug_watch (hotplug->host, instance);
  switch (hotplug->kind)
    {
    case HOTPLUG_SUPPORTED:
      hv_kvm_hotplug_supported_async (instance, cancellable, hotplug_done_cb, g_object_ref (task));
      break;
    case HOTPLUG_ADD:
      hv_kvm_hotplug_add_async (instance, hotplug->owner, hotplug->device, hotplug->seq,
                                cancellable, hotplug_done_cb, g_object_ref (task));
      break;
    case HOTPLUG_DEL:
      if (runtime != NULL)
        device = hv_kvm_runtime_find_device (runtime, hv_device_get_device_type (hotplug->device),
                                             hv_device_get_uuid (hotplug->device));
      if (device != NULL)
        hotplug->removed_id = g_strdup (device->qemu_id);
      hv_kvm_hotplug_del_async (instance, hotplug->owner, hotplug->device, hotplug->seq,
                                cancellable, hotplug_done_cb, g_object_ref (task));
      break;
    case HOTPLUG_MOD:
      hv_kvm_hotplug_mod_async (instance, hotplug->owner, hotplug->device, hotplug->seq,
                                cancellable, hotplug_done_cb, g_object_ref (task));
      break;
    }
}

static void
hotplug_queue (HvKvmHost           *host,
               HotplugKind          kind,
               HvInstance          *owner,
               HvDevice            *device,
               guint                seq,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Hotplug *hotplug = g_new0 (Hotplug, 1);
  g_autoptr(GError) error = NULL;
  HvKvmInstance *instance;

  hotplug->host = host;
  hotplug->kind = kind;
  hotplug->name = g_strdup (hv_instance_get_name (owner));
  hotplug->owner = g_object_ref (owner);
  hotplug->device = device != NULL ? g_object_ref (device) : NULL;
  hotplug->seq = seq;
  g_task_set_source_tag (task, hv_kvm_hotplug_job_finish);
  g_task_set_task_data (task, hotplug, (GDestroyNotify) hotplug_free);

  instance = hv_kvm_host_lookup_instance (host, hotplug->name);
  if (instance == NULL)
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                             _("Instance %s is not running"), hotplug->name);
  else if (kind != HOTPLUG_SUPPORTED &&
           !hv_kvm_instance_check_not_migrating (instance, _("hotplug a device of"), &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    hv_kvm_instance_queue_job (instance, task, hotplug_job);
  g_object_unref (task);
}

void
hv_kvm_hotplug_job_supported_async (HvKvmHost           *host,
                                    HvInstance          *owner,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  hotplug_queue (host, HOTPLUG_SUPPORTED, owner, NULL, 0, cancellable, callback, user_data);
}

void
hv_kvm_hotplug_job_add_async (HvKvmHost           *host,
                              HvInstance          *owner,
                              HvDevice            *device,
                              guint                seq,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  hotplug_queue (host, HOTPLUG_ADD, owner, device, seq, cancellable, callback, user_data);
}

void
hv_kvm_hotplug_job_del_async (HvKvmHost           *host,
                              HvInstance          *owner,
                              HvDevice            *device,
                              guint                seq,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  hotplug_queue (host, HOTPLUG_DEL, owner, device, seq, cancellable, callback, user_data);
}

void
hv_kvm_hotplug_job_mod_async (HvKvmHost           *host,
                              HvInstance          *owner,
                              HvDevice            *device,
                              guint                seq,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  hotplug_queue (host, HOTPLUG_MOD, owner, device, seq, cancellable, callback, user_data);
}

gboolean
hv_kvm_hotplug_job_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_hotplug_job_finish,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- after a reconnection -------------------------------------------------- */

static void
reconcile_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* logged, not fatal: the instance runs, the entries stay for next time */
  if (!hv_kvm_hotplug_reconcile_finish (HV_KVM_INSTANCE (source), result, &error))
    g_warning ("Reconciling the hotplug journal of instance %s: %s",
               hv_kvm_instance_get_name (HV_KVM_INSTANCE (source)), error->message);
  g_task_return_boolean (task, TRUE);
}

static void
reconcile_job (HvKvmInstance *instance,
               GTask         *task)
{
  g_autoptr(HvKvmHost) host = g_weak_ref_get (g_task_get_task_data (task));
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);

  /* a QEMU that did not answer again: nothing to compare with */
  if (host == NULL || qmp == NULL || !hv_kvm_qmp_client_is_connected (qmp))
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  hotplug_watch (host, instance);
  hv_kvm_hotplug_reconcile_async (instance, NULL, reconcile_done_cb, g_object_ref (task));
}

void
hv_kvm_hotplug_job_queue_reconcile (HvKvmHost     *host,
                                    HvKvmInstance *instance)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_source_tag (task, hv_kvm_hotplug_job_queue_reconcile);
  g_task_set_task_data (task, weak_host_new (host), weak_host_free);
  hv_kvm_instance_queue_job (instance, task, reconcile_job);
}
