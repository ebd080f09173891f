/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <gio/gio.h>

#include "hvkit.h"

/* Every key of every object, given a value of every other type, is refused
 * with HV_ERROR_INVALID_PARAMETER naming the key and the type expected; so
 * are values out of range, unknown enum nicks and bad nested values. */

typedef GObject *(*NewFromVariantFunc) (GVariant *dict, GError **error);

typedef struct {
  const gchar *key;
  const gchar *type;
} KeyType;

typedef struct {
  const gchar *name;
  NewFromVariantFunc new_from_variant;
  const gchar *base;          /* keys every attempt carries */
  const KeyType *keys;
} ObjectCase;

static const KeyType disk_keys[] = {
  { "uuid", "s" }, { "name", "s" }, { "pci", "i" }, { "hvinfo", "a{sv}" },
  { "size", "x" }, { "mode", "s" }, { "link", "s" }, { "uri", "s" },
  { "dev_type", "s" }, { "params", "a{sv}" }, { NULL, NULL },
};

static const KeyType nic_keys[] = {
  { "uuid", "s" }, { "name", "s" }, { "pci", "i" }, { "hvinfo", "a{sv}" },
  { "mac", "s" }, { "ip", "s" }, { "mode", "s" }, { "link", "s" },
  { "vlan", "s" }, { "network", "a{sv}" }, { NULL, NULL },
};

static const KeyType instance_keys[] = {
  { "name", "s" }, { "uuid", "s" }, { "hvparams", "a{sv}" }, { "beparams", "a{sv}" },
  { "tags", "as" }, { "network_port", "x" }, { "disk_template", "s" },
  { "disks", "aa{sv}" }, { "nics", "aa{sv}" }, { NULL, NULL },
};

static const KeyType instance_info_keys[] = {
  { "name", "s" }, { "pid", "x" }, { "memory", "x" }, { "vcpus", "x" },
  { "state", "s" }, { "cpu_time", "d" }, { NULL, NULL },
};

static const KeyType migration_status_keys[] = {
  { "state", "s" }, { "total_time", "x" }, { "downtime", "x" }, { "setup_time", "x" },
  { "transferred", "x" }, { "remaining", "x" }, { "total", "x" },
  { "dirty_sync_count", "x" }, { "mbps", "d" }, { "error_desc", "s" }, { NULL, NULL },
};

static const KeyType console_keys[] = {
  { "kind", "s" }, { "instance", "s" }, { "host", "s" }, { "port", "x" },
  { "user", "s" }, { "command", "as" }, { "display", "x" }, { "message", "s" },
  { NULL, NULL },
};

static const ObjectCase object_cases[] = {
  { "disk", (NewFromVariantFunc) hv_disk_new_from_variant, "{}", disk_keys },
  { "nic", (NewFromVariantFunc) hv_nic_new_from_variant, "{}", nic_keys },
  { "instance", (NewFromVariantFunc) hv_instance_new_from_variant,
    "{'name': <'a'>}", instance_keys },
  { "instance-info", (NewFromVariantFunc) hv_instance_info_new_from_variant, "{}",
    instance_info_keys },
  { "migration-status", (NewFromVariantFunc) hv_migration_status_new_from_variant, "{}",
    migration_status_keys },
  { "console", (NewFromVariantFunc) hv_console_new_from_variant, "{}", console_keys },
};

/* one value of each type a key can have */
static const gchar *wrong_values[] = {
  "'text'", "int32 7", "int64 7", "1.5", "true", "['a']", "{'a': <1>}",
  "[{'a': <1>}]", "uint32 7", "('tuple', 1)",
};

static GVariant *
parse (const gchar *type,
       const gchar *text)
{
  g_autoptr(GError) error = NULL;
  GVariant *value = g_variant_parse (type != NULL ? G_VARIANT_TYPE (type) : NULL,
                                     text, NULL, NULL, &error);

  g_assert_no_error (error);
  return g_variant_ref_sink (value);
}

static GVariant *
dict_with (const gchar *base,
           const gchar *key,
           GVariant    *value)
{
  g_autoptr(GVariant) base_dict = parse ("a{sv}", base);
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (base_dict);

  g_variant_dict_insert_value (&dict, key, value);
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static void
assert_refused (NewFromVariantFunc new_from_variant,
                GVariant          *dict,
                const gchar       *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) object = new_from_variant (dict, &error);

  g_assert_null (object);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  if (strstr (error->message, fragment) == NULL)
    {
      g_test_message ("message \"%s\" lacks \"%s\"", error->message, fragment);
      g_test_fail ();
    }
}

static void
test_refused_wrong_types (gconstpointer data)
{
  const ObjectCase *c = data;
  guint tried = 0;

  for (const KeyType *k = c->keys; k->key != NULL; k++)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (wrong_values); i++)
        {
          g_autoptr(GVariant) value = parse (NULL, wrong_values[i]);
          g_autoptr(GVariant) dict = NULL;
          g_autofree gchar *fragment = NULL;

          if (g_variant_is_of_type (value, G_VARIANT_TYPE (k->type)))
            continue;
          dict = dict_with (c->base, k->key, value);
          fragment = g_strdup_printf ("Key '%s' has type '%s', expected type '%s'",
                                      k->key, g_variant_get_type_string (value), k->type);
          assert_refused (c->new_from_variant, dict, fragment);
          tried++;
        }
    }
  g_assert_cmpuint (tried, >=, 5);
}

typedef struct {
  const gchar *name;
  NewFromVariantFunc new_from_variant;
  const gchar *record;
  const gchar *fragment;
} RefusedCase;

static const RefusedCase refused_cases[] = {
  /* bounds of the properties */
  { "pci-too-high", (NewFromVariantFunc) hv_disk_new_from_variant,
    "{'pci': <32>}", "Key 'pci' has the value 32, which is out of range" },
  { "pci-below-none", (NewFromVariantFunc) hv_nic_new_from_variant,
    "{'pci': <-2>}", "Key 'pci' has the value -2" },
  { "size-negative", (NewFromVariantFunc) hv_disk_new_from_variant,
    "{'size': <int64 -1>}", "Key 'size' has the value -1" },
  { "network-port-too-high", (NewFromVariantFunc) hv_instance_new_from_variant,
    "{'name': <'a'>, 'network_port': <int64 65536>}", "Key 'network_port'" },
  { "console-port-too-high", (NewFromVariantFunc) hv_console_new_from_variant,
    "{'port': <int64 70000>}", "Key 'port'" },
  { "pid-negative", (NewFromVariantFunc) hv_instance_info_new_from_variant,
    "{'pid': <int64 -1>}", "Key 'pid'" },
  { "cpu-time-negative", (NewFromVariantFunc) hv_instance_info_new_from_variant,
    "{'cpu_time': <-1.0>}", "Key 'cpu_time'" },
  { "mbps-negative", (NewFromVariantFunc) hv_migration_status_new_from_variant,
    "{'mbps': <-0.5>}", "Key 'mbps'" },
  /* enum nicks */
  { "instance-state-nick", (NewFromVariantFunc) hv_instance_info_new_from_variant,
    "{'state': <'hibernated'>}",
    "Key 'state' has the value 'hibernated', expected one of: "
    "unknown, running, paused, shutdown, stopped" },
  { "migration-state-nick", (NewFromVariantFunc) hv_migration_status_new_from_variant,
    "{'state': <'postcopy_active'>}", "postcopy-active" },
  { "console-kind-nick", (NewFromVariantFunc) hv_console_new_from_variant,
    "{'kind': <'rdp'>}", "expected one of: message, ssh, vnc, spice" },
  /* nested dictionaries */
  { "disk-params-cache", (NewFromVariantFunc) hv_disk_new_from_variant,
    "{'params': <{'cache': <true>}>}",
    "Key 'params.cache' has type 'b', expected type 's'" },
  { "disk-params-heads-type", (NewFromVariantFunc) hv_disk_new_from_variant,
    "{'params': <{'heads': <1.5>}>}",
    "Key 'params.heads' has type 'd', expected type 's' or 'x'" },
  { "disk-params-heads-text", (NewFromVariantFunc) hv_disk_new_from_variant,
    "{'params': <{'heads': <'sixteen'>}>}",
    "Key 'params.heads' has the value 'sixteen', expected a positive integer" },
  { "disk-params-secs-zero", (NewFromVariantFunc) hv_disk_new_from_variant,
    "{'params': <{'secs': <int64 0>}>}", "Key 'params.secs' has the value 0, expected a positive integer" },
  { "nic-network-tags", (NewFromVariantFunc) hv_nic_new_from_variant,
    "{'network': <{'tags': <'a b'>}>}",
    "Key 'network.tags' has type 's', expected type 'as'" },
  { "nic-network-gateway6", (NewFromVariantFunc) hv_nic_new_from_variant,
    "{'network': <{'gateway6': <int32 1>}>}", "Key 'network.gateway6'" },
  { "instance-beparams-maxmem", (NewFromVariantFunc) hv_instance_new_from_variant,
    "{'name': <'a'>, 'beparams': <{'maxmem': <'2048'>}>}",
    "Key 'beparams.maxmem' has type 's', expected type 'x'" },
  { "instance-disk", (NewFromVariantFunc) hv_instance_new_from_variant,
    "{'name': <'a'>, 'disks': <[{'pci': <1>}, {'pci': <'one'>}]>}",
    "Disk 1: Key 'pci' has type 's', expected type 'i'" },
  { "instance-nic", (NewFromVariantFunc) hv_instance_new_from_variant,
    "{'name': <'a'>, 'nics': <[{'network': <{'subnet': <int64 24>}>}]>}",
    "NIC 0: Key 'network.subnet' has type 'x', expected type 's'" },
  { "instance-name-missing", (NewFromVariantFunc) hv_instance_new_from_variant,
    "{'uuid': <'u'>}", "Key 'name' is missing" },
};

static void
test_refused_case (gconstpointer data)
{
  const RefusedCase *c = data;
  g_autoptr(GVariant) dict = parse ("a{sv}", c->record);

  assert_refused (c->new_from_variant, dict, c->fragment);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (object_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/objects/refused/wrong-type/%s",
                                                object_cases[i].name);

      g_test_add_data_func (path, &object_cases[i], test_refused_wrong_types);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (refused_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/objects/refused/%s", refused_cases[i].name);

      g_test_add_data_func (path, &refused_cases[i], test_refused_case);
    }

  return g_test_run ();
}
