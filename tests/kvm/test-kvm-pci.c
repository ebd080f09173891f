/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "hv-kvm-pci.h"
#include "hvkit.h"

static void
test_pci_reservations (void)
{
  g_autoptr(GError) error = NULL;
  HvKvmPciBus bus;

  hv_kvm_pci_bus_init (&bus);
  /* host bridge, ISA bridge, VGA */
  for (gint slot = 0; slot < HV_KVM_PCI_SLOTS; slot++)
    g_assert_cmpint (hv_kvm_pci_bus_is_used (&bus, slot), ==, slot <= 2);
  g_assert_cmpint (hv_kvm_pci_bus_find_free (&bus, &error), ==, 3);
  g_assert_no_error (error);
  /* finding does not take */
  g_assert_cmpint (hv_kvm_pci_bus_find_free (&bus, &error), ==, 3);
}

static void
test_pci_reserve (void)
{
  g_autoptr(GError) error = NULL;
  HvKvmPciBus bus;

  hv_kvm_pci_bus_init (&bus);
  g_assert_true (hv_kvm_pci_bus_reserve (&bus, 5, &error));
  g_assert_no_error (error);
  g_assert_true (hv_kvm_pci_bus_is_used (&bus, 5));

  g_assert_false (hv_kvm_pci_bus_reserve (&bus, 5, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "PCI slot 5 is occupied");
  g_clear_error (&error);

  g_assert_false (hv_kvm_pci_bus_reserve (&bus, 0, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);

  g_assert_false (hv_kvm_pci_bus_reserve (&bus, 32, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_nonnull (strstr (error->message, "PCI slot 32 does not exist"));
  g_clear_error (&error);
  g_assert_false (hv_kvm_pci_bus_reserve (&bus, -1, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);

  hv_kvm_pci_bus_release (&bus, 5);
  g_assert_false (hv_kvm_pci_bus_is_used (&bus, 5));
  g_assert_true (hv_kvm_pci_bus_reserve (&bus, 5, &error));
}

static void
test_pci_exhaustion (void)
{
  g_autoptr(GError) error = NULL;
  HvKvmPciBus bus;

  hv_kvm_pci_bus_init (&bus);
  /* slots are handed out lowest first, 3 to 31 */
  for (gint expected = 3; expected < HV_KVM_PCI_SLOTS; expected++)
    {
      g_assert_cmpint (hv_kvm_pci_bus_reserve_free (&bus, &error), ==, expected);
      g_assert_no_error (error);
    }
  g_assert_cmpint (hv_kvm_pci_bus_reserve_free (&bus, &error), ==, -1);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "All PCI slots are occupied");
  g_clear_error (&error);
  g_assert_cmpint (hv_kvm_pci_bus_find_free (&bus, &error), ==, -1);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);

  /* a slot freed in the middle is the next one handed out */
  hv_kvm_pci_bus_release (&bus, 17);
  g_assert_cmpint (hv_kvm_pci_bus_reserve_free (&bus, &error), ==, 17);
}

static void
test_pci_sound_cards (void)
{
  g_assert_true (hv_kvm_pci_sound_needs_slot ("ac97"));
  g_assert_true (hv_kvm_pci_sound_needs_slot ("es1370"));
  g_assert_true (hv_kvm_pci_sound_needs_slot ("hda"));
  g_assert_false (hv_kvm_pci_sound_needs_slot ("sb16"));
  g_assert_false (hv_kvm_pci_sound_needs_slot (""));
  g_assert_false (hv_kvm_pci_sound_needs_slot (NULL));
}

typedef struct {
  const gchar *name;
  HvKvmPciStartDevices devices;
  gint disks_in[4];
  gsize n_disks;
  gint nics_in[4];
  gsize n_nics;
  HvKvmPciStartSlots slots;
  gint disks_out[4];
  gint nics_out[4];
} StartCase;

static void
test_pci_start_order (void)
{
  const StartCase cases[] = {
    { "balloon only", { NULL, FALSE, TRUE, FALSE }, { -1, -1 }, 2, { -1, -1 }, 2,
      { -1, -1, 3, -1 }, { 4, 5 }, { 6, 7 } },
    { "everything", { "hda", TRUE, TRUE, TRUE }, { -1 }, 1, { -1 }, 1,
      { 3, 4, 5, 6 }, { 7 }, { 8 } },
    { "ISA sound card", { "sb16", FALSE, TRUE, FALSE }, { -1 }, 1, { -1 }, 1,
      { -1, -1, 3, -1 }, { 4 }, { 5 } },
    { "no balloon", { NULL, TRUE, FALSE, FALSE }, { -1 }, 1, { 0 }, 0,
      { -1, 3, -1, -1 }, { 4 }, { 0 } },
    /* kept slots stay; new devices fill the first free ones around them */
    { "kept slots", { NULL, FALSE, TRUE, FALSE }, { 12, -1, -1 }, 3, { 5, -1 }, 2,
      { -1, -1, 3, -1 }, { 12, 4, 6 }, { 5, 7 } },
    /* Ganeti's literal order fails here: the balloon would take slot 4,
     * which the disk kept */
    { "kept slot below the fixed devices", { "ac97", FALSE, TRUE, FALSE }, { 4 }, 1, { -1 }, 1,
      { 3, -1, 5, -1 }, { 4 }, { 6 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const StartCase *c = &cases[i];
      g_autoptr(GError) error = NULL;
      gint disks[4], nics[4];
      HvKvmPciStartSlots slots;
      HvKvmPciBus bus;

      g_test_message ("case: %s", c->name);
      memcpy (disks, c->disks_in, sizeof disks);
      memcpy (nics, c->nics_in, sizeof nics);
      hv_kvm_pci_bus_init (&bus);
      g_assert_true (hv_kvm_pci_assign_start (&bus, &c->devices, disks, c->n_disks, nics, c->n_nics,
                                              &slots, &error));
      g_assert_no_error (error);
      g_assert_cmpint (slots.sound, ==, c->slots.sound);
      g_assert_cmpint (slots.scsi_controller, ==, c->slots.scsi_controller);
      g_assert_cmpint (slots.balloon, ==, c->slots.balloon);
      g_assert_cmpint (slots.spice, ==, c->slots.spice);
      for (gsize d = 0; d < c->n_disks; d++)
        {
          g_assert_cmpint (disks[d], ==, c->disks_out[d]);
          g_assert_true (hv_kvm_pci_bus_is_used (&bus, disks[d]));
        }
      for (gsize n = 0; n < c->n_nics; n++)
        {
          g_assert_cmpint (nics[n], ==, c->nics_out[n]);
          g_assert_true (hv_kvm_pci_bus_is_used (&bus, nics[n]));
        }
    }
}

static void
test_pci_start_conflicts (void)
{
  const HvKvmPciStartDevices devices = { NULL, FALSE, TRUE, FALSE };
  g_autoptr(GError) error = NULL;
  gint disks[] = { 9, -1 };
  gint nics[] = { 9 };
  gint many[30];
  HvKvmPciStartSlots slots = { 42, 42, 42, 42 };
  HvKvmPciBus bus;

  /* two devices claim one slot: nothing changes */
  hv_kvm_pci_bus_init (&bus);
  g_assert_false (hv_kvm_pci_assign_start (&bus, &devices, disks, 2, nics, 1, &slots, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "PCI slot 9 is occupied");
  g_clear_error (&error);
  g_assert_cmpuint (bus.used, ==, HV_KVM_PCI_DEFAULT_RESERVATIONS);
  g_assert_cmpint (disks[1], ==, -1);
  g_assert_cmpint (slots.balloon, ==, 42);

  /* a kept slot that QEMU's own devices hold */
  nics[0] = 2;
  disks[0] = -1;
  g_assert_false (hv_kvm_pci_assign_start (&bus, &devices, disks, 2, nics, 1, &slots, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "PCI slot 2 is occupied");
  g_clear_error (&error);

  /* more devices than slots: 29 free, a balloon and 30 disks */
  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    many[i] = -1;
  g_assert_false (hv_kvm_pci_assign_start (&bus, &devices, many, G_N_ELEMENTS (many), NULL, 0, &slots, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_cmpstr (error->message, ==, "All PCI slots are occupied");
  g_assert_cmpint (many[0], ==, -1);
}

/* Ganeti 2.10's order, taken literally, as the reference. */
static gboolean
seed_order (HvKvmPciBus                *bus,
            const HvKvmPciStartDevices *devices,
            gint                       *disks,
            gsize                       n_disks,
            gint                       *nics,
            gsize                       n_nics,
            HvKvmPciStartSlots         *slots)
{
  gint *lists[] = { disks, nics };
  gsize sizes[] = { n_disks, n_nics };

  slots->sound = hv_kvm_pci_sound_needs_slot (devices->soundhw) ? hv_kvm_pci_bus_reserve_free (bus, NULL) : -1;
  slots->scsi_controller = devices->scsi_controller ? hv_kvm_pci_bus_reserve_free (bus, NULL) : -1;
  slots->balloon = devices->balloon ? hv_kvm_pci_bus_reserve_free (bus, NULL) : -1;
  slots->spice = devices->spice ? hv_kvm_pci_bus_reserve_free (bus, NULL) : -1;
  for (guint l = 0; l < 2; l++)
    for (gsize i = 0; i < sizes[l]; i++)
      {
        if (lists[l][i] >= 0 && !hv_kvm_pci_bus_reserve (bus, lists[l][i], NULL))
          return FALSE;
        if (lists[l][i] < 0 && (lists[l][i] = hv_kvm_pci_bus_reserve_free (bus, NULL)) < 0)
          return FALSE;
      }
  return TRUE;
}

/* Whenever Ganeti's literal order succeeds, hvkit's gives the same slots;
 * hvkit fails only where Ganeti fails too. */
static void
test_pci_start_same_as_seed (void)
{
  static const gchar *sound[] = { NULL, "hda", "sb16", "ac97" };
  guint seed_ok = 0, seed_failed = 0;

  for (guint round = 0; round < 5000; round++)
    {
      HvKvmPciStartDevices devices = {
        sound[g_test_rand_int_range (0, 4)], g_test_rand_bit (), g_test_rand_bit (), g_test_rand_bit (),
      };
      gsize n_disks = g_test_rand_int_range (0, 8), n_nics = g_test_rand_int_range (0, 8);
      gint disks[8], nics[8], ref_disks[8], ref_nics[8];
      HvKvmPciStartSlots slots, ref_slots;
      HvKvmPciBus bus, ref_bus;
      gboolean ok, ref_ok;

      for (gsize i = 0; i < 8; i++)
        {
          disks[i] = g_test_rand_int_range (0, 3) == 0 ? g_test_rand_int_range (3, 20) : -1;
          nics[i] = g_test_rand_int_range (0, 3) == 0 ? g_test_rand_int_range (3, 20) : -1;
        }
      memcpy (ref_disks, disks, sizeof disks);
      memcpy (ref_nics, nics, sizeof nics);
      hv_kvm_pci_bus_init (&bus);
      hv_kvm_pci_bus_init (&ref_bus);

      ok = hv_kvm_pci_assign_start (&bus, &devices, disks, n_disks, nics, n_nics, &slots, NULL);
      ref_ok = seed_order (&ref_bus, &devices, ref_disks, n_disks, ref_nics, n_nics, &ref_slots);
      if (!ref_ok)
        {
          seed_failed++;
          continue;
        }
      seed_ok++;
      g_assert_true (ok);
      g_assert_cmpmem (&slots, sizeof slots, &ref_slots, sizeof ref_slots);
      g_assert_cmpmem (disks, n_disks * sizeof (gint), ref_disks, n_disks * sizeof (gint));
      g_assert_cmpmem (nics, n_nics * sizeof (gint), ref_nics, n_nics * sizeof (gint));
      g_assert_cmphex (bus.used, ==, ref_bus.used);
    }
  g_test_message ("Ganeti's order succeeded %u times, failed %u times", seed_ok, seed_failed);
  g_assert_cmpuint (seed_ok, >, 1000);
  g_assert_cmpuint (seed_failed, >, 100);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kvm-pci/reservations", test_pci_reservations);
  g_test_add_func ("/kvm-pci/reserve", test_pci_reserve);
  g_test_add_func ("/kvm-pci/exhaustion", test_pci_exhaustion);
  g_test_add_func ("/kvm-pci/sound-cards", test_pci_sound_cards);
  g_test_add_func ("/kvm-pci/start-order", test_pci_start_order);
  g_test_add_func ("/kvm-pci/start-conflicts", test_pci_start_conflicts);
  g_test_add_func ("/kvm-pci/start-same-as-seed", test_pci_start_same_as_seed);

  return g_test_run ();
}
