/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hv-kvm-runtime.h"

G_BEGIN_DECLS

/*
 * Import of Ganeti's runtime files (`<instance>.runtime`, a JSON list):
 *
 *   2008         [argv, nics, hvparams]
 *   2.10 seeds   [argv, nics, hvparams, [[disk, link], …]]
 *   2.10 – 2.15  [argv, nics, hvparams, [[disk, link, uri], …]], devices
 *                with `pci` (QEMU ids hotdisk-/hotnic-<uuid8>-pci-<slot>)
 *   2.16 –       devices with `hvinfo` {driver, id, bus, addr} (or the SCSI
 *                form {driver, id, bus, channel, scsi-id, lun})
 *
 * Ganeti brings an old file up to date on every load with a list of rules;
 * hvkit runs the same rules, each a function of its own and each run
 * whatever the others found (Ganeti nests two of them under its -vnc
 * branch), then converts the result to an HvKvmRuntime.
 */

typedef struct {
  GPtrArray *argv;          /* gchar* */
  GPtrArray *nics;          /* JsonObject* */
  JsonObject *hvparams;
  GPtrArray *disks;         /* JsonArray*: [disk, link] or [disk, link, uri];
                             * NULL for a file of three entries */
  GPtrArray *extra;         /* JsonNode*: entries after the fourth */
} HvKvmGanetiRuntime;

HvKvmGanetiRuntime *hv_kvm_ganeti_runtime_parse        (const gchar          *data,
                                                        gsize                 length,
                                                        GError              **error);
void                hv_kvm_ganeti_runtime_free         (HvKvmGanetiRuntime   *runtime);
HvKvmRuntime       *hv_kvm_ganeti_runtime_convert      (HvKvmGanetiRuntime   *runtime,
                                                        const gchar          *name_hint,
                                                        GError              **error);

/* The rules, in the order they run. */
void                hv_kvm_ganeti_add_disks_entry      (HvKvmGanetiRuntime   *runtime);
void                hv_kvm_ganeti_add_disk_uri         (HvKvmGanetiRuntime   *runtime);
void                hv_kvm_ganeti_add_nic_uuids        (HvKvmGanetiRuntime   *runtime);
void                hv_kvm_ganeti_pci_to_hvinfo        (HvKvmGanetiRuntime   *runtime);
void                hv_kvm_ganeti_rewrite_localtime    (HvKvmGanetiRuntime   *runtime);
void                hv_kvm_ganeti_rewrite_balloon      (HvKvmGanetiRuntime   *runtime);
void                hv_kvm_ganeti_rewrite_vnc_tls      (HvKvmGanetiRuntime   *runtime);
void                hv_kvm_ganeti_fix_disk_discard     (HvKvmGanetiRuntime   *runtime);
void                hv_kvm_ganeti_drop_chroot          (HvKvmGanetiRuntime   *runtime);
void                hv_kvm_ganeti_runtime_upgrade      (HvKvmGanetiRuntime   *runtime);

/* All of it: parse, upgrade, convert. Errors are HV_ERROR_RUNTIME_CORRUPT
 * naming @source. @name_hint is the instance name when argv has no -name
 * (the file's name without ".runtime"). */
HvKvmRuntime       *hv_kvm_runtime_new_from_ganeti     (const gchar          *data,
                                                        gsize                 length,
                                                        const gchar          *name_hint,
                                                        const gchar          *source,
                                                        GError              **error);
gboolean            hv_kvm_runtime_data_is_ganeti      (const gchar          *data,
                                                        gsize                 length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvKvmGanetiRuntime, hv_kvm_ganeti_runtime_free)

G_END_DECLS
