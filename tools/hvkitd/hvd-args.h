/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <hvkit/hvkit.h>

G_BEGIN_DECLS

/* Turning D-Bus arguments into hvkit objects. Every failure is
 * G_DBUS_ERROR_INVALID_ARGS naming the argument, with the converter's
 * message (which names the key), or HV_ERROR_INVALID_PARAMETER for an
 * instance name that is not one. These take a call's parameters as GDBus
 * gives them, and also as fuzz-dbus-args gives them: any serialized form,
 * normal or not. */

HvInstance *hvd_args_get_instance (GVariant     *dict,
                                   const gchar  *argument,
                                   GError      **error);
HvDevice   *hvd_args_get_device   (const gchar  *device_type,
                                   GVariant     *dict,
                                   const gchar  *argument,
                                   GError      **error);
gboolean    hvd_args_get_enum     (GType         enum_type,
                                   const gchar  *nick,
                                   const gchar  *argument,
                                   gint         *value,
                                   GError      **error);
const gchar *hvd_args_enum_to_nick (GType        enum_type,
                                    gint         value);

gboolean    hvd_args_read_call    (const gchar  *method,
                                   GVariant     *parameters,
                                   gchar       **out_name,
                                   HvInstance  **out_instance,
                                   HvDevice    **out_device,
                                   GError      **error);

G_END_DECLS
