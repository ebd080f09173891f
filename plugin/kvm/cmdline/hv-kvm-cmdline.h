/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hvkit.h"
#include "hv-kvm-capabilities.h"
#include "hv-kvm-tap.h"
#include "hv-kvm-pci.h"
#include "hv-kvm-runtime.h"

G_BEGIN_DECLS

/*
 * QEMU's command line for an instance, made without I/O from what the
 * caller has already decided: parameters, PCI slots, tap file descriptors,
 * capabilities. Two halves, as Ganeti's runtime file has them:
 *
 * - the base (hv_kvm_cmdline_build_base()): everything but the disks, the
 *   NICs and what belongs to one execution. The runtime record keeps it,
 *   so that a restart or a migration target runs what the instance was
 *   started with, whatever the parameters say today.
 * - the full command line (hv_kvm_cmdline_build()): a base, fresh or from
 *   a record, plus the disks and NICs (with the slots and ids they have,
 *   hot-plugged ones included), the tap fds of this execution, kvm_extra,
 *   `-incoming` and `-S`.
 *
 * See docs/design.md, "Command line".
 */


/* One disk of the instance as it goes on the command line. */
typedef struct {
  HvDisk      *disk;      /* link, mode, size, params, pci */
  const gchar *qemu_id;   /* the id QEMU knows it by; NULL: made from
                           * its uuid, slot and index (the record rule) */
} HvKvmCmdlineDisk;

/* One NIC, with the descriptors QEMU inherits for it: one tap fd per
 * queue, and as many vhost-net fds when vhost_net is on. The numbers are
 * the ones QEMU sees (after GSubprocessLauncher's fd mapping). */
typedef struct {
  HvNic       *nic;       /* mac, pci */
  const gchar *qemu_id;   /* as for disks */
  guint        n_queues;  /* tap fds given; virtio_net_queues of the NIC */
  gint         tap_fds[HV_KVM_NIC_MAX_QUEUES];
  gint         vhost_fds[HV_KVM_NIC_MAX_QUEUES];
  gboolean     has_vhost; /* vhost_fds are valid */
} HvKvmCmdlineNic;

typedef struct {
  /* both halves */
  const gchar        *run_dir;          /* sockets and pidfile live here */
  HvKvmCapabilities  *capabilities;     /* of the binary that will run */

  /* the base */
  const gchar        *default_qemu_path; /* when kvm_path is empty */
  const gchar        *accel;            /* overrides kvm_flag: "tcg", "kvm" */
  HvKvmPciStartSlots  slots;            /* of the sound card, SCSI controller,
                                         * balloon and SPICE agent, from
                                         * hv_kvm_pci_assign_start(); -1: none */
  const gchar        *chroot_dir;       /* use_chroot; NULL: <run_dir>/chroot/<name> */
  const gchar        *vnc_bind_ip;      /* address of vnc_bind_address when it
                                         * names an interface */
  const gchar        *spice_bind_ip;    /* likewise for spice_bind */
  const gchar        *spice_x509_dir;   /* ca-cert.pem, server-cert.pem,
                                         * server-key.pem for spice_use_tls */

  /* one execution */
  const HvKvmCmdlineDisk *disks;
  gsize                   n_disks;
  const HvKvmCmdlineNic  *nics;
  gsize                   n_nics;
  const gchar        *runas_user;       /* security_model=pool: the user taken
                                         * from the uid pool */
  const gchar        *incoming;         /* a migration target: "defer", or a URI */
} HvKvmCmdlineConfig;

#define HV_KVM_CMDLINE_CONFIG_INIT { .slots = { .sound = -1, .scsi_controller = -1, \
                                                .balloon = -1, .spice = -1 } }

void      hv_kvm_cmdline_get_start_devices (GVariant               *hvparams,
                                            HvKvmPciStartDevices   *devices);
gchar    *hv_kvm_cmdline_resolve_interface (const gchar            *interface,
                                            gint64                  ip_version,
                                            GError                **error);

GStrv     hv_kvm_cmdline_build_base     (HvInstance                *instance,
                                         const HvKvmCmdlineConfig  *config,
                                         GError                   **error);
GStrv     hv_kvm_cmdline_build          (const gchar * const       *base,
                                         GVariant                  *hvparams,
                                         const HvKvmCmdlineConfig  *config,
                                         GError                   **error);

gboolean  hv_kvm_cmdline_pin_base_machine (GStrv                  *base,
                                           HvKvmCapabilities      *capabilities,
                                           gchar                 **machine,
                                           GError                **error);

gboolean  hv_kvm_cmdline_pin_record_machine (HvKvmRuntime         *runtime,
                                             HvKvmCapabilities    *capabilities,
                                             GError              **error);

/* The base of an instance Ganeti started, for hvkit's next start of it
 * (hv-kvm-cmdline-adopt.c); hvkit's own process options, in any argv. */
GStrv     hv_kvm_cmdline_adopt_base     (const gchar * const       *argv,
                                         const gchar               *source_dir,
                                         const gchar               *run_dir,
                                         const gchar               *name);
void      hv_kvm_cmdline_add_process_options (GPtrArray            *argv,
                                              const gchar          *run_dir,
                                              const gchar          *name);

GStrv     hv_kvm_cmdline_split_extra    (const gchar               *extra,
                                         GError                   **error);
gint64    hv_kvm_cmdline_disk_cylinders (gint64                     size_mib,
                                         gint64                     heads,
                                         gint64                     secs);

G_END_DECLS
