/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvPluginLoader"

#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <gmodule.h>

#include "hv-error.h"
#include "hv-hypervisor.h"
#include "hv-plugin-loader.h"
#include "hvkit/hv-plugin.h"

/**
 * HvPluginLoader:
 *
 * Finds hypervisor drivers in the plugin directory and hands out ready
 * #HvHypervisor objects.
 *
 * A driver is a module named `libhv-<name>.so`, where `<name>` is the
 * hypervisor's name (`libhv-kvm.so` for "kvm"). A module is opened only when
 * its hypervisor is asked for, and only if it can be trusted: a regular file
 * owned by root (or by the user running the process), writable by nobody
 * else, in a directory that is just as protected. It must export the
 * `hv_plugin_info` symbol with the plugin API version of this libhvkit. A
 * module that is accepted stays loaded for the life of the process.
 *
 * The directory is, in order: the one given to hv_plugin_loader_new(), the
 * `HVKIT_PLUGIN_DIR` environment variable, or `$libdir/hvkit-1.0/plugins`.
 *
 * Every refusal is an %HV_ERROR naming the file and the reason.
 *
 * Since: 1.0
 */

#define HV_PLUGIN_FILE_PREFIX "libhv-"
#define HV_PLUGIN_FILE_SUFFIX "." G_MODULE_SUFFIX
#define HV_PLUGIN_NAME_MAX 64

struct _HvPluginLoader {
  GObject     parent_instance;

  gchar      *plugin_dir;
  GHashTable *types;  /* hypervisor name → GType of an accepted module */
};

enum {
  PROP_0,
  PROP_PLUGIN_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HvPluginLoader, hv_plugin_loader, G_TYPE_OBJECT)

static void
hv_plugin_loader_constructed (GObject *object)
{
  HvPluginLoader *self = HV_PLUGIN_LOADER (object);

  G_OBJECT_CLASS (hv_plugin_loader_parent_class)->constructed (object);

  if (self->plugin_dir == NULL)
    {
      const gchar *env = g_getenv ("HVKIT_PLUGIN_DIR");

      self->plugin_dir = g_strdup (env != NULL && *env != '\0' ? env : HV_PLUGIN_DIR);
    }
}

static void
hv_plugin_loader_finalize (GObject *object)
{
  HvPluginLoader *self = HV_PLUGIN_LOADER (object);

  g_free (self->plugin_dir);
  g_hash_table_unref (self->types);

  G_OBJECT_CLASS (hv_plugin_loader_parent_class)->finalize (object);
}

static void
hv_plugin_loader_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  HvPluginLoader *self = HV_PLUGIN_LOADER (object);

  switch (prop_id)
    {
    case PROP_PLUGIN_DIR:
      g_value_set_string (value, self->plugin_dir);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_plugin_loader_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  HvPluginLoader *self = HV_PLUGIN_LOADER (object);

  switch (prop_id)
    {
    case PROP_PLUGIN_DIR:
      g_free (self->plugin_dir);
      self->plugin_dir = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_plugin_loader_class_init (HvPluginLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = hv_plugin_loader_constructed;
  object_class->finalize = hv_plugin_loader_finalize;
  object_class->get_property = hv_plugin_loader_get_property;
  object_class->set_property = hv_plugin_loader_set_property;

  /**
   * HvPluginLoader:plugin-dir:
   *
   * The directory the modules are looked up in. Given as %NULL, it becomes
   * `HVKIT_PLUGIN_DIR` when that is set, else the installed plugin
   * directory.
   *
   * Since: 1.0
   */
  properties[PROP_PLUGIN_DIR] =
    g_param_spec_string ("plugin-dir", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_plugin_loader_init (HvPluginLoader *self)
{
  self->types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * hv_plugin_loader_new:
 * @plugin_dir: (nullable) (type filename): the directory to load modules
 *   from, or %NULL for `HVKIT_PLUGIN_DIR` or the installed one
 *
 * Creates a loader. Nothing is read or loaded until a hypervisor is listed
 * or asked for.
 *
 * Returns: (transfer full): a new #HvPluginLoader
 *
 * Since: 1.0
 */
HvPluginLoader *
hv_plugin_loader_new (const gchar *plugin_dir)
{
  return g_object_new (HV_TYPE_PLUGIN_LOADER, "plugin-dir", plugin_dir, NULL);
}

/**
 * hv_plugin_loader_get_plugin_dir:
 * @self: an #HvPluginLoader
 *
 * The directory @self loads modules from.
 *
 * Returns: (transfer none) (type filename): the plugin directory
 *
 * Since: 1.0
 */
const gchar *
hv_plugin_loader_get_plugin_dir (HvPluginLoader *self)
{
  g_return_val_if_fail (HV_IS_PLUGIN_LOADER (self), NULL);

  return self->plugin_dir;
}

/* Hypervisor names become file names: lower-case letters, digits, '-' and
 * '_', starting with a letter or digit. */
static gboolean
hv_plugin_name_is_valid (const gchar *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > HV_PLUGIN_NAME_MAX || !g_ascii_isalnum (name[0]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!(g_ascii_islower (name[i]) || g_ascii_isdigit (name[i]) ||
            name[i] == '-' || name[i] == '_'))
        return FALSE;
    }
  return TRUE;
}

/* "libhv-kvm.so" → "kvm"; NULL for a file that is not a plugin module. */
static gchar *
hv_plugin_name_from_file_name (const gchar *file_name)
{
  g_autofree gchar *name = NULL;
  gsize len = strlen (file_name);
  gsize prefix_len = strlen (HV_PLUGIN_FILE_PREFIX);
  gsize suffix_len = strlen (HV_PLUGIN_FILE_SUFFIX);

  if (len <= prefix_len + suffix_len ||
      !g_str_has_prefix (file_name, HV_PLUGIN_FILE_PREFIX) ||
      !g_str_has_suffix (file_name, HV_PLUGIN_FILE_SUFFIX))
    return NULL;

  name = g_strndup (file_name + prefix_len, len - prefix_len - suffix_len);
  return hv_plugin_name_is_valid (name) ? g_steal_pointer (&name) : NULL;
}

static gint
hv_plugin_compare_names (gconstpointer a,
                         gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/**
 * hv_plugin_loader_list_hypervisors:
 * @self: an #HvPluginLoader
 * @error: return location for a #GError
 *
 * The names of the hypervisors whose modules are in the plugin directory,
 * sorted. The modules are not opened: a name listed here may still be
 * refused by hv_plugin_loader_get_hypervisor(), with the reason.
 *
 * A missing or unreadable plugin directory is an error, not an empty list:
 * it means a broken installation or a wrong `HVKIT_PLUGIN_DIR`.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names, or %NULL
 *   with @error set
 *
 * Since: 1.0
 */
gchar **
hv_plugin_loader_list_hypervisors (HvPluginLoader  *self,
                                   GError         **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GError) local_error = NULL;
  const gchar *file_name;

  g_return_val_if_fail (HV_IS_PLUGIN_LOADER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = g_dir_open (self->plugin_dir, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot read the plugin directory '%s': %s"),
                   self->plugin_dir, local_error->message);
      return NULL;
    }

  names = g_ptr_array_new_with_free_func (g_free);
  while ((file_name = g_dir_read_name (dir)) != NULL)
    {
      gchar *name = hv_plugin_name_from_file_name (file_name);

      if (name != NULL)
        g_ptr_array_add (names, name);
    }
  g_ptr_array_sort (names, hv_plugin_compare_names);
  g_ptr_array_add (names, NULL);

  return (gchar **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* Why a module or directory cannot be trusted, or NULL when it can. A
 * module runs with the rights of the process that loads it (a root daemon,
 * usually), so it must be as protected as the process: owned by root or by
 * the process's own user, and writable by nobody else. The directory is
 * checked too: whoever can write to it can swap the module between this
 * check and g_module_open(). */
static gchar *
hv_plugin_describe_untrusted (const struct stat *st,
                              gboolean           is_dir)
{
  uid_t euid = geteuid ();
  guint mode = st->st_mode & 07777;

  if (is_dir ? !S_ISDIR (st->st_mode) : !S_ISREG (st->st_mode))
    return g_strdup (is_dir ? _("not a directory") : _("not a regular file"));

  if (st->st_uid != 0 && st->st_uid != euid)
    {
      if (euid == 0)
        return g_strdup_printf (_("owned by uid %u, not by root"), (guint) st->st_uid);
      return g_strdup_printf (_("owned by uid %u, neither root nor the current user (uid %u)"),
                              (guint) st->st_uid, (guint) euid);
    }

  if ((st->st_mode & S_IWOTH) != 0)
    return g_strdup_printf (_("writable by others (mode %04o)"), mode);
  if ((st->st_mode & S_IWGRP) != 0)
    return g_strdup_printf (_("writable by its group (mode %04o)"), mode);

  if (!is_dir && (st->st_mode & (S_ISUID | S_ISGID)) != 0)
    return g_strdup_printf (_("it has the set-user-ID or set-group-ID bit (mode %04o)"), mode);

  return NULL;
}

static gboolean
hv_plugin_check_trusted (const gchar  *path,
                         gboolean      is_dir,
                         GError      **error)
{
  g_autofree gchar *reason = NULL;
  struct stat st;

  if ((is_dir ? stat (path, &st) : lstat (path, &st)) != 0)
    {
      int errsv = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   is_dir ? _("Plugin directory '%s' cannot be used: %s")
                          : _("Plugin module '%s' cannot be used: %s"),
                   path, g_strerror (errsv));
      return FALSE;
    }

  reason = hv_plugin_describe_untrusted (&st, is_dir);
  if (reason != NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   is_dir ? _("Plugin directory '%s' refused: %s")
                          : _("Plugin module '%s' refused: %s"),
                   path, reason);
      return FALSE;
    }

  return TRUE;
}

/* Opens a trusted module and checks what it declares. On success the
 * module is resident and its hypervisor type registered. */
static GType
hv_plugin_load_module (const gchar  *path,
                       const gchar  *name,
                       GError      **error)
{
  GModule *module;
  gpointer symbol = NULL;
  const HvPluginInfo *info;
  GType type;

  module = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Plugin module '%s' cannot be loaded: %s"), path, g_module_error ());
      return G_TYPE_INVALID;
    }

  if (!g_module_symbol (module, HV_PLUGIN_INFO_SYMBOL, &symbol) || symbol == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Plugin module '%s' refused: it does not export '%s', so it is not an hvkit plugin"),
                   path, HV_PLUGIN_INFO_SYMBOL);
      g_module_close (module);
      return G_TYPE_INVALID;
    }
  info = symbol;

  /* api_version is the only member whose place every version agrees on:
   * nothing else is read from a module of another version. */
  if (info->api_version != HV_PLUGIN_API_VERSION)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Plugin module '%s' refused: built for plugin API version %u, this libhvkit implements version %u"),
                   path, info->api_version, (guint) HV_PLUGIN_API_VERSION);
      g_module_close (module);
      return G_TYPE_INVALID;
    }

  if (g_strcmp0 (info->name, name) != 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Plugin module '%s' refused: it declares hypervisor '%s' instead of '%s'"),
                   path, info->name != NULL ? info->name : "", name);
      g_module_close (module);
      return G_TYPE_INVALID;
    }
  if (info->get_type == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Plugin module '%s' refused: it declares no hypervisor type"), path);
      g_module_close (module);
      return G_TYPE_INVALID;
    }

  /* From here on the module's types may be registered with GObject, which
   * can never forget them: the code must stay. */
  g_module_make_resident (module);

  type = info->get_type ();
  if (!g_type_is_a (type, G_TYPE_OBJECT) || G_TYPE_IS_ABSTRACT (type) ||
      !g_type_is_a (type, HV_TYPE_HYPERVISOR))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Plugin module '%s' refused: its type '%s' is not an instantiable HvHypervisor"),
                   path, g_type_name (type) != NULL ? g_type_name (type) : "(invalid)");
      return G_TYPE_INVALID;
    }

  g_debug ("loaded hypervisor '%s' (%s) from %s", name, g_type_name (type), path);
  return type;
}

static GType
hv_plugin_loader_ensure_type (HvPluginLoader  *self,
                              const gchar     *name,
                              GError         **error)
{
  g_autofree gchar *file_name = NULL;
  g_autofree gchar *path = NULL;
  gpointer cached;
  GType type;

  if (g_hash_table_lookup_extended (self->types, name, NULL, &cached))
    return (GType) GPOINTER_TO_SIZE (cached);

  if (!hv_plugin_check_trusted (self->plugin_dir, TRUE, error))
    return G_TYPE_INVALID;

  file_name = g_strconcat (HV_PLUGIN_FILE_PREFIX, name, HV_PLUGIN_FILE_SUFFIX, NULL);
  path = g_build_filename (self->plugin_dir, file_name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                   _("No hypervisor '%s': there is no module '%s' in '%s'"),
                   name, file_name, self->plugin_dir);
      return G_TYPE_INVALID;
    }

  if (!hv_plugin_check_trusted (path, FALSE, error))
    return G_TYPE_INVALID;

  type = hv_plugin_load_module (path, name, error);
  if (type == G_TYPE_INVALID)
    return G_TYPE_INVALID;

  g_hash_table_insert (self->types, g_strdup (name), GSIZE_TO_POINTER (type));
  return type;
}

static HvHypervisor *
hv_plugin_loader_instantiate (GType         type,
                              const gchar  *name,
                              GVariant     *config,
                              GError      **error)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (type);
  g_autoptr(GObject) object = NULL;
  GParamSpec *pspec;
  const gchar *names[1] = { "config" };
  GValue values[1] = { G_VALUE_INIT };
  guint n_properties = 0;

  pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), "config");
  if (pspec != NULL && pspec->value_type == G_TYPE_VARIANT)
    {
      if (config != NULL)
        {
          g_value_init (&values[0], G_TYPE_VARIANT);
          g_value_set_variant (&values[0], config);
          n_properties = 1;
        }
    }
  else if (config != NULL && g_variant_n_children (config) > 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Hypervisor '%s' takes no configuration"), name);
      return NULL;
    }

  object = g_object_new_with_properties (type, n_properties, names, values);
  if (n_properties > 0)
    g_value_unset (&values[0]);

  if (G_IS_INITABLE (object) && !g_initable_init (G_INITABLE (object), NULL, error))
    return NULL;

  return HV_HYPERVISOR (g_steal_pointer (&object));
}

/**
 * hv_plugin_loader_get_hypervisor:
 * @self: an #HvPluginLoader
 * @name: the hypervisor's name, such as "kvm"
 * @config: (nullable): the driver's configuration, of type `a{sv}`; the
 *   keys are the driver's (the KVM driver takes `run-dir`, for one). A
 *   floating reference is consumed.
 * @error: return location for a #GError
 *
 * Loads the module of @name, if it is not loaded yet, and creates a
 * hypervisor object with @config. When the driver implements #GInitable,
 * its initialization has run with @config when this returns.
 *
 * The module must be trusted (see #HvPluginLoader) and built for this
 * libhvkit's plugin API version; otherwise the error (%HV_ERROR_FAILED)
 * names the file and the reason. A name without a module is
 * %HV_ERROR_NOT_SUPPORTED; a name that is not a valid hypervisor name, or a
 * configuration the driver refuses, %HV_ERROR_INVALID_PARAMETER.
 *
 * Returns: (transfer full): the ready hypervisor, or %NULL with @error set
 *
 * Since: 1.0
 */
HvHypervisor *
hv_plugin_loader_get_hypervisor (HvPluginLoader  *self,
                                 const gchar     *name,
                                 GVariant        *config,
                                 GError         **error)
{
  g_autoptr(GVariant) owned_config = NULL;
  GType type;

  g_return_val_if_fail (HV_IS_PLUGIN_LOADER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (config != NULL)
    owned_config = g_variant_ref_sink (config);

  if (!hv_plugin_name_is_valid (name))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("'%s' is not a valid hypervisor name"), name);
      return NULL;
    }

  if (owned_config != NULL && !g_variant_is_of_type (owned_config, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("The configuration of hypervisor '%s' must be of type a{sv}, not %s"),
                   name, g_variant_get_type_string (owned_config));
      return NULL;
    }

  type = hv_plugin_loader_ensure_type (self, name, error);
  if (type == G_TYPE_INVALID)
    return NULL;

  return hv_plugin_loader_instantiate (type, name, owned_config, error);
}
