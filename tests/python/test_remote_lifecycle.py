# SPDX-License-Identifier: LGPL-2.1-or-later
"""test_kvm_lifecycle's tests again, through Hv.RemoteHypervisor: the KVM
plugin runs in hvkitd on a private bus (tests/dbus/hvkitd_harness.py) and
the tests use the same API at a distance — blocking and async calls,
Hv error codes, instance-state-changed."""

import os
import sys
import tempfile
import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import GLib, Hv  # noqa: E402

import test_kvm_lifecycle as lifecycle  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'dbus'))
from hvkitd_harness import Harness  # noqa: E402


class RemoteLifecycleTest(lifecycle.KvmLifecycleTest):
    def setUp(self):
        if not os.environ.get('HVKIT_TEST_HVKITD'):
            self.skipTest('HVKIT_TEST_HVKITD is not set (run through meson test)')
        self.guest = lifecycle.load_test_guest(self)
        self.harness = Harness(hvkitd_args=['--option', 'powerdown-interval-ms=uint32 2000'])
        self.run_dir = self.harness.run_dir
        self.loop = GLib.MainLoop()
        self.console = None
        # the instance as the in-process tests make it, from HvKvm's defaults
        with tempfile.TemporaryDirectory(prefix='hvkit-py-remote-') as run_dir:
            local = Hv.PluginLoader.new(None).get_hypervisor(
                'kvm', GLib.Variant('a{sv}', {'run-dir': GLib.Variant('s', run_dir)}))
            spec = lifecycle.instance_dict(local, self.guest)
            del local
        self.kvm = self.harness.remote('kvm')
        self.state_changes = []
        self.handler = self.kvm.connect('instance-state-changed', self.on_state_changed)
        self.instance = Hv.Instance.new_from_variant(spec)

    def tearDown(self):
        try:
            self.kvm.stop_instance_sync(self.instance, True, False, 0, None)
            self.kvm.cleanup_instance_sync(lifecycle.NAME, None)
        finally:
            if self.console is not None:
                self.console.close()
            self.kvm.disconnect(self.handler)
            del self.kvm
            self.harness.close()


if __name__ == '__main__':
    unittest.main()
