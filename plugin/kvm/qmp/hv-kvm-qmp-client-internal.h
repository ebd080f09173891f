/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared by the files of HvKvmQmpClient only (hv-kvm-qmp-client*.c): the
 * object is split by concern — calls and output, connection and input,
 * event waiters — and this is what they share.
 */
#pragma once

#include "hv-kvm-qmp-client.h"
#include "hv-kvm-qmp-message.h"
#include "hv-kvm-qmp-parser.h"

G_BEGIN_DECLS

/* Formatting a message costs more than the round trip it describes; the
 * default writer drops debug messages unless G_MESSAGES_DEBUG asks. */
#define HV_KVM_QMP_DEBUG_ENABLED() \
  (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))

typedef enum {
  HV_KVM_QMP_STATE_IDLE,
  HV_KVM_QMP_STATE_CONNECTING,
  HV_KVM_QMP_STATE_GREETING,
  HV_KVM_QMP_STATE_NEGOTIATING,
  HV_KVM_QMP_STATE_READY,
  HV_KVM_QMP_STATE_CLOSED,
} HvKvmQmpState;

typedef struct {
  HvKvmQmpClient    *client;    /* not a reference: calls die with the connection */
  guint64            serial;
  gchar             *command;
  GTask             *task;
  HvKvmQmpReturnType return_type;
  guint              timeout_ms;
  gint64             deadline;  /* monotonic microseconds, 0 for none */
  GSource           *cancel_source;
} HvKvmQmpCall;

/* file descriptors that go with the command at [@offset, @end) of the output */
typedef struct {
  gsize        offset;
  gsize        end;
  GUnixFDList *fds;
} HvKvmQmpAttachment;

struct _HvKvmQmpClient {
  GObject           parent_instance;

  GMainContext     *context;
  HvKvmQmpState     state;
  guint             generation;  /* bumped by every connect */
  gchar            *socket_path;
  GSocket          *socket;
  GSource          *read_source;
  GSource          *write_source;
  GSource          *timer_source;

  HvKvmQmpParser   *parser;
  GString          *output;
  gsize             output_sent;
  GQueue            attachments;

  guint64           next_serial;
  GHashTable       *calls;       /* &serial → HvKvmQmpCall */
  GHashTable       *abandoned;   /* serial → command, cancelled or timed out */
  GQueue            waiters;
  JsonObject       *empty_data;

  GTask            *connect_task;
  GSource          *connect_source;
  GSource          *connect_timeout_source;
  GSource          *connect_cancel_source;
  guint64           negotiation_serial;
  HvKvmQmpGreeting  greeting;

  guint             command_timeout_ms;
  guint             connect_timeout_ms;  /* 0: command_timeout_ms */
};

static inline void
hv_kvm_qmp_destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

void hv_kvm_qmp_call_free               (HvKvmQmpCall          *call);
void hv_kvm_qmp_client_fail_calls       (HvKvmQmpClient        *self,
                                         const GError          *reason);
void hv_kvm_qmp_client_close_internal   (HvKvmQmpClient        *self,
                                         const GError          *reason,
                                         gboolean               emit);
void hv_kvm_qmp_client_send_command     (HvKvmQmpClient        *self,
                                         guint64                serial,
                                         const gchar           *command,
                                         JsonObject            *arguments,
                                         GUnixFDList           *fds);
void hv_kvm_qmp_client_complete_call    (HvKvmQmpClient        *self,
                                         HvKvmQmpCall          *call,
                                         const HvKvmQmpMessage *message);
void hv_kvm_qmp_client_emit_event       (HvKvmQmpClient        *self,
                                         const HvKvmQmpMessage *message);
void hv_kvm_qmp_client_notify_connected (HvKvmQmpClient        *self);
void hv_kvm_qmp_client_complete_waiters (HvKvmQmpClient        *self,
                                         const gchar           *event,
                                         JsonObject            *data,
                                         gint64                 timestamp);
void hv_kvm_qmp_client_fail_waiters     (HvKvmQmpClient        *self,
                                         const GError          *reason);

G_END_DECLS
