/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit.h> can be included directly."
#endif

#include <glib-object.h>

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
G_DECLARE_FINAL_TYPE (HvInstanceInfo, hv_instance_info, HV, INSTANCE_INFO, GObject)

HvInstanceInfo  *hv_instance_info_new               (const gchar     *name);
HvInstanceInfo  *hv_instance_info_new_from_variant  (GVariant        *dict,
                                                     GError         **error);
GVariant        *hv_instance_info_to_variant        (HvInstanceInfo  *self);

const gchar     *hv_instance_info_get_name          (HvInstanceInfo  *self);
void             hv_instance_info_set_name          (HvInstanceInfo  *self,
                                                     const gchar     *name);
gint64           hv_instance_info_get_pid           (HvInstanceInfo  *self);
void             hv_instance_info_set_pid           (HvInstanceInfo  *self,
                                                     gint64           pid);
gint64           hv_instance_info_get_memory        (HvInstanceInfo  *self);
void             hv_instance_info_set_memory        (HvInstanceInfo  *self,
                                                     gint64           memory);
gint64           hv_instance_info_get_vcpus         (HvInstanceInfo  *self);
void             hv_instance_info_set_vcpus         (HvInstanceInfo  *self,
                                                     gint64           vcpus);
HvInstanceState  hv_instance_info_get_state         (HvInstanceInfo  *self);
void             hv_instance_info_set_state         (HvInstanceInfo  *self,
                                                     HvInstanceState  state);
gdouble          hv_instance_info_get_cpu_time      (HvInstanceInfo  *self);
void             hv_instance_info_set_cpu_time      (HvInstanceInfo  *self,
                                                     gdouble          cpu_time);

G_END_DECLS
