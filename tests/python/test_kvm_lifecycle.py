# SPDX-License-Identifier: LGPL-2.1-or-later
"""The KVM plugin's lifecycle on real QEMU (TCG) with the test guest, through
PyGObject only: the blocking forms, the async forms driven by a
GLib.MainLoop, GLib.Error codes of the Hv domain, and the
instance-state-changed signal of a guest that powers itself off.

Nothing sleeps: every wait is on a console line, a call's callback or a
signal, with a timeout."""

import json
import os
import re
import tempfile
import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import Gio, GLib, Hv  # noqa: E402

NAME = 'py-lifecycle'
# A TCG boot takes about 3 s here, several times that on a loaded machine.
BOOT_TIMEOUT_S = 120
CALL_TIMEOUT_S = 60
COMMAND_TIMEOUT_S = 30
STOP_TIMEOUT_S = 60
READY_PATTERN = r'^HVKIT-GUEST-READY release=(\S+) '
POWERDOWN_PATTERN = r'^HVKIT-GUEST-POWERDOWN$'


def load_test_guest(test):
    """guest.json of the test guest; skips the test outside `meson test`,
    which says where the guest is."""
    guest_dir = os.environ.get('HVKIT_TEST_GUEST_DIR')
    if not guest_dir:
        test.skipTest('HVKIT_TEST_GUEST_DIR is not set (run through meson test)')
    # meson said where it is, so the build was meant to make it: no skip
    with open(os.path.join(guest_dir, 'guest.json'), encoding='utf-8') as file:
        description = json.load(file)
    description['dir'] = os.path.abspath(guest_dir)
    return description


def instance_dict(kvm, guest):
    """The instance's a{sv} form, as a Ganeti-like caller would pass it."""
    def s(value):
        return GLib.Variant('s', value)

    hvparams = GLib.VariantDict.new(kvm.props.default_hvparams)
    for key, value in {
        'kvm_path': s('/usr/bin/qemu-system-x86_64'),
        # TCG unless asked: the /dev/kvm here cannot boot Linux
        'kvm_flag': s('enabled' if os.environ.get('HVKIT_TEST_ACCEL') == 'kvm'
                      else 'disabled'),
        'kernel_path': s(os.path.join(guest['dir'], 'vmlinuz')),
        'initrd_path': s(os.path.join(guest['dir'], 'initrd.img')),
        'kernel_args': s(guest['kernel_args']),
        'root_path': s('/dev/ram0'),
    }.items():
        hvparams.insert_value(key, value)
    return GLib.Variant('a{sv}', {
        'name': s(NAME),
        'uuid': s('3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b'),
        'hvparams': hvparams.end(),
        'beparams': GLib.Variant('a{sv}', {'maxmem': GLib.Variant('x', 256),
                                           'memory': GLib.Variant('x', 256),
                                           'vcpus': GLib.Variant('x', 1)}),
    })


class SerialConsole:
    """A line-oriented unix socket (the guest's ttyS0), read asynchronously
    from connect to close; every line is kept, and waits take them in
    order. wake() is called whenever something arrived."""

    def __init__(self, path, wake):
        self.wake = wake
        self.connection = Gio.SocketClient.new().connect(
            Gio.UnixSocketAddress.new(path), None)
        self.input = Gio.DataInputStream.new(self.connection.get_input_stream())
        self.lines = []
        self.taken = 0          # lines before this one were waited for
        self.closed = False
        self.commands = 0
        self._read_next()

    def _read_next(self):
        self.input.read_line_async(GLib.PRIORITY_DEFAULT, None, self._on_line)

    def _on_line(self, stream, result):
        try:
            line, _ = stream.read_line_finish_utf8(result)
        except GLib.Error as error:
            # the early kernel console can lose bytes; only a failed read
            # ends the console
            garbled = error.matches(GLib.convert_error_quark(),
                                    GLib.ConvertError.ILLEGAL_SEQUENCE)
            line = '\N{REPLACEMENT CHARACTER}' if garbled else None
        if line is None:
            self.closed = True
        else:
            self.lines.append(line.rstrip('\r'))
            self._read_next()
        self.wake()

    def find(self, pattern):
        """The first line not taken yet that matches pattern, taking it and
        the lines before it; None if none has arrived."""
        for index in range(self.taken, len(self.lines)):
            match = re.search(pattern, self.lines[index])
            if match:
                self.taken = index + 1
                return match
        return None

    def tail(self, count=30):
        return '\n'.join(self.lines[-count:])

    def send(self, line):
        self.connection.get_output_stream().write_all(f'{line}\n'.encode(), None)

    def start_command(self, command):
        """Runs command in the guest's shell between numbered markers that
        the command line itself cannot match; returns the end pattern."""
        self.commands += 1
        number = self.commands
        self.send(f"printf 'HVKIT-BEGIN %u\\n' {number}; {{ {command}\n}}; "
                  f"printf 'HVKIT-END %u %d\\n' {number} $?")
        return number

    def command_output(self, number):
        """The output of command number (without uevent lines) and its exit
        status, once its end marker is in; None before."""
        for end in range(self.taken, len(self.lines)):
            status = re.fullmatch(rf'HVKIT-END {number} (\d+)', self.lines[end])
            if status:
                begin = self.lines.index(f'HVKIT-BEGIN {number}', self.taken)
                output = [line for line in self.lines[begin + 1:end]
                          if not line.startswith('UEVENT ')]
                self.taken = end + 1
                return output, int(status.group(1))
        return None

    def close(self):
        self.connection.close(None)


class KvmLifecycleTest(unittest.TestCase):
    def setUp(self):
        self.guest = load_test_guest(self)
        self.tmp = tempfile.TemporaryDirectory(prefix='hvkit-py-lc-')
        self.run_dir = self.tmp.name
        self.loop = GLib.MainLoop()
        self.console = None
        config = GLib.Variant('a{sv}', {
            'run-dir': GLib.Variant('s', self.run_dir),
            # the guest's acpid listens from its first second: press again soon
            'powerdown-interval-ms': GLib.Variant('u', 2000),
        })
        self.kvm = Hv.PluginLoader.new(None).get_hypervisor('kvm', config)
        self.state_changes = []
        self.handler = self.kvm.connect('instance-state-changed',
                                        self.on_state_changed)
        self.instance = Hv.Instance.new_from_variant(instance_dict(self.kvm, self.guest))

    def tearDown(self):
        # whatever a failed test left: no QEMU keeps running
        try:
            self.kvm.stop_instance_sync(self.instance, True, False, 0, None)
            self.kvm.cleanup_instance_sync(NAME, None)
        finally:
            if self.console is not None:
                self.console.close()
            self.kvm.disconnect(self.handler)
            del self.kvm
            self.tmp.cleanup()

    # -- waiting, always with a timeout -------------------------------------

    def on_state_changed(self, kvm, name, state):
        self.state_changes.append((name, state))
        self.loop.quit()

    def run_until(self, done, timeout_s, what):
        """Runs the main loop until done() is true; fails after timeout_s.
        Everything that may make it true quits the loop to be looked at."""
        timed_out = []

        def on_timeout(_):
            timed_out.append(True)
            self.loop.quit()
            return GLib.SOURCE_REMOVE

        timer = GLib.timeout_source_new_seconds(timeout_s)
        timer.set_callback(on_timeout)
        timer.attach(None)
        try:
            result = done()
            while not result and not timed_out:
                self.loop.run()
                result = done()
        finally:
            timer.destroy()
        if not result:
            log = self.console.tail() if self.console is not None else '(no console)'
            self.fail(f'no {what} within {timeout_s} s; the serial console said:\n{log}')
        return result

    def call_async(self, start, finish, what):
        """Makes one _async call, with a callback, and runs the main loop
        until it is called; returns what _finish gives (or raises)."""
        results = []

        def on_done(source, result, *user_data):
            results.append(result)
            self.loop.quit()

        start(on_done)
        self.run_until(lambda: results, CALL_TIMEOUT_S, f'answer to {what}')
        return finish(results[0])

    def wait_for_line(self, pattern, timeout_s):
        return self.run_until(lambda: self.console.find(pattern), timeout_s,
                              f'line matching /{pattern}/')

    def run_in_guest(self, command):
        number = self.console.start_command(command)
        return self.run_until(lambda: self.console.command_output(number),
                              COMMAND_TIMEOUT_S, f'end of `{command}`')

    # -- steps ---------------------------------------------------------------

    def assert_hv_error(self, caught, code):
        error = caught.exception
        self.assertEqual(error.domain, 'hv-error-quark')
        self.assertEqual(error.code, int(code))
        self.assertTrue(error.matches(Hv.error_quark(), code), error.message)

    def attach_and_resume(self):
        """Attaches the serial console of a paused guest, then resumes it
        through the HMP monitor, so no line it prints is missed."""
        self.console = SerialConsole(os.path.join(self.run_dir, f'{NAME}.serial'),
                                     self.loop.quit)
        monitor = Gio.SocketClient.new().connect(
            Gio.UnixSocketAddress.new(os.path.join(self.run_dir, f'{NAME}.monitor')), None)
        monitor.get_output_stream().write_all(b'cont\n', None)
        ready = self.wait_for_line(READY_PATTERN, BOOT_TIMEOUT_S)
        monitor.close(None)
        self.assertEqual(ready.group(1), self.guest['kernel_release'])
        # someone else resumed it: QEMU's RESUME is the instance's own change
        self.run_until(lambda: (NAME, Hv.InstanceState.RUNNING) in self.state_changes,
                       CALL_TIMEOUT_S, 'state change to running')

    def assert_nothing_left(self):
        left = [entry for entry in os.listdir(self.run_dir)
                if entry.startswith(f'{NAME}.')]
        self.assertEqual(left, [])
        self.assertFalse(os.path.exists(os.path.join(self.run_dir, 'conf',
                                                     f'{NAME}.runtime')))

    # -- the tests -----------------------------------------------------------

    def test_start_query_balloon_stop(self):
        kvm = self.kvm
        self.assertTrue(kvm.start_instance_sync(self.instance, True, None))
        info = kvm.get_instance_info_sync(NAME, None)
        self.assertEqual(info.get_name(), NAME)
        self.assertEqual(info.get_state(), Hv.InstanceState.PAUSED)
        self.assertGreater(info.get_pid(), 1)
        self.assertEqual(kvm.list_instances(), [NAME])

        with self.assertRaises(GLib.Error) as caught:
            kvm.start_instance_sync(self.instance, True, None)
        self.assert_hv_error(caught, Hv.Error.ALREADY_RUNNING)
        self.assertEqual(kvm.get_instance_info_sync(NAME, None).get_pid(), info.get_pid())

        self.attach_and_resume()
        output, status = self.run_in_guest('uname -r')
        self.assertEqual((output, status), ([self.guest['kernel_release']], 0))

        info = kvm.get_instance_info_sync(NAME, None)
        self.assertEqual(info.get_state(), Hv.InstanceState.RUNNING)
        self.assertEqual(info.get_memory(), 256)
        self.assertEqual(info.get_vcpus(), 1)
        self.assertGreater(info.get_cpu_time(), 0.0)

        # the async forms, from the main loop
        info = self.call_async(lambda done: kvm.get_instance_info_async(NAME, None, done),
                               kvm.get_instance_info_finish, 'get_instance_info')
        self.assertEqual(info.get_state(), Hv.InstanceState.RUNNING)
        self.assertTrue(self.call_async(
            lambda done: kvm.balloon_instance_memory_async(self.instance, 160, None, done),
            kvm.balloon_instance_memory_finish, 'balloon_instance_memory'))
        info = self.call_async(lambda done: kvm.get_instance_info_async(NAME, None, done),
                               kvm.get_instance_info_finish, 'get_instance_info')
        self.assertEqual(info.get_memory(), 160)
        with self.assertRaises(GLib.Error) as caught:
            # more than QEMU started with
            self.call_async(
                lambda done: kvm.balloon_instance_memory_async(self.instance, 512, None, done),
                kvm.balloon_instance_memory_finish, 'balloon_instance_memory')
        self.assert_hv_error(caught, Hv.Error.INVALID_PARAMETER)

        # a soft stop: the guest powers off on the ACPI button
        self.assertTrue(self.call_async(
            lambda done: kvm.stop_instance_async(self.instance, False, False, STOP_TIMEOUT_S,
                                                 None, done),
            kvm.stop_instance_finish, 'stop_instance'))
        self.wait_for_line(POWERDOWN_PATTERN, COMMAND_TIMEOUT_S)
        with self.assertRaises(GLib.Error) as caught:
            self.call_async(lambda done: kvm.get_instance_info_async(NAME, None, done),
                            kvm.get_instance_info_finish, 'get_instance_info')
        self.assert_hv_error(caught, Hv.Error.NOT_RUNNING)
        with self.assertRaises(GLib.Error) as caught:
            kvm.get_instance_info_sync(NAME, None)
        self.assert_hv_error(caught, Hv.Error.NOT_RUNNING)
        self.assertEqual(kvm.list_instances(), [])
        self.assert_nothing_left()
        # a stop hvkit made is not the guest's doing: only the resume
        self.assertEqual(self.state_changes, [(NAME, Hv.InstanceState.RUNNING)])

    def test_guest_powers_itself_off(self):
        kvm = self.kvm
        self.assertTrue(kvm.start_instance_sync(self.instance, True, None))
        self.attach_and_resume()
        del self.state_changes[:]

        self.console.send('poweroff -f')
        self.run_until(lambda: (NAME, Hv.InstanceState.SHUTDOWN) in self.state_changes,
                       CALL_TIMEOUT_S, 'state change to shutdown')
        self.assertEqual(self.state_changes, [(NAME, Hv.InstanceState.SHUTDOWN)])
        info = kvm.get_instance_info_sync(NAME, None)
        self.assertEqual(info.get_state(), Hv.InstanceState.SHUTDOWN)
        # Ganeti's user shutdown: listed until cleaned up
        self.assertEqual(kvm.list_instances(), [NAME])

        self.assertTrue(self.call_async(
            lambda done: kvm.cleanup_instance_async(NAME, None, done),
            kvm.cleanup_instance_finish, 'cleanup_instance'))
        self.assertEqual(kvm.list_instances(), [])
        with self.assertRaises(GLib.Error) as caught:
            kvm.get_instance_info_sync(NAME, None)
        self.assert_hv_error(caught, Hv.Error.NOT_RUNNING)
        self.assert_nothing_left()


if __name__ == '__main__':
    unittest.main()
