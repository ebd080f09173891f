/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvKvmQmp"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "hvkit.h"
#include "hv-kvm-qmp-json.h"
#include "hv-kvm-qmp-message.h"

static gboolean
set_malformed (GError    **error,
               const gchar *what)
{
  g_set_error (error, HV_ERROR, HV_ERROR_MONITOR, _("Malformed QMP message: %s"), what);
  return FALSE;
}

/* QEMU sends {"seconds": -1, "microseconds": -1} when it has no clock;
 * anything that does not fit in microseconds since the epoch is "unknown"
 * too rather than an error: a timestamp is informative only. */
static gint64
parse_timestamp (JsonObject *timestamp)
{
  gint64 seconds, microseconds;

  if (timestamp == NULL ||
      !hv_kvm_qmp_json_get_int (timestamp, "seconds", &seconds) ||
      !hv_kvm_qmp_json_get_int (timestamp, "microseconds", &microseconds))
    return -1;
  if (seconds < 0 || seconds > G_MAXINT64 / G_USEC_PER_SEC - 1 ||
      microseconds < 0 || microseconds >= G_USEC_PER_SEC)
    return -1;
  return seconds * G_USEC_PER_SEC + microseconds;
}

static gboolean
init_event (HvKvmQmpMessage *self,
            JsonObject      *object,
            GError         **error)
{
  JsonNode *data;

  self->kind = HV_KVM_QMP_MESSAGE_EVENT;
  self->event = hv_kvm_qmp_json_get_string (object, "event");
  if (self->event == NULL)
    return set_malformed (error, _("the event name is not a string"));

  data = json_object_get_member (object, "data");
  if (data != NULL && !JSON_NODE_HOLDS_OBJECT (data))
    return set_malformed (error, _("the event data is not an object"));
  self->data = data != NULL ? json_node_get_object (data) : NULL;
  self->timestamp = parse_timestamp (hv_kvm_qmp_json_get_object (object, "timestamp"));
  return TRUE;
}

static gboolean
init_error (HvKvmQmpMessage *self,
            JsonObject      *object,
            GError         **error)
{
  JsonObject *qmp_error = hv_kvm_qmp_json_get_object (object, "error");

  self->kind = HV_KVM_QMP_MESSAGE_ERROR;
  if (qmp_error == NULL)
    return set_malformed (error, _("the error is not an object"));
  self->error_class = hv_kvm_qmp_json_get_string (qmp_error, "class");
  self->error_desc = hv_kvm_qmp_json_get_string (qmp_error, "desc");
  if (self->error_class == NULL || self->error_desc == NULL)
    return set_malformed (error, _("the error has no class or description"));
  return TRUE;
}

/**
 * hv_kvm_qmp_message_init:
 * @self: an uninitialised message
 * @root: (transfer full): a message from hv_kvm_qmp_parser_next()
 * @error: set when @root is no QMP message
 *
 * Classifies @root. @self owns @root whether this succeeds or not; clear
 * it with hv_kvm_qmp_message_clear() either way.
 */
gboolean
hv_kvm_qmp_message_init (HvKvmQmpMessage *self,
                         JsonNode        *root,
                         GError         **error)
{
  JsonObject *object;

  memset (self, 0, sizeof *self);
  self->root = root;
  self->timestamp = -1;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return set_malformed (error, _("not a JSON object"));
  object = json_node_get_object (root);
  self->id = json_object_get_member (object, "id");

  if (json_object_has_member (object, "QMP"))
    {
      self->kind = HV_KVM_QMP_MESSAGE_GREETING;
      self->greeting = hv_kvm_qmp_json_get_object (object, "QMP");
      if (self->greeting == NULL)
        return set_malformed (error, _("the greeting is not an object"));
      return TRUE;
    }
  if (json_object_has_member (object, "event"))
    return init_event (self, object, error);
  if (json_object_has_member (object, "return"))
    {
      self->kind = HV_KVM_QMP_MESSAGE_RETURN;
      self->value = json_object_get_member (object, "return");
      return TRUE;
    }
  if (json_object_has_member (object, "error"))
    return init_error (self, object, error);

  return set_malformed (error, _("neither a greeting, an event nor a reply"));
}

void
hv_kvm_qmp_message_clear (HvKvmQmpMessage *self)
{
  g_clear_pointer (&self->root, json_node_unref);
}

/* TRUE if the message's id is one hvkit could have made: hvkit numbers its
 * commands with JSON integers (the shortest id; see send_command()). */
gboolean
hv_kvm_qmp_message_get_serial (const HvKvmQmpMessage *self,
                               guint64               *out_serial)
{
  gint64 serial;

  if (self->id == NULL || !JSON_NODE_HOLDS_VALUE (self->id) ||
      json_node_get_value_type (self->id) != G_TYPE_INT64)
    return FALSE;
  serial = json_node_get_int (self->id);
  if (serial < 0)
    return FALSE;
  *out_serial = (guint64) serial;
  return TRUE;
}

static gboolean
get_version_part (JsonObject *qemu,
                  const gchar *name,
                  guint       *out_value)
{
  gint64 value;

  if (!hv_kvm_qmp_json_get_int (qemu, name, &value) || value < 0 || value > G_MAXUINT)
    return FALSE;
  *out_value = (guint) value;
  return TRUE;
}

/**
 * hv_kvm_qmp_greeting_init:
 * @self: an uninitialised greeting
 * @message: a %HV_KVM_QMP_MESSAGE_GREETING
 * @error: set when the greeting lacks the version or capabilities
 */
gboolean
hv_kvm_qmp_greeting_init (HvKvmQmpGreeting      *self,
                          const HvKvmQmpMessage *message,
                          GError               **error)
{
  g_autoptr(GPtrArray) capabilities = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  JsonObject *version, *qemu;
  JsonArray *offered;

  memset (self, 0, sizeof *self);
  g_return_val_if_fail (message->kind == HV_KVM_QMP_MESSAGE_GREETING, FALSE);

  version = hv_kvm_qmp_json_get_object (message->greeting, "version");
  qemu = version != NULL ? hv_kvm_qmp_json_get_object (version, "qemu") : NULL;
  if (qemu == NULL ||
      !get_version_part (qemu, "major", &self->major) ||
      !get_version_part (qemu, "minor", &self->minor) ||
      !get_version_part (qemu, "micro", &self->micro))
    return set_malformed (error, _("the greeting has no QEMU version"));
  self->package = g_strdup (hv_kvm_qmp_json_get_string (version, "package"));

  offered = hv_kvm_qmp_json_get_array (message->greeting, "capabilities");
  if (offered == NULL)
    return set_malformed (error, _("the greeting has no capabilities"));
  for (guint i = 0; i < json_array_get_length (offered); i++)
    {
      JsonNode *node = json_array_get_element (offered, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return set_malformed (error, _("a capability is not a string"));
      g_ptr_array_add (capabilities, g_strdup (json_node_get_string (node)));
    }
  self->capabilities = (GStrv) g_ptr_array_free (g_steal_pointer (&capabilities), FALSE);
  return TRUE;
}

void
hv_kvm_qmp_greeting_clear (HvKvmQmpGreeting *self)
{
  g_clear_pointer (&self->package, g_free);
  g_clear_pointer (&self->capabilities, g_strfreev);
}
