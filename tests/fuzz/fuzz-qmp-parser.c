/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libFuzzer target: the QMP client's framing and message layer, the part
 * that reads what a QEMU (or whatever sits on its socket) sends.
 *
 * The input is a byte stream from QEMU. It is fed three ways: at once,
 * in chunks whose size depends on the input's length, and at once with a
 * small size bound. The first two must yield the same messages — a
 * message may be split anywhere — and none may crash, leak, hang or log a
 * critical. The whole input is also read as one JSON value by hvkit's
 * reader and by json-glib's parser: whatever the reader takes, json-glib
 * takes too, giving an equal value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hvkit.h"
#include "hv-kvm-qmp-json.h"
#include "hv-kvm-qmp-message.h"
#include "hv-kvm-qmp-parser.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Feeds @data in pieces of @chunk bytes (0: at once) and returns what came
 * out: one letter per message (g, r, e, v), then "!" if the stream broke
 * or "?" if a message had the wrong shape. */
static GString *
run (const uint8_t *data,
     size_t         size,
     gsize          chunk,
     gsize          max_message_size)
{
  g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (max_message_size);
  GString *trace = g_string_new (NULL);
  gsize offset = 0;

  while (offset < size)
    {
      gsize n = chunk == 0 ? size - offset : MIN (chunk, size - offset);

      hv_kvm_qmp_parser_push (parser, data + offset, n);
      offset += n;

      for (;;)
        {
          g_autoptr(GError) error = NULL;
          g_auto(HvKvmQmpMessage) message = { 0, };
          g_auto(HvKvmQmpGreeting) greeting = { 0, };
          JsonNode *root = hv_kvm_qmp_parser_next (parser, &error);
          guint64 serial;

          if (root == NULL)
            {
              if (error == NULL)
                break;
              g_string_append_c (trace, '!');
              return trace;
            }
          if (!hv_kvm_qmp_message_init (&message, root, &error))
            {
              g_string_append_c (trace, '?');
              return trace;
            }
          g_string_append_c (trace, "grev"[message.kind]);
          hv_kvm_qmp_message_get_serial (&message, &serial);
          if (message.kind == HV_KVM_QMP_MESSAGE_GREETING)
            hv_kvm_qmp_greeting_init (&greeting, &message, NULL);
        }
    }
  return trace;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* hvkit's reader against json-glib's parser, on the input as one value */
static void
compare_readers (const uint8_t *data,
                 size_t         size)
{
  g_autoptr(JsonNode) read = hv_kvm_qmp_json_read ((const gchar *) data, size,
                                                  HV_KVM_QMP_MAX_NESTING, NULL);
  g_autoptr(JsonParser) parser = NULL;

  if (read == NULL)
    return;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const gchar *) data, (gssize) size, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !json_node_equal (read, json_parser_get_root (parser)))
    {
      g_autofree gchar *text = json_to_string (read, FALSE);

      g_printerr ("the reader took %s, json-glib differs\n", text);
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GString) whole = run (data, size, 0, HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE);
  g_autoptr(GString) chunked = run (data, size, 1 + size % 61, HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE);
  g_autoptr(GString) bounded = NULL;

  /* no message of an input this short can pass the bound */
  if (size > 256)
    bounded = run (data, size, 0, 256);

  if (!g_string_equal (whole, chunked))
    {
      g_printerr ("at once: %s\nin chunks of %zu: %s\n", whole->str, 1 + size % 61, chunked->str);
      abort ();
    }
  compare_readers (data, size);
  return 0;
}
