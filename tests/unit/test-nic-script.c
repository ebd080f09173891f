/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "hvkit.h"

/* The expected environments, without PATH (the caller's PATH followed by
 * :/sbin:/usr/sbin, added by expect_environment), sorted by key. */

static const gchar *const bridged_full[] = {
  "BRIDGE=br0",
  "INSTANCE=web1.example.com",
  "INTERFACE=tap0",
  "INTERFACE_INDEX=0",
  "INTERFACE_NAME=front",
  "INTERFACE_UUID=9c3b2a0e-4f7d-4b1e-8c55-0d5a7e0b1c01",
  "IP=192.0.2.10",
  "LC_ALL=C",
  "LINK=br0",
  "MAC=aa:00:00:35:1c:7e",
  "MODE=bridged",
  "NETWORK_GATEWAY=192.0.2.1",
  "NETWORK_GATEWAY6=2001:db8::1",
  "NETWORK_MAC_PREFIX=aa:00:00",
  "NETWORK_NAME=frontend",
  "NETWORK_SUBNET=192.0.2.0/24",
  "NETWORK_SUBNET6=2001:db8::/64",
  "NETWORK_TAGS=dmz public",
  "NETWORK_UUID=51f1c0a4-7f0c-4d64-9b36-3c1e9b1f6a10",
  "TAGS=web production",
  "VLAN=.100",
  NULL
};

static const gchar *const bridged_minimal[] = {
  "BRIDGE=br0",
  "INSTANCE=web1.example.com",
  "INTERFACE=tap3",
  "INTERFACE_INDEX=3",
  "INTERFACE_UUID=9c3b2a0e-4f7d-4b1e-8c55-0d5a7e0b1c01",
  "LC_ALL=C",
  "LINK=br0",
  "MAC=aa:00:00:35:1c:7e",
  "MODE=bridged",
  "TAGS=",
  NULL
};

static const gchar *const bridged_no_link[] = {
  "BRIDGE=",
  "INSTANCE=web1.example.com",
  "INTERFACE=tap0",
  "INTERFACE_INDEX=1",
  "INTERFACE_UUID=9c3b2a0e-4f7d-4b1e-8c55-0d5a7e0b1c01",
  "LC_ALL=C",
  "MAC=aa:00:00:35:1c:7e",
  "MODE=bridged",
  "TAGS=",
  NULL
};

static const gchar *const routed_ip[] = {
  "INSTANCE=db1",
  "INTERFACE=tap7",
  "INTERFACE_INDEX=1",
  "INTERFACE_UUID=0b9e4c1a-2d3f-4e5a-8b6c-7d8e9f0a1b2c",
  "IP=198.51.100.7",
  "LC_ALL=C",
  "LINK=100",
  "MAC=aa:00:00:00:00:07",
  "MODE=routed",
  "TAGS=db",
  NULL
};

static const gchar *const routed_bare[] = {
  "INSTANCE=db1",
  "INTERFACE=tap7",
  "INTERFACE_INDEX=2",
  "INTERFACE_UUID=0b9e4c1a-2d3f-4e5a-8b6c-7d8e9f0a1b2c",
  "LC_ALL=C",
  "MAC=aa:00:00:00:00:07",
  "MODE=routed",
  "TAGS=",
  NULL
};

static const gchar *const ovs_vlan[] = {
  "INSTANCE=lb2",
  "INTERFACE=tap12",
  "INTERFACE_INDEX=0",
  "INTERFACE_NAME=uplink",
  "INTERFACE_UUID=5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
  "LC_ALL=C",
  "LINK=ovs-br0",
  "MAC=aa:00:00:12:34:56",
  "MODE=openvswitch",
  "NETWORK_NAME=backbone",
  "NETWORK_TAGS=",
  "NETWORK_UUID=",
  "TAGS=lb edge",
  "VLAN=.100:200",
  NULL
};

static const gchar *const ovs_empty_vlan[] = {
  "INSTANCE=lb2",
  "INTERFACE=tap12",
  "INTERFACE_INDEX=4",
  "INTERFACE_UUID=5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
  "LC_ALL=C",
  "LINK=ovs-br0",
  "MAC=aa:00:00:12:34:56",
  "MODE=openvswitch",
  "TAGS=",
  "VLAN=",
  NULL
};

/* ifdown: no index, no tags */
static const gchar *const ovs_down[] = {
  "INSTANCE=lb2",
  "INTERFACE=tap12",
  "INTERFACE_NAME=uplink",
  "INTERFACE_UUID=5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
  "LC_ALL=C",
  "LINK=ovs-br0",
  "MAC=aa:00:00:12:34:56",
  "MODE=openvswitch",
  "NETWORK_NAME=backbone",
  "NETWORK_TAGS=",
  "NETWORK_UUID=",
  "VLAN=.100:200",
  NULL
};

static const gchar *const routed_no_tap[] = {
  "INSTANCE=db1",
  "INTERFACE_UUID=0b9e4c1a-2d3f-4e5a-8b6c-7d8e9f0a1b2c",
  "IP=198.51.100.7",
  "LC_ALL=C",
  "LINK=100",
  "MAC=aa:00:00:00:00:07",
  "MODE=routed",
  NULL
};

static HvNic *
nic_from_text (const gchar *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) dict = g_variant_ref_sink (g_variant_parse (G_VARIANT_TYPE_VARDICT, text,
                                                                  NULL, NULL, &error));
  HvNic *nic;

  g_assert_no_error (error);
  nic = hv_nic_new_from_variant (dict, &error);
  g_assert_no_error (error);
  return nic;
}

#define BRIDGED_FULL_NIC \
  "{'uuid': <'9c3b2a0e-4f7d-4b1e-8c55-0d5a7e0b1c01'>, 'name': <'front'>," \
  " 'mac': <'aa:00:00:35:1c:7e'>, 'ip': <'192.0.2.10'>, 'mode': <'bridged'>," \
  " 'link': <'br0'>, 'vlan': <'.100'>," \
  " 'network': <{'name': <'frontend'>, 'uuid': <'51f1c0a4-7f0c-4d64-9b36-3c1e9b1f6a10'>," \
  "              'tags': <['dmz', 'public']>, 'subnet': <'192.0.2.0/24'>," \
  "              'gateway': <'192.0.2.1'>, 'subnet6': <'2001:db8::/64'>," \
  "              'gateway6': <'2001:db8::1'>, 'mac_prefix': <'aa:00:00'>}>}"
#define BRIDGED_MINIMAL_NIC \
  "{'uuid': <'9c3b2a0e-4f7d-4b1e-8c55-0d5a7e0b1c01'>, 'mac': <'aa:00:00:35:1c:7e'>," \
  " 'ip': <''>, 'mode': <'bridged'>, 'link': <'br0'>}"
#define BRIDGED_NO_LINK_NIC \
  "{'uuid': <'9c3b2a0e-4f7d-4b1e-8c55-0d5a7e0b1c01'>, 'mac': <'aa:00:00:35:1c:7e'>," \
  " 'mode': <'bridged'>, 'link': <''>}"
#define ROUTED_IP_NIC \
  "{'uuid': <'0b9e4c1a-2d3f-4e5a-8b6c-7d8e9f0a1b2c'>, 'mac': <'aa:00:00:00:00:07'>," \
  " 'ip': <'198.51.100.7'>, 'mode': <'routed'>, 'link': <'100'>}"
#define ROUTED_BARE_NIC \
  "{'uuid': <'0b9e4c1a-2d3f-4e5a-8b6c-7d8e9f0a1b2c'>, 'name': <''>," \
  " 'mac': <'aa:00:00:00:00:07'>, 'mode': <'routed'>}"
#define OVS_VLAN_NIC \
  "{'uuid': <'5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d'>, 'name': <'uplink'>," \
  " 'mac': <'aa:00:00:12:34:56'>, 'mode': <'openvswitch'>, 'link': <'ovs-br0'>," \
  " 'vlan': <'.100:200'>, 'network': <{'name': <'backbone'>, 'gateway': <''>}>}"
#define OVS_EMPTY_VLAN_NIC \
  "{'uuid': <'5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d'>, 'mac': <'aa:00:00:12:34:56'>," \
  " 'mode': <'openvswitch'>, 'link': <'ovs-br0'>, 'vlan': <''>}"

/* @expected plus PATH, sorted as the environment is. */
static gchar **
expect_environment (const gchar *const *expected)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *path = g_strconcat ("PATH=", g_getenv ("PATH"), ":/sbin:/usr/sbin", NULL);
  gboolean placed = FALSE;

  for (gsize i = 0; expected[i] != NULL; i++)
    {
      if (!placed && strcmp (path, expected[i]) < 0)
        {
          g_ptr_array_add (all, g_strdup (path));
          placed = TRUE;
        }
      g_ptr_array_add (all, g_strdup (expected[i]));
    }
  if (!placed)
    g_ptr_array_add (all, g_strdup (path));
  g_ptr_array_add (all, NULL);
  return (gchar **) g_ptr_array_free (g_steal_pointer (&all), FALSE);
}

static void
assert_strv (const gchar *const *got,
             const gchar *const *expected)
{
  g_autofree gchar *got_text = g_strjoinv ("\n", (gchar **) got);
  g_autofree gchar *expected_text = g_strjoinv ("\n", (gchar **) expected);

  g_assert_cmpstr (got_text, ==, expected_text);
}

static void
assert_environment (const gchar         *nic_text,
                    const gchar         *instance,
                    gint                 seq,
                    const gchar         *tap,
                    const gchar *const  *tags,
                    const gchar *const  *expected)
{
  g_autoptr(HvNic) nic = nic_from_text (nic_text);
  g_auto(GStrv) env = hv_nic_script_build_environment (instance, nic, seq, tap, tags);
  g_auto(GStrv) want = expect_environment (expected);

  assert_strv ((const gchar * const *) env, (const gchar * const *) want);
}

static void
test_environment (void)
{
  const gchar *const web_tags[] = { "web", "production", NULL };
  const gchar *const db_tags[] = { "db", NULL };
  const gchar *const lb_tags[] = { "lb", "edge", NULL };
  const gchar *const no_tags[] = { NULL };

  assert_environment (BRIDGED_FULL_NIC, "web1.example.com", 0, "tap0", web_tags, bridged_full);
  assert_environment (BRIDGED_MINIMAL_NIC, "web1.example.com", 3, "tap3", no_tags,
                      bridged_minimal);
  assert_environment (BRIDGED_NO_LINK_NIC, "web1.example.com", 1, "tap0", no_tags,
                      bridged_no_link);
  assert_environment (ROUTED_IP_NIC, "db1", 1, "tap7", db_tags, routed_ip);
  assert_environment (ROUTED_BARE_NIC, "db1", 2, "tap7", no_tags, routed_bare);
  assert_environment (OVS_VLAN_NIC, "lb2", 0, "tap12", lb_tags, ovs_vlan);
  assert_environment (OVS_EMPTY_VLAN_NIC, "lb2", 4, "tap12", no_tags, ovs_empty_vlan);
  assert_environment (OVS_VLAN_NIC, "lb2", -1, "tap12", NULL, ovs_down);
  assert_environment (ROUTED_IP_NIC, "db1", -1, NULL, NULL, routed_no_tap);
}

/* A scratch directory for scripts and what they leave behind. */
typedef struct {
  gchar *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("hvkit-nic-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const gchar *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (fixture->dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->dir);
}

static gchar *
write_script (Fixture     *fixture,
              const gchar *name,
              const gchar *text)
{
  g_autofree gchar *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return g_steal_pointer (&path);
}

/* Writes its argv (NUL-separated) and its environment, one variable a line
 * in sorted order, to <script>.out. Python, because a shell exports PWD. */
static const gchar dump_script[] =
  "#!/usr/bin/python3\n"
  "import os, sys\n"
  "with open(sys.argv[0] + '.out', 'w') as out:\n"
  "    out.write('\\0'.join(sys.argv) + '\\n')\n"
  "    for key in sorted(os.environ):\n"
  "        out.write('%s=%s\\n' % (key, os.environ[key]))\n"
  "print('configured', sys.argv[1])\n";

static void
assert_dump (const gchar        *script,
             const gchar *const *argv,
             const gchar *const *expected_env)
{
  g_autofree gchar *out_path = g_strconcat (script, ".out", NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr(GString) want_argv = g_string_new (NULL);
  g_auto(GStrv) want_env = expect_environment (expected_env);
  g_auto(GStrv) env = NULL;
  g_autoptr(GError) error = NULL;
  const gchar *newline;
  gsize length;

  g_file_get_contents (out_path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_unlink (out_path), ==, 0);

  /* the first line is argv, NUL-separated, exactly as given */
  for (gsize i = 0; argv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (want_argv, '\0');
      g_string_append (want_argv, argv[i]);
    }
  newline = memchr (contents, '\n', length);
  g_assert_nonnull (newline);
  g_assert_cmpmem (contents, newline - contents, want_argv->str, want_argv->len);

  /* then the environment: exactly the expected one, nothing of ours */
  env = g_strsplit (newline + 1, "\n", -1);
  g_assert_cmpstr (env[g_strv_length (env) - 1], ==, "");
  g_clear_pointer (&env[g_strv_length (env) - 1], g_free);
  assert_strv ((const gchar * const *) env, (const gchar * const *) want_env);
}

static HvInstance *
make_instance (const gchar        *name,
               const gchar *const *tags)
{
  HvInstance *instance = hv_instance_new (name);

  if (tags != NULL)
    hv_instance_set_tags (instance, tags);
  return instance;
}

static void
test_run_ifup (Fixture       *fixture,
               gconstpointer  data)
{
  const gchar *const web_tags[] = { "web", "production", NULL };
  const gchar *const db_tags[] = { "db", NULL };
  g_autofree gchar *path = write_script (fixture, "kvm-ifup", dump_script);
  g_autoptr(HvNicScript) script = hv_nic_script_new (path);
  g_autoptr(HvInstance) web = make_instance ("web1.example.com", web_tags);
  g_autoptr(HvInstance) db = make_instance ("db1", db_tags);
  g_autoptr(HvInstance) bare = make_instance ("db1", NULL);
  g_autoptr(HvNic) bridged = nic_from_text (BRIDGED_FULL_NIC);
  g_autoptr(HvNic) routed = nic_from_text (ROUTED_IP_NIC);
  g_autoptr(HvNic) routed_plain = nic_from_text (ROUTED_BARE_NIC);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (hv_nic_script_get_path (script), ==, path);
  g_assert_true (hv_nic_script_ifup_sync (script, web, bridged, 0, "tap0", NULL, &error));
  g_assert_no_error (error);
  assert_dump (path, (const gchar *const[]) { path, "tap0", NULL }, bridged_full);

  g_assert_true (hv_nic_script_ifup_sync (script, db, routed, 1, "tap7", NULL, &error));
  g_assert_no_error (error);
  assert_dump (path, (const gchar *const[]) { path, "tap7", NULL }, routed_ip);

  /* an instance without tags still gets TAGS, empty */
  g_assert_true (hv_nic_script_ifup_sync (script, bare, routed_plain, 2, "tap7", NULL, &error));
  g_assert_no_error (error);
  assert_dump (path, (const gchar *const[]) { path, "tap7", NULL }, routed_bare);
}

static void
test_run_ifdown (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree gchar *path = write_script (fixture, "kvm-ifdown", dump_script);
  g_autoptr(HvNicScript) script = hv_nic_script_new (path);
  g_autoptr(HvNic) ovs = nic_from_text (OVS_VLAN_NIC);
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_nic_script_ifdown_sync (script, "lb2", ovs, "tap12", TRUE, NULL, &error));
  g_assert_no_error (error);
  assert_dump (path, (const gchar *const[]) { path, "tap12", "true", NULL }, ovs_down);

  g_assert_true (hv_nic_script_ifdown_sync (script, "lb2", ovs, "tap12", FALSE, NULL, &error));
  g_assert_no_error (error);
  assert_dump (path, (const gchar *const[]) { path, "tap12", "false", NULL }, ovs_down);
}

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_run_async (Fixture       *fixture,
                gconstpointer  data)
{
  const gchar *const lb_tags[] = { "lb", "edge", NULL };
  g_autofree gchar *path = write_script (fixture, "kvm-ifup", dump_script);
  g_autoptr(HvNicScript) script = hv_nic_script_new (path);
  g_autoptr(HvInstance) lb = make_instance ("lb2", lb_tags);
  g_autoptr(HvNic) ovs = nic_from_text (OVS_VLAN_NIC);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hv_nic_script_ifup_async (script, lb, ovs, 0, "tap12", NULL, run_done, &result);
  /* never before the call returns */
  g_assert_null (result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (hv_nic_script_ifup_finish (script, result, &error));
  g_assert_no_error (error);
  assert_dump (path, (const gchar *const[]) { path, "tap12", NULL }, ovs_vlan);
}

static void
assert_ifup_fails (HvNicScript *script,
                   GQuark       domain,
                   gint         code,
                   const gchar *message)
{
  g_autoptr(HvInstance) instance = make_instance ("web1", NULL);
  g_autoptr(HvNic) nic = nic_from_text (BRIDGED_MINIMAL_NIC);
  g_autoptr(GError) error = NULL;

  g_assert_false (hv_nic_script_ifup_sync (script, instance, nic, 0, "tap0", NULL, &error));
  g_assert_error (error, domain, code);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
}

static void
test_run_failing (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree gchar *exits = write_script (fixture, "exits",
                                          "#!/bin/sh\n"
                                          "echo \"bridge $BRIDGE: no such device\" >&2\n"
                                          "echo 'giving up'\n"
                                          "exit 3\n");
  g_autofree gchar *killed = write_script (fixture, "killed",
                                           "#!/bin/sh\necho 'about to die'\nkill -TERM $$\n");
  g_autofree gchar *missing = g_build_filename (fixture->dir, "missing", NULL);
  g_autofree gchar *plain = write_script (fixture, "plain", "#!/bin/sh\nexit 0\n");
  g_autofree gchar *silent = write_script (fixture, "silent", "#!/bin/sh\nexit 1\n");
  g_autoptr(HvNicScript) silent_script = hv_nic_script_new (silent);
  g_autoptr(HvNicScript) script = hv_nic_script_new (exits);
  g_autoptr(HvNicScript) killed_script = hv_nic_script_new (killed);
  g_autoptr(HvNicScript) missing_script = hv_nic_script_new (missing);
  g_autoptr(HvNicScript) plain_script = hv_nic_script_new (plain);
  g_autoptr(HvNic) nic = nic_from_text (BRIDGED_MINIMAL_NIC);
  g_autoptr(GError) error = NULL;

  assert_ifup_fails (script, HV_ERROR, HV_ERROR_FAILED,
                     "Failed to configure interface tap0: exited with status 3; network "
                     "configuration script output: bridge br0: no such device\ngiving up");
  g_assert_false (hv_nic_script_ifdown_sync (script, "web1", nic, "tap0", TRUE, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Failed to unconfigure interface tap0: exited with status 3; network "
                   "configuration script output: bridge br0: no such device\ngiving up");
  g_clear_error (&error);

  assert_ifup_fails (killed_script, HV_ERROR, HV_ERROR_FAILED,
                     "Failed to configure interface tap0: was killed by signal 15 (Terminated); "
                     "network configuration script output: about to die");

  assert_ifup_fails (silent_script, HV_ERROR, HV_ERROR_FAILED,
                     "Failed to configure interface tap0: exited with status 1; network "
                     "configuration script output: ");

  /* a script that cannot be run at all */
  assert_ifup_fails (missing_script, HV_ERROR, HV_ERROR_FAILED, NULL);
  g_assert_cmpint (g_chmod (plain, 0644), ==, 0);
  assert_ifup_fails (plain_script, HV_ERROR, HV_ERROR_FAILED, NULL);
}

static void
test_run_output (Fixture       *fixture,
                 gconstpointer  data)
{
  /* 40000 bytes of noise, then the reason, then bytes that are not UTF-8 */
  g_autofree gchar *noisy = write_script (fixture, "noisy",
                                          "#!/usr/bin/python3\n"
                                          "import sys\n"
                                          "sys.stdout.write('x' * 40000 + '\\n')\n"
                                          "sys.stdout.write('the reason\\n')\n"
                                          "sys.stdout.flush()\n"
                                          "sys.stdout.buffer.write(b'\\xff\\xfe end\\n')\n"
                                          "sys.exit(1)\n");
  g_autoptr(HvNicScript) script = hv_nic_script_new (noisy);
  g_autoptr(HvInstance) instance = make_instance ("web1", NULL);
  g_autoptr(HvNic) nic = nic_from_text (BRIDGED_MINIMAL_NIC);
  g_autoptr(GError) error = NULL;

  g_assert_false (hv_nic_script_ifup_sync (script, instance, nic, 0, "tap0", NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_true (g_str_has_suffix (error->message, "xxx\nthe reason\n\xef\xbf\xbd\xef\xbf\xbd end"));
  /* the tail is kept, 16 KiB of it */
  g_assert_cmpuint (strlen (error->message), <, 16 * 1024 + 200);
  g_assert_cmpuint (strlen (error->message), >, 16 * 1024);
}

static void
test_run_timeout (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree gchar *hangs = write_script (fixture, "hangs",
                                          "#!/bin/sh\necho waiting\nexec /bin/sleep 3600\n");
  g_autoptr(HvNicScript) script = hv_nic_script_new (hangs);

  g_assert_cmpuint (hv_nic_script_get_timeout (script), ==, 0);
  hv_nic_script_set_timeout (script, 200);
  g_assert_cmpuint (hv_nic_script_get_timeout (script), ==, 200);
  /* the script is killed (or this test would run for an hour) */
  assert_ifup_fails (script, HV_ERROR, HV_ERROR_TIMEOUT,
                     "Failed to configure interface tap0: did not finish within 200 ms and was "
                     "killed; network configuration script output: waiting");
}

static void
test_run_daemon (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree gchar *pidfile = g_build_filename (fixture->dir, "daemon.pid", NULL);
  g_autofree gchar *text = g_strdup_printf ("#!/bin/sh\n"
                                            "/bin/sleep 3600 &\n"
                                            "echo $! > '%s'\n"
                                            "echo 'dhcp server started'\n", pidfile);
  g_autofree gchar *starts = write_script (fixture, "starts-daemon", text);
  g_autoptr(HvNicScript) script = hv_nic_script_new (starts);
  g_autoptr(HvInstance) instance = make_instance ("web1", NULL);
  g_autoptr(HvNic) nic = nic_from_text (BRIDGED_MINIMAL_NIC);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *pid = NULL;
  gboolean ok;

  /* the daemon keeps the output pipe open: the run ends with the script
   * all the same (or this test would run for an hour) */
  ok = hv_nic_script_ifup_sync (script, instance, nic, 0, "tap0", NULL, &error);

  g_file_get_contents (pidfile, &pid, NULL, NULL);
  g_assert_nonnull (pid);
  g_assert_cmpint (kill ((pid_t) atoi (pid), SIGKILL), ==, 0);
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
test_run_cancelled (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree gchar *hangs = write_script (fixture, "hangs", "#!/bin/sh\nexec /bin/sleep 3600\n");
  g_autoptr(HvNicScript) script = hv_nic_script_new (hangs);
  g_autoptr(HvInstance) instance = make_instance ("web1", NULL);
  g_autoptr(HvNic) nic = nic_from_text (BRIDGED_MINIMAL_NIC);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hv_nic_script_ifup_async (script, instance, nic, 0, "tap0", cancellable, run_done, &result);
  g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (hv_nic_script_ifup_finish (script, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_run_bad_name (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree gchar *path = write_script (fixture, "kvm-ifup", dump_script);
  g_autofree gchar *out = g_strconcat (path, ".out", NULL);
  g_autoptr(HvNicScript) script = hv_nic_script_new (path);
  g_autoptr(HvInstance) instance = make_instance ("../web1", NULL);
  g_autoptr(HvNic) nic = nic_from_text (BRIDGED_MINIMAL_NIC);
  g_autoptr(GError) error = NULL;

  g_assert_false (hv_nic_script_ifup_sync (script, instance, nic, 0, "tap0", NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);
  g_assert_false (hv_nic_script_ifdown_sync (script, "web 1", nic, "tap0", TRUE, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  /* the script never ran */
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nic-script/environment", test_environment);
  g_test_add ("/nic-script/run/ifup", Fixture, NULL, fixture_set_up, test_run_ifup,
              fixture_tear_down);
  g_test_add ("/nic-script/run/ifdown", Fixture, NULL, fixture_set_up, test_run_ifdown,
              fixture_tear_down);
  g_test_add ("/nic-script/run/async", Fixture, NULL, fixture_set_up, test_run_async,
              fixture_tear_down);
  g_test_add ("/nic-script/run/failing", Fixture, NULL, fixture_set_up, test_run_failing,
              fixture_tear_down);
  g_test_add ("/nic-script/run/output", Fixture, NULL, fixture_set_up, test_run_output,
              fixture_tear_down);
  g_test_add ("/nic-script/run/timeout", Fixture, NULL, fixture_set_up, test_run_timeout,
              fixture_tear_down);
  g_test_add ("/nic-script/run/daemon", Fixture, NULL, fixture_set_up, test_run_daemon,
              fixture_tear_down);
  g_test_add ("/nic-script/run/cancelled", Fixture, NULL, fixture_set_up, test_run_cancelled,
              fixture_tear_down);
  g_test_add ("/nic-script/run/bad-name", Fixture, NULL, fixture_set_up, test_run_bad_name,
              fixture_tear_down);

  return g_test_run ();
}
