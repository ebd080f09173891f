/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitd"

#include "config.h"

#include <glib/gi18n.h>
#include <polkit/polkit.h>

#include "hvd-authority.h"

/* The polkit check every handler makes before it acts: the caller is the
 * bus name that sent the message, the details carry the instance's name and
 * uuid so that a rule can allow one instance and not another. Disabled
 * (everything allowed) only on a session bus, which is its user's own. */

struct _HvdAuthority {
  GObject parent_instance;

  PolkitAuthority *authority;   /* NULL: disabled */
};

G_DEFINE_TYPE (HvdAuthority, hvd_authority, G_TYPE_OBJECT)

static void
hvd_authority_dispose (GObject *object)
{
  HvdAuthority *self = HVD_AUTHORITY (object);

  g_clear_object (&self->authority);
  G_OBJECT_CLASS (hvd_authority_parent_class)->dispose (object);
}

static void
hvd_authority_class_init (HvdAuthorityClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hvd_authority_dispose;
}

static void
hvd_authority_init (HvdAuthority *self)
{
}

HvdAuthority *
hvd_authority_new_sync (gboolean       enabled,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(HvdAuthority) self = g_object_new (HVD_TYPE_AUTHORITY, NULL);

  if (enabled)
    {
      self->authority = polkit_authority_get_sync (cancellable, error);
      if (self->authority == NULL)
        return NULL;
    }
  return g_steal_pointer (&self);
}

gboolean
hvd_authority_is_enabled (HvdAuthority *self)
{
  g_return_val_if_fail (HVD_IS_AUTHORITY (self), TRUE);
  return self->authority != NULL;
}

typedef struct {
  gchar *action_id;
} HvdAuthorityCheck;

static void
hvd_authority_check_free (gpointer data)
{
  HvdAuthorityCheck *check = data;

  g_free (check->action_id);
  g_free (check);
}

static void
hvd_authority_on_checked (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HvdAuthorityCheck *check = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthorizationResult) answer = NULL;

  answer = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);
  if (answer == NULL)
    {
      g_task_return_new_error (task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                               _("Could not check authorization for '%s': %s"),
                               check->action_id, error->message);
      return;
    }
  if (!polkit_authorization_result_get_is_authorized (answer))
    {
      g_task_return_new_error (task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                               _("Not authorized to perform '%s'"), check->action_id);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
hvd_authority_check_async (HvdAuthority          *self,
                           GDBusMethodInvocation *invocation,
                           const gchar           *action_id,
                           const gchar           *instance_name,
                           const gchar           *instance_uuid,
                           GCancellable          *cancellable,
                           GAsyncReadyCallback    callback,
                           gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(PolkitSubject) subject = NULL;
  g_autoptr(PolkitDetails) details = NULL;
  HvdAuthorityCheck *check;
  PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;

  g_task_set_source_tag (task, hvd_authority_check_async);
  if (self->authority == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  check = g_new0 (HvdAuthorityCheck, 1);
  check->action_id = g_strdup (action_id);
  g_task_set_task_data (task, check, hvd_authority_check_free);

  subject = polkit_system_bus_name_new (g_dbus_method_invocation_get_sender (invocation));
  details = polkit_details_new ();
  if (instance_name != NULL)
    polkit_details_insert (details, "instance", instance_name);
  if (instance_uuid != NULL)
    polkit_details_insert (details, "uuid", instance_uuid);
  if (g_dbus_message_get_flags (g_dbus_method_invocation_get_message (invocation)) &
      G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
    flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;

  polkit_authority_check_authorization (self->authority, subject, action_id, details, flags,
                                        cancellable, hvd_authority_on_checked,
                                        g_steal_pointer (&task));
}

gboolean
hvd_authority_check_finish (HvdAuthority  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
