/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitd"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "hvd-argument-filter.h"
#include "hvd-daemon.h"

/* hvkitd: every loaded hypervisor on D-Bus (docs/design.md, "hvkitd").
 * On SIGTERM or SIGINT it leaves the bus and exits; the instances run on
 * and the next hvkitd takes them over. */

typedef struct {
  GMainLoop *loop;
  gint status;
  gboolean acquired;
  gboolean lost;
} HvdMain;

static gboolean
hvd_main_on_signal (gpointer user_data)
{
  HvdMain *main_data = user_data;

  g_message ("Stopping on signal; the instances keep running");
  g_main_loop_quit (main_data->loop);
  return G_SOURCE_REMOVE;
}

static void
hvd_main_on_name_acquired (GDBusConnection *connection,
                           const gchar     *name,
                           gpointer         user_data)
{
  HvdMain *main_data = user_data;

  g_debug ("serving as %s", name);
  main_data->acquired = TRUE;
}

static void
hvd_main_on_name_lost (GDBusConnection *connection,
                       const gchar     *name,
                       gpointer         user_data)
{
  HvdMain *main_data = user_data;

  if (connection == NULL || g_dbus_connection_is_closed (connection))
    {
      g_printerr (_("hvkitd: lost the connection to the bus\n"));
      main_data->status = EXIT_FAILURE;
    }
  else if (main_data->acquired)
    /* another hvkitd --replace took over: its work now, and no failure */
    g_message ("Replaced by another hvkitd; the instances are its now");
  else
    {
      g_printerr (_("hvkitd: could not own the name %s; is another hvkitd running? "
                    "(--replace takes it over)\n"), name);
      main_data->status = EXIT_FAILURE;
    }
  main_data->lost = TRUE;
  g_main_loop_quit (main_data->loop);
}

/* How long a replaced hvkitd may take to leave. */
#define HVD_REPLACE_TIMEOUT_MS 60000

/*
 * --replace: two processes must never manage the same instances (QEMU's
 * QMP socket serves one client; HvKvm locks its run directory). So the
 * new hvkitd takes the name first, which makes the old one stop serving
 * and exit, waits for the old process to be gone, and only then loads
 * the hypervisors, which take the instances over. Until it has exported
 * them, a call to org.hvkit is refused as UnknownObject: a moment, once
 * per replacement.
 */

/* A pidfd of the process that owns org.hvkit now, or -1 if none. */
static gint
hvd_main_open_owner (GDBusConnection *connection,
                     guint32         *pid)
{
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GError) error = NULL;

  owner = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", "org.hvkit"), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  if (owner == NULL)
    {
      g_debug ("no hvkitd to replace: %s", error->message);
      return -1;
    }
  g_variant_get (owner, "(u)", pid);
  return pidfd_open ((pid_t) *pid, 0);
}

/* Waits until the process of @pidfd (taken) has exited. */
static gboolean
hvd_main_wait_gone (gint      pidfd,
                    guint32   pid,
                    GError  **error)
{
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
  gint ready;

  do
    ready = poll (&pfd, 1, HVD_REPLACE_TIMEOUT_MS);
  while (ready < 0 && errno == EINTR);
  close (pidfd);
  if (ready == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   _("the replaced hvkitd (process %u) did not exit within %u ms"),
                   pid, HVD_REPLACE_TIMEOUT_MS);
      return FALSE;
    }
  g_debug ("the replaced hvkitd (process %u) is gone", pid);
  return TRUE;
}

static GVariant *
hvd_main_build_config (const gchar  *run_dir,
                       gchar       **options,
                       GError      **error)
{
  g_autoptr(GVariantDict) dict = g_variant_dict_new (NULL);

  if (run_dir != NULL)
    g_variant_dict_insert (dict, "run-dir", "s", run_dir);
  for (gsize i = 0; options != NULL && options[i] != NULL; i++)
    {
      g_autofree gchar *key = NULL;
      const gchar *equals = strchr (options[i], '=');
      /* g_variant_parse's result is not floating: this reference is ours */
      g_autoptr(GVariant) value = NULL;

      if (equals == NULL || equals == options[i])
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--option '%s' is not KEY=VALUE"), options[i]);
          return NULL;
        }
      key = g_strndup (options[i], equals - options[i]);
      value = g_variant_parse (NULL, equals + 1, NULL, NULL, error);
      if (value == NULL)
        {
          g_prefix_error (error, _("--option %s: "), key);
          return NULL;
        }
      g_variant_dict_insert_value (dict, key, value);
    }
  return g_variant_ref_sink (g_variant_dict_end (dict));
}

int
main (int    argc,
      char **argv)
{
  gboolean system_bus = FALSE, session_bus = FALSE, replace = FALSE, version = FALSE;
  g_autofree gchar *address = NULL;
  g_autofree gchar *run_dir = NULL;
  g_autofree gchar *plugin_dir = NULL;
  g_auto(GStrv) options = NULL;
  const GOptionEntry entries[] = {
    { "system", 0, 0, G_OPTION_ARG_NONE, &system_bus, N_("Serve on the system bus (the default)"), NULL },
    { "session", 0, 0, G_OPTION_ARG_NONE, &session_bus, N_("Serve on the session bus, without polkit"), NULL },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, N_("Serve on the message bus at ADDRESS"), N_("ADDRESS") },
    { "run-dir", 0, 0, G_OPTION_ARG_FILENAME, &run_dir, N_("Runtime directory of the instances"), N_("DIR") },
    { "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &plugin_dir, N_("Load the plugins from DIR"), N_("DIR") },
    { "option", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &options,
      N_("Hypervisor configuration KEY=VALUE (a GVariant text), repeatable"), N_("KEY=VALUE") },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace, N_("Take the bus name over from a running hvkitd"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version and exit"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) config = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(HvdDaemon) daemon = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  HvdMain main_data = { NULL, EXIT_SUCCESS, FALSE, FALSE };
  /* not queued: a second hvkitd without --replace says so and exits */
  GBusNameOwnerFlags flags = G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT |
                             G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE;
  guint owner_id = 0;
  guint32 old_pid = 0;
  gint old_pidfd = -1;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, HV_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Serve hvkit's hypervisors on D-Bus as org.hvkit."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("hvkitd: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("hvkitd %s\n", HV_VERSION);
      return EXIT_SUCCESS;
    }
  if ((system_bus ? 1 : 0) + (session_bus ? 1 : 0) + (address != NULL ? 1 : 0) > 1)
    {
      g_printerr (_("hvkitd: give only one of --system, --session and --address\n"));
      return 2;
    }
  config = hvd_main_build_config (run_dir, options, &error);
  if (config == NULL)
    {
      g_printerr ("hvkitd: %s\n", error->message);
      return 2;
    }

  if (address != NULL)
    connection = g_dbus_connection_new_for_address_sync (address,
                                                         G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                         G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                         NULL, NULL, &error);
  else
    connection = g_bus_get_sync (session_bus ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, &error);
  if (connection == NULL)
    {
      g_printerr (_("hvkitd: could not connect to the bus: %s\n"), error->message);
      return EXIT_FAILURE;
    }
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  loop = g_main_loop_new (NULL, FALSE);
  main_data.loop = loop;
  if (replace)
    {
      old_pidfd = hvd_main_open_owner (connection, &old_pid);
      owner_id = g_bus_own_name_on_connection (connection, "org.hvkit",
                                               flags | G_BUS_NAME_OWNER_FLAGS_REPLACE,
                                               hvd_main_on_name_acquired, hvd_main_on_name_lost,
                                               &main_data, NULL);
      while (!main_data.acquired && !main_data.lost)
        g_main_context_iteration (NULL, TRUE);
      if (main_data.lost ||
          (old_pidfd >= 0 && !hvd_main_wait_gone (old_pidfd, old_pid, &error)))
        {
          if (error != NULL)
            g_printerr ("hvkitd: %s\n", error->message);
          else if (old_pidfd >= 0)
            close (old_pidfd);
          g_bus_unown_name (owner_id);
          return EXIT_FAILURE;
        }
    }

  daemon = hvd_daemon_new ();
  if (!hvd_daemon_load (daemon, plugin_dir, config, !session_bus, &error))
    {
      g_printerr (_("hvkitd: could not load the hypervisors: %s\n"), error->message);
      return EXIT_FAILURE;
    }

  hvd_argument_filter_add (connection);
  if (!hvd_daemon_export (daemon, connection, &error))
    {
      g_printerr (_("hvkitd: could not export the objects: %s\n"), error->message);
      return EXIT_FAILURE;
    }

  g_unix_signal_add (SIGTERM, hvd_main_on_signal, &main_data);
  g_unix_signal_add (SIGINT, hvd_main_on_signal, &main_data);
  if (owner_id == 0)
    owner_id = g_bus_own_name_on_connection (connection, "org.hvkit", flags,
                                             hvd_main_on_name_acquired, hvd_main_on_name_lost,
                                             &main_data, NULL);
  g_main_loop_run (loop);

  g_bus_unown_name (owner_id);
  hvd_daemon_unexport (daemon);
  g_dbus_connection_flush_sync (connection, NULL, NULL);
  return main_data.status;
}
