/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmHotplug"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-hotplug-op.h"
#include "hv-kvm-hotplug-testhooks.h"

/*
 * The start of an addition: its slot, and everything the slot decides
 * (the QEMU id, the node and getfd names, the device as the record will
 * hold it).
 *
 * The slot is the first one free in what QEMU reports now (query-pci:
 * devices of kvm_extra, a paravirtual CD-ROM, the balloon…) merged with
 * the record and the operations under way. Asking QEMU takes a round
 * trip, and so does the journal's intent, which must be on disk before
 * QEMU is touched: so the intent is saved *while* QEMU answers, with the
 * slot predicted from the last view of the bus hotplug had (kept up to
 * date by its own additions and removals). The step "slot-checked" then
 * compares it with QEMU's answer; a slot that turns out taken is chosen
 * again and the intent saved again, before anything touches QEMU.
 *
 * Once QEMU has shown the bus on this connection, the view is trusted and
 * nothing is asked: the slot and the names are final from the start, and
 * a disk's blockdev-add goes out before the intent is made and saved
 * (HV_KVM_HOTPLUG_STEP_EARLY, hv-kvm-hotplug-disk.c).
 */

/* ---- the last view of the bus ------------------------------------------- */

/* What query-pci just said (@bus: QEMU's slots, nothing else marked). */
void
hv_kvm_hotplug_view_update (HvKvmInstance     *instance,
                            const HvKvmPciBus *bus)
{
  hv_kvm_instance_set_pci_view (instance, bus->used, TRUE);
}

/* Whether the last view of the bus is QEMU's own (a query-pci on this
 * connection, and hotplug's changes since): then an addition may trust
 * it instead of asking again. */
gboolean
hv_kvm_hotplug_view_is_known (HvKvmInstance *instance)
{
  guint32 used;

  return hv_kvm_instance_get_pci_view (instance, &used);
}

/* Someone else changed the bus (an addition that trusted the view
 * failed): the next one asks QEMU. */
void
hv_kvm_hotplug_view_forget (HvKvmInstance *instance)
{
  guint32 used;

  hv_kvm_instance_get_pci_view (instance, &used);
  hv_kvm_instance_set_pci_view (instance, used, FALSE);
}

/* What hotplug itself just did to @slot. */
void
hv_kvm_hotplug_view_set_slot (HvKvmInstance *instance,
                              gint           slot,
                              gboolean       used)
{
  guint32 bus;
  gboolean known;

  if (slot < 0)
    return;
  known = hv_kvm_instance_get_pci_view (instance, &bus);
  if (used)
    bus |= 1u << slot;
  else
    bus &= ~(1u << slot);
  hv_kvm_instance_set_pci_view (instance, bus, known);
}

/* ---- choosing ----------------------------------------------------------- */

/* Checks that need no QEMU: the instance runs, the device may be plugged,
 * is not plugged already and has what its id is made of. */
static gboolean
add_check (HvKvmHotplugOp  *op,
           GError         **error)
{
  HvKvmRuntime *runtime;
  const gchar *uuid = hv_device_get_uuid (op->device);
  const gchar *name = hv_kvm_instance_get_name (op->instance);

  if (!hv_kvm_hotplug_check_running (op->instance, error))
    return FALSE;
  runtime = hv_kvm_instance_get_runtime (op->instance);
  if (!hv_kvm_hotplug_verify_support_table (hv_kvm_hotplug_op_get_hvparams (op), op->action,
                                            op->type, error))
    return FALSE;
  if (uuid == NULL || !g_uuid_string_is_valid (uuid))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   _("A device without a valid UUID cannot be hot-plugged into instance %s"),
                   name);
      return FALSE;
    }
  if (hv_kvm_runtime_find_device (runtime, op->type, uuid) != NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   op->type == HV_DEVICE_TYPE_DISK ? _("Instance %s already has disk %s")
                                                   : _("Instance %s already has NIC %s"),
                   name, uuid);
      return FALSE;
    }
  if (hv_kvm_hotplug_find_pending (runtime, op->type, uuid) != NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   _("A hotplug operation on device %s of instance %s is still pending"),
                   uuid, name);
      return FALSE;
    }
  return TRUE;
}

/* Marks the record's devices and the slots of the other operations under
 * way (journal entries) on @bus. */
static void
add_mark_taken (HvKvmHotplugOp *op,
                HvKvmPciBus    *bus)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (op->instance);

  hv_kvm_runtime_mark_pci_slots (runtime, bus);
  for (guint i = 0; i < runtime->pending->len; i++)
    {
      HvKvmPendingOp *pending = g_ptr_array_index (runtime->pending, i);

      if (pending != op->pending && pending->pci >= 0)
        bus->used |= 1u << pending->pci;
    }
}

/* The slot on @bus: the one wanted (hotmod), the test hook's, or the
 * first free. */
static gint
add_choose_slot (HvKvmHotplugOp  *op,
                 HvKvmPciBus     *bus,
                 GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  gint slot;

  add_mark_taken (op, bus);
  if (hv_kvm_hotplug_testhook_force_slot () >= 0)
    return hv_kvm_hotplug_testhook_force_slot ();
  if (op->wanted_slot >= 0)
    {
      if (!hv_kvm_pci_bus_is_used (bus, op->wanted_slot))
        return op->wanted_slot;
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG, _("PCI slot %d of instance %s is occupied"),
                   op->wanted_slot, hv_kvm_instance_get_name (op->instance));
      return -1;
    }
  slot = hv_kvm_pci_bus_find_free (bus, &local_error);
  if (slot < 0)
    g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG, _("Instance %s: %s"),
                 hv_kvm_instance_get_name (op->instance), local_error->message);
  return slot;
}

/* Everything @slot decides, made anew: the id, and the names the type's
 * steps use (a disk's node, named after the id). The device as the record
 * will hold it waits for the intent (add_make_entry). */
static gboolean
add_derive (HvKvmHotplugOp  *op,
            gint             slot,
            GError         **error)
{
  g_clear_pointer (&op->qemu_id, g_free);
  g_clear_pointer (&op->dict, g_variant_unref);
  g_clear_pointer (&op->entry, hv_kvm_runtime_device_free);
  g_clear_pointer (&op->node_name, g_free);
  g_clear_pointer (&op->fdset_opaque, g_free);
  g_ptr_array_set_size (op->fd_names, 0);

  op->slot = slot;
  op->qemu_id = hv_kvm_device_id_new (op->type, hv_device_get_uuid (op->device), slot, op->seq);
  if (op->type == HV_DEVICE_TYPE_DISK)
    return hv_kvm_hotplug_disk_prepare (op, error);
  return hv_kvm_hotplug_nic_prepare (op, error);
}

/* The device as the record will hold it, with its node or its tap: what
 * the journal's intent describes and the commit adds. */
static void
add_make_entry (HvKvmHotplugOp *op)
{
  HvKvmRuntimeDevice *device;

  if (op->type == HV_DEVICE_TYPE_DISK)
    device = hv_kvm_runtime_device_new_from_device_at (op->device, op->slot, op->qemu_id,
                                                       HV_KVM_HOTPLUG_KEY_NODE_NAME,
                                                       g_variant_new_string (op->node_name), NULL);
  else
    device = hv_kvm_runtime_device_new_from_device_at (op->device, op->slot, op->qemu_id,
                                                       HV_KVM_HOTPLUG_KEY_TAP,
                                                       g_variant_new_string (op->tap->name), NULL);
  g_clear_pointer (&op->dict, g_variant_unref);
  g_clear_pointer (&op->entry, hv_kvm_runtime_device_free);
  op->dict = g_variant_ref (device->dict);
  op->entry = device;
}

/* Step "intent" of an addition: the device's entry, then the journal's. A
 * disk's blockdev-add may be on its way already (HV_KVM_HOTPLUG_STEP_EARLY
 * in hv_kvm_hotplug_disk_add_steps()): both are made while QEMU works. */
static void
add_step_intent (HvKvmHotplugOp *op,
                 guint           arg)
{
  add_make_entry (op);
  hv_kvm_hotplug_step_intent (op, arg);
}

/* ---- the live view ------------------------------------------------------ */

static void
add_check_live (HvKvmHotplugOp *op)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonArray) query_pci = g_steal_pointer (&op->live_pci);
  GError *error = g_steal_pointer (&op->early_error);
  HvKvmPciBus bus;
  gint slot = -1;

  hv_kvm_pci_bus_init (&bus);
  if (error == NULL && query_pci != NULL && hv_kvm_hotplug_scan_pci (query_pci, &bus, ids, &error))
    {
      hv_kvm_hotplug_view_update (op->instance, &bus);
      slot = add_choose_slot (op, &bus, &error);
    }
  if (slot >= 0 && slot != op->slot)
    {
      /* the prediction was wrong: the intent is made and saved again, still
       * before QEMU is touched. The steps stay: what they are (fd sets,
       * queues) does not depend on the slot, only the names they use */
      g_debug ("%s: slot %d is taken, using %d", hv_kvm_hotplug_op_describe (op), op->slot, slot);
      if (add_derive (op, slot, &error))
        {
          add_make_entry (op);
          hv_kvm_hotplug_journal_describe (op);
          hv_kvm_hotplug_save_journal (op->instance, &error);
        }
    }
  if (error == NULL && g_hash_table_contains (ids, op->qemu_id))
    error = g_error_new (HV_ERROR, HV_ERROR_HOTPLUG,
                         _("The QEMU of instance %s already has a device %s"),
                         hv_kvm_instance_get_name (op->instance), op->qemu_id);
  hv_kvm_hotplug_op_step_done (op, error);
}

static void
add_live_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvKvmHotplugOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  op->live_pci = hv_kvm_qmp_query_pci_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  if (op->live_pci == NULL && op->early_error == NULL)
    op->early_error = error;
  else
    g_clear_error (&error);
  op->live_done = TRUE;
  if (op->live_waiting)
    add_check_live (op);
}

/* Step "slot-checked": QEMU's answer against the prediction. */
static void
add_step_check_slot (HvKvmHotplugOp *op,
                     guint           arg)
{
  op->live_waiting = TRUE;
  if (op->live_done)
    add_check_live (op);
}

/* Starts an addition; @slot >= 0 is the slot it must have (hotmod).
 * With @trust_view the last view of the bus stands for QEMU's: no
 * query-pci is asked, and a device of someone else's in the slot makes
 * device_add fail, which the caller takes as the view being stale. */
void
hv_kvm_hotplug_add_begin (HvKvmHotplugOp *op,
                          gint            slot,
                          gboolean        trust_view)
{
  guint32 view = 0;
  GError *error = NULL;
  HvKvmPciBus predicted;
  gint predicted_slot;

  if (!add_check (op, &error))
    {
      hv_kvm_hotplug_op_fail (op, error);
      return;
    }
  op->wanted_slot = slot >= 0 ? slot : hv_device_get_pci (op->device);
  op->slot_final = trust_view;
  if (trust_view)
    op->live_done = TRUE;    /* "slot-checked" has nothing to compare */
  else
    /* the answer may come after the operation failed: it keeps the task */
    hv_kvm_qmp_query_pci_async (op->qmp, NULL, add_live_cb, g_object_ref (op->task));

  /* while QEMU answers: the prediction, the intent, and for a NIC its tap
   * (a tap goes with its last descriptor, so a crash leaves nothing) */
  if (op->type == HV_DEVICE_TYPE_NIC && !hv_kvm_hotplug_nic_open_tap (op, &error))
    {
      hv_kvm_hotplug_op_fail (op, error);
      return;
    }
  hv_kvm_pci_bus_init (&predicted);
  hv_kvm_instance_get_pci_view (op->instance, &view);
  predicted.used |= view;
  predicted_slot = add_choose_slot (op, &predicted, &error);
  if (predicted_slot < 0 || !add_derive (op, predicted_slot, &error))
    {
      hv_kvm_hotplug_op_fail (op, error);
      return;
    }

  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_INTENT, add_step_intent, NULL, 0,
                              HV_KVM_HOTPLUG_STEP_SAVE);
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_SLOT_CHECKED, add_step_check_slot, NULL, 0,
                              0);
  if (op->type == HV_DEVICE_TYPE_DISK)
    hv_kvm_hotplug_disk_add_steps (op);
  else
    hv_kvm_hotplug_nic_add_steps (op);
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_COMMITTED, hv_kvm_hotplug_step_commit_add,
                              NULL, 0, 0);
  hv_kvm_hotplug_op_start (op);
}
