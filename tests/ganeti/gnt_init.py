# SPDX-License-Identifier: LGPL-2.1-or-later
"""PID 1 of one test node (unshare --pid --fork ... gnt_init.py DEADLINE_S).

It reaps every child as soon as it exits (Ganeti counts a zombie as a
running process, so a slow reaper adds seconds to every stop), and it
ends the node, which makes the kernel kill every process left in its pid
namespace, when
- its parent (unshare, whose parent is the harness) goes away: the
  harness was killed, so nobody would tear the node down;
- DEADLINE_S seconds have passed: the node stops by itself whatever the
  harness does;
- it gets SIGTERM or SIGINT: the harness's teardown.
It says "ready" on stdout once its signal handlers are in place."""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main():
    deadline_s = int(sys.argv[1])
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # PID 1 gets no default action for signals: without handlers it
    # would ignore SIGTERM
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(signum, lambda *_: sys.exit(0))
    signal.alarm(deadline_s)
    # children arrive at any time (orphans of nsenter'd commands are
    # re-parented here): SIGCHLD stays pending while blocked, so none is
    # missed between the last reap and the wait
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    print('ready', flush=True)
    devnull = os.open('/dev/null', os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        signal.sigwaitinfo({signal.SIGCHLD})


if __name__ == '__main__':
    main()
