/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmCmdline"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-kvm-cmdline-sections.h"
#include "hv-kvm-runtime.h"

/*
 * A base saved in a record, run by a QEMU that may not be the one it was
 * made for: a restart after an upgrade, a migration between hosts of two
 * versions. The machine type stays the one the instance first ran with
 * (the guest's ABI); what a QEMU spells differently is rewritten when the
 * full command line is built.
 */

/* The index in @argv of the value of -machine (or -M), or -1. */
static gint
cmdline_find_machine (GPtrArray *argv)
{
  for (guint i = 1; i + 1 < argv->len; i++)
    {
      const gchar *option = g_ptr_array_index (argv, i);

      if (option != NULL && (g_str_equal (option, "-machine") || g_str_equal (option, "-M")))
        return (gint) i + 1;
    }
  return -1;
}

/* Resolves the machine of @argv (a GPtrArray of gchar *) to a concrete type
 * of @capabilities, in place: an alias ("pc", in a record imported from
 * Ganeti) becomes the type it means now and stays that from then on; a type
 * this QEMU lacks is refused before QEMU runs. */
static gboolean
cmdline_pin_machine (GPtrArray          *argv,
                     HvKvmCapabilities  *capabilities,
                     gchar             **machine,
                     GError            **error)
{
  gint at = cmdline_find_machine (argv);
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) value = NULL;
  const gchar *concrete;
  gboolean keyed;
  gint type_part = -1;

  if (at < 0)
    {
      /* no -machine: QEMU's default, which is what a record made by an
       * hvkit that did not pin meant too; nothing to keep */
      if (machine != NULL)
        *machine = g_strdup ("");
      return TRUE;
    }

  parts = hv_kvm_cmdline_split_option (g_ptr_array_index (argv, at));
  for (guint i = 0; parts[i] != NULL && type_part < 0; i++)
    if ((i == 0 && strchr (parts[i], '=') == NULL) || g_str_has_prefix (parts[i], "type="))
      type_part = (gint) i;
  if (type_part < 0)
    {
      if (machine != NULL)
        *machine = g_strdup ("");
      return TRUE;
    }

  keyed = g_str_has_prefix (parts[type_part], "type=");
  concrete = hv_kvm_capabilities_resolve_machine (capabilities,
                                                  parts[type_part] +
                                                  (keyed ? strlen ("type=") : 0));
  if (concrete == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("The instance runs machine type '%s', which QEMU %s does not have;"
                     " it can only run on a QEMU that has it"),
                   parts[type_part] + (keyed ? strlen ("type=") : 0),
                   hv_kvm_capabilities_get_version_string (capabilities));
      return FALSE;
    }

  g_free (parts[type_part]);
  parts[type_part] = g_strconcat (keyed ? "type=" : "", concrete, NULL);
  value = g_string_new (NULL);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree gchar *escaped = hv_kvm_cmdline_escape (parts[i]);

      g_string_append_printf (value, "%s%s", i > 0 ? "," : "", escaped);
    }
  g_free (g_ptr_array_index (argv, at));
  g_ptr_array_index (argv, at) = g_string_free (g_steal_pointer (&value), FALSE);
  if (machine != NULL)
    *machine = g_strdup (concrete);
  return TRUE;
}

/**
 * hv_kvm_cmdline_pin_base_machine:
 * @base: (inout): a base from a record
 * @capabilities: of the QEMU that will run it
 * @machine: (out) (optional): the concrete machine type, "" when @base
 *   gives none
 * @error: return location for a #GError
 *
 * Pins the machine of a saved base to a concrete type of @capabilities,
 * in place, so that the record keeps it: an alias becomes the type it
 * stands for on the QEMU that first runs the record, and a concrete type
 * stays as it is.
 *
 * Returns: %FALSE with %HV_ERROR_INVALID_PARAMETER if @capabilities has
 *   no such machine
 */
gboolean
hv_kvm_cmdline_pin_base_machine (GStrv               *base,
                                 HvKvmCapabilities   *capabilities,
                                 gchar              **machine,
                                 GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (base != NULL && *base != NULL, FALSE);
  g_return_val_if_fail (HV_IS_KVM_CAPABILITIES (capabilities), FALSE);

  for (guint i = 0; (*base)[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup ((*base)[i]));
  if (!cmdline_pin_machine (argv, capabilities, machine, error))
    return FALSE;
  g_ptr_array_add (argv, NULL);
  g_strfreev (*base);
  *base = (GStrv) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
  return TRUE;
}

/**
 * hv_kvm_cmdline_pin_record_machine:
 * @runtime: a record about to be run again (restart, reboot, migration
 *   target)
 * @capabilities: of the QEMU that will run it
 * @error: return location for a #GError
 *
 * A record runs the machine its instance first ran with, on any QEMU that
 * has it: hv_kvm_cmdline_pin_base_machine() on its base, and the record's
 * `machine` set to the type, so that one imported with an alias keeps what
 * it was pinned to.
 *
 * Returns: %FALSE with %HV_ERROR_INVALID_PARAMETER if @capabilities lacks
 *   the machine
 */
gboolean
hv_kvm_cmdline_pin_record_machine (HvKvmRuntime       *runtime,
                                   HvKvmCapabilities  *capabilities,
                                   GError            **error)
{
  g_autofree gchar *machine = NULL;

  g_return_val_if_fail (runtime != NULL, FALSE);

  if (!hv_kvm_cmdline_pin_base_machine (&runtime->argv, capabilities, &machine, error))
    return FALSE;
  if (*machine != '\0')
    {
      g_free (runtime->machine);
      runtime->machine = g_steal_pointer (&machine);
    }
  return TRUE;
}

/* Splits a QEMU option value at its single commas; ",," is a comma. */
GStrv
hv_kvm_cmdline_split_option (const gchar *value)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) part = g_string_new (NULL);

  for (const gchar *p = value; *p != '\0'; p++)
    {
      if (*p == ',' && p[1] == ',')
        g_string_append_c (part, *p++);
      else if (*p == ',')
        {
          g_ptr_array_add (parts, g_strdup (part->str));
          g_string_truncate (part, 0);
        }
      else
        g_string_append_c (part, *p);
    }
  g_ptr_array_add (parts, g_string_free (g_steal_pointer (&part), FALSE));
  g_ptr_array_add (parts, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&parts), FALSE);
}

/* Options QEMU replaced by a property of the machine: a record saved with
 * them (Ganeti wrote -no-acpi) runs on a QEMU that lists the property as
 * -machine ...,<property>=off; one that does not keeps the option. QEMU
 * 10.0 has neither -no-acpi nor -no-hpet. */
static const struct {
  const gchar *option;
  const gchar *property;
} machine_switches[] = {
  { "-no-acpi", "acpi" },
  { "-no-hpet", "hpet" },
};

/* The machine property @option became on this QEMU, or NULL to keep it */
static const gchar *
cmdline_switch_property (HvKvmCapabilities *capabilities,
                         const gchar       *option)
{
  for (gsize i = 0; i < G_N_ELEMENTS (machine_switches); i++)
    if (g_str_equal (option, machine_switches[i].option) &&
        hv_kvm_capabilities_has_command_line_option (capabilities, "machine",
                                                     machine_switches[i].property))
      return machine_switches[i].property;
  return NULL;
}

/* Appends ",<property>=off" for each of @properties to -machine, or adds a
 * -machine that has only them. */
static void
cmdline_add_machine_properties (GPtrArray *argv,
                                GString   *properties)
{
  gchar *value;
  gint at;

  if (properties->len == 0)
    return;
  at = cmdline_find_machine (argv);
  if (at < 0)
    {
      g_ptr_array_add (argv, g_strdup ("-machine"));
      g_ptr_array_add (argv, g_strdup (properties->str + 1));
      return;
    }
  value = g_strconcat (g_ptr_array_index (argv, at), properties->str, NULL);
  g_free (g_ptr_array_index (argv, at));
  g_ptr_array_index (argv, at) = value;
}

/* Copies @base into the argv without its chroot, in either form, and
 * returns the directory: a base from a record may have been made for a
 * QEMU that spelled it otherwise (7.2's -chroot, 9's -run-with chroot=).
 * Options that became machine properties are moved into -machine, and the
 * machine is pinned (cmdline_pin_machine()). */
gboolean
hv_kvm_cmdline_take_base (HvKvmCmdline         *self,
                          const gchar * const  *base,
                          gchar               **chroot_dir,
                          GError              **error)
{
  g_autoptr(GString) switched = g_string_new (NULL);

  for (guint i = 0; base[i] != NULL; i++)
    {
      const gchar *property = cmdline_switch_property (self->config->capabilities, base[i]);
      g_auto(GStrv) parts = NULL;

      if (property != NULL)
        {
          g_string_append_printf (switched, ",%s=off", property);
          continue;
        }
      if (g_str_equal (base[i], "-chroot") && base[i + 1] != NULL)
        {
          g_free (*chroot_dir);
          *chroot_dir = g_strdup (base[++i]);
          continue;
        }
      if (!g_str_equal (base[i], "-run-with") || base[i + 1] == NULL)
        {
          g_ptr_array_add (self->argv, g_strdup (base[i]));
          continue;
        }
      parts = hv_kvm_cmdline_split_option (base[++i]);
      for (guint j = 0; parts[j] != NULL; j++)
        {
          if (!g_str_has_prefix (parts[j], "chroot="))
            {
              g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                           _("The saved command line has '-run-with %s', of which"
                             " only chroot= can be carried to another QEMU"), base[i]);
              return FALSE;
            }
          g_free (*chroot_dir);
          *chroot_dir = g_strdup (parts[j] + strlen ("chroot="));
        }
    }
  cmdline_add_machine_properties (self->argv, switched);
  return cmdline_pin_machine (self->argv, self->config->capabilities, NULL, error);
}

