/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm.h"
#include "hv-kvm-qmp-client.h"
#include "hv-test-async.h"
#include "hv-test.h"
#include "hv-test-kvm-guest.h"

/*
 * One host of the migration tests: its own process, its own network
 * namespace (entered first thing, before any thread), its own run dir
 * and HvKvm. The test (hv-test-migration.c) drives it over stdin with
 * lines "ID VERB ARGS…" and reads "ID OK DATA" or "ID ERR DOMAIN CODE
 * MESSAGE" back on stdout, and "EVENT progress STATE TRANSFERRED
 * REMAINING PASSES QEMU_TIME_US|-" for each migration-progress. DATA is
 * escaped (g_strescape) onto one line.
 *
 * usage: hv-test-migration-helper RUN_DIR WORK_DIR NAME UUID MEMORY_MIB [PID]
 *
 * With PID, the helper is a restarted host: it joins the network
 * namespace of that process (the QEMU its killed predecessor left).
 */

#define COMMAND_TIMEOUT_MS 30000

typedef struct {
  gchar            *run_dir;
  gchar            *work_dir;
  gchar            *name;
  gchar            *uuid;
  gint64            memory;
  HvHypervisor     *kvm;
  HvInstance       *instance;
  HvTestConsole    *serial;
  GBytes           *accepted;    /* the info accept_instance got */
  GCancellable     *migrating;   /* the running migrate_instance's */
  GDataInputStream *input;
  GMainLoop        *loop;
  GHashTable       *devices;     /* uuid → HvDevice */
  HvKvmQmpClient   *raw;         /* bench: a QEMU driven by hand */
} Helper;

static void
reply (const gchar *id,
       const gchar *data)
{
  g_autofree gchar *escaped = g_strescape (data != NULL ? data : "", NULL);

  g_print ("%s OK %s\n", id, escaped);
  fflush (stdout);
}

static void
reply_error (const gchar  *id,
             const GError *error)
{
  g_autofree gchar *escaped = g_strescape (error->message, NULL);

  g_print ("%s ERR %s %d %s\n", id, g_quark_to_string (error->domain), error->code, escaped);
  fflush (stdout);
}

/* @error is read after @ok was computed: an argument's order of
 * evaluation is not C's promise */
static void
reply_result (const gchar  *id,
              gboolean      ok,
              GError      **error)
{
  if (ok)
    reply (id, "");
  else
    reply_error (id, *error);
}

static void
progress_cb (HvHypervisor      *kvm,
             const gchar       *name,
             HvMigrationStatus *status,
             gpointer           user_data)
{
  g_autoptr(GEnumClass) states = g_type_class_ref (HV_TYPE_MIGRATION_STATE);
  GEnumValue *value = g_enum_get_value (states, hv_migration_status_get_state (status));
  gint64 state_time = hv_migration_status_get_state_time (status);
  g_autofree gchar *when = state_time > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, state_time)
                                          : g_strdup ("-");

  /* the last field: QEMU's timestamp of the event that began the state
   * (for `completed`, the one that ends migrate_instance) */
  g_print ("EVENT progress %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
           " %s\n",
           value != NULL ? value->value_nick : "?",
           hv_migration_status_get_transferred (status),
           hv_migration_status_get_remaining (status),
           hv_migration_status_get_dirty_sync_count (status),
           when);
  fflush (stdout);
}

static gchar *
write_script (Helper      *helper,
              const gchar *name,
              const gchar *body)
{
  g_autofree gchar *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);
  g_autofree gchar *file = g_strdup_printf ("%s-%d", name, (gint) getpid ());
  gchar *path = g_build_filename (helper->work_dir, file, NULL);

  g_file_set_contents (path, text, -1, NULL);
  g_chmod (path, 0700);
  return path;
}

/* init [KEY=U…]: HvKvm with this host's run dir and scripts, and the
 * numeric configuration keys given */
static gboolean
helper_init (Helper  *helper,
             gchar  **keys,
             GError **error)
{
  /* every ifup is logged to RUN_DIR.ifup as "MODE TAP" (verb ifups) */
  g_autofree gchar *body = g_strdup_printf (
    "echo \"$MODE $INTERFACE\" >> '%s.ifup'\n"
    "if [ \"$MODE\" = bridged ]; then ip link set \"$INTERFACE\" master \"$BRIDGE\" up;"
    " else ip link set \"$INTERFACE\" up; fi", helper->run_dir);
  g_autofree gchar *ifup = write_script (helper, "ifup", body);
  g_autofree gchar *ifdown = write_script (helper, "ifdown", "exit 0");
  GVariantDict config;

  g_clear_object (&helper->instance);
  g_clear_object (&helper->kvm);
  g_variant_dict_init (&config, NULL);
  g_variant_dict_insert (&config, "run-dir", "s", helper->run_dir);
  g_variant_dict_insert (&config, "ifup-script", "s", ifup);
  g_variant_dict_insert (&config, "ifdown-script", "s", ifdown);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (keys[i], "=", 2);

      if (kv[1] != NULL)
        g_variant_dict_insert (&config, kv[0], "u", (guint32) g_ascii_strtoull (kv[1], NULL, 10));
    }
  helper->kvm = HV_HYPERVISOR (hv_kvm_new (g_variant_dict_end (&config), error));
  if (helper->kvm == NULL)
    return FALSE;
  g_signal_connect (helper->kvm, "migration-progress", G_CALLBACK (progress_cb), helper);
  helper->instance = hv_test_kvm_guest_new_instance (helper->kvm, helper->name, helper->uuid,
                                                     helper->memory);
  return TRUE;
}

/* key=value hvparams over the instance's */
static void
set_hvparam (Helper      *helper,
             const gchar *assignment)
{
  g_auto(GStrv) kv = g_strsplit (assignment, "=", 2);
  GVariantDict dict;
  gint64 number;
  gchar *end;

  g_variant_dict_init (&dict, hv_instance_get_hvparams (helper->instance));
  number = g_ascii_strtoll (kv[1], &end, 10);
  if (*end == '\0' && *kv[1] != '\0')
    g_variant_dict_insert (&dict, kv[0], "x", number);
  else
    g_variant_dict_insert (&dict, kv[0], "s", kv[1]);
  hv_instance_set_hvparams (helper->instance, g_variant_dict_end (&dict));
}

static HvDevice *
device_for (Helper      *helper,
            const gchar *kind,
            const gchar *uuid,
            const gchar *arg)
{
  HvDevice *device = g_hash_table_lookup (helper->devices, uuid);

  if (device != NULL)
    return device;
  if (g_str_equal (kind, "disk"))
    {
      HvDisk *disk = hv_disk_new ();

      hv_disk_set_size (disk, 16);
      hv_disk_set_mode (disk, "rw");
      hv_disk_set_link (disk, arg);
      device = HV_DEVICE (disk);
    }
  else
    {
      HvNic *nic = hv_nic_new ();

      hv_nic_set_mac (nic, arg);
      /* kind "nic": on the bridge; "rnic": routed */
      hv_nic_set_mode (nic, g_str_equal (kind, "rnic") ? "routed" : "bridged");
      if (!g_str_equal (kind, "rnic"))
        hv_nic_set_link (nic, "br0");
      device = HV_DEVICE (nic);
    }
  hv_device_set_uuid (device, uuid);
  g_hash_table_insert (helper->devices, g_strdup (uuid), device);
  return device;
}

static gchar *
list_leftovers (Helper *helper)
{
  g_autoptr(GString) out = g_string_new ("");
  g_autoptr(GDir) dir = g_dir_open (helper->run_dir, 0, NULL);
  g_autofree gchar *conf = g_build_filename (helper->run_dir, "conf", NULL);
  g_autofree gchar *nic = g_build_filename (helper->run_dir, "nic", helper->name, NULL);
  g_autoptr(GDir) conf_dir = g_dir_open (conf, 0, NULL);
  g_auto(GStrv) taps = hv_test_netns_list_taps (NULL);
  const gchar *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (entry, helper->name))
      g_string_append_printf (out, "%s ", entry);
  while (conf_dir != NULL && (entry = g_dir_read_name (conf_dir)) != NULL)
    if (g_str_has_prefix (entry, helper->name))
      g_string_append_printf (out, "conf/%s ", entry);
  if (g_file_test (nic, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) nic_dir = g_dir_open (nic, 0, NULL);

      while (nic_dir != NULL && (entry = g_dir_read_name (nic_dir)) != NULL)
        g_string_append_printf (out, "nic/%s ", entry);
    }
  for (guint i = 0; taps != NULL && taps[i] != NULL; i++)
    g_string_append_printf (out, "tap:%s ", taps[i]);
  return g_strstrip (g_string_free (g_steal_pointer (&out), FALSE));
}

typedef struct {
  Helper *helper;
  gchar  *id;
  gint64  started;
} Pending;

static void
pending_free (Pending *pending)
{
  g_free (pending->id);
  g_free (pending);
}

static void
migrate_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(GError) error = NULL;
  gint64 done = g_get_real_time ();
  g_autofree gchar *when = g_strdup_printf ("%" G_GINT64_FORMAT, done);

  if (hv_hypervisor_migrate_instance_finish (HV_HYPERVISOR (source), result, &error))
    reply (pending->id, when);
  else
    reply_error (pending->id, error);
  g_clear_object (&pending->helper->migrating);
  pending_free (pending);
}

static void
accept_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(GError) error = NULL;

  reply_result (pending->id,
                hv_hypervisor_accept_instance_finish (HV_HYPERVISOR (source), result, &error), &error);
  pending_free (pending);
}

/* After a failed wait on QEMU's monitor: which QEMU this host's pidfile
 * names, on stderr (the test's log keeps it) */
static void
show_qemu_process (Helper *helper)
{
  g_autofree gchar *file = g_strconcat (helper->name, ".pid", NULL);
  g_autofree gchar *path = g_build_filename (helper->run_dir, file, NULL);
  g_autofree gchar *pid = NULL;
  g_autofree gchar *exe_link = NULL;
  g_autofree gchar *exe = NULL;
  g_autofree gchar *cmdline = NULL;
  g_autofree gchar *cmdline_path = NULL;
  gsize size = 0;

  if (!g_file_get_contents (path, &pid, NULL, NULL))
    {
      g_printerr ("%s: no pidfile %s\n", helper->name, path);
      return;
    }
  g_strstrip (pid);
  exe_link = g_strdup_printf ("/proc/%s/exe", pid);
  exe = g_file_read_link (exe_link, NULL);
  cmdline_path = g_strdup_printf ("/proc/%s/cmdline", pid);
  if (g_file_get_contents (cmdline_path, &cmdline, &size, NULL))
    for (gsize i = 0; i + 1 < size; i++)
      if (cmdline[i] == '\0')
        cmdline[i] = ' ';
  g_printerr ("%s: pidfile names %s, exe %s, command line %s\n", helper->name, pid,
              exe != NULL ? exe : "(gone)", cmdline != NULL ? cmdline : "(gone)");
}

static void
handle (Helper  *helper,
        gchar  **words)
{
  const gchar *id = words[0];
  const gchar *verb = words[1];
  guint n = g_strv_length (words);
  g_autoptr(GError) error = NULL;

  if (verb == NULL)
    return;
  if (g_str_equal (verb, "addr") && n == 4)
    {
      if (hv_test_netns_ip (&error, "addr", "add", words[3], "dev", words[2], NULL) &&
          hv_test_netns_ip (&error, "link", "set", words[2], "up", NULL) &&
          hv_test_netns_add_bridge ("br0", &error))
        reply (id, "");
      else
        reply_error (id, error);
    }
  else if (g_str_equal (verb, "init"))
    reply_result (id, helper_init (helper, words + 2, &error), &error);
  else if (g_str_equal (verb, "set") && n == 3)
    {
      set_hvparam (helper, words[2]);
      reply (id, "");
    }
  else if (g_str_equal (verb, "start"))
    {
      if (!hv_hypervisor_start_instance_sync (helper->kvm, helper->instance, TRUE, NULL, &error))
        {
          reply_error (id, error);
          return;
        }
      helper->serial = hv_test_kvm_guest_boot (helper->run_dir, helper->name);
      reply (id, "");
    }
  else if (g_str_equal (verb, "console"))
    {
      g_autofree gchar *file = g_strconcat (helper->name, ".serial", NULL);
      g_autofree gchar *path = g_build_filename (helper->run_dir, file, NULL);

      if (helper->serial != NULL)
        hv_test_console_close (helper->serial);
      g_clear_object (&helper->serial);
      helper->serial = hv_test_console_new ("serial");
      reply_result (id, hv_test_console_connect (helper->serial, path, &error), &error);
    }
  else if (g_str_equal (verb, "run") && n >= 3)
    {
      g_autofree gchar *command = g_strjoinv (" ", words + 2);
      g_autofree gchar *output = NULL;
      gint status = -1;

      output = hv_test_console_run (helper->serial, command, COMMAND_TIMEOUT_MS, &status, &error);
      if (output == NULL)
        reply_error (id, error);
      else if (status != 0)
        {
          g_autoptr(GError) failed = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                  "`%s` exited with %d: %s", command, status,
                                                  output);
          reply_error (id, failed);
        }
      else
        reply (id, g_strstrip (output));
    }
  else if (g_str_equal (verb, "wait-line") && n >= 3)
    {
      g_autofree gchar *pattern = g_strjoinv (" ", words + 2);
      g_autofree gchar *line = hv_test_console_wait_for_line (helper->serial, pattern,
                                                              COMMAND_TIMEOUT_MS, &error);

      if (line == NULL)
        reply_error (id, error);
      else
        reply (id, line);
    }
  else if (g_str_equal (verb, "hmp") && n >= 4)
    {
      /* hmp PATTERN COMMAND…: a line of the answer matching PATTERN */
      g_autofree gchar *file = g_strconcat (helper->name, ".monitor", NULL);
      g_autofree gchar *path = g_build_filename (helper->run_dir, file, NULL);
      g_autofree gchar *command = g_strjoinv (" ", words + 3);
      g_autoptr(HvTestConsole) hmp = hv_test_console_new ("hmp");
      g_autofree gchar *line = NULL;

      if (!hv_test_console_connect (hmp, path, &error))
        {
          reply_error (id, error);
          return;
        }
      hv_test_console_send_line (hmp, command);
      line = hv_test_console_wait_for_line (hmp, words[2], COMMAND_TIMEOUT_MS, &error);
      hv_test_console_close (hmp);
      if (line == NULL)
        {
          show_qemu_process (helper);
          reply_error (id, error);
        }
      else
        reply (id, line);
    }
  else if ((g_str_equal (verb, "hotadd") || g_str_equal (verb, "hotdel")) && n == 6)
    {
      /* hotadd KIND UUID PATH|MAC SEQ */
      HvDevice *device = device_for (helper, words[2], words[3], words[4]);
      guint seq = (guint) g_ascii_strtoull (words[5], NULL, 10);
      gboolean ok;

      if (g_str_equal (verb, "hotadd"))
        ok = hv_hypervisor_hot_add_device_sync (helper->kvm, helper->instance, device, seq, NULL,
                                                &error);
      else
        ok = hv_hypervisor_hot_del_device_sync (helper->kvm, helper->instance, device, seq, NULL,
                                                &error);
      if (ok)
        {
          g_autofree gchar *pci = g_strdup_printf ("%d", hv_device_get_pci (device));

          reply (id, pci);
        }
      else
        reply_error (id, error);
    }
  else if (g_str_equal (verb, "balloon") && n == 3)
    reply_result (id,
                  hv_hypervisor_balloon_instance_memory_sync (helper->kvm, helper->instance,
                                                              g_ascii_strtoll (words[2], NULL, 10),
                                                              NULL, &error), &error);
  else if (g_str_equal (verb, "info"))
    {
      g_autoptr(GBytes) info = hv_hypervisor_migration_info (helper->kvm, helper->instance,
                                                             &error);
      g_autofree gchar *encoded = NULL;

      if (info == NULL)
        {
          reply_error (id, error);
          return;
        }
      encoded = g_base64_encode (g_bytes_get_data (info, NULL), g_bytes_get_size (info));
      reply (id, encoded);
    }
  else if (g_str_equal (verb, "accept") && n == 4)
    {
      gsize size = 0;
      guchar *data = g_base64_decode (words[2], &size);
      Pending *pending = g_new0 (Pending, 1);

      g_clear_pointer (&helper->accepted, g_bytes_unref);
      helper->accepted = g_bytes_new_take (data, size);
      pending->helper = helper;
      pending->id = g_strdup (id);
      hv_hypervisor_accept_instance_async (helper->kvm, helper->instance, helper->accepted,
                                           words[3], NULL, accept_done_cb, pending);
    }
  else if (g_str_equal (verb, "migrate") && n == 4)
    {
      Pending *pending = g_new0 (Pending, 1);

      pending->helper = helper;
      pending->id = g_strdup (id);
      pending->started = g_get_real_time ();
      g_clear_object (&helper->migrating);
      helper->migrating = g_cancellable_new ();
      hv_hypervisor_migrate_instance_async (helper->kvm, helper->instance, words[2],
                                            g_str_equal (words[3], "live"), helper->migrating,
                                            migrate_done_cb, pending);
    }
  else if (g_str_equal (verb, "cancel"))
    {
      if (helper->migrating != NULL)
        g_cancellable_cancel (helper->migrating);
      reply (id, "");
    }
  else if (g_str_equal (verb, "status"))
    {
      g_autoptr(HvMigrationStatus) status =
        hv_hypervisor_get_migration_status_sync (helper->kvm, helper->instance, NULL, &error);
      g_autoptr(GEnumClass) states = g_type_class_ref (HV_TYPE_MIGRATION_STATE);
      g_autofree gchar *text = NULL;

      if (status == NULL)
        {
          reply_error (id, error);
          return;
        }
      text = g_strdup_printf ("%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s",
                              g_enum_get_value (states,
                                                hv_migration_status_get_state (status))->value_nick,
                              hv_migration_status_get_downtime (status),
                              hv_migration_status_get_total_time (status),
                              hv_migration_status_get_error_desc (status) != NULL
                                ? hv_migration_status_get_error_desc (status) : "-");
      reply (id, text);
    }
  else if (g_str_equal (verb, "finalize-src") && n == 4)
    reply_result (id,
                  hv_hypervisor_finalize_migration_source_sync (helper->kvm, helper->instance,
                                                                g_str_equal (words[2], "ok"),
                                                                g_str_equal (words[3], "live"),
                                                                NULL, &error), &error);
  else if (g_str_equal (verb, "finalize-dst") && n == 3)
    {
      g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);

      reply_result (id,
                    hv_hypervisor_finalize_migration_dst_sync (helper->kvm, helper->instance,
                                                               helper->accepted != NULL
                                                                 ? helper->accepted : empty,
                                                               g_str_equal (words[2], "ok"),
                                                               NULL, &error), &error);
    }
  else if (g_str_equal (verb, "list"))
    {
      g_auto(GStrv) names = hv_hypervisor_list_instances (helper->kvm, &error);
      g_autofree gchar *joined = NULL;

      if (names == NULL)
        {
          reply_error (id, error);
          return;
        }
      joined = g_strjoinv (" ", names);
      reply (id, joined);
    }
  else if (g_str_equal (verb, "ifups"))
    {
      g_autofree gchar *path = g_strconcat (helper->run_dir, ".ifup", NULL);
      g_autofree gchar *text = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        text = g_strdup ("");
      g_strdelimit (text, "\n", ';');
      reply (id, text);
    }
  else if (g_str_equal (verb, "leftovers"))
    {
      g_autofree gchar *text = list_leftovers (helper);

      reply (id, text);
    }
  else if (g_str_equal (verb, "stop"))
    reply_result (id,
                  hv_hypervisor_stop_instance_sync (helper->kvm, helper->instance, TRUE, FALSE, 0,
                                                    NULL, &error), &error);
  else if (g_str_equal (verb, "argv"))
    {
      /* the command line of this host's QEMU, NUL-separated, in base64 */
      g_autofree gchar *file = g_strconcat (helper->name, ".pid", NULL);
      g_autofree gchar *path = g_build_filename (helper->run_dir, file, NULL);
      g_autofree gchar *pid = NULL;
      g_autofree gchar *proc = NULL;
      g_autofree gchar *cmdline = NULL;
      g_autofree gchar *encoded = NULL;
      gsize size = 0;

      if (!g_file_get_contents (path, &pid, NULL, &error) ||
          !g_file_get_contents ((proc = g_strdup_printf ("/proc/%d/cmdline",
                                                         (gint) g_ascii_strtoll (pid, NULL, 10))),
                                &cmdline, &size, &error))
        {
          reply_error (id, error);
          return;
        }
      encoded = g_base64_encode ((const guchar *) cmdline, size);
      reply (id, encoded);
    }
  else if (g_str_equal (verb, "raw-start") && n >= 3)
    {
      /* raw-start ARGV_B64 [EXTRA…]: QEMU by hand, its QMP connected */
      gsize size = 0;
      g_autofree guchar *data = g_base64_decode (words[2], &size);
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(GSubprocess) qemu = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree gchar *file = g_strconcat (helper->name, ".qmp", NULL);
      g_autofree gchar *qmp_path = g_build_filename (helper->run_dir, file, NULL);

      for (gsize at = 0; at < size; at += strlen ((const gchar *) data + at) + 1)
        g_ptr_array_add (argv, data + at);
      for (guint i = 3; i < n; i++)
        g_ptr_array_add (argv, words[i]);
      g_ptr_array_add (argv, NULL);
      /* -daemonize: the first process exits once QEMU runs */
      qemu = g_subprocess_newv ((const gchar * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE,
                                &error);
      if (qemu == NULL || !g_subprocess_wait_check (qemu, NULL, &error))
        {
          reply_error (id, error);
          return;
        }
      g_clear_object (&helper->raw);
      helper->raw = hv_kvm_qmp_client_new ();
      hv_kvm_qmp_client_connect_async (helper->raw, qmp_path, NULL, hv_test_store_result,
                                       &result);
      reply_result (id, hv_kvm_qmp_client_connect_finish (helper->raw,
                                                          hv_test_wait_result (&result),
                                                          &error), &error);
    }
  else if (g_str_equal (verb, "raw-qmp") && n >= 3)
    {
      /* raw-qmp COMMAND [ARGUMENTS_JSON] */
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonNode) arguments = NULL;
      g_autoptr(JsonNode) answer = NULL;
      g_autofree gchar *text = NULL;

      if (n >= 4)
        {
          g_autofree gchar *json = g_strjoinv (" ", words + 3);

          arguments = json_from_string (json, &error);
          if (arguments == NULL)
            {
              reply_error (id, error);
              return;
            }
        }
      hv_kvm_qmp_client_execute_async (helper->raw, words[2],
                                       arguments != NULL ? json_node_get_object (arguments) : NULL,
                                       NULL, NULL, hv_test_store_result, &result);
      answer = hv_kvm_qmp_client_execute_finish (helper->raw, hv_test_wait_result (&result),
                                                 &error);
      if (answer == NULL)
        {
          reply_error (id, error);
          return;
        }
      text = json_to_string (answer, FALSE);
      reply (id, text);
    }
  else if (g_str_equal (verb, "raw-wait-event") && n == 3)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonObject) data = NULL;
      gint64 timestamp = 0;

      hv_kvm_qmp_client_wait_event_async (helper->raw, words[2], NULL, NULL, NULL,
                                          COMMAND_TIMEOUT_MS, NULL, hv_test_store_result,
                                          &result);
      data = hv_kvm_qmp_client_wait_event_finish (helper->raw, hv_test_wait_result (&result),
                                                  NULL, &timestamp, &error);
      if (data == NULL)
        reply_error (id, error);
      else
        {
          g_autofree gchar *when = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time ());

          reply (id, when);
        }
    }
  else if (g_str_equal (verb, "raw-kill"))
    {
      GPid pid = 0;
      g_autofree gchar *file = g_strconcat (helper->name, ".pid", NULL);
      g_autofree gchar *path = g_build_filename (helper->run_dir, file, NULL);
      g_autofree gchar *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL))
        pid = (GPid) g_ascii_strtoll (text, NULL, 10);
      if (helper->raw != NULL)
        hv_kvm_qmp_client_close (helper->raw);
      g_clear_object (&helper->raw);
      if (pid > 0)
        {
          /* gone before the answer: a pidfd says when */
          gint pidfd = (gint) syscall (SYS_pidfd_open, pid, 0);

          kill (pid, SIGKILL);
          if (pidfd >= 0)
            {
              GPollFD poll_fd = { pidfd, G_IO_IN, 0 };

              g_poll (&poll_fd, 1, COMMAND_TIMEOUT_MS);
              close (pidfd);
            }
        }
      reply (id, "");
    }
  else if (g_str_equal (verb, "quit"))
    {
      reply (id, "");
      g_main_loop_quit (helper->loop);
    }
  else
    {
      g_autoptr(GError) unknown = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                               "unknown command %s/%u", verb, n);
      reply_error (id, unknown);
    }
}

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Helper *helper = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *line = g_data_input_stream_read_line_finish (helper->input, result, NULL,
                                                                 &error);
  g_auto(GStrv) words = NULL;

  if (line == NULL)
    {
      /* the test went away (or failed): nothing of this host is to
       * outlive it */
      if (helper->kvm != NULL)
        {
          hv_hypervisor_stop_instance_sync (helper->kvm, helper->instance, TRUE, FALSE, 0, NULL,
                                            NULL);
          hv_hypervisor_cleanup_instance_sync (helper->kvm, helper->name, NULL, NULL);
        }
      g_main_loop_quit (helper->loop);
      return;
    }
  words = g_strsplit (line, " ", -1);
  handle (helper, words);
  g_data_input_stream_read_line_async (helper->input, G_PRIORITY_DEFAULT, NULL, read_line_cb,
                                       helper);
}

int
main (int    argc,
      char **argv)
{
  Helper helper = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = NULL;

  if (argc != 6 && argc != 7)
    {
      g_printerr ("usage: %s RUN_DIR WORK_DIR NAME UUID MEMORY_MIB [PID]\n", argv[0]);
      return 2;
    }
  /* another QEMU on this host (HV_TEST_MIGRATION_QEMU): mounted over the
   * system's in a mount namespace of this process only, so that the
   * kvm_path a record names runs it here. First of all, before any thread
   * is made: unshare() moves only the calling thread, and a thread made
   * earlier stays behind with whatever it makes — such as GLib's worker
   * thread (made by the network namespace's setup below), from which
   * GIO's task pool grows when its threads are busy, and in one of whose
   * threads hvkit spawns QEMU: the system's 7.2 ran on host B now and
   * then, under load. */
  if (g_getenv ("HV_TEST_MIGRATION_QEMU") != NULL)
    {
      const gchar *qemu = g_getenv ("HV_TEST_MIGRATION_QEMU");

      if (unshare (CLONE_NEWNS) != 0 ||
          mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
          mount (qemu, hv_test_get_qemu (), NULL, MS_BIND, NULL) != 0)
        {
          g_printerr ("cannot put %s in place of %s: %s\n", qemu, hv_test_get_qemu (),
                      g_strerror (errno));
          return 1;
        }
    }
  /* the namespace first: threads made later follow it */
  if (argc == 7)
    {
      g_autofree gchar *path = g_strdup_printf ("/proc/%s/ns/net", argv[6]);
      gint fd = open (path, O_RDONLY | O_CLOEXEC);

      if (fd < 0 || setns (fd, CLONE_NEWNET) != 0)
        {
          g_printerr ("cannot join %s: %s\n", path, g_strerror (errno));
          return 1;
        }
      close (fd);
    }
  else if (!hv_test_netns_enter (&error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  helper.run_dir = argv[1];
  helper.work_dir = argv[2];
  helper.name = argv[3];
  helper.uuid = argv[4];
  helper.memory = g_ascii_strtoll (argv[5], NULL, 10);
  helper.devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  helper.loop = g_main_loop_new (NULL, FALSE);
  in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  helper.input = g_data_input_stream_new (in);
  g_print ("READY %d\n", (gint) getpid ());
  fflush (stdout);
  g_data_input_stream_read_line_async (helper.input, G_PRIORITY_DEFAULT, NULL, read_line_cb,
                                       &helper);
  g_main_loop_run (helper.loop);

  if (helper.serial != NULL)
    hv_test_console_close (helper.serial);
  g_clear_object (&helper.serial);
  g_clear_object (&helper.instance);
  g_clear_object (&helper.kvm);
  g_clear_object (&helper.migrating);
  g_clear_pointer (&helper.accepted, g_bytes_unref);
  g_clear_object (&helper.input);
  g_hash_table_unref (helper.devices);
  g_main_loop_unref (helper.loop);
  return 0;
}
