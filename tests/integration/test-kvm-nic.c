/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "hvkit.h"
#include "hv-kvm-tap.h"
#include "hv-test-netns.h"
#include "hv-test-files.h"

/*
 * A NIC's host side for real, each test in a private network namespace of
 * its own: the taps hv_kvm_tap_open() makes, and the default kvm-ifup and
 * kvm-ifdown (data/, configured into HVKIT_TEST_SCRIPT_DIR) run by
 * HvNicScript on such a tap, read back with `ip -json` and /proc/sys.
 */

#define GUEST_MAC "52:54:00:12:34:56"

/* Compares a string the test owns with what is expected, and frees it. */
#define assert_text(got, expected) \
  G_STMT_START { \
    g_autofree gchar *text_ = (got); \
    g_assert_cmpstr (text_, ==, (expected)); \
  } G_STMT_END

static gboolean
enter_netns (void)
{
  g_autoptr(GError) error = NULL;

  if (!hv_test_netns_require ())
    return FALSE;
  hv_test_netns_enter (&error);
  g_assert_no_error (error);
  return TRUE;
}

/* Runs a command and parses the JSON array it prints (`ip -json`,
 * `bridge -json`). */
static JsonNode *
run_json (const gchar *first_arg,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *out = NULL;
  va_list ap;

  va_start (ap, first_arg);
  for (const gchar *arg = first_arg; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const gchar * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  return json_node_copy (json_parser_get_root (parser));
}

static JsonObject *
get_link (const gchar *name)
{
  g_autoptr(GError) error = NULL;
  JsonObject *link = hv_test_netns_get_link (name, &error);

  g_assert_no_error (error);
  return link;
}

static gboolean
link_is_up (const gchar *name)
{
  g_autoptr(JsonObject) link = get_link (name);
  JsonArray *flags = json_object_get_array_member (link, "flags");

  for (guint i = 0; i < json_array_get_length (flags); i++)
    if (g_strcmp0 (json_array_get_string_element (flags, i), "UP") == 0)
      return TRUE;
  return FALSE;
}

/* The master of a link, "" if it has none. */
static gchar *
get_master (const gchar *name)
{
  g_autoptr(GError) error = NULL;
  gchar *master = hv_test_netns_get_master (name, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return g_strdup ("");
  g_assert_no_error (error);
  return master;
}

static void
assert_taps (const gchar * const *expected)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) taps = hv_test_netns_list_taps (&error);

  g_assert_no_error (error);
  g_assert_cmpstrv (taps, expected);
}

static void
assert_tap_info (const gchar *name,
                 gboolean     vnet_hdr,
                 gboolean     multi_queue)
{
  g_autoptr(JsonObject) link = get_link (name);
  JsonObject *info = json_object_get_object_member (link, "linkinfo");
  JsonObject *data = json_object_get_object_member (info, "info_data");

  g_assert_cmpstr (json_object_get_string_member (info, "info_kind"), ==, "tun");
  g_assert_cmpstr (json_object_get_string_member (data, "type"), ==, "tap");
  g_assert_cmpint (json_object_get_boolean_member (data, "pi"), ==, FALSE);
  g_assert_cmpint (json_object_get_boolean_member (data, "vnet_hdr"), ==, vnet_hdr);
  g_assert_cmpint (json_object_get_boolean_member (data, "multi_queue"), ==, multi_queue);
  /* the interface lives only as long as its descriptors */
  g_assert_cmpint (json_object_get_boolean_member (data, "persist"), ==, FALSE);
}

static void
assert_fd_open (gint fd)
{
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, FD_CLOEXEC);
}

/* The descriptors of this process open on /dev/net/tun. Counting them all
 * would race with GLib's worker thread, which closes the pipes of an
 * earlier GSubprocess (the `ip` of hv_test_netns_enter) once it has
 * reaped the child. */
static guint
count_tun_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const gchar *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree gchar *target = g_file_read_link (path, NULL);

      if (g_strcmp0 (target, "/dev/net/tun") == 0)
        n++;
    }
  return n;
}

/* -- hv_kvm_tap_open ------------------------------------------------------ */

static void
test_tap_one_queue (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmTap) tap = NULL;

  if (!enter_netns ())
    return;
  if (!hv_kvm_tap_supports_vnet_hdr ())
    {
      g_test_skip ("the tun driver has no IFF_VNET_HDR");
      return;
    }

  tap = hv_kvm_tap_open (NULL, TRUE, 1, NULL, &error);
  g_assert_no_error (error);
  /* the kernel's tap%d, in a namespace with no other tap */
  g_assert_cmpstr (tap->name, ==, "tap0");
  g_assert_cmpuint (tap->n_queues, ==, 1);
  g_assert_true (tap->vnet_hdr);
  g_assert_false (tap->has_vhost);
  assert_fd_open (tap->fds[0]);
  g_assert_cmpint (tap->fds[1], ==, -1);
  g_assert_cmpint (tap->vhost_fds[0], ==, -1);
  g_assert_cmpuint (count_tun_fds (), ==, 1);
  assert_taps ((const gchar *[]) { "tap0", NULL });
  assert_tap_info ("tap0", TRUE, FALSE);
}

static void
test_tap_multi_queue (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmTap) tap = NULL;

  if (!enter_netns ())
    return;

  tap = hv_kvm_tap_open ("hvtap4", FALSE, 4, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tap->name, ==, "hvtap4");
  g_assert_cmpuint (tap->n_queues, ==, 4);
  g_assert_false (tap->vnet_hdr);
  for (guint i = 0; i < 4; i++)
    {
      assert_fd_open (tap->fds[i]);
      for (guint j = 0; j < i; j++)
        g_assert_cmpint (tap->fds[i], !=, tap->fds[j]);
    }
  g_assert_cmpint (tap->fds[4], ==, -1);
  g_assert_cmpuint (count_tun_fds (), ==, 4);
  /* one interface for all four queues */
  assert_taps ((const gchar *[]) { "hvtap4", NULL });
  assert_tap_info ("hvtap4", FALSE, TRUE);
}

static void
test_tap_mac (void)
{
  static const gchar *const bad[] = {
    "", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54:00:12:34:5g", "52-54-00-12-34-56",
    "52:54:00:12:34:56 ",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmTap) tap = NULL;
  g_autofree gchar *mac = NULL;

  if (!enter_netns ())
    return;

  tap = hv_kvm_tap_open ("hvtap0", TRUE, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hv_kvm_tap_set_mac (tap, GUEST_MAC, &error));
  g_assert_no_error (error);
  mac = hv_test_netns_get_mac ("hvtap0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mac, ==, "fe:54:00:12:34:56");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree gchar *expected = g_strdup_printf ("NIC MAC address '%s' is not of the form "
                                                    "aa:bb:cc:dd:ee:ff", bad[i]);
      g_autofree gchar *after = NULL;

      g_assert_false (hv_kvm_tap_set_mac (tap, bad[i], &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
      g_assert_cmpstr (error->message, ==, expected);
      g_clear_error (&error);
      after = hv_test_netns_get_mac ("hvtap0", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (after, ==, "fe:54:00:12:34:56");
    }
}

static void
test_tap_close (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmTap) tap = NULL;

  if (!enter_netns ())
    return;

  tap = hv_kvm_tap_open ("hvtap0", TRUE, 2, NULL, &error);
  g_assert_no_error (error);
  assert_taps ((const gchar *[]) { "hvtap0", NULL });
  hv_kvm_tap_close (tap);
  g_assert_cmpint (tap->fds[0], ==, -1);
  g_assert_cmpint (tap->fds[1], ==, -1);
  g_assert_cmpuint (count_tun_fds (), ==, 0);
  assert_taps ((const gchar *[]) { NULL });
}

static void
test_tap_vhost_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmTap) tap = NULL;

  if (!enter_netns ())
    return;

  g_assert_cmpuint (count_tun_fds (), ==, 0);
  tap = hv_kvm_tap_open ("hvtap0", TRUE, 2, "/nonexistent/vhost-net", &error);
  g_assert_null (tap);
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Cannot open the vhost-net device '/nonexistent/vhost-net' for tap 'hvtap0': "
                   "No such file or directory");
  /* both queues were open when vhost failed: they are closed again */
  g_assert_cmpuint (count_tun_fds (), ==, 0);
  assert_taps ((const gchar *[]) { NULL });
}

/* -- the NIC scripts ------------------------------------------------------ */

/* HvNicScript runs a wrapper around the script under test, which gives it
 * a PATH with only `ip` and `bridge` (and what a test adds: a fake
 * ovs-vsctl) and a sysconfdir of the test's own for the custom hooks, so
 * neither the host's tools nor an installed hook change the outcome. */
typedef struct {
  gchar       *dir;
  gchar       *bin;
  gchar       *hooks;           /* <dir>/etc/hvkit */
  HvNicScript *ifup;
  HvNicScript *ifdown;
  HvKvmTap    *tap;             /* NULL: the set-up skipped the test */
  HvInstance  *instance;
} ScriptFixture;

static void
write_executable (const gchar *path,
                  const gchar *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

static void
link_tool (ScriptFixture *fixture,
           const gchar   *tool)
{
  g_autofree gchar *target = g_find_program_in_path (tool);
  g_autofree gchar *path = g_build_filename (fixture->bin, tool, NULL);

  if (target != NULL)
    g_assert_cmpint (symlink (target, path), ==, 0);
}

static HvNicScript *
make_wrapper (ScriptFixture *fixture,
              const gchar   *script_dir,
              const gchar   *name)
{
  g_autofree gchar *path = g_build_filename (fixture->dir, name, NULL);
  g_autofree gchar *text = NULL;
  g_autofree gchar *sysconfdir = g_build_filename (fixture->dir, "etc", NULL);

  text = g_strdup_printf ("#!/bin/sh\n"
                          "PATH='%s'\n"
                          "HVKIT_SYSCONFDIR='%s'\n"
                          "export PATH HVKIT_SYSCONFDIR\n"
                          "exec '%s/%s' \"$@\"\n",
                          fixture->bin, sysconfdir, script_dir, name);
  write_executable (path, text);
  return hv_nic_script_new (path);
}

static void
script_fixture_set_up (ScriptFixture *fixture,
                       gconstpointer  data)
{
  const gchar *script_dir = g_getenv ("HVKIT_TEST_SCRIPT_DIR");
  g_autoptr(GError) error = NULL;

  if (script_dir == NULL)
    {
      g_test_skip ("HVKIT_TEST_SCRIPT_DIR is not set: run the test with `meson test`");
      return;
    }
  if (!enter_netns ())
    return;

  fixture->dir = g_dir_make_tmp ("hvkit-kvm-nic-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->bin = g_build_filename (fixture->dir, "bin", NULL);
  fixture->hooks = g_build_filename (fixture->dir, "etc", "hvkit", NULL);
  g_assert_cmpint (g_mkdir (fixture->bin, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (fixture->hooks, 0755), ==, 0);
  link_tool (fixture, "ip");
  link_tool (fixture, "bridge");
  fixture->ifup = make_wrapper (fixture, script_dir, "kvm-ifup");
  fixture->ifdown = make_wrapper (fixture, script_dir, "kvm-ifdown");
  fixture->instance = hv_instance_new ("web1.example.com");
  /* as the plugin makes it for a NIC */
  fixture->tap = hv_kvm_tap_open ("hvtap0", TRUE, 1, NULL, &error);
  g_assert_no_error (error);
  hv_kvm_tap_set_mac (fixture->tap, GUEST_MAC, &error);
  g_assert_no_error (error);
}

static void
script_fixture_tear_down (ScriptFixture *fixture,
                          gconstpointer  data)
{
  g_clear_pointer (&fixture->tap, hv_kvm_tap_free);
  g_clear_object (&fixture->ifup);
  g_clear_object (&fixture->ifdown);
  g_clear_object (&fixture->instance);
  if (fixture->dir != NULL)
    hv_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->bin);
  g_free (fixture->hooks);
}

static HvNic *
make_nic (const gchar *mode,
          const gchar *link,
          const gchar *ip,
          const gchar *vlan)
{
  HvNic *nic = hv_nic_new ();

  hv_device_set_uuid (HV_DEVICE (nic), "9c3b2a0e-4f7d-4b1e-8c55-0d5a7e0b1c01");
  hv_nic_set_mac (nic, GUEST_MAC);
  hv_nic_set_mode (nic, mode);
  hv_nic_set_link (nic, link);
  hv_nic_set_ip (nic, ip);
  hv_nic_set_vlan (nic, vlan);
  return nic;
}

static void
ifup (ScriptFixture *fixture,
      HvNic         *nic)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = hv_nic_script_ifup_sync (fixture->ifup, fixture->instance, nic, 0, "hvtap0",
                                         NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
ifdown (ScriptFixture *fixture,
        HvNic         *nic,
        gboolean       only_local)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = hv_nic_script_ifdown_sync (fixture->ifdown, "web1.example.com", nic, "hvtap0",
                                           only_local, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

/* The runner's message carries the script's exit status and output. */
static void
assert_ifup_fails (ScriptFixture *fixture,
                   HvNic         *nic,
                   const gchar   *output)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *expected = g_strdup_printf ("Failed to configure interface hvtap0: exited "
                                                "with status 1; network configuration script "
                                                "output: %s", output);

  g_assert_false (hv_nic_script_ifup_sync (fixture->ifup, fixture->instance, nic, 0, "hvtap0",
                                           NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
assert_ifdown_fails (ScriptFixture *fixture,
                     HvNic         *nic,
                     const gchar   *output)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *expected = g_strdup_printf ("Failed to unconfigure interface hvtap0: exited "
                                                "with status 1; network configuration script "
                                                "output: %s", output);

  g_assert_false (hv_nic_script_ifdown_sync (fixture->ifdown, "web1.example.com", nic, "hvtap0",
                                             FALSE, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, expected);
}

static gchar *
read_file (const gchar *path)
{
  g_autoptr(GError) error = NULL;
  gchar *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static gchar *
read_fixture_file (ScriptFixture *fixture,
                   const gchar   *name)
{
  g_autofree gchar *path = g_build_filename (fixture->dir, name, NULL);

  return read_file (path);
}

/* /proc/sys/net shows the namespace of the thread that opens it */
static gchar *
read_ipv4_conf (const gchar *name)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/sys/net/ipv4/conf/hvtap0/%s", name);

  return read_file (path);
}

static void
assert_ipv4_conf (const gchar *name,
                  const gchar *expected)
{
  g_autofree gchar *value = read_ipv4_conf (name);

  g_assert_cmpstr (value, ==, expected);
}

static gchar *
join_lines (GPtrArray *lines)
{
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("; ", (gchar **) lines->pdata);
}

/* The routes of a table, "<dst> dev <dev>" each, joined by "; ". */
static gchar *
describe_routes (const gchar *table)
{
  g_autoptr(JsonNode) root = run_json ("ip", "-json", "route", "show", "table", table, NULL);
  JsonArray *routes = json_node_get_array (root);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (routes); i++)
    {
      JsonObject *route = json_array_get_object_element (routes, i);

      g_ptr_array_add (lines, g_strdup_printf ("%s dev %s",
                                               json_object_get_string_member (route, "dst"),
                                               json_object_get_string_member (route, "dev")));
    }
  return join_lines (lines);
}

/* The rules for what arrives on hvtap0, "iif <dev> table <table>" each. */
static gchar *
describe_tap_rules (void)
{
  g_autoptr(JsonNode) root = run_json ("ip", "-json", "rule", "show", "iif", "hvtap0", NULL);
  JsonArray *rules = json_node_get_array (root);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (rules); i++)
    {
      JsonObject *rule = json_array_get_object_element (rules, i);

      g_ptr_array_add (lines, g_strdup_printf ("iif %s table %s",
                                               json_object_get_string_member (rule, "iif"),
                                               json_object_get_string_member (rule, "table")));
    }
  return join_lines (lines);
}

/* The VLANs of hvtap0 on its bridge, "<vid>[ <flag>...]" each, joined by
 * "; ". */
static gchar *
describe_tap_vlans (void)
{
  g_autoptr(JsonNode) root = run_json ("bridge", "-json", "vlan", "show", "dev", "hvtap0", NULL);
  JsonArray *ports = json_node_get_array (root);
  g_autoptr(GString) text = g_string_new (NULL);
  JsonArray *vlans;

  if (json_array_get_length (ports) == 0)
    return g_strdup ("");
  g_assert_cmpuint (json_array_get_length (ports), ==, 1);
  vlans = json_object_get_array_member (json_array_get_object_element (ports, 0), "vlans");
  for (guint i = 0; i < json_array_get_length (vlans); i++)
    {
      JsonObject *vlan = json_array_get_object_element (vlans, i);
      JsonArray *flags = json_object_has_member (vlan, "flags")
                           ? json_object_get_array_member (vlan, "flags") : NULL;

      g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? "; " : "",
                              json_object_get_int_member (vlan, "vlan"));
      for (guint j = 0; flags != NULL && j < json_array_get_length (flags); j++)
        g_string_append_printf (text, " %s", json_array_get_string_element (flags, j));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
add_bridge (const gchar *name,
            const gchar *mtu)
{
  g_autoptr(GError) error = NULL;

  hv_test_netns_add_bridge (name, &error);
  g_assert_no_error (error);
  hv_test_netns_ip (&error, "link", "set", "dev", name, "mtu", mtu, NULL);
  g_assert_no_error (error);
}

static void
assert_link_mtu (const gchar *name,
                 gint64       mtu)
{
  g_autoptr(JsonObject) link = get_link (name);

  g_assert_cmpint (json_object_get_int_member (link, "mtu"), ==, mtu);
}

static void
test_script_bridged (ScriptFixture *fixture,
                     gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("bridged", "br0", "", NULL);

  if (fixture->tap == NULL)
    return;
  /* jumbo frames: the tap must not bring the bridge down to 1500 */
  add_bridge ("br0", "9000");
  g_assert_false (link_is_up ("hvtap0"));

  ifup (fixture, nic);
  assert_text (get_master ("hvtap0"), "br0");
  g_assert_true (link_is_up ("hvtap0"));
  assert_link_mtu ("hvtap0", 9000);
  assert_link_mtu ("br0", 9000);

  ifdown (fixture, nic, FALSE);
  assert_text (get_master ("hvtap0"), "");
  assert_taps ((const gchar *[]) { "hvtap0", NULL });
}

static void
test_script_bridged_refused (ScriptFixture *fixture,
                             gconstpointer  data)
{
  g_autoptr(HvNic) no_bridge = make_nic ("bridged", "br9", "", NULL);
  g_autoptr(HvNic) bad_vlan = make_nic ("bridged", "br0", "", "10:");
  g_autoptr(HvNic) unfiltered = make_nic ("bridged", "br0", "", ".10:20");

  if (fixture->tap == NULL)
    return;
  add_bridge ("br0", "1500");

  assert_ifup_fails (fixture, no_bridge,
                     "kvm-ifup: bridge 'br9' of hvtap0 does not exist or is not a bridge");
  assert_ifup_fails (fixture, bad_vlan,
                     "kvm-ifup: VLAN '10:' is not N or .N (access), :N[:M...] (trunk) or "
                     ".N:M[:K...] (untagged N, tagged M...), with ids from 1 to 4094");
  /* a bridge without VLAN filtering would put the guest on every VLAN */
  assert_ifup_fails (fixture, unfiltered,
                     "kvm-ifup: bridge 'br0' has VLAN filtering off (vlan_filtering 0), so "
                     "hvtap0 cannot be put in VLAN '.10:20'");

  /* refused before anything was changed */
  assert_text (get_master ("hvtap0"), "");
  g_assert_false (link_is_up ("hvtap0"));
}

static void
test_script_bridged_vlan (ScriptFixture *fixture,
                          gconstpointer  data)
{
  g_autoptr(HvNic) hybrid = make_nic ("bridged", "br0", "", ".10:20");
  g_autoptr(HvNic) trunk = make_nic ("bridged", "br0", "", ":1:30");
  g_autoptr(GError) error = NULL;

  if (fixture->tap == NULL)
    return;
  add_bridge ("br0", "1500");
  if (!hv_test_netns_ip (&error, "link", "set", "dev", "br0", "type", "bridge",
                         "vlan_filtering", "1", NULL))
    {
      g_autofree gchar *reason = g_strdup_printf ("the kernel's bridge has no VLAN filtering: "
                                                  "%s", error->message);

      g_test_skip (reason);
      return;
    }

  /* untagged 10 instead of the default VLAN 1, tagged 20 */
  ifup (fixture, hybrid);
  assert_text (describe_tap_vlans (), "10 PVID Egress Untagged; 20");
  g_assert_true (link_is_up ("hvtap0"));
  ifdown (fixture, hybrid, FALSE);
  assert_text (describe_tap_vlans (), "");

  /* a trunk asking for VLAN 1 keeps it, tagged now */
  ifup (fixture, trunk);
  assert_text (describe_tap_vlans (), "1; 30");
  assert_text (get_master ("hvtap0"), "br0");
}

static void
test_script_routed_table (ScriptFixture *fixture,
                          gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("routed", "100", "192.0.2.10", NULL);

  if (fixture->tap == NULL)
    return;
  assert_ipv4_conf ("proxy_arp", "0\n");
  assert_ipv4_conf ("forwarding", "0\n");

  /* twice: a second run must not add a second rule */
  ifup (fixture, nic);
  ifup (fixture, nic);
  assert_text (describe_routes ("100"), "192.0.2.10 dev hvtap0");
  assert_text (describe_tap_rules (), "iif hvtap0 table 100");
  assert_ipv4_conf ("proxy_arp", "1\n");
  assert_ipv4_conf ("forwarding", "1\n");
  g_assert_true (link_is_up ("hvtap0"));
  assert_text (describe_routes ("main"), "");

  /* the same whether the instance lives on elsewhere or not */
  ifdown (fixture, nic, TRUE);
  assert_text (describe_routes ("100"), "");
  assert_text (describe_tap_rules (), "");
}

static void
test_script_routed_main (ScriptFixture *fixture,
                         gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("routed", "", "192.0.2.11", NULL);

  if (fixture->tap == NULL)
    return;

  ifup (fixture, nic);
  assert_text (describe_routes ("main"), "192.0.2.11 dev hvtap0");
  assert_text (describe_tap_rules (), "");
  assert_ipv4_conf ("proxy_arp", "1\n");

  ifdown (fixture, nic, FALSE);
  assert_text (describe_routes ("main"), "");
  /* the tap stays as it is: it goes with QEMU */
  g_assert_true (link_is_up ("hvtap0"));
}

static void
test_script_routed_no_ip (ScriptFixture *fixture,
                          gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("routed", "100", "", NULL);

  if (fixture->tap == NULL)
    return;

  assert_ifup_fails (fixture, nic,
                     "kvm-ifup: routed NIC hvtap0 has no IP address; routed mode needs one");
  g_assert_false (link_is_up ("hvtap0"));
  assert_ipv4_conf ("proxy_arp", "0\n");
}

/* Writes its arguments, one call a line, to <dir>/ovs-vsctl.log. */
static void
add_fake_ovs_vsctl (ScriptFixture *fixture)
{
  g_autofree gchar *path = g_build_filename (fixture->bin, "ovs-vsctl", NULL);
  g_autofree gchar *text = g_strdup_printf ("#!/bin/sh\necho \"$*\" >> '%s/ovs-vsctl.log'\n",
                                            fixture->dir);

  write_executable (path, text);
}

static void
test_script_openvswitch (ScriptFixture *fixture,
                         gconstpointer  data)
{
  static const gchar *const vlans[] = { NULL, "100", ".100", ":10:20", ".100:200:300" };
  g_autoptr(HvNic) nic = NULL;

  if (fixture->tap == NULL)
    return;
  add_fake_ovs_vsctl (fixture);

  for (gsize i = 0; i < G_N_ELEMENTS (vlans); i++)
    {
      g_clear_object (&nic);
      nic = make_nic ("openvswitch", "ovs0", "", vlans[i]);
      ifup (fixture, nic);
    }
  ifdown (fixture, nic, FALSE);
  g_assert_true (link_is_up ("hvtap0"));

  assert_text (read_fixture_file (fixture, "ovs-vsctl.log"),
               "--may-exist add-port ovs0 hvtap0 -- clear port hvtap0 tag trunks vlan_mode\n"
               "--may-exist add-port ovs0 hvtap0 -- clear port hvtap0 trunks "
               "-- set port hvtap0 tag=100 vlan_mode=access\n"
               "--may-exist add-port ovs0 hvtap0 -- clear port hvtap0 trunks "
               "-- set port hvtap0 tag=100 vlan_mode=access\n"
               "--may-exist add-port ovs0 hvtap0 -- clear port hvtap0 tag "
               "-- set port hvtap0 trunks=10,20 vlan_mode=trunk\n"
               "--may-exist add-port ovs0 hvtap0 -- set port hvtap0 tag=100 "
               "trunks=200,300 vlan_mode=native-untagged\n"
               "--if-exists del-port hvtap0\n");
}

static void
test_script_openvswitch_missing (ScriptFixture *fixture,
                                 gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("openvswitch", "ovs0", "", ".100");
  g_autoptr(HvNic) no_switch = make_nic ("openvswitch", "", "", NULL);

  if (fixture->tap == NULL)
    return;

  assert_ifup_fails (fixture, nic,
                     "kvm-ifup: openvswitch mode needs ovs-vsctl (Open vSwitch), which is not "
                     "installed");
  assert_ifdown_fails (fixture, nic,
                       "kvm-ifdown: openvswitch mode needs ovs-vsctl (Open vSwitch), which is "
                       "not installed");
  assert_ifup_fails (fixture, no_switch,
                     "kvm-ifup: openvswitch NIC hvtap0 has no switch (LINK is empty)");
  g_assert_false (link_is_up ("hvtap0"));
}

static void
test_script_unknown_mode (ScriptFixture *fixture,
                          gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("vde", "switch0", "", NULL);

  if (fixture->tap == NULL)
    return;

  assert_ifup_fails (fixture, nic,
                     "kvm-ifup: unknown NIC mode 'vde' for hvtap0 (bridged, routed or "
                     "openvswitch)");
  assert_ifdown_fails (fixture, nic,
                       "kvm-ifdown: unknown NIC mode 'vde' for hvtap0 (bridged, routed or "
                       "openvswitch)");
}

/* QEMU has exited and its tap is gone before ifdown runs. */
static void
close_tap (ScriptFixture *fixture)
{
  hv_kvm_tap_close (fixture->tap);
  assert_taps ((const gchar *[]) { NULL });
}

static void
test_script_gone_bridged (ScriptFixture *fixture,
                          gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("bridged", "br0", "", NULL);

  if (fixture->tap == NULL)
    return;
  add_bridge ("br0", "1500");

  ifup (fixture, nic);
  close_tap (fixture);
  ifdown (fixture, nic, FALSE);
  ifdown (fixture, nic, TRUE);
}

static void
test_script_gone_routed (ScriptFixture *fixture,
                         gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("routed", "100", "192.0.2.10", NULL);

  if (fixture->tap == NULL)
    return;

  ifup (fixture, nic);
  close_tap (fixture);
  /* the route went with the tap; the rule names it but stays */
  assert_text (describe_routes ("100"), "");
  assert_text (describe_tap_rules (), "iif hvtap0 table 100");

  ifdown (fixture, nic, FALSE);
  assert_text (describe_tap_rules (), "");
}

static void
test_script_gone_openvswitch (ScriptFixture *fixture,
                              gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("openvswitch", "ovs0", "", NULL);

  if (fixture->tap == NULL)
    return;
  add_fake_ovs_vsctl (fixture);

  close_tap (fixture);
  /* Open vSwitch keeps a vanished tap's port: it is removed all the same */
  ifdown (fixture, nic, FALSE);
  assert_text (read_fixture_file (fixture, "ovs-vsctl.log"), "--if-exists del-port hvtap0\n");
}

/* A hook that writes its name, arguments, MODE and HVKIT_NIC_HOOK to
 * <dir>/hook.log, then runs @then (or nothing) with its arguments. Run a
 * second time it fails, so that a hook run again and again by the default
 * script it calls fails the test instead of hanging it. */
static void
add_hook (ScriptFixture *fixture,
          const gchar   *name,
          const gchar   *then,
          guint          mode)
{
  g_autofree gchar *path = g_build_filename (fixture->hooks, name, NULL);
  g_autofree gchar *text = NULL;

  text = g_strdup_printf ("#!/bin/sh\n"
                          "[ ! -e '%s/%s.ran' ] || exit 3\n"
                          ": > '%s/%s.ran'\n"
                          "echo \"%s $* $MODE $HVKIT_NIC_HOOK\" >> '%s/hook.log'\n"
                          "%s%s%s\n",
                          fixture->dir, name, fixture->dir, name, name, fixture->dir,
                          then != NULL ? "exec '" : "", then != NULL ? then : "",
                          then != NULL ? "' \"$@\"" : "");
  write_executable (path, text);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
test_script_custom_hook (ScriptFixture *fixture,
                         gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("vde", "switch0", "", NULL);
  g_autofree gchar *expected = NULL;

  if (fixture->tap == NULL)
    return;
  add_hook (fixture, "kvm-ifup-custom", NULL, 0755);
  add_hook (fixture, "kvm-ifdown-custom", NULL, 0755);

  /* the hooks replace the scripts, which do not know this mode */
  ifup (fixture, nic);
  ifdown (fixture, nic, TRUE);
  expected = g_strdup_printf ("kvm-ifup-custom hvtap0 vde %s/kvm-ifup-custom\n"
                              "kvm-ifdown-custom hvtap0 true vde %s/kvm-ifdown-custom\n",
                              fixture->hooks, fixture->hooks);
  assert_text (read_fixture_file (fixture, "hook.log"), expected);
}

static void
test_script_custom_hook_ignored (ScriptFixture *fixture,
                                 gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("vde", "switch0", "", NULL);
  g_autofree gchar *log_path = NULL;

  if (fixture->tap == NULL)
    return;
  /* not executable: not a hook */
  add_hook (fixture, "kvm-ifup-custom", NULL, 0644);

  assert_ifup_fails (fixture, nic,
                     "kvm-ifup: unknown NIC mode 'vde' for hvtap0 (bridged, routed or "
                     "openvswitch)");
  log_path = g_build_filename (fixture->dir, "hook.log", NULL);
  g_assert_false (g_file_test (log_path, G_FILE_TEST_EXISTS));
}

static void
test_script_custom_hook_default (ScriptFixture *fixture,
                                 gconstpointer  data)
{
  g_autoptr(HvNic) nic = make_nic ("bridged", "br0", "", NULL);
  g_autofree gchar *script = NULL;
  g_autofree gchar *expected = NULL;

  if (fixture->tap == NULL)
    return;
  add_bridge ("br0", "1500");
  /* a hook that does its own part, then the standard one: the default
   * script runs once, not the hook again */
  script = g_build_filename (g_getenv ("HVKIT_TEST_SCRIPT_DIR"), "kvm-ifup", NULL);
  add_hook (fixture, "kvm-ifup-custom", script, 0755);

  ifup (fixture, nic);
  assert_text (get_master ("hvtap0"), "br0");
  expected = g_strdup_printf ("kvm-ifup-custom hvtap0 bridged %s/kvm-ifup-custom\n",
                              fixture->hooks);
  assert_text (read_fixture_file (fixture, "hook.log"), expected);
}

static void
add_script_test (const gchar *path,
                 void (*test) (ScriptFixture *, gconstpointer))
{
  g_test_add (path, ScriptFixture, NULL, script_fixture_set_up, test, script_fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kvm-nic/tap/one-queue", test_tap_one_queue);
  g_test_add_func ("/kvm-nic/tap/multi-queue", test_tap_multi_queue);
  g_test_add_func ("/kvm-nic/tap/mac", test_tap_mac);
  g_test_add_func ("/kvm-nic/tap/close", test_tap_close);
  g_test_add_func ("/kvm-nic/tap/vhost-missing", test_tap_vhost_missing);

  add_script_test ("/kvm-nic/script/bridged", test_script_bridged);
  add_script_test ("/kvm-nic/script/bridged-refused", test_script_bridged_refused);
  add_script_test ("/kvm-nic/script/bridged-vlan", test_script_bridged_vlan);
  add_script_test ("/kvm-nic/script/routed-table", test_script_routed_table);
  add_script_test ("/kvm-nic/script/routed-main", test_script_routed_main);
  add_script_test ("/kvm-nic/script/routed-no-ip", test_script_routed_no_ip);
  add_script_test ("/kvm-nic/script/openvswitch", test_script_openvswitch);
  add_script_test ("/kvm-nic/script/openvswitch-missing", test_script_openvswitch_missing);
  add_script_test ("/kvm-nic/script/unknown-mode", test_script_unknown_mode);
  add_script_test ("/kvm-nic/script/gone/bridged", test_script_gone_bridged);
  add_script_test ("/kvm-nic/script/gone/routed", test_script_gone_routed);
  add_script_test ("/kvm-nic/script/gone/openvswitch", test_script_gone_openvswitch);
  add_script_test ("/kvm-nic/script/custom-hook", test_script_custom_hook);
  add_script_test ("/kvm-nic/script/custom-hook-ignored", test_script_custom_hook_ignored);
  add_script_test ("/kvm-nic/script/custom-hook-default", test_script_custom_hook_default);

  return g_test_run ();
}
