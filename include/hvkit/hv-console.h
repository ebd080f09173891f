/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <glib-object.h>

#include <hvkit/hv-version-macros.h>

G_BEGIN_DECLS

/**
 * HvConsoleKind:
 * @HV_CONSOLE_KIND_MESSAGE: there is no console to connect to, only a
 *   message for the user
 * @HV_CONSOLE_KIND_SSH: the serial console, reached by running a command on
 *   the node over ssh
 * @HV_CONSOLE_KIND_VNC: a VNC display
 * @HV_CONSOLE_KIND_SPICE: a SPICE display
 *
 * How an instance's console is reached, Ganeti's console kinds.
 *
 * Since: 1.0
 */
typedef enum {
  HV_CONSOLE_KIND_MESSAGE,
  HV_CONSOLE_KIND_SSH,
  HV_CONSOLE_KIND_VNC,
  HV_CONSOLE_KIND_SPICE,
} HvConsoleKind;

#define HV_TYPE_CONSOLE (hv_console_get_type ())
HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvConsole, hv_console, HV, CONSOLE, GObject)

HV_AVAILABLE_IN_1_0
HvConsole           *hv_console_new               (HvConsoleKind        kind,
                                                   const gchar         *instance);
HV_AVAILABLE_IN_1_0
HvConsole           *hv_console_new_from_variant  (GVariant            *dict,
                                                   GError             **error);
HV_AVAILABLE_IN_1_0
GVariant            *hv_console_to_variant        (HvConsole           *self);

HV_AVAILABLE_IN_1_0
HvConsoleKind        hv_console_get_kind          (HvConsole           *self);
HV_AVAILABLE_IN_1_0
void                 hv_console_set_kind          (HvConsole           *self,
                                                   HvConsoleKind        kind);
HV_AVAILABLE_IN_1_0
const gchar         *hv_console_get_instance      (HvConsole           *self);
HV_AVAILABLE_IN_1_0
void                 hv_console_set_instance      (HvConsole           *self,
                                                   const gchar         *instance);
HV_AVAILABLE_IN_1_0
const gchar         *hv_console_get_host          (HvConsole           *self);
HV_AVAILABLE_IN_1_0
void                 hv_console_set_host          (HvConsole           *self,
                                                   const gchar         *host);
HV_AVAILABLE_IN_1_0
gint64               hv_console_get_port          (HvConsole           *self);
HV_AVAILABLE_IN_1_0
void                 hv_console_set_port          (HvConsole           *self,
                                                   gint64               port);
HV_AVAILABLE_IN_1_0
const gchar         *hv_console_get_user          (HvConsole           *self);
HV_AVAILABLE_IN_1_0
void                 hv_console_set_user          (HvConsole           *self,
                                                   const gchar         *user);
HV_AVAILABLE_IN_1_0
const gchar * const *hv_console_get_command       (HvConsole           *self);
HV_AVAILABLE_IN_1_0
void                 hv_console_set_command       (HvConsole           *self,
                                                   const gchar * const *command);
HV_AVAILABLE_IN_1_0
gint64               hv_console_get_display       (HvConsole           *self);
HV_AVAILABLE_IN_1_0
void                 hv_console_set_display       (HvConsole           *self,
                                                   gint64               display);
HV_AVAILABLE_IN_1_0
const gchar         *hv_console_get_message       (HvConsole           *self);
HV_AVAILABLE_IN_1_0
void                 hv_console_set_message       (HvConsole           *self,
                                                   const gchar         *message);

G_END_DECLS
