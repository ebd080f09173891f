#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hvkit_ganeti's HvkitKvmHypervisor driven as Ganeti 3.0's node daemon
drives its kvm class: Ganeti's own objects (from the installed Ganeti,
/usr/share/ganeti/3.0), Ganeti's call signatures, hvkitd with the real KVM
plugin on a private dbus-daemon (tests/dbus/hvkitd_harness.py) and the
test guest under TCG. Every device change is checked in the guest (its
uevents on the serial console), never only in hvkit's answer.

The test runs in a network namespace of its own, so the taps hvkitd makes
never appear on the host. It exits 77 (skipped) when Ganeti 3.0 is not
installed. Nothing sleeps: waits are for console lines and replies."""

import ctypes
import os
import subprocess
import sys
import tempfile
import unittest

GANETI_DIR = os.environ.get('HVKIT_TEST_GANETI_DIR', '/usr/share/ganeti/3.0')
HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
CLONE_NEWNET = 0x40000000

NAME = 'gnt-backend-test'
INSTANCE_UUID = '6f3e1c2a-0b4d-4e5f-8a9b-1c2d3e4f5a6b'
DISK0_UUID = 'd15c0000-0000-4000-8000-000000000000'
DISK1_UUID = 'd15c0001-0000-4000-8000-000000000001'
NIC0_UUID = '41c00000-0000-4000-8000-000000000000'
NIC1_UUID = '41c00001-0000-4000-8000-000000000001'
UEVENT_TIMEOUT_S = 60


# the methods of the brief; each is hvkit's (tested by MasterSideTest)
METHODS = (
    'StartInstance', 'StopInstance', 'RebootInstance', 'CleanupInstance', 'ListInstances',
    'GetInstanceInfo', 'GetAllInstancesInfo', 'GetNodeInfo', 'GetInstanceConsole', 'Verify',
    'CheckParameterSyntax', 'ValidateParameters', 'HotplugSupported', 'VerifyHotplugSupport',
    'HotAddDevice', 'HotDelDevice', 'HotModDevice', 'MigrationInfo', 'AcceptInstance',
    'MigrateInstance', 'GetMigrationStatus', 'FinalizeMigrationSource', 'FinalizeMigrationDst',
    'BalloonInstanceMemory',
)


def ganeti_available():
    return os.path.isfile(os.path.join(GANETI_DIR, 'ganeti', 'hypervisor', 'hv_kvm',
                                       '__init__.py'))


if ganeti_available():
    sys.path.insert(0, GANETI_DIR)
    sys.path.insert(0, os.path.join(HERE, '..', 'dbus'))
    from ganeti import constants, errors, objects  # noqa: E402
    from ganeti.hypervisor import hv_base  # noqa: E402
    from hvkit_ganeti import convert, remote  # noqa: E402
    from hvkit_ganeti.hypervisor import HvkitKvmHypervisor  # noqa: E402
    import test_kvm_lifecycle as lifecycle  # noqa: E402


def ganeti_instance(guest, nics=None, disks=None):
    hvparams = objects.FillDict(constants.HVC_DEFAULTS[constants.HT_KVM], {
        constants.HV_KVM_PATH: '/usr/bin/qemu-system-x86_64',
        constants.HV_KVM_FLAG: constants.HT_KVM_DISABLED,
        constants.HV_KERNEL_PATH: os.path.join(guest['dir'], 'vmlinuz'),
        constants.HV_INITRD_PATH: os.path.join(guest['dir'], 'initrd.img'),
        constants.HV_KERNEL_ARGS: guest['kernel_args'],
        constants.HV_ROOT_PATH: '/dev/ram0',
        constants.HV_SERIAL_CONSOLE: True,
    })
    beparams = objects.FillDict(constants.BEC_DEFAULTS, {
        constants.BE_MAXMEM: 256, constants.BE_MINMEM: 128, constants.BE_VCPUS: 1,
    })
    return objects.Instance(
        name=NAME, uuid=INSTANCE_UUID, hypervisor=constants.HT_KVM, os='none',
        primary_node='node-uuid', hvparams=hvparams, beparams=beparams,
        admin_state=constants.ADMINST_UP, disk_template=constants.DT_SHARED_FILE,
        nics=nics or [], disks=[disk.uuid for disk in disks or []],
        disks_info=disks or [], network_port=None, tags=set(['hvkit-test']))


def ganeti_disk(uuid, path, index):
    return objects.Disk(uuid=uuid, dev_type=constants.DT_SHARED_FILE,
                        logical_id=('loop', path), size=16, mode=constants.DISK_RDWR,
                        params={}, iv_name=f'disk/{index}', children=[], nodes=['node-uuid'])


def ganeti_nic(uuid, mac):
    return objects.NIC(uuid=uuid, mac=mac, ip=None, network=None,
                       nicparams={constants.NIC_MODE: constants.NIC_MODE_BRIDGED,
                                  constants.NIC_LINK: 'gnt0', constants.NIC_VLAN: ''})


def force_stop(kvm):
    """Kills and cleans up the test's instance through an Hv remote of the
    harness (not the class: its configuration may be gone), whatever state
    it is in; hvkitd would leave it running when it stops."""
    Hv, GLib = lifecycle.Hv, lifecycle.GLib
    instance = Hv.Instance.new_from_variant(GLib.Variant('a{sv}', {'name': GLib.Variant('s', NAME)}))
    for call in (lambda: kvm.stop_instance_sync(instance, True, False, 0, None),
                 lambda: kvm.cleanup_instance_sync(NAME, None)):
        try:
            call()
        except GLib.Error:
            pass


def free_port():
    """A TCP port nothing listens on now, for the migration target."""
    import socket
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def write_config(directory, bus_address, run_dir):
    path = os.path.join(directory, 'hvkit.conf')
    with open(path, 'w', encoding='utf-8') as file:
        file.write(f'[hvkitd]\nbus_address = {bus_address}\nrun_dir = {run_dir}\n')
    return path


class GanetiBackendTest(unittest.TestCase):
    """One instance through the node daemon's sequence of calls."""

    # the waiting helpers of the lifecycle tests (console, main loop)
    if ganeti_available():
        on_state_changed = lifecycle.KvmLifecycleTest.on_state_changed
        run_until = lifecycle.KvmLifecycleTest.run_until
        wait_for_line = lifecycle.KvmLifecycleTest.wait_for_line
        run_in_guest = lifecycle.KvmLifecycleTest.run_in_guest

    def attach_and_resume(self):
        """Attaches the serial console of the paused guest, then resumes it
        through the HMP monitor, as Ganeti's console wrapper does, so no line
        it prints is missed."""
        Gio = lifecycle.Gio
        self.console = lifecycle.SerialConsole(os.path.join(self.run_dir, f'{NAME}.serial'),
                                               self.loop.quit)
        monitor = Gio.SocketClient.new().connect(
            Gio.UnixSocketAddress.new(os.path.join(self.run_dir, f'{NAME}.monitor')), None)
        monitor.get_output_stream().write_all(b'cont\n', None)
        ready = self.wait_for_line(lifecycle.READY_PATTERN, lifecycle.BOOT_TIMEOUT_S)
        monitor.close(None)
        self.assertEqual(ready.group(1), self.guest['kernel_release'])

    def setUp(self):
        if not os.environ.get('HVKIT_TEST_HVKITD'):
            self.skipTest('HVKIT_TEST_HVKITD is not set (run through meson test)')
        from hvkitd_harness import Harness
        self.guest = lifecycle.load_test_guest(self)
        self.harness = Harness(hvkitd_args=['--option', 'powerdown-interval-ms=uint32 2000'])
        self.run_dir = self.harness.run_dir
        self.loop = lifecycle.GLib.MainLoop()
        self.console = None
        self.state_changes = []
        self.files = tempfile.TemporaryDirectory(prefix='hvkit-gnt-')
        os.environ[remote.ENV_CONFIG] = write_config(self.files.name, self.harness.address,
                                                     self.run_dir)
        remote.forget_remotes()
        self.kvm = self.harness.remote('kvm')   # the test's own look at hvkitd
        self.handler = self.kvm.connect('instance-state-changed', self.on_state_changed)
        self.hv = HvkitKvmHypervisor()

    def tearDown(self):
        try:
            force_stop(self.kvm)
        finally:
            if self.console is not None:
                self.console.close()
            self.kvm.disconnect(self.handler)
            del self.kvm
            remote.forget_remotes()
            os.environ.pop(remote.ENV_CONFIG, None)
            self.harness.close()
            self.files.cleanup()

    def disk_file(self, index):
        """A 16 MiB raw file and Ganeti's symlink to it, as
        _SymlinkBlockDev makes (instance-disks/<name>:<index>)."""
        path = os.path.join(self.files.name, f'disk{index}.img')
        with open(path, 'wb') as file:
            file.truncate(16 * 1024 * 1024)
        link = os.path.join(self.files.name, f'{NAME}:{index}')
        os.symlink(path, link)
        return path, link

    def wait_uevent(self, action, subsystem):
        return self.wait_for_line(rf'^UEVENT {action} {subsystem} (\S+)$', UEVENT_TIMEOUT_S)

    def start_and_boot(self, instance, block_devices):
        """StartInstance paused (the node daemon's startup_paused), the
        console attached, then resumed as Ganeti's console wrapper does
        (HMP `cont` on the monitor socket), until the guest is ready."""
        self.hv.StartInstance(instance, block_devices, True)
        self.attach_and_resume()

    def test_lifecycle(self):
        disk0_path, disk0_link = self.disk_file(0)
        disk1_path, disk1_link = self.disk_file(1)
        disk0 = ganeti_disk(DISK0_UUID, disk0_path, 0)
        nic0 = ganeti_nic(NIC0_UUID, 'aa:00:00:4e:00:01')
        instance = ganeti_instance(self.guest, nics=[nic0], disks=[disk0])

        # master and node checks of the hvparams, and the node itself
        HvkitKvmHypervisor.CheckParameterSyntax(instance.hvparams)
        self.hv.ValidateParameters(instance.hvparams)
        self.assertIsNone(self.hv.Verify(hvparams=instance.hvparams))
        node = self.hv.GetNodeInfo(hvparams=instance.hvparams)
        for key in ('memory_total', 'memory_free', 'memory_dom0', 'cpu_total', 'cpu_nodes',
                    'cpu_sockets'):
            self.assertIsInstance(node[key], int, key)
        self.assertGreater(node['memory_total'], 0)
        version = node[constants.HV_NODEINFO_KEY_VERSION]
        self.assertEqual(len(version), 3)
        self.assertGreaterEqual(version[0], 7)
        self.assertIsNone(self.hv.GetInstanceInfo(NAME))
        self.assertNotIn(NAME, self.hv.ListInstances())

        self.start_and_boot(instance, [(disk0, disk0_link, None)])
        self.assertEqual(self.hv.ListInstances(hvparams=instance.hvparams), [NAME])
        info = self.hv.GetInstanceInfo(NAME, hvparams=instance.hvparams)
        self.assertEqual(info[0], NAME)
        with open(f'/proc/{info[1]}/cmdline', 'rb') as file:
            self.assertIn(b'qemu-system-x86_64', file.read().split(b'\0')[0])
        self.assertEqual(info[2], 256)        # maxmem: the node has more free
        self.assertEqual(info[3], 1)
        self.assertEqual(info[4], hv_base.HvInstanceState.RUNNING)
        self.assertGreater(info[5], 0.0)      # CPU seconds
        self.assertEqual([entry[:5] for entry in self.hv.GetAllInstancesInfo(instance.hvparams)],
                         [info[:5]])
        # the disk Ganeti linked is the guest's first disk
        output, status = self.run_in_guest('cat /sys/block/vda/size')
        self.assertEqual((output, status), (['32768'], 0))

        # hotplug as LUInstanceSetParams does it: supported? then add
        self.hv.HotplugSupported(instance)
        disk1 = ganeti_disk(DISK1_UUID, disk1_path, 1)
        self.hv.VerifyHotplugSupport(instance, constants.HOTPLUG_ACTION_ADD,
                                     constants.HOTPLUG_TARGET_DISK)
        self.hv.HotAddDevice(instance, constants.HOTPLUG_TARGET_DISK, disk1,
                             (disk1_link, None), 1)
        added_disk = self.wait_uevent('add', 'block').group(1)
        self.assertRegex(added_disk, r'/block/vd[b-z]$')
        nic1 = ganeti_nic(NIC1_UUID, 'aa:00:00:4e:00:02')
        self.hv.VerifyHotplugSupport(instance, constants.HOTPLUG_ACTION_ADD,
                                     constants.HOTPLUG_TARGET_NIC)
        self.hv.HotAddDevice(instance, constants.HOTPLUG_TARGET_NIC, nic1, None, 1)
        added_nic = self.wait_uevent('add', 'net').group(1)
        output, status = self.run_in_guest(f'cat /sys/class/net/{os.path.basename(added_nic)}'
                                           '/address')
        self.assertEqual((output, status), (['aa:00:00:4e:00:02'], 0))

        self.hv.VerifyHotplugSupport(instance, constants.HOTPLUG_ACTION_REMOVE,
                                     constants.HOTPLUG_TARGET_DISK)
        # as LUInstanceSetParams removes a disk: no extra
        self.hv.HotDelDevice(instance, constants.HOTPLUG_TARGET_DISK, disk1, None, 1)
        self.assertEqual(self.wait_uevent('remove', 'block').group(1), added_disk)
        # Ganeti's hot-mod of a NIC (a new link): out and back in, same MAC
        nic1.nicparams[constants.NIC_LINK] = 'gnt1'
        self.hv.VerifyHotplugSupport(instance, constants.HOTPLUG_ACTION_MODIFY,
                                     constants.HOTPLUG_TARGET_NIC)
        self.hv.HotModDevice(instance, constants.HOTPLUG_TARGET_NIC, nic1, None, 1)
        self.assertEqual(self.wait_uevent('remove', 'net').group(1), added_nic)
        added_nic = self.wait_uevent('add', 'net').group(1)
        output, status = self.run_in_guest(f'cat /sys/class/net/{os.path.basename(added_nic)}'
                                           '/address')
        self.assertEqual((output, status), (['aa:00:00:4e:00:02'], 0))
        self.hv.HotDelDevice(instance, constants.HOTPLUG_TARGET_NIC, nic1, None, 1)
        self.assertEqual(self.wait_uevent('remove', 'net').group(1), added_nic)

        # memory, console, migration information
        self.hv.BalloonInstanceMemory(instance, 192)
        self.assertEqual(self.hv.GetInstanceInfo(NAME)[2], 192)
        cluster_node = objects.Node(name='node1.example.com', uuid='node-uuid', ndparams={})
        group = objects.NodeGroup(name='default', ndparams={constants.ND_SSH_PORT: 22})
        console = HvkitKvmHypervisor.GetInstanceConsole(
            instance, cluster_node, group, instance.hvparams, instance.beparams)
        console.Validate()
        self.assertEqual(console.kind, constants.CONS_SSH)
        self.assertEqual(console.host, 'node1.example.com')
        self.assertEqual(console.user, constants.SSH_CONSOLE_USER)
        serial = os.path.join(self.run_dir, f'{NAME}.serial')
        self.assertEqual(console.command[-1], f'UNIX-CONNECT:{serial}')
        self.assertTrue(os.path.exists(serial))
        self.assertTrue(os.path.exists(os.path.join(self.run_dir, f'{NAME}.monitor')))
        info = self.hv.MigrationInfo(instance)
        self.assertIsInstance(info, str)
        import base64
        self.assertEqual(base64.b64decode(info.split(':', 1)[1])[:8], b'HVKITREC')

        # a soft stop: the guest sees the power button and powers off
        self.hv.StopInstance(instance, timeout=60)
        self.wait_for_line(lifecycle.POWERDOWN_PATTERN, lifecycle.STOP_TIMEOUT_S)
        self.run_until(lambda: self.hv.GetInstanceInfo(NAME) is None
                       or (NAME, lifecycle.Hv.InstanceState.STOPPED) in self.state_changes,
                       lifecycle.STOP_TIMEOUT_S, 'instance stopped')
        self.assertIsNone(self.hv.GetInstanceInfo(NAME))
        self.hv.CleanupInstance(NAME)
        self.assertEqual(self.hv.ListInstances(), [])
        self.assertEqual(self.hv.GetAllInstancesInfo(), [])

        # hvkit's errors as Ganeti's
        with self.assertRaises(errors.HypervisorError) as caught:
            self.hv.HotAddDevice(instance, constants.HOTPLUG_TARGET_DISK, disk1,
                                 (disk1_link, None), 1)
        self.assertIn(NAME, str(caught.exception))
        with self.assertRaises(errors.HotplugError) as caught:
            self.hv.HotplugSupported(instance)
        self.assertIn(NAME, str(caught.exception))
        with self.assertRaises(errors.HypervisorError):
            self.hv.BalloonInstanceMemory(instance, 128)
        with self.assertRaisesRegex(errors.HypervisorError, 'by name only'):
            self.hv.StopInstance(None, name=NAME)

    def test_migration(self):
        """Ganeti's migration sequence between two hvkitd (two nodes on one
        machine, each with its own bus and run directory; the target
        listens on 127.0.0.1), with a disk hot-added on the source first:
        the guest runs on, on the target, with both disks."""
        from hvkitd_harness import Harness
        source_config = os.environ[remote.ENV_CONFIG]
        target = Harness(hvkitd_args=['--option', 'powerdown-interval-ms=uint32 2000'])
        self.addCleanup(target.close)
        # hvkitd leaves its instances running when it stops: whatever the
        # test left on the target goes first, through the harness's own
        # connection (the configuration files are gone by then)
        self.addCleanup(force_stop, target.remote('kvm'))
        target_config = write_config(tempfile.mkdtemp(dir=self.files.name), target.address,
                                     target.run_dir)
        target_hv = HvkitKvmHypervisor()

        def on(config):
            os.environ[remote.ENV_CONFIG] = config

        disk0_path, disk0_link = self.disk_file(0)
        disk1_path, disk1_link = self.disk_file(1)
        disk0 = ganeti_disk(DISK0_UUID, disk0_path, 0)
        disk1 = ganeti_disk(DISK1_UUID, disk1_path, 1)
        instance = ganeti_instance(self.guest, disks=[disk0])
        instance.hvparams[constants.HV_MIGRATION_PORT] = free_port()
        instance.hvparams[constants.HV_MIGRATION_BANDWIDTH] = 200
        self.start_and_boot(instance, [(disk0, disk0_link, None)])
        self.hv.HotAddDevice(instance, constants.HOTPLUG_TARGET_DISK, disk1,
                             (disk1_link, None), 1)
        self.wait_uevent('add', 'block')
        instance.disks.append(disk1.uuid)
        instance.disks_info.append(disk1)

        info = self.hv.MigrationInfo(instance)
        on(target_config)
        target_hv.AcceptInstance(instance, info, '127.0.0.1')
        on(source_config)
        self.hv.MigrateInstance('cluster.example.com', instance, '127.0.0.1', True)
        status = self.hv.GetMigrationStatus(instance)
        self.assertEqual(status.status, constants.HV_MIGRATION_COMPLETED)
        self.assertGreater(status.total_ram, 0)
        self.hv.FinalizeMigrationSource(instance, True, True)
        on(target_config)
        target_hv.FinalizeMigrationDst(instance, info, True)
        self.assertEqual(target_hv.ListInstances(), [NAME])
        info_target = target_hv.GetInstanceInfo(NAME)
        self.assertEqual(info_target[4], hv_base.HvInstanceState.RUNNING)
        on(source_config)
        self.assertIsNone(self.hv.GetInstanceInfo(NAME))
        self.assertEqual(self.hv.ListInstances(), [])
        # the same guest, now on the target's serial socket, answers, with
        # both disks
        self.console.close()
        self.console = lifecycle.SerialConsole(os.path.join(target.run_dir, f'{NAME}.serial'),
                                               self.loop.quit)
        output, status = self.run_in_guest('ls /sys/block | grep vd')
        self.assertEqual((output, status), (['vda', 'vdb'], 0))
        on(target_config)

        # information that is not hvkit's is refused with the reason
        with self.assertRaisesRegex(errors.HypervisorError, 'not from hvkit'):
            target_hv.AcceptInstance(instance, '["stock", "runtime"]', '127.0.0.1')

    def test_guest_powers_off(self):
        """A guest that powers itself off is down for Ganeti — its user
        shutdown only when the hvparams enable it, as with the stock class
        — and Ganeti's watcher can start it again."""
        instance = ganeti_instance(self.guest)
        self.start_and_boot(instance, [])
        self.console.send('poweroff -f')
        # SHUTDOWN, never STOPPED: QEMU's SHUTDOWN event is read even when
        # its exit is seen first (hv_kvm_instance_exited_cb)
        Hv = lifecycle.Hv
        self.run_until(lambda: (NAME, Hv.InstanceState.SHUTDOWN) in self.state_changes
                       or (NAME, Hv.InstanceState.STOPPED) in self.state_changes,
                       lifecycle.STOP_TIMEOUT_S, 'state change to shutdown')
        self.assertNotIn((NAME, Hv.InstanceState.STOPPED), self.state_changes)
        self.assertIsNone(self.hv.GetInstanceInfo(NAME, hvparams=instance.hvparams))
        self.assertEqual(self.hv.GetAllInstancesInfo(instance.hvparams), [])
        self.assertNotIn(NAME, self.hv.ListInstances(instance.hvparams))
        user_shutdown = dict(instance.hvparams, **{constants.HV_KVM_USER_SHUTDOWN: True})
        self.assertEqual(self.hv.GetInstanceInfo(NAME, hvparams=user_shutdown),
                         (NAME, -1, 0, 0, hv_base.HvInstanceState.SHUTDOWN, 0))

        # the watcher's restart: StartInstance again, without a cleanup
        self.console.close()
        self.console = None
        self.start_and_boot(instance, [])
        before = self.hv.GetInstanceInfo(NAME)
        self.assertEqual(before[4], hv_base.HvInstanceState.RUNNING)
        self.assertEqual(self.hv.ListInstances(), [NAME])

        # Ganeti's soft reboot (gnt-instance reboot): a new QEMU whose
        # guest boots again
        self.hv.RebootInstance(instance)
        after = self.hv.GetInstanceInfo(NAME)
        self.assertEqual(after[4], hv_base.HvInstanceState.RUNNING)
        self.assertNotEqual(after[1], before[1])
        self.console.close()
        self.console = lifecycle.SerialConsole(os.path.join(self.run_dir, f'{NAME}.serial'),
                                               self.loop.quit)
        self.wait_for_line(lifecycle.READY_PATTERN, lifecycle.BOOT_TIMEOUT_S)

    def test_start_refused(self):
        """A start hvkit refuses (a missing QEMU binary) is Ganeti's
        HypervisorError with hvkit's message, and leaves nothing running."""
        instance = ganeti_instance(self.guest)
        instance.hvparams[constants.HV_KVM_PATH] = '/nonexistent/qemu'
        with self.assertRaisesRegex(errors.HypervisorError, '/nonexistent/qemu'):
            self.hv.ValidateParameters(instance.hvparams)
        with self.assertRaisesRegex(errors.HypervisorError, '/nonexistent/qemu'):
            self.hv.StartInstance(instance, [], False)
        self.assertEqual(self.hv.ListInstances(), [])


class MasterSideTest(unittest.TestCase):
    """What Ganeti's master runs in its job processes needs no hvkitd."""

    def setUp(self):
        self.files = tempfile.TemporaryDirectory(prefix='hvkit-gnt-')
        self.run_dir = os.path.join(self.files.name, 'run')
        os.environ[remote.ENV_CONFIG] = write_config(
            self.files.name, f'unix:path={self.files.name}/no-bus', self.run_dir)
        remote.forget_remotes()

    def tearDown(self):
        os.environ.pop(remote.ENV_CONFIG, None)
        remote.forget_remotes()
        self.files.cleanup()

    def test_parameters_and_console(self):
        hvparams = objects.FillDict(constants.HVC_DEFAULTS[constants.HT_KVM],
                                    {constants.HV_KERNEL_PATH: ''})
        HvkitKvmHypervisor.CheckParameterSyntax(hvparams)
        # Ganeti's own messages
        with self.assertRaisesRegex(errors.HypervisorError, "Parameter 'no_such' is not supported"):
            HvkitKvmHypervisor.CheckParameterSyntax(dict(hvparams, no_such='1'))
        with self.assertRaisesRegex(errors.HypervisorError, 'boot_order'):
            HvkitKvmHypervisor.CheckParameterSyntax(dict(hvparams, boot_order='tape'))
        self.assertEqual(set(HvkitKvmHypervisor.PARAMETERS),
                         set(constants.HVC_DEFAULTS[constants.HT_KVM]))
        self.assertTrue(HvkitKvmHypervisor.CAN_MIGRATE)
        self.assertTrue(HvkitKvmHypervisor.VersionsSafeForMigration((7, 2, 0), (10, 0, 2)))

        instance = objects.Instance(name='console-test', network_port=5901)
        node = objects.Node(name='node2.example.com', ndparams={})
        group = objects.NodeGroup(name='default', ndparams={constants.ND_SSH_PORT: 2222})
        console = HvkitKvmHypervisor.GetInstanceConsole(instance, node, group, hvparams, {})
        console.Validate()
        self.assertEqual((console.kind, console.host, console.port),
                         (constants.CONS_SSH, 'node2.example.com', 2222))
        self.assertEqual(console.command[-1],
                         f'UNIX-CONNECT:{self.run_dir}/console-test.serial')
        self.assertIn(f"{self.run_dir}/console-test.monitor", console.command[3])
        vnc = dict(hvparams, serial_console=False, vnc_bind_address='0.0.0.0')
        console = HvkitKvmHypervisor.GetInstanceConsole(instance, node, group, vnc, {})
        self.assertEqual((console.kind, console.port, console.display),
                         (constants.CONS_VNC, 5901, 1))

    def test_signatures(self):
        """Every method Ganeti calls has the stock class's signature, and is
        a class or static method where the stock one is."""
        import inspect
        from ganeti.hypervisor import hv_kvm
        stock = hv_kvm.KVMHypervisor

        def parameters(function):
            # the stock class's QMP decorator hides the signature: the
            # decorated function is its closure's
            if function.__name__ == 'wrapper' and function.__closure__:
                function = function.__closure__[0].cell_contents
            return list(inspect.signature(function).parameters.values())

        for name in METHODS:
            with self.subTest(method=name):
                ours = inspect.getattr_static(HvkitKvmHypervisor, name)
                theirs = inspect.getattr_static(stock, name)
                self.assertIs(type(ours), type(theirs))
                mine = parameters(getattr(HvkitKvmHypervisor, name))
                ganeti = parameters(getattr(stock, name))
                self.assertEqual([(p.kind, p.default) for p in mine],
                                 [(p.kind, p.default) for p in ganeti])
                # the names too, but for the stock class's unused `_`
                self.assertEqual([p.name for p in mine],
                                 [q.name if q.name != '_' else p.name
                                  for p, q in zip(mine, ganeti)])
                # defined here, not inherited from hv_base's defaults
                self.assertIn(name, vars(HvkitKvmHypervisor))

    def test_info_states(self):
        """hvkit's instance states as Ganeti's info tuple: user shutdown
        only with the user_shutdown hvparam, as the stock class."""
        Hv = remote.gi_modules()[2]

        def info(state):
            result = Hv.InstanceInfo.new('inst')
            result.props.state = state
            result.props.pid = 42
            result.props.memory = 128
            result.props.vcpus = 2
            result.props.cpu_time = 1.5
            return result

        on = {constants.HV_KVM_USER_SHUTDOWN: True}
        off = {constants.HV_KVM_USER_SHUTDOWN: False}
        running = ('inst', 42, 128, 2, hv_base.HvInstanceState.RUNNING, 1.5)
        shutdown = ('inst', -1, 0, 0, hv_base.HvInstanceState.SHUTDOWN, 0)
        for state, hvparams, expected in (
                (Hv.InstanceState.RUNNING, off, running),
                (Hv.InstanceState.PAUSED, off, running),
                (Hv.InstanceState.SHUTDOWN, on, shutdown),
                (Hv.InstanceState.SHUTDOWN, off, None),
                (Hv.InstanceState.SHUTDOWN, None, None),
                (Hv.InstanceState.STOPPED, on, None)):
            with self.subTest(state=state, hvparams=hvparams):
                self.assertEqual(HvkitKvmHypervisor._InfoTuple(info(state), hvparams),
                                 expected)

    def test_hvkitd_unreachable(self):
        hv = HvkitKvmHypervisor()      # made without hvkitd, as on a master
        with self.assertRaisesRegex(errors.HypervisorError, 'hvkitd'):
            hv.ListInstances()
        with self.assertRaisesRegex(errors.HypervisorError, 'hvkitd'):
            hv.GetInstanceInfo('any')
        self.assertRegex(hv.Verify() or '', 'hvkitd')

    def test_conversion_refused(self):
        """What cannot become hvkit's object is Ganeti's HypervisorError
        before hvkitd is asked."""
        instance = objects.Instance(
            name='conv', uuid=INSTANCE_UUID, hvparams=dict(constants.HVC_DEFAULTS['kvm']),
            beparams=dict(constants.BEC_DEFAULTS), nics=[], disks_info=[])
        disk = objects.Disk(uuid=DISK0_UUID, size='sixteen', mode='rw', params={})
        with self.assertRaisesRegex(errors.HypervisorError, 'cannot be given to hvkit'):
            HvkitKvmHypervisor().StartInstance(instance, [(disk, '/dev/null', None)], False)
        nic = objects.NIC(uuid=NIC0_UUID, mac='aa:00:00:00:00:01',
                          nicparams={constants.NIC_MODE: 'bridged', constants.NIC_LINK: 'br0'})
        nic.pci = 'slot seven'     # Ganeti's own placement is not hvkit's: dropped
        Hv = remote.gi_modules()[2]
        hv_nic = Hv.Nic.new_from_variant(convert.nic_variant(nic))
        self.assertEqual((hv_nic.get_pci(), hv_nic.get_link(), hv_nic.get_mode()),
                         (-1, 'br0', 'bridged'))

    def test_bad_configuration(self):
        with open(os.environ[remote.ENV_CONFIG], 'a', encoding='utf-8') as file:
            file.write('bus_adress = typo\n')
        with self.assertRaisesRegex(errors.HypervisorError, 'bus_adress'):
            HvkitKvmHypervisor().ListInstances()


class SwitchTest(unittest.TestCase):
    """hvkit-ganeti-switch --bind-mount in a private mount namespace:
    Ganeti's GetHypervisorClass('kvm') there is hvkit's class, and Ganeti's
    own again after disable; outside, it never changes."""

    PROBE = ("from ganeti import hypervisor; "
             "print(hypervisor.GetHypervisorClass('kvm').__name__)")

    def probe(self):
        result = subprocess.run(
            ['/usr/bin/python3', '-c', self.PROBE], capture_output=True, text=True,
            check=True, env={'PYTHONPATH': GANETI_DIR, 'PYTHONDONTWRITEBYTECODE': '1'})
        return result.stdout.strip()

    def test_bind_mount(self):
        switch = os.environ.get('HVKIT_TEST_GANETI_SWITCH')
        if not switch:
            self.skipTest('HVKIT_TEST_GANETI_SWITCH is not set (run through meson test)')
        if os.geteuid() != 0:
            self.skipTest('needs root for a mount namespace')
        python_dir = os.environ['HVKIT_TEST_GANETI_PYTHON_DIR']
        with tempfile.TemporaryDirectory(prefix='hvkit-gnt-switch-') as state:
            result = subprocess.run(
                ['unshare', '--mount', '--propagation', 'private', '/usr/bin/python3',
                 os.path.join(HERE, 'ganeti_switch_helper.py'), switch, python_dir,
                 os.path.join(state, 'state'), GANETI_DIR],
                capture_output=True, text=True, check=False,
                env={'PATH': os.environ['PATH'], 'PYTHONDONTWRITEBYTECODE': '1',
                     'GI_TYPELIB_PATH': os.environ.get('GI_TYPELIB_PATH', ''),
                     'LD_LIBRARY_PATH': os.environ.get('LD_LIBRARY_PATH', '')})
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertEqual(result.stdout.split(), [
                'before:KVMHypervisor', 'enabled:HvkitKvmHypervisor', 'status:bind-mount',
                'hvkitd:asked', 'disabled:KVMHypervisor'], result.stderr)
            self.assertEqual(os.listdir(state), [])
        self.assertEqual(self.probe(), 'KVMHypervisor')


class PersistentSwitchTest(unittest.TestCase):
    """hvkit-ganeti-switch's default mode (dpkg-divert) on a copy of
    Ganeti's package with a dpkg database of its own: nothing of the
    machine's Ganeti or dpkg is touched."""

    def run_switch(self, *args):
        return subprocess.run(
            [os.environ['HVKIT_TEST_GANETI_SWITCH'], *args, '--ganeti-dir', self.ganeti,
             '--dpkg-admindir', self.admin],
            capture_output=True, text=True, check=False,
            env={'PATH': os.environ['PATH'], 'PYTHONDONTWRITEBYTECODE': '1'})

    def kvm_class(self):
        return subprocess.run(
            ['/usr/bin/python3', '-c', SwitchTest.PROBE], capture_output=True, text=True,
            check=True, env={'PYTHONPATH': os.path.dirname(self.ganeti),
                             'PYTHONDONTWRITEBYTECODE': '1'}).stdout.strip()

    def setUp(self):
        if not os.environ.get('HVKIT_TEST_GANETI_SWITCH'):
            self.skipTest('HVKIT_TEST_GANETI_SWITCH is not set (run through meson test)')
        if os.geteuid() != 0:
            self.skipTest('dpkg-divert needs root')
        import shutil
        tmp = tempfile.TemporaryDirectory(prefix='hvkit-gnt-divert-')
        self.addCleanup(tmp.cleanup)
        self.ganeti = os.path.join(tmp.name, 'share', 'ganeti')
        shutil.copytree(os.path.join(GANETI_DIR, 'ganeti'), self.ganeti,
                        ignore=shutil.ignore_patterns('__pycache__'))
        self.admin = os.path.join(tmp.name, 'dpkg')
        os.mkdir(self.admin)
        open(os.path.join(self.admin, 'diversions'), 'w', encoding='utf-8').close()
        self.target = os.path.join(self.ganeti, 'hypervisor', '__init__.py')

    def test_divert(self):
        target = self.target
        with open(target, encoding='utf-8') as file:
            original = file.read()

        self.assertEqual(self.kvm_class(), 'KVMHypervisor')
        result = self.run_switch('enable', '--python-path',
                                 os.environ['HVKIT_TEST_GANETI_PYTHON_DIR'])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(self.kvm_class(), 'HvkitKvmHypervisor')
        with open(os.path.join(self.admin, 'diversions'), encoding='utf-8') as file:
            self.assertEqual(file.read().split('\n')[:3], [target, target + '.distrib', ':'])
        result = self.run_switch('status')
        self.assertIn('dpkg-divert', result.stdout)
        self.assertEqual(self.run_switch('enable').returncode, 1)   # already

        result = self.run_switch('disable')
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(self.kvm_class(), 'KVMHypervisor')
        with open(target, encoding='utf-8') as file:
            self.assertEqual(file.read(), original)
        self.assertFalse(os.path.exists(target + '.distrib'))
        with open(os.path.join(self.admin, 'diversions'), encoding='utf-8') as file:
            self.assertEqual(file.read(), '')

    def test_refuses_what_cannot_load(self):
        """A node whose processes could not import hvkit's class (here:
        Ganeti's kvm module broken) is not switched."""
        with open(os.path.join(self.ganeti, 'hypervisor', 'hv_kvm', '__init__.py'), 'a',
                  encoding='utf-8') as file:
            file.write('\nraise ImportError("broken for the test")\n')
        result = self.run_switch('enable', '--python-path',
                                 os.environ['HVKIT_TEST_GANETI_PYTHON_DIR'])
        self.assertEqual(result.returncode, 1)
        self.assertIn('cannot import hvkit_ganeti', result.stderr)
        self.assertIn('broken for the test', result.stderr)
        self.assertFalse(os.path.exists(self.target + '.distrib'))
        with open(os.path.join(self.admin, 'diversions'), encoding='utf-8') as file:
            self.assertEqual(file.read(), '')


def main():
    if not ganeti_available():
        print(f'Ganeti 3.0 is not installed ({GANETI_DIR}): skipped')
        return SKIP
    # hvkitd (a child) makes its taps in this namespace, not the host's
    libc = ctypes.CDLL(None, use_errno=True)
    if os.geteuid() == 0:
        if libc.unshare(CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), 'unshare(CLONE_NEWNET)')
        # the migration's target listens on 127.0.0.1
        subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    program = unittest.main(module=__name__, argv=[sys.argv[0], '-v'], exit=False)
    result = program.result
    if not result.wasSuccessful():
        return 1
    if result.testsRun and len(result.skipped) == result.testsRun:
        return SKIP
    return 0


if __name__ == '__main__':
    sys.exit(main())
