/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include "hv-kvm-worker.h"

/*
 * Why a thread: an instance's QMP connection is persistent, and must be
 * read whenever QEMU speaks (a SHUTDOWN, a late DEVICE_DELETED), not only
 * while its owner happens to iterate a main loop. A blocking _sync call
 * iterates a private context of its own (framework/hv-hypervisor-sync.c),
 * so a connection bound to the caller's context would stall for its whole
 * length, and one bound to the private context would die with it. The
 * monitor thread's context is iterated all the time, whoever calls and
 * however; everything in it is asynchronous GIO, as in the caller's.
 *
 * A caller whose own main loop runs all the time and never blocks (a
 * daemon such as hvkitd, which never uses the _sync wrappers) may have the
 * work in its context instead (hv_kvm_worker_new_for_context()): what QEMU
 * answers then reaches the caller's callback with no thread between them,
 * one handoff less each way.
 */

struct _HvKvmWorker {
  GThread      *thread;         /* NULL: the work runs in the owner's context */
  GThread      *owner;          /* without a thread: the one iterating context */
  GMainContext *context;
  GMainLoop    *loop;           /* with a thread only */
  gboolean      free_on_exit;   /* freed from inside: the thread frees it */
};

static void
hv_kvm_worker_destroy (HvKvmWorker *self)
{
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_main_context_unref (self->context);
  g_free (self);
}

static gpointer
hv_kvm_worker_thread (gpointer user_data)
{
  HvKvmWorker *self = user_data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  /* what was queued before the quit still runs (sources' destroy notifies
   * included), so no operation is dropped on the floor */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  if (self->free_on_exit)
    hv_kvm_worker_destroy (self);
  return NULL;
}

HvKvmWorker *
hv_kvm_worker_new (const gchar *name)
{
  HvKvmWorker *self = g_new0 (HvKvmWorker, 1);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new (name, hv_kvm_worker_thread, self);
  return self;
}

/* The work in @context, which the calling thread iterates all the time:
 * no thread of its own. Queued calls still run later, never from inside
 * hv_kvm_worker_invoke(). */
HvKvmWorker *
hv_kvm_worker_new_for_context (GMainContext *context)
{
  HvKvmWorker *self = g_new0 (HvKvmWorker, 1);

  self->context = g_main_context_ref (context);
  self->owner = g_thread_self ();
  return self;
}

static gboolean
hv_kvm_worker_quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Stops the thread once what is queued has run, and waits for it. From
 * the thread itself (its owner's last reference went in a callback there)
 * it cannot wait: the thread then ends, and frees this, on its own. */
void
hv_kvm_worker_free (HvKvmWorker *self)
{
  if (self == NULL)
    return;
  /* in the owner's context: what is queued there runs when the owner
   * iterates it again, as anything else of the owner's */
  if (self->thread == NULL)
    {
      hv_kvm_worker_destroy (self);
      return;
    }

  hv_kvm_worker_invoke (self, hv_kvm_worker_quit_cb, g_main_loop_ref (self->loop),
                        (GDestroyNotify) g_main_loop_unref);
  if (hv_kvm_worker_is_current (self))
    {
      self->free_on_exit = TRUE;
      g_thread_unref (self->thread);
      return;
    }
  g_thread_join (self->thread);
  hv_kvm_worker_destroy (self);
}

gboolean
hv_kvm_worker_is_current (HvKvmWorker *self)
{
  return g_thread_self () == (self->thread != NULL ? self->thread : self->owner);
}

/* Runs @func once in the monitor thread, later, never from inside this
 * call: callers may hold what @func takes. */
void
hv_kvm_worker_invoke (HvKvmWorker    *self,
                      GSourceFunc     func,
                      gpointer        data,
                      GDestroyNotify  destroy)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[hvkit] monitor thread call");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

typedef struct {
  GSourceFunc func;
  gpointer    data;
  GMutex      mutex;
  GCond       cond;
  gboolean    done;
} SyncCall;

static gboolean
hv_kvm_worker_sync_cb (gpointer user_data)
{
  SyncCall *call = user_data;

  call->func (call->data);
  g_mutex_lock (&call->mutex);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->mutex);
  return G_SOURCE_REMOVE;
}

/* Runs @func in the monitor thread and waits until it has returned: for
 * short reads of the thread's state, never for anything that waits. */
void
hv_kvm_worker_run_sync (HvKvmWorker *self,
                        GSourceFunc  func,
                        gpointer     data)
{
  SyncCall call = { func, data };

  if (hv_kvm_worker_is_current (self))
    {
      func (data);
      return;
    }
  g_mutex_init (&call.mutex);
  g_cond_init (&call.cond);
  hv_kvm_worker_invoke (self, hv_kvm_worker_sync_cb, &call, NULL);
  g_mutex_lock (&call.mutex);
  while (!call.done)
    g_cond_wait (&call.cond, &call.mutex);
  g_mutex_unlock (&call.mutex);
  g_mutex_clear (&call.mutex);
  g_cond_clear (&call.cond);
}
