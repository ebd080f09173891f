#!/usr/bin/python3
# Copyright (C) 2026 The hvkit authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""AdoptInstances through hvkitd: an instance started by Ganeti 3.0's own
KVM driver (tests/integration/hv-test-ganeti-start.py) beside one whose
pid is dead, adopted with `hvkitctl adopt`, then listed, queried and
stopped through hvkitd; the same call through Gio and through the remote
hypervisor from Python; polkit asked for org.hvkit.node.adopt."""

import json
import os
import subprocess
import unittest

from hvkitd_harness import Harness, program, strip_remote  # noqa: F401

import gi
gi.require_version('Hv', '1.0')
from gi.repository import GLib, Hv  # noqa: E402

NAME = 'gnt-dbus'
UUID = '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6'
DISK_UUID = 'd15c00d0-0000-4000-8000-0000000000d0'
GANETI_DRIVER = '/usr/share/ganeti/3.0/ganeti/hypervisor/hv_kvm/__init__.py'
HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'integration',
                      'hv-test-ganeti-start.py')


def ganeti_record(name, qemu):
    return json.dumps([[qemu, '-name', name, '-m', 64, '-machine', 'none'], [],
                       {'kvm_path': qemu}, []])


class AdoptTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(GANETI_DRIVER):
            self.skipTest("Ganeti 3.0 (Debian's ganeti) is not installed")
        guest_dir = os.environ.get('HVKIT_TEST_GUEST_DIR')
        if not guest_dir:
            self.skipTest('HVKIT_TEST_GUEST_DIR is not set (run through meson test)')
        with open(os.path.join(guest_dir, 'guest.json'), encoding='utf-8') as file:
            guest = json.load(file)
        self.h = Harness()
        self.addCleanup(self.h.close)
        self.h.polkit_allow_all()
        self.ganeti_dir = os.path.join(self.h.tmp.name, 'ganeti')
        disk = os.path.join(self.h.tmp.name, 'disk.img')
        with open(disk, 'wb') as file:
            file.truncate(16 << 20)
        started = subprocess.run(
            ['/usr/bin/python3', HELPER, self.ganeti_dir, NAME, UUID,
             os.path.join(guest_dir, 'vmlinuz'), os.path.join(guest_dir, 'initrd.img'),
             guest['kernel_args'], '--disk', f'{DISK_UUID}:{disk}'],
            capture_output=True, text=True, check=False,
            # Ganeti's driver and the QEMU it daemonizes are not this
            # test's build: under the ASan run, the sanitizer preloaded
            # into this python must not reach them (a fork after QEMU's
            # threads start can deadlock in ASan's allocator, and the
            # daemon then holds this call's pipes open)
            env={key: value for key, value in os.environ.items() if key != 'LD_PRELOAD'})
        self.assertEqual(started.returncode, 0, started.stderr)
        self.pid = int(started.stdout)
        self.addCleanup(self.kill_qemu)
        # a second record whose QEMU is gone
        dead = subprocess.Popen(['true'])
        dead.wait()
        with open(os.path.join(self.ganeti_dir, 'conf', 'dead.runtime'), 'w',
                  encoding='utf-8') as file:
            file.write(ganeti_record('dead', '/usr/bin/qemu-system-x86_64'))
        with open(os.path.join(self.ganeti_dir, 'pid', 'dead'), 'w', encoding='utf-8') as file:
            file.write(f'{dead.pid}\n')

    def kill_qemu(self):
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:
            pass

    def hvkitctl(self, *args):
        done = subprocess.run([program('HVKIT_TEST_HVKITCTL'), '--address', self.h.address]
                              + list(args), capture_output=True, text=True, check=False)
        return done.returncode, done.stdout, done.stderr

    def test_adopt(self):
        status, out, err = self.hvkitctl('adopt', self.ganeti_dir)
        # one refused: exit status 1, one line each
        self.assertEqual(status, 1, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], 'dead refused: process %s of pidfile \'%s\' is not running'
                         % (open(os.path.join(self.ganeti_dir, 'pid', 'dead'),
                                 encoding='utf-8').read().strip(),
                            os.path.join(self.ganeti_dir, 'pid', 'dead')))
        self.assertEqual(lines[1], f'{NAME} adopted')
        self.assertEqual(len(lines), 2)
        self.assertIn(('org.hvkit.node.adopt', {}), self.h.polkit_pop_checks())

        # hvkitd manages it now
        status, out, err = self.hvkitctl('list')
        self.assertEqual((status, out.split()), (0, [NAME]), err)
        status, out, err = self.hvkitctl('--json', 'info', NAME)
        self.assertEqual(status, 0, err)
        info = json.loads(out)
        self.assertEqual((info['pid'], info['memory']), (self.pid, 128))

        # again, through Gio: the name is hvkitd's
        adoptions = self.h.call('AdoptInstances', GLib.Variant('(s)', (self.ganeti_dir,)),
                                '(aa{sv})')[0]
        by_name = {adoption['name']: adoption for adoption in adoptions}
        self.assertFalse(by_name[NAME]['adopted'])
        self.assertIn('already knows', by_name[NAME]['reason'])
        # and through the remote hypervisor, as Python sees it
        remote = self.h.remote()
        results = remote.adopt_instances_sync(self.ganeti_dir, None)
        self.assertEqual([(r.get_name(), r.get_adopted()) for r in results],
                         [('dead', False), (NAME, False)])
        with self.assertRaises(GLib.Error) as caught:
            remote.adopt_instances_sync(os.path.join(self.h.tmp.name, 'nothing'), None)
        self.assertTrue(caught.exception.matches(Hv.error_quark(),
                                                 Hv.Error.INVALID_PARAMETER))
        status, out, err = self.hvkitctl('--json', 'adopt', self.ganeti_dir)
        self.assertEqual(status, 1)
        self.assertEqual([a['name'] for a in json.loads(out)], ['dead', NAME])

        # stopped by hvkitd: nothing of it left in Ganeti's directory
        status, out, err = self.hvkitctl('stop', NAME, '--force')
        self.assertEqual(status, 0, err)
        for path in (f'conf/{NAME}.runtime', f'pid/{NAME}', f'ctrl/{NAME}.qmp',
                     f'ctrl/{NAME}.serial'):
            self.assertFalse(os.path.exists(os.path.join(self.ganeti_dir, path)), path)
        # the refused one is as it was
        self.assertTrue(os.path.exists(os.path.join(self.ganeti_dir, 'conf', 'dead.runtime')))
        status, out, err = self.hvkitctl('list')
        self.assertEqual((status, out.split()), (0, []), err)


if __name__ == '__main__':
    unittest.main()
