/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "hv-kvm.h"
#include "hv-kvm-hotplug.h"
#include "hv-kvm-iface.h"
#include "hv-kvm-lifecycle.h"
#include "hv-kvm-migration.h"
#include "hv-kvm-params.h"

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
 * - `migration-auto-postcopy` (u): non-zero starts postcopy
 *   (`migrate-start-postcopy`) once `migration-postcopy-passes` (u, 2,
 *   Ganeti's) dirty-sync passes are done, for instances with `postcopy-ram`
 *   in their migration_caps. Off (0) by default.
 * - `migration-downtime-stall-passes` (u): K non-zero raises the
 *   migration's `downtime-limit` by `migration-downtime-step-ms` (u, 100)
 *   each time the remaining RAM did not shrink over K passes, up to
 *   `migration-downtime-max-ms` (u, 2000). Off (0) by default.
 * - `script-timeout-ms` (u): how long an ifup or ifdown script may run
 *   before it is killed and its step fails (60000; 0: no limit).
 *
 * Any other key is refused.
 */

struct _HvKvm {
  GObject       parent_instance;

  GVariant     *config;
  GPtrArray    *specs;             /* HvParamSpec, from the KVM table */
  GVariant     *default_hvparams;
  HvKvmHost    *host;              /* NULL until initialized */
  gulong        state_changed_id;
  gulong        device_removed_id;
  gulong        migration_progress_id;

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

/* -- the host's news, as the interface's signals --------------------------- */

static void
hv_kvm_host_state_changed_cb (HvKvmHost       *host,
                              const gchar     *name,
                              HvInstanceState  state,
                              gpointer         user_data)
{
  g_signal_emit_by_name (user_data, "instance-state-changed", name, state);
}

static void
hv_kvm_host_device_removed_cb (HvKvmHost   *host,
                               const gchar *name,
                               const gchar *device_id,
                               gpointer     user_data)
{
  g_signal_emit_by_name (user_data, "device-removed", name, device_id);
}

static void
hv_kvm_host_migration_progress_cb (HvKvmHost         *host,
                                   const gchar       *name,
                                   HvMigrationStatus *status,
                                   gpointer           user_data)
{
  g_signal_emit_by_name (user_data, "migration-progress", name, status);
}

/* A restarted daemon takes over what runs before it answers; each
 * instance taken over then has its hotplug journal reconciled. */
static gboolean
hv_kvm_reconnect_cb (gpointer user_data)
{
  HvKvmHost *host = user_data;
  g_autoptr(GPtrArray) running = hv_kvm_reconnect (host);

  for (guint i = 0; i < running->len; i++)
    {
      /* a migration first: its mark keeps hotplug away */
      hv_kvm_migration_pick_up (host, g_ptr_array_index (running, i));
      hv_kvm_hotplug_job_queue_reconcile (host, g_ptr_array_index (running, i));
    }
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
      self->host = hv_kvm_host_new (self->config, &self->init_error);
      if (self->host != NULL)
        {
          /* the host emits in the context it was made in, this one */
          self->state_changed_id =
            g_signal_connect (self->host, "instance-state-changed",
                              G_CALLBACK (hv_kvm_host_state_changed_cb), self);
          self->device_removed_id =
            g_signal_connect (self->host, "device-removed",
                              G_CALLBACK (hv_kvm_host_device_removed_cb), self);
          self->migration_progress_id =
            g_signal_connect (self->host, "migration-progress",
                              G_CALLBACK (hv_kvm_host_migration_progress_cb), self);
          hv_kvm_host_run_sync (self->host, hv_kvm_reconnect_cb, self->host);
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

/* -- parameters ------------------------------------------------------------ */

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
         hv_kvm_params_validate_rules (hvparams, hv_kvm_host_get_vhost_net_device (self->host),
                                       error);
}

static void
hv_kvm_hypervisor_iface_init (HvHypervisorInterface *iface)
{
  /* The parameters here; the lifecycle (hv-kvm-lifecycle-iface.c),
   * hotplug (hv-kvm-hotplug-iface.c) and migration
   * (hv-kvm-migration-iface.c) in the monitor thread. */
  iface->get_name = hv_kvm_get_name;
  iface->get_parameters = hv_kvm_get_parameters;
  iface->check_parameter_syntax = hv_kvm_check_parameter_syntax;
  iface->validate_parameters = hv_kvm_validate_parameters;
  hv_kvm_lifecycle_iface_init (iface);
  hv_kvm_hotplug_iface_init (iface);
  hv_kvm_migration_iface_init (iface);
  hv_kvm_adopt_iface_init (iface);
}

/* -- the way to the monitor thread and back -------------------------------- */

typedef struct {
  HvKvmHost       *host;
  GTask           *task;
  HvKvmThreadFunc  func;
} Invocation;

static gboolean
hv_kvm_invoke_cb (gpointer user_data)
{
  Invocation *invocation = user_data;

  invocation->func (invocation->host, invocation->task);
  g_free (invocation);
  return G_SOURCE_REMOVE;
}

/**
 * hv_kvm_invoke:
 * @self: the hypervisor, initialized
 * @task: (transfer full): the caller's task, with its typed data; it holds
 *   @self, and so the host, until it completes
 * @func: runs in the monitor thread; owns @task and must complete it
 *   (hv_kvm_return_boolean(), hv_kvm_return_pointer())
 */
void
hv_kvm_invoke (HvKvm           *self,
               GTask           *task,
               HvKvmThreadFunc  func)
{
  Invocation *invocation = g_new0 (Invocation, 1);

  invocation->host = self->host;
  invocation->task = task;
  invocation->func = func;
  hv_kvm_host_invoke (self->host, hv_kvm_invoke_cb, invocation, NULL);
}

/**
 * hv_kvm_invoke_for_instance:
 * @self: the hypervisor, initialized
 * @task: (transfer full): the caller's task, as for hv_kvm_invoke()
 * @name: (nullable): the instance's name, as the caller gave it
 * @func: runs in the monitor thread, as for hv_kvm_invoke()
 *
 * hv_kvm_invoke() for a method about one instance: its name is checked
 * first, in the caller's thread, so that every such method refuses a bad
 * name the same way (%HV_ERROR_INVALID_PARAMETER) before any path or
 * lookup is made from it, rather than some answering "not running".
 */
void
hv_kvm_invoke_for_instance (HvKvm           *self,
                            GTask           *task,
                            const gchar     *name,
                            HvKvmThreadFunc  func)
{
  GError *error = NULL;

  if (!hv_instance_name_validate (name != NULL ? name : "", &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  hv_kvm_invoke (self, task, func);
}

/* Completes the caller's task from the monitor thread; it completes in
 * the caller's context. The last reference to the task, and with it to
 * HvKvm, may go here: the host's worker copes. */
void
hv_kvm_return_boolean (GTask    *task,
                       gboolean  ok,
                       GError   *error)
{
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, ok);
  g_object_unref (task);
}

void
hv_kvm_return_pointer (GTask          *task,
                       gpointer        value,
                       GDestroyNotify  value_free,
                       GError         *error)
{
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, value_free);
  g_object_unref (task);
}

GTask *
hv_kvm_task_new (HvHypervisor        *hypervisor,
                 gpointer             source_tag,
                 gpointer             data,
                 GDestroyNotify       data_free,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (hypervisor, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (data != NULL)
    g_task_set_task_data (task, data, data_free);
  return task;
}

gboolean
hv_kvm_task_check (HvHypervisor *hypervisor,
                   GAsyncResult *result,
                   gpointer      source_tag)
{
  return g_task_is_valid (result, hypervisor) &&
         g_task_get_source_tag (G_TASK (result)) == source_tag;
}

/* -- GObject --------------------------------------------------------------- */

static void
hv_kvm_dispose (GObject *object)
{
  HvKvm *self = HV_KVM (object);

  if (self->host != NULL)
    {
      g_clear_signal_handler (&self->state_changed_id, self->host);
      g_clear_signal_handler (&self->device_removed_id, self->host);
      g_clear_signal_handler (&self->migration_progress_id, self->host);
      hv_kvm_host_shutdown (self->host);
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
  g_clear_object (&self->host);

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
      g_value_set_string (value, hv_kvm_get_run_dir (self));
      break;
    case PROP_VHOST_NET_DEVICE:
      g_value_set_string (value, hv_kvm_get_vhost_net_device (self));
      break;
    case PROP_CACHE_DIR:
      g_value_set_string (value, self->host != NULL ? hv_kvm_host_get_cache_dir (self->host)
                                                    : NULL);
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
 * hv_kvm_get_host:
 * @self: an initialized #HvKvm
 *
 * Returns: (transfer none): the driver's state on this host
 */
HvKvmHost *
hv_kvm_get_host (HvKvm *self)
{
  g_return_val_if_fail (HV_IS_KVM (self), NULL);

  return self->host;
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

  return self->host != NULL ? hv_kvm_host_get_run_dir (self->host) : HV_DEFAULT_RUN_DIR;
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

  return self->host != NULL ? hv_kvm_host_get_vhost_net_device (self->host)
                            : HV_KVM_DEFAULT_VHOST_NET_DEVICE;
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

  return self->host != NULL ? hv_kvm_host_get_capabilities_cache (self->host) : NULL;
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
