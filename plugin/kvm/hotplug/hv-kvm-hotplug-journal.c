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
 * What the journal is for: after hvkit died in the middle of an operation
 * (or QEMU finished a removal hvkit stopped waiting for), every journal
 * entry is rolled forward or back from what QEMU has now, and a late
 * DEVICE_DELETED finishes a pending removal.
 *
 * The decisions rest on QEMU's state, never on how far the entry's `step`
 * got (the journal is saved only where a crash would lose what cannot be
 * found in QEMU: the intent, and the name of a NIC's tap):
 *
 *   entry      device in query-pci       device not in query-pci
 *   addition   forward: into the record  back: node, fd sets, netdev,
 *                                          getfd names, ifdown, files
 *   removal    device_del again, pending  forward: finish the removal
 *
 * And one thing no entry names: a disk's blockdev-add goes out before its
 * intent is saved (HV_KVM_HOTPLUG_STEP_EARLY), so a crash between the two
 * leaves a block node in QEMU that no record knows. Its name is of
 * hvkit's making (hv_kvm_device_id_is_made()): every such node that
 * neither the record nor an entry holds is deleted, even when no entry is
 * pending. (A node someone else named is left alone; blockdev-del refuses
 * a node a device uses.)
 */

typedef struct _Reconcile Reconcile;
typedef void (*ReconcileFunc) (Reconcile *self);

struct _Reconcile {
  GTask          *task;
  HvKvmInstance  *instance;
  HvKvmQmpClient *qmp;
  JsonArray      *query_pci;
  JsonArray      *nodes;
  JsonArray      *fdsets;
  GHashTable     *ids;          /* qdev_id → slot */
  GPtrArray      *entries;      /* HvKvmPendingOp *, the record's */
  guint           next;
  HvKvmPendingOp *entry;        /* the one being reconciled */
  guint           outstanding;  /* calls whose reply is awaited */
  ReconcileFunc   then;         /* once they are all in */
  GError         *error;        /* the first */
  gboolean        changed;
};

static void
reconcile_free (Reconcile *self)
{
  g_clear_object (&self->instance);
  g_clear_object (&self->qmp);
  g_clear_pointer (&self->query_pci, json_array_unref);
  g_clear_pointer (&self->nodes, json_array_unref);
  g_clear_pointer (&self->fdsets, json_array_unref);
  g_clear_pointer (&self->ids, g_hash_table_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_error (&self->error);
  g_free (self);
}

static void reconcile_next (Reconcile *self);

static void
reconcile_keep_error (Reconcile *self,
                      GError    *error)
{
  if (self->error == NULL)
    self->error = error;
  else
    {
      g_warning ("Reconciling instance %s: %s", hv_kvm_instance_get_name (self->instance),
                 error->message);
      g_error_free (error);
    }
}

/* ---- best-effort commands ----------------------------------------------- */

static void
reconcile_wait (Reconcile     *self,
                ReconcileFunc  then)
{
  self->then = then;
  if (self->outstanding == 0)
    then (self);
}

static void
reconcile_call_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Reconcile *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = hv_kvm_qmp_client_execute_finish (HV_KVM_QMP_CLIENT (source), result,
                                                                &error);

  /* what is undone here may well not be there: QEMU saying so is fine */
  if (reply == NULL)
    g_debug ("reconcile of %s: %s", hv_kvm_instance_get_name (self->instance), error->message);
  if (--self->outstanding == 0 && self->then != NULL)
    self->then (self);
}

/* Sends @command (taking @arguments); QMP answers in order, so several go
 * out at once and reconcile_wait() waits for them all. */
static void
reconcile_send (Reconcile   *self,
                const gchar *command,
                JsonObject  *arguments)
{
  g_autoptr(JsonObject) owned = arguments;

  self->outstanding++;
  self->then = NULL;
  hv_kvm_qmp_client_execute_async (self->qmp, command, owned, NULL, NULL, reconcile_call_cb, self);
}

static JsonObject *
arguments_string (const gchar *member,
                  const gchar *value)
{
  JsonObject *arguments = json_object_new ();

  json_object_set_string_member (arguments, member, value);
  return arguments;
}

/* remove-fd of every fd set holding a descriptor with @opaque */
static void
reconcile_remove_fdsets (Reconcile   *self,
                         const gchar *opaque)
{
  for (guint i = 0; opaque != NULL && self->fdsets != NULL &&
       i < json_array_get_length (self->fdsets); i++)
    {
      JsonObject *set = json_array_get_object_element (self->fdsets, i);
      JsonArray *fds = hv_kvm_qmp_json_get_array (set, "fds");
      gint64 id;

      if (!hv_kvm_qmp_json_get_int (set, "fdset-id", &id))
        continue;
      for (guint j = 0; fds != NULL && j < json_array_get_length (fds); j++)
        if (g_strcmp0 (hv_kvm_qmp_json_get_string (json_array_get_object_element (fds, j),
                                                   "opaque"), opaque) == 0)
          {
            JsonObject *arguments = json_object_new ();

            json_object_set_int_member (arguments, "fdset-id", id);
            reconcile_send (self, "remove-fd", arguments);
            break;
          }
    }
}

/* ---- one entry ---------------------------------------------------------- */

static GVariant *
entry_device (HvKvmPendingOp *entry)
{
  return g_variant_lookup_value (entry->extra, HV_KVM_HOTPLUG_KEY_DEVICE, G_VARIANT_TYPE_VARDICT);
}

static guint
entry_seq (HvKvmPendingOp *entry)
{
  guint32 seq = 0;

  g_variant_lookup (entry->extra, HV_KVM_HOTPLUG_KEY_SEQ, "u", &seq);
  return seq;
}

static void
reconcile_drop_entry (Reconcile *self)
{
  hv_kvm_hotplug_remove_pending (hv_kvm_instance_get_runtime (self->instance), self->entry);
  self->entry = NULL;
  self->changed = TRUE;
  reconcile_next (self);
}

/* An addition QEMU completed: the device joins the record as the journal
 * described it, with the slot QEMU shows. */
static void
reconcile_add_forward (Reconcile *self,
                       GVariant  *dict,
                       gint       slot)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (self->instance);
  HvKvmPendingOp *entry = self->entry;
  const gchar *opaque = NULL;
  g_autoptr(GError) error = NULL;
  HvKvmRuntimeDevice *device;

  g_debug ("reconcile: %s %s is in QEMU, keeping it", entry->qemu_id, entry->step);
  if (hv_kvm_runtime_find_device (runtime, entry->device_type, entry->uuid) == NULL)
    {
      device = hv_kvm_runtime_device_new_from_variant (entry->device_type, dict, &error);
      if (device == NULL)
        {
          reconcile_keep_error (self, g_steal_pointer (&error));
          reconcile_drop_entry (self);
          return;
        }
      hv_kvm_runtime_device_set_pci (device, slot);
      g_ptr_array_add (entry->device_type == HV_DEVICE_TYPE_DISK ? runtime->disks : runtime->nics,
                       device);
    }
  if (entry->device_type == HV_DEVICE_TYPE_NIC)
    {
      const gchar *tap = NULL;

      if (g_variant_lookup (dict, HV_KVM_HOTPLUG_KEY_TAP, "&s", &tap) &&
          !hv_kvm_instance_write_nic_file (self->instance, entry_seq (entry), entry->uuid,
                                                  tap, &error))
        reconcile_keep_error (self, g_steal_pointer (&error));
    }
  g_variant_lookup (entry->extra, HV_KVM_HOTPLUG_KEY_FDSET, "&s", &opaque);
  reconcile_remove_fdsets (self, opaque);
  reconcile_wait (self, reconcile_drop_entry);
}

static void
reconcile_nic_back_commands (Reconcile *self)
{
  HvKvmPendingOp *entry = self->entry;
  g_autoptr(GVariant) dict = entry_device (entry);
  g_auto(GStrv) fd_names = NULL;
  g_autofree gchar *tap = dict != NULL ? hv_kvm_hotplug_nic_find_tap (self->instance, dict,
                                                                      entry_seq (entry)) : NULL;

  /* QEMU closes the tap with the netdev; names never used go with closefd */
  reconcile_send (self, "netdev_del", arguments_string ("id", entry->qemu_id));
  if (g_variant_lookup (entry->extra, HV_KVM_HOTPLUG_KEY_FD_NAMES, "^as", &fd_names))
    for (guint i = 0; fd_names[i] != NULL; i++)
      reconcile_send (self, "closefd", arguments_string ("fdname", fd_names[i]));
  if (tap != NULL)
    hv_kvm_instance_remove_nic_files_of_tap (self->instance, tap);
  reconcile_wait (self, reconcile_drop_entry);
}

static void
reconcile_ifdown_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Reconcile *self = user_data;
  g_autoptr(GError) error = NULL;

  /* ifup may not have run, or only in part: its undo is best effort */
  if (!hv_kvm_hotplug_nic_ifdown_finish (HV_KVM_INSTANCE (source), result, &error))
    g_debug ("reconcile: ifdown of %s: %s", self->entry->qemu_id, error->message);
  reconcile_nic_back_commands (self);
}

/* An addition QEMU does not have: whatever of it QEMU or the host might
 * hold goes, in the order the undo would have gone. */
static void
reconcile_add_back (Reconcile *self,
                    GVariant  *dict)
{
  HvKvmPendingOp *entry = self->entry;
  const gchar *node_name = NULL;
  const gchar *opaque = NULL;

  g_debug ("reconcile: %s %s is not in QEMU, undoing it", entry->qemu_id, entry->step);
  if (entry->device_type == HV_DEVICE_TYPE_NIC)
    {
      g_autofree gchar *tap = dict != NULL ? hv_kvm_hotplug_nic_find_tap (self->instance, dict,
                                                                          entry_seq (entry)) : NULL;

      if (dict != NULL && tap != NULL)
        hv_kvm_hotplug_nic_ifdown_async (self->instance, dict, tap, reconcile_ifdown_cb, self);
      else
        reconcile_nic_back_commands (self);
      return;
    }
  if (dict != NULL && g_variant_lookup (dict, HV_KVM_HOTPLUG_KEY_NODE_NAME, "&s", &node_name) &&
      hv_kvm_hotplug_has_node (self->nodes, node_name))
    reconcile_send (self, "blockdev-del", arguments_string ("node-name", node_name));
  g_variant_lookup (entry->extra, HV_KVM_HOTPLUG_KEY_FDSET, "&s", &opaque);
  reconcile_remove_fdsets (self, opaque);
  reconcile_wait (self, reconcile_drop_entry);
}

static void
reconcile_finish_removal_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  Reconcile *self = user_data;
  GError *error = NULL;

  if (!hv_kvm_hotplug_finish_removal_finish (HV_KVM_INSTANCE (source), result, &error))
    reconcile_keep_error (self, error);
  self->entry = NULL;
  self->changed = TRUE;
  reconcile_next (self);
}

static void
reconcile_entry (Reconcile *self)
{
  HvKvmPendingOp *entry = self->entry;
  g_autoptr(GVariant) dict = entry_device (entry);
  gpointer slot = NULL;
  gboolean present = g_hash_table_lookup_extended (self->ids, entry->qemu_id, NULL, &slot);

  if (!hv_kvm_hotplug_pending_is_removal (entry))
    {
      if (present && dict != NULL)
        reconcile_add_forward (self, dict, GPOINTER_TO_INT (slot));
      else
        reconcile_add_back (self, dict);
      return;
    }
  if (!present)
    {
      g_debug ("reconcile: %s is gone from QEMU, finishing its removal", entry->qemu_id);
      hv_kvm_hotplug_finish_removal_async (self->instance, entry, reconcile_finish_removal_cb, self);
      return;
    }
  /* asked for and not done, or perhaps never asked (a crash before
   * device_del): ask (again; QEMU accepts a repeated request) and leave
   * it pending for the DEVICE_DELETED to finish */
  g_debug ("reconcile: %s is still in QEMU, its removal stays pending", entry->qemu_id);
  g_free (entry->step);
  entry->step = g_strdup (HV_KVM_HOTPLUG_STEP_UNPLUG_PENDING);
  self->changed = TRUE;
  reconcile_send (self, "device_del", arguments_string ("id", entry->qemu_id));
  self->entry = NULL;
  reconcile_wait (self, reconcile_next);
}

static void
reconcile_done (Reconcile *self)
{
  g_autoptr(GTask) task = self->task;
  GError *error = NULL;

  if (self->changed && !hv_kvm_hotplug_save_record (self->instance, &error))
    reconcile_keep_error (self, error);
  if (self->error != NULL)
    g_task_return_error (task, g_steal_pointer (&self->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
reconcile_next (Reconcile *self)
{
  if (self->next >= self->entries->len)
    {
      reconcile_done (self);
      return;
    }
  self->entry = g_ptr_array_index (self->entries, self->next++);
  reconcile_entry (self);
}

/* ---- block nodes no one holds -------------------------------------------- */

static void
add_node_names (GHashTable *names,
                GVariant   *dict)
{
  const gchar *name = NULL;

  if (dict == NULL)
    return;
  if (g_variant_lookup (dict, HV_KVM_HOTPLUG_KEY_NODE_NAME, "&s", &name))
    g_hash_table_add (names, (gpointer) name);
  if (g_variant_lookup (dict, "qemu_id", "&s", &name))
    g_hash_table_add (names, (gpointer) name);
}

/* blockdev-del of every node named by hvkit's rule that the record's
 * disks and the entries do not name: what a hot-add left when hvkit died
 * between its blockdev-add and its intent. */
static void
reconcile_sweep_nodes (Reconcile *self)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (self->instance);
  g_autoptr(GHashTable) held = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) dicts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);

  for (guint i = 0; i < runtime->disks->len; i++)
    add_node_names (held, ((HvKvmRuntimeDevice *) g_ptr_array_index (runtime->disks, i))->dict);
  for (guint i = 0; i < self->entries->len; i++)
    {
      HvKvmPendingOp *entry = g_ptr_array_index (self->entries, i);
      GVariant *dict = entry_device (entry);

      g_hash_table_add (held, entry->qemu_id);
      if (dict != NULL)
        {
          add_node_names (held, dict);
          g_ptr_array_add (dicts, dict);   /* the names point into it */
        }
    }
  for (guint i = 0; self->nodes != NULL && i < json_array_get_length (self->nodes); i++)
    {
      const gchar *name = hv_kvm_qmp_json_get_string (json_array_get_object_element (self->nodes, i),
                                                      "node-name");

      if (!hv_kvm_device_id_is_made (name, HV_DEVICE_TYPE_DISK) ||
          g_hash_table_contains (held, name))
        continue;
      g_info ("Instance %s: deleting block node %s, which no record holds (a hot-add that "
              "ended before its intent was saved)", hv_kvm_instance_get_name (self->instance),
              name);
      g_hash_table_add (held, (gpointer) name);   /* listed once per node */
      reconcile_send (self, "blockdev-del", arguments_string ("node-name", name));
    }
}

/* ---- what QEMU has ------------------------------------------------------ */

static void
reconcile_queried (Reconcile *self)
{
  GError *error = NULL;

  if (self->error != NULL)
    {
      reconcile_done (self);
      return;
    }
  self->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (self->query_pci != NULL &&
      !hv_kvm_hotplug_scan_pci (self->query_pci, NULL, self->ids, &error))
    {
      reconcile_keep_error (self, error);
      reconcile_done (self);
      return;
    }
  reconcile_sweep_nodes (self);
  reconcile_wait (self, reconcile_next);
}

typedef struct {
  Reconcile   *reconcile;
  const gchar *command;
  JsonArray  **slot;
} Query;

static void
reconcile_query_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autofree Query *query = user_data;
  Reconcile *self = query->reconcile;
  GError *error = NULL;
  g_autoptr(JsonNode) reply = hv_kvm_qmp_client_execute_finish (HV_KVM_QMP_CLIENT (source), result,
                                                                &error);

  if (reply != NULL && JSON_NODE_HOLDS_ARRAY (reply))
    *query->slot = json_array_ref (json_node_get_array (reply));
  else
    reconcile_keep_error (self, error != NULL ? error
                          : g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                         _("QEMU command “%s” returned an unexpected value: %s"),
                                         query->command, _("not an array")));
  if (--self->outstanding == 0)
    reconcile_queried (self);
}

static void
reconcile_query (Reconcile    *self,
                 const gchar  *command,
                 JsonArray   **slot)
{
  Query *query = g_new0 (Query, 1);

  query->reconcile = self;
  query->command = command;
  query->slot = slot;
  self->outstanding++;
  hv_kvm_qmp_client_execute_async (self->qmp, command, NULL, NULL, NULL, reconcile_query_cb, query);
}

/**
 * hv_kvm_hotplug_reconcile_async:
 * @instance: an instance with its record and a connected QMP client
 * @cancellable: (nullable): a #GCancellable (checked before QEMU is asked)
 * @callback: called when the record and QEMU agree
 * @user_data: for @callback
 *
 * Rolls every journal entry of the record forward or back from what QEMU
 * has, and deletes the block nodes hvkit named that nothing holds; see the
 * top of hv-kvm-hotplug-journal.c. The record is saved once,
 * at the end. An entry that cannot be repaired is dropped with its error
 * logged; the first such error is reported once all were tried.
 */
void
hv_kvm_hotplug_reconcile_async (HvKvmInstance       *instance,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  HvKvmRuntime *runtime;
  HvKvmQmpClient *qmp;
  Reconcile *self;
  GTask *task;

  g_return_if_fail (HV_KVM_IS_INSTANCE (instance));

  task = g_task_new (instance, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_kvm_hotplug_reconcile_async);
  runtime = hv_kvm_instance_get_runtime (instance);
  qmp = hv_kvm_instance_get_qmp (instance);
  if (runtime == NULL || qmp == NULL || !hv_kvm_qmp_client_is_connected (qmp))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                               _("Instance %s is not running"), hv_kvm_instance_get_name (instance));
      g_object_unref (task);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  self = g_new0 (Reconcile, 1);
  self->task = task;
  self->instance = g_object_ref (instance);
  self->qmp = g_object_ref (qmp);
  /* a list of its own, owning nothing: entries leave the record's list
   * as they are done */
  self->entries = g_ptr_array_new ();
  for (guint i = 0; i < runtime->pending->len; i++)
    g_ptr_array_add (self->entries, g_ptr_array_index (runtime->pending, i));
  g_task_set_task_data (task, self, (GDestroyNotify) reconcile_free);
  if (self->entries->len > 0)
    reconcile_query (self, "query-pci", &self->query_pci);
  /* the nodes even with no entry: see the top of this file */
  reconcile_query (self, "query-named-block-nodes", &self->nodes);
  if (self->entries->len > 0)
    reconcile_query (self, "query-fdsets", &self->fdsets);
}

gboolean
hv_kvm_hotplug_reconcile_finish (HvKvmInstance  *instance,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_hotplug_reconcile_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- late DEVICE_DELETED ------------------------------------------------ */

typedef struct {
  GWeakRef                instance;
  HvKvmHotplugRemovedFunc removed;
  gpointer                user_data;
  GDestroyNotify          user_data_destroy;
} Watch;

static void
watch_free (gpointer data,
            GClosure *closure)
{
  Watch *watch = data;

  g_weak_ref_clear (&watch->instance);
  if (watch->user_data_destroy != NULL)
    watch->user_data_destroy (watch->user_data);
  g_free (watch);
}

typedef struct {
  Watch        *watch;       /* lives as long as the client's handler */
  HvKvmQmpClient *qmp;
  gchar        *qemu_id;
  HvDeviceType  type;
  gchar        *uuid;
} WatchJob;

static void
watch_job_free (WatchJob *job)
{
  g_clear_object (&job->qmp);
  g_free (job->qemu_id);
  g_free (job->uuid);
  g_free (job);
}

/* The removal pending for @qemu_id, unless an operation is busy with it. */
static HvKvmPendingOp *
watch_find_pending (HvKvmInstance *instance,
                    const gchar   *qemu_id)
{
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);

  for (guint i = 0; runtime != NULL && i < runtime->pending->len; i++)
    {
      HvKvmPendingOp *pending = g_ptr_array_index (runtime->pending, i);

      if (g_strcmp0 (pending->qemu_id, qemu_id) == 0 &&
          g_strcmp0 (pending->step, HV_KVM_HOTPLUG_STEP_UNPLUG_PENDING) == 0)
        return pending;
    }
  return NULL;
}

static void
watch_finished_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!hv_kvm_hotplug_finish_removal_finish (HV_KVM_INSTANCE (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
watch_job (HvKvmInstance *instance,
           GTask         *task)
{
  WatchJob *job = g_task_get_task_data (task);
  HvKvmPendingOp *pending = watch_find_pending (instance, job->qemu_id);

  /* finished meanwhile (by a removal that took it over) */
  if (pending == NULL || hv_kvm_instance_get_qmp (instance) != job->qmp)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  job->type = pending->device_type;
  job->uuid = g_strdup (pending->uuid);
  hv_kvm_hotplug_finish_removal_async (instance, pending, watch_finished_cb, g_object_ref (task));
}

static void
watch_job_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  WatchJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean finished = g_task_propagate_boolean (G_TASK (result), &error);

  if (error != NULL)
    g_warning ("Finishing the removal of %s of instance %s: %s", job->qemu_id,
               hv_kvm_instance_get_name (HV_KVM_INSTANCE (source)), error->message);
  if ((finished || error != NULL) && job->watch->removed != NULL)
    job->watch->removed (HV_KVM_INSTANCE (source), job->type, job->uuid, job->qemu_id,
                         job->watch->user_data);
}

static void
watch_device_deleted_cb (HvKvmQmpClient *qmp,
                         const gchar    *event,
                         JsonObject     *data,
                         gint64          timestamp,
                         gpointer        user_data)
{
  Watch *watch = user_data;
  g_autoptr(HvKvmInstance) instance = g_weak_ref_get (&watch->instance);
  const gchar *qemu_id = hv_kvm_qmp_json_get_string (data, "device");
  GTask *task;
  WatchJob *job;

  if (instance == NULL || qemu_id == NULL || watch_find_pending (instance, qemu_id) == NULL)
    return;
  /* after the operations queued before it, which may still touch it */
  job = g_new0 (WatchJob, 1);
  job->watch = watch;
  job->qmp = g_object_ref (qmp);
  job->qemu_id = g_strdup (qemu_id);
  task = g_task_new (instance, NULL, watch_job_done_cb, NULL);
  g_task_set_source_tag (task, watch_device_deleted_cb);
  g_task_set_task_data (task, job, (GDestroyNotify) watch_job_free);
  hv_kvm_instance_queue_job (instance, task, watch_job);
  g_object_unref (task);
}

/**
 * hv_kvm_hotplug_watch:
 * @instance: an instance with a QMP client
 * @removed: (nullable): called for each removal finished this way
 * @user_data: for @removed
 * @user_data_destroy: (nullable): frees @user_data with the watch
 *
 * See hv-kvm-hotplug-private.h. The watch lives as long as the client.
 */
void
hv_kvm_hotplug_watch (HvKvmInstance           *instance,
                      HvKvmHotplugRemovedFunc  removed,
                      gpointer                 user_data,
                      GDestroyNotify           user_data_destroy)
{
  HvKvmQmpClient *qmp;
  Watch *watch;

  g_return_if_fail (HV_KVM_IS_INSTANCE (instance));

  qmp = hv_kvm_instance_get_qmp (instance);
  if (!hv_kvm_instance_claim_hotplug_watch (instance))
    {
      if (user_data_destroy != NULL)
        user_data_destroy (user_data);
      return;
    }
  watch = g_new0 (Watch, 1);
  g_weak_ref_init (&watch->instance, instance);
  watch->removed = removed;
  watch->user_data = user_data;
  watch->user_data_destroy = user_data_destroy;
  g_signal_connect_data (qmp, "event::DEVICE_DELETED", G_CALLBACK (watch_device_deleted_cb), watch,
                         watch_free, 0);
}
