/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvError"

#include "config.h"

#include <gio/gio.h>

#include "hv-error.h"

/* HV_ERROR is an extended error domain: a GError of it may carry QEMU's
 * error class (GenericError, DeviceNotFound, …) next to its message, so code
 * can branch on the class without parsing text. */
typedef struct {
  gchar *qmp_class;
} HvErrorPrivate;

static const GDBusErrorEntry hv_error_dbus_entries[] = {
  { HV_ERROR_FAILED, "org.hvkit.Error.Failed" },
  { HV_ERROR_HOTPLUG, "org.hvkit.Error.Hotplug" },
  { HV_ERROR_NOT_SUPPORTED, "org.hvkit.Error.NotSupported" },
  { HV_ERROR_INVALID_PARAMETER, "org.hvkit.Error.InvalidParameter" },
  { HV_ERROR_NOT_RUNNING, "org.hvkit.Error.NotRunning" },
  { HV_ERROR_ALREADY_RUNNING, "org.hvkit.Error.AlreadyRunning" },
  { HV_ERROR_MONITOR, "org.hvkit.Error.Monitor" },
  { HV_ERROR_MIGRATION, "org.hvkit.Error.Migration" },
  { HV_ERROR_TIMEOUT, "org.hvkit.Error.Timeout" },
  { HV_ERROR_RUNTIME_CORRUPT, "org.hvkit.Error.RuntimeCorrupt" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (hv_error_dbus_entries) == HV_ERROR_RUNTIME_CORRUPT);

/* GLib stores the private part before the GError, at the size of the
 * private struct rounded up to twice the size of a pointer-sized integer,
 * the same rule G_DEFINE_EXTENDED_ERROR uses. */
static inline gsize
hv_error_private_offset (void)
{
  const gsize align = 2 * sizeof (gsize);

  return (sizeof (HvErrorPrivate) + (align - 1)) & -align;
}

#define HV_ERROR_PRIVATE(error) \
  ((HvErrorPrivate *) (((guint8 *) (error)) - hv_error_private_offset ()))

static void
hv_error_private_init (HvErrorPrivate *priv)
{
  priv->qmp_class = NULL;
}

static void
hv_error_private_copy (const HvErrorPrivate *src,
                       HvErrorPrivate       *dest)
{
  dest->qmp_class = g_strdup (src->qmp_class);
}

static void
hv_error_private_clear (HvErrorPrivate *priv)
{
  g_clear_pointer (&priv->qmp_class, g_free);
}

static void
hv_error_private_init_cb (GError *error)
{
  hv_error_private_init (HV_ERROR_PRIVATE (error));
}

static void
hv_error_private_copy_cb (const GError *src_error,
                          GError       *dest_error)
{
  hv_error_private_copy (HV_ERROR_PRIVATE (src_error), HV_ERROR_PRIVATE (dest_error));
}

static void
hv_error_private_clear_cb (GError *error)
{
  hv_error_private_clear (HV_ERROR_PRIVATE (error));
}

/**
 * hv_error_quark:
 *
 * The quark of the %HV_ERROR domain. The first call also registers every
 * #HvError code as a D-Bus error name, `org.hvkit.Error.<Name>`.
 *
 * Returns: the error domain quark
 *
 * Since: 1.0
 */
GQuark
hv_error_quark (void)
{
  static gsize quark = 0;

  if (g_once_init_enter (&quark))
    {
      static gsize dbus_quark = 0;
      GQuark q;

      /* The extended domain must exist before GDBus looks the name up, so
       * that both refer to the same quark. */
      q = g_error_domain_register_static ("hv-error-quark",
                                          sizeof (HvErrorPrivate),
                                          hv_error_private_init_cb,
                                          hv_error_private_copy_cb,
                                          hv_error_private_clear_cb);
      g_dbus_error_register_error_domain ("hv-error-quark", &dbus_quark,
                                          hv_error_dbus_entries,
                                          G_N_ELEMENTS (hv_error_dbus_entries));
      g_once_init_leave (&quark, q);
    }

  return (GQuark) quark;
}

static HvErrorPrivate *
hv_error_get_private (const GError *error)
{
  if (error == NULL || error->domain != HV_ERROR)
    return NULL;
  return HV_ERROR_PRIVATE (error);
}

/**
 * hv_error_get_qmp_class:
 * @error: a #GError
 *
 * The QEMU error class an %HV_ERROR_MONITOR error carries, such as
 * `GenericError`, `DeviceNotFound` or `CommandNotFound`.
 *
 * Returns: (nullable): the class, or %NULL when @error is not of the
 *   %HV_ERROR domain or carries none
 *
 * Since: 1.0
 */
const gchar *
hv_error_get_qmp_class (const GError *error)
{
  HvErrorPrivate *priv = hv_error_get_private (error);

  return priv != NULL ? priv->qmp_class : NULL;
}

/**
 * hv_error_set_qmp_class:
 * @error: a #GError of the %HV_ERROR domain
 * @qmp_class: (nullable): QEMU's error class
 *
 * Attaches QEMU's error class to @error. Drivers call it when they turn a
 * QMP error reply into an %HV_ERROR_MONITOR error.
 *
 * Since: 1.0
 */
void
hv_error_set_qmp_class (GError      *error,
                        const gchar *qmp_class)
{
  HvErrorPrivate *priv;

  g_return_if_fail (error != NULL);
  g_return_if_fail (error->domain == HV_ERROR);

  priv = hv_error_get_private (error);
  g_free (priv->qmp_class);
  priv->qmp_class = g_strdup (qmp_class);
}
