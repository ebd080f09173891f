/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include <glib.h>

#include "hvkit.h"

G_BEGIN_DECLS

/* virtio_net_queues allows 1 to 32 */
#define HV_KVM_NIC_MAX_QUEUES 32

/* The tap device of one NIC, opened by hvkit (QEMU opens none and runs no
 * script): one descriptor per queue, and as many vhost-net descriptors
 * when vhost is wanted. The interface lives while any of its descriptors
 * is open, in hvkit or in QEMU. */
typedef struct {
  gchar   *name;                              /* e.g. "tap3" */
  guint    n_queues;
  gint     fds[HV_KVM_NIC_MAX_QUEUES];        /* -1 once stolen or closed */
  gint     vhost_fds[HV_KVM_NIC_MAX_QUEUES];  /* -1: none */
  gboolean vnet_hdr;                          /* IFF_VNET_HDR was set */
  gboolean has_vhost;
} HvKvmTap;

gboolean  hv_kvm_tap_supports_vnet_hdr (void);
HvKvmTap *hv_kvm_tap_open              (const gchar  *name,
                                        gboolean      vnet_hdr,
                                        guint         n_queues,
                                        const gchar  *vhost_device,
                                        GError      **error);
gboolean  hv_kvm_tap_set_mac           (HvKvmTap     *self,
                                        const gchar  *guest_mac,
                                        GError      **error);
void      hv_kvm_tap_close             (HvKvmTap     *self);
void      hv_kvm_tap_free              (HvKvmTap     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvKvmTap, hv_kvm_tap_free)

G_END_DECLS
