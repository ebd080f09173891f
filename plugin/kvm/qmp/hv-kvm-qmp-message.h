/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  HV_KVM_QMP_MESSAGE_GREETING,
  HV_KVM_QMP_MESSAGE_RETURN,
  HV_KVM_QMP_MESSAGE_ERROR,
  HV_KVM_QMP_MESSAGE_EVENT,
} HvKvmQmpMessageKind;

/**
 * HvKvmQmpMessage:
 * @kind: what the message is
 * @root: (transfer full): the whole message
 * @id: (nullable): the `id` of a reply, as sent back by QEMU
 * @value: (nullable): the `return` value of a %HV_KVM_QMP_MESSAGE_RETURN
 * @error_class: (nullable): QEMU's class of a %HV_KVM_QMP_MESSAGE_ERROR
 * @error_desc: (nullable): QEMU's description of a %HV_KVM_QMP_MESSAGE_ERROR
 * @event: (nullable): the name of a %HV_KVM_QMP_MESSAGE_EVENT
 * @data: (nullable): the data of an event, %NULL when it has none
 * @timestamp: when QEMU emitted an event, in microseconds since the epoch,
 *   or -1 when it did not say
 * @greeting: (nullable): the `QMP` object of a %HV_KVM_QMP_MESSAGE_GREETING
 *
 * One message from QEMU, classified and checked: a reply's `error` has a
 * string class and description, an event has a string name and object
 * data. Lives on the stack; everything but @root is borrowed from @root.
 */
typedef struct {
  HvKvmQmpMessageKind kind;
  JsonNode           *root;
  JsonNode           *id;
  JsonNode           *value;
  const gchar        *error_class;
  const gchar        *error_desc;
  const gchar        *event;
  JsonObject         *data;
  gint64              timestamp;
  JsonObject         *greeting;
} HvKvmQmpMessage;

/**
 * HvKvmQmpGreeting:
 * @major: QEMU's major version
 * @minor: QEMU's minor version
 * @micro: QEMU's micro version
 * @package: (nullable): the package string, such as `Debian 1:7.2+dfsg-7`
 * @capabilities: the QMP capabilities QEMU offers, such as `oob`
 */
typedef struct {
  guint   major;
  guint   minor;
  guint   micro;
  gchar  *package;
  GStrv   capabilities;
} HvKvmQmpGreeting;

gboolean hv_kvm_qmp_message_init       (HvKvmQmpMessage        *self,
                                        JsonNode               *root,
                                        GError                **error);
void     hv_kvm_qmp_message_clear      (HvKvmQmpMessage        *self);
gboolean hv_kvm_qmp_message_get_serial (const HvKvmQmpMessage  *self,
                                        guint64                *out_serial);
gboolean hv_kvm_qmp_greeting_init      (HvKvmQmpGreeting       *self,
                                        const HvKvmQmpMessage  *message,
                                        GError                **error);
void     hv_kvm_qmp_greeting_clear     (HvKvmQmpGreeting       *self);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HvKvmQmpMessage, hv_kvm_qmp_message_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HvKvmQmpGreeting, hv_kvm_qmp_greeting_clear)

G_END_DECLS
