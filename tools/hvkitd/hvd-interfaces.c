/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitd"

#include "config.h"

#include "hvd-interfaces.h"
#include "hvd-resources.h"

static GDBusInterfaceInfo *
hvd_interfaces_load (const gchar *name)
{
  g_autofree gchar *path = g_strdup_printf ("/org/hvkit/hvkitd/%s.xml", name);
  g_autoptr(GBytes) xml = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GError) error = NULL;
  GDBusInterfaceInfo *info;

  /* built in: a failure here is a broken build, not a runtime condition.
   * Named by its symbol, so that a static link (fuzz-dbus-args) keeps it. */
  xml = g_resource_lookup_data (hvd_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  node = g_dbus_node_info_new_for_xml (g_bytes_get_data (xml, NULL), &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_lookup_interface (node, name);
  g_return_val_if_fail (info != NULL, NULL);
  g_dbus_interface_info_cache_build (info);
  return g_dbus_interface_info_ref (info);
}

#define HVD_INTERFACE(func, name)                                      \
  GDBusInterfaceInfo *                                                 \
  func (void)                                                          \
  {                                                                    \
    static GDBusInterfaceInfo *info;                                   \
    if (g_once_init_enter (&info))                                     \
      g_once_init_leave (&info, hvd_interfaces_load (name));           \
    return info;                                                       \
  }

HVD_INTERFACE (hvd_manager_interface_info, "org.hvkit.Manager1")
HVD_INTERFACE (hvd_hypervisor_interface_info, "org.hvkit.Hypervisor1")
HVD_INTERFACE (hvd_job_interface_info, "org.hvkit.Job1")
