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
 * HvInstanceState:
 * @HV_INSTANCE_STATE_UNKNOWN: the driver cannot tell
 * @HV_INSTANCE_STATE_RUNNING: the guest runs
 * @HV_INSTANCE_STATE_PAUSED: the process exists but the guest's CPUs are
 *   stopped (started paused, or stopped for a migration)
 * @HV_INSTANCE_STATE_SHUTDOWN: the guest shut itself down and the instance
 *   waits to be cleaned up (Ganeti's user shutdown)
 * @HV_INSTANCE_STATE_STOPPED: there is no process
 *
 * The state of an instance as its driver sees it.
 *
 * Since: 1.0
 */
typedef enum {
  HV_INSTANCE_STATE_UNKNOWN,
  HV_INSTANCE_STATE_RUNNING,
  HV_INSTANCE_STATE_PAUSED,
  HV_INSTANCE_STATE_SHUTDOWN,
  HV_INSTANCE_STATE_STOPPED,
} HvInstanceState;

#define HV_TYPE_INSTANCE_INFO (hv_instance_info_get_type ())
HV_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (HvInstanceInfo, hv_instance_info, HV, INSTANCE_INFO, GObject)

HV_AVAILABLE_IN_1_0
HvInstanceInfo  *hv_instance_info_new               (const gchar     *name);
HV_AVAILABLE_IN_1_0
HvInstanceInfo  *hv_instance_info_new_from_variant  (GVariant        *dict,
                                                     GError         **error);
HV_AVAILABLE_IN_1_0
GVariant        *hv_instance_info_to_variant        (HvInstanceInfo  *self);

HV_AVAILABLE_IN_1_0
const gchar     *hv_instance_info_get_name          (HvInstanceInfo  *self);
HV_AVAILABLE_IN_1_0
void             hv_instance_info_set_name          (HvInstanceInfo  *self,
                                                     const gchar     *name);
HV_AVAILABLE_IN_1_0
gint64           hv_instance_info_get_pid           (HvInstanceInfo  *self);
HV_AVAILABLE_IN_1_0
void             hv_instance_info_set_pid           (HvInstanceInfo  *self,
                                                     gint64           pid);
HV_AVAILABLE_IN_1_0
gint64           hv_instance_info_get_memory        (HvInstanceInfo  *self);
HV_AVAILABLE_IN_1_0
void             hv_instance_info_set_memory        (HvInstanceInfo  *self,
                                                     gint64           memory);
HV_AVAILABLE_IN_1_0
gint64           hv_instance_info_get_vcpus         (HvInstanceInfo  *self);
HV_AVAILABLE_IN_1_0
void             hv_instance_info_set_vcpus         (HvInstanceInfo  *self,
                                                     gint64           vcpus);
HV_AVAILABLE_IN_1_0
HvInstanceState  hv_instance_info_get_state         (HvInstanceInfo  *self);
HV_AVAILABLE_IN_1_0
void             hv_instance_info_set_state         (HvInstanceInfo  *self,
                                                     HvInstanceState  state);
HV_AVAILABLE_IN_1_0
gdouble          hv_instance_info_get_cpu_time      (HvInstanceInfo  *self);
HV_AVAILABLE_IN_1_0
void             hv_instance_info_set_cpu_time      (HvInstanceInfo  *self,
                                                     gdouble          cpu_time);

G_END_DECLS
