#!/usr/bin/python3
# Writes the seed corpus of fuzz-dbus-args: for every method of
# org.hvkit.Hypervisor1, a call as a client would make it, in the target's
# input format (one byte for the method's index in the interface, then the
# body as a serialized GVariant). Run from the source root:
#   /usr/bin/python3 tests/fuzz/make-dbus-args-seeds.py
import os
from gi.repository import Gio, GLib

root = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(root, 'corpus', 'fuzz-dbus-args')
with open(os.path.join(root, '..', '..', 'data', 'org.hvkit.Hypervisor1.xml')) as f:
    iface = Gio.DBusNodeInfo.new_for_xml(f.read()).lookup_interface('org.hvkit.Hypervisor1')

V = GLib.Variant
disk = {'uuid': V('s', '5a1f0c3e-1111-4d4d-9e9e-0123456789ab'), 'dev_type': V('s', 'file'),
        'mode': V('s', 'rw'), 'size': V('x', 1024),
        'params': V('a{sv}', {'cache': V('s', 'none'), 'heads': V('s', '16'), 'secs': V('x', 63),
                              'access': V('s', 'file')}),
        'uri': V('s', 'rbd:pool/disk'), 'name': V('s', 'disk0'), 'pci': V('i', 5)}
nic = {'uuid': V('s', '7b2e1d4f-2222-4e4e-8f8f-0123456789ab'), 'mac': V('s', 'aa:00:00:12:34:56'),
       'ip': V('s', '192.0.2.10'), 'mode': V('s', 'bridged'), 'link': V('s', 'br0'),
       'vlan': V('s', '.100'), 'name': V('s', 'nic0'),
       'network': V('a{sv}', {'name': V('s', 'net1'), 'subnet': V('s', '192.0.2.0/24'),
                              'tags': V('as', ['t']), 'mac_prefix': V('s', 'aa:00:00')}),
       'pci': V('i', 6)}
instance = {'name': V('s', 'inst1.example.com'), 'uuid': V('s', '0c9d3a1b-3333-4f4f-a0a0-0123456789ab'),
            'hvparams': V('a{sv}', {'kernel_path': V('s', ''), 'boot_order': V('s', 'disk')}),
            'beparams': V('a{sv}', {'memory': V('x', 128), 'vcpus': V('x', 1)}),
            'tags': V('as', ['a', 'b']), 'network_port': V('x', 11000),
            'disk_template': V('s', 'plain'),
            'disks': V('aa{sv}', [disk]), 'nics': V('aa{sv}', [nic]),
            'future_key': V('u', 7)}
values = {'a{sv}': instance, 'b': True, 'u': 30, 's': 'inst1.example.com', 'x': 256,
          'ay': b'\x00\x01hvkit'}
special = {'action': 'hotadd', 'device_type': 'disk', 'target': 'node2.example.com'}

for index, method in enumerate(iface.methods):
    def body(device):
        args = []
        for arg in method.in_args:
            if arg.name in special:
                value = special[arg.name] if arg.name != 'device_type' else device
            elif arg.name == 'device':
                value = disk if device == 'disk' else nic
            elif arg.name == 'hvparams':
                value = instance['hvparams'].unpack()
                value = {k: V('s', v) for k, v in value.items()}
            else:
                value = values[arg.signature]
            args.append(value)
        sig = '(' + ''.join(a.signature for a in method.in_args) + ')'
        return GLib.Variant(sig, tuple(args)).get_data_as_bytes().get_data()
    devices = ['disk', 'nic'] if any(a.name == 'device_type' for a in method.in_args) else ['disk']
    for device in devices:
        suffix = '' if len(devices) == 1 else '-' + device
        with open(os.path.join(out, method.name + suffix), 'wb') as f:
            f.write(bytes([index]) + (body(device) or b''))
