# SPDX-License-Identifier: LGPL-2.1-or-later
"""Ganeti's objects as hvkit's and back.

hvkit's objects are Ganeti's ToDict shapes as a{sv} (docs/design.md,
"Objects and the interface"), so an objects.Instance, Disk or NIC becomes
an Hv.Instance, Hv.Disk or Hv.Nic through its dictionary: known keys get
the variant type hvkit's property has, Ganeti's keys hvkit does not know
are kept as they are (hvkit keeps unknown keys), None is left out as
Ganeti's own ToDict does. A NIC's nicparams (mode, link, vlan) are
flattened and its netinfo becomes hvkit's network, as hvkit's importer of
Ganeti's runtime files does; a disk gets the link and URI that Ganeti's
block_devices / hotplug `extra` give it.

What the master decides and hvkit does not know — the placement Ganeti's
own driver wrote in `hvinfo`/`pci` — is not passed: hvkit places the
devices and keeps the placement in its record.
"""

from hvkit_ganeti import remote

# The a{sv} keys whose type is not what the generic conversion gives
# (each hvkit property's type, docs/design.md)
_INSTANCE_TYPES = {
    'name': 's', 'uuid': 's', 'tags': 'as', 'network_port': 'x',
    'disk_template': 's',
}
_DEVICE_TYPES = {'uuid': 's', 'name': 's'}
_DISK_TYPES = dict(_DEVICE_TYPES, size='x', mode='s', link='s', uri='s', dev_type='s')
_NIC_TYPES = dict(_DEVICE_TYPES, mac='s', ip='s', mode='s', link='s', vlan='s')
_NETWORK_TYPES = {
    'name': 's', 'uuid': 's', 'tags': 'as', 'subnet': 's', 'gateway': 's',
    'subnet6': 's', 'gateway6': 's', 'mac_prefix': 's',
}
_BEPARAMS = ('maxmem', 'minmem', 'vcpus', 'memory')
# Ganeti's placement by its own driver; hvkit keeps its own
_DEVICE_DROPPED = ('hvinfo', 'pci')


def to_variant(value, type_string=None):
    """A Python value from Ganeti's JSON world as a GLib.Variant: bool b,
    int x, float d, str s, dict a{sv}, list av (as when typed so), None
    an empty maybe (only inside lists; dictionaries leave None out)."""
    _, GLib, _ = remote.gi_modules()
    if type_string == 'as':
        return GLib.Variant('as', [str(item) for item in value])
    if type_string is not None and type_string != 'v':
        if type_string == 'x' and isinstance(value, bool):
            raise TypeError(f'{value!r} is not an integer')
        return GLib.Variant(type_string, value)
    if isinstance(value, GLib.Variant):
        return value
    if isinstance(value, bool):
        return GLib.Variant('b', value)
    if isinstance(value, int):
        return GLib.Variant('x', value)
    if isinstance(value, float):
        return GLib.Variant('d', value)
    if isinstance(value, str):
        return GLib.Variant('s', value)
    if isinstance(value, dict):
        return dict_to_variant(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return GLib.Variant('av', [to_variant(item) for item in items])
    if value is None:
        return GLib.Variant('mv', None)
    raise TypeError(f'{type(value).__name__} value {value!r} has no a{{sv}} form')


def dict_to_variant(mapping, types=None):
    """A dictionary as a{sv}, None values left out, keys typed by `types`."""
    _, GLib, _ = remote.gi_modules()
    types = types or {}
    return GLib.Variant('a{sv}', {
        str(key): to_variant(value, types.get(key))
        for key, value in sorted(mapping.items()) if value is not None
    })


def _as_dict(obj):
    return obj.ToDict() if hasattr(obj, 'ToDict') else dict(obj)


# -- devices ------------------------------------------------------------------

def disk_dict(disk, link=None, uri=None):
    """A Ganeti Disk (object or dict) as HvDisk's a{sv} dictionary."""
    result = {key: value for key, value in _as_dict(disk).items()
              if key not in _DEVICE_DROPPED and value is not None}
    if link:
        result['link'] = link
    if uri:
        result['uri'] = uri
    return result


def nic_dict(nic):
    """A Ganeti NIC (object or dict) as HvNic's a{sv} dictionary:
    nicparams' mode, link and vlan at the top (the rest stays under
    nicparams), netinfo and the network's uuid as `network`."""
    source = _as_dict(nic)
    result = {}
    netinfo = None
    network_uuid = None
    for key, value in source.items():
        if value is None or key in _DEVICE_DROPPED:
            continue
        if key == 'nicparams' and isinstance(value, dict):
            rest = {}
            for param, param_value in value.items():
                if param_value is None:
                    continue
                if param in ('mode', 'link', 'vlan'):
                    result[param] = str(param_value)
                else:
                    rest[param] = param_value
            if rest:
                result['nicparams'] = rest
        elif key == 'netinfo' and isinstance(value, dict):
            netinfo = value
        elif key == 'network' and isinstance(value, str):
            network_uuid = value
        else:
            result[key] = value
    if netinfo is not None or network_uuid is not None:
        network = {key: value for key, value in (netinfo or {}).items() if value is not None}
        if 'network' in network:
            network['subnet'] = network.pop('network')
        if 'network6' in network:
            network['subnet6'] = network.pop('network6')
        if 'tags' in network:
            network['tags'] = sorted(str(tag) for tag in network['tags'])
        if network_uuid is not None:
            network.setdefault('uuid', network_uuid)
        result['network'] = network
    return result


def _device_variant(entry, types):
    _, GLib, _ = remote.gi_modules()
    result = {}
    for key, value in sorted(entry.items()):
        if key == 'network':
            result[key] = dict_to_variant(value, _NETWORK_TYPES)
        else:
            result[key] = to_variant(value, types.get(key))
    return GLib.Variant('a{sv}', result)


def disk_variant(disk, link=None, uri=None):
    return _device_variant(disk_dict(disk, link, uri), _DISK_TYPES)


def nic_variant(nic):
    return _device_variant(nic_dict(nic), _NIC_TYPES)


def new_disk(disk, link=None, uri=None):
    _, _, Hv = remote.gi_modules()
    return Hv.Disk.new_from_variant(disk_variant(disk, link, uri))


def new_nic(nic):
    _, _, Hv = remote.gi_modules()
    return Hv.Nic.new_from_variant(nic_variant(nic))


def new_device(dev_type, device, extra=None):
    """Ganeti's hotplug target (`disk` or `nic`, its object and `extra`,
    the disk's (link, uri)) as an Hv.Disk or Hv.Nic."""
    from ganeti import constants
    if dev_type == constants.HOTPLUG_TARGET_DISK:
        link, uri = (list(extra) + [None, None])[:2] if extra else (None, None)
        return new_disk(device, link, uri)
    if dev_type == constants.HOTPLUG_TARGET_NIC:
        return new_nic(device)
    raise ValueError(f"unknown hotplug device type '{dev_type}'")


# -- the instance -------------------------------------------------------------

def hvparams_variant(hvparams):
    """Ganeti's hvparams as hvkit's: the same names and values, b, x or s
    as Ganeti's own parameter types (constants.HVS_PARAMETER_TYPES) say;
    None, Ganeti's unset value, is the empty string hvkit takes for it."""
    from ganeti import constants
    _, GLib, _ = remote.gi_modules()
    types = {constants.VTYPE_BOOL: 'b', constants.VTYPE_INT: 'x'}
    result = {}
    for name, value in sorted((hvparams or {}).items()):
        type_string = types.get(constants.HVS_PARAMETER_TYPES.get(name), 's')
        if value is None:
            value = ''
        if type_string == 's' and not isinstance(value, str):
            value = str(value)
        result[name] = to_variant(value, type_string)
    return GLib.Variant('a{sv}', result)


def beparams_variant(beparams, memory=None):
    """The beparams hvkit reads (maxmem, minmem, vcpus, memory); Ganeti's
    others (auto_balance, always_failover, spindle_use) are the master's."""
    _, GLib, _ = remote.gi_modules()
    values = {key: beparams[key] for key in _BEPARAMS if beparams and beparams.get(key) is not None}
    if memory is not None:
        values['memory'] = memory
    return GLib.Variant('a{sv}', {key: GLib.Variant('x', int(value))
                                  for key, value in sorted(values.items())})


def instance_variant(instance, block_devices=None, memory=None, name=None):
    """An objects.Instance as HvInstance's a{sv}. block_devices, Ganeti's
    (disk, link, uri) tuples at a start, give the disks; without them the
    instance's disks_info does (the node knows them but not their links).
    With no instance, only `name` (Ganeti's stop by name)."""
    _, GLib, _ = remote.gi_modules()
    if instance is None:
        return GLib.Variant('a{sv}', {'name': GLib.Variant('s', name)})
    values = {
        'name': instance.name,
        'uuid': getattr(instance, 'uuid', None),
        'network_port': getattr(instance, 'network_port', None),
        'disk_template': getattr(instance, 'disk_template', None),
        'tags': sorted(instance.GetTags()) if hasattr(instance, 'GetTags') else None,
    }
    result = {key: to_variant(value, _INSTANCE_TYPES[key])
              for key, value in values.items() if value is not None}
    result['hvparams'] = hvparams_variant(instance.hvparams)
    result['beparams'] = beparams_variant(instance.beparams, memory)
    if block_devices is not None:
        disks = [disk_variant(disk, link, uri) for disk, link, uri in
                 (tuple(entry) + (None,) * (3 - len(entry)) for entry in block_devices)]
    else:
        disks = [disk_variant(disk) for disk in (getattr(instance, 'disks_info', None) or [])]
    result['disks'] = _variant_list(disks)
    result['nics'] = _variant_list([nic_variant(nic) for nic in (instance.nics or [])])
    return GLib.Variant('a{sv}', result)


def _variant_list(dicts):
    """A list of a{sv} variants as one aa{sv}, without unpacking them (an
    unpacked a{sv} would lose its values' types)."""
    _, GLib, _ = remote.gi_modules()
    builder = GLib.VariantBuilder.new(GLib.VariantType.new('aa{sv}'))
    for item in dicts:
        builder.add_value(item)
    return builder.end()


def new_instance(instance, block_devices=None, memory=None, name=None):
    _, _, Hv = remote.gi_modules()
    return Hv.Instance.new_from_variant(instance_variant(instance, block_devices, memory, name))
