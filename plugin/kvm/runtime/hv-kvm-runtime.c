/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmRuntime"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-kvm-dict.h"
#include "hv-kvm-runtime.h"

/* ---- a{sv} helpers ----------------------------------------------------- */

static GVariant *
hv_kvm_empty_dict (void)
{
  return g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
}

/* Takes @key out of @dict: its value if it has @type, NULL if absent;
 * a value of another type is an error naming @context and @key. */
static gboolean
hv_kvm_dict_take (HvKvmDict           *dict,
                  const gchar         *context,
                  const gchar         *key,
                  const GVariantType  *type,
                  gboolean             required,
                  GVariant           **out_value,
                  GError             **error)
{
  GVariant *value = hv_kvm_dict_lookup (dict, key);

  *out_value = NULL;
  if (value == NULL)
    {
      if (!required)
        return TRUE;
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("%s has no '%s'"), context, key);
      return FALSE;
    }
  if (!g_variant_is_of_type (value, type))
    {
      g_autofree gchar *expected = g_variant_type_dup_string (type);

      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("%s: '%s' must be of type '%s', not '%s'"),
                   context, key, expected, g_variant_get_type_string (value));
      return FALSE;
    }
  *out_value = g_variant_ref (value);
  hv_kvm_dict_remove (dict, key);
  return TRUE;
}

static gboolean
hv_kvm_dict_take_string (HvKvmDict     *dict,
                         const gchar   *context,
                         const gchar   *key,
                         gboolean       required,
                         gchar        **out_string,
                         GError       **error)
{
  g_autoptr(GVariant) value = NULL;

  if (!hv_kvm_dict_take (dict, context, key, G_VARIANT_TYPE_STRING, required, &value, error))
    return FALSE;
  *out_string = value != NULL ? g_variant_dup_string (value, NULL) : NULL;
  return TRUE;
}

static gboolean
hv_kvm_dict_take_slot (HvKvmDict     *dict,
                       const gchar   *context,
                       gint          *out_slot,
                       GError       **error)
{
  g_autoptr(GVariant) value = NULL;

  *out_slot = -1;
  if (!hv_kvm_dict_take (dict, context, "pci", G_VARIANT_TYPE_INT32, FALSE, &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;
  *out_slot = g_variant_get_int32 (value);
  if (*out_slot < -1 || *out_slot >= HV_KVM_PCI_SLOTS)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("%s: PCI slot %d does not exist"), context, *out_slot);
      return FALSE;
    }
  return TRUE;
}

static const gchar *
hv_kvm_enum_nick (GType type,
                  gint  value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);

  return enum_value != NULL ? enum_value->value_nick : "";
}

static gboolean
hv_kvm_dict_take_enum (HvKvmDict     *dict,
                       const gchar   *context,
                       const gchar   *key,
                       GType          type,
                       gint          *out_value,
                       GError       **error)
{
  g_autofree gchar *nick = NULL;
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *enum_value;

  if (!hv_kvm_dict_take_string (dict, context, key, TRUE, &nick, error))
    return FALSE;
  klass = g_type_class_ref (type);
  enum_value = g_enum_get_value_by_nick (klass, nick);
  if (enum_value == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("%s: '%s' has an unknown value '%s'"), context, key, nick);
      return FALSE;
    }
  *out_value = enum_value->value;
  return TRUE;
}

/* ---- devices ----------------------------------------------------------- */

/* The values of `pci` and `qemu_id` in @dict (new references, or NULL),
 * in one pass: a lookup is a linear scan, and this runs for every device
 * of every record loaded. */
static void
hv_kvm_runtime_device_find_keys (GVariant  *dict,
                                 GVariant **out_pci,
                                 GVariant **out_qemu_id)
{
  GVariantIter iter;
  GVariant *entry;

  *out_pci = NULL;
  *out_qemu_id = NULL;
  g_variant_iter_init (&iter, dict);
  while ((entry = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
      const gchar *name = g_variant_get_string (key, NULL);
      GVariant **slot = g_str_equal (name, "pci") ? out_pci
                        : g_str_equal (name, "qemu_id") ? out_qemu_id : NULL;

      if (slot != NULL && *slot == NULL)
        {
          g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);

          *slot = g_variant_get_variant (boxed);
        }
      g_variant_unref (entry);
    }
}

/* Points the mirrors at @device->dict's keys after it changed; returns
 * whether it has a `pci` key. */
static gboolean
hv_kvm_runtime_device_sync (HvKvmRuntimeDevice *device)
{
  g_autoptr(GVariant) pci = NULL;
  g_autoptr(GVariant) qemu_id = NULL;

  /* A dict built in memory holds its values as child instances, which
   * GLib releases once anything serializes it (a save): serialized now,
   * the string below lives in its data for as long as the dict. */
  g_variant_get_data (device->dict);
  hv_kvm_runtime_device_find_keys (device->dict, &pci, &qemu_id);
  device->pci = pci != NULL && g_variant_is_of_type (pci, G_VARIANT_TYPE_INT32) ? g_variant_get_int32 (pci) : -1;
  /* the string lives in @device->dict's data, as g_variant_lookup's "&s" */
  device->qemu_id = qemu_id != NULL && g_variant_is_of_type (qemu_id, G_VARIANT_TYPE_STRING)
                    ? g_variant_get_string (qemu_id, NULL) : NULL;
  return pci != NULL;
}

/* Sets @key of the device to @value (a floating ref is consumed), or
 * removes it when @value is NULL. */
void
hv_kvm_runtime_device_set (HvKvmRuntimeDevice *device,
                           const gchar        *key,
                           GVariant           *value)
{
  g_auto(HvKvmDict) dict = { 0 };

  hv_kvm_dict_init (&dict);
  hv_kvm_dict_add_all (&dict, device->dict);
  if (value != NULL)
    hv_kvm_dict_add (&dict, key, value);
  else
    hv_kvm_dict_remove (&dict, key);
  g_variant_unref (device->dict);
  device->dict = hv_kvm_dict_end (&dict);
  hv_kvm_runtime_device_sync (device);
}

void
hv_kvm_runtime_device_set_pci (HvKvmRuntimeDevice *device,
                               gint                pci)
{
  g_return_if_fail (pci >= -1 && pci < HV_KVM_PCI_SLOTS);

  hv_kvm_runtime_device_set (device, "pci", g_variant_new_int32 (pci));
}

void
hv_kvm_runtime_device_set_qemu_id (HvKvmRuntimeDevice *device,
                                   const gchar        *qemu_id)
{
  g_return_if_fail (qemu_id == NULL || *qemu_id != '\0');

  hv_kvm_runtime_device_set (device, "qemu_id", qemu_id != NULL ? g_variant_new_string (qemu_id) : NULL);
}

/* @dict: an a{sv} of HvDisk / HvNic keys, unchecked; a floating ref is
 * consumed. A device without `pci` gets -1. */
HvKvmRuntimeDevice *
hv_kvm_runtime_device_new (HvDeviceType  type,
                           GVariant     *dict)
{
  HvKvmRuntimeDevice *device = g_new0 (HvKvmRuntimeDevice, 1);

  device->type = type;
  device->dict = dict != NULL ? g_variant_ref_sink (dict) : hv_kvm_empty_dict ();
  if (!hv_kvm_runtime_device_sync (device))
    hv_kvm_runtime_device_set_pci (device, -1);
  return device;
}

void
hv_kvm_runtime_device_free (HvKvmRuntimeDevice *device)
{
  if (device == NULL)
    return;
  g_variant_unref (device->dict);
  g_free (device);
}

/* Reads a device of the record; @dict is checked as HvDisk / HvNic would
 * check it, so that anything stored can be handed to the objects. */
/* The one key of the record's own that HvDisk / HvNic keep without
 * knowing it. */
static gboolean
hv_kvm_runtime_device_check_qemu_id (HvDeviceType   type,
                                     GVariant      *dict,
                                     GError       **error)
{
  g_autoptr(GVariant) qemu_id = NULL;
  g_autoptr(GVariant) pci = NULL;
  const gchar *context = type == HV_DEVICE_TYPE_DISK ? _("A disk") : _("A NIC");

  hv_kvm_runtime_device_find_keys (dict, &pci, &qemu_id);
  if (qemu_id != NULL
      && (!g_variant_is_of_type (qemu_id, G_VARIANT_TYPE_STRING) || *g_variant_get_string (qemu_id, NULL) == '\0'))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("%s: '%s' must be a non-empty string"), context, "qemu_id");
      return FALSE;
    }
  return TRUE;
}

HvKvmRuntimeDevice *
hv_kvm_runtime_device_new_from_variant (HvDeviceType   type,
                                        GVariant      *dict,
                                        GError       **error)
{
  g_autoptr(HvDevice) object = NULL;

  if (!hv_kvm_runtime_device_check_qemu_id (type, dict, error))
    return NULL;
  /* pci's type and range are HvDevice's to check */
  if (type == HV_DEVICE_TYPE_DISK)
    object = HV_DEVICE (hv_disk_new_from_variant (dict, error));
  else
    object = HV_DEVICE (hv_nic_new_from_variant (dict, error));
  if (object == NULL)
    return NULL;
  return hv_kvm_runtime_device_new (type, dict);
}

/* The device as an HvDisk or HvNic; `qemu_id` rides along as a key the
 * object keeps without knowing it. */
HvDevice *
hv_kvm_runtime_device_to_device (const HvKvmRuntimeDevice  *device,
                                 GError                   **error)
{
  if (device->type == HV_DEVICE_TYPE_DISK)
    return HV_DEVICE (hv_disk_new_from_variant (device->dict, error));
  return HV_DEVICE (hv_nic_new_from_variant (device->dict, error));
}

/* The a{sv} form of an HvDisk or HvNic. */
static GVariant *
hv_kvm_runtime_device_object_to_variant (HvDevice *object)
{
  if (HV_IS_DISK (object))
    return hv_disk_to_variant (HV_DISK (object));
  return hv_nic_to_variant (HV_NIC (object));
}

HvKvmRuntimeDevice *
hv_kvm_runtime_device_new_from_device (HvDevice *object)
{
  g_autoptr(GVariant) dict = NULL;

  g_return_val_if_fail (HV_IS_DEVICE (object), NULL);

  dict = hv_kvm_runtime_device_object_to_variant (object);
  /* The object's own a{sv} form is valid by construction, but for a
   * `qemu_id` it may carry as an unknown key: that alone is checked, not
   * the whole object made again from it (a hot-add's 50 µs) */
  g_return_val_if_fail (hv_kvm_runtime_device_check_qemu_id (hv_device_get_device_type (object),
                                                            dict, NULL), NULL);
  return hv_kvm_runtime_device_new (hv_device_get_device_type (object), dict);
}

/* The device of a hot-add: @object at @pci with @qemu_id and the keys of
 * the type's own (@first_key, a GVariant, a floating reference taken, …
 * NULL), its a{sv} made once (every key set alone makes it again, some
 * 30 µs each). */
HvKvmRuntimeDevice *
hv_kvm_runtime_device_new_from_device_at (HvDevice    *object,
                                          gint         pci,
                                          const gchar *qemu_id,
                                          const gchar *first_key,
                                          ...)
{
  g_auto(HvKvmDict) dict = { 0 };
  g_autoptr(GVariant) own = NULL;
  g_autoptr(GVariant) made = NULL;
  const gchar *key;
  va_list args;

  g_return_val_if_fail (HV_IS_DEVICE (object), NULL);
  g_return_val_if_fail (pci >= -1 && pci < HV_KVM_PCI_SLOTS, NULL);
  g_return_val_if_fail (qemu_id != NULL && *qemu_id != '\0', NULL);

  /* a `pci` or `qemu_id` the object carries as unknown keys is replaced
   * below: nothing of it to check */
  own = hv_kvm_runtime_device_object_to_variant (object);
  hv_kvm_dict_init (&dict);
  hv_kvm_dict_add_all (&dict, own);
  hv_kvm_dict_add (&dict, "pci", g_variant_new_int32 (pci));
  hv_kvm_dict_add (&dict, "qemu_id", g_variant_new_string (qemu_id));
  va_start (args, first_key);
  for (key = first_key; key != NULL; key = va_arg (args, const gchar *))
    hv_kvm_dict_add (&dict, key, va_arg (args, GVariant *));
  va_end (args);
  made = hv_kvm_dict_end (&dict);
  return hv_kvm_runtime_device_new (hv_device_get_device_type (object), made);
}

const gchar *
hv_kvm_runtime_device_get_string (const HvKvmRuntimeDevice *device,
                                  const gchar              *key)
{
  const gchar *value = NULL;

  if (!g_variant_lookup (device->dict, key, "&s", &value))
    return NULL;
  return value;
}

const gchar *
hv_kvm_runtime_device_get_uuid (const HvKvmRuntimeDevice *device)
{
  return hv_kvm_runtime_device_get_string (device, "uuid");
}

/*
 * The id a new device gets on QEMU's command line and in QMP:
 * `<type>-<first 8 hex digits of its uuid>-pci-<slot>`, so that it can be
 * found again from the record, or `<type>-<index>` for a device without a
 * uuid or a slot (Ganeti's _GenerateDeviceKVMId). <type> is "disk" or
 * "nic". Ids Ganeti gave (`hotdisk-…`, `disk-932df160-7a22-4067`) are kept
 * as they are, never made by this function.
 */
gchar *
hv_kvm_device_id_new (HvDeviceType  type,
                      const gchar  *uuid,
                      gint          pci,
                      guint         index)
{
  const gchar *type_nick = hv_kvm_enum_nick (HV_TYPE_DEVICE_TYPE, type);

  if (uuid != NULL && g_uuid_string_is_valid (uuid) && pci >= 0)
    {
      g_autofree gchar *prefix = g_ascii_strdown (uuid, 8);

      return g_strdup_printf ("%s-%s-pci-%d", type_nick, prefix, pci);
    }
  return g_strdup_printf ("%s-%u", type_nick, index);
}

/*
 * Whether @id has the form hv_kvm_device_id_new() gives a device of @type
 * with a uuid and a slot: `<type>-` and 8 lowercase hex digits, `-pci-`
 * and the slot in decimal. (Ids of the other form, and Ganeti's, are not
 * told from a name someone else chose.)
 */
gboolean
hv_kvm_device_id_is_made (const gchar  *id,
                          HvDeviceType  type)
{
  const gchar *type_nick = hv_kvm_enum_nick (HV_TYPE_DEVICE_TYPE, type);
  gsize nick_len = strlen (type_nick);
  const gchar *p;

  if (id == NULL || strncmp (id, type_nick, nick_len) != 0 || id[nick_len] != '-')
    return FALSE;
  p = id + nick_len + 1;
  for (guint i = 0; i < 8; i++, p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  if (!g_str_has_prefix (p, "-pci-"))
    return FALSE;
  p += strlen ("-pci-");
  if (*p == '\0' || (*p == '0' && p[1] != '\0'))
    return FALSE;
  for (; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* ---- pending operations ------------------------------------------------ */

HvKvmPendingOp *
hv_kvm_pending_op_new (HvDeviceType     device_type,
                       HvHotplugAction  action,
                       const gchar     *step,
                       const gchar     *uuid,
                       const gchar     *qemu_id,
                       gint             pci)
{
  HvKvmPendingOp *op = g_new0 (HvKvmPendingOp, 1);

  op->device_type = device_type;
  op->action = action;
  op->step = g_strdup (step != NULL ? step : "");
  op->uuid = g_strdup (uuid != NULL ? uuid : "");
  op->qemu_id = g_strdup (qemu_id != NULL ? qemu_id : "");
  op->pci = pci;
  op->extra = hv_kvm_empty_dict ();
  return op;
}

void
hv_kvm_pending_op_free (HvKvmPendingOp *op)
{
  if (op == NULL)
    return;
  g_free (op->step);
  g_free (op->uuid);
  g_free (op->qemu_id);
  g_variant_unref (op->extra);
  g_free (op);
}

HvKvmPendingOp *
hv_kvm_pending_op_new_from_variant (GVariant  *dict,
                                    GError   **error)
{
  g_auto(HvKvmDict) rest = { 0 };
  g_autoptr(HvKvmPendingOp) op = hv_kvm_pending_op_new (HV_DEVICE_TYPE_DISK, HV_HOTPLUG_ACTION_ADD,
                                                        NULL, NULL, NULL, -1);
  const gchar *context = _("A pending operation");
  gint device_type, action;

  hv_kvm_dict_init (&rest);
  hv_kvm_dict_add_all (&rest, dict);
  g_clear_pointer (&op->step, g_free);
  g_clear_pointer (&op->uuid, g_free);
  g_clear_pointer (&op->qemu_id, g_free);
  if (!hv_kvm_dict_take_enum (&rest, context, "device_type", HV_TYPE_DEVICE_TYPE, &device_type, error)
      || !hv_kvm_dict_take_enum (&rest, context, "action", HV_TYPE_HOTPLUG_ACTION, &action, error)
      || !hv_kvm_dict_take_string (&rest, context, "step", TRUE, &op->step, error)
      || !hv_kvm_dict_take_string (&rest, context, "uuid", FALSE, &op->uuid, error)
      || !hv_kvm_dict_take_string (&rest, context, "qemu_id", FALSE, &op->qemu_id, error)
      || !hv_kvm_dict_take_slot (&rest, context, &op->pci, error))
    return NULL;

  op->device_type = device_type;
  op->action = action;
  if (op->uuid == NULL)
    op->uuid = g_strdup ("");
  if (op->qemu_id == NULL)
    op->qemu_id = g_strdup ("");
  g_variant_unref (op->extra);
  op->extra = hv_kvm_dict_end (&rest);
  return g_steal_pointer (&op);
}

GVariant *
hv_kvm_pending_op_to_variant (const HvKvmPendingOp *op)
{
  g_auto(HvKvmDict) dict = { 0 };

  hv_kvm_dict_init (&dict);
  hv_kvm_dict_add_all (&dict, op->extra);
  hv_kvm_dict_add (&dict, "device_type",
                   g_variant_new_string (hv_kvm_enum_nick (HV_TYPE_DEVICE_TYPE, op->device_type)));
  hv_kvm_dict_add (&dict, "action", g_variant_new_string (hv_kvm_enum_nick (HV_TYPE_HOTPLUG_ACTION, op->action)));
  hv_kvm_dict_add (&dict, "step", g_variant_new_string (op->step));
  hv_kvm_dict_add (&dict, "uuid", g_variant_new_string (op->uuid));
  hv_kvm_dict_add (&dict, "qemu_id", g_variant_new_string (op->qemu_id));
  hv_kvm_dict_add (&dict, "pci", g_variant_new_int32 (op->pci));
  return hv_kvm_dict_end (&dict);
}

/* ---- the parts of the a{sv} form ---------------------------------------- */

/*
 * A record is saved twice per hotplug operation (its journal entry, then
 * the commit), and from one save to the next mostly `pending`, `disks` or
 * `nics` change, while making the rest again (argv's strings, some 80
 * hvparams' entries) was the larger part of a save. So the entries of the
 * a{sv} form are kept, serialized, with what they were made from, and
 * reused while that is unchanged: strings and argv compared by value;
 * hvparams, extra and each device's dict (GVariants, which never change)
 * by identity, the parts holding a reference to each, so that an address
 * cannot come back for another value. `pending` is made at every save:
 * its operations change in place.
 */

typedef enum {
  HV_KVM_LIST_DISKS, HV_KVM_LIST_NICS, HV_KVM_N_LISTS
} HvKvmList;

static const gchar * const hv_kvm_list_keys[HV_KVM_N_LISTS] = { "disks", "nics" };

typedef struct _HvKvmRuntimeParts HvKvmRuntimeParts;

struct _HvKvmRuntimeParts {
  GMutex lock;

  /* the entries of every key but disks, nics and pending (name, uuid,
   * argv, hvparams, qemu_version, machine, extra's keys), sorted, and
   * what they were made from */
  GPtrArray *fixed;           /* {sv}, serialized */
  GPtrArray *fixed_keys;      /* gchar *, fixed's keys */
  gchar *name;
  gchar *uuid;
  gchar **argv;
  GVariant *hvparams;
  GVariant *extra;
  gchar *qemu_version;
  gchar *machine;

  /* `disks` and `nics`: the entry, and the device dicts it holds */
  GVariant *lists[HV_KVM_N_LISTS];
  GPtrArray *list_dicts[HV_KVM_N_LISTS];

  GVariant *no_pending;       /* the entry of an empty `pending` */
};

static HvKvmRuntimeParts *
hv_kvm_runtime_parts_new (void)
{
  HvKvmRuntimeParts *parts = g_new0 (HvKvmRuntimeParts, 1);

  g_mutex_init (&parts->lock);
  return parts;
}

static void
hv_kvm_runtime_parts_clear_fixed (HvKvmRuntimeParts *parts)
{
  g_clear_pointer (&parts->fixed, g_ptr_array_unref);
  g_clear_pointer (&parts->fixed_keys, g_ptr_array_unref);
  g_clear_pointer (&parts->name, g_free);
  g_clear_pointer (&parts->uuid, g_free);
  g_clear_pointer (&parts->argv, g_strfreev);
  g_clear_pointer (&parts->hvparams, g_variant_unref);
  g_clear_pointer (&parts->extra, g_variant_unref);
  g_clear_pointer (&parts->qemu_version, g_free);
  g_clear_pointer (&parts->machine, g_free);
}

static void
hv_kvm_runtime_parts_free (HvKvmRuntimeParts *parts)
{
  hv_kvm_runtime_parts_clear_fixed (parts);
  for (guint i = 0; i < HV_KVM_N_LISTS; i++)
    {
      g_clear_pointer (&parts->lists[i], g_variant_unref);
      g_clear_pointer (&parts->list_dicts[i], g_ptr_array_unref);
    }
  g_clear_pointer (&parts->no_pending, g_variant_unref);
  g_mutex_clear (&parts->lock);
  g_free (parts);
}

/* {sv}: @key → @value (a floating reference is taken), serialized. */
static GVariant *
hv_kvm_runtime_entry_new (const gchar *key,
                          GVariant    *value)
{
  GVariant *entry = g_variant_ref_sink (g_variant_new_dict_entry (g_variant_new_string (key),
                                                                  g_variant_new_variant (value)));

  g_variant_get_data (entry);
  return entry;
}

static gboolean
hv_kvm_runtime_parts_fixed_current (const HvKvmRuntimeParts *parts,
                                    const HvKvmRuntime      *self)
{
  return parts->fixed != NULL && parts->hvparams == self->hvparams && parts->extra == self->extra &&
         g_str_equal (parts->name, self->name) && g_str_equal (parts->uuid, self->uuid) &&
         g_str_equal (parts->qemu_version, self->qemu_version) &&
         g_str_equal (parts->machine, self->machine) &&
         g_strv_equal ((const gchar * const *) parts->argv, (const gchar * const *) self->argv);
}

static void
hv_kvm_runtime_parts_make_fixed (HvKvmRuntimeParts  *parts,
                                 const HvKvmRuntime *self)
{
  g_auto(HvKvmDict) dict = { 0 };
  g_autoptr(GVariant) fixed = NULL;
  gsize n;

  hv_kvm_runtime_parts_clear_fixed (parts);
  hv_kvm_dict_init (&dict);
  hv_kvm_dict_add_all (&dict, self->extra);
  hv_kvm_dict_add (&dict, "name", g_variant_new_string (self->name));
  hv_kvm_dict_add (&dict, "uuid", g_variant_new_string (self->uuid));
  hv_kvm_dict_add (&dict, "argv", g_variant_new_strv ((const gchar * const *) self->argv, -1));
  /* serialized once, in place: an entry made from it copies its bytes,
   * where one made from a tree of children walks them all */
  g_variant_get_data (self->hvparams);
  hv_kvm_dict_add (&dict, "hvparams", self->hvparams);
  hv_kvm_dict_add (&dict, "qemu_version", g_variant_new_string (self->qemu_version));
  hv_kvm_dict_add (&dict, "machine", g_variant_new_string (self->machine));
  /* the record's own, made at every save, replace any extra's */
  for (guint i = 0; i < HV_KVM_N_LISTS; i++)
    hv_kvm_dict_remove (&dict, hv_kvm_list_keys[i]);
  hv_kvm_dict_remove (&dict, "pending");
  fixed = hv_kvm_dict_end (&dict);
  g_variant_get_data (fixed);

  n = g_variant_n_children (fixed);
  parts->fixed = g_ptr_array_new_full ((guint) n, (GDestroyNotify) g_variant_unref);
  parts->fixed_keys = g_ptr_array_new_full ((guint) n, g_free);
  for (gsize i = 0; i < n; i++)
    {
      GVariant *entry = g_variant_get_child_value (fixed, i);
      g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);

      g_ptr_array_add (parts->fixed, entry);
      g_ptr_array_add (parts->fixed_keys, g_variant_dup_string (key, NULL));
    }
  parts->name = g_strdup (self->name);
  parts->uuid = g_strdup (self->uuid);
  parts->argv = g_strdupv (self->argv);
  parts->hvparams = g_variant_ref (self->hvparams);
  parts->extra = g_variant_ref (self->extra);
  parts->qemu_version = g_strdup (self->qemu_version);
  parts->machine = g_strdup (self->machine);
}

/* The entry of `disks` or `nics`, made again if a device changed. */
static GVariant *
hv_kvm_runtime_parts_list (HvKvmRuntimeParts *parts,
                           HvKvmList          list,
                           GPtrArray         *devices)
{
  GPtrArray *dicts = parts->list_dicts[list];
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
  gboolean current = dicts != NULL && dicts->len == devices->len;

  for (guint i = 0; current && i < devices->len; i++)
    current = ((HvKvmRuntimeDevice *) g_ptr_array_index (devices, i))->dict == g_ptr_array_index (dicts, i);
  if (current)
    return parts->lists[list];

  g_clear_pointer (&parts->list_dicts[list], g_ptr_array_unref);
  g_clear_pointer (&parts->lists[list], g_variant_unref);
  dicts = parts->list_dicts[list] = g_ptr_array_new_full (devices->len, (GDestroyNotify) g_variant_unref);
  for (guint i = 0; i < devices->len; i++)
    {
      GVariant *dict = ((HvKvmRuntimeDevice *) g_ptr_array_index (devices, i))->dict;

      g_variant_builder_add_value (&builder, dict);
      g_ptr_array_add (dicts, g_variant_ref (dict));
    }
  parts->lists[list] = hv_kvm_runtime_entry_new (hv_kvm_list_keys[list], g_variant_builder_end (&builder));
  return parts->lists[list];
}

/* ---- the record -------------------------------------------------------- */

/* Replaces *@field by @value, which it takes, unless @value is NULL. */
static void
hv_kvm_take_string (gchar **field,
                    gchar  *value)
{
  if (value == NULL)
    return;
  g_free (*field);
  *field = value;
}

HvKvmRuntime *
hv_kvm_runtime_new (const gchar *name)
{
  HvKvmRuntime *self = g_new0 (HvKvmRuntime, 1);

  self->version = HV_KVM_RUNTIME_VERSION;
  self->name = g_strdup (name != NULL ? name : "");
  self->uuid = g_strdup ("");
  self->argv = g_new0 (gchar *, 1);
  self->hvparams = hv_kvm_empty_dict ();
  self->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_kvm_runtime_device_free);
  self->nics = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_kvm_runtime_device_free);
  self->qemu_version = g_strdup ("");
  self->machine = g_strdup ("");
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_kvm_pending_op_free);
  self->extra = hv_kvm_empty_dict ();
  self->parts = hv_kvm_runtime_parts_new ();
  return self;
}

void
hv_kvm_runtime_free (HvKvmRuntime *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->uuid);
  g_strfreev (self->argv);
  g_variant_unref (self->hvparams);
  g_ptr_array_unref (self->disks);
  g_ptr_array_unref (self->nics);
  g_free (self->qemu_version);
  g_free (self->machine);
  g_ptr_array_unref (self->pending);
  g_variant_unref (self->extra);
  hv_kvm_runtime_parts_free (self->parts);
  g_free (self);
}

static gboolean
hv_kvm_runtime_read_devices (HvKvmRuntime  *self,
                             HvDeviceType   type,
                             GVariant      *list,
                             HvKvmPciBus   *bus,
                             GHashTable    *ids,
                             GError       **error)
{
  GPtrArray *devices = type == HV_DEVICE_TYPE_DISK ? self->disks : self->nics;
  gsize n = g_variant_n_children (list);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (list, i);
      g_autoptr(GError) local_error = NULL;
      HvKvmRuntimeDevice *device;

      device = hv_kvm_runtime_device_new_from_variant (type, dict, &local_error);
      if (device == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      type == HV_DEVICE_TYPE_DISK ? _("disk %u: ") : _("NIC %u: "),
                                      (guint) i);
          return FALSE;
        }
      g_ptr_array_add (devices, device);
      if (device->pci >= 0 && !hv_kvm_pci_bus_reserve (bus, device->pci, error))
        return FALSE;
      if (device->qemu_id != NULL && !g_hash_table_add (ids, (gpointer) device->qemu_id))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Two devices have the QEMU id '%s'"), device->qemu_id);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
hv_kvm_runtime_read_pending (HvKvmRuntime  *self,
                             GVariant      *list,
                             GError       **error)
{
  gsize n = list != NULL ? g_variant_n_children (list) : 0;

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (list, i);
      HvKvmPendingOp *op = hv_kvm_pending_op_new_from_variant (dict, error);

      if (op == NULL)
        return FALSE;
      g_ptr_array_add (self->pending, op);
    }
  return TRUE;
}

/* Reads a record's a{sv} form. Errors are HV_ERROR_INVALID_PARAMETER
 * naming the key; the loaders turn them into HV_ERROR_RUNTIME_CORRUPT. */
HvKvmRuntime *
hv_kvm_runtime_new_from_variant (GVariant  *record,
                                 GError   **error)
{
  g_auto(HvKvmDict) rest = { 0 };
  g_autoptr(HvKvmRuntime) self = hv_kvm_runtime_new (NULL);
  g_autoptr(GVariant) argv = NULL, hvparams = NULL, disks = NULL, nics = NULL, pending = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  const gchar *context = _("The runtime record");
  g_autofree gchar *uuid = NULL, *qemu_version = NULL, *machine = NULL;
  HvKvmPciBus bus = { 0 };

  g_return_val_if_fail (g_variant_is_of_type (record, G_VARIANT_TYPE_VARDICT), NULL);

  hv_kvm_dict_init (&rest);
  hv_kvm_dict_add_all (&rest, record);
  g_clear_pointer (&self->name, g_free);
  if (!hv_kvm_dict_take_string (&rest, context, "name", TRUE, &self->name, error)
      || !hv_kvm_dict_take_string (&rest, context, "uuid", FALSE, &uuid, error)
      || !hv_kvm_dict_take (&rest, context, "argv", G_VARIANT_TYPE_STRING_ARRAY, TRUE, &argv, error)
      || !hv_kvm_dict_take (&rest, context, "hvparams", G_VARIANT_TYPE_VARDICT, TRUE, &hvparams, error)
      || !hv_kvm_dict_take (&rest, context, "disks", G_VARIANT_TYPE ("aa{sv}"), TRUE, &disks, error)
      || !hv_kvm_dict_take (&rest, context, "nics", G_VARIANT_TYPE ("aa{sv}"), TRUE, &nics, error)
      || !hv_kvm_dict_take_string (&rest, context, "qemu_version", FALSE, &qemu_version, error)
      || !hv_kvm_dict_take_string (&rest, context, "machine", FALSE, &machine, error)
      || !hv_kvm_dict_take (&rest, context, "pending", G_VARIANT_TYPE ("aa{sv}"), FALSE, &pending, error)
      || !hv_instance_name_validate (self->name, error))
    return NULL;

  hv_kvm_take_string (&self->uuid, g_steal_pointer (&uuid));
  hv_kvm_take_string (&self->qemu_version, g_steal_pointer (&qemu_version));
  hv_kvm_take_string (&self->machine, g_steal_pointer (&machine));
  g_strfreev (self->argv);
  self->argv = g_variant_dup_strv (argv, NULL);
  g_variant_unref (self->hvparams);
  self->hvparams = g_steal_pointer (&hvparams);

  if (!hv_kvm_runtime_read_devices (self, HV_DEVICE_TYPE_DISK, disks, &bus, ids, error)
      || !hv_kvm_runtime_read_devices (self, HV_DEVICE_TYPE_NIC, nics, &bus, ids, error)
      || !hv_kvm_runtime_read_pending (self, pending, error))
    return NULL;

  g_variant_unref (self->extra);
  self->extra = hv_kvm_dict_end (&rest);
  return g_steal_pointer (&self);
}

/* The record's a{sv} form, keys sorted; a non-floating ref. */
GVariant *
hv_kvm_runtime_to_variant (const HvKvmRuntime *self)
{
  HvKvmRuntimeParts *parts = self->parts;
  g_autoptr(GVariant) pending = NULL;
  /* the keys made at every save, in their order */
  const gchar *own_keys[] = { hv_kvm_list_keys[HV_KVM_LIST_DISKS], hv_kvm_list_keys[HV_KVM_LIST_NICS],
                              "pending" };
  GVariant *own[G_N_ELEMENTS (own_keys)];
  g_autofree GVariant **children = NULL;
  GVariant *record;
  guint n = 0, f = 0, o = 0;

  if (self->pending->len > 0)
    {
      g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

      for (guint i = 0; i < self->pending->len; i++)
        {
          g_autoptr(GVariant) op = hv_kvm_pending_op_to_variant (g_ptr_array_index (self->pending, i));

          g_variant_builder_add_value (&builder, op);
        }
      pending = hv_kvm_runtime_entry_new ("pending", g_variant_builder_end (&builder));
    }

  g_mutex_lock (&parts->lock);
  if (!hv_kvm_runtime_parts_fixed_current (parts, self))
    hv_kvm_runtime_parts_make_fixed (parts, self);
  own[0] = hv_kvm_runtime_parts_list (parts, HV_KVM_LIST_DISKS, self->disks);
  own[1] = hv_kvm_runtime_parts_list (parts, HV_KVM_LIST_NICS, self->nics);
  if (pending == NULL && parts->no_pending == NULL)
    parts->no_pending = hv_kvm_runtime_entry_new ("pending", g_variant_new_array (G_VARIANT_TYPE ("a{sv}"),
                                                                                NULL, 0));
  own[2] = pending != NULL ? pending : parts->no_pending;

  /* both lists sorted: merged */
  children = g_new (GVariant *, parts->fixed->len + G_N_ELEMENTS (own));
  while (f < parts->fixed->len || o < G_N_ELEMENTS (own))
    {
      if (o == G_N_ELEMENTS (own) ||
          (f < parts->fixed->len && strcmp (g_ptr_array_index (parts->fixed_keys, f), own_keys[o]) < 0))
        children[n++] = g_ptr_array_index (parts->fixed, f++);
      else
        children[n++] = own[o++];
    }
  record = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), children, n));
  g_mutex_unlock (&parts->lock);
  return record;
}

/* The a{sv} form as indented JSON (what `hvkit-runtime dump` prints):
 * variants unboxed, an empty maybe as null. */
gchar *
hv_kvm_runtime_to_json (const HvKvmRuntime *self)
{
  g_autoptr(GVariant) record = hv_kvm_runtime_to_variant (self);
  g_autoptr(JsonNode) node = json_gvariant_serialize (record);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

HvKvmRuntimeDevice *
hv_kvm_runtime_find_device (const HvKvmRuntime *self,
                            HvDeviceType        type,
                            const gchar        *uuid)
{
  GPtrArray *devices = type == HV_DEVICE_TYPE_DISK ? self->disks : self->nics;

  for (guint i = 0; i < devices->len; i++)
    {
      HvKvmRuntimeDevice *device = g_ptr_array_index (devices, i);

      if (g_strcmp0 (hv_kvm_runtime_device_get_uuid (device), uuid) == 0)
        return device;
    }
  return NULL;
}

/* Marks the slots of the record's disks and NICs as taken on @bus, for a
 * hot-add to merge with what QEMU reports. */
void
hv_kvm_runtime_mark_pci_slots (const HvKvmRuntime *self,
                               HvKvmPciBus        *bus)
{
  GPtrArray *lists[] = { self->disks, self->nics };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        HvKvmRuntimeDevice *device = g_ptr_array_index (lists[l], i);

        if (device->pci >= 0)
          bus->used |= 1u << device->pci;
      }
}

static gint *
hv_kvm_runtime_collect_slots (GPtrArray *devices)
{
  gint *slots = g_new (gint, devices->len + 1);

  for (guint i = 0; i < devices->len; i++)
    slots[i] = ((HvKvmRuntimeDevice *) g_ptr_array_index (devices, i))->pci;
  return slots;
}

static void
hv_kvm_runtime_apply_slots (GPtrArray  *devices,
                            const gint *slots)
{
  for (guint i = 0; i < devices->len; i++)
    {
      HvKvmRuntimeDevice *device = g_ptr_array_index (devices, i);

      if (device->pci != slots[i])
        hv_kvm_runtime_device_set_pci (device, slots[i]);
      if (device->qemu_id == NULL)
        {
          g_autofree gchar *id = hv_kvm_device_id_new (device->type, hv_kvm_runtime_device_get_uuid (device),
                                                       device->pci, i);

          hv_kvm_runtime_device_set_qemu_id (device, id);
        }
    }
}

/*
 * At start: gives every disk and NIC a slot on pci.0 (keeping those they
 * have; see hv_kvm_pci_assign_start for the order) and a QEMU id when it
 * has none. @out_slots tells the command line where @fixed devices go.
 */
gboolean
hv_kvm_runtime_assign_devices (HvKvmRuntime                *self,
                               const HvKvmPciStartDevices  *fixed,
                               HvKvmPciStartSlots          *out_slots,
                               GError                     **error)
{
  g_autofree gint *disk_slots = hv_kvm_runtime_collect_slots (self->disks);
  g_autofree gint *nic_slots = hv_kvm_runtime_collect_slots (self->nics);
  HvKvmPciBus bus;

  hv_kvm_pci_bus_init (&bus);
  if (!hv_kvm_pci_assign_start (&bus, fixed, disk_slots, self->disks->len,
                                nic_slots, self->nics->len, out_slots, error))
    return FALSE;

  hv_kvm_runtime_apply_slots (self->disks, disk_slots);
  hv_kvm_runtime_apply_slots (self->nics, nic_slots);
  return TRUE;
}
