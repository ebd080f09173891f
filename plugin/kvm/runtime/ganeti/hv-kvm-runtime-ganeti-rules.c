/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmRuntime"

#include "config.h"

#include <string.h>

#include <uuid/uuid.h>

#include "hv-kvm-runtime-ganeti.h"

/* The rules Ganeti applies to an old runtime file when it loads it
 * (seeds 000/001 _UpgradeSerializedRuntime, then kvm_runtime.py). Each
 * works on a parsed file whose shape hv_kvm_ganeti_runtime_parse checked,
 * does one thing, and does it whether or not the others had work. */

/* 1. A file of three entries comes from before disks were recorded
 *    (2008): its disks are inside argv, and the list of disks is empty, so
 *    migration works and hotplug works for new disks (seed 002). */
void
hv_kvm_ganeti_add_disks_entry (HvKvmGanetiRuntime *runtime)
{
  if (runtime->disks == NULL)
    runtime->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) json_array_unref);
}

/* 2. The seeds stored a disk as [disk, link], upstream 2.10 and later as
 *    [disk, link, uri]; the pair gets a null uri. Ganeti at HEAD cannot
 *    read the pairs at all. */
void
hv_kvm_ganeti_add_disk_uri (HvKvmGanetiRuntime *runtime)
{
  for (guint i = 0; runtime->disks != NULL && i < runtime->disks->len; i++)
    {
      JsonArray *entry = g_ptr_array_index (runtime->disks, i);

      if (json_array_get_length (entry) == 2)
        json_array_add_null_element (entry);
    }
}

/* 3. NICs from before Ganeti 2.8 have no uuid: they get a random one. */
void
hv_kvm_ganeti_add_nic_uuids (HvKvmGanetiRuntime *runtime)
{
  for (guint i = 0; i < runtime->nics->len; i++)
    {
      JsonObject *nic = g_ptr_array_index (runtime->nics, i);

      if (!json_object_has_member (nic, "uuid") || json_object_get_null_member (nic, "uuid"))
        {
          uuid_t uuid;
          gchar text[37];

          uuid_generate_random (uuid);
          uuid_unparse_lower (uuid, text);
          json_object_set_string_member (nic, "uuid", text);
        }
    }
}

static const gchar *
hv_kvm_ganeti_hvparam_string (HvKvmGanetiRuntime *runtime,
                              const gchar        *key)
{
  JsonNode *node = json_object_get_member (runtime->hvparams, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
hv_kvm_ganeti_device_pci_to_hvinfo (JsonObject  *device,
                                    const gchar *type,
                                    const gchar *driver,
                                    guint        index)
{
  JsonObject *hvinfo;
  JsonNode *pci_node = json_object_get_member (device, "pci");
  const gchar *uuid = NULL;
  gint64 pci;

  if (pci_node == NULL)
    return;
  if (json_object_has_member (device, "hvinfo") || JSON_NODE_HOLDS_NULL (pci_node))
    {
      json_object_remove_member (device, "pci");
      return;
    }

  pci = json_node_get_int (pci_node);
  if (json_object_has_member (device, "uuid") && !json_object_get_null_member (device, "uuid"))
    uuid = json_object_get_string_member (device, "uuid");

  hvinfo = json_object_new ();
  if (driver != NULL)
    json_object_set_string_member (hvinfo, "driver", driver);
  if (uuid != NULL && *uuid != '\0')
    {
      /* the id Ganeti 2.10 gave the device: its uuid's first group */
      g_autofree gchar *group = g_strndup (uuid, strcspn (uuid, "-"));
      g_autofree gchar *id = g_strdup_printf ("hot%s-%s-pci-%" G_GINT64_FORMAT, type, group, pci);

      json_object_set_string_member (hvinfo, "id", id);
    }
  else
    {
      /* seed 001 named a disk without uuid by its index */
      g_autofree gchar *id = g_strdup_printf ("hot%s-%u", type, index);

      json_object_set_string_member (hvinfo, "id", id);
    }
  {
    g_autofree gchar *addr = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", pci);

    json_object_set_string_member (hvinfo, "addr", addr);
  }
  json_object_set_string_member (hvinfo, "bus", "pci.0");
  json_object_set_object_member (device, "hvinfo", hvinfo);
  json_object_remove_member (device, "pci");
}

/* 4. Ganeti 2.10 – 2.15 kept a paravirtual device's slot in `pci`; 2.16
 *    moved it to `hvinfo`, with the id the device has in the QEMU that
 *    2.10 started (`hotdisk-1a2b3c4d-pci-5`) and the driver that the
 *    nic_type / disk_type hvparam implies. */
void
hv_kvm_ganeti_pci_to_hvinfo (HvKvmGanetiRuntime *runtime)
{
  const gchar *nic_type = hv_kvm_ganeti_hvparam_string (runtime, "nic_type");
  const gchar *disk_type = hv_kvm_ganeti_hvparam_string (runtime, "disk_type");
  const gchar *nic_driver = g_strcmp0 (nic_type, "paravirtual") == 0 ? "virtio-net-pci" : nic_type;
  const gchar *disk_driver = g_strcmp0 (disk_type, "paravirtual") == 0 ? "virtio-blk-pci" : disk_type;

  for (guint i = 0; i < runtime->nics->len; i++)
    hv_kvm_ganeti_device_pci_to_hvinfo (g_ptr_array_index (runtime->nics, i), "nic", nic_driver, i);

  for (guint i = 0; runtime->disks != NULL && i < runtime->disks->len; i++)
    {
      JsonArray *entry = g_ptr_array_index (runtime->disks, i);

      hv_kvm_ganeti_device_pci_to_hvinfo (json_array_get_object_element (entry, 0),
                                          "disk", disk_driver, i);
    }
}

/* Replaces @count elements of @argv at @index by @n_new strings. */
static void
hv_kvm_ganeti_argv_splice (GPtrArray          *argv,
                           guint               index,
                           guint               count,
                           const gchar * const *replacement,
                           guint               n_new)
{
  count = MIN (count, argv->len - index);
  g_ptr_array_remove_range (argv, index, count);
  for (guint i = 0; i < n_new; i++)
    g_ptr_array_insert (argv, index + i, g_strdup (replacement[i]));
}

/* The value after option @i, or NULL when the option ends argv. */
static const gchar *
hv_kvm_ganeti_argv_value (GPtrArray *argv,
                          guint      i)
{
  return i + 1 < argv->len ? g_ptr_array_index (argv, i + 1) : NULL;
}

/* 5. QEMU dropped -localtime for -rtc base=localtime. */
void
hv_kvm_ganeti_rewrite_localtime (HvKvmGanetiRuntime *runtime)
{
  static const gchar * const rtc[] = { "-rtc", "base=localtime" };

  for (guint i = 0; i < runtime->argv->len; i++)
    if (g_str_equal (g_ptr_array_index (runtime->argv, i), "-localtime"))
      hv_kvm_ganeti_argv_splice (runtime->argv, i, 1, rtc, 2);
}

/* 6. QEMU dropped -balloon: `-balloon virtio[,args]` becomes `-device
 *    virtio-balloon[,args]`, and `-balloon none` goes (Ganeti would turn
 *    it into a balloon). */
void
hv_kvm_ganeti_rewrite_balloon (HvKvmGanetiRuntime *runtime)
{
  for (guint i = 0; i < runtime->argv->len; i++)
    {
      const gchar *value;

      if (!g_str_equal (g_ptr_array_index (runtime->argv, i), "-balloon"))
        continue;
      value = hv_kvm_ganeti_argv_value (runtime->argv, i);
      if (value != NULL && (g_str_equal (value, "virtio") || g_str_has_prefix (value, "virtio,")))
        {
          g_autofree gchar *device = g_strconcat ("virtio-balloon", value + strlen ("virtio"), NULL);
          const gchar *replacement[] = { "-device", device };

          hv_kvm_ganeti_argv_splice (runtime->argv, i, 2, replacement, 2);
        }
      else if (g_strcmp0 (value, "none") == 0)
        {
          hv_kvm_ganeti_argv_splice (runtime->argv, i, 2, NULL, 0);
          i--;
        }
    }
}

/* The -vnc value without its TLS options, and the -object that replaces
 * them, or NULL when it has none. */
static gchar *
hv_kvm_ganeti_vnc_tls_object (const gchar  *vnc,
                              gchar       **out_vnc)
{
  g_auto(GStrv) args = g_strsplit (vnc, ",", -1);
  g_autoptr(GPtrArray) vnc_args = g_ptr_array_new ();
  g_autoptr(GPtrArray) object_args = g_ptr_array_new_with_free_func (g_free);
  const gchar *object = NULL;

  g_ptr_array_add (object_args, g_strdup ("id=vnctls0"));
  g_ptr_array_add (object_args, g_strdup ("endpoint=server"));
  for (guint i = 0; args[i] != NULL; i++)
    {
      if (g_str_equal (args[i], "tls"))
        {
          object = "tls-creds-anon";
          g_ptr_array_add (vnc_args, (gpointer) "tls-creds=vnctls0");
        }
      else if (g_str_has_prefix (args[i], "x509=") || g_str_has_prefix (args[i], "x509verify="))
        {
          gboolean verify = g_str_has_prefix (args[i], "x509verify=");

          object = "tls-creds-x509";
          g_ptr_array_add (object_args, g_strdup_printf ("dir=%s", strchr (args[i], '=') + 1));
          g_ptr_array_add (object_args, g_strdup (verify ? "verify-peer=yes" : "verify-peer=no"));
        }
      else
        g_ptr_array_add (vnc_args, args[i]);
    }
  if (object == NULL)
    return NULL;

  g_ptr_array_add (vnc_args, NULL);
  g_ptr_array_add (object_args, NULL);
  *out_vnc = g_strjoinv (",", (gchar **) vnc_args->pdata);
  {
    g_autofree gchar *joined = g_strjoinv (",", (gchar **) object_args->pdata);

    return g_strdup_printf ("%s,%s", object, joined);
  }
}

/* 7. QEMU dropped -vnc's tls and x509 options for a tls-creds object:
 *    `-vnc :1,tls,x509verify=/pki` becomes `-object
 *    tls-creds-x509,id=vnctls0,endpoint=server,dir=/pki,verify-peer=yes
 *    -vnc :1,tls-creds=vnctls0`. */
void
hv_kvm_ganeti_rewrite_vnc_tls (HvKvmGanetiRuntime *runtime)
{
  for (guint i = 0; i < runtime->argv->len; i++)
    {
      const gchar *value;
      g_autofree gchar *object = NULL;
      g_autofree gchar *vnc = NULL;

      if (!g_str_equal (g_ptr_array_index (runtime->argv, i), "-vnc"))
        continue;
      value = hv_kvm_ganeti_argv_value (runtime->argv, i);
      if (value == NULL || (object = hv_kvm_ganeti_vnc_tls_object (value, &vnc)) == NULL)
        continue;
      {
        const gchar *replacement[] = { "-object", object, "-vnc", vnc };

        hv_kvm_ganeti_argv_splice (runtime->argv, i, 2, replacement, 4);
        i += 3;
      }
    }
}

/* 8. Ganeti 3.1 dropped the disk_discard value 'default': anything but
 *    ignore and unmap becomes ignore. */
void
hv_kvm_ganeti_fix_disk_discard (HvKvmGanetiRuntime *runtime)
{
  const gchar *discard;

  if (!json_object_has_member (runtime->hvparams, "disk_discard"))
    return;
  discard = hv_kvm_ganeti_hvparam_string (runtime, "disk_discard");
  if (g_strcmp0 (discard, "ignore") != 0 && g_strcmp0 (discard, "unmap") != 0)
    json_object_set_string_member (runtime->hvparams, "disk_discard", "ignore");
}

/* 9. QEMU 9 folded -chroot into -run-with; a command line with -chroot
 *    would not start there, so a migration to it would fail
 *    (ganeti/ganeti#1853). The option and its directory go. */
void
hv_kvm_ganeti_drop_chroot (HvKvmGanetiRuntime *runtime)
{
  for (guint i = 0; i < runtime->argv->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (runtime->argv, i), "-chroot"))
        {
          hv_kvm_ganeti_argv_splice (runtime->argv, i, 2, NULL, 0);
          i--;
        }
    }
}

/* Every rule, in order. */
void
hv_kvm_ganeti_runtime_upgrade (HvKvmGanetiRuntime *runtime)
{
  static void (* const rules[]) (HvKvmGanetiRuntime *) = {
    hv_kvm_ganeti_add_disks_entry,
    hv_kvm_ganeti_add_disk_uri,
    hv_kvm_ganeti_add_nic_uuids,
    hv_kvm_ganeti_pci_to_hvinfo,
    hv_kvm_ganeti_rewrite_localtime,
    hv_kvm_ganeti_rewrite_balloon,
    hv_kvm_ganeti_rewrite_vnc_tls,
    hv_kvm_ganeti_fix_disk_discard,
    hv_kvm_ganeti_drop_chroot,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    rules[i] (runtime);
}
