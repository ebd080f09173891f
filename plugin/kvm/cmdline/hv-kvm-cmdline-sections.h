/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hv-kvm-cmdline.h"

G_BEGIN_DECLS

/* The state of one build, shared by the files of the command line, each
 * of which adds the options of its concern. */
typedef struct {
  GPtrArray                *argv;
  GVariant                 *hvparams;   /* a{sv}, checked by hv_kvm_cmdline_check_types */
  const HvKvmCmdlineConfig *config;
  HvInstance               *instance;   /* NULL when the base is given */
  GHashTable               *index;      /* key → value of hvparams, made on
                                         * the first lookup */
} HvKvmCmdline;

void         hv_kvm_cmdline_clear         (HvKvmCmdline  *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HvKvmCmdline, hv_kvm_cmdline_clear)

gboolean     hv_kvm_cmdline_check_types   (GVariant      *hvparams,
                                           GError       **error);
const gchar *hv_kvm_cmdline_param_string  (HvKvmCmdline  *self,
                                           const gchar   *key,
                                           const gchar   *fallback);
gboolean     hv_kvm_cmdline_param_bool    (HvKvmCmdline  *self,
                                           const gchar   *key,
                                           gboolean       fallback);
gint64       hv_kvm_cmdline_param_int     (HvKvmCmdline  *self,
                                           const gchar   *key,
                                           gint64         fallback);
gboolean     hv_kvm_cmdline_param_is      (HvKvmCmdline  *self,
                                           const gchar   *key,
                                           const gchar   *fallback,
                                           const gchar   *value);

void         hv_kvm_cmdline_add           (HvKvmCmdline  *self,
                                           const gchar   *option,
                                           const gchar   *value);
void         hv_kvm_cmdline_add_printf    (HvKvmCmdline  *self,
                                           const gchar   *option,
                                           const gchar   *format,
                                           ...) G_GNUC_PRINTF (3, 4);
gchar       *hv_kvm_cmdline_pci_address   (gint           slot);
gchar       *hv_kvm_cmdline_escape        (const gchar   *value);
gboolean     hv_kvm_cmdline_require_device (HvKvmCmdline *self,
                                           const gchar   *device,
                                           const gchar   *parameter,
                                           const gchar   *value,
                                           GError       **error);

/* hv-kvm-cmdline-display.c */
gboolean     hv_kvm_cmdline_add_console   (HvKvmCmdline  *self,
                                           GError       **error);
gboolean     hv_kvm_cmdline_add_display   (HvKvmCmdline  *self,
                                           GError       **error);
gboolean     hv_kvm_cmdline_add_sound     (HvKvmCmdline  *self,
                                           GError       **error);
void         hv_kvm_cmdline_append_machine_sound (HvKvmCmdline *self,
                                           GString       *machine);
void         hv_kvm_cmdline_add_spice_agent (HvKvmCmdline *self);
gboolean     hv_kvm_cmdline_uses_spice_agent (HvKvmCmdline *self);
void         hv_kvm_cmdline_add_usb       (HvKvmCmdline  *self);

/* hv-kvm-cmdline-record.c */
GStrv        hv_kvm_cmdline_split_option  (const gchar   *value);
gboolean     hv_kvm_cmdline_take_base     (HvKvmCmdline         *self,
                                           const gchar * const  *base,
                                           gchar               **chroot_dir,
                                           GError              **error);

/* hv-kvm-cmdline-disks.c */
gboolean     hv_kvm_cmdline_add_boot_media (HvKvmCmdline *self,
                                           GError       **error);
gboolean     hv_kvm_cmdline_add_scsi_controller (HvKvmCmdline *self,
                                           GError       **error);
gboolean     hv_kvm_cmdline_add_disks     (HvKvmCmdline  *self,
                                           GError       **error);
gboolean     hv_kvm_cmdline_disk_type_is_scsi (const gchar *disk_type);

/* hv-kvm-cmdline-nics.c */
gboolean     hv_kvm_cmdline_add_nics      (HvKvmCmdline  *self,
                                           GError       **error);

gchar       *hv_kvm_cmdline_device_id     (HvDevice      *device,
                                           const gchar   *qemu_id,
                                           guint          index);

G_END_DECLS
