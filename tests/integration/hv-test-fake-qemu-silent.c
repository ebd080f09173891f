/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * A QEMU whose QMP socket never greets, to use as kvm_path: it passes the
 * capability probe by running the real QEMU for it (anything without
 * -daemonize), and for a start it does what a daemonizing QEMU does —
 * listens on its -qmp socket, writes its -pidfile, and leaves a daemon
 * behind its exiting parent — but never accepts or says anything. Its
 * command line stays the one it was given, -name included.
 */

#define REAL_QEMU "/usr/bin/qemu-system-x86_64"

static int
listen_on (const char *qmp)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  const char *path = strncmp (qmp, "unix:", 5) == 0 ? qmp + 5 : qmp;
  size_t length = strcspn (path, ",");
  int fd;

  if (length >= sizeof address.sun_path)
    return -1;
  memcpy (address.sun_path, path, length);
  unlink (address.sun_path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *) &address, sizeof address) < 0 ||
      listen (fd, 4) < 0)
    return -1;
  return fd;
}

int
main (int argc, char **argv)
{
  const char *pidfile = NULL;
  const char *qmp = NULL;
  int daemonize = 0;
  int ready[2];
  pid_t pid;
  char byte = 0;
  FILE *file;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "-daemonize") == 0)
        daemonize = 1;
      else if (strcmp (argv[i], "-pidfile") == 0 && i + 1 < argc)
        pidfile = argv[++i];
      else if (strcmp (argv[i], "-qmp") == 0 && i + 1 < argc)
        qmp = argv[++i];
    }
  if (!daemonize)
    {
      execv (REAL_QEMU, argv);
      fprintf (stderr, "cannot run %s: %s\n", REAL_QEMU, strerror (errno));
      return 127;
    }
  if (pidfile == NULL || qmp == NULL || listen_on (qmp) < 0 || pipe (ready) < 0)
    {
      fprintf (stderr, "fake QEMU: no -pidfile or -qmp, or cannot listen: %s\n",
               strerror (errno));
      return 1;
    }
  pid = fork ();
  if (pid < 0)
    return 1;
  if (pid > 0)
    {
      /* the parent ends once the daemon wrote its pidfile, as QEMU's */
      close (ready[1]);
      return read (ready[0], &byte, 1) == 1 ? 0 : 1;
    }
  close (ready[0]);
  setsid ();
  file = fopen (pidfile, "w");
  if (file == NULL || fprintf (file, "%d\n", (int) getpid ()) < 0 || fclose (file) != 0)
    return 1;
  if (write (ready[1], &byte, 1) != 1)
    return 1;
  close (ready[1]);
  for (;;)
    pause ();
}
