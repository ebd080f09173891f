/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-kvm-host.h"
#include "hv-kvm-runtime.h"
#include "hv-kvm-worker.h"

struct _HvKvmHost {
  GObject       parent_instance;

  gchar        *run_dir;
  gchar        *vhost_net_device;
  gchar        *cache_dir;
  gchar        *ifup_script;
  gchar        *ifdown_script;
  guint         start_timeout_ms;
  guint         powerdown_interval_ms;
  guint         reboot_timeout_ms;
  guint         balloon_timeout_ms;
  guint         removal_timeout_ms;
  HvKvmMigrationPolicy migration_policy;
  guint         script_timeout_ms;
  guint         command_timeout_ms;
  gboolean      monitor_thread;

  HvKvmCapabilitiesCache *capabilities_cache;
  HvRuntimeStore *store;
  gchar        *lock_path;        /* the run directory's lock (RunDirLock) */

  /* The monitor thread, and what only it touches: the known instances. */
  HvKvmWorker  *worker;
  GHashTable   *instances;         /* name → HvKvmInstance */
  /* where signals are emitted: the context the host was made in */
  GMainContext *owner_context;
};

enum {
  SIGNAL_INSTANCE_STATE_CHANGED,
  SIGNAL_DEVICE_REMOVED,
  SIGNAL_MIGRATION_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HvKvmHost, hv_kvm_host, G_TYPE_OBJECT)

/* -- the configuration ----------------------------------------------------- */

/* The configuration keys: an absolute path (s), a number (u) or a
 * boolean (b), each stored at an offset of HvKvmHost. */
typedef enum {
  CONFIG_PATH,
  CONFIG_UINT,
  CONFIG_BOOL,
} ConfigKind;

static const struct {
  const gchar *key;
  ConfigKind   kind;
  gsize        offset;
} config_keys[] = {
  { "run-dir", CONFIG_PATH, G_STRUCT_OFFSET (HvKvmHost, run_dir) },
  { "vhost-net-device", CONFIG_PATH, G_STRUCT_OFFSET (HvKvmHost, vhost_net_device) },
  { "cache-dir", CONFIG_PATH, G_STRUCT_OFFSET (HvKvmHost, cache_dir) },
  { "ifup-script", CONFIG_PATH, G_STRUCT_OFFSET (HvKvmHost, ifup_script) },
  { "ifdown-script", CONFIG_PATH, G_STRUCT_OFFSET (HvKvmHost, ifdown_script) },
  { "start-timeout-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvmHost, start_timeout_ms) },
  { "powerdown-interval-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvmHost, powerdown_interval_ms) },
  { "reboot-timeout-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvmHost, reboot_timeout_ms) },
  { "balloon-timeout-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvmHost, balloon_timeout_ms) },
  { "removal-timeout-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvmHost, removal_timeout_ms) },
  { "migration-auto-postcopy", CONFIG_UINT,
    G_STRUCT_OFFSET (HvKvmHost, migration_policy.auto_postcopy) },
  { "migration-postcopy-passes", CONFIG_UINT,
    G_STRUCT_OFFSET (HvKvmHost, migration_policy.postcopy_passes) },
  { "migration-downtime-stall-passes", CONFIG_UINT,
    G_STRUCT_OFFSET (HvKvmHost, migration_policy.downtime_stall_passes) },
  { "migration-downtime-step-ms", CONFIG_UINT,
    G_STRUCT_OFFSET (HvKvmHost, migration_policy.downtime_step_ms) },
  { "migration-downtime-max-ms", CONFIG_UINT,
    G_STRUCT_OFFSET (HvKvmHost, migration_policy.downtime_max_ms) },
  { "script-timeout-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvmHost, script_timeout_ms) },
  { "command-timeout-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvmHost, command_timeout_ms) },
  { "monitor-thread", CONFIG_BOOL, G_STRUCT_OFFSET (HvKvmHost, monitor_thread) },
};

static gint
config_key_index (const gchar *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (config_keys); i++)
    {
      if (g_str_equal (config_keys[i].key, key))
        return (gint) i;
    }
  return -1;
}

static gchar *
config_known_keys (void)
{
  g_autoptr(GString) keys = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (config_keys); i++)
    g_string_append_printf (keys, "%s%s", i > 0 ? ", " : "", config_keys[i].key);
  return g_string_free (g_steal_pointer (&keys), FALSE);
}

static gboolean
apply_config_value (HvKvmHost  *self,
                    gint        index,
                    GVariant   *value,
                    GError    **error)
{
  const gchar *key = config_keys[index].key;
  gpointer slot = G_STRUCT_MEMBER_P (self, config_keys[index].offset);
  g_autofree gchar *printed = NULL;

  if (config_keys[index].kind == CONFIG_UINT)
    {
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
        {
          *(guint *) slot = g_variant_get_uint32 (value);
          return TRUE;
        }
      printed = g_variant_print (value, TRUE);
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Configuration key '%s' of hypervisor 'kvm' must be a number of "
                     "type u (current value: %s)"), key, printed);
      return FALSE;
    }
  if (config_keys[index].kind == CONFIG_BOOL)
    {
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        {
          *(gboolean *) slot = g_variant_get_boolean (value);
          return TRUE;
        }
      printed = g_variant_print (value, TRUE);
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Configuration key '%s' of hypervisor 'kvm' must be a boolean of "
                     "type b (current value: %s)"), key, printed);
      return FALSE;
    }

  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ||
      !g_path_is_absolute (g_variant_get_string (value, NULL)))
    {
      printed = g_variant_print (value, TRUE);
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Configuration key '%s' of hypervisor 'kvm' must be an absolute path "
                     "of type s (current value: %s)"),
                   key, printed);
      return FALSE;
    }
  g_free (*(gchar **) slot);
  *(gchar **) slot = g_variant_dup_string (value, NULL);
  return TRUE;
}

static gboolean
apply_config (HvKvmHost  *self,
              GVariant   *config,
              GError    **error)
{
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  if (config == NULL)
    return TRUE;

  g_variant_iter_init (&iter, config);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      gint index = config_key_index (key);

      if (index < 0)
        {
          g_autofree gchar *known = config_known_keys ();

          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Unknown configuration key '%s' of hypervisor 'kvm' (known keys: %s)"),
                       key, known);
          g_variant_unref (value);
          return FALSE;
        }
      if (!apply_config_value (self, index, value, error))
        {
          g_variant_unref (value);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
ensure_run_dir (HvKvmHost  *self,
                GError    **error)
{
  if (g_mkdir_with_parents (self->run_dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot create the run directory '%s': %s"),
                   self->run_dir, g_strerror (errsv));
      return FALSE;
    }
  if (!g_file_test (self->run_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("The run directory '%s' is not a directory"), self->run_dir);
      return FALSE;
    }
  return TRUE;
}

/* -- one process per run directory ----------------------------------------- */

/*
 * QEMU's QMP socket serves one client: two processes managing the
 * instances of one run directory would take turns at every connection, and
 * the second would wait for greetings the first holds back. So a host
 * holds a POSIX write lock on <run-dir>/hvkit.lock for as long as it
 * lives, and a second process is refused at once with the holder's pid.
 *
 * POSIX locks belong to the process and go when it closes any descriptor
 * of the file, so each process opens a lock file once and counts the
 * hosts that share it (a process may make a new HvKvm over the same
 * directory, as a takeover test does). The descriptor is close-on-exec:
 * QEMU and the NIC scripts never hold it. The file is never removed,
 * since removing it would let a waiting opener lock a stale inode.
 */
typedef struct {
  gint  fd;
  guint users;
} RunDirLock;

static GMutex run_dir_locks_mutex;
static GHashTable *run_dir_locks;   /* lock path → RunDirLock */

static gboolean
run_dir_lock (const gchar  *path,
              GError      **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&run_dir_locks_mutex);
  struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  RunDirLock *held;
  gint fd;

  if (run_dir_locks == NULL)
    run_dir_locks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  held = g_hash_table_lookup (run_dir_locks, path);
  if (held != NULL)
    {
      held->users++;
      return TRUE;
    }

  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot open the lock of the run directory, '%s': %s"),
                   path, g_strerror (errsv));
      return FALSE;
    }
  if (fcntl (fd, F_SETLK, &lock) < 0)
    {
      int errsv = errno;
      struct flock holder = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
      g_autofree gchar *dir = g_path_get_dirname (path);

      if ((errsv == EACCES || errsv == EAGAIN) && fcntl (fd, F_GETLK, &holder) == 0 &&
          holder.l_type != F_UNLCK)
        g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                     _("The run directory '%s' is in use by process %d: one process "
                       "manages its instances (lock '%s')"),
                     dir, (gint) holder.l_pid, path);
      else
        g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                     _("Cannot lock the run directory, '%s': %s"), path, g_strerror (errsv));
      close (fd);
      return FALSE;
    }

  held = g_new0 (RunDirLock, 1);
  held->fd = fd;
  held->users = 1;
  g_hash_table_insert (run_dir_locks, g_strdup (path), held);
  return TRUE;
}

static void
run_dir_unlock (const gchar *path)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&run_dir_locks_mutex);
  RunDirLock *held = run_dir_locks != NULL ? g_hash_table_lookup (run_dir_locks, path) : NULL;

  if (held == NULL || --held->users > 0)
    return;
  close (held->fd);
  g_hash_table_remove (run_dir_locks, path);
}

/**
 * hv_kvm_host_new:
 * @config: (nullable): the driver's configuration, an `a{sv}`
 * @error: return location for a #GError
 *
 * Applies @config over the defaults (hv-kvm-defaults.h), makes the run
 * directory and locks it (another process that holds it is named in the
 * error), and starts the monitor thread. Taking over the instances that
 * run is the lifecycle's (hv_kvm_reconnect()).
 *
 * Returns: (transfer full): the host, or %NULL with @error set
 */
HvKvmHost *
hv_kvm_host_new (GVariant  *config,
                 GError   **error)
{
  g_autoptr(HvKvmHost) self = g_object_new (HV_KVM_TYPE_HOST, NULL);
  g_autofree gchar *lock_path = NULL;

  if (!apply_config (self, config, error) || !ensure_run_dir (self, error))
    return NULL;
  lock_path = g_build_filename (self->run_dir, "hvkit.lock", NULL);
  if (!run_dir_lock (lock_path, error))
    return NULL;
  self->lock_path = g_steal_pointer (&lock_path);
  if (self->cache_dir == NULL)
    self->cache_dir = g_build_filename (self->run_dir, "cache", NULL);
  self->capabilities_cache = hv_kvm_capabilities_cache_new (self->cache_dir);
  self->store = hv_kvm_runtime_store_new (self->run_dir);
  self->owner_context = g_main_context_ref_thread_default ();
  /* without its thread the work shares the owner's context: see
   * host/hv-kvm-worker.c for who may ask for that */
  if (self->monitor_thread)
    self->worker = hv_kvm_worker_new ("hv-kvm");
  else
    self->worker = hv_kvm_worker_new_for_context (self->owner_context);
  return g_steal_pointer (&self);
}

const gchar *
hv_kvm_host_get_run_dir (HvKvmHost *self)
{
  return self->run_dir;
}

const gchar *
hv_kvm_host_get_vhost_net_device (HvKvmHost *self)
{
  return self->vhost_net_device;
}

const gchar *
hv_kvm_host_get_cache_dir (HvKvmHost *self)
{
  return self->cache_dir;
}

guint
hv_kvm_host_get_start_timeout (HvKvmHost *self)
{
  return self->start_timeout_ms;
}

guint
hv_kvm_host_get_powerdown_interval (HvKvmHost *self)
{
  return self->powerdown_interval_ms;
}

guint
hv_kvm_host_get_reboot_timeout (HvKvmHost *self)
{
  return self->reboot_timeout_ms;
}

guint
hv_kvm_host_get_balloon_timeout (HvKvmHost *self)
{
  return self->balloon_timeout_ms;
}

const HvKvmMigrationPolicy *
hv_kvm_host_get_migration_policy (HvKvmHost *self)
{
  return &self->migration_policy;
}

HvKvmCapabilitiesCache *
hv_kvm_host_get_capabilities_cache (HvKvmHost *self)
{
  return self->capabilities_cache;
}

HvRuntimeStore *
hv_kvm_host_get_store (HvKvmHost *self)
{
  return self->store;
}

/* -- the monitor thread ---------------------------------------------------- */

void
hv_kvm_host_invoke (HvKvmHost      *self,
                    GSourceFunc     func,
                    gpointer        data,
                    GDestroyNotify  destroy)
{
  hv_kvm_worker_invoke (self->worker, func, data, destroy);
}

void
hv_kvm_host_run_sync (HvKvmHost   *self,
                      GSourceFunc  func,
                      gpointer     data)
{
  hv_kvm_worker_run_sync (self->worker, func, data);
}

gboolean
hv_kvm_host_is_current (HvKvmHost *self)
{
  return self->worker != NULL && hv_kvm_worker_is_current (self->worker);
}

static gboolean
forget_all_cb (gpointer user_data)
{
  HvKvmHost *self = user_data;
  GHashTableIter iter;
  gpointer instance;

  /* the QEMUs run on; only hvkit's connections to them close */
  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, NULL, &instance))
    {
      HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (instance);

      g_signal_handlers_disconnect_by_data (instance, self);
      if (qmp != NULL)
        hv_kvm_qmp_client_close (qmp);
    }
  g_hash_table_remove_all (self->instances);
  return G_SOURCE_REMOVE;
}

void
hv_kvm_host_shutdown (HvKvmHost *self)
{
  if (self->worker == NULL)
    return;
  /* the last reference may go in the monitor thread, with the last task
   * that held it: the worker copes */
  hv_kvm_worker_run_sync (self->worker, forget_all_cb, self);
  g_clear_pointer (&self->worker, hv_kvm_worker_free);
}

/* -- the known instances (monitor thread) ---------------------------------- */

typedef struct {
  HvKvmHost      *self;
  gchar          *name;
  gchar          *device_id;
  HvInstanceState state;
  HvMigrationStatus *status;
} Emission;

static void
emission_free (Emission *emission)
{
  g_object_unref (emission->self);
  g_free (emission->name);
  g_free (emission->device_id);
  g_clear_object (&emission->status);
  g_free (emission);
}

static gboolean
emit_state_changed_cb (gpointer user_data)
{
  Emission *emission = user_data;

  g_signal_emit (emission->self, signals[SIGNAL_INSTANCE_STATE_CHANGED], 0,
                 emission->name, emission->state);
  return G_SOURCE_REMOVE;
}

static gboolean
emit_device_removed_cb (gpointer user_data)
{
  Emission *emission = user_data;

  g_signal_emit (emission->self, signals[SIGNAL_DEVICE_REMOVED], 0,
                 emission->name, emission->device_id);
  return G_SOURCE_REMOVE;
}

/* An instance's state changed in the monitor thread: tell the owner, in
 * its own context, as GObject signals should be. */
static void
instance_state_changed_cb (HvKvmInstance  *instance,
                           HvInstanceState state,
                           gpointer        user_data)
{
  HvKvmHost *self = user_data;
  Emission *emission;

  if (hv_kvm_instance_is_busy (instance))
    return;
  emission = g_new0 (Emission, 1);
  emission->self = g_object_ref (self);
  emission->name = g_strdup (hv_kvm_instance_get_name (instance));
  emission->state = state;
  g_main_context_invoke_full (self->owner_context, G_PRIORITY_DEFAULT,
                              emit_state_changed_cb, emission,
                              (GDestroyNotify) emission_free);
}

/* A device of instance @name is gone (DEVICE_DELETED): the owner hears it
 * in its own context, as for state changes. */
void
hv_kvm_host_emit_device_removed (HvKvmHost   *self,
                                 const gchar *name,
                                 const gchar *device_id)
{
  Emission *emission;

  if (device_id == NULL)
    return;
  emission = g_new0 (Emission, 1);
  emission->self = g_object_ref (self);
  emission->name = g_strdup (name);
  emission->device_id = g_strdup (device_id);
  g_main_context_invoke_full (self->owner_context, G_PRIORITY_DEFAULT,
                              emit_device_removed_cb, emission,
                              (GDestroyNotify) emission_free);
}

static gboolean
emit_migration_progress_cb (gpointer user_data)
{
  Emission *emission = user_data;

  g_signal_emit (emission->self, signals[SIGNAL_MIGRATION_PROGRESS], 0,
                 emission->name, emission->status);
  return G_SOURCE_REMOVE;
}

/* Where a migration of instance @name is (@status, taken): the owner
 * hears it in its own context. */
void
hv_kvm_host_emit_migration_progress (HvKvmHost         *self,
                                     const gchar       *name,
                                     HvMigrationStatus *status)
{
  Emission *emission = g_new0 (Emission, 1);

  emission->self = g_object_ref (self);
  emission->name = g_strdup (name);
  emission->status = status;
  g_main_context_invoke_full (self->owner_context, G_PRIORITY_DEFAULT,
                              emit_migration_progress_cb, emission,
                              (GDestroyNotify) emission_free);
}

static void
watch_instance (HvKvmHost     *self,
                HvKvmInstance *instance)
{
  g_signal_connect (instance, "state-changed", G_CALLBACK (instance_state_changed_cb), self);
}

HvKvmInstance *
hv_kvm_host_lookup_instance (HvKvmHost   *self,
                             const gchar *name)
{
  g_return_val_if_fail (hv_kvm_host_is_current (self), NULL);

  return g_hash_table_lookup (self->instances, name);
}

/* A new known instance @name, with this host's scripts, timeouts and
 * vhost-net device; the registry holds it. */
HvKvmInstance *
hv_kvm_host_add_instance (HvKvmHost   *self,
                          const gchar *name)
{
  g_autoptr(HvNicScript) ifup = hv_nic_script_new (self->ifup_script);
  g_autoptr(HvNicScript) ifdown = hv_nic_script_new (self->ifdown_script);
  HvKvmInstance *instance;

  hv_nic_script_set_timeout (ifup, self->script_timeout_ms);
  hv_nic_script_set_timeout (ifdown, self->script_timeout_ms);
  g_return_val_if_fail (hv_kvm_host_is_current (self), NULL);
  g_return_val_if_fail (!g_hash_table_contains (self->instances, name), NULL);

  instance = hv_kvm_instance_new (name, self->run_dir, self->store);
  hv_kvm_instance_set_nic_scripts (instance, ifup, ifdown);
  hv_kvm_instance_set_removal_timeout (instance, self->removal_timeout_ms);
  hv_kvm_instance_set_command_timeout (instance, self->command_timeout_ms);
  hv_kvm_instance_set_vhost_net_device (instance, self->vhost_net_device);
  watch_instance (self, instance);
  g_hash_table_insert (self->instances, g_strdup (name), instance);
  return instance;
}

/* Puts a forgotten instance back (a start queued behind the stop that
 * forgot it); FALSE if another instance of that name is known now. */
gboolean
hv_kvm_host_remember_instance (HvKvmHost     *self,
                               HvKvmInstance *instance)
{
  HvKvmInstance *known;

  g_return_val_if_fail (hv_kvm_host_is_current (self), FALSE);

  known = g_hash_table_lookup (self->instances, hv_kvm_instance_get_name (instance));
  if (known != NULL)
    return known == instance;
  watch_instance (self, instance);
  g_hash_table_insert (self->instances, g_strdup (hv_kvm_instance_get_name (instance)),
                       g_object_ref (instance));
  return TRUE;
}

void
hv_kvm_host_forget_instance (HvKvmHost     *self,
                             HvKvmInstance *instance)
{
  g_return_if_fail (hv_kvm_host_is_current (self));

  if (g_hash_table_lookup (self->instances, hv_kvm_instance_get_name (instance)) != instance)
    return;
  g_signal_handlers_disconnect_by_data (instance, self);
  g_hash_table_remove (self->instances, hv_kvm_instance_get_name (instance));
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const gchar **) a, *(const gchar **) b);
}

/* Every known instance, sorted by name. */
GPtrArray *
hv_kvm_host_get_instances (HvKvmHost *self)
{
  g_autoptr(GPtrArray) instances = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree gpointer *names = NULL;
  guint n_names = 0;

  g_return_val_if_fail (hv_kvm_host_is_current (self), NULL);

  names = g_hash_table_get_keys_as_array (self->instances, &n_names);
  qsort (names, n_names, sizeof (gpointer), (GCompareFunc) compare_names);
  for (guint i = 0; i < n_names; i++)
    g_ptr_array_add (instances, g_object_ref (g_hash_table_lookup (self->instances, names[i])));
  return g_steal_pointer (&instances);
}

/* -- GObject --------------------------------------------------------------- */

static void
hv_kvm_host_dispose (GObject *object)
{
  hv_kvm_host_shutdown (HV_KVM_HOST (object));

  G_OBJECT_CLASS (hv_kvm_host_parent_class)->dispose (object);
}

static void
hv_kvm_host_finalize (GObject *object)
{
  HvKvmHost *self = HV_KVM_HOST (object);

  if (self->lock_path != NULL)
    run_dir_unlock (self->lock_path);
  g_free (self->lock_path);
  g_free (self->run_dir);
  g_free (self->vhost_net_device);
  g_free (self->cache_dir);
  g_free (self->ifup_script);
  g_free (self->ifdown_script);
  g_clear_object (&self->capabilities_cache);
  g_clear_object (&self->store);
  g_clear_pointer (&self->instances, g_hash_table_unref);
  g_clear_pointer (&self->owner_context, g_main_context_unref);

  G_OBJECT_CLASS (hv_kvm_host_parent_class)->finalize (object);
}

static void
hv_kvm_host_class_init (HvKvmHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hv_kvm_host_dispose;
  object_class->finalize = hv_kvm_host_finalize;

  signals[SIGNAL_INSTANCE_STATE_CHANGED] =
    g_signal_new ("instance-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, HV_TYPE_INSTANCE_STATE);
  signals[SIGNAL_DEVICE_REMOVED] =
    g_signal_new ("device-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_MIGRATION_PROGRESS] =
    g_signal_new ("migration-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING,
                  HV_TYPE_MIGRATION_STATUS);
}

static void
hv_kvm_host_init (HvKvmHost *self)
{
  self->run_dir = g_strdup (HV_DEFAULT_RUN_DIR);
  self->vhost_net_device = g_strdup (HV_KVM_DEFAULT_VHOST_NET_DEVICE);
  self->ifup_script = g_build_filename (HV_SCRIPT_DIR, "kvm-ifup", NULL);
  self->ifdown_script = g_build_filename (HV_SCRIPT_DIR, "kvm-ifdown", NULL);
  self->start_timeout_ms = HV_KVM_DEFAULT_START_TIMEOUT_MS;
  self->powerdown_interval_ms = HV_KVM_DEFAULT_POWERDOWN_INTERVAL_MS;
  self->reboot_timeout_ms = HV_KVM_DEFAULT_REBOOT_TIMEOUT_MS;
  self->balloon_timeout_ms = HV_KVM_DEFAULT_BALLOON_TIMEOUT_MS;
  self->removal_timeout_ms = HV_KVM_DEFAULT_REMOVAL_TIMEOUT_MS;
  /* the migration policies are off; their figures when turned on */
  self->migration_policy.postcopy_passes = 2;
  self->migration_policy.downtime_step_ms = 100;
  self->migration_policy.downtime_max_ms = 2000;
  self->script_timeout_ms = HV_KVM_DEFAULT_SCRIPT_TIMEOUT_MS;
  self->command_timeout_ms = HV_KVM_DEFAULT_COMMAND_TIMEOUT_MS;
  self->monitor_thread = HV_KVM_DEFAULT_MONITOR_THREAD;
  self->instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}
