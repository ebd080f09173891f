/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * pidfd_open() and pidfd_send_signal() for a process run under valgrind
 * 3.19 (Debian 12's), which does not know the pidfd_open system call and
 * answers ENOSYS: hvkit needs a pidfd for each QEMU. Preloaded into the
 * soak under memcheck (test soak-valgrind) only.
 *
 * The descriptor handed out is an eventfd; a thread looks at the watched
 * processes every 10 ms and makes the eventfd readable (as a pidfd is)
 * once the process has exited (gone, or a zombie). The thread writes
 * through its own duplicate of the eventfd, so a descriptor the caller
 * closed and whose number was reused is never written to. Signals go by
 * pid: the reuse of a pid within a test's run is not guarded against, as
 * a pidfd would.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/types.h>

#define MAX_WATCHED 256

typedef struct {
  pid_t pid;
  int   fd;          /* the caller's */
  int   own_fd;      /* the thread's duplicate; -1 once written */
} Watched;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Watched watched[MAX_WATCHED];
static int started;

static int
has_exited (pid_t pid)
{
  char path[64], buf[512];
  FILE *file;
  char *close_paren;
  int exited = 1;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  file = fopen (path, "re");
  if (file == NULL)
    return 1;
  if (fgets (buf, sizeof buf, file) != NULL && (close_paren = strrchr (buf, ')')) != NULL)
    exited = close_paren[1] == ' ' && (close_paren[2] == 'Z' || close_paren[2] == 'X');
  fclose (file);
  return exited;
}

static void *
watch_thread (void *data)
{
  for (;;)
    {
      usleep (10000);
      pthread_mutex_lock (&lock);
      for (int i = 0; i < MAX_WATCHED; i++)
        if (watched[i].pid > 0 && watched[i].own_fd >= 0 && has_exited (watched[i].pid))
          {
            uint64_t one = 1;

            if (write (watched[i].own_fd, &one, sizeof one) < 0)
              perror ("pidfd shim");
            close (watched[i].own_fd);
            watched[i].own_fd = -1;
          }
      pthread_mutex_unlock (&lock);
    }
  return NULL;
}

int
pidfd_open (pid_t        pid,
            unsigned int flags)
{
  int fd, own_fd;

  if (pid <= 0 || flags != 0)
    {
      errno = EINVAL;
      return -1;
    }
  if (kill (pid, 0) < 0 && errno == ESRCH)
    return -1;
  fd = eventfd (0, EFD_CLOEXEC);
  if (fd < 0)
    return -1;
  own_fd = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  pthread_mutex_lock (&lock);
  if (!started)
    {
      pthread_t thread;

      pthread_create (&thread, NULL, watch_thread, NULL);
      pthread_detach (thread);
      started = 1;
    }
  /* an entry with this descriptor's number is stale: its descriptor was
   * closed, or the number would not be free */
  for (int i = 0; i < MAX_WATCHED; i++)
    if (watched[i].pid > 0 && watched[i].fd == fd)
      {
        if (watched[i].own_fd >= 0)
          close (watched[i].own_fd);
        watched[i].pid = 0;
      }
  for (int i = 0; i < MAX_WATCHED; i++)
    if (watched[i].pid == 0)
      {
        watched[i].pid = pid;
        watched[i].fd = fd;
        watched[i].own_fd = own_fd;
        pthread_mutex_unlock (&lock);
        return fd;
      }
  pthread_mutex_unlock (&lock);
  close (fd);
  close (own_fd);
  errno = EMFILE;
  return -1;
}

int
pidfd_send_signal (int        pidfd,
                   int        sig,
                   siginfo_t *info,
                   unsigned   flags)
{
  pid_t pid = 0;

  pthread_mutex_lock (&lock);
  for (int i = 0; i < MAX_WATCHED; i++)
    if (watched[i].pid > 0 && watched[i].fd == pidfd)
      pid = watched[i].pid;
  pthread_mutex_unlock (&lock);
  if (pid == 0)
    {
      errno = EBADF;
      return -1;
    }
  return kill (pid, sig);
}
