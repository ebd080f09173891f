/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The second QEMU of the tests, as an executable hvkit can be given as
 * kvm_path: the QEMU 10.0 that contrib/fetch-qemu.sh unpacked into
 * HV_TEST_QEMU_ROOT is not installed, so it needs QEMU_MODULE_DIR for its
 * modules and -L for its firmware. hvkit runs QEMU with an argv and no
 * shell, so this is a program, not a script: it sets the variable and
 * execs the real binary with the two -L first and hvkit's arguments after
 * them, keeping its pid (the pidfile, -daemonize and the capability
 * probe's stdin and stdout are QEMU's own).
 */

int
main (int argc, char **argv)
{
  static const char root[] = HV_TEST_QEMU_ROOT;
  size_t size = strlen (root) + 64;
  char *binary = malloc (size);
  char *modules = malloc (size);
  char *data = malloc (size);
  char *firmware = malloc (size);
  char **args = calloc ((size_t) argc + 5, sizeof (char *));
  int n = 0;

  if (binary == NULL || modules == NULL || data == NULL || firmware == NULL || args == NULL)
    return 127;
  snprintf (binary, size, "%s/usr/bin/qemu-system-x86_64", root);
  snprintf (modules, size, "%s/usr/lib/x86_64-linux-gnu/qemu", root);
  snprintf (data, size, "%s/usr/share/qemu", root);
  snprintf (firmware, size, "%s/usr/share/seabios", root);
  if (setenv ("QEMU_MODULE_DIR", modules, 1) != 0)
    return 127;

  args[n++] = binary;
  args[n++] = "-L";
  args[n++] = data;
  args[n++] = "-L";
  args[n++] = firmware;
  for (int i = 1; i < argc; i++)
    args[n++] = argv[i];
  args[n] = NULL;

  execv (binary, args);
  fprintf (stderr, "%s: cannot run %s: %s (run contrib/fetch-qemu.sh)\n",
           argv[0], binary, strerror (errno));
  return 127;
}
