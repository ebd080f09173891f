/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hvkit.h"
#include "hv-kvm-capabilities-probe.h"
#include "hv-kvm-cmdline.h"
#include "hv-kvm-params.h"

/*
 * Golden command lines: one file per parameter combination under
 * tests/data/argv/, one argument per line. On a difference the test prints
 * a unified diff. To accept new output after a deliberate change:
 *
 *   HV_TEST_REGENERATE=1 meson test -C build test-kvm-cmdline
 *
 * and review `git diff tests/data/argv`. Capabilities come from recorded
 * probes (tests/data/capabilities), never from this machine's QEMU: every
 * case runs with QEMU 7.2's (tests/data/argv/) and with QEMU 10.0's
 * (tests/data/argv/qemu-10.0/), and each 10.0 command line is checked
 * against the options 10.0's `-help` lists and the parameters its
 * query-command-line-options gives, so that nothing it refuses is emitted.
 */

#define QEMU_7_2_PROBE "qemu-7.2.22-probe.jsonl"
#define QEMU_10_0_PROBE "qemu-10.0.2-probe.jsonl"
#define QEMU_10_0_HELP "qemu-10.0.2-help.txt"

#define MAX_DEVICES 8

typedef struct {
  HvKvmCapabilities *capabilities;
  const gchar *argv_dir;        /* under tests/data/argv; "" for 7.2 */
  GHashTable *accepted;         /* options the QEMU's -help lists; NULL: no check */
} Fixture;

/* One case being built: the instance and what the lifecycle would pass. */
typedef struct {
  HvInstance *instance;
  GVariantDict hvparams;
  HvKvmCmdlineConfig config;
  HvKvmCmdlineDisk disks[MAX_DEVICES];
  HvKvmCmdlineNic nics[MAX_DEVICES];
  guint queues;               /* tap fds per NIC */
  gboolean vhost_fds;         /* give vhost-net fds */
  gboolean base_from_record;  /* build the base from a saved one */
  gboolean no_slots;          /* leave slots unassigned (old records) */
} Case;

typedef struct {
  const gchar *name;
  const gchar *hvparams;      /* GVariant text, a{sv} merged over the defaults */
  void (*adjust) (Case *c);
} GoldenCase;

static const gchar *disk_uuids[] = {
  "0b5e3d8a-41f2-4c1e-9b7d-5a6c7d8e9f01", "7c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e02",
  "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e003", "9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c04",
};
static const gchar *nic_uuids[] = {
  "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b01", "e1d2c3b4-a5f6-4789-9abc-def012345602",
  "a0b1c2d3-e4f5-4607-8819-2a3b4c5d6e03",
};

static HvDisk *
new_disk (guint        index,
          gint64       size,
          const gchar *link,
          const gchar *dev_type)
{
  HvDisk *disk = hv_disk_new ();

  hv_device_set_uuid (HV_DEVICE (disk), disk_uuids[index]);
  hv_disk_set_size (disk, size);
  hv_disk_set_mode (disk, "rw");
  hv_disk_set_link (disk, link);
  hv_disk_set_dev_type (disk, dev_type);
  return disk;
}

static HvNic *
new_nic (guint        index,
         const gchar *mac)
{
  HvNic *nic = hv_nic_new ();

  hv_device_set_uuid (HV_DEVICE (nic), nic_uuids[index]);
  hv_nic_set_mac (nic, mac);
  hv_nic_set_mode (nic, "bridged");
  hv_nic_set_link (nic, "br0");
  return nic;
}

static void
case_init (Case *c)
{
  g_autoptr(HvDisk) disk0 = new_disk (0, 10240, "/var/run/hvkit/disks/web1:0", "drbd");
  g_autoptr(HvDisk) disk1 = new_disk (1, 2048, "/dev/xenvg/web1.disk1", "plain");
  g_autoptr(HvNic) nic0 = new_nic (0, "aa:00:00:35:6b:01");
  g_autoptr(GVariant) defaults = NULL;
  GVariantBuilder beparams;

  c->instance = hv_instance_new ("web1.example.com");
  hv_instance_set_uuid (c->instance, "3f2c9a1e-7b4d-4e6f-8a9b-0c1d2e3f4a5b");
  g_variant_builder_init (&beparams, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&beparams, "{sv}", "maxmem", g_variant_new_int64 (2048));
  g_variant_builder_add (&beparams, "{sv}", "memory", g_variant_new_int64 (1024));
  g_variant_builder_add (&beparams, "{sv}", "vcpus", g_variant_new_int64 (2));
  hv_instance_set_beparams (c->instance, g_variant_builder_end (&beparams));
  hv_instance_add_disk (c->instance, disk0);
  hv_instance_add_disk (c->instance, disk1);
  hv_instance_add_nic (c->instance, nic0);

  /* the lifecycle fills the defaults in before it builds anything */
  defaults = hv_kvm_params_get_defaults ();
  g_variant_dict_init (&c->hvparams, defaults);
  g_variant_dict_insert (&c->hvparams, "kvm_path", "s", "/usr/bin/qemu-system-x86_64");

  c->config = (HvKvmCmdlineConfig) HV_KVM_CMDLINE_CONFIG_INIT;
  c->config.run_dir = "/run/hvkit";
  c->queues = 1;
}

static void
case_clear (Case *c)
{
  g_clear_object (&c->instance);
  g_variant_dict_clear (&c->hvparams);
}

/* The slots, as the runtime record assigns them at start (seed 001's
 * order: devices keep theirs, then sound → SCSI → balloon → SPICE → new
 * disks → new NICs). */
static void
case_assign_slots (Case *c)
{
  GVariant *hvparams = hv_instance_get_hvparams (c->instance);
  GPtrArray *disks = hv_instance_get_disks (c->instance);
  GPtrArray *nics = hv_instance_get_nics (c->instance);
  gint disk_slots[MAX_DEVICES];
  gint nic_slots[MAX_DEVICES];
  HvKvmPciStartDevices devices;
  g_autoptr(GError) error = NULL;
  HvKvmPciBus bus;

  hv_kvm_cmdline_get_start_devices (hvparams, &devices);
  for (guint i = 0; i < disks->len; i++)
    disk_slots[i] = hv_device_get_pci (g_ptr_array_index (disks, i));
  for (guint i = 0; i < nics->len; i++)
    nic_slots[i] = hv_device_get_pci (g_ptr_array_index (nics, i));

  hv_kvm_pci_bus_init (&bus);
  g_assert_true (hv_kvm_pci_assign_start (&bus, &devices, disk_slots, disks->len,
                                          nic_slots, nics->len, &c->config.slots, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < disks->len; i++)
    hv_device_set_pci (g_ptr_array_index (disks, i), disk_slots[i]);
  for (guint i = 0; i < nics->len; i++)
    hv_device_set_pci (g_ptr_array_index (nics, i), nic_slots[i]);
}

static void
case_fill_devices (Case *c)
{
  GPtrArray *disks = hv_instance_get_disks (c->instance);
  GPtrArray *nics = hv_instance_get_nics (c->instance);

  for (guint i = 0; i < disks->len; i++)
    c->disks[i].disk = g_ptr_array_index (disks, i);
  for (guint i = 0; i < nics->len; i++)
    {
      HvKvmCmdlineNic *nic = &c->nics[i];

      nic->nic = g_ptr_array_index (nics, i);
      nic->n_queues = c->queues;
      nic->has_vhost = c->vhost_fds;
      for (guint q = 0; q < c->queues; q++)
        {
          /* what GSubprocessLauncher would map them to */
          nic->tap_fds[q] = (gint) (10 + 8 * i + q);
          nic->vhost_fds[q] = (gint) (40 + 8 * i + q);
        }
    }
  c->config.disks = c->disks;
  c->config.n_disks = disks->len;
  c->config.nics = c->nics;
  c->config.n_nics = nics->len;
}

/* A base as a record from an older hvkit might hold it: not what this
 * code would make, so the test shows that it is used as it is. */
static GStrv
saved_base (void)
{
  const gchar *argv[] = {
    "/usr/bin/qemu-system-x86_64", "-name", "web1.example.com", "-machine",
    "pc-i440fx-6.2,accel=kvm", "-nodefaults", "-m", "2048", "-smp", "2",
    "-pidfile", "/run/hvkit/web1.example.com.pid", "-daemonize",
    "-qmp", "unix:/run/hvkit/web1.example.com.qmp,server=on,wait=off",
    "-device", "virtio-balloon-pci,id=balloon,bus=pci.0,addr=0x3", "-display", "none", NULL
  };

  return g_strdupv ((GStrv) argv);
}

static GStrv
case_build (Case         *c,
            Fixture      *fixture,
            GError      **error)
{
  g_auto(GStrv) base = NULL;
  g_autoptr(GVariant) hvparams = g_variant_ref_sink (g_variant_dict_end (&c->hvparams));

  hv_instance_set_hvparams (c->instance, hvparams);
  c->config.capabilities = fixture->capabilities;
  if (!c->no_slots)
    case_assign_slots (c);
  case_fill_devices (c);

  base = c->base_from_record ? saved_base () :
    hv_kvm_cmdline_build_base (c->instance, &c->config, error);
  if (base == NULL)
    return NULL;
  return hv_kvm_cmdline_build ((const gchar * const *) base, hvparams, &c->config, error);
}

static HvKvmCapabilities *load_capabilities (const gchar *name);

/* ---- the cases -------------------------------------------------------- */

static void
adjust_geometry_large (Case *c)
{
  HvDisk *disk = g_ptr_array_index (hv_instance_get_disks (c->instance), 0);

  /* 10 GiB at 16 heads × 63 sectors is 20805 cylinders: clamped */
  hv_disk_set_params (disk, g_variant_new_parsed ("{'heads': <int64 16>, 'secs': <int64 63>}"));
}

static void
adjust_geometry_small (Case *c)
{
  HvDisk *disk = g_ptr_array_index (hv_instance_get_disks (c->instance), 1);

  /* 1 MiB at 255 × 63 is 0 cylinders: raised to 2 */
  hv_disk_set_size (disk, 1);
  hv_disk_set_params (disk, g_variant_new_parsed ("{'heads': <int64 255>, 'secs': <int64 63>}"));
}

static void
adjust_geometry_text (Case *c)
{
  HvDisk *disk = g_ptr_array_index (hv_instance_get_disks (c->instance), 1);

  /* Ganeti's disk params carry the numbers as text: 512 MiB → 1040 */
  hv_disk_set_size (disk, 512);
  hv_disk_set_params (disk, g_variant_new_parsed ("{'heads': <'16'>, 'secs': <'63'>}"));
}

static void
adjust_cache_per_disk (Case *c)
{
  HvDisk *disk = g_ptr_array_index (hv_instance_get_disks (c->instance), 1);

  hv_disk_set_params (disk, g_variant_new_parsed ("{'cache': <'none'>}"));
}

static void
adjust_shared_template (Case *c)
{
  GPtrArray *disks = hv_instance_get_disks (c->instance);

  /* ext storage is shared: cache none, except where the disk says */
  hv_disk_set_dev_type (g_ptr_array_index (disks, 0), "ext");
  hv_disk_set_dev_type (g_ptr_array_index (disks, 1), "ext");
  hv_disk_set_params (g_ptr_array_index (disks, 1),
                      g_variant_new_parsed ("{'cache': <'writethrough'>}"));
}

static void
adjust_readonly (Case *c)
{
  hv_disk_set_mode (g_ptr_array_index (hv_instance_get_disks (c->instance), 1), "ro");
}

static void
adjust_comma_path (Case *c)
{
  HvDisk *disk = g_ptr_array_index (hv_instance_get_disks (c->instance), 1);

  hv_disk_set_link (disk, "/dev/disk/by-id/scsi-36001,405b");
  c->config.run_dir = "/run/hv,kit";
}

static void
adjust_userspace_uri (Case *c)
{
  HvDisk *disk = g_ptr_array_index (hv_instance_get_disks (c->instance), 1);

  hv_disk_set_link (disk, NULL);
  hv_disk_set_uri (disk, "rbd:rbd/web1.disk1");
  hv_disk_set_dev_type (disk, "rbd");
}

static void
adjust_kept_slots (Case *c)
{
  GPtrArray *disks = hv_instance_get_disks (c->instance);
  g_autoptr(HvDisk) hotplugged = new_disk (2, 1024, "/dev/xenvg/web1.disk2", "plain");
  g_autoptr(HvNic) nic = new_nic (1, "aa:00:00:35:6b:02");

  /* a restart after hot-plugs: disk 0 kept 9, the NIC 5, the new disk 12;
   * the rest fill the holes */
  hv_device_set_pci (g_ptr_array_index (disks, 0), 9);
  hv_device_set_pci (g_ptr_array_index (hv_instance_get_nics (c->instance), 0), 5);
  hv_device_set_pci (HV_DEVICE (hotplugged), 12);
  hv_instance_add_disk (c->instance, hotplugged);
  hv_instance_add_nic (c->instance, nic);
}

static void
adjust_record_restart (Case *c)
{
  GPtrArray *disks = hv_instance_get_disks (c->instance);
  GPtrArray *nics = hv_instance_get_nics (c->instance);

  /* a Ganeti 2.10 record: slots and the ids QEMU had, kept as they are */
  c->base_from_record = TRUE;
  hv_device_set_pci (g_ptr_array_index (disks, 0), 4);
  hv_device_set_pci (g_ptr_array_index (disks, 1), 7);
  hv_device_set_pci (g_ptr_array_index (nics, 0), 5);
  c->disks[0].qemu_id = "hotdisk-0b5e3d8a-pci-4";
  c->disks[1].qemu_id = "hotdisk-7c1d2e3f-pci-7";
  c->nics[0].qemu_id = "hotnic-5d4c3b2a-pci-5";
}

static void
adjust_old_record (Case *c)
{
  GPtrArray *disks = hv_instance_get_disks (c->instance);

  /* devices of a record from before slots: no address, <type>-<index> */
  c->no_slots = TRUE;
  hv_device_set_uuid (g_ptr_array_index (disks, 0), NULL);
  hv_device_set_uuid (g_ptr_array_index (disks, 1), NULL);
  hv_device_set_uuid (g_ptr_array_index (hv_instance_get_nics (c->instance), 0), NULL);
  c->config.slots.balloon = 3;
}

static void
adjust_migration_target (Case *c)
{
  adjust_kept_slots (c);
  c->config.incoming = "defer";
}

static void
adjust_two_nics (Case *c)
{
  g_autoptr(HvNic) nic = new_nic (1, "aa:00:00:35:6b:02");

  hv_instance_add_nic (c->instance, nic);
}

static void
adjust_multiqueue (Case *c)
{
  adjust_two_nics (c);
  c->queues = 4;
}

static void
adjust_multiqueue_vhost (Case *c)
{
  c->queues = 2;
  c->vhost_fds = TRUE;
}

static void
adjust_vhost (Case *c)
{
  c->vhost_fds = TRUE;
}

static void
adjust_diskless (Case *c)
{
  GPtrArray *disks = hv_instance_get_disks (c->instance);
  GPtrArray *nics = hv_instance_get_nics (c->instance);

  while (disks->len > 0)
    hv_instance_remove_disk (c->instance, g_ptr_array_index (disks, 0));
  while (nics->len > 0)
    hv_instance_remove_nic (c->instance, g_ptr_array_index (nics, 0));
}

static void
adjust_no_uuid (Case *c)
{
  hv_instance_set_uuid (c->instance, NULL);
}

static void
adjust_vnc_port (Case *c)
{
  hv_instance_set_network_port (c->instance, 5907);
}

static void
adjust_vnc_low_port (Case *c)
{
  hv_instance_set_network_port (c->instance, 1234);
}

static void
adjust_vnc_interface (Case *c)
{
  adjust_vnc_port (c);
  c->config.vnc_bind_ip = "198.51.100.7";
}

static void
adjust_spice (Case *c)
{
  hv_instance_set_network_port (c->instance, 11000);
  c->config.spice_x509_dir = "/etc/hvkit/spice";
}

static void
adjust_spice_interface (Case *c)
{
  adjust_spice (c);
  c->config.spice_bind_ip = "2001:db8::10";
}

static void
adjust_pool (Case *c)
{
  c->config.runas_user = "hvkit-pool-1007";
}

static void
adjust_chroot (Case *c)
{
  c->config.chroot_dir = "/var/lib/hvkit/chroot/web1.example.com";
}

static void
adjust_accel_tcg (Case *c)
{
  c->config.accel = "tcg";
}

static void
adjust_vcpus (Case *c)
{
  hv_instance_set_beparams (c->instance, g_variant_new_parsed (
    "{'maxmem': <int64 4096>, 'memory': <int64 4096>, 'vcpus': <int64 8>}"));
}

static const GoldenCase golden_cases[] = {
  { "default", NULL, NULL },
  { "kernel", "{'kernel_path': <'/boot/vmlinuz-6.1-kvmU'>, 'initrd_path': <'/boot/initrd-6.1'>,"
              " 'root_path': <'/dev/vda1'>, 'kernel_args': <'ro quiet'>}", NULL },
  { "kernel-no-serial", "{'kernel_path': <'/boot/vmlinuz'>, 'serial_console': <false>,"
                        " 'root_path': <''>, 'kernel_args': <'console=hvc0'>}", NULL },
  { "kernel-serial-speed", "{'kernel_path': <'/boot/vmlinuz'>, 'serial_speed': <int64 115200>}",
    NULL },
  { "kernel-overrides-cdrom-boot", "{'kernel_path': <'/boot/vmlinuz'>, 'boot_order': <'cdrom'>,"
                                   " 'cdrom_image_path': <'/srv/iso/rescue.iso'>}", NULL },
  { "no-acpi", "{'acpi': <false>}", NULL },
  { "cache-writeback", "{'disk_cache': <'writeback'>}", NULL },
  { "cache-per-disk", "{'disk_cache': <'writeback'>}", adjust_cache_per_disk },
  { "cache-shared-storage", "{'disk_cache': <'writeback'>}", adjust_shared_template },
  { "aio-discard", "{'disk_cache': <'none'>, 'disk_aio': <'native'>,"
                   " 'disk_discard': <'unmap'>}", NULL },
  { "geometry-clamp-high", NULL, adjust_geometry_large },
  { "geometry-clamp-low", NULL, adjust_geometry_small },
  { "geometry-text-params", NULL, adjust_geometry_text },
  { "disk-readonly", NULL, adjust_readonly },
  { "disk-userspace-uri", NULL, adjust_userspace_uri },
  { "disk-ide", "{'disk_type': <'ide'>}", NULL },
  { "disk-scsi-lsi", "{'disk_type': <'scsi'>}", NULL },
  { "disk-scsi-virtio", "{'disk_type': <'scsi-hd'>,"
                        " 'scsi_controller_type': <'virtio-scsi-pci'>}", adjust_geometry_large },
  { "disk-scsi-block", "{'disk_type': <'scsi-block'>, 'scsi_controller_type': <'megasas'>}",
    NULL },
  { "sound-ac97", "{'soundhw': <'ac97'>}", NULL },
  { "sound-hda", "{'soundhw': <'hda'>}", NULL },
  { "sound-sb16-isa", "{'soundhw': <'sb16'>}", NULL },
  { "sound-pcspk", "{'soundhw': <'pcspk'>}", NULL },
  { "slot-order-all", "{'soundhw': <'es1370'>, 'disk_type': <'scsi'>,"
                      " 'spice_bind': <'192.0.2.10'>}", adjust_spice },
  { "slots-kept", NULL, adjust_kept_slots },
  { "restart-from-record", NULL, adjust_record_restart },
  { "old-record-no-slots", NULL, adjust_old_record },
  { "migration-target", NULL, adjust_migration_target },
  { "two-nics", NULL, adjust_two_nics },
  { "multiqueue", "{'virtio_net_queues': <int64 4>}", adjust_multiqueue },
  { "multiqueue-vhost", "{'virtio_net_queues': <int64 2>, 'vhost_net': <true>}",
    adjust_multiqueue_vhost },
  { "vhost", "{'vhost_net': <true>}", adjust_vhost },
  { "nic-e1000", "{'nic_type': <'e1000'>}", NULL },
  { "nic-ne2k-isa", "{'nic_type': <'ne2k_isa'>}", NULL },
  { "diskless", NULL, adjust_diskless },
  { "no-uuid", NULL, adjust_no_uuid },
  { "vnc-any", "{'vnc_bind_address': <'0.0.0.0'>}", adjust_vnc_port },
  { "vnc-address", "{'vnc_bind_address': <'127.0.0.1'>, 'usb_mouse': <'mouse'>}",
    adjust_vnc_port },
  { "vnc-ipv6", "{'vnc_bind_address': <'::1'>}", adjust_vnc_port },
  { "vnc-interface", "{'vnc_bind_address': <'eth1'>}", adjust_vnc_interface },
  { "vnc-socket-dir", "{'vnc_bind_address': <'/run/hvkit/vnc'>}", adjust_vnc_port },
  { "vnc-tls-anon", "{'vnc_bind_address': <'0.0.0.0'>, 'vnc_tls': <true>}", adjust_vnc_port },
  { "vnc-tls-x509-verify", "{'vnc_bind_address': <'0.0.0.0'>, 'vnc_tls': <true>,"
                           " 'vnc_x509_path': <'/etc/hvkit/vnc-x509'>,"
                           " 'vnc_x509_verify': <true>}", adjust_vnc_port },
  { "vnc-tls-x509-password", "{'vnc_bind_address': <'0.0.0.0'>, 'vnc_tls': <true>,"
                             " 'vnc_x509_path': <'/etc/hvkit/vnc-x509'>,"
                             " 'vnc_password_file': <'/etc/hvkit/vnc-password'>}",
    adjust_vnc_port },
  { "vga-cirrus-vnc", "{'vnc_bind_address': <'0.0.0.0'>, 'vga': <'cirrus'>}", adjust_vnc_port },
  { "spice", "{'spice_bind': <'192.0.2.10'>}", adjust_spice },
  { "spice-tls-interface", "{'spice_bind': <'eth0'>, 'spice_ip_version': <int64 6>,"
                           " 'spice_use_tls': <true>, 'spice_tls_ciphers': <'HIGH:!aNULL'>,"
                           " 'spice_password_file': <'/etc/hvkit/spice-password'>}",
    adjust_spice_interface },
  { "spice-options", "{'spice_bind': <'192.0.2.10'>, 'spice_use_vdagent': <false>,"
                     " 'spice_image_compression': <'auto_glz'>,"
                     " 'spice_jpeg_wan_compression': <'never'>,"
                     " 'spice_zlib_glz_wan_compression': <'always'>,"
                     " 'spice_streaming_video': <'filter'>,"
                     " 'spice_playback_compression': <false>, 'soundhw': <'hda'>}",
    adjust_spice },
  { "security-user", "{'security_model': <'user'>, 'security_domain': <'hvkit-web1'>}", NULL },
  { "security-pool", "{'security_model': <'pool'>}", adjust_pool },
  { "chroot", "{'use_chroot': <true>}", adjust_chroot },
  { "chroot-default-dir", "{'use_chroot': <true>}", NULL },
  { "chroot-security-user", "{'use_chroot': <true>, 'security_model': <'user'>,"
                            " 'security_domain': <'hvkit-web1'>}", adjust_chroot },
  { "kvm-extra-quoting", "{'kvm_extra': <'-device virtio-rng-pci,id=rng0"
                         " -fw_cfg name=opt/hvkit/note,string=\"two words\"  -msg  timestamp=on"
                         " -smbios \\'type=1,product=hv #1\\''>}", NULL },
  { "cdrom-boot", "{'boot_order': <'cdrom'>, 'cdrom_image_path': <'/srv/iso/debian.iso'>}",
    NULL },
  { "cdrom-paravirtual", "{'cdrom_image_path': <'/srv/iso/tools.iso'>}", NULL },
  { "cdrom2-ide", "{'cdrom_disk_type': <'ide'>, 'cdrom_image_path': <'/srv/iso/a.iso'>,"
                  " 'cdrom2_image_path': <'https://mirror.example.org/b.iso'>}", NULL },
  { "cdrom-scsi", "{'disk_type': <'scsi-hd'>, 'cdrom_image_path': <'/srv/iso/a.iso'>}", NULL },
  { "floppy-boot", "{'boot_order': <'floppy'>, 'floppy_image_path': <'/srv/img/fd.img'>}",
    NULL },
  { "network-boot", "{'boot_order': <'network'>, 'nic_type': <'e1000'>}", NULL },
  { "reboot-exit", "{'reboot_behavior': <'exit'>}", NULL },
  { "localtime", "{'use_localtime': <true>}", NULL },
  { "keymap", "{'keymap': <'de'>, 'vnc_bind_address': <'0.0.0.0'>}", adjust_vnc_port },
  { "usb-devices", "{'usb_mouse': <'tablet'>, 'usb_devices': <'keyboard, wacom-tablet'>}", NULL },
  { "usb-devices-only", "{'usb_devices': <'keyboard'>}", NULL },
  { "machine-alias", "{'machine_version': <'pc'>}", NULL },
  { "machine-version", "{'machine_version': <'pc-i440fx-6.2'>}", NULL },
  { "mem-path", "{'mem_path': <'/dev/hugepages'>}", NULL },
  { "cpu-topology", "{'cpu_type': <'Haswell-noTSX'>, 'cpu_cores': <int64 2>,"
                    " 'cpu_threads': <int64 2>, 'cpu_sockets': <int64 2>}", adjust_vcpus },
  { "kvm-enabled", "{'kvm_flag': <'enabled'>}", NULL },
  { "kvm-disabled", "{'kvm_flag': <'disabled'>}", NULL },
  { "accel-override", "{'kvm_flag': <'enabled'>}", adjust_accel_tcg },
  { "paths-with-commas", NULL, adjust_comma_path },
};

/* ---- refusals: each names what is wrong -------------------------------- */

static void
adjust_missing_vhost_fds (Case *c)
{
  c->vhost_fds = FALSE;
}

static void
adjust_too_few_queues (Case *c)
{
  c->queues = 2;
}

static void
adjust_no_link (Case *c)
{
  hv_disk_set_link (g_ptr_array_index (hv_instance_get_disks (c->instance), 1), NULL);
}

static void
adjust_no_maxmem (Case *c)
{
  hv_instance_set_beparams (c->instance, g_variant_new_parsed ("{'vcpus': <int64 1>}"));
}

static void
adjust_bad_uuid (Case *c)
{
  hv_instance_set_uuid (c->instance, "not-a-uuid");
}

static void
adjust_no_default_qemu (Case *c)
{
  c->config.default_qemu_path = NULL;
}

static const struct {
  const gchar *name;
  const gchar *hvparams;
  void (*adjust) (Case *c);
  const gchar *message;         /* a part of the error message */
} refusals[] = {
  { "wrong-type", "{'acpi': <'yes'>}", NULL, "'acpi' has type 's', expected 'b'" },
  { "wrong-type-int", "{'serial_speed': <'fast'>}", NULL, "'serial_speed'" },
  { "vnc-low-port", "{'vnc_bind_address': <'0.0.0.0'>}", adjust_vnc_low_port,
    "network port 1234" },
  { "vnc-interface-unresolved", "{'vnc_bind_address': <'eth1'>}", adjust_vnc_port,
    "interface 'eth1'" },
  { "vhost-without-fds", "{'vhost_net': <true>}", adjust_missing_vhost_fds, "vhost-net" },
  { "queues-mismatch", "{'virtio_net_queues': <int64 4>}", adjust_too_few_queues,
    "needs 4" },
  { "multiqueue-not-paravirtual", "{'nic_type': <'e1000'>}", adjust_too_few_queues,
    "needs 1" },
  { "soundhw-unknown", "{'soundhw': <'gravis'>}", NULL, "'soundhw' is 'gravis'" },
  { "machine-unknown", "{'machine_version': <'pc-i440fx-99.0'>}", NULL,
    "'machine_version' is 'pc-i440fx-99.0'" },
  { "machine-q35", "{'machine_version': <'q35'>}", NULL, "(pc-q35-7.2)" },
  { "nic-model-unknown", "{'nic_type': <'e100'>}", NULL, "no device 'e100'" },
  { "scsi-controller-unknown", "{'disk_type': <'scsi'>, 'scsi_controller_type': <'buslogic'>}",
    NULL, "'scsi_controller_type' is 'buslogic'" },
  { "spice-tls-no-certificates", "{'spice_bind': <'192.0.2.10'>, 'spice_use_tls': <true>}",
    NULL, "certificate" },
  { "security-user-no-domain", "{'security_model': <'user'>}", NULL, "security_domain" },
  { "security-pool-no-user", "{'security_model': <'pool'>}", NULL, "uid pool" },
  { "cdrom-boot-no-image", "{'boot_order': <'cdrom'>}", NULL, "no image" },
  { "boot-order-unknown", "{'boot_order': <'usb'>}", NULL, "'boot_order' is 'usb'" },
  { "cdrom-scsi-no-controller", "{'cdrom_disk_type': <'scsi-cd'>,"
                                " 'cdrom_image_path': <'/srv/a.iso'>}", NULL, "SCSI controller" },
  { "kvm-extra-unclosed", "{'kvm_extra': <'-append \"quiet'>}", NULL, "No closing quotation" },
  { "kvm-extra-backslash", "{'kvm_extra': <'-usb \\\\'>}", NULL, "No escaped character" },
  { "disk-without-link", NULL, adjust_no_link, "neither a link nor a URI" },
  { "no-maxmem", NULL, adjust_no_maxmem, "'maxmem'" },
  { "bad-uuid", NULL, adjust_bad_uuid, "'not-a-uuid'" },
  { "no-qemu", "{'kvm_path': <''>}", adjust_no_default_qemu, "kvm_path" },
};

static void
test_refusal (Fixture       *fixture,
              gconstpointer  data)
{
  gsize index = GPOINTER_TO_SIZE (data);
  Case c = { 0, };
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;

  case_init (&c);
  if (refusals[index].hvparams != NULL)
    {
      g_autoptr(GVariant) overlay = g_variant_parse (G_VARIANT_TYPE_VARDICT,
                                                     refusals[index].hvparams,
                                                     NULL, NULL, &error);
      GVariantIter iter;
      const gchar *key;
      GVariant *value;

      g_assert_no_error (error);
      g_variant_iter_init (&iter, overlay);
      while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
        g_variant_dict_insert_value (&c.hvparams, key, value);
    }
  if (refusals[index].adjust != NULL)
    refusals[index].adjust (&c);

  argv = case_build (&c, fixture, &error);
  g_assert_null (argv);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  if (strstr (error->message, refusals[index].message) == NULL)
    g_error ("'%s' does not say '%s'", error->message, refusals[index].message);
  case_clear (&c);
}

static gint
argv_find (const gchar * const *argv,
           const gchar         *word)
{
  for (gint i = 0; argv[i] != NULL; i++)
    if (g_str_equal (argv[i], word))
      return i;
  return -1;
}

/* A record's base made by one QEMU, run by the other (a restart after an
 * upgrade, a migration either way): the chroot and the user come out in
 * the form of the QEMU that runs, a comma in the path doubled or not. */
static void
test_chroot_across_versions (void)
{
  g_autoptr(HvKvmCapabilities) caps_7_2 = load_capabilities (QEMU_7_2_PROBE);
  g_autoptr(HvKvmCapabilities) caps_10_0 = load_capabilities (QEMU_10_0_PROBE);
  HvKvmCapabilities *pairs[2][2] = { { caps_7_2, caps_10_0 }, { caps_10_0, caps_7_2 } };

  for (guint p = 0; p < G_N_ELEMENTS (pairs); p++)
    {
      Case c = { 0, };
      g_auto(GStrv) base = NULL;
      g_auto(GStrv) argv = NULL;
      g_autoptr(GVariant) hvparams = NULL;
      g_autoptr(GError) error = NULL;
      gint at;

      case_init (&c);
      g_variant_dict_insert (&c.hvparams, "use_chroot", "b", TRUE);
      g_variant_dict_insert (&c.hvparams, "security_model", "s", "user");
      g_variant_dict_insert (&c.hvparams, "security_domain", "s", "hvkit-web1");
      /* a machine both have: 10.0's own would not run on 7.2 */
      g_variant_dict_insert (&c.hvparams, "machine_version", "s", "pc-i440fx-7.2");
      c.config.chroot_dir = "/srv/chroot/a,b";
      hvparams = g_variant_ref_sink (g_variant_dict_end (&c.hvparams));
      hv_instance_set_hvparams (c.instance, hvparams);
      case_assign_slots (&c);
      case_fill_devices (&c);

      c.config.capabilities = pairs[p][0];
      base = hv_kvm_cmdline_build_base (c.instance, &c.config, &error);
      g_assert_no_error (error);
      c.config.capabilities = pairs[p][1];
      argv = hv_kvm_cmdline_build ((const gchar * const *) base, hvparams, &c.config, &error);
      g_assert_no_error (error);

      if (pairs[p][1] == caps_10_0)
        {
          g_assert_cmpint (argv_find ((const gchar * const *) base, "-chroot"), >=, 0);
          g_assert_cmpint (argv_find ((const gchar * const *) argv, "-chroot"), ==, -1);
          g_assert_cmpint (argv_find ((const gchar * const *) argv, "-runas"), ==, -1);
          at = argv_find ((const gchar * const *) argv, "-run-with");
          g_assert_cmpint (at, >=, 0);
          g_assert_cmpstr (argv[at + 1], ==, "chroot=/srv/chroot/a,,b,user=hvkit-web1");
        }
      else
        {
          g_assert_cmpint (argv_find ((const gchar * const *) base, "-run-with"), >=, 0);
          g_assert_cmpint (argv_find ((const gchar * const *) argv, "-run-with"), ==, -1);
          at = argv_find ((const gchar * const *) argv, "-chroot");
          g_assert_cmpint (at, >=, 0);
          g_assert_cmpstr (argv[at + 1], ==, "/srv/chroot/a,b");
          at = argv_find ((const gchar * const *) argv, "-runas");
          g_assert_cmpint (at, >=, 0);
          g_assert_cmpstr (argv[at + 1], ==, "hvkit-web1");
        }
      case_clear (&c);
    }
}

/* The machine of a saved base: concrete types stay, an alias is pinned
 * to what it means on the QEMU at hand, a type that QEMU lacks is refused
 * before anything runs. */
static void
test_pin_machine (void)
{
  g_autoptr(HvKvmCapabilities) caps_7_2 = load_capabilities (QEMU_7_2_PROBE);
  g_autoptr(HvKvmCapabilities) caps_10_0 = load_capabilities (QEMU_10_0_PROBE);
  static const struct {
    const gchar *option;
    const gchar *value;
    gboolean on_10;
    const gchar *pinned;        /* NULL: refused */
    const gchar *machine;
  } cases[] = {
    { "-machine", "pc-i440fx-7.2,accel=tcg", TRUE, "pc-i440fx-7.2,accel=tcg", "pc-i440fx-7.2" },
    { "-machine", "pc,accel=kvm", TRUE, "pc-i440fx-10.0,accel=kvm", "pc-i440fx-10.0" },
    { "-machine", "pc,accel=kvm", FALSE, "pc-i440fx-7.2,accel=kvm", "pc-i440fx-7.2" },
    { "-M", "pc", FALSE, "pc-i440fx-7.2", "pc-i440fx-7.2" },
    { "-machine", "type=pc,acpi=off", TRUE, "type=pc-i440fx-10.0,acpi=off", "pc-i440fx-10.0" },
    { "-machine", "pc-i440fx-10.0,accel=tcg", FALSE, NULL, NULL },
    { "-machine", "pc-i440fx-1.4", TRUE, NULL, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const gchar *argv[] = { "/usr/bin/kvm", "-name", "a", cases[i].option, cases[i].value,
                              "-m", "128", NULL };
      g_auto(GStrv) base = g_strdupv ((GStrv) argv);
      g_autofree gchar *machine = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      ok = hv_kvm_cmdline_pin_base_machine (&base, cases[i].on_10 ? caps_10_0 : caps_7_2,
                                            &machine, &error);
      if (cases[i].pinned == NULL)
        {
          g_assert_false (ok);
          g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
          g_assert_nonnull (strstr (error->message, "machine type"));
          g_assert_nonnull (strstr (error->message, cases[i].on_10 ? "10.0.2" : "7.2.22"));
          g_assert_cmpstr (base[4], ==, cases[i].value);
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstr (base[4], ==, cases[i].pinned);
      g_assert_cmpstr (base[5], ==, "-m");
      g_assert_cmpstr (machine, ==, cases[i].machine);
    }
}

/* A record saved with options QEMU turned into machine properties
 * (Ganeti wrote -no-acpi): on QEMU 10.0, which lists the properties and
 * lacks the options, they move into -machine; on 7.2 they stay. */
static void
test_machine_switches (void)
{
  g_autoptr(HvKvmCapabilities) caps_7_2 = load_capabilities (QEMU_7_2_PROBE);
  g_autoptr(HvKvmCapabilities) caps_10_0 = load_capabilities (QEMU_10_0_PROBE);
  const gchar *saved[] = { "/usr/bin/kvm", "-name", "web1.example.com", "-M", "pc-i440fx-7.2",
                           "-no-acpi", "-m", "128", "-no-hpet", NULL };
  const gchar *unpinned[] = { "/usr/bin/kvm", "-name", "web1.example.com", "-no-acpi",
                              "-m", "128", NULL };

  for (guint q = 0; q < 2; q++)
    {
      HvKvmCapabilities *capabilities = q == 0 ? caps_7_2 : caps_10_0;
      Case c = { 0, };
      g_auto(GStrv) argv = NULL;
      g_auto(GStrv) argv_unpinned = NULL;
      g_autoptr(GVariant) hvparams = NULL;
      g_autoptr(GError) error = NULL;
      gint at;

      case_init (&c);
      hvparams = g_variant_ref_sink (g_variant_dict_end (&c.hvparams));
      hv_instance_set_hvparams (c.instance, hvparams);
      case_assign_slots (&c);
      case_fill_devices (&c);
      c.config.capabilities = capabilities;
      argv = hv_kvm_cmdline_build (saved, hvparams, &c.config, &error);
      g_assert_no_error (error);
      argv_unpinned = hv_kvm_cmdline_build (unpinned, hvparams, &c.config, &error);
      g_assert_no_error (error);
      at = argv_find ((const gchar * const *) argv, "-M");
      g_assert_cmpint (at, ==, 3);
      if (q == 0)
        {
          g_assert_cmpstr (argv[at + 1], ==, "pc-i440fx-7.2");
          g_assert_cmpint (argv_find ((const gchar * const *) argv, "-no-acpi"), ==, 5);
          g_assert_cmpint (argv_find ((const gchar * const *) argv, "-no-hpet"), ==, 8);
          g_assert_cmpint (argv_find ((const gchar * const *) argv_unpinned, "-machine"), ==,
                           -1);
        }
      else
        {
          g_assert_cmpstr (argv[at + 1], ==, "pc-i440fx-7.2,acpi=off,hpet=off");
          g_assert_cmpint (argv_find ((const gchar * const *) argv, "-no-acpi"), ==, -1);
          g_assert_cmpint (argv_find ((const gchar * const *) argv, "-no-hpet"), ==, -1);
          g_assert_cmpstr (argv[5], ==, "-m");
          /* no machine saved: QEMU's default one, without ACPI */
          at = argv_find ((const gchar * const *) argv_unpinned, "-machine");
          g_assert_cmpint (at, >, 0);
          g_assert_cmpstr (argv_unpinned[at + 1], ==, "acpi=off");
          g_assert_cmpint (argv_find ((const gchar * const *) argv_unpinned, "-no-acpi"), ==,
                           -1);
        }
      case_clear (&c);
    }
}

/* kvm_path empty: the configured default QEMU runs */
static void
test_default_qemu (Fixture       *fixture,
                   gconstpointer  data)
{
  Case c = { 0, };
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;

  case_init (&c);
  g_variant_dict_insert (&c.hvparams, "kvm_path", "s", "");
  c.config.default_qemu_path = "/opt/qemu/bin/qemu-system-x86_64";
  argv = case_build (&c, fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (argv[0], ==, "/opt/qemu/bin/qemu-system-x86_64");
  case_clear (&c);
}

/* what Python's shlex.split() gives for each (checked with Python 3.11) */
static void
test_split_extra (void)
{
  static const struct {
    const gchar *input;
    const gchar *words[5];
  } cases[] = {
    { "", { NULL } },
    { "   ", { NULL } },
    { "-usb", { "-usb", NULL } },
    { "-device  virtio-rng-pci", { "-device", "virtio-rng-pci", NULL } },
    { "-append 'console=ttyS0 quiet'", { "-append", "console=ttyS0 quiet", NULL } },
    { "-name \"a b\"", { "-name", "a b", NULL } },
    { "a\\ b", { "a b", NULL } },
    { "a '' b", { "a", "", "b", NULL } },
    { "\"a\\\"b\"", { "a\"b", NULL } },
    { "\"a\\$b\"", { "a\\$b", NULL } },
    { "'a\\b'", { "a\\b", NULL } },
    { "x#y #z", { "x#y", "#z", NULL } },
    { "a\tb\nc", { "a", "b", "c", NULL } },
    { "-fw_cfg name=opt/x,string=\"1 2\"", { "-fw_cfg", "name=opt/x,string=1 2", NULL } },
    { "a'b'c\"d\"e", { "abcde", NULL } },
    { "\"\\\\\"", { "\\", NULL } },
  };
  static const gchar *bad[] = { "'abc", "\"abc", "abc\\", "\"abc\\" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) words = hv_kvm_cmdline_split_extra (cases[i].input, &error);

      g_assert_no_error (error);
      g_assert_cmpstrv (words, cases[i].words);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) words = hv_kvm_cmdline_split_extra (bad[i], &error);

      g_assert_null (words);
      g_assert_error (error, G_SHELL_ERROR, G_SHELL_ERROR_BAD_QUOTING);
    }
}

static void
test_start_devices (void)
{
  static const struct {
    const gchar *hvparams;
    const gchar *soundhw;
    gboolean scsi;
    gboolean spice;
  } cases[] = {
    { "@a{sv} {}", "", FALSE, FALSE },
    { "{'soundhw': <'hda'>, 'disk_type': <'scsi-hd'>}", "hda", TRUE, FALSE },
    { "{'spice_bind': <'192.0.2.1'>}", "", FALSE, TRUE },
    { "{'spice_bind': <'192.0.2.1'>, 'spice_use_vdagent': <false>}", "", FALSE, FALSE },
    /* VNC wins, so no SPICE agent */
    { "{'spice_bind': <'192.0.2.1'>, 'vnc_bind_address': <'0.0.0.0'>}", "", FALSE, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GVariant) hvparams = g_variant_ref_sink (g_variant_new_parsed (cases[i].hvparams));
      HvKvmPciStartDevices devices;

      hv_kvm_cmdline_get_start_devices (hvparams, &devices);
      g_assert_cmpstr (devices.soundhw, ==, cases[i].soundhw);
      g_assert_cmpint (devices.scsi_controller, ==, cases[i].scsi);
      g_assert_true (devices.balloon);
      g_assert_cmpint (devices.spice, ==, cases[i].spice);
    }
}

/* The loopback interface is on every node, with 127.0.0.1. */
static void
test_resolve_interface (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *any = hv_kvm_cmdline_resolve_interface ("lo", 0, &error);
  g_autofree gchar *v4 = NULL;
  g_autofree gchar *none = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (any, ==, "127.0.0.1");
  v4 = hv_kvm_cmdline_resolve_interface ("lo", 4, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (v4, ==, "127.0.0.1");

  none = hv_kvm_cmdline_resolve_interface ("hvkit-no-such0", 0, &error);
  g_assert_null (none);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
  g_assert_nonnull (strstr (error->message, "hvkit-no-such0"));
}

static void
test_cylinders (void)
{
  /* 512 MiB = 1048576 sectors; / (16 × 63) = 1040 */
  g_assert_cmpint (hv_kvm_cmdline_disk_cylinders (512, 16, 63), ==, 1040);
  /* 32 × 64 sectors of 512 bytes are 1 MiB a cylinder: the upper edge */
  g_assert_cmpint (hv_kvm_cmdline_disk_cylinders (16382, 32, 64), ==, 16382);
  g_assert_cmpint (hv_kvm_cmdline_disk_cylinders (16383, 32, 64), ==, 16383);
  g_assert_cmpint (hv_kvm_cmdline_disk_cylinders (16384, 32, 64), ==, 16383);
  g_assert_cmpint (hv_kvm_cmdline_disk_cylinders (10240, 16, 63), ==, 16383);
  /* and the lower one */
  g_assert_cmpint (hv_kvm_cmdline_disk_cylinders (3, 32, 64), ==, 3);
  g_assert_cmpint (hv_kvm_cmdline_disk_cylinders (2, 32, 64), ==, 2);
  g_assert_cmpint (hv_kvm_cmdline_disk_cylinders (1, 32, 64), ==, 2);
  g_assert_cmpint (hv_kvm_cmdline_disk_cylinders (0, 32, 64), ==, 2);
}

/* ---- golden comparison ------------------------------------------------ */

static gchar *
argv_to_text (const gchar * const *argv)
{
  g_autofree gchar *joined = g_strjoinv ("\n", (GStrv) argv);

  return g_strconcat (joined, "\n", NULL);
}

/* Prints `diff -u expected actual` through GSubprocess. */
static void
print_diff (const gchar *expected_path,
            const gchar *actual)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileIOStream) stream = NULL;
  g_autoptr(GFile) actual_file = g_file_new_tmp ("hvkit-argv-XXXXXX", &stream, &error);
  g_autoptr(GSubprocess) diff = NULL;
  g_autofree gchar *output = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_replace_contents (actual_file, actual, strlen (actual), NULL, FALSE,
                                          G_FILE_CREATE_NONE, NULL, NULL, &error));
  g_assert_no_error (error);

  diff = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                           &error, "diff", "-u", "--label", "expected", "--label", "actual",
                           expected_path, g_file_peek_path (actual_file), NULL);
  if (diff != NULL)
    g_subprocess_communicate_utf8 (diff, NULL, NULL, &output, NULL, &error);
  if (output != NULL)
    g_printerr ("%s", output);
  else
    g_printerr ("diff: %s\n", error->message);
  g_file_delete (actual_file, NULL, NULL);
}

static void
assert_golden (const gchar         *dir,
               const gchar         *name,
               const gchar * const *argv)
{
  g_autofree gchar *file = g_strdup_printf ("%s.argv", name);
  g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "data", "argv", dir, file, NULL);
  g_autofree gchar *actual = argv_to_text (argv);
  g_autofree gchar *expected = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (g_getenv ("HV_TEST_REGENERATE"), "1") == 0)
    {
      g_assert_true (g_file_set_contents (path, actual, -1, &error));
      g_assert_no_error (error);
      g_test_message ("regenerated %s", path);
      return;
    }

  if (!g_file_get_contents (path, &expected, NULL, &error))
    {
      g_test_message ("%s: %s (HV_TEST_REGENERATE=1 writes it)", path, error->message);
      g_test_fail ();
      return;
    }
  if (!g_str_equal (expected, actual))
    {
      g_test_message ("%s differs from the command line made now:", path);
      print_diff (path, actual);
      g_test_fail ();
    }
}

static HvKvmCapabilities *
load_capabilities (const gchar *name)
{
  g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "data", "capabilities",
                                                  name, NULL);
  g_autofree gchar *transcript = NULL;
  g_autoptr(GError) error = NULL;
  HvKvmCapabilities *capabilities;

  g_assert_true (g_file_get_contents (path, &transcript, NULL, &error));
  g_assert_no_error (error);
  capabilities = hv_kvm_capabilities_new_from_qmp_transcript (transcript, &error);
  g_assert_no_error (error);
  return capabilities;
}

/* The option names at the start of the help's lines ("-fda/-fdb file"
 * gives both). */
static GHashTable *
load_help_options (const gchar *name)
{
  g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "data", "capabilities",
                                                  name, NULL);
  g_autoptr(GHashTable) options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GRegex) regex = g_regex_new ("^-[A-Za-z0-9_-]+(/-[A-Za-z0-9_-]+)*",
                                         G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree gchar *help = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &help, NULL, &error));
  g_assert_no_error (error);
  g_regex_match (regex, help, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree gchar *names = g_match_info_fetch (match, 0);
      g_auto(GStrv) parts = g_strsplit (names, "/", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        g_hash_table_add (options, g_strdup (parts[i]));
      g_match_info_next (match, NULL);
    }
  g_assert_true (g_hash_table_contains (options, "-run-with"));
  return g_steal_pointer (&options);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->capabilities = load_capabilities (QEMU_7_2_PROBE);
  fixture->argv_dir = "";
}

static void
fixture_set_up_10 (Fixture       *fixture,
                   gconstpointer  data)
{
  fixture->capabilities = load_capabilities (QEMU_10_0_PROBE);
  fixture->argv_dir = "qemu-10.0";
  fixture->accepted = load_help_options (QEMU_10_0_HELP);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->capabilities);
  g_clear_pointer (&fixture->accepted, g_hash_table_unref);
}

/* Splits an option value at single commas, as QEMU does. */
static GStrv
split_option_value (const gchar *value)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) part = g_string_new (NULL);

  for (const gchar *p = value; *p != '\0'; p++)
    {
      if (*p == ',' && p[1] == ',')
        g_string_append_c (part, *p++);
      else if (*p == ',')
        {
          g_ptr_array_add (parts, g_strdup (part->str));
          g_string_truncate (part, 0);
        }
      else
        g_string_append_c (part, *p);
    }
  g_ptr_array_add (parts, g_string_free (g_steal_pointer (&part), FALSE));
  g_ptr_array_add (parts, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&parts), FALSE);
}

/* Every option of @argv must be one the binary's -help lists, and every
 * key=value of an option group whose parameters QEMU checks must be one
 * query-command-line-options names ("id" is always taken; a first part
 * without "=" is the group's implied key). -drive is not checked here: it
 * passes keys it does not list to the block layer and renames legacy ones
 * (readonly=); the integration tests run it on the real QEMU 10. */
static void
assert_accepted (Fixture             *fixture,
                 const gchar * const *argv)
{
  /* the options hvkit emits that take no value */
  static const gchar * const no_value[] = {
    "-daemonize", "-nodefaults", "-no-reboot", "-S", "-mem-prealloc", "-usb", NULL
  };
  static const struct {
    const gchar *option;
    const gchar *group;
  } checked[] = {
    { "-boot", "boot-opts" }, { "-smp", "smp-opts" },
    { "-rtc", "rtc" }, { "-name", "name" }, { "-vnc", "vnc" }, { "-run-with", "run-with" },
    { "-chardev", "chardev" },
  };

  for (guint i = 1; argv[i] != NULL; i++)
    {
      const gchar *option = argv[i];
      const gchar *value;
      g_auto(GStrv) parts = NULL;

      if (!g_hash_table_contains (fixture->accepted, option))
        {
          g_test_message ("QEMU 10.0 has no option '%s'", option);
          g_test_fail ();
          /* its value, if it has one, is no option */
          if (argv[i + 1] != NULL && argv[i + 1][0] != '-')
            i++;
          continue;
        }
      if (g_strv_contains (no_value, option))
        continue;
      value = argv[++i];
      g_assert_nonnull (value);
      for (gsize c = 0; c < G_N_ELEMENTS (checked); c++)
        {
          if (!g_str_equal (option, checked[c].option))
            continue;
          parts = split_option_value (value);
          for (guint j = 0; parts[j] != NULL; j++)
            {
              g_autofree gchar *key = NULL;

              if (strchr (parts[j], '=') == NULL)
                continue;
              key = g_strndup (parts[j], strchr (parts[j], '=') - parts[j]);
              if (g_str_equal (key, "id") ||
                  hv_kvm_capabilities_has_command_line_option (fixture->capabilities,
                                                               checked[c].group, key))
                continue;
              g_test_message ("QEMU 10.0's %s has no parameter '%s' (in '%s')",
                              option, key, value);
              g_test_fail ();
            }
        }
    }
}

static void
test_golden (Fixture       *fixture,
             gconstpointer  data)
{
  const GoldenCase *golden = data;
  Case c = { 0, };
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;

  case_init (&c);
  if (golden->hvparams != NULL)
    {
      g_autoptr(GVariant) overlay = g_variant_parse (G_VARIANT_TYPE_VARDICT, golden->hvparams,
                                                     NULL, NULL, &error);
      GVariantIter iter;
      const gchar *key;
      GVariant *value;

      g_assert_no_error (error);
      g_variant_iter_init (&iter, overlay);
      while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
        g_variant_dict_insert_value (&c.hvparams, key, value);
    }
  if (golden->adjust != NULL)
    golden->adjust (&c);

  argv = case_build (&c, fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (argv);
  assert_golden (fixture->argv_dir, golden->name, (const gchar * const *) argv);
  if (fixture->accepted != NULL)
    assert_accepted (fixture, (const gchar * const *) argv);
  case_clear (&c);
}

/* The base of an instance Ganeti 3.0 started (its runtime file's argv, as
 * hv-test-ganeti-start.py's run wrote it), made hvkit's: Ganeti's
 * options of one execution gone, its sockets moved, hvkit's added;
 * everything the guest sees as it was. */
static void
test_adopt_base (void)
{
  static const gchar *const ganeti[] = {
    "/usr/bin/qemu-system-x86_64", "-name", "gnt1", "-m", "128", "-smp", "1",
    "-pidfile", "/g/pid/gnt1", "-device", "virtio-balloon", "-daemonize",
    "-D", "/var/log/ganeti/kvm/gnt1.log", "-machine", "pc-i440fx-7.2", "-S",
    "-kernel", "/boot/vmlinuz", "-monitor", "unix:/g/ctrl/gnt1.monitor,server,nowait",
    "-serial", "unix:/g/ctrl/gnt1.serial,server,nowait", "-usb", "-display", "none",
    "-chardev", "socket,path=/g/ctrl/gnt1.qga,server,nowait,id=qga0",
    "-chroot", "/g/chroot/gnt1", "-uuid", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", NULL,
  };
  static const gchar *const expected[] = {
    "/usr/bin/qemu-system-x86_64", "-name", "gnt1", "-m", "128", "-smp", "1",
    "-device", "virtio-balloon", "-machine", "pc-i440fx-7.2",
    "-kernel", "/boot/vmlinuz",
    "-serial", "unix:/run/h,,k/gnt1.serial,server,nowait", "-usb", "-display", "none",
    "-chardev", "socket,path=/run/h,,k/gnt1.qga,server,nowait,id=qga0",
    "-chroot", "/run/h,k/chroot/gnt1", "-uuid", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
    "-pidfile", "/run/h,k/gnt1.pid", "-daemonize",
    "-qmp", "unix:/run/h,,k/gnt1.qmp,server=on,wait=off",
    "-monitor", "unix:/run/h,,k/gnt1.monitor,server=on,wait=off", NULL,
  };
  g_auto(GStrv) base = hv_kvm_cmdline_adopt_base (ganeti, "/g", "/run/h,k", "gnt1");

  g_assert_cmpstrv (base, expected);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (golden_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/kvm/cmdline/golden/%s", golden_cases[i].name);

      g_autofree gchar *path_10 = g_strdup_printf ("/kvm/cmdline/golden-10.0/%s",
                                                   golden_cases[i].name);

      g_test_add (path, Fixture, &golden_cases[i], fixture_set_up, test_golden,
                  fixture_tear_down);
      g_test_add (path_10, Fixture, &golden_cases[i], fixture_set_up_10, test_golden,
                  fixture_tear_down);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/kvm/cmdline/refuse/%s", refusals[i].name);

      g_test_add (path, Fixture, GSIZE_TO_POINTER (i), fixture_set_up, test_refusal,
                  fixture_tear_down);
    }
  g_test_add ("/kvm/cmdline/default-qemu", Fixture, NULL, fixture_set_up, test_default_qemu,
              fixture_tear_down);
  g_test_add_func ("/kvm/cmdline/chroot-across-versions", test_chroot_across_versions);
  g_test_add_func ("/kvm/cmdline/pin-machine", test_pin_machine);
  g_test_add_func ("/kvm/cmdline/machine-switches", test_machine_switches);
  g_test_add_func ("/kvm/cmdline/split-extra", test_split_extra);
  g_test_add_func ("/kvm/cmdline/cylinders", test_cylinders);
  g_test_add_func ("/kvm/cmdline/start-devices", test_start_devices);
  g_test_add_func ("/kvm/cmdline/resolve-interface", test_resolve_interface);
  g_test_add_func ("/kvm/cmdline/adopt-base", test_adopt_base);

  return g_test_run ();
}
