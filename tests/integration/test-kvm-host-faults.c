/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm.h"
#include "hv-kvm-runtime.h"
#include "hv-test.h"
#include "hv-test-files.h"
#include "hv-test-leftovers.h"
#include "hv-test-netns.h"

/*
 * The host's faults under the KVM plugin, real QEMU without a guest (the
 * instances have no kernel): the run dir's filesystem full, /dev/net/tun
 * unavailable, a bridge that does not exist, a disk that cannot be opened
 * for writing. The test runs in a private mount namespace (and network
 * namespace) of its own, made before any thread: the small tmpfs of the
 * run dir and the bind mount over /dev/net/tun exist only there and go
 * with the process, whatever happens to it. Needs root; skipped without.
 */

#define QEMU        "/usr/bin/qemu-system-x86_64"
#define VICTIM      "victim"
#define DISK_UUID   "fa170001-0000-4000-8000-000000000001"
#define NIC_UUID    "fa170002-0000-4000-8000-000000000002"
#define NIC_MAC     "52:54:00:fa:00:02"
#define PAGE        4096
#define MAX_PAGES   32
#define TMPFS_SIZE  "size=2m"

static gboolean in_namespaces;
static guint unexpected_warnings;   /* see log_writer() */

typedef struct {
  gchar        *dir;       /* scripts, disks, QEMU's wrapper */
  gchar        *run_dir;   /* on a small tmpfs of its own */
  gchar        *runs;      /* one line per QEMU started (-daemonize) */
  HvHypervisor *kvm;
  HvInstance   *victim;
} Fixture;

static void
write_script (const gchar *path,
              const gchar *body)
{
  g_autofree gchar *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0700), ==, 0);
}

static HvInstance *
new_instance (Fixture     *fixture,
              const gchar *name)
{
  g_autoptr(GVariant) defaults = NULL;
  g_autofree gchar *wrapper = g_build_filename (fixture->dir, "qemu", NULL);
  HvInstance *instance = hv_instance_new (name);
  GVariantDict hvparams;

  g_object_get (fixture->kvm, "default-hvparams", &defaults, NULL);
  g_variant_dict_init (&hvparams, defaults);
  g_variant_dict_insert (&hvparams, "kvm_path", "s", wrapper);
  g_variant_dict_insert (&hvparams, "kvm_flag", "s", "disabled");
  g_variant_dict_insert (&hvparams, "kernel_path", "s", "");
  hv_instance_set_hvparams (instance, g_variant_dict_end (&hvparams));
  hv_instance_set_beparams (instance, g_variant_new_parsed (
    "{'maxmem': <int64 64>, 'memory': <int64 64>, 'vcpus': <int64 1>}"));
  return instance;
}

static HvDisk *
new_disk (const gchar *path,
          const gchar *mode)
{
  HvDisk *disk = hv_disk_new ();

  hv_device_set_uuid (HV_DEVICE (disk), DISK_UUID);
  hv_disk_set_size (disk, 16);
  hv_disk_set_mode (disk, mode);
  hv_disk_set_link (disk, path);
  return disk;
}

static HvNic *
new_nic (const gchar *bridge)
{
  HvNic *nic = hv_nic_new ();

  hv_device_set_uuid (HV_DEVICE (nic), NIC_UUID);
  hv_nic_set_mac (nic, NIC_MAC);
  hv_nic_set_mode (nic, "bridged");
  hv_nic_set_link (nic, bridge);
  return nic;
}

static HvDevice *
new_device (Fixture      *fixture,
            HvDeviceType  type)
{
  g_autofree gchar *disk = g_build_filename (fixture->dir, "disk.img", NULL);

  if (type == HV_DEVICE_TYPE_NIC)
    return HV_DEVICE (new_nic ("br0"));
  return HV_DEVICE (new_disk (disk, "rw"));
}

static guint
count_runs (Fixture *fixture)
{
  g_autofree gchar *contents = NULL;
  guint runs = 0;

  if (!g_file_get_contents (fixture->runs, &contents, NULL, NULL))
    return 0;
  for (const gchar *p = contents; *p != '\0'; p++)
    runs += *p == '\n';
  return runs;
}

static guint
count_taps (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) taps = hv_test_netns_list_taps (&error);

  g_assert_no_error (error);
  return g_strv_length (taps);
}

static void
start (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_hypervisor_start_instance_sync (fixture->kvm, fixture->victim, TRUE, NULL,
                                                    &error));
  g_assert_no_error (error);
}

static void
stop (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, fixture->victim, TRUE, FALSE, 0,
                                                   NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *disk = NULL;
  g_autofree gchar *wrapper = NULL;
  g_autofree gchar *wrapper_body = NULL;
  g_autofree gchar *ifup = NULL;
  g_autofree gchar *ifdown = NULL;
  GVariantDict config;
  HvKvm *kvm;

  if (!in_namespaces || !g_file_test (QEMU, G_FILE_TEST_IS_EXECUTABLE))
    return;
  fixture->dir = g_dir_make_tmp ("hvkit-faults-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->run_dir = g_build_filename (fixture->dir, "run", NULL);
  g_assert_cmpint (g_mkdir (fixture->run_dir, 0700), ==, 0);
  if (mount ("hvkit-test", fixture->run_dir, "tmpfs", MS_NOSUID | MS_NODEV, TMPFS_SIZE) != 0)
    g_error ("cannot mount a tmpfs on %s: %s", fixture->run_dir, g_strerror (errno));

  disk = g_build_filename (fixture->dir, "disk.img", NULL);
  g_assert_true (g_file_set_contents (disk, "", 0, &error));
  g_assert_cmpint (truncate (disk, 16 * 1024 * 1024), ==, 0);
  /* QEMU through a wrapper that counts the starts (not the probes) */
  fixture->runs = g_build_filename (fixture->dir, "runs", NULL);
  wrapper = g_build_filename (fixture->dir, "qemu", NULL);
  wrapper_body = g_strdup_printf ("case \" $* \" in *' -daemonize '*) echo run >> '%s';; esac\n"
                                  "exec " QEMU " \"$@\"", fixture->runs);
  write_script (wrapper, wrapper_body);
  ifup = g_build_filename (fixture->dir, "ifup", NULL);
  ifdown = g_build_filename (fixture->dir, "ifdown", NULL);
  write_script (ifup, "ip link set \"$INTERFACE\" master \"$BRIDGE\" up");
  write_script (ifdown, "exit 0");

  g_variant_dict_init (&config, NULL);
  g_variant_dict_insert (&config, "run-dir", "s", fixture->run_dir);
  g_variant_dict_insert (&config, "ifup-script", "s", ifup);
  g_variant_dict_insert (&config, "ifdown-script", "s", ifdown);
  g_variant_dict_insert (&config, "removal-timeout-ms", "u", 1000);
  kvm = hv_kvm_new (g_variant_dict_end (&config), &error);
  g_assert_no_error (error);
  fixture->kvm = HV_HYPERVISOR (kvm);
  fixture->victim = new_instance (fixture, VICTIM);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_assert_cmpuint (unexpected_warnings, ==, 0);
  if (fixture->dir == NULL)
    return;
  g_clear_object (&fixture->victim);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fixture->kvm);
  hv_test_kill_qemus (fixture->run_dir, VICTIM);
  if (umount2 (fixture->run_dir, MNT_DETACH) != 0)
    g_error ("cannot unmount %s: %s", fixture->run_dir, g_strerror (errno));
  hv_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->run_dir);
  g_free (fixture->runs);
}

static gboolean
require_namespaces (Fixture *fixture)
{
  if (fixture->dir == NULL)
    {
      g_test_skip ("needs root (a private mount and network namespace) and " QEMU);
      return FALSE;
    }
  return TRUE;
}

/* -- the run dir's filesystem full ------------------------------------------ */

/* Fills the run dir's filesystem, then gives back @free_pages pages:
 * returns the filler's path. */
static gchar *
fill_run_dir (Fixture *fixture,
              guint    free_pages)
{
  gchar *filler = g_build_filename (fixture->run_dir, "filler", NULL);
  static const gchar block[PAGE] = { 0 };
  gint fd = g_open (filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  off_t size = 0;

  g_assert_cmpint (fd, >=, 0);
  for (;;)
    {
      ssize_t written = write (fd, block, sizeof block);

      if (written < 0)
        {
          g_assert_cmpint (errno, ==, ENOSPC);
          break;
        }
      size += written;
      if (written < (ssize_t) sizeof block)
        break;
    }
  size -= size % PAGE;
  g_assert_cmpint (size, >=, (off_t) free_pages * PAGE);
  g_assert_cmpint (ftruncate (fd, size - (off_t) free_pages * PAGE), ==, 0);
  close (fd);
  return filler;
}

/* The record on disk loads: whether it holds the device, and how many
 * operations its journal has pending. */
static gboolean
record_has_device (Fixture      *fixture,
                   HvDeviceType  type,
                   guint        *out_pending)
{
  g_autoptr(HvRuntimeStore) store = hv_kvm_runtime_store_new (fixture->run_dir);
  g_autoptr(GError) error = NULL;
  HvKvmRuntime *runtime = hv_kvm_runtime_load (store, VICTIM, &error);
  GPtrArray *devices;
  gboolean found = FALSE;

  g_assert_no_error (error);
  g_assert_nonnull (runtime);
  devices = type == HV_DEVICE_TYPE_DISK ? runtime->disks : runtime->nics;
  for (guint i = 0; i < devices->len; i++)
    found |= g_strcmp0 (hv_kvm_runtime_device_get_string (g_ptr_array_index (devices, i),
                                                           "uuid"),
                        type == HV_DEVICE_TYPE_DISK ? DISK_UUID : NIC_UUID) == 0;
  g_test_message ("the record loads: %u disk(s), %u NIC(s), %u pending", runtime->disks->len,
                  runtime->nics->len, runtime->pending->len);
  if (out_pending != NULL)
    *out_pending = runtime->pending->len;
  hv_kvm_runtime_free (runtime);
  return found;
}

/* Where @error says it could not write, in the run dir, for want of
 * space: the file, added to @files. */
static void
assert_names_file (Fixture   *fixture,
                   GError    *error,
                   GPtrArray *files)
{
  const gchar *quoted = strstr (error->message, fixture->run_dir);

  g_assert_nonnull (quoted);
  g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
  g_ptr_array_add (files, g_strndup (quoted, strcspn (quoted, "'")));
}

static gboolean
files_have (GPtrArray   *files,
            const gchar *part)
{
  for (guint i = 0; i < files->len; i++)
    if (strstr (g_ptr_array_index (files, i), part) != NULL)
      return TRUE;
  return FALSE;
}

/* A hot-add with 0, 1, 2… pages free on the run dir's filesystem, until it
 * succeeds: each failure names the file it could not write and leaves a
 * record that loads and does not hold the device, unless with its
 * removal pending (QEMU had it already). Rolled back before
 * device_add, no tap is left and, once there is room again, the same
 * device is hot-added (nothing of the failed one is in its way); rolled
 * back after it, the removal waits for a guest these instances do not
 * have (pending in the journal) and the stop takes the rest. */
/* With TRUSTED_VIEW, a first disk is hot-added before the filesystem
 * fills: the next addition trusts the bus it saw, and a disk's
 * blockdev-add then goes out before its intent is saved (a failed save
 * must delete the node QEMU made meanwhile). */
#define TRUSTED_VIEW 0x100
#define FIRST_DISK_UUID "fa170003-0000-4000-8000-000000000003"

static void
add_first_disk (Fixture *fixture)
{
  g_autofree gchar *path = g_build_filename (fixture->dir, "first.img", NULL);
  g_autoptr(HvDisk) disk = new_disk (path, "rw");
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "", 0, &error));
  g_assert_cmpint (truncate (path, 1024 * 1024), ==, 0);
  hv_device_set_uuid (HV_DEVICE (disk), FIRST_DISK_UUID);
  g_assert_true (hv_hypervisor_hot_add_device_sync (fixture->kvm, fixture->victim, HV_DEVICE (disk),
                                                    0, NULL, &error));
  g_assert_no_error (error);
}

static void
test_full_run_dir (Fixture       *fixture,
                   gconstpointer  user_data)
{
  HvDeviceType type = GPOINTER_TO_INT (user_data) & 0xff;
  gboolean trusted = (GPOINTER_TO_INT (user_data) & TRUSTED_VIEW) != 0;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint pages;

  if (!require_namespaces (fixture))
    return;
  for (pages = 0; pages < MAX_PAGES; pages++)
    {
      g_autoptr(HvDevice) device = new_device (fixture, type);
      g_autoptr(GError) error = NULL;
      g_autofree gchar *filler = NULL;
      guint pending = 0;
      gboolean ok;

      start (fixture);
      if (trusted)
        add_first_disk (fixture);
      filler = fill_run_dir (fixture, pages);
      ok = hv_hypervisor_hot_add_device_sync (fixture->kvm, fixture->victim, device, 0, NULL,
                                              &error);
      g_test_message ("%u page(s) free: %s", pages, ok ? "added" : error->message);
      if (ok)
        {
          g_assert_cmpint (g_unlink (filler), ==, 0);
          g_assert_true (record_has_device (fixture, type, NULL));
          stop (fixture);
          break;
        }
      assert_names_file (fixture, error, files);
      g_clear_error (&error);
      /* not added; or, where QEMU had it already, its removal pending */
      if (record_has_device (fixture, type, &pending))
        g_assert_cmpuint (pending, ==, 1);
      g_assert_cmpint (g_unlink (filler), ==, 0);
      if (pending == 0)
        {
          g_assert_cmpuint (count_taps (), ==, 0);
          g_assert_true (hv_hypervisor_hot_add_device_sync (fixture->kvm, fixture->victim, device,
                                                            0, NULL, &error));
          g_assert_no_error (error);
          g_assert_true (record_has_device (fixture, type, NULL));
        }
      stop (fixture);
      g_assert_cmpuint (count_taps (), ==, 0);
      g_assert_cmpuint (hv_test_count_qemus (fixture->run_dir, VICTIM), ==, 0);
    }
  g_assert_cmpuint (pages, <, MAX_PAGES);
  for (guint i = 0; i < files->len; i++)
    g_test_message ("could not write: %s", (const gchar *) g_ptr_array_index (files, i));
  /* the journal, and a NIC's files */
  g_assert_true (files_have (files, ".runtime"));
  if (type == HV_DEVICE_TYPE_NIC)
    g_assert_true (files_have (files, "/nic/"));
}

/* A start with 0, 1, 2… pages free, until it succeeds: QEMU's pidfile,
 * then hvkit's record. Each failure says which file, leaves no QEMU and no
 * file of the instance; the next start, with room, works. */
static void
test_full_run_dir_start (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint pages;

  if (!require_namespaces (fixture))
    return;
  for (pages = 0; pages < MAX_PAGES; pages++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) left = g_ptr_array_new_with_free_func (g_free);
      g_autofree gchar *filler = fill_run_dir (fixture, pages);
      gboolean ok;

      ok = hv_hypervisor_start_instance_sync (fixture->kvm, fixture->victim, TRUE, NULL, &error);
      g_test_message ("%u page(s) free: %s", pages, ok ? "started" : error->message);
      g_assert_cmpint (g_unlink (filler), ==, 0);
      if (ok)
        {
          stop (fixture);
          break;
        }
      /* hvkit's files are named; QEMU, which cannot write its pidfile,
       * cannot write what it says about it to its log either */
      if (strstr (error->message, "failed to start") == NULL)
        assert_names_file (fixture, error, files);
      g_assert_cmpuint (hv_test_count_qemus (fixture->run_dir, VICTIM), ==, 0);
      hv_test_find_files (fixture->run_dir, VICTIM, left);
      for (guint i = 0; i < left->len; i++)
        g_test_message ("left behind: %s", (const gchar *) g_ptr_array_index (left, i));
      g_assert_cmpuint (left->len, ==, 0);
      start (fixture);
      stop (fixture);
    }
  g_assert_cmpuint (pages, <, MAX_PAGES);
  g_assert_true (files_have (files, ".runtime"));
}

/* -- the host's devices, bridges and disks ---------------------------------- */

typedef enum {
  NO_TUN_ABSENT,      /* /dev/net is empty */
  NO_TUN_NOT_TUN,     /* /dev/null where /dev/net/tun was */
} NoTun;

/* Starts @instance expecting a failure that says @says, before QEMU was
 * run and with nothing of the instance left. */
static void
assert_start_refused (Fixture     *fixture,
                      HvInstance  *instance,
                      const gchar *says)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) left = g_ptr_array_new_with_free_func (g_free);
  guint runs = count_runs (fixture);

  g_assert_false (hv_hypervisor_start_instance_sync (fixture->kvm, instance, TRUE, NULL, &error));
  g_test_message ("start: %s", error->message);
  g_assert_nonnull (strstr (error->message, says));
  g_assert_cmpuint (count_runs (fixture), ==, runs);
  g_assert_cmpuint (hv_test_count_qemus (fixture->run_dir, hv_instance_get_name (instance)), ==,
                    0);
  hv_test_find_files (fixture->run_dir, hv_instance_get_name (instance), left);
  for (guint i = 0; i < left->len; i++)
    g_test_message ("left behind: %s", (const gchar *) g_ptr_array_index (left, i));
  g_assert_cmpuint (left->len, ==, 0);
  g_assert_cmpuint (count_taps (), ==, 0);
}

/* Without /dev/net/tun a start with a NIC is refused before QEMU runs,
 * and a NIC hot-add into a running instance fails and is undone: the
 * instance goes on as it was. */
static void
test_no_tun (Fixture       *fixture,
             gconstpointer  user_data)
{
  NoTun how = GPOINTER_TO_INT (user_data);
  g_autoptr(HvNic) nic = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_namespaces (fixture))
    return;
  /* the instance runs before the device goes */
  start (fixture);
  if (how == NO_TUN_ABSENT)
    g_assert_cmpint (mount ("hvkit-test", "/dev/net", "tmpfs", MS_NOSUID, "size=4k"), ==, 0);
  else
    g_assert_cmpint (mount ("/dev/null", "/dev/net/tun", NULL, MS_BIND, NULL), ==, 0);

  nic = new_nic ("br0");
  g_assert_false (hv_hypervisor_hot_add_device_sync (fixture->kvm, fixture->victim,
                                                     HV_DEVICE (nic), 0, NULL, &error));
  g_test_message ("hot-add: %s", error->message);
  g_assert_true (error->domain == HV_ERROR);
  g_assert_nonnull (strstr (error->message, "/dev/net/tun"));
  g_clear_error (&error);
  g_assert_false (record_has_device (fixture, HV_DEVICE_TYPE_NIC, NULL));
  g_assert_cmpuint (count_taps (), ==, 0);
  stop (fixture);

  hv_instance_add_nic (fixture->victim, nic);
  assert_start_refused (fixture, fixture->victim, "/dev/net/tun");

  g_assert_cmpint (umount2 (how == NO_TUN_ABSENT ? "/dev/net" : "/dev/net/tun", 0), ==, 0);
  start (fixture);
  stop (fixture);
}

/* A NIC on a bridge that does not exist: refused before QEMU runs, by
 * the ifup script, which is what knows what a NIC's link means (a script
 * may make its bridge on demand), its output in the error. */
static void
test_no_bridge (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(HvNic) nic = new_nic ("br-missing");

  if (!require_namespaces (fixture))
    return;
  hv_instance_add_nic (fixture->victim, nic);
  assert_start_refused (fixture, fixture->victim, "br-missing");
}

/* A disk QEMU cannot open as asked: one on a read-only filesystem (root's
 * rights do not help there, unlike a file's mode), and a directory. */
static void
test_bad_disk (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autofree gchar *path = g_build_filename (fixture->dir, "disk.img", NULL);
  g_autoptr(HvDisk) read_only = NULL;
  g_autoptr(HvDisk) directory = NULL;
  g_autoptr(HvInstance) other = NULL;

  if (!require_namespaces (fixture))
    return;
  g_assert_cmpint (mount (path, path, NULL, MS_BIND, NULL), ==, 0);
  g_assert_cmpint (mount (NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), ==, 0);
  read_only = new_disk (path, "rw");
  hv_instance_add_disk (fixture->victim, read_only);
  assert_start_refused (fixture, fixture->victim, path);
  g_assert_cmpint (umount2 (path, 0), ==, 0);

  other = new_instance (fixture, "other");
  directory = new_disk (fixture->dir, "rw");
  hv_instance_add_disk (other, directory);
  assert_start_refused (fixture, other, fixture->dir);
}

/* A warning that a file could not be written for want of space is what
 * hvkit should log while the filesystem is full (a journal entry it could
 * not clear, say), and so is a rollback's removal left pending (these
 * instances have no guest to release a device): warnings are not fatal
 * here, but any other warning fails the test in its teardown. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  if (log_level & G_LOG_LEVEL_WARNING)
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "MESSAGE") &&
            (fields[i].length >= 0 ||
             (strstr (fields[i].value, g_strerror (ENOSPC)) == NULL &&
              strstr (fields[i].value, "its removal is pending") == NULL)))
          {
            g_printerr ("unexpected warning (%" G_GSSIZE_FORMAT "): %s\n", fields[i].length,
                        fields[i].length < 0 ? (const gchar *) fields[i].value : "(binary)");
            unexpected_warnings++;
          }
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  /* before any thread: a mount namespace is the process's, and unshare()
   * refuses it to a process with threads */
  if (geteuid () == 0 && access ("/dev/net/tun", R_OK | W_OK) == 0 &&
      unshare (CLONE_NEWNS) == 0 &&
      mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
    in_namespaces = TRUE;

  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  if (in_namespaces)
    {
      hv_test_netns_enter (&error);
      g_assert_no_error (error);
      hv_test_netns_add_bridge ("br0", &error);
      g_assert_no_error (error);
    }

#define ADD(path, data, func) \
  g_test_add ("/kvm/host-faults/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("full-run-dir/hot-add-disk", GINT_TO_POINTER (HV_DEVICE_TYPE_DISK), test_full_run_dir);
  ADD ("full-run-dir/hot-add-disk-trusted", GINT_TO_POINTER (HV_DEVICE_TYPE_DISK | TRUSTED_VIEW),
       test_full_run_dir);
  ADD ("full-run-dir/hot-add-nic", GINT_TO_POINTER (HV_DEVICE_TYPE_NIC), test_full_run_dir);
  ADD ("full-run-dir/start", NULL, test_full_run_dir_start);
  ADD ("no-tun/absent", GINT_TO_POINTER (NO_TUN_ABSENT), test_no_tun);
  ADD ("no-tun/not-a-tun", GINT_TO_POINTER (NO_TUN_NOT_TUN), test_no_tun);
  ADD ("no-bridge", NULL, test_no_bridge);
  ADD ("bad-disk", NULL, test_bad_disk);
#undef ADD

  return g_test_run ();
}
