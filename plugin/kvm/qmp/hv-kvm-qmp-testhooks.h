/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Test hook of the QMP client: QEMU killed with SIGKILL at a step
 * boundary of whatever operation talks to it. The boundaries are the
 * points where a client starts to talk to QEMU: when its socket has
 * connected (before the greeting is read) and before each command is
 * sent. The hook counts them on the connections to one socket (by its
 * base name, "<instance>.qmp", or its absolute path, where two hosts in
 * one process have the instance) from the moment it is set, and kills the
 * peer of the socket (its SO_PEERCRED pid: QEMU) at boundary number
 * kill_at_boundary. Like hotplug's hooks it exists only in the build of
 * qmp/ that the tests link (HV_KVM_TESTHOOKS); in the module it is a
 * constant, and check-kvm-module checks that with nm.
 */
typedef struct {
  const gchar *socket_name;       /* NULL: no hook */
  gint         kill_at_boundary;  /* from 0; < 0 never (boundaries are still counted) */
  gint         signal_number;     /* 0: SIGKILL; SIGSTOP stops QEMU there instead */
} HvKvmQmpTestHooks;

#define HV_KVM_QMP_TEST_HOOKS_INIT { .socket_name = NULL, .kill_at_boundary = -1, \
                                     .signal_number = 0 }

#ifdef HV_KVM_TESTHOOKS

/* Process-wide, set before an operation starts (any thread); %NULL for
 * none. Resets the count. */
void   hv_kvm_qmp_set_test_hooks          (const HvKvmQmpTestHooks *hooks);
/* How many boundaries were passed since the hooks were set, and at which
 * one QEMU was signalled ("greeting" or the command's name; %NULL: not
 * yet) and its pid. */
guint  hv_kvm_qmp_testhook_get_boundaries (void);
gchar *hv_kvm_qmp_testhook_get_killed_at  (GPid                    *out_pid);
void   hv_kvm_qmp_testhook_boundary       (GSocket                 *socket,
                                           const gchar             *socket_path,
                                           const gchar             *what);

#else

#define hv_kvm_qmp_testhook_boundary(socket, socket_path, what) \
  G_STMT_START { (void) (socket); } G_STMT_END

#endif

G_END_DECLS
