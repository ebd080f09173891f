/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvConsole"

#include "config.h"

#include "hv-console.h"
#include "hv-enum-types.h"
#include "hv-variant-private.h"

/**
 * HvConsole:
 *
 * How to reach an instance's console, Ganeti's `InstanceConsole`: a message
 * to show, a command to run (the serial console over ssh), or a VNC or SPICE
 * display to connect to.
 *
 * As a{sv}: `kind` s (the nick of an #HvConsoleKind), `instance` s, `host` s,
 * `port` x, `user` s, `command` as, `display` x and `message` s.
 *
 * Since: 1.0
 */

struct _HvConsole {
  GObject parent_instance;

  HvConsoleKind kind;
  gchar *instance;
  gchar *host;
  gint64 port;
  gchar *user;
  gchar **command;
  gint64 display;
  gchar *message;
};

G_DEFINE_FINAL_TYPE (HvConsole, hv_console, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_INSTANCE,
  PROP_HOST,
  PROP_PORT,
  PROP_USER,
  PROP_COMMAND,
  PROP_DISPLAY,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hv_console_finalize (GObject *object)
{
  HvConsole *self = HV_CONSOLE (object);

  g_free (self->instance);
  g_free (self->host);
  g_free (self->user);
  g_strfreev (self->command);
  g_free (self->message);

  G_OBJECT_CLASS (hv_console_parent_class)->finalize (object);
}

static void
hv_console_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  HvConsole *self = HV_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_INSTANCE:
      g_value_set_string (value, self->instance);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_int64 (value, self->port);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_COMMAND:
      g_value_set_boxed (value, self->command);
      break;
    case PROP_DISPLAY:
      g_value_set_int64 (value, self->display);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_console_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  HvConsole *self = HV_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      hv_console_set_kind (self, g_value_get_enum (value));
      break;
    case PROP_INSTANCE:
      hv_console_set_instance (self, g_value_get_string (value));
      break;
    case PROP_HOST:
      hv_console_set_host (self, g_value_get_string (value));
      break;
    case PROP_PORT:
      hv_console_set_port (self, g_value_get_int64 (value));
      break;
    case PROP_USER:
      hv_console_set_user (self, g_value_get_string (value));
      break;
    case PROP_COMMAND:
      hv_console_set_command (self, g_value_get_boxed (value));
      break;
    case PROP_DISPLAY:
      hv_console_set_display (self, g_value_get_int64 (value));
      break;
    case PROP_MESSAGE:
      hv_console_set_message (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_console_class_init (HvConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hv_console_finalize;
  object_class->get_property = hv_console_get_property;
  object_class->set_property = hv_console_set_property;

  /**
   * HvConsole:kind:
   *
   * The kind of console; in a{sv}, the nick of the value.
   *
   * Since: 1.0
   */
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, HV_TYPE_CONSOLE_KIND, HV_CONSOLE_KIND_MESSAGE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvConsole:instance:
   *
   * The name of the instance.
   *
   * Since: 1.0
   */
  properties[PROP_INSTANCE] =
    g_param_spec_string ("instance", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvConsole:host:
   *
   * The host to connect to: the node for %HV_CONSOLE_KIND_SSH, the
   * address the display listens on for VNC and SPICE.
   *
   * Since: 1.0
   */
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvConsole:port:
   *
   * The TCP port of a VNC or SPICE display, or 0.
   *
   * Since: 1.0
   */
  properties[PROP_PORT] =
    g_param_spec_int64 ("port", NULL, NULL, 0, 65535, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvConsole:user:
   *
   * The user to log in as on the host, for %HV_CONSOLE_KIND_SSH.
   *
   * Since: 1.0
   */
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvConsole:command:
   *
   * The command to run on the host for %HV_CONSOLE_KIND_SSH, as an
   * argument vector.
   *
   * Since: 1.0
   */
  properties[PROP_COMMAND] =
    g_param_spec_boxed ("command", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvConsole:display:
   *
   * The VNC display number (the port minus 5900), or 0.
   *
   * Since: 1.0
   */
  properties[PROP_DISPLAY] =
    g_param_spec_int64 ("display", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvConsole:message:
   *
   * What to tell the user for %HV_CONSOLE_KIND_MESSAGE (for example,
   * that the instance has no console).
   *
   * Since: 1.0
   */
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_console_init (HvConsole *self)
{
  self->kind = HV_CONSOLE_KIND_MESSAGE;
}

/**
 * hv_console_new:
 * @kind: the kind of console
 * @instance: the instance's name
 *
 * A console of @kind for @instance; the driver fills in the rest.
 *
 * Returns: (transfer full): a new #HvConsole
 *
 * Since: 1.0
 */
HvConsole *
hv_console_new (HvConsoleKind  kind,
                const gchar   *instance)
{
  g_return_val_if_fail (instance != NULL, NULL);

  return g_object_new (HV_TYPE_CONSOLE, "kind", kind, "instance", instance, NULL);
}

/**
 * hv_console_new_from_variant:
 * @dict: an a{sv} (see #HvConsole for its keys)
 * @error: return location for a #GError
 *
 * Reads a console from its a{sv} form. Keys it does not know are kept
 * and written back by hv_console_to_variant().
 *
 * Returns: (transfer full): a new #HvConsole, or %NULL with
 *   %HV_ERROR_INVALID_PARAMETER when a key has a value of the wrong type
 *
 * Since: 1.0
 */
HvConsole *
hv_console_new_from_variant (GVariant *dict,
                             GError  **error)
{
  g_autoptr(HvConsole) self = NULL;

  g_return_val_if_fail (dict != NULL, NULL);
  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HV_TYPE_CONSOLE, NULL);
  if (!hv_variant_read_object (G_OBJECT (self), dict, NULL, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * hv_console_to_variant:
 * @self: a #HvConsole
 *
 * A console as an a{sv}, with any key it was read with that it does
 * not know, sorted by key.
 *
 * Returns: (transfer full): a new a{sv}, not floating
 *
 * Since: 1.0
 */
GVariant *
hv_console_to_variant (HvConsole *self)
{
  g_return_val_if_fail (HV_IS_CONSOLE (self), NULL);

  return hv_variant_object_to_dict (G_OBJECT (self));
}

/**
 * hv_console_get_kind:
 * @self: a #HvConsole
 *
 * Returns: the kind of console
 *
 * Since: 1.0
 */
HvConsoleKind
hv_console_get_kind (HvConsole *self)
{
  g_return_val_if_fail (HV_IS_CONSOLE (self), HV_CONSOLE_KIND_MESSAGE);

  return self->kind;
}

/**
 * hv_console_set_kind:
 * @self: a #HvConsole
 * @kind: the kind of console
 *
 * Sets #HvConsole:kind.
 *
 * Since: 1.0
 */
void
hv_console_set_kind (HvConsole     *self,
                     HvConsoleKind  kind)
{
  g_return_if_fail (HV_IS_CONSOLE (self));

  if (self->kind == kind)
    return;
  self->kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
}

/**
 * hv_console_get_instance:
 * @self: a #HvConsole
 *
 * Returns: (nullable): the instance's name
 *
 * Since: 1.0
 */
const gchar *
hv_console_get_instance (HvConsole *self)
{
  g_return_val_if_fail (HV_IS_CONSOLE (self), NULL);

  return self->instance;
}

/**
 * hv_console_set_instance:
 * @self: a #HvConsole
 * @instance: (nullable): the instance's name
 *
 * Sets #HvConsole:instance.
 *
 * Since: 1.0
 */
void
hv_console_set_instance (HvConsole   *self,
                         const gchar *instance)
{
  g_return_if_fail (HV_IS_CONSOLE (self));

  if (hv_set_str (&self->instance, instance))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INSTANCE]);
}

/**
 * hv_console_get_host:
 * @self: a #HvConsole
 *
 * Returns: (nullable): the host
 *
 * Since: 1.0
 */
const gchar *
hv_console_get_host (HvConsole *self)
{
  g_return_val_if_fail (HV_IS_CONSOLE (self), NULL);

  return self->host;
}

/**
 * hv_console_set_host:
 * @self: a #HvConsole
 * @host: (nullable): the host
 *
 * Sets #HvConsole:host.
 *
 * Since: 1.0
 */
void
hv_console_set_host (HvConsole   *self,
                     const gchar *host)
{
  g_return_if_fail (HV_IS_CONSOLE (self));

  if (hv_set_str (&self->host, host))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
}

/**
 * hv_console_get_port:
 * @self: a #HvConsole
 *
 * Returns: the TCP port, or 0
 *
 * Since: 1.0
 */
gint64
hv_console_get_port (HvConsole *self)
{
  g_return_val_if_fail (HV_IS_CONSOLE (self), 0);

  return self->port;
}

/**
 * hv_console_set_port:
 * @self: a #HvConsole
 * @port: the TCP port, or 0
 *
 * Sets #HvConsole:port.
 *
 * Since: 1.0
 */
void
hv_console_set_port (HvConsole *self,
                     gint64     port)
{
  g_return_if_fail (HV_IS_CONSOLE (self));
  g_return_if_fail (port >= 0 && port <= 65535);

  if (self->port == port)
    return;
  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

/**
 * hv_console_get_user:
 * @self: a #HvConsole
 *
 * Returns: (nullable): the user
 *
 * Since: 1.0
 */
const gchar *
hv_console_get_user (HvConsole *self)
{
  g_return_val_if_fail (HV_IS_CONSOLE (self), NULL);

  return self->user;
}

/**
 * hv_console_set_user:
 * @self: a #HvConsole
 * @user: (nullable): the user
 *
 * Sets #HvConsole:user.
 *
 * Since: 1.0
 */
void
hv_console_set_user (HvConsole   *self,
                     const gchar *user)
{
  g_return_if_fail (HV_IS_CONSOLE (self));

  if (hv_set_str (&self->user, user))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

/**
 * hv_console_get_command:
 * @self: a #HvConsole
 *
 * Returns: (nullable) (transfer none) (array zero-terminated=1): the command
 *
 * Since: 1.0
 */
const gchar * const *
hv_console_get_command (HvConsole *self)
{
  g_return_val_if_fail (HV_IS_CONSOLE (self), NULL);

  return (const gchar * const *) self->command;
}

/**
 * hv_console_set_command:
 * @self: a #HvConsole
 * @command: (nullable) (array zero-terminated=1): the command
 *
 * Sets #HvConsole:command.
 *
 * Since: 1.0
 */
void
hv_console_set_command (HvConsole           *self,
                        const gchar * const *command)
{
  g_return_if_fail (HV_IS_CONSOLE (self));

  if (hv_set_strv (&self->command, command))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMMAND]);
}

/**
 * hv_console_get_display:
 * @self: a #HvConsole
 *
 * Returns: the VNC display
 *
 * Since: 1.0
 */
gint64
hv_console_get_display (HvConsole *self)
{
  g_return_val_if_fail (HV_IS_CONSOLE (self), 0);

  return self->display;
}

/**
 * hv_console_set_display:
 * @self: a #HvConsole
 * @display: the VNC display
 *
 * Sets #HvConsole:display.
 *
 * Since: 1.0
 */
void
hv_console_set_display (HvConsole *self,
                        gint64     display)
{
  g_return_if_fail (HV_IS_CONSOLE (self));
  g_return_if_fail (display >= 0);

  if (self->display == display)
    return;
  self->display = display;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY]);
}

/**
 * hv_console_get_message:
 * @self: a #HvConsole
 *
 * Returns: (nullable): the message
 *
 * Since: 1.0
 */
const gchar *
hv_console_get_message (HvConsole *self)
{
  g_return_val_if_fail (HV_IS_CONSOLE (self), NULL);

  return self->message;
}

/**
 * hv_console_set_message:
 * @self: a #HvConsole
 * @message: (nullable): the message
 *
 * Sets #HvConsole:message.
 *
 * Since: 1.0
 */
void
hv_console_set_message (HvConsole   *self,
                        const gchar *message)
{
  g_return_if_fail (HV_IS_CONSOLE (self));

  if (hv_set_str (&self->message, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}
