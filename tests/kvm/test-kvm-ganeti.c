/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hv-kvm-runtime-ganeti.h"

/* Import of Ganeti's runtime files: each upgrade rule on its own, then one
 * hand-written file of every shape Ganeti wrote, compared with the record
 * expected from it (tests/data/ganeti/<shape>.expected.json).
 * HV_TEST_REGENERATE=1 rewrites the expected files from the current
 * output; review the diff before committing them. */

static HvKvmGanetiRuntime *
parse (const gchar *json)
{
  g_autoptr(GError) error = NULL;
  HvKvmGanetiRuntime *runtime = hv_kvm_ganeti_runtime_parse (json, strlen (json), &error);

  g_assert_no_error (error);
  g_assert_nonnull (runtime);
  return runtime;
}

static gchar *
argv_string (HvKvmGanetiRuntime *runtime)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < runtime->argv->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "", (gchar *) g_ptr_array_index (runtime->argv, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gchar *
object_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

/* ---- the rules, one by one --------------------------------------------- */

static void
test_rule_add_disks_entry (void)
{
  g_autoptr(HvKvmGanetiRuntime) three = parse ("[[\"kvm\"], [], {}]");
  g_autoptr(HvKvmGanetiRuntime) four = parse ("[[\"kvm\"], [], {}, [[{}, \"/dev/a\"]]]");

  g_assert_null (three->disks);
  hv_kvm_ganeti_add_disks_entry (three);
  g_assert_nonnull (three->disks);
  g_assert_cmpuint (three->disks->len, ==, 0);

  hv_kvm_ganeti_add_disks_entry (four);
  g_assert_cmpuint (four->disks->len, ==, 1);
}

static void
test_rule_add_disk_uri (void)
{
  g_autoptr(HvKvmGanetiRuntime) runtime =
    parse ("[[\"kvm\"], [], {}, [[{}, \"/dev/a\"], [{}, \"/dev/b\", \"rbd:pool/b\"], [{}, \"/dev/c\", null]]]");

  hv_kvm_ganeti_add_disk_uri (runtime);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (json_array_get_length (g_ptr_array_index (runtime->disks, i)), ==, 3);
  g_assert_true (json_array_get_null_element (g_ptr_array_index (runtime->disks, 0), 2));
  g_assert_cmpstr (json_array_get_string_element (g_ptr_array_index (runtime->disks, 1), 2), ==, "rbd:pool/b");

  /* a file of three entries has no disks to change */
  {
    g_autoptr(HvKvmGanetiRuntime) three = parse ("[[\"kvm\"], [], {}]");

    hv_kvm_ganeti_add_disk_uri (three);
    g_assert_null (three->disks);
  }
}

static void
test_rule_add_nic_uuids (void)
{
  g_autoptr(HvKvmGanetiRuntime) runtime =
    parse ("[[\"kvm\"], [{\"mac\": \"a\"}, {\"mac\": \"b\", \"uuid\": null},"
           " {\"mac\": \"c\", \"uuid\": \"0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9\"}], {}]");
  const gchar *first, *second;

  hv_kvm_ganeti_add_nic_uuids (runtime);
  first = json_object_get_string_member (g_ptr_array_index (runtime->nics, 0), "uuid");
  second = json_object_get_string_member (g_ptr_array_index (runtime->nics, 1), "uuid");
  g_assert_true (g_uuid_string_is_valid (first));
  g_assert_true (g_uuid_string_is_valid (second));
  g_assert_cmpstr (first, !=, second);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (runtime->nics, 2), "uuid"),
                   ==, "0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9");
}

static void
test_rule_pci_to_hvinfo (void)
{
  g_autoptr(HvKvmGanetiRuntime) runtime =
    parse ("[[\"kvm\"],"
           " [{\"uuid\": \"8c5f0b5e-2d3a-4e1f-9b7c-6a5d4e3f2a1b\", \"pci\": 5}, {\"uuid\": \"x\"}],"
           " {\"nic_type\": \"paravirtual\", \"disk_type\": \"scsi-hd\"},"
           " [[{\"uuid\": \"1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6\", \"pci\": 12}, \"/dev/a\"],"
           "  [{\"pci\": 13}, \"/dev/b\"],"
           "  [{\"uuid\": \"u\", \"pci\": 14, \"hvinfo\": {\"id\": \"kept\"}}, \"/dev/c\"]]]");
  g_autofree gchar *nic0 = NULL, *nic1 = NULL, *disk0 = NULL, *disk1 = NULL, *disk2 = NULL;

  hv_kvm_ganeti_pci_to_hvinfo (runtime);
  nic0 = object_string (g_ptr_array_index (runtime->nics, 0));
  nic1 = object_string (g_ptr_array_index (runtime->nics, 1));
  disk0 = object_string (json_array_get_object_element (g_ptr_array_index (runtime->disks, 0), 0));
  disk1 = object_string (json_array_get_object_element (g_ptr_array_index (runtime->disks, 1), 0));
  disk2 = object_string (json_array_get_object_element (g_ptr_array_index (runtime->disks, 2), 0));

  g_assert_cmpstr (nic0, ==, "{\"uuid\":\"8c5f0b5e-2d3a-4e1f-9b7c-6a5d4e3f2a1b\",\"hvinfo\":"
                             "{\"driver\":\"virtio-net-pci\",\"id\":\"hotnic-8c5f0b5e-pci-5\","
                             "\"addr\":\"0x5\",\"bus\":\"pci.0\"}}");
  /* no slot, nothing to move */
  g_assert_cmpstr (nic1, ==, "{\"uuid\":\"x\"}");
  /* a disk_type other than paravirtual is the driver itself */
  g_assert_cmpstr (disk0, ==, "{\"uuid\":\"1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6\",\"hvinfo\":"
                              "{\"driver\":\"scsi-hd\",\"id\":\"hotdisk-1a2b3c4d-pci-12\","
                              "\"addr\":\"0xc\",\"bus\":\"pci.0\"}}");
  /* a disk without uuid had the seed's index name */
  g_assert_cmpstr (disk1, ==, "{\"hvinfo\":{\"driver\":\"scsi-hd\",\"id\":\"hotdisk-1\","
                              "\"addr\":\"0xd\",\"bus\":\"pci.0\"}}");
  /* an hvinfo already there wins */
  g_assert_cmpstr (disk2, ==, "{\"uuid\":\"u\",\"hvinfo\":{\"id\":\"kept\"}}");
}

static void
test_rule_rewrite_localtime (void)
{
  g_autoptr(HvKvmGanetiRuntime) runtime = parse ("[[\"kvm\", \"-localtime\", \"-S\"], [], {}]");
  g_autofree gchar *argv = NULL;

  hv_kvm_ganeti_rewrite_localtime (runtime);
  argv = argv_string (runtime);
  g_assert_cmpstr (argv, ==, "kvm -rtc base=localtime -S");
}

static void
test_rule_rewrite_balloon (void)
{
  g_autoptr(HvKvmGanetiRuntime) runtime =
    parse ("[[\"kvm\", \"-balloon\", \"virtio,id=balloon,bus=pci.0,addr=0x3\", \"-balloon\", \"virtio\","
           " \"-balloon\", \"none\", \"-S\", \"-balloon\"], [], {}]");
  g_autofree gchar *argv = NULL;

  hv_kvm_ganeti_rewrite_balloon (runtime);
  argv = argv_string (runtime);
  /* a -balloon at the very end has no value: left for QEMU to refuse */
  g_assert_cmpstr (argv, ==, "kvm -device virtio-balloon,id=balloon,bus=pci.0,addr=0x3"
                             " -device virtio-balloon -S -balloon");
}

static void
test_rule_rewrite_vnc_tls (void)
{
  const struct {
    const gchar *vnc;
    const gchar *expected;
  } cases[] = {
    { ":10,tls,x509verify=/etc/ganeti/x509",
      "kvm -object tls-creds-x509,id=vnctls0,endpoint=server,dir=/etc/ganeti/x509,verify-peer=yes"
      " -vnc :10,tls-creds=vnctls0 -S" },
    { "0.0.0.0:5100,tls,x509=/pki",
      "kvm -object tls-creds-x509,id=vnctls0,endpoint=server,dir=/pki,verify-peer=no"
      " -vnc 0.0.0.0:5100,tls-creds=vnctls0 -S" },
    { ":1,tls", "kvm -object tls-creds-anon,id=vnctls0,endpoint=server -vnc :1,tls-creds=vnctls0 -S" },
    { ":1,password", "kvm -vnc :1,password -S" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *json = g_strdup_printf ("[[\"kvm\", \"-vnc\", \"%s\", \"-S\"], [], {}]", cases[i].vnc);
      g_autoptr(HvKvmGanetiRuntime) runtime = parse (json);
      g_autofree gchar *argv = NULL;

      hv_kvm_ganeti_rewrite_vnc_tls (runtime);
      argv = argv_string (runtime);
      g_assert_cmpstr (argv, ==, cases[i].expected);
    }
}

static void
test_rule_fix_disk_discard (void)
{
  const struct {
    const gchar *hvparams;
    const gchar *expected;
  } cases[] = {
    { "{\"disk_discard\": \"default\"}", "{\"disk_discard\":\"ignore\"}" },
    { "{\"disk_discard\": \"unmap\"}", "{\"disk_discard\":\"unmap\"}" },
    { "{\"disk_discard\": \"ignore\"}", "{\"disk_discard\":\"ignore\"}" },
    { "{\"disk_discard\": 3}", "{\"disk_discard\":\"ignore\"}" },
    { "{\"acpi\": true}", "{\"acpi\":true}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *json = g_strdup_printf ("[[\"kvm\"], [], %s]", cases[i].hvparams);
      g_autoptr(HvKvmGanetiRuntime) runtime = parse (json);
      g_autofree gchar *hvparams = NULL;

      hv_kvm_ganeti_fix_disk_discard (runtime);
      hvparams = object_string (runtime->hvparams);
      g_assert_cmpstr (hvparams, ==, cases[i].expected);
    }
}

static void
test_rule_drop_chroot (void)
{
  g_autoptr(HvKvmGanetiRuntime) runtime =
    parse ("[[\"kvm\", \"-chroot\", \"/var/lib/x\", \"-S\", \"-chroot\"], [], {}]");
  g_autofree gchar *argv = NULL;

  hv_kvm_ganeti_drop_chroot (runtime);
  argv = argv_string (runtime);
  g_assert_cmpstr (argv, ==, "kvm -S");
}

/* Ganeti's kvm_runtime.py fixed disk_discard and dropped -chroot only
 * inside the branch that found -vnc: here every rule runs on its own. */
static void
test_rules_not_nested_under_vnc (void)
{
  g_autoptr(HvKvmGanetiRuntime) runtime =
    parse ("[[\"kvm\", \"-chroot\", \"/c\", \"-display\", \"none\"], [], {\"disk_discard\": \"default\"}]");
  g_autofree gchar *argv = NULL;
  g_autofree gchar *hvparams = NULL;

  hv_kvm_ganeti_runtime_upgrade (runtime);
  argv = argv_string (runtime);
  hvparams = object_string (runtime->hvparams);
  g_assert_cmpstr (argv, ==, "kvm -display none");
  g_assert_cmpstr (hvparams, ==, "{\"disk_discard\":\"ignore\"}");
}

/* ---- refused files ----------------------------------------------------- */

static void
test_ganeti_refused (void)
{
  const gchar *bad[] = {
    "", "   ", "{}", "[]", "[[\"kvm\"], []]", "[\"kvm\", [], {}]", "[[\"kvm\"], {}, {}]",
    "[[\"kvm\"], [], []]", "[[\"kvm\", true], [], {}]", "[[\"kvm\"], [1], {}]",
    "[[\"kvm\"], [], {}, {}]", "[[\"kvm\"], [], {}, [[{}]]]", "[[\"kvm\"], [], {}, [[{}, 1]]]",
    "[[\"kvm\"], [], {}, [[{}, \"l\", \"u\", \"x\"]]]", "[[\"kvm\"], [{\"uuid\": 1}], {}]",
    "[[\"kvm\"], [{\"pci\": \"5\"}], {}]", "[[\"kvm\"], [{\"hvinfo\": []}], {}]",
    "[[\"kvm\", \"-name\", \"a\"], [], {}] trailing",
    "[[\"kvm\", \"-name\", \"../etc\"], [], {}]",
    "[[\"kvm\"], [], {}]",   /* no -name and no hint */
    "[[\"kvm\", \"-name\", \"a\"], [{\"mac\": 5}], {}]",
    "[[\"kvm\", \"-name\", \"a\"], [{\"pci\": 40}], {}]",
    "[[\"kvm\", \"-name\", \"a\"], [{\"pci\": 5, \"uuid\": \"u1\"}, {\"pci\": 5, \"uuid\": \"u2\"}], {}]",
    "[[\"kvm\", \"-name\", \"a\"], [], {}, [[{\"size\": \"big\"}, \"/dev/a\"]]]",
    "[[\"kvm\", \"-name\", \"a\"], [], {}, [[{\"hvinfo\": {\"bus\": \"pci.0\", \"addr\": \"0xzz\"}}, \"/dev/a\"]]]",
    "[[\"kvm\", \"-name\", \"a\"], [{\"netinfo\": {\"tags\": [1]}}], {}]",
    "[[\"kvm\", \"-name\", \"a\\udc00\"], [], {}]",
    "[[\"kvm\", \"-name\", \"\xff\"], [], {}]",
    /* json-glib reads "\777" as an octal escape, giving a byte 0xff */
    "[[\"kvm\", \"-name\", \"a\", \"x\\777\"], [], {}]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HvKvmRuntime) runtime =
        hv_kvm_runtime_new_from_ganeti (bad[i], strlen (bad[i]), NULL, "bad.runtime", &error);

      g_test_message ("%u: %s", i, error != NULL ? error->message : "(accepted)");
      g_assert_null (runtime);
      g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
      g_assert_nonnull (strstr (error->message, "'bad.runtime'"));
    }
}

static void
test_ganeti_deep_nesting (void)
{
  g_autoptr(GString) json = g_string_new ("[[\"kvm\", \"-name\", \"a\"], [], {\"x\": ");
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) runtime = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (json, '[');
  runtime = hv_kvm_runtime_new_from_ganeti (json->str, json->len, NULL, "deep", &error);
  g_assert_null (runtime);
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT);
  g_assert_nonnull (strstr (error->message, "deeper"));
}

static void
test_ganeti_later_entries_kept (void)
{
  const gchar *json = "[[\"kvm\", \"-name\", \"a\"], [], {}, [], [{\"vcpu\": 1}], {\"hotplugged\": 512}]";
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) runtime = hv_kvm_runtime_new_from_ganeti (json, strlen (json), NULL, "x", &error);
  g_autoptr(GVariant) extra = NULL;
  g_autofree gchar *printed = NULL;

  g_assert_no_error (error);
  extra = g_variant_lookup_value (runtime->extra, "ganeti_extra", NULL);
  printed = g_variant_print (extra, FALSE);
  g_assert_cmpstr (printed, ==, "[<[<{'vcpu': <int64 1>}>]>, <{'hotplugged': <int64 512>}>]");
}

/* ---- every shape, against its expected record -------------------------- */

static void
assert_matches_golden (const gchar *actual,
                       const gchar *golden_path)
{
  g_autofree gchar *expected = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (g_getenv ("HV_TEST_REGENERATE"), "1") == 0)
    {
      g_assert_true (g_file_set_contents (golden_path, actual, -1, &error));
      g_test_message ("regenerated %s", golden_path);
      return;
    }

  g_assert_true (g_file_get_contents (golden_path, &expected, NULL, &error));
  g_assert_no_error (error);
  if (g_strcmp0 (expected, actual) != 0)
    {
      g_autofree gchar *actual_path = NULL;
      g_autofree gchar *diff = NULL;
      gint fd = g_file_open_tmp ("hvkit-golden-XXXXXX.json", &actual_path, &error);
      const gchar *argv[] = { "diff", "-u", golden_path, NULL, NULL };

      g_assert_no_error (error);
      close (fd);
      g_assert_true (g_file_set_contents (actual_path, actual, -1, NULL));
      argv[3] = actual_path;
      g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &diff, NULL, NULL, NULL);
      g_test_message ("%s differs from the output (HV_TEST_REGENERATE=1 rewrites it):\n%s",
                      golden_path, diff != NULL ? diff : "");
      g_unlink (actual_path);
      g_test_fail ();
    }
}

static void
test_ganeti_shape (gconstpointer data)
{
  const gchar *shape = data;
  g_autofree gchar *filename = g_strconcat (shape, ".runtime", NULL);
  g_autofree gchar *golden_name = g_strconcat (shape, ".expected.json", NULL);
  g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "data", "ganeti", filename, NULL);
  g_autofree gchar *golden = g_test_build_filename (G_TEST_DIST, "data", "ganeti", golden_name, NULL);
  g_autofree gchar *contents = NULL;
  g_autofree gchar *json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HvKvmRuntime) runtime = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_true (hv_kvm_runtime_data_is_ganeti (contents, length));
  runtime = hv_kvm_runtime_new_from_ganeti (contents, length, NULL, path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runtime->version, ==, HV_KVM_RUNTIME_VERSION);

  /* A uuid made up for a NIC without one cannot be in a golden file: it
   * must be a fresh, valid uuid, and is shown as a placeholder. */
  for (guint i = 0; i < runtime->nics->len; i++)
    {
      HvKvmRuntimeDevice *nic = g_ptr_array_index (runtime->nics, i);
      const gchar *uuid = hv_kvm_runtime_device_get_uuid (nic);

      g_assert_true (g_uuid_string_is_valid (uuid));
      if (strstr (contents, uuid) == NULL)
        hv_kvm_runtime_device_set (nic, "uuid", g_variant_new_string ("(generated)"));
    }

  json = hv_kvm_runtime_to_json (runtime);
  assert_matches_golden (json, golden);
}

int
main (int argc, char **argv)
{
  static const gchar *shapes[] = {
    "2008-three-entries", "2.10-seed-disk-link", "2.10-disk-link-uri", "2.16-hvinfo", "nic-without-uuid",
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kvm-ganeti/rule/add-disks-entry", test_rule_add_disks_entry);
  g_test_add_func ("/kvm-ganeti/rule/add-disk-uri", test_rule_add_disk_uri);
  g_test_add_func ("/kvm-ganeti/rule/add-nic-uuids", test_rule_add_nic_uuids);
  g_test_add_func ("/kvm-ganeti/rule/pci-to-hvinfo", test_rule_pci_to_hvinfo);
  g_test_add_func ("/kvm-ganeti/rule/rewrite-localtime", test_rule_rewrite_localtime);
  g_test_add_func ("/kvm-ganeti/rule/rewrite-balloon", test_rule_rewrite_balloon);
  g_test_add_func ("/kvm-ganeti/rule/rewrite-vnc-tls", test_rule_rewrite_vnc_tls);
  g_test_add_func ("/kvm-ganeti/rule/fix-disk-discard", test_rule_fix_disk_discard);
  g_test_add_func ("/kvm-ganeti/rule/drop-chroot", test_rule_drop_chroot);
  g_test_add_func ("/kvm-ganeti/rules-not-nested-under-vnc", test_rules_not_nested_under_vnc);
  g_test_add_func ("/kvm-ganeti/refused", test_ganeti_refused);
  g_test_add_func ("/kvm-ganeti/deep-nesting", test_ganeti_deep_nesting);
  g_test_add_func ("/kvm-ganeti/later-entries-kept", test_ganeti_later_entries_kept);
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/kvm-ganeti/shape/%s", shapes[i]);

      g_test_add_data_func (path, shapes[i], test_ganeti_shape);
    }

  return g_test_run ();
}
