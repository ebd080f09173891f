/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "hv-crc32c-private.h"

/* Reflected Castagnoli polynomial 0x1EDC6F41. */
#define HV_CRC32C_POLY 0x82f63b78u

/* Eight tables, so the loop folds eight bytes per step ("slicing by 8"):
 * a runtime record is checked on every load, and this keeps the checksum a
 * small part of it without depending on the CPU's crc32 instruction. */
static guint32 crc32c_table[8][256];

static void
hv_crc32c_init_tables (void)
{
  for (guint i = 0; i < 256; i++)
    {
      guint32 crc = i;

      for (guint bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ ((crc & 1) ? HV_CRC32C_POLY : 0);
      crc32c_table[0][i] = crc;
    }

  for (guint i = 0; i < 256; i++)
    for (guint t = 1; t < 8; t++)
      crc32c_table[t][i] = (crc32c_table[t - 1][i] >> 8)
                           ^ crc32c_table[0][crc32c_table[t - 1][i] & 0xff];
}

/* Continues a CRC-32C over @data: pass 0 to start, or the value of the
 * previous call to checksum data given in pieces. */
guint32
hv_crc32c_update (guint32       crc,
                  gconstpointer data,
                  gsize         length)
{
  static gsize initialized = 0;
  const guint8 *p = data;

  if (g_once_init_enter (&initialized))
    {
      hv_crc32c_init_tables ();
      g_once_init_leave (&initialized, 1);
    }

  crc = ~crc;

  while (length >= 8)
    {
      guint32 lo = crc ^ ((guint32) p[0] | (guint32) p[1] << 8
                          | (guint32) p[2] << 16 | (guint32) p[3] << 24);
      guint32 hi = (guint32) p[4] | (guint32) p[5] << 8
                   | (guint32) p[6] << 16 | (guint32) p[7] << 24;

      crc = crc32c_table[7][lo & 0xff]
            ^ crc32c_table[6][(lo >> 8) & 0xff]
            ^ crc32c_table[5][(lo >> 16) & 0xff]
            ^ crc32c_table[4][lo >> 24]
            ^ crc32c_table[3][hi & 0xff]
            ^ crc32c_table[2][(hi >> 8) & 0xff]
            ^ crc32c_table[1][(hi >> 16) & 0xff]
            ^ crc32c_table[0][hi >> 24];
      p += 8;
      length -= 8;
    }

  while (length-- > 0)
    crc = (crc >> 8) ^ crc32c_table[0][(crc ^ *p++) & 0xff];

  return ~crc;
}
