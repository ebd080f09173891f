/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The framing and message layer of the QMP client, bytes in and messages
 * out, without a socket.
 */
#include <string.h>

#include "hvkit.h"
#include "hv-kvm-qmp-json.h"
#include "hv-kvm-qmp-message.h"
#include "hv-kvm-qmp-parser.h"

/* What QEMU 7.2 sent in one session, as it sent it (\r\n) */
static const gchar transcript[] =
  "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
  "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}\r\n"
  "{\"return\": {}, \"id\": 1}\r\n"
  "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 5}, \"event\": \"STOP\"}\r\n"
  "{\"id\": 2, \"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'x' not found\"}}\r\n"
  "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": 3}\r\n";

static const HvKvmQmpMessageKind transcript_kinds[] = {
  HV_KVM_QMP_MESSAGE_GREETING,
  HV_KVM_QMP_MESSAGE_RETURN,
  HV_KVM_QMP_MESSAGE_EVENT,
  HV_KVM_QMP_MESSAGE_ERROR,
  HV_KVM_QMP_MESSAGE_RETURN,
};

/* Pulls every message out; returns how many, fails on any error. */
static guint
drain (HvKvmQmpParser *parser,
       GPtrArray      *kinds)
{
  guint n = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_auto(HvKvmQmpMessage) message = { 0, };
      JsonNode *root = hv_kvm_qmp_parser_next (parser, &error);

      g_assert_no_error (error);
      if (root == NULL)
        return n;
      g_assert_true (hv_kvm_qmp_message_init (&message, root, &error));
      g_assert_no_error (error);
      if (kinds != NULL)
        g_ptr_array_add (kinds, GINT_TO_POINTER (message.kind));
      n++;
    }
}

static void
assert_transcript_kinds (GPtrArray *kinds)
{
  g_assert_cmpuint (kinds->len, ==, G_N_ELEMENTS (transcript_kinds));
  for (guint i = 0; i < kinds->len; i++)
    g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (kinds, i)), ==, transcript_kinds[i]);
}

static void
test_parser_split_anywhere (void)
{
  gsize size = strlen (transcript);

  /* in two pieces, cut at every byte */
  for (gsize cut = 0; cut <= size; cut++)
    {
      g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE);
      g_autoptr(GPtrArray) kinds = g_ptr_array_new ();

      hv_kvm_qmp_parser_push (parser, (const guint8 *) transcript, cut);
      drain (parser, kinds);
      hv_kvm_qmp_parser_push (parser, (const guint8 *) transcript + cut, size - cut);
      drain (parser, kinds);
      assert_transcript_kinds (kinds);
      g_assert_cmpuint (hv_kvm_qmp_parser_get_pending (parser), ==, 0);
    }
}

static void
test_parser_byte_by_byte (void)
{
  g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE);
  g_autoptr(GPtrArray) kinds = g_ptr_array_new ();

  for (gsize i = 0; transcript[i] != '\0'; i++)
    {
      hv_kvm_qmp_parser_push (parser, (const guint8 *) transcript + i, 1);
      drain (parser, kinds);
    }
  assert_transcript_kinds (kinds);
}

static void
test_parser_many_in_one_read (void)
{
  g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE);
  g_autoptr(GString) bytes = g_string_new (NULL);
  gsize room;
  guint8 *buffer;

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (bytes, "{\"return\": {}, \"id\": %u}\r\n", i);

  /* the way the client reads: straight into the parser's buffer */
  g_assert_cmpuint (bytes->len, >, 16 * 1024);
  for (gsize offset = 0; offset < bytes->len;)
    {
      gsize n;

      buffer = hv_kvm_qmp_parser_reserve (parser, &room);
      g_assert_cmpuint (room, >=, 4096);
      n = MIN (room, bytes->len - offset);
      memcpy (buffer, bytes->str + offset, n);
      hv_kvm_qmp_parser_commit (parser, n);
      offset += n;
    }
  g_assert_cmpuint (drain (parser, NULL), ==, 1000);
}

static void
test_parser_line_ends (void)
{
  g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE);
  const gchar *bytes =
    "{\"return\": 1}\n"          /* \n alone */
    "{\"return\": 2}\r\n"        /* QEMU's \r\n */
    "\r\n\n  \t\r\n"             /* blank lines are skipped */
    "{\"return\": 3}  \r\n";     /* trailing blanks */
  gsize size;
  const gchar *line;

  hv_kvm_qmp_parser_push (parser, (const guint8 *) bytes, strlen (bytes));
  for (gint64 want = 1; want <= 3; want++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(HvKvmQmpMessage) message = { 0, };

      g_assert_true (hv_kvm_qmp_message_init (&message, hv_kvm_qmp_parser_next (parser, &error), &error));
      g_assert_no_error (error);
      g_assert_cmpint (json_node_get_int (message.value), ==, want);
      line = hv_kvm_qmp_parser_get_line (parser, &size);
      g_assert_cmpuint (size, >=, strlen ("{\"return\": 1}"));
      g_assert_true (g_str_has_prefix (line, "{\"return\": "));
    }
  g_assert_null (hv_kvm_qmp_parser_next (parser, NULL));
}

static void
assert_refused (gsize        max_message_size,
                const gchar *bytes,
                gsize        size,
                const gchar *message_part)
{
  g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (max_message_size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  JsonNode *root;

  hv_kvm_qmp_parser_push (parser, (const guint8 *) bytes, size);
  root = hv_kvm_qmp_parser_next (parser, &error);
  g_assert_null (root);
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_nonnull (strstr (error->message, message_part));

  /* a broken stream stays broken */
  hv_kvm_qmp_parser_push (parser, (const guint8 *) "{}\n", 3);
  g_assert_null (hv_kvm_qmp_parser_next (parser, &again));
  g_assert_error (again, HV_ERROR, HV_ERROR_MONITOR);
}

static void
test_parser_max_size (void)
{
  g_autoptr(GString) exact = g_string_new ("{\"return\": \"");
  g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (100);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  while (exact->len < 98)
    g_string_append_c (exact, 'x');
  g_string_append (exact, "\"}");
  g_assert_cmpuint (exact->len, ==, 100);

  /* exactly the bound passes, with either line end */
  g_string_append (exact, "\r\n");
  hv_kvm_qmp_parser_push (parser, (const guint8 *) exact->str, exact->len);
  root = hv_kvm_qmp_parser_next (parser, &error);
  g_assert_no_error (error);
  g_assert_nonnull (root);

  /* one byte more does not */
  g_string_insert_c (exact, 12, 'y');
  assert_refused (100, exact->str, exact->len, "larger than 100 bytes");

  /* and a long message is refused before its end arrives */
  {
    g_autofree gchar *partial = g_strnfill (200, ' ');

    partial[0] = '{';
    assert_refused (100, partial, 200, "larger than 100 bytes");
  }
}

static void
test_parser_max_size_memory (void)
{
  g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (1024 * 1024);
  g_autoptr(GError) error = NULL;
  gsize room;

  /* a peer that never ends its line is cut off within one read of the
   * bound, however small its writes */
  for (guint i = 0; i < 100000; i++)
    {
      guint8 *buffer = hv_kvm_qmp_parser_reserve (parser, &room);

      room = MIN (room, 1000);
      memset (buffer, ' ', room);
      hv_kvm_qmp_parser_commit (parser, room);
      if (hv_kvm_qmp_parser_next (parser, &error) == NULL && error != NULL)
        break;
    }
  g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
  g_assert_cmpuint (hv_kvm_qmp_parser_get_pending (parser), <=, 1024 * 1024 + 1 + 1000);
}

static void
test_parser_malformed (void)
{
  g_autofree gchar *deep = NULL;
  g_autofree gchar *ok_deep = NULL;
  GString *nesting;

  assert_refused (1024, "this is not json\r\n", 18, "Malformed QMP message");
  assert_refused (1024, "{\"return\": }\r\n", 15, "Malformed QMP message");
  assert_refused (1024, "[1, 2]\n", 7, "not a JSON object");
  assert_refused (1024, "\"hello\"\n", 8, "not a JSON object");
  assert_refused (1024, "42\n", 3, "not a JSON object");
  /* json-glib takes these; QEMU never sends them */
  assert_refused (1024, "{'return': {}}\n", 15, "unexpected byte 0x27");
  assert_refused (1024, "/* \" */ {}\n", 11, "unexpected byte 0x2f");
  assert_refused (1024, "}{\n", 3, "unbalanced");
  assert_refused (1024, "{\"return\": \"a\0b\"}\n", 18, "Malformed QMP message");
  assert_refused (1024, "{\"return\": \"\xff\xfe\"}\n", 17, "Malformed QMP message");

  /* json-glib recurses per level: a deep message must not reach it */
  nesting = g_string_new ("{\"return\": ");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (nesting, '[');
  g_string_append_c (nesting, '\n');
  deep = g_string_free (nesting, FALSE);
  assert_refused (HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE, deep, strlen (deep), "nested deeper than 1024");

  /* brackets inside strings do not count */
  nesting = g_string_new ("{\"return\": \"");
  for (guint i = 0; i < 5000; i++)
    g_string_append (nesting, "[{\\\"");
  g_string_append (nesting, "\"}\n");
  ok_deep = g_string_free (nesting, FALSE);
  {
    g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE);

    hv_kvm_qmp_parser_push (parser, (const guint8 *) ok_deep, strlen (ok_deep));
    g_assert_cmpuint (drain (parser, NULL), ==, 1);
  }
}

static void
test_parser_nesting_bound (void)
{
  for (guint depth = HV_KVM_QMP_MAX_NESTING - 1; depth <= HV_KVM_QMP_MAX_NESTING; depth++)
    {
      g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE);
      g_autoptr(GString) text = g_string_new ("{\"return\": ");
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = NULL;

      /* the object itself is one level */
      for (guint i = 1; i < depth; i++)
        g_string_append_c (text, '[');
      for (guint i = 1; i < depth; i++)
        g_string_append_c (text, ']');
      g_string_append (text, "}\n");
      hv_kvm_qmp_parser_push (parser, (const guint8 *) text->str, text->len);
      root = hv_kvm_qmp_parser_next (parser, &error);
      g_assert_no_error (error);
      g_assert_nonnull (root);
    }
}

static void
test_parser_reset (void)
{
  g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (1024);
  g_autoptr(GError) error = NULL;

  hv_kvm_qmp_parser_push (parser, (const guint8 *) "garbage\n{\"ret", 13);
  g_assert_null (hv_kvm_qmp_parser_next (parser, &error));
  g_assert_nonnull (error);
  hv_kvm_qmp_parser_reset (parser);
  g_assert_cmpuint (hv_kvm_qmp_parser_get_pending (parser), ==, 0);
  hv_kvm_qmp_parser_push (parser, (const guint8 *) "{\"return\": {}}\n", 15);
  g_assert_cmpuint (drain (parser, NULL), ==, 1);
}

/* Every transcript of a real QEMU under tests/data/qmp/ (see
 * test-qmp-qemu.c) parses, starts with the greeting, and answers only ids
 * of ours. */
static void
test_parser_transcripts (void)
{
  g_autofree gchar *root = g_test_build_filename (G_TEST_DIST, "data", "qmp", NULL);
  g_autoptr(GDir) versions = g_dir_open (root, 0, NULL);
  const gchar *version;
  guint n_files = 0;

  g_assert_nonnull (versions);
  while ((version = g_dir_read_name (versions)) != NULL)
    {
      g_autofree gchar *directory = g_build_filename (root, version, NULL);
      g_autoptr(GDir) files = g_dir_open (directory, 0, NULL);
      const gchar *name;

      while (files != NULL && (name = g_dir_read_name (files)) != NULL)
        {
          g_autofree gchar *path = g_build_filename (directory, name, NULL);
          g_autofree gchar *contents = NULL;
          g_autoptr(HvKvmQmpParser) parser = hv_kvm_qmp_parser_new (HV_KVM_QMP_DEFAULT_MAX_MESSAGE_SIZE);
          gsize size;
          guint n_replies = 0;

          g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
          hv_kvm_qmp_parser_push (parser, (const guint8 *) contents, size);
          for (guint i = 0;; i++)
            {
              g_autoptr(GError) error = NULL;
              g_auto(HvKvmQmpMessage) message = { 0, };
              JsonNode *root_node = hv_kvm_qmp_parser_next (parser, &error);
              guint64 serial;

              g_assert_no_error (error);
              if (root_node == NULL)
                break;
              g_assert_true (hv_kvm_qmp_message_init (&message, root_node, &error));
              g_assert_no_error (error);
              if (i == 0)
                g_assert_cmpint (message.kind, ==, HV_KVM_QMP_MESSAGE_GREETING);
              if (message.kind == HV_KVM_QMP_MESSAGE_RETURN || message.kind == HV_KVM_QMP_MESSAGE_ERROR)
                {
                  g_assert_true (hv_kvm_qmp_message_get_serial (&message, &serial));
                  n_replies++;
                }
            }
          g_assert_cmpuint (n_replies, >, 0);
          g_assert_cmpuint (hv_kvm_qmp_parser_get_pending (parser), ==, 0);
          n_files++;
        }
    }
  g_assert_cmpuint (n_files, >=, 3);
}

/* ---- messages ------------------------------------------------------------ */

static gboolean
classify (const gchar      *text,
          HvKvmQmpMessage  *message,
          GError          **error)
{
  return hv_kvm_qmp_message_init (message, json_from_string (text, NULL), error);
}

static void
test_message_kinds (void)
{
  g_auto(HvKvmQmpMessage) event = { 0, };
  g_auto(HvKvmQmpMessage) bare_event = { 0, };
  g_auto(HvKvmQmpMessage) reply = { 0, };
  g_auto(HvKvmQmpMessage) failure = { 0, };
  g_autoptr(GError) error = NULL;
  guint64 serial;

  g_assert_true (classify ("{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 123456},"
                           " \"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"disk0\"}}",
                           &event, &error));
  g_assert_no_error (error);
  g_assert_cmpint (event.kind, ==, HV_KVM_QMP_MESSAGE_EVENT);
  g_assert_cmpstr (event.event, ==, "DEVICE_DELETED");
  g_assert_cmpstr (json_object_get_string_member (event.data, "device"), ==, "disk0");
  g_assert_cmpint (event.timestamp, ==, G_GINT64_CONSTANT (1700000000123456));

  /* no data, and QEMU's "no clock" timestamp */
  g_assert_true (classify ("{\"event\": \"STOP\", \"timestamp\": {\"seconds\": -1, \"microseconds\": -1}}",
                           &bare_event, &error));
  g_assert_null (bare_event.data);
  g_assert_cmpint (bare_event.timestamp, ==, -1);
  g_assert_false (hv_kvm_qmp_message_get_serial (&bare_event, &serial));

  g_assert_true (classify ("{\"return\": [1, 2], \"id\": 42}", &reply, &error));
  g_assert_cmpint (reply.kind, ==, HV_KVM_QMP_MESSAGE_RETURN);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (reply.value));
  g_assert_true (hv_kvm_qmp_message_get_serial (&reply, &serial));
  g_assert_cmpuint (serial, ==, 42);

  g_assert_true (classify ("{\"id\": 7, \"error\": {\"class\": \"CommandNotFound\","
                           " \"desc\": \"The command x has not been found\"}}", &failure, &error));
  g_assert_cmpint (failure.kind, ==, HV_KVM_QMP_MESSAGE_ERROR);
  g_assert_cmpstr (failure.error_class, ==, "CommandNotFound");
  g_assert_cmpstr (failure.error_desc, ==, "The command x has not been found");
}

static void
test_message_ids (void)
{
  const struct {
    const gchar *id;
    gboolean     ours;
    guint64      serial;
  } ids[] = {
    { "0", TRUE, 0 },
    { "1", TRUE, 1 },
    { "9223372036854775807", TRUE, G_MAXINT64 },
    { "9223372036854775808", FALSE, 0 },
    { "-1", FALSE, 0 },
    { "1.0", FALSE, 0 },
    { "1e3", FALSE, 0 },
    { "\"1\"", FALSE, 0 },
    { "\"hv-1\"", FALSE, 0 },
    { "true", FALSE, 0 },
    { "[1]", FALSE, 0 },
    { "{\"any\": \"json\"}", FALSE, 0 },
    { "null", FALSE, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree gchar *text = g_strdup_printf ("{\"return\": {}, \"id\": %s}", ids[i].id);
      g_auto(HvKvmQmpMessage) message = { 0, };
      guint64 serial = 0;

      g_assert_true (classify (text, &message, NULL));
      g_assert_cmpint (hv_kvm_qmp_message_get_serial (&message, &serial), ==, ids[i].ours);
      if (ids[i].ours)
        g_assert_cmpuint (serial, ==, ids[i].serial);
    }
}

static void
test_message_malformed (void)
{
  const gchar *bad[] = {
    "{\"event\": 5}",
    "{\"event\": \"X\", \"data\": [1]}",
    "{\"error\": \"boom\"}",
    "{\"error\": {\"class\": \"GenericError\"}}",
    "{\"error\": {\"desc\": \"no class\"}}",
    "{\"QMP\": []}",
    "{\"hello\": \"world\"}",
    "{}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(HvKvmQmpMessage) message = { 0, };
      g_autoptr(GError) error = NULL;

      g_assert_false (classify (bad[i], &message, &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
    }
}

static void
test_message_greeting (void)
{
  g_auto(HvKvmQmpMessage) message = { 0, };
  g_auto(HvKvmQmpGreeting) greeting = { 0, };
  g_autoptr(GError) error = NULL;
  const gchar *bad[] = {
    "{\"QMP\": {\"capabilities\": []}}",
    "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2}}, \"capabilities\": []}}",
    "{\"QMP\": {\"version\": {\"qemu\": {\"major\": -7, \"minor\": 2, \"micro\": 0}}, \"capabilities\": []}}",
    "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}}}",
    "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}, \"capabilities\": [1]}}",
  };

  g_assert_true (classify ("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7},"
                           " \"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"},"
                           " \"capabilities\": [\"oob\"]}}", &message, &error));
  g_assert_cmpint (message.kind, ==, HV_KVM_QMP_MESSAGE_GREETING);
  g_assert_true (hv_kvm_qmp_greeting_init (&greeting, &message, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (greeting.major, ==, 7);
  g_assert_cmpuint (greeting.minor, ==, 2);
  g_assert_cmpuint (greeting.micro, ==, 22);
  g_assert_cmpstr (greeting.package, ==, "Debian 1:7.2+dfsg-7+deb12u18+b3");
  g_assert_cmpuint (g_strv_length (greeting.capabilities), ==, 1);
  g_assert_cmpstr (greeting.capabilities[0], ==, "oob");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(HvKvmQmpMessage) other = { 0, };
      g_auto(HvKvmQmpGreeting) refused = { 0, };
      g_autoptr(GError) local = NULL;

      g_assert_true (classify (bad[i], &other, NULL));
      g_assert_false (hv_kvm_qmp_greeting_init (&refused, &other, &local));
      g_assert_error (local, HV_ERROR, HV_ERROR_MONITOR);
    }
}

/* The reader gives the nodes json-glib's parser gives, for JSON as QEMU
 * writes it and for the corners of the grammar. */
static void
test_reader_as_json_glib (void)
{
  static const gchar * const texts[] = {
    "{}", "[]", "{\"a\": []}", " { \"a\" : { } } ",
    "{\"return\": {}, \"id\": 1}",
    "{\"a\": 0, \"b\": -0, \"c\": 9223372036854775807, \"d\": -9223372036854775808}",
    "{\"a\": 18446744073709551615, \"b\": 9223372036854775808}",
    "{\"a\": 99999999999999999999, \"b\": -99999999999999999999}",
    "{\"a\": 1.5, \"b\": -0.25e3, \"c\": 1E+2, \"d\": 2e-2, \"e\": 10.0}",
    "{\"a\": true, \"b\": false, \"c\": null, \"d\": [true, null, 1, \"x\"]}",
    "{\"a\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
    "{\"a\": \"\\u00e9\\u20ac\\ud83d\\ude00\", \"b\": \"caf\xc3\xa9\"}",
    "{\"a\": \"x\\u0000y\"}",
    "{\"a\": 1, \"a\": 2}",
    "{\"\": 1}",
    "[[[[[[[[[[1]]]]]]]]]]",
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
    "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) read = hv_kvm_qmp_json_read (texts[i], strlen (texts[i]), 64, &error);
      g_autofree gchar *want = NULL;
      g_autofree gchar *got = NULL;
      g_autofree gchar *shown = g_strescape (texts[i], NULL);

      g_test_message ("%s", shown);
      g_assert_no_error (error);
      g_assert_nonnull (read);
      g_assert_true (json_parser_load_from_data (parser, texts[i], -1, NULL));
      want = json_to_string (json_parser_get_root (parser), FALSE);
      got = json_to_string (read, FALSE);
      g_assert_cmpstr (got, ==, want);
      g_assert_true (json_node_equal (read, json_parser_get_root (parser)));
    }
}

/* What is not JSON (some of which json-glib takes) is refused, with the
 * byte it went wrong at. */
static void
test_reader_refuses (void)
{
  static const struct { const gchar *text; const gchar *message; } cases[] = {
    { "", "at byte 0: the message ends" },
    { "{", "at byte 1: the message ends" },
    { "{\"a\": 1,}", "at byte 8: unexpected byte 0x7d" },
    { "[1,]", "at byte 3: unexpected byte 0x5d" },
    { "{\"a\" 1}", "at byte 5: unexpected byte 0x31" },
    { "{'a': 1}", "at byte 1: unexpected byte 0x27" },
    { "{\"a\": 01}", "at byte 7: unexpected byte 0x31" },
    { "{\"a\": 0x10}", "at byte 7: unexpected byte 0x78" },
    { "{\"a\": .5}", "at byte 6: unexpected byte 0x2e" },
    { "{\"a\": 1.}", "at byte 8: unexpected byte 0x7d" },
    { "{\"a\": -}", "at byte 7: unexpected byte 0x7d" },
    { "{\"a\": +1}", "at byte 6: unexpected byte 0x2b" },
    { "{\"a\": tru}", "at byte 6: unexpected byte 0x74" },
    { "{\"a\": \"\\x\"}", "at byte 8: unexpected byte 0x78" },
    { "{\"a\": \"x\ty\"}", "at byte 8: control character 0x09" },
    { "{\"a\": \"\\ud83d\"}", "a high surrogate without a low one" },
    { "{\"a\": \"\\ude00\"}", "a low surrogate without a high one" },
    { "{\"a\": \"\\u12g4\"}", "at byte 11: unexpected byte 0x67" },
    { "{\"a\": \"abc", "a string is not closed" },
    { "{\"a\": \"\xff\"}", "at byte 7: not UTF-8" },
    { "{} x", "at byte 3: unexpected byte 0x78 where the end" },
    { "{}{}", "at byte 2: unexpected byte 0x7b where the end" },
    { "[[[1]]]", "at byte 2: nested deeper than 2 levels" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) read = hv_kvm_qmp_json_read (cases[i].text, strlen (cases[i].text), 2,
                                                      &error);
      g_autofree gchar *shown = g_strescape (cases[i].text, NULL);

      g_test_message ("%s", shown);
      g_assert_null (read);
      g_assert_error (error, HV_ERROR, HV_ERROR_MONITOR);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s”: “%s” does not say “%s”", cases[i].text, error->message, cases[i].message);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qmp/parser/split-anywhere", test_parser_split_anywhere);
  g_test_add_func ("/qmp/parser/byte-by-byte", test_parser_byte_by_byte);
  g_test_add_func ("/qmp/parser/many-in-one-read", test_parser_many_in_one_read);
  g_test_add_func ("/qmp/parser/line-ends", test_parser_line_ends);
  g_test_add_func ("/qmp/parser/max-size", test_parser_max_size);
  g_test_add_func ("/qmp/parser/max-size-memory", test_parser_max_size_memory);
  g_test_add_func ("/qmp/parser/malformed", test_parser_malformed);
  g_test_add_func ("/qmp/parser/nesting-bound", test_parser_nesting_bound);
  g_test_add_func ("/qmp/parser/reset", test_parser_reset);
  g_test_add_func ("/qmp/parser/transcripts", test_parser_transcripts);
  g_test_add_func ("/qmp/reader/as-json-glib", test_reader_as_json_glib);
  g_test_add_func ("/qmp/reader/refuses", test_reader_refuses);
  g_test_add_func ("/qmp/message/kinds", test_message_kinds);
  g_test_add_func ("/qmp/message/ids", test_message_ids);
  g_test_add_func ("/qmp/message/malformed", test_message_malformed);
  g_test_add_func ("/qmp/message/greeting", test_message_greeting);

  return g_test_run ();
}
