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
 * HvDeviceType:
 * @HV_DEVICE_TYPE_DISK: a disk (#HvDisk), Ganeti's `disk`
 * @HV_DEVICE_TYPE_NIC: a network interface (#HvNic), Ganeti's `nic`
 *
 * The kinds of device an instance has and a driver can hot-plug. The nicks
 * are Ganeti's spelling.
 *
 * Since: 1.0
 */
typedef enum {
  HV_DEVICE_TYPE_DISK,
  HV_DEVICE_TYPE_NIC,
} HvDeviceType;

/**
 * HvHotplugAction:
 * @HV_HOTPLUG_ACTION_ADD: add a device to a running instance (`hotadd`)
 * @HV_HOTPLUG_ACTION_DEL: remove a device from a running instance (`hotdel`)
 * @HV_HOTPLUG_ACTION_MOD: change a device of a running instance (`hotmod`)
 *
 * What a hotplug operation does, as hv_hypervisor_verify_hotplug_support()
 * is asked about it. The nicks are Ganeti's spelling.
 *
 * Since: 1.0
 */
typedef enum {
  HV_HOTPLUG_ACTION_ADD, /*< nick=hotadd >*/
  HV_HOTPLUG_ACTION_DEL, /*< nick=hotdel >*/
  HV_HOTPLUG_ACTION_MOD, /*< nick=hotmod >*/
} HvHotplugAction;

#define HV_TYPE_DEVICE (hv_device_get_type ())
HV_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (HvDevice, hv_device, HV, DEVICE, GObject)

/**
 * HvDeviceClass:
 * @parent_class: the parent class
 * @device_type: the #HvDeviceType of the subclass, set in its class_init
 *
 * The class of the devices of an instance. #HvDisk and #HvNic are its only
 * subclasses; drivers use them, they do not derive new ones.
 *
 * Since: 1.0
 */
struct _HvDeviceClass {
  GObjectClass parent_class;

  HvDeviceType device_type;

  /*< private >*/
  gpointer padding[8];
};

HV_AVAILABLE_IN_1_0
HvDeviceType  hv_device_get_device_type (HvDevice    *self);
HV_AVAILABLE_IN_1_0
const gchar  *hv_device_get_uuid        (HvDevice    *self);
HV_AVAILABLE_IN_1_0
void          hv_device_set_uuid        (HvDevice    *self,
                                         const gchar *uuid);
HV_AVAILABLE_IN_1_0
const gchar  *hv_device_get_name        (HvDevice    *self);
HV_AVAILABLE_IN_1_0
void          hv_device_set_name        (HvDevice    *self,
                                         const gchar *name);
HV_AVAILABLE_IN_1_0
gint          hv_device_get_pci         (HvDevice    *self);
HV_AVAILABLE_IN_1_0
void          hv_device_set_pci         (HvDevice    *self,
                                         gint         pci);
HV_AVAILABLE_IN_1_0
GVariant     *hv_device_get_hvinfo      (HvDevice    *self);
HV_AVAILABLE_IN_1_0
void          hv_device_set_hvinfo      (HvDevice    *self,
                                         GVariant    *hvinfo);
HV_AVAILABLE_IN_1_0
GVariant     *hv_device_to_variant      (HvDevice    *self);

G_END_DECLS
