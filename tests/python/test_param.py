# SPDX-License-Identifier: LGPL-2.1-or-later
"""Parameter specs as a driver written in Python builds and checks them."""

import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import GLib, Hv  # noqa: E402


def _specs():
    vcpus = Hv.ParamSpec.new('vcpus', GLib.VariantType.new('x'), True)
    vcpus.set_syntax_check('must be even', lambda value: value.get_int64() % 2 == 0)
    vcpus.set_node_check('too many for this node', lambda value: value.get_int64() <= 64)
    machine = Hv.ParamSpec.new('machine', GLib.VariantType.new('s'), False)
    return [vcpus, machine]


def _hvparams(**values):
    params = {'vcpus': GLib.Variant('x', 2), 'machine': GLib.Variant('s', '')}
    params.update(values)
    return GLib.Variant('a{sv}', params)


class ParamSpecTest(unittest.TestCase):
    def assert_refused(self, check, hvparams, message):
        with self.assertRaises(GLib.Error) as caught:
            check(_specs(), hvparams)
        self.assertTrue(caught.exception.matches(Hv.error_quark(),
                                                 Hv.Error.INVALID_PARAMETER))
        self.assertEqual(caught.exception.message, message)

    def test_accessors(self):
        vcpus = _specs()[0]
        self.assertEqual(vcpus.get_name(), 'vcpus')
        self.assertEqual(vcpus.get_value_type().dup_string(), 'x')
        self.assertTrue(vcpus.get_required())
        self.assertEqual(vcpus.get_syntax_message(), 'must be even')
        self.assertTrue(vcpus.has_node_check())

    def test_valid(self):
        self.assertTrue(Hv.param_specs_check_syntax(_specs(), _hvparams()))
        self.assertTrue(Hv.param_specs_validate(_specs(), _hvparams()))

    def test_refused(self):
        self.assert_refused(Hv.param_specs_check_syntax,
                            _hvparams(kvm_flag=GLib.Variant('s', 'x')),
                            "Parameter 'kvm_flag' is not supported")
        self.assert_refused(Hv.param_specs_check_syntax,
                            _hvparams(vcpus=GLib.Variant('x', 3)),
                            "Parameter 'vcpus' fails syntax check: must be even"
                            " (current value: '3')")
        self.assert_refused(Hv.param_specs_check_syntax,
                            _hvparams(vcpus=GLib.Variant('s', '4')),
                            "Parameter 'vcpus' must be an integer (type 'x'),"
                            " not of type 's' (current value: '4')")
        self.assert_refused(Hv.param_specs_validate,
                            _hvparams(vcpus=GLib.Variant('x', 128)),
                            "Parameter 'vcpus' fails validation: too many for"
                            " this node (current value: '128')")
        self.assert_refused(Hv.param_specs_check_syntax,
                            GLib.Variant('a{sv}', {'vcpus': GLib.Variant('x', 2)}),
                            "Parameter 'machine' is missing")
