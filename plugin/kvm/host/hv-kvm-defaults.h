/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

/*
 * Every default of the KVM plugin that more than one layer needs, stated
 * once. The driver's configuration keys (docs/design.md, "Configuration")
 * override the timeouts and paths.
 */

/* The QEMU of an instance whose kvm_path is empty. */
#define HV_KVM_DEFAULT_QEMU "/usr/bin/qemu-system-x86_64"

/* Where Ganeti's own KVM driver keeps its instances' files: what
 * adopt_instances reads when no directory is given. */
#define HV_KVM_DEFAULT_GANETI_RUN_DIR "/var/run/ganeti/kvm-hypervisor"

/* The device `vhost_net` needs (QEMU 7.2 aborts without it). */
#define HV_KVM_DEFAULT_VHOST_NET_DEVICE "/dev/vhost-net"

/* How long QEMU may take to daemonize and greet. */
#define HV_KVM_DEFAULT_START_TIMEOUT_MS 60000

/* A soft stop presses the power button again this often. */
#define HV_KVM_DEFAULT_POWERDOWN_INTERVAL_MS 5000

/* How long a reboot waits for the guest to power off (Ganeti's shutdown
 * timeout). */
#define HV_KVM_DEFAULT_REBOOT_TIMEOUT_MS 120000

/* How long a balloon call waits for the guest to reach its target. */
#define HV_KVM_DEFAULT_BALLOON_TIMEOUT_MS 30000

/* How long a hot-removal waits for the guest's DEVICE_DELETED. */
#define HV_KVM_DEFAULT_REMOVAL_TIMEOUT_MS 10000

/* How long an ifup or ifdown script may run before it is killed (with its
 * process group) and its step fails: a hung script must not hold the
 * instance's queue for ever. */
#define HV_KVM_DEFAULT_SCRIPT_TIMEOUT_MS 60000

/* How long one QMP command may go unanswered before its call fails with
 * HV_ERROR_TIMEOUT (a QEMU stopped or stuck fails only its own calls). */
#define HV_KVM_DEFAULT_COMMAND_TIMEOUT_MS 60000

/* Whether the instances live in a thread of HvKvm's own (see
 * host/hv-kvm-worker.c); FALSE puts them in the owner's main context, for
 * an owner whose loop always runs and never blocks (hvkitd). */
#define HV_KVM_DEFAULT_MONITOR_THREAD TRUE

/* How long a killed QEMU may take to be gone. */
#define HV_KVM_KILL_TIMEOUT_MS 30000
