/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hv-kvm-capabilities-cache.h"
#include "hv-kvm-cmdline.h"
#include "hv-kvm-params.h"
#include "hv-kvm-qmp-commands.h"
#include "hv-kvm-runtime.h"
#include "hv-kvm-tap.h"
#include "hv-test-async.h"
#include "hv-test-files.h"
#include "hv-test-guest.h"
#include "hv-test-kvm-launch.h"

#define LAUNCH_BOOT_TIMEOUT_MS 90000
#define LAUNCH_KILL_TIMEOUT_MS 10000
/* descriptors QEMU inherits for tap queues start here */
#define LAUNCH_FIRST_FD 10

struct _HvTestKvmLaunch {
  gchar              *name;
  HvTestKvmGuestKind  kind;
  gchar              *run_dir;
  GVariantDict        overrides;
  HvRuntimeStore     *store;
  HvKvmInstance      *instance;
  HvInstance         *owner;
  HvTestConsole      *serial;
  GPid                pid;
  gint                pidfd;
};

static HvKvmCapabilities *
launch_get_capabilities (void)
{
  static HvKvmCapabilities *capabilities;
  g_autoptr(HvKvmCapabilitiesCache) cache = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (capabilities != NULL)
    return capabilities;
  cache = hv_kvm_capabilities_cache_new (NULL);
  hv_kvm_capabilities_cache_lookup_async (cache, hv_test_get_qemu (), NULL, hv_test_store_result, &result);
  capabilities = hv_kvm_capabilities_cache_lookup_finish (cache, hv_test_wait_result (&result),
                                                          &error);
  g_assert_no_error (error);
  return capabilities;
}

HvTestKvmLaunch *
hv_test_kvm_launch_new (const gchar        *name,
                        HvTestKvmGuestKind  kind)
{
  HvTestKvmLaunch *self = g_new0 (HvTestKvmLaunch, 1);
  g_autoptr(GError) error = NULL;

  self->name = g_strdup (name);
  self->kind = kind;
  self->run_dir = g_dir_make_tmp ("hvkit-launch-XXXXXX", &error);
  g_assert_no_error (error);
  self->pidfd = -1;
  g_variant_dict_init (&self->overrides, NULL);
  self->store = hv_kvm_runtime_store_new (self->run_dir);
  return self;
}

void
hv_test_kvm_launch_set_hvparam (HvTestKvmLaunch *self,
                                const gchar     *key,
                                GVariant        *value)
{
  g_variant_dict_insert_value (&self->overrides, key, value);
}

static GVariant *
launch_hvparams (HvTestKvmLaunch *self)
{
  g_autoptr(GVariant) defaults = hv_kvm_params_get_defaults ();
  g_autoptr(GVariant) overrides = g_variant_dict_end (&self->overrides);
  GVariantDict hvparams;
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  g_variant_dict_init (&hvparams, defaults);
  g_variant_dict_insert (&hvparams, "kvm_path", "s", hv_test_get_qemu ());
  if (self->kind == HV_TEST_KVM_GUEST)
    {
      g_autofree gchar *kernel = hv_test_guest_get_kernel ();
      g_autofree gchar *initrd = hv_test_guest_get_initrd ();

      g_variant_dict_insert (&hvparams, "kernel_path", "s", kernel);
      g_variant_dict_insert (&hvparams, "initrd_path", "s", initrd);
      g_variant_dict_insert (&hvparams, "root_path", "s", "");
      g_variant_dict_insert (&hvparams, "kernel_args", "s", hv_test_guest_get_kernel_args ());
    }
  else
    g_variant_dict_insert (&hvparams, "kernel_path", "s", "");
  g_variant_iter_init (&iter, overrides);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_variant_dict_insert_value (&hvparams, key, value);
      g_variant_unref (value);
    }
  g_variant_dict_init (&self->overrides, overrides);
  return g_variant_ref_sink (g_variant_dict_end (&hvparams));
}

static void
launch_make_owner (HvTestKvmLaunch *self,
                   GVariant        *hvparams)
{
  g_clear_object (&self->owner);
  self->owner = hv_instance_new (self->name);
  hv_instance_set_uuid (self->owner, "c0ffee00-1234-4abc-8def-0123456789ab");
  hv_instance_set_beparams (self->owner, g_variant_new_parsed (
    "{'maxmem': <int64 128>, 'memory': <int64 128>, 'vcpus': <int64 1>}"));
  hv_instance_set_hvparams (self->owner, hvparams);
}

static HvKvmRuntime *
launch_copy_record (HvKvmRuntime *record)
{
  g_autoptr(GVariant) variant = hv_kvm_runtime_to_variant (record);
  g_autoptr(GError) error = NULL;
  HvKvmRuntime *copy = hv_kvm_runtime_new_from_variant (variant, &error);

  g_assert_no_error (error);
  return copy;
}

/* The taps of the record's NICs, opened here as the lifecycle would, and
 * their descriptors given to QEMU; the NIC's record keeps its tap. */
static void
launch_open_taps (HvKvmRuntime        *record,
                  GSubprocessLauncher *launcher,
                  HvKvmCmdlineNic     *nics)
{
  gint next_fd = LAUNCH_FIRST_FD;

  for (guint i = 0; i < record->nics->len; i++)
    {
      HvKvmRuntimeDevice *device = g_ptr_array_index (record->nics, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(HvKvmTap) tap = NULL;
      HvDevice *nic = hv_kvm_runtime_device_to_device (device, &error);

      g_assert_no_error (error);
      tap = hv_kvm_tap_open (NULL, TRUE, 1, NULL, &error);
      g_assert_no_error (error);
      hv_kvm_tap_set_mac (tap, hv_nic_get_mac (HV_NIC (nic)), &error);
      g_assert_no_error (error);
      nics[i].nic = HV_NIC (nic);
      nics[i].qemu_id = device->qemu_id;
      nics[i].n_queues = 1;
      nics[i].tap_fds[0] = next_fd;
      g_subprocess_launcher_take_fd (launcher, tap->fds[0], next_fd++);
      tap->fds[0] = -1;
      hv_kvm_runtime_device_set (device, "tap", g_variant_new_string (tap->name));
    }
}

static GPid
launch_read_pid (HvTestKvmLaunch *self)
{
  g_autofree gchar *pidfile = g_strdup_printf ("%s/%s.pid", self->run_dir, self->name);
  g_autofree gchar *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (pidfile, &text, NULL, &error);
  g_assert_no_error (error);
  return (GPid) g_ascii_strtoll (text, NULL, 10);
}

static gboolean
launch_spawn (HvTestKvmLaunch  *self,
              HvKvmRuntime     *record,
              const gchar      *incoming,
              GError          **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) parent = NULL;
  g_autoptr(GArray) disks = g_array_new (FALSE, TRUE, sizeof (HvKvmCmdlineDisk));
  g_autofree HvKvmCmdlineNic *nics = g_new0 (HvKvmCmdlineNic, record->nics->len + 1);
  HvKvmCmdlineConfig config = HV_KVM_CMDLINE_CONFIG_INIT;
  g_auto(GStrv) base = NULL;
  g_auto(GStrv) argv = NULL;
  HvKvmPciStartDevices fixed;

  hv_kvm_cmdline_get_start_devices (record->hvparams, &fixed);
  if (!hv_kvm_runtime_assign_devices (record, &fixed, &config.slots, error))
    return FALSE;
  for (guint i = 0; i < record->disks->len; i++)
    {
      HvKvmRuntimeDevice *device = g_ptr_array_index (record->disks, i);
      HvKvmCmdlineDisk disk = { HV_DISK (hv_kvm_runtime_device_to_device (device, NULL)),
                                device->qemu_id };

      g_array_append_val (disks, disk);
    }
  launch_open_taps (record, launcher, nics);

  config.run_dir = self->run_dir;
  config.capabilities = launch_get_capabilities ();
  config.accel = hv_test_get_accel ();
  config.disks = (HvKvmCmdlineDisk *) disks->data;
  config.n_disks = disks->len;
  config.nics = nics;
  config.n_nics = record->nics->len;
  config.incoming = incoming;
  if (record->argv[0] == NULL)
    {
      base = hv_kvm_cmdline_build_base (self->owner, &config, error);
      if (base == NULL)
        return FALSE;
      g_strfreev (record->argv);
      record->argv = g_strdupv (base);
    }
  argv = hv_kvm_cmdline_build ((const gchar * const *) record->argv, record->hvparams, &config,
                               error);
  for (guint i = 0; i < disks->len; i++)
    g_object_unref (g_array_index (disks, HvKvmCmdlineDisk, i).disk);
  for (guint i = 0; i < record->nics->len; i++)
    g_object_unref (nics[i].nic);
  if (argv == NULL)
    return FALSE;

  parent = g_subprocess_launcher_spawnv (launcher, (const gchar * const *) argv, error);
  if (parent == NULL || !g_subprocess_wait_check (parent, NULL, error))
    return FALSE;
  self->pid = launch_read_pid (self);
  hv_test_qemu_register_pid (self->pid);
  self->pidfd = pidfd_open (self->pid, 0);
  return TRUE;
}

static gboolean
launch_connect_qmp (HvTestKvmLaunch  *self,
                    GError          **error)
{
  g_autoptr(HvKvmQmpClient) qmp = hv_kvm_qmp_client_new ();
  g_autofree gchar *path = hv_kvm_instance_get_path (self->instance, ".qmp");
  g_autoptr(GAsyncResult) result = NULL;

  hv_kvm_qmp_client_connect_async (qmp, path, NULL, hv_test_store_result, &result);
  if (!hv_kvm_qmp_client_connect_finish (qmp, hv_test_wait_result (&result), error))
    return FALSE;
  hv_kvm_instance_set_qmp (self->instance, qmp);
  return TRUE;
}

gboolean
hv_test_kvm_launch_start (HvTestKvmLaunch  *self,
                          HvKvmRuntime     *from,
                          const gchar      *incoming,
                          GError          **error)
{
  g_autoptr(GVariant) hvparams = launch_hvparams (self);
  g_autoptr(HvKvmRuntime) record = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autofree gchar *serial = NULL;

  g_clear_object (&self->instance);
  g_clear_object (&self->serial);
  launch_make_owner (self, hvparams);
  if (from != NULL)
    record = launch_copy_record (from);
  else
    {
      record = hv_kvm_runtime_new (self->name);
      g_free (record->uuid);
      record->uuid = g_strdup (hv_instance_get_uuid (self->owner));
      g_variant_unref (record->hvparams);
      record->hvparams = g_variant_ref (hvparams);
    }
  if (!launch_spawn (self, record, incoming, error))
    return FALSE;

  self->instance = hv_kvm_instance_new (self->name, self->run_dir, self->store);
  hv_kvm_instance_set_runtime (self->instance, g_steal_pointer (&record));
  if (!hv_kvm_instance_save_runtime (self->instance, error) || !launch_connect_qmp (self, error))
    return FALSE;

  self->serial = hv_test_console_new (self->name);
  serial = hv_kvm_instance_get_path (self->instance, ".serial");
  if (!hv_test_console_connect (self->serial, serial, error))
    return FALSE;
  if (incoming == NULL)
    {
      reply = hv_test_kvm_launch_qmp (self, "cont", NULL, error);
      if (reply == NULL)
        return FALSE;
      if (self->kind == HV_TEST_KVM_GUEST)
        {
          g_autofree gchar *ready = hv_test_console_wait_for_line (self->serial,
                                                                   HV_TEST_GUEST_READY_PATTERN,
                                                                   LAUNCH_BOOT_TIMEOUT_MS, error);
          if (ready == NULL)
            return FALSE;
        }
    }
  return TRUE;
}

void
hv_test_kvm_launch_disconnect (HvTestKvmLaunch *self)
{
  if (self->instance != NULL && hv_kvm_instance_get_qmp (self->instance) != NULL)
    {
      hv_kvm_qmp_client_close (hv_kvm_instance_get_qmp (self->instance));
      hv_kvm_instance_set_qmp (self->instance, NULL);
    }
}

gboolean
hv_test_kvm_launch_reconnect (HvTestKvmLaunch  *self,
                              GError          **error)
{
  HvKvmRuntime *record;

  hv_test_kvm_launch_disconnect (self);
  g_clear_object (&self->instance);
  record = hv_kvm_runtime_load (self->store, self->name, error);
  if (record == NULL)
    return FALSE;
  self->instance = hv_kvm_instance_new (self->name, self->run_dir, self->store);
  hv_kvm_instance_set_runtime (self->instance, record);
  return launch_connect_qmp (self, error);
}

void
hv_test_kvm_launch_kill (HvTestKvmLaunch *self)
{
  struct pollfd poll_fd = { .fd = self->pidfd, .events = POLLIN };

  hv_test_kvm_launch_disconnect (self);
  if (self->serial != NULL)
    hv_test_console_close (self->serial);
  if (self->pid <= 0)
    return;
  kill (self->pid, SIGKILL);
  if (self->pidfd >= 0)
    {
      poll (&poll_fd, 1, LAUNCH_KILL_TIMEOUT_MS);
      close (self->pidfd);
      self->pidfd = -1;
    }
  hv_test_qemu_unregister_pid (self->pid);
  self->pid = 0;
}

void
hv_test_kvm_launch_free (HvTestKvmLaunch *self)
{
  if (self == NULL)
    return;
  hv_test_kvm_launch_kill (self);
  g_clear_object (&self->serial);
  g_clear_object (&self->instance);
  g_clear_object (&self->owner);
  g_clear_object (&self->store);
  g_variant_dict_clear (&self->overrides);
  hv_test_remove_tree (self->run_dir);
  g_free (self->run_dir);
  g_free (self->name);
  g_free (self);
}

HvKvmInstance *
hv_test_kvm_launch_get_instance (HvTestKvmLaunch *self)
{
  return self->instance;
}

HvInstance *
hv_test_kvm_launch_get_owner (HvTestKvmLaunch *self)
{
  return self->owner;
}

HvTestConsole *
hv_test_kvm_launch_get_serial (HvTestKvmLaunch *self)
{
  return self->serial;
}

const gchar *
hv_test_kvm_launch_get_run_dir (HvTestKvmLaunch *self)
{
  return self->run_dir;
}

GPid
hv_test_kvm_launch_get_pid (HvTestKvmLaunch *self)
{
  return self->pid;
}

JsonNode *
hv_test_kvm_launch_qmp (HvTestKvmLaunch  *self,
                        const gchar      *command,
                        JsonObject       *arguments,
                        GError          **error)
{
  HvKvmQmpClient *qmp = hv_kvm_instance_get_qmp (self->instance);
  g_autoptr(GAsyncResult) result = NULL;

  hv_kvm_qmp_client_execute_async (qmp, command, arguments, NULL, NULL, hv_test_store_result,
                                   &result);
  return hv_kvm_qmp_client_execute_finish (qmp, hv_test_wait_result (&result), error);
}

GHashTable *
hv_test_kvm_launch_pci_layout (HvTestKvmLaunch *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = hv_test_kvm_launch_qmp (self, "query-pci", NULL, &error);
  GHashTable *layout = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  JsonObject *bus;
  JsonArray *devices;

  g_assert_no_error (error);
  bus = json_array_get_object_element (json_node_get_array (reply), 0);
  devices = json_object_get_array_member (bus, "devices");
  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *device = json_array_get_object_element (devices, i);

      if (json_object_get_int_member (device, "function") != 0)
        continue;
      g_hash_table_insert (layout, GINT_TO_POINTER (json_object_get_int_member (device, "slot")),
                           g_strdup (json_object_get_string_member (device, "qdev_id")));
    }
  return layout;
}

GStrv
hv_test_kvm_launch_block_nodes (HvTestKvmLaunch *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = hv_test_kvm_launch_qmp (self, "query-named-block-nodes", NULL,
                                                      &error);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *nodes;

  g_assert_no_error (error);
  nodes = json_node_get_array (reply);
  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      const gchar *name = json_object_get_string_member (json_array_get_object_element (nodes, i),
                                                         "node-name");

      if (name[0] != '#')
        g_strv_builder_add (builder, name);
    }
  return g_strv_builder_end (builder);
}
