/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvRuntimeStore"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "hv-crc32c-private.h"
#include "hv-error.h"
#include "hv-runtime-store-private.h"

/* The bytes of a runtime record file (all integers little-endian):
 *
 *    0  8  magic "HVKITREC"
 *    8  4  file format version, 1
 *   12  4  CRC-32C of every byte from offset 16 to the end
 *   16  4  record version, ≥ 1
 *   20  4  length T of the type string, 1 to 1024
 *   24  8  length P of the record
 *   32  T  the record's GVariant type string
 *          zero padding to a multiple of 8
 *       P  the record, a serialized GVariant in little-endian order
 *
 * The magic and format version are checked on their own, before the
 * checksum, so that "not a record" and "a newer format" are told apart
 * from damage. */

#define HV_RUNTIME_FORMAT_VERSION 1u
#define HV_RUNTIME_HEADER_SIZE    32u
#define HV_RUNTIME_MAX_TYPE       1024u

static const guint8 hv_runtime_magic[8] = { 'H', 'V', 'K', 'I', 'T', 'R', 'E', 'C' };

static inline gsize
hv_runtime_align8 (gsize n)
{
  return (n + 7) & ~(gsize) 7;
}

static inline guint32
hv_runtime_read_u32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static inline guint64
hv_runtime_read_u64 (const guint8 *p)
{
  return (guint64) hv_runtime_read_u32 (p) | (guint64) hv_runtime_read_u32 (p + 4) << 32;
}

static inline void
hv_runtime_write_u32 (guint8  *p,
                      guint32  v)
{
  for (guint i = 0; i < 4; i++)
    p[i] = (v >> (8 * i)) & 0xff;
}

static inline void
hv_runtime_write_u64 (guint8  *p,
                      guint64  v)
{
  hv_runtime_write_u32 (p, v & 0xffffffffu);
  hv_runtime_write_u32 (p + 4, v >> 32);
}

/* @source is already quoted ("'/run/hvkit/conf/a.runtime'"). */
void
hv_runtime_set_corrupt (GError      **error,
                        const gchar  *source,
                        const gchar  *format,
                        ...)
{
  g_autofree gchar *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
               _("Runtime record %s is corrupt: %s"), source, reason);
}

/* The file form of @record (any type) as record @version. */
GBytes *
hv_runtime_format_encode (guint      version,
                          GVariant  *record,
                          GError   **error)
{
  g_autoptr(GVariant) little = NULL;
  const gchar *type_string = g_variant_get_type_string (record);
  gsize type_length = strlen (type_string);
  gsize payload_offset = hv_runtime_align8 (HV_RUNTIME_HEADER_SIZE + type_length);
  gsize payload_size = g_variant_get_size (record);
  gsize total = payload_offset + payload_size;
  guint8 *buffer;

  if (type_length > HV_RUNTIME_MAX_TYPE || total > HV_RUNTIME_STORE_MAX_SIZE)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER,
                   _("A runtime record of %" G_GSIZE_FORMAT " bytes is larger than the limit of %u bytes"),
                   total, (guint) HV_RUNTIME_STORE_MAX_SIZE);
      return NULL;
    }

  little = G_BYTE_ORDER == G_BIG_ENDIAN ? g_variant_byteswap (record) : g_variant_ref (record);
  buffer = g_malloc0 (total);
  memcpy (buffer, hv_runtime_magic, sizeof hv_runtime_magic);
  hv_runtime_write_u32 (buffer + 8, HV_RUNTIME_FORMAT_VERSION);
  hv_runtime_write_u32 (buffer + 16, version);
  hv_runtime_write_u32 (buffer + 20, type_length);
  hv_runtime_write_u64 (buffer + 24, payload_size);
  memcpy (buffer + HV_RUNTIME_HEADER_SIZE, type_string, type_length);
  g_variant_store (little, buffer + payload_offset);
  hv_runtime_write_u32 (buffer + 12, hv_crc32c (buffer + 16, total - 16));

  return g_bytes_new_take (buffer, total);
}

static gboolean
hv_runtime_format_check_sizes (const guint8  *data,
                               gsize          size,
                               const gchar   *source,
                               GError       **error)
{
  guint32 format;
  guint64 type_length, payload_size, expected;

  if (size < HV_RUNTIME_HEADER_SIZE)
    {
      if (memcmp (data, hv_runtime_magic, MIN (size, sizeof hv_runtime_magic)) != 0)
        hv_runtime_set_corrupt (error, source, _("it is not an hvkit runtime record (wrong magic)"));
      else
        hv_runtime_set_corrupt (error, source,
                                _("it is truncated: %" G_GSIZE_FORMAT " bytes, shorter than the %u-byte header"),
                                size, HV_RUNTIME_HEADER_SIZE);
      return FALSE;
    }
  if (memcmp (data, hv_runtime_magic, sizeof hv_runtime_magic) != 0)
    {
      hv_runtime_set_corrupt (error, source, _("it is not an hvkit runtime record (wrong magic)"));
      return FALSE;
    }

  format = hv_runtime_read_u32 (data + 8);
  if (format != HV_RUNTIME_FORMAT_VERSION)
    {
      hv_runtime_set_corrupt (error, source, _("unknown file format version %u (this reader knows %u)"),
                              format, HV_RUNTIME_FORMAT_VERSION);
      return FALSE;
    }

  type_length = hv_runtime_read_u32 (data + 20);
  payload_size = hv_runtime_read_u64 (data + 24);
  if (type_length == 0 || type_length > HV_RUNTIME_MAX_TYPE || payload_size > HV_RUNTIME_STORE_MAX_SIZE)
    {
      hv_runtime_set_corrupt (error, source,
                              _("its header is damaged (type length %u, record size %" G_GUINT64_FORMAT ")"),
                              (guint) type_length, payload_size);
      return FALSE;
    }

  expected = hv_runtime_align8 (HV_RUNTIME_HEADER_SIZE + type_length) + payload_size;
  if (size < expected)
    {
      hv_runtime_set_corrupt (error, source,
                              _("it is truncated: %" G_GSIZE_FORMAT " bytes where the header announces %" G_GUINT64_FORMAT),
                              size, expected);
      return FALSE;
    }
  if (size > expected)
    {
      hv_runtime_set_corrupt (error, source, _("it has %" G_GUINT64_FORMAT " bytes of trailing data"),
                              (guint64) size - expected);
      return FALSE;
    }
  return TRUE;
}

/* Checks everything the header says: magic, format, sizes, checksum,
 * record version, type string and padding. The caller checks that the
 * version and type are ones it reads. */
gboolean
hv_runtime_format_decode (GBytes       *bytes,
                          const gchar  *source,
                          guint        *out_version,
                          gchar       **out_type_string,
                          GBytes      **out_payload,
                          GError      **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autofree gchar *type_string = NULL;
  gsize type_length, payload_offset;
  guint32 stored_crc, crc;
  guint version;

  if (data == NULL)
    data = (const guint8 *) "";
  if (!hv_runtime_format_check_sizes (data, size, source, error))
    return FALSE;

  stored_crc = hv_runtime_read_u32 (data + 12);
  crc = hv_crc32c (data + 16, size - 16);
  if (crc != stored_crc)
    {
      hv_runtime_set_corrupt (error, source, _("checksum mismatch (stored 0x%08x, computed 0x%08x)"),
                              stored_crc, crc);
      return FALSE;
    }

  version = hv_runtime_read_u32 (data + 16);
  if (version == 0)
    {
      hv_runtime_set_corrupt (error, source, _("record version 0 does not exist"));
      return FALSE;
    }

  type_length = hv_runtime_read_u32 (data + 20);
  payload_offset = hv_runtime_align8 (HV_RUNTIME_HEADER_SIZE + type_length);
  type_string = g_strndup ((const gchar *) data + HV_RUNTIME_HEADER_SIZE, type_length);
  if (strlen (type_string) != type_length || !g_variant_type_string_is_valid (type_string))
    {
      g_autofree gchar *shown = g_strescape (type_string, NULL);

      hv_runtime_set_corrupt (error, source, _("its record type '%s' is not a GVariant type"), shown);
      return FALSE;
    }
  for (gsize i = HV_RUNTIME_HEADER_SIZE + type_length; i < payload_offset; i++)
    {
      if (data[i] != 0)
        {
          hv_runtime_set_corrupt (error, source, _("its header padding is not zero"));
          return FALSE;
        }
    }

  *out_version = version;
  *out_type_string = g_steal_pointer (&type_string);
  *out_payload = g_bytes_new_from_bytes (bytes, payload_offset, size - payload_offset);
  return TRUE;
}

/* The record in @payload as a @type GVariant in host order, if it is in
 * normal form: GVariant reads any bytes as some value, so only normal
 * form tells that the bytes are what a writer made. */
GVariant *
hv_runtime_format_read_payload (const GVariantType  *type,
                                GBytes              *payload,
                                const gchar         *source,
                                GError             **error)
{
  g_autoptr(GVariant) untrusted = g_variant_ref_sink (g_variant_new_from_bytes (type, payload, FALSE));
  g_autoptr(GVariant) record = NULL;

  if (!g_variant_is_normal_form (untrusted))
    {
      hv_runtime_set_corrupt (error, source, _("its record is not in normal form"));
      return NULL;
    }
  /* Checked once: read as trusted, or GLib checks each child again on
   * every access, which made loading a record quadratic in its depth. */
  record = g_variant_ref_sink (g_variant_new_from_bytes (type, payload, TRUE));
  if (G_BYTE_ORDER == G_BIG_ENDIAN)
    return g_variant_byteswap (record);
  return g_steal_pointer (&record);
}
