# SPDX-License-Identifier: LGPL-2.1-or-later
"""The objects' a{sv} form as Python sees it, through the build's typelib."""

import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import GLib, Hv  # noqa: E402


def v(type_string, value):
    return GLib.Variant(type_string, value)


DISK = {
    'uuid': v('s', '0b7f23c1-6d4e-4b0a-9c55-1d2e3f405162'),
    'size': v('x', 10240),
    'mode': v('s', 'rw'),
    'link': v('s', '/dev/xenvg/disk0'),
    'pci': v('i', 12),
    'params': v('a{sv}', {'cache': v('s', 'none'), 'heads': v('s', '16'),
                          'secs': v('x', 63)}),
    'from_the_future': v('(is)', (1, 'x')),
}

NIC = {
    'mac': v('s', 'aa:00:00:12:34:56'),
    'mode': v('s', 'bridged'),
    'link': v('s', 'br0'),
    'pci': v('i', 13),
    'network': v('a{sv}', {'name': v('s', 'net1'), 'tags': v('as', ['a'])}),
}

INSTANCE = {
    'name': v('s', 'web1.example.com'),
    'uuid': v('s', 'd7c2a6e4-1111-4222-8333-444455556666'),
    'hvparams': v('a{sv}', {'acpi': v('b', True), 'kernel_path': v('s', '')}),
    'beparams': v('a{sv}', {'maxmem': v('x', 2048), 'vcpus': v('x', 2)}),
    'tags': v('as', ['prod', 'web']),
    'network_port': v('x', 11000),
    'disk_template': v('s', 'plain'),
    'disks': v('aa{sv}', [DISK]),
    'nics': v('aa{sv}', [NIC]),
    'written_by_a_newer_hvkit': v('s', 'kept'),
}


class InstanceTest(unittest.TestCase):
    def test_from_dict_and_back(self):
        instance = Hv.Instance.new_from_variant(v('a{sv}', INSTANCE))

        self.assertEqual(instance.get_name(), 'web1.example.com')
        self.assertEqual(instance.props.network_port, 11000)
        self.assertEqual(instance.get_tags(), ['prod', 'web'])
        self.assertTrue(instance.lookup_hvparam('acpi').unpack())
        self.assertIsNone(instance.lookup_hvparam('no_such_param'))
        disk = instance.get_disks()[0]
        self.assertIsInstance(disk, Hv.Disk)
        self.assertIsInstance(disk, Hv.Device)
        self.assertEqual(disk.get_device_type(), Hv.DeviceType.DISK)
        self.assertEqual(disk.get_pci(), 12)
        self.assertEqual(disk.get_geometry(), (True, 16, 63))
        self.assertEqual(instance.get_nics()[0].get_mac(), 'aa:00:00:12:34:56')

        back = instance.to_variant().unpack()
        expected = v('a{sv}', INSTANCE).unpack()
        self.assertEqual(back, expected)
        self.assertEqual(back['written_by_a_newer_hvkit'], 'kept')
        self.assertEqual(back['disks'][0]['from_the_future'], (1, 'x'))

    def test_keys_are_written_sorted(self):
        instance = Hv.Instance.new_from_variant(v('a{sv}', INSTANCE))
        keys = list(instance.to_variant().keys())
        self.assertEqual(keys, sorted(keys))

    def test_properties_are_the_keys(self):
        instance = Hv.Instance(name='db1', disk_template='drbd')
        instance.add_disk(Hv.Disk(size=1024, dev_type='drbd'))
        record = instance.to_variant().unpack()
        self.assertEqual(record['disk_template'], 'drbd')
        self.assertEqual(record['disks'][0]['dev_type'], 'drbd')
        self.assertEqual(record['disks'][0]['pci'], -1)

    def test_wrong_type_is_an_hv_error(self):
        record = dict(INSTANCE, network_port=v('s', '11000'))
        with self.assertRaises(GLib.Error) as caught:
            Hv.Instance.new_from_variant(v('a{sv}', record))
        err = caught.exception
        self.assertTrue(err.matches(Hv.error_quark(), Hv.Error.INVALID_PARAMETER))
        self.assertEqual(err.domain, 'hv-error-quark')
        self.assertIn("'network_port'", err.message)
        self.assertIn("expected type 'x'", err.message)

    def test_wrong_type_in_a_disk_names_the_disk(self):
        record = dict(INSTANCE, disks=v('aa{sv}', [DISK, {'size': v('s', 'big')}]))
        with self.assertRaises(GLib.Error) as caught:
            Hv.Instance.new_from_variant(v('a{sv}', record))
        self.assertTrue(caught.exception.matches(Hv.error_quark(),
                                                 Hv.Error.INVALID_PARAMETER))
        self.assertTrue(caught.exception.message.startswith("Disk 1: Key 'size'"))


class StatusObjectsTest(unittest.TestCase):
    def test_enum_nicks(self):
        status = Hv.MigrationStatus.new(Hv.MigrationState.POSTCOPY_ACTIVE)
        self.assertEqual(status.to_variant().unpack()['state'], 'postcopy-active')
        info = Hv.InstanceInfo.new_from_variant(
            v('a{sv}', {'name': v('s', 'a'), 'state': v('s', 'shutdown')}))
        self.assertEqual(info.get_state(), Hv.InstanceState.SHUTDOWN)

    def test_console_command(self):
        console = Hv.Console.new(Hv.ConsoleKind.SSH, 'web1')
        console.set_command(['ssh', '-t', 'node1'])
        record = console.to_variant().unpack()
        self.assertEqual(record['command'], ['ssh', '-t', 'node1'])
        self.assertEqual(record['kind'], 'ssh')
