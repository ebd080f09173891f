/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmPci"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hvkit.h"
#include "hv-kvm-pci.h"

/* Slots on pci.0: which are taken, the first free one, and the order in
 * which a starting instance's devices take theirs (Ganeti 2.10: sound card,
 * SCSI controller, balloon, SPICE serial, disks, NICs).
 *
 * Errors are HV_ERROR_INVALID_PARAMETER: a taken or missing slot, or no
 * slot left, means the device configuration asked for does not fit the
 * bus. The hotplug code may report them as a hotplug failure. */

void
hv_kvm_pci_bus_init (HvKvmPciBus *bus)
{
  bus->used = HV_KVM_PCI_DEFAULT_RESERVATIONS;
}

gboolean
hv_kvm_pci_bus_is_used (const HvKvmPciBus *bus,
                        gint               slot)
{
  g_return_val_if_fail (slot >= 0 && slot < HV_KVM_PCI_SLOTS, TRUE);

  return (bus->used >> slot) & 1;
}

gint
hv_kvm_pci_bus_find_free (const HvKvmPciBus  *bus,
                          GError            **error)
{
  if (bus->used == G_MAXUINT32)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                           _("All PCI slots are occupied"));
      return -1;
    }
  /* the lowest clear bit */
  return __builtin_ctz (~bus->used);
}

gboolean
hv_kvm_pci_bus_reserve (HvKvmPciBus  *bus,
                        gint          slot,
                        GError      **error)
{
  if (slot < 0 || slot >= HV_KVM_PCI_SLOTS)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("PCI slot %d does not exist (pci.0 has slots 0 to %d)"),
                   slot, HV_KVM_PCI_SLOTS - 1);
      return FALSE;
    }
  if (hv_kvm_pci_bus_is_used (bus, slot))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("PCI slot %d is occupied"), slot);
      return FALSE;
    }
  bus->used |= 1u << slot;
  return TRUE;
}

gint
hv_kvm_pci_bus_reserve_free (HvKvmPciBus  *bus,
                             GError      **error)
{
  gint slot = hv_kvm_pci_bus_find_free (bus, error);

  if (slot >= 0)
    bus->used |= 1u << slot;
  return slot;
}

void
hv_kvm_pci_bus_release (HvKvmPciBus *bus,
                        gint         slot)
{
  g_return_if_fail (slot >= 0 && slot < HV_KVM_PCI_SLOTS);

  bus->used &= ~(1u << slot);
}

/* Ganeti's _SOUNDHW_WITH_PCI_SLOT: the other cards sit on the ISA bus. */
gboolean
hv_kvm_pci_sound_needs_slot (const gchar *soundhw)
{
  static const gchar * const pci_cards[] = { "ac97", "es1370", "hda", NULL };

  return soundhw != NULL && g_strv_contains (pci_cards, soundhw);
}

static gboolean
hv_kvm_pci_reserve_kept (HvKvmPciBus  *bus,
                         const gint   *slots,
                         gsize         n_slots,
                         GError      **error)
{
  for (gsize i = 0; i < n_slots; i++)
    if (slots[i] >= 0 && !hv_kvm_pci_bus_reserve (bus, slots[i], error))
      return FALSE;
  return TRUE;
}

static gboolean
hv_kvm_pci_reserve_new (HvKvmPciBus  *bus,
                        gint         *slots,
                        gsize         n_slots,
                        GError      **error)
{
  for (gsize i = 0; i < n_slots; i++)
    if (slots[i] < 0 && (slots[i] = hv_kvm_pci_bus_reserve_free (bus, error)) < 0)
      return FALSE;
  return TRUE;
}

/* The slot of an optional device: the first free one, or -1 without it. */
static gboolean
hv_kvm_pci_reserve_optional (HvKvmPciBus  *bus,
                             gboolean      present,
                             gint         *out_slot,
                             GError      **error)
{
  *out_slot = present ? hv_kvm_pci_bus_reserve_free (bus, error) : -1;
  return !present || *out_slot >= 0;
}

/*
 * Gives every device of a starting instance its slot on @bus. A disk or
 * NIC whose entry in @disk_slots / @nic_slots is a slot (≥ 0) keeps it; one
 * with -1 gets the first free slot, written back to its entry.
 *
 * Ganeti 2.10 hands slots out in command-line order: the sound card if it
 * is a PCI one, the SCSI controller, the balloon, the SPICE serial device,
 * then disks, then NICs, each disk or NIC keeping the slot it had. Taken
 * literally, that order fails when a device kept slot 4 and a sound card
 * added since pushes the balloon from 3 to 4. Here the kept slots are
 * reserved first: whenever Ganeti's order succeeds the result is the same
 * (its first-free choices never land on a kept slot, or it would have
 * failed), and it fails only when two devices claim one slot.
 */
gboolean
hv_kvm_pci_assign_start (HvKvmPciBus                 *bus,
                         const HvKvmPciStartDevices  *devices,
                         gint                        *disk_slots,
                         gsize                        n_disks,
                         gint                        *nic_slots,
                         gsize                        n_nics,
                         HvKvmPciStartSlots          *out_slots,
                         GError                     **error)
{
  HvKvmPciBus work = *bus;
  g_autofree gint *disks = g_memdup2 (disk_slots, n_disks * sizeof (gint));
  g_autofree gint *nics = g_memdup2 (nic_slots, n_nics * sizeof (gint));
  HvKvmPciStartSlots slots;

  g_return_val_if_fail (devices != NULL && out_slots != NULL, FALSE);

  /* On failure neither @bus nor the slot arrays change. */
  if (!hv_kvm_pci_reserve_kept (&work, disks, n_disks, error)
      || !hv_kvm_pci_reserve_kept (&work, nics, n_nics, error)
      || !hv_kvm_pci_reserve_optional (&work, hv_kvm_pci_sound_needs_slot (devices->soundhw),
                                       &slots.sound, error)
      || !hv_kvm_pci_reserve_optional (&work, devices->scsi_controller, &slots.scsi_controller, error)
      || !hv_kvm_pci_reserve_optional (&work, devices->balloon, &slots.balloon, error)
      || !hv_kvm_pci_reserve_optional (&work, devices->spice, &slots.spice, error)
      || !hv_kvm_pci_reserve_new (&work, disks, n_disks, error)
      || !hv_kvm_pci_reserve_new (&work, nics, n_nics, error))
    return FALSE;

  *bus = work;
  if (n_disks > 0)
    memcpy (disk_slots, disks, n_disks * sizeof (gint));
  if (n_nics > 0)
    memcpy (nic_slots, nics, n_nics * sizeof (gint));
  *out_slots = slots;
  return TRUE;
}
