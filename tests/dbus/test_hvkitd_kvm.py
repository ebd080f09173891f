# SPDX-License-Identifier: LGPL-2.1-or-later
"""hvkitd with the real KVM plugin and the test guest (QEMU under TCG), on
a private bus with polkit mocked: every method through Gio, a share
through Hv.RemoteHypervisor and hvkitctl, 32 clients asking while a
hot-add runs, bad input, SIGTERM and SIGKILL of hvkitd.

The tests run in order on one guest booted once (setUpClass); each
waits on replies, signals and console lines, with timeouts."""

import json
import os
import signal
import sys
import tempfile
import time
import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import Gio, GLib, Hv  # noqa: E402

from hvkitd_harness import (Harness, MANAGER_PATH, program, strip_remote,  # noqa: E402
                            unshare_net)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))
import test_kvm_lifecycle as lifecycle  # noqa: E402

NAME = 'dbus-guest'
UUID = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
BOOT_TIMEOUT_S = 120
COMMAND_TIMEOUT_S = 60
CLIENTS = 32


def run_record(run_dir):
    with open(os.path.join(run_dir, 'conf', f'{NAME}.runtime'), 'rb') as file:
        return file.read()


def disk_dict(path, uuid):
    return {'uuid': GLib.Variant('s', uuid), 'size': GLib.Variant('x', 16),
            'mode': GLib.Variant('s', 'rw'), 'link': GLib.Variant('s', path)}


class HvkitdKvmTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.environ.get('HVKIT_TEST_GUEST_DIR'):
            raise unittest.SkipTest('HVKIT_TEST_GUEST_DIR is not set (run through meson test)')
        cls.guest = lifecycle.load_test_guest(cls)
        # the taps of hot-added NICs in a network namespace of the test's
        # own, not the host's: hvkitd and its QEMU inherit it
        unshare_net()
        # short: a reboot of a paused guest waits for it, then kills it
        cls.h = Harness(hvkitd_args=['--option', 'reboot-timeout-ms=uint32 3000'])
        cls.console = None
        try:
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
        values = spec.unpack()
        cls.instance = GLib.Variant('a{sv}', {
            'name': GLib.Variant('s', NAME), 'uuid': GLib.Variant('s', UUID),
            'hvparams': spec.lookup_value('hvparams', None),
            'beparams': spec.lookup_value('beparams', None)})
        assert values['name'] == NAME
        cls.h.call('StartInstance', GLib.Variant.new_tuple(cls.instance, GLib.Variant('b', True)))
        cls.console = lifecycle.SerialConsole(os.path.join(cls.h.run_dir, f'{NAME}.serial'),
                                              cls.h.waiter.wake)
        monitor = Gio.SocketClient.new().connect(
            Gio.UnixSocketAddress.new(os.path.join(cls.h.run_dir, f'{NAME}.monitor')), None)
        monitor.get_output_stream().write_all(b'cont\n', None)
        cls.h.waiter.until(lambda: cls.console.find(lifecycle.READY_PATTERN), BOOT_TIMEOUT_S,
                           'guest ready line')
        monitor.close(None)

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.h.hvkitd is not None:
                try:
                    cls.h.call('StopInstance', GLib.Variant.new_tuple(
                        cls.instance, GLib.Variant('b', True), GLib.Variant('b', False),
                        GLib.Variant('u', 0)))
                except GLib.Error:
                    pass
                cls.h.call('CleanupInstance', GLib.Variant('(s)', (NAME,)))
        finally:
            if cls.console is not None:
                cls.console.close()
            cls.h.close()

    # -- helpers --------------------------------------------------------------

    def call(self, method, *values, reply_type=None, **kwargs):
        return self.h.call(method, GLib.Variant.new_tuple(*values) if values else None,
                           reply_type, **kwargs)

    def inst(self):
        return self.instance

    def wait_line(self, pattern):
        return self.h.waiter.until(lambda: self.console.find(pattern), COMMAND_TIMEOUT_S,
                                   f'console line /{pattern}/')

    def info(self):
        return self.call('GetInstanceInfo', GLib.Variant('s', NAME), reply_type='(a{sv})')[0]

    def make_disk(self, name):
        path = os.path.join(self.h.run_dir, name)
        with open(path, 'wb') as image:
            image.truncate(16 * 1024 * 1024)
        return path

    def hvkitctl(self, *args):
        """Runs hvkitctl against the private bus; (status, stdout, stderr)."""
        launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.STDOUT_PIPE |
                                              Gio.SubprocessFlags.STDERR_PIPE)
        process = launcher.spawnv([program('HVKIT_TEST_HVKITCTL'), '--address', self.h.address]
                                  + list(args))
        ok, out, err = process.communicate_utf8(None, None)
        return process.get_exit_status(), out, err

    def assert_remote_error(self, caught, *names):
        name = Gio.DBusError.get_remote_error(caught.exception)
        self.assertIn(name, names, caught.exception.message)

    # -- the tests, in order --------------------------------------------------

    def test_01_every_read_and_check_method(self):
        self.assertIn(NAME, self.call('ListInstances', reply_type='(as)')[0])
        info = self.info()
        self.assertEqual((info['name'], info['state']), (NAME, 'running'))
        self.assertGreater(info['pid'], 1)
        infos = self.call('GetAllInstancesInfo', reply_type='(aa{sv})')[0]
        self.assertEqual([i['name'] for i in infos], [NAME])
        console = self.call('GetInstanceConsole', self.inst(), reply_type='(a{sv})')[0]
        self.assertIn('kind', console)
        node = self.call('GetNodeInfo', reply_type='(a{sv})')[0]
        self.assertGreater(node['memory_total'], 0)
        params = self.call('GetParameters', reply_type='(aa{sv})')[0]
        self.assertIn('kvm_path', [p['name'] for p in params])
        hvparams = self.inst().lookup_value('hvparams', None)
        self.call('CheckParameterSyntax', hvparams)
        self.call('ValidateParameters', hvparams)
        self.call('Verify')
        self.call('HotplugSupported', self.inst())
        self.call('VerifyHotplugSupport', self.inst(), GLib.Variant('s', 'hotadd'),
                  GLib.Variant('s', 'disk'))
        (info_bytes,) = self.call('MigrationInfo', self.inst(), reply_type='(ay)')
        # the migration methods answer as the driver does: a result or a
        # typed error, never a bus error
        for method, args in (
                ('AcceptInstance', (self.inst(), GLib.Variant('ay', bytes(info_bytes)),
                                    GLib.Variant('s', 'nowhere'))),
                ('GetMigrationStatus', (self.inst(),)),
                ('FinalizeMigrationDst', (self.inst(), GLib.Variant('ay', bytes(info_bytes)),
                                          GLib.Variant('b', False))),
                ('FinalizeMigrationSource', (self.inst(), GLib.Variant('b', False),
                                             GLib.Variant('b', True)))):
            with self.subTest(method=method):
                try:
                    self.call(method, *args)
                except GLib.Error as error:
                    self.assertTrue(Gio.DBusError.get_remote_error(error).startswith(
                        'org.hvkit.Error.'), error.message)
        # MigrateInstance: a job, finished with the driver's answer
        finished = []
        sub = self.h.connection.signal_subscribe(
            None, 'org.hvkit.Job1', 'Finished', None, None, Gio.DBusSignalFlags.NONE,
            lambda *a: (finished.append(a[5].unpack()), self.h.waiter.wake()))
        (job,) = self.call('MigrateInstance', self.inst(), GLib.Variant('s', 'nowhere'),
                           GLib.Variant('b', True), reply_type='(o)')
        self.h.waiter.until(lambda: finished, COMMAND_TIMEOUT_S, 'Finished of the job')
        self.h.connection.signal_unsubscribe(sub)
        state, error_name, _ = finished[0]
        self.assertIn(state, ('succeeded', 'failed'))
        if state == 'failed':
            self.assertTrue(error_name.startswith('org.hvkit.Error.'), finished)
        self.h.call('Release', None, path=job, interface='org.hvkit.Job1')
        # ballooning, seen in the info
        self.call('BalloonInstanceMemory', self.inst(), GLib.Variant('x', 200))
        self.assertEqual(self.info()['memory'], 200)

    def test_02_hot_add_while_32_clients_ask(self):
        path = self.make_disk('disk-a.img')
        done = {}
        answers = []
        clients = [self.h.connect() for _ in range(CLIENTS)]
        start = time.monotonic()

        def on_hot_add(reply):
            done['hot_add'] = (time.monotonic() - start, reply)

        self.h.call_async('HotAddDevice', GLib.Variant.new_tuple(
            self.inst(), GLib.Variant('s', 'disk'),
            GLib.Variant('a{sv}', disk_dict(path, 'da000001-0000-4000-8000-000000000001')),
            GLib.Variant('u', 0)), on_hot_add)
        for conn in clients:
            for method, args in (('GetInstanceInfo', GLib.Variant('(s)', (NAME,))),
                                 ('ListInstances', None)):
                self.h.call_async(method, args,
                                  lambda reply, m=method: answers.append(
                                      (m, time.monotonic() - start, reply)),
                                  connection=conn)
        self.h.waiter.until(lambda: 'hot_add' in done and len(answers) == 2 * CLIENTS,
                            COMMAND_TIMEOUT_S, 'all answers')
        hot_add_s, reply = done['hot_add']
        self.assertNotIsInstance(reply, GLib.Error, reply)
        placed = reply.unpack()[0]
        self.assertGreaterEqual(placed['pci'], 0)
        errors = [a for a in answers if isinstance(a[2], GLib.Error)]
        self.assertEqual(errors, [])
        for method, _, reply in answers:
            if method == 'GetInstanceInfo':
                self.assertEqual(reply.unpack()[0]['name'], NAME)
            else:
                self.assertIn(NAME, reply.unpack()[0])
        print(f'# hot-add {hot_add_s * 1000:.0f} ms; {2 * CLIENTS} answers, the last at '
              f'{max(t for _, t, _ in answers) * 1000:.0f} ms')
        self.wait_line(r'^UEVENT add block')
        type(self).disk_a = placed

    def test_02a_clients_answered_while_a_hot_add_is_held(self):
        """None of 32 clients waits for a hot-add: a NIC's ifup is held
        (a FIFO it reads) until every client has its answers."""
        os.mkfifo(self.h.ifup_hold)
        done = []
        answers = []
        clients = [self.h.connect() for _ in range(CLIENTS)]
        nic = {'uuid': GLib.Variant('s', 'da00000a-0000-4000-8000-00000000000a'),
               'mac': GLib.Variant('s', '52:54:00:da:00:0a'),
               'mode': GLib.Variant('s', 'bridged')}
        try:
            self.h.call_async('HotAddDevice', GLib.Variant.new_tuple(
                self.inst(), GLib.Variant('s', 'nic'), GLib.Variant('a{sv}', nic),
                GLib.Variant('u', 1)), lambda reply: (done.append(reply), self.h.waiter.wake()))
            for conn in clients:
                for method, args in (('GetInstanceInfo', GLib.Variant('(s)', (NAME,))),
                                     ('ListInstances', None)):
                    self.h.call_async(method, args,
                                      lambda reply, m=method: answers.append((m, reply)),
                                      connection=conn)
            self.h.waiter.until(lambda: len(answers) == 2 * CLIENTS or done,
                                COMMAND_TIMEOUT_S, 'the answers to every client')
            # the hot-add still waits in ifup: nobody waited for it
            self.assertEqual(done, [])
            self.assertEqual([a for a in answers if isinstance(a[1], GLib.Error)], [])
        finally:
            # ifup reads the FIFO by now, unless the hot-add failed before
            # it: then there is no reader, and nothing to release
            try:
                hold = os.open(self.h.ifup_hold, os.O_WRONLY | os.O_NONBLOCK)
                os.write(hold, b'go\n')
                os.close(hold)
            except OSError:
                pass
            os.unlink(self.h.ifup_hold)
        self.h.waiter.until(lambda: done, COMMAND_TIMEOUT_S, 'the held hot-add')
        self.assertNotIsInstance(done[0], GLib.Error, done[0])
        placed = done[0].unpack()[0]
        self.call('HotDelDevice', self.inst(), GLib.Variant('s', 'nic'),
                  GLib.Variant('a{sv}', {'uuid': nic['uuid'], 'mac': nic['mac'],
                                         'mode': nic['mode'],
                                         'pci': GLib.Variant('i', placed['pci'])}),
                  GLib.Variant('u', 1))

    def test_02b_a_caller_that_leaves_does_not_stop_its_hot_add(self):
        path = self.make_disk('disk-b.img')
        disk = GLib.Variant('a{sv}', disk_dict(path, 'da000005-0000-4000-8000-000000000005'))
        caller = self.h.connect()
        caller.call(  # no one waits for the answer: the caller leaves
            'org.hvkit', '/org/hvkit/Hypervisor/kvm', 'org.hvkit.Hypervisor1', 'HotAddDevice',
            GLib.Variant.new_tuple(self.inst(), GLib.Variant('s', 'disk'), disk,
                                   GLib.Variant('u', 1)),
            None, Gio.DBusCallFlags.NONE, -1, None, None)
        caller.flush_sync(None)
        caller.close_sync(None)
        self.wait_line(r'^UEVENT add block')
        # the record has it: the removal finds it
        self.call('HotDelDevice', self.inst(), GLib.Variant('s', 'disk'), disk,
                  GLib.Variant('u', 1))
        self.wait_line(r'^UEVENT remove block')

    def test_02c_a_stuck_qemu_holds_only_its_caller(self):
        pid = self.info()['pid']
        replies = []
        os.kill(pid, signal.SIGSTOP)
        try:
            # QEMU cannot answer QMP now: this info waits
            self.h.call_async('GetInstanceInfo', GLib.Variant('(s)', (NAME,)), replies.append)
            # every other caller is served meanwhile; the main loop runs
            # while they are, so an answer to the info would be seen
            others = []
            for method in ('ListInstances', 'GetNodeInfo', 'GetParameters'):
                self.h.call_async(method, None, others.append, connection=self.h.connect())
            self.h.waiter.until(lambda: len(others) == 3, COMMAND_TIMEOUT_S, 'the other answers')
            self.assertEqual([o for o in others if isinstance(o, GLib.Error)], [])
            status, out, err = self.hvkitctl('node-info')
            self.assertEqual(status, 0, err)
            self.h.call('Ping', None, path=MANAGER_PATH, interface='org.freedesktop.DBus.Peer')
            self.h.waiter.loop.get_context().iteration(False)
            self.assertEqual(replies, [])
        finally:
            os.kill(pid, signal.SIGCONT)
        self.h.waiter.until(lambda: replies, COMMAND_TIMEOUT_S, 'the held info')
        self.assertNotIsInstance(replies[0], GLib.Error, replies[0])
        self.assertEqual(replies[0].unpack()[0]['state'], 'running')

    def test_03_hot_del_emits_device_removed(self):
        removed = []
        sub = self.h.connection.signal_subscribe(
            None, 'org.hvkit.Hypervisor1', 'DeviceRemoved', None, None,
            Gio.DBusSignalFlags.NONE,
            lambda *a: (removed.append(a[5].unpack()), self.h.waiter.wake()))
        self.call('HotDelDevice', self.inst(), GLib.Variant('s', 'disk'),
                  GLib.Variant('a{sv}', {k: GLib.Variant('s', v) if isinstance(v, str) else
                                         GLib.Variant('i', v) if k == 'pci' else
                                         GLib.Variant('x', v) if isinstance(v, int) else
                                         GLib.Variant('a{sv}', v)
                                         for k, v in self.disk_a.items()
                                         if k in ('uuid', 'pci', 'size', 'mode', 'link')}),
                  GLib.Variant('u', 0))
        self.h.waiter.until(lambda: removed, COMMAND_TIMEOUT_S, 'DeviceRemoved')
        self.h.connection.signal_unsubscribe(sub)
        self.assertEqual(removed[0][0], NAME)
        self.wait_line(r'^UEVENT remove block')

    def test_04_bad_input_gets_typed_errors(self):
        record = run_record(self.h.run_dir)
        # a whole argument of the wrong type
        with self.assertRaises(GLib.Error) as caught:
            self.h.call('StartInstance', GLib.Variant('(sb)', (NAME, True)))
        self.assert_remote_error(caught, 'org.freedesktop.DBus.Error.InvalidArgs')
        # a key of the wrong type
        bad = GLib.Variant('a{sv}', {'name': GLib.Variant('s', NAME),
                                     'beparams': GLib.Variant('a{sv}', {
                                         'memory': GLib.Variant('s', 'lots')})})
        with self.assertRaises(GLib.Error) as caught:
            self.call('BalloonInstanceMemory', bad, GLib.Variant('x', 100))
        self.assert_remote_error(caught, 'org.freedesktop.DBus.Error.InvalidArgs')
        self.assertIn("'instance'", caught.exception.message)
        # names that try to leave the run directory
        for name in ('../evil', '../../etc/passwd', 'a/b', '.'):
            with self.subTest(name=name):
                with self.assertRaises(GLib.Error) as caught:
                    self.call('GetInstanceInfo', GLib.Variant('s', name), reply_type='(a{sv})')
                self.assert_remote_error(caught, 'org.hvkit.Error.InvalidParameter')
                with self.assertRaises(GLib.Error) as caught:
                    self.call('CleanupInstance', GLib.Variant('s', name))
                self.assert_remote_error(caught, 'org.hvkit.Error.InvalidParameter')
        # a malformed MAC
        with self.assertRaises(GLib.Error) as caught:
            self.call('HotAddDevice', self.inst(), GLib.Variant('s', 'nic'),
                      GLib.Variant('a{sv}', {'uuid': GLib.Variant('s', 'da000009-0000-4000-8000-000000000009'),
                                             'mac': GLib.Variant('s', '52:54:zz:00:00:01'),
                                             'mode': GLib.Variant('s', 'bridged')}),
                      GLib.Variant('u', 1))
        self.assert_remote_error(caught, 'org.hvkit.Error.InvalidParameter',
                                 'org.hvkit.Error.Hotplug', 'org.freedesktop.DBus.Error.InvalidArgs')
        self.assertIn('52:54:zz:00:00:01', caught.exception.message)
        # a malformed uuid, and a 1 MiB name
        for key, value in (('uuid', 'not-a-uuid'), ('name', 'x' * (1024 * 1024))):
            with self.subTest(key=key):
                spec = {'name': GLib.Variant('s', 'bad-input'),
                        'hvparams': self.inst().lookup_value('hvparams', None),
                        'beparams': self.inst().lookup_value('beparams', None)}
                spec[key] = GLib.Variant('s', value)
                with self.assertRaises(GLib.Error) as caught:
                    self.call('StartInstance', GLib.Variant('a{sv}', spec), GLib.Variant('b', True))
                self.assert_remote_error(caught, 'org.hvkit.Error.InvalidParameter',
                                         'org.freedesktop.DBus.Error.InvalidArgs')
                self.assertLess(len(caught.exception.message), 4096)
        # the daemon still serves, the instance runs, its record is as it was
        self.assertEqual(self.call('ListInstances', reply_type='(as)')[0], [NAME])
        self.assertEqual(self.info()['state'], 'running')
        self.assertEqual(run_record(self.h.run_dir), record)
        self.assertFalse(os.path.exists(os.path.join(self.h.run_dir, 'conf', 'bad-input.runtime')))

    def test_04b_refused_callers_change_nothing(self):
        record = run_record(self.h.run_dir)
        info = self.info()
        path = self.make_disk('disk-refused.img')
        disk = GLib.Variant('a{sv}', disk_dict(path, 'da000007-0000-4000-8000-000000000007'))
        self.h.polkit_allow_only(['org.hvkit.node.read', 'org.hvkit.instance.read'])
        self.h.polkit_pop_checks()
        try:
            for method, args, action in (
                    ('HotAddDevice', (self.inst(), GLib.Variant('s', 'disk'), disk,
                                      GLib.Variant('u', 2)), 'org.hvkit.instance.hotplug'),
                    ('BalloonInstanceMemory', (self.inst(), GLib.Variant('x', 128)),
                     'org.hvkit.instance.modify'),
                    ('StopInstance', (self.inst(), GLib.Variant('b', True), GLib.Variant('b', False),
                                      GLib.Variant('u', 0)), 'org.hvkit.instance.stop'),
                    ('StartInstance', (self.inst(), GLib.Variant('b', False)),
                     'org.hvkit.instance.start')):
                with self.subTest(method=method):
                    with self.assertRaises(GLib.Error) as caught:
                        self.call(method, *args)
                    self.assert_remote_error(caught, 'org.freedesktop.DBus.Error.AccessDenied')
                    self.assertEqual(self.h.polkit_pop_checks(),
                                     [(action, {'instance': NAME, 'uuid': UUID})])
            # what reads may do, they still do
            self.assertEqual(self.info()['pid'], info['pid'])
        finally:
            self.h.polkit_allow_all()
        after = self.info()
        self.assertEqual((after['pid'], after['memory'], after['state']),
                         (info['pid'], info['memory'], 'running'))
        self.assertEqual(run_record(self.h.run_dir), record)
        # and the guest has no disk: its answer comes after anything the
        # refused calls could have made it print
        number = self.console.start_command('ls /sys/block')
        output, status = self.h.waiter.until(lambda: self.console.command_output(number),
                                             COMMAND_TIMEOUT_S, 'ls /sys/block in the guest')
        self.assertEqual(status, 0)
        self.assertEqual([line for line in output if 'vd' in line], [], output)

    def test_05_remote_hypervisor(self):
        kvm = self.h.remote('kvm')
        self.assertEqual(kvm.get_name(), 'kvm')
        self.assertEqual(kvm.list_instances(), [NAME])
        info = kvm.get_instance_info_sync(NAME, None)
        self.assertEqual(info.get_state(), Hv.InstanceState.RUNNING)
        with self.assertRaises(GLib.Error) as caught:
            kvm.get_instance_info_sync('not-here', None)
        self.assertTrue(caught.exception.matches(Hv.error_quark(), Hv.Error.NOT_RUNNING))
        instance = Hv.Instance.new_from_variant(self.inst())
        nic = Hv.Nic.new()
        nic.set_uuid('da000002-0000-4000-8000-000000000002')
        nic.set_mac('52:54:00:da:00:02')
        nic.set_mode('bridged')
        self.assertEqual(nic.get_pci(), -1)
        kvm.hot_add_device_sync(instance, nic, 0, None)
        # placed by the driver in hvkitd, and told back
        self.assertGreaterEqual(nic.get_pci(), 0)
        self.wait_line(r'^UEVENT add net')
        removed = []
        handler = kvm.connect('device-removed',
                              lambda hv, name, device: (removed.append((name, device)),
                                                        self.h.waiter.wake()))
        kvm.hot_del_device_sync(instance, nic, 0, None)
        self.wait_line(r'^UEVENT remove net')
        self.h.waiter.until(lambda: removed, COMMAND_TIMEOUT_S, 'device-removed')
        kvm.disconnect(handler)
        self.assertEqual(removed[0][0], NAME)

    def test_05b_qemu_error_class_crosses_the_bus(self):
        # QEMU refuses a downtime limit above 2000 s with its GenericError
        values = self.inst().unpack()
        current = self.inst().lookup_value('hvparams', None)
        hvparams = current.unpack()
        types = {k: current.lookup_value(k, None).get_type_string() for k in hvparams}
        hvparams['migration_downtime'] = 3000000
        bad = GLib.Variant('a{sv}', {
            'name': GLib.Variant('s', values['name']), 'uuid': GLib.Variant('s', values['uuid']),
            'hvparams': GLib.Variant('a{sv}', {k: GLib.Variant(types[k], v)
                                               for k, v in hvparams.items()}),
            'beparams': self.inst().lookup_value('beparams', None)})
        finished = []

        def on_finished(c, sender, path, interface, member, params):
            finished.append(params.unpack())
            self.h.waiter.wake()

        subscription = self.h.connection.signal_subscribe(
            None, 'org.hvkit.Job1', 'Finished', None, None, Gio.DBusSignalFlags.NONE,
            on_finished)
        try:
            (path,) = self.call('MigrateInstance', bad, GLib.Variant('s', '127.0.0.1'),
                                GLib.Variant('b', True), reply_type='(o)')
            self.h.waiter.until(lambda: finished, COMMAND_TIMEOUT_S, 'Finished of the job')
        finally:
            self.h.connection.signal_unsubscribe(subscription)
        state, error_name, message = finished[0]
        self.assertEqual((state, error_name), ('failed', 'org.hvkit.Error.Monitor.GenericError'),
                         message)
        self.assertIn('downtime', message)
        self.h.call('Release', None, path=path, interface='org.hvkit.Job1')
        # a method's error carries it too, and the remote hypervisor (C)
        # turns it back into HV_ERROR_MONITOR; Python's GLib.Error keeps
        # domain, code and message
        kvm = self.h.remote('kvm')
        with self.assertRaises(GLib.Error) as caught:
            kvm.migrate_instance_sync(Hv.Instance.new_from_variant(bad), '127.0.0.1', True, None)
        self.assertTrue(caught.exception.matches(Hv.error_quark(), Hv.Error.MONITOR),
                        caught.exception.message)
        self.assertIn('downtime', caught.exception.message)
        self.assertEqual(self.info()['state'], 'running')

    def test_06_hvkitctl(self):
        status, out, err = self.hvkitctl('list', '--json')
        self.assertEqual((status, json.loads(out)), (0, [NAME]), err)
        status, out, err = self.hvkitctl('--json', 'info', NAME)
        self.assertEqual(status, 0, err)
        self.assertEqual(json.loads(out)['state'], 'running')
        status, out, err = self.hvkitctl('info', NAME)
        self.assertEqual(status, 0, err)
        self.assertIn('state: running', out.splitlines())
        status, out, err = self.hvkitctl('info', 'not-here')
        self.assertEqual(status, 10 + int(Hv.Error.NOT_RUNNING), (out, err))
        self.assertIn('not-here', err)
        status, out, err = self.hvkitctl('info', '../evil')
        self.assertEqual(status, 10 + int(Hv.Error.INVALID_PARAMETER), (out, err))
        for command in (['node-info', '--json'], ['params'], ['verify'],
                        ['console', NAME, '--json']):
            with self.subTest(command=command):
                status, out, err = self.hvkitctl(*command)
                self.assertEqual(status, 0, err)
                self.assertTrue(out)
        status, _, err = self.hvkitctl('info')
        self.assertEqual(status, 2, err)
        status, out, err = self.hvkitctl('stop', '--help')
        self.assertEqual(status, 0, err)
        self.assertIn('--timeout', out)
        # a disk in and out again by hvkitctl
        path = self.make_disk('disk-ctl.img')
        spec = json.dumps({'uuid': 'da000003-0000-4000-8000-000000000003', 'size': 16,
                           'mode': 'rw', 'link': path})
        status, out, err = self.hvkitctl('--json', 'hotplug', 'add', NAME, 'disk', spec)
        self.assertEqual(status, 0, err)
        self.assertGreaterEqual(json.loads(out)['pci'], 0)
        self.wait_line(r'^UEVENT add block')
        status, out, err = self.hvkitctl('hotplug', 'del', NAME, 'disk', spec)
        self.assertEqual(status, 0, err)
        self.wait_line(r'^UEVENT remove block')
        status, out, err = self.hvkitctl('balloon', NAME, '180')
        self.assertEqual(status, 0, err)
        self.assertEqual(self.info()['memory'], 180)

    def test_06b_hvkitctl_checks_and_mod(self):
        hvparams = self.inst().lookup_value('hvparams', None).unpack()
        status, out, err = self.hvkitctl('params', '--check', json.dumps(hvparams))
        self.assertEqual((status, out), (0, 'The parameters are valid.\n'), err)
        hvparams['kvm_path'] = 'relative/qemu'
        status, out, err = self.hvkitctl('params', '--check', json.dumps(hvparams))
        self.assertEqual(status, 10 + int(Hv.Error.INVALID_PARAMETER), (out, err))
        self.assertIn('kvm_path', err)
        status, out, err = self.hvkitctl('params', '--check', '{not json')
        self.assertEqual(status, 10 + int(Hv.Error.INVALID_PARAMETER), (out, err))
        # hotmod: whatever the driver says, as a typed exit status
        status, out, err = self.hvkitctl('hotplug', 'mod', NAME, 'nic', json.dumps(
            {'uuid': 'da000006-0000-4000-8000-000000000006', 'mac': '52:54:00:da:00:06'}))
        self.assertIn(status, (0, 10 + int(Hv.Error.HOTPLUG), 10 + int(Hv.Error.NOT_SUPPORTED)),
                      (out, err))

    def test_07_sigterm_leaves_the_instance_running(self):
        pid = self.info()['pid']
        remote = self.h.remote('kvm')
        process = self.h.stop_hvkitd(signal.SIGTERM)
        self.assertTrue(process.get_if_exited())
        self.assertEqual(process.get_exit_status(), 0)
        os.kill(pid, 0)     # QEMU runs on
        with self.assertRaises(GLib.Error) as caught:
            remote.get_instance_info_sync(NAME, None)
        self.assertTrue(caught.exception.matches(Gio.dbus_error_quark(),
                                                 Gio.DBusError.SERVICE_UNKNOWN),
                        caught.exception.message)
        self.h.start_hvkitd()
        info = self.info()
        self.assertEqual((info['pid'], info['state']), (pid, 'running'))
        # a remote hypervisor made before outlives the restart: it talks to
        # the name, not to one process
        self.assertEqual(remote.get_instance_info_sync(NAME, None).get_pid(), pid)

    def test_07b_replace_takes_the_instance_over(self):
        pid = self.info()['pid']
        first, first_exited = self.h.hvkitd, self.h.hvkitd_exited
        self.h.start_hvkitd('--replace')
        self.h.waiter.until(lambda: first_exited, 60, 'exit of the replaced hvkitd')
        self.assertEqual(first.get_exit_status(), 0)
        info = self.info()
        self.assertEqual((info['pid'], info['state']), (pid, 'running'))
        # and the new one drives it
        self.call('BalloonInstanceMemory', self.inst(), GLib.Variant('x', 190))
        self.assertEqual(self.info()['memory'], 190)

    def test_08_sigkill_mid_hot_add_then_restart(self):
        pid = self.info()['pid']
        path = self.make_disk('disk-kill.img')
        disk = GLib.Variant('a{sv}', disk_dict(path, 'da000004-0000-4000-8000-000000000004'))
        replies = []
        caller = self.h.connect()
        self.h.call_async('HotAddDevice', GLib.Variant.new_tuple(
            self.inst(), GLib.Variant('s', 'disk'), disk, GLib.Variant('u', 0)),
            replies.append, connection=caller)
        # hvkitd serves one connection's messages in order: once it
        # answered a Ping sent after the hot-add on the same connection, the
        # hot-add is being served (authorized, then run); the kill lands
        # then, as early as a crash could
        self.h.call('Ping', None, path=MANAGER_PATH, interface='org.freedesktop.DBus.Peer',
                    connection=caller)
        process = self.h.stop_hvkitd(signal.SIGKILL)
        self.assertTrue(process.get_if_signaled())
        self.h.waiter.until(lambda: replies, COMMAND_TIMEOUT_S, 'the caller told of the loss')
        if isinstance(replies[0], GLib.Error):
            self.assertEqual(Gio.DBusError.get_remote_error(replies[0]),
                             'org.freedesktop.DBus.Error.NoReply', replies[0].message)
        print(f'# the killed hot-add answered: {replies[0]}')
        os.kill(pid, 0)
        self.h.start_hvkitd()
        info = self.info()
        self.assertEqual((info['pid'], info['state']), (pid, 'running'))
        # whatever the kill interrupted, the record now agrees with QEMU:
        # the disk can be added (again) and removed, and the guest sees it go
        try:
            self.call('HotAddDevice', self.inst(), GLib.Variant('s', 'disk'), disk,
                      GLib.Variant('u', 0), reply_type='(a{sv})')
        except GLib.Error as error:
            self.assertEqual(Gio.DBusError.get_remote_error(error), 'org.hvkit.Error.Hotplug',
                             error.message)
        self.call('HotDelDevice', self.inst(), GLib.Variant('s', 'disk'), disk,
                  GLib.Variant('u', 0))
        self.wait_line(r'^UEVENT remove block')
        self.assertEqual(self.call('ListInstances', reply_type='(as)')[0], [NAME])

    def test_09_stop_and_cleanup(self):
        self.call('StopInstance', self.inst(), GLib.Variant('b', False), GLib.Variant('b', False),
                  GLib.Variant('u', 60))
        self.wait_line(lifecycle.POWERDOWN_PATTERN)
        self.assertEqual(self.call('ListInstances', reply_type='(as)')[0], [])
        with self.assertRaises(GLib.Error) as caught:
            self.info()
        self.assertEqual(strip_remote(caught.exception), f'Instance {NAME} is not running')
        self.call('CleanupInstance', GLib.Variant('s', NAME))

    def test_10_hvkitctl_start_stop_cleanup(self):
        spec = {'name': 'ctl-guest',
                'hvparams': self.inst().lookup_value('hvparams', None).unpack(),
                'beparams': self.inst().lookup_value('beparams', None).unpack()}
        path = os.path.join(self.h.run_dir, 'ctl-guest.json')
        with open(path, 'w', encoding='utf-8') as file:
            json.dump(spec, file)
        status, out, err = self.hvkitctl('start', path, '--paused')
        self.assertEqual(status, 0, err)
        status, out, err = self.hvkitctl('--json', 'info', 'ctl-guest')
        self.assertEqual((status, json.loads(out)['state']), (0, 'paused'), err)
        pid = json.loads(out)['pid']
        status, out, err = self.hvkitctl('start', path)
        self.assertEqual(status, 10 + int(Hv.Error.ALREADY_RUNNING), (out, err))
        # Ganeti's reboot: a stop (killed after reboot-timeout-ms, as a
        # paused guest cannot power off) and a start, so a new QEMU
        status, out, err = self.hvkitctl('reboot', 'ctl-guest')
        self.assertEqual(status, 0, err)
        status, out, err = self.hvkitctl('--json', 'info', 'ctl-guest')
        self.assertEqual(status, 0, err)
        self.assertNotEqual(json.loads(out)['pid'], pid)
        status, out, err = self.hvkitctl('stop', 'ctl-guest', '--force')
        self.assertEqual(status, 0, err)
        status, out, err = self.hvkitctl('list', '--json')
        self.assertEqual((status, json.loads(out)), (0, []), err)
        status, out, err = self.hvkitctl('cleanup', 'ctl-guest')
        self.assertEqual(status, 0, err)


if __name__ == '__main__':
    unittest.main()
