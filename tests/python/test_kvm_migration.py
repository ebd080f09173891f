# SPDX-License-Identifier: LGPL-2.1-or-later
"""Live migration through PyGObject only, between two processes: each host
is this file run with --host, in its own network namespace with its own
run dir and HvKvm (the plugin loaded through Hv.PluginLoader); the test
joins the namespaces with a veth pair on a private subnet and drives
Ganeti's sequence: migration_info, accept_instance, migrate_instance,
finalize_migration_dst, finalize_migration_source.

Nothing sleeps: every wait is on a host's answer (the blocking forms of
the interface, each with QEMU's own timeouts)."""

import ctypes
import json
import os
import shutil
import sys
import tempfile
import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import Gio, GLib, Hv  # noqa: E402

NAME = 'py-migration'
UUID = '4d5e6f70-8192-4a3b-9c4d-5e6f708192a3'
ADDRESS_A = '10.232.0.1'
ADDRESS_B = '10.232.0.2'
CLONE_NEWNET = 0x40000000


def unshare_net():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'unshare(CLONE_NEWNET)')


def ip(*args):
    """`ip` with these arguments, no shell; raises with its stderr."""
    process = Gio.Subprocess.new(['ip', *args], Gio.SubprocessFlags.STDERR_PIPE)
    _, _, err = process.communicate_utf8(None, None)
    if not process.get_successful():
        raise RuntimeError(f'ip {" ".join(args)}: {err.strip()}')


def instance_dict(kvm, guest_dir, kernel_args):
    def s(value):
        return GLib.Variant('s', value)

    hvparams = GLib.VariantDict.new(kvm.props.default_hvparams)
    for key, value in {
        'kvm_path': s('/usr/bin/qemu-system-x86_64'),
        'kvm_flag': s('enabled' if os.environ.get('HVKIT_TEST_ACCEL') == 'kvm'
                      else 'disabled'),
        'kernel_path': s(os.path.join(guest_dir, 'vmlinuz')),
        'initrd_path': s(os.path.join(guest_dir, 'initrd.img')),
        'kernel_args': s(kernel_args),
        'root_path': s('/dev/ram0'),
        'migration_bandwidth': GLib.Variant('x', 200),
    }.items():
        hvparams.insert_value(key, value)
    return GLib.Variant('a{sv}', {
        'name': s(NAME),
        'uuid': s(UUID),
        'hvparams': hvparams.end(),
        'beparams': GLib.Variant('a{sv}', {'maxmem': GLib.Variant('x', 128),
                                           'memory': GLib.Variant('x', 128),
                                           'vcpus': GLib.Variant('x', 1)}),
    })


# -- a host: this file with --host RUN_DIR -------------------------------------

def host_main(run_dir):
    """Answers one line per command on stdout: OK DATA, or ERR CODE MESSAGE
    for a GLib.Error of the Hv domain (or -1 for another)."""
    unshare_net()
    print('READY', os.getpid(), flush=True)
    guest_dir = os.environ['HVKIT_TEST_GUEST_DIR']
    with open(os.path.join(guest_dir, 'guest.json'), encoding='utf-8') as file:
        kernel_args = json.load(file)['kernel_args']
    kvm = None
    instance = None
    accepted = None
    progress = []
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command, args = words[0], words[1:]
        try:
            data = ''
            if command == 'addr':
                ip('link', 'set', 'lo', 'up')
                ip('addr', 'add', args[1], 'dev', args[0])
                ip('link', 'set', args[0], 'up')
            elif command == 'init':
                config = GLib.Variant('a{sv}', {'run-dir': GLib.Variant('s', run_dir)})
                kvm = Hv.PluginLoader.new(None).get_hypervisor('kvm', config)
                kvm.connect('migration-progress',
                            lambda _kvm, name, status: progress.append(status.get_state()))
                instance = Hv.Instance.new_from_variant(
                    instance_dict(kvm, guest_dir, kernel_args))
            elif command == 'start':
                kvm.start_instance_sync(instance, False, None)
            elif command == 'info':
                data = GLib.base64_encode(kvm.migration_info(instance).get_data())
            elif command == 'accept':
                accepted = GLib.Bytes.new(GLib.base64_decode(args[0]))
                kvm.accept_instance_sync(instance, accepted, args[1], None)
            elif command == 'migrate':
                kvm.migrate_instance_sync(instance, args[0], True, None)
                # the progress signals come in this process's main context
                context = GLib.MainContext.default()
                while context.iteration(False):
                    pass
                data = ' '.join(state.value_nick for state in progress)
            elif command == 'status':
                data = kvm.get_migration_status_sync(instance, None).get_state().value_nick
            elif command == 'finalize-dst':
                kvm.finalize_migration_dst_sync(instance, accepted, args[0] == 'ok', None)
            elif command == 'finalize-src':
                kvm.finalize_migration_source_sync(instance, args[0] == 'ok', True, None)
            elif command == 'list':
                data = ' '.join(kvm.list_instances())
            elif command == 'state':
                data = kvm.get_instance_info_sync(NAME, None).get_state().value_nick
            elif command == 'stop':
                kvm.stop_instance_sync(instance, True, False, 0, None)
            else:
                raise ValueError(f'unknown command {command}')
            print('OK', data, flush=True)
        except GLib.Error as error:
            code = error.code if error.domain == 'hv-error-quark' else -1
            print('ERR', code, error.message.replace('\n', ' '), flush=True)
    # stdin closed: nothing of this host outlives the test
    if kvm is not None:
        try:
            kvm.stop_instance_sync(instance, True, False, 0, None)
            kvm.cleanup_instance_sync(NAME, None)
        except GLib.Error:
            pass


class Host:
    def __init__(self, run_dir):
        self.process = Gio.Subprocess.new(
            [sys.executable, os.path.abspath(__file__), '--host', run_dir],
            Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE)
        self.input = self.process.get_stdin_pipe()
        self.output = Gio.DataInputStream.new(self.process.get_stdout_pipe())
        ready = self.read()
        assert ready.startswith('READY '), ready

    def read(self):
        line, _ = self.output.read_line_utf8(None)
        if line is None:
            raise RuntimeError('a host process exited')
        return line

    def call(self, *words):
        """The data of an OK answer; a GLib.Error of the Hv domain for ERR."""
        self.input.write_all((' '.join(words) + '\n').encode(), None)
        answer = self.read()
        if answer.startswith('OK'):
            return answer[3:]
        _, code, message = answer.split(' ', 2)
        raise GLib.Error.new_literal(Hv.error_quark(), message, int(code))

    def close(self):
        self.input.close(None)
        self.process.wait(None)


class KvmMigrationTest(unittest.TestCase):
    def setUp(self):
        if not os.environ.get('HVKIT_TEST_GUEST_DIR'):
            self.skipTest('HVKIT_TEST_GUEST_DIR is not set (run through meson test)')
        if os.geteuid() != 0 or not os.access('/dev/net/tun', os.R_OK | os.W_OK) \
                or shutil.which('ip') is None:
            self.skipTest('network namespaces with taps need root, /dev/net/tun and ip')
        self.tmp = tempfile.TemporaryDirectory(prefix='hvkit-py-mig-')
        # the test's own namespace, where the pair is made before its ends move
        unshare_net()
        ip('link', 'add', 'pmig0', 'type', 'veth', 'peer', 'name', 'pmig1')
        self.a = Host(os.path.join(self.tmp.name, 'a'))
        self.b = Host(os.path.join(self.tmp.name, 'b'))
        ip('link', 'set', 'pmig0', 'netns', self.a.process.get_identifier())
        ip('link', 'set', 'pmig1', 'netns', self.b.process.get_identifier())
        self.a.call('addr', 'pmig0', ADDRESS_A + '/24')
        self.b.call('addr', 'pmig1', ADDRESS_B + '/24')
        self.a.call('init')
        self.b.call('init')

    def tearDown(self):
        self.a.close()
        self.b.close()
        self.tmp.cleanup()

    def test_migrate(self):
        self.a.call('start')
        info = self.a.call('info')
        self.b.call('accept', info, ADDRESS_B)
        # the target is not the instance's until finalize
        self.assertEqual(self.b.call('list'), '')
        progress = self.a.call('migrate', ADDRESS_B).split()
        self.assertIn('completed', progress)
        self.assertEqual(self.a.call('status'), 'completed')
        self.b.call('finalize-dst', 'ok')
        self.a.call('finalize-src', 'ok')
        self.assertEqual(self.a.call('list'), '')
        self.assertEqual(self.b.call('list'), NAME)
        self.assertEqual(self.b.call('state'), 'running')
        self.b.call('stop')

    def test_damaged_record(self):
        self.a.call('start')
        info = bytearray(GLib.base64_decode(self.a.call('info')))
        info[len(info) // 2] ^= 0x5a
        with self.assertRaises(GLib.Error) as caught:
            self.b.call('accept', GLib.base64_encode(bytes(info)), ADDRESS_B)
        self.assertTrue(caught.exception.matches(Hv.error_quark(),
                                                 Hv.Error.RUNTIME_CORRUPT))
        self.assertEqual(self.b.call('list'), '')
        self.assertEqual(self.a.call('list'), NAME)


if __name__ == '__main__' and len(sys.argv) == 3 and sys.argv[1] == '--host':
    host_main(sys.argv[2])
