# SPDX-License-Identifier: LGPL-2.1-or-later
"""The KVM plugin as Python sees it: loaded through Hv.PluginLoader from the
build's plugin directory (HVKIT_PLUGIN_DIR), checked through Hv.Hypervisor."""

import os
import tempfile
import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import GLib, Hv  # noqa: E402


def _with(hvparams, **values):
    """hvparams with some values replaced; values are GLib.Variants."""
    changed = GLib.VariantDict.new(hvparams)
    for name, value in values.items():
        changed.insert_value(name, value)
    return changed.end()


class KvmPluginTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix='hvkit-python-')
        self.run_dir = os.path.join(self.tmp.name, 'run')
        self.loader = Hv.PluginLoader.new(None)
        config = GLib.Variant('a{sv}', {'run-dir': GLib.Variant('s', self.run_dir)})
        self.kvm = self.loader.get_hypervisor('kvm', config)

    def tearDown(self):
        self.tmp.cleanup()

    def assert_invalid_parameter(self, check, hvparams, parameter):
        with self.assertRaises(GLib.Error) as caught:
            check(hvparams)
        error = caught.exception
        self.assertEqual(error.domain, 'hv-error-quark')
        self.assertEqual(error.code, int(Hv.Error.INVALID_PARAMETER))
        self.assertTrue(error.matches(Hv.error_quark(), Hv.Error.INVALID_PARAMETER))
        self.assertIn(f"'{parameter}'", error.message)
        return error

    def test_loaded_from_the_build(self):
        self.assertEqual(self.loader.get_plugin_dir(), os.environ['HVKIT_PLUGIN_DIR'])
        self.assertEqual(self.loader.list_hypervisors(), ['kvm'])

    def test_is_a_ready_hypervisor(self):
        self.assertIsInstance(self.kvm, Hv.Hypervisor)
        self.assertEqual(self.kvm.get_name(), 'kvm')
        # initialization ran with the configuration: the run directory exists
        self.assertEqual(self.kvm.props.run_dir, self.run_dir)
        self.assertTrue(os.path.isdir(self.run_dir))

    def test_parameters(self):
        specs = {spec.get_name(): spec for spec in self.kvm.get_parameters()}
        self.assertEqual(len(specs), 65)

        kvm_path = specs['kvm_path']
        self.assertTrue(kvm_path.get_required())
        self.assertEqual(kvm_path.get_value_type().dup_string(), 's')
        self.assertEqual(kvm_path.get_syntax_message(), 'must be an absolute normalized path')
        self.assertEqual(kvm_path.get_node_message(), 'not found or not a file')

        boot_order = specs['boot_order']
        self.assertTrue(boot_order.get_required())
        self.assertEqual(boot_order.get_syntax_message(),
                         'The value must be one of: disk, cdrom, floppy, network')

        self.assertEqual(specs['serial_speed'].get_value_type().dup_string(), 'x')
        self.assertEqual(specs['acpi'].get_value_type().dup_string(), 'b')
        self.assertFalse(specs['acpi'].has_syntax_check())

    def test_defaults_pass(self):
        defaults = self.kvm.props.default_hvparams
        self.assertEqual(defaults.n_children(), 65)
        self.assertTrue(self.kvm.check_parameter_syntax(defaults))

    def test_unknown_parameter(self):
        hvparams = _with(self.kvm.props.default_hvparams,
                         kernel_pth=GLib.Variant('s', '/boot/vmlinuz'))
        error = self.assert_invalid_parameter(self.kvm.check_parameter_syntax, hvparams,
                                              'kernel_pth')
        self.assertEqual(error.message, "Parameter 'kernel_pth' is not supported")

    def test_rule_across_parameters(self):
        hvparams = _with(self.kvm.props.default_hvparams,
                         boot_order=GLib.Variant('s', 'cdrom'))
        self.assert_invalid_parameter(self.kvm.check_parameter_syntax, hvparams, 'boot_order')

        with_iso = _with(hvparams, cdrom_image_path=GLib.Variant('s', '/srv/debian.iso'))
        self.assertTrue(self.kvm.check_parameter_syntax(with_iso))

    def test_vhost_net_needs_the_device(self):
        hvparams = _with(self.kvm.props.default_hvparams,
                         kvm_path=GLib.Variant('s', '/bin/true'),
                         vhost_net=GLib.Variant('b', True))
        missing = os.path.join(self.tmp.name, 'vhost-net')
        config = GLib.Variant('a{sv}', {'run-dir': GLib.Variant('s', self.run_dir),
                                        'vhost-net-device': GLib.Variant('s', missing)})
        kvm = self.loader.get_hypervisor('kvm', config)
        self.assert_invalid_parameter(kvm.validate_parameters, hvparams, 'vhost_net')

        config = GLib.Variant('a{sv}', {'run-dir': GLib.Variant('s', self.run_dir),
                                        'vhost-net-device': GLib.Variant('s', '/dev/null')})
        kvm = self.loader.get_hypervisor('kvm', config)
        self.assertTrue(kvm.validate_parameters(hvparams))

    def test_unknown_configuration_key(self):
        config = GLib.Variant('a{sv}', {'run_dir': GLib.Variant('s', self.run_dir)})
        with self.assertRaises(GLib.Error) as caught:
            self.loader.get_hypervisor('kvm', config)
        self.assertTrue(caught.exception.matches(Hv.error_quark(), Hv.Error.INVALID_PARAMETER))
        self.assertIn("'run_dir'", caught.exception.message)

    def test_adopt_from_python(self):
        # a Ganeti run directory with no instance: an empty list, in-process
        ganeti = os.path.join(self.tmp.name, 'ganeti')
        os.makedirs(os.path.join(ganeti, 'conf'))
        self.assertEqual(self.kvm.adopt_instances_sync(ganeti, None), [])
        # one whose record cannot be read: refused, with the reason
        with open(os.path.join(ganeti, 'conf', 'web1.runtime'), 'w', encoding='utf-8') as file:
            file.write('{}')
        [adoption] = self.kvm.adopt_instances_sync(ganeti, None)
        self.assertIsInstance(adoption, Hv.Adoption)
        self.assertEqual((adoption.props.name, adoption.props.adopted), ('web1', False))
        self.assertIn('is not a JSON list', adoption.props.reason)
        self.assertEqual(os.listdir(os.path.join(ganeti, 'conf')), ['web1.runtime'])
        # no conf/ at all, or hvkit's own run directory: the call fails
        for wrong in (self.tmp.name, self.run_dir):
            with self.assertRaises(GLib.Error) as caught:
                self.kvm.adopt_instances_sync(wrong, None)
            self.assertTrue(caught.exception.matches(Hv.error_quark(),
                                                     Hv.Error.INVALID_PARAMETER))

    def test_missing_hypervisor(self):
        with self.assertRaises(GLib.Error) as caught:
            self.loader.get_hypervisor('xen', None)
        self.assertTrue(caught.exception.matches(Hv.error_quark(), Hv.Error.NOT_SUPPORTED))


if __name__ == '__main__':
    unittest.main()
