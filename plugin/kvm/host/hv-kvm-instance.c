/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "hv-kvm-defaults.h"
#include "hv-kvm-instance.h"
#include "hv-kvm-process.h"

/* The default wait for a guest to give up a hot-removed device. */

struct _HvKvmInstance {
  GObject            parent_instance;

  gchar             *name;
  gchar             *run_dir;
  HvRuntimeStore    *store;
  HvKvmRuntime      *runtime;
  HvKvmQmpClient    *qmp;
  HvKvmCapabilities *capabilities;
  HvNicScript       *ifup;
  HvNicScript       *ifdown;
  guint              removal_timeout_ms;
  guint              command_timeout_ms;
  gchar             *vhost_net_device;
  HvRuntimeStore    *journal_store;   /* the store without fsync, made once */
  GVariant          *hvparams_seen;   /* the record's hvparams hvparams_dict is of */
  GVariantDict      *hvparams_dict;

  /* What hotplug knows of the current QMP connection: reset with it. */
  guint32            pci_used;        /* the bus as last seen, a bit a slot */
  gboolean           pci_known;       /* pci_used is QEMU's own view */
  gboolean           hotplug_watched; /* its DEVICE_DELETED watch is on */

  /* What info keeps of the current connection: reset with it. */
  guint64            balloon_actual;  /* bytes, from BALLOON_CHANGE or query-balloon */
  gboolean           balloon_known;
  guint              n_vcpus;         /* from query-cpus-fast; 0: not asked yet */

  GPid               pid;        /* 0: no process */
  gint               pidfd;      /* -1: none */
  GSource           *exit_source;
  GList             *exit_waiters;  /* GTask */
  HvInstanceState    state;
  gboolean           user_shutdown;
  gboolean           host_powerdown;   /* POWERDOWN seen: the host pressed */
  guint              busy;
  gulong             qmp_event_id;
  GCancellable      *migration;  /* set while a migration of it runs */
  gpointer           migration_state[2];  /* by HvKvmMigrationSide */
  GDestroyNotify     migration_state_free[2];

  GQueue             jobs;       /* QueuedJob, the head one running */
};

G_DEFINE_FINAL_TYPE (HvKvmInstance, hv_kvm_instance, G_TYPE_OBJECT)

enum {
  SIGNAL_STATE_CHANGED,
  SIGNAL_EXITED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  GTask            *task;
  HvKvmInstanceJob  job;
  gulong            completed_id;
} QueuedJob;

static void
queued_job_free (QueuedJob *queued)
{
  g_clear_signal_handler (&queued->completed_id, queued->task);
  g_object_unref (queued->task);
  g_free (queued);
}

static void
hv_kvm_instance_finalize (GObject *object)
{
  HvKvmInstance *self = HV_KVM_INSTANCE (object);

  /* a queued job holds a reference to its instance through its task's
   * source object or data, so none can be left here */
  g_warn_if_fail (g_queue_is_empty (&self->jobs));
  g_warn_if_fail (self->exit_waiters == NULL);
  g_clear_object (&self->migration);
  hv_kvm_instance_set_migration_state (self, HV_KVM_MIGRATION_SIDE_SOURCE, NULL, NULL);
  hv_kvm_instance_set_migration_state (self, HV_KVM_MIGRATION_SIDE_TARGET, NULL, NULL);
  if (self->exit_source != NULL)
    {
      g_source_destroy (self->exit_source);
      g_source_unref (self->exit_source);
    }
  if (self->pidfd >= 0)
    g_close (self->pidfd, NULL);
  hv_kvm_instance_set_qmp (self, NULL);
  g_free (self->name);
  g_free (self->run_dir);
  g_free (self->vhost_net_device);
  g_clear_object (&self->store);
  g_clear_object (&self->journal_store);
  g_clear_pointer (&self->hvparams_seen, g_variant_unref);
  g_clear_pointer (&self->hvparams_dict, g_variant_dict_unref);
  g_clear_pointer (&self->runtime, hv_kvm_runtime_free);
  g_clear_object (&self->qmp);
  g_clear_object (&self->capabilities);
  g_clear_object (&self->ifup);
  g_clear_object (&self->ifdown);

  G_OBJECT_CLASS (hv_kvm_instance_parent_class)->finalize (object);
}

static void
hv_kvm_instance_class_init (HvKvmInstanceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hv_kvm_instance_finalize;

  /* HvKvmInstance::state-changed: the state (an HvInstanceState) changed */
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HV_TYPE_INSTANCE_STATE);
  /* HvKvmInstance::exited: the QEMU process is gone */
  signals[SIGNAL_EXITED] =
    g_signal_new ("exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hv_kvm_instance_init (HvKvmInstance *self)
{
  self->removal_timeout_ms = HV_KVM_DEFAULT_REMOVAL_TIMEOUT_MS;
  self->command_timeout_ms = HV_KVM_DEFAULT_COMMAND_TIMEOUT_MS;
  self->pidfd = -1;
  self->state = HV_INSTANCE_STATE_STOPPED;
  g_queue_init (&self->jobs);
}

/**
 * hv_kvm_instance_new:
 * @name: a valid instance name (hv_instance_name_validate())
 * @run_dir: the hypervisor's run directory
 * @store: the store of the instance's record
 *
 * Returns: (transfer full): an instance with no record, QMP connection or
 *   capabilities yet
 */
HvKvmInstance *
hv_kvm_instance_new (const gchar    *name,
                     const gchar    *run_dir,
                     HvRuntimeStore *store)
{
  HvKvmInstance *self;

  g_return_val_if_fail (hv_instance_name_validate (name, NULL), NULL);
  g_return_val_if_fail (run_dir != NULL, NULL);
  g_return_val_if_fail (HV_IS_RUNTIME_STORE (store), NULL);

  self = g_object_new (HV_KVM_TYPE_INSTANCE, NULL);
  self->name = g_strdup (name);
  self->run_dir = g_strdup (run_dir);
  self->store = g_object_ref (store);
  return self;
}

const gchar *
hv_kvm_instance_get_name (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);

  return self->name;
}

const gchar *
hv_kvm_instance_get_run_dir (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);

  return self->run_dir;
}

/* <run-dir>/<name><suffix>, e.g. suffix ".qmp" */
gchar *
hv_kvm_instance_get_path (HvKvmInstance *self,
                          const gchar   *suffix)
{
  g_autofree gchar *file = NULL;

  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);

  file = g_strconcat (self->name, suffix, NULL);
  return g_build_filename (self->run_dir, file, NULL);
}

HvKvmRuntime *
hv_kvm_instance_get_runtime (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);

  return self->runtime;
}

/* Takes @runtime (transfer full), whose name must be the instance's. */
void
hv_kvm_instance_set_runtime (HvKvmInstance *self,
                             HvKvmRuntime  *runtime)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));
  g_return_if_fail (runtime == NULL || g_strcmp0 (runtime->name, self->name) == 0);

  if (runtime == self->runtime)
    return;
  g_clear_pointer (&self->runtime, hv_kvm_runtime_free);
  self->runtime = runtime;
}

/* The hvparams the instance runs with (its record's), as a hash table
 * for lookups, or NULL without a record: an a{sv} finds a key by walking
 * (and allocating) its entries, some 60 of them, and making the table
 * anew costs a hot-add some 70 µs. Made again when the record's hvparams
 * change; the caller must not change it. */
GVariantDict *
hv_kvm_instance_get_hvparams (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);

  if (self->runtime == NULL || self->runtime->hvparams == NULL)
    return NULL;
  /* the reference kept makes the pointer a fair test: the variant cannot
   * be freed and another made at its address */
  if (self->hvparams_seen != self->runtime->hvparams)
    {
      g_clear_pointer (&self->hvparams_dict, g_variant_dict_unref);
      g_clear_pointer (&self->hvparams_seen, g_variant_unref);
      self->hvparams_seen = g_variant_ref (self->runtime->hvparams);
      self->hvparams_dict = g_variant_dict_new (self->hvparams_seen);
    }
  return self->hvparams_dict;
}

/* Saves the record, durably unless the store says otherwise. */
gboolean
hv_kvm_instance_save_runtime (HvKvmInstance  *self,
                              GError        **error)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), FALSE);
  g_return_val_if_fail (self->runtime != NULL, FALSE);

  return hv_kvm_runtime_save (self->store, self->runtime, error);
}

HvRuntimeStore *
hv_kvm_instance_get_store (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);

  return self->store;
}

HvKvmQmpClient *
hv_kvm_instance_get_qmp (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);

  return self->qmp;
}

/* QEMU's word on its guest: STOP and RESUME pause and run it. SHUTDOWN
 * with guest: true is the guest powering off; it is the guest's own doing
 * (Ganeti's user shutdown) unless the host pressed the power button
 * (POWERDOWN, as a soft stop does) — the same rule as Ganeti's kvmd. A
 * user shutdown is marked on disk so that a restarted hvkit still knows. */
static void
hv_kvm_instance_qmp_event_cb (HvKvmQmpClient *qmp,
                              const gchar    *event,
                              JsonObject     *data,
                              gint64          timestamp,
                              gpointer        user_data)
{
  HvKvmInstance *self = user_data;

  if (g_str_equal (event, "STOP"))
    hv_kvm_instance_set_state (self, HV_INSTANCE_STATE_PAUSED);
  else if (g_str_equal (event, "RESUME"))
    hv_kvm_instance_set_state (self, HV_INSTANCE_STATE_RUNNING);
  else if (g_str_equal (event, "POWERDOWN"))
    self->host_powerdown = TRUE;
  else if (g_str_equal (event, "SHUTDOWN") && !self->host_powerdown &&
           json_object_get_boolean_member_with_default (data, "guest", FALSE))
    hv_kvm_instance_set_user_shutdown (self, TRUE);
  else if (g_str_equal (event, "BALLOON_CHANGE") && json_object_has_member (data, "actual"))
    hv_kvm_instance_set_balloon_actual (self, (guint64) json_object_get_int_member (data,
                                                                                   "actual"));
}

void
hv_kvm_instance_set_qmp (HvKvmInstance  *self,
                         HvKvmQmpClient *qmp)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  if (self->qmp == qmp)
    return;
  if (self->qmp != NULL)
    g_clear_signal_handler (&self->qmp_event_id, self->qmp);
  g_set_object (&self->qmp, qmp);
  /* another QEMU, or the same after a restart of hvkit: seen anew */
  self->pci_used = 0;
  self->pci_known = FALSE;
  self->hotplug_watched = FALSE;
  self->balloon_known = FALSE;
  self->n_vcpus = 0;
  if (qmp != NULL)
    hv_kvm_qmp_client_set_command_timeout (qmp, self->command_timeout_ms);
  if (qmp != NULL)
    self->qmp_event_id = g_signal_connect (qmp, "event",
                                           G_CALLBACK (hv_kvm_instance_qmp_event_cb), self);
}

/* -- the process and the state -------------------------------------------- */

/* One wait for the process to exit, with its timeout and cancellation. */
typedef struct {
  GTask   *task;
  GSource *timeout;
  GSource *cancelled;
} ExitWaiter;

static void
exit_waiter_source_clear (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Takes @waiter out of the list and frees it; @error or success. */
static void
hv_kvm_instance_complete_exit_waiter (HvKvmInstance *self,
                                      ExitWaiter    *waiter,
                                      GError        *error)
{
  self->exit_waiters = g_list_remove (self->exit_waiters, waiter);
  exit_waiter_source_clear (&waiter->timeout);
  exit_waiter_source_clear (&waiter->cancelled);
  if (error != NULL)
    g_task_return_error (waiter->task, error);
  else
    g_task_return_boolean (waiter->task, TRUE);
  g_object_unref (waiter->task);
  g_free (waiter);
}

static void
hv_kvm_instance_complete_exit_waiters (HvKvmInstance *self)
{
  while (self->exit_waiters != NULL)
    hv_kvm_instance_complete_exit_waiter (self, self->exit_waiters->data, NULL);
}

static gboolean
hv_kvm_instance_exited_cb (gint         fd,
                           GIOCondition condition,
                           gpointer     user_data)
{
  HvKvmInstance *self = user_data;
  g_autoptr(HvKvmInstance) keep = g_object_ref (self);

  g_debug ("QEMU of instance %s (pid %d) exited", self->name, (gint) self->pid);
  g_clear_pointer (&self->exit_source, g_source_unref);
  g_close (self->pidfd, NULL);
  self->pidfd = -1;
  self->pid = 0;
  /* QEMU's last events (a guest's SHUTDOWN) may still wait in the socket:
   * the exit is often seen before them, and they say how it ended */
  if (self->qmp != NULL)
    hv_kvm_qmp_client_drain (self->qmp);
  if (self->qmp != NULL)
    hv_kvm_qmp_client_close (self->qmp);
  hv_kvm_instance_set_state (self, self->user_shutdown ? HV_INSTANCE_STATE_SHUTDOWN
                                                       : HV_INSTANCE_STATE_STOPPED);
  g_signal_emit (self, signals[SIGNAL_EXITED], 0);
  hv_kvm_instance_complete_exit_waiters (self);
  return G_SOURCE_REMOVE;
}

/**
 * hv_kvm_instance_set_process:
 * @self: an instance without a process
 * @pid: QEMU's pid
 * @pidfd: a pidfd of @pid (hv_kvm_process_open_pidfd()), taken
 *
 * From now on the instance follows the process: its exit is seen in the
 * thread-default main context of this call.
 */
void
hv_kvm_instance_set_process (HvKvmInstance *self,
                             GPid           pid,
                             gint           pidfd)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));
  g_return_if_fail (self->pidfd < 0);
  g_return_if_fail (pid > 0 && pidfd >= 0);

  self->pid = pid;
  self->pidfd = pidfd;
  self->host_powerdown = FALSE;
  self->exit_source = g_unix_fd_source_new (pidfd, G_IO_IN);
  g_source_set_callback (self->exit_source, G_SOURCE_FUNC (hv_kvm_instance_exited_cb),
                         self, NULL);
  g_source_set_static_name (self->exit_source, "[hvkit] QEMU exit");
  g_source_attach (self->exit_source, g_main_context_get_thread_default ());
}

GPid
hv_kvm_instance_get_pid (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), 0);

  return self->pid;
}

/* TRUE while the QEMU process exists (its exit may not be dispatched yet:
 * the pidfd is asked). */
gboolean
hv_kvm_instance_is_alive (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), FALSE);

  return self->pidfd >= 0 && !hv_kvm_process_pidfd_exited (self->pidfd);
}

gboolean
hv_kvm_instance_kill (HvKvmInstance  *self,
                      gint            signal_number,
                      GError        **error)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), FALSE);

  if (self->pidfd < 0)
    return TRUE;
  return hv_kvm_process_kill (self->pidfd, signal_number, error);
}

static gboolean
hv_kvm_instance_wait_exit_timeout_cb (gpointer user_data)
{
  ExitWaiter *waiter = user_data;
  HvKvmInstance *self = g_task_get_source_object (waiter->task);

  hv_kvm_instance_complete_exit_waiter (
    self, waiter, g_error_new (HV_ERROR, HV_ERROR_TIMEOUT,
                               _("QEMU of instance %s did not exit in time"), self->name));
  return G_SOURCE_REMOVE;
}

static gboolean
hv_kvm_instance_wait_exit_cancelled_cb (GCancellable *cancellable,
                                        gpointer      user_data)
{
  ExitWaiter *waiter = user_data;
  HvKvmInstance *self = g_task_get_source_object (waiter->task);
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  hv_kvm_instance_complete_exit_waiter (self, waiter, error);
  return G_SOURCE_REMOVE;
}

/**
 * hv_kvm_instance_wait_exit_async:
 * @self: an instance
 * @timeout_ms: how long to wait; 0 for ever
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the process is gone, or on timeout
 * @user_data: for @callback
 *
 * Waits for the QEMU process to exit; completes at once if there is none.
 * A timeout is %HV_ERROR_TIMEOUT and leaves the process alone.
 */
void
hv_kvm_instance_wait_exit_async (HvKvmInstance       *self,
                                 guint                timeout_ms,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  ExitWaiter *waiter;

  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  g_task_set_source_tag (task, hv_kvm_instance_wait_exit_async);
  if (self->pidfd < 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  waiter = g_new0 (ExitWaiter, 1);
  waiter->task = g_steal_pointer (&task);
  if (timeout_ms > 0)
    {
      waiter->timeout = g_timeout_source_new (timeout_ms);
      g_source_set_callback (waiter->timeout, hv_kvm_instance_wait_exit_timeout_cb,
                             waiter, NULL);
      g_source_attach (waiter->timeout, g_task_get_context (waiter->task));
    }
  if (cancellable != NULL)
    {
      waiter->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancelled,
                             G_SOURCE_FUNC (hv_kvm_instance_wait_exit_cancelled_cb),
                             waiter, NULL);
      g_source_attach (waiter->cancelled, g_task_get_context (waiter->task));
    }
  self->exit_waiters = g_list_append (self->exit_waiters, waiter);
}

gboolean
hv_kvm_instance_wait_exit_finish (HvKvmInstance  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hv_kvm_instance_wait_exit_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

HvInstanceState
hv_kvm_instance_get_state (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), HV_INSTANCE_STATE_UNKNOWN);

  return self->state;
}

void
hv_kvm_instance_set_state (HvKvmInstance   *self,
                           HvInstanceState  state)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  if (self->state == state)
    return;
  self->state = state;
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, state);
}

gboolean
hv_kvm_instance_get_user_shutdown (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), FALSE);

  return self->user_shutdown;
}

/* Marks (or unmarks) the guest as having powered itself off, in memory and
 * as NAME.shutdown. */
void
hv_kvm_instance_set_user_shutdown (HvKvmInstance *self,
                                   gboolean       user_shutdown)
{
  g_autofree gchar *marker = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  self->user_shutdown = user_shutdown;
  marker = hv_kvm_instance_get_path (self, ".shutdown");
  if (!user_shutdown)
    g_unlink (marker);
  else if (!g_file_set_contents (marker, "", 0, &error))
    g_warning ("Cannot mark the shutdown of instance %s: %s", self->name, error->message);
}

void
hv_kvm_instance_set_capabilities (HvKvmInstance     *self,
                                  HvKvmCapabilities *capabilities)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  g_set_object (&self->capabilities, capabilities);
}

HvNicScript *
hv_kvm_instance_get_ifup_script (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);

  return self->ifup;
}

HvNicScript *
hv_kvm_instance_get_ifdown_script (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);

  return self->ifdown;
}

void
hv_kvm_instance_set_nic_scripts (HvKvmInstance *self,
                                 HvNicScript   *ifup,
                                 HvNicScript   *ifdown)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  g_set_object (&self->ifup, ifup);
  g_set_object (&self->ifdown, ifdown);
}

guint
hv_kvm_instance_get_removal_timeout (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), 0);

  return self->removal_timeout_ms;
}

guint
hv_kvm_instance_get_command_timeout (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), 0);

  return self->command_timeout_ms;
}

void
hv_kvm_instance_set_command_timeout (HvKvmInstance *self,
                                     guint          timeout_ms)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  self->command_timeout_ms = timeout_ms;
  if (self->qmp != NULL)
    hv_kvm_qmp_client_set_command_timeout (self->qmp, timeout_ms);
}

void
hv_kvm_instance_set_removal_timeout (HvKvmInstance *self,
                                     guint          timeout_ms)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  self->removal_timeout_ms = timeout_ms;
}

void
hv_kvm_instance_begin_operation (HvKvmInstance *self)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  self->busy++;
}

void
hv_kvm_instance_end_operation (HvKvmInstance *self)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));
  g_return_if_fail (self->busy > 0);

  self->busy--;
}

gboolean
hv_kvm_instance_is_busy (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), FALSE);

  return self->busy > 0;
}

/* -- NIC files ------------------------------------------------------------ */

static gchar *
hv_kvm_instance_get_nic_dir (HvKvmInstance *self)
{
  return g_build_filename (self->run_dir, "nic", self->name, NULL);
}

/* Atomic (a temporary file renamed) but without fsync: a NIC file names a
 * tap, and no tap outlives a crash of the host, while the fsyncs GLib makes
 * for G_FILE_SET_CONTENTS_CONSISTENT cost 2–15 ms per NIC on a disk. */
static gboolean
hv_kvm_instance_write_nic_file_at (const gchar  *dir,
                                   const gchar  *key,
                                   const gchar  *tap,
                                   GError      **error)
{
  g_autofree gchar *path = g_build_filename (dir, key, NULL);
  g_autofree gchar *temp = g_strdup_printf ("%s/.%s.XXXXXX", dir, key);
  gsize length = strlen (tap);
  gint fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0600);
  gboolean written;
  int errsv;

  if (fd < 0)
    {
      errsv = errno;
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _("Cannot write NIC file '%s': %s"), path,
                   g_strerror (errsv));
      return FALSE;
    }
  written = write (fd, tap, length) == (gssize) length;
  errsv = errno;
  g_close (fd, NULL);
  if (!written || g_rename (temp, path) != 0)
    {
      if (written)
        errsv = errno;
      g_unlink (temp);
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _("Cannot write NIC file '%s': %s"), path,
                   g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/**
 * hv_kvm_instance_write_nic_file:
 * @self: an instance
 * @seq: the NIC's index
 * @uuid: (nullable): the NIC's uuid
 * @tap: the name of its tap device
 * @error: return location for a #GError
 *
 * Records which tap a NIC uses, by sequence number and by uuid, as
 * Ganeti's NIC files do: what ifdown needs when nothing else is known.
 *
 * Returns: %TRUE on success
 */
gboolean
hv_kvm_instance_write_nic_file (HvKvmInstance  *self,
                                guint           seq,
                                const gchar    *uuid,
                                const gchar    *tap,
                                GError        **error)
{
  g_autofree gchar *dir = NULL;
  g_autofree gchar *seq_key = NULL;

  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), FALSE);
  g_return_val_if_fail (tap != NULL, FALSE);

  dir = hv_kvm_instance_get_nic_dir (self);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot create the NIC directory '%s': %s"), dir, g_strerror (errsv));
      return FALSE;
    }
  seq_key = g_strdup_printf ("%u", seq);
  if (!hv_kvm_instance_write_nic_file_at (dir, seq_key, tap, error))
    return FALSE;
  /* a uuid is a file name only if it looks like one */
  if (uuid != NULL && *uuid != '\0' && g_uuid_string_is_valid (uuid) &&
      !hv_kvm_instance_write_nic_file_at (dir, uuid, tap, error))
    return FALSE;
  return TRUE;
}

/* The tap recorded under @key (a sequence number or a uuid), or NULL. */
gchar *
hv_kvm_instance_read_nic_file (HvKvmInstance *self,
                               const gchar   *key)
{
  g_autofree gchar *dir = NULL;
  g_autofree gchar *path = NULL;
  gchar *contents = NULL;

  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);
  g_return_val_if_fail (key != NULL && strchr (key, '/') == NULL, NULL);

  dir = hv_kvm_instance_get_nic_dir (self);
  path = g_build_filename (dir, key, NULL);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return g_strstrip (contents);
}

void
hv_kvm_instance_remove_nic_file (HvKvmInstance *self,
                                 guint          seq,
                                 const gchar   *uuid)
{
  g_autofree gchar *dir = NULL;
  g_autofree gchar *seq_key = NULL;
  g_autofree gchar *seq_path = NULL;

  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  dir = hv_kvm_instance_get_nic_dir (self);
  seq_key = g_strdup_printf ("%u", seq);
  seq_path = g_build_filename (dir, seq_key, NULL);
  g_unlink (seq_path);
  if (uuid != NULL && *uuid != '\0' && g_uuid_string_is_valid (uuid))
    {
      g_autofree gchar *uuid_path = g_build_filename (dir, uuid, NULL);

      g_unlink (uuid_path);
    }
}

/* Removes <run-dir>/nic/<name> and everything in it. */
void
hv_kvm_instance_remove_nic_files (HvKvmInstance *self)
{
  g_autofree gchar *dir = NULL;
  g_autoptr(GDir) listing = NULL;
  const gchar *entry;

  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  dir = hv_kvm_instance_get_nic_dir (self);
  listing = g_dir_open (dir, 0, NULL);
  if (listing == NULL)
    return;
  while ((entry = g_dir_read_name (listing)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, entry, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

/* -- the queue ------------------------------------------------------------ */

static void hv_kvm_instance_run_next_job (HvKvmInstance *self);

static void
hv_kvm_instance_job_completed_cb (GObject    *task,
                                  GParamSpec *pspec,
                                  gpointer    user_data)
{
  HvKvmInstance *self = user_data;
  QueuedJob *queued = g_queue_pop_head (&self->jobs);

  /* only the head job runs, so only its task can complete here */
  g_return_if_fail (queued != NULL && (GObject *) queued->task == task);
  queued_job_free (queued);
  hv_kvm_instance_run_next_job (self);
  g_object_unref (self);
}

static void
hv_kvm_instance_run_next_job (HvKvmInstance *self)
{
  QueuedJob *queued = g_queue_peek_head (&self->jobs);

  if (queued == NULL)
    return;
  /* GTask notifies "completed" once its callback has run, in its context */
  queued->completed_id = g_signal_connect (queued->task, "notify::completed",
                                           G_CALLBACK (hv_kvm_instance_job_completed_cb),
                                           g_object_ref (self));
  queued->job (self, queued->task);
}

/**
 * hv_kvm_instance_queue_job:
 * @self: an instance
 * @task: the task @job completes, of this instance's main context
 * @job: what to do when the jobs before it are done
 *
 * Queues @job; it runs now if the queue is empty.
 */
void
hv_kvm_instance_queue_job (HvKvmInstance    *self,
                           GTask            *task,
                           HvKvmInstanceJob  job)
{
  QueuedJob *queued;

  g_return_if_fail (HV_KVM_IS_INSTANCE (self));
  g_return_if_fail (G_IS_TASK (task) && !g_task_get_completed (task));
  g_return_if_fail (job != NULL);

  queued = g_new0 (QueuedJob, 1);
  queued->task = g_object_ref (task);
  queued->job = job;
  g_queue_push_tail (&self->jobs, queued);
  if (self->jobs.length == 1)
    hv_kvm_instance_run_next_job (self);
}

/* Jobs queued or running. */
guint
hv_kvm_instance_get_queue_length (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), 0);

  return self->jobs.length;
}

/* -- NICs ------------------------------------------------------------------ */

const gchar *
hv_kvm_instance_get_vhost_net_device (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);

  return self->vhost_net_device != NULL ? self->vhost_net_device
                                        : HV_KVM_DEFAULT_VHOST_NET_DEVICE;
}

void
hv_kvm_instance_set_vhost_net_device (HvKvmInstance *self,
                                      const gchar   *path)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  g_free (self->vhost_net_device);
  self->vhost_net_device = g_strdup (path);
}

void
hv_kvm_instance_remove_nic_files_of_tap (HvKvmInstance *self,
                                         const gchar   *tap)
{
  g_autofree gchar *dir = NULL;
  g_autoptr(GDir) listing = NULL;
  const gchar *entry;

  g_return_if_fail (HV_KVM_IS_INSTANCE (self));
  g_return_if_fail (tap != NULL);

  dir = hv_kvm_instance_get_nic_dir (self);
  listing = g_dir_open (dir, 0, NULL);
  if (listing == NULL)
    return;
  while ((entry = g_dir_read_name (listing)) != NULL)
    {
      g_autofree gchar *contents = hv_kvm_instance_read_nic_file (self, entry);

      if (contents != NULL && g_str_equal (contents, tap))
        {
          g_autofree gchar *path = g_build_filename (dir, entry, NULL);

          g_unlink (path);
        }
    }
}

/* -- what hotplug keeps of the instance --------------------------------- */

/* The journal is written without fsync: it is there for a crash of hvkit
 * while QEMU goes on running; a crash of the host ends QEMU too, and with
 * it everything the journal could have repaired. */
HvRuntimeStore *
hv_kvm_instance_get_journal_store (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);

  if (!hv_runtime_store_get_durable (self->store))
    return self->store;
  if (self->journal_store == NULL)
    {
      self->journal_store = hv_kvm_runtime_store_new (hv_runtime_store_get_run_dir (self->store));
      hv_runtime_store_set_durable (self->journal_store, FALSE);
    }
  return self->journal_store;
}

/* The PCI bus as hotplug last saw it on the current connection (a
 * query-pci, and its own changes since); FALSE when it has not seen it. */
gboolean
hv_kvm_instance_get_pci_view (HvKvmInstance *self,
                              guint32       *used)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), FALSE);

  *used = self->pci_used;
  return self->pci_known;
}

void
hv_kvm_instance_set_pci_view (HvKvmInstance *self,
                              guint32        used,
                              gboolean       known)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  self->pci_used = used;
  self->pci_known = known;
}

/*
 * What info need not ask QEMU each time, on the current connection. The
 * balloon's size changes only when the guest moves it, and QEMU tells
 * every monitor with BALLOON_CHANGE (at most once a second, the last value
 * always sent): so after one query-balloon, the events keep it. The vCPUs
 * are counted once: hvkit plugs none. Asking both at every info made QEMU
 * spend 0.6 ms of CPU per instance (query-balloon walks every memory
 * device), three quarters of GetAllInstancesInfo's time with 100
 * instances (tests/bench/bench-scale).
 */
gboolean
hv_kvm_instance_get_balloon_actual (HvKvmInstance *self,
                                    guint64       *actual)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), FALSE);

  *actual = self->balloon_actual;
  return self->balloon_known;
}

void
hv_kvm_instance_set_balloon_actual (HvKvmInstance *self,
                                    guint64        actual)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  self->balloon_actual = actual;
  self->balloon_known = self->qmp != NULL;
}

guint
hv_kvm_instance_get_n_vcpus (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), 0);

  return self->n_vcpus;
}

void
hv_kvm_instance_set_n_vcpus (HvKvmInstance *self,
                             guint          n_vcpus)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  self->n_vcpus = self->qmp != NULL ? n_vcpus : 0;
}

/* TRUE the first time it is asked on a connection: hotplug then watches
 * it for late DEVICE_DELETED events, once. */
gboolean
hv_kvm_instance_claim_hotplug_watch (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), FALSE);

  if (self->qmp == NULL || self->hotplug_watched)
    return FALSE;
  self->hotplug_watched = TRUE;
  return TRUE;
}

/* -- migration ------------------------------------------------------------- */

/* While a migration of the instance runs (on either side), @cancellable
 * is set: hotplug and balloon are refused, a stop cancels it first. NULL
 * ends it. */
void
hv_kvm_instance_set_migration (HvKvmInstance *self,
                               GCancellable  *cancellable)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  g_set_object (&self->migration, cancellable);
}

gboolean
hv_kvm_instance_is_migrating (HvKvmInstance *self)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), FALSE);

  return self->migration != NULL;
}

void
hv_kvm_instance_cancel_migration (HvKvmInstance *self)
{
  g_return_if_fail (HV_KVM_IS_INSTANCE (self));

  if (self->migration != NULL)
    g_cancellable_cancel (self->migration);
}

/* The error of an operation refused because a migration runs. */
gboolean
hv_kvm_instance_check_not_migrating (HvKvmInstance  *self,
                                     const gchar    *operation,
                                     GError        **error)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), FALSE);

  if (self->migration == NULL)
    return TRUE;
  g_set_error (error, HV_ERROR, HV_ERROR_MIGRATION,
               _("Cannot %s instance %s: a migration of it runs"), operation, self->name);
  return FALSE;
}

gpointer
hv_kvm_instance_get_migration_state (HvKvmInstance      *self,
                                     HvKvmMigrationSide  side)
{
  g_return_val_if_fail (HV_KVM_IS_INSTANCE (self), NULL);
  g_return_val_if_fail (side <= HV_KVM_MIGRATION_SIDE_TARGET, NULL);

  return self->migration_state[side];
}

void
hv_kvm_instance_set_migration_state (HvKvmInstance      *self,
                                     HvKvmMigrationSide  side,
                                     gpointer            data,
                                     GDestroyNotify      data_free)
{
  gpointer old;
  GDestroyNotify old_free;

  g_return_if_fail (HV_KVM_IS_INSTANCE (self));
  g_return_if_fail (side <= HV_KVM_MIGRATION_SIDE_TARGET);

  old = self->migration_state[side];
  old_free = self->migration_state_free[side];
  self->migration_state[side] = data;
  self->migration_state_free[side] = data_free;
  if (old != NULL && old_free != NULL)
    old_free (old);
}
