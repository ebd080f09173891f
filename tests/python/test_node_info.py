# SPDX-License-Identifier: LGPL-2.1-or-later
"""Node info read from the fixtures and from this node, through the typelib."""

import os
import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import GLib, Hv  # noqa: E402

FIXTURES = os.path.join(os.environ['G_TEST_SRCDIR'], 'data', 'node')


class NodeInfoTest(unittest.TestCase):
    def test_two_sockets(self):
        base = os.path.join(FIXTURES, 'numa2')
        info = Hv.NodeInfo.new_from_system(os.path.join(base, 'meminfo'),
                                           os.path.join(base, 'cpuinfo'),
                                           os.path.join(base, 'sys'))
        self.assertEqual(info.props.cpu_nodes, 2)
        self.assertEqual(info.props.cpu_sockets, 2)
        info.props.hv_version = '7.2.0'
        self.assertEqual(info.to_variant().unpack(), {
            'memory_total': 64299, 'memory_free': 54270, 'memory_dom0': 8192,
            'cpu_total': 4, 'cpu_dom0': 4, 'cpu_nodes': 2, 'cpu_sockets': 2,
            'hv_version': '7.2.0'})

    def test_this_node(self):
        info = Hv.NodeInfo.new_from_system(None, None, None)
        self.assertEqual(info.get_cpu_total(), os.sysconf('SC_NPROCESSORS_ONLN'))

    def test_missing_file(self):
        with self.assertRaises(GLib.Error) as caught:
            Hv.NodeInfo.new_from_system('/nonexistent/meminfo', None, None)
        self.assertTrue(caught.exception.matches(Hv.error_quark(), Hv.Error.FAILED))
