/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvNodeInfo"

#include "config.h"


#include <glib/gi18n-lib.h>

#include "hv-error.h"
#include "hv-node-info-private.h"

/**
 * HvNodeInfo:
 *
 * What a node offers to instances, as Ganeti's `GetNodeInfo` reports it.
 * Memory is in MiB, CPU counts are counts. As a variant it is an `a{sv}`
 * with Ganeti's keys: `memory_total`, `memory_free`, `memory_dom0`,
 * `cpu_total`, `cpu_dom0`, `cpu_nodes`, `cpu_sockets` (all `x`) and, when
 * the driver set it, `hv_version` (`s`). Keys it does not know are kept and
 * written back.
 *
 * hv_node_info_new_from_system() reads Linux's view of the node; a driver
 * adds its hypervisor's version.
 *
 * Since: 1.0
 */

/* Indices into HvNodeInfo.counts, in the order of the a{sv} keys. */
typedef enum {
  COUNT_MEMORY_TOTAL,
  COUNT_MEMORY_FREE,
  COUNT_MEMORY_DOM0,
  COUNT_CPU_TOTAL,
  COUNT_CPU_DOM0,
  COUNT_CPU_NODES,
  COUNT_CPU_SOCKETS,
  N_COUNTS
} HvNodeInfoCount;

static const gchar *const count_keys[N_COUNTS] = {
  "memory_total", "memory_free", "memory_dom0",
  "cpu_total", "cpu_dom0", "cpu_nodes", "cpu_sockets",
};

struct _HvNodeInfo {
  GObject   parent_instance;
  gint64    counts[N_COUNTS];
  gchar    *hv_version;
  GVariant *unknown;            /* a{sv} of keys kept for writing back, or NULL */
};

enum {
  PROP_0,
  PROP_MEMORY_TOTAL,
  PROP_MEMORY_FREE,
  PROP_MEMORY_DOM0,
  PROP_CPU_TOTAL,
  PROP_CPU_DOM0,
  PROP_CPU_NODES,
  PROP_CPU_SOCKETS,
  PROP_HV_VERSION,
  N_PROPS
};

G_STATIC_ASSERT (PROP_CPU_SOCKETS - PROP_MEMORY_TOTAL + 1 == N_COUNTS);

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HvNodeInfo, hv_node_info, G_TYPE_OBJECT)

static void
hv_node_info_set_count (HvNodeInfo      *self,
                        HvNodeInfoCount  count,
                        gint64           value)
{
  if (self->counts[count] == value)
    return;
  self->counts[count] = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY_TOTAL + count]);
}

static void
hv_node_info_finalize (GObject *object)
{
  HvNodeInfo *self = HV_NODE_INFO (object);

  g_free (self->hv_version);
  g_clear_pointer (&self->unknown, g_variant_unref);

  G_OBJECT_CLASS (hv_node_info_parent_class)->finalize (object);
}

static void
hv_node_info_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HvNodeInfo *self = HV_NODE_INFO (object);

  if (prop_id >= PROP_MEMORY_TOTAL && prop_id <= PROP_CPU_SOCKETS)
    g_value_set_int64 (value, self->counts[prop_id - PROP_MEMORY_TOTAL]);
  else if (prop_id == PROP_HV_VERSION)
    g_value_set_string (value, self->hv_version);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
hv_node_info_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HvNodeInfo *self = HV_NODE_INFO (object);

  if (prop_id >= PROP_MEMORY_TOTAL && prop_id <= PROP_CPU_SOCKETS)
    hv_node_info_set_count (self, prop_id - PROP_MEMORY_TOTAL, g_value_get_int64 (value));
  else if (prop_id == PROP_HV_VERSION)
    hv_node_info_set_hv_version (self, g_value_get_string (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static GParamSpec *
hv_node_info_count_pspec (const gchar *name)
{
  return g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0,
                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                             G_PARAM_EXPLICIT_NOTIFY);
}

static void
hv_node_info_class_init (HvNodeInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hv_node_info_finalize;
  object_class->get_property = hv_node_info_get_property;
  object_class->set_property = hv_node_info_set_property;

  /**
   * HvNodeInfo:memory-total:
   *
   * The node's memory, in MiB (`MemTotal`).
   *
   * Since: 1.0
   */
  properties[PROP_MEMORY_TOTAL] = hv_node_info_count_pspec ("memory-total");

  /**
   * HvNodeInfo:memory-free:
   *
   * The memory available to instances, in MiB: as Ganeti counts it,
   * `MemFree` + `Buffers` + `Cached`.
   *
   * Since: 1.0
   */
  properties[PROP_MEMORY_FREE] = hv_node_info_count_pspec ("memory-free");

  /**
   * HvNodeInfo:memory-dom0:
   *
   * The memory the node itself uses, in MiB: as Ganeti counts it, `Active`.
   *
   * Since: 1.0
   */
  properties[PROP_MEMORY_DOM0] = hv_node_info_count_pspec ("memory-dom0");

  /**
   * HvNodeInfo:cpu-total:
   *
   * The number of online CPUs (threads).
   *
   * Since: 1.0
   */
  properties[PROP_CPU_TOTAL] = hv_node_info_count_pspec ("cpu-total");

  /**
   * HvNodeInfo:cpu-dom0:
   *
   * The number of CPUs the node's OS may use: all of them under KVM.
   *
   * Since: 1.0
   */
  properties[PROP_CPU_DOM0] = hv_node_info_count_pspec ("cpu-dom0");

  /**
   * HvNodeInfo:cpu-nodes:
   *
   * The number of NUMA nodes.
   *
   * Since: 1.0
   */
  properties[PROP_CPU_NODES] = hv_node_info_count_pspec ("cpu-nodes");

  /**
   * HvNodeInfo:cpu-sockets:
   *
   * The number of physical CPU packages (sockets).
   *
   * Since: 1.0
   */
  properties[PROP_CPU_SOCKETS] = hv_node_info_count_pspec ("cpu-sockets");

  /**
   * HvNodeInfo:hv-version:
   *
   * The hypervisor's version as its driver reports it, such as `7.2.0`.
   *
   * Since: 1.0
   */
  properties[PROP_HV_VERSION] =
    g_param_spec_string ("hv-version", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_node_info_init (HvNodeInfo *self)
{
}

/**
 * hv_node_info_new:
 *
 * Node info with every count 0, for a driver to fill in.
 *
 * Returns: (transfer full): a new #HvNodeInfo
 *
 * Since: 1.0
 */
HvNodeInfo *
hv_node_info_new (void)
{
  return g_object_new (HV_TYPE_NODE_INFO, NULL);
}

/**
 * hv_node_info_get_memory_total:
 * @self: a #HvNodeInfo
 *
 * Returns: the node's memory, in MiB (#HvNodeInfo:memory-total)
 *
 * Since: 1.0
 */
gint64
hv_node_info_get_memory_total (HvNodeInfo *self)
{
  g_return_val_if_fail (HV_IS_NODE_INFO (self), 0);

  return self->counts[COUNT_MEMORY_TOTAL];
}

/**
 * hv_node_info_set_memory_total:
 * @self: a #HvNodeInfo
 * @memory_total: the node's memory, in MiB, not negative
 *
 * Sets #HvNodeInfo:memory-total.
 *
 * Since: 1.0
 */
void
hv_node_info_set_memory_total (HvNodeInfo *self,
                               gint64      memory_total)
{
  g_return_if_fail (HV_IS_NODE_INFO (self));
  g_return_if_fail (memory_total >= 0);

  hv_node_info_set_count (self, COUNT_MEMORY_TOTAL, memory_total);
}

/**
 * hv_node_info_get_memory_free:
 * @self: a #HvNodeInfo
 *
 * Returns: the memory available to instances, in MiB (#HvNodeInfo:memory-free)
 *
 * Since: 1.0
 */
gint64
hv_node_info_get_memory_free (HvNodeInfo *self)
{
  g_return_val_if_fail (HV_IS_NODE_INFO (self), 0);

  return self->counts[COUNT_MEMORY_FREE];
}

/**
 * hv_node_info_set_memory_free:
 * @self: a #HvNodeInfo
 * @memory_free: the memory available to instances, in MiB, not negative
 *
 * Sets #HvNodeInfo:memory-free.
 *
 * Since: 1.0
 */
void
hv_node_info_set_memory_free (HvNodeInfo *self,
                              gint64      memory_free)
{
  g_return_if_fail (HV_IS_NODE_INFO (self));
  g_return_if_fail (memory_free >= 0);

  hv_node_info_set_count (self, COUNT_MEMORY_FREE, memory_free);
}

/**
 * hv_node_info_get_memory_dom0:
 * @self: a #HvNodeInfo
 *
 * Returns: the memory the node itself uses, in MiB (#HvNodeInfo:memory-dom0)
 *
 * Since: 1.0
 */
gint64
hv_node_info_get_memory_dom0 (HvNodeInfo *self)
{
  g_return_val_if_fail (HV_IS_NODE_INFO (self), 0);

  return self->counts[COUNT_MEMORY_DOM0];
}

/**
 * hv_node_info_set_memory_dom0:
 * @self: a #HvNodeInfo
 * @memory_dom0: the memory the node itself uses, in MiB, not negative
 *
 * Sets #HvNodeInfo:memory-dom0.
 *
 * Since: 1.0
 */
void
hv_node_info_set_memory_dom0 (HvNodeInfo *self,
                              gint64      memory_dom0)
{
  g_return_if_fail (HV_IS_NODE_INFO (self));
  g_return_if_fail (memory_dom0 >= 0);

  hv_node_info_set_count (self, COUNT_MEMORY_DOM0, memory_dom0);
}

/**
 * hv_node_info_get_cpu_total:
 * @self: a #HvNodeInfo
 *
 * Returns: the number of online CPUs (#HvNodeInfo:cpu-total)
 *
 * Since: 1.0
 */
gint64
hv_node_info_get_cpu_total (HvNodeInfo *self)
{
  g_return_val_if_fail (HV_IS_NODE_INFO (self), 0);

  return self->counts[COUNT_CPU_TOTAL];
}

/**
 * hv_node_info_set_cpu_total:
 * @self: a #HvNodeInfo
 * @cpu_total: the number of online CPUs, not negative
 *
 * Sets #HvNodeInfo:cpu-total.
 *
 * Since: 1.0
 */
void
hv_node_info_set_cpu_total (HvNodeInfo *self,
                            gint64      cpu_total)
{
  g_return_if_fail (HV_IS_NODE_INFO (self));
  g_return_if_fail (cpu_total >= 0);

  hv_node_info_set_count (self, COUNT_CPU_TOTAL, cpu_total);
}

/**
 * hv_node_info_get_cpu_dom0:
 * @self: a #HvNodeInfo
 *
 * Returns: the number of CPUs the node's OS may use (#HvNodeInfo:cpu-dom0)
 *
 * Since: 1.0
 */
gint64
hv_node_info_get_cpu_dom0 (HvNodeInfo *self)
{
  g_return_val_if_fail (HV_IS_NODE_INFO (self), 0);

  return self->counts[COUNT_CPU_DOM0];
}

/**
 * hv_node_info_set_cpu_dom0:
 * @self: a #HvNodeInfo
 * @cpu_dom0: the number of CPUs the node's OS may use, not negative
 *
 * Sets #HvNodeInfo:cpu-dom0.
 *
 * Since: 1.0
 */
void
hv_node_info_set_cpu_dom0 (HvNodeInfo *self,
                           gint64      cpu_dom0)
{
  g_return_if_fail (HV_IS_NODE_INFO (self));
  g_return_if_fail (cpu_dom0 >= 0);

  hv_node_info_set_count (self, COUNT_CPU_DOM0, cpu_dom0);
}

/**
 * hv_node_info_get_cpu_nodes:
 * @self: a #HvNodeInfo
 *
 * Returns: the number of NUMA nodes (#HvNodeInfo:cpu-nodes)
 *
 * Since: 1.0
 */
gint64
hv_node_info_get_cpu_nodes (HvNodeInfo *self)
{
  g_return_val_if_fail (HV_IS_NODE_INFO (self), 0);

  return self->counts[COUNT_CPU_NODES];
}

/**
 * hv_node_info_set_cpu_nodes:
 * @self: a #HvNodeInfo
 * @cpu_nodes: the number of NUMA nodes, not negative
 *
 * Sets #HvNodeInfo:cpu-nodes.
 *
 * Since: 1.0
 */
void
hv_node_info_set_cpu_nodes (HvNodeInfo *self,
                            gint64      cpu_nodes)
{
  g_return_if_fail (HV_IS_NODE_INFO (self));
  g_return_if_fail (cpu_nodes >= 0);

  hv_node_info_set_count (self, COUNT_CPU_NODES, cpu_nodes);
}

/**
 * hv_node_info_get_cpu_sockets:
 * @self: a #HvNodeInfo
 *
 * Returns: the number of CPU sockets (#HvNodeInfo:cpu-sockets)
 *
 * Since: 1.0
 */
gint64
hv_node_info_get_cpu_sockets (HvNodeInfo *self)
{
  g_return_val_if_fail (HV_IS_NODE_INFO (self), 0);

  return self->counts[COUNT_CPU_SOCKETS];
}

/**
 * hv_node_info_set_cpu_sockets:
 * @self: a #HvNodeInfo
 * @cpu_sockets: the number of CPU sockets, not negative
 *
 * Sets #HvNodeInfo:cpu-sockets.
 *
 * Since: 1.0
 */
void
hv_node_info_set_cpu_sockets (HvNodeInfo *self,
                              gint64      cpu_sockets)
{
  g_return_if_fail (HV_IS_NODE_INFO (self));
  g_return_if_fail (cpu_sockets >= 0);

  hv_node_info_set_count (self, COUNT_CPU_SOCKETS, cpu_sockets);
}

/**
 * hv_node_info_get_hv_version:
 * @self: a #HvNodeInfo
 *
 * Returns: (nullable): the hypervisor's version, if the driver set it
 *
 * Since: 1.0
 */
const gchar *
hv_node_info_get_hv_version (HvNodeInfo *self)
{
  g_return_val_if_fail (HV_IS_NODE_INFO (self), NULL);

  return self->hv_version;
}

/**
 * hv_node_info_set_hv_version:
 * @self: a #HvNodeInfo
 * @hv_version: (nullable): the hypervisor's version, such as `7.2.0`
 *
 * Sets #HvNodeInfo:hv-version.
 *
 * Since: 1.0
 */
void
hv_node_info_set_hv_version (HvNodeInfo  *self,
                             const gchar *hv_version)
{
  g_return_if_fail (HV_IS_NODE_INFO (self));

  if (g_strcmp0 (self->hv_version, hv_version) == 0)
    return;
  g_free (self->hv_version);
  self->hv_version = g_strdup (hv_version);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HV_VERSION]);
}

/**
 * hv_node_info_new_from_system:
 * @meminfo: (nullable) (type filename): the meminfo file, %NULL for
 *   `/proc/meminfo`
 * @cpuinfo: (nullable) (type filename): the cpuinfo file, %NULL for
 *   `/proc/cpuinfo`
 * @sysfs_root: (nullable) (type filename): where sysfs is mounted, %NULL
 *   for `/sys`
 * @error: return location for a #GError
 *
 * Reads the node as Ganeti's `GetLinuxNodeInfo` does, and counts what its
 * FIXME left at 1:
 *
 * - memory_total: `MemTotal`; memory_free: `MemFree` + `Buffers` +
 *   `Cached`; memory_dom0: `Active`; each field in MiB rounded down on its
 *   own, as Ganeti computes them (so the sum may be up to 2 MiB below the
 *   sum's own rounding);
 * - cpu_total and cpu_dom0: the `processor : N` lines of cpuinfo;
 * - cpu_nodes: the `devices/system/node/node<N>` directories of sysfs, 1
 *   when there are none (a kernel without NUMA);
 * - cpu_sockets: the distinct `devices/system/cpu/cpu<N>/topology/
 *   physical_package_id` of sysfs, else the distinct `physical id` of
 *   cpuinfo, else 1.
 *
 * The arguments let tests read fixture files instead. A file that cannot
 * be read or a meminfo without a number where one is needed is an
 * %HV_ERROR_FAILED error; an unreadable sysfs falls back as above.
 *
 * Returns: (transfer full): the node info, or %NULL
 *
 * Since: 1.0
 */
HvNodeInfo *
hv_node_info_new_from_system (const gchar  *meminfo,
                              const gchar  *cpuinfo,
                              const gchar  *sysfs_root,
                              GError      **error)
{
  g_autoptr(HvNodeInfo) self = hv_node_info_new ();

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!hv_node_info_read_system (self,
                                 meminfo != NULL ? meminfo : "/proc/meminfo",
                                 cpuinfo != NULL ? cpuinfo : "/proc/cpuinfo",
                                 sysfs_root != NULL ? sysfs_root : "/sys",
                                 error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * hv_node_info_new_from_variant:
 * @variant: an `a{sv}` as hv_node_info_to_variant() writes it
 * @error: return location for a #GError
 *
 * Reads node info back, as a client of the D-Bus service does. Missing
 * counts are 0; keys it does not know are kept. A known key of the wrong
 * type is an %HV_ERROR_INVALID_PARAMETER error naming it and the type
 * expected.
 *
 * Returns: (transfer full): the node info, or %NULL
 *
 * Since: 1.0
 */
HvNodeInfo *
hv_node_info_new_from_variant (GVariant  *variant,
                               GError   **error)
{
  g_autoptr(GVariant) held = NULL;
  g_autoptr(HvNodeInfo) self = hv_node_info_new ();
  g_auto(GVariantBuilder) unknown = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  gboolean have_unknown = FALSE;
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  g_return_val_if_fail (variant != NULL, NULL);
  g_return_val_if_fail (g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  held = g_variant_ref_sink (variant);
  g_variant_iter_init (&iter, held);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;
      const GVariantType *expected = g_str_equal (key, "hv_version") ? G_VARIANT_TYPE_STRING
                                                                     : G_VARIANT_TYPE_INT64;
      gint count = -1;

      for (gint i = 0; i < N_COUNTS; i++)
        {
          if (g_str_equal (key, count_keys[i]))
            count = i;
        }
      if (count < 0 && !g_str_equal (key, "hv_version"))
        {
          g_variant_builder_add (&unknown, "{sv}", key, owned);
          have_unknown = TRUE;
          continue;
        }
      if (!g_variant_is_of_type (owned, expected))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Node info key '%s' must be of type '%s', not '%s'"),
                       key, count < 0 ? "s" : "x", g_variant_get_type_string (owned));
          return NULL;
        }
      if (count < 0)
        hv_node_info_set_hv_version (self, g_variant_get_string (owned, NULL));
      else if (g_variant_get_int64 (owned) < 0)
        {
          g_autofree gchar *shown = g_variant_print (owned, FALSE);

          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Node info key '%s' must not be negative (current value: '%s')"),
                       key, shown);
          return NULL;
        }
      else
        hv_node_info_set_count (self, count, g_variant_get_int64 (owned));
    }
  if (have_unknown)
    self->unknown = g_variant_ref_sink (g_variant_builder_end (&unknown));
  return g_steal_pointer (&self);
}

/**
 * hv_node_info_to_variant:
 * @self: a #HvNodeInfo
 *
 * The node info as an `a{sv}` with Ganeti's keys; `hv_version` only when
 * set; then any keys read by hv_node_info_new_from_variant() that it did
 * not know.
 *
 * Returns: (transfer full): a new non-floating `a{sv}`
 *
 * Since: 1.0
 */
GVariant *
hv_node_info_to_variant (HvNodeInfo *self)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  g_return_val_if_fail (HV_IS_NODE_INFO (self), NULL);

  for (gint i = 0; i < N_COUNTS; i++)
    g_variant_builder_add (&builder, "{sv}", count_keys[i], g_variant_new_int64 (self->counts[i]));
  if (self->hv_version != NULL)
    g_variant_builder_add (&builder, "{sv}", "hv_version", g_variant_new_string (self->hv_version));
  if (self->unknown != NULL)
    {
      GVariantIter iter;
      const gchar *key;
      GVariant *value;

      g_variant_iter_init (&iter, self->unknown);
      while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
        {
          g_variant_builder_add (&builder, "{sv}", key, value);
          g_variant_unref (value);
        }
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}
