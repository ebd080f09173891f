/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvInstanceInfo"

#include "config.h"

#include "hv-instance-info.h"
#include "hv-enum-types.h"
#include "hv-variant-private.h"

/**
 * HvInstanceInfo:
 *
 * What a driver knows about a running instance: Ganeti's instance info
 * tuple, named.
 *
 * As a{sv}: `name` s, `pid` x (the process, 0 when there is none), `memory`
 * x (MiB the guest has now), `vcpus` x, `state` s (the nick of an
 * #HvInstanceState: `running`, `paused`, …) and `cpu_time` d (seconds of CPU
 * the instance has used).
 *
 * Since: 1.0
 */

struct _HvInstanceInfo {
  GObject parent_instance;

  gchar *name;
  gint64 pid;
  gint64 memory;
  gint64 vcpus;
  HvInstanceState state;
  gdouble cpu_time;
};

G_DEFINE_FINAL_TYPE (HvInstanceInfo, hv_instance_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_PID,
  PROP_MEMORY,
  PROP_VCPUS,
  PROP_STATE,
  PROP_CPU_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hv_instance_info_finalize (GObject *object)
{
  HvInstanceInfo *self = HV_INSTANCE_INFO (object);

  g_free (self->name);

  G_OBJECT_CLASS (hv_instance_info_parent_class)->finalize (object);
}

static void
hv_instance_info_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  HvInstanceInfo *self = HV_INSTANCE_INFO (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_PID:
      g_value_set_int64 (value, self->pid);
      break;
    case PROP_MEMORY:
      g_value_set_int64 (value, self->memory);
      break;
    case PROP_VCPUS:
      g_value_set_int64 (value, self->vcpus);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_CPU_TIME:
      g_value_set_double (value, self->cpu_time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_instance_info_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  HvInstanceInfo *self = HV_INSTANCE_INFO (object);

  switch (prop_id)
    {
    case PROP_NAME:
      hv_instance_info_set_name (self, g_value_get_string (value));
      break;
    case PROP_PID:
      hv_instance_info_set_pid (self, g_value_get_int64 (value));
      break;
    case PROP_MEMORY:
      hv_instance_info_set_memory (self, g_value_get_int64 (value));
      break;
    case PROP_VCPUS:
      hv_instance_info_set_vcpus (self, g_value_get_int64 (value));
      break;
    case PROP_STATE:
      hv_instance_info_set_state (self, g_value_get_enum (value));
      break;
    case PROP_CPU_TIME:
      hv_instance_info_set_cpu_time (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_instance_info_class_init (HvInstanceInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hv_instance_info_finalize;
  object_class->get_property = hv_instance_info_get_property;
  object_class->set_property = hv_instance_info_set_property;

  /**
   * HvInstanceInfo:name:
   *
   * The instance's name.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvInstanceInfo:pid:
   *
   * The process id of the instance, or 0 when there is no process.
   *
   * Since: 1.0
   */
  properties[PROP_PID] =
    g_param_spec_int64 ("pid", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvInstanceInfo:memory:
   *
   * The memory the guest has now, in MiB (after ballooning).
   *
   * Since: 1.0
   */
  properties[PROP_MEMORY] =
    g_param_spec_int64 ("memory", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvInstanceInfo:vcpus:
   *
   * The number of virtual CPUs.
   *
   * Since: 1.0
   */
  properties[PROP_VCPUS] =
    g_param_spec_int64 ("vcpus", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvInstanceInfo:state:
   *
   * The instance's state; in a{sv}, the nick of the value.
   *
   * Since: 1.0
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, HV_TYPE_INSTANCE_STATE, HV_INSTANCE_STATE_UNKNOWN,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HvInstanceInfo:cpu-time:
   *
   * The CPU time the instance has used, in seconds. Its variant key is
   * `cpu_time`.
   *
   * Since: 1.0
   */
  properties[PROP_CPU_TIME] =
    g_param_spec_double ("cpu-time", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_instance_info_init (HvInstanceInfo *self)
{
  self->state = HV_INSTANCE_STATE_UNKNOWN;
}

/**
 * hv_instance_info_new:
 * @name: the instance's name
 *
 * Information about the instance @name, in state
 * %HV_INSTANCE_STATE_UNKNOWN; the driver fills in the rest.
 *
 * Returns: (transfer full): a new #HvInstanceInfo
 *
 * Since: 1.0
 */
HvInstanceInfo *
hv_instance_info_new (const gchar *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (HV_TYPE_INSTANCE_INFO, "name", name, NULL);
}

/**
 * hv_instance_info_new_from_variant:
 * @dict: an a{sv} (see #HvInstanceInfo for its keys)
 * @error: return location for a #GError
 *
 * Reads instance information from its a{sv} form. Keys it does not know are kept
 * and written back by hv_instance_info_to_variant().
 *
 * Returns: (transfer full): a new #HvInstanceInfo, or %NULL with
 *   %HV_ERROR_INVALID_PARAMETER when a key has a value of the wrong type
 *
 * Since: 1.0
 */
HvInstanceInfo *
hv_instance_info_new_from_variant (GVariant *dict,
                                   GError  **error)
{
  g_autoptr(HvInstanceInfo) self = NULL;

  g_return_val_if_fail (dict != NULL, NULL);
  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HV_TYPE_INSTANCE_INFO, NULL);
  if (!hv_variant_read_object (G_OBJECT (self), dict, NULL, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * hv_instance_info_to_variant:
 * @self: a #HvInstanceInfo
 *
 * Instance information as an a{sv}, with any key it was read with that it does
 * not know, sorted by key.
 *
 * Returns: (transfer full): a new a{sv}, not floating
 *
 * Since: 1.0
 */
GVariant *
hv_instance_info_to_variant (HvInstanceInfo *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE_INFO (self), NULL);

  return hv_variant_object_to_dict (G_OBJECT (self));
}

/**
 * hv_instance_info_get_name:
 * @self: a #HvInstanceInfo
 *
 * Returns: (nullable): the instance's name
 *
 * Since: 1.0
 */
const gchar *
hv_instance_info_get_name (HvInstanceInfo *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE_INFO (self), NULL);

  return self->name;
}

/**
 * hv_instance_info_set_name:
 * @self: a #HvInstanceInfo
 * @name: (nullable): the instance's name
 *
 * Sets #HvInstanceInfo:name.
 *
 * Since: 1.0
 */
void
hv_instance_info_set_name (HvInstanceInfo *self,
                           const gchar    *name)
{
  g_return_if_fail (HV_IS_INSTANCE_INFO (self));

  if (hv_set_str (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * hv_instance_info_get_pid:
 * @self: a #HvInstanceInfo
 *
 * Returns: the process id, or 0
 *
 * Since: 1.0
 */
gint64
hv_instance_info_get_pid (HvInstanceInfo *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE_INFO (self), 0);

  return self->pid;
}

/**
 * hv_instance_info_set_pid:
 * @self: a #HvInstanceInfo
 * @pid: the process id, or 0
 *
 * Sets #HvInstanceInfo:pid.
 *
 * Since: 1.0
 */
void
hv_instance_info_set_pid (HvInstanceInfo *self,
                          gint64          pid)
{
  g_return_if_fail (HV_IS_INSTANCE_INFO (self));
  g_return_if_fail (pid >= 0);

  if (self->pid == pid)
    return;
  self->pid = pid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PID]);
}

/**
 * hv_instance_info_get_memory:
 * @self: a #HvInstanceInfo
 *
 * Returns: the memory in MiB
 *
 * Since: 1.0
 */
gint64
hv_instance_info_get_memory (HvInstanceInfo *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE_INFO (self), 0);

  return self->memory;
}

/**
 * hv_instance_info_set_memory:
 * @self: a #HvInstanceInfo
 * @memory: the memory in MiB
 *
 * Sets #HvInstanceInfo:memory.
 *
 * Since: 1.0
 */
void
hv_instance_info_set_memory (HvInstanceInfo *self,
                             gint64          memory)
{
  g_return_if_fail (HV_IS_INSTANCE_INFO (self));
  g_return_if_fail (memory >= 0);

  if (self->memory == memory)
    return;
  self->memory = memory;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY]);
}

/**
 * hv_instance_info_get_vcpus:
 * @self: a #HvInstanceInfo
 *
 * Returns: the number of virtual CPUs
 *
 * Since: 1.0
 */
gint64
hv_instance_info_get_vcpus (HvInstanceInfo *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE_INFO (self), 0);

  return self->vcpus;
}

/**
 * hv_instance_info_set_vcpus:
 * @self: a #HvInstanceInfo
 * @vcpus: the number of virtual CPUs
 *
 * Sets #HvInstanceInfo:vcpus.
 *
 * Since: 1.0
 */
void
hv_instance_info_set_vcpus (HvInstanceInfo *self,
                            gint64          vcpus)
{
  g_return_if_fail (HV_IS_INSTANCE_INFO (self));
  g_return_if_fail (vcpus >= 0);

  if (self->vcpus == vcpus)
    return;
  self->vcpus = vcpus;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VCPUS]);
}

/**
 * hv_instance_info_get_state:
 * @self: a #HvInstanceInfo
 *
 * Returns: the instance's state
 *
 * Since: 1.0
 */
HvInstanceState
hv_instance_info_get_state (HvInstanceInfo *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE_INFO (self), HV_INSTANCE_STATE_UNKNOWN);

  return self->state;
}

/**
 * hv_instance_info_set_state:
 * @self: a #HvInstanceInfo
 * @state: the instance's state
 *
 * Sets #HvInstanceInfo:state.
 *
 * Since: 1.0
 */
void
hv_instance_info_set_state (HvInstanceInfo  *self,
                            HvInstanceState  state)
{
  g_return_if_fail (HV_IS_INSTANCE_INFO (self));

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/**
 * hv_instance_info_get_cpu_time:
 * @self: a #HvInstanceInfo
 *
 * Returns: the CPU time in seconds
 *
 * Since: 1.0
 */
gdouble
hv_instance_info_get_cpu_time (HvInstanceInfo *self)
{
  g_return_val_if_fail (HV_IS_INSTANCE_INFO (self), 0.0);

  return self->cpu_time;
}

/**
 * hv_instance_info_set_cpu_time:
 * @self: a #HvInstanceInfo
 * @cpu_time: the CPU time in seconds
 *
 * Sets #HvInstanceInfo:cpu-time.
 *
 * Since: 1.0
 */
void
hv_instance_info_set_cpu_time (HvInstanceInfo *self,
                               gdouble         cpu_time)
{
  g_return_if_fail (HV_IS_INSTANCE_INFO (self));
  g_return_if_fail (cpu_time >= 0.0);

  if (self->cpu_time == cpu_time)
    return;
  self->cpu_time = cpu_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CPU_TIME]);
}
