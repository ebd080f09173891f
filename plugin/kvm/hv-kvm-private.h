/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <hvkit/hvkit-driver.h>

#include "hv-kvm-capabilities-cache.h"
#include "hv-kvm-instance-private.h"
#include "hv-kvm-worker-private.h"

G_BEGIN_DECLS

#define HV_TYPE_KVM (hv_kvm_get_type ())
G_DECLARE_FINAL_TYPE (HvKvm, hv_kvm, HV, KVM, GObject)

HvKvm       *hv_kvm_new                  (GVariant      *config,
                                          GError       **error);
const gchar *hv_kvm_get_run_dir          (HvKvm         *self);
const gchar *hv_kvm_get_vhost_net_device (HvKvm         *self);
GVariant    *hv_kvm_get_default_hvparams (HvKvm         *self);
HvKvmCapabilitiesCache *hv_kvm_get_capabilities_cache (HvKvm *self);
HvRuntimeStore *hv_kvm_get_store         (HvKvm         *self);
HvKvmWorker *hv_kvm_get_worker           (HvKvm         *self);

/* Settings of the configuration that the lifecycle reads. */
guint        hv_kvm_get_powerdown_interval (HvKvm       *self);
guint        hv_kvm_get_reboot_timeout     (HvKvm       *self);
guint        hv_kvm_get_balloon_timeout    (HvKvm       *self);
guint        hv_kvm_get_start_timeout      (HvKvm       *self);

/*
 * Calls into the monitor thread (hv-kvm.c). @func runs there with a task
 * of the thread's context carrying @data; whatever @func returns through
 * it (a boolean, or a pointer freed with @result_free) is handed on to
 * @outer, which completes in its own, the caller's, context.
 */
typedef void (*HvKvmCallFunc) (HvKvm *self,
                               GTask *task);

typedef enum {
  HV_KVM_RESULT_BOOLEAN,
  HV_KVM_RESULT_POINTER,
} HvKvmResultKind;

void         hv_kvm_call                 (HvKvm           *self,
                                          GTask           *outer,
                                          HvKvmResultKind  kind,
                                          GDestroyNotify   result_free,
                                          HvKvmCallFunc    func,
                                          gpointer         data,
                                          GDestroyNotify   data_free);
HvKvm       *hv_kvm_task_get_kvm         (GTask           *task);

/* The known instances. Monitor thread only. */
HvKvmInstance *hv_kvm_lookup_instance    (HvKvm         *self,
                                          const gchar   *name);
HvKvmInstance *hv_kvm_add_instance       (HvKvm         *self,
                                          const gchar   *name);
void         hv_kvm_forget_instance      (HvKvm         *self,
                                          HvKvmInstance *instance);
gboolean     hv_kvm_remember_instance    (HvKvm         *self,
                                          HvKvmInstance *instance);
GPtrArray   *hv_kvm_get_instances        (HvKvm         *self);

/* The lifecycle (hv-kvm-start.c, hv-kvm-stop.c, hv-kvm-info.c,
 * hv-kvm-reconnect.c): monitor thread functions behind the vfuncs. */
void         hv_kvm_start_instance       (HvKvm         *self,
                                          GTask         *task);
void         hv_kvm_stop_instance        (HvKvm         *self,
                                          GTask         *task);
void         hv_kvm_reboot_instance      (HvKvm         *self,
                                          GTask         *task);
void         hv_kvm_cleanup_instance     (HvKvm         *self,
                                          GTask         *task);
void         hv_kvm_get_instance_info    (HvKvm         *self,
                                          GTask         *task);
void         hv_kvm_get_all_instances_info (HvKvm       *self,
                                            GTask       *task);
void         hv_kvm_balloon_instance     (HvKvm         *self,
                                          GTask         *task);
void         hv_kvm_get_node_info        (HvKvm         *self,
                                          GTask         *task);
void         hv_kvm_verify               (HvKvm         *self,
                                          GTask         *task);
void         hv_kvm_reconnect            (HvKvm         *self);
gchar      **hv_kvm_list_running         (HvKvm         *self,
                                          GError       **error);
HvConsole   *hv_kvm_make_console         (HvKvm         *self,
                                          HvInstance    *instance,
                                          GError       **error);

/* Appended for hotplug: emits HvHypervisor::device-removed in the
 * owner's context. */
void         hv_kvm_emit_device_removed  (HvKvm         *self,
                                          const gchar   *name,
                                          const gchar   *device_id);

G_END_DECLS
