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
#include "hv-kvm-qmp-parser.h"

/* Reads go straight into the buffer: it starts this big, and a read is
 * offered at least MIN_READ_SIZE bytes. */
#define READ_SIZE ((gsize) 64 * 1024)
#define MIN_READ_SIZE ((gsize) 4096)

struct _HvKvmQmpParser {
  guint8     *data;
  gsize       capacity;
  gsize       start;     /* first byte of the next message */
  gsize       end;       /* end of the bytes received */
  gsize       scanned;   /* no newline in [start, scanned) */
  gsize       max_message_size;
  gsize       line_start;  /* the text of the message last returned */
  gsize       line_size;
  gboolean    failed;
};

HvKvmQmpParser *
hv_kvm_qmp_parser_new (gsize max_message_size)
{
  HvKvmQmpParser *self;

  g_return_val_if_fail (max_message_size > 0, NULL);

  self = g_new0 (HvKvmQmpParser, 1);
  self->max_message_size = max_message_size;
  return self;
}

void
hv_kvm_qmp_parser_free (HvKvmQmpParser *self)
{
  if (self == NULL)
    return;
  g_free (self->data);
  g_free (self);
}

void
hv_kvm_qmp_parser_reset (HvKvmQmpParser *self)
{
  self->start = self->end = self->scanned = 0;
  self->line_start = self->line_size = 0;
  self->failed = FALSE;
}

void
hv_kvm_qmp_parser_set_max_message_size (HvKvmQmpParser *self,
                                        gsize           max_message_size)
{
  g_return_if_fail (max_message_size > 0);
  self->max_message_size = max_message_size;
}

gsize
hv_kvm_qmp_parser_get_max_message_size (HvKvmQmpParser *self)
{
  return self->max_message_size;
}

/* Bytes received but not yet returned as messages. */
gsize
hv_kvm_qmp_parser_get_pending (HvKvmQmpParser *self)
{
  return self->end - self->start;
}

/* The text of the message hv_kvm_qmp_parser_next() returned last, for
 * logging; valid until the next reserve or push. */
const gchar *
hv_kvm_qmp_parser_get_line (HvKvmQmpParser *self,
                            gsize          *out_size)
{
  *out_size = self->line_size;
  return self->data != NULL ? (const gchar *) self->data + self->line_start : "";
}

/* A place to read into, at least MIN_READ_SIZE bytes; hand what was read to
 * hv_kvm_qmp_parser_commit(). The buffer starts at READ_SIZE and doubles
 * when a message does not fit, up to one maximal message plus a read, as
 * long as every commit is followed by hv_kvm_qmp_parser_next() until it
 * returns NULL. */
guint8 *
hv_kvm_qmp_parser_reserve (HvKvmQmpParser *self,
                           gsize          *out_size)
{
  if (self->start == self->end)
    {
      self->start = self->end = self->scanned = 0;
    }
  else if (self->capacity - self->end < MIN_READ_SIZE && self->start > 0)
    {
      memmove (self->data, self->data + self->start, self->end - self->start);
      self->end -= self->start;
      self->scanned -= self->start;
      self->start = 0;
    }

  if (self->capacity - self->end < MIN_READ_SIZE)
    {
      gsize bound = self->max_message_size + 2 + READ_SIZE;
      gsize capacity = MAX (self->capacity * 2, READ_SIZE);

      capacity = MAX (MIN (capacity, bound), self->end + MIN_READ_SIZE);
      self->capacity = capacity;
      self->data = g_realloc (self->data, self->capacity);
    }

  *out_size = self->capacity - self->end;
  return self->data + self->end;
}

void
hv_kvm_qmp_parser_commit (HvKvmQmpParser *self,
                          gsize           n_bytes)
{
  g_return_if_fail (n_bytes <= self->capacity - self->end);
  self->end += n_bytes;
}

void
hv_kvm_qmp_parser_push (HvKvmQmpParser *self,
                        const guint8   *data,
                        gsize           size)
{
  while (size > 0)
    {
      gsize room;
      guint8 *dest = hv_kvm_qmp_parser_reserve (self, &room);
      gsize n = MIN (room, size);

      memcpy (dest, data, n);
      hv_kvm_qmp_parser_commit (self, n);
      data += n;
      size -= n;
    }
}

static gboolean
fail (HvKvmQmpParser *self,
      GError        **error,
      GError         *reason)
{
  self->failed = TRUE;
  g_propagate_error (error, reason);
  return FALSE;
}

/* Outside strings, strict JSON has only structure, numbers and the three
 * literals. Refusing anything else (comments, single quotes: json-glib
 * accepts both) means the nesting counted here is the nesting json-glib
 * will recurse into. */
static gboolean
check_line (HvKvmQmpParser *self,
            const guint8   *line,
            gsize           size,
            GError        **error)
{
  gboolean in_string = FALSE;
  gint depth = 0;

  for (gsize i = 0; i < size; i++)
    {
      guint8 c = line[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > HV_KVM_QMP_MAX_NESTING)
            return fail (self, error,
                         g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                      _("Malformed QMP message: nested deeper than %d levels"),
                                      HV_KVM_QMP_MAX_NESTING));
          break;
        case ']':
        case '}':
          if (--depth < 0)
            return fail (self, error,
                         g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                      _("Malformed QMP message: unbalanced “%c” at byte %lu"),
                                      c, (gulong) i));
          break;
        case ' ': case '\t': case '\r': case ',': case ':':
        case '-': case '+': case '.':
          break;
        default:
          if (!g_ascii_isalnum (c))
            return fail (self, error,
                         g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                                      _("Malformed QMP message: unexpected byte 0x%02x at byte %lu"),
                                      c, (gulong) i));
        }
    }
  return TRUE;
}

static gboolean
is_blank (const guint8 *line,
          gsize         size)
{
  for (gsize i = 0; i < size; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      return FALSE;
  return TRUE;
}

static JsonNode *
parse_line (HvKvmQmpParser *self,
            const guint8   *line,
            gsize           size,
            GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!check_line (self, line, size, error))
    return NULL;

  /* not json-glib's parser: hv-kvm-qmp-json-reader.c says why */
  root = hv_kvm_qmp_json_read ((const gchar *) line, size, HV_KVM_QMP_MAX_NESTING, &local_error);
  if (root == NULL)
    {
      fail (self, error,
            g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                         _("Malformed QMP message: %s"), local_error->message));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_clear_pointer (&root, json_node_unref);
      fail (self, error,
            g_error_new_literal (HV_ERROR, HV_ERROR_MONITOR,
                                 _("Malformed QMP message: not a JSON object")));
      return NULL;
    }
  return root;
}

/**
 * hv_kvm_qmp_parser_next:
 * @self: a parser
 * @error: set when the stream is broken
 *
 * Returns: (transfer full) (nullable): the next message, an object node;
 *   %NULL with @error unset when more bytes are needed
 */
JsonNode *
hv_kvm_qmp_parser_next (HvKvmQmpParser *self,
                        GError        **error)
{
  if (self->failed)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_MONITOR,
                           _("The QMP stream is broken by an earlier error"));
      return NULL;
    }

  for (;;)
    {
      const guint8 *line = self->data + self->start;
      const guint8 *newline;
      gsize size;

      newline = self->scanned < self->end ?
        memchr (self->data + self->scanned, '\n', self->end - self->scanned) : NULL;
      if (newline == NULL)
        {
          self->scanned = self->end;
          /* + 1: the '\r' of a maximal message may be here already */
          if (self->end - self->start > self->max_message_size + 1)
            break;
          return NULL;
        }

      size = (gsize) (newline - line);
      self->start = self->scanned = (gsize) (newline - self->data) + 1;
      if (size > 0 && line[size - 1] == '\r')
        size--;
      if (size > self->max_message_size)
        break;
      if (is_blank (line, size))
        continue;

      self->line_start = (gsize) (line - self->data);
      self->line_size = size;
      return parse_line (self, line, size, error);
    }

  fail (self, error,
        g_error_new (HV_ERROR, HV_ERROR_MONITOR,
                     _("QMP message larger than %lu bytes"),
                     (gulong) self->max_message_size));
  return NULL;
}
