/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <hvkit/hvkit.h>

G_BEGIN_DECLS

/* What every command of hvkitctl shares (hvkitctl.c) */
typedef struct {
  GDBusConnection *connection;
  HvHypervisor *hypervisor;
  gchar *hypervisor_name;
  gboolean json;
  gboolean tty;
  gboolean interactive;   /* polkit may ask the user */
} HvctlContext;

/* Exit statuses, by error class (hvkitctl(1), EXIT STATUS) */
enum {
  HVCTL_EXIT_OK = 0,
  HVCTL_EXIT_FAILED = 1,
  HVCTL_EXIT_USAGE = 2,
  HVCTL_EXIT_ACCESS_DENIED = 3,
  HVCTL_EXIT_UNREACHABLE = 4,
  /* HV_ERROR code N: 10 + N */
  HVCTL_EXIT_HV_ERROR_BASE = 10,
};

gint      hvctl_exit_status_for_error (const GError  *error);

/* output (hvctl-output.c) */
void      hvctl_print_variant         (HvctlContext  *ctx,
                                       GVariant      *value);
void      hvctl_print_strv            (HvctlContext  *ctx,
                                       const gchar * const *strv);
GVariant *hvctl_parse_spec            (const gchar   *spec,
                                       const gchar   *what,
                                       GError       **error);

/* hvkitctl migrate (hvctl-migrate.c) */
gboolean  hvctl_migrate               (HvctlContext  *ctx,
                                       HvInstance    *instance,
                                       const gchar   *target,
                                       const gchar   *target_bus,
                                       gboolean       live,
                                       GError       **error);

G_END_DECLS
