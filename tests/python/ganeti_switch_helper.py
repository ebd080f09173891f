# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs inside a private mount namespace (test_ganeti_backend's
SwitchTest): Ganeti's kvm class before, after `hvkit-ganeti-switch enable
--bind-mount` and after `disable`, one word each on stdout.

Usage: ganeti_switch_helper.py SWITCH PYTHON_DIR STATE_DIR GANETI_DIR"""

import os
import subprocess
import sys

switch, python_dir, state_dir, ganeti_dir = sys.argv[1:5]
ENV = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'PYTHONDONTWRITEBYTECODE': '1'}
ENV.update({name: value for name, value in os.environ.items()
            if name in ('GI_TYPELIB_PATH', 'LD_LIBRARY_PATH')})
PROBE = ("from ganeti import hypervisor; "
         "print(hypervisor.GetHypervisorClass('kvm').__name__)")


def kvm_class():
    return subprocess.run(['/usr/bin/python3', '-c', PROBE], capture_output=True, text=True,
                          check=True, env=dict(ENV, PYTHONPATH=ganeti_dir)).stdout.strip()


def switch_to(command, *extra):
    result = subprocess.run([switch, command, '--ganeti-dir', f'{ganeti_dir}/ganeti',
                             '--state-dir', state_dir, *extra],
                            capture_output=True, text=True, check=False, env=ENV)
    if result.returncode != 0:
        sys.exit(f'{command}: {result.stdout}{result.stderr}')
    return result.stdout


print(f'before:{kvm_class()}')
switch_to('enable', '--bind-mount', '--python-path', python_dir)
print(f'enabled:{kvm_class()}')
# status names the switch and asks hvkitd (there is none on this bus)
lines = switch_to('status').splitlines()
print('status:' + ('bind-mount' if 'bind mount' in lines[0] else lines[0]))
print('hvkitd:' + ('asked' if lines[-1].startswith('hvkitd on ') else lines[-1]))
switch_to('disable')
print(f'disabled:{kvm_class()}')
