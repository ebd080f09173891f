/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmHotplug"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-kvm-cmdline.h"
#include "hv-kvm-hotplug-op.h"

/*
 * Disks: `blockdev-add` of a raw node over a file or host_device node,
 * then `device_add virtio-blk-pci` on it. The node is named after the
 * device (its QEMU id), as Ganeti 3.1 does, and recorded with the disk
 * (`node_name`): a disk started from the command line is a `-drive
 * if=none` backend that QEMU deletes with its device, a hot-added one a
 * node hvkit must delete.
 *
 * When QEMU cannot open the disk itself (security_model user or pool,
 * use_chroot), hvkit opens it and passes the descriptor with `add-fd`;
 * the node opens `/dev/fdset/N` and the set is removed once the node
 * holds its own copy.
 *
 * The cache, aio and discard options are the command line's rules
 * (hv-kvm-cmdline-disks.c) applied to the hvparams the instance runs with.
 */

/* Disk templates on storage shared between nodes get cache none unless the
 * disk asks for another mode: as hv-kvm-cmdline-disks.c. */
static const gchar * const shared_templates[] = {
  "sharedfile", "blockdev", "ext", "gluster", NULL
};

static const gchar *
hvparam_string (HvKvmHotplugOp *op,
                const gchar    *key,
                const gchar    *fallback)
{
  const gchar *value;

  if (g_variant_dict_lookup (hv_kvm_hotplug_op_get_hvparams (op), key, "&s", &value))
    return value;
  return fallback;
}

static gboolean
hvparam_bool (HvKvmHotplugOp *op,
              const gchar    *key)
{
  gboolean value = FALSE;

  return g_variant_dict_lookup (hv_kvm_hotplug_op_get_hvparams (op), key, "b", &value) && value;
}

/* The disk's cache mode, NULL for QEMU's default. */
static const gchar *
disk_cache_mode (HvKvmHotplugOp *op)
{
  HvDisk *disk = HV_DISK (op->device);
  const gchar *cache = hv_disk_get_cache (disk);
  const gchar *dev_type = hv_disk_get_dev_type (disk);

  if (cache == NULL && dev_type != NULL && g_strv_contains (shared_templates, dev_type))
    cache = "none";
  if (cache == NULL)
    cache = hvparam_string (op, "disk_cache", "default");
  return g_str_equal (cache, "default") ? NULL : cache;
}

/* -drive cache=MODE in blockdev terms: the node's cache.direct and
 * cache.no-flush, and the device's write-cache. */
static void
disk_cache_options (const gchar *mode,
                    JsonObject  *node,
                    JsonObject  *device)
{
  gboolean direct = g_str_equal (mode, "none") || g_str_equal (mode, "directsync");
  gboolean no_flush = g_str_equal (mode, "unsafe");
  gboolean write_cache = !g_str_equal (mode, "writethrough") && !g_str_equal (mode, "directsync");
  JsonObject *cache = json_object_new ();

  json_object_set_boolean_member (cache, "direct", direct);
  json_object_set_boolean_member (cache, "no-flush", no_flush);
  json_object_set_object_member (node, "cache", cache);
  json_object_set_string_member (device, "write-cache", write_cache ? "on" : "off");
}

/**
 * hv_kvm_hotplug_disk_prepare:
 *
 * Before the journal: the disk must have a path on this node, and whether
 * hvkit opens it is decided.
 */
gboolean
hv_kvm_hotplug_disk_prepare (HvKvmHotplugOp  *op,
                             GError         **error)
{
  const gchar *link = hv_disk_get_link (HV_DISK (op->device));
  const gchar *security_model = hvparam_string (op, "security_model", "none");

  if (link == NULL || *link == '\0')
    {
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   _("Cannot hot-add %s: the disk has no path on this node"),
                   hv_kvm_hotplug_op_describe (op));
      return FALSE;
    }
  /* in the device's record too (add_derive) */
  op->node_name = g_strdup (op->qemu_id);
  if (!g_str_equal (security_model, "none") || hvparam_bool (op, "use_chroot"))
    op->fdset_opaque = g_strdup_printf ("hvkit:%s", op->qemu_id);
  return TRUE;
}

static void
hv_kvm_hotplug_close_disk_fd (HvKvmHotplugOp *op)
{
  if (op->disk_fd >= 0)
    g_close (op->disk_fd, NULL);
  op->disk_fd = -1;
}

static gboolean
disk_is_read_only (HvKvmHotplugOp *op)
{
  return g_strcmp0 (hv_disk_get_mode (HV_DISK (op->device)), "ro") == 0;
}

/* ---- fd-added: the descriptor QEMU cannot open itself ------------------- */

static void
disk_add_fd_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  GError *error = NULL;

  if (!hv_kvm_qmp_add_fd_finish (HV_KVM_QMP_CLIENT (source), result, &op->fdset_id, NULL, &error))
    {
      hv_kvm_hotplug_close_disk_fd (op);
      g_prefix_error (&error, _("Cannot pass %s to QEMU: "), hv_kvm_hotplug_op_describe (op));
    }
  hv_kvm_hotplug_op_step_done (op, error);
}

static void
disk_step_add_fd (HvKvmHotplugOp *op,
                  guint           arg)
{
  const gchar *link = hv_disk_get_link (HV_DISK (op->device));

  op->disk_fd = g_open (link, (disk_is_read_only (op) ? O_RDONLY : O_RDWR) | O_CLOEXEC, 0);
  if (op->disk_fd < 0)
    {
      int errsv = errno;

      hv_kvm_hotplug_op_step_done (op, g_error_new (HV_ERROR, HV_ERROR_HOTPLUG,
                                                    _("Cannot open '%s' for %s: %s"), link,
                                                    hv_kvm_hotplug_op_describe (op),
                                                    g_strerror (errsv)));
      return;
    }
  hv_kvm_qmp_add_fd_async (op->qmp, op->disk_fd, -1, op->fdset_opaque, NULL, disk_add_fd_cb, op);
}

static void
disk_remove_fd_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  GError *error = NULL;

  if (hv_kvm_qmp_remove_fd_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    op->fdset_id = -1;
  hv_kvm_hotplug_op_step_done (op, error);
}

/* Undo of fd-added, and step fd-removed once the node holds its own
 * descriptor. */
static void
disk_step_remove_fd (HvKvmHotplugOp *op,
                     guint           arg)
{
  hv_kvm_hotplug_close_disk_fd (op);
  if (op->fdset_id < 0)
    {
      hv_kvm_hotplug_op_step_done (op, NULL);
      return;
    }
  hv_kvm_qmp_remove_fd_async (op->qmp, op->fdset_id, -1, NULL, disk_remove_fd_cb, op);
}

/* ---- node-added --------------------------------------------------------- */

static JsonObject *
disk_node_options (HvKvmHotplugOp *op,
                   JsonObject     *device)
{
  const gchar *link = hv_disk_get_link (HV_DISK (op->device));
  const gchar *aio = hvparam_string (op, "disk_aio", "");
  const gchar *discard = hvparam_string (op, "disk_discard", "");
  const gchar *cache = disk_cache_mode (op);
  JsonObject *node = json_object_new ();
  JsonObject *file = json_object_new ();
  g_autofree gchar *filename = NULL;
  GStatBuf st;

  /* a block device (LVM, DRBD) through host_device, anything else as a
   * file; a path that is not there is QEMU's to report */
  json_object_set_string_member (file, "driver",
                                 g_stat (link, &st) == 0 && S_ISBLK (st.st_mode) ? "host_device"
                                                                                : "file");
  filename = op->fdset_id >= 0 ? g_strdup_printf ("/dev/fdset/%" G_GINT64_FORMAT, op->fdset_id)
                               : g_strdup (link);
  json_object_set_string_member (file, "filename", filename);
  if (*aio != '\0' && !g_str_equal (aio, "threads"))
    json_object_set_string_member (file, "aio", aio);

  json_object_set_string_member (node, "driver", "raw");
  json_object_set_string_member (node, "node-name", op->node_name);
  json_object_set_object_member (node, "file", file);
  if (disk_is_read_only (op))
    json_object_set_boolean_member (node, "read-only", TRUE);
  if (*discard != '\0' && !g_str_equal (discard, "default"))
    json_object_set_string_member (node, "discard", discard);
  if (cache != NULL)
    disk_cache_options (cache, node, device);
  return node;
}

static void
disk_blockdev_add_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  GError *error = NULL;

  if (!hv_kvm_qmp_blockdev_add_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    g_prefix_error (&error, _("Cannot hot-add %s: "), hv_kvm_hotplug_op_describe (op));
  hv_kvm_hotplug_op_step_done (op, error);
}

static void
disk_step_add_node (HvKvmHotplugOp *op,
                    guint           arg)
{
  g_autoptr(JsonObject) device = json_object_new ();
  g_autoptr(JsonObject) node = disk_node_options (op, device);

  hv_kvm_qmp_blockdev_add_async (op->qmp, node, NULL, disk_blockdev_add_cb, op);
}

static void
disk_node_gone_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  GError *error = NULL;
  g_autoptr(JsonArray) nodes = NULL;

  nodes = hv_kvm_qmp_query_named_block_nodes_finish (HV_KVM_QMP_CLIENT (source), result, &error);
  if (nodes != NULL && hv_kvm_hotplug_has_node (nodes, op->node_name))
    error = g_error_new (HV_ERROR, HV_ERROR_HOTPLUG, _("Cannot delete block node %s of %s"),
                         op->node_name, hv_kvm_hotplug_op_describe (op));
  hv_kvm_hotplug_op_step_done (op, error);
}

static void
disk_blockdev_del_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (hv_kvm_qmp_blockdev_del_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    {
      hv_kvm_hotplug_op_step_done (op, NULL);
      return;
    }
  /* QEMU is gone, and the node with it: there is nobody to ask */
  if (!hv_kvm_qmp_client_is_connected (op->qmp))
    {
      hv_kvm_hotplug_op_step_done (op, g_steal_pointer (&error));
      return;
    }
  /* QEMU deleted a -drive backend with its device, and says "Failed to
   * find node" for it only in words: ask whether the node is there */
  g_debug ("blockdev-del %s: %s", op->node_name, error->message);
  hv_kvm_qmp_query_named_block_nodes_async (op->qmp, NULL, disk_node_gone_cb, op);
}

/* Undo of node-added, and step node-deleted of a removal. */
static void
disk_step_del_node (HvKvmHotplugOp *op,
                    guint           arg)
{
  if (op->node_name == NULL)
    {
      hv_kvm_hotplug_op_step_done (op, NULL);
      return;
    }
  hv_kvm_qmp_blockdev_del_async (op->qmp, op->node_name, NULL, disk_blockdev_del_cb, op);
}

/* ---- device-added ------------------------------------------------------- */

static void
disk_step_add_device (HvKvmHotplugOp *op,
                      guint           arg)
{
  HvDisk *disk = HV_DISK (op->device);
  g_autoptr(JsonObject) properties = json_object_new ();
  g_autoptr(JsonObject) unused = json_object_new ();
  g_autofree gchar *address = g_strdup_printf ("0x%x", (guint) op->slot);
  const gchar *cache = disk_cache_mode (op);
  gint64 heads, secs;

  json_object_set_string_member (properties, "drive", op->node_name);
  json_object_set_string_member (properties, "bus", "pci.0");
  json_object_set_string_member (properties, "addr", address);
  if (cache != NULL)
    disk_cache_options (cache, unused, properties);
  /* geometry is the guest's view of the disk, as on the command line */
  if (hv_disk_get_geometry (disk, &heads, &secs) && heads > 0 && secs > 0)
    {
      json_object_set_int_member (properties, "cyls",
                                  hv_kvm_cmdline_disk_cylinders (hv_disk_get_size (disk), heads,
                                                                 secs));
      json_object_set_int_member (properties, "heads", heads);
      json_object_set_int_member (properties, "secs", secs);
    }
  hv_kvm_hotplug_add_device (op, "virtio-blk-pci", properties);
}

/* ---- the steps ---------------------------------------------------------- */

void
hv_kvm_hotplug_disk_add_steps (HvKvmHotplugOp *op)
{
  if (op->fdset_opaque != NULL)
    hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_FD_ADDED, disk_step_add_fd,
                                disk_step_remove_fd, 0, 0);
  /* With the slot final, and QEMU opening the disk itself, blockdev-add
   * goes out first and the intent is saved while QEMU works on it: a
   * block node is nothing the guest sees, and one that a crash left
   * before the intent was saved has a name of hvkit's making that no
   * record holds, which the reconcile deletes. device_add still waits
   * for the intent. (With an fd set, add-fd comes first and blockdev-add
   * needs its answer: the steps keep their order.) */
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_NODE_ADDED, disk_step_add_node,
                              disk_step_del_node, 0,
                              op->slot_final && op->fdset_opaque == NULL
                              ? HV_KVM_HOTPLUG_STEP_EARLY : 0);
  if (op->fdset_opaque != NULL)
    hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_FD_REMOVED, disk_step_remove_fd, NULL, 0,
                                HV_KVM_HOTPLUG_STEP_BEST_EFFORT);
  /* device_add goes out right behind blockdev-add (or remove-fd): it
   * names the node, so it fails if the node is not there */
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_DEVICE_ADDED, disk_step_add_device,
                              hv_kvm_hotplug_undo_device_add, 0, HV_KVM_HOTPLUG_STEP_AHEAD);
}

/* After the unplug: the node, if hotplug added one. */
void
hv_kvm_hotplug_disk_del_steps (HvKvmHotplugOp *op)
{
  const gchar *node_name = NULL;

  if (g_variant_lookup (op->dict, HV_KVM_HOTPLUG_KEY_NODE_NAME, "&s", &node_name))
    op->node_name = g_strdup (node_name);
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_NODE_DELETED, disk_step_del_node, NULL, 0,
                              HV_KVM_HOTPLUG_STEP_BEST_EFFORT);
}
