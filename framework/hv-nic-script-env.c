/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvNicScript"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hv-nic-script.h"

/* The environment of the NIC scripts, apart from running them so that it
 * can be checked on its own. */

static gboolean
hv_str_is_empty (const gchar *str)
{
  return str == NULL || *str == '\0';
}

static void
hv_env_set (GHashTable  *env,
            const gchar *key,
            const gchar *value)
{
  g_hash_table_replace (env, g_strdup (key), g_strdup (value != NULL ? value : ""));
}

static gchar *
hv_variant_lookup_joined (GVariant    *dict,
                          const gchar *key)
{
  g_autofree const gchar **strv = NULL;

  if (!g_variant_lookup (dict, key, "^a&s", &strv))
    return g_strdup ("");
  return g_strjoinv (" ", (gchar **) strv);
}

/* objects.Network.HooksDict: name, uuid and tags always, the rest when
 * set. */
static void
hv_env_set_network (GHashTable *env,
                    GVariant   *network)
{
  static const struct {
    const gchar *key;
    const gchar *variable;
  } optional[] = {
    { "subnet", "NETWORK_SUBNET" },
    { "gateway", "NETWORK_GATEWAY" },
    { "subnet6", "NETWORK_SUBNET6" },
    { "gateway6", "NETWORK_GATEWAY6" },
    { "mac_prefix", "NETWORK_MAC_PREFIX" },
  };
  const gchar *value;

  if (!g_variant_lookup (network, "name", "&s", &value))
    value = "";
  hv_env_set (env, "NETWORK_NAME", value);
  if (!g_variant_lookup (network, "uuid", "&s", &value))
    value = "";
  hv_env_set (env, "NETWORK_UUID", value);
  g_hash_table_replace (env, g_strdup ("NETWORK_TAGS"), hv_variant_lookup_joined (network, "tags"));

  for (gsize i = 0; i < G_N_ELEMENTS (optional); i++)
    {
      if (g_variant_lookup (network, optional[i].key, "&s", &value) && *value != '\0')
        hv_env_set (env, optional[i].variable, value);
    }
}

static gint
hv_env_compare_keys (gconstpointer a,
                     gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/**
 * hv_nic_script_build_environment:
 * @instance_name: the instance's name
 * @nic: the NIC
 * @seq: the NIC's index in the instance, or -1 when unknown
 * @tap: (nullable): the tap on the host, or %NULL when unknown
 * @tags: (nullable) (array zero-terminated=1): the instance's tags, or
 *   %NULL to leave `TAGS` out
 *
 * The environment of a NIC script, as Ganeti's `_CreateNICEnv` and
 * `ConfigureNIC` build it:
 *
 * - `PATH`: the caller's `PATH` followed by `:/sbin:/usr/sbin`;
 * - `LC_ALL=C`, which Ganeti's `RunCmd` adds;
 * - `INSTANCE`, `MAC`, `MODE` and `INTERFACE_UUID` always;
 * - `INTERFACE` when @tap is known, `INTERFACE_INDEX` when @seq is (also
 *   for the first NIC, whose index 0 the seed's `if seq:` dropped);
 * - `TAGS`, the tags separated by spaces, when @tags is given;
 * - `IP`, `INTERFACE_NAME` and `LINK` when not empty;
 * - `VLAN` when the NIC has one, even empty, as Ganeti sets it whenever
 *   the NIC parameters name it;
 * - `BRIDGE`, the link, in `bridged` mode;
 * - when the NIC is on a network, `NETWORK_NAME`, `NETWORK_UUID` and
 *   `NETWORK_TAGS`, and `NETWORK_SUBNET`, `NETWORK_GATEWAY`,
 *   `NETWORK_SUBNET6`, `NETWORK_GATEWAY6` and `NETWORK_MAC_PREFIX` when set
 *   (`objects.Network.HooksDict`).
 *
 * Unlike Ganeti, nothing else of the caller's environment is passed on.
 *
 * Returns: (transfer full) (array zero-terminated=1): `KEY=value` strings,
 *   sorted by key
 *
 * Since: 1.0
 */
gchar **
hv_nic_script_build_environment (const gchar         *instance_name,
                                 HvNic               *nic,
                                 gint                 seq,
                                 const gchar         *tap,
                                 const gchar * const *tags)
{
  g_autoptr(GHashTable) env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree gchar *path = NULL;
  g_autoptr(GPtrArray) strv = g_ptr_array_new ();
  g_autofree gpointer *keys = NULL;
  guint n_keys;

  g_return_val_if_fail (instance_name != NULL, NULL);
  g_return_val_if_fail (HV_IS_NIC (nic), NULL);

  path = g_strconcat (g_getenv ("PATH") != NULL ? g_getenv ("PATH") : "/usr/bin:/bin",
                      ":/sbin:/usr/sbin", NULL);
  hv_env_set (env, "PATH", path);
  hv_env_set (env, "LC_ALL", "C");
  hv_env_set (env, "INSTANCE", instance_name);
  hv_env_set (env, "MAC", hv_nic_get_mac (nic));
  hv_env_set (env, "MODE", hv_nic_get_mode (nic));
  hv_env_set (env, "INTERFACE_UUID", hv_device_get_uuid (HV_DEVICE (nic)));
  if (tap != NULL)
    hv_env_set (env, "INTERFACE", tap);
  if (seq >= 0)
    g_hash_table_replace (env, g_strdup ("INTERFACE_INDEX"), g_strdup_printf ("%d", seq));
  if (tags != NULL)
    g_hash_table_replace (env, g_strdup ("TAGS"), g_strjoinv (" ", (gchar **) tags));
  if (!hv_str_is_empty (hv_nic_get_ip (nic)))
    hv_env_set (env, "IP", hv_nic_get_ip (nic));
  if (!hv_str_is_empty (hv_device_get_name (HV_DEVICE (nic))))
    hv_env_set (env, "INTERFACE_NAME", hv_device_get_name (HV_DEVICE (nic)));
  if (!hv_str_is_empty (hv_nic_get_link (nic)))
    hv_env_set (env, "LINK", hv_nic_get_link (nic));
  if (hv_nic_get_vlan (nic) != NULL)
    hv_env_set (env, "VLAN", hv_nic_get_vlan (nic));
  if (hv_nic_get_network (nic) != NULL)
    hv_env_set_network (env, hv_nic_get_network (nic));
  if (g_strcmp0 (hv_nic_get_mode (nic), "bridged") == 0)
    hv_env_set (env, "BRIDGE", hv_nic_get_link (nic));

  keys = g_hash_table_get_keys_as_array (env, &n_keys);
  qsort (keys, n_keys, sizeof (gpointer), hv_env_compare_keys);
  for (guint i = 0; i < n_keys; i++)
    g_ptr_array_add (strv, g_strconcat (keys[i], "=", g_hash_table_lookup (env, keys[i]), NULL));
  g_ptr_array_add (strv, NULL);
  return (gchar **) g_ptr_array_free (g_steal_pointer (&strv), FALSE);
}
