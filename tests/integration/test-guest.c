/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <fcntl.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "hv-test.h"

/* Proves the test guest and tests/common: the guest boots under TCG with a
 * bare QEMU, runs commands, reports hot-plugged disks and NICs, powers off
 * on ACPI and on `poweroff -f`; the console, QEMU launcher and network
 * namespace helpers do what the other integration tests rely on. QMP is
 * spoken by hand here, one JSON line at a time. */

#define BOOT_TIMEOUT_MS    60000
#define COMMAND_TIMEOUT_MS 10000
#define QMP_TIMEOUT_MS     10000
#define EXIT_TIMEOUT_MS    20000

typedef struct {
  HvTestQemu *qemu;
  HvTestConsole *serial;
  HvTestConsole *qmp;
} GuestFixture;

static void
guest_fixture_set_up (GuestFixture  *fixture,
                      gconstpointer  user_data)
{
  fixture->qemu = hv_test_qemu_new ();
  fixture->serial = hv_test_console_new ("serial");
  fixture->qmp = hv_test_console_new ("qmp");
}

static void
guest_fixture_tear_down (GuestFixture  *fixture,
                         gconstpointer  user_data)
{
  /* everything read helps when a test failed */
  if (g_test_failed ())
    g_test_message ("serial log:\n%s\nqmp log:\n%s",
                    hv_test_console_get_log (fixture->serial),
                    hv_test_console_get_log (fixture->qmp));
  hv_test_console_close (fixture->serial);
  hv_test_console_close (fixture->qmp);
  hv_test_qemu_kill (fixture->qemu);
  g_clear_object (&fixture->serial);
  g_clear_object (&fixture->qmp);
  g_clear_object (&fixture->qemu);
}

static gdouble
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
}

/* Starts QEMU with the guest, connects serial and QMP, waits for the ready
 * marker; returns the seconds from starting QEMU to the marker. */
static gdouble
guest_boot (GuestFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *ready = NULL;
  g_autofree gchar *release = NULL;
  gint64 start = g_get_monotonic_time ();
  gdouble boot;

  hv_test_qemu_add_guest (fixture->qemu);
  hv_test_qemu_start (fixture->qemu, &error);
  g_assert_no_error (error);
  g_assert_true (hv_test_qemu_is_running (fixture->qemu));

  hv_test_console_connect (fixture->serial, hv_test_qemu_get_serial_path (fixture->qemu), &error);
  g_assert_no_error (error);
  hv_test_console_connect (fixture->qmp, hv_test_qemu_get_qmp_path (fixture->qemu), &error);
  g_assert_no_error (error);

  ready = hv_test_console_wait_for_line (fixture->serial, HV_TEST_GUEST_READY_PATTERN,
                                         BOOT_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  boot = seconds_since (start);
  g_test_message ("boot to marker: %.2f s (%s)", boot, ready);
  release = g_strdup_printf ("release=%s ", hv_test_guest_get_kernel_release ());
  g_assert_nonnull (strstr (ready, release));
  return boot;
}

/* One QMP command by hand: sends the line, waits for the next reply line
 * (events have no "return"/"error" key first) and asserts success. */
static void
qmp_execute (HvTestConsole *qmp,
             const gchar   *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *reply = NULL;

  hv_test_console_send_line (qmp, json);
  reply = hv_test_console_wait_for_line (qmp, "^\\{\"(return|error)\"", QMP_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  if (!g_str_has_prefix (reply, "{\"return\""))
    g_error ("%s failed: %s", json, reply);
}

static void
qmp_negotiate (HvTestConsole *qmp)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *greeting = NULL;

  greeting = hv_test_console_wait_for_line (qmp, "^\\{\"QMP\":", QMP_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  qmp_execute (qmp, "{\"execute\": \"qmp_capabilities\"}");
}

static void
assert_run (HvTestConsole *serial,
            const gchar   *command,
            const gchar   *expected_output,
            gint           expected_status)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *output = NULL;
  gint status = -1;

  output = hv_test_console_run (serial, command, COMMAND_TIMEOUT_MS, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (output, ==, expected_output);
  g_assert_cmpint (status, ==, expected_status);
}

static void
wait_line (HvTestConsole *console,
           const gchar   *pattern,
           guint          timeout_ms)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *line = hv_test_console_wait_for_line (console, pattern, timeout_ms, &error);

  g_assert_no_error (error);
  g_test_message ("%s", line);
}

static void
make_sparse_file (const gchar *path,
                  goffset      size)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, size), ==, 0);
  g_assert_true (g_close (fd, NULL));
}

/* -- no QEMU ------------------------------------------------------------- */

static void
test_accel (void)
{
  g_autofree gchar *saved = g_strdup (g_getenv ("HVKIT_TEST_ACCEL"));

  /* /dev/kvm exists on the project machines and must not matter */
  g_unsetenv ("HVKIT_TEST_ACCEL");
  g_assert_cmpstr (hv_test_get_accel (), ==, "tcg");
  g_setenv ("HVKIT_TEST_ACCEL", "", TRUE);
  g_assert_cmpstr (hv_test_get_accel (), ==, "tcg");
  g_setenv ("HVKIT_TEST_ACCEL", "kvm", TRUE);
  g_assert_cmpstr (hv_test_get_accel (), ==, "kvm");

  if (saved != NULL)
    g_setenv ("HVKIT_TEST_ACCEL", saved, TRUE);
  else
    g_unsetenv ("HVKIT_TEST_ACCEL");
}

static void
accept_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GSocketConnection **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  g_assert_no_error (error);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
peer_write (GSocketConnection *peer,
            const gchar       *text)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (peer));

  g_output_stream_write_all (output, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* The console against a scripted peer: what the guest and QEMU never do on
 * purpose (split lines, silence, hanging up) and the command markers. */
static void
test_console_protocol (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("hv-test-console-XXXXXX", &error);
  g_autofree gchar *path = g_build_filename (dir, "peer.sock", NULL);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(HvTestConsole) console = hv_test_console_new ("peer");
  g_autoptr(GSocketConnection) peer = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree gchar *line = NULL;
  g_autofree gchar *output = NULL;
  gchar buffer[512] = { 0 };
  gint status = -1;
  gssize n;

  g_assert_no_error (error);
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_accept_async (listener, NULL, accept_cb, &peer);
  hv_test_console_connect (console, path, &error);
  g_assert_no_error (error);
  while (peer == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* lines arrive in pieces, with "\r\n", and before anyone waits */
  peer_write (peer, "boot noise\r\nHVKIT-GUEST-");
  peer_write (peer, "READY release=x uptime=1.00\r\nUEVENT add block /x/vda\r\n");
  line = hv_test_console_wait_for_line (console, HV_TEST_GUEST_READY_PATTERN, 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "HVKIT-GUEST-READY release=x uptime=1.00");
  g_clear_pointer (&line, g_free);

  /* a wait consumes its line: the same pattern now times out */
  line = hv_test_console_wait_for_line (console, "^HVKIT-GUEST-READY", 50, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "^HVKIT-GUEST-READY"));
  g_assert_null (line);
  g_clear_error (&error);

  /* a command: the peer plays the guest shell */
  hv_test_console_run_async (console, "cat /x", 5000, NULL, store_result_cb, &result);
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (peer)),
                           buffer, sizeof buffer - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  g_assert_nonnull (strstr (buffer, "cat /x"));
  /* the command line itself must not match the markers, were it echoed */
  g_assert_null (strstr (buffer, "HVKIT-BEGIN 1"));
  g_assert_null (strstr (buffer, "HVKIT-END 1"));
  peer_write (peer, "HVKIT-BEGIN 1\r\nline 1\r\nUEVENT add net /y/eth0\r\n"
                    "line 2\r\nHVKIT-END 1 3\r\n");
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  output = hv_test_console_run_finish (console, result, &status, &error);
  g_assert_no_error (error);
  /* the uevent printed meanwhile is not part of the output */
  g_assert_cmpstr (output, ==, "line 1\nline 2\n");
  g_assert_cmpint (status, ==, 3);
  g_clear_pointer (&output, g_free);

  /* a command that never ends */
  output = hv_test_console_run (console, "sleep 1000", 100, &status, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "sleep 1000"));
  g_assert_null (output);
  g_clear_error (&error);

  /* the uevent during command 1 is still there for a wait */
  line = hv_test_console_wait_for_line (console, "^UEVENT add net ", 5000, &error);
  g_assert_no_error (error);
  g_clear_pointer (&line, g_free);

  /* hanging up fails the waits; a last line without newline still counts */
  peer_write (peer, "last words");
  g_io_stream_close (G_IO_STREAM (peer), NULL, &error);
  g_assert_no_error (error);
  line = hv_test_console_wait_for_line (console, "^never$", 5000, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_null (line);
  g_clear_error (&error);
  line = hv_test_console_wait_for_line (console, "^last words$", 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "last words");
  g_assert_nonnull (strstr (hv_test_console_get_log (console), "boot noise\nHVKIT-GUEST-READY"));

  g_unlink (path);
  g_rmdir (dir);
}

/* -- the guest ----------------------------------------------------------- */

static void
test_guest_hotplug_powerdown (GuestFixture  *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *disk = NULL;
  g_autofree gchar *blockdev_add = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 powerdown;

  if (!hv_test_guest_require ())
    return;
  hv_test_qemu_add_args (fixture->qemu,
                         "-device", "virtio-balloon-pci,id=balloon0,bus=pci.0,addr=0x4", NULL);
  guest_boot (fixture);
  qmp_negotiate (fixture->qmp);

  /* the shell: output, exit status, /sys */
  assert_run (fixture->serial, "echo hello", "hello\n", 0);
  assert_run (fixture->serial, "echo out; echo err >&2; false", "out\nerr\n", 1);
  assert_run (fixture->serial, "cat /sys/bus/pci/slots/5/address", "0000:00:05\n", 0);

  /* the balloon driver gives 32 of the default 128 MiB back */
  qmp_execute (fixture->qmp, "{\"execute\": \"balloon\", \"arguments\": {\"value\": 100663296}}");
  wait_line (fixture->qmp, "\"event\": \"BALLOON_CHANGE\".*\"actual\": 100663296\\}", QMP_TIMEOUT_MS);

  /* a hot-added disk: the guest sees it (acpiphp, virtio_blk) */
  disk = g_build_filename (hv_test_qemu_get_dir (fixture->qemu), "disk0.img", NULL);
  make_sparse_file (disk, 64 * 1024 * 1024);
  blockdev_add = g_strdup_printf ("{\"execute\": \"blockdev-add\", \"arguments\": "
                                  "{\"driver\": \"raw\", \"node-name\": \"d0\", "
                                  "\"file\": {\"driver\": \"file\", \"filename\": \"%s\"}}}",
                                  disk);
  qmp_execute (fixture->qmp, blockdev_add);
  qmp_execute (fixture->qmp, "{\"execute\": \"device_add\", \"arguments\": "
                             "{\"driver\": \"virtio-blk-pci\", \"drive\": \"d0\", "
                             "\"id\": \"disk0\", \"bus\": \"pci.0\", \"addr\": \"0x5\"}}");
  wait_line (fixture->serial, "^UEVENT add block /devices/pci0000:00/0000:00:05\\.0/.*/vd[a-z]$",
             COMMAND_TIMEOUT_MS);
  assert_run (fixture->serial, "cat /sys/block/vda/size", "131072\n", 0);

  /* its removal: the guest ejects it, QEMU confirms */
  qmp_execute (fixture->qmp, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"disk0\"}}");
  wait_line (fixture->qmp, "\"event\": \"DEVICE_DELETED\".*\"device\": \"disk0\"", QMP_TIMEOUT_MS);
  wait_line (fixture->serial, "^UEVENT remove block .*/vda$", COMMAND_TIMEOUT_MS);
  qmp_execute (fixture->qmp, "{\"execute\": \"blockdev-del\", \"arguments\": {\"node-name\": \"d0\"}}");
  assert_run (fixture->serial, "test -e /sys/block/vda", "", 1);

  /* the ACPI power button: the guest powers off, QEMU exits by itself */
  powerdown = g_get_monotonic_time ();
  qmp_execute (fixture->qmp, "{\"execute\": \"system_powerdown\"}");
  wait_line (fixture->serial, HV_TEST_GUEST_POWERDOWN_PATTERN, QMP_TIMEOUT_MS);
  wait_line (fixture->qmp, "\"event\": \"SHUTDOWN\".*\"guest\": true", QMP_TIMEOUT_MS);
  hv_test_qemu_wait_exit (fixture->qemu, EXIT_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  g_test_message ("system_powerdown to QEMU exit: %.3f s", seconds_since (powerdown));
  g_assert_true (hv_test_qemu_get_exited_cleanly (fixture->qemu));
  g_test_message ("whole test: %.2f s", seconds_since (start));
}

static void
test_guest_netns_poweroff (GuestFixture  *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) taps = NULL;
  g_autofree gchar *master = NULL;
  g_autofree gchar *mac = NULL;

  if (!hv_test_netns_require () || !hv_test_guest_require ())
    return;
  hv_test_netns_enter (&error);
  g_assert_no_error (error);
  taps = hv_test_netns_list_taps (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (taps), ==, 0);
  g_clear_pointer (&taps, g_strfreev);
  hv_test_netns_add_bridge ("br0", &error);
  g_assert_no_error (error);

  /* QEMU opens the tap itself, in the test's namespace */
  hv_test_qemu_add_args (fixture->qemu,
                         "-netdev", "tap,id=net0,ifname=hvtap0,script=no,downscript=no",
                         "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56,"
                                    "bus=pci.0,addr=0x6,id=nic0",
                         NULL);
  guest_boot (fixture);
  hv_test_netns_ip (&error, "link", "set", "hvtap0", "master", "br0", "up", NULL);
  g_assert_no_error (error);

  taps = hv_test_netns_list_taps (&error);
  g_assert_no_error (error);
  g_assert_cmpstrv (taps, ((const gchar *[]) { "hvtap0", NULL }));
  master = hv_test_netns_get_master ("hvtap0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (master, ==, "br0");
  mac = hv_test_netns_get_mac ("hvtap0", &error);
  g_assert_no_error (error);
  g_assert_true (g_regex_match_simple ("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", mac, 0, 0));
  g_assert_cmpstr (mac, !=, "52:54:00:12:34:56");

  /* the NIC was there at boot: its uevent came from the module load */
  wait_line (fixture->serial, "^UEVENT add net /devices/pci0000:00/0000:00:06\\.0/.*/eth0$",
             COMMAND_TIMEOUT_MS);
  assert_run (fixture->serial, "cat /sys/class/net/eth0/address", "52:54:00:12:34:56\n", 0);

  /* the guest powers itself off */
  hv_test_console_send_line (fixture->serial, "poweroff -f");
  hv_test_qemu_wait_exit (fixture->qemu, EXIT_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  g_assert_true (hv_test_qemu_get_exited_cleanly (fixture->qemu));

  /* and QEMU's tap went with it */
  g_clear_pointer (&taps, g_strfreev);
  taps = hv_test_netns_list_taps (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (taps), ==, 0);
}

/* A QEMU killed in teardown is gone, its directory too. */
static void
test_qemu_kill (void)
{
  g_autoptr(HvTestQemu) qemu = hv_test_qemu_new ();
  g_autoptr(HvTestConsole) qmp = hv_test_console_new ("qmp");
  g_autoptr(GError) error = NULL;
  g_autofree gchar *proc = NULL;
  g_autofree gchar *line = NULL;

  hv_test_qemu_add_args (qemu, "-S", NULL);
  hv_test_qemu_start (qemu, &error);
  g_assert_no_error (error);
  /* -daemonize: the socket is there when start returns */
  g_assert_true (g_file_test (hv_test_qemu_get_qmp_path (qemu), G_FILE_TEST_EXISTS));
  hv_test_console_connect (qmp, hv_test_qemu_get_qmp_path (qemu), &error);
  g_assert_no_error (error);
  qmp_negotiate (qmp);

  proc = g_strdup_printf ("/proc/%d/cmdline", hv_test_qemu_get_pid (qemu));
  g_assert_true (g_file_test (proc, G_FILE_TEST_EXISTS));
  hv_test_qemu_kill (qemu);
  g_assert_false (hv_test_qemu_is_running (qemu));
  g_assert_false (hv_test_qemu_get_exited_cleanly (qemu));
  /* QMP hung up */
  line = hv_test_console_wait_for_line (qmp, "^never$", QMP_TIMEOUT_MS, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_null (line);
}

/* A QEMU that refuses its arguments: the start fails with its message. */
static void
test_qemu_start_failure (void)
{
  g_autoptr(HvTestQemu) qemu = hv_test_qemu_new ();
  g_autoptr(GError) error = NULL;

  hv_test_qemu_add_args (qemu, "-no-such-option", NULL);
  g_assert_false (hv_test_qemu_start (qemu, &error));
  g_assert_error (error, G_SPAWN_EXIT_ERROR, 1);
  g_assert_nonnull (strstr (error->message, "-no-such-option"));
  g_assert_false (hv_test_qemu_is_running (qemu));
  g_assert_cmpint (hv_test_qemu_get_pid (qemu), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/guest/accel", test_accel);
  g_test_add_func ("/guest/console-protocol", test_console_protocol);
  g_test_add_func ("/guest/qemu-kill", test_qemu_kill);
  g_test_add_func ("/guest/qemu-start-failure", test_qemu_start_failure);
  g_test_add ("/guest/hotplug-powerdown", GuestFixture, NULL,
              guest_fixture_set_up, test_guest_hotplug_powerdown, guest_fixture_tear_down);
  g_test_add ("/guest/netns-poweroff", GuestFixture, NULL,
              guest_fixture_set_up, test_guest_netns_poweroff, guest_fixture_tear_down);

  return g_test_run ();
}
