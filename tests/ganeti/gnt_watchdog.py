# SPDX-License-Identifier: LGPL-2.1-or-later
"""The test cluster's watchdog (gnt_watchdog.py HARNESS_PID TMPDIR DEADLINE_S).

Started by the harness in a session of its own, so that a signal to the
test's process group does not reach it. When the harness process exits
without having stopped it (killed, crashed), or DEADLINE_S seconds have
passed, it kills the nodes' PID 1s listed in TMPDIR/node-pids (the kernel
then kills everything in their pid namespaces, and their network and
mount namespaces go with them), then the harness itself if it is still
there, and removes TMPDIR. Nothing of the cluster lives anywhere else."""

import os
import select
import shutil
import signal
import sys

GRACE_S = 20


def node_pids(tmpdir):
    try:
        with open(os.path.join(tmpdir, 'node-pids'), encoding='ascii') as file:
            return [int(line) for line in file if line.strip()]
    except FileNotFoundError:
        return []


def wait_gone(pid, timeout_s):
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout_s)[0])
    finally:
        os.close(fd)


def main():
    harness, tmpdir, deadline_s = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        harness_fd = os.pidfd_open(harness)
    except ProcessLookupError:
        harness_fd = None
    if harness_fd is not None:
        ready = select.select([harness_fd], [], [], deadline_s)[0]
        if not ready:
            print(f'gnt_watchdog: the test cluster ran past {deadline_s} s; stopping it',
                  file=sys.stderr, flush=True)
    # from here on, finish the job even if asked to stop
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for pid in node_pids(tmpdir):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in node_pids(tmpdir):
        wait_gone(pid, GRACE_S)
    if harness_fd is not None and not select.select([harness_fd], [], [], 0)[0]:
        os.kill(harness, signal.SIGTERM)
        if not select.select([harness_fd], [], [], GRACE_S)[0]:
            os.kill(harness, signal.SIGKILL)
            wait_gone(harness, GRACE_S)
    shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == '__main__':
    main()
