/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hv-kvm-hotplug.h"
#include "hv-kvm-hotplug-testhooks.h"
#include "hv-test-kvm-launch.h"

G_BEGIN_DECLS

/*
 * What the hotplug tests share: devices, scripts, calls run as the
 * instance's jobs (as HvKvm runs them), and the checks that the record,
 * QEMU and the host agree.
 */

#define HV_TEST_HOTPLUG_TIMEOUT_MS 30000

HvDisk     *hv_test_hotplug_new_disk       (const gchar       *dir,
                                            const gchar       *uuid,
                                            gboolean           create_file);
HvNic      *hv_test_hotplug_new_nic        (const gchar       *uuid,
                                            const gchar       *mac);
gchar      *hv_test_hotplug_write_script   (const gchar       *dir,
                                            const gchar       *name,
                                            const gchar       *body);
void        hv_test_hotplug_set_scripts    (HvTestKvmLaunch   *launch,
                                            const gchar       *dir);

typedef enum {
  HV_TEST_HOTPLUG_ADD,
  HV_TEST_HOTPLUG_DEL,
  HV_TEST_HOTPLUG_MOD,
  HV_TEST_HOTPLUG_RECONCILE,
} HvTestHotplugCall;

/* Queues the call as a job of the instance; the result lands in *@slot. */
void        hv_test_hotplug_queue          (HvTestKvmLaunch   *launch,
                                            HvTestHotplugCall  call,
                                            HvDevice          *device,
                                            guint              seq,
                                            GAsyncResult     **slot);
gboolean    hv_test_hotplug_finish         (HvTestKvmLaunch   *launch,
                                            GAsyncResult      *result,
                                            GError           **error);
gboolean    hv_test_hotplug_run            (HvTestKvmLaunch   *launch,
                                            HvTestHotplugCall  call,
                                            HvDevice          *device,
                                            guint              seq,
                                            GError           **error);

/* A line on the guest's console about slot @slot: "add block", "remove
 * net"… */
void        hv_test_hotplug_wait_uevent    (HvTestKvmLaunch   *launch,
                                            const gchar       *action,
                                            const gchar       *subsystem,
                                            gint               slot);

/* The record's devices are exactly QEMU's hot-pluggable ones, each at its
 * slot; no journal entry is left unless @pending; QEMU has no block node,
 * fd set or netdev the record does not know; the taps of the network
 * namespace are the record's NICs' and the NIC files name them. */
void        hv_test_hotplug_assert_agree   (HvTestKvmLaunch   *launch,
                                            guint              pending);
HvKvmRuntimeDevice *hv_test_hotplug_find   (HvTestKvmLaunch   *launch,
                                            HvDeviceType       type,
                                            const gchar       *uuid);

/* Whether the test runs in its own network namespace, so that every tap
 * there is hvkit's (the host checks of hv_test_hotplug_assert_agree). */
void        hv_test_hotplug_set_in_netns   (gboolean           in_netns);

/* Iterates the thread-default context until *@flag, failing the test
 * after @timeout_ms. */
void        hv_test_hotplug_wait_flag      (gboolean          *flag,
                                            guint              timeout_ms);

G_END_DECLS
