/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gstdio.h>

#include "hv-kvm-runtime.h"

typedef struct {
  gchar *run_dir;
  HvRuntimeStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->run_dir = g_dir_make_tmp ("hvkit-kvm-runtime-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = hv_kvm_runtime_store_new (fixture->run_dir);
  hv_runtime_store_set_durable (fixture->store, FALSE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(GStrv) names = hv_runtime_store_list (fixture->store, NULL);
  g_autofree gchar *conf = g_build_filename (fixture->run_dir, "conf", NULL);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    hv_runtime_store_remove (fixture->store, names[i], NULL);
  g_clear_object (&fixture->store);
  g_rmdir (conf);
  g_rmdir (fixture->run_dir);
  g_free (fixture->run_dir);
}

static GVariant *
parse_variant (const gchar *text)
{
  g_autoptr(GError) error = NULL;
  GVariant *value = g_variant_parse (NULL, text, NULL, NULL, &error);

  /* (transfer full), not floating */
  g_assert_no_error (error);
  return value;
}

/* A record with every field set, devices and operations carrying keys no
 * one knows, and a top-level key from the future. */
static HvKvmRuntime *
make_full_record (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) record = parse_variant (
    "{'name': <'inst1.example.com'>,"
    " 'uuid': <'4f3b2c1d-8e7a-4b6c-9d0e-1f2a3b4c5d6e'>,"
    " 'argv': <['/usr/bin/qemu-system-x86_64', '-name', 'inst1.example.com', '-S']>,"
    " 'hvparams': <{'acpi': <true>, 'disk_cache': <'none'>, 'migration_downtime': <int64 30>}>,"
    " 'disks': <[{'uuid': <'1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6'>, 'size': <int64 10240>, 'mode': <'rw'>,"
    "             'link': <'/var/run/hvkit/disks/inst1:0'>, 'uri': <'rbd:pool/inst1-0'>,"
    "             'params': <{'cache': <'writeback'>}>, 'pci': <12>, 'qemu_id': <'disk-1a2b3c4d-pci-12'>,"
    "             'x-disk-future': <(1, 'two')>},"
    "            {'uuid': <'c0ffee00-1234-4abc-9def-0123456789ab'>, 'size': <int64 1>, 'mode': <'ro'>,"
    "             'link': <'/dev/vg/b'>, 'pci': <-1>}]>,"
    " 'nics': <[{'uuid': <'8c5f0b5e-2d3a-4e1f-9b7c-6a5d4e3f2a1b'>, 'mac': <'aa:00:00:12:34:56'>,"
    "            'mode': <'bridged'>, 'link': <'br0'>, 'vlan': <'.100'>, 'ip': <'192.0.2.10'>,"
    "            'network': <{'name': <'net1'>, 'tags': <['a', 'b']>}>, 'pci': <13>,"
    "            'qemu_id': <'nic-8c5f0b5e-pci-13'>, 'x-nic-future': <true>}]>,"
    " 'qemu_version': <'7.2.0'>, 'machine': <'pc-i440fx-7.2'>,"
    " 'pending': <[{'device_type': <'disk'>, 'action': <'hotadd'>, 'step': <'blockdev-add'>,"
    "               'uuid': <'aaaaaaaa-5e6f-4a8b-9c0d-e1f2a3b4c5d6'>, 'qemu_id': <'disk-aaaaaaaa-pci-14'>,"
    "               'pci': <14>, 'node_name': <'disk-aaaaaaaa-pci-14'>}]>,"
    " 'x-record-future': <{'capabilities': <['blockdev-add']>}>}");
  HvKvmRuntime *runtime = hv_kvm_runtime_new_from_variant (record, &error);

  g_assert_no_error (error);
  return runtime;
}

static void
test_runtime_fields (void)
{
  g_autoptr(HvKvmRuntime) runtime = make_full_record ();
  HvKvmRuntimeDevice *disk, *nic;
  HvKvmPendingOp *op;

  g_assert_cmpstr (runtime->name, ==, "inst1.example.com");
  g_assert_cmpstr (runtime->uuid, ==, "4f3b2c1d-8e7a-4b6c-9d0e-1f2a3b4c5d6e");
  g_assert_cmpstrv (runtime->argv, ((const gchar *[]) { "/usr/bin/qemu-system-x86_64", "-name",
                                                         "inst1.example.com", "-S", NULL }));
  g_assert_cmpstr (runtime->qemu_version, ==, "7.2.0");
  g_assert_cmpstr (runtime->machine, ==, "pc-i440fx-7.2");
  g_assert_true (g_variant_lookup (runtime->hvparams, "acpi", "b", NULL));

  g_assert_cmpuint (runtime->disks->len, ==, 2);
  disk = g_ptr_array_index (runtime->disks, 0);
  g_assert_cmpint (disk->type, ==, HV_DEVICE_TYPE_DISK);
  g_assert_cmpint (disk->pci, ==, 12);
  g_assert_cmpstr (disk->qemu_id, ==, "disk-1a2b3c4d-pci-12");
  g_assert_cmpstr (hv_kvm_runtime_device_get_uuid (disk), ==, "1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6");
  g_assert_cmpstr (hv_kvm_runtime_device_get_string (disk, "link"), ==, "/var/run/hvkit/disks/inst1:0");
  g_assert_cmpstr (hv_kvm_runtime_device_get_string (disk, "uri"), ==, "rbd:pool/inst1-0");
  disk = g_ptr_array_index (runtime->disks, 1);
  g_assert_cmpint (disk->pci, ==, -1);
  g_assert_null (disk->qemu_id);

  nic = hv_kvm_runtime_find_device (runtime, HV_DEVICE_TYPE_NIC, "8c5f0b5e-2d3a-4e1f-9b7c-6a5d4e3f2a1b");
  g_assert_nonnull (nic);
  g_assert_cmpint (nic->pci, ==, 13);
  g_assert_null (hv_kvm_runtime_find_device (runtime, HV_DEVICE_TYPE_DISK, "8c5f0b5e-2d3a-4e1f-9b7c-6a5d4e3f2a1b"));

  g_assert_cmpuint (runtime->pending->len, ==, 1);
  op = g_ptr_array_index (runtime->pending, 0);
  g_assert_cmpint (op->device_type, ==, HV_DEVICE_TYPE_DISK);
  g_assert_cmpint (op->action, ==, HV_HOTPLUG_ACTION_ADD);
  g_assert_cmpstr (op->step, ==, "blockdev-add");
  g_assert_cmpstr (op->qemu_id, ==, "disk-aaaaaaaa-pci-14");
  g_assert_cmpint (op->pci, ==, 14);
  g_assert_true (g_variant_lookup (op->extra, "node_name", "&s", NULL));
}

/* Every field and every unknown key survive the a{sv} form, a save and a
 * load, and migration info. */
static void
test_runtime_round_trip (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(HvKvmRuntime) runtime = make_full_record ();
  g_autoptr(GVariant) first = hv_kvm_runtime_to_variant (runtime);
  g_autoptr(GVariant) second = NULL;
  g_autoptr(GVariant) third = NULL;
  g_autoptr(GVariant) fourth = NULL;
  g_autoptr(HvKvmRuntime) reread = NULL;
  g_autoptr(HvKvmRuntime) loaded = NULL;
  g_autoptr(HvKvmRuntime) migrated = NULL;
  g_autoptr(GBytes) info = NULL;
  g_autoptr(GError) error = NULL;

  reread = hv_kvm_runtime_new_from_variant (first, &error);
  g_assert_no_error (error);
  second = hv_kvm_runtime_to_variant (reread);
  g_assert_true (g_variant_equal (first, second));
  g_assert_true (g_variant_lookup (second, "x-record-future", "@a{sv}", NULL));

  g_assert_true (hv_kvm_runtime_save (fixture->store, runtime, &error));
  g_assert_no_error (error);
  loaded = hv_kvm_runtime_load (fixture->store, "inst1.example.com", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->version, ==, HV_KVM_RUNTIME_VERSION);
  third = hv_kvm_runtime_to_variant (loaded);
  g_assert_true (g_variant_equal (first, third));

  info = hv_kvm_runtime_to_migration_info (fixture->store, runtime, &error);
  g_assert_no_error (error);
  migrated = hv_kvm_runtime_new_from_migration_info (fixture->store, info, "inst1.example.com", &error);
  g_assert_no_error (error);
  fourth = hv_kvm_runtime_to_variant (migrated);
  g_assert_true (g_variant_equal (first, fourth));
}

static void
test_runtime_unknown_keys (void)
{
  g_autoptr(HvKvmRuntime) runtime = make_full_record ();
  g_autoptr(GVariant) record = hv_kvm_runtime_to_variant (runtime);
  g_autoptr(GVariant) disks = g_variant_lookup_value (record, "disks", NULL);
  g_autoptr(GVariant) disk = g_variant_get_child_value (disks, 0);
  g_autoptr(GVariant) nics = g_variant_lookup_value (record, "nics", NULL);
  g_autoptr(GVariant) nic = g_variant_get_child_value (nics, 0);
  g_autoptr(GVariant) pending = g_variant_lookup_value (record, "pending", NULL);
  g_autoptr(GVariant) op = g_variant_get_child_value (pending, 0);
  g_autoptr(GVariant) future = g_variant_lookup_value (disk, "x-disk-future", NULL);
  g_autofree gchar *printed = g_variant_print (future, FALSE);

  g_assert_cmpstr (printed, ==, "(1, 'two')");
  g_assert_true (g_variant_lookup (nic, "x-nic-future", "b", NULL));
  g_assert_true (g_variant_lookup (op, "node_name", "&s", NULL));
}

static void
test_runtime_new_is_valid (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(HvKvmRuntime) runtime = hv_kvm_runtime_new ("fresh");
  g_autoptr(HvKvmRuntime) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (hv_kvm_runtime_save (fixture->store, runtime, &error));
  g_assert_no_error (error);
  loaded = hv_kvm_runtime_load (fixture->store, "fresh", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->name, ==, "fresh");
  g_assert_cmpuint (g_strv_length (loaded->argv), ==, 0);
}

static void
test_runtime_refused (void)
{
  const gchar *bad[] = {
    "{'argv': <@as []>, 'hvparams': <@a{sv} {}>, 'disks': <@aa{sv} []>, 'nics': <@aa{sv} []>}",
    "{'name': <'a'>, 'hvparams': <@a{sv} {}>, 'disks': <@aa{sv} []>, 'nics': <@aa{sv} []>}",
    "{'name': <'a'>, 'argv': <'kvm'>, 'hvparams': <@a{sv} {}>, 'disks': <@aa{sv} []>, 'nics': <@aa{sv} []>}",
    "{'name': <'../a'>, 'argv': <@as []>, 'hvparams': <@a{sv} {}>, 'disks': <@aa{sv} []>, 'nics': <@aa{sv} []>}",
    "{'name': <'a'>, 'argv': <@as []>, 'hvparams': <@a{sv} {}>, 'disks': <[{'pci': <int64 4>}]>,"
    " 'nics': <@aa{sv} []>}",
    "{'name': <'a'>, 'argv': <@as []>, 'hvparams': <@a{sv} {}>, 'disks': <[{'pci': <40>}]>,"
    " 'nics': <@aa{sv} []>}",
    "{'name': <'a'>, 'argv': <@as []>, 'hvparams': <@a{sv} {}>, 'disks': <[{'qemu_id': <''>}]>,"
    " 'nics': <@aa{sv} []>}",
    "{'name': <'a'>, 'argv': <@as []>, 'hvparams': <@a{sv} {}>, 'disks': <[{'size': <'big'>}]>,"
    " 'nics': <@aa{sv} []>}",
    "{'name': <'a'>, 'argv': <@as []>, 'hvparams': <@a{sv} {}>, 'disks': <[{'pci': <5>}]>,"
    " 'nics': <[{'pci': <5>}]>}",
    "{'name': <'a'>, 'argv': <@as []>, 'hvparams': <@a{sv} {}>, 'disks': <[{'qemu_id': <'x'>}]>,"
    " 'nics': <[{'qemu_id': <'x'>}]>}",
    "{'name': <'a'>, 'argv': <@as []>, 'hvparams': <@a{sv} {}>, 'disks': <@aa{sv} []>, 'nics': <@aa{sv} []>,"
    " 'pending': <[{'device_type': <'cdrom'>, 'action': <'hotadd'>, 'step': <'x'>}]>}",
    "{'name': <'a'>, 'argv': <@as []>, 'hvparams': <@a{sv} {}>, 'disks': <@aa{sv} []>, 'nics': <@aa{sv} []>,"
    " 'pending': <[{'device_type': <'nic'>, 'action': <'hotadd'>}]>}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GVariant) record = parse_variant (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(HvKvmRuntime) runtime = hv_kvm_runtime_new_from_variant (record, &error);

      g_test_message ("%u: %s", i, error != NULL ? error->message : "(accepted)");
      g_assert_null (runtime);
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
    }
}

static void
test_runtime_load_refused (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(HvKvmRuntime) runtime = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr(GVariant) not_kvm = parse_variant ("{'name': <'a'>}");
  g_autoptr(GVariant) other = NULL;

  /* a record of the right type but no KVM record: corrupt, with the file */
  g_assert_true (hv_runtime_store_save (fixture->store, "a", not_kvm, &error));
  runtime = hv_kvm_runtime_load (fixture->store, "a", &error);
  g_assert_null (runtime);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  path = hv_runtime_store_get_path (fixture->store, "a", NULL);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  /* another instance's record under this name */
  runtime = hv_kvm_runtime_new ("b");
  other = hv_kvm_runtime_to_variant (runtime);
  g_assert_true (hv_runtime_store_save (fixture->store, "a", other, &error));
  g_clear_pointer (&runtime, hv_kvm_runtime_free);
  runtime = hv_kvm_runtime_load (fixture->store, "a", &error);
  g_assert_null (runtime);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  g_assert_nonnull (strstr (error->message, "belongs to instance 'b'"));
}

static void
test_runtime_migration_info_refused (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(HvKvmRuntime) runtime = make_full_record ();
  g_autoptr(HvKvmRuntime) received = NULL;
  g_autoptr(GBytes) info = NULL;
  g_autoptr(GBytes) damaged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data_copy = NULL;
  gsize length;

  info = hv_kvm_runtime_to_migration_info (fixture->store, runtime, &error);
  g_assert_no_error (error);

  received = hv_kvm_runtime_new_from_migration_info (fixture->store, info, "other", &error);
  g_assert_null (received);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  g_assert_nonnull (strstr (error->message, "migration info of instance other"));
  g_clear_error (&error);

  data_copy = g_bytes_unref_to_data (g_bytes_ref (info), &length);
  data_copy[length / 2] ^= 1;
  damaged = g_bytes_new (data_copy, length);
  received = hv_kvm_runtime_new_from_migration_info (fixture->store, damaged, "inst1.example.com", &error);
  g_assert_null (received);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  g_assert_nonnull (strstr (error->message, "checksum"));
}

static void
test_runtime_device_ids (void)
{
  const struct {
    HvDeviceType type;
    const gchar *uuid;
    gint pci;
    guint index;
    const gchar *expected;
  } cases[] = {
    { HV_DEVICE_TYPE_DISK, "1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6", 12, 0, "disk-1a2b3c4d-pci-12" },
    { HV_DEVICE_TYPE_NIC, "8C5F0B5E-2D3A-4E1F-9B7C-6A5D4E3F2A1B", 5, 3, "nic-8c5f0b5e-pci-5" },
    { HV_DEVICE_TYPE_DISK, NULL, 12, 2, "disk-2" },
    { HV_DEVICE_TYPE_DISK, "", 12, 2, "disk-2" },
    { HV_DEVICE_TYPE_NIC, "8c5f0b5e-2d3a-4e1f-9b7c-6a5d4e3f2a1b", -1, 1, "nic-1" },
    { HV_DEVICE_TYPE_NIC, "not-a-uuid,id=evil", 4, 0, "nic-0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *id = hv_kvm_device_id_new (cases[i].type, cases[i].uuid, cases[i].pci, cases[i].index);

      g_assert_cmpstr (id, ==, cases[i].expected);
      /* told from other names: only ids made from a uuid and a slot */
      g_assert_true (hv_kvm_device_id_is_made (id, cases[i].type) == (cases[i].pci >= 0 &&
                     cases[i].uuid != NULL && g_uuid_string_is_valid (cases[i].uuid)));
      g_assert_false (hv_kvm_device_id_is_made (id, cases[i].type == HV_DEVICE_TYPE_DISK
                                                    ? HV_DEVICE_TYPE_NIC : HV_DEVICE_TYPE_DISK));
    }
  /* Ganeti's ids, a user's node names, near misses */
  {
    const gchar * const others[] = {
      "hotdisk-1a2b3c4d-pci-12", "disk-932df160-7a22-4067", "disk-1A2B3C4D-pci-12",
      "disk-1a2b3c4-pci-12", "disk-1a2b3c4dd-pci-12", "disk-1a2b3c4d-pci-", "disk-1a2b3c4d-pci-012",
      "disk-1a2b3c4d-pci-1x", "disk-1a2b3c4d-pc-12", "disk-1a2b3c4d", "disk", "", "user-node",
      "#block123",
    };

    for (guint i = 0; i < G_N_ELEMENTS (others); i++)
      g_assert_false (hv_kvm_device_id_is_made (others[i], HV_DEVICE_TYPE_DISK));
    g_assert_false (hv_kvm_device_id_is_made (NULL, HV_DEVICE_TYPE_DISK));
    g_assert_true (hv_kvm_device_id_is_made ("disk-00000000-pci-0", HV_DEVICE_TYPE_DISK));
  }
}

static void
test_runtime_assign_devices (void)
{
  g_autoptr(HvKvmRuntime) runtime = make_full_record ();
  const HvKvmPciStartDevices fixed = { "hda", FALSE, TRUE, FALSE };
  g_autoptr(GError) error = NULL;
  HvKvmPciStartSlots slots;
  HvKvmRuntimeDevice *disk0, *disk1, *nic0, *nic1;
  HvKvmPciBus bus = { 0 };

  /* a NIC without uuid, new at this start */
  g_ptr_array_add (runtime->nics, hv_kvm_runtime_device_new (HV_DEVICE_TYPE_NIC,
                                                             g_variant_new_parsed ("{'mac': <'aa:00:00:00:00:09'>}")));
  g_assert_true (hv_kvm_runtime_assign_devices (runtime, &fixed, &slots, &error));
  g_assert_no_error (error);

  disk0 = g_ptr_array_index (runtime->disks, 0);
  disk1 = g_ptr_array_index (runtime->disks, 1);
  nic0 = g_ptr_array_index (runtime->nics, 0);
  nic1 = g_ptr_array_index (runtime->nics, 1);
  g_assert_cmpint (slots.sound, ==, 3);
  g_assert_cmpint (slots.balloon, ==, 4);
  g_assert_cmpint (slots.scsi_controller, ==, -1);
  /* kept slots and ids stay, new devices get the next free ones */
  g_assert_cmpint (disk0->pci, ==, 12);
  g_assert_cmpstr (disk0->qemu_id, ==, "disk-1a2b3c4d-pci-12");
  g_assert_cmpint (disk1->pci, ==, 5);
  g_assert_cmpstr (disk1->qemu_id, ==, "disk-c0ffee00-pci-5");
  g_assert_cmpint (nic0->pci, ==, 13);
  g_assert_cmpstr (nic0->qemu_id, ==, "nic-8c5f0b5e-pci-13");
  g_assert_cmpint (nic1->pci, ==, 6);
  g_assert_cmpstr (nic1->qemu_id, ==, "nic-1");

  hv_kvm_runtime_mark_pci_slots (runtime, &bus);
  g_assert_cmphex (bus.used, ==, (1u << 12) | (1u << 5) | (1u << 13) | (1u << 6));
}

static void
test_runtime_device_objects (void)
{
  g_autoptr(HvDisk) disk = hv_disk_new ();
  g_autoptr(HvKvmRuntimeDevice) device = NULL;
  g_autoptr(HvDevice) back = NULL;
  g_autoptr(GError) error = NULL;

  hv_device_set_uuid (HV_DEVICE (disk), "1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6");
  hv_device_set_pci (HV_DEVICE (disk), 7);
  hv_disk_set_size (disk, 1024);
  hv_disk_set_link (disk, "/dev/vg/a");

  device = hv_kvm_runtime_device_new_from_device (HV_DEVICE (disk));
  g_assert_cmpint (device->type, ==, HV_DEVICE_TYPE_DISK);
  g_assert_cmpint (device->pci, ==, 7);
  g_assert_null (device->qemu_id);
  g_assert_cmpstr (hv_kvm_runtime_device_get_string (device, "link"), ==, "/dev/vg/a");

  hv_kvm_runtime_device_set_qemu_id (device, "disk-1a2b3c4d-pci-7");
  g_assert_cmpstr (device->qemu_id, ==, "disk-1a2b3c4d-pci-7");
  back = hv_kvm_runtime_device_to_device (device, &error);
  g_assert_no_error (error);
  g_assert_true (HV_IS_DISK (back));
  g_assert_cmpint (hv_device_get_pci (back), ==, 7);
  g_assert_cmpint (hv_disk_get_size (HV_DISK (back)), ==, 1024);
  g_assert_cmpstr (hv_disk_get_link (HV_DISK (back)), ==, "/dev/vg/a");
}

/* The a{sv} form keeps the parts a save made and reuses those whose
 * fields did not change (hv-kvm-runtime.c): after each change below, made
 * on a record saved before, it is byte for byte what a record made
 * afresh with the same changes gives. */
typedef void (*Change) (HvKvmRuntime *runtime);

static void
change_argv_in_place (HvKvmRuntime *runtime)
{
  g_free (runtime->argv[2]);
  runtime->argv[2] = g_strdup ("inst1.example.org");
}

static void
change_argv_longer (HvKvmRuntime *runtime)
{
  guint n = g_strv_length (runtime->argv);

  runtime->argv = g_renew (gchar *, runtime->argv, n + 2);
  runtime->argv[n] = g_strdup ("-daemonize");
  runtime->argv[n + 1] = NULL;
}

static void
change_strings (HvKvmRuntime *runtime)
{
  g_free (runtime->name);
  runtime->name = g_strdup ("inst2.example.com");
  g_free (runtime->uuid);
  runtime->uuid = g_strdup ("");
  g_free (runtime->qemu_version);
  runtime->qemu_version = g_strdup ("10.0.0");
  g_free (runtime->machine);
  runtime->machine = g_strdup ("pc-i440fx-10.0");
}

static void
change_hvparams (HvKvmRuntime *runtime)
{
  g_variant_unref (runtime->hvparams);
  runtime->hvparams = parse_variant ("{'acpi': <false>, 'disk_cache': <'none'>}");
}

/* an unknown key named like one of the record's own loses to it */
static void
change_extra (HvKvmRuntime *runtime)
{
  g_variant_unref (runtime->extra);
  runtime->extra = parse_variant ("{'disks': <'not mine'>, 'pending': <0>, 'zz-last': <'z'>, 'a-first': <1>}");
}

static void
change_device_slot (HvKvmRuntime *runtime)
{
  hv_kvm_runtime_device_set_pci (g_ptr_array_index (runtime->disks, 1), 9);
}

static void
change_device_removed (HvKvmRuntime *runtime)
{
  g_ptr_array_remove_index (runtime->disks, 0);
}

static void
change_device_added (HvKvmRuntime *runtime)
{
  g_autoptr(GVariant) dict = parse_variant ("{'uuid': <'0badf00d-1234-4abc-9def-0123456789ab'>,"
                                            " 'mac': <'aa:00:00:12:34:57'>, 'pci': <15>}");

  g_ptr_array_add (runtime->nics, hv_kvm_runtime_device_new (HV_DEVICE_TYPE_NIC, dict));
}

static void
change_pending_step (HvKvmRuntime *runtime)
{
  HvKvmPendingOp *op = g_ptr_array_index (runtime->pending, 0);

  g_free (op->step);
  op->step = g_strdup ("device_add");
}

static void
change_pending_none (HvKvmRuntime *runtime)
{
  g_ptr_array_set_size (runtime->pending, 0);
}

static void
change_pending_new (HvKvmRuntime *runtime)
{
  g_ptr_array_add (runtime->pending,
                   hv_kvm_pending_op_new (HV_DEVICE_TYPE_NIC, HV_HOTPLUG_ACTION_DEL, "device_del",
                                          "0badf00d-1234-4abc-9def-0123456789ab", "nic-0badf00d-pci-15", 15));
}

static void
test_runtime_parts_follow_changes (void)
{
  static const Change changes[] = {
    change_argv_in_place, change_argv_longer, change_strings, change_hvparams, change_extra,
    change_device_slot, change_device_removed, change_device_added, change_pending_step,
    change_pending_none, change_pending_new,
  };
  g_autoptr(HvKvmRuntime) runtime = make_full_record ();
  g_autoptr(GVariant) before = hv_kvm_runtime_to_variant (runtime);

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      g_autoptr(HvKvmRuntime) fresh = make_full_record ();
      g_autoptr(GVariant) kept = NULL;
      g_autoptr(GVariant) made = NULL;

      changes[i] (runtime);
      kept = hv_kvm_runtime_to_variant (runtime);
      for (guint j = 0; j <= i; j++)
        changes[j] (fresh);
      made = hv_kvm_runtime_to_variant (fresh);
      g_assert_cmpuint (g_variant_get_size (kept), ==, g_variant_get_size (made));
      g_assert_cmpmem (g_variant_get_data (kept), g_variant_get_size (kept),
                       g_variant_get_data (made), g_variant_get_size (made));
      g_assert_false (g_variant_equal (kept, before));
      g_clear_pointer (&before, g_variant_unref);
      before = g_steal_pointer (&kept);
    }
  /* the record's own beat the unknown keys; those sort among them */
  g_assert_true (g_variant_lookup (before, "disks", "@aa{sv}", NULL));
  g_assert_true (g_variant_lookup (before, "pending", "@aa{sv}", NULL));
  g_assert_true (g_variant_lookup (before, "zz-last", "&s", NULL));
  g_assert_true (g_variant_lookup (before, "a-first", "i", NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kvm-runtime/fields", test_runtime_fields);
  g_test_add_func ("/kvm-runtime/unknown-keys", test_runtime_unknown_keys);
  g_test_add_func ("/kvm-runtime/refused", test_runtime_refused);
  g_test_add_func ("/kvm-runtime/device-ids", test_runtime_device_ids);
  g_test_add_func ("/kvm-runtime/assign-devices", test_runtime_assign_devices);
  g_test_add_func ("/kvm-runtime/device-objects", test_runtime_device_objects);
  g_test_add_func ("/kvm-runtime/parts-follow-changes", test_runtime_parts_follow_changes);
#define ADD(path, func) \
  g_test_add ("/kvm-runtime/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("round-trip", test_runtime_round_trip);
  ADD ("new-is-valid", test_runtime_new_is_valid);
  ADD ("load-refused", test_runtime_load_refused);
  ADD ("migration-info-refused", test_runtime_migration_info_refused);
#undef ADD

  return g_test_run ();
}
