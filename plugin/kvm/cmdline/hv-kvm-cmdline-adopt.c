/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmCmdline"

#include "config.h"

#include <string.h>

#include "hv-kvm-cmdline.h"
#include "hv-kvm-cmdline-sections.h"

/*
 * The base of an instance Ganeti started, made hvkit's: Ganeti's runtime
 * file keeps the options of one execution under its own run directory
 * (its pidfile, its HMP monitor, `-daemonize`, QEMU's log under
 * /var/log/ganeti, `-S` when started paused) and names its serial and
 * guest-agent sockets and its chroot there. The guest sees none of them,
 * so the next start of the instance by hvkit (a reboot, a migration
 * target) may put its own in their place; everything the guest does see
 * stays as Ganeti wrote it.
 */

/* Options of one execution, each followed by a value or not. */
static const struct {
  const gchar *option;
  gboolean has_value;
} execution_options[] = {
  { "-pidfile", TRUE }, { "-daemonize", FALSE }, { "-D", TRUE }, { "-S", FALSE },
  { "-qmp", TRUE }, { "-monitor", TRUE },
};

static gint
execution_option (const gchar *arg)
{
  for (gsize i = 0; i < G_N_ELEMENTS (execution_options); i++)
    if (g_str_equal (arg, execution_options[i].option))
      return (gint) i;
  return -1;
}

/* @arg with every @from replaced by @to. */
static gchar *
replace_all (const gchar *arg,
             const gchar *from,
             const gchar *to)
{
  g_autoptr(GString) text = g_string_new (arg);

  g_string_replace (text, from, to, 0);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * hv_kvm_cmdline_adopt_base:
 * @argv: the command line of Ganeti's runtime file, without disks and NICs
 * @source_dir: Ganeti's run directory the instance was started in
 * @run_dir: hvkit's run directory
 * @name: the instance
 *
 * Returns: (transfer full): the base hvkit starts the instance from next
 *   time: Ganeti's options of one execution left out, its sockets and
 *   chroot moved to hvkit's run directory, hvkit's own pidfile, QMP and
 *   monitor options added
 */
GStrv
hv_kvm_cmdline_adopt_base (const gchar * const *argv,
                           const gchar         *source_dir,
                           const gchar         *run_dir,
                           const gchar         *name)
{
  g_autoptr(GPtrArray) base = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *socket_dir = hv_kvm_cmdline_escape (run_dir);
  g_autofree gchar *ctrl_from = g_strdup_printf ("%s/ctrl/%s.", source_dir, name);
  g_autofree gchar *ctrl_to = g_strdup_printf ("%s/%s.", socket_dir, name);
  g_autofree gchar *chroot_from = g_strdup_printf ("%s/chroot/%s", source_dir, name);
  g_autofree gchar *chroot_to = g_strdup_printf ("%s/chroot/%s", run_dir, name);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      gint option = i > 0 ? execution_option (argv[i]) : -1;
      g_autofree gchar *moved = NULL;

      if (option >= 0)
        {
          if (execution_options[option].has_value && argv[i + 1] != NULL)
            i++;
          continue;
        }
      moved = replace_all (argv[i], ctrl_from, ctrl_to);
      g_ptr_array_add (base, replace_all (moved, chroot_from, chroot_to));
    }
  hv_kvm_cmdline_add_process_options (base, run_dir, name);
  g_ptr_array_add (base, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&base), FALSE);
}
