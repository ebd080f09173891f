/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hvkit.h"
#include "hv-kvm-pci.h"

G_BEGIN_DECLS

/*
 * The KVM plugin's runtime record: what hvkit knows about a running QEMU,
 * saved in an HvRuntimeStore (record type a{sv}, version
 * HV_KVM_RUNTIME_VERSION) and sent as the migration info.
 *
 * Keys of the a{sv} form (unknown keys are kept and written back):
 *   name          s       instance name; the record's file name
 *   uuid          s       instance uuid ("" when unknown)
 *   argv          as      QEMU's command line without the disk and NIC
 *                         options, which are made from `disks` and `nics`
 *                         so that a hot-plugged device is on a migration
 *                         target's command line (Ganeti's files from
 *                         before 2.10 have their disks inside argv)
 *   hvparams      a{sv}   the hvparams the instance started with
 *   disks         aa{sv}  HvDisk keys (uuid, size, mode, link, uri, …)
 *   nics          aa{sv}  HvNic keys (uuid, mac, mode, link, vlan, …)
 *                         each device with:
 *                           pci      i  its slot on pci.0, -1 for none
 *                           qemu_id  s  the id QEMU knows it by (absent
 *                                       until the device is started)
 *   qemu_version  s       version of the QEMU it started with ("" unknown)
 *   machine       s       machine type it started with ("" unknown)
 *   pending       aa{sv}  operations in progress, journalled before QEMU
 *                         is touched (see HvKvmPendingOp)
 */
#define HV_KVM_RUNTIME_VERSION 1

/* A disk or NIC of the record. Read the fields; change the device only
 * through the setters: @dict is its whole a{sv} form (HvDisk / HvNic keys,
 * `pci`, `qemu_id`, unknown keys) and @pci, @qemu_id mirror two keys. */
typedef struct {
  HvDeviceType type;
  gint pci;              /* -1: no slot */
  const gchar *qemu_id;  /* NULL: not known to QEMU yet; points into @dict */
  GVariant *dict;
} HvKvmRuntimeDevice;

/* One journalled operation. Keys of its a{sv} form: device_type s
 * ("disk" | "nic"), action s ("hotadd" | "hotdel" | "hotmod"), step s (the
 * hotplug code's own words), uuid s, qemu_id s, pci i; other keys (node
 * names, fd names…) are kept in @extra. */
typedef struct {
  HvDeviceType device_type;
  HvHotplugAction action;
  gchar *step;
  gchar *uuid;
  gchar *qemu_id;
  gint pci;
  GVariant *extra;   /* a{sv} */
} HvKvmPendingOp;

typedef struct {
  guint version;            /* the version the record was read in */
  gchar *name;
  gchar *uuid;
  gchar **argv;
  GVariant *hvparams;       /* a{sv} */
  GPtrArray *disks;         /* HvKvmRuntimeDevice */
  GPtrArray *nics;          /* HvKvmRuntimeDevice */
  gchar *qemu_version;
  gchar *machine;
  GPtrArray *pending;       /* HvKvmPendingOp */
  GVariant *extra;          /* a{sv}: keys this version does not know */
  struct _HvKvmRuntimeParts *parts;  /* private: what the last a{sv} form
                                      * made of the fields above */
} HvKvmRuntime;

/* Devices */
HvKvmRuntimeDevice *hv_kvm_runtime_device_new              (HvDeviceType               type,
                                                            GVariant                  *dict);
HvKvmRuntimeDevice *hv_kvm_runtime_device_new_from_device  (HvDevice                  *device);
HvKvmRuntimeDevice *hv_kvm_runtime_device_new_from_device_at (HvDevice                *device,
                                                              gint                     pci,
                                                              const gchar             *qemu_id,
                                                              const gchar             *first_key,
                                                              ...) G_GNUC_NULL_TERMINATED;
HvKvmRuntimeDevice *hv_kvm_runtime_device_new_from_variant (HvDeviceType               type,
                                                            GVariant                  *dict,
                                                            GError                   **error);
void                hv_kvm_runtime_device_free             (HvKvmRuntimeDevice        *device);
HvDevice           *hv_kvm_runtime_device_to_device        (const HvKvmRuntimeDevice  *device,
                                                            GError                   **error);
void                hv_kvm_runtime_device_set              (HvKvmRuntimeDevice        *device,
                                                            const gchar               *key,
                                                            GVariant                  *value);
void                hv_kvm_runtime_device_set_pci          (HvKvmRuntimeDevice        *device,
                                                            gint                       pci);
void                hv_kvm_runtime_device_set_qemu_id      (HvKvmRuntimeDevice        *device,
                                                            const gchar               *qemu_id);
const gchar        *hv_kvm_runtime_device_get_uuid         (const HvKvmRuntimeDevice  *device);
const gchar        *hv_kvm_runtime_device_get_string       (const HvKvmRuntimeDevice  *device,
                                                            const gchar               *key);

gchar              *hv_kvm_device_id_new                   (HvDeviceType               type,
                                                            const gchar               *uuid,
                                                            gint                       pci,
                                                            guint                      index);
gboolean            hv_kvm_device_id_is_made               (const gchar               *id,
                                                            HvDeviceType               type);

/* Pending operations */
HvKvmPendingOp     *hv_kvm_pending_op_new                  (HvDeviceType               device_type,
                                                            HvHotplugAction            action,
                                                            const gchar               *step,
                                                            const gchar               *uuid,
                                                            const gchar               *qemu_id,
                                                            gint                       pci);
HvKvmPendingOp     *hv_kvm_pending_op_new_from_variant     (GVariant                  *dict,
                                                            GError                   **error);
void                hv_kvm_pending_op_free                 (HvKvmPendingOp            *op);
GVariant           *hv_kvm_pending_op_to_variant           (const HvKvmPendingOp      *op);

/* The record */
HvKvmRuntime       *hv_kvm_runtime_new                     (const gchar               *name);
HvKvmRuntime       *hv_kvm_runtime_new_from_variant        (GVariant                  *record,
                                                            GError                   **error);
void                hv_kvm_runtime_free                    (HvKvmRuntime              *self);
GVariant           *hv_kvm_runtime_to_variant              (const HvKvmRuntime        *self);
gchar              *hv_kvm_runtime_to_json                 (const HvKvmRuntime        *self);
HvKvmRuntimeDevice *hv_kvm_runtime_find_device             (const HvKvmRuntime        *self,
                                                            HvDeviceType               type,
                                                            const gchar               *uuid);
void                hv_kvm_runtime_mark_pci_slots          (const HvKvmRuntime        *self,
                                                            HvKvmPciBus               *bus);
gboolean            hv_kvm_runtime_assign_devices          (HvKvmRuntime              *self,
                                                            const HvKvmPciStartDevices *fixed,
                                                            HvKvmPciStartSlots        *out_slots,
                                                            GError                   **error);

/* Storage and migration */
HvRuntimeStore     *hv_kvm_runtime_store_new               (const gchar               *run_dir);
gboolean            hv_kvm_runtime_save                    (HvRuntimeStore            *store,
                                                            const HvKvmRuntime        *self,
                                                            GError                   **error);
HvKvmRuntime       *hv_kvm_runtime_load                    (HvRuntimeStore            *store,
                                                            const gchar               *name,
                                                            GError                   **error);
GBytes             *hv_kvm_runtime_to_migration_info       (HvRuntimeStore            *store,
                                                            const HvKvmRuntime        *self,
                                                            GError                   **error);
HvKvmRuntime       *hv_kvm_runtime_new_from_migration_info (HvRuntimeStore            *store,
                                                            GBytes                    *info,
                                                            const gchar               *name,
                                                            GError                   **error);
HvKvmRuntime       *hv_kvm_runtime_new_from_bytes          (HvRuntimeStore            *store,
                                                            GBytes                    *data,
                                                            const gchar               *source,
                                                            GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvKvmRuntimeDevice, hv_kvm_runtime_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvKvmPendingOp, hv_kvm_pending_op_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvKvmRuntime, hv_kvm_runtime_free)

G_END_DECLS
