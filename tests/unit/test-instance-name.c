/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <gio/gio.h>

#include "hvkit.h"

static void
test_instance_name_good (void)
{
  g_autofree gchar *longest = g_strnfill (HV_INSTANCE_NAME_MAX_LENGTH, 'a');
  const gchar *const good[] = {
    "web1",
    "web1.example.com",
    "db-primary.prod.example.org",
    "a",
    "0",
    "9lives",
    "node_7.lab",
    "UPPER.Case-Mixed_1",
    "x-",
    "a.b.c.d.e.f",
    longest,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      if (!hv_instance_name_validate (good[i], &error))
        g_test_fail_printf ("'%s' refused: %s", good[i], error->message);
      g_assert_no_error (error);
    }
}

static void
test_instance_name_bad (void)
{
  g_autofree gchar *too_long = g_strnfill (HV_INSTANCE_NAME_MAX_LENGTH + 1, 'a');
  g_autofree gchar *huge = g_strnfill (4096, 'b');
  g_autofree gchar *fqdn = g_strdup_printf ("%s.example.com", too_long);
  const struct {
    const gchar *name;
    const gchar *reason; /* NULL: only the code is checked */
  } bad[] = {
    { "", "Invalid instance name: it is empty" },
    { "/", "Invalid instance name '/': it contains '/'" },
    { "a/b", "Invalid instance name 'a/b': it contains '/'" },
    { "../etc/passwd", "Invalid instance name '../etc/passwd': it contains '/'" },
    { "web1/", NULL },
    { ".", "Invalid instance name '.': it starts with '.', not a letter or a digit" },
    { "..", "Invalid instance name '..': it contains '..'" },
    { "a..b", "Invalid instance name 'a..b': it contains '..'" },
    { ".hidden", "Invalid instance name '.hidden': it starts with '.', not a letter or a digit" },
    { "web1.", "Invalid instance name 'web1.': it ends with '.'" },
    { "-web1", "Invalid instance name '-web1': it starts with '-', not a letter or a digit" },
    { "_web1", "Invalid instance name '_web1': it starts with '_', not a letter or a digit" },
    { "web 1", "Invalid instance name 'web 1': it contains ' '; only letters, digits, '-', "
               "'_' and '.' are allowed" },
    { "web1\n", "Invalid instance name 'web1\\n': it contains a control character" },
    { "we\tb", "Invalid instance name 'we\\tb': it contains a control character" },
    { "\x7f", "Invalid instance name '\\177': it contains a control character" },
    { "\x1b[31mred", "Invalid instance name '\\033[31mred': it contains a control character" },
    { "w\xc3\xa9" "b", "Invalid instance name 'w\\303\\251b': it contains a non-ASCII character" },
    { "\xff", "Invalid instance name '\\377': it contains a non-ASCII character" },
    { "web,1", "Invalid instance name 'web,1': it contains ','; only letters, digits, '-', "
               "'_' and '.' are allowed" },
    { "web:1", NULL },
    { "web;rm -rf", NULL },
    { "$(reboot)", NULL },
    { "web*", NULL },
    { "web1\\", NULL },
    { "'web1'", NULL },
    { "web@example.com", NULL },
    { too_long, NULL },
    { fqdn, NULL },
    { huge, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (hv_instance_name_validate (bad[i].name, &error));
      g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_PARAMETER);
      if (bad[i].reason != NULL)
        g_assert_cmpstr (error->message, ==, bad[i].reason);
    }
}

static void
test_instance_name_too_long (void)
{
  g_autofree gchar *too_long = g_strnfill (HV_INSTANCE_NAME_MAX_LENGTH + 1, 'a');
  g_autofree gchar *huge = g_strnfill (4096, 'b');
  g_autofree gchar *expected = NULL;
  g_autofree gchar *head = g_strnfill (HV_INSTANCE_NAME_MAX_LENGTH + 1, 'b');
  g_autoptr(GError) error = NULL;

  g_assert_false (hv_instance_name_validate (too_long, &error));
  expected = g_strdup_printf ("Invalid instance name '%s': it is 64 bytes long, at most 63 "
                              "are allowed", too_long);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  /* a huge name is cut short in the message */
  g_assert_false (hv_instance_name_validate (huge, &error));
  expected = g_strdup_printf ("Invalid instance name '%s…': it is 4096 bytes long, at most 63 "
                              "are allowed", head);
  g_assert_cmpstr (error->message, ==, expected);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/instance-name/good", test_instance_name_good);
  g_test_add_func ("/instance-name/bad", test_instance_name_bad);
  g_test_add_func ("/instance-name/too-long", test_instance_name_too_long);

  return g_test_run ();
}
