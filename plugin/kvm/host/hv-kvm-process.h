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
 * The QEMU process of an instance. QEMU runs with -daemonize: the process
 * hvkit spawns exits once QEMU is set up (sockets listening, pidfile
 * written), and the daemon is nobody's child but init's, so that it
 * outlives hvkit. Its end is seen through a pidfd, never by waitpid().
 */

/* A descriptor QEMU inherits: @fd (taken) becomes @target in QEMU. */
typedef struct {
  gint fd;
  gint target;
} HvKvmProcessFd;

/* How long QEMU may take to daemonize before it is killed. */
#define HV_KVM_PROCESS_START_TIMEOUT_MS 60000

void      hv_kvm_process_spawn_async       (const gchar * const  *argv,
                                            const HvKvmProcessFd *fds,
                                            gsize                 n_fds,
                                            const gchar          *log_path,
                                            guint                 timeout_ms,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean  hv_kvm_process_spawn_finish      (GAsyncResult         *result,
                                            GError              **error);

GPid      hv_kvm_process_read_pidfile      (const gchar          *path,
                                            GError              **error);
gboolean  hv_kvm_process_is_instance       (GPid                  pid,
                                            const gchar          *name);
gint      hv_kvm_process_open_pidfd        (GPid                  pid,
                                            GError              **error);
gboolean  hv_kvm_process_pidfd_exited      (gint                  pidfd);
gboolean  hv_kvm_process_kill              (gint                  pidfd,
                                            gint                  signal_number,
                                            GError              **error);
void      hv_kvm_process_kill_unwatched_async  (GPid                 pid,
                                                const gchar         *name,
                                                guint                timeout_ms,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean  hv_kvm_process_kill_unwatched_finish (GAsyncResult        *result,
                                                GError             **error);
gdouble   hv_kvm_process_get_cpu_time      (GPid                  pid);
gboolean  hv_kvm_process_pin_thread        (gint64                thread_id,
                                            GArray               *cpus,
                                            GError              **error);

G_END_DECLS
