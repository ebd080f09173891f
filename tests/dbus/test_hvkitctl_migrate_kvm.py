# SPDX-License-Identifier: LGPL-2.1-or-later
"""hvkitctl migrate between two hvkitd with the real KVM plugin: two hosts,
each an hvkitd with its own private bus, run dir and network namespace
(hvkitd_harness's netns=True), joined by a veth pair on 10.233.0.0/24 that
exists only in namespaces this test made. The test guest (TCG) goes from
A to B and back through hvkitctl, which prints its progress; a file it
keeps in RAM is read on each side after the move.

Every wait is for a reply, a console line or a process; nothing sleeps."""

import os
import re
import shutil
import sys
import tempfile
import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import Gio, GLib, Hv  # noqa: E402

from hvkitd_harness import Harness, program, unshare_net  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))
import test_kvm_lifecycle as lifecycle  # noqa: E402

NAME = 'dbus-migrate'
UUID = '7b2c3d4e-5f60-4718-9a2b-3c4d5e6f7081'
ADDRESS_A = '10.233.0.1'
ADDRESS_B = '10.233.0.2'
BOOT_TIMEOUT_S = 120
COMMAND_TIMEOUT_S = 60
# hvkitctl's plain progress line (its output is no terminal here)
PROGRESS = re.compile(rf'^{NAME}: (\S+), (\d+) of (\d+) bytes, [\d.]+ MiB/s, pass (\d+)$')


def ip(*args):
    process = Gio.Subprocess.new(['ip', *args], Gio.SubprocessFlags.STDERR_PIPE)
    _, _, err = process.communicate_utf8(None, None)
    if not process.get_successful():
        raise RuntimeError(f'ip {" ".join(args)}: {err.strip()}')


class HvkitctlMigrateKvmTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hosts = []
        cls.consoles = {}
        cls.guest = lifecycle.load_test_guest(cls)
        if os.geteuid() != 0 or not all(shutil.which(p) for p in ('ip', 'unshare', 'nsenter')):
            raise unittest.SkipTest('two namespaced hosts need root, ip, unshare and nsenter')
        # the test's own namespace: the veth pair is made here, then each
        # end moves into a host's
        unshare_net()
        ip('link', 'add', 'hmig0', 'type', 'veth', 'peer', 'name', 'hmig1')
        try:
            for end, address in (('hmig0', ADDRESS_A), ('hmig1', ADDRESS_B)):
                host = Harness(netns=True)
                cls.hosts.append(host)
                ip('link', 'set', end, 'netns', host.hvkitd.get_identifier())
                host.ip('link', 'set', 'lo', 'up')
                host.ip('addr', 'add', f'{address}/24', 'dev', end)
                host.ip('link', 'set', end, 'up')
            cls.a, cls.b = cls.hosts
            cls.waiter = cls.a.waiter
            cls.boot()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def boot(cls):
        # the instance's a{sv} with the KVM defaults, read in-process
        with tempfile.TemporaryDirectory(prefix='hvkit-dbus-defaults-') as run_dir:
            kvm = Hv.PluginLoader.new(None).get_hypervisor(
                'kvm', GLib.Variant('a{sv}', {'run-dir': GLib.Variant('s', run_dir)}))
            lifecycle.NAME = NAME
            spec = lifecycle.instance_dict(kvm, cls.guest)
            del kvm
        cls.instance = GLib.Variant('a{sv}', {
            'name': GLib.Variant('s', NAME), 'uuid': GLib.Variant('s', UUID),
            'hvparams': spec.lookup_value('hvparams', None),
            'beparams': spec.lookup_value('beparams', None)})
        cls.a.call('StartInstance', GLib.Variant.new_tuple(cls.instance, GLib.Variant('b', True)))
        console = cls.console(cls.a)
        monitor = Gio.SocketClient.new().connect(
            Gio.UnixSocketAddress.new(os.path.join(cls.a.run_dir, f'{NAME}.monitor')), None)
        monitor.get_output_stream().write_all(b'cont\n', None)
        cls.waiter.until(lambda: console.find(lifecycle.READY_PATTERN), BOOT_TIMEOUT_S,
                         'guest ready line')
        monitor.close(None)

    @classmethod
    def console(cls, host):
        """The guest's serial console on HOST, connected once."""
        if host not in cls.consoles:
            cls.consoles[host] = lifecycle.SerialConsole(
                os.path.join(host.run_dir, f'{NAME}.serial'), cls.waiter.wake)
        return cls.consoles[host]

    @classmethod
    def tearDownClass(cls):
        for console in cls.consoles.values():
            console.close()
        failures = []
        for host in cls.hosts:
            try:
                if NAME in host.call('ListInstances', None, '(as)')[0]:
                    host.call('StopInstance', GLib.Variant.new_tuple(
                        cls.instance, GLib.Variant('b', True), GLib.Variant('b', False),
                        GLib.Variant('u', 0)))
                host.call('CleanupInstance', GLib.Variant('(s)', (NAME,)))
            except GLib.Error:
                pass
            try:
                host.close()
            except AssertionError as error:
                failures.append(str(error))
        if failures:
            raise AssertionError('; '.join(failures))

    # -- helpers --------------------------------------------------------------

    def run_in_guest(self, host, command):
        console = self.console(host)
        number = console.start_command(command)
        return self.waiter.until(lambda: console.command_output(number), COMMAND_TIMEOUT_S,
                                 f'end of `{command}` on {host.run_dir}')

    def hvkitctl(self, host, *args):
        launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.STDOUT_PIPE |
                                              Gio.SubprocessFlags.STDERR_PIPE)
        process = launcher.spawnv([program('HVKIT_TEST_HVKITCTL'), '--address', host.address]
                                  + list(args))
        _, out, err = process.communicate_utf8(None, None)
        return process.get_exit_status(), out, err

    def migrate(self, source, target, address, *options):
        """hvkitctl migrate from SOURCE to TARGET; checks its progress lines
        and that the instance is TARGET's alone."""
        status, out, err = self.hvkitctl(source, 'migrate', NAME, address, *options,
                                         '--target-bus', target.address)
        self.assertEqual(status, 0, err + out)
        reports = [PROGRESS.match(line) for line in out.splitlines()]
        self.assertTrue(reports and all(reports), out)
        last = reports[-1]
        self.assertEqual(last.group(1), 'completed', out)
        self.assertGreater(int(last.group(2)), 0, out)
        self.assertEqual(source.call('ListInstances', None, '(as)'), ([],))
        self.assertEqual(target.call('ListInstances', None, '(as)'), ([NAME],))
        (info,) = target.call('GetInstanceInfo', GLib.Variant('(s)', (NAME,)), '(a{sv})')
        self.assertEqual(info['state'], 'running')
        # the source's QEMU is gone: its console closed
        self.waiter.until(lambda: self.console(source).closed, COMMAND_TIMEOUT_S,
                          'end of the source console')
        self.consoles.pop(source).close()

    # -- the tests, in order --------------------------------------------------

    def test_01_a_to_b_and_back(self):
        self.assertEqual(self.run_in_guest(self.a, 'echo state-4711 > /tmp/state'), ([], 0))
        self.migrate(self.a, self.b, ADDRESS_B)
        # the guest's RAM came along, and it runs on
        self.assertEqual(self.run_in_guest(self.b, 'cat /tmp/state'), (['state-4711'], 0))
        self.assertEqual(self.run_in_guest(self.b, 'echo on-b >> /tmp/state'), ([], 0))

        self.migrate(self.b, self.a, ADDRESS_A)
        self.assertEqual(self.run_in_guest(self.a, 'cat /tmp/state'),
                         (['state-4711', 'on-b'], 0))

    def test_02_non_live(self):
        self.migrate(self.a, self.b, ADDRESS_B, '--non-live')
        # a non-live migration paused the guest; the target resumed it
        self.assertEqual(self.run_in_guest(self.b, 'cat /tmp/state'),
                         (['state-4711', 'on-b'], 0))


if __name__ == '__main__':
    unittest.main()
