/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * hvkit's hotplug against raw QMP, on one TCG instance running the test
 * guest, in one run:
 *
 *   floor   a minimal blocking client on a second QMP monitor of the same
 *           QEMU, sending the commands hvkit sends: blockdev-add +
 *           device_add for a disk; tap opened + getfd + netdev_add +
 *           device_add for a NIC; device_del → DEVICE_DELETED →
 *           blockdev-del / netdev_del; its ids and getfd name are the
 *           ones hvkit's rules give a device in its slot (QEMU reads its
 *           socket a byte at a time: the bytes of the names are part of
 *           the work). Ganeti's driver also asks query-pci after
 *           device_add; hvkit takes device_add's answer as QEMU's
 *           confirmation (hv-kvm-hotplug-confirm.c), and so does the
 *           floor, so that the ratio is what hvkit adds to those commands
 *   hvkit   hv_kvm_hotplug_add_async / _del_async on the instance, from
 *           the call to its callback: slot from the view of the bus,
 *           journal, the same commands sent at once, confirmed by
 *           device_add's answer, the record saved
 *
 * Floor and hvkit alternate (the order of the three sides turning from one
 * round to the next), one device at a time, and every removal
 * waits until the guest has reported the addition (as a user would):
 * the removal's time is mostly the guest's ACPI eject. Every addition
 * waits until the guest has reported the last removal's PCI device gone,
 * so that none overlaps the guest's work on the one before. No ifup or ifdown
 * script runs on either side. hvkit runs twice per round: with the
 * record's store durable (fsync, the default: the `disk_add_ms_*` keys)
 * and without fsync (`*_nosync_*`), to show what the fsync costs.
 *
 * Then the same additions into ten instances at once (`*_add_10_*`: the
 * time until the last of the ten is in, floor and hvkit alternating): ten
 * raw clients, one thread each, against ten hv_kvm_hotplug_add_async on
 * one main context, as the driver's monitor thread runs them.
 *
 * Prints one JSON object on stdout; medians and 95th percentiles in ms.
 *
 *   meson test -C build --benchmark bench-hotplug --verbose
 *   build/tests/bench/bench-hotplug [ROUNDS [ROUNDS_10]]
 *
 * ROUNDS (default 40, or HVKIT_BENCH_ROUNDS) of one instance, ROUNDS_10
 * (default ROUNDS / 2, or HVKIT_BENCH_ROUNDS_10; 0 leaves the ten out) of
 * ten. QEMU's `device_add` under TCG takes either about 1.6 ms or 2-3 ms
 * (and 6-7 ms now and then), on both sides, in proportions that change
 * from run to run: a median over 20 rounds moved by 0.1-0.2 in ratio
 * between runs of the same code. 40 narrow that without removing it (five
 * runs: the durable side 1.19-1.24, the no-fsync side 0.95-1.39).
 *
 * The QEMU is the system's, or the one HVKIT_TEST_QEMU names, as in the
 * tests: `bench-hotplug-qemu10` is the same with the QEMU 10.0 of
 * contrib/fetch-qemu.sh (-Dtest_qemu10=true).
 *
 * Root is needed for the taps (a private network namespace).
 *
 * The run directory (records, sockets, the disk image of both sides) is
 * on tmpfs, /dev/shm unless TMPDIR says otherwise: hvkit's default run
 * directory is /run/hvkit, a tmpfs on a Debian node, where a rename or an
 * fsync costs nothing like on a disk. (This machine's /run is its disk.)
 * The JSON says which file system it measured.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "hv-kvm-hotplug.h"
#include "hv-kvm-runtime.h"
#include "hv-kvm-tap.h"
#include "hv-test-async.h"
#include "hv-test-hotplug.h"

#define DISK_UUID "be4c0001-0000-4000-8000-000000000001"
#define NIC_UUID  "be4c0002-0000-4000-8000-000000000002"
#define NIC_MAC   "52:54:00:be:00:02"
#define FLOOR_DISK_SLOT 0x10
#define FLOOR_NIC_SLOT  0x11
/* The floor's names are what hvkit's rules give a device of its own in
 * the floor's slot (checked in main()): QEMU 7.2 reads a QMP socket a byte
 * at a time, so a floor with shorter names than the record's rule (and
 * Ganeti's) gives hvkit would be cheaper by its bytes alone, some 4.5 µs
 * each: 28 bytes of a disk's commands, 17 of a NIC's. */
#define FLOOR_DISK_UUID "f1000001-0000-4000-8000-000000000001"
#define FLOOR_NIC_UUID  "f1000002-0000-4000-8000-000000000002"
#define FLOOR_DISK_ID   "disk-f1000001-pci-16"
#define FLOOR_NIC_ID    "nic-f1000002-pci-17"
#define FLOOR_TAP_NAME  "t17-0"

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static gdouble
ms_since (gint64 start)
{
  return (gdouble) (now_ns () - start) / 1e6;
}

/* ---- the floor -------------------------------------------------------------- */

typedef struct {
  gint  fd;
  gchar buffer[1 << 20];
  gsize filled;
  guint serial;
  gchar line[1 << 20];
} Floor;

/* The next line, NUL-terminated in floor->line until the next read. */
static gchar *
floor_read_line (Floor *floor)
{
  gchar *line = floor->line;

  for (;;)
    {
      gchar *newline = memchr (floor->buffer, '\n', floor->filled);
      gssize n;

      if (newline != NULL)
        {
          gsize used = (gsize) (newline - floor->buffer) + 1;

          memcpy (line, floor->buffer, used - 1);
          line[used - 1] = '\0';
          memmove (floor->buffer, newline + 1, floor->filled - used);
          floor->filled -= used;
          return line;
        }
      n = read (floor->fd, floor->buffer + floor->filled, sizeof floor->buffer - floor->filled);
      g_assert_cmpint (n, >, 0);
      floor->filled += (gsize) n;
    }
}

static void
floor_send (Floor       *floor,
            const gchar *command,
            const gchar *arguments,
            gint         fd)
{
  g_autofree gchar *line = g_strdup_printf ("{\"execute\":\"%s\"%s%s,\"id\":%u}\n", command,
                                            arguments != NULL ? ",\"arguments\":" : "",
                                            arguments != NULL ? arguments : "", floor->serial++);
  struct iovec iov = { line, strlen (line) };
  union { struct cmsghdr header; gchar space[CMSG_SPACE (sizeof (gint))]; } control;
  struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1 };

  if (fd >= 0)
    {
      struct cmsghdr *cmsg;

      memset (&control, 0, sizeof control);
      message.msg_control = control.space;
      message.msg_controllen = sizeof control.space;
      cmsg = CMSG_FIRSTHDR (&message);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (gint));
      memcpy (CMSG_DATA (cmsg), &fd, sizeof (gint));
    }
  g_assert_cmpint (sendmsg (floor->fd, &message, 0), ==, (gssize) iov.iov_len);
}

static gboolean
floor_is_reply (const gchar *line,
                const gchar *command)
{
  if (g_str_has_prefix (line, "{\"timestamp\""))
    return FALSE;
  if (!g_str_has_prefix (line, "{\"return\""))
    g_error ("floor: %s failed: %s", command, line);
  return TRUE;
}

/* Sends one command, as compact as hvkit's client sends it, with @fd as
 * SCM_RIGHTS when >= 0, and waits for its reply, skipping events. */
static void
floor_execute (Floor       *floor,
               const gchar *command,
               const gchar *arguments,
               gint         fd)
{
  floor_send (floor, command, arguments, fd);
  while (!floor_is_reply (floor_read_line (floor), command))
    ;
}

/* device_del's reply and the DEVICE_DELETED of @id, which may come
 * first. */
static void
floor_unplug (Floor       *floor,
              const gchar *id)
{
  g_autofree gchar *arguments = g_strdup_printf ("{\"id\":\"%s\"}", id);
  g_autofree gchar *wanted = g_strdup_printf ("\"device\": \"%s\"", id);
  gboolean replied = FALSE, deleted = FALSE;

  floor_send (floor, "device_del", arguments, -1);
  while (!replied || !deleted)
    {
      const gchar *line = floor_read_line (floor);

      if (floor_is_reply (line, "device_del"))
        replied = TRUE;
      else if (strstr (line, "\"DEVICE_DELETED\"") != NULL && strstr (line, wanted) != NULL)
        deleted = TRUE;
    }
}

static void
floor_connect (Floor       *floor,
               const gchar *path)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };

  g_assert_cmpuint (strlen (path), <, sizeof address.sun_path);
  strcpy (address.sun_path, path);
  floor->fd = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (floor->fd, >=, 0);
  g_assert_no_errno (connect (floor->fd, (struct sockaddr *) &address, sizeof address));
  floor_read_line (floor);
  floor_execute (floor, "qmp_capabilities", NULL, -1);
}

static gdouble
floor_disk_add (Floor       *floor,
                const gchar *path)
{
  g_autofree gchar *node = g_strdup_printf ("{\"driver\":\"raw\",\"node-name\":\"" FLOOR_DISK_ID "\","
                                            "\"file\":{\"driver\":\"file\",\"filename\":\"%s\"}}",
                                            path);
  gint64 start = now_ns ();

  floor_execute (floor, "blockdev-add", node, -1);
  floor_execute (floor, "device_add",
                 "{\"driver\":\"virtio-blk-pci\",\"id\":\"" FLOOR_DISK_ID "\",\"drive\":\"" FLOOR_DISK_ID "\","
                 "\"bus\":\"pci.0\",\"addr\":\"0x10\"}", -1);
  return ms_since (start);
}

static gdouble
floor_nic_add (Floor *floor)
{
  g_autoptr(GError) error = NULL;
  gint64 start = now_ns ();
  g_autoptr(HvKvmTap) tap = hv_kvm_tap_open (NULL, TRUE, 1, NULL, &error);

  g_assert_no_error (error);
  floor_execute (floor, "getfd", "{\"fdname\":\"" FLOOR_TAP_NAME "\"}", tap->fds[0]);
  floor_execute (floor, "netdev_add", "{\"type\":\"tap\",\"id\":\"" FLOOR_NIC_ID "\",\"fd\":\"" FLOOR_TAP_NAME "\"}",
                 -1);
  hv_kvm_tap_close (tap);
  floor_execute (floor, "device_add",
                 "{\"driver\":\"virtio-net-pci\",\"id\":\"" FLOOR_NIC_ID "\",\"netdev\":\"" FLOOR_NIC_ID "\","
                 "\"mac\":\"52:54:00:be:00:10\",\"bus\":\"pci.0\",\"addr\":\"0x11\"}", -1);
  return ms_since (start);
}

static gdouble
floor_del (Floor       *floor,
           const gchar *id,
           gboolean     disk)
{
  g_autofree gchar *backend = g_strdup_printf (disk ? "{\"node-name\":\"%s\"}" : "{\"id\":\"%s\"}",
                                               id);
  gint64 start = now_ns ();

  floor_unplug (floor, id);
  floor_execute (floor, disk ? "blockdev-del" : "netdev_del", backend, -1);
  return ms_since (start);
}

/* ---- hvkit ------------------------------------------------------------------ */

static gdouble
hvkit_run (HvTestKvmLaunch   *launch,
           HvTestHotplugCall  call,
           HvDevice          *device)
{
  HvKvmInstance *instance = hv_test_kvm_launch_get_instance (launch);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = now_ns ();
  gdouble ms;

  if (call == HV_TEST_HOTPLUG_ADD)
    hv_kvm_hotplug_add_async (instance, hv_test_kvm_launch_get_owner (launch), device, 0, NULL,
                              hv_test_store_result, &result);
  else
    hv_kvm_hotplug_del_async (instance, hv_test_kvm_launch_get_owner (launch), device, 0, NULL,
                              hv_test_store_result, &result);
  done = hv_test_wait_result (&result);
  ms = ms_since (start);
  if (call == HV_TEST_HOTPLUG_ADD)
    hv_kvm_hotplug_add_finish (instance, done, &error);
  else
    hv_kvm_hotplug_del_finish (instance, done, &error);
  g_assert_no_error (error);
  return ms;
}

/* ---- statistics ------------------------------------------------------------- */

typedef enum {
  DISK_ADD, NIC_ADD, DISK_DEL, NIC_DEL, N_OPS
} Op;

static const gchar * const op_names[N_OPS] = { "disk_add", "nic_add", "disk_del", "nic_del" };

typedef enum {
  FLOOR, HVKIT, HVKIT_NOSYNC, N_SIDES
} Side;

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
percentile (GArray *samples,
            gdouble p)
{
  gsize index;

  g_array_sort (samples, compare_doubles);
  index = (gsize) ceil (p / 100.0 * (gdouble) samples->len) - 1;
  return g_array_index (samples, gdouble, MIN (index, samples->len - 1));
}

/* The file system of the run directory, from /proc/self/mounts: the
 * longest mount point that holds @path. */
static gchar *
file_system_of (const gchar *path)
{
  g_autofree gchar *mounts = NULL;
  g_auto(GStrv) lines = NULL;
  gchar *type = g_strdup ("unknown");
  gsize best = 0;

  if (!g_file_get_contents ("/proc/self/mounts", &mounts, NULL, NULL))
    return type;
  lines = g_strsplit (mounts, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 4);
      gsize length;

      if (g_strv_length (fields) < 3)
        continue;
      length = strlen (fields[1]);
      if (g_str_has_prefix (path, fields[1]) && length >= best &&
          (path[length] == '/' || path[length] == '\0' || length == 1))
        {
          best = length;
          g_free (type);
          type = g_strdup (fields[2]);
        }
    }
  return type;
}

/* The additions into ten instances at once. */
#define N_MANY 10

typedef enum {
  MANY_DISK_ADD, MANY_NIC_ADD, N_MANY_OPS
} ManyOp;

static const gchar * const many_op_names[N_MANY_OPS] = { "disk_add", "nic_add" };

static void
print_results (GArray      *samples[N_OPS][N_SIDES],
               guint        rounds,
               GArray      *many[N_MANY_OPS][2],
               guint        rounds_many,
               const gchar *run_dir)
{
  g_autoptr(GString) json = g_string_new ("{");
  g_autofree gchar *file_system = file_system_of (run_dir);

  g_string_append_printf (json, "\"rounds\": %u, \"accel\": \"%s\", \"qemu\": \"%s\","
                          " \"run_dir_fs\": \"%s\"",
                          rounds, hv_test_get_accel (), hv_test_get_qemu (), file_system);
  for (guint op = 0; op < N_OPS; op++)
    {
      gdouble floor50 = percentile (samples[op][FLOOR], 50);
      gdouble hvkit50 = percentile (samples[op][HVKIT], 50);
      gdouble nosync50 = percentile (samples[op][HVKIT_NOSYNC], 50);

      g_string_append_printf (json,
                              ",\n  \"floor_%s_ms_p50\": %.2f, \"floor_%s_ms_p95\": %.2f,"
                              " \"%s_ms_p50\": %.2f, \"%s_ms_p95\": %.2f, \"ratio_%s\": %.3f,"
                              " \"%s_nosync_ms_p50\": %.2f, \"%s_nosync_ms_p95\": %.2f,"
                              " \"ratio_%s_nosync\": %.3f",
                              op_names[op], floor50, op_names[op],
                              percentile (samples[op][FLOOR], 95),
                              op_names[op], hvkit50, op_names[op],
                              percentile (samples[op][HVKIT], 95), op_names[op], hvkit50 / floor50,
                              op_names[op], nosync50, op_names[op],
                              percentile (samples[op][HVKIT_NOSYNC], 95), op_names[op],
                              nosync50 / floor50);
    }
  if (rounds_many > 0)
    {
      g_string_append_printf (json, ",\n  \"instances_10\": %u, \"rounds_10\": %u", N_MANY,
                              rounds_many);
      for (guint op = 0; op < N_MANY_OPS; op++)
        {
          gdouble floor50 = percentile (many[op][0], 50);
          gdouble hvkit50 = percentile (many[op][1], 50);

          g_string_append_printf (json,
                                  ",\n  \"floor_%s_10_ms_p50\": %.2f, \"floor_%s_10_ms_p95\": %.2f,"
                                  " \"%s_10_ms_p50\": %.2f, \"%s_10_ms_p95\": %.2f,"
                                  " \"ratio_%s_10\": %.3f",
                                  many_op_names[op], floor50, many_op_names[op],
                                  percentile (many[op][0], 95), many_op_names[op], hvkit50,
                                  many_op_names[op], percentile (many[op][1], 95),
                                  many_op_names[op], hvkit50 / floor50);
        }
    }
  g_string_append (json, "\n}\n");
  fputs (json->str, stdout);
}

/* ---- ten at once ------------------------------------------------------------ */

typedef struct {
  HvTestKvmLaunch *launch;
  Floor           *floor;
  gchar           *floor_disk;
  HvDisk          *disk;
  HvNic           *nic;
} Member;

typedef enum {
  FLOOR_DISK_ADD, FLOOR_NIC_ADD, FLOOR_DISK_DEL, FLOOR_NIC_DEL
} FloorJob;

/* Ten raw clients started together: each thread waits for the word. */
typedef struct {
  GMutex   lock;
  GCond    cond;
  gboolean go;
  FloorJob job;
  Member  *member;
  gint64   end;
} FloorRun;

static gpointer
floor_thread (gpointer user_data)
{
  FloorRun *run = user_data;

  g_mutex_lock (&run->lock);
  while (!run->go)
    g_cond_wait (&run->cond, &run->lock);
  g_mutex_unlock (&run->lock);
  switch (run->job)
    {
    case FLOOR_DISK_ADD:
      floor_disk_add (run->member->floor, run->member->floor_disk);
      break;
    case FLOOR_NIC_ADD:
      floor_nic_add (run->member->floor);
      break;
    case FLOOR_DISK_DEL:
      floor_del (run->member->floor, FLOOR_DISK_ID, TRUE);
      break;
    case FLOOR_NIC_DEL:
    default:
      floor_del (run->member->floor, FLOOR_NIC_ID, FALSE);
      break;
    }
  run->end = now_ns ();
  return NULL;
}

/* @job on every member's own monitor at once; ms until the last is
 * done. */
static gdouble
many_floor (Member   *members,
            FloorJob  job)
{
  GThread *threads[N_MANY];
  FloorRun runs[N_MANY];
  gint64 start, end = 0;

  for (guint i = 0; i < N_MANY; i++)
    {
      g_mutex_init (&runs[i].lock);
      g_cond_init (&runs[i].cond);
      runs[i].go = FALSE;
      runs[i].job = job;
      runs[i].member = &members[i];
      threads[i] = g_thread_new ("floor", floor_thread, &runs[i]);
    }
  start = now_ns ();
  for (guint i = 0; i < N_MANY; i++)
    {
      g_mutex_lock (&runs[i].lock);
      runs[i].go = TRUE;
      g_cond_signal (&runs[i].cond);
      g_mutex_unlock (&runs[i].lock);
    }
  for (guint i = 0; i < N_MANY; i++)
    {
      g_thread_join (threads[i]);
      end = MAX (end, runs[i].end);
      g_mutex_clear (&runs[i].lock);
      g_cond_clear (&runs[i].cond);
    }
  return (gdouble) (end - start) / 1e6;
}

typedef struct {
  guint             pending;
  HvTestHotplugCall call;
} ManyWait;

static void
many_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ManyWait *wait = user_data;
  g_autoptr(GError) error = NULL;

  if (wait->call == HV_TEST_HOTPLUG_ADD)
    hv_kvm_hotplug_add_finish (HV_KVM_INSTANCE (source), result, &error);
  else
    hv_kvm_hotplug_del_finish (HV_KVM_INSTANCE (source), result, &error);
  g_assert_no_error (error);
  wait->pending--;
}

/* @call of each member's disk or NIC, all started at once on this main
 * context; ms until the last is done. */
static gdouble
many_hvkit (Member            *members,
            HvTestHotplugCall  call,
            HvDeviceType       type)
{
  ManyWait wait = { N_MANY, call };
  gint64 start = now_ns ();

  for (guint i = 0; i < N_MANY; i++)
    {
      HvKvmInstance *instance = hv_test_kvm_launch_get_instance (members[i].launch);
      HvInstance *owner = hv_test_kvm_launch_get_owner (members[i].launch);
      HvDevice *device = type == HV_DEVICE_TYPE_DISK ? HV_DEVICE (members[i].disk)
                                                     : HV_DEVICE (members[i].nic);

      if (call == HV_TEST_HOTPLUG_ADD)
        hv_kvm_hotplug_add_async (instance, owner, device, 0, NULL, many_done_cb, &wait);
      else
        hv_kvm_hotplug_del_async (instance, owner, device, 0, NULL, many_done_cb, &wait);
    }
  while (wait.pending > 0)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  return ms_since (start);
}

static void wait_guest (HvTestKvmLaunch *launch, const gchar *action, const gchar *subsystem,
                        gint slot);

/* Every member's guest has seen its addition (then the removal is the
 * guest's ACPI eject, as in a round of one), or its removal. */
static void
many_wait_guests (Member       *members,
                  const gchar  *action,
                  const gchar  *subsystem,
                  gint          slot,
                  HvDeviceType  type)
{
  for (guint i = 0; i < N_MANY; i++)
    {
      HvDevice *device = type == HV_DEVICE_TYPE_DISK ? HV_DEVICE (members[i].disk)
                                                     : HV_DEVICE (members[i].nic);

      wait_guest (members[i].launch, action, subsystem, slot >= 0 ? slot : hv_device_get_pci (device));
    }
}

/* A round of ten: the floor's disk and NIC, then hvkit's. */
static void
many_round (Member *members,
            GArray *samples[N_MANY_OPS][2])
{
  gdouble ms;

  ms = many_floor (members, FLOOR_DISK_ADD);
  g_array_append_val (samples[MANY_DISK_ADD][0], ms);
  many_wait_guests (members, "add", "block", FLOOR_DISK_SLOT, HV_DEVICE_TYPE_DISK);
  many_floor (members, FLOOR_DISK_DEL);
  many_wait_guests (members, "remove", "pci", FLOOR_DISK_SLOT, HV_DEVICE_TYPE_DISK);
  ms = many_floor (members, FLOOR_NIC_ADD);
  g_array_append_val (samples[MANY_NIC_ADD][0], ms);
  many_wait_guests (members, "add", "net", FLOOR_NIC_SLOT, HV_DEVICE_TYPE_NIC);
  many_floor (members, FLOOR_NIC_DEL);
  many_wait_guests (members, "remove", "pci", FLOOR_NIC_SLOT, HV_DEVICE_TYPE_NIC);

  ms = many_hvkit (members, HV_TEST_HOTPLUG_ADD, HV_DEVICE_TYPE_DISK);
  g_array_append_val (samples[MANY_DISK_ADD][1], ms);
  many_wait_guests (members, "add", "block", -1, HV_DEVICE_TYPE_DISK);
  many_hvkit (members, HV_TEST_HOTPLUG_DEL, HV_DEVICE_TYPE_DISK);
  many_wait_guests (members, "remove", "pci", -1, HV_DEVICE_TYPE_DISK);
  ms = many_hvkit (members, HV_TEST_HOTPLUG_ADD, HV_DEVICE_TYPE_NIC);
  g_array_append_val (samples[MANY_NIC_ADD][1], ms);
  many_wait_guests (members, "add", "net", -1, HV_DEVICE_TYPE_NIC);
  many_hvkit (members, HV_TEST_HOTPLUG_DEL, HV_DEVICE_TYPE_NIC);
  many_wait_guests (members, "remove", "pci", -1, HV_DEVICE_TYPE_NIC);
  for (guint i = 0; i < N_MANY; i++)
    {
      hv_device_set_pci (HV_DEVICE (members[i].disk), -1);
      hv_device_set_pci (HV_DEVICE (members[i].nic), -1);
    }
}

/* Ten instances as the one of the single rounds, each with its second
 * monitor; @rounds rounds after one to warm up. */
static void
run_many (guint   rounds,
          GArray *samples[N_MANY_OPS][2])
{
  Member members[N_MANY];

  for (guint i = 0; i < N_MANY; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("bench%u", i);
      g_autofree gchar *socket = NULL;
      g_autofree gchar *extra = NULL;
      g_autoptr(GError) error = NULL;

      members[i].launch = hv_test_kvm_launch_new (name, HV_TEST_KVM_GUEST);
      socket = g_build_filename (hv_test_kvm_launch_get_run_dir (members[i].launch), "floor.qmp",
                                 NULL);
      extra = g_strdup_printf ("-qmp unix:%s,server=on,wait=off", socket);
      hv_test_kvm_launch_set_hvparam (members[i].launch, "kvm_extra",
                                      g_variant_new_string (extra));
      hv_test_kvm_launch_start (members[i].launch, NULL, NULL, &error);
      g_assert_no_error (error);
      members[i].floor = g_new0 (Floor, 1);
      floor_connect (members[i].floor, socket);
      members[i].disk = hv_test_hotplug_new_disk (hv_test_kvm_launch_get_run_dir (members[i].launch),
                                                  DISK_UUID, TRUE);
      members[i].floor_disk = g_strdup (hv_disk_get_link (members[i].disk));
      members[i].nic = hv_test_hotplug_new_nic (NIC_UUID, NIC_MAC);
    }

  {
    GArray *warmup[N_MANY_OPS][2];

    for (guint op = 0; op < N_MANY_OPS; op++)
      for (guint side = 0; side < 2; side++)
        warmup[op][side] = g_array_new (FALSE, FALSE, sizeof (gdouble));
    many_round (members, warmup);
    for (guint op = 0; op < N_MANY_OPS; op++)
      for (guint side = 0; side < 2; side++)
        g_array_unref (warmup[op][side]);
  }
  for (guint round = 0; round < rounds; round++)
    many_round (members, samples);

  for (guint i = 0; i < N_MANY; i++)
    {
      close (members[i].floor->fd);
      g_free (members[i].floor);
      g_free (members[i].floor_disk);
      g_object_unref (members[i].disk);
      g_object_unref (members[i].nic);
      hv_test_kvm_launch_free (members[i].launch);
    }
}

/* ---- main ------------------------------------------------------------------- */

static void
wait_guest (HvTestKvmLaunch *launch,
            const gchar     *action,
            const gchar     *subsystem,
            gint             slot)
{
  /* a block or net device's path goes on below its PCI function's */
  g_autofree gchar *pattern = g_strdup_printf ("^UEVENT %s %s /devices/pci0000:00/0000:00:%02x\\.0%s",
                                               action, subsystem, slot,
                                               g_str_equal (subsystem, "pci") ? "$" : "/");
  g_autoptr(GError) error = NULL;
  g_autofree gchar *line = hv_test_console_wait_for_line (hv_test_kvm_launch_get_serial (launch),
                                                          pattern, HV_TEST_HOTPLUG_TIMEOUT_MS,
                                                          &error);

  g_assert_no_error (error);
}

/* One side's disk and NIC, each added, seen by the guest, removed. */
static void
run_side (HvTestKvmLaunch *launch,
          Side             side,
          Floor           *floor,
          const gchar     *disk_path,
          HvDisk          *disk,
          HvNic           *nic,
          GArray          *samples[N_OPS][N_SIDES])
{
  gdouble ms;
  gint slot;

  if (side == FLOOR)
    {
      ms = floor_disk_add (floor, disk_path);
      g_array_append_val (samples[DISK_ADD][FLOOR], ms);
      wait_guest (launch, "add", "block", FLOOR_DISK_SLOT);
      ms = floor_del (floor, FLOOR_DISK_ID, TRUE);
      g_array_append_val (samples[DISK_DEL][FLOOR], ms);
      wait_guest (launch, "remove", "pci", FLOOR_DISK_SLOT);
      ms = floor_nic_add (floor);
      g_array_append_val (samples[NIC_ADD][FLOOR], ms);
      wait_guest (launch, "add", "net", FLOOR_NIC_SLOT);
      ms = floor_del (floor, FLOOR_NIC_ID, FALSE);
      g_array_append_val (samples[NIC_DEL][FLOOR], ms);
      wait_guest (launch, "remove", "pci", FLOOR_NIC_SLOT);
      return;
    }
  hv_runtime_store_set_durable (hv_kvm_instance_get_store (hv_test_kvm_launch_get_instance (launch)),
                                side == HVKIT);
  ms = hvkit_run (launch, HV_TEST_HOTPLUG_ADD, HV_DEVICE (disk));
  g_array_append_val (samples[DISK_ADD][side], ms);
  wait_guest (launch, "add", "block", hv_device_get_pci (HV_DEVICE (disk)));
  slot = hv_device_get_pci (HV_DEVICE (disk));
  ms = hvkit_run (launch, HV_TEST_HOTPLUG_DEL, HV_DEVICE (disk));
  g_array_append_val (samples[DISK_DEL][side], ms);
  wait_guest (launch, "remove", "pci", slot);
  ms = hvkit_run (launch, HV_TEST_HOTPLUG_ADD, HV_DEVICE (nic));
  g_array_append_val (samples[NIC_ADD][side], ms);
  wait_guest (launch, "add", "net", hv_device_get_pci (HV_DEVICE (nic)));
  slot = hv_device_get_pci (HV_DEVICE (nic));
  ms = hvkit_run (launch, HV_TEST_HOTPLUG_DEL, HV_DEVICE (nic));
  g_array_append_val (samples[NIC_DEL][side], ms);
  wait_guest (launch, "remove", "pci", slot);
  hv_device_set_pci (HV_DEVICE (disk), -1);
  hv_device_set_pci (HV_DEVICE (nic), -1);
}

/* One round: the floor, hvkit durable and hvkit without fsync, each with
 * a disk and a NIC, in an order that turns with @number. A disk's
 * addition comes right after the previous side's NIC removal, which the
 * guest (under TCG) may still be working through, and which slows
 * QEMU's answer to what comes next; turning the order gives every side
 * each predecessor equally often (in a fixed order, hvkit durable always
 * came right after the floor's removal, and only its disk additions
 * paid for that: 0.7 ms at p50 on tmpfs, where its saves cost ~0). */
static void
run_round (HvTestKvmLaunch *launch,
           guint            number,
           Floor           *floor,
           const gchar     *disk_path,
           HvDisk          *disk,
           HvNic           *nic,
           GArray          *samples[N_OPS][N_SIDES])
{
  for (guint i = 0; i < N_SIDES; i++)
    run_side (launch, (Side) ((number + i) % N_SIDES), floor, disk_path, disk, nic, samples);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(HvTestKvmLaunch) launch = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk = NULL;
  g_autoptr(HvNic) nic = NULL;
  g_autofree gchar *floor_socket = NULL;
  g_autofree gchar *extra = NULL;
  g_autofree gchar *floor_disk = NULL;
  GArray *samples[N_OPS][N_SIDES];
  GArray *many[N_MANY_OPS][2];
  const gchar *rounds_env = g_getenv ("HVKIT_BENCH_ROUNDS");
  const gchar *rounds_many_env = g_getenv ("HVKIT_BENCH_ROUNDS_10");
  guint rounds = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10)
                 : rounds_env != NULL ? (guint) g_ascii_strtoull (rounds_env, NULL, 10) : 40;
  guint rounds_many = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10)
                      : rounds_many_env != NULL ? (guint) g_ascii_strtoull (rounds_many_env, NULL, 10)
                      : MAX (rounds / 2, 1);
  Floor *floor = g_new0 (Floor, 1);

  g_main_context_push_thread_default (context);
  if (geteuid () != 0 || g_getenv ("HVKIT_TEST_GUEST_DIR") == NULL)
    {
      g_printerr ("bench-hotplug: needs root (taps) and the test guest (run it through meson)\n");
      return 77;
    }
  /* the floor's names are hvkit's for a device in the floor's slots */
  {
    g_autofree gchar *disk_id = hv_kvm_device_id_new (HV_DEVICE_TYPE_DISK, FLOOR_DISK_UUID,
                                                      FLOOR_DISK_SLOT, 0);
    g_autofree gchar *nic_id = hv_kvm_device_id_new (HV_DEVICE_TYPE_NIC, FLOOR_NIC_UUID,
                                                     FLOOR_NIC_SLOT, 0);

    g_assert_cmpstr (disk_id, ==, FLOOR_DISK_ID);
    g_assert_cmpstr (nic_id, ==, FLOOR_NIC_ID);
  }
  if (g_getenv ("TMPDIR") == NULL && g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR))
    g_setenv ("TMPDIR", "/dev/shm", TRUE);
  hv_test_netns_enter (&error);
  g_assert_no_error (error);
  for (guint op = 0; op < N_OPS; op++)
    for (guint side = 0; side < N_SIDES; side++)
      samples[op][side] = g_array_new (FALSE, FALSE, sizeof (gdouble));
  for (guint op = 0; op < N_MANY_OPS; op++)
    for (guint side = 0; side < 2; side++)
      many[op][side] = g_array_new (FALSE, FALSE, sizeof (gdouble));

  launch = hv_test_kvm_launch_new ("bench", HV_TEST_KVM_GUEST);
  floor_socket = g_build_filename (hv_test_kvm_launch_get_run_dir (launch), "floor.qmp", NULL);
  extra = g_strdup_printf ("-qmp unix:%s,server=on,wait=off", floor_socket);
  hv_test_kvm_launch_set_hvparam (launch, "kvm_extra", g_variant_new_string (extra));
  hv_test_kvm_launch_start (launch, NULL, NULL, &error);
  g_assert_no_error (error);
  floor_connect (floor, floor_socket);

  disk = hv_test_hotplug_new_disk (hv_test_kvm_launch_get_run_dir (launch), DISK_UUID, TRUE);
  floor_disk = g_strdup (hv_disk_get_link (disk));
  nic = hv_test_hotplug_new_nic (NIC_UUID, NIC_MAC);

  /* a round to warm up, not counted */
  {
    GArray *warmup[N_OPS][N_SIDES];

    for (guint op = 0; op < N_OPS; op++)
      for (guint side = 0; side < N_SIDES; side++)
        warmup[op][side] = g_array_new (FALSE, FALSE, sizeof (gdouble));
    run_round (launch, 0, floor, floor_disk, disk, nic, warmup);
    for (guint op = 0; op < N_OPS; op++)
      for (guint side = 0; side < N_SIDES; side++)
        g_array_unref (warmup[op][side]);
  }
  for (guint round = 0; round < rounds; round++)
    run_round (launch, round, floor, floor_disk, disk, nic, samples);
  if (rounds_many > 0)
    run_many (rounds_many, many);

  print_results (samples, rounds, many, rounds_many, hv_test_kvm_launch_get_run_dir (launch));
  for (guint op = 0; op < N_OPS; op++)
    for (guint side = 0; side < N_SIDES; side++)
      g_array_unref (samples[op][side]);
  for (guint op = 0; op < N_MANY_OPS; op++)
    for (guint side = 0; side < 2; side++)
      g_array_unref (many[op][side]);
  close (floor->fd);
  g_free (floor);
  g_main_context_pop_thread_default (context);
  return 0;
}
