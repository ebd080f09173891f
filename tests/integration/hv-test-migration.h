/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Two hosts for the migration tests and benchmark: each a separate
 * process (hv-test-migration-helper) in its own network namespace with
 * its own run dir and HvKvm, the two namespaces joined by a veth pair on
 * a private subnet (10.231.0.0/24) that exists only inside them. The
 * test itself runs in a third namespace of its own, where the pair is
 * made before its ends move.
 */

#define HV_TEST_MIGRATION_ADDRESS_A "10.231.0.1"
#define HV_TEST_MIGRATION_ADDRESS_B "10.231.0.2"

typedef struct _HvTestMigrationHost HvTestMigrationHost;

/* Both hosts, each with @name (@uuid) ready to start, @memory_mib of RAM;
 * NULL (the test skipped) without root, taps or the guest. */
gboolean             hv_test_migration_hosts_new  (const gchar           *work_dir,
                                                   const gchar           *name,
                                                   const gchar           *uuid,
                                                   gint64                 memory_mib,
                                                   HvTestMigrationHost  **out_a,
                                                   HvTestMigrationHost  **out_b);
gboolean             hv_test_migration_hosts_new_full (const gchar          *work_dir,
                                                       const gchar          *name,
                                                       const gchar          *uuid,
                                                       gint64                memory_mib,
                                                       const gchar          *qemu_a,
                                                       const gchar          *qemu_b,
                                                       HvTestMigrationHost **out_a,
                                                       HvTestMigrationHost **out_b);
void                 hv_test_migration_host_free  (HvTestMigrationHost   *host);

const gchar         *hv_test_migration_host_get_address (HvTestMigrationHost *host);
const gchar         *hv_test_migration_host_get_run_dir (HvTestMigrationHost *host);
/* The pid of the host's QEMU (its pidfile), 0 for none. */
GPid                 hv_test_migration_host_get_qemu_pid (HvTestMigrationHost *host);
/* The helper process itself. */
GSubprocess         *hv_test_migration_host_get_process (HvTestMigrationHost *host);

/* Kills the helper process (SIGKILL: nothing of it runs on) and starts
 * a new one in the namespace its QEMU keeps, with a new HvKvm on the same
 * run dir: a restarted node daemon. */
void                 hv_test_migration_host_restart (HvTestMigrationHost *host);

/* Sends a command (printf format, words separated by spaces); returns its
 * id without waiting. */
guint                hv_test_migration_host_send  (HvTestMigrationHost   *host,
                                                   const gchar           *format,
                                                   ...) G_GNUC_PRINTF (2, 3);
/* The answer to command @id: its data, or NULL with @error the helper's
 * (domain and code kept). */
gchar               *hv_test_migration_host_wait  (HvTestMigrationHost   *host,
                                                   guint                  id,
                                                   GError               **error);
/* Both at once. */
gchar               *hv_test_migration_host_call  (HvTestMigrationHost   *host,
                                                   GError               **error,
                                                   const gchar           *format,
                                                   ...) G_GNUC_PRINTF (3, 4);
/* Asserts success and returns the data. */
gchar               *hv_test_migration_host_run   (HvTestMigrationHost   *host,
                                                   const gchar           *format,
                                                   ...) G_GNUC_PRINTF (2, 3);
/* The next migration-progress event line ("STATE TRANSFERRED REMAINING
 * PASSES QEMU_TIME_US|-") whose state is @state (or any when NULL), with
 * TRANSFERRED at least @min_transferred. */
gchar               *hv_test_migration_host_wait_progress (HvTestMigrationHost *host,
                                                           const gchar         *state,
                                                           gint64               min_transferred);
/* Forgets the progress events not waited for. */
void                 hv_test_migration_host_clear_progress (HvTestMigrationHost *host);
/* Every migration-progress event received so far. */
guint                hv_test_migration_host_count_progress (HvTestMigrationHost *host);

G_END_DECLS
