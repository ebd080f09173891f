/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-kvm-iface.h"
#include "hv-kvm-migration.h"

/*
 * HvKvm's migration methods, Ganeti's sequence: MigrationInfo on the
 * source, AcceptInstance on the target, MigrateInstance on the source,
 * then FinalizeMigrationDst and FinalizeMigrationSource with the outcome;
 * GetMigrationStatus at any time. Each checks what it can where it is
 * called, makes its task in the caller's context with the typed data of
 * its operation, and runs the operation (migration/) in the monitor
 * thread; the result comes back in that task.
 */

/* The data of a migration call. */
typedef struct {
  HvInstance *instance;   /* NULL when only the name was given */
  gchar      *name;
  GBytes     *info;       /* accept, finalize_dst */
  gchar      *target;     /* accept: this node's address; migrate: the target's */
  gboolean    live;       /* migrate, finalize_source */
  gboolean    success;    /* the finalizes */
} MigrationCall;

static void
migration_call_free (MigrationCall *call)
{
  g_clear_object (&call->instance);
  g_free (call->name);
  g_clear_pointer (&call->info, g_bytes_unref);
  g_free (call->target);
  g_free (call);
}

static MigrationCall *
migration_call_new (HvInstance *instance)
{
  MigrationCall *call = g_new0 (MigrationCall, 1);

  call->instance = g_object_ref (instance);
  call->name = g_strdup (hv_instance_get_name (instance));
  return call;
}

static GTask *
migration_task_new (HvHypervisor        *hypervisor,
                    gpointer             source_tag,
                    MigrationCall       *call,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  return hv_kvm_task_new (hypervisor, source_tag, call, (GDestroyNotify) migration_call_free,
                          cancellable, callback, user_data);
}

/* The name becomes file names; the address goes into a URI. */
static gboolean
migration_check (MigrationCall  *call,
                 GError        **error)
{
  if (!hv_instance_name_validate (call->name, error))
    return FALSE;
  if (call->target != NULL &&
      (*call->target == '\0' || strpbrk (call->target, " ,/\\\"'") != NULL))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("'%s' is not an address to migrate instance %s to"), call->target,
                   call->name);
      return FALSE;
    }
  return TRUE;
}

/* Fails @task at once when the call's arguments are wrong, else runs
 * @func in the monitor thread. */
static void
migration_invoke (HvHypervisor    *hypervisor,
                  GTask           *task,
                  HvKvmThreadFunc  func)
{
  GError *error = NULL;

  if (!migration_check (g_task_get_task_data (task), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  hv_kvm_invoke (HV_KVM (hypervisor), task, func);
}

/* -- MigrationInfo ------------------------------------------------------------ */

static GBytes *
hv_kvm_migration_info_vfunc (HvHypervisor  *hypervisor,
                             HvInstance    *instance,
                             GError       **error)
{
  /* the record file, as the store keeps it: no QEMU is asked */
  return hv_kvm_migration_info (hv_kvm_get_host (HV_KVM (hypervisor)),
                                hv_instance_get_name (instance), error);
}

/* -- AcceptInstance ----------------------------------------------------------- */

HV_KVM_RELAY_BOOLEAN (accept_done_cb, hv_kvm_accept_finish)

static void
accept_in_thread (HvKvmHost *host,
                  GTask     *task)
{
  MigrationCall *call = g_task_get_task_data (task);

  hv_kvm_accept_async (host, call->instance, call->info, call->target,
                       g_task_get_cancellable (task), accept_done_cb, task);
}

static void
hv_kvm_accept_instance_async (HvHypervisor        *hypervisor,
                              HvInstance          *instance,
                              GBytes              *info,
                              const gchar         *target,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  MigrationCall *call = migration_call_new (instance);

  call->info = g_bytes_ref (info);
  call->target = g_strdup (target);
  migration_invoke (hypervisor,
                    migration_task_new (hypervisor, hv_kvm_accept_instance_async, call,
                                        cancellable, callback, user_data),
                    accept_in_thread);
}

static gboolean
hv_kvm_accept_instance_finish (HvHypervisor  *hypervisor,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result, hv_kvm_accept_instance_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- FinalizeMigrationDst ----------------------------------------------------- */

HV_KVM_RELAY_BOOLEAN (finalize_dst_done_cb, hv_kvm_finalize_dst_finish)

static void
finalize_dst_in_thread (HvKvmHost *host,
                        GTask     *task)
{
  MigrationCall *call = g_task_get_task_data (task);

  hv_kvm_finalize_dst_async (host, call->instance, call->success,
                             g_task_get_cancellable (task), finalize_dst_done_cb, task);
}

static void
hv_kvm_finalize_migration_dst_async (HvHypervisor        *hypervisor,
                                     HvInstance          *instance,
                                     GBytes              *info,
                                     gboolean             success,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  MigrationCall *call = migration_call_new (instance);

  call->info = g_bytes_ref (info);
  call->success = success;
  migration_invoke (hypervisor,
                    migration_task_new (hypervisor, hv_kvm_finalize_migration_dst_async, call,
                                        cancellable, callback, user_data),
                    finalize_dst_in_thread);
}

static gboolean
hv_kvm_finalize_migration_dst_finish (HvHypervisor  *hypervisor,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result,
                                           hv_kvm_finalize_migration_dst_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- MigrateInstance ---------------------------------------------------------- */

HV_KVM_RELAY_BOOLEAN (migrate_done_cb, hv_kvm_migrate_finish)

static void
migrate_in_thread (HvKvmHost *host,
                   GTask     *task)
{
  MigrationCall *call = g_task_get_task_data (task);

  hv_kvm_migrate_async (host, call->instance, call->target, call->live,
                        g_task_get_cancellable (task), migrate_done_cb, task);
}

static void
hv_kvm_migrate_instance_async (HvHypervisor        *hypervisor,
                               HvInstance          *instance,
                               const gchar         *target,
                               gboolean             live,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  MigrationCall *call = migration_call_new (instance);
  GTask *task;

  call->target = g_strdup (target);
  call->live = live;
  task = migration_task_new (hypervisor, hv_kvm_migrate_instance_async, call, cancellable,
                             callback, user_data);
  /* QEMU's outcome, not the cancellable's: cancelled too late, the guest
   * is on the target and the caller must finalize it so */
  g_task_set_check_cancellable (task, FALSE);
  migration_invoke (hypervisor, task, migrate_in_thread);
}

static gboolean
hv_kvm_migrate_instance_finish (HvHypervisor  *hypervisor,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result, hv_kvm_migrate_instance_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- GetMigrationStatus ------------------------------------------------------- */

static void
status_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError *error = NULL;
  HvMigrationStatus *status = hv_kvm_migration_status_finish (result, &error);

  hv_kvm_return_pointer (user_data, status, g_object_unref, error);
}

static void
status_in_thread (HvKvmHost *host,
                  GTask     *task)
{
  MigrationCall *call = g_task_get_task_data (task);

  hv_kvm_migration_status_async (host, call->name, g_task_get_cancellable (task),
                                 status_done_cb, task);
}

static void
hv_kvm_get_migration_status_async (HvHypervisor        *hypervisor,
                                   HvInstance          *instance,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  migration_invoke (hypervisor,
                    migration_task_new (hypervisor, hv_kvm_get_migration_status_async,
                                        migration_call_new (instance), cancellable, callback,
                                        user_data),
                    status_in_thread);
}

static HvMigrationStatus *
hv_kvm_get_migration_status_finish (HvHypervisor  *hypervisor,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result,
                                           hv_kvm_get_migration_status_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -- FinalizeMigrationSource -------------------------------------------------- */

HV_KVM_RELAY_BOOLEAN (finalize_source_done_cb, hv_kvm_finalize_source_finish)

static void
finalize_source_in_thread (HvKvmHost *host,
                           GTask     *task)
{
  MigrationCall *call = g_task_get_task_data (task);

  hv_kvm_finalize_source_async (host, call->name, call->success, call->live,
                                g_task_get_cancellable (task), finalize_source_done_cb, task);
}

static void
hv_kvm_finalize_migration_source_async (HvHypervisor        *hypervisor,
                                        HvInstance          *instance,
                                        gboolean             success,
                                        gboolean             live,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  MigrationCall *call = migration_call_new (instance);

  call->success = success;
  call->live = live;
  migration_invoke (hypervisor,
                    migration_task_new (hypervisor, hv_kvm_finalize_migration_source_async,
                                        call, cancellable, callback, user_data),
                    finalize_source_in_thread);
}

static gboolean
hv_kvm_finalize_migration_source_finish (HvHypervisor  *hypervisor,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (hv_kvm_task_check (hypervisor, result,
                                           hv_kvm_finalize_migration_source_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
hv_kvm_migration_iface_init (HvHypervisorInterface *iface)
{
  iface->migration_info = hv_kvm_migration_info_vfunc;
  iface->accept_instance_async = hv_kvm_accept_instance_async;
  iface->accept_instance_finish = hv_kvm_accept_instance_finish;
  iface->finalize_migration_dst_async = hv_kvm_finalize_migration_dst_async;
  iface->finalize_migration_dst_finish = hv_kvm_finalize_migration_dst_finish;
  iface->migrate_instance_async = hv_kvm_migrate_instance_async;
  iface->migrate_instance_finish = hv_kvm_migrate_instance_finish;
  iface->get_migration_status_async = hv_kvm_get_migration_status_async;
  iface->get_migration_status_finish = hv_kvm_get_migration_status_finish;
  iface->finalize_migration_source_async = hv_kvm_finalize_migration_source_async;
  iface->finalize_migration_source_finish = hv_kvm_finalize_migration_source_finish;
}
