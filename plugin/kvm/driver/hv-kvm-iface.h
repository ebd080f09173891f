/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In-tree API of the KVM plugin: not installed, not in the GIR. Shared by
 * the files of driver/ only.
 */
#pragma once

#include "hv-kvm.h"

G_BEGIN_DECLS

/*
 * How HvKvm's methods reach the monitor thread: the method checks its
 * arguments, makes its task in the caller's context with its own typed
 * data, and hands it to hv_kvm_invoke(); @func then runs in the monitor
 * thread, starts the layer's operation and, from its callback, completes
 * the caller's task with hv_kvm_return_boolean() or
 * hv_kvm_return_pointer(), which complete it in the caller's context.
 */
typedef void (*HvKvmThreadFunc) (HvKvmHost *host,
                                 GTask     *task);

void      hv_kvm_invoke          (HvKvm           *self,
                                  GTask           *task,
                                  HvKvmThreadFunc  func);
void      hv_kvm_invoke_for_instance (HvKvm           *self,
                                      GTask           *task,
                                      const gchar     *name,
                                      HvKvmThreadFunc  func);
void      hv_kvm_return_boolean  (GTask           *task,
                                  gboolean         ok,
                                  GError          *error);
void      hv_kvm_return_pointer  (GTask           *task,
                                  gpointer         value,
                                  GDestroyNotify   value_free,
                                  GError          *error);
GTask    *hv_kvm_task_new        (HvHypervisor        *hypervisor,
                                  gpointer             source_tag,
                                  gpointer             data,
                                  GDestroyNotify       data_free,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
gboolean  hv_kvm_task_check      (HvHypervisor        *hypervisor,
                                  GAsyncResult        *result,
                                  gpointer             source_tag);

/* Defines @relay, the callback of a monitor-thread operation whose
 * boolean outcome (@finish) completes the caller's task, given as the
 * callback's user data. */
#define HV_KVM_RELAY_BOOLEAN(relay, finish) \
  static void \
  relay (GObject      *source, \
         GAsyncResult *result, \
         gpointer      user_data) \
  { \
    GError *error = NULL; \
    gboolean ok = finish (result, &error); \
    hv_kvm_return_boolean (user_data, ok, error); \
  }

void      hv_kvm_lifecycle_iface_init (HvHypervisorInterface *iface);
void      hv_kvm_hotplug_iface_init   (HvHypervisorInterface *iface);
void      hv_kvm_migration_iface_init (HvHypervisorInterface *iface);
void      hv_kvm_adopt_iface_init     (HvHypervisorInterface *iface);

G_END_DECLS
