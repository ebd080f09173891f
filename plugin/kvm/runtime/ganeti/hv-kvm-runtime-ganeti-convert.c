/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmRuntime"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-kvm-runtime-ganeti.h"

/* From an upgraded Ganeti runtime file to hvkit's record: Ganeti's Disk
 * and NIC dictionaries become the a{sv} forms of HvDisk and HvNic, and the
 * whole goes through hv_kvm_runtime_new_from_variant, so an imported
 * record passes the checks a saved one does. */

static GVariant *hv_kvm_ganeti_json_to_variant (JsonNode *node, GError **error);

static gint
hv_kvm_ganeti_compare_entries (gconstpointer a,
                               gconstpointer b)
{
  GVariant *entry_a = *(GVariant * const *) a;
  GVariant *entry_b = *(GVariant * const *) b;
  g_autoptr(GVariant) key_a = g_variant_get_child_value (entry_a, 0);
  g_autoptr(GVariant) key_b = g_variant_get_child_value (entry_b, 0);

  return strcmp (g_variant_get_string (key_a, NULL), g_variant_get_string (key_b, NULL));
}

/* A floating a{sv}, sorted by key. */
static GVariant *
hv_kvm_ganeti_dict_end (GVariantDict *dict)
{
  g_autoptr(GVariant) unsorted = g_variant_ref_sink (g_variant_dict_end (dict));
  gsize n = g_variant_n_children (unsorted);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_full (n, (GDestroyNotify) g_variant_unref);

  for (gsize i = 0; i < n; i++)
    g_ptr_array_add (entries, g_variant_get_child_value (unsorted, i));
  g_ptr_array_sort (entries, hv_kvm_ganeti_compare_entries);
  return g_variant_new_array (G_VARIANT_TYPE ("{sv}"), (GVariant **) entries->pdata, entries->len);
}

static gboolean
hv_kvm_ganeti_check_utf8 (const gchar  *text,
                          GError      **error)
{
  /* A \u escape of a lone surrogate gives bytes GVariant refuses. */
  if (g_utf8_validate (text, -1, NULL))
    return TRUE;
  g_set_error_literal (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT, _("a string is not valid UTF-8"));
  return FALSE;
}

static GVariant *
hv_kvm_ganeti_value_to_variant (JsonNode  *node,
                                GError   **error)
{
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return g_variant_new_int64 (json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return g_variant_new_double (json_node_get_double (node));
    case G_TYPE_BOOLEAN:
      return g_variant_new_boolean (json_node_get_boolean (node));
    case G_TYPE_STRING:
      if (!hv_kvm_ganeti_check_utf8 (json_node_get_string (node), error))
        return NULL;
      return g_variant_new_string (json_node_get_string (node));
    default:
      g_set_error_literal (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT, _("a JSON value has no known type"));
      return NULL;
    }
}

/* Members of @object as an a{sv}; null members are left out when
 * @drop_null, else kept as an empty maybe. */
static GVariant *
hv_kvm_ganeti_object_to_variant (JsonObject  *object,
                                 gboolean     drop_null,
                                 GError     **error)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  JsonObjectIter iter;
  const gchar *key;
  JsonNode *member;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &key, &member))
    {
      GVariant *value;

      if (drop_null && JSON_NODE_HOLDS_NULL (member))
        continue;
      if (!hv_kvm_ganeti_check_utf8 (key, error))
        return NULL;
      value = hv_kvm_ganeti_json_to_variant (member, error);
      if (value == NULL)
        return NULL;
      g_variant_dict_insert_value (&dict, key, value);
    }
  return hv_kvm_ganeti_dict_end (&dict);
}

/* Any JSON as a floating GVariant: object a{sv}, list av, string s,
 * integer x, number d, boolean b, null an empty mv. The depth was bounded
 * before parsing. */
static GVariant *
hv_kvm_ganeti_json_to_variant (JsonNode  *node,
                               GError   **error)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return hv_kvm_ganeti_object_to_variant (json_node_get_object (node), FALSE, error);
    case JSON_NODE_ARRAY:
      {
        g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("av"));
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            GVariant *value = hv_kvm_ganeti_json_to_variant (json_array_get_element (array, i), error);

            if (value == NULL)
              return NULL;
            g_variant_builder_add (&builder, "v", value);
          }
        return g_variant_builder_end (&builder);
      }
    case JSON_NODE_NULL:
      return g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL);
    case JSON_NODE_VALUE:
    default:
      return hv_kvm_ganeti_value_to_variant (node, error);
    }
}

/* Moves the string members of Ganeti's nicparams to the top of the NIC,
 * as HvNic has them; anything else stays under "nicparams". */
static gboolean
hv_kvm_ganeti_flatten_nicparams (GVariantDict  *nic,
                                 JsonObject    *nicparams,
                                 GError       **error)
{
  g_autoptr(JsonObject) rest = json_object_new ();
  JsonObjectIter iter;
  const gchar *key;
  JsonNode *member;

  json_object_iter_init (&iter, nicparams);
  while (json_object_iter_next (&iter, &key, &member))
    {
      GVariant *value;

      if (JSON_NODE_HOLDS_NULL (member))
        continue;
      if (!g_str_equal (key, "mode") && !g_str_equal (key, "link") && !g_str_equal (key, "vlan"))
        {
          json_object_set_member (rest, key, json_node_ref (member));
          continue;
        }
      value = hv_kvm_ganeti_json_to_variant (member, error);
      if (value == NULL)
        return FALSE;
      g_variant_dict_insert_value (nic, key, value);
    }

  if (json_object_get_size (rest) > 0)
    {
      GVariant *value = hv_kvm_ganeti_object_to_variant (rest, FALSE, error);

      if (value == NULL)
        return FALSE;
      g_variant_dict_insert_value (nic, "nicparams", value);
    }
  return TRUE;
}

/* Ganeti's netinfo (the network's own dictionary) as HvNic's network:
 * `network`/`network6` are the subnets, tags a list of strings. */
static GVariant *
hv_kvm_ganeti_network (JsonObject   *netinfo,
                       const gchar  *network_uuid,
                       GError      **error)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  if (netinfo != NULL)
    {
      g_autoptr(GVariant) all = hv_kvm_ganeti_object_to_variant (netinfo, TRUE, error);
      g_autoptr(GVariant) tags = NULL;
      g_autoptr(GVariant) subnet = NULL, subnet6 = NULL;

      if (all == NULL)
        return NULL;
      g_variant_ref_sink (all);
      g_variant_dict_clear (&dict);
      g_variant_dict_init (&dict, all);
      if ((subnet = g_variant_dict_lookup_value (&dict, "network", NULL)) != NULL)
        {
          g_variant_dict_remove (&dict, "network");
          g_variant_dict_insert_value (&dict, "subnet", subnet);
        }
      if ((subnet6 = g_variant_dict_lookup_value (&dict, "network6", NULL)) != NULL)
        {
          g_variant_dict_remove (&dict, "network6");
          g_variant_dict_insert_value (&dict, "subnet6", subnet6);
        }
      if ((tags = g_variant_dict_lookup_value (&dict, "tags", G_VARIANT_TYPE ("av"))) != NULL)
        {
          g_autoptr(GPtrArray) strings = g_ptr_array_new ();
          gsize n = g_variant_n_children (tags);

          for (gsize i = 0; i < n; i++)
            {
              g_autoptr(GVariant) tag = g_variant_get_child_value (tags, i);
              g_autoptr(GVariant) inner = g_variant_get_variant (tag);

              if (g_variant_is_of_type (inner, G_VARIANT_TYPE_STRING))
                g_ptr_array_add (strings, (gpointer) g_variant_get_string (inner, NULL));
            }
          if (strings->len == n)
            g_variant_dict_insert_value (&dict, "tags",
                                         g_variant_new_strv ((const gchar * const *) strings->pdata,
                                                             strings->len));
        }
    }
  if (network_uuid != NULL && !g_variant_dict_contains (&dict, "uuid"))
    g_variant_dict_insert (&dict, "uuid", "s", network_uuid);
  return hv_kvm_ganeti_dict_end (&dict);
}

static gboolean
hv_kvm_ganeti_nic_member (GVariantDict   *dict,
                          const gchar    *key,
                          JsonNode       *member,
                          JsonObject    **out_netinfo,
                          const gchar   **out_network_uuid,
                          GError        **error)
{
  GVariant *value;

  if (g_str_equal (key, "nicparams") && JSON_NODE_HOLDS_OBJECT (member))
    return hv_kvm_ganeti_flatten_nicparams (dict, json_node_get_object (member), error);
  if (g_str_equal (key, "netinfo") && JSON_NODE_HOLDS_OBJECT (member))
    {
      *out_netinfo = json_node_get_object (member);
      return TRUE;
    }
  if (g_str_equal (key, "network") && JSON_NODE_HOLDS_VALUE (member)
      && json_node_get_value_type (member) == G_TYPE_STRING)
    {
      *out_network_uuid = json_node_get_string (member);
      return hv_kvm_ganeti_check_utf8 (*out_network_uuid, error);
    }

  value = hv_kvm_ganeti_json_to_variant (member, error);
  if (value == NULL)
    return FALSE;
  g_variant_dict_insert_value (dict, key, value);
  return TRUE;
}

/* The slot and QEMU id that Ganeti's hvinfo gives a device. */
static gboolean
hv_kvm_ganeti_hvinfo_to_slot (GVariantDict  *dict,
                              JsonObject    *device,
                              GError       **error)
{
  JsonNode *hvinfo_node = json_object_get_member (device, "hvinfo");
  JsonObject *hvinfo;
  JsonNode *id, *bus, *addr;
  gint64 slot = -1;

  if (hvinfo_node == NULL || !JSON_NODE_HOLDS_OBJECT (hvinfo_node))
    return TRUE;
  hvinfo = json_node_get_object (hvinfo_node);
  id = json_object_get_member (hvinfo, "id");
  bus = json_object_get_member (hvinfo, "bus");
  addr = json_object_get_member (hvinfo, "addr");

  if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING
      && *json_node_get_string (id) != '\0')
    g_variant_dict_insert (dict, "qemu_id", "s", json_node_get_string (id));

  if (bus == NULL || !JSON_NODE_HOLDS_VALUE (bus) || json_node_get_value_type (bus) != G_TYPE_STRING
      || !g_str_equal (json_node_get_string (bus), "pci.0") || addr == NULL || !JSON_NODE_HOLDS_VALUE (addr))
    return TRUE;

  if (json_node_get_value_type (addr) == G_TYPE_INT64)
    slot = json_node_get_int (addr);
  else if (json_node_get_value_type (addr) == G_TYPE_STRING)
    {
      const gchar *text = json_node_get_string (addr);
      gchar *end = NULL;

      if (g_ascii_strncasecmp (text, "0x", 2) == 0)
        slot = g_ascii_strtoll (text + 2, &end, 16);
      else
        slot = g_ascii_strtoll (text, &end, 10);
      if (end == NULL || end == text || *end != '\0')
        slot = -1;
    }
  if (slot < 0 || slot >= HV_KVM_PCI_SLOTS)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
                   _("its hvinfo has no PCI slot in addr"));
      return FALSE;
    }
  g_variant_dict_insert (dict, "pci", "i", (gint32) slot);
  return TRUE;
}

/* A Ganeti Disk or NIC dictionary as the record's device a{sv}. */
static GVariant *
hv_kvm_ganeti_device_to_variant (JsonObject    *device,
                                 HvDeviceType   type,
                                 const gchar   *link,
                                 const gchar   *uri,
                                 GError       **error)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  JsonObject *netinfo = NULL;
  const gchar *network_uuid = NULL;
  JsonObjectIter iter;
  const gchar *key;
  JsonNode *member;

  json_object_iter_init (&iter, device);
  while (json_object_iter_next (&iter, &key, &member))
    {
      /* Ganeti's ToDict leaves out what is None; so does this. */
      if (JSON_NODE_HOLDS_NULL (member))
        continue;
      if (!hv_kvm_ganeti_check_utf8 (key, error))
        return NULL;
      if (type == HV_DEVICE_TYPE_NIC)
        {
          if (!hv_kvm_ganeti_nic_member (&dict, key, member, &netinfo, &network_uuid, error))
            return NULL;
        }
      else
        {
          GVariant *value = hv_kvm_ganeti_json_to_variant (member, error);

          if (value == NULL)
            return NULL;
          g_variant_dict_insert_value (&dict, key, value);
        }
    }

  if (netinfo != NULL || network_uuid != NULL)
    {
      GVariant *network = hv_kvm_ganeti_network (netinfo, network_uuid, error);

      if (network == NULL)
        return NULL;
      g_variant_dict_insert_value (&dict, "network", network);
    }
  if (link != NULL)
    g_variant_dict_insert (&dict, "link", "s", link);
  if (uri != NULL && *uri != '\0')
    g_variant_dict_insert (&dict, "uri", "s", uri);
  g_variant_dict_remove (&dict, "pci");
  if (!hv_kvm_ganeti_hvinfo_to_slot (&dict, device, error))
    return NULL;
  return hv_kvm_ganeti_dict_end (&dict);
}

static GVariant *
hv_kvm_ganeti_devices_to_variant (HvKvmGanetiRuntime  *runtime,
                                  HvDeviceType         type,
                                  GError             **error)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
  GPtrArray *list = type == HV_DEVICE_TYPE_DISK ? runtime->disks : runtime->nics;

  for (guint i = 0; i < list->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      GVariant *dict;

      if (type == HV_DEVICE_TYPE_DISK)
        {
          JsonArray *entry = g_ptr_array_index (list, i);
          JsonNode *uri = json_array_get_element (entry, 2);

          dict = hv_kvm_ganeti_device_to_variant (json_array_get_object_element (entry, 0), type,
                                                  json_array_get_string_element (entry, 1),
                                                  JSON_NODE_HOLDS_NULL (uri) ? NULL : json_node_get_string (uri),
                                                  &local_error);
        }
      else
        dict = hv_kvm_ganeti_device_to_variant (g_ptr_array_index (list, i), type, NULL, NULL, &local_error);

      if (dict == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      type == HV_DEVICE_TYPE_DISK ? _("disk %u: ") : _("NIC %u: "), i);
          return NULL;
        }
      g_variant_builder_add_value (&builder, dict);
    }
  return g_variant_builder_end (&builder);
}

/* The value of QEMU option @option in @argv ("-name x,debug-threads=on"
 * gives "x"); "key=" in front of it is dropped ("guest=x", "type=pc"). */
static gchar *
hv_kvm_ganeti_argv_option (GPtrArray   *argv,
                           const gchar *option,
                           const gchar *key)
{
  for (guint i = 0; i + 1 < argv->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (argv, i), option))
        {
          const gchar *value = g_ptr_array_index (argv, i + 1);

          if (key != NULL && g_str_has_prefix (value, key))
            value += strlen (key);
          return g_strndup (value, strcspn (value, ","));
        }
    }
  return NULL;
}

/* Turns an upgraded Ganeti file into a record. Errors are
 * HV_ERROR_RUNTIME_CORRUPT with the reason only. */
HvKvmRuntime *
hv_kvm_ganeti_runtime_convert (HvKvmGanetiRuntime  *runtime,
                               const gchar         *name_hint,
                               GError             **error)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autofree gchar *name = hv_kvm_ganeti_argv_option (runtime->argv, "-name", "guest=");
  g_autofree gchar *uuid = hv_kvm_ganeti_argv_option (runtime->argv, "-uuid", NULL);
  g_autofree gchar *machine = hv_kvm_ganeti_argv_option (runtime->argv, "-machine", "type=");
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GError) local_error = NULL;
  GVariant *value;
  HvKvmRuntime *self;

  g_return_val_if_fail (runtime->disks != NULL, NULL);

  if (machine == NULL)
    machine = hv_kvm_ganeti_argv_option (runtime->argv, "-M", "type=");
  if (name == NULL && name_hint != NULL)
    name = g_strdup (name_hint);
  if (name == NULL)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
                           _("its command line has no -name and no instance name was given"));
      return NULL;
    }

  g_ptr_array_add (runtime->argv, NULL);
  g_variant_dict_insert_value (&dict, "argv", g_variant_new_strv ((const gchar * const *) runtime->argv->pdata, -1));
  g_ptr_array_remove_index (runtime->argv, runtime->argv->len - 1);
  g_variant_dict_insert (&dict, "name", "s", name);
  g_variant_dict_insert (&dict, "uuid", "s", uuid != NULL ? uuid : "");
  g_variant_dict_insert (&dict, "machine", "s", machine != NULL ? machine : "");
  g_variant_dict_insert (&dict, "qemu_version", "s", "");

  if ((value = hv_kvm_ganeti_object_to_variant (runtime->hvparams, FALSE, error)) == NULL)
    return NULL;
  g_variant_dict_insert_value (&dict, "hvparams", value);
  if ((value = hv_kvm_ganeti_devices_to_variant (runtime, HV_DEVICE_TYPE_DISK, error)) == NULL)
    return NULL;
  g_variant_dict_insert_value (&dict, "disks", value);
  if ((value = hv_kvm_ganeti_devices_to_variant (runtime, HV_DEVICE_TYPE_NIC, error)) == NULL)
    return NULL;
  g_variant_dict_insert_value (&dict, "nics", value);

  /* Entries of later Ganeti versions (memory and vCPU hotplug) stay. */
  if (runtime->extra->len > 0)
    {
      g_auto(GVariantBuilder) extra = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("av"));

      for (guint i = 0; i < runtime->extra->len; i++)
        {
          if ((value = hv_kvm_ganeti_json_to_variant (g_ptr_array_index (runtime->extra, i), error)) == NULL)
            return NULL;
          g_variant_builder_add (&extra, "v", value);
        }
      g_variant_dict_insert_value (&dict, "ganeti_extra", g_variant_builder_end (&extra));
    }

  record = g_variant_ref_sink (hv_kvm_ganeti_dict_end (&dict));
  self = hv_kvm_runtime_new_from_variant (record, &local_error);
  if (self == NULL)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT, local_error->message);
      return NULL;
    }
  return self;
}

HvKvmRuntime *
hv_kvm_runtime_new_from_ganeti (const gchar  *data,
                                gsize         length,
                                const gchar  *name_hint,
                                const gchar  *source,
                                GError      **error)
{
  g_autoptr(HvKvmGanetiRuntime) runtime = NULL;
  g_autoptr(GError) local_error = NULL;
  HvKvmRuntime *self;

  runtime = hv_kvm_ganeti_runtime_parse (data, length, &local_error);
  if (runtime != NULL)
    {
      hv_kvm_ganeti_runtime_upgrade (runtime);
      self = hv_kvm_ganeti_runtime_convert (runtime, name_hint, &local_error);
      if (self != NULL)
        return self;
    }

  g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
               _("Ganeti runtime file '%s' cannot be imported: %s"), source, local_error->message);
  return NULL;
}
