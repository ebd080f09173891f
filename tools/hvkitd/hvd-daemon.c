/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitd"

#include "config.h"

#include <glib/gi18n.h>

#include "hvd-authority.h"
#include "hvd-daemon.h"
#include "hvd-hypervisor-object.h"
#include "hvd-interfaces.h"

/* What hvkitd serves: org.hvkit.Manager1 at /org/hvkit and one
 * org.hvkit.Hypervisor1 object per hypervisor the plugin loader offers.
 * Loading a hypervisor is what reconnects to its running instances (HvKvm
 * takes them over when made), so it happens before the bus name is owned. */

struct _HvdDaemon {
  GObject parent_instance;

  HvPluginLoader *loader;
  HvdAuthority *authority;
  GPtrArray *objects;           /* HvdHypervisorObject */
  GDBusConnection *connection;
  guint registration_id;
};

G_DEFINE_TYPE (HvdDaemon, hvd_daemon, G_TYPE_OBJECT)

static void
hvd_daemon_dispose (GObject *object)
{
  HvdDaemon *self = HVD_DAEMON (object);

  hvd_daemon_unexport (self);
  g_clear_pointer (&self->objects, g_ptr_array_unref);
  g_clear_object (&self->authority);
  g_clear_object (&self->loader);
  G_OBJECT_CLASS (hvd_daemon_parent_class)->dispose (object);
}

static void
hvd_daemon_class_init (HvdDaemonClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hvd_daemon_dispose;
}

static void
hvd_daemon_init (HvdDaemon *self)
{
  self->objects = g_ptr_array_new_with_free_func (g_object_unref);
}

HvdDaemon *
hvd_daemon_new (void)
{
  return g_object_new (HVD_TYPE_DAEMON, NULL);
}

/* The configuration one plugin gets: @config, and for the KVM plugin
 * "monitor-thread" false unless given. hvkitd's main loop always runs
 * and nothing in it blocks (it uses no _sync wrapper), so the instances
 * may live in it: QEMU's answers then reach the D-Bus reply with no
 * thread between them, one handoff less each way, each of which waits
 * for a core while a guest keeps one busy (bench-dbus; docs/design.md,
 * "The monitor thread"). */
static GVariant *
hvd_daemon_plugin_config (const gchar *name,
                          GVariant    *config)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (config);

  if (g_str_equal (name, "kvm") && !g_variant_dict_contains (&dict, "monitor-thread"))
    g_variant_dict_insert (&dict, "monitor-thread", "b", FALSE);
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

gboolean
hvd_daemon_load (HvdDaemon    *self,
                 const gchar  *plugin_dir,
                 GVariant     *config,
                 gboolean      authorize,
                 GError      **error)
{
  g_auto(GStrv) names = NULL;

  g_return_val_if_fail (HVD_IS_DAEMON (self), FALSE);

  self->authority = hvd_authority_new_sync (authorize, NULL, error);
  if (self->authority == NULL)
    return FALSE;
  self->loader = hv_plugin_loader_new (plugin_dir);
  names = hv_plugin_loader_list_hypervisors (self->loader, error);
  if (names == NULL)
    return FALSE;
  if (names[0] == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _("No hypervisor plugin in %s"),
                   hv_plugin_loader_get_plugin_dir (self->loader));
      return FALSE;
    }
  for (gsize i = 0; names[i] != NULL; i++)
    {
      g_autoptr(HvHypervisor) hypervisor = NULL;
      g_autoptr(GVariant) plugin_config = hvd_daemon_plugin_config (names[i], config);

      hypervisor = hv_plugin_loader_get_hypervisor (self->loader, names[i], plugin_config, error);
      if (hypervisor == NULL)
        return FALSE;
      g_ptr_array_add (self->objects, hvd_hypervisor_object_new (hypervisor, self->authority));
      g_debug ("loaded hypervisor %s", names[i]);
    }
  return TRUE;
}

static GVariant *
hvd_daemon_get_property (GDBusConnection  *connection,
                         const gchar      *sender,
                         const gchar      *object_path,
                         const gchar      *interface_name,
                         const gchar      *property_name,
                         GError          **error,
                         gpointer          user_data)
{
  HvdDaemon *self = user_data;

  if (g_strcmp0 (property_name, "Version") == 0)
    return g_variant_new_string (HV_VERSION);
  if (g_strcmp0 (property_name, "Hypervisors") == 0)
    {
      g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{so}"));

      for (guint i = 0; i < self->objects->len; i++)
        {
          HvdHypervisorObject *object = g_ptr_array_index (self->objects, i);

          g_variant_builder_add (&builder, "{so}",
                                 hv_hypervisor_get_name (hvd_hypervisor_object_get_hypervisor (object)),
                                 hvd_hypervisor_object_get_object_path (object));
        }
      return g_variant_builder_end (&builder);
    }
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
               _("No such property '%s'"), property_name);
  return NULL;
}

static const GDBusInterfaceVTable hvd_daemon_vtable = {
  .get_property = hvd_daemon_get_property,
};

gboolean
hvd_daemon_export (HvdDaemon        *self,
                   GDBusConnection  *connection,
                   GError          **error)
{
  g_return_val_if_fail (HVD_IS_DAEMON (self), FALSE);

  self->registration_id =
    g_dbus_connection_register_object (connection, "/org/hvkit", hvd_manager_interface_info (),
                                       &hvd_daemon_vtable, self, NULL, error);
  if (self->registration_id == 0)
    return FALSE;
  self->connection = g_object_ref (connection);
  for (guint i = 0; i < self->objects->len; i++)
    if (!hvd_hypervisor_object_export (g_ptr_array_index (self->objects, i), connection, error))
      return FALSE;
  return TRUE;
}

void
hvd_daemon_unexport (HvdDaemon *self)
{
  g_return_if_fail (HVD_IS_DAEMON (self));

  if (self->objects != NULL)
    for (guint i = 0; i < self->objects->len; i++)
      hvd_hypervisor_object_unexport (g_ptr_array_index (self->objects, i));
  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);
}
