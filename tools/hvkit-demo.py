#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A tour of hvkit from Python: load the KVM plugin, look at its parameters,
check some, ask about the node.

contrib/run-demo.sh builds hvkit and runs this against the build, nothing
installed. By hand, from a build directory:

    GI_TYPELIB_PATH=build/framework LD_LIBRARY_PATH=build/framework \\
    HVKIT_PLUGIN_DIR=build/plugin/kvm /usr/bin/python3 tools/hvkit-demo.py

Each step is a function taking the hypervisor; later steps (start a guest,
hotplug a disk) join the list in main().
"""

import sys
import tempfile

import gi
gi.require_version('Hv', '1.0')
from gi.repository import GLib, Hv  # noqa: E402


def heading(title):
    print(f'\n== {title}')


TYPE_NAMES = {'s': 'string', 'b': 'bool', 'x': 'int'}


def show_parameters(kvm):
    """The driver's parameter table: Ganeti's hvparams of KVM."""
    specs = kvm.get_parameters()
    heading(f'{kvm.get_name()}: {len(specs)} parameters')
    print(f'{"name":31} {"type":6} {"required":8} check')
    for spec in specs:
        kind = TYPE_NAMES[spec.get_value_type().dup_string()]
        required = 'yes' if spec.get_required() else ''
        check = spec.get_syntax_message() or ''
        print(f'{spec.get_name():31} {kind:6} {required:8} {check}')


def with_values(hvparams, **values):
    """A copy of hvparams (an a{sv}) with some values replaced."""
    changed = GLib.VariantDict.new(hvparams)
    for name, value in values.items():
        changed.insert_value(name, value)
    return changed.end()


def check(kvm, title, hvparams):
    print(f'{title}: ', end='')
    try:
        kvm.check_parameter_syntax(hvparams)
        print('accepted')
    except GLib.Error as error:
        if not error.matches(Hv.error_quark(), Hv.Error.INVALID_PARAMETER):
            raise
        print(f'refused\n    {error.message}')


def show_checks(kvm):
    """Checking hvparams, as Ganeti's CheckParameterSyntax does."""
    heading('parameter checks')
    defaults = kvm.props.default_hvparams
    check(kvm, "Ganeti's defaults", defaults)
    check(kvm, 'boot from CD-ROM, no image', with_values(
        defaults, boot_order=GLib.Variant('s', 'cdrom')))
    check(kvm, 'a misspelt parameter', with_values(
        defaults, kernel_pth=GLib.Variant('s', '/boot/vmlinuz')))


def show_node_info(kvm):
    """What the node offers, from /proc and sysfs."""
    heading('node info')
    info = kvm.get_node_info_sync(None)
    for key, value in sorted(info.to_variant().unpack().items()):
        print(f'{key:16} {value}')


def main():
    loader = Hv.PluginLoader.new(None)
    print(f'plugin directory: {loader.get_plugin_dir()}')
    print(f'hypervisors: {", ".join(loader.list_hypervisors())}')

    with tempfile.TemporaryDirectory(prefix='hvkit-demo-') as run_dir:
        config = GLib.Variant('a{sv}', {'run-dir': GLib.Variant('s', run_dir)})
        kvm = loader.get_hypervisor('kvm', config)
        for step in (show_parameters, show_checks, show_node_info):
            step(kvm)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except GLib.Error as error:
        print(f'hvkit-demo: {error.message}', file=sys.stderr)
        sys.exit(1)
