# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Hv error domain as Python sees it, through the build's typelib."""

import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import GLib, Hv  # noqa: E402


class ErrorTest(unittest.TestCase):
    def test_codes_are_not_zero(self):
        for code in Hv.Error.__enum_values__.values():
            self.assertNotEqual(int(code), 0)

    def test_domain_matches(self):
        err = GLib.Error.new_literal(Hv.error_quark(), 'boom', Hv.Error.TIMEOUT)
        self.assertTrue(err.matches(Hv.error_quark(), Hv.Error.TIMEOUT))
        self.assertEqual(err.domain, 'hv-error-quark')
