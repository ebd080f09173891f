/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-kvm-lifecycle.h"
#include "hv-kvm-process.h"
#include "hv-kvm-qmp-commands.h"

/*
 * What HvKvm tells about instances and the node: info, list, console,
 * balloon, node info and verify. Everything QEMU is asked goes over the
 * instance's one persistent connection, the three questions of an info
 * call at once (QEMU's QMP socket serves one client: Ganeti's connection
 * per call competed with its own kvmd).
 */

/* -- GetInstanceInfo ------------------------------------------------------ */

typedef struct {
  HvInstanceInfo *info;
  guint           pending;
  GError         *error;
} InfoQuery;

static void
info_query_free (InfoQuery *query)
{
  g_clear_object (&query->info);
  g_clear_error (&query->error);
  g_free (query);
}

static void
info_query_answered (GTask  *task,
                     GError *error)
{
  InfoQuery *query = g_task_get_task_data (task);

  if (error != NULL && query->error == NULL)
    query->error = error;
  else if (error != NULL)
    g_error_free (error);
  if (--query->pending > 0)
    {
      g_object_unref (task);
      return;
    }
  if (query->error != NULL)
    g_task_return_error (task, g_steal_pointer (&query->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&query->info), g_object_unref);
  g_object_unref (task);
}

static void
info_status_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  InfoQuery *query = g_task_get_task_data (task);
  g_autofree gchar *status = NULL;
  gboolean running = FALSE;
  GError *error = NULL;

  status = hv_kvm_qmp_query_status_finish (HV_KVM_QMP_CLIENT (source), result, &running, &error);
  if (status != NULL)
    hv_instance_info_set_state (query->info,
                                running ? HV_INSTANCE_STATE_RUNNING
                                        : g_str_equal (status, "shutdown")
                                          ? HV_INSTANCE_STATE_SHUTDOWN
                                          : HV_INSTANCE_STATE_PAUSED);
  info_query_answered (task, error);
}

static void
info_balloon_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  InfoQuery *query = g_task_get_task_data (task);
  guint64 actual = 0;
  GError *error = NULL;

  if (hv_kvm_qmp_query_balloon_finish (HV_KVM_QMP_CLIENT (source), result, &actual, &error))
    {
      hv_instance_info_set_memory (query->info, (gint64) (actual >> 20));
      hv_kvm_instance_set_balloon_actual (g_task_get_source_object (task), actual);
    }
  info_query_answered (task, error);
}

static void
info_cpus_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  InfoQuery *query = g_task_get_task_data (task);
  g_autoptr(JsonArray) cpus = NULL;
  GError *error = NULL;

  cpus = hv_kvm_qmp_query_cpus_fast_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  if (cpus != NULL)
    {
      hv_instance_info_set_vcpus (query->info, json_array_get_length (cpus));
      hv_kvm_instance_set_n_vcpus (g_task_get_source_object (task), json_array_get_length (cpus));
    }
  info_query_answered (task, error);
}

/* The info of a known instance: a guest that powered itself off answers
 * from what hvkit saw; a running one from QEMU (memory from the balloon,
 * vCPUs from query-cpus-fast, the state from query-status) and /proc. */
static void
info_collect_async (HvKvmInstance       *instance,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = g_task_new (instance, cancellable, callback, user_data);
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);
  InfoQuery *query = g_new0 (InfoQuery, 1);
  guint64 actual = 0;

  g_task_set_source_tag (task, info_collect_async);
  query->info = hv_instance_info_new (hv_kvm_instance_get_name (instance));
  g_task_set_task_data (task, query, (GDestroyNotify) info_query_free);

  if (!hv_kvm_instance_is_alive (instance))
    {
      if (hv_kvm_instance_get_user_shutdown (instance))
        {
          hv_instance_info_set_state (query->info, HV_INSTANCE_STATE_SHUTDOWN);
          g_task_return_pointer (task, g_steal_pointer (&query->info), g_object_unref);
        }
      else
        g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                                 _("Instance %s is not running"),
                                 hv_kvm_instance_get_name (instance));
      g_object_unref (task);
      return;
    }
  if (qmp == NULL || !hv_kvm_qmp_client_is_connected (qmp))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_MONITOR,
                               _("Instance %s runs, but hvkit has no connection to its QEMU"),
                               hv_kvm_instance_get_name (instance));
      g_object_unref (task);
      return;
    }
  hv_instance_info_set_pid (query->info, hv_kvm_instance_get_pid (instance));
  hv_instance_info_set_cpu_time (query->info,
                                 hv_kvm_process_get_cpu_time (hv_kvm_instance_get_pid (instance)));
  /* the state from QEMU every time (it also proves QEMU answers); the
   * balloon and the vCPUs as the connection keeps them, once known
   * (hv_kvm_instance_get_balloon_actual) */
  query->pending = 1;
  if (hv_kvm_instance_get_balloon_actual (instance, &actual))
    hv_instance_info_set_memory (query->info, (gint64) (actual >> 20));
  else
    {
      query->pending++;
      hv_kvm_qmp_query_balloon_async (qmp, cancellable, info_balloon_cb, g_object_ref (task));
    }
  if (hv_kvm_instance_get_n_vcpus (instance) > 0)
    hv_instance_info_set_vcpus (query->info, hv_kvm_instance_get_n_vcpus (instance));
  else
    {
      query->pending++;
      hv_kvm_qmp_query_cpus_fast_async (qmp, cancellable, info_cpus_cb, g_object_ref (task));
    }
  hv_kvm_qmp_query_status_async (qmp, cancellable, info_status_cb, task);
}

static HvInstanceInfo *
info_collect_finish (GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
info_query_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  HvInstanceInfo *info = info_collect_finish (result, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, g_object_unref);
}

static void
info_job (HvKvmInstance *instance,
          GTask         *task)
{
  info_collect_async (instance, g_task_get_cancellable (task), info_query_cb,
                      g_object_ref (task));
}

/* The info of a known instance. Not queued while QEMU answers: info must
 * come while a long hotplug or stop waits for the guest, and the
 * connection carries both at once. Without a connection (a start or a
 * takeover is making it) it waits for the jobs before it. The task's
 * source object is @instance. */
static void
info_query_async (HvKvmInstance       *instance,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (instance, cancellable, callback, user_data);
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);

  g_task_set_source_tag (task, info_query_async);
  if (hv_kvm_instance_is_alive (instance) &&
      (qmp == NULL || !hv_kvm_qmp_client_is_connected (qmp)) &&
      hv_kvm_instance_get_queue_length (instance) > 0)
    {
      hv_kvm_instance_queue_job (instance, task, info_job);
      g_object_unref (task);
      return;
    }
  info_collect_async (instance, cancellable, info_query_cb, task);
}

void
hv_kvm_info_async (HvKvmHost           *self,
                   const gchar         *name,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (self, name);

  g_task_set_source_tag (task, hv_kvm_info_async);
  if (instance == NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                               _("Instance %s is not running"), name);
      g_object_unref (task);
      return;
    }
  info_query_async (instance, g_task_get_cancellable (task), info_query_cb, task);
}

HvInstanceInfo *
hv_kvm_info_finish (GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_info_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -- GetAllInstancesInfo -------------------------------------------------- */

typedef struct {
  GPtrArray *infos;     /* HvInstanceInfo, in the order of the instances */
  guint      pending;
} AllInfo;

static gint
compare_infos (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (hv_instance_info_get_name (*(HvInstanceInfo **) a),
                    hv_instance_info_get_name (*(HvInstanceInfo **) b));
}

static void
all_info_free (AllInfo *all)
{
  g_ptr_array_unref (all->infos);
  g_free (all);
}

static void
all_info_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  AllInfo *all = g_task_get_task_data (task);
  HvKvmInstance *instance = HV_KVM_INSTANCE (source);
  g_autoptr(GError) error = NULL;
  HvInstanceInfo *info = info_collect_finish (result, &error);

  /* Only an instance whose QEMU is gone is left out: a cluster manager
   * reads "not in the list" as "not running", and may start it again
   * elsewhere. One that runs but did not answer is listed with what is
   * known of it. */
  if (info == NULL && hv_kvm_instance_is_alive (instance))
    {
      GPid pid = hv_kvm_instance_get_pid (instance);

      g_debug ("instance %s runs, but: %s", hv_kvm_instance_get_name (instance),
               error->message);
      info = hv_instance_info_new (hv_kvm_instance_get_name (instance));
      hv_instance_info_set_state (info, hv_kvm_instance_get_state (instance));
      hv_instance_info_set_pid (info, pid);
      hv_instance_info_set_cpu_time (info, hv_kvm_process_get_cpu_time (pid));
    }
  if (info != NULL)
    g_ptr_array_add (all->infos, info);
  else
    g_debug ("%s", error->message);
  if (--all->pending == 0)
    {
      g_ptr_array_sort (all->infos, compare_infos);
      g_task_return_pointer (task, g_ptr_array_ref (all->infos),
                             (GDestroyNotify) g_ptr_array_unref);
    }
  g_object_unref (task);
}

void
hv_kvm_all_info_async (HvKvmHost           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GPtrArray) instances = hv_kvm_host_get_instances (self);
  AllInfo *all = g_new0 (AllInfo, 1);

  g_task_set_source_tag (task, hv_kvm_all_info_async);
  all->infos = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, all, (GDestroyNotify) all_info_free);
  /* one more than the instances, dropped below, so that none completes
   * the task before all are asked */
  all->pending = instances->len + 1;
  for (guint i = 0; i < instances->len; i++)
    info_query_async (g_ptr_array_index (instances, i), g_task_get_cancellable (task),
                      all_info_cb, g_object_ref (task));
  if (--all->pending == 0)
    g_task_return_pointer (task, g_ptr_array_ref (all->infos),
                           (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

GPtrArray *
hv_kvm_all_info_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_all_info_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -- BalloonInstanceMemory ------------------------------------------------ */

typedef struct {
  HvKvmHost    *host;        /* not a reference: the driver's call holds it */
  gchar        *name;
  gint64        memory;      /* MiB, as asked */
  guint64       target;      /* bytes */
  GCancellable *waiting;     /* of the BALLOON_CHANGE wait, if any */
  GError       *error;       /* of the balloon command */
} Balloon;

static void
balloon_free (Balloon *balloon)
{
  g_free (balloon->name);
  g_clear_object (&balloon->waiting);
  g_clear_error (&balloon->error);
  g_free (balloon);
}

static gboolean
balloon_match_target (const gchar *event,
                      JsonObject  *data,
                      gpointer     user_data)
{
  Balloon *balloon = user_data;

  return json_object_has_member (data, "actual") &&
         (guint64) json_object_get_int_member (data, "actual") == balloon->target;
}

static void
balloon_reached_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Balloon *data = g_task_get_task_data (task);
  Balloon *balloon = data;
  g_autoptr(JsonObject) event = NULL;
  GError *error = NULL;

  event = hv_kvm_qmp_client_wait_event_finish (HV_KVM_QMP_CLIENT (source), result, NULL, NULL,
                                               &error);
  if (balloon->error != NULL)
    {
      /* the command failed, and the wait was cancelled for it */
      g_clear_error (&error);
      g_task_return_error (task, g_steal_pointer (&balloon->error));
      return;
    }
  if (event == NULL && g_error_matches (error, HV_ERROR, HV_ERROR_TIMEOUT))
    {
      g_clear_error (&error);
      g_set_error (&error, HV_ERROR, HV_ERROR_TIMEOUT,
                   _("Instance %s did not balloon to %" G_GINT64_FORMAT " MiB within %u ms "
                     "(is its balloon driver loaded?)"),
                   data->name, data->memory, hv_kvm_host_get_balloon_timeout (data->host));
    }
  if (event == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
balloon_set_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Balloon *balloon = g_task_get_task_data (task);
  GError *error = NULL;

  if (hv_kvm_qmp_balloon_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      if (balloon->waiting == NULL)
        g_task_return_boolean (task, TRUE);
      return;   /* else BALLOON_CHANGE completes the task */
    }
  if (balloon->waiting == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  balloon->error = error;
  g_cancellable_cancel (balloon->waiting);
}

static void
balloon_queried_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GCancellable *cancellable;
  g_autoptr(GTask) task = user_data;
  Balloon *data = g_task_get_task_data (task);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (data->host, data->name);
  HvKvmQmpClient *qmp = HV_KVM_QMP_CLIENT (source);
  Balloon *balloon = data;
  guint64 actual = 0;
  GError *error = NULL;

  if (!hv_kvm_qmp_query_balloon_finish (qmp, result, &actual, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (actual == balloon->target)
    {
      g_task_return_boolean (task, TRUE);   /* QEMU reports no change */
      return;
    }
  if (instance != NULL && hv_kvm_instance_get_state (instance) == HV_INSTANCE_STATE_RUNNING)
    {
      /* registered before the command: the event may come before its reply */
      balloon->waiting = g_cancellable_new ();
      hv_kvm_qmp_client_wait_event_async (qmp, "BALLOON_CHANGE", balloon_match_target, balloon,
                                          NULL, hv_kvm_host_get_balloon_timeout (data->host),
                                          balloon->waiting, balloon_reached_cb,
                                          g_object_ref (task));
    }
  cancellable = g_task_get_cancellable (task);
  hv_kvm_qmp_balloon_async (qmp, balloon->target, cancellable, balloon_set_cb,
                            g_steal_pointer (&task));
}

/* The memory QEMU was started with (-m, MiB): the balloon's ceiling. */
static gint64
balloon_get_ram (HvKvmRuntime *runtime)
{
  for (guint i = 0; runtime != NULL && runtime->argv[i] != NULL; i++)
    if (g_str_equal (runtime->argv[i], "-m") && runtime->argv[i + 1] != NULL)
      return g_ascii_strtoll (runtime->argv[i + 1], NULL, 10);
  return G_MAXINT64;
}

/* Sets the balloon and, while the guest runs, waits for its driver to
 * reach the target (QEMU's BALLOON_CHANGE): the memory is back on the
 * node when the call returns. A paused guest cannot move its balloon, so
 * for one the target is only set. */
static void
balloon_job (HvKvmInstance *instance,
             GTask         *task)
{
  Balloon *data = g_task_get_task_data (task);
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);
  Balloon *balloon = data;

  if (!hv_kvm_instance_is_alive (instance) || qmp == NULL)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                               _("Cannot balloon instance %s: it is not running"), data->name);
      return;
    }
  if (data->memory <= 0)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                               _("Cannot balloon instance %s to %" G_GINT64_FORMAT " MiB"),
                               data->name, data->memory);
      return;
    }
  if (data->memory > balloon_get_ram (hv_kvm_instance_get_runtime (instance)))
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                               _("Cannot balloon instance %s to %" G_GINT64_FORMAT " MiB: it "
                                 "started with %" G_GINT64_FORMAT " MiB (maxmem)"),
                               data->name, data->memory,
                               balloon_get_ram (hv_kvm_instance_get_runtime (instance)));
      return;
    }
  balloon->target = (guint64) data->memory << 20;
  hv_kvm_qmp_query_balloon_async (qmp, g_task_get_cancellable (task), balloon_queried_cb,
                                  g_object_ref (task));
}

void
hv_kvm_balloon_async (HvKvmHost           *self,
                      const gchar         *name,
                      gint64               memory,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Balloon *data = g_new0 (Balloon, 1);
  HvKvmInstance *instance = hv_kvm_host_lookup_instance (self, name);
  g_autoptr(GError) error = NULL;

  data->host = self;
  data->name = g_strdup (name);
  data->memory = memory;
  g_task_set_source_tag (task, hv_kvm_balloon_async);
  g_task_set_task_data (task, data, (GDestroyNotify) balloon_free);

  if (instance == NULL)
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_NOT_RUNNING,
                             _("Cannot balloon instance %s: it is not running"), data->name);
  else if (!hv_kvm_instance_check_not_migrating (instance, _("balloon"), &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    hv_kvm_instance_queue_job (instance, task, balloon_job);
  g_object_unref (task);
}

gboolean
hv_kvm_balloon_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_balloon_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
