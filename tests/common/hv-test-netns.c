/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include <gio/gio.h>

#include "hv-test-netns.h"

/* A private network namespace per test: taps and bridges made by the test
 * (or by QEMU and hvkit on its behalf) never touch the host's network and
 * vanish with the namespace.
 *
 * unshare(CLONE_NEWNET) moves the calling thread only; threads made later by
 * that thread, and processes it spawns, follow it. So enter the namespace from
 * the thread that runs the test, before anything that opens taps. Note that
 * /sys/class/net still shows the namespace sysfs was mounted in: links are
 * inspected with `ip -json`, never through /sys. */

/**
 * hv_test_netns_require:
 *
 * Skips the running test unless it can have a private network namespace
 * with taps: root, /dev/net/tun and `ip` are needed.
 *
 * Returns: %TRUE if the test can go on; otherwise it is marked skipped
 */
gboolean
hv_test_netns_require (void)
{
  g_autofree gchar *ip = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("a private network namespace needs root");
      return FALSE;
    }
  if (access ("/dev/net/tun", R_OK | W_OK) != 0)
    {
      g_test_skip ("/dev/net/tun is not available");
      return FALSE;
    }
  ip = g_find_program_in_path ("ip");
  if (ip == NULL)
    {
      g_test_skip ("`ip` (iproute2) is not installed");
      return FALSE;
    }
  return TRUE;
}

static gboolean
hv_test_netns_run (const gchar * const  *argv,
                   gchar               **out_stdout,
                   GError              **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autofree gchar *command_line = g_strjoinv (" ", (gchar **) argv);

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
  if (process == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, error))
    return FALSE;
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "`%s` failed: %s",
                   command_line, g_strstrip (err));
      return FALSE;
    }
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  return TRUE;
}

static gboolean
hv_test_netns_ipv (const gchar * const  *args,
                   gchar               **out_stdout,
                   GError              **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "ip");
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, (gpointer) *args);
  g_ptr_array_add (argv, NULL);
  return hv_test_netns_run ((const gchar * const *) argv->pdata, out_stdout, error);
}

/**
 * hv_test_netns_ip:
 * @error: return location for an error
 * @first_arg: the first argument of `ip`
 * @...: more arguments, then %NULL
 *
 * Runs `ip` with these arguments (no shell); its stderr becomes the message
 * of @error when it fails.
 *
 * Returns: %TRUE if `ip` exited with 0
 */
gboolean
hv_test_netns_ip (GError      **error,
                  const gchar  *first_arg,
                  ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const gchar *arg = first_arg; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return hv_test_netns_ipv ((const gchar * const *) args->pdata, NULL, error);
}

/**
 * hv_test_netns_enter:
 * @error: return location for an error
 *
 * Moves the calling thread into a new network namespace, empty but for a
 * loopback that this brings up. Each call makes a fresh one; the previous
 * one goes away with its last user (a QEMU still running in it keeps it).
 *
 * Returns: %TRUE on success
 */
gboolean
hv_test_netns_enter (GError **error)
{
  if (unshare (CLONE_NEWNET) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "unshare(CLONE_NEWNET): %s", g_strerror (saved_errno));
      return FALSE;
    }
  return hv_test_netns_ip (error, "link", "set", "lo", "up", NULL);
}

/**
 * hv_test_netns_add_bridge:
 * @name: the bridge's name
 * @error: return location for an error
 *
 * Creates a bridge and brings it up.
 *
 * Returns: %TRUE on success
 */
gboolean
hv_test_netns_add_bridge (const gchar  *name,
                          GError      **error)
{
  return hv_test_netns_ip (error, "link", "add", "name", name, "type", "bridge", NULL) &&
         hv_test_netns_ip (error, "link", "set", name, "up", NULL);
}

static JsonArray *
hv_test_netns_show (const gchar * const  *args,
                    JsonNode            **out_root,
                    GError              **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree gchar *out = NULL;
  JsonNode *root;

  if (!hv_test_netns_ipv (args, &out, error))
    return NULL;
  if (!json_parser_load_from_data (parser, out, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "`ip -json` printed no array: %s", out);
      return NULL;
    }
  *out_root = json_node_copy (root);
  return json_node_get_array (*out_root);
}

/**
 * hv_test_netns_get_link:
 * @name: an interface
 * @error: return location for an error
 *
 * What `ip -json -details link show dev NAME` says about an interface:
 * "address", "master", "operstate", "linkinfo" (with "info_kind" "tun" and
 * "info_data" {"type": "tap", "vnet_hdr": …, "multi_queue": …} for a tap).
 *
 * Returns: (transfer full): the link's object
 */
JsonObject *
hv_test_netns_get_link (const gchar  *name,
                        GError      **error)
{
  const gchar *args[] = { "-json", "-details", "link", "show", "dev", name, NULL };
  g_autoptr(JsonNode) root = NULL;
  JsonArray *links = hv_test_netns_show (args, &root, error);

  if (links == NULL)
    return NULL;
  if (json_array_get_length (links) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no link %s", name);
      return NULL;
    }
  return json_object_ref (json_array_get_object_element (links, 0));
}

/**
 * hv_test_netns_list_taps:
 * @error: return location for an error
 *
 * Returns: (transfer full): the names of the tap interfaces, in ifindex order
 */
GStrv
hv_test_netns_list_taps (GError **error)
{
  const gchar *args[] = { "-json", "-details", "link", "show", "type", "tun", NULL };
  g_autoptr(GStrvBuilder) taps = g_strv_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonArray *links = hv_test_netns_show (args, &root, error);

  if (links == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (links); i++)
    {
      JsonObject *link = json_array_get_object_element (links, i);
      JsonObject *info = json_object_get_object_member (link, "linkinfo");
      JsonObject *data = info != NULL ? json_object_get_object_member (info, "info_data") : NULL;

      if (data != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (data, "type", ""), "tap") == 0)
        g_strv_builder_add (taps, json_object_get_string_member (link, "ifname"));
    }
  return g_strv_builder_end (taps);
}

static gchar *
hv_test_netns_get_member (const gchar  *name,
                          const gchar  *member,
                          GError      **error)
{
  g_autoptr(JsonObject) link = hv_test_netns_get_link (name, error);

  if (link == NULL)
    return NULL;
  if (!json_object_has_member (link, member))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "link %s has no %s", name, member);
      return NULL;
    }
  return g_strdup (json_object_get_string_member (link, member));
}

/**
 * hv_test_netns_get_mac:
 * @name: an interface
 * @error: return location for an error
 *
 * Returns: (transfer full): its MAC address, lower case with colons
 */
gchar *
hv_test_netns_get_mac (const gchar  *name,
                       GError      **error)
{
  return hv_test_netns_get_member (name, "address", error);
}

/**
 * hv_test_netns_get_master:
 * @name: an interface
 * @error: return location for an error
 *
 * Returns: (transfer full): the bridge it is a port of; %G_IO_ERROR_NOT_FOUND
 *   if none
 */
gchar *
hv_test_netns_get_master (const gchar  *name,
                          GError      **error)
{
  return hv_test_netns_get_member (name, "master", error);
}
