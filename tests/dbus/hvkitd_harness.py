# SPDX-License-Identifier: LGPL-2.1-or-later
"""The dbus suite's world: a private dbus-daemon the test starts, polkit
mocked on it by python-dbusmock (polkitd_recording.py), and hvkitd from
this build serving on it with the real KVM plugin (or the test plugin
"fake"). Every wait is for a reply, a signal or a process, with a
timeout; nothing sleeps."""

import ctypes
import os
import signal
import sys
import tempfile

import gi
gi.require_version('Hv', '1.0')
from gi.repository import Gio, GLib, Hv  # noqa: E402

BUS_NAME = 'org.hvkit'
MANAGER_PATH = '/org/hvkit'
HYPERVISOR_IFACE = 'org.hvkit.Hypervisor1'
JOB_IFACE = 'org.hvkit.Job1'
POLKIT_NAME = 'org.freedesktop.PolicyKit1'
POLKIT_PATH = '/org/freedesktop/PolicyKit1/Authority'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'
START_TIMEOUT_S = 30
CALL_TIMEOUT_MS = 120 * 1000
CLONE_NEWNET = 0x40000000

HERE = os.path.dirname(os.path.abspath(__file__))

# Hv's error domain registers its D-Bus names: from here on, errors from
# hvkitd come back as Hv errors, as hvkit's docs tell clients to do
Hv.error_quark()

BUS_CONFIG = '''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <servicedir>{dir}/services</servicedir>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="max_message_size">8388608</limit>
</busconfig>
'''


def hv_path(name='kvm'):
    return f'/org/hvkit/Hypervisor/{name}'


def program(variable):
    """A program of this build, which meson names in the environment."""
    path = os.environ.get(variable)
    if not path:
        raise unittest_skip(f'{variable} is not set (run through meson test)')
    return path


def unshare_net():
    """Moves this process (its calling thread: the one that spawns) into a
    new network namespace, with loopback up: every tap and veth the test
    or its children make stays out of the host's. Needs root."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'unshare(CLONE_NEWNET)')
    process = Gio.Subprocess.new(['ip', 'link', 'set', 'lo', 'up'], Gio.SubprocessFlags.NONE)
    process.wait_check(None)


def unittest_skip(message):
    import unittest
    return unittest.SkipTest(message)


class Waiter:
    """Runs a main loop until a condition holds, failing after a timeout."""

    def __init__(self):
        self.loop = GLib.MainLoop()

    def wake(self, *args):
        self.loop.quit()

    def until(self, done, timeout_s, what):
        timed_out = []

        def on_timeout():
            timed_out.append(True)
            self.loop.quit()
            return GLib.SOURCE_REMOVE

        timer = GLib.timeout_add_seconds(timeout_s, on_timeout)
        try:
            result = done()
            while not result and not timed_out:
                self.loop.run()
                result = done()
        finally:
            if not timed_out:
                GLib.source_remove(timer)
        if not result:
            raise AssertionError(f'no {what} within {timeout_s} s')
        return result


class Harness:
    """One private bus with polkit mocked, and hvkitd on it."""

    def __init__(self, plugin_dir=None, hvkitd_args=(), run_dir=None, start=True, netns=False):
        self.tmp = tempfile.TemporaryDirectory(prefix='hvkit-dbus-')
        self.run_dir = run_dir or os.path.join(self.tmp.name, 'run')
        if run_dir is None:
            os.mkdir(self.run_dir)
        self.plugin_dir = plugin_dir
        self.hvkitd_args = list(hvkitd_args)
        # hvkitd (and the QEMUs it starts) in a network namespace of its
        # own, as on a host of its own: unshare(1) execs it, same pid
        self.netns = netns
        self.waiter = Waiter()
        self.hvkitd = None
        self.hvkitd_exited = []
        self.bus = None
        self.polkit = None
        try:
            self._start_bus()
            self._start_polkit()
            if start:
                self.start_hvkitd()
        except BaseException:
            try:
                self.close()
            except AssertionError:
                pass    # the first failure is the one to tell
            raise

    # -- processes ------------------------------------------------------------

    def _launcher(self, stdout=False):
        # stdout is TAP's: children say nothing there
        flags = Gio.SubprocessFlags.STDOUT_PIPE if stdout else Gio.SubprocessFlags.STDOUT_SILENCE
        launcher = Gio.SubprocessLauncher.new(flags)
        if 'HVKIT_TEST_ASAN_OPTIONS' in os.environ:
            # an ASan build: the runtime preloaded into python is no one
            # else's, and hvkitd gets the run's options (leaks reported)
            launcher.unsetenv('LD_PRELOAD')
            launcher.setenv('ASAN_OPTIONS', os.environ['HVKIT_TEST_ASAN_OPTIONS'], True)
        launcher.setenv('DBUS_SYSTEM_BUS_ADDRESS', getattr(self, 'address', ''), True)
        launcher.setenv('DBUS_SESSION_BUS_ADDRESS', getattr(self, 'address', ''), True)
        return launcher

    def _start_bus(self):
        os.mkdir(os.path.join(self.tmp.name, 'services'))
        config = os.path.join(self.tmp.name, 'bus.conf')
        with open(config, 'w', encoding='utf-8') as file:
            file.write(BUS_CONFIG.format(dir=self.tmp.name))
        self.bus = self._launcher(stdout=True).spawnv(
            ['dbus-daemon', f'--config-file={config}', '--nofork', '--print-address=1'])
        stream = Gio.DataInputStream.new(self.bus.get_stdout_pipe())
        line, _ = stream.read_line_utf8(None)
        if not line:
            raise RuntimeError('dbus-daemon did not say its address')
        self.address = line.strip()
        self.connection = self.connect()

    def connect(self):
        """A new client connection to the private bus."""
        return Gio.DBusConnection.new_for_address_sync(
            self.address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)

    def _start_polkit(self):
        self.polkit = self._launcher().spawnv(
            [sys.executable, '-m', 'dbusmock', '--system', '--template',
             os.path.join(HERE, 'polkitd_recording.py')])
        self.wait_for_name(POLKIT_NAME, self.polkit)
        self.polkit_allow_all()

    def wait_for_name(self, name, process, not_owner=None):
        """Waits until NAME has an owner other than NOT_OWNER; fails if
        PROCESS exits first."""
        owners = []
        exited = []

        def on_owner(connection, name, owner):
            if owner != not_owner:
                owners.append(owner)
            self.waiter.wake()

        watch = Gio.bus_watch_name_on_connection(
            self.connection, name, Gio.BusNameWatcherFlags.NONE, on_owner, None)
        process.wait_async(None, lambda p, r: (exited.append(True), self.waiter.wake()))
        try:
            self.waiter.until(lambda: owners or exited, START_TIMEOUT_S, f'owner of {name}')
        finally:
            Gio.bus_unwatch_name(watch)
        if not owners:
            raise AssertionError(f'the process meant to own {name} exited')
        return owners[0]

    def start_hvkitd(self, *extra_args, polkit=True):
        # --session (DBUS_SESSION_BUS_ADDRESS is the private bus) turns
        # polkit off; --address keeps it
        args = [program('HVKIT_TEST_HVKITD')]
        args += ['--address', self.address] if polkit else ['--session']
        if self.plugin_dir:
            # the test plugins take no configuration
            args += ['--plugin-dir', self.plugin_dir]
        else:
            # NICs on no network, as in the demo; ifup waits while the
            # FIFO self.ifup_hold exists, until a line is written to it
            args += ['--run-dir', self.run_dir,
                     '--option', f"ifup-script='{self.ifup_script()}'",
                     '--option', "ifdown-script='/bin/true'"]
        args += self.hvkitd_args + list(extra_args)
        if self.netns:
            args = ['unshare', '--net', '--'] + args
        self.hvkitd = self._launcher().spawnv(args)
        self.hvkitd_exited = []
        self.hvkitd.wait_async(None, self._on_hvkitd_exited, self.hvkitd_exited)
        previous = getattr(self, 'hvkitd_owner', None) if '--replace' in extra_args else None
        self.hvkitd_owner = self.wait_for_name(BUS_NAME, self.hvkitd, not_owner=previous)
        if '--replace' in extra_args:
            self.wait_for_objects()
        return self.hvkitd

    def ip(self, *args):
        """`ip` in hvkitd's network namespace (netns=True), no shell."""
        command = ['ip', *args]
        if self.netns:
            command = ['nsenter', '--target', self.hvkitd.get_identifier(), '--net', '--'] + command
        process = Gio.Subprocess.new(command, Gio.SubprocessFlags.STDERR_PIPE)
        _, _, err = process.communicate_utf8(None, None)
        if not process.get_successful():
            raise RuntimeError(f'{" ".join(command)}: {err.strip()}')

    def ifup_script(self):
        self.ifup_hold = os.path.join(self.tmp.name, 'ifup-hold')
        path = os.path.join(self.tmp.name, 'ifup')
        with open(path, 'w', encoding='utf-8') as file:
            file.write('#!/bin/sh\n'
                       f'if [ -p "{self.ifup_hold}" ]; then read line < "{self.ifup_hold}"; fi\n'
                       'exit 0\n')
        os.chmod(path, 0o700)
        return path

    def wait_for_objects(self):
        """hvkitd --replace owns the name before it serves: it waits for
        the old hvkitd to exit before it takes the instances over. Waits
        for its Manager1 object, asking again every 10 ms."""
        ready = []

        def on_reply(connection, result):
            try:
                connection.call_finish(result)
                ready.append(True)
                self.waiter.wake()
            except GLib.Error:
                GLib.timeout_add(10, ask)

        def ask():
            if not self.hvkitd_exited:
                self.connection.call(BUS_NAME, '/org/hvkit', 'org.freedesktop.DBus.Properties',
                                     'GetAll', GLib.Variant('(s)', ('org.hvkit.Manager1',)),
                                     None, Gio.DBusCallFlags.NONE, -1, None, on_reply)
            return GLib.SOURCE_REMOVE

        ask()
        self.waiter.until(lambda: ready or self.hvkitd_exited, START_TIMEOUT_S,
                          'Manager1 of the replacing hvkitd')
        if not ready:
            raise AssertionError('the replacing hvkitd exited')

    def add_activation(self, exec_line):
        """Makes org.hvkit bus-activatable, with the [D-BUS Service] Exec
        line given; the bus reads its service directory again."""
        with open(os.path.join(self.tmp.name, 'services', 'org.hvkit.service'), 'w',
                  encoding='utf-8') as file:
            file.write(f'[D-BUS Service]\nName={BUS_NAME}\nExec={exec_line}\n')
        self.call('ReloadConfig', None, path='/org/freedesktop/DBus',
                  interface='org.freedesktop.DBus', destination='org.freedesktop.DBus')

    def _on_hvkitd_exited(self, process, result, exited):
        exited.append(True)
        self.waiter.wake()

    def stop_hvkitd(self, signum=signal.SIGTERM):
        """Signals hvkitd and waits for it to exit; returns its wait status."""
        process, exited = self.hvkitd, self.hvkitd_exited
        process.send_signal(signum)
        self.waiter.until(lambda: exited, START_TIMEOUT_S, 'exit of hvkitd')
        self.hvkitd = None
        return process

    def close(self):
        """Stops everything; fails if hvkitd did not exit 0 on SIGTERM
        (a crash, or under ASan a leak it reported)."""
        failed = None
        if self.hvkitd is not None:
            process = self.stop_hvkitd()
            if not process.get_if_exited() or process.get_exit_status() != 0:
                failed = (f'hvkitd ended with wait status {process.get_status()} '
                          'on SIGTERM (see its stderr)')
        for process in (self.polkit, self.bus):
            if process is not None:
                process.force_exit()
                process.wait(None)
        self.tmp.cleanup()
        if failed:
            raise AssertionError(failed)

    # -- calls ----------------------------------------------------------------

    def call(self, method, args=None, reply_type=None, path=None,
             interface=HYPERVISOR_IFACE, connection=None, destination=BUS_NAME):
        """A blocking call; returns the reply's values as a tuple."""
        reply = (connection or self.connection).call_sync(
            destination, path or hv_path(), interface, method, args,
            GLib.VariantType.new(reply_type) if reply_type else None,
            Gio.DBusCallFlags.NONE, CALL_TIMEOUT_MS, None)
        return reply.unpack()

    def call_async(self, method, args, on_reply, path=None, interface=HYPERVISOR_IFACE,
                   connection=None):
        """An asynchronous call; on_reply(reply or GLib.Error)."""
        conn = connection or self.connection

        def done(source, result):
            try:
                value = source.call_finish(result)
            except GLib.Error as error:
                value = error
            on_reply(value)
            self.waiter.wake()

        conn.call(BUS_NAME, path or hv_path(), interface, method, args, None,
                  Gio.DBusCallFlags.NONE, CALL_TIMEOUT_MS, None, done)

    def get_property(self, path, interface, name):
        return self.call('Get', GLib.Variant('(ss)', (interface, name)), '(v)', path=path,
                         interface='org.freedesktop.DBus.Properties')[0]

    # -- polkit ---------------------------------------------------------------

    def polkit_call(self, method, args=None, reply_type=None):
        return self.call(method, args, reply_type, path=POLKIT_PATH, interface=MOCK_IFACE,
                         destination=POLKIT_NAME)

    def polkit_allow_all(self):
        self.polkit_call('AllowUnknown', GLib.Variant('(b)', (True,)))
        self.polkit_call('SetAllowed', GLib.Variant('(as)', ([],)))

    def polkit_allow_only(self, actions):
        self.polkit_call('AllowUnknown', GLib.Variant('(b)', (False,)))
        self.polkit_call('SetAllowed', GLib.Variant('(as)', (list(actions),)))

    def polkit_pop_checks(self):
        return self.polkit_call('PopChecks', None, '(a(sa{ss}))')[0]

    def polkit_pop_check_flags(self):
        return self.polkit_call('PopCheckFlags', None, '(au)')[0]

    # -- the remote hypervisor ------------------------------------------------

    def remote(self, name='kvm', connection=None):
        return Hv.RemoteHypervisor.new_sync(connection or self.connection, name, None)


def strip_remote(error):
    """A GLib.Error's message without GDBus's 'GDBus.Error:NAME: ' prefix."""
    message = error.message
    if message.startswith('GDBus.Error:'):
        message = message.split(': ', 1)[1]
    return message
