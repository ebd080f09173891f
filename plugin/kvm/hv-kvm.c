/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-kvm-private.h"
#include "hv-kvm-params-private.h"
#include "hv-kvm-calls-private.h"
#include "hv-kvm-hotplug-calls-private.h"
#include "hv-kvm-runtime-private.h"

/**
 * HvKvm:
 *
 * The KVM (QEMU) hypervisor, the "kvm" plugin. Created by the plugin loader
 * with a configuration `a{sv}`:
 *
 * - `run-dir` (s): where pidfiles, sockets and runtime records go; created
 *   (mode 0700) if missing. Default: the build's run directory
 *   (`/run/hvkit`).
 * - `vhost-net-device` (s): the vhost-net device whose presence
 *   `vhost_net` needs. Default: `/dev/vhost-net`; tests point it elsewhere.
 * - `cache-dir` (s): where the capabilities of each QEMU binary are kept
 *   between processes (see HvKvmCapabilitiesCache). Default:
 *   `<run-dir>/cache`, so a node probes each binary once per boot.
 * - `ifup-script`, `ifdown-script` (s): the NIC scripts. Default: the
 *   installed `kvm-ifup` and `kvm-ifdown` (libexecdir/hvkit).
 * - `start-timeout-ms` (u): how long QEMU may take to daemonize (60000).
 * - `powerdown-interval-ms` (u): a soft stop presses the power button
 *   again this often until the guest is gone (5000).
 * - `reboot-timeout-ms` (u): how long a reboot waits for the guest to
 *   power off before killing it (120000, Ganeti's shutdown timeout).
 * - `balloon-timeout-ms` (u): how long a balloon call waits for the guest
 *   to reach its target (30000).
 * - `removal-timeout-ms` (u): how long a hot-removal waits for the guest
 *   to give the device up (10000).
 *
 * Any other key is refused.
 */

struct _HvKvm {
  GObject       parent_instance;

  GVariant     *config;
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

  HvKvmCapabilitiesCache *capabilities_cache;
  GPtrArray    *specs;             /* HvParamSpec, from the KVM table */
  GVariant     *default_hvparams;
  HvRuntimeStore *store;

  /* The monitor thread, and what only it touches: the known instances. */
  HvKvmWorker  *worker;
  GHashTable   *instances;         /* name → HvKvmInstance */
  /* where signals are emitted: the context HvKvm was initialized in */
  GMainContext *owner_context;

  gboolean      initialized;
  GError       *init_error;
};

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_RUN_DIR,
  PROP_VHOST_NET_DEVICE,
  PROP_CACHE_DIR,
  PROP_DEFAULT_HVPARAMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void hv_kvm_hypervisor_iface_init (HvHypervisorInterface *iface);
static void hv_kvm_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HvKvm, hv_kvm, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HV_TYPE_HYPERVISOR,
                                                      hv_kvm_hypervisor_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      hv_kvm_initable_iface_init))

/* The configuration keys: an absolute path (s) or a number (u), each
 * stored at an offset of HvKvm. */
typedef enum {
  CONFIG_PATH,
  CONFIG_UINT,
} ConfigKind;

static const struct {
  const gchar *key;
  ConfigKind   kind;
  gsize        offset;
} hv_kvm_config_keys[] = {
  { "run-dir", CONFIG_PATH, G_STRUCT_OFFSET (HvKvm, run_dir) },
  { "vhost-net-device", CONFIG_PATH, G_STRUCT_OFFSET (HvKvm, vhost_net_device) },
  { "cache-dir", CONFIG_PATH, G_STRUCT_OFFSET (HvKvm, cache_dir) },
  { "ifup-script", CONFIG_PATH, G_STRUCT_OFFSET (HvKvm, ifup_script) },
  { "ifdown-script", CONFIG_PATH, G_STRUCT_OFFSET (HvKvm, ifdown_script) },
  { "start-timeout-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvm, start_timeout_ms) },
  { "powerdown-interval-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvm, powerdown_interval_ms) },
  { "reboot-timeout-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvm, reboot_timeout_ms) },
  { "balloon-timeout-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvm, balloon_timeout_ms) },
  { "removal-timeout-ms", CONFIG_UINT, G_STRUCT_OFFSET (HvKvm, removal_timeout_ms) },
};

static gint
hv_kvm_config_key_index (const gchar *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hv_kvm_config_keys); i++)
    {
      if (g_str_equal (hv_kvm_config_keys[i].key, key))
        return (gint) i;
    }
  return -1;
}

static gchar *
hv_kvm_config_known_keys (void)
{
  g_autoptr(GString) keys = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (hv_kvm_config_keys); i++)
    g_string_append_printf (keys, "%s%s", i > 0 ? ", " : "", hv_kvm_config_keys[i].key);
  return g_string_free (g_steal_pointer (&keys), FALSE);
}

static gboolean
hv_kvm_apply_config_value (HvKvm        *self,
                           gint          index,
                           GVariant     *value,
                           GError      **error)
{
  const gchar *key = hv_kvm_config_keys[index].key;
  gpointer slot = G_STRUCT_MEMBER_P (self, hv_kvm_config_keys[index].offset);
  g_autofree gchar *printed = NULL;

  if (hv_kvm_config_keys[index].kind == CONFIG_UINT)
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
hv_kvm_apply_config (HvKvm   *self,
                     GError **error)
{
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  if (self->config == NULL)
    return TRUE;

  g_variant_iter_init (&iter, self->config);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      gint index = hv_kvm_config_key_index (key);

      if (index < 0)
        {
          g_autofree gchar *known = hv_kvm_config_known_keys ();

          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Unknown configuration key '%s' of hypervisor 'kvm' (known keys: %s)"),
                       key, known);
          g_variant_unref (value);
          return FALSE;
        }
      if (!hv_kvm_apply_config_value (self, index, value, error))
        {
          g_variant_unref (value);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
hv_kvm_ensure_run_dir (HvKvm   *self,
                       GError **error)
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

static gint
hv_kvm_compare_names (gconstpointer a,
                      gconstpointer b)
{
  return strcmp (*(const gchar **) a, *(const gchar **) b);
}

static gboolean
hv_kvm_reconnect_cb (gpointer user_data)
{
  hv_kvm_reconnect (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
hv_kvm_initable_init (GInitable     *initable,
                      GCancellable  *cancellable,
                      GError       **error)
{
  HvKvm *self = HV_KVM (initable);

  if (!self->initialized)
    {
      /* GInitable: init may be called again and must give the same answer */
      self->initialized = TRUE;
      if (hv_kvm_apply_config (self, &self->init_error) &&
          hv_kvm_ensure_run_dir (self, &self->init_error))
        {
          if (self->cache_dir == NULL)
            self->cache_dir = g_build_filename (self->run_dir, "cache", NULL);
          self->capabilities_cache = hv_kvm_capabilities_cache_new (self->cache_dir);
          self->store = hv_kvm_runtime_store_new (self->run_dir);
          self->owner_context = g_main_context_ref_thread_default ();
          self->worker = hv_kvm_worker_new ("hv-kvm");
          /* a restarted daemon takes over what runs before it answers */
          hv_kvm_worker_run_sync (self->worker, hv_kvm_reconnect_cb, self);
        }
    }

  if (self->init_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->init_error));
      return FALSE;
    }
  return TRUE;
}

static void
hv_kvm_initable_iface_init (GInitableIface *iface)
{
  iface->init = hv_kvm_initable_init;
}

static const gchar *
hv_kvm_get_name (HvHypervisor *hypervisor)
{
  return "kvm";
}

static gpointer
hv_kvm_copy_spec (gconstpointer spec,
                  gpointer      user_data)
{
  return hv_param_spec_ref ((HvParamSpec *) spec);
}

static GPtrArray *
hv_kvm_get_parameters (HvHypervisor *hypervisor)
{
  HvKvm *self = HV_KVM (hypervisor);

  /* a copy: callers own what they get, and the table stays ours */
  return g_ptr_array_copy (self->specs, hv_kvm_copy_spec, NULL);
}

/* Ganeti's CheckParameterSyntax: the table, then the rules across
 * parameters. Nothing of the node is looked at. */
static gboolean
hv_kvm_check_parameter_syntax (HvHypervisor  *hypervisor,
                               GVariant      *hvparams,
                               GError       **error)
{
  HvKvm *self = HV_KVM (hypervisor);

  return hv_param_specs_check_syntax (self->specs, hvparams, error) &&
         hv_kvm_params_check_rules (hvparams, error);
}

/* Ganeti's ValidateParameters, after the syntax: the node checks of the
 * table, then the node rules. Run on the node that will start the
 * instance, as Ganeti's noded does before StartInstance. */
static gboolean
hv_kvm_validate_parameters (HvHypervisor  *hypervisor,
                            GVariant      *hvparams,
                            GError       **error)
{
  HvKvm *self = HV_KVM (hypervisor);

  return hv_kvm_check_parameter_syntax (hypervisor, hvparams, error) &&
         hv_param_specs_validate (self->specs, hvparams, error) &&
         hv_kvm_params_validate_rules (hvparams, self->vhost_net_device, error);
}

static void
hv_kvm_hypervisor_iface_init (HvHypervisorInterface *iface)
{
  /* The parameters here; the lifecycle (hv-kvm-calls.c) and hotplug
   * (hv-kvm-hotplug-calls.c) in the monitor thread. Migration is not
   * there yet: the interface's defaults answer for it. */
  iface->get_name = hv_kvm_get_name;
  iface->get_parameters = hv_kvm_get_parameters;
  iface->check_parameter_syntax = hv_kvm_check_parameter_syntax;
  iface->validate_parameters = hv_kvm_validate_parameters;
  hv_kvm_calls_iface_init (iface);
  hv_kvm_hotplug_calls_iface_init (iface);
}

/* -- the known instances (monitor thread) --------------------------------- */

typedef struct {
  HvKvm          *self;
  gchar          *name;
  HvInstanceState state;
} StateChange;

static gboolean
hv_kvm_emit_state_changed_cb (gpointer user_data)
{
  StateChange *change = user_data;

  g_signal_emit_by_name (change->self, "instance-state-changed", change->name, change->state);
  return G_SOURCE_REMOVE;
}

static void
state_change_free (StateChange *change)
{
  g_object_unref (change->self);
  g_free (change->name);
  g_free (change);
}

/* An instance's state changed in the monitor thread: tell the owner, in
 * the context HvKvm was made in, as GObject signals should be. */
static void
hv_kvm_instance_state_changed_cb (HvKvmInstance  *instance,
                                  HvInstanceState state,
                                  gpointer        user_data)
{
  HvKvm *self = user_data;
  StateChange *change;

  if (hv_kvm_instance_is_busy (instance))
    return;
  change = g_new0 (StateChange, 1);
  change->self = g_object_ref (self);
  change->name = g_strdup (hv_kvm_instance_get_name (instance));
  change->state = state;
  g_main_context_invoke_full (self->owner_context, G_PRIORITY_DEFAULT,
                              hv_kvm_emit_state_changed_cb, change,
                              (GDestroyNotify) state_change_free);
}

static void
hv_kvm_watch_instance (HvKvm         *self,
                       HvKvmInstance *instance)
{
  g_signal_connect (instance, "state-changed",
                    G_CALLBACK (hv_kvm_instance_state_changed_cb), self);
}

HvKvmInstance *
hv_kvm_lookup_instance (HvKvm       *self,
                        const gchar *name)
{
  g_return_val_if_fail (hv_kvm_worker_is_current (self->worker), NULL);

  return g_hash_table_lookup (self->instances, name);
}

/* A new known instance @name, with this hypervisor's scripts and
 * timeouts; the table holds it. */
HvKvmInstance *
hv_kvm_add_instance (HvKvm       *self,
                     const gchar *name)
{
  g_autoptr(HvNicScript) ifup = hv_nic_script_new (self->ifup_script);
  g_autoptr(HvNicScript) ifdown = hv_nic_script_new (self->ifdown_script);
  HvKvmInstance *instance;

  g_return_val_if_fail (hv_kvm_worker_is_current (self->worker), NULL);
  g_return_val_if_fail (!g_hash_table_contains (self->instances, name), NULL);

  instance = hv_kvm_instance_new (name, self->run_dir, self->store);
  hv_kvm_instance_set_nic_scripts (instance, ifup, ifdown);
  hv_kvm_instance_set_removal_timeout (instance, self->removal_timeout_ms);
  hv_kvm_watch_instance (self, instance);
  g_hash_table_insert (self->instances, g_strdup (name), instance);
  return instance;
}

/* Puts a forgotten instance back (a start queued behind the stop that
 * forgot it); FALSE if another instance of that name is known now. */
gboolean
hv_kvm_remember_instance (HvKvm         *self,
                          HvKvmInstance *instance)
{
  HvKvmInstance *known;

  g_return_val_if_fail (hv_kvm_worker_is_current (self->worker), FALSE);

  known = g_hash_table_lookup (self->instances, hv_kvm_instance_get_name (instance));
  if (known != NULL)
    return known == instance;
  hv_kvm_watch_instance (self, instance);
  g_hash_table_insert (self->instances, g_strdup (hv_kvm_instance_get_name (instance)),
                       g_object_ref (instance));
  return TRUE;
}

void
hv_kvm_forget_instance (HvKvm         *self,
                        HvKvmInstance *instance)
{
  g_return_if_fail (hv_kvm_worker_is_current (self->worker));

  if (g_hash_table_lookup (self->instances, hv_kvm_instance_get_name (instance)) != instance)
    return;
  g_signal_handlers_disconnect_by_data (instance, self);
  g_hash_table_remove (self->instances, hv_kvm_instance_get_name (instance));
}

/* Every known instance, sorted by name. */
GPtrArray *
hv_kvm_get_instances (HvKvm *self)
{
  g_autoptr(GPtrArray) instances = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree gpointer *names = NULL;
  guint n_names = 0;

  g_return_val_if_fail (hv_kvm_worker_is_current (self->worker), NULL);

  names = g_hash_table_get_keys_as_array (self->instances, &n_names);
  qsort (names, n_names, sizeof (gpointer), (GCompareFunc) hv_kvm_compare_names);
  for (guint i = 0; i < n_names; i++)
    g_ptr_array_add (instances, g_object_ref (g_hash_table_lookup (self->instances, names[i])));
  return g_steal_pointer (&instances);
}

static gboolean
hv_kvm_forget_all_cb (gpointer user_data)
{
  HvKvm *self = user_data;
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

static void
hv_kvm_dispose (GObject *object)
{
  HvKvm *self = HV_KVM (object);

  if (self->worker != NULL)
    {
      /* the last reference may go in the monitor thread, with the last
       * task that held it: the worker copes */
      hv_kvm_worker_run_sync (self->worker, hv_kvm_forget_all_cb, self);
      g_clear_pointer (&self->worker, hv_kvm_worker_free);
    }

  G_OBJECT_CLASS (hv_kvm_parent_class)->dispose (object);
}

static void
hv_kvm_finalize (GObject *object)
{
  HvKvm *self = HV_KVM (object);

  g_clear_pointer (&self->config, g_variant_unref);
  g_clear_pointer (&self->default_hvparams, g_variant_unref);
  g_clear_pointer (&self->specs, g_ptr_array_unref);
  g_clear_error (&self->init_error);
  g_free (self->run_dir);
  g_free (self->vhost_net_device);
  g_free (self->cache_dir);
  g_free (self->ifup_script);
  g_free (self->ifdown_script);
  g_clear_object (&self->capabilities_cache);
  g_clear_object (&self->store);
  g_clear_pointer (&self->instances, g_hash_table_unref);
  g_clear_pointer (&self->owner_context, g_main_context_unref);

  G_OBJECT_CLASS (hv_kvm_parent_class)->finalize (object);
}

static void
hv_kvm_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  HvKvm *self = HV_KVM (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_variant (value, self->config);
      break;
    case PROP_RUN_DIR:
      g_value_set_string (value, self->run_dir);
      break;
    case PROP_VHOST_NET_DEVICE:
      g_value_set_string (value, self->vhost_net_device);
      break;
    case PROP_CACHE_DIR:
      g_value_set_string (value, self->cache_dir);
      break;
    case PROP_DEFAULT_HVPARAMS:
      g_value_set_variant (value, self->default_hvparams);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_kvm_set_property (GObject      *object,
                     guint         prop_id,
                     const GValue *value,
                     GParamSpec   *pspec)
{
  HvKvm *self = HV_KVM (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_clear_pointer (&self->config, g_variant_unref);
      self->config = g_value_dup_variant (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_kvm_class_init (HvKvmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hv_kvm_dispose;
  object_class->finalize = hv_kvm_finalize;
  object_class->get_property = hv_kvm_get_property;
  object_class->set_property = hv_kvm_set_property;

  /* The configuration (see HvKvm above), applied by g_initable_init(). */
  properties[PROP_CONFIG] =
    g_param_spec_variant ("config", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RUN_DIR] =
    g_param_spec_string ("run-dir", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VHOST_NET_DEVICE] =
    g_param_spec_string ("vhost-net-device", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CACHE_DIR] =
    g_param_spec_string ("cache-dir", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* Ganeti's defaults of every KVM parameter, an a{sv} that passes the
   * syntax checks: a starting point for callers that build hvparams. */
  properties[PROP_DEFAULT_HVPARAMS] =
    g_param_spec_variant ("default-hvparams", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_kvm_init (HvKvm *self)
{
  const HvParamDef *defs;
  gsize n_defs;

  defs = hv_kvm_params_get_defs (&n_defs);
  self->specs = hv_param_specs_new_from_defs (defs, n_defs);
  self->default_hvparams = hv_kvm_params_get_defaults ();
  self->run_dir = g_strdup (HV_DEFAULT_RUN_DIR);
  self->vhost_net_device = g_strdup (HV_KVM_VHOST_NET_DEVICE);
  self->ifup_script = g_build_filename (HV_SCRIPT_DIR, "kvm-ifup", NULL);
  self->ifdown_script = g_build_filename (HV_SCRIPT_DIR, "kvm-ifdown", NULL);
  self->start_timeout_ms = 60000;
  self->powerdown_interval_ms = 5000;
  self->reboot_timeout_ms = 120000;
  self->balloon_timeout_ms = 30000;
  self->removal_timeout_ms = 10000;
  self->instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/**
 * hv_kvm_new:
 * @config: (nullable): the configuration, an `a{sv}` (see #HvKvm); a
 *   floating reference is consumed
 * @error: return location for a #GError
 *
 * Creates and initializes the KVM hypervisor directly, as the plugin loader
 * does through hv_plugin_loader_get_hypervisor().
 *
 * Returns: (transfer full): the hypervisor, or %NULL with @error set
 */
HvKvm *
hv_kvm_new (GVariant  *config,
            GError   **error)
{
  g_autoptr(GVariant) owned = config != NULL ? g_variant_ref_sink (config) : NULL;

  return g_initable_new (HV_TYPE_KVM, NULL, error, "config", owned, NULL);
}

/**
 * hv_kvm_get_run_dir:
 * @self: an #HvKvm
 *
 * Returns: (transfer none): the directory of pidfiles, sockets and records
 */
const gchar *
hv_kvm_get_run_dir (HvKvm *self)
{
  g_return_val_if_fail (HV_IS_KVM (self), NULL);

  return self->run_dir;
}

/**
 * hv_kvm_get_vhost_net_device:
 * @self: an #HvKvm
 *
 * Returns: (transfer none): the vhost-net device `vhost_net` needs
 */
const gchar *
hv_kvm_get_vhost_net_device (HvKvm *self)
{
  g_return_val_if_fail (HV_IS_KVM (self), NULL);

  return self->vhost_net_device;
}

/**
 * hv_kvm_get_capabilities_cache:
 * @self: an initialized #HvKvm
 *
 * Returns: (transfer none): the capabilities of the QEMU binaries this
 *   hypervisor runs, probed once per binary and kept under `cache-dir`
 */
HvKvmCapabilitiesCache *
hv_kvm_get_capabilities_cache (HvKvm *self)
{
  g_return_val_if_fail (HV_IS_KVM (self), NULL);

  return self->capabilities_cache;
}

/**
 * hv_kvm_get_default_hvparams:
 * @self: an #HvKvm
 *
 * Returns: (transfer none): Ganeti's defaults of every KVM parameter
 */
GVariant *
hv_kvm_get_default_hvparams (HvKvm *self)
{
  g_return_val_if_fail (HV_IS_KVM (self), NULL);

  return self->default_hvparams;
}

HvRuntimeStore *
hv_kvm_get_store (HvKvm *self)
{
  g_return_val_if_fail (HV_IS_KVM (self), NULL);

  return self->store;
}

HvKvmWorker *
hv_kvm_get_worker (HvKvm *self)
{
  g_return_val_if_fail (HV_IS_KVM (self), NULL);

  return self->worker;
}

guint
hv_kvm_get_powerdown_interval (HvKvm *self)
{
  return self->powerdown_interval_ms;
}

guint
hv_kvm_get_reboot_timeout (HvKvm *self)
{
  return self->reboot_timeout_ms;
}

guint
hv_kvm_get_balloon_timeout (HvKvm *self)
{
  return self->balloon_timeout_ms;
}

guint
hv_kvm_get_start_timeout (HvKvm *self)
{
  return self->start_timeout_ms;
}

/* -- appended for hotplug ------------------------------------------------- */

typedef struct {
  HvKvm *self;
  gchar *name;
  gchar *device_id;
} DeviceRemoved;

static gboolean
hv_kvm_emit_device_removed_cb (gpointer user_data)
{
  DeviceRemoved *removed = user_data;

  g_signal_emit_by_name (removed->self, "device-removed", removed->name, removed->device_id);
  return G_SOURCE_REMOVE;
}

static void
device_removed_free (DeviceRemoved *removed)
{
  g_object_unref (removed->self);
  g_free (removed->name);
  g_free (removed->device_id);
  g_free (removed);
}

/* A device of instance @name is gone (DEVICE_DELETED): the owner hears it
 * in the context HvKvm was made in, as for state changes. */
void
hv_kvm_emit_device_removed (HvKvm       *self,
                            const gchar *name,
                            const gchar *device_id)
{
  DeviceRemoved *removed;

  g_return_if_fail (HV_IS_KVM (self));

  if (device_id == NULL)
    return;
  removed = g_new0 (DeviceRemoved, 1);
  removed->self = g_object_ref (self);
  removed->name = g_strdup (name);
  removed->device_id = g_strdup (device_id);
  g_main_context_invoke_full (self->owner_context, G_PRIORITY_DEFAULT,
                              hv_kvm_emit_device_removed_cb, removed,
                              (GDestroyNotify) device_removed_free);
}
