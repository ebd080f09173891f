/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmHotplug"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-kvm-hotplug-op.h"

/*
 * NICs: a tap opened by hvkit (vnet_hdr, queues and vhost-net as the
 * running hvparams say), the ifup script, one `getfd` per descriptor on
 * the persistent connection (a name is used up by the netdev_add that
 * names it, so every descriptor gets its own), `netdev_add`, `device_add
 * virtio-net-pci`, the NIC files. hvkit closes its copies of the
 * descriptors once QEMU's netdev holds them: the tap then lives exactly as
 * long as QEMU's netdev.
 *
 * A removal runs ifdown while the tap still exists (QEMU holds it until
 * netdev_del), then deletes the netdev and the NIC files.
 */

static gboolean
nic_hvparam_bool (HvKvmHotplugOp *op,
                  const gchar    *key,
                  gboolean        fallback)
{
  gboolean value;

  if (g_variant_dict_lookup (hv_kvm_hotplug_op_get_hvparams (op), key, "b", &value))
    return value;
  return fallback;
}

static guint
nic_queues (HvKvmHotplugOp *op)
{
  gint64 queues = 1;

  g_variant_dict_lookup (hv_kvm_hotplug_op_get_hvparams (op), "virtio_net_queues", "x", &queues);
  return (guint) CLAMP (queues, 1, HV_KVM_NIC_MAX_QUEUES);
}

static gboolean
nic_has_vhost (HvKvmHotplugOp *op)
{
  return nic_hvparam_bool (op, "vhost_net", FALSE);
}

/* aa:bb:cc:dd:ee:ff, hex digits of either case: checked by hand, as a
 * GRegex would be compiled anew on every addition */
static gboolean
nic_mac_is_valid (const gchar *mac)
{
  if (mac == NULL || strlen (mac) != 17)
    return FALSE;
  for (guint i = 0; i < 17; i++)
    if (i % 3 == 2 ? mac[i] != ':' : !g_ascii_isxdigit (mac[i]))
      return FALSE;
  return TRUE;
}

/**
 * hv_kvm_hotplug_nic_prepare:
 *
 * Before the journal: a MAC the tap can take, and the getfd names, which
 * the journal keeps so that a crash cannot leave a descriptor in QEMU.
 */
gboolean
hv_kvm_hotplug_nic_prepare (HvKvmHotplugOp  *op,
                            GError         **error)
{
  const gchar *mac = hv_nic_get_mac (HV_NIC (op->device));
  guint queues = nic_queues (op);

  if (!nic_mac_is_valid (mac))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_HOTPLUG,
                   _("Cannot hot-add %s: MAC address '%s' is not of the form aa:bb:cc:dd:ee:ff"),
                   hv_kvm_hotplug_op_describe (op), mac != NULL ? mac : "");
      return FALSE;
    }
  /* the journal's intent names the tap: it is in the device's record
   * (add_derive) */
  /* short: QEMU 7.2 reads its QMP socket a byte per main-loop iteration,
   * and getfd and netdev_add both carry the name (the id would make the
   * NIC's commands some 40 bytes longer, 0.2 ms). Unique among the
   * operations under way by the slot; a name QEMU still holds from an
   * operation that ended (a crash, a QEMU that answered too late) is
   * replaced by getfd, which closes its descriptor. QEMU refuses a name
   * that starts with a digit. */
  for (guint q = 0; q < queues; q++)
    g_ptr_array_add (op->fd_names, g_strdup_printf ("t%d-%u", op->slot, q));
  if (nic_has_vhost (op))
    for (guint q = 0; q < queues; q++)
      g_ptr_array_add (op->fd_names, g_strdup_printf ("v%d-%u", op->slot, q));
  return TRUE;
}

/* ---- tap-opened --------------------------------------------------------- */

/**
 * hv_kvm_hotplug_nic_open_tap:
 *
 * Opens the tap while the slot is being asked for: a tap goes with its
 * last descriptor, so a crash now leaves nothing, and the journal's
 * intent knows its name before ifup configures it.
 */
gboolean
hv_kvm_hotplug_nic_open_tap (HvKvmHotplugOp  *op,
                             GError         **error)
{
  const gchar *vhost_device = hv_kvm_instance_get_vhost_net_device (op->instance);

  op->tap = hv_kvm_tap_open (NULL, nic_hvparam_bool (op, "vnet_hdr", TRUE), nic_queues (op),
                             nic_has_vhost (op) ? vhost_device : NULL, error);
  if (op->tap != NULL && !hv_kvm_tap_set_mac (op->tap, hv_nic_get_mac (HV_NIC (op->device)),
                                              error))
    g_clear_pointer (&op->tap, hv_kvm_tap_free);
  if (op->tap == NULL)
    {
      g_prefix_error (error, _("Cannot hot-add a NIC to instance %s: "),
                      hv_kvm_instance_get_name (op->instance));
      return FALSE;
    }
  return TRUE;
}

/* Step "tap-opened": the tap is open already; its undo closes it. */
static void
nic_step_tap_opened (HvKvmHotplugOp *op,
                     guint           arg)
{
  hv_kvm_hotplug_op_step_done (op, NULL);
}

static void
nic_undo_open_tap (HvKvmHotplugOp *op,
                   guint           arg)
{
  g_clear_pointer (&op->tap, hv_kvm_tap_free);
  hv_kvm_hotplug_op_step_done (op, NULL);
}

/* ---- ifup-done ---------------------------------------------------------- */

static void
nic_ifup_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  GError *error = NULL;

  hv_nic_script_ifup_finish (HV_NIC_SCRIPT (source), result, &error);
  hv_kvm_hotplug_op_step_done (op, error);
}

static void
nic_step_ifup (HvKvmHotplugOp *op,
               guint           arg)
{
  hv_nic_script_ifup_async (hv_kvm_instance_get_ifup_script (op->instance), op->owner,
                            HV_NIC (op->device), op->seq, op->tap->name, NULL, nic_ifup_cb, op);
}

static void
nic_ifdown_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  GError *error = NULL;

  hv_kvm_hotplug_nic_ifdown_finish (HV_KVM_INSTANCE (source), result, &error);
  hv_kvm_hotplug_op_step_done (op, error);
}

/* Undo of ifup-done, and step ifdown-done of a removal. */
static void
nic_step_ifdown (HvKvmHotplugOp *op,
                 guint           arg)
{
  g_autofree gchar *tap = hv_kvm_hotplug_nic_find_tap (op->instance, op->dict, op->seq);

  hv_kvm_hotplug_nic_ifdown_async (op->instance, op->dict, tap, nic_ifdown_cb, op);
}

/* ---- fd-passed ---------------------------------------------------------- */

static void
nic_getfd_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  GError *error = NULL;

  if (!hv_kvm_qmp_getfd_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    g_prefix_error (&error, _("Cannot pass the tap of %s to QEMU: "), hv_kvm_hotplug_op_describe (op));
  hv_kvm_hotplug_op_step_done (op, error);
}

/* @arg: the index in op->fd_names: tap queues, then vhost-net queues */
static void
nic_step_getfd (HvKvmHotplugOp *op,
                guint           arg)
{
  guint q = arg % op->tap->n_queues;
  gint fd = arg < op->tap->n_queues ? op->tap->fds[q] : op->tap->vhost_fds[q];

  hv_kvm_qmp_getfd_async (op->qmp, g_ptr_array_index (op->fd_names, arg), fd, NULL, nic_getfd_cb,
                          op);
}

static void
nic_closefd_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  g_autoptr(GError) error = NULL;

  /* a name QEMU does not hold (a refused netdev_add may have used it up)
   * is what this undo is for */
  if (!hv_kvm_qmp_closefd_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    g_debug ("closefd: %s", error->message);
  hv_kvm_hotplug_op_step_done (op, NULL);
}

static void
nic_undo_getfd (HvKvmHotplugOp *op,
                guint           arg)
{
  /* a netdev_add that succeeded used the name up; netdev_del closed it */
  if (op->fds_consumed)
    {
      hv_kvm_hotplug_op_step_done (op, NULL);
      return;
    }
  hv_kvm_qmp_closefd_async (op->qmp, g_ptr_array_index (op->fd_names, arg), NULL, nic_closefd_cb,
                            op);
}

/* ---- netdev-added ------------------------------------------------------- */

static gchar *
nic_join_names (HvKvmHotplugOp *op,
                guint           first,
                guint           count)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;

  for (guint i = first; i < first + count; i++)
    g_strv_builder_add (builder, g_ptr_array_index (op->fd_names, i));
  names = g_strv_builder_end (builder);
  return g_strjoinv (":", names);
}

static void
nic_netdev_add_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  GError *error = NULL;

  if (!hv_kvm_qmp_netdev_add_finish (HV_KVM_QMP_CLIENT (source), result, &error))
    g_prefix_error (&error, _("Cannot hot-add %s: "), hv_kvm_hotplug_op_describe (op));
  else
    {
      /* the names are used up, and QEMU's netdev holds the tap now */
      op->fds_consumed = TRUE;
      hv_kvm_tap_close (op->tap);
    }
  hv_kvm_hotplug_op_step_done (op, error);
}

static void
nic_step_add_netdev (HvKvmHotplugOp *op,
                     guint           arg)
{
  guint queues = op->tap->n_queues;
  gboolean multi = queues > 1;
  g_autoptr(JsonObject) properties = json_object_new ();
  g_autofree gchar *taps = nic_join_names (op, 0, queues);

  json_object_set_string_member (properties, multi ? "fds" : "fd", taps);
  if (op->tap->has_vhost)
    {
      g_autofree gchar *vhosts = nic_join_names (op, queues, queues);

      json_object_set_boolean_member (properties, "vhost", TRUE);
      json_object_set_string_member (properties, multi ? "vhostfds" : "vhostfd", vhosts);
    }
  hv_kvm_qmp_netdev_add_async (op->qmp, "tap", op->qemu_id, properties, NULL, nic_netdev_add_cb,
                               op);
}

static void
nic_netdev_del_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  HvKvmHotplugOp *op = user_data;
  GError *error = NULL;

  /* a netdev QEMU does not have is deleted */
  if (!hv_kvm_qmp_netdev_del_finish (HV_KVM_QMP_CLIENT (source), result, &error) &&
      hv_kvm_hotplug_error_is_class (error, "DeviceNotFound"))
    g_clear_error (&error);
  hv_kvm_hotplug_op_step_done (op, error);
}

/* Undo of netdev-added, and step netdev-deleted of a removal. */
static void
nic_step_del_netdev (HvKvmHotplugOp *op,
                     guint           arg)
{
  hv_kvm_qmp_netdev_del_async (op->qmp, op->qemu_id, NULL, nic_netdev_del_cb, op);
}

/* ---- nic-files-written -------------------------------------------------- */

static void
nic_step_write_files (HvKvmHotplugOp *op,
                      guint           arg)
{
  GError *error = NULL;

  hv_kvm_instance_write_nic_file (op->instance, op->seq, hv_device_get_uuid (op->device),
                                         op->tap->name, &error);
  hv_kvm_hotplug_op_step_done (op, error);
}

/* Undo of nic-files-written, and step nic-files-removed of a removal. */
static void
nic_step_remove_files (HvKvmHotplugOp *op,
                       guint           arg)
{
  g_autofree gchar *tap = hv_kvm_hotplug_nic_find_tap (op->instance, op->dict, op->seq);

  /* by content: Ganeti's sequence numbers shift when a NIC before this
   * one goes, so the file of op->seq may be another NIC's */
  if (tap != NULL)
    hv_kvm_instance_remove_nic_files_of_tap (op->instance, tap);
  else
    hv_kvm_instance_remove_nic_file (op->instance, op->seq, hv_device_get_uuid (op->device));
  hv_kvm_hotplug_op_step_done (op, NULL);
}

/* ---- device-added ------------------------------------------------------- */

static void
nic_step_add_device (HvKvmHotplugOp *op,
                     guint           arg)
{
  g_autoptr(JsonObject) properties = json_object_new ();
  g_autofree gchar *address = g_strdup_printf ("0x%x", (guint) op->slot);
  guint queues = op->tap->n_queues;

  json_object_set_string_member (properties, "mac", hv_nic_get_mac (HV_NIC (op->device)));
  json_object_set_string_member (properties, "netdev", op->qemu_id);
  json_object_set_string_member (properties, "bus", "pci.0");
  json_object_set_string_member (properties, "addr", address);
  /* QMP wants real booleans here (Ganeti #1887); a vector per queue each
   * way, one for config, one for control */
  if (queues > 1)
    {
      json_object_set_boolean_member (properties, "mq", TRUE);
      json_object_set_int_member (properties, "vectors", 2 * queues + 2);
    }
  /* a chrooted QEMU cannot read the option ROM's file (Ganeti #1621) */
  if (nic_hvparam_bool (op, "use_chroot", FALSE))
    json_object_set_string_member (properties, "romfile", "");
  hv_kvm_hotplug_add_device (op, "virtio-net-pci", properties);
}

/* ---- the steps ---------------------------------------------------------- */

/* The NIC files are written once device_add has succeeded. */
void
hv_kvm_hotplug_nic_add_steps (HvKvmHotplugOp *op)
{
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_TAP_OPENED, nic_step_tap_opened,
                              nic_undo_open_tap, 0, 0);
  if (hv_kvm_instance_get_ifup_script (op->instance) != NULL)
    hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_IFUP_DONE, nic_step_ifup,
                                hv_kvm_instance_get_ifdown_script (op->instance) != NULL
                                ? nic_step_ifdown : NULL, 0, 0);
  /* from the first getfd on, the commands go out at once: netdev_add
   * names the fds, device_add the netdev, so each fails if what it names
   * failed; a getfd that succeeds behind one that failed is undone with
   * the rest */
  for (guint i = 0; i < op->fd_names->len; i++)
    hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_FD_PASSED, nic_step_getfd, nic_undo_getfd,
                                i, i > 0 ? HV_KVM_HOTPLUG_STEP_AHEAD : 0);
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_NETDEV_ADDED, nic_step_add_netdev,
                              nic_step_del_netdev, 0, HV_KVM_HOTPLUG_STEP_AHEAD);
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_DEVICE_ADDED, nic_step_add_device,
                              hv_kvm_hotplug_undo_device_add, 0, HV_KVM_HOTPLUG_STEP_AHEAD);
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_FILES_WRITTEN, nic_step_write_files,
                              nic_step_remove_files, 0, 0);
}

/* After the unplug: ifdown while the tap exists, then the netdev (QEMU
 * closes the tap), then the files. */
void
hv_kvm_hotplug_nic_del_steps (HvKvmHotplugOp *op)
{
  if (hv_kvm_instance_get_ifdown_script (op->instance) != NULL)
    hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_IFDOWN_DONE, nic_step_ifdown, NULL, 0,
                                HV_KVM_HOTPLUG_STEP_BEST_EFFORT);
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_NETDEV_DELETED, nic_step_del_netdev, NULL, 0,
                              HV_KVM_HOTPLUG_STEP_BEST_EFFORT);
  hv_kvm_hotplug_op_add_step (op, HV_KVM_HOTPLUG_STEP_FILES_REMOVED, nic_step_remove_files, NULL,
                              0, HV_KVM_HOTPLUG_STEP_BEST_EFFORT);
}

/* ---- shared with the reconcile ------------------------------------------ */

/* The tap of a NIC: the record's `tap`, else its NIC files (by uuid, then
 * by sequence number); NULL when none is known. */
gchar *
hv_kvm_hotplug_nic_find_tap (HvKvmInstance *instance,
                             GVariant      *dict,
                             guint          seq)
{
  const gchar *tap = NULL;
  const gchar *uuid = NULL;
  g_autofree gchar *seq_key = NULL;
  gchar *found = NULL;

  if (g_variant_lookup (dict, HV_KVM_HOTPLUG_KEY_TAP, "&s", &tap) && *tap != '\0')
    return g_strdup (tap);
  if (g_variant_lookup (dict, "uuid", "&s", &uuid) && g_uuid_string_is_valid (uuid))
    found = hv_kvm_instance_read_nic_file (instance, uuid);
  if (found != NULL)
    return found;
  seq_key = g_strdup_printf ("%u", seq);
  return hv_kvm_instance_read_nic_file (instance, seq_key);
}

static void
nic_script_ifdown_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!hv_nic_script_ifdown_finish (HV_NIC_SCRIPT (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* The instance's ifdown script for the NIC of @dict on @tap, with
 * only_local false (the NIC leaves, not the instance); nothing when there
 * is no script or no tap. */
void
hv_kvm_hotplug_nic_ifdown_async (HvKvmInstance       *instance,
                                 GVariant            *dict,
                                 const gchar         *tap,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (instance, NULL, callback, user_data);
  HvNicScript *script = hv_kvm_instance_get_ifdown_script (instance);
  g_autoptr(HvNic) nic = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, hv_kvm_hotplug_nic_ifdown_async);
  if (script == NULL || tap == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  nic = hv_nic_new_from_variant (dict, &error);
  if (nic == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  hv_nic_script_ifdown_async (script, hv_kvm_instance_get_name (instance), nic, tap, FALSE, NULL,
                              nic_script_ifdown_cb, g_steal_pointer (&task));
}

gboolean
hv_kvm_hotplug_nic_ifdown_finish (HvKvmInstance  *instance,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hv_kvm_hotplug_nic_ifdown_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
