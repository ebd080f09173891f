/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmHotplug"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-kvm-hotplug-op.h"
#include "hv-kvm-hotplug-testhooks.h"
#include "hv-kvm-qmp-json.h"

/*
 * The step runner shared by every operation, the journal and what QEMU
 * reports. See hv-kvm-hotplug-op.h.
 */

/* ---- the journal and the record ----------------------------------------- */

gboolean
hv_kvm_hotplug_save_journal (HvKvmInstance  *instance,
                             GError        **error)
{
  return hv_kvm_runtime_save (hv_kvm_instance_get_journal_store (instance),
                              hv_kvm_instance_get_runtime (instance), error);
}

gboolean
hv_kvm_hotplug_save_record (HvKvmInstance  *instance,
                            GError        **error)
{
  return hv_kvm_instance_save_runtime (instance, error);
}

HvKvmPendingOp *
hv_kvm_hotplug_find_pending (HvKvmRuntime *runtime,
                             HvDeviceType  type,
                             const gchar  *uuid)
{
  for (guint i = 0; i < runtime->pending->len; i++)
    {
      HvKvmPendingOp *pending = g_ptr_array_index (runtime->pending, i);

      if (pending->device_type == type && g_strcmp0 (pending->uuid, uuid) == 0)
        return pending;
    }
  return NULL;
}

/* Removes and frees @pending. */
void
hv_kvm_hotplug_remove_pending (HvKvmRuntime   *runtime,
                               HvKvmPendingOp *pending)
{
  g_ptr_array_remove (runtime->pending, pending);
}

gboolean
hv_kvm_hotplug_is_removal_step (const gchar *step)
{
  static const gchar * const removal_steps[] = {
    HV_KVM_HOTPLUG_STEP_UNPLUG_PENDING, HV_KVM_HOTPLUG_STEP_UNPLUGGED,
    HV_KVM_HOTPLUG_STEP_NODE_DELETED, HV_KVM_HOTPLUG_STEP_NETDEV_DELETED,
    HV_KVM_HOTPLUG_STEP_IFDOWN_DONE, HV_KVM_HOTPLUG_STEP_FILES_REMOVED, NULL
  };

  return g_strv_contains (removal_steps, step);
}

/* A removal, or what became one: an unplug may be pending in QEMU. */
gboolean
hv_kvm_hotplug_pending_is_removal (HvKvmPendingOp *pending)
{
  const gchar *phase = NULL;

  if (pending->action == HV_HOTPLUG_ACTION_DEL || hv_kvm_hotplug_is_removal_step (pending->step))
    return TRUE;
  return pending->action == HV_HOTPLUG_ACTION_MOD &&
         g_variant_lookup (pending->extra, HV_KVM_HOTPLUG_KEY_PHASE, "&s", &phase) &&
         g_str_equal (phase, "del");
}

/* ---- what QEMU reports -------------------------------------------------- */

/* Marks the slots of bus 0 in use (any function) on @bus and maps each
 * device's qdev_id to its slot in @ids (gchar * → GINT_TO_POINTER). */
gboolean
hv_kvm_hotplug_scan_pci (JsonArray    *query_pci,
                         HvKvmPciBus  *bus,
                         GHashTable   *ids,
                         GError      **error)
{
  for (guint b = 0; b < json_array_get_length (query_pci); b++)
    {
      JsonObject *info = json_array_get_object_element (query_pci, b);
      JsonArray *devices = hv_kvm_qmp_json_get_array (info, "devices");
      gint64 number = -1;

      if (!hv_kvm_qmp_json_get_int (info, "bus", &number) || number != 0 || devices == NULL)
        continue;
      for (guint d = 0; d < json_array_get_length (devices); d++)
        {
          JsonObject *device = json_array_get_object_element (devices, d);
          const gchar *qdev_id = hv_kvm_qmp_json_get_string (device, "qdev_id");
          gint64 slot = -1;

          if (device == NULL || !hv_kvm_qmp_json_get_int (device, "slot", &slot) ||
              slot < 0 || slot >= HV_KVM_PCI_SLOTS)
            {
              g_set_error (error, HV_ERROR, HV_ERROR_MONITOR,
                           _("QEMU command “%s” returned an unexpected value: %s"),
                           "query-pci", _("a device without a valid slot"));
              return FALSE;
            }
          if (bus != NULL)
            bus->used |= 1u << slot;
          if (ids != NULL && qdev_id != NULL && *qdev_id != '\0')
            g_hash_table_insert (ids, g_strdup (qdev_id), GINT_TO_POINTER ((gint) slot));
        }
      return TRUE;
    }
  g_set_error (error, HV_ERROR, HV_ERROR_MONITOR,
               _("QEMU command “%s” returned an unexpected value: %s"),
               "query-pci", _("no bus 0"));
  return FALSE;
}

gboolean
hv_kvm_hotplug_has_node (JsonArray   *nodes,
                         const gchar *node_name)
{
  for (guint i = 0; nodes != NULL && i < json_array_get_length (nodes); i++)
    {
      JsonObject *node = json_array_get_object_element (nodes, i);

      if (g_strcmp0 (hv_kvm_qmp_json_get_string (node, "node-name"), node_name) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
hv_kvm_hotplug_error_is_class (const GError *error,
                               const gchar  *qmp_class)
{
  return error != NULL && g_error_matches (error, HV_ERROR, HV_ERROR_MONITOR) &&
         g_strcmp0 (hv_error_get_qmp_class (error), qmp_class) == 0;
}

/* ---- operations --------------------------------------------------------- */

/* The commit's record staged and not committed goes. */
static void
hv_kvm_hotplug_op_discard_staged (HvKvmHotplugOp *op)
{
  if (op->staged != NULL)
    hv_runtime_store_discard_staged (hv_kvm_instance_get_store (op->instance),
                                     hv_kvm_instance_get_name (op->instance), op->staged);
  g_clear_pointer (&op->staged, g_free);
  g_clear_pointer (&op->staged_record, g_variant_unref);
}

/* While QEMU works on an addition's device_add: the record as the commit
 * will save it (the device in, the journal entry out) is written beside
 * the record, so that QEMU's yes costs only its rename. The record itself
 * is left as it is; a stage that fails is only logged, and the commit
 * saves as usual. */
static void
hv_kvm_hotplug_op_stage_commit (HvKvmHotplugOp *op)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (op->instance);
  GPtrArray *devices;
  g_autoptr(GError) error = NULL;
  guint index = 0;

  op->stage_wanted = FALSE;
  if (op->entry == NULL || runtime == NULL || op->pending == NULL || op->staged != NULL ||
      !g_ptr_array_find (runtime->pending, op->pending, &index))
    return;
  devices = op->type == HV_DEVICE_TYPE_DISK ? runtime->disks : runtime->nics;
  g_ptr_array_add (devices, op->entry);
  g_ptr_array_steal_index (runtime->pending, index);
  op->staged_record = hv_kvm_runtime_to_variant (runtime);
  g_ptr_array_insert (runtime->pending, (gint) index, op->pending);
  g_ptr_array_steal_index (devices, devices->len - 1);
  op->staged = hv_runtime_store_stage (hv_kvm_instance_get_store (op->instance), runtime->name,
                                       op->staged_record, &error);
  if (op->staged == NULL)
    {
      g_debug ("%s: staging the commit: %s", hv_kvm_hotplug_op_describe (op), error->message);
      g_clear_pointer (&op->staged_record, g_variant_unref);
    }
}

static void
hv_kvm_hotplug_op_free (HvKvmHotplugOp *op)
{
  g_clear_object (&op->instance);
  g_clear_object (&op->qmp);
  g_clear_object (&op->owner);
  g_clear_object (&op->device);
  g_free (op->qemu_id);
  g_clear_pointer (&op->dict, g_variant_unref);
  g_clear_pointer (&op->entry, hv_kvm_runtime_device_free);
  hv_kvm_hotplug_op_discard_staged (op);
  g_clear_pointer (&op->hvparams, g_variant_dict_unref);
  g_array_unref (op->steps);
  g_clear_error (&op->error);
  g_clear_error (&op->early_error);
  g_clear_pointer (&op->live_pci, json_array_unref);
  g_free (op->node_name);
  g_free (op->fdset_opaque);
  g_free (op->description);
  g_free (op->described_id);
  if (op->disk_fd >= 0)
    g_close (op->disk_fd, NULL);
  g_clear_pointer (&op->tap, hv_kvm_tap_free);
  g_clear_pointer (&op->fd_names, g_ptr_array_unref);
  g_free (op);
}

/* A new operation, its task made with @source_tag; @instance must have a
 * record and a QMP client. */
HvKvmHotplugOp *
hv_kvm_hotplug_op_new (HvKvmInstance       *instance,
                       HvInstance          *owner,
                       HvDevice            *device,
                       guint                seq,
                       HvHotplugAction      action,
                       gboolean             removal,
                       gpointer             source_tag,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  HvKvmHotplugOp *op = g_new0 (HvKvmHotplugOp, 1);

  op->task = g_task_new (instance, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, source_tag);
  g_task_set_task_data (op->task, op, (GDestroyNotify) hv_kvm_hotplug_op_free);
  op->instance = g_object_ref (instance);
  op->qmp = hv_kvm_instance_get_qmp (instance) != NULL
            ? g_object_ref (hv_kvm_instance_get_qmp (instance)) : NULL;
  op->owner = owner != NULL ? g_object_ref (owner) : NULL;
  op->device = device != NULL ? g_object_ref (device) : NULL;
  op->type = device != NULL ? hv_device_get_device_type (device) : HV_DEVICE_TYPE_DISK;
  op->action = action;
  op->removal = removal;
  op->seq = seq;
  op->slot = -1;
  op->wanted_slot = -1;
  op->steps = g_array_new (FALSE, TRUE, sizeof (HvKvmHotplugStep));
  op->disk_fd = -1;
  op->fdset_id = -1;
  op->fd_names = g_ptr_array_new_with_free_func (g_free);
  return op;
}

void
hv_kvm_hotplug_op_add_step (HvKvmHotplugOp        *op,
                            const gchar           *name,
                            HvKvmHotplugStepFunc   run,
                            HvKvmHotplugStepFunc   undo,
                            guint                  arg,
                            HvKvmHotplugStepFlags  flags)
{
  HvKvmHotplugStep step = { name, run, undo, arg, flags, FALSE, FALSE };

  g_array_append_val (op->steps, step);
}

/* "disk disk-1a2b3c4d-pci-5 of instance web1", for messages; made again
 * when the id changed (a predicted slot corrected). */
const gchar *
hv_kvm_hotplug_op_describe (HvKvmHotplugOp *op)
{
  if (op->description != NULL && g_strcmp0 (op->described_id, op->qemu_id) == 0)
    return op->description;
  g_free (op->description);
  g_free (op->described_id);
  op->described_id = g_strdup (op->qemu_id);
  op->description = g_strdup_printf (op->type == HV_DEVICE_TYPE_DISK ? _("disk %s of instance %s")
                                                                     : _("NIC %s of instance %s"),
                                     op->qemu_id != NULL ? op->qemu_id : "?",
                                     hv_kvm_instance_get_name (op->instance));
  return op->description;
}

/* The hvparams the instance runs with, as a hash table: an a{sv} finds a
 * key by walking (and allocating) its entries, some 60 of them, and an
 * addition looks up a dozen. The instance keeps the table for as long as
 * its record's hvparams stay. */
GVariantDict *
hv_kvm_hotplug_op_get_hvparams (HvKvmHotplugOp *op)
{
  GVariantDict *shared = hv_kvm_instance_get_hvparams (op->instance);

  if (shared != NULL)
    return shared;
  if (op->hvparams == NULL)
    op->hvparams = g_variant_dict_new (NULL);
  return op->hvparams;
}

/* Sets @key of the journal entry's extra part (a floating @value is
 * taken). */
void
hv_kvm_hotplug_op_set_extra (HvKvmHotplugOp *op,
                             const gchar    *key,
                             GVariant       *value)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, op->pending->extra);
  g_variant_dict_insert_value (&dict, key, value);
  g_variant_unref (op->pending->extra);
  op->pending->extra = g_variant_ref_sink (g_variant_dict_end (&dict));
}

static void hv_kvm_hotplug_op_run_current (HvKvmHotplugOp *op);
static void hv_kvm_hotplug_op_undo_next (HvKvmHotplugOp *op);
static void hv_kvm_hotplug_op_keep_error (HvKvmHotplugOp *op, GError *error);

/* Undoes the steps done, in reverse, then ends with the first error
 * (@error, or the one kept already when NULL). */
static void
hv_kvm_hotplug_op_roll_back (HvKvmHotplugOp *op,
                             GError         *error)
{
  if (error != NULL)
    hv_kvm_hotplug_op_keep_error (op, error);
  op->undoing = TRUE;
  op->draining = FALSE;
  op->current = op->n_started;
  hv_kvm_hotplug_op_undo_next (op);
}

/* Ends the operation: success, or the first error once everything was
 * undone. The journal entry goes, unless the operation stopped with it
 * pending. */
static void
hv_kvm_hotplug_op_complete (HvKvmHotplugOp *op)
{
  g_autoptr(GTask) task = op->task;
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (op->instance);

  hv_kvm_hotplug_op_discard_staged (op);
  if (op->pending != NULL && !op->keep_journal && runtime != NULL &&
      g_ptr_array_find (runtime->pending, op->pending, NULL))
    {
      g_autoptr(GError) local_error = NULL;

      hv_kvm_hotplug_remove_pending (runtime, op->pending);
      op->pending = NULL;
      if (!hv_kvm_hotplug_save_journal (op->instance, &local_error))
        g_warning ("%s", local_error->message);
    }
  else if (op->pending != NULL && op->keep_journal)
    {
      g_autoptr(GError) local_error = NULL;

      if (!hv_kvm_hotplug_save_journal (op->instance, &local_error))
        g_warning ("%s", local_error->message);
    }
  if (op->error != NULL)
    {
      /* a tap opened ahead (with the intent) and not handed to QEMU goes
       * now, not when an answer still on its way lets the op go */
      g_clear_pointer (&op->tap, hv_kvm_tap_free);
      g_task_return_error (task, g_steal_pointer (&op->error));
    }
  else
    g_task_return_boolean (task, TRUE);
}

static void
hv_kvm_hotplug_op_start_step (HvKvmHotplugOp *op,
                              guint           index)
{
  HvKvmHotplugStep *step = &g_array_index (op->steps, HvKvmHotplugStep, index);

  step->started = TRUE;
  op->n_started = MAX (op->n_started, index + 1);
  step->run (op, step->arg);
}

void
hv_kvm_hotplug_op_start (HvKvmHotplugOp *op)
{
  gboolean sent_early = FALSE;

  g_return_if_fail (op->steps->len > 0);

  op->current = 0;
  /* the commands of EARLY steps go out first, and the steps before them
   * (the intent, saved) run while QEMU works on them; a cancelled
   * operation sends nothing */
  if (op->qmp != NULL && !g_cancellable_is_cancelled (g_task_get_cancellable (op->task)))
    for (guint i = 1; i < op->steps->len; i++)
      if (g_array_index (op->steps, HvKvmHotplugStep, i).flags & HV_KVM_HOTPLUG_STEP_EARLY)
        {
          hv_kvm_hotplug_op_start_step (op, i);
          sent_early = TRUE;
        }
  if (sent_early)
    hv_kvm_hotplug_testhook_step_done (op, HV_KVM_HOTPLUG_HOOK_SENT_EARLY);
  hv_kvm_hotplug_op_run_current (op);
}

/* Starts step @first unless it was (an EARLY one), and right behind it
 * the steps flagged AHEAD after it. */
static void
hv_kvm_hotplug_op_start_with_ahead (HvKvmHotplugOp *op,
                                    guint           first)
{
  HvKvmHotplugStep *next = first + 1 < op->steps->len
                           ? &g_array_index (op->steps, HvKvmHotplugStep, first + 1) : NULL;
  gboolean ahead = next != NULL && op->qmp != NULL && (next->flags & HV_KVM_HOTPLUG_STEP_AHEAD) &&
                   !next->started;

  /* the commands that need no reply of this one go out right behind it,
   * in one write: one round trip for them all instead of one each */
  if (ahead)
    hv_kvm_qmp_client_cork (op->qmp);
  if (!g_array_index (op->steps, HvKvmHotplugStep, first).started)
    hv_kvm_hotplug_op_start_step (op, first);
  for (guint i = first + 1; ahead && i < op->steps->len; i++)
    {
      next = &g_array_index (op->steps, HvKvmHotplugStep, i);
      if (!(next->flags & HV_KVM_HOTPLUG_STEP_AHEAD) || next->started || op->current != first ||
          op->undoing || op->draining || g_task_get_completed (op->task))
        break;
      hv_kvm_hotplug_op_start_step (op, i);
    }
  if (ahead)
    hv_kvm_qmp_client_uncork (op->qmp);
  if (op->stage_wanted && !op->undoing && !op->draining && !g_task_get_completed (op->task))
    hv_kvm_hotplug_op_stage_commit (op);
}

static void
hv_kvm_hotplug_op_run_current (HvKvmHotplugOp *op)
{
  g_autoptr(GTask) guard = NULL;
  HvKvmHotplugStep *step;
  GError *error = NULL;

  if (op->current >= op->steps->len)
    {
      hv_kvm_hotplug_op_complete (op);
      return;
    }
  step = &g_array_index (op->steps, HvKvmHotplugStep, op->current);
  /* the step may end the operation at once */
  guard = g_object_ref (op->task);
  /* sent ahead with the step before, or early: its reply ends it, and
   * what goes ahead of an early one goes now */
  if (step->started)
    {
      hv_kvm_hotplug_op_start_with_ahead (op, op->current);
      return;
    }
  /* cancelling stops an operation between steps, never inside one (nor
   * while a command sent early or ahead is unanswered): a command QEMU
   * received has an outcome to be undone or kept */
  if (!op->no_return && op->n_started <= op->current &&
      g_cancellable_set_error_if_cancelled (g_task_get_cancellable (op->task), &error))
    {
      hv_kvm_hotplug_op_roll_back (op, error);
      return;
    }
  hv_kvm_hotplug_op_start_with_ahead (op, op->current);
}

/* Moves to the next step whose reply is due (between an EARLY step and
 * the first ones, a step may not have started). */
static void
hv_kvm_hotplug_op_next_started (HvKvmHotplugOp *op)
{
  do
    op->current++;
  while (op->current < op->n_started &&
         !g_array_index (op->steps, HvKvmHotplugStep, op->current).started);
}

/* Whether QEMU's connection is gone (QEMU died, or closed it): what is
 * left to do in QEMU then cannot be done, and is no news. */
static gboolean
hv_kvm_hotplug_op_lost_qemu (HvKvmHotplugOp *op)
{
  return op->qmp == NULL || !hv_kvm_qmp_client_is_connected (op->qmp);
}

/* The first error is the one reported; the later ones are logged (a
 * warning unless they only say that QEMU is gone, as the first did). */
static void
hv_kvm_hotplug_op_keep_error (HvKvmHotplugOp *op,
                              GError         *error)
{
  if (op->error == NULL)
    op->error = error;
  else
    {
      if (hv_kvm_hotplug_op_lost_qemu (op))
        g_debug ("Hotplug of %s, after the first error, with QEMU gone: %s",
                 hv_kvm_hotplug_op_describe (op), error->message);
      else
        g_warning ("Hotplug of %s, after the first error: %s", hv_kvm_hotplug_op_describe (op),
                   error->message);
      g_error_free (error);
    }
}

static void
hv_kvm_hotplug_op_step_succeeded (HvKvmHotplugOp   *op,
                                  HvKvmHotplugStep *step)
{
  GError *error = NULL;

  op->n_done = op->current + 1;
  step->done = TRUE;
  if (step->flags & HV_KVM_HOTPLUG_STEP_NO_RETURN)
    op->no_return = TRUE;
  if (op->pending != NULL)
    {
      g_free (op->pending->step);
      op->pending->step = g_strdup (step->name);
      if ((step->flags & HV_KVM_HOTPLUG_STEP_SAVE) &&
          !hv_kvm_hotplug_save_journal (op->instance, &error))
        {
          /* the step is done but a crash now would not know it: undo it */
          hv_kvm_hotplug_op_step_done (op, error);
          return;
        }
    }
  hv_kvm_hotplug_testhook_step_done (op, step->name);
  op->current++;
  hv_kvm_hotplug_op_run_current (op);
}

/**
 * hv_kvm_hotplug_op_step_done:
 * @op: the operation
 * @error: (transfer full) (nullable): why the current step or undo failed
 *
 * Ends the current step (or undo) and goes on with the next one.
 */
void
hv_kvm_hotplug_op_step_done (HvKvmHotplugOp *op,
                             GError         *error)
{
  HvKvmHotplugStep *step = &g_array_index (op->steps, HvKvmHotplugStep, op->current);

  if (op->undoing)
    {
      /* what could not be undone stays in the journal, for the reconcile
       * to undo later */
      if (error != NULL)
        {
          hv_kvm_hotplug_op_keep_error (op, error);
          op->keep_journal = TRUE;
        }
      hv_kvm_hotplug_op_undo_next (op);
      return;
    }
  if (op->draining)
    {
      /* the reply of a step sent ahead of the one that failed: what it
       * did is undone with the rest, and its failure (most likely because
       * of the first one) is only logged */
      if (error == NULL)
        step->done = TRUE;
      else
        {
          g_debug ("%s: step %s sent ahead failed too (%s)", hv_kvm_hotplug_op_describe (op),
                   step->name, error->message);
          g_error_free (error);
        }
      hv_kvm_hotplug_op_next_started (op);
      if (op->current >= op->n_started)
        hv_kvm_hotplug_op_roll_back (op, NULL);
      return;
    }
  if (error == NULL)
    {
      hv_kvm_hotplug_op_step_succeeded (op, step);
      return;
    }
  if ((step->flags & HV_KVM_HOTPLUG_STEP_BEST_EFFORT) || op->no_return)
    {
      gboolean lost_qemu = hv_kvm_hotplug_op_lost_qemu (op);

      /* past the point of no return, or clean-up: go on. With QEMU gone,
       * what is left of hvkit's own (ifdown, files, the record) is still
       * done, but a caller is told that QEMU went away under its
       * operation rather than that it succeeded */
      if (lost_qemu && !op->background)
        {
          g_prefix_error (&error, _("QEMU went away during the hotplug of %s: "),
                          hv_kvm_hotplug_op_describe (op));
          hv_kvm_hotplug_op_keep_error (op, error);
        }
      else
        {
          if (lost_qemu)
            g_debug ("Hotplug of %s, with QEMU gone: %s", hv_kvm_hotplug_op_describe (op),
                     error->message);
          else
            g_warning ("Hotplug of %s: %s", hv_kvm_hotplug_op_describe (op), error->message);
          g_error_free (error);
        }
      op->current++;
      hv_kvm_hotplug_op_run_current (op);
      return;
    }
  /* a command QEMU did not answer in time may still be carried out (a
   * stopped QEMU, once it runs again): the journal keeps the entry, as
   * after a crash in that step, for the reconcile to settle. (An ifup
   * script killed at its timeout, with its process group, does nothing
   * later.) */
  if (step->undo != NULL && g_error_matches (error, HV_ERROR, HV_ERROR_TIMEOUT) &&
      !g_str_equal (step->name, HV_KVM_HOTPLUG_STEP_IFUP_DONE))
    op->keep_journal = TRUE;
  g_debug ("%s: step %s failed (%s), undoing %u step(s)", hv_kvm_hotplug_op_describe (op),
           step->name, error->message, op->n_done);
  op->failed_step = step->name;
  if (op->current + 1 < op->n_started)
    {
      /* steps were sent ahead of it, or early: their replies are awaited,
       * so that what they did (a device_add of a name someone else made)
       * is known and undone too */
      hv_kvm_hotplug_op_keep_error (op, error);
      op->draining = TRUE;
      hv_kvm_hotplug_op_next_started (op);
      return;
    }
  hv_kvm_hotplug_op_roll_back (op, error);
}

static void
hv_kvm_hotplug_op_undo_next (HvKvmHotplugOp *op)
{
  while (op->current > 0)
    {
      HvKvmHotplugStep *step;

      op->current--;
      step = &g_array_index (op->steps, HvKvmHotplugStep, op->current);
      if (step->done && step->undo != NULL)
        {
          step->undo (op, step->arg);
          return;
        }
    }
  hv_kvm_hotplug_op_complete (op);
}

/* Ends the operation now with @error (transfer full), leaving the journal
 * entry pending as the steps saved it: what cannot be undone and is not
 * finished yet (a removal the guest has not acknowledged). */
void
hv_kvm_hotplug_op_stop (HvKvmHotplugOp *op,
                        GError         *error)
{
  hv_kvm_hotplug_op_keep_error (op, error);
  op->keep_journal = TRUE;
  hv_kvm_hotplug_op_complete (op);
}

/* Fails an operation before any step ran. */
void
hv_kvm_hotplug_op_fail (HvKvmHotplugOp *op,
                        GError         *error)
{
  hv_kvm_hotplug_op_keep_error (op, error);
  hv_kvm_hotplug_op_complete (op);
}

gboolean
hv_kvm_hotplug_op_finish (GAsyncResult  *result,
                          gpointer       source_tag,
                          GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the steps every operation has -------------------------------------- */

/* What the journal entry says of the operation: the device, its slot and
 * id, and (extra) everything a crash could leave behind. */
void
hv_kvm_hotplug_journal_describe (HvKvmHotplugOp *op)
{
  g_free (op->pending->qemu_id);
  op->pending->qemu_id = g_strdup (op->qemu_id);
  op->pending->pci = op->slot;
  hv_kvm_hotplug_op_set_extra (op, HV_KVM_HOTPLUG_KEY_DEVICE, op->dict);
  hv_kvm_hotplug_op_set_extra (op, HV_KVM_HOTPLUG_KEY_SEQ, g_variant_new_uint32 (op->seq));
  if (op->action == HV_HOTPLUG_ACTION_MOD)
    hv_kvm_hotplug_op_set_extra (op, HV_KVM_HOTPLUG_KEY_PHASE,
                                 g_variant_new_string (op->removal ? "del" : "add"));
  if (op->fd_names->len > 0)
    hv_kvm_hotplug_op_set_extra (op, HV_KVM_HOTPLUG_KEY_FD_NAMES,
                                 g_variant_new_strv ((const gchar * const *) op->fd_names->pdata,
                                                     op->fd_names->len));
  if (op->fdset_opaque != NULL)
    hv_kvm_hotplug_op_set_extra (op, HV_KVM_HOTPLUG_KEY_FDSET,
                                 g_variant_new_string (op->fdset_opaque));
}

/* The journal entry, saved before QEMU is touched (the runner saves it:
 * HV_KVM_HOTPLUG_STEP_SAVE). */
void
hv_kvm_hotplug_step_intent (HvKvmHotplugOp *op,
                            guint           arg)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (op->instance);

  op->pending = hv_kvm_pending_op_new (op->type, op->action, HV_KVM_HOTPLUG_STEP_INTENT,
                                       hv_device_get_uuid (op->device), op->qemu_id, op->slot);
  g_ptr_array_add (runtime->pending, op->pending);
  hv_kvm_hotplug_journal_describe (op);
  hv_kvm_hotplug_op_step_done (op, NULL);
}

/* The record as it is now, saved: by renaming in the one staged while
 * QEMU worked when it holds exactly that (nothing else changed the record
 * meanwhile), else as any save. */
static gboolean
hv_kvm_hotplug_op_save_commit (HvKvmHotplugOp  *op,
                               HvKvmRuntime    *runtime,
                               GError         **error)
{
  g_autoptr(GVariant) record = NULL;
  g_autofree gchar *staged = g_steal_pointer (&op->staged);
  g_autoptr(GVariant) staged_record = g_steal_pointer (&op->staged_record);
  HvRuntimeStore *store = hv_kvm_instance_get_store (op->instance);

  if (staged == NULL)
    return hv_kvm_hotplug_save_record (op->instance, error);
  record = hv_kvm_runtime_to_variant (runtime);
  if (!g_variant_equal (record, staged_record))
    {
      g_debug ("%s: the record changed since the commit was staged", hv_kvm_hotplug_op_describe (op));
      hv_runtime_store_discard_staged (store, runtime->name, staged);
      return hv_runtime_store_save (store, runtime->name, record, error);
    }
  return hv_runtime_store_commit_staged (store, runtime->name, staged, error);
}

/* The last step of an addition: the device joins the record, the journal
 * entry goes, one save (staged while QEMU worked on device_add). */
void
hv_kvm_hotplug_step_commit_add (HvKvmHotplugOp *op,
                                guint           arg)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (op->instance);
  GPtrArray *devices = op->type == HV_DEVICE_TYPE_DISK ? runtime->disks : runtime->nics;
  HvKvmRuntimeDevice *device = g_steal_pointer (&op->entry);
  HvKvmPendingOp *pending;
  GError *error = NULL;
  guint index = 0;

  g_ptr_array_add (devices, device);
  g_ptr_array_find (runtime->pending, op->pending, &index);
  pending = g_ptr_array_steal_index (runtime->pending, index);
  if (!hv_kvm_hotplug_op_save_commit (op, runtime, &error))
    {
      /* as it was: the steps before are undone */
      g_ptr_array_insert (runtime->pending, (gint) index, pending);
      g_ptr_array_remove (devices, device);
      hv_kvm_hotplug_op_step_done (op, error);
      return;
    }
  hv_kvm_pending_op_free (pending);
  op->pending = NULL;
  hv_kvm_hotplug_view_set_slot (op->instance, op->slot, TRUE);
  hv_device_set_pci (op->device, op->slot);
  hv_kvm_hotplug_op_step_done (op, NULL);
}
