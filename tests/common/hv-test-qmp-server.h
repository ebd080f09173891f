/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HV_TEST_TYPE_QMP_SERVER (hv_test_qmp_server_get_type ())
G_DECLARE_FINAL_TYPE (HvTestQmpServer, hv_test_qmp_server, HV_TEST, QMP_SERVER, GObject)

/* QEMU 7.2's greeting on this machine, byte for byte */
#define HV_TEST_QMP_GREETING \
  "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, " \
  "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}\r\n"

HvTestQmpServer *hv_test_qmp_server_new             (void);
const gchar     *hv_test_qmp_server_get_socket_path (HvTestQmpServer *self);
void             hv_test_qmp_server_set_chunk_size  (HvTestQmpServer *self,
                                                     gsize            chunk_size);

void             hv_test_qmp_server_add_greeting    (HvTestQmpServer *self);
void             hv_test_qmp_server_add_negotiation (HvTestQmpServer *self);
void             hv_test_qmp_server_add_send        (HvTestQmpServer *self,
                                                     const gchar     *text);
void             hv_test_qmp_server_add_event       (HvTestQmpServer *self,
                                                     const gchar     *event,
                                                     const gchar     *data);
guint            hv_test_qmp_server_add_expect      (HvTestQmpServer *self,
                                                     const gchar     *command,
                                                     const gchar     *arguments);
guint            hv_test_qmp_server_add_expect_fds  (HvTestQmpServer *self,
                                                     const gchar     *command,
                                                     const gchar     *arguments,
                                                     guint            n_fds);
void             hv_test_qmp_server_add_reply       (HvTestQmpServer *self,
                                                     guint            expect,
                                                     const gchar     *reply);
guint            hv_test_qmp_server_add_command     (HvTestQmpServer *self,
                                                     const gchar     *command,
                                                     const gchar     *arguments,
                                                     const gchar     *reply);
void             hv_test_qmp_server_add_hangup      (HvTestQmpServer *self);

gint             hv_test_qmp_server_steal_fd        (HvTestQmpServer *self,
                                                     guint            expect,
                                                     guint            index);
gchar           *hv_test_qmp_server_dup_id          (HvTestQmpServer *self,
                                                     guint            expect);
gboolean         hv_test_qmp_server_is_done         (HvTestQmpServer *self);
gboolean         hv_test_qmp_server_client_closed   (HvTestQmpServer *self);
void             hv_test_qmp_server_assert_done     (HvTestQmpServer *self);

G_END_DECLS
