/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmCapabilities"

#include "config.h"

#include <stdlib.h>

#include <glib/gi18n-lib.h>

#include "hvkit.h"
#include "hv-kvm-capabilities-probe.h"

/*
 * What one QEMU binary offers, as its QMP answered a probe: version,
 * commands, device types, machines, CPU models, migration capabilities and
 * command-line options with their parameters.
 * Immutable once built. Decisions (is hotplug possible, which machine does
 * "pc" mean, is SPICE built in) are taken from these sets, never from the
 * version number.
 */

typedef struct {
  gchar *name;
  gchar *alias;
  gboolean is_default;
  gboolean deprecated;
} HvKvmMachine;

struct _HvKvmCapabilities {
  GObject parent_instance;

  guint major;
  guint minor;
  guint micro;
  gchar *version_string;
  gchar *package;

  GStrv commands;               /* sorted, for to_variant */
  GStrv devices;
  GStrv cpu_models;
  GStrv migration_capabilities;
  GHashTable *command_set;      /* views into the GStrvs */
  GHashTable *device_set;
  GHashTable *cpu_model_set;
  GHashTable *migration_capability_set;

  GArray *machines;             /* HvKvmMachine */
  GHashTable *options;          /* option → set of its parameter names */
};

G_DEFINE_FINAL_TYPE (HvKvmCapabilities, hv_kvm_capabilities, G_TYPE_OBJECT)

static void
hv_kvm_machine_clear (gpointer data)
{
  HvKvmMachine *machine = data;

  g_clear_pointer (&machine->name, g_free);
  g_clear_pointer (&machine->alias, g_free);
}

static void
hv_kvm_capabilities_finalize (GObject *object)
{
  HvKvmCapabilities *self = HV_KVM_CAPABILITIES (object);

  g_free (self->version_string);
  g_free (self->package);
  g_clear_pointer (&self->command_set, g_hash_table_unref);
  g_clear_pointer (&self->device_set, g_hash_table_unref);
  g_clear_pointer (&self->cpu_model_set, g_hash_table_unref);
  g_clear_pointer (&self->migration_capability_set, g_hash_table_unref);
  g_strfreev (self->commands);
  g_strfreev (self->devices);
  g_strfreev (self->cpu_models);
  g_strfreev (self->migration_capabilities);
  g_clear_pointer (&self->machines, g_array_unref);
  g_clear_pointer (&self->options, g_hash_table_unref);

  G_OBJECT_CLASS (hv_kvm_capabilities_parent_class)->finalize (object);
}

static void
hv_kvm_capabilities_class_init (HvKvmCapabilitiesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hv_kvm_capabilities_finalize;
}

static void
hv_kvm_capabilities_init (HvKvmCapabilities *self)
{
  self->machines = g_array_new (FALSE, TRUE, sizeof (HvKvmMachine));
  g_array_set_clear_func (self->machines, hv_kvm_machine_clear);
  self->options = hv_kvm_capabilities_options_new ();
}

/* A map made by this and filled with hv_kvm_capabilities_options_add(). */
GHashTable *
hv_kvm_capabilities_options_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) g_hash_table_unref);
}

void
hv_kvm_capabilities_options_add (GHashTable  *options,
                                 const gchar *option,
                                 const gchar *parameter)
{
  GHashTable *parameters = g_hash_table_lookup (options, option);

  if (parameters == NULL)
    {
      parameters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (options, g_strdup (option), parameters);
    }
  if (parameter != NULL)
    g_hash_table_add (parameters, g_strdup (parameter));
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Takes @names (NULL-terminated, may be unsorted or hold duplicates) and
 * returns it sorted and unique, with a set of views into it. */
static GStrv
sort_names (GPtrArray   *names,
            GHashTable **set)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *unique = g_ptr_array_new ();

  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      gchar *name = g_ptr_array_index (names, i);

      if (name == NULL || g_hash_table_contains (seen, name))
        {
          g_free (name);
          continue;
        }
      g_hash_table_add (seen, name);
      g_ptr_array_add (unique, name);
    }
  g_ptr_array_set_free_func (names, NULL);
  g_ptr_array_unref (names);
  g_ptr_array_add (unique, NULL);

  *set = g_steal_pointer (&seen);
  return (GStrv) g_ptr_array_free (unique, FALSE);
}

/* Builds an object from plain parts; used by the probe and by
 * hv_kvm_capabilities_new_from_variant(). Takes ownership of the arrays
 * (gchar * elements, freed with g_free) and of @machines. */
HvKvmCapabilities *
hv_kvm_capabilities_new_take (guint        major,
                              guint        minor,
                              guint        micro,
                              const gchar *package,
                              GPtrArray   *commands,
                              GPtrArray   *devices,
                              GPtrArray   *cpu_models,
                              GPtrArray   *migration_capabilities,
                              GArray      *machines,
                              GHashTable  *options)
{
  HvKvmCapabilities *self = g_object_new (HV_TYPE_KVM_CAPABILITIES, NULL);

  self->major = major;
  self->minor = minor;
  self->micro = micro;
  self->version_string = g_strdup_printf ("%u.%u.%u", major, minor, micro);
  self->package = g_strdup (package != NULL ? package : "");
  self->commands = sort_names (commands, &self->command_set);
  self->devices = sort_names (devices, &self->device_set);
  self->cpu_models = sort_names (cpu_models, &self->cpu_model_set);
  self->migration_capabilities = sort_names (migration_capabilities,
                                             &self->migration_capability_set);
  g_clear_pointer (&self->machines, g_array_unref);
  self->machines = machines;
  g_array_set_clear_func (self->machines, hv_kvm_machine_clear);
  g_clear_pointer (&self->options, g_hash_table_unref);
  self->options = options;

  return self;
}

/* Adds a machine to an array made by hv_kvm_capabilities_machines_new(). */
void
hv_kvm_capabilities_machines_add (GArray      *machines,
                                  const gchar *name,
                                  const gchar *alias,
                                  gboolean     is_default,
                                  gboolean     deprecated)
{
  HvKvmMachine machine = {
    .name = g_strdup (name),
    .alias = (alias != NULL && *alias != '\0') ? g_strdup (alias) : NULL,
    .is_default = is_default,
    .deprecated = deprecated,
  };

  g_array_append_val (machines, machine);
}

GArray *
hv_kvm_capabilities_machines_new (void)
{
  GArray *machines = g_array_new (FALSE, TRUE, sizeof (HvKvmMachine));

  g_array_set_clear_func (machines, hv_kvm_machine_clear);
  return machines;
}

static GPtrArray *
names_from_variant (GVariant *dict,
                    const gchar *key,
                    gboolean required,
                    GError **error)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, key, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GVariantIter iter;
  const gchar *name;

  if (value == NULL && !required)
    return g_steal_pointer (&names);
  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("QEMU capabilities: key '%s' must be of type '%s'"),
                   key, "as");
      return NULL;
    }

  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "&s", &name))
    g_ptr_array_add (names, g_strdup (name));
  return g_steal_pointer (&names);
}

static GArray *
machines_from_variant (GVariant  *dict,
                       GError   **error)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, "machines", NULL);
  g_autoptr(GArray) machines = hv_kvm_capabilities_machines_new ();
  GVariantIter iter;
  const gchar *name;
  const gchar *alias;
  gboolean is_default;
  gboolean deprecated;

  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE ("a(ssbb)")))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("QEMU capabilities: key '%s' must be of type '%s'"),
                   "machines", "a(ssbb)");
      return NULL;
    }

  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "(&s&sbb)", &name, &alias, &is_default, &deprecated))
    hv_kvm_capabilities_machines_add (machines, name, alias, is_default, deprecated);
  return g_steal_pointer (&machines);
}

static GHashTable *
options_from_variant (GVariant  *dict,
                      GError   **error)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, "command-line-options", NULL);
  g_autoptr(GHashTable) options = hv_kvm_capabilities_options_new ();
  g_autoptr(GVariantIter) parameters = NULL;
  GVariantIter iter;
  const gchar *option;
  const gchar *parameter;

  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE ("a{sas}")))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("QEMU capabilities: key '%s' must be of type '%s'"),
                   "command-line-options", "a{sas}");
      return NULL;
    }

  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "{&sas}", &option, &parameters))
    {
      hv_kvm_capabilities_options_add (options, option, NULL);
      while (g_variant_iter_next (parameters, "&s", &parameter))
        hv_kvm_capabilities_options_add (options, option, parameter);
      g_clear_pointer (&parameters, g_variant_iter_free);
    }
  return g_steal_pointer (&options);
}

/**
 * hv_kvm_capabilities_new_from_variant:
 * @variant: an a{sv} written by hv_kvm_capabilities_to_variant()
 * @error: return location for a #GError
 *
 * Reads capabilities back from a cache file, a runtime record or a test
 * fixture.
 *
 * Returns: (transfer full): the capabilities, or %NULL with
 *   %HV_ERROR_INVALID_PARAMETER naming the key that is missing or of the
 *   wrong type, or a format this code does not read
 */
HvKvmCapabilities *
hv_kvm_capabilities_new_from_variant (GVariant  *variant,
                                      GError   **error)
{
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GPtrArray) cpu_models = NULL;
  g_autoptr(GPtrArray) migration_capabilities = NULL;
  g_autoptr(GArray) machines = NULL;
  g_autoptr(GHashTable) options = NULL;
  const gchar *package = "";
  guint32 format = 0;
  guint32 major, minor, micro;

  g_return_val_if_fail (variant != NULL, NULL);

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("QEMU capabilities must be of type 'a{sv}', not '%s'"),
                   g_variant_get_type_string (variant));
      return NULL;
    }
  if (!g_variant_lookup (variant, "format", "u", &format) ||
      format != HV_KVM_CAPABILITIES_FORMAT)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("QEMU capabilities: format %u is not format %u"),
                   format, HV_KVM_CAPABILITIES_FORMAT);
      return NULL;
    }
  if (!g_variant_lookup (variant, "version", "(uuu)", &major, &minor, &micro))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("QEMU capabilities: key '%s' must be of type '%s'"),
                   "version", "(uuu)");
      return NULL;
    }
  g_variant_lookup (variant, "package", "&s", &package);

  if ((commands = names_from_variant (variant, "commands", TRUE, error)) == NULL ||
      (devices = names_from_variant (variant, "devices", TRUE, error)) == NULL ||
      (cpu_models = names_from_variant (variant, "cpu-models", FALSE, error)) == NULL ||
      (migration_capabilities = names_from_variant (variant, "migration-capabilities",
                                                    FALSE, error)) == NULL ||
      (machines = machines_from_variant (variant, error)) == NULL ||
      (options = options_from_variant (variant, error)) == NULL)
    return NULL;

  return hv_kvm_capabilities_new_take (major, minor, micro, package,
                                       g_steal_pointer (&commands),
                                       g_steal_pointer (&devices),
                                       g_steal_pointer (&cpu_models),
                                       g_steal_pointer (&migration_capabilities),
                                       g_steal_pointer (&machines),
                                       g_steal_pointer (&options));
}

/* Sorted, as the other lists: the same QEMU gives the same bytes. */
static GVariant *
options_to_variant (HvKvmCapabilities *self)
{
  g_autofree gpointer *names = NULL;
  GVariantBuilder builder;
  guint n_names = 0;

  names = g_hash_table_get_keys_as_array (self->options, &n_names);
  qsort (names, n_names, sizeof (gpointer), compare_strings);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sas}"));
  for (guint i = 0; i < n_names; i++)
    {
      GHashTable *set = g_hash_table_lookup (self->options, names[i]);
      g_autofree gpointer *parameters = NULL;
      guint n_parameters = 0;

      parameters = g_hash_table_get_keys_as_array (set, &n_parameters);
      qsort (parameters, n_parameters, sizeof (gpointer), compare_strings);
      g_variant_builder_add (&builder, "{s@as}", (const gchar *) names[i],
                             g_variant_new_strv ((const gchar * const *) parameters,
                                                 n_parameters));
    }
  return g_variant_builder_end (&builder);
}

/**
 * hv_kvm_capabilities_to_variant:
 * @self: a #HvKvmCapabilities
 *
 * Returns: (transfer full): the capabilities as a non-floating a{sv}, lists
 *   sorted, so that the same QEMU always gives the same bytes
 */
GVariant *
hv_kvm_capabilities_to_variant (HvKvmCapabilities *self)
{
  GVariantBuilder builder;
  GVariantBuilder machines;

  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (self), NULL);

  g_variant_builder_init (&machines, G_VARIANT_TYPE ("a(ssbb)"));
  for (guint i = 0; i < self->machines->len; i++)
    {
      const HvKvmMachine *machine = &g_array_index (self->machines, HvKvmMachine, i);

      g_variant_builder_add (&machines, "(ssbb)", machine->name,
                             machine->alias != NULL ? machine->alias : "",
                             machine->is_default, machine->deprecated);
    }

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "format",
                         g_variant_new_uint32 (HV_KVM_CAPABILITIES_FORMAT));
  g_variant_builder_add (&builder, "{sv}", "version",
                         g_variant_new ("(uuu)", self->major, self->minor, self->micro));
  g_variant_builder_add (&builder, "{sv}", "package", g_variant_new_string (self->package));
  g_variant_builder_add (&builder, "{sv}", "commands",
                         g_variant_new_strv ((const gchar * const *) self->commands, -1));
  g_variant_builder_add (&builder, "{sv}", "devices",
                         g_variant_new_strv ((const gchar * const *) self->devices, -1));
  g_variant_builder_add (&builder, "{sv}", "cpu-models",
                         g_variant_new_strv ((const gchar * const *) self->cpu_models, -1));
  g_variant_builder_add (&builder, "{sv}", "migration-capabilities",
                         g_variant_new_strv ((const gchar * const *) self->migration_capabilities,
                                             -1));
  g_variant_builder_add (&builder, "{sv}", "machines", g_variant_builder_end (&machines));
  g_variant_builder_add (&builder, "{sv}", "command-line-options", options_to_variant (self));

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/**
 * hv_kvm_capabilities_get_version:
 * @self: a #HvKvmCapabilities
 * @major: (out) (optional): major version
 * @minor: (out) (optional): minor version
 * @micro: (out) (optional): micro version
 */
void
hv_kvm_capabilities_get_version (HvKvmCapabilities *self,
                                 guint             *major,
                                 guint             *minor,
                                 guint             *micro)
{
  g_return_if_fail (HV_IS_KVM_CAPABILITIES (self));

  if (major != NULL)
    *major = self->major;
  if (minor != NULL)
    *minor = self->minor;
  if (micro != NULL)
    *micro = self->micro;
}

/**
 * hv_kvm_capabilities_check_version:
 * @self: a #HvKvmCapabilities
 *
 * Returns: %TRUE if the binary is at least @major.@minor.@micro. For
 *   reporting and for behaviour no command or device reveals; features are
 *   decided with the has_ functions.
 */
gboolean
hv_kvm_capabilities_check_version (HvKvmCapabilities *self,
                                   guint              major,
                                   guint              minor,
                                   guint              micro)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (self), FALSE);

  if (self->major != major)
    return self->major > major;
  if (self->minor != minor)
    return self->minor > minor;
  return self->micro >= micro;
}

/**
 * hv_kvm_capabilities_get_version_string:
 *
 * Returns: "major.minor.micro", as the node info reports it
 */
const gchar *
hv_kvm_capabilities_get_version_string (HvKvmCapabilities *self)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (self), NULL);

  return self->version_string;
}

/**
 * hv_kvm_capabilities_get_package:
 *
 * Returns: the distributor's package string from the greeting, or ""
 */
const gchar *
hv_kvm_capabilities_get_package (HvKvmCapabilities *self)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (self), NULL);

  return self->package;
}

/**
 * hv_kvm_capabilities_has_command:
 * @name: a QMP command name, such as "blockdev-add"
 *
 * Returns: %TRUE if the binary's QMP offers @name (`query-commands`)
 */
gboolean
hv_kvm_capabilities_has_command (HvKvmCapabilities *self,
                                 const gchar       *name)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return g_hash_table_contains (self->command_set, name);
}

/**
 * hv_kvm_capabilities_has_device:
 * @type_name: a device type, such as "virtio-net-pci"
 *
 * Returns: %TRUE if @type_name is a concrete device type of the binary
 *   (`qom-list-types`)
 */
gboolean
hv_kvm_capabilities_has_device (HvKvmCapabilities *self,
                                const gchar       *type_name)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (self), FALSE);
  g_return_val_if_fail (type_name != NULL, FALSE);

  return g_hash_table_contains (self->device_set, type_name);
}

/**
 * hv_kvm_capabilities_has_cpu_model:
 *
 * Returns: %TRUE if `query-cpu-definitions` lists @name
 */
gboolean
hv_kvm_capabilities_has_cpu_model (HvKvmCapabilities *self,
                                   const gchar       *name)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return g_hash_table_contains (self->cpu_model_set, name);
}

/**
 * hv_kvm_capabilities_has_migration_capability:
 *
 * Returns: %TRUE if `query-migrate-capabilities` lists @name
 */
gboolean
hv_kvm_capabilities_has_migration_capability (HvKvmCapabilities *self,
                                              const gchar       *name)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return g_hash_table_contains (self->migration_capability_set, name);
}

/**
 * hv_kvm_capabilities_has_command_line_option:
 * @option: a command-line option group as `query-command-line-options`
 *   names it, without the dash ("run-with", "drive", "machine")
 * @parameter: (nullable): one of its parameters ("chroot"), or %NULL to
 *   ask for the option alone
 *
 * Options that are no option group (`-daemonize`, `-S`, `-chroot` before
 * QEMU 9) are not listed by QEMU; a feature that moved into a group (QEMU
 * 9's `-run-with chroot=`) is found here.
 *
 * Returns: %TRUE if the binary has @option (with @parameter)
 */
gboolean
hv_kvm_capabilities_has_command_line_option (HvKvmCapabilities *self,
                                             const gchar       *option,
                                             const gchar       *parameter)
{
  GHashTable *parameters;

  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (self), FALSE);
  g_return_val_if_fail (option != NULL, FALSE);

  parameters = g_hash_table_lookup (self->options, option);
  if (parameters == NULL)
    return FALSE;
  return parameter == NULL || g_hash_table_contains (parameters, parameter);
}

/**
 * hv_kvm_capabilities_get_default_machine:
 *
 * Returns: (nullable): the concrete machine type QEMU uses when none is
 *   given ("pc-i440fx-7.2", not its alias "pc")
 */
const gchar *
hv_kvm_capabilities_get_default_machine (HvKvmCapabilities *self)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (self), NULL);

  for (guint i = 0; i < self->machines->len; i++)
    {
      const HvKvmMachine *machine = &g_array_index (self->machines, HvKvmMachine, i);

      if (machine->is_default)
        return machine->name;
    }
  return NULL;
}

/**
 * hv_kvm_capabilities_resolve_machine:
 * @name: a machine type or an alias ("pc", "q35")
 *
 * Returns: (nullable): the concrete machine type @name stands for, or
 *   %NULL if the binary has no such machine
 */
const gchar *
hv_kvm_capabilities_resolve_machine (HvKvmCapabilities *self,
                                     const gchar       *name)
{
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->machines->len; i++)
    {
      const HvKvmMachine *machine = &g_array_index (self->machines, HvKvmMachine, i);

      if (g_strcmp0 (machine->name, name) == 0 || g_strcmp0 (machine->alias, name) == 0)
        return machine->name;
    }
  return NULL;
}
