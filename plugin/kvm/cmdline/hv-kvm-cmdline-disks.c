/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmCmdline"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-kvm-cmdline-sections.h"

/*
 * Block devices and booting: the SCSI controller, the CD-ROMs, the floppy
 * and a kernel in the base; the instance's disks per execution.
 *
 * Paravirtual and SCSI disks are `-drive if=none` plus a `-device` with
 * the id and (virtio) the PCI address decided by the caller, and boot with
 * `bootindex`. The other disk types (ide, mtd, pflash, sd) keep QEMU's
 * legacy `if=` interfaces, as in Ganeti, and boot with `-boot order=c`.
 */

/* Disk templates on storage shared between nodes: a host cache would
 * corrupt them on migration, so their cache mode is forced to none unless
 * the disk itself asks for one (Ganeti's DTS_EXT_MIRROR, rbd aside: its
 * cache is its own). */
static const gchar * const shared_templates[] = {
  "sharedfile", "blockdev", "ext", "gluster", NULL
};

static const struct {
  const gchar *parameter;
  const gchar *device;
} scsi_controllers[] = {
  { "lsi", "lsi53c895a" },
  { "virtio-scsi-pci", "virtio-scsi-pci" },
  { "megasas", "megasas" },
  { "dc390", "dc390" },
};

gboolean
hv_kvm_cmdline_disk_type_is_scsi (const gchar *disk_type)
{
  return g_str_equal (disk_type, "scsi") || g_str_has_prefix (disk_type, "scsi-");
}

/**
 * hv_kvm_cmdline_disk_cylinders:
 * @size_mib: the disk's size
 * @heads: heads, > 0
 * @secs: sectors per track, > 0
 *
 * Returns: the cylinders of a disk of @size_mib with that geometry, clamped
 *   to 2..16383 as seed 000 does (what the ATA geometry can hold)
 */
gint64
hv_kvm_cmdline_disk_cylinders (gint64 size_mib,
                               gint64 heads,
                               gint64 secs)
{
  gint64 sectors = size_mib * 1024 * 1024 / 512;
  gint64 cylinders;

  g_return_val_if_fail (heads > 0 && secs > 0, 0);

  cylinders = sectors / (heads * secs);
  return CLAMP (cylinders, 2, 16383);
}

gboolean
hv_kvm_cmdline_add_scsi_controller (HvKvmCmdline  *self,
                                    GError       **error)
{
  const gchar *type = hv_kvm_cmdline_param_string (self, "scsi_controller_type", "lsi");
  g_autofree gchar *address = NULL;

  if (!hv_kvm_cmdline_disk_type_is_scsi (hv_kvm_cmdline_param_string (self, "disk_type",
                                                                      "paravirtual")))
    return TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (scsi_controllers); i++)
    {
      if (!g_str_equal (scsi_controllers[i].parameter, type))
        continue;
      if (!hv_kvm_cmdline_require_device (self, scsi_controllers[i].device,
                                          "scsi_controller_type", type, error))
        return FALSE;
      if (self->config->slots.scsi_controller >= 0)
        address = hv_kvm_cmdline_pci_address (self->config->slots.scsi_controller);
      hv_kvm_cmdline_add_printf (self, "-device", "%s,id=scsi%s%s", scsi_controllers[i].device,
                                 address != NULL ? "," : "", address != NULL ? address : "");
      return TRUE;
    }

  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
               _("Parameter 'scsi_controller_type' is '%s'; QEMU has lsi, virtio-scsi-pci,"
                 " megasas and dc390"), type);
  return FALSE;
}

/* A CD-ROM image (a file or a URL QEMU's curl driver reads) on the bus
 * @type names. */
static gboolean
cmdline_add_cdrom (HvKvmCmdline  *self,
                   const gchar   *parameter,
                   const gchar   *image,
                   const gchar   *type,
                   guint          index,
                   GError       **error)
{
  g_autofree gchar *file = hv_kvm_cmdline_escape (image);

  if (hv_kvm_cmdline_disk_type_is_scsi (type))
    {
      /* QEMU 7.2 has no legacy if=scsi on pc: the CD goes on the
       * instance's controller, which only a SCSI disk_type has */
      if (!hv_kvm_cmdline_disk_type_is_scsi (hv_kvm_cmdline_param_string (self, "disk_type",
                                                                          "paravirtual")))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                       _("Parameter '%s' is on a '%s' bus, but the SCSI controller comes"
                         " only with a SCSI disk_type"), parameter, type);
          return FALSE;
        }
      hv_kvm_cmdline_add_printf (self, "-drive",
                                 "file=%s,format=raw,media=cdrom,readonly=on,if=none,id=cdrom%u",
                                 file, index);
      hv_kvm_cmdline_add_printf (self, "-device", "scsi-cd,drive=cdrom%u,id=cdrom%u,bus=scsi.0",
                                 index, index);
      return TRUE;
    }

  /* a paravirtual CD is a read-only virtio disk, placed by QEMU after
   * every device with an address */
  hv_kvm_cmdline_add_printf (self, "-drive", "file=%s,format=raw,media=cdrom,readonly=on,if=%s",
                             file, g_str_equal (type, "paravirtual") ? "virtio" : type);
  return TRUE;
}

static gboolean
cmdline_add_removable_media (HvKvmCmdline  *self,
                             gboolean       boot_cdrom,
                             gboolean       boot_floppy,
                             GError       **error)
{
  const gchar *disk_type = hv_kvm_cmdline_param_string (self, "disk_type", "paravirtual");
  const gchar *cdrom_type = hv_kvm_cmdline_param_string (self, "cdrom_disk_type", "");
  const gchar *cdrom = hv_kvm_cmdline_param_string (self, "cdrom_image_path", "");
  const gchar *cdrom2 = hv_kvm_cmdline_param_string (self, "cdrom2_image_path", "");
  const gchar *floppy = hv_kvm_cmdline_param_string (self, "floppy_image_path", "");

  if (*cdrom_type == '\0')
    cdrom_type = disk_type;

  /* BIOSes boot CDs from IDE: a boot CD goes there whatever its type */
  if (*cdrom != '\0' &&
      !cmdline_add_cdrom (self, "cdrom_image_path", cdrom, boot_cdrom ? "ide" : cdrom_type,
                          0, error))
    return FALSE;
  if (*cdrom2 != '\0' &&
      !cmdline_add_cdrom (self, "cdrom2_image_path", cdrom2, cdrom_type, 1, error))
    return FALSE;

  if (*floppy != '\0')
    {
      g_autofree gchar *file = hv_kvm_cmdline_escape (floppy);

      hv_kvm_cmdline_add_printf (self, "-drive", "file=%s,format=raw,media=disk,if=floppy",
                                 file);
    }
  if ((boot_cdrom && *cdrom == '\0') || (boot_floppy && *floppy == '\0'))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter 'boot_order' is '%s', but there is no image to boot from"),
                   boot_cdrom ? "cdrom" : "floppy");
      return FALSE;
    }
  return TRUE;
}

static void
cmdline_add_kernel (HvKvmCmdline *self,
                    const gchar  *kernel_path)
{
  const gchar *initrd_path = hv_kvm_cmdline_param_string (self, "initrd_path", "");
  const gchar *root_path = hv_kvm_cmdline_param_string (self, "root_path", "/dev/vda1");
  const gchar *kernel_args = hv_kvm_cmdline_param_string (self, "kernel_args", "ro");
  g_autoptr(GPtrArray) append = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *line = NULL;

  hv_kvm_cmdline_add (self, "-kernel", kernel_path);
  if (*initrd_path != '\0')
    hv_kvm_cmdline_add (self, "-initrd", initrd_path);

  if (*root_path != '\0')
    g_ptr_array_add (append, g_strdup_printf ("root=%s", root_path));
  if (*kernel_args != '\0')
    g_ptr_array_add (append, g_strdup (kernel_args));
  if (hv_kvm_cmdline_param_bool (self, "serial_console", TRUE))
    g_ptr_array_add (append,
                     g_strdup_printf ("console=ttyS0,%" G_GINT64_FORMAT,
                                      hv_kvm_cmdline_param_int (self, "serial_speed", 38400)));
  g_ptr_array_add (append, NULL);
  line = g_strjoinv (" ", (GStrv) append->pdata);
  hv_kvm_cmdline_add (self, "-append", line);
}

/* What the guest boots from, except disks (whose bootindex is set with
 * them): a kernel given by path, a CD, a floppy or the network. A kernel
 * overrides boot_order, as in the seeds. */
gboolean
hv_kvm_cmdline_add_boot_media (HvKvmCmdline  *self,
                               GError       **error)
{
  const gchar *kernel_path = hv_kvm_cmdline_param_string (self, "kernel_path", "");
  const gchar *boot_order = hv_kvm_cmdline_param_string (self, "boot_order", "disk");
  gboolean has_kernel = *kernel_path != '\0';
  gboolean boot_cdrom = !has_kernel && g_str_equal (boot_order, "cdrom");
  gboolean boot_floppy = !has_kernel && g_str_equal (boot_order, "floppy");
  gboolean boot_network = !has_kernel && g_str_equal (boot_order, "network");

  if (!g_str_equal (boot_order, "disk") && !g_str_equal (boot_order, "cdrom") &&
      !g_str_equal (boot_order, "floppy") && !g_str_equal (boot_order, "network"))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Parameter 'boot_order' is '%s'; it can be disk, cdrom, floppy or network"),
                   boot_order);
      return FALSE;
    }

  if (boot_network)
    hv_kvm_cmdline_add (self, "-boot", "order=n");
  else if (boot_cdrom)
    hv_kvm_cmdline_add (self, "-boot", "order=d");
  else if (boot_floppy)
    hv_kvm_cmdline_add (self, "-boot", "order=a");

  if (!cmdline_add_removable_media (self, boot_cdrom, boot_floppy, error))
    return FALSE;
  if (has_kernel)
    cmdline_add_kernel (self, kernel_path);
  return TRUE;
}

/* The cache mode of one disk: its own, else none on shared storage, else
 * disk_cache; NULL for QEMU's default. */
static const gchar *
disk_cache_mode (HvKvmCmdline *self,
                 HvDisk       *disk)
{
  const gchar *cache = hv_disk_get_cache (disk);
  const gchar *dev_type = hv_disk_get_dev_type (disk);

  if (cache == NULL && dev_type != NULL && g_strv_contains (shared_templates, dev_type))
    cache = "none";
  if (cache == NULL)
    cache = hv_kvm_cmdline_param_string (self, "disk_cache", "default");
  return g_str_equal (cache, "default") ? NULL : cache;
}

static gchar *
disk_drive_option (HvKvmCmdline  *self,
                   HvDisk        *disk,
                   const gchar   *id,
                   const gchar   *interface,
                   GError       **error)
{
  const gchar *link = hv_disk_get_link (disk);
  const gchar *aio = hv_kvm_cmdline_param_string (self, "disk_aio", "");
  const gchar *discard = hv_kvm_cmdline_param_string (self, "disk_discard", "");
  const gchar *cache = disk_cache_mode (self, disk);
  g_autofree gchar *file = NULL;
  GString *drive;

  /* the node's path; a userspace URI (rbd:, gluster://) when it has none */
  if (link == NULL || *link == '\0')
    link = hv_disk_get_uri (disk);
  if (link == NULL || *link == '\0')
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("Disk '%s' has neither a link nor a URI on this node"), id);
      return NULL;
    }

  file = hv_kvm_cmdline_escape (link);
  drive = g_string_new (NULL);
  g_string_printf (drive, "file=%s,format=raw,if=%s,id=%s", file, interface, id);
  if (g_strcmp0 (hv_disk_get_mode (disk), "ro") == 0)
    g_string_append (drive, ",readonly=on");
  /* a value that means QEMU's own default adds nothing */
  if (cache != NULL)
    g_string_append_printf (drive, ",cache=%s", cache);
  if (*aio != '\0' && !g_str_equal (aio, "threads"))
    g_string_append_printf (drive, ",aio=%s", aio);
  if (*discard != '\0' && !g_str_equal (discard, "default"))
    g_string_append_printf (drive, ",discard=%s", discard);
  return g_string_free (drive, FALSE);
}

/* The -device of a paravirtual or SCSI disk. */
static gchar *
disk_device_option (HvKvmCmdline *self,
                    HvDisk       *disk,
                    const gchar  *id,
                    const gchar  *disk_type,
                    gboolean      boot)
{
  GString *device = g_string_new (NULL);
  gint64 heads, secs;
  gint slot = hv_device_get_pci (HV_DEVICE (disk));

  if (hv_kvm_cmdline_disk_type_is_scsi (disk_type))
    g_string_printf (device, "%s,drive=%s,id=%s,bus=scsi.0",
                     g_str_equal (disk_type, "scsi") ? "scsi-hd" : disk_type, id, id);
  else
    {
      g_string_printf (device, "virtio-blk-pci,drive=%s,id=%s", id, id);
      if (slot >= 0)
        {
          g_autofree gchar *address = hv_kvm_cmdline_pci_address (slot);

          g_string_append_printf (device, ",%s", address);
        }
    }
  if (boot)
    g_string_append (device, ",bootindex=1");

  /* geometry is a property of the guest's disk, no longer of -drive */
  if ((g_str_equal (disk_type, "paravirtual") || g_str_equal (disk_type, "scsi") ||
       g_str_equal (disk_type, "scsi-hd")) &&
      hv_disk_get_geometry (disk, &heads, &secs) && heads > 0 && secs > 0)
    g_string_append_printf (device, ",cyls=%" G_GINT64_FORMAT ",heads=%" G_GINT64_FORMAT
                            ",secs=%" G_GINT64_FORMAT,
                            hv_kvm_cmdline_disk_cylinders (hv_disk_get_size (disk), heads, secs),
                            heads, secs);
  return g_string_free (device, FALSE);
}

gboolean
hv_kvm_cmdline_add_disks (HvKvmCmdline  *self,
                          GError       **error)
{
  const gchar *disk_type = hv_kvm_cmdline_param_string (self, "disk_type", "paravirtual");
  gboolean legacy = !g_str_equal (disk_type, "paravirtual") &&
                    !hv_kvm_cmdline_disk_type_is_scsi (disk_type);
  gboolean boot = *hv_kvm_cmdline_param_string (self, "kernel_path", "") == '\0' &&
                  hv_kvm_cmdline_param_is (self, "boot_order", "disk", "disk");

  if (!legacy && !hv_kvm_cmdline_require_device (self, hv_kvm_cmdline_disk_type_is_scsi (disk_type) ?
                                                 "scsi-hd" : "virtio-blk-pci",
                                                 "disk_type", disk_type, error))
    return FALSE;
  if (legacy && boot && self->config->n_disks > 0)
    hv_kvm_cmdline_add (self, "-boot", "order=c");

  for (gsize i = 0; i < self->config->n_disks; i++)
    {
      const HvKvmCmdlineDisk *entry = &self->config->disks[i];
      g_autofree gchar *id = hv_kvm_cmdline_device_id (HV_DEVICE (entry->disk),
                                                       entry->qemu_id, (guint) i);
      g_autofree gchar *drive = NULL;

      drive = disk_drive_option (self, entry->disk, id, legacy ? disk_type : "none", error);
      if (drive == NULL)
        return FALSE;
      hv_kvm_cmdline_add (self, "-drive", drive);
      if (!legacy)
        {
          g_autofree gchar *device = disk_device_option (self, entry->disk, id, disk_type,
                                                         boot && i == 0);

          hv_kvm_cmdline_add (self, "-device", device);
        }
    }
  return TRUE;
}
