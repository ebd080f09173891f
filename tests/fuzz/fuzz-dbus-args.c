/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "fuzz.h"
#include "hvd-args.h"
#include "hvd-argument-filter.h"
#include "hvd-interfaces.h"

/* What hvkitd does with the arguments of an incoming call before polkit
 * and the hypervisor see it (tools/hvkitd/hvd-args.c), without a bus: the
 * connection filter's check of the body against the method's signature,
 * then the reading of the instance, its name, the device and the enum
 * arguments.
 *
 * The input is one byte choosing the method (of org.hvkit.Hypervisor1,
 * then org.hvkit.Job1), then the body as a serialized GVariant of the
 * method's in signature, taken as it is (g_variant_new_from_bytes, not
 * trusted to be in normal form). If the first byte has its high bit set,
 * a NUL-terminated type string comes before the body and is the body's
 * type instead, so that the filter's refusals are driven too.
 *
 * Checked: the filter refuses exactly the bodies whose type is not the
 * signature; every refusal of the reader is InvalidArgs or
 * HV_ERROR_INVALID_PARAMETER, in valid UTF-8 (the reply's message is a
 * D-Bus string); a body reads the same as its normal form
 * (what GDBus would hand over); what was read writes back to a dictionary
 * that reads again the same. */

#define HV_FUZZ_MAX_TYPE_STRING 64

static GPtrArray *methods;      /* GDBusMethodInfo, in interface order */

static void
add_methods (GDBusInterfaceInfo *info)
{
  for (guint i = 0; info->methods != NULL && info->methods[i] != NULL; i++)
    g_ptr_array_add (methods, info->methods[i]);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_default_handler (hv_fuzz_log_handler, NULL);
  g_log_set_writer_func (hv_fuzz_log_writer, NULL, NULL);
  methods = g_ptr_array_new ();
  add_methods (hvd_hypervisor_interface_info ());
  add_methods (hvd_job_interface_info ());
  return 0;
}

static GVariantType *
method_signature (GDBusMethodInfo *method)
{
  g_autoptr(GString) type = g_string_new ("(");

  for (guint i = 0; method->in_args != NULL && method->in_args[i] != NULL; i++)
    g_string_append (type, method->in_args[i]->signature);
  g_string_append_c (type, ')');
  return g_variant_type_new (type->str);
}

/* What was read, as a (ms@ma{sv}@ma{sv}) of the name, the instance and the
 * device written back (or "(ms)" of an error's message), to compare a body
 * with its normal form; what was read must also read again the same. */
static GVariant *
read_call (GDBusMethodInfo *method,
           GVariant        *body)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *name = NULL;
  g_autoptr(HvInstance) instance = NULL;
  g_autoptr(HvDevice) device = NULL;
  g_autoptr(GVariant) instance_dict = NULL;
  g_autoptr(GVariant) device_dict = NULL;

  if (!hvd_args_read_call (method->name, body, &name, &instance, &device, &error))
    {
      hv_fuzz_assert (name == NULL && instance == NULL && device == NULL);
      hv_fuzz_assert (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS) ||
                      g_error_matches (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER));
      /* the reply carries it as a D-Bus string */
      hv_fuzz_assert (g_utf8_validate (error->message, -1, NULL));
      return g_variant_ref_sink (g_variant_new ("(s)", error->message));
    }

  /* VerifyHotplugSupport's enum arguments, read after authorization */
  if (g_str_equal (method->name, "VerifyHotplugSupport"))
    {
      const gchar *action, *type;
      gint value;

      g_variant_get (body, "(@a{sv}&s&s)", NULL, &action, &type);
      if (!hvd_args_get_enum (HV_TYPE_HOTPLUG_ACTION, action, "action", &value, &error) ||
          !hvd_args_get_enum (HV_TYPE_DEVICE_TYPE, type, "device_type", &value, &error))
        {
          hv_fuzz_assert (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS));
          hv_fuzz_assert (g_utf8_validate (error->message, -1, NULL));
          return g_variant_ref_sink (g_variant_new ("(s)", error->message));
        }
    }

  if (instance != NULL)
    {
      g_autoptr(GError) reread_error = NULL;
      g_autoptr(HvInstance) reread = NULL;
      g_autoptr(GVariant) reread_dict = NULL;

      hv_fuzz_assert (g_strcmp0 (name, hv_instance_get_name (instance)) == 0);
      instance_dict = hv_instance_to_variant (instance);
      reread = hv_instance_new_from_variant (instance_dict, &reread_error);
      if (reread == NULL)
        {
          fprintf (stderr, "instance does not read back: %s\n", reread_error->message);
          abort ();
        }
      reread_dict = hv_instance_to_variant (reread);
      hv_fuzz_assert (g_variant_equal (instance_dict, reread_dict));
    }
  if (device != NULL)
    {
      g_autoptr(GError) reread_error = NULL;
      g_autoptr(HvDevice) reread = NULL;
      g_autoptr(GVariant) reread_dict = NULL;

      device_dict = hv_device_to_variant (device);
      if (HV_IS_DISK (device))
        reread = HV_DEVICE (hv_disk_new_from_variant (device_dict, &reread_error));
      else
        reread = HV_DEVICE (hv_nic_new_from_variant (device_dict, &reread_error));
      if (reread == NULL)
        {
          fprintf (stderr, "device does not read back: %s\n", reread_error->message);
          abort ();
        }
      reread_dict = hv_device_to_variant (reread);
      hv_fuzz_assert (g_variant_equal (device_dict, reread_dict));
    }
  return g_variant_ref_sink (g_variant_new ("(ms@ma{sv}@ma{sv})", name,
                                            g_variant_new_maybe (G_VARIANT_TYPE_VARDICT,
                                                                 instance_dict),
                                            g_variant_new_maybe (G_VARIANT_TYPE_VARDICT,
                                                                 device_dict)));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GVariantType) signature = NULL;
  g_autoptr(GVariantType) type = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) body = NULL;
  g_autofree gchar *problem = NULL;
  GDBusMethodInfo *method;

  if (size < 1)
    return 0;
  method = g_ptr_array_index (methods, (data[0] & 0x7f) % methods->len);
  signature = method_signature (method);
  if (data[0] & 0x80)
    {
      const guint8 *end = memchr (data + 1, '\0', MIN (size - 1, HV_FUZZ_MAX_TYPE_STRING + 1));
      const gchar *type_string = (const gchar *) data + 1;

      /* a D-Bus body is a tuple of definite types */
      if (end == NULL || !g_variant_type_string_is_valid (type_string) ||
          type_string[0] != '(' || !g_variant_type_is_definite (G_VARIANT_TYPE (type_string)))
        return 0;
      type = g_variant_type_new (type_string);
      bytes = g_bytes_new (end + 1, size - (end + 1 - data));
    }
  else
    {
      type = g_variant_type_copy (signature);
      bytes = g_bytes_new (data + 1, size - 1);
    }
  body = g_variant_ref_sink (g_variant_new_from_bytes (type, bytes, FALSE));

  /* the connection filter: a body of the wrong type never reaches the
   * method, and only those are refused */
  problem = hvd_argument_filter_describe (method, body);
  hv_fuzz_assert ((problem == NULL) == g_variant_type_equal (type, signature));
  hv_fuzz_assert (problem == NULL || g_utf8_validate (problem, -1, NULL));
  if (problem != NULL || g_dbus_interface_info_lookup_method (hvd_hypervisor_interface_info (),
                                                              method->name) != method)
    return 0;

  {
    g_autoptr(GVariant) normal = g_variant_get_normal_form (body);
    g_autoptr(GVariant) as_given = read_call (method, body);
    g_autoptr(GVariant) as_normal = read_call (method, normal);

    if (!g_variant_equal (as_given, as_normal))
      {
        g_autofree gchar *given_text = g_variant_print (as_given, FALSE);
        g_autofree gchar *normal_text = g_variant_print (as_normal, FALSE);

        fprintf (stderr, "as given: %s\nin normal form: %s\n", given_text, normal_text);
        abort ();
      }
  }
  return 0;
}
