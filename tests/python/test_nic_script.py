# SPDX-License-Identifier: LGPL-2.1-or-later
"""NIC scripts run from Python: environment, a run, a failure."""

import os
import stat
import tempfile
import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import GLib, Hv  # noqa: E402


def _nic(**values):
    base = {'uuid': GLib.Variant('s', '9c3b2a0e-4f7d-4b1e-8c55-0d5a7e0b1c01'),
            'mac': GLib.Variant('s', 'aa:00:00:35:1c:7e'),
            'mode': GLib.Variant('s', 'bridged'),
            'link': GLib.Variant('s', 'br0')}
    base.update(values)
    return Hv.Nic.new_from_variant(GLib.Variant('a{sv}', base))


class NicScriptTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix='hvkit-nic-py-')
        self.addCleanup(self.dir.cleanup)

    def write_script(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, 'w') as script:
            script.write(text)
        os.chmod(path, stat.S_IRWXU)
        return path

    def test_environment(self):
        env = Hv.NicScript.build_environment('web1', _nic(vlan=GLib.Variant('s', '.7')),
                                             2, 'tap2', ['a', 'b'])
        self.assertEqual([e for e in env if not e.startswith('PATH=')], [
            'BRIDGE=br0', 'INSTANCE=web1', 'INTERFACE=tap2', 'INTERFACE_INDEX=2',
            'INTERFACE_UUID=9c3b2a0e-4f7d-4b1e-8c55-0d5a7e0b1c01', 'LC_ALL=C',
            'LINK=br0', 'MAC=aa:00:00:35:1c:7e', 'MODE=bridged', 'TAGS=a b', 'VLAN=.7'])

    def test_ifup(self):
        out = os.path.join(self.dir.name, 'out')
        path = self.write_script('kvm-ifup', '#!/bin/sh\necho "$1 $INSTANCE $TAGS" > %s\n' % out)
        instance = Hv.Instance.new('web1')
        instance.set_tags(['web'])
        self.assertTrue(Hv.NicScript.new(path).ifup_sync(instance, _nic(), 0, 'tap0', None))
        with open(out) as result:
            self.assertEqual(result.read(), 'tap0 web1 web\n')

    def test_ifdown_fails(self):
        path = self.write_script('kvm-ifdown', '#!/bin/sh\necho "no $2 for $1"\nexit 4\n')
        with self.assertRaises(GLib.Error) as caught:
            Hv.NicScript.new(path).ifdown_sync('web1', _nic(), 'tap0', False, None)
        self.assertTrue(caught.exception.matches(Hv.error_quark(), Hv.Error.FAILED))
        self.assertEqual(caught.exception.message,
                         'Failed to unconfigure interface tap0: exited with status 4;'
                         ' network configuration script output: no false for tap0')
