/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm.h"
#include "hv-test.h"
#include "hv-test-files.h"
#include "hv-test-kvm-guest.h"

/*
 * adopt_instances against instances Ganeti 3.0's own KVM driver started:
 * hv-test-ganeti-start.py runs Ganeti's driver (its StartInstance, its
 * kvm-ifup, its tap) with its run directory in the test's directory, in
 * the test's network namespace. HvKvm adopts the instance, the guest
 * boots through hvkit's links to Ganeti's sockets, and hvkit lists it,
 * queries it, hot-adds and removes a disk and a NIC, removes the NIC
 * Ganeti started by the id Ganeti gave it, balloons and stops it: then
 * nothing of it is left, in hvkit's directory or in Ganeti's. A second
 * directory holds what must be refused — a dead pid, a record that is not
 * one, a QEMU without a QMP socket, a QEMU whose QMP session someone else
 * holds, a pidfile naming another program, a name hvkit knows — and is
 * byte for byte the same afterwards.
 */

#define NAME               "gnt-adopt"
#define UUID               "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
#define DISK_UUID          "d15c0001-0000-4000-8000-000000000001"
#define NIC_UUID           "41c00001-0000-4000-8000-000000000001"
#define NIC_MAC            "52:54:00:6a:00:01"
#define COMMAND_TIMEOUT_MS 20000

static gchar *work_dir;
static gboolean have_netns;

typedef struct {
  HvHypervisor  *kvm;
  HvInstance    *instance;
  HvTestConsole *serial;
  GPtrArray     *removed;
  gchar         *run_dir;
  gchar         *ganeti_dir;
} Adopted;

static gchar *
write_script (const gchar *name,
              const gchar *body)
{
  g_autofree gchar *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);
  gchar *path = g_build_filename (work_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0700), ==, 0);
  return path;
}

static void
device_removed_cb (HvHypervisor *kvm,
                   const gchar  *name,
                   const gchar  *device_id,
                   gpointer      user_data)
{
  Adopted *adopted = user_data;

  g_assert_cmpstr (name, ==, NAME);
  g_ptr_array_add (adopted->removed, g_strdup (device_id));
}

static HvHypervisor *
new_kvm (const gchar *run_dir,
         guint        start_timeout_ms,
         Adopted     *adopted)
{
  g_autofree gchar *ifup = write_script ("ifup", "ip link set \"$INTERFACE\" master \"$BRIDGE\" up");
  g_autofree gchar *ifdown = write_script ("ifdown", "echo \"$INTERFACE\" >> \"$0.log\"");
  g_autoptr(GError) error = NULL;
  GVariantDict config;
  HvKvm *kvm;

  g_variant_dict_init (&config, NULL);
  g_variant_dict_insert (&config, "run-dir", "s", run_dir);
  g_variant_dict_insert (&config, "ifup-script", "s", ifup);
  g_variant_dict_insert (&config, "ifdown-script", "s", ifdown);
  g_variant_dict_insert (&config, "start-timeout-ms", "u", start_timeout_ms);
  kvm = hv_kvm_new (g_variant_dict_end (&config), &error);
  g_assert_no_error (error);
  if (adopted != NULL)
    g_signal_connect (kvm, "device-removed", G_CALLBACK (device_removed_cb), adopted);
  return HV_HYPERVISOR (kvm);
}

/* Ganeti's driver starts NAME, paused, with a disk and a NIC on br0. */
static void
ganeti_start (const gchar *ganeti_dir)
{
  g_autofree gchar *helper = g_test_build_filename (G_TEST_DIST, "integration",
                                                    "hv-test-ganeti-start.py", NULL);
  g_autofree gchar *kernel = hv_test_guest_get_kernel ();
  g_autofree gchar *initrd = hv_test_guest_get_initrd ();
  g_autofree gchar *disk_path = g_build_filename (work_dir, "ganeti-disk.img", NULL);
  g_autofree gchar *disk = g_strdup_printf ("%s:%s", DISK_UUID, disk_path);
  g_autofree gchar *nic = g_strdup_printf ("%s,%s,br0", NIC_UUID, NIC_MAC);
  const gchar *argv[] = {
    "/usr/bin/python3", helper, ganeti_dir, NAME, UUID, kernel, initrd,
    hv_test_guest_get_kernel_args (), "--paused", "--disk", disk, "--nic", nic, NULL,
  };
  g_autofree gchar *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  gint status = -1;

  g_file_set_contents (disk_path, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (truncate (disk_path, 16 * 1024 * 1024), ==, 0);
  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("Ganeti's StartInstance failed:\n%s%s", out, err);
  g_test_message ("Ganeti started %s, pid %s", NAME, g_strstrip (out));
}

static gchar *
read_file (const gchar *dir,
           const gchar *file)
{
  g_autofree gchar *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;
  gchar *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static gboolean
exists (const gchar *dir,
        const gchar *file)
{
  g_autofree gchar *path = g_build_filename (dir, file, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK);
}

static HvDisk *
new_disk (const gchar *uuid)
{
  g_autofree gchar *path = g_strdup_printf ("%s/disk-%.8s.img", work_dir, uuid);
  HvDisk *disk = hv_disk_new ();
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (truncate (path, 16 * 1024 * 1024), ==, 0);
  hv_device_set_uuid (HV_DEVICE (disk), uuid);
  hv_disk_set_size (disk, 16);
  hv_disk_set_mode (disk, "rw");
  hv_disk_set_link (disk, path);
  return disk;
}

static HvNic *
new_nic (const gchar *uuid,
         const gchar *mac)
{
  HvNic *nic = hv_nic_new ();

  hv_device_set_uuid (HV_DEVICE (nic), uuid);
  hv_nic_set_mac (nic, mac);
  hv_nic_set_mode (nic, "bridged");
  hv_nic_set_link (nic, "br0");
  return nic;
}

static void
wait_uevent (Adopted     *adopted,
             const gchar *action,
             const gchar *subsystem,
             gint         slot)
{
  g_autofree gchar *pattern = g_strdup_printf ("^UEVENT %s %s /devices/pci0000:00/0000:00:%02x\\.0/",
                                               action, subsystem, slot);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *line = hv_test_console_wait_for_line (adopted->serial, pattern,
                                                          COMMAND_TIMEOUT_MS, &error);

  g_assert_no_error (error);
}

static void
add (Adopted  *adopted,
     HvDevice *device,
     guint     seq)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_hypervisor_hot_add_device_sync (adopted->kvm, adopted->instance, device, seq,
                                                    NULL, &error));
  g_assert_no_error (error);
  /* Ganeti's disk has 0xc, its NIC 0xd (kvm_pci_reservations 12) */
  g_assert_cmpint (hv_device_get_pci (device), >, 2);
  g_assert_cmpint (hv_device_get_pci (device), !=, 0xc);
  g_assert_cmpint (hv_device_get_pci (device), !=, 0xd);
  wait_uevent (adopted, "add", HV_IS_DISK (device) ? "block" : "net", hv_device_get_pci (device));
}

static void
del (Adopted     *adopted,
     HvDevice    *device,
     guint        seq,
     gint         slot,
     const gchar *id)
{
  g_autoptr(GError) error = NULL;

  g_ptr_array_set_size (adopted->removed, 0);
  g_assert_true (hv_hypervisor_hot_del_device_sync (adopted->kvm, adopted->instance, device, seq,
                                                    NULL, &error));
  g_assert_no_error (error);
  wait_uevent (adopted, "remove", HV_IS_DISK (device) ? "block" : "net", slot);
  while (adopted->removed->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (g_ptr_array_index (adopted->removed, 0), ==, id);
}

static gchar *
guest_run (Adopted     *adopted,
           const gchar *command)
{
  g_autoptr(GError) error = NULL;
  gint status = -1;
  gchar *output = hv_test_console_run (adopted->serial, command, COMMAND_TIMEOUT_MS, &status,
                                       &error);

  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  return output;
}

static void
hotplug (Adopted *adopted)
{
  g_autoptr(HvDisk) disk = new_disk ("d15c0002-0000-4000-8000-000000000002");
  g_autoptr(HvNic) nic = new_nic ("41c00002-0000-4000-8000-000000000002", "52:54:00:6a:00:02");
  g_autoptr(HvNic) ganeti_nic = new_nic (NIC_UUID, NIC_MAC);
  g_autofree gchar *disk_id = NULL, *nic_id = NULL;

  add (adopted, HV_DEVICE (disk), 1);
  add (adopted, HV_DEVICE (nic), 1);
  disk_id = g_strdup_printf ("disk-d15c0002-pci-%d", hv_device_get_pci (HV_DEVICE (disk)));
  nic_id = g_strdup_printf ("nic-41c00002-pci-%d", hv_device_get_pci (HV_DEVICE (nic)));
  del (adopted, HV_DEVICE (nic), 1, hv_device_get_pci (HV_DEVICE (nic)), nic_id);
  del (adopted, HV_DEVICE (disk), 1, hv_device_get_pci (HV_DEVICE (disk)), disk_id);
  /* the NIC Ganeti started, by the slot and id Ganeti gave it */
  del (adopted, HV_DEVICE (ganeti_nic), 0, 0xd, "nic-41c00001-0000-4000");
}

static void
query (Adopted *adopted,
       gint64   memory)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = hv_hypervisor_list_instances (adopted->kvm, &error);
  g_autoptr(HvInstanceInfo) info = NULL;

  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const gchar * const *) names, NAME));
  info = hv_hypervisor_get_instance_info_sync (adopted->kvm, NAME, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hv_instance_info_get_state (info), ==, HV_INSTANCE_STATE_RUNNING);
  g_assert_cmpint (hv_instance_info_get_memory (info), ==, memory);
}

/* Whether @pid still runs a program (a zombie has no command line: the
 * daemonized QEMU is init's child, reaped when init gets to it). */
static gboolean
process_is_qemu (GPid pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/cmdline", (gint) pid);
  g_autofree gchar *cmdline = NULL;
  gsize length = 0;

  return g_file_get_contents (path, &cmdline, &length, NULL) && length > 0;
}

static GPtrArray *
adopt (HvHypervisor *kvm,
       const gchar  *ganeti_dir)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *adoptions = hv_hypervisor_adopt_instances_sync (kvm, ganeti_dir, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < adoptions->len; i++)
    {
      HvAdoption *adoption = g_ptr_array_index (adoptions, i);

      g_test_message ("%s: %s %s", hv_adoption_get_name (adoption),
                      hv_adoption_get_adopted (adoption) ? "adopted" : "refused:",
                      hv_adoption_get_reason (adoption) != NULL ? hv_adoption_get_reason (adoption) : "");
    }
  return adoptions;
}

/* Adopted once, with Ganeti's files as they were and hvkit's record and
 * links beside; adopting again refuses the name hvkit knows now. */
static void
adopt_ganeti_instance (Adopted *adopted)
{
  g_autofree gchar *record_before = read_file (adopted->ganeti_dir, "conf/" NAME ".runtime");
  g_autofree gchar *record_after = NULL;
  g_autofree gchar *qmp_link = g_build_filename (adopted->run_dir, NAME ".qmp", NULL);
  g_autoptr(GPtrArray) adoptions = adopt (adopted->kvm, adopted->ganeti_dir);
  g_autoptr(GPtrArray) again = NULL;
  HvAdoption *adoption;

  g_assert_cmpuint (adoptions->len, ==, 1);
  adoption = g_ptr_array_index (adoptions, 0);
  g_assert_cmpstr (hv_adoption_get_name (adoption), ==, NAME);
  g_assert_true (hv_adoption_get_adopted (adoption));
  g_assert_null (hv_adoption_get_reason (adoption));

  record_after = read_file (adopted->ganeti_dir, "conf/" NAME ".runtime");
  g_assert_cmpstr (record_after, ==, record_before);
  g_assert_true (exists (adopted->ganeti_dir, "ctrl/" NAME ".qmp"));
  g_assert_true (exists (adopted->run_dir, "conf/" NAME ".runtime"));
  g_assert_true (g_file_test (qmp_link, G_FILE_TEST_IS_SYMLINK));

  again = adopt (adopted->kvm, adopted->ganeti_dir);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_false (hv_adoption_get_adopted (g_ptr_array_index (again, 0)));
  g_assert_nonnull (strstr (hv_adoption_get_reason (g_ptr_array_index (again, 0)), "already knows"));
}

/* A reboot starts a QEMU of hvkit's from the record: Ganeti's files go
 * with the old one, the guest keeps the disk where Ganeti put it.
 * Returns the new QEMU's pid. */
static GPid
reboot_from_record (Adopted *adopted,
                    GPid     pid)
{
  g_autofree gchar *qmp_link = g_build_filename (adopted->run_dir, NAME ".qmp", NULL);
  g_autofree gchar *device = NULL;
  g_autofree gchar *pid_text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_hypervisor_reboot_instance_sync (adopted->kvm, adopted->instance, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (process_is_qemu (pid));
  g_assert_false (exists (adopted->ganeti_dir, "conf/" NAME ".runtime"));
  g_assert_false (exists (adopted->ganeti_dir, "pid/" NAME));
  g_assert_false (g_file_test (qmp_link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (exists (adopted->run_dir, NAME ".qmp"));
  hv_test_console_close (adopted->serial);
  g_clear_object (&adopted->serial);
  adopted->serial = hv_test_kvm_guest_boot (adopted->run_dir, NAME);
  device = guest_run (adopted, "cat /sys/bus/pci/devices/0000:00:0c.0/device");
  g_assert_cmpstr (g_strstrip (device), ==, "0x1001");
  query (adopted, 128);
  pid_text = read_file (adopted->run_dir, NAME ".pid");
  return atoi (pid_text);
}

/* A soft stop: the guest powers off, and nothing of the instance is left
 * in either directory. */
static void
stop_and_check (Adopted *adopted,
                GPid     pid)
{
  static const gchar *const ganeti_files[] = {
    "conf/" NAME ".runtime", "pid/" NAME, "ctrl/" NAME ".qmp", "ctrl/" NAME ".kvmd",
    "ctrl/" NAME ".monitor", "ctrl/" NAME ".serial", "nic/" NAME, NULL,
  };
  static const gchar *const hvkit_files[] = {
    "conf/" NAME ".runtime", NAME ".pid", NAME ".qmp", NAME ".monitor", NAME ".serial",
    "nic/" NAME "/0", NULL,
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_hypervisor_stop_instance_sync (adopted->kvm, adopted->instance, FALSE, FALSE, 60,
                                                   NULL, &error));
  g_assert_no_error (error);
  g_assert_false (process_is_qemu (pid));
  for (guint i = 0; ganeti_files[i] != NULL; i++)
    g_assert_false (exists (adopted->ganeti_dir, ganeti_files[i]));
  for (guint i = 0; hvkit_files[i] != NULL; i++)
    g_assert_false (exists (adopted->run_dir, hvkit_files[i]));
}

static void
test_ganeti (void)
{
  Adopted adopted = { NULL, };
  g_autoptr(GError) error = NULL;
  g_autofree gchar *pid_text = NULL;
  g_autofree gchar *tap = NULL;
  g_autofree gchar *ifdown_log = NULL;
  g_autofree gchar *ifdown_log_path = g_build_filename (work_dir, "ifdown.log", NULL);
  GPid pid;

  if (!hv_test_guest_require ())
    return;
  if (!have_netns)
    {
      g_test_skip ("no private network namespace for the NIC (not root?)");
      return;
    }
  if (!g_file_test ("/usr/share/ganeti/3.0/ganeti/hypervisor/hv_kvm/__init__.py", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("Ganeti 3.0 (Debian's ganeti) is not installed");
      return;
    }
  adopted.removed = g_ptr_array_new_with_free_func (g_free);
  adopted.run_dir = g_build_filename (work_dir, "run", NULL);
  adopted.ganeti_dir = g_build_filename (work_dir, "ganeti", NULL);
  ganeti_start (adopted.ganeti_dir);
  pid_text = read_file (adopted.ganeti_dir, "pid/" NAME);
  pid = atoi (pid_text);
  tap = read_file (adopted.ganeti_dir, "nic/" NAME "/0");

  adopted.kvm = new_kvm (adopted.run_dir, 10000, &adopted);
  adopted.instance = hv_test_kvm_guest_new_instance (adopted.kvm, NAME, UUID, 128);
  adopt_ganeti_instance (&adopted);

  /* the guest boots, its console and monitor reached through hvkit's links */
  adopted.serial = hv_test_kvm_guest_boot (adopted.run_dir, NAME);
  query (&adopted, 128);
  hotplug (&adopted);
  /* ifdown ran for Ganeti's tap when its NIC was unplugged */
  g_file_get_contents (ifdown_log_path, &ifdown_log, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (ifdown_log, tap));

  /* a restarted driver takes it over through hvkit's links */
  g_clear_object (&adopted.kvm);
  adopted.kvm = new_kvm (adopted.run_dir, 10000, &adopted);
  query (&adopted, 128);

  g_assert_true (hv_hypervisor_balloon_instance_memory_sync (adopted.kvm, adopted.instance, 96, NULL,
                                                             &error));
  g_assert_no_error (error);
  query (&adopted, 96);

  pid = reboot_from_record (&adopted, pid);
  stop_and_check (&adopted, pid);

  hv_test_console_close (adopted.serial);
  g_clear_object (&adopted.serial);
  g_clear_object (&adopted.instance);
  g_clear_object (&adopted.kvm);
  g_ptr_array_unref (adopted.removed);
  g_free (adopted.run_dir);
  g_free (adopted.ganeti_dir);
}

/* -- refusals ---------------------------------------------------------------- */

static void
write_at (const gchar *dir,
          const gchar *file,
          const gchar *contents)
{
  g_autofree gchar *path = g_build_filename (dir, file, NULL);
  g_autofree gchar *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* A runtime file of Ganeti 3.0's shape for @name, no devices. */
static gchar *
ganeti_record (const gchar *name)
{
  return g_strdup_printf ("[[\"%s\", \"-name\", \"%s\", \"-m\", 64, \"-smp\", \"1\", "
                          "\"-machine\", \"none\", \"-display\", \"none\"], [], "
                          "{\"kvm_path\": \"%s\", \"acpi\": true}, []]",
                          hv_test_get_qemu (), name, hv_test_get_qemu ());
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Every file under @dir with its contents and mode, one line each. */
static void
snapshot_dir (const gchar *dir,
              const gchar *prefix,
              GString     *out)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree gchar *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      g_autofree gchar *relative = g_build_filename (prefix, g_ptr_array_index (names, i), NULL);
      g_autofree gchar *contents = NULL;
      GStatBuf st;

      g_assert_cmpint (g_lstat (path, &st), ==, 0);
      if (S_ISDIR (st.st_mode))
        {
          g_string_append_printf (out, "%s/ %o\n", relative, st.st_mode);
          snapshot_dir (path, relative, out);
          continue;
        }
      if (S_ISREG (st.st_mode))
        g_file_get_contents (path, &contents, NULL, NULL);
      g_string_append_printf (out, "%s %o %" G_GINT64_FORMAT " %s\n", relative, st.st_mode,
                              (gint64) st.st_mtime, contents != NULL ? contents : "");
    }
}

static GPid
spawn_daemon (const gchar * const *argv)
{
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_spawn_async (NULL, (gchar **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  return pid;
}

/* Connects to QEMU's QMP socket and reads its greeting: the one session
 * QEMU serves is this test's until the connection closes. */
static GSocketConnection *
hold_qmp (const gchar *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  gchar byte = 0;

  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  while (byte != '\n')
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                      &byte, 1, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, ==, 1);
    }
  return connection;
}

static const gchar *
refusal_of (GPtrArray   *adoptions,
            const gchar *name)
{
  for (guint i = 0; i < adoptions->len; i++)
    {
      HvAdoption *adoption = g_ptr_array_index (adoptions, i);

      if (g_str_equal (hv_adoption_get_name (adoption), name))
        {
          g_assert_false (hv_adoption_get_adopted (adoption));
          g_assert_nonnull (hv_adoption_get_reason (adoption));
          return hv_adoption_get_reason (adoption);
        }
    }
  g_assert_not_reached ();
  return NULL;
}

/* A daemonized QEMU named @name, paused, with no devices; its QMP socket
 * at @qmp_socket when given. */
static void
start_bare_qemu (const gchar *ganeti_dir,
                 const gchar *name,
                 const gchar *qmp_socket)
{
  g_autofree gchar *pidfile = g_build_filename (ganeti_dir, "pid", name, NULL);
  g_autofree gchar *qmp = g_strdup_printf ("unix:%s,server=on,wait=off", qmp_socket);
  g_autofree gchar *record = ganeti_record (name);
  g_autofree gchar *conf = g_strdup_printf ("conf/%s.runtime", name);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint status;

  write_at (ganeti_dir, conf, record);
  for (const gchar *const *arg = (const gchar *const[]) {
         hv_test_get_qemu (), "-name", name, "-machine", "none", "-display", "none", "-S",
         "-nodefaults", "-daemonize", "-pidfile", pidfile, NULL };
       *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  if (qmp_socket != NULL)
    {
      g_ptr_array_add (argv, "-qmp");
      g_ptr_array_add (argv, qmp);
    }
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* What must be refused, in @ganeti_dir; returns the `sleep` whose pid
 * the pidfile of "notqemu" names. */
static GPid
make_refused (const gchar *ganeti_dir)
{
  const gchar *sleep_argv[] = { "sleep", "600", NULL };
  const gchar *true_argv[] = { "true", NULL };
  g_autofree gchar *busy_socket = g_build_filename (ganeti_dir, "ctrl", "busy.qmp", NULL);
  g_autofree gchar *record = NULL, *other = NULL;
  g_autofree gchar *dead_pid = NULL, *sleep_pid = NULL;
  GPid sleep, dead;
  gint status;

  write_at (ganeti_dir, "ctrl/.keep", "");
  /* dead: a pid that was */
  dead = spawn_daemon (true_argv);
  g_assert_cmpint (waitpid (dead, &status, 0), ==, dead);
  dead_pid = g_strdup_printf ("%d\n", (gint) dead);
  record = ganeti_record ("dead");
  write_at (ganeti_dir, "conf/dead.runtime", record);
  write_at (ganeti_dir, "pid/dead", dead_pid);
  /* corrupt: a record that is not one */
  write_at (ganeti_dir, "conf/corrupt.runtime", "[\"half a list\"");
  write_at (ganeti_dir, "pid/corrupt", "1\n");
  /* noqmp: a real QEMU with that -name, no QMP socket */
  start_bare_qemu (ganeti_dir, "noqmp", NULL);
  /* busy: a QEMU whose one QMP session someone else holds (the caller) */
  start_bare_qemu (ganeti_dir, "busy", busy_socket);
  /* notqemu: the pidfile names another program */
  sleep = spawn_daemon (sleep_argv);
  sleep_pid = g_strdup_printf ("%d\n", (gint) sleep);
  other = ganeti_record ("notqemu");
  write_at (ganeti_dir, "conf/notqemu.runtime", other);
  write_at (ganeti_dir, "pid/notqemu", sleep_pid);
  return sleep;
}

static void
kill_pidfile (const gchar *ganeti_dir,
              const gchar *pidfile)
{
  g_autofree gchar *pid_text = read_file (ganeti_dir, pidfile);

  g_assert_true (process_is_qemu (atoi (pid_text)));
  kill (atoi (pid_text), SIGKILL);
}

static void
test_refused (void)
{
  g_autofree gchar *ganeti_dir = g_build_filename (work_dir, "ganeti-refused", NULL);
  g_autofree gchar *run_dir = g_build_filename (work_dir, "run-refused", NULL);
  g_autofree gchar *busy_socket = g_build_filename (ganeti_dir, "ctrl", "busy.qmp", NULL);
  g_autoptr(GString) before = g_string_new (NULL);
  g_autoptr(GString) after = g_string_new (NULL);
  g_autoptr(HvHypervisor) kvm = NULL;
  g_autoptr(GPtrArray) adoptions = NULL;
  g_autoptr(GSocketConnection) holder = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  GPid sleep = make_refused (ganeti_dir);
  gint status;

  holder = hold_qmp (busy_socket);
  snapshot_dir (ganeti_dir, "", before);
  kvm = new_kvm (run_dir, 2000, NULL);
  adoptions = adopt (kvm, ganeti_dir);
  g_assert_cmpuint (adoptions->len, ==, 5);
  g_assert_nonnull (strstr (refusal_of (adoptions, "busy"), "is another client connected"));
  g_assert_nonnull (strstr (refusal_of (adoptions, "corrupt"), "cannot be imported"));
  g_assert_nonnull (strstr (refusal_of (adoptions, "dead"), "is not running"));
  g_assert_nonnull (strstr (refusal_of (adoptions, "noqmp"), "QMP socket"));
  g_assert_nonnull (strstr (refusal_of (adoptions, "notqemu"), "is not the QEMU of instance"));

  /* nothing touched, nothing taken, everything runs on */
  snapshot_dir (ganeti_dir, "", after);
  g_assert_cmpstr (after->str, ==, before->str);
  names = hv_hypervisor_list_instances (kvm, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  g_assert_cmpint (kill (sleep, 0), ==, 0);

  /* hvkit's own run directory is not Ganeti's */
  g_clear_pointer (&adoptions, g_ptr_array_unref);
  adoptions = hv_hypervisor_adopt_instances_sync (kvm, run_dir, NULL, &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_null (adoptions);

  kill_pidfile (ganeti_dir, "pid/busy");
  kill_pidfile (ganeti_dir, "pid/noqmp");
  kill (sleep, SIGKILL);
  g_assert_cmpint (waitpid (sleep, &status, 0), ==, sleep);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  gint status;

  g_test_init (&argc, &argv, NULL);
  work_dir = g_dir_make_tmp ("hvkit-adopt-XXXXXX", &error);
  g_assert_no_error (error);
  /* before HvKvm's thread exists: it follows this one into the namespace */
  have_netns = geteuid () == 0 && hv_test_netns_enter (&error);
  g_clear_error (&error);
  if (have_netns)
    {
      hv_test_netns_add_bridge ("br0", &error);
      g_assert_no_error (error);
    }
  g_test_add_func ("/kvm/adopt/ganeti", test_ganeti);
  g_test_add_func ("/kvm/adopt/refused", test_refused);
  status = g_test_run ();
  hv_test_remove_tree (work_dir);
  return status;
}
