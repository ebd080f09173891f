/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * A QEMU whose QMP socket misbehaves, to use as kvm_path: it passes the
 * capability probe by running the real QEMU for it (anything without
 * -daemonize), and for a start it does what a daemonizing QEMU does —
 * listens on its -qmp socket, writes its -pidfile, and leaves a daemon
 * behind its exiting parent. What the daemon does on its socket is named
 * by the end of the name it was run by (a symbolic link to it):
 *   …-silent   never accepts, never says anything (also any other name);
 *   …-mute     greets, then reads and never answers;
 *   …-garbage  sends bytes that are not JSON, then nothing;
 *   …-endless  sends one line that never ends;
 *   …-hangup   accepts and closes the connection at once.
 * Its command line stays the one it was given, -name included.
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

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, " \
                 "\"major\": 7}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}\r\n"
#define GARBAGE  "\x01\x02 this is not QMP }{ \xff\xfe\r\n"

static int
has_suffix (const char *name,
            const char *suffix)
{
  size_t length = strlen (name), suffix_length = strlen (suffix);

  return length >= suffix_length && strcmp (name + length - suffix_length, suffix) == 0;
}

static int
write_all (int         fd,
           const char *data,
           size_t      length)
{
  while (length > 0)
    {
      ssize_t written = write (fd, data, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        return -1;
      data += written;
      length -= (size_t) written;
    }
  return 0;
}

/* What the daemon does with its listening socket @fd, by @mode (its name). */
static void
serve (int         fd,
       const char *mode)
{
  char buffer[4096];
  int client;

  signal (SIGPIPE, SIG_IGN);
  if (!has_suffix (mode, "-mute") && !has_suffix (mode, "-garbage") &&
      !has_suffix (mode, "-endless") && !has_suffix (mode, "-hangup"))
    return;
  client = accept (fd, NULL, NULL);
  if (client < 0)
    return;
  if (has_suffix (mode, "-hangup"))
    {
      close (client);
      close (fd);
    }
  else if (has_suffix (mode, "-mute"))
    {
      if (write_all (client, GREETING, strlen (GREETING)) == 0)
        while (read (client, buffer, sizeof buffer) > 0)
          ;
    }
  else if (has_suffix (mode, "-garbage"))
    {
      write_all (client, GARBAGE, strlen (GARBAGE));
    }
  else
    {
      memset (buffer, 'x', sizeof buffer);
      write_all (client, "{\"QMP\": \"", 9);
      while (write_all (client, buffer, sizeof buffer) == 0)
        ;
    }
}

int
main (int argc, char **argv)
{
  int listening;
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
  if (pidfile == NULL || qmp == NULL || (listening = listen_on (qmp)) < 0 || pipe (ready) < 0)
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
  serve (listening, argv[0]);
  for (;;)
    pause ();
}
