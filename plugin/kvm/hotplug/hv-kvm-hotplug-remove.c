/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmHotplug"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-hotplug-op.h"
#include "hv-kvm-qmp-json.h"

/*
 * Unplugging: device_del with its DEVICE_DELETED waiter registered first
 * (QEMU may send the event before the reply), for a removal and for the
 * undo of an addition's device_add, and the end of a removal.
 */

/* ---- waiting for the guest ---------------------------------------------- */

typedef enum {
  UNPLUG_REMOVE,     /* a removal: the step "unplugged" */
  UNPLUG_UNDO_ADD,   /* undoing a device_add */
} UnplugMode;

typedef struct {
  HvKvmHotplugOp *op;
  UnplugMode      mode;
  GCancellable   *stop_waiting;   /* ends the wait when device_del failed */
  gboolean        del_done;
  gboolean        wait_done;
  GError         *del_error;
  GError         *wait_error;
  gchar          *event;          /* the event that ended the wait */
} Unplug;

static void
unplug_free (Unplug *unplug)
{
  g_clear_object (&unplug->stop_waiting);
  g_clear_error (&unplug->del_error);
  g_clear_error (&unplug->wait_error);
  g_free (unplug->event);
  g_free (unplug);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Unplug, unplug_free)

static gboolean
unplug_matches (const gchar *event,
                JsonObject  *data,
                gpointer     user_data)
{
  /* the virtio backend's DEVICE_DELETED has a path and no device */
  return (g_str_equal (event, "DEVICE_DELETED") || g_str_equal (event, "DEVICE_UNPLUG_GUEST_ERROR")) &&
         g_strcmp0 (hv_kvm_qmp_json_get_string (data, "device"), user_data) == 0;
}

/* The removal's journal entry says the unplug is pending, and the
 * operation ends with @error (transfer full); a late DEVICE_DELETED or a
 * reconcile finishes it. */
static void
unplug_leave_pending (HvKvmHotplugOp *op,
                      GError         *error)
{
  g_autoptr(GError) save_error = NULL;

  g_free (op->pending->step);
  op->pending->step = g_strdup (HV_KVM_HOTPLUG_STEP_UNPLUG_PENDING);
  if (!hv_kvm_hotplug_save_journal (op->instance, &save_error))
    g_warning ("%s", save_error->message);
  hv_kvm_hotplug_op_stop (op, error);
}

/* An addition whose device QEMU keeps: it joins the record as it is, and
 * when its unplug is still pending in QEMU, as a removal to finish. The
 * undo goes no further; the first error is reported. */
static void
unplug_adopt_device (HvKvmHotplugOp *op,
                     GError         *error,
                     gboolean        unplug_pending)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (op->instance);
  GPtrArray *devices = op->type == HV_DEVICE_TYPE_DISK ? runtime->disks : runtime->nics;
  g_autoptr(GError) save_error = NULL;

  g_ptr_array_add (devices, hv_kvm_runtime_device_new (op->type, op->dict));
  if (unplug_pending)
    {
      op->pending->action = HV_HOTPLUG_ACTION_DEL;
      g_free (op->pending->step);
      op->pending->step = g_strdup (HV_KVM_HOTPLUG_STEP_UNPLUG_PENDING);
      op->keep_journal = TRUE;
    }
  else
    {
      hv_kvm_hotplug_remove_pending (runtime, op->pending);
      op->pending = NULL;
    }
  if (!hv_kvm_hotplug_save_record (op->instance, &save_error))
    g_warning ("%s", save_error->message);
  hv_kvm_hotplug_op_stop (op, error);
}

/* Whether device_del failed without QEMU refusing it (the connection
 * went, or the reply did not come in time): QEMU may have received it.
 * QEMU's refusals carry its error class. */
static gboolean
unplug_outcome_unknown (const GError *error)
{
  return error != NULL && hv_error_get_qmp_class (error) == NULL;
}

static void
unplug_removed (Unplug *unplug)
{
  HvKvmHotplugOp *op = unplug->op;
  GError *error;

  /* QEMU no longer has it */
  if ((unplug->del_error == NULL && unplug->wait_error == NULL &&
       g_str_equal (unplug->event, "DEVICE_DELETED")) ||
      hv_kvm_hotplug_error_is_class (unplug->del_error, "DeviceNotFound"))
    {
      hv_kvm_hotplug_op_step_done (op, NULL);
      return;
    }

  /* asked, but not done: the guest may still give it up */
  if ((unplug->del_error == NULL && unplug->wait_error != NULL) ||
      unplug_outcome_unknown (unplug->del_error))
    {
      const GError *cause = unplug->del_error != NULL ? unplug->del_error : unplug->wait_error;

      if (g_error_matches (cause, HV_ERROR, HV_ERROR_TIMEOUT))
        error = g_error_new (HV_ERROR, HV_ERROR_TIMEOUT,
                             _("The guest did not release %s within %u ms; its removal is"
                               " pending"), hv_kvm_hotplug_op_describe (op),
                             hv_kvm_instance_get_removal_timeout (op->instance));
      else
        error = g_error_copy (cause);
      if (unplug->mode == UNPLUG_REMOVE)
        unplug_leave_pending (op, error);
      else
        unplug_adopt_device (op, error, TRUE);
      return;
    }

  /* refused, by the guest or by QEMU: the device stays */
  if (unplug->del_error == NULL)
    error = g_error_new (HV_ERROR, HV_ERROR_HOTPLUG,
                         _("The removal of %s was rejected by the guest"),
                         hv_kvm_hotplug_op_describe (op));
  else
    error = g_error_new (HV_ERROR, HV_ERROR_HOTPLUG, _("Cannot remove %s: %s"),
                         hv_kvm_hotplug_op_describe (op), unplug->del_error->message);
  if (unplug->mode == UNPLUG_UNDO_ADD)
    unplug_adopt_device (op, error, FALSE);
  else
    /* a removal that took a pending one over keeps its entry: the earlier
     * request may still complete */
    hv_kvm_hotplug_op_step_done (op, error);
}

static void
unplug_check_done (Unplug *unplug)
{
  g_autoptr(Unplug) done = unplug;

  if (!unplug->del_done || !unplug->wait_done)
    {
      g_steal_pointer (&done);
      return;
    }
  unplug_removed (unplug);
}

static void
unplug_wait_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Unplug *unplug = user_data;
  g_autoptr(JsonObject) data = NULL;

  data = hv_kvm_qmp_client_wait_event_finish (HV_KVM_QMP_CLIENT (source), result, &unplug->event,
                                              NULL, &unplug->wait_error);
  unplug->wait_done = TRUE;
  unplug_check_done (unplug);
}

static void
unplug_del_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Unplug *unplug = user_data;

  if (!hv_kvm_qmp_device_del_finish (HV_KVM_QMP_CLIENT (source), result, &unplug->del_error))
    /* nothing will come */
    g_cancellable_cancel (unplug->stop_waiting);
  unplug->del_done = TRUE;
  unplug_check_done (unplug);
}

static void
unplug_start (HvKvmHotplugOp *op,
              UnplugMode      mode)
{
  Unplug *unplug = g_new0 (Unplug, 1);
  GCancellable *cancellable = g_task_get_cancellable (op->task);

  unplug->op = op;
  unplug->mode = mode;
  unplug->stop_waiting = g_cancellable_new ();
  /* the caller's cancellable stops the wait too */
  if (cancellable != NULL && mode == UNPLUG_REMOVE)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel),
                             unplug->stop_waiting, G_CONNECT_SWAPPED);
  hv_kvm_qmp_client_wait_event_async (op->qmp, NULL, unplug_matches, g_strdup (op->qemu_id),
                                      g_free, hv_kvm_instance_get_removal_timeout (op->instance),
                                      unplug->stop_waiting, unplug_wait_cb, unplug);
  hv_kvm_qmp_device_del_async (op->qmp, op->qemu_id, NULL, unplug_del_cb, unplug);
}

/* Step "unplugged": DEVICE_DELETED proves the guest gave the device up. */
void
hv_kvm_hotplug_step_unplug (HvKvmHotplugOp *op,
                            guint           arg)
{
  unplug_start (op, UNPLUG_REMOVE);
}

/* Undo of "device-added". */
void
hv_kvm_hotplug_undo_device_add (HvKvmHotplugOp *op,
                                guint           arg)
{
  unplug_start (op, UNPLUG_UNDO_ADD);
}

/* ---- the end of a removal ----------------------------------------------- */

/* Step "committed" of a removal: the device leaves the record, its slot is
 * free, the journal entry goes, one save. The device is gone from QEMU
 * whatever the save says. */
void
hv_kvm_hotplug_step_commit_del (HvKvmHotplugOp *op,
                                guint           arg)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (op->instance);
  GPtrArray *devices = op->type == HV_DEVICE_TYPE_DISK ? runtime->disks : runtime->nics;
  HvKvmRuntimeDevice *device = hv_kvm_runtime_find_device (runtime, op->type,
                                                           hv_device_get_uuid (op->device));
  GError *error = NULL;

  if (device != NULL)
    g_ptr_array_remove (devices, device);
  if (op->pending != NULL)
    hv_kvm_hotplug_remove_pending (runtime, op->pending);
  op->pending = NULL;
  hv_kvm_hotplug_view_set_slot (op->instance, op->slot, FALSE);
  if (!hv_kvm_hotplug_save_record (op->instance, &error))
    g_prefix_error (&error, _("%s was removed, but the record could not be saved: "),
                    hv_kvm_hotplug_op_describe (op));
  hv_kvm_hotplug_op_step_done (op, error);
}

/**
 * hv_kvm_hotplug_finish_removal_async:
 * @instance: a running instance
 * @pending: the journal entry of a removal whose device QEMU no longer
 *   has, of @instance's record
 * @callback: called when done
 * @user_data: for @callback
 *
 * What is left of a removal once the device is gone: its back-end, ifdown,
 * NIC files and the record. For a late DEVICE_DELETED and for a reconcile.
 */
void
hv_kvm_hotplug_finish_removal_async (HvKvmInstance       *instance,
                                     HvKvmPendingOp      *pending,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  HvKvmRuntimeDevice *record = hv_kvm_runtime_find_device (runtime, pending->device_type,
                                                           pending->uuid);
  g_autoptr(HvDevice) device = NULL;
  g_autoptr(GVariant) dict = NULL;
  GError *error = NULL;
  HvKvmHotplugOp *op;
  guint32 seq = 0;

  /* the record's device, or the journal's copy of it */
  if (record != NULL)
    dict = g_variant_ref (record->dict);
  else
    dict = g_variant_lookup_value (pending->extra, HV_KVM_HOTPLUG_KEY_DEVICE, G_VARIANT_TYPE_VARDICT);
  g_variant_lookup (pending->extra, HV_KVM_HOTPLUG_KEY_SEQ, "u", &seq);
  if (dict != NULL)
    device = pending->device_type == HV_DEVICE_TYPE_DISK
             ? HV_DEVICE (hv_disk_new_from_variant (dict, &error))
             : HV_DEVICE (hv_nic_new_from_variant (dict, &error));
  else
    error = g_error_new (HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
                         _("The journal of instance %s has no device %s"),
                         hv_kvm_instance_get_name (instance), pending->uuid);

  op = hv_kvm_hotplug_op_new (instance, NULL, device, seq, pending->action, TRUE,
                              hv_kvm_hotplug_finish_removal_async, NULL, callback, user_data);
  op->type = pending->device_type;
  op->pending = pending;
  if (device == NULL)
    {
      /* nothing to finish with: the entry goes, the record stays */
      hv_kvm_hotplug_op_fail (op, error);
      return;
    }
  op->dict = g_steal_pointer (&dict);
  op->qemu_id = g_strdup (pending->qemu_id);
  op->slot = pending->pci;
  op->no_return = TRUE;
  op->background = TRUE;
  if (op->type == HV_DEVICE_TYPE_DISK)
    hv_kvm_hotplug_disk_del_steps (op);
  else
    hv_kvm_hotplug_nic_del_steps (op);
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_COMMITTED, hv_kvm_hotplug_step_commit_del,
                              NULL, 0, 0);
  hv_kvm_hotplug_op_start (op);
}

gboolean
hv_kvm_hotplug_finish_removal_finish (HvKvmInstance  *instance,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);

  return hv_kvm_hotplug_op_finish (result, hv_kvm_hotplug_finish_removal_async, error);
}
