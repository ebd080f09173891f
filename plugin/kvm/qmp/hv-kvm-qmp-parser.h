/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* libvirt's bound on a QMP message (QEMU_MONITOR_MAX_RESPONSE) */
#define HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE ((gsize) 10 * 1024 * 1024)

/* QEMU's own JSON parser refuses deeper nesting (MAX_NESTING); json-glib
 * recurses once per level and would overflow the stack long before the
 * message size bound. */
#define HV_KVM_QMP_MAX_NESTING 1024

/**
 * HvKvmQmpParser:
 *
 * The framing layer of the QMP client: bytes in, one JSON object per line
 * out. Lines end in `\n` or `\r\n` and may be split anywhere or arrive many
 * at a time. A line longer than the maximum message size, one that is not
 * JSON, one nested deeper than %HV_KVM_QMP_MAX_NESTING or one whose value
 * is not an object is an error, after which the parser only returns errors
 * until it is reset.
 *
 * The caller pulls messages one at a time, so it may stop in the middle of
 * a read (the connection was closed by a handler) without the parser being
 * in the middle of a callback.
 */
typedef struct _HvKvmQmpParser HvKvmQmpParser;

HvKvmQmpParser *hv_kvm_qmp_parser_new                  (gsize           max_message_size);
void            hv_kvm_qmp_parser_free                 (HvKvmQmpParser *self);
void            hv_kvm_qmp_parser_reset                (HvKvmQmpParser *self);
void            hv_kvm_qmp_parser_set_max_message_size (HvKvmQmpParser *self,
                                                        gsize           max_message_size);
gsize           hv_kvm_qmp_parser_get_max_message_size (HvKvmQmpParser *self);
guint8         *hv_kvm_qmp_parser_reserve              (HvKvmQmpParser *self,
                                                        gsize          *out_size);
void            hv_kvm_qmp_parser_commit               (HvKvmQmpParser *self,
                                                        gsize           n_bytes);
void            hv_kvm_qmp_parser_push                 (HvKvmQmpParser *self,
                                                        const guint8   *data,
                                                        gsize           size);
JsonNode       *hv_kvm_qmp_parser_next                 (HvKvmQmpParser *self,
                                                        GError        **error);
gsize           hv_kvm_qmp_parser_get_pending          (HvKvmQmpParser *self);
const gchar    *hv_kvm_qmp_parser_get_line             (HvKvmQmpParser *self,
                                                        gsize          *out_size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvKvmQmpParser, hv_kvm_qmp_parser_free)

G_END_DECLS
