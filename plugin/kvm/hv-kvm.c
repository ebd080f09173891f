/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <errno.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-kvm-private.h"
#include "hv-kvm-params-private.h"

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
 *
 * Any other key is refused.
 */

struct _HvKvm {
  GObject       parent_instance;

  GVariant     *config;
  gchar        *run_dir;
  gchar        *vhost_net_device;
  gchar        *cache_dir;
  HvKvmCapabilitiesCache *capabilities_cache;
  GPtrArray    *specs;             /* HvParamSpec, from the KVM table */
  GVariant     *default_hvparams;

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

/* The configuration keys: each a string stored at an offset of HvKvm. */
static const struct {
  const gchar *key;
  gsize        offset;
} hv_kvm_config_keys[] = {
  { "run-dir", G_STRUCT_OFFSET (HvKvm, run_dir) },
  { "vhost-net-device", G_STRUCT_OFFSET (HvKvm, vhost_net_device) },
  { "cache-dir", G_STRUCT_OFFSET (HvKvm, cache_dir) },
};

static gchar **
hv_kvm_config_key_slot (HvKvm       *self,
                        const gchar *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hv_kvm_config_keys); i++)
    {
      if (g_str_equal (hv_kvm_config_keys[i].key, key))
        return G_STRUCT_MEMBER_P (self, hv_kvm_config_keys[i].offset);
    }
  return NULL;
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
      gchar **slot = hv_kvm_config_key_slot (self, key);

      if (slot == NULL)
        {
          g_autofree gchar *known = hv_kvm_config_known_keys ();

          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Unknown configuration key '%s' of hypervisor 'kvm' (known keys: %s)"),
                       key, known);
          g_variant_unref (value);
          return FALSE;
        }
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ||
          !g_path_is_absolute (g_variant_get_string (value, NULL)))
        {
          g_autofree gchar *printed = g_variant_print (value, TRUE);

          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Configuration key '%s' of hypervisor 'kvm' must be an absolute path "
                         "of type s (current value: %s)"),
                       key, printed);
          g_variant_unref (value);
          return FALSE;
        }
      g_free (*slot);
      *slot = g_variant_dup_string (value, NULL);
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
hv_kvm_get_node_info_async (HvHypervisor        *hypervisor,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (hypervisor, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  HvNodeInfo *info;

  g_task_set_source_tag (task, hv_kvm_get_node_info_async);

  /* /proc and sysfs are answered from kernel memory, never by a device, so
   * reading them here does not hold up the caller's main loop. QEMU's
   * version (hv_version) comes with the capability probe. */
  info = hv_node_info_new_from_system (NULL, NULL, NULL, &error);
  if (info == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, info, g_object_unref);
}

static HvNodeInfo *
hv_kvm_get_node_info_finish (HvHypervisor  *hypervisor,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, hypervisor), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_get_node_info_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
hv_kvm_hypervisor_iface_init (HvHypervisorInterface *iface)
{
  /* The lifecycle, hotplug and migration methods come with the issues that
   * implement them; until then the interface's defaults answer. */
  iface->get_name = hv_kvm_get_name;
  iface->get_parameters = hv_kvm_get_parameters;
  iface->check_parameter_syntax = hv_kvm_check_parameter_syntax;
  iface->validate_parameters = hv_kvm_validate_parameters;
  iface->get_node_info_async = hv_kvm_get_node_info_async;
  iface->get_node_info_finish = hv_kvm_get_node_info_finish;
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
  g_clear_object (&self->capabilities_cache);

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
