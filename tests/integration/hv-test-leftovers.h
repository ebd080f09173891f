/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How long fds released by other threads may take to go (see
 * hv_test_assert_no_fd_left()). */
#define FD_SETTLE_MS 5000

/* This process's fds but GLib's wakeup eventfds. */
guint  hv_test_count_fds         (void);
void   hv_test_assert_no_fd_left (guint        expected);
/* This process's children, every thread's. */
guint  hv_test_count_children    (void);
/* The QEMUs of instance @name whose command line names @dir. */
guint  hv_test_count_qemus       (const gchar *dir,
                                  const gchar *name);
void   hv_test_kill_qemus        (const gchar *dir,
                                  const gchar *name);
/* The files under @dir (recursively) whose name starts with @name. */
void   hv_test_find_files        (const gchar *dir,
                                  const gchar *name,
                                  GPtrArray   *found);

G_END_DECLS
