/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-kvm-cmdline.h"
#include "hv-kvm-dict.h"
#include "hv-kvm-lifecycle.h"
#include "hv-kvm-process.h"
#include "hv-kvm-qmp-commands.h"
#include "hv-kvm-runtime-ganeti.h"

/*
 * Adopting the instances Ganeti's own KVM driver started: for each
 * `conf/NAME.runtime` of Ganeti's run directory, its record is imported,
 * its `pid/NAME` must name a live process with `-name NAME` (the check of
 * a start and of a reconnect), `ctrl/NAME.qmp` must be a socket whose QEMU
 * greets hvkit (QEMU serves one QMP client: one held by someone else does
 * not greet within start-timeout-ms), and the name must be new to hvkit.
 * Until all of that holds nothing is written anywhere; a candidate that
 * fails a check is refused with the reason and left exactly as it was.
 *
 * An adopted instance is then an instance of hvkit's like any other, in
 * hvkit's run directory: its record (`conf/NAME.runtime`, hvkit's format,
 * with the key `ganeti_run_dir`), a pidfile of its own, `NAME.qmp`,
 * `NAME.monitor` and `NAME.serial` as symbolic links to Ganeti's sockets
 * (the QEMU that runs listens there; a restarted hvkit reconnects through
 * them), and NIC files naming the taps Ganeti's NIC files name. Ganeti's
 * files are not changed. When hvkit tears the instance down (a stop, a
 * reboot, a migration away) it removes them too, as Ganeti's own stop
 * would have, so that neither manager finds a stale instance later.
 */

#define GANETI_RUN_DIR_KEY "ganeti_run_dir"

typedef struct {
  gchar *name;
  HvKvmRuntime *runtime;
  GPid pid;
  gint pidfd;
  HvKvmQmpClient *qmp;
  gboolean running;
} Candidate;

typedef struct {
  HvKvmHost *host;
  gchar *source_dir;
  GStrv names;            /* of conf/, sorted */
  guint next;
  Candidate *candidate;   /* the one whose QEMU is asked */
  GPtrArray *adoptions;   /* HvAdoption */
  GPtrArray *adopted;     /* HvKvmInstance */
} Adopt;

static void
candidate_free (Candidate *candidate)
{
  if (candidate == NULL)
    return;
  g_free (candidate->name);
  g_clear_pointer (&candidate->runtime, hv_kvm_runtime_free);
  if (candidate->pidfd >= 0)
    g_close (candidate->pidfd, NULL);
  if (candidate->qmp != NULL)
    hv_kvm_qmp_client_close (candidate->qmp);
  g_clear_object (&candidate->qmp);
  g_free (candidate);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Candidate, candidate_free)

static void
adopt_free (Adopt *adopt)
{
  g_object_unref (adopt->host);
  g_free (adopt->source_dir);
  g_strfreev (adopt->names);
  candidate_free (adopt->candidate);
  g_ptr_array_unref (adopt->adoptions);
  g_ptr_array_unref (adopt->adopted);
  g_free (adopt);
}

static gchar *
source_path (Adopt       *adopt,
             const gchar *folder,
             const gchar *name,
             const gchar *suffix)
{
  g_autofree gchar *file = g_strconcat (name, suffix, NULL);

  return g_build_filename (adopt->source_dir, folder, file, NULL);
}

/* -- the checks: nothing is written until they all pass -------------------- */

static gboolean
check_record (Adopt      *adopt,
              Candidate  *candidate,
              GError    **error)
{
  g_autofree gchar *path = source_path (adopt, "conf", candidate->name, ".runtime");
  g_autofree gchar *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  GStatBuf st;

  /* Ganeti's files are a few kilobytes; the importer's bound, before reading */
  if (g_stat (path, &st) == 0 && st.st_size > 16 * 1024 * 1024)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
                   _("its record '%s' is larger than 16 MiB"), path);
      return FALSE;
    }
  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT, _("its record cannot be read: %s"),
                   local_error->message);
      return FALSE;
    }
  candidate->runtime = hv_kvm_runtime_new_from_ganeti (data, length, candidate->name, path, error);
  if (candidate->runtime == NULL)
    return FALSE;
  if (g_strcmp0 (candidate->runtime->name, candidate->name) != 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
                   _("its record '%s' is the record of instance '%s'"), path,
                   candidate->runtime->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_process (Adopt      *adopt,
               Candidate  *candidate,
               GError    **error)
{
  g_autofree gchar *pidfile = source_path (adopt, "pid", candidate->name, "");

  candidate->pid = hv_kvm_process_read_pidfile (pidfile, error);
  if (candidate->pid == 0)
    return FALSE;
  candidate->pidfd = hv_kvm_process_open_pidfd (candidate->pid, NULL);
  if (candidate->pidfd < 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NOT_RUNNING,
                   _("process %d of pidfile '%s' is not running"), (gint) candidate->pid, pidfile);
      return FALSE;
    }
  if (!hv_kvm_process_is_instance (candidate->pid, candidate->name))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("process %d of pidfile '%s' is not the QEMU of instance %s"),
                   (gint) candidate->pid, pidfile, candidate->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_socket (Adopt        *adopt,
              const gchar  *name,
              GError      **error)
{
  g_autofree gchar *path = source_path (adopt, "ctrl", name, ".qmp");
  struct stat st;

  if (lstat (path, &st) != 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _("its QMP socket '%s' is missing: %s"), path,
                   g_strerror (errsv));
      return FALSE;
    }
  if (!S_ISSOCK (st.st_mode))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _("'%s' is not a socket"), path);
      return FALSE;
    }
  return TRUE;
}

/* Each NIC's tap, from Ganeti's nic/NAME/SEQ, into the record: ifdown
 * needs it when hvkit unplugs or stops. */
static gboolean
check_taps (Adopt      *adopt,
            Candidate  *candidate,
            GError    **error)
{
  GPtrArray *nics = candidate->runtime->nics;

  for (guint i = 0; i < nics->len; i++)
    {
      g_autofree gchar *seq = g_strdup_printf ("%u", i);
      g_autofree gchar *dir = g_build_filename (adopt->source_dir, "nic", candidate->name, NULL);
      g_autofree gchar *path = g_build_filename (dir, seq, NULL);
      g_autofree gchar *tap = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!g_file_get_contents (path, &tap, NULL, &local_error))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _("NIC %u has no tap file: %s"), i,
                       local_error->message);
          return FALSE;
        }
      g_strstrip (tap);
      if (*tap == '\0' || strlen (tap) >= 16 || strchr (tap, '/') != NULL)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _("NIC %u: '%s' names no tap"), i, path);
          return FALSE;
        }
      hv_kvm_runtime_device_set (g_ptr_array_index (nics, i), "tap", g_variant_new_string (tap));
    }
  return TRUE;
}

static gboolean
check_name_free (Adopt        *adopt,
                 const gchar  *name,
                 GError      **error)
{
  if (hv_kvm_host_lookup_instance (adopt->host, name) != NULL ||
      hv_runtime_store_exists (hv_kvm_host_get_store (adopt->host), name))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_ALREADY_RUNNING,
                   _("hvkit already knows an instance of this name"));
      return FALSE;
    }
  return TRUE;
}

static Candidate *
check_candidate (Adopt        *adopt,
                 const gchar  *name,
                 GError      **error)
{
  g_autoptr(Candidate) candidate = g_new0 (Candidate, 1);

  candidate->name = g_strdup (name);
  candidate->pidfd = -1;
  if (!hv_instance_name_validate (name, error) ||
      !check_name_free (adopt, name, error) ||
      !check_record (adopt, candidate, error) ||
      !check_process (adopt, candidate, error) ||
      !check_socket (adopt, name, error) ||
      !check_taps (adopt, candidate, error))
    return NULL;
  return g_steal_pointer (&candidate);
}

/* -- taking it over ---------------------------------------------------------- */

static gboolean
link_socket (HvKvmInstance  *instance,
             const gchar    *target,
             const gchar    *suffix,
             GError        **error)
{
  g_autofree gchar *path = hv_kvm_instance_get_path (instance, suffix);

  if (!g_file_test (target, G_FILE_TEST_EXISTS))
    return TRUE;
  g_unlink (path);
  if (symlink (target, path) != 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _("Cannot link '%s' to '%s': %s"), path,
                   target, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* The record made hvkit's: its base for hvkit's next start, and where
 * Ganeti's files are. */
static void
take_record (Adopt          *adopt,
             HvKvmRuntime   *runtime,
             HvKvmQmpClient *qmp)
{
  g_auto(HvKvmDict) extra = { 0, };
  g_auto(GStrv) base = hv_kvm_cmdline_adopt_base ((const gchar * const *) runtime->argv,
                                                  adopt->source_dir,
                                                  hv_kvm_host_get_run_dir (adopt->host),
                                                  runtime->name);

  g_strfreev (runtime->argv);
  runtime->argv = g_steal_pointer (&base);
  /* the QEMU that runs it, as its greeting says (a start records the same) */
  if (*runtime->qemu_version == '\0' && qmp != NULL)
    {
      guint major = 0, minor = 0, micro = 0;

      hv_kvm_qmp_client_get_version (qmp, &major, &minor, &micro);
      g_free (runtime->qemu_version);
      runtime->qemu_version = g_strdup_printf ("%u.%u.%u", major, minor, micro);
    }
  hv_kvm_dict_init (&extra);
  hv_kvm_dict_add_all (&extra, runtime->extra);
  hv_kvm_dict_add (&extra, GANETI_RUN_DIR_KEY, g_variant_new_string (adopt->source_dir));
  g_variant_unref (runtime->extra);
  runtime->extra = hv_kvm_dict_end (&extra);
}

static gboolean
write_files (Adopt          *adopt,
             HvKvmInstance  *instance,
             Candidate      *candidate,
             GError        **error)
{
  static const gchar *const sockets[] = { ".qmp", ".monitor", ".serial" };
  g_autofree gchar *pidfile = hv_kvm_instance_get_path (instance, ".pid");
  g_autofree gchar *pid = g_strdup_printf ("%d\n", (gint) candidate->pid);
  GPtrArray *nics = candidate->runtime->nics;

  if (!g_file_set_contents (pidfile, pid, -1, error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (sockets); i++)
    {
      g_autofree gchar *target = source_path (adopt, "ctrl", candidate->name, sockets[i]);

      if (!link_socket (instance, target, sockets[i], error))
        return FALSE;
    }
  for (guint i = 0; i < nics->len; i++)
    {
      HvKvmRuntimeDevice *nic = g_ptr_array_index (nics, i);

      if (!hv_kvm_instance_write_nic_file (instance, i, hv_kvm_runtime_device_get_uuid (nic),
                                           hv_kvm_runtime_device_get_string (nic, "tap"), error))
        return FALSE;
    }
  take_record (adopt, candidate->runtime, candidate->qmp);
  return hv_kvm_runtime_save (hv_kvm_host_get_store (adopt->host), candidate->runtime, error);
}

/* The instance is hvkit's from here, or nothing of it is left in hvkit's
 * run directory. */
static HvKvmInstance *
take_candidate (Adopt      *adopt,
                Candidate  *candidate,
                GError    **error)
{
  HvKvmInstance *instance;

  /* a start of that name may have come while QEMU was asked */
  if (!check_name_free (adopt, candidate->name, error))
    return NULL;
  instance = hv_kvm_host_add_instance (adopt->host, candidate->name);
  if (!write_files (adopt, instance, candidate, error))
    {
      hv_kvm_remove_instance_files (instance);
      hv_kvm_host_forget_instance (adopt->host, instance);
      return NULL;
    }
  hv_kvm_instance_set_runtime (instance, g_steal_pointer (&candidate->runtime));
  hv_kvm_instance_set_process (instance, candidate->pid, candidate->pidfd);
  candidate->pidfd = -1;
  hv_kvm_instance_set_qmp (instance, candidate->qmp);
  g_clear_object (&candidate->qmp);
  hv_kvm_instance_set_state (instance, candidate->running ? HV_INSTANCE_STATE_RUNNING
                                                          : HV_INSTANCE_STATE_PAUSED);
  return instance;
}

/* -- one candidate after another --------------------------------------------- */

static void adopt_next (GTask *task);

static void
adopt_record (Adopt        *adopt,
              const gchar  *name,
              const GError *refusal)
{
  if (refusal != NULL)
    g_debug ("not adopting instance %s: %s", name, refusal->message);
  else
    g_debug ("adopted instance %s from %s", name, adopt->source_dir);
  g_ptr_array_add (adopt->adoptions,
                   hv_adoption_new (name, refusal == NULL, refusal != NULL ? refusal->message : NULL));
}

static void
adopt_status_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Adopt *adopt = g_task_get_task_data (task);
  g_autoptr(Candidate) candidate = g_steal_pointer (&adopt->candidate);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *status = NULL;
  HvKvmInstance *instance = NULL;

  status = hv_kvm_qmp_query_status_finish (HV_KVM_QMP_CLIENT (source), result,
                                           &candidate->running, &error);
  if (status == NULL)
    g_prefix_error (&error, _("its QEMU does not answer on QMP: "));
  else
    instance = take_candidate (adopt, candidate, &error);
  if (instance != NULL)
    g_ptr_array_add (adopt->adopted, g_object_ref (instance));
  adopt_record (adopt, candidate->name, error);
  adopt_next (g_steal_pointer (&task));
}

static void
adopt_connected_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Adopt *adopt = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!hv_kvm_qmp_client_connect_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      g_autoptr(Candidate) candidate = g_steal_pointer (&adopt->candidate);

      g_prefix_error (&error, _("its QMP socket does not answer: "));
      adopt_record (adopt, candidate->name, error);
      adopt_next (g_steal_pointer (&task));
      return;
    }
  hv_kvm_qmp_query_status_async (HV_KVM_QMP_CLIENT (source), NULL, adopt_status_cb,
                                 g_steal_pointer (&task));
}

static void
adopt_next (GTask *task)
{
  Adopt *adopt = g_task_get_task_data (task);

  while (adopt->names[adopt->next] != NULL)
    {
      const gchar *name = adopt->names[adopt->next++];
      g_autoptr(GError) error = NULL;
      g_autofree gchar *socket_path = NULL;
      Candidate *candidate;

      if (g_task_return_error_if_cancelled (task))
        {
          g_object_unref (task);
          return;
        }
      candidate = check_candidate (adopt, name, &error);
      if (candidate == NULL)
        {
          adopt_record (adopt, name, error);
          continue;
        }
      adopt->candidate = candidate;
      socket_path = source_path (adopt, "ctrl", name, ".qmp");
      candidate->qmp = hv_kvm_qmp_client_new ();
      hv_kvm_qmp_client_set_connect_timeout (candidate->qmp,
                                             hv_kvm_host_get_start_timeout (adopt->host));
      hv_kvm_qmp_client_connect_async (candidate->qmp, socket_path, g_task_get_cancellable (task),
                                       adopt_connected_cb, task);
      return;
    }
  g_task_return_pointer (task, g_ptr_array_ref (adopt->adoptions),
                         (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* The instance names of @source_dir's conf/, sorted: every `NAME.runtime`. */
static GStrv
list_records (const gchar  *source_dir,
              GError      **error)
{
  g_autofree gchar *conf = g_build_filename (source_dir, "conf", NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = g_dir_open (conf, 0, &local_error);
  const gchar *file;

  if (dir == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("'%s' is no Ganeti run directory: %s"), source_dir, local_error->message);
      return NULL;
    }
  while ((file = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (file, ".runtime") && file[0] != '.')
      g_ptr_array_add (names, g_strndup (file, strlen (file) - strlen (".runtime")));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* Ganeti's run directory must not be hvkit's own: both keep their records
 * in conf/NAME.runtime. */
static gboolean
check_source_dir (HvKvmHost    *host,
                  const gchar  *source_dir,
                  GError      **error)
{
  g_autofree gchar *source = NULL;
  g_autofree gchar *own = NULL;

  if (!g_path_is_absolute (source_dir))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Ganeti's run directory '%s' is not an absolute path"), source_dir);
      return FALSE;
    }
  source = realpath (source_dir, NULL);
  own = realpath (hv_kvm_host_get_run_dir (host), NULL);
  if (source != NULL && own != NULL && g_str_equal (source, own))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("'%s' is hvkit's own run directory, not Ganeti's"), source_dir);
      return FALSE;
    }
  return TRUE;
}

/**
 * hv_kvm_adopt_async:
 * @host: the host, in its monitor thread
 * @source_dir: (nullable): Ganeti's run directory;
 *   %NULL for HV_KVM_DEFAULT_GANETI_RUN_DIR
 * @cancellable: (nullable): stops before the next instance
 * @callback: called in the monitor thread
 * @user_data: data for @callback
 *
 * Adopts, one after another, the instances Ganeti started in @source_dir.
 */
void
hv_kvm_adopt_async (HvKvmHost           *host,
                    const gchar         *source_dir,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  Adopt *adopt;

  g_task_set_source_tag (task, hv_kvm_adopt_async);
  if (source_dir == NULL || *source_dir == '\0')
    source_dir = HV_KVM_DEFAULT_GANETI_RUN_DIR;
  adopt = g_new0 (Adopt, 1);
  adopt->host = g_object_ref (host);
  adopt->source_dir = g_canonicalize_filename (source_dir, "/");
  adopt->adoptions = g_ptr_array_new_with_free_func (g_object_unref);
  adopt->adopted = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, adopt, (GDestroyNotify) adopt_free);

  if (!check_source_dir (host, source_dir, &error) ||
      (adopt->names = list_records (adopt->source_dir, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  adopt_next (g_steal_pointer (&task));
}

/**
 * hv_kvm_adopt_finish:
 * @result: the result given to the callback
 * @out_adopted: (out) (optional) (transfer container): the instances
 *   adopted, for the caller to queue what follows a takeover
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type HvAdoption): one outcome per
 *   record found, sorted by name
 */
GPtrArray *
hv_kvm_adopt_finish (GAsyncResult  *result,
                     GPtrArray    **out_adopted,
                     GError       **error)
{
  Adopt *adopt;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_adopt_async, NULL);

  adopt = g_task_get_task_data (G_TASK (result));
  if (out_adopted != NULL)
    *out_adopted = g_ptr_array_ref (adopt->adopted);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * hv_kvm_adopted_remove_source_files:
 * @instance: an instance being torn down
 *
 * For an instance hvkit adopted from Ganeti: removes what Ganeti's own stop
 * (`_RemoveInstanceRuntimeFiles`, the NIC directory) would have, and
 * forgets that it came from there.
 */
void
hv_kvm_adopted_remove_source_files (HvKvmInstance *instance)
{
  static const gchar *const ctrl[] = {
    ".monitor", ".serial", ".qmp", ".qga", ".kvmd", ".shutdown",
  };
  HvKvmRuntime *runtime = hv_kvm_instance_get_runtime (instance);
  const gchar *name = hv_kvm_instance_get_name (instance);
  g_autoptr(GVariant) source = NULL;
  g_autofree gchar *pidfile = NULL, *record = NULL, *nic_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  const gchar *source_dir;
  const gchar *file;
  GPid other;

  if (runtime == NULL ||
      (source = g_variant_lookup_value (runtime->extra, GANETI_RUN_DIR_KEY,
                                        G_VARIANT_TYPE_STRING)) == NULL)
    return;
  source_dir = g_variant_get_string (source, NULL);
  pidfile = g_build_filename (source_dir, "pid", name, NULL);
  /* a QEMU Ganeti started again under that name since (after a guest
   * powered off and before hvkit cleaned up) keeps its files */
  other = hv_kvm_process_read_pidfile (pidfile, NULL);
  if (other != 0 && other != hv_kvm_instance_get_pid (instance) &&
      hv_kvm_process_is_instance (other, name))
    {
      g_debug ("instance %s runs again under Ganeti (pid %d): its files stay", name, (gint) other);
      hv_kvm_adopted_forget_source (runtime);
      return;
    }
  g_unlink (pidfile);
  for (gsize i = 0; i < G_N_ELEMENTS (ctrl); i++)
    {
      g_autofree gchar *file_name = g_strconcat (name, ctrl[i], NULL);
      g_autofree gchar *path = g_build_filename (source_dir, "ctrl", file_name, NULL);

      g_unlink (path);
    }
  nic_dir = g_build_filename (source_dir, "nic", name, NULL);
  dir = g_dir_open (nic_dir, 0, NULL);
  while (dir != NULL && (file = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (nic_dir, file, NULL);

      g_unlink (path);
    }
  g_rmdir (nic_dir);
  /* the record last: without it Ganeti knows nothing of the instance */
  record = g_strdup_printf ("%s/conf/%s.runtime", source_dir, name);
  g_unlink (record);
  hv_kvm_adopted_forget_source (runtime);
}

/**
 * hv_kvm_adopted_forget_source:
 * @runtime: a record
 *
 * Drops the mark of an adopted instance: a record started again by hvkit
 * (a reboot) has no files of Ganeti's any more.
 */
void
hv_kvm_adopted_forget_source (HvKvmRuntime *runtime)
{
  g_auto(HvKvmDict) extra = { 0, };

  hv_kvm_dict_init (&extra);
  hv_kvm_dict_add_all (&extra, runtime->extra);
  if (!hv_kvm_dict_remove (&extra, GANETI_RUN_DIR_KEY))
    return;
  g_variant_unref (runtime->extra);
  runtime->extra = hv_kvm_dict_end (&extra);
}
