# SPDX-License-Identifier: LGPL-2.1-or-later
"""hvkitd with the test plugin "fake" (fake/hv-test-fake-hypervisor.c), on
a private bus with polkit mocked: every HV_ERROR code through the bus to
Gio and to Hv.RemoteHypervisor, InvalidArgs, org.hvkit.Job1 (progress,
Finished, Cancel, Release, a caller that leaves), and polkit's answers
with the details hvkitd gives it."""

import os
import signal
import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import Gio, GLib, Hv  # noqa: E402

from hvkitd_harness import (Harness, HYPERVISOR_IFACE, JOB_IFACE, MANAGER_PATH,  # noqa: E402
                            hv_path, strip_remote)

FAKE = hv_path('fake')
JOB_TIMEOUT_S = 30
HV_ERROR_NAMES = ['Failed', 'Hotplug', 'NotSupported', 'InvalidParameter', 'NotRunning',
                  'AlreadyRunning', 'Monitor', 'Migration', 'Timeout', 'RuntimeCorrupt']


def instance(name='fake-1', uuid='0f0e0d0c-0b0a-4908-8706-050403020100'):
    return GLib.Variant('a{sv}', {'name': GLib.Variant('s', name),
                                  'uuid': GLib.Variant('s', uuid)})


def args(signature, *values):
    """A tuple of the given signature; a{sv} values may be GLib.Variants."""
    def python(value):
        if isinstance(value, GLib.Variant) and value.get_type_string() == 'a{sv}':
            return {value.get_child_value(i).get_child_value(0).get_string():
                    value.get_child_value(i).get_child_value(1).get_variant()
                    for i in range(value.n_children())}
        return value
    return GLib.Variant(signature, tuple(python(value) for value in values))


class HvkitdFakeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        plugin_dir = os.environ.get('HVKIT_TEST_FAKE_PLUGIN_DIR')
        if not plugin_dir:
            raise unittest.SkipTest('HVKIT_TEST_FAKE_PLUGIN_DIR is not set (run through meson test)')
        cls.h = Harness(plugin_dir=plugin_dir)

    @classmethod
    def tearDownClass(cls):
        cls.h.close()

    def setUp(self):
        self.h.polkit_allow_all()
        self.h.polkit_pop_checks()

    def call(self, method, args=None, reply_type=None, **kwargs):
        return self.h.call(method, args, reply_type, path=kwargs.pop('path', FAKE), **kwargs)

    def assert_dbus_error(self, caught, name, message=None):
        error = caught.exception
        self.assertEqual(Gio.DBusError.get_remote_error(error), name, error.message)
        if message is not None:
            self.assertEqual(strip_remote(error), message)

    # -- the manager ----------------------------------------------------------

    def test_manager(self):
        self.assertRegex(self.h.get_property(MANAGER_PATH, 'org.hvkit.Manager1', 'Version'),
                         r'^\d+\.\d+\.\d+$')
        self.assertEqual(self.h.get_property(MANAGER_PATH, 'org.hvkit.Manager1', 'Hypervisors'),
                         {'fake': FAKE})
        self.assertEqual(self.h.get_property(FAKE, HYPERVISOR_IFACE, 'Name'), 'fake')

    def test_hvkitd_usage_errors(self):
        for arguments, message in (
                (['--system', '--session'], 'give only one of --system, --session and --address'),
                (['--option', 'novalue'], "--option 'novalue' is not KEY=VALUE"),
                (['--option', 'run-dir=/no/quotes'], '--option run-dir: '),
                (['--nonsense'], 'Unknown option --nonsense')):
            with self.subTest(arguments=arguments):
                launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.STDERR_PIPE)
                process = launcher.spawnv([os.environ['HVKIT_TEST_HVKITD']] + arguments)
                _, _, err = process.communicate_utf8(None, None)
                self.assertEqual(process.get_exit_status(), 2, err)
                self.assertIn(message, err)

    def test_a_second_hvkitd_needs_replace(self):
        launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.STDERR_PIPE)
        launcher.setenv('DBUS_SYSTEM_BUS_ADDRESS', self.h.address, True)
        second = launcher.spawnv([os.environ['HVKIT_TEST_HVKITD'], '--address', self.h.address,
                                  '--plugin-dir', os.environ['HVKIT_TEST_FAKE_PLUGIN_DIR']])
        _, _, err = second.communicate_utf8(None, None)
        self.assertEqual(second.get_exit_status(), 1, err)
        self.assertIn('could not own the name org.hvkit', err)
        # --replace takes over; the one replaced leaves without failing
        first, first_exited = self.h.hvkitd, self.h.hvkitd_exited
        first_owner = self.h.hvkitd_owner
        self.h.start_hvkitd('--replace')
        self.assertNotEqual(self.h.hvkitd_owner, first_owner)
        self.h.waiter.until(lambda: first_exited, 30, 'exit of the replaced hvkitd')
        self.assertTrue(first.get_if_exited())
        self.assertEqual(first.get_exit_status(), 0)
        self.assertEqual(self.call('ListInstances', None, '(as)'), (['fake-1'],))

    def test_bus_activation(self):
        # a bus with no hvkitd, but a service file: the first call starts it
        bus = Harness(plugin_dir=os.environ['HVKIT_TEST_FAKE_PLUGIN_DIR'], start=False)
        try:
            bus.add_activation(f"{os.environ['HVKIT_TEST_HVKITD']} --session --plugin-dir "
                               f"{os.environ['HVKIT_TEST_FAKE_PLUGIN_DIR']}")
            self.assertEqual(bus.call('ListInstances', None, '(as)', path=FAKE), (['fake-1'],))
            remote = bus.remote('fake')
            self.assertEqual(remote.list_instances(), ['fake-1'])
        finally:
            # the activated hvkitd is the bus daemon's child, not ours: stop it by pid
            (pid,) = bus.call('GetConnectionUnixProcessID', GLib.Variant('(s)', ('org.hvkit',)),
                              '(u)', path='/org/freedesktop/DBus',
                              interface='org.freedesktop.DBus', destination='org.freedesktop.DBus')
            os.kill(pid, signal.SIGTERM)
            bus.close()

    # -- errors ---------------------------------------------------------------

    def test_every_error_code_round_trips_to_gio(self):
        for code, name in enumerate(HV_ERROR_NAMES, start=1):
            with self.assertRaises(GLib.Error) as caught:
                self.call('GetInstanceInfo', GLib.Variant('(s)', (f'error-{code}',)), '(a{sv})')
            self.assert_dbus_error(caught, f'org.hvkit.Error.{name}',
                                   f'fake error {code} for error-{code}')
            # Hv's domain is registered in this process: the same code
            error = caught.exception
            self.assertTrue(error.matches(Hv.error_quark(), code), error.message)

    def test_monitor_error_class_in_the_name(self):
        # QEMU's class is the name's last element; the message is untouched
        name = 'error-7-DeviceNotFound'
        with self.assertRaises(GLib.Error) as caught:
            self.call('GetInstanceInfo', GLib.Variant('(s)', (name,)), '(a{sv})')
        self.assert_dbus_error(caught, 'org.hvkit.Error.Monitor.DeviceNotFound',
                               f'fake error 7 for {name}')
        # through the remote hypervisor: the code again (PyGObject's
        # GLib.Error keeps no more than domain, code and message)
        with self.assertRaises(GLib.Error) as caught:
            self.h.remote('fake').get_instance_info_sync(name, None)
        self.assertTrue(caught.exception.matches(Hv.error_quark(), Hv.Error.MONITOR))
        self.assertEqual(caught.exception.message, f'fake error 7 for {name}')
        # hvkitctl (C, the remote hypervisor) has the class back and says it
        status, out, err = self.hvkitctl('info', name)
        self.assertEqual(status, 17, err)
        self.assertEqual(err, f'hvkitctl: fake error 7 for {name} (QEMU error DeviceNotFound)\n')

    def test_every_error_code_round_trips_to_the_remote_hypervisor(self):
        remote = self.h.remote('fake')
        for code in range(1, len(HV_ERROR_NAMES) + 1):
            with self.assertRaises(GLib.Error) as caught:
                remote.get_instance_info_sync(f'error-{code}', None)
            error = caught.exception
            self.assertEqual(error.domain, 'hv-error-quark')
            self.assertEqual(error.code, code)
            self.assertEqual(error.message, f'fake error {code} for error-{code}')

    def test_remote_hypervisor_made_asynchronously(self):
        made = []
        Hv.RemoteHypervisor.new(self.h.connection, 'fake', None,
                                lambda source, result: (made.append(result),
                                                        self.h.waiter.wake()))
        self.h.waiter.until(lambda: made, JOB_TIMEOUT_S, 'the remote hypervisor')
        remote = Hv.RemoteHypervisor.new_finish(made[0])
        self.assertEqual(remote.get_name(), 'fake')
        self.assertEqual(remote.get_object_path(), FAKE)
        self.assertEqual(remote.list_instances(), ['fake-1'])
        made.clear()
        Hv.RemoteHypervisor.new(self.h.connection, 'absent', None,
                                lambda source, result: (made.append(result),
                                                        self.h.waiter.wake()))
        self.h.waiter.until(lambda: made, JOB_TIMEOUT_S, 'the failure')
        with self.assertRaises(GLib.Error) as caught:
            Hv.RemoteHypervisor.new_finish(made[0])
        self.assertIn("'absent'", caught.exception.message)

    def test_methods_the_driver_leaves_out(self):
        with self.assertRaises(GLib.Error) as caught:
            self.call('RebootInstance', args('(a{sv})', instance()))
        self.assert_dbus_error(caught, 'org.hvkit.Error.NotSupported',
                               "The 'fake' hypervisor does not support reboot_instance")
        with self.assertRaises(GLib.Error) as caught:
            self.call('HotplugSupported', args('(a{sv})', instance()))
        self.assert_dbus_error(caught, 'org.hvkit.Error.Hotplug')
        # hv_base's defaults that succeed
        self.call('CleanupInstance', GLib.Variant('(s)', ('fake-1',)))
        (info,) = self.call('MigrationInfo', args('(a{sv})', instance()), '(ay)')
        self.assertEqual(bytes(info), b'')

    def test_invalid_args_name_the_argument(self):
        with self.assertRaises(GLib.Error) as caught:
            self.call('StartInstance', args('(a{sv}b)', GLib.Variant('a{sv}', {}), False))
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.InvalidArgs',
                               "Argument 'instance': Key 'name' is missing")
        bad = GLib.Variant('a{sv}', {'name': GLib.Variant('s', 'x'),
                                     'beparams': GLib.Variant('s', 'nope')})
        with self.assertRaises(GLib.Error) as caught:
            self.call('StartInstance', args('(a{sv}b)', bad, False))
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.InvalidArgs')
        self.assertIn("Argument 'instance'", caught.exception.message)
        self.assertIn('beparams', caught.exception.message)
        with self.assertRaises(GLib.Error) as caught:
            self.call('VerifyHotplugSupport',
                      args('(a{sv}ss)', instance(), 'hotadd', 'floppy'))
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.InvalidArgs',
                               "Argument 'device_type': 'floppy' is not one of 'disk', 'nic'")
        # a long nick is shown cut to 64 characters, never inside one (the
        # reply's message must be UTF-8; found by fuzz-dbus-args)
        with self.assertRaises(GLib.Error) as caught:
            self.call('HotAddDevice', args('(a{sv}sa{sv}u)', instance(), 'x' * 63 + '\u00e9\u00e9',
                                           GLib.Variant('a{sv}', {}), 0))
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.InvalidArgs',
                               "Argument 'device_type': '" + 'x' * 63 + '\u00e9' +
                               "' is not one of 'disk', 'nic'")
        with self.assertRaises(GLib.Error) as caught:
            self.call('HotAddDevice', args('(a{sv}sa{sv}u)',
                instance(), 'disk', GLib.Variant('a{sv}', {'pci': GLib.Variant('s', '3')}), 0))
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.InvalidArgs')
        self.assertIn("Argument 'device'", caught.exception.message)
        # a whole argument of the wrong type, or too few or too many
        with self.assertRaises(GLib.Error) as caught:
            self.call('StartInstance', GLib.Variant('(sb)', ('fake-1', True)))
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.InvalidArgs',
                               "Argument 'instance' of StartInstance has type 's', "
                               "expected 'a{sv}'")
        with self.assertRaises(GLib.Error) as caught:
            self.call('StopInstance', args('(a{sv}bbs)', instance(), False, False, '10'))
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.InvalidArgs',
                               "Argument 'timeout' of StopInstance has type 's', "
                               "expected 'u'")
        with self.assertRaises(GLib.Error) as caught:
            self.call('StartInstance', args('(a{sv})', instance()))
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.InvalidArgs',
                               'StartInstance takes 2 arguments '
                               '(instance a{sv}, startup_paused b), not 1')
        with self.assertRaises(GLib.Error) as caught:
            self.call('ListInstances', GLib.Variant('(s)', ('x',)), '(as)')
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.InvalidArgs',
                               'ListInstances takes 0 arguments (), not 1')
        # the remote hypervisor: INVALID_PARAMETER, as in-process
        remote = self.h.remote('fake')
        with self.assertRaises(GLib.Error) as caught:
            remote.verify_hotplug_support(Hv.Instance.new_from_variant(instance()),
                                          Hv.HotplugAction.HOTADD, Hv.DeviceType.DISK)
        self.assertTrue(caught.exception.matches(Hv.error_quark(), Hv.Error.HOTPLUG))
        # and the daemon still serves
        self.assertEqual(self.call('ListInstances', None, '(as)'), (['fake-1'],))

    # -- jobs -----------------------------------------------------------------

    def start_job(self, target, connection=None):
        (path,) = self.h.call('MigrateInstance',
                              args('(a{sv}sb)', instance(), target, True),
                              '(o)', path=FAKE, connection=connection)
        return path

    def follow_job(self, path, connection=None):
        """Collects a job's PropertiesChanged and Finished until it ends."""
        seen = {'progress': [], 'finished': []}
        conn = connection or self.h.connection

        def on_signal(c, sender, object_path, interface, member, params):
            if member == 'Finished':
                seen['finished'].append(params.unpack())
            elif params[0] == JOB_IFACE:
                seen['progress'].append(params[1].get('Progress'))
            self.h.waiter.wake()

        ids = [conn.signal_subscribe(None, iface, member, path, None,
                                     Gio.DBusSignalFlags.NONE, on_signal)
               for iface, member in ((JOB_IFACE, 'Finished'),
                                     ('org.freedesktop.DBus.Properties', 'PropertiesChanged'))]
        return seen, lambda: [conn.signal_unsubscribe(i) for i in ids]

    def test_job_progress_and_finished(self):
        # subscribed to every job before the call: nothing is missed
        seen, done = self.follow_job(None)
        path = self.start_job('node2')
        self.assertTrue(path.startswith('/org/hvkit/Job/'))
        self.h.waiter.until(lambda: seen['finished'], JOB_TIMEOUT_S, 'Finished')
        done()
        self.assertEqual(seen['finished'], [('succeeded', '', '')])
        progress = [p for p in seen['progress'] if p is not None]
        self.assertGreater(len(progress), 2, progress)
        self.assertEqual(progress, sorted(progress))
        self.assertEqual(progress[-1], 1.0)
        self.assertEqual(self.h.get_property(path, JOB_IFACE, 'State'), 'succeeded')
        status = self.h.get_property(path, JOB_IFACE, 'Status')
        self.assertEqual(status['state'], 'completed')
        self.assertEqual(status['transferred'], status['total'])
        # released, it leaves the bus
        self.h.call('Release', None, path=path, interface=JOB_IFACE)
        with self.assertRaises(GLib.Error) as caught:
            self.h.get_property(path, JOB_IFACE, 'State')
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.UnknownMethod')

    def test_job_failure_carries_the_error(self):
        seen, done = self.follow_job(None)
        path = self.start_job('fail')
        self.h.waiter.until(lambda: seen['finished'], JOB_TIMEOUT_S, 'Finished')
        done()
        self.assertEqual(seen['finished'],
                         [('failed', 'org.hvkit.Error.Migration',
                           'fake migration of fake-1 to fail failed')])
        with self.assertRaises(GLib.Error) as caught:
            self.h.call('Release', None, path=path, interface=JOB_IFACE,
                        connection=self.h.connect())
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.AccessDenied')
        self.h.call('Release', None, path=path, interface=JOB_IFACE)

    def test_job_cancel(self):
        seen, done = self.follow_job(None)
        path = self.start_job('hold')
        with self.assertRaises(GLib.Error) as caught:
            self.h.call('Release', None, path=path, interface=JOB_IFACE)
        self.assert_dbus_error(caught, 'org.hvkit.Error.Failed')
        # only its caller may cancel it
        with self.assertRaises(GLib.Error) as caught:
            self.h.call('Cancel', None, path=path, interface=JOB_IFACE, connection=self.h.connect())
        self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.AccessDenied')
        self.assertEqual(self.h.get_property(path, JOB_IFACE, 'State'), 'running')
        self.h.call('Cancel', None, path=path, interface=JOB_IFACE)
        self.h.waiter.until(lambda: seen['finished'], JOB_TIMEOUT_S, 'Finished')
        done()
        self.assertEqual(seen['finished'], [('cancelled', '', '')])
        self.h.call('Release', None, path=path, interface=JOB_IFACE)

    def test_job_outlives_a_caller_that_leaves_then_goes(self):
        seen, done = self.follow_job(None)
        caller = self.h.connect()
        path = self.start_job('node2', connection=caller)
        caller.close_sync(None)
        self.h.waiter.until(lambda: seen['finished'], JOB_TIMEOUT_S, 'Finished')
        done()
        self.assertEqual(seen['finished'], [('succeeded', '', '')])
        # finished with its caller gone: it left the bus; a Ping proves the
        # daemon dealt with the Finished before answering
        self.h.call('Ping', None, path=MANAGER_PATH, interface='org.freedesktop.DBus.Peer')
        with self.assertRaises(GLib.Error):
            self.h.get_property(path, JOB_IFACE, 'State')

    # -- the remote hypervisor's migration ------------------------------------

    def run_remote_migration(self, target, name, cancel_after_progress=False):
        """Migrates instance NAME, a name no other test's migration has:
        migration-progress is every caller's signal."""
        remote = self.h.remote('fake')
        statuses = []
        result = []
        cancellable = Gio.Cancellable()

        def on_progress(hv, name_, status):
            if name_ != name:
                return
            statuses.append((name_, status.get_state(), status.get_transferred()))
            if cancel_after_progress:
                cancellable.cancel()
            self.h.waiter.wake()

        def on_done(source, res):
            try:
                result.append(source.migrate_instance_finish(res))
            except GLib.Error as error:
                result.append(error)
            self.h.waiter.wake()

        handler = remote.connect('migration-progress', on_progress)
        remote.migrate_instance_async(Hv.Instance.new_from_variant(instance(name)), target, True,
                                cancellable, on_done)
        self.h.waiter.until(lambda: result, JOB_TIMEOUT_S, 'end of migrate_instance')
        remote.disconnect(handler)
        return result[0], statuses

    def test_remote_migration_follows_the_job(self):
        result, statuses = self.run_remote_migration('node2', 'fake-remote')
        self.assertIs(result, True)
        self.assertGreater(len(statuses), 2)
        self.assertEqual(statuses[-1][1], Hv.MigrationState.COMPLETED)
        self.assertEqual(statuses[-1][2], 5 * 1024 * 1024)

    def test_remote_migration_failure(self):
        result, _ = self.run_remote_migration('fail', 'fake-remote-fail')
        self.assertIsInstance(result, GLib.Error)
        self.assertTrue(result.matches(Hv.error_quark(), Hv.Error.MIGRATION), result.message)
        self.assertEqual(result.message, 'fake migration of fake-remote-fail to fail failed')

    def test_remote_migration_cancelled(self):
        result, statuses = self.run_remote_migration('node2', 'fake-remote-cancel',
                                                     cancel_after_progress=True)
        self.assertIsInstance(result, GLib.Error)
        self.assertTrue(result.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
                        result.message)
        self.assertEqual(statuses[-1][1], Hv.MigrationState.CANCELLED)

    # -- hvkitctl migrate, across two hvkitd -----------------------------------

    def hvkitctl(self, *arguments):
        launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.STDOUT_PIPE |
                                              Gio.SubprocessFlags.STDERR_PIPE)
        process = launcher.spawnv([os.environ['HVKIT_TEST_HVKITCTL'], '--address',
                                   self.h.address, '-H', 'fake'] + list(arguments))
        _, out, err = process.communicate_utf8(None, None)
        return process.get_exit_status(), out, err

    def test_hvkitctl_migrate_between_two_hvkitd(self):
        target = Harness(plugin_dir=os.environ['HVKIT_TEST_FAKE_PLUGIN_DIR'])
        try:
            target.polkit_pop_checks()
            status, out, err = self.hvkitctl('migrate', 'fake-1', 'node2',
                                             '--target-bus', target.address)
            self.assertEqual(status, 0, err)
            lines = out.splitlines()
            # not a terminal: one plain line per report
            self.assertGreater(len(lines), 2, out)
            self.assertEqual(lines[-1], 'fake-1: completed, 5242880 of 5242880 bytes, '
                             + lines[-1].split('bytes, ')[1])
            # the target was asked (after the parameter table every remote
            # hypervisor reads) to accept, then to finalize; the source for
            # the migration info, the migration and its finalization
            details = {'instance': 'fake-1'}
            self.assertEqual(target.polkit_pop_checks(),
                             [('org.hvkit.node.read', {})]
                             + [('org.hvkit.instance.migrate', details)] * 2)
            self.assertEqual(self.h.polkit_pop_checks(),
                             [('org.hvkit.node.read', {})]
                             + [('org.hvkit.instance.migrate', details)] * 3)

            status, out, err = self.hvkitctl('--json', 'migrate', 'fake-1', 'fail',
                                             '--target-bus', target.address)
            self.assertEqual(status, 10 + int(Hv.Error.MIGRATION), (out, err))
            self.assertIn('fake migration of fake-1 to fail failed', err)
            self.assertEqual(out, '')
        finally:
            target.close()

    def test_hvkitctl_migrate_progress_bar_on_a_terminal(self):
        target = Harness(plugin_dir=os.environ['HVKIT_TEST_FAKE_PLUGIN_DIR'])
        master, slave = os.openpty()
        try:
            launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.NONE)
            launcher.take_stdout_fd(slave)
            slave = None
            process = launcher.spawnv([os.environ['HVKIT_TEST_HVKITCTL'], '--address',
                                       self.h.address, '-H', 'fake', 'migrate', 'fake-tty',
                                       'node2', '--target-bus', target.address])
            del launcher    # our copy of the terminal's end, so that EOF comes
            process.wait_check(None)
            output = b''
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:     # EIO: the other end is closed
                    break
                if not chunk:
                    break
                output += chunk
        finally:
            os.close(master)
            if slave is not None:
                os.close(slave)
            target.close()
        text = output.decode()
        # one line redrawn with \r: the bar, MiB transferred of total, rate, passes
        self.assertIn('\r[##############################] 5/5 MiB', text)
        self.assertRegex(text, r'\r\[#+-+\] 1/5 MiB  [0-9.]+ MiB/s  pass 1  active')
        self.assertTrue(text.endswith('completed   \r\n') or text.endswith('completed   \n'),
                        repr(text[-80:]))

    # -- polkit ---------------------------------------------------------------

    def test_polkit_action_and_details_per_method(self):
        inst = instance()
        cases = [
            ('ListInstances', None, '(as)', 'org.hvkit.node.read', {}),
            ('GetNodeInfo', None, None, 'org.hvkit.node.read', {}),
            ('GetInstanceInfo', GLib.Variant('(s)', ('fake-1',)), '(a{sv})',
             'org.hvkit.instance.read', {'instance': 'fake-1'}),
            ('StartInstance', args('(a{sv}b)', inst, False), None,
             'org.hvkit.instance.start',
             {'instance': 'fake-1', 'uuid': '0f0e0d0c-0b0a-4908-8706-050403020100'}),
            ('StopInstance', args('(a{sv}bbu)', inst, False, False, 0), None,
             'org.hvkit.instance.stop',
             {'instance': 'fake-1', 'uuid': '0f0e0d0c-0b0a-4908-8706-050403020100'}),
            ('HotAddDevice', args('(a{sv}sa{sv}u)', inst, 'disk', GLib.Variant('a{sv}', {}), 0),
             None,
             'org.hvkit.instance.hotplug',
             {'instance': 'fake-1', 'uuid': '0f0e0d0c-0b0a-4908-8706-050403020100'}),
            ('MigrateInstance', args('(a{sv}sb)', inst, 'node2', True), '(o)',
             'org.hvkit.instance.migrate',
             {'instance': 'fake-1', 'uuid': '0f0e0d0c-0b0a-4908-8706-050403020100'}),
            ('BalloonInstanceMemory', args('(a{sv}x)', inst, 128), None,
             'org.hvkit.instance.modify',
             {'instance': 'fake-1', 'uuid': '0f0e0d0c-0b0a-4908-8706-050403020100'}),
            # the fake driver has no adopt_instances: NotSupported once allowed
            ('AdoptInstances', GLib.Variant('(s)', ('/nowhere',)), '(aa{sv})',
             'org.hvkit.node.adopt', {}),
        ]
        for method, arguments, reply_type, action, details in cases:
            with self.subTest(method=method):
                # refused: AccessDenied, and nothing ran (no job, no error
                # of the driver's)
                self.h.polkit_allow_only([])
                with self.assertRaises(GLib.Error) as caught:
                    self.call(method, arguments, reply_type)
                self.assert_dbus_error(caught, 'org.freedesktop.DBus.Error.AccessDenied',
                                       f"Not authorized to perform '{action}'")
                self.assertEqual(self.h.polkit_pop_checks(), [(action, details)])
                # allowed for this action only: it reaches the driver
                self.h.polkit_allow_only([action])
                try:
                    self.call(method, arguments, reply_type)
                except GLib.Error as error:
                    self.assertTrue(Gio.DBusError.get_remote_error(error).startswith(
                        'org.hvkit.Error.'), error.message)
                self.assertEqual(self.h.polkit_pop_checks(), [(action, details)])

    def test_hvkitctl_lets_polkit_ask_from_a_terminal(self):
        def run(*arguments, terminal):
            master, slave = os.openpty()
            try:
                launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.STDOUT_SILENCE)
                if terminal:
                    launcher.take_stdin_fd(os.dup(slave))
                process = launcher.spawnv([os.environ['HVKIT_TEST_HVKITCTL'], '--address',
                                           self.h.address, '-H', 'fake'] + list(arguments))
                process.wait_check(None)
            finally:
                os.close(master)
                os.close(slave)
            return self.h.polkit_pop_check_flags()

        self.h.polkit_pop_check_flags()
        # stdin a terminal: the calls allow interactive authorization,
        # which hvkitd passes on to polkit (ALLOW_USER_INTERACTION, 1)
        self.assertEqual(run('info', 'fake-1', terminal=True), [0, 1])
        self.assertEqual(run('--no-ask-password', 'info', 'fake-1', terminal=True), [0, 0])
        self.assertEqual(run('info', 'fake-1', terminal=False), [0, 0])
        # hvkitd asks polkit with the caller's flag only
        self.h.call('GetInstanceInfo', GLib.Variant('(s)', ('fake-1',)), '(a{sv})', path=FAKE)
        self.assertEqual(self.h.polkit_pop_check_flags(), [0])

    def test_refused_migration_leaves_no_job(self):
        self.h.polkit_allow_only(['org.hvkit.node.read'])
        seen, done = self.follow_job(None)
        with self.assertRaises(GLib.Error):
            self.start_job('node2')
        # a Ping answered after the refusal: anything emitted came first
        self.h.call('Ping', None, path=MANAGER_PATH, interface='org.freedesktop.DBus.Peer')
        done()
        self.assertEqual(seen, {'progress': [], 'finished': []})
        with self.assertRaises(GLib.Error):
            self.h.get_property('/org/hvkit/Job/1000', JOB_IFACE, 'State')


if __name__ == '__main__':
    unittest.main()
