/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hvkit.h"
#include "hv-kvm-instance.h"
#include "hv-test.h"

G_BEGIN_DECLS

/*
 * An instance started the way the lifecycle starts one, without HvKvm:
 * a record (fresh, or one saved earlier), hv_kvm_cmdline_build() run with
 * the test guest's kernel under TCG, taps opened here for its NICs, QEMU
 * daemonized, and an HvKvmInstance with the record and a connected QMP
 * client in the thread-default main context. For the hotplug tests.
 */
typedef struct _HvTestKvmLaunch HvTestKvmLaunch;

typedef enum {
  HV_TEST_KVM_GUEST,        /* the test guest; waits for its ready marker */
  HV_TEST_KVM_NO_OS,        /* no kernel: nothing ever acknowledges an unplug */
} HvTestKvmGuestKind;

HvTestKvmLaunch *hv_test_kvm_launch_new           (const gchar        *name,
                                                    HvTestKvmGuestKind  kind);
void             hv_test_kvm_launch_set_hvparam   (HvTestKvmLaunch    *self,
                                                    const gchar        *key,
                                                    GVariant           *value);
/* starts from @record (a copy is taken) when given, like a restart or a
 * migration target (@incoming "defer"), else from a fresh record */
gboolean         hv_test_kvm_launch_start         (HvTestKvmLaunch    *self,
                                                    HvKvmRuntime       *record,
                                                    const gchar        *incoming,
                                                    GError            **error);
/* a new HvKvmInstance and QMP connection for the running QEMU, as a
 * restarted hvkit makes, from the record on disk */
gboolean         hv_test_kvm_launch_reconnect     (HvTestKvmLaunch    *self,
                                                    GError            **error);
/* leaves QEMU's QMP socket to another process */
void             hv_test_kvm_launch_disconnect    (HvTestKvmLaunch    *self);
void             hv_test_kvm_launch_kill          (HvTestKvmLaunch    *self);
void             hv_test_kvm_launch_free          (HvTestKvmLaunch    *self);

HvKvmInstance   *hv_test_kvm_launch_get_instance  (HvTestKvmLaunch    *self);
HvInstance      *hv_test_kvm_launch_get_owner     (HvTestKvmLaunch    *self);
HvTestConsole   *hv_test_kvm_launch_get_serial    (HvTestKvmLaunch    *self);
const gchar     *hv_test_kvm_launch_get_run_dir   (HvTestKvmLaunch    *self);
GPid             hv_test_kvm_launch_get_pid       (HvTestKvmLaunch    *self);

/* QMP on the instance's client, waited for in the thread-default context */
JsonNode        *hv_test_kvm_launch_qmp           (HvTestKvmLaunch    *self,
                                                    const gchar        *command,
                                                    JsonObject         *arguments,
                                                    GError            **error);
/* slot → qdev_id of bus 0, function 0, from query-pci */
GHashTable      *hv_test_kvm_launch_pci_layout    (HvTestKvmLaunch    *self);
/* node names from query-named-block-nodes, without QEMU's "#block…" */
GStrv            hv_test_kvm_launch_block_nodes   (HvTestKvmLaunch    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvTestKvmLaunch, hv_test_kvm_launch_free)

G_END_DECLS
