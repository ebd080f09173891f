/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>

#include "hvkit.h"

/* Records in the a{sv} form, top-level keys sorted as to_variant() writes
 * them, each with keys hvkit does not know ("future", "future_param", …): a
 * record written by a newer hvkit, read and written back by this one. */

#define DISK_RECORD \
  "{'dev_type': <'plain'>," \
  " 'future': <(1, 'x')>," \
  " 'hvinfo': <{'driver': <'virtio-blk-pci'>, 'id': <'disk-0b7f23c1-pci-12'>," \
  "             'bus': <'pci.0'>, 'addr': <'0xc'>}>," \
  " 'link': <'/dev/xenvg/disk0'>," \
  " 'mode': <'ro'>," \
  " 'name': <'root'>," \
  " 'params': <{'cache': <'none'>, 'heads': <'16'>, 'secs': <int64 63>," \
  "             'future_param': <true>}>," \
  " 'pci': <12>," \
  " 'size': <int64 10240>," \
  " 'uri': <'rbd:pool/disk0'>," \
  " 'uuid': <'0b7f23c1-6d4e-4b0a-9c55-1d2e3f405162'>}"

#define NIC_RECORD \
  "{'future': <@as ['a', 'b']>," \
  " 'ip': <'192.0.2.10'>," \
  " 'link': <'br0'>," \
  " 'mac': <'aa:00:00:12:34:56'>," \
  " 'mode': <'bridged'>," \
  " 'name': <'eth0'>," \
  " 'network': <{'name': <'net1'>, 'uuid': <'5e1d'>, 'tags': <['t1']>," \
  "              'subnet': <'192.0.2.0/24'>, 'gateway': <'192.0.2.1'>," \
  "              'subnet6': <'2001:db8::/64'>, 'gateway6': <'2001:db8::1'>," \
  "              'mac_prefix': <'aa:00:00'>, 'future_net': <int64 7>}>," \
  " 'pci': <13>," \
  " 'uuid': <'9a8b7c6d-0000-4000-8000-000000000001'>," \
  " 'vlan': <'.100'>}"

#define INSTANCE_RECORD \
  "{'beparams': <{'maxmem': <int64 2048>, 'minmem': <int64 1024>," \
  "               'vcpus': <int64 2>, 'auto_balance': <true>}>," \
  " 'disk_template': <'plain'>," \
  " 'disks': <[" DISK_RECORD "]>," \
  " 'future': <'kept'>," \
  " 'hvparams': <{'kernel_path': <''>, 'acpi': <true>, 'vnc_bind_address': <'0.0.0.0'>}>," \
  " 'name': <'web1.example.com'>," \
  " 'network_port': <int64 11000>," \
  " 'nics': <[" NIC_RECORD ", {'mac': <'aa:00:00:00:00:02'>, 'pci': <-1>}]>," \
  " 'tags': <['prod', 'web']>," \
  " 'uuid': <'d7c2a6e4-1111-4222-8333-444455556666'>}"

#define INSTANCE_INFO_RECORD \
  "{'cpu_time': <12.5>, 'future': <uint32 3>, 'memory': <int64 1024>," \
  " 'name': <'web1.example.com'>, 'pid': <int64 4242>, 'state': <'paused'>," \
  " 'vcpus': <int64 2>}"

#define MIGRATION_STATUS_RECORD \
  "{'dirty_rate': <int64 2500>, 'dirty_sync_count': <int64 3>, 'downtime': <int64 30>," \
  " 'error_desc': <'Unable to write to socket'>, 'expected_downtime': <int64 45>," \
  " 'future': <'kept'>, 'mbps': <268.4>," \
  " 'remaining': <int64 1048576>, 'setup_time': <int64 5>," \
  " 'state': <'postcopy-active'>, 'total': <int64 2147483648>," \
  " 'total_time': <int64 1500>, 'transferred': <int64 1073741824>}"

#define CONSOLE_RECORD \
  "{'command': <['/usr/bin/socat', 'STDIO,raw', 'UNIX-CONNECT:/run/hvkit/web1.serial']>," \
  " 'display': <int64 0>, 'future': <{'x': <1>}>, 'host': <'node1.example.com'>," \
  " 'instance': <'web1.example.com'>, 'kind': <'ssh'>, 'message': <'Serial console'>," \
  " 'port': <int64 0>, 'user': <'root'>}"

#define ADOPTION_RECORD \
  "{'adopted': <false>, 'future': <'kept'>, 'name': <'web1.example.com'>," \
  " 'reason': <'its QMP socket is missing'>}"

typedef GObject *(*NewFromVariantFunc) (GVariant *dict, GError **error);
typedef GVariant *(*ToVariantFunc) (gpointer self);

typedef struct {
  const gchar *name;
  const gchar *record;
  NewFromVariantFunc new_from_variant;
  ToVariantFunc to_variant;
} RecordCase;

static const RecordCase record_cases[] = {
  { "disk", DISK_RECORD, (NewFromVariantFunc) hv_disk_new_from_variant,
    (ToVariantFunc) hv_disk_to_variant },
  { "nic", NIC_RECORD, (NewFromVariantFunc) hv_nic_new_from_variant,
    (ToVariantFunc) hv_nic_to_variant },
  { "instance", INSTANCE_RECORD, (NewFromVariantFunc) hv_instance_new_from_variant,
    (ToVariantFunc) hv_instance_to_variant },
  { "instance-info", INSTANCE_INFO_RECORD,
    (NewFromVariantFunc) hv_instance_info_new_from_variant,
    (ToVariantFunc) hv_instance_info_to_variant },
  { "migration-status", MIGRATION_STATUS_RECORD,
    (NewFromVariantFunc) hv_migration_status_new_from_variant,
    (ToVariantFunc) hv_migration_status_to_variant },
  { "console", CONSOLE_RECORD, (NewFromVariantFunc) hv_console_new_from_variant,
    (ToVariantFunc) hv_console_to_variant },
  { "adoption", ADOPTION_RECORD, (NewFromVariantFunc) hv_adoption_new_from_variant,
    (ToVariantFunc) hv_adoption_to_variant },
};

static GVariant *
parse_record (const gchar *text)
{
  g_autoptr(GError) error = NULL;
  GVariant *value = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &error);

  g_assert_no_error (error);
  return g_variant_ref_sink (value);
}

static void
assert_variant_equal (GVariant *actual,
                      GVariant *expected)
{
  if (!g_variant_equal (actual, expected))
    {
      g_autofree gchar *actual_text = g_variant_print (actual, TRUE);
      g_autofree gchar *expected_text = g_variant_print (expected, TRUE);

      g_test_message ("expected: %s", expected_text);
      g_test_message ("actual:   %s", actual_text);
      g_test_fail ();
    }
}

/* Every key is read into the object and written back unchanged, the keys
 * the object does not know included, and writing is stable. */
static void
test_objects_round_trip (gconstpointer data)
{
  const RecordCase *c = data;
  g_autoptr(GVariant) record = parse_record (c->record);
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) object = NULL;
  g_autoptr(GObject) again = NULL;
  g_autoptr(GVariant) written = NULL;
  g_autoptr(GVariant) rewritten = NULL;

  object = c->new_from_variant (record, &error);
  g_assert_no_error (error);
  g_assert_nonnull (object);
  g_assert_false (g_variant_is_floating (record));

  written = c->to_variant (object);
  g_assert_false (g_variant_is_floating (written));
  assert_variant_equal (written, record);

  again = c->new_from_variant (written, &error);
  g_assert_no_error (error);
  rewritten = c->to_variant (again);
  assert_variant_equal (rewritten, written);
}

static void
test_objects_disk_fields (void)
{
  g_autoptr(GVariant) record = parse_record (DISK_RECORD);
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk = hv_disk_new_from_variant (record, &error);
  gint64 heads = 0;
  gint64 secs = 0;

  g_assert_no_error (error);
  g_assert_cmpint (hv_device_get_device_type (HV_DEVICE (disk)), ==, HV_DEVICE_TYPE_DISK);
  g_assert_cmpstr (hv_device_get_uuid (HV_DEVICE (disk)), ==,
                   "0b7f23c1-6d4e-4b0a-9c55-1d2e3f405162");
  g_assert_cmpstr (hv_device_get_name (HV_DEVICE (disk)), ==, "root");
  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (disk)), ==, 12);
  g_assert_cmpint (hv_disk_get_size (disk), ==, 10240);
  g_assert_cmpstr (hv_disk_get_mode (disk), ==, "ro");
  g_assert_cmpstr (hv_disk_get_link (disk), ==, "/dev/xenvg/disk0");
  g_assert_cmpstr (hv_disk_get_uri (disk), ==, "rbd:pool/disk0");
  g_assert_cmpstr (hv_disk_get_dev_type (disk), ==, "plain");
  g_assert_cmpstr (hv_disk_get_cache (disk), ==, "none");

  /* heads given as text, secs as a number: both are accepted */
  g_assert_true (hv_disk_get_geometry (disk, &heads, &secs));
  g_assert_cmpint (heads, ==, 16);
  g_assert_cmpint (secs, ==, 63);

  hv_disk_set_params (disk, g_variant_new_parsed ("{'heads': <int64 16>}"));
  g_assert_false (hv_disk_get_geometry (disk, NULL, NULL));
  g_assert_null (hv_disk_get_cache (disk));
  hv_disk_set_params (disk, NULL);
  g_assert_cmpuint (g_variant_n_children (hv_disk_get_params (disk)), ==, 0);
}

static void
test_objects_nic_fields (void)
{
  g_autoptr(GVariant) record = parse_record (NIC_RECORD);
  g_autoptr(GError) error = NULL;
  g_autoptr(HvNic) nic = hv_nic_new_from_variant (record, &error);
  const gchar *network_name = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (hv_device_get_device_type (HV_DEVICE (nic)), ==, HV_DEVICE_TYPE_NIC);
  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (nic)), ==, 13);
  g_assert_cmpstr (hv_nic_get_mac (nic), ==, "aa:00:00:12:34:56");
  g_assert_cmpstr (hv_nic_get_ip (nic), ==, "192.0.2.10");
  g_assert_cmpstr (hv_nic_get_mode (nic), ==, "bridged");
  g_assert_cmpstr (hv_nic_get_link (nic), ==, "br0");
  g_assert_cmpstr (hv_nic_get_vlan (nic), ==, ".100");
  g_assert_true (g_variant_lookup (hv_nic_get_network (nic), "name", "&s", &network_name));
  g_assert_cmpstr (network_name, ==, "net1");
  g_assert_null (hv_device_get_hvinfo (HV_DEVICE (nic)));
}

static void
test_objects_instance_fields (void)
{
  g_autoptr(GVariant) record = parse_record (INSTANCE_RECORD);
  g_autoptr(GError) error = NULL;
  g_autoptr(HvInstance) instance = hv_instance_new_from_variant (record, &error);
  g_autoptr(GVariant) acpi = NULL;
  g_autoptr(GVariant) maxmem = NULL;
  const gchar * const tags[] = { "prod", "web", NULL };
  GPtrArray *disks;
  GPtrArray *nics;

  g_assert_no_error (error);
  g_assert_cmpstr (hv_instance_get_name (instance), ==, "web1.example.com");
  g_assert_cmpstr (hv_instance_get_uuid (instance), ==, "d7c2a6e4-1111-4222-8333-444455556666");
  g_assert_cmpstr (hv_instance_get_disk_template (instance), ==, "plain");
  g_assert_cmpint (hv_instance_get_network_port (instance), ==, 11000);
  g_assert_true (g_strv_equal (hv_instance_get_tags (instance), tags));

  acpi = hv_instance_lookup_hvparam (instance, "acpi");
  g_assert_nonnull (acpi);
  g_assert_true (g_variant_get_boolean (acpi));
  g_assert_null (hv_instance_lookup_hvparam (instance, "no_such_param"));
  maxmem = hv_instance_lookup_beparam (instance, "maxmem");
  g_assert_cmpint (g_variant_get_int64 (maxmem), ==, 2048);

  disks = hv_instance_get_disks (instance);
  nics = hv_instance_get_nics (instance);
  g_assert_cmpuint (disks->len, ==, 1);
  g_assert_cmpuint (nics->len, ==, 2);
  g_assert_true (HV_IS_DISK (g_ptr_array_index (disks, 0)));
  g_assert_cmpstr (hv_nic_get_mac (g_ptr_array_index (nics, 1)), ==, "aa:00:00:00:00:02");
  g_assert_cmpint (hv_device_get_pci (g_ptr_array_index (nics, 1)), ==, -1);
}

static void
test_objects_instance_devices (void)
{
  g_autoptr(HvInstance) instance = hv_instance_new ("db1");
  g_autoptr(HvDisk) disk0 = hv_disk_new ();
  g_autoptr(HvDisk) disk1 = hv_disk_new ();
  g_autoptr(HvNic) nic = hv_nic_new ();
  g_autoptr(HvNic) stranger = hv_nic_new ();
  g_autoptr(GVariant) written = NULL;
  g_autoptr(GVariant) disks = NULL;

  hv_device_set_uuid (HV_DEVICE (disk0), "disk-zero");
  hv_device_set_uuid (HV_DEVICE (disk1), "disk-one");
  hv_instance_add_disk (instance, disk0);
  hv_instance_add_disk (instance, disk1);
  hv_instance_add_nic (instance, nic);

  g_assert_false (hv_instance_remove_nic (instance, stranger));
  g_assert_true (hv_instance_remove_disk (instance, disk0));
  g_assert_false (hv_instance_remove_disk (instance, disk0));
  g_assert_cmpuint (hv_instance_get_disks (instance)->len, ==, 1);
  g_assert_true (g_ptr_array_index (hv_instance_get_disks (instance), 0) == disk1);

  written = hv_instance_to_variant (instance);
  disks = g_variant_lookup_value (written, "disks", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_cmpuint (g_variant_n_children (disks), ==, 1);
  g_assert_true (hv_instance_remove_nic (instance, nic));
  g_assert_cmpuint (hv_instance_get_nics (instance)->len, ==, 0);
}

/* What an object holds before anything is set, and what it writes then. */
static void
test_objects_defaults (void)
{
  g_autoptr(HvDisk) disk = hv_disk_new ();
  g_autoptr(HvNic) nic = hv_nic_new ();
  g_autoptr(HvInstance) instance = hv_instance_new ("a");
  g_autoptr(HvInstanceInfo) info = hv_instance_info_new ("a");
  g_autoptr(HvMigrationStatus) status = hv_migration_status_new (HV_MIGRATION_STATE_NONE);
  g_autoptr(HvConsole) console = hv_console_new (HV_CONSOLE_KIND_MESSAGE, "a");
  g_autoptr(GVariant) disk_written = NULL;
  g_autoptr(GVariant) nic_written = NULL;
  g_autoptr(GVariant) instance_written = NULL;
  g_autoptr(GVariant) info_written = NULL;
  g_autoptr(GVariant) status_written = NULL;
  g_autoptr(GVariant) console_written = NULL;
  g_autoptr(GVariant) expected = NULL;

  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (disk)), ==, -1);
  g_assert_cmpint (hv_device_get_pci (HV_DEVICE (nic)), ==, -1);
  g_assert_cmpstr (hv_disk_get_mode (disk), ==, "rw");
  g_assert_cmpint (hv_disk_get_size (disk), ==, 0);
  g_assert_nonnull (hv_disk_get_params (disk));
  g_assert_null (hv_nic_get_network (nic));
  g_assert_nonnull (hv_instance_get_hvparams (instance));
  g_assert_nonnull (hv_instance_get_beparams (instance));
  g_assert_nonnull (hv_instance_get_tags (instance));
  g_assert_null (hv_instance_get_tags (instance)[0]);
  g_assert_cmpint (hv_instance_info_get_state (info), ==, HV_INSTANCE_STATE_UNKNOWN);
  g_assert_cmpint (hv_instance_info_get_pid (info), ==, 0);
  g_assert_null (hv_console_get_command (console));

  /* unset strings are left out; numbers and dictionaries are written */
  disk_written = hv_disk_to_variant (disk);
  expected = parse_record ("{'mode': <'rw'>, 'params': <@a{sv} {}>, 'pci': <-1>,"
                           " 'size': <int64 0>}");
  assert_variant_equal (disk_written, expected);
  g_clear_pointer (&expected, g_variant_unref);

  nic_written = hv_nic_to_variant (nic);
  expected = parse_record ("{'pci': <-1>}");
  assert_variant_equal (nic_written, expected);
  g_clear_pointer (&expected, g_variant_unref);

  instance_written = hv_instance_to_variant (instance);
  expected = parse_record ("{'beparams': <@a{sv} {}>, 'disks': <@aa{sv} []>,"
                           " 'hvparams': <@a{sv} {}>, 'name': <'a'>,"
                           " 'network_port': <int64 0>, 'nics': <@aa{sv} []>,"
                           " 'tags': <@as []>}");
  assert_variant_equal (instance_written, expected);
  g_clear_pointer (&expected, g_variant_unref);

  info_written = hv_instance_info_to_variant (info);
  expected = parse_record ("{'cpu_time': <0.0>, 'memory': <int64 0>, 'name': <'a'>,"
                           " 'pid': <int64 0>, 'state': <'unknown'>, 'vcpus': <int64 0>}");
  assert_variant_equal (info_written, expected);
  g_clear_pointer (&expected, g_variant_unref);

  status_written = hv_migration_status_to_variant (status);
  expected = parse_record ("{'dirty_rate': <int64 0>, 'dirty_sync_count': <int64 0>,"
                           " 'downtime': <int64 0>, 'expected_downtime': <int64 0>,"
                           " 'mbps': <0.0>, 'remaining': <int64 0>,"
                           " 'setup_time': <int64 0>, 'state': <'none'>,"
                           " 'total': <int64 0>, 'total_time': <int64 0>,"
                           " 'transferred': <int64 0>}");
  assert_variant_equal (status_written, expected);
  g_clear_pointer (&expected, g_variant_unref);

  console_written = hv_console_to_variant (console);
  expected = parse_record ("{'display': <int64 0>, 'instance': <'a'>, 'kind': <'message'>,"
                           " 'port': <int64 0>}");
  assert_variant_equal (console_written, expected);
}

/* An unknown key survives changes made through the setters, and a key
 * spelt with '-' is not taken for the property of that name. */
static void
test_objects_unknown_keys_kept (void)
{
  g_autoptr(GVariant) record =
    parse_record ("{'future': <'kept'>, 'dev-type': <'not a property'>, 'pci': <4>}");
  g_autoptr(GError) error = NULL;
  g_autoptr(HvDisk) disk = hv_disk_new_from_variant (record, &error);
  g_autoptr(GVariant) written = NULL;
  g_autoptr(GVariant) expected = NULL;

  g_assert_no_error (error);
  g_assert_null (hv_disk_get_dev_type (disk));
  hv_device_set_pci (HV_DEVICE (disk), 5);
  hv_disk_set_size (disk, 100);

  written = hv_disk_to_variant (disk);
  expected = parse_record ("{'dev-type': <'not a property'>, 'future': <'kept'>,"
                           " 'mode': <'rw'>, 'params': <@a{sv} {}>, 'pci': <5>,"
                           " 'size': <int64 100>}");
  assert_variant_equal (written, expected);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_objects_notify (void)
{
  g_autoptr(HvNic) nic = hv_nic_new ();
  g_autoptr(HvInstance) instance = hv_instance_new ("a");
  const gchar * const tags[] = { "x", NULL };
  guint notified = 0;

  g_signal_connect (nic, "notify", G_CALLBACK (count_notify), &notified);
  hv_nic_set_mac (nic, "aa:00:00:00:00:01");
  hv_nic_set_mac (nic, "aa:00:00:00:00:01");
  hv_device_set_pci (HV_DEVICE (nic), 3);
  hv_device_set_pci (HV_DEVICE (nic), 3);
  hv_nic_set_network (nic, g_variant_new_parsed ("{'name': <'n'>}"));
  hv_nic_set_network (nic, g_variant_new_parsed ("{'name': <'n'>}"));
  g_assert_cmpuint (notified, ==, 3);

  notified = 0;
  g_signal_connect (instance, "notify", G_CALLBACK (count_notify), &notified);
  hv_instance_set_tags (instance, tags);
  hv_instance_set_tags (instance, tags);
  hv_instance_set_tags (instance, NULL);
  hv_instance_set_hvparams (instance, NULL);
  g_assert_cmpuint (notified, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (record_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/objects/round-trip/%s", record_cases[i].name);

      g_test_add_data_func (path, &record_cases[i], test_objects_round_trip);
    }
  g_test_add_func ("/objects/disk/fields", test_objects_disk_fields);
  g_test_add_func ("/objects/nic/fields", test_objects_nic_fields);
  g_test_add_func ("/objects/instance/fields", test_objects_instance_fields);
  g_test_add_func ("/objects/instance/devices", test_objects_instance_devices);
  g_test_add_func ("/objects/defaults", test_objects_defaults);
  g_test_add_func ("/objects/unknown-keys-kept", test_objects_unknown_keys_kept);
  g_test_add_func ("/objects/notify", test_objects_notify);

  return g_test_run ();
}
