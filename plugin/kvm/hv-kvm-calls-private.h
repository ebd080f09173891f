/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include "hv-kvm-private.h"

G_BEGIN_DECLS

/*
 * The arguments of one call of the interface, as the monitor thread gets
 * them: the task data of every task hv_kvm_call() makes. Which fields
 * mean something depends on the method.
 */
typedef struct {
  HvKvm          *kvm;         /* not a reference: the caller's task holds one */
  gchar          *name;        /* the instance's name */
  HvInstance     *instance;    /* nullable */
  HvDevice       *device;      /* hotplug */
  guint           seq;         /* hotplug */
  gboolean        paused;      /* start: startup_paused */
  gboolean        force;       /* stop */
  gboolean        retry;       /* stop */
  guint           timeout_s;   /* stop */
  gint64          memory;      /* balloon, MiB */
  HvKvmRuntime   *runtime;     /* start: a record to start from (reboot) */

  /* the state of the operation while it runs, freed with the data */
  gpointer        op;
  GDestroyNotify  op_free;
} HvKvmCallData;

HvKvmCallData *hv_kvm_task_get_call_data (GTask                 *task);

void           hv_kvm_calls_iface_init   (HvHypervisorInterface *iface);

G_END_DECLS
