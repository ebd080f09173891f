/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared by hv-kvm-hotplug*.c only.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hv-kvm-hotplug.h"
#include "hv-kvm-qmp-commands.h"
#include "hv-kvm-tap.h"

G_BEGIN_DECLS

/*
 * An operation is a list of steps run in order. Each step starts with its
 * run function and ends by calling hv_kvm_hotplug_op_step_done(); a step
 * that fails has undone its own partial work. When one fails, the undo
 * functions of the steps already done run in reverse order and the
 * operation reports the first error (libvirt's qemu_hotplug.c). The name
 * of the last step done is the journal entry's `step`.
 */

/* The journal's words (record.pending[].step), in the order they happen. */
#define HV_KVM_HOTPLUG_STEP_INTENT        "intent"
#define HV_KVM_HOTPLUG_STEP_SLOT_CHECKED  "slot-checked"
#define HV_KVM_HOTPLUG_STEP_FD_ADDED      "fd-added"
#define HV_KVM_HOTPLUG_STEP_NODE_ADDED    "node-added"
#define HV_KVM_HOTPLUG_STEP_FD_REMOVED    "fd-removed"
#define HV_KVM_HOTPLUG_STEP_TAP_OPENED    "tap-opened"
#define HV_KVM_HOTPLUG_STEP_IFUP_DONE     "ifup-done"
#define HV_KVM_HOTPLUG_STEP_FD_PASSED     "fd-passed"
#define HV_KVM_HOTPLUG_STEP_NETDEV_ADDED  "netdev-added"
#define HV_KVM_HOTPLUG_STEP_DEVICE_ADDED  "device-added"
#define HV_KVM_HOTPLUG_STEP_FILES_WRITTEN "nic-files-written"
#define HV_KVM_HOTPLUG_STEP_COMMITTED     "committed"
/* removal */
#define HV_KVM_HOTPLUG_STEP_UNPLUG_PENDING "unplug-pending"
#define HV_KVM_HOTPLUG_STEP_UNPLUGGED     "unplugged"
#define HV_KVM_HOTPLUG_STEP_NODE_DELETED  "node-deleted"
#define HV_KVM_HOTPLUG_STEP_NETDEV_DELETED "netdev-deleted"
#define HV_KVM_HOTPLUG_STEP_IFDOWN_DONE   "ifdown-done"
#define HV_KVM_HOTPLUG_STEP_FILES_REMOVED "nic-files-removed"

/* Keys of a journal entry's extra part (HvKvmPendingOp.extra). */
#define HV_KVM_HOTPLUG_KEY_DEVICE   "device"     /* a{sv}: the device as the record will hold it */
#define HV_KVM_HOTPLUG_KEY_SEQ      "seq"        /* u */
#define HV_KVM_HOTPLUG_KEY_PHASE    "phase"      /* s: "del" or "add" for hotmod */
#define HV_KVM_HOTPLUG_KEY_FD_NAMES "fd_names"   /* as: getfd names */
#define HV_KVM_HOTPLUG_KEY_FDSET    "fdset_opaque" /* s: add-fd's opaque of this operation */

/* Keys hotplug adds to a device of the record. */
#define HV_KVM_HOTPLUG_KEY_NODE_NAME "node_name" /* s: the block node hotplug added */
#define HV_KVM_HOTPLUG_KEY_TAP       "tap"       /* s: the NIC's tap */

typedef struct _HvKvmHotplugOp HvKvmHotplugOp;

typedef void (*HvKvmHotplugStepFunc) (HvKvmHotplugOp *op,
                                      guint           arg);

typedef enum {
  /* save the journal once done: a crash after it needs what it learnt */
  HV_KVM_HOTPLUG_STEP_SAVE        = 1 << 0,
  /* clean-up: a failure is logged and the operation goes on */
  HV_KVM_HOTPLUG_STEP_BEST_EFFORT = 1 << 1,
  /* once done there is no way back (a device QEMU gave up): later steps
   * are not cancelled */
  HV_KVM_HOTPLUG_STEP_NO_RETURN   = 1 << 2,
  /* sent without waiting for the step before's reply: its run only sends
   * one QMP command and its reply ends it. QEMU runs commands in order, so
   * the reply still comes after the one before, and the command needs
   * nothing that reply says; if the step before fails, this one fails on
   * its own (it names what that step made), and if it does not, it is
   * undone with the rest */
  HV_KVM_HOTPLUG_STEP_AHEAD       = 1 << 3,
  /* sent when the operation starts, before its first steps (the intent)
   * end: the journal's intent is saved while QEMU works on the command.
   * Only for what the guest cannot see and a takeover finds without the
   * journal, by the name hvkit gave it: a disk's block node (the reconcile
   * deletes a node of hvkit's naming that no record holds). Its run only
   * sends one command and its reply ends it; the steps before it end
   * without waiting for QEMU, so that the reply comes when it is the
   * current step. The steps AHEAD of it go out once the steps before it
   * are done */
  HV_KVM_HOTPLUG_STEP_EARLY       = 1 << 4,
} HvKvmHotplugStepFlags;

/* The test hook's name for the moment EARLY steps were sent and the
 * intent is not saved yet (hv-kvm-hotplug-testhooks.h). */
#define HV_KVM_HOTPLUG_HOOK_SENT_EARLY "sent-early"

typedef struct {
  const gchar          *name;
  HvKvmHotplugStepFunc  run;
  HvKvmHotplugStepFunc  undo;    /* NULL: nothing to undo */
  guint                 arg;
  HvKvmHotplugStepFlags flags;
  gboolean              started; /* run was called */
  gboolean              done;    /* succeeded: undone on a roll back */
} HvKvmHotplugStep;

struct _HvKvmHotplugOp {
  GTask            *task;         /* of the caller; its data is the op */
  HvKvmInstance    *instance;
  HvKvmQmpClient   *qmp;
  HvInstance       *owner;        /* NULL when hvkit itself finishes a removal */
  HvDevice         *device;       /* what is plugged: the caller's, or the record's */
  HvDeviceType      type;
  HvHotplugAction   action;
  gboolean          removal;      /* unplugs (del, and the first half of mod) */
  guint             seq;
  gint              slot;
  gchar            *qemu_id;
  GVariant         *dict;         /* the device as the record holds it */
  HvKvmRuntimeDevice *entry;      /* an addition's: the record's device that
                                   * @dict is the form of (add_derive), for
                                   * the commit to take */
  GVariantDict     *hvparams;     /* empty, for an instance without hvparams */
  gboolean          stage_wanted; /* device_add is on its way: stage the commit */
  gchar            *staged;       /* the commit's record, written ahead
                                   * (hv_runtime_store_stage()) */
  GVariant         *staged_record; /* …and what it holds */
  HvKvmPendingOp   *pending;      /* the journal entry, owned by the record */

  GArray           *steps;        /* HvKvmHotplugStep */
  guint             current;
  guint             n_done;
  guint             n_started;    /* steps whose run was called */
  gboolean          draining;     /* a step failed; replies of steps sent
                                   * ahead of it are still due */
  gboolean          undoing;
  gboolean          no_return;
  gboolean          keep_journal; /* ends with the entry left pending */
  gboolean          takeover;     /* continues a removal left pending */
  gboolean          background;   /* finishes what QEMU did on its own (a late
                                   * DEVICE_DELETED, a reconcile): nobody
                                   * waits, QEMU's end is no news */
  GError           *error;        /* the first one */
  const gchar      *failed_step;  /* the step whose failure was undone */

  /* disks */
  gchar            *node_name;
  gint              disk_fd;      /* hvkit's own, for add-fd; -1 */
  gint64            fdset_id;     /* -1 */
  gchar            *fdset_opaque; /* NULL: QEMU opens the disk itself */
  /* NICs */
  HvKvmTap         *tap;
  GPtrArray        *fd_names;     /* getfd names, in the order of steps */
  gboolean          fds_consumed; /* netdev_add took them */
  gint              wanted_slot;  /* -1: the first free */
  gboolean          slot_final;   /* trusting the last view of the bus: the
                                   * slot and the names are known before
                                   * QEMU answers anything */
  GError           *early_error;  /* of what ran while the slot was asked for */
  JsonArray        *live_pci;     /* QEMU's answer, until the slot is checked */
  gboolean          live_done;
  gboolean          live_waiting;
  gchar            *description;  /* hv_kvm_hotplug_op_describe() */
  gchar            *described_id;
};

/* hv-kvm-hotplug.c */
gboolean        hv_kvm_hotplug_check_running   (HvKvmInstance       *instance,
                                                GError             **error);

/* hv-kvm-hotplug-add.c */
void            hv_kvm_hotplug_add_begin       (HvKvmHotplugOp      *op,
                                                gint                 slot,
                                                gboolean             trust_view);
gboolean        hv_kvm_hotplug_view_is_known   (HvKvmInstance       *instance);
void            hv_kvm_hotplug_view_forget     (HvKvmInstance       *instance);
void            hv_kvm_hotplug_view_update     (HvKvmInstance       *instance,
                                                const HvKvmPciBus   *bus);
void            hv_kvm_hotplug_view_set_slot   (HvKvmInstance       *instance,
                                                gint                 slot,
                                                gboolean             used);

/* hv-kvm-hotplug-op.c */
HvKvmHotplugOp *hv_kvm_hotplug_op_new          (HvKvmInstance       *instance,
                                                HvInstance          *owner,
                                                HvDevice            *device,
                                                guint                seq,
                                                HvHotplugAction      action,
                                                gboolean             removal,
                                                gpointer             source_tag,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
void            hv_kvm_hotplug_op_add_step     (HvKvmHotplugOp      *op,
                                                const gchar         *name,
                                                HvKvmHotplugStepFunc run,
                                                HvKvmHotplugStepFunc undo,
                                                guint                arg,
                                                HvKvmHotplugStepFlags flags);
void            hv_kvm_hotplug_op_start        (HvKvmHotplugOp      *op);
void            hv_kvm_hotplug_op_step_done    (HvKvmHotplugOp      *op,
                                                GError              *error);
void            hv_kvm_hotplug_op_stop         (HvKvmHotplugOp      *op,
                                                GError              *error);
void            hv_kvm_hotplug_op_fail         (HvKvmHotplugOp      *op,
                                                GError              *error);
gboolean        hv_kvm_hotplug_op_finish       (GAsyncResult        *result,
                                                gpointer             source_tag,
                                                GError             **error);
const gchar    *hv_kvm_hotplug_op_describe     (HvKvmHotplugOp      *op);
GVariantDict   *hv_kvm_hotplug_op_get_hvparams (HvKvmHotplugOp      *op);
void            hv_kvm_hotplug_op_set_extra    (HvKvmHotplugOp      *op,
                                                const gchar         *key,
                                                GVariant            *value);

/* the two steps every operation has */
void            hv_kvm_hotplug_step_intent     (HvKvmHotplugOp      *op,
                                                guint                arg);
void            hv_kvm_hotplug_journal_describe (HvKvmHotplugOp     *op);
void            hv_kvm_hotplug_step_commit_add (HvKvmHotplugOp      *op,
                                                guint                arg);

/* journal and record */
gboolean        hv_kvm_hotplug_save_journal    (HvKvmInstance       *instance,
                                                GError             **error);
gboolean        hv_kvm_hotplug_save_record     (HvKvmInstance       *instance,
                                                GError             **error);
HvKvmPendingOp *hv_kvm_hotplug_find_pending    (HvKvmRuntime        *runtime,
                                                HvDeviceType         type,
                                                const gchar         *uuid);
void            hv_kvm_hotplug_remove_pending  (HvKvmRuntime        *runtime,
                                                HvKvmPendingOp      *pending);
gboolean        hv_kvm_hotplug_is_removal_step (const gchar         *step);
gboolean        hv_kvm_hotplug_pending_is_removal (HvKvmPendingOp   *pending);

/* what QEMU has */
gboolean        hv_kvm_hotplug_scan_pci        (JsonArray           *query_pci,
                                                HvKvmPciBus         *bus,
                                                GHashTable          *ids,
                                                GError             **error);
gboolean        hv_kvm_hotplug_has_node        (JsonArray           *nodes,
                                                const gchar         *node_name);
gboolean        hv_kvm_hotplug_error_is_class  (const GError        *error,
                                                const gchar         *qmp_class);


/* hv-kvm-hotplug-disk.c */
gboolean        hv_kvm_hotplug_disk_prepare    (HvKvmHotplugOp      *op,
                                                GError             **error);
void            hv_kvm_hotplug_disk_add_steps  (HvKvmHotplugOp      *op);
void            hv_kvm_hotplug_disk_del_steps  (HvKvmHotplugOp      *op);

/* hv-kvm-hotplug-nic.c */
gboolean        hv_kvm_hotplug_nic_open_tap    (HvKvmHotplugOp      *op,
                                                GError             **error);
gboolean        hv_kvm_hotplug_nic_prepare     (HvKvmHotplugOp      *op,
                                                GError             **error);
void            hv_kvm_hotplug_nic_add_steps   (HvKvmHotplugOp      *op);
void            hv_kvm_hotplug_nic_del_steps   (HvKvmHotplugOp      *op);
gchar          *hv_kvm_hotplug_nic_find_tap    (HvKvmInstance       *instance,
                                                GVariant            *dict,
                                                guint                seq);
void            hv_kvm_hotplug_nic_ifdown_async (HvKvmInstance      *instance,
                                                 GVariant           *dict,
                                                 const gchar        *tap,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
gboolean        hv_kvm_hotplug_nic_ifdown_finish (HvKvmInstance     *instance,
                                                  GAsyncResult      *result,
                                                  GError           **error);

/* hv-kvm-hotplug-confirm.c */
void            hv_kvm_hotplug_add_device      (HvKvmHotplugOp      *op,
                                                const gchar         *driver,
                                                JsonObject          *properties);

/* hv-kvm-hotplug-remove.c */
void            hv_kvm_hotplug_step_unplug     (HvKvmHotplugOp      *op,
                                                guint                arg);
void            hv_kvm_hotplug_undo_device_add (HvKvmHotplugOp      *op,
                                                guint                arg);
void            hv_kvm_hotplug_step_commit_del (HvKvmHotplugOp      *op,
                                                guint                arg);

void            hv_kvm_hotplug_finish_removal_async  (HvKvmInstance       *instance,
                                                      HvKvmPendingOp      *pending,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean        hv_kvm_hotplug_finish_removal_finish (HvKvmInstance       *instance,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
