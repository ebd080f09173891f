/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR.
 */
#pragma once

#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Per call, unless the caller says otherwise: a QEMU that has not answered
 * in a minute is stuck, and the caller decides what to do about it. */
#define HV_KVM_QMP_DEFAULT_COMMAND_TIMEOUT_MS 60000

#define HV_KVM_TYPE_QMP_CLIENT (hv_kvm_qmp_client_get_type ())
G_DECLARE_FINAL_TYPE (HvKvmQmpClient, hv_kvm_qmp_client, HV_KVM, QMP_CLIENT, GObject)

/**
 * HvKvmQmpEventMatchFunc:
 * @event: the event's name
 * @data: the event's data, an empty object when it has none
 * @user_data: the match data given to hv_kvm_qmp_client_wait_event_async()
 *
 * Returns: %TRUE if this is the event being waited for
 */
typedef gboolean (*HvKvmQmpEventMatchFunc) (const gchar *event,
                                            JsonObject  *data,
                                            gpointer     user_data);

HvKvmQmpClient     *hv_kvm_qmp_client_new                  (void);

void                hv_kvm_qmp_client_connect_async        (HvKvmQmpClient        *self,
                                                            const gchar           *socket_path,
                                                            GCancellable          *cancellable,
                                                            GAsyncReadyCallback    callback,
                                                            gpointer               user_data);
gboolean            hv_kvm_qmp_client_connect_finish       (HvKvmQmpClient        *self,
                                                            GAsyncResult          *result,
                                                            GError               **error);
void                hv_kvm_qmp_client_close                (HvKvmQmpClient        *self);
void                hv_kvm_qmp_client_drain                (HvKvmQmpClient        *self);
void                hv_kvm_qmp_client_cork                 (HvKvmQmpClient        *self);
void                hv_kvm_qmp_client_uncork               (HvKvmQmpClient        *self);

gboolean            hv_kvm_qmp_client_is_connected         (HvKvmQmpClient        *self);
const gchar        *hv_kvm_qmp_client_get_socket_path      (HvKvmQmpClient        *self);
void                hv_kvm_qmp_client_get_version          (HvKvmQmpClient        *self,
                                                            guint                 *out_major,
                                                            guint                 *out_minor,
                                                            guint                 *out_micro);
const gchar        *hv_kvm_qmp_client_get_package          (HvKvmQmpClient        *self);
const gchar *const *hv_kvm_qmp_client_get_capabilities     (HvKvmQmpClient        *self);
gboolean            hv_kvm_qmp_client_has_capability       (HvKvmQmpClient        *self,
                                                            const gchar           *capability);

guint               hv_kvm_qmp_client_get_command_timeout  (HvKvmQmpClient        *self);
void                hv_kvm_qmp_client_set_command_timeout  (HvKvmQmpClient        *self,
                                                            guint                  timeout_ms);
void                hv_kvm_qmp_client_set_connect_timeout  (HvKvmQmpClient        *self,
                                                            guint                  timeout_ms);
gsize               hv_kvm_qmp_client_get_max_message_size (HvKvmQmpClient        *self);
void                hv_kvm_qmp_client_set_max_message_size (HvKvmQmpClient        *self,
                                                            gsize                  max_message_size);

void                hv_kvm_qmp_client_execute_async        (HvKvmQmpClient        *self,
                                                            const gchar           *command,
                                                            JsonObject            *arguments,
                                                            GUnixFDList           *fds,
                                                            GCancellable          *cancellable,
                                                            GAsyncReadyCallback    callback,
                                                            gpointer               user_data);
JsonNode           *hv_kvm_qmp_client_execute_finish       (HvKvmQmpClient        *self,
                                                            GAsyncResult          *result,
                                                            GError               **error);
void                hv_kvm_qmp_client_execute_full_async   (HvKvmQmpClient        *self,
                                                            const gchar           *command,
                                                            JsonObject            *arguments,
                                                            GUnixFDList           *fds,
                                                            gint                   timeout_ms,
                                                            GCancellable          *cancellable,
                                                            GAsyncReadyCallback    callback,
                                                            gpointer               user_data);
JsonNode           *hv_kvm_qmp_client_execute_full_finish  (HvKvmQmpClient        *self,
                                                            GAsyncResult          *result,
                                                            GError               **error);

void                hv_kvm_qmp_client_wait_event_async     (HvKvmQmpClient        *self,
                                                            const gchar           *event,
                                                            HvKvmQmpEventMatchFunc match,
                                                            gpointer               match_data,
                                                            GDestroyNotify         match_data_destroy,
                                                            guint                  timeout_ms,
                                                            GCancellable          *cancellable,
                                                            GAsyncReadyCallback    callback,
                                                            gpointer               user_data);
JsonObject         *hv_kvm_qmp_client_wait_event_finish    (HvKvmQmpClient        *self,
                                                            GAsyncResult          *result,
                                                            gchar                **out_event,
                                                            gint64                *out_timestamp,
                                                            GError               **error);

/* For the typed wrappers of hv-kvm-qmp-commands.c: one GTask per call, whose
 * source tag is the wrapper's, and the type of `return` checked on arrival. */
typedef enum {
  HV_KVM_QMP_RETURN_ANY,
  HV_KVM_QMP_RETURN_OBJECT,
  HV_KVM_QMP_RETURN_ARRAY,
  HV_KVM_QMP_RETURN_STRING,
} HvKvmQmpReturnType;

void                hv_kvm_qmp_client_call_async           (HvKvmQmpClient        *self,
                                                            const gchar           *command,
                                                            JsonObject            *arguments,
                                                            GUnixFDList           *fds,
                                                            HvKvmQmpReturnType     return_type,
                                                            gpointer               source_tag,
                                                            GCancellable          *cancellable,
                                                            GAsyncReadyCallback    callback,
                                                            gpointer               user_data);
JsonNode           *hv_kvm_qmp_client_call_finish          (HvKvmQmpClient        *self,
                                                            GAsyncResult          *result,
                                                            gpointer               source_tag,
                                                            GError               **error);

G_END_DECLS
