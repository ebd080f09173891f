# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs one shell command in the test guest through its serial socket
(gnt_console.py SOCKET TIMEOUT_S COMMAND), run inside the node where the
instance's QEMU is; prints the command's output and exits with its status.

The guest (tests/guest) prints HVKIT-GUEST-READY once its shell listens on
ttyS0, and the shell has no echo or prompt. QEMU drops what the guest
writes while no client is connected, so a probe goes first: the answer to
it, or the READY line if the shell was not up yet, says the shell listens.
The command's output is framed by markers printed with a number as an
argument, so the command line itself can never match them."""

import os
import socket
import sys
import time


class Lines:
    def __init__(self, sock, deadline):
        self.sock = sock
        self.deadline = deadline
        self.buffer = b''

    def next(self):
        while b'\n' not in self.buffer:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError('no answer from the guest')
            self.sock.settimeout(remaining)
            data = self.sock.recv(4096)
            if not data:
                raise ConnectionError('the serial socket closed')
            self.buffer += data
        line, self.buffer = self.buffer.split(b'\n', 1)
        return line.decode('utf-8', 'replace').rstrip('\r')


def main():
    path, timeout_s, command = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    deadline = time.monotonic() + timeout_s
    tag = os.getpid()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout_s)
    sock.connect(path)
    lines = Lines(sock, deadline)
    sock.sendall(f'\necho HVKIT-PING $(( {tag} + 0 ))\n'.encode())
    while True:
        line = lines.next()
        if line.startswith('HVKIT-GUEST-READY') or line == f'HVKIT-PING {tag}':
            break
    sock.sendall(f'echo HVKIT-BEGIN $(( {tag} + 1 )); {command}; '
                 f'echo HVKIT-END $(( {tag} + 1 )) $?\n'.encode())
    while lines.next() != f'HVKIT-BEGIN {tag + 1}':
        pass
    output = []
    while True:
        line = lines.next()
        if line.startswith(f'HVKIT-END {tag + 1} '):
            status = int(line.split()[-1])
            break
        if not line.startswith('UEVENT '):
            output.append(line)
    print('\n'.join(output))
    return status


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (OSError, TimeoutError) as error:
        print(f'gnt_console: {error}', file=sys.stderr)
        sys.exit(125)
