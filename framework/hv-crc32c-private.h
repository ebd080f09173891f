/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint32 hv_crc32c_update (guint32       crc,
                          gconstpointer data,
                          gsize         length);

/* CRC-32C (Castagnoli) of @length bytes at @data: the checksum of iSCSI,
 * ext4 metadata and btrfs. The check value of "123456789" is 0xe3069283. */
static inline guint32
hv_crc32c (gconstpointer data,
           gsize         length)
{
  return hv_crc32c_update (0, data, length);
}

G_END_DECLS
