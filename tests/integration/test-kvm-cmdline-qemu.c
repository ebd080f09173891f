/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "hvkit.h"
#include "hv-kvm-capabilities-cache.h"
#include "hv-kvm-cmdline.h"
#include "hv-kvm-params.h"
#include "hv-test.h"

/*
 * A command line made by hv_kvm_cmdline_build() run for real: QEMU (TCG)
 * daemonizes with its pidfile and sockets under a temporary run dir, with
 * two disks, a sound card and a two-queue NIC on taps this process opened
 * in a private network namespace, and QMP's query-pci shows every device
 * in the slot the layout gave it.
 */

#define QMP_TIMEOUT_S 20

typedef struct {
  GSocketConnection *connection;
  GDataInputStream *input;
  GOutputStream *output;
} Qmp;

/* One queue of a multiqueue tap named @name. */
static gint
open_tap_queue (const gchar *name)
{
  struct ifreq request = { 0, };
  gint fd = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  request.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE;
  g_strlcpy (request.ifr_name, name, IFNAMSIZ);
  g_assert_cmpint (ioctl (fd, TUNSETIFF, &request), ==, 0);
  return fd;
}

static JsonObject *
qmp_read (Qmp *qmp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree gchar *line = NULL;

  line = g_data_input_stream_read_line_utf8 (qmp->input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Sends @command and returns its "return", skipping events. */
static JsonNode *
qmp_execute (Qmp         *qmp,
             const gchar *command)
{
  g_autofree gchar *request = g_strdup_printf ("{\"execute\": \"%s\"}\n", command);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (qmp->output, request, strlen (request), NULL, NULL,
                                            &error));
  g_assert_no_error (error);
  for (;;)
    {
      g_autoptr(JsonObject) reply = qmp_read (qmp);

      if (json_object_has_member (reply, "event"))
        continue;
      if (json_object_has_member (reply, "error"))
        g_error ("%s: %s", command, json_object_get_string_member (
                   json_object_get_object_member (reply, "error"), "desc"));
      return json_node_copy (json_object_get_member (reply, "return"));
    }
}

static void
qmp_connect (Qmp         *qmp,
             const gchar *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(JsonObject) greeting = NULL;
  g_autoptr(JsonNode) negotiated = NULL;
  g_autoptr(GError) error = NULL;

  qmp->connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL,
                                             &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (qmp->connection), QMP_TIMEOUT_S);
  qmp->input = g_data_input_stream_new (
    g_io_stream_get_input_stream (G_IO_STREAM (qmp->connection)));
  g_data_input_stream_set_newline_type (qmp->input, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  qmp->output = g_io_stream_get_output_stream (G_IO_STREAM (qmp->connection));

  greeting = qmp_read (qmp);
  g_assert_true (json_object_has_member (greeting, "QMP"));
  negotiated = qmp_execute (qmp, "qmp_capabilities");
}

/* quit, then wait for the daemonized QEMU itself to be gone: it is not
 * our child, so through a pidfd. */
static void
qmp_quit_and_wait (Qmp   *qmp,
                   GPid   pid)
{
  g_autoptr(JsonNode) quit = qmp_execute (qmp, "quit");
  gint pidfd = (gint) syscall (SYS_pidfd_open, pid, 0);
  struct pollfd poll_fd = { .fd = pidfd, .events = POLLIN };

  if (pidfd >= 0)
    {
      g_assert_cmpint (poll (&poll_fd, 1, QMP_TIMEOUT_S * 1000), ==, 1);
      close (pidfd);
    }
  else
    g_assert_cmpint (errno, ==, ESRCH);   /* already gone */

  g_clear_object (&qmp->input);
  g_clear_object (&qmp->connection);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static HvKvmCapabilities *
probe_qemu (void)
{
  g_autoptr(HvKvmCapabilitiesCache) cache = hv_kvm_capabilities_cache_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HvKvmCapabilities *capabilities;

  hv_kvm_capabilities_cache_lookup_async (cache, hv_test_get_qemu (), NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  capabilities = hv_kvm_capabilities_cache_lookup_finish (cache, result, &error);
  g_assert_no_error (error);
  return capabilities;
}

static HvDisk *
new_disk (const gchar *dir,
          guint        index,
          const gchar *uuid)
{
  g_autofree gchar *name = g_strdup_printf ("disk%u.img", index);
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  HvDisk *disk = hv_disk_new ();
  gint fd = g_open (path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 16 * 1024 * 1024), ==, 0);
  close (fd);

  hv_device_set_uuid (HV_DEVICE (disk), uuid);
  hv_disk_set_size (disk, 16);
  hv_disk_set_mode (disk, "rw");
  hv_disk_set_link (disk, path);
  hv_disk_set_params (disk, g_variant_new_parsed ("{'heads': <int64 16>, 'secs': <int64 63>}"));
  return disk;
}

static HvInstance *
new_instance (const gchar *dir)
{
  HvInstance *instance = hv_instance_new ("cmdline-test");
  g_autoptr(HvDisk) disk0 = new_disk (dir, 0, "7d0c5a1e-8f3b-4c2d-9e1f-0a2b3c4d5e60");
  g_autoptr(HvDisk) disk1 = new_disk (dir, 1, "1e2d3c4b-5a69-4788-97a6-b5c4d3e2f170");
  g_autoptr(HvNic) nic = hv_nic_new ();
  g_autoptr(GVariant) defaults = hv_kvm_params_get_defaults ();
  GVariantDict hvparams;

  hv_instance_set_uuid (instance, "c0ffee00-1234-4abc-8def-0123456789ab");
  hv_instance_set_beparams (instance, g_variant_new_parsed (
    "{'maxmem': <int64 128>, 'memory': <int64 128>, 'vcpus': <int64 1>}"));
  g_variant_dict_init (&hvparams, defaults);
  g_variant_dict_insert (&hvparams, "kvm_path", "s", hv_test_get_qemu ());
  g_variant_dict_insert (&hvparams, "soundhw", "s", "ac97");
  g_variant_dict_insert (&hvparams, "virtio_net_queues", "x", (gint64) 2);
  g_variant_dict_insert (&hvparams, "kvm_extra", "s", "-device 'virtio-rng-pci,id=rng0'");
  hv_instance_set_hvparams (instance, g_variant_dict_end (&hvparams));

  hv_device_set_uuid (HV_DEVICE (nic), "5ca1ab1e-0000-4000-8000-00000000a001");
  hv_nic_set_mac (nic, "52:54:00:c0:ff:ee");
  hv_instance_add_disk (instance, disk0);
  hv_instance_add_disk (instance, disk1);
  hv_instance_add_nic (instance, nic);
  return instance;
}

/* slot → qdev id, from query-pci's bus 0 */
static GHashTable *
pci_devices (JsonNode *query_pci)
{
  GHashTable *devices = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  JsonObject *bus = json_array_get_object_element (json_node_get_array (query_pci), 0);
  JsonArray *list = json_object_get_array_member (bus, "devices");

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *device = json_array_get_object_element (list, i);

      if (json_object_get_int_member (device, "function") != 0)
        continue;
      g_hash_table_insert (devices, GINT_TO_POINTER (json_object_get_int_member (device, "slot")),
                           g_strdup (json_object_get_string_member (device, "qdev_id")));
    }
  return devices;
}

static void
assert_slot (GHashTable  *devices,
             gint         slot,
             const gchar *id)
{
  g_assert_cmpint (slot, >=, 0);
  g_assert_cmpstr (g_hash_table_lookup (devices, GINT_TO_POINTER (slot)), ==, id);
}

static gboolean
enter_network_namespace (void)
{
  return unshare (CLONE_NEWNET) == 0;
}

/* What the lifecycle will do at start, minus the record and the scripts:
 * assign the slots, open the taps, build the command line, run it. */
typedef struct {
  HvKvmCmdlineConfig config;
  HvKvmCmdlineDisk disks[2];
  HvKvmCmdlineNic nic;
  gint disk_slots[2];
  gint nic_slot;
} Launch;

static void
launch_assign_slots (Launch     *launch,
                     HvInstance *instance)
{
  GPtrArray *disks = hv_instance_get_disks (instance);
  GPtrArray *nics = hv_instance_get_nics (instance);
  HvKvmPciStartDevices fixed;
  g_autoptr(GError) error = NULL;
  HvKvmPciBus bus;

  hv_kvm_cmdline_get_start_devices (hv_instance_get_hvparams (instance), &fixed);
  launch->disk_slots[0] = launch->disk_slots[1] = launch->nic_slot = -1;
  hv_kvm_pci_bus_init (&bus);
  g_assert_true (hv_kvm_pci_assign_start (&bus, &fixed, launch->disk_slots, 2,
                                          &launch->nic_slot, 1, &launch->config.slots, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      hv_device_set_pci (g_ptr_array_index (disks, i), launch->disk_slots[i]);
      launch->disks[i].disk = g_ptr_array_index (disks, i);
    }
  hv_device_set_pci (g_ptr_array_index (nics, 0), launch->nic_slot);
  launch->nic.nic = g_ptr_array_index (nics, 0);
}

static void
launch_run (Launch            *launch,
            HvInstance        *instance,
            HvKvmCapabilities *capabilities,
            const gchar       *dir)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) parent = NULL;
  g_auto(GStrv) base = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;

  launch_assign_slots (launch, instance);
  launch->nic.n_queues = 2;
  for (guint q = 0; q < 2; q++)
    {
      launch->nic.tap_fds[q] = 10 + (gint) q;
      g_subprocess_launcher_take_fd (launcher, open_tap_queue ("hvtest0"),
                                     launch->nic.tap_fds[q]);
    }

  launch->config.run_dir = dir;
  launch->config.capabilities = capabilities;
  launch->config.accel = "tcg";
  launch->config.disks = launch->disks;
  launch->config.n_disks = 2;
  launch->config.nics = &launch->nic;
  launch->config.n_nics = 1;

  base = hv_kvm_cmdline_build_base (instance, &launch->config, &error);
  g_assert_no_error (error);
  argv = hv_kvm_cmdline_build ((const gchar * const *) base, hv_instance_get_hvparams (instance),
                               &launch->config, &error);
  g_assert_no_error (error);

  /* -daemonize: the parent exits once QEMU is set up, sockets listening */
  parent = g_subprocess_launcher_spawnv (launcher, (const gchar * const *) argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (parent, NULL, &error));
  g_assert_no_error (error);
}

static void
test_run_for_real (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("hvkit-cmdline-XXXXXX", &error);
  g_autoptr(HvKvmCapabilities) capabilities = probe_qemu ();
  g_autoptr(HvInstance) instance = new_instance (dir);
  g_autofree gchar *pidfile = g_strdup_printf ("%s/cmdline-test.pid", dir);
  g_autofree gchar *socket_path = g_strdup_printf ("%s/cmdline-test.qmp", dir);
  g_autofree gchar *pid_text = NULL;
  g_autoptr(GHashTable) devices = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(JsonNode) query_pci = NULL;
  Launch launch = { .config = HV_KVM_CMDLINE_CONFIG_INIT };
  Qmp qmp = { 0, };

  g_assert_no_error (error);
  if (!enter_network_namespace ())
    {
      g_test_skip ("cannot make a network namespace for the taps (not root?)");
      return;
    }
  launch_run (&launch, instance, capabilities, dir);

  g_assert_true (g_file_get_contents (pidfile, &pid_text, NULL, &error));
  g_assert_no_error (error);
  qmp_connect (&qmp, socket_path);

  /* -S: paused until the lifecycle says cont */
  status = qmp_execute (&qmp, "query-status");
  g_assert_false (json_object_get_boolean_member (json_node_get_object (status), "running"));

  query_pci = qmp_execute (&qmp, "query-pci");
  devices = pci_devices (query_pci);
  assert_slot (devices, launch.config.slots.sound, "sound0");
  assert_slot (devices, launch.config.slots.balloon, "balloon");
  assert_slot (devices, launch.disk_slots[0], "disk-7d0c5a1e-pci-5");
  assert_slot (devices, launch.disk_slots[1], "disk-1e2d3c4b-pci-6");
  assert_slot (devices, launch.nic_slot, "nic-5ca1ab1e-pci-7");
  /* kvm_extra's device came after ours and took a slot left free */
  assert_slot (devices, 2, "rng0");
  /* and nothing else: -nodefaults left QEMU only its host and ISA bridges */
  assert_slot (devices, 0, "");
  assert_slot (devices, 1, "");
  g_assert_cmpuint (g_hash_table_size (devices), ==, 8);

  qmp_quit_and_wait (&qmp, (GPid) g_ascii_strtoll (pid_text, NULL, 10));
  /* QEMU removes its pidfile and sockets when it quits */
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));

  for (guint i = 0; i < 2; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("%s/disk%u.img", dir, i);

      g_unlink (name);
    }
  g_rmdir (dir);
}

/* use_chroot and security_model=user, run for real: -chroot/-runas on
 * QEMU 7.2, -run-with on 10.0 (this test runs with both); QEMU's root
 * directory and user are read from /proc, since hvkit has no other way to
 * see them. */
static void
test_chroot_and_user_for_real (void)
{
  static const gchar * const leftovers[] = { ".monitor", ".serial" };
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("hvkit-cmdline-XXXXXX", &error);
  g_autoptr(HvKvmCapabilities) capabilities = probe_qemu ();
  g_autoptr(HvInstance) instance = new_instance (dir);
  g_autofree gchar *chroot_dir = g_build_filename (dir, "chroot", NULL);
  g_autofree gchar *pidfile = g_strdup_printf ("%s/cmdline-test.pid", dir);
  g_autofree gchar *socket_path = g_strdup_printf ("%s/cmdline-test.qmp", dir);
  g_autofree gchar *pid_text = NULL;
  g_autofree gchar *root_link = NULL;
  g_autofree gchar *root = NULL;
  g_autofree gchar *status_path = NULL;
  g_autofree gchar *status = NULL;
  g_autofree gchar *uid_line = NULL;
  g_autoptr(JsonNode) query = NULL;
  Launch launch = { .config = HV_KVM_CMDLINE_CONFIG_INIT };
  struct passwd *nobody = getpwnam ("nobody");
  GVariantDict hvparams;
  Qmp qmp = { 0, };
  GPid pid;

  g_assert_no_error (error);
  if (nobody == NULL || !enter_network_namespace ())
    {
      g_test_skip ("needs root (a network namespace for the taps) and the user nobody");
      return;
    }
  g_assert_cmpint (g_mkdir (chroot_dir, 0755), ==, 0);
  g_variant_dict_init (&hvparams, hv_instance_get_hvparams (instance));
  g_variant_dict_insert (&hvparams, "use_chroot", "b", TRUE);
  g_variant_dict_insert (&hvparams, "security_model", "s", "user");
  g_variant_dict_insert (&hvparams, "security_domain", "s", "nobody");
  hv_instance_set_hvparams (instance, g_variant_dict_end (&hvparams));
  launch.config.chroot_dir = chroot_dir;
  launch_run (&launch, instance, capabilities, dir);

  g_assert_true (g_file_get_contents (pidfile, &pid_text, NULL, &error));
  g_assert_no_error (error);
  pid = (GPid) g_ascii_strtoll (pid_text, NULL, 10);
  root_link = g_strdup_printf ("/proc/%d/root", (gint) pid);
  root = g_file_read_link (root_link, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (root, ==, chroot_dir);
  status_path = g_strdup_printf ("/proc/%d/status", (gint) pid);
  g_assert_true (g_file_get_contents (status_path, &status, NULL, &error));
  g_assert_no_error (error);
  uid_line = g_strdup_printf ("\nUid:\t%u\t%u\t%u\t%u\n", (guint) nobody->pw_uid,
                              (guint) nobody->pw_uid, (guint) nobody->pw_uid,
                              (guint) nobody->pw_uid);
  if (strstr (status, uid_line) == NULL)
    g_error ("QEMU does not run as nobody: %s", status);

  /* and it works: QMP answers (the socket was made before the chroot) */
  qmp_connect (&qmp, socket_path);
  query = qmp_execute (&qmp, "query-status");
  qmp_quit_and_wait (&qmp, pid);

  /* QEMU, chrooted and unprivileged, could not remove its files */
  g_unlink (pidfile);
  g_unlink (socket_path);
  for (guint i = 0; i < G_N_ELEMENTS (leftovers); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("%s/cmdline-test%s", dir, leftovers[i]);

      g_unlink (path);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("%s/disk%u.img", dir, i);

      g_unlink (name);
    }
  g_rmdir (chroot_dir);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (!g_file_test (hv_test_get_qemu (), G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no QEMU");
      return g_test_run ();
    }
  g_test_add_func ("/kvm/cmdline/run-for-real", test_run_for_real);
  g_test_add_func ("/kvm/cmdline/chroot-and-user-for-real", test_chroot_and_user_for_real);

  return g_test_run ();
}
