/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmHotplug"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-hotplug-op.h"
#include "hv-kvm-host.h"

/*
 * Hotplug's entry points on one instance: HotAddDevice (started in
 * hv-kvm-hotplug-add.c), HotDelDevice and HotModDevice, which hand the
 * steps of hv-kvm-hotplug-disk.c / -nic.c / -remove.c to the runner of
 * hv-kvm-hotplug-op.c; and the same on an HvKvmHost, where each finds its
 * instance and runs as a job of the instance's queue (the driver's way in).
 * What may be plugged: hv-kvm-hotplug-support.c.
 */

/* ---- HotAddDevice -------------------------------------------------------- */

/**
 * hv_kvm_hotplug_add_async:
 * @instance: a running instance
 * @owner: the instance as the caller describes it
 * @device: an #HvDisk or #HvNic; its pci is set to its slot on success
 * @seq: the device's index in @owner
 * @cancellable: (nullable): stops the addition between steps (it is then
 *   undone)
 * @callback: called when the device is in or everything is undone
 * @user_data: for @callback
 *
 * Ganeti's HotAddDevice. See hv-kvm-hotplug-private.h.
 */
typedef struct {
  HvInstance *owner;
  HvDevice   *device;
  guint       seq;
  gboolean    trusted;    /* the attempt under way trusts the last view */
} AddData;

static void
add_data_free (AddData *data)
{
  g_object_unref (data->owner);
  g_object_unref (data->device);
  g_free (data);
}

static void hv_kvm_hotplug_add_attempt (GTask *task);

static void
hv_kvm_hotplug_add_attempt_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmInstance *instance = g_task_get_source_object (task);
  AddData *data = g_task_get_task_data (task);
  HvKvmHotplugOp *op = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (hv_kvm_hotplug_op_finish (result, hv_kvm_hotplug_add_attempt_cb, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* an addition that trusted the last view of the bus was refused by
   * device_add, and undone whole: the slot may be someone else's since (a
   * device added by hand). Once more, asking QEMU first; a second failure
   * is the answer. Any other failure is the answer at once (a missing
   * file, a failing ifup script must not run twice). */
  if (data->trusted && g_strcmp0 (op->failed_step, HV_KVM_HOTPLUG_STEP_DEVICE_ADDED) == 0 &&
      !op->keep_journal && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      hv_kvm_instance_get_qmp (instance) != NULL &&
      hv_kvm_qmp_client_is_connected (hv_kvm_instance_get_qmp (instance)))
    {
      g_debug ("hot-add into %s failed trusting the last view of the bus (%s): "
               "asking QEMU and trying again", hv_kvm_instance_get_name (instance),
               error->message);
      g_error_free (error);
      hv_kvm_hotplug_view_forget (instance);
      hv_kvm_hotplug_add_attempt (g_steal_pointer (&task));
      return;
    }
  g_task_return_error (task, error);
}

static void
hv_kvm_hotplug_add_attempt (GTask *task)
{
  HvKvmInstance *instance = g_task_get_source_object (task);
  AddData *data = g_task_get_task_data (task);
  HvKvmHotplugOp *op;

  /* once QEMU has shown the bus on this connection, hotplug's own changes
   * keep the view QEMU's: the next addition need not ask before it starts
   * (a round trip, a third of what hvkit adds to QEMU's own time) */
  data->trusted = hv_kvm_hotplug_view_is_known (instance);
  op = hv_kvm_hotplug_op_new (instance, data->owner, data->device, data->seq,
                              HV_HOTPLUG_ACTION_ADD, FALSE, hv_kvm_hotplug_add_attempt_cb,
                              g_task_get_cancellable (task), hv_kvm_hotplug_add_attempt_cb,
                              task);
  hv_kvm_hotplug_add_begin (op, -1, data->trusted);
}

void
hv_kvm_hotplug_add_async (HvKvmInstance       *instance,
                          HvInstance          *owner,
                          HvDevice            *device,
                          guint                seq,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  AddData *data;

  g_return_if_fail (HV_KVM_IS_INSTANCE (instance));
  g_return_if_fail (HV_IS_INSTANCE (owner));
  g_return_if_fail (HV_IS_DEVICE (device));

  task = g_task_new (instance, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_kvm_hotplug_add_async);
  data = g_new0 (AddData, 1);
  data->owner = g_object_ref (owner);
  data->device = g_object_ref (device);
  data->seq = seq;
  g_task_set_task_data (task, data, (GDestroyNotify) add_data_free);
  hv_kvm_hotplug_add_attempt (task);
}

gboolean
hv_kvm_hotplug_add_finish (HvKvmInstance  *instance,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);

  return hv_kvm_hotplug_op_finish (result, hv_kvm_hotplug_add_async, error);
}

/* ---- HotDelDevice -------------------------------------------------------- */

/* Finds the device in the record and the journal entry of an unfinished
 * removal of it, which this removal takes over. */
static gboolean
hv_kvm_hotplug_check_del (HvKvmHotplugOp       *op,
                          HvDevice             *device,
                          HvKvmRuntimeDevice  **out_record,
                          GError              **error)
{
  const gchar *name = hv_kvm_instance_get_name (op->instance);
  const gchar *uuid = hv_device_get_uuid (device);
  HvKvmRuntime *runtime;
  HvKvmRuntimeDevice *record;
  HvKvmPendingOp *pending;

  if (!hv_kvm_hotplug_check_running (op->instance, error))
    return FALSE;
  runtime = hv_kvm_instance_get_runtime (op->instance);
  if (!hv_kvm_hotplug_verify_support_table (hv_kvm_hotplug_op_get_hvparams (op), op->action,
                                            op->type, error))
    return FALSE;
  record = uuid != NULL ? hv_kvm_runtime_find_device (runtime, op->type, uuid) : NULL;
  if (record == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   op->type == HV_DEVICE_TYPE_DISK ? _("Instance %s has no disk %s")
                                                   : _("Instance %s has no NIC %s"),
                   name, uuid != NULL ? uuid : "");
      return FALSE;
    }
  if (record->qemu_id == NULL || record->pci < 0)
    {
      /* a NIC of Ganeti's 2008 files, started with -net nic */
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   _("Device %s of instance %s has no QEMU id and slot and cannot be"
                     " hot-removed"), uuid, name);
      return FALSE;
    }
  /* an unfinished removal is taken over; anything else must end first */
  pending = hv_kvm_hotplug_find_pending (runtime, op->type, uuid);
  if (pending != NULL && !hv_kvm_hotplug_pending_is_removal (pending))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   _("A hotplug operation on device %s of instance %s is still pending"),
                   uuid, name);
      return FALSE;
    }
  op->pending = pending;
  /* the entry predates this removal: whatever becomes of it, it stays
   * until the device is gone */
  op->takeover = pending != NULL;
  op->keep_journal = op->takeover;
  *out_record = record;
  return TRUE;
}

static void
hv_kvm_hotplug_del_begin (HvKvmHotplugOp *op,
                          HvDevice       *device)
{
  HvKvmRuntimeDevice *record = NULL;
  GError *error = NULL;
  g_autoptr(HvDevice) recorded = NULL;

  if (!hv_kvm_hotplug_check_del (op, device, &record, &error) ||
      (recorded = hv_kvm_runtime_device_to_device (record, &error)) == NULL)
    {
      hv_kvm_hotplug_op_fail (op, error);
      return;
    }
  /* what is unplugged is what the record says was plugged */
  g_set_object (&op->device, recorded);
  op->slot = record->pci;
  op->qemu_id = g_strdup (record->qemu_id);
  op->dict = g_variant_ref (record->dict);

  /* a removal taking one over has its journal entry already, and leaves
   * it saying "unplug-pending", so that a DEVICE_DELETED meanwhile is the
   * watch's too */
  if (!op->takeover)
    hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_INTENT, hv_kvm_hotplug_step_intent, NULL,
                                0, HV_KVM_HOTPLUG_STEP_SAVE);
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_UNPLUGGED, hv_kvm_hotplug_step_unplug, NULL,
                              0, HV_KVM_HOTPLUG_STEP_NO_RETURN);
  if (op->type == HV_DEVICE_TYPE_DISK)
    hv_kvm_hotplug_disk_del_steps (op);
  else
    hv_kvm_hotplug_nic_del_steps (op);
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_COMMITTED, hv_kvm_hotplug_step_commit_del,
                              NULL, 0, 0);
  hv_kvm_hotplug_op_start (op);
}

/**
 * hv_kvm_hotplug_del_async:
 * @instance: a running instance
 * @owner: the instance as the caller describes it
 * @device: the device to remove, found in the record by its uuid
 * @seq: its index in @owner (NIC files)
 * @cancellable: (nullable): stops waiting for the guest (the removal then
 *   stays pending, as after a timeout)
 * @callback: called when the device is gone, or it could not be
 * @user_data: for @callback
 *
 * Ganeti's HotDelDevice. See hv-kvm-hotplug-private.h.
 */
void
hv_kvm_hotplug_del_async (HvKvmInstance       *instance,
                          HvInstance          *owner,
                          HvDevice            *device,
                          guint                seq,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  HvKvmHotplugOp *op;

  g_return_if_fail (HV_KVM_IS_INSTANCE (instance));
  g_return_if_fail (owner == NULL || HV_IS_INSTANCE (owner));
  g_return_if_fail (HV_IS_DEVICE (device));

  op = hv_kvm_hotplug_op_new (instance, owner, device, seq, HV_HOTPLUG_ACTION_DEL, TRUE,
                              hv_kvm_hotplug_del_async, cancellable, callback, user_data);
  hv_kvm_hotplug_del_begin (op, device);
}

gboolean
hv_kvm_hotplug_del_finish (HvKvmInstance  *instance,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);

  return hv_kvm_hotplug_op_finish (result, hv_kvm_hotplug_del_async, error);
}

/* ---- HotModDevice -------------------------------------------------------- */

typedef struct {
  HvInstance *owner;
  HvDevice *device;
  guint seq;
  gint slot;
} ModData;

static void
mod_data_free (ModData *data)
{
  g_clear_object (&data->owner);
  g_clear_object (&data->device);
  g_free (data);
}

static void
hv_kvm_hotplug_mod_add_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!hv_kvm_hotplug_op_finish (result, hv_kvm_hotplug_mod_add_cb, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
hv_kvm_hotplug_mod_del_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ModData *data = g_task_get_task_data (task);
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  HvKvmHotplugOp *op;
  GError *error = NULL;

  if (!hv_kvm_hotplug_op_finish (result, hv_kvm_hotplug_mod_del_cb, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* the removal's commit dropped its journal entry; the addition's intent
   * is the next save: a crash in between leaves the NIC removed, which the
   * record then says too */
  op = hv_kvm_hotplug_op_new (instance, data->owner, data->device, data->seq,
                              HV_HOTPLUG_ACTION_MOD, FALSE, hv_kvm_hotplug_mod_add_cb,
                              g_task_get_cancellable (task), hv_kvm_hotplug_mod_add_cb,
                              g_object_ref (task));
  hv_kvm_hotplug_add_begin (op, data->slot, FALSE);
}

/**
 * hv_kvm_hotplug_mod_async:
 * @instance: a running instance
 * @owner: the instance as the caller describes it
 * @device: the NIC as it should be now; found in the record by its uuid
 * @seq: its index in @owner
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Ganeti's HotModDevice: the NIC is removed and added again on its slot.
 */
void
hv_kvm_hotplug_mod_async (HvKvmInstance       *instance,
                          HvInstance          *owner,
                          HvDevice            *device,
                          guint                seq,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  HvKvmRuntimeDevice *record = NULL;
  HvKvmHotplugOp *op;
  ModData *data;

  g_return_if_fail (HV_KVM_IS_INSTANCE (instance));
  g_return_if_fail (HV_IS_INSTANCE (owner));
  g_return_if_fail (HV_IS_DEVICE (device));

  task = g_task_new (instance, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_kvm_hotplug_mod_async);
  data = g_new0 (ModData, 1);
  data->owner = g_object_ref (owner);
  data->device = g_object_ref (device);
  data->seq = seq;
  data->slot = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) mod_data_free);
  if (hv_kvm_instance_get_runtime (instance) != NULL && hv_device_get_uuid (device) != NULL)
    record = hv_kvm_runtime_find_device (hv_kvm_instance_get_runtime (instance),
                                         hv_device_get_device_type (device),
                                         hv_device_get_uuid (device));
  if (record != NULL)
    data->slot = record->pci;

  op = hv_kvm_hotplug_op_new (instance, owner, device, seq, HV_HOTPLUG_ACTION_MOD, TRUE,
                              hv_kvm_hotplug_mod_del_cb, cancellable, hv_kvm_hotplug_mod_del_cb,
                              g_steal_pointer (&task));
  hv_kvm_hotplug_del_begin (op, device);
}

gboolean
hv_kvm_hotplug_mod_finish (HvKvmInstance  *instance,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_hotplug_mod_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- on a host: each operation a job of its instance's queue ------------- */

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
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);

  /* logged, not fatal: the instance runs, the entries stay for next time.
   * A connection that closed meanwhile (QEMU gone, or its instance let
   * go: the reconcile now asks QEMU even with no entry) is no news: the
   * next connection reconciles */
  if (!hv_kvm_hotplug_reconcile_finish (instance, result, &error))
    {
      if (qmp == NULL || !hv_kvm_qmp_client_is_connected (qmp))
        g_debug ("Reconciling the hotplug journal of instance %s, with the connection gone: %s",
                 hv_kvm_instance_get_name (instance), error->message);
      else
        g_warning ("Reconciling the hotplug journal of instance %s: %s",
                   hv_kvm_instance_get_name (instance), error->message);
    }
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
