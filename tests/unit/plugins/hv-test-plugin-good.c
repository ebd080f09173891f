/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A well-formed plugin: a hypervisor that implements nothing but takes a
 * configuration, and whose initialization fails when it says "fail". */

#include <gio/gio.h>

#include "hvkit-driver.h"

#define HV_TYPE_TEST_HYPERVISOR (hv_test_hypervisor_get_type ())
G_DECLARE_FINAL_TYPE (HvTestHypervisor, hv_test_hypervisor, HV, TEST_HYPERVISOR, GObject)

struct _HvTestHypervisor {
  GObject   parent_instance;
  GVariant *config;
  gboolean  initialized;
};

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_INITIALIZED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void hv_test_hypervisor_iface_init (HvHypervisorInterface *iface);
static void hv_test_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HvTestHypervisor, hv_test_hypervisor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HV_TYPE_HYPERVISOR,
                                                      hv_test_hypervisor_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      hv_test_initable_iface_init))

static gboolean
hv_test_hypervisor_init_initable (GInitable     *initable,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  HvTestHypervisor *self = HV_TEST_HYPERVISOR (initable);

  if (self->config != NULL && g_variant_lookup (self->config, "fail", "b", NULL))
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                           "the test hypervisor was told to fail");
      return FALSE;
    }
  self->initialized = TRUE;
  return TRUE;
}

static void
hv_test_initable_iface_init (GInitableIface *iface)
{
  iface->init = hv_test_hypervisor_init_initable;
}

static void
hv_test_hypervisor_iface_init (HvHypervisorInterface *iface)
{
  /* every method keeps the interface's default */
}

static void
hv_test_hypervisor_finalize (GObject *object)
{
  HvTestHypervisor *self = HV_TEST_HYPERVISOR (object);

  g_clear_pointer (&self->config, g_variant_unref);
  G_OBJECT_CLASS (hv_test_hypervisor_parent_class)->finalize (object);
}

static void
hv_test_hypervisor_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HvTestHypervisor *self = HV_TEST_HYPERVISOR (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_variant (value, self->config);
      break;
    case PROP_INITIALIZED:
      g_value_set_boolean (value, self->initialized);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_test_hypervisor_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  HvTestHypervisor *self = HV_TEST_HYPERVISOR (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_clear_pointer (&self->config, g_variant_unref);
      self->config = g_value_dup_variant (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hv_test_hypervisor_class_init (HvTestHypervisorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hv_test_hypervisor_finalize;
  object_class->get_property = hv_test_hypervisor_get_property;
  object_class->set_property = hv_test_hypervisor_set_property;

  properties[PROP_CONFIG] =
    g_param_spec_variant ("config", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS);
  properties[PROP_INITIALIZED] =
    g_param_spec_boolean ("initialized", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hv_test_hypervisor_init (HvTestHypervisor *self)
{
}

HV_PLUGIN_DEFINE ("good", hv_test_hypervisor_get_type);
