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
 * The confirmation of an addition: QEMU shows the id at its slot
 * (query-pci), which also keeps hotplug's view of the bus QEMU's own. The
 * query goes out right behind device_add, which QEMU runs first: its
 * answer describes QEMU after it, and arrives without another round trip.
 * If device_add fails it is dropped.
 *
 * A disk's node under the device is what device_add's own reply says:
 * QEMU resolves `drive` by node name when it creates the device and
 * refuses a name it does not know, and the name is hotplug's, made by the
 * blockdev-add QEMU ran just before (when that one fails, whatever
 * device_add did is undone). A query-block would add a command and its
 * answer to every disk and could only say the same.
 */

struct _HvKvmHotplugConfirm {
  GTask          *task;        /* keeps the operation while answers are due */
  HvKvmHotplugOp *op;
  JsonArray      *query_pci;
  GError         *error;
  guint           outstanding;
  gboolean        waiting;     /* the step "confirmed" runs and waits */
};

static void
confirm_free (HvKvmHotplugConfirm *confirm)
{
  g_clear_pointer (&confirm->query_pci, json_array_unref);
  g_clear_error (&confirm->error);
  g_clear_object (&confirm->task);
  g_free (confirm);
}

static GError *
confirm_error (HvKvmHotplugConfirm *confirm)
{
  HvKvmHotplugOp *op = confirm->op;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gpointer slot = NULL;
  GError *error = NULL;
  HvKvmPciBus bus;

  if (confirm->error != NULL)
    return g_steal_pointer (&confirm->error);
  hv_kvm_pci_bus_init (&bus);
  if (!hv_kvm_hotplug_scan_pci (confirm->query_pci, &bus, ids, &error))
    return error;
  hv_kvm_hotplug_view_update (op->instance, &bus);
  if (!g_hash_table_lookup_extended (ids, op->qemu_id, NULL, &slot) ||
      GPOINTER_TO_INT (slot) != op->slot)
    return g_error_new (HV_ERROR, HV_ERROR_HOTPLUG,
                        _("QEMU does not show %s at PCI slot %d after adding it"),
                        hv_kvm_hotplug_op_describe (op), op->slot);
  return NULL;
}

/* Both answers are in: ends the step if it waits; otherwise they wait for
 * it, or are dropped with the operation. */
static void
confirm_replied (HvKvmHotplugConfirm *confirm)
{
  HvKvmHotplugOp *op = confirm->op;
  GError *error;

  if (op->confirm != confirm)
    {
      /* the operation went on without it (device_add failed) */
      confirm_free (confirm);
      return;
    }
  if (!confirm->waiting)
    return;
  op->confirm = NULL;
  error = confirm_error (confirm);
  hv_kvm_hotplug_op_step_done (op, error);
  /* last: its reference may be the operation's last */
  confirm_free (confirm);
}

static void
confirm_pci_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  HvKvmHotplugConfirm *confirm = user_data;

  confirm->query_pci = hv_kvm_qmp_query_pci_finish (HV_KVM_QMP_CLIENT (source), result,
                                                    confirm->error == NULL ? &confirm->error : NULL);
  if (--confirm->outstanding == 0)
    confirm_replied (confirm);
}

/* Sends the query; call right after device_add. */
void
hv_kvm_hotplug_confirm_start (HvKvmHotplugOp *op)
{
  HvKvmHotplugConfirm *confirm = g_new0 (HvKvmHotplugConfirm, 1);

  confirm->task = g_object_ref (op->task);
  confirm->op = op;
  confirm->outstanding = 1;
  op->confirm = confirm;
  hv_kvm_qmp_query_pci_async (op->qmp, NULL, confirm_pci_cb, confirm);
}

/* The operation no longer wants the answers (its device_add failed). */
void
hv_kvm_hotplug_confirm_drop (HvKvmHotplugOp *op)
{
  HvKvmHotplugConfirm *confirm = op->confirm;

  if (confirm == NULL)
    return;
  op->confirm = NULL;
  /* answers still due free it when they come */
  if (confirm->outstanding == 0)
    confirm_free (confirm);
}

/* Step "confirmed". */
void
hv_kvm_hotplug_step_confirm (HvKvmHotplugOp *op,
                             guint           arg)
{
  if (op->confirm == NULL)
    hv_kvm_hotplug_confirm_start (op);
  op->confirm->waiting = TRUE;
  if (op->confirm->outstanding == 0)
    confirm_replied (op->confirm);
}

static void
hv_kvm_hotplug_device_add_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  GError *error = NULL;

  if (!hv_kvm_qmp_device_add_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      hv_kvm_hotplug_confirm_drop (op);
      g_prefix_error (&error, _("Cannot hot-add %s at PCI slot %d: "),
                      hv_kvm_hotplug_op_describe (op), op->slot);
    }
  hv_kvm_hotplug_op_step_done (op, error);
}

/* Step "device-added" of a disk or a NIC: device_add of @driver with the
 * op's id and @properties, and right behind it the confirmation's
 * queries, whose answers then describe QEMU after it. */
void
hv_kvm_hotplug_add_device (HvKvmHotplugOp *op,
                           const gchar    *driver,
                           JsonObject     *properties)
{
  hv_kvm_qmp_device_add_async (op->qmp, driver, op->qemu_id, properties, NULL,
                               hv_kvm_hotplug_device_add_cb, op);
  hv_kvm_hotplug_confirm_start (op);
}
