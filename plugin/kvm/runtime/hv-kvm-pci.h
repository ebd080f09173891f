/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The slots of bus pci.0 of an i440fx machine. */
#define HV_KVM_PCI_SLOTS 32

/* Slots QEMU fills itself on pc machines: 0 host bridge, 1 ISA bridge
 * (with IDE and USB functions), 2 VGA. Ganeti 2.10's "111" + 29 × "0". */
#define HV_KVM_PCI_DEFAULT_RESERVATIONS 0x7u

typedef struct {
  guint32 used;   /* bit n set: slot n is taken */
} HvKvmPciBus;

void      hv_kvm_pci_bus_init          (HvKvmPciBus        *bus);
gboolean  hv_kvm_pci_bus_is_used       (const HvKvmPciBus  *bus,
                                        gint                slot);
gint      hv_kvm_pci_bus_find_free     (const HvKvmPciBus  *bus,
                                        GError            **error);
gboolean  hv_kvm_pci_bus_reserve       (HvKvmPciBus        *bus,
                                        gint                slot,
                                        GError            **error);
gint      hv_kvm_pci_bus_reserve_free  (HvKvmPciBus        *bus,
                                        GError            **error);
void      hv_kvm_pci_bus_release       (HvKvmPciBus        *bus,
                                        gint                slot);

/* The devices of a starting instance that need a slot besides its disks
 * and NICs. */
typedef struct {
  const gchar *soundhw;      /* the soundhw hvparam; NULL or "" for none */
  gboolean     scsi_controller;
  gboolean     balloon;
  gboolean     spice;        /* the virtio-serial device of the SPICE agent */
} HvKvmPciStartDevices;

/* Where they went; -1 for a device that is absent or needs no slot. */
typedef struct {
  gint sound;
  gint scsi_controller;
  gint balloon;
  gint spice;
} HvKvmPciStartSlots;

gboolean  hv_kvm_pci_sound_needs_slot  (const gchar                 *soundhw);
gboolean  hv_kvm_pci_assign_start      (HvKvmPciBus                 *bus,
                                        const HvKvmPciStartDevices  *devices,
                                        gint                        *disk_slots,
                                        gsize                        n_disks,
                                        gint                        *nic_slots,
                                        gsize                        n_nics,
                                        HvKvmPciStartSlots          *out_slots,
                                        GError                     **error);

G_END_DECLS
