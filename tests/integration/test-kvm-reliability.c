/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm.h"
#include "hv-kvm-process.h"
#include "hv-test.h"
#include "hv-test-files.h"

/*
 * The KVM plugin against a QEMU that does not do what it should: one stuck
 * opening its disk after it wrote its pidfile. Real QEMU, no guest: the
 * instances have no kernel.
 */

#define QEMU             "/usr/bin/qemu-system-x86_64"
#define START_TIMEOUT_MS 3000
#define N_TAKEN_OVER     6
#define N_ROUNDS         8
#define COMMAND_TIMEOUT_MS 3000
#define N_HEALTHY_CALLS  20

/* Every instance name a test here starts: the teardown kills whatever of
 * them is left, even after a failed assertion. */
static const gchar *const test_names[] = { "stuck", "silent", "healthy", "mute", "garbage",
                                           "endless", "hangup", NULL };

typedef struct {
  gchar        *dir;
  HvHypervisor *kvm;
} Fixture;

static HvHypervisor *
new_kvm_full (Fixture *fixture,
              guint    start_timeout_ms,
              guint    command_timeout_ms)
{
  g_autoptr(GError) error = NULL;
  GVariantDict config;
  HvKvm *kvm;

  g_variant_dict_init (&config, NULL);
  g_variant_dict_insert (&config, "run-dir", "s", fixture->dir);
  if (start_timeout_ms > 0)
    g_variant_dict_insert (&config, "start-timeout-ms", "u", start_timeout_ms);
  if (command_timeout_ms > 0)
    g_variant_dict_insert (&config, "command-timeout-ms", "u", command_timeout_ms);
  kvm = hv_kvm_new (g_variant_dict_end (&config), &error);
  g_assert_no_error (error);
  return HV_HYPERVISOR (kvm);
}

static HvHypervisor *
new_kvm (Fixture *fixture,
         guint    start_timeout_ms)
{
  return new_kvm_full (fixture, start_timeout_ms, 0);
}

/* An instance without a kernel: QEMU runs, paused, with nothing to boot. */
static HvInstance *
new_instance (HvHypervisor *kvm,
              const gchar  *name)
{
  g_autoptr(GVariant) defaults = NULL;
  HvInstance *instance = hv_instance_new (name);
  GVariantDict hvparams;

  g_object_get (kvm, "default-hvparams", &defaults, NULL);
  g_variant_dict_init (&hvparams, defaults);
  g_variant_dict_insert (&hvparams, "kvm_path", "s", QEMU);
  g_variant_dict_insert (&hvparams, "kvm_flag", "s", "disabled");
  g_variant_dict_insert (&hvparams, "kernel_path", "s", "");
  hv_instance_set_hvparams (instance, g_variant_dict_end (&hvparams));
  hv_instance_set_beparams (instance, g_variant_new_parsed (
    "{'maxmem': <int64 64>, 'memory': <int64 64>, 'vcpus': <int64 1>}"));
  return instance;
}

/* The processes whose command line names instance @name and this test's
 * run dir: any QEMU of it, whether hvkit follows it or not. */
static GArray *
find_qemus (Fixture     *fixture,
            const gchar *name)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  const gchar *entry;

  g_assert_nonnull (proc);
  while ((entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree gchar *path = g_build_filename ("/proc", entry, "cmdline", NULL);
      g_autofree gchar *cmdline = NULL;
      gsize length = 0;
      gint64 pid;

      if (!g_ascii_string_to_signed (entry, 10, 1, G_MAXINT, &pid, NULL) ||
          !hv_kvm_process_is_instance ((GPid) pid, name) ||
          !g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, fixture->dir) != NULL)
        {
          GPid found = (GPid) pid;

          g_array_append_val (pids, found);
        }
    }
  return pids;
}

static void
kill_qemus (Fixture     *fixture,
            const gchar *name)
{
  g_autoptr(GArray) pids = find_qemus (fixture, name);

  for (guint i = 0; i < pids->len; i++)
    kill ((pid_t) g_array_index (pids, GPid, i), SIGKILL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("hvkit-reliability-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->kvm);
  for (guint i = 0; test_names[i] != NULL; i++)
    kill_qemus (fixture, test_names[i]);
  for (guint i = 0; i < N_TAKEN_OVER; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("taken-%u", i);

      kill_qemus (fixture, name);
    }
  hv_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* -- the tests ------------------------------------------------------------ */

/* QEMU writes its pidfile, then blocks opening its disk, a FIFO nobody
 * writes to: the start times out, and that QEMU is killed with its
 * parent; a second start leaves none either, never two. */
static void
test_stuck_start (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree gchar *fifo = g_build_filename (fixture->dir, "disk.fifo", NULL);
  g_autofree gchar *limit = g_strdup_printf ("%u ms", START_TIMEOUT_MS);
  g_autoptr(HvInstance) instance = NULL;
  g_autoptr(HvDisk) disk = hv_disk_new ();
  g_autoptr(GError) error = NULL;

  if (!g_file_test (QEMU, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no " QEMU);
      return;
    }
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  fixture->kvm = new_kvm (fixture, START_TIMEOUT_MS);
  instance = new_instance (fixture->kvm, "stuck");
  hv_device_set_uuid (HV_DEVICE (disk), "d15c0000-0000-4000-8000-0000000000f1");
  hv_disk_set_size (disk, 16);
  hv_disk_set_mode (disk, "ro");
  hv_disk_set_link (disk, fifo);
  hv_instance_add_disk (instance, disk);

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(GArray) left = NULL;

      g_assert_false (hv_hypervisor_start_instance_sync (fixture->kvm, instance, TRUE, NULL,
                                                         &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_TIMEOUT);
      /* it says the limit, and ends with the limit when QEMU said nothing */
      g_test_message ("start %u: %s", attempt, error->message);
      g_assert_nonnull (strstr (error->message, limit));
      g_assert_false (g_str_has_suffix (error->message, ":"));
      g_assert_false (g_str_has_suffix (error->message, " "));
      g_clear_error (&error);
      left = find_qemus (fixture, "stuck");
      g_assert_cmpuint (left->len, ==, 0);
    }
}

/* A new HvKvm over a run dir whose instances run (a restarted daemon),
 * asked for every instance's info at once, while their takeovers are
 * still queued: all of them are listed, every time. */
static void
test_all_info_after_takeover (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_test (QEMU, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no " QEMU);
      return;
    }
  fixture->kvm = new_kvm (fixture, 0);
  for (guint i = 0; i < N_TAKEN_OVER; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("taken-%u", i);
      g_autoptr(HvInstance) instance = new_instance (fixture->kvm, name);

      g_assert_true (hv_hypervisor_start_instance_sync (fixture->kvm, instance, TRUE, NULL,
                                                        &error));
      g_assert_no_error (error);
    }

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      g_autoptr(GPtrArray) infos = NULL;

      g_clear_object (&fixture->kvm);
      fixture->kvm = new_kvm (fixture, 0);
      infos = hv_hypervisor_get_all_instances_info_sync (fixture->kvm, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (infos->len, ==, N_TAKEN_OVER);
      for (guint i = 0; i < N_TAKEN_OVER; i++)
        {
          HvInstanceInfo *info = g_ptr_array_index (infos, i);
          g_autofree gchar *name = g_strdup_printf ("taken-%u", i);

          g_assert_cmpstr (hv_instance_info_get_name (info), ==, name);
          g_assert_cmpint (hv_instance_info_get_pid (info), >, 0);
          /* asked after its takeover, not reported with a guess */
          g_assert_cmpint (hv_instance_info_get_state (info), ==, HV_INSTANCE_STATE_PAUSED);
        }
    }

  for (guint i = 0; i < N_TAKEN_OVER; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("taken-%u", i);
      g_autoptr(HvInstance) instance = new_instance (fixture->kvm, name);

      g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, instance, TRUE, FALSE, 0,
                                                       NULL, &error));
      g_assert_no_error (error);
    }
}

/* The files under @dir (recursively) whose name starts with @name. */
static void
find_leftovers (const gchar *dir,
                const gchar *name,
                GPtrArray   *found)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const gchar *entry;

  if (listing == NULL)
    return;
  while ((entry = g_dir_read_name (listing)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, entry, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        find_leftovers (path, name, found);
      if (g_str_has_prefix (entry, name))
        g_ptr_array_add (found, g_steal_pointer (&path));
    }
}

static void
assert_nothing_left (Fixture     *fixture,
                     const gchar *name)
{
  g_autoptr(GArray) left = find_qemus (fixture, name);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpuint (left->len, ==, 0);
  find_leftovers (fixture->dir, name, files);
  for (guint i = 0; i < files->len; i++)
    g_test_message ("left behind: %s", (const gchar *) g_ptr_array_index (files, i));
  g_assert_cmpuint (files->len, ==, 0);
}

/* A QEMU whose QMP socket misbehaves (hv-test-fake-qemu-silent, by the
 * name it is run by): the start fails within start-timeout-ms (the spawn,
 * the greeting and qmp_capabilities each have it), not the 60 s of a
 * command, says what QEMU did, and leaves no process and no file of the
 * instance behind. */
typedef struct {
  const gchar *mode;          /* the instance's name and the fake's */
  gint         code;          /* HvError */
  const gchar *says;          /* in the message */
  gboolean     says_limit;    /* …with the start's limit */
} Misbehaviour;

static const Misbehaviour misbehaviours[] = {
  { "silent", HV_ERROR_TIMEOUT, "greeting", TRUE },
  { "mute", HV_ERROR_TIMEOUT, "qmp_capabilities", TRUE },
  { "garbage", HV_ERROR_MONITOR, "does not speak QMP: Malformed", FALSE },
  { "endless", HV_ERROR_MONITOR, "QMP message larger than", FALSE },
  { "hangup", HV_ERROR_MONITOR, "closed the connection before the QMP greeting", FALSE },
};

static void
test_misbehaving_qmp (Fixture       *fixture,
                      gconstpointer  user_data)
{
  const Misbehaviour *misbehaviour = user_data;
  g_autofree gchar *fake = g_test_build_filename (G_TEST_BUILT, "integration",
                                                  "hv-test-fake-qemu-silent", NULL);
  g_autofree gchar *link = NULL;
  g_autofree gchar *limit = g_strdup_printf ("within %u ms", START_TIMEOUT_MS);
  g_autoptr(HvInstance) instance = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict hvparams;
  gint64 started, took;

  if (!g_file_test (QEMU, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no " QEMU);
      return;
    }
  g_assert_true (g_file_test (fake, G_FILE_TEST_IS_EXECUTABLE));
  link = g_strdup_printf ("%s/fake-qemu-%s", fixture->dir, misbehaviour->mode);
  g_assert_cmpint (symlink (fake, link), ==, 0);
  fixture->kvm = new_kvm (fixture, START_TIMEOUT_MS);
  instance = new_instance (fixture->kvm, misbehaviour->mode);
  g_variant_dict_init (&hvparams, hv_instance_get_hvparams (instance));
  g_variant_dict_insert (&hvparams, "kvm_path", "s", link);
  hv_instance_set_hvparams (instance, g_variant_dict_end (&hvparams));

  started = g_get_monotonic_time ();
  g_assert_false (hv_hypervisor_start_instance_sync (fixture->kvm, instance, TRUE, NULL,
                                                     &error));
  took = g_get_monotonic_time () - started;
  g_test_message ("%s: after %" G_GINT64_FORMAT " ms: %s (code %d)", misbehaviour->mode,
                  took / 1000, error->message, error->code);
  g_assert_error (error, HV_ERROR, misbehaviour->code);
  g_assert_nonnull (strstr (error->message, misbehaviour->says));
  if (misbehaviour->says_limit)
    g_assert_nonnull (strstr (error->message, limit));
  /* within its limit, with room for the spawn and a loaded machine; the
   * probe of the fake binary may fall in here too (a real QEMU's) */
  g_assert_cmpint (took, <, 30 * G_USEC_PER_SEC);
  assert_nothing_left (fixture, misbehaviour->mode);
}

/* -- a stopped QEMU ------------------------------------------------------- */

typedef struct {
  gboolean        done;
  gint64          finished;   /* monotonic time it completed */
  HvInstanceInfo *info;
  GError         *error;
} InfoCall;

static void
info_call_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  InfoCall *call = user_data;

  call->info = hv_hypervisor_get_instance_info_finish (HV_HYPERVISOR (source), result,
                                                       &call->error);
  call->finished = g_get_monotonic_time ();
  call->done = TRUE;
}

/* One info call on @name, waited for; returns how long it took (us). */
static gint64
timed_info (HvHypervisor *kvm,
            const gchar  *name)
{
  gint64 started = g_get_monotonic_time ();
  InfoCall call = { 0 };

  hv_hypervisor_get_instance_info_async (kvm, name, NULL, info_call_cb, &call);
  while (!call.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (call.error);
  g_assert_nonnull (call.info);
  g_assert_cmpint (hv_instance_info_get_state (call.info), ==, HV_INSTANCE_STATE_PAUSED);
  g_clear_object (&call.info);
  return call.finished - started;
}

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The median of @n timed info calls on @name (us). */
static gint64
median_info (HvHypervisor *kvm,
             const gchar  *name,
             guint         n,
             gint64       *out_max)
{
  g_autofree gint64 *times = g_new (gint64, n);
  gint64 median;

  for (guint i = 0; i < n; i++)
    times[i] = timed_info (kvm, name);
  qsort (times, n, sizeof (gint64), compare_gint64);
  median = times[n / 2];
  if (out_max != NULL)
    *out_max = times[n - 1];
  return median;
}

static GPid
instance_pid (HvHypervisor *kvm,
              const gchar  *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HvInstanceInfo) info = hv_hypervisor_get_instance_info_sync (kvm, name, NULL,
                                                                          &error);

  g_assert_no_error (error);
  return (GPid) hv_instance_info_get_pid (info);
}

/* Two instances; one's QEMU is stopped (SIGSTOP) with a command sent to
 * it: that call fails with HV_ERROR_TIMEOUT after command-timeout-ms,
 * while the other's calls, made during that time, all complete before it
 * and at their usual speed. After SIGCONT the stopped one answers again:
 * its late reply is dropped, its next call is answered as usual. */
static void
test_stopped_qemu (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(HvInstance) stuck = NULL;
  g_autoptr(HvInstance) healthy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *limit = g_strdup_printf ("%u ms", COMMAND_TIMEOUT_MS);
  InfoCall stopped = { 0 };
  gint64 before, before_max, during_max = 0, sent;
  GPid pid;

  if (!g_file_test (QEMU, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no " QEMU);
      return;
    }
  fixture->kvm = new_kvm_full (fixture, 0, COMMAND_TIMEOUT_MS);
  stuck = new_instance (fixture->kvm, "stuck");
  healthy = new_instance (fixture->kvm, "healthy");
  g_assert_true (hv_hypervisor_start_instance_sync (fixture->kvm, stuck, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hv_hypervisor_start_instance_sync (fixture->kvm, healthy, TRUE, NULL,
                                                    &error));
  g_assert_no_error (error);
  before = median_info (fixture->kvm, "healthy", N_HEALTHY_CALLS, &before_max);

  pid = instance_pid (fixture->kvm, "stuck");
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  sent = g_get_monotonic_time ();
  hv_hypervisor_get_instance_info_async (fixture->kvm, "stuck", NULL, info_call_cb, &stopped);
  for (guint i = 0; i < N_HEALTHY_CALLS; i++)
    {
      gint64 took = timed_info (fixture->kvm, "healthy");

      during_max = MAX (during_max, took);
      /* not queued behind the stopped instance's call */
      g_assert_false (stopped.done);
    }
  g_test_message ("healthy info: median %" G_GINT64_FORMAT " us, slowest %" G_GINT64_FORMAT
                  " us before; slowest %" G_GINT64_FORMAT " us while the other was stopped",
                  before, before_max, during_max);
  /* their usual speed, with room for a loaded machine: far from the
   * stopped one's timeout */
  g_assert_cmpint (during_max, <, MAX (20 * before_max, 500 * 1000));

  while (!stopped.done)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("stopped instance: %s after %" G_GINT64_FORMAT " ms",
                  stopped.error != NULL ? stopped.error->message : "answered",
                  (stopped.finished - sent) / 1000);
  g_assert_null (stopped.info);
  g_assert_error (stopped.error, HV_ERROR, HV_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (stopped.error->message, limit));
  g_assert_cmpint (stopped.finished - sent, >=, (gint64) COMMAND_TIMEOUT_MS * 1000);
  g_assert_cmpint (stopped.finished - sent, <, (gint64) COMMAND_TIMEOUT_MS * 1000 * 4);
  g_clear_error (&stopped.error);

  /* woken up, it answers again; the healthy one never noticed */
  g_assert_cmpint (kill (pid, SIGCONT), ==, 0);
  for (guint i = 0; i < 3; i++)
    timed_info (fixture->kvm, "stuck");
  g_assert_cmpint (instance_pid (fixture->kvm, "stuck"), ==, pid);
  timed_info (fixture->kvm, "healthy");

  g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, stuck, TRUE, FALSE, 0, NULL,
                                                   &error));
  g_assert_no_error (error);
  g_assert_true (hv_hypervisor_stop_instance_sync (fixture->kvm, healthy, TRUE, FALSE, 0,
                                                   NULL, &error));
  g_assert_no_error (error);
}

static void
assert_invalid_name (const gchar *entry_point,
                     GError      *error)
{
  if (!g_error_matches (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER) ||
      strstr (error->message, "Invalid instance name") == NULL)
    g_error ("%s answered '../evil' with: %s", entry_point,
             error != NULL ? error->message : "success");
}

/* Every method that takes an instance's name refuses a bad one the same
 * way, before anything is looked up or built from it: none says "not
 * running" or succeeds. No QEMU is needed to be refused. */
static void
test_bad_name (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(HvInstance) evil = NULL;
  g_autoptr(HvDisk) disk = hv_disk_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HvInstanceInfo) info = NULL;
  g_autoptr(HvConsole) console = NULL;
  HvDevice *device = HV_DEVICE (disk);

  fixture->kvm = new_kvm (fixture, 0);
  evil = new_instance (fixture->kvm, "../evil");
  hv_device_set_uuid (device, "d15c0000-0000-4000-8000-0000000000e1");
  hv_disk_set_size (disk, 16);
  hv_disk_set_mode (disk, "rw");
  hv_disk_set_link (disk, "/dev/null");

#define CHECK(entry_point, call) \
  G_STMT_START { \
    g_assert_false (call); \
    assert_invalid_name (entry_point, error); \
    g_clear_error (&error); \
  } G_STMT_END
  CHECK ("start", hv_hypervisor_start_instance_sync (fixture->kvm, evil, TRUE, NULL, &error));
  CHECK ("stop", hv_hypervisor_stop_instance_sync (fixture->kvm, evil, FALSE, FALSE, 0, NULL,
                                                   &error));
  CHECK ("forced stop", hv_hypervisor_stop_instance_sync (fixture->kvm, evil, TRUE, FALSE, 0,
                                                          NULL, &error));
  CHECK ("reboot", hv_hypervisor_reboot_instance_sync (fixture->kvm, evil, NULL, &error));
  CHECK ("cleanup", hv_hypervisor_cleanup_instance_sync (fixture->kvm, "../evil", NULL, &error));
  CHECK ("balloon", hv_hypervisor_balloon_instance_memory_sync (fixture->kvm, evil, 32, NULL,
                                                                &error));
  CHECK ("hotplug supported", hv_hypervisor_hotplug_supported_sync (fixture->kvm, evil, NULL,
                                                                    &error));
  CHECK ("hot-add", hv_hypervisor_hot_add_device_sync (fixture->kvm, evil, device, 0, NULL,
                                                       &error));
  CHECK ("hot-del", hv_hypervisor_hot_del_device_sync (fixture->kvm, evil, device, 0, NULL,
                                                       &error));
  CHECK ("hot-mod", hv_hypervisor_hot_mod_device_sync (fixture->kvm, evil, device, 0, NULL,
                                                       &error));
#undef CHECK
  info = hv_hypervisor_get_instance_info_sync (fixture->kvm, "../evil", NULL, &error);
  g_assert_null (info);
  assert_invalid_name ("info", error);
  g_clear_error (&error);
  console = hv_hypervisor_get_instance_console (fixture->kvm, evil, &error);
  g_assert_null (console);
  assert_invalid_name ("console", error);
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/kvm/reliability/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("stuck-start", test_stuck_start);
  ADD ("bad-name", test_bad_name);
  for (gsize i = 0; i < G_N_ELEMENTS (misbehaviours); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/kvm/reliability/misbehaving-qmp/%s",
                                                misbehaviours[i].mode);

      g_test_add (path, Fixture, &misbehaviours[i], fixture_set_up, test_misbehaving_qmp,
                  fixture_tear_down);
    }
  ADD ("all-info-after-takeover", test_all_info_after_takeover);
  ADD ("stopped-qemu", test_stopped_qemu);
#undef ADD

  return g_test_run ();
}
