/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * HvKvm's monitor thread: a thread of its own running a GMainContext in
 * which every instance, its QMP connection, its process watch and every
 * operation on it live. Callers in any thread, blocking or not, reach it
 * through hv_kvm_worker_invoke(); results travel back in GTasks, which
 * complete in the caller's context. Or, for a caller whose main loop
 * always runs, that caller's own context (hv_kvm_worker_new_for_context()).
 * See docs/design.md, "The monitor thread".
 */

typedef struct _HvKvmWorker HvKvmWorker;

HvKvmWorker  *hv_kvm_worker_new         (const gchar    *name);
HvKvmWorker  *hv_kvm_worker_new_for_context (GMainContext *context);
void          hv_kvm_worker_free        (HvKvmWorker    *self);
gboolean      hv_kvm_worker_is_current  (HvKvmWorker    *self);
void          hv_kvm_worker_invoke      (HvKvmWorker    *self,
                                         GSourceFunc     func,
                                         gpointer        data,
                                         GDestroyNotify  destroy);
void          hv_kvm_worker_run_sync    (HvKvmWorker    *self,
                                         GSourceFunc     func,
                                         gpointer        data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvKvmWorker, hv_kvm_worker_free)

G_END_DECLS
