/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvm"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-kvm-lifecycle.h"
#include "hv-kvm-process.h"

/*
 * ListInstances, GetInstanceConsole, GetNodeInfo and Verify: what needs
 * no instance's QEMU. The first two are synchronous in the interface and
 * may be called from any thread, so they read files, not the monitor
 * thread's state.
 */

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const gchar **) a, *(const gchar **) b);
}

/* Ganeti's ListInstances: the instances with a record whose QEMU runs
 * (its pidfile's process has `-name <name>`), and those whose guest
 * powered itself off and that wait to be cleaned up (Ganeti's user
 * shutdown); not a migration target still waiting (NAME.incoming). */
gchar **
hv_kvm_list_running (HvKvmHost   *self,
                     GError **error)
{
  g_auto(GStrv) names = hv_runtime_store_list (hv_kvm_host_get_store (self), error);
  g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func (g_free);

  if (names == NULL)
    return NULL;
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree gchar *pid_file = g_strconcat (names[i], ".pid", NULL);
      g_autofree gchar *marker_file = g_strconcat (names[i], ".shutdown", NULL);
      g_autofree gchar *pidfile = g_build_filename (hv_kvm_host_get_run_dir (self), pid_file, NULL);
      g_autofree gchar *marker = g_build_filename (hv_kvm_host_get_run_dir (self), marker_file, NULL);
      g_autofree gchar *incoming_file = g_strconcat (names[i], ".incoming", NULL);
      g_autofree gchar *incoming = g_build_filename (hv_kvm_host_get_run_dir (self),
                                                     incoming_file, NULL);
      GPid pid = hv_kvm_process_read_pidfile (pidfile, NULL);

      /* a migration target is not the instance's until it succeeded */
      if (g_file_test (incoming, G_FILE_TEST_EXISTS))
        continue;
      if ((pid != 0 && hv_kvm_process_is_instance (pid, names[i])) ||
          g_file_test (marker, G_FILE_TEST_EXISTS))
        g_ptr_array_add (running, g_strdup (names[i]));
    }
  g_ptr_array_sort (running, compare_strings);
  g_ptr_array_add (running, NULL);
  return (gchar **) g_ptr_array_free (g_steal_pointer (&running), FALSE);
}

static const gchar *
console_param (HvInstance  *instance,
               const gchar *key)
{
  GVariant *hvparams = hv_instance_get_hvparams (instance);
  const gchar *value = NULL;

  if (hvparams == NULL || !g_variant_lookup (hvparams, key, "&s", &value))
    return "";
  return value;
}

/* A wildcard address is where QEMU listens, not where to connect. */
static const gchar *
console_host (const gchar *address)
{
  if (g_str_equal (address, "0.0.0.0") || g_str_equal (address, "::"))
    return g_get_host_name ();
  return address;
}

/* Ganeti's GetInstanceConsole: the serial console over ssh to this node
 * (socat on the instance's serial socket), else VNC or SPICE where QEMU
 * listens, else a message. */
HvConsole *
hv_kvm_make_console (HvKvmHost       *self,
                     HvInstance  *instance,
                     GError     **error)
{
  const gchar *name = hv_instance_get_name (instance);
  GVariant *hvparams = hv_instance_get_hvparams (instance);
  gboolean serial = FALSE;
  g_autoptr(HvConsole) console = NULL;

  if (!hv_instance_name_validate (name, error))
    return NULL;
  if (hvparams != NULL)
    g_variant_lookup (hvparams, "serial_console", "b", &serial);

  if (serial)
    {
      g_autofree gchar *file = g_strconcat (name, ".serial", NULL);
      g_autofree gchar *path = g_build_filename (hv_kvm_host_get_run_dir (self), file, NULL);
      g_autofree gchar *connect = g_strconcat ("UNIX-CONNECT:", path, NULL);
      const gchar *command[] = { "socat", "STDIO,raw,echo=0,escape=0x1d", connect, NULL };

      console = hv_console_new (HV_CONSOLE_KIND_SSH, name);
      hv_console_set_host (console, g_get_host_name ());
      hv_console_set_user (console, "root");
      hv_console_set_command (console, command);
    }
  else if (*console_param (instance, "vnc_bind_address") != '\0')
    {
      gint64 port = hv_instance_get_network_port (instance);

      console = hv_console_new (HV_CONSOLE_KIND_VNC, name);
      hv_console_set_host (console, console_host (console_param (instance, "vnc_bind_address")));
      hv_console_set_port (console, port);
      hv_console_set_display (console, port - 5900);
    }
  else if (*console_param (instance, "spice_bind") != '\0')
    {
      console = hv_console_new (HV_CONSOLE_KIND_SPICE, name);
      hv_console_set_host (console, console_host (console_param (instance, "spice_bind")));
      hv_console_set_port (console, hv_instance_get_network_port (instance));
    }
  else
    {
      g_autofree gchar *message = g_strdup_printf (_("No console (no serial, VNC or SPICE) "
                                                     "for instance %s"), name);

      console = hv_console_new (HV_CONSOLE_KIND_MESSAGE, name);
      hv_console_set_message (console, message);
    }
  return g_steal_pointer (&console);
}

/* -- GetNodeInfo ---------------------------------------------------------- */

static void
node_info_capabilities_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvNodeInfo *info = g_task_get_task_data (task);
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  g_autoptr(GError) error = NULL;

  capabilities = hv_kvm_capabilities_cache_lookup_finish (HV_KVM_CAPABILITIES_CACHE (source),
                                                          result, &error);
  /* the node's memory and CPUs are worth telling even when its QEMU is
   * broken; Verify is what reports that */
  if (capabilities != NULL)
    hv_node_info_set_hv_version (info, hv_kvm_capabilities_get_version_string (capabilities));
  else
    g_debug ("no QEMU version for the node info: %s", error->message);
  g_task_return_pointer (task, g_object_ref (info), g_object_unref);
}

/* Ganeti's GetNodeInfo: memory and CPUs from /proc and sysfs, and the
 * version of the node's QEMU, from the capability cache (no `kvm --help`). */
void
hv_kvm_node_info_async (HvKvmHost           *self,
                        const gchar         *qemu,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;
  HvNodeInfo *info;

  g_task_set_source_tag (task, hv_kvm_node_info_async);
  info = hv_node_info_new_from_system (NULL, NULL, NULL, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, info, g_object_unref);
  hv_kvm_capabilities_cache_lookup_async (hv_kvm_host_get_capabilities_cache (self), qemu,
                                          cancellable, node_info_capabilities_cb, task);
}

HvNodeInfo *
hv_kvm_node_info_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_node_info_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -- Verify --------------------------------------------------------------- */

typedef struct {
  HvKvmHost *host;       /* not a reference: the driver's call holds it */
  GString   *problems;
} Verify;

static void
verify_free (Verify *verify)
{
  g_string_free (verify->problems, TRUE);
  g_free (verify);
}

static void
verify_add_problem (GString     *problems,
                    const gchar *problem)
{
  if (problems->len > 0)
    g_string_append (problems, "; ");
  g_string_append (problems, problem);
}

/* The run directory takes files (pidfiles, sockets, records). */
static void
verify_run_dir (HvKvmHost   *self,
                GString *problems)
{
  g_autofree gchar *probe = g_build_filename (hv_kvm_host_get_run_dir (self), ".verify-XXXXXX", NULL);
  gint fd = g_mkstemp_full (probe, O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int errsv = errno;
      g_autofree gchar *problem = g_strdup_printf (_("the run directory '%s' is not usable: %s"),
                                                   hv_kvm_host_get_run_dir (self),
                                                   g_strerror (errsv));

      verify_add_problem (problems, problem);
      return;
    }
  close (fd);
  g_unlink (probe);
}

static void
verify_capabilities_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Verify *data = g_task_get_task_data (task);
  GString *problems = data->problems;
  g_autoptr(HvKvmCapabilities) capabilities = NULL;
  g_autoptr(GError) error = NULL;

  capabilities = hv_kvm_capabilities_cache_lookup_finish (HV_KVM_CAPABILITIES_CACHE (source),
                                                          result, &error);
  if (capabilities == NULL)
    verify_add_problem (problems, error->message);
  verify_run_dir (data->host, problems);
  if (access ("/dev/net/tun", R_OK | W_OK) != 0)
    verify_add_problem (problems, _("/dev/net/tun is missing: NICs cannot get taps"));

  if (problems->len > 0)
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_FAILED,
                             _("The kvm hypervisor is not usable on this node: %s"),
                             problems->str);
  else
    g_task_return_boolean (task, TRUE);
}

/* Ganeti's Verify, without socat: the node's QEMU runs (probing it is
 * running it), the run directory takes files, taps can be made. */
void
hv_kvm_verify_async (HvKvmHost           *self,
                     const gchar         *qemu,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Verify *verify = g_new0 (Verify, 1);

  verify->host = self;
  verify->problems = g_string_new (NULL);
  g_task_set_source_tag (task, hv_kvm_verify_async);
  g_task_set_task_data (task, verify, (GDestroyNotify) verify_free);
  hv_kvm_capabilities_cache_lookup_async (hv_kvm_host_get_capabilities_cache (self), qemu,
                                          cancellable, verify_capabilities_cb, task);
}

gboolean
hv_kvm_verify_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_verify_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
