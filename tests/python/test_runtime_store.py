# SPDX-License-Identifier: LGPL-2.1-or-later
"""HvRuntimeStore from Python: a record type and an upgrade step written in
Python, through the build's typelib (this proves the annotations)."""

import os
import shutil
import tempfile
import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import GLib, Hv  # noqa: E402


def upgrade_1_to_2(record, user_data):
    name, = record.unpack()
    return GLib.Variant('a{sv}', {'name': GLib.Variant('s', name),
                                  'from': GLib.Variant('s', user_data)})


class RuntimeStoreTest(unittest.TestCase):
    def setUp(self):
        self.run_dir = tempfile.mkdtemp(prefix='hvkit-py-store-')

    def tearDown(self):
        shutil.rmtree(self.run_dir)

    def test_save_load_list(self):
        store = Hv.RuntimeStore.new(self.run_dir, GLib.VariantType('a{sv}'), 1)
        record = GLib.Variant('a{sv}', {'argv': GLib.Variant('as', ['kvm', '-S'])})
        self.assertTrue(store.save('inst1', record))
        loaded, version = store.load('inst1')
        self.assertEqual(loaded.unpack(), {'argv': ['kvm', '-S']})
        self.assertEqual(version, 1)
        self.assertEqual(store.list(), ['inst1'])
        self.assertEqual(store.get_path('inst1'),
                         os.path.join(self.run_dir, 'conf', 'inst1.runtime'))
        self.assertTrue(store.remove('inst1'))
        self.assertFalse(store.exists('inst1'))

    def test_stage_commit_discard(self):
        store = Hv.RuntimeStore.new(self.run_dir, GLib.VariantType('a{sv}'), 1)
        old = GLib.Variant('a{sv}', {'n': GLib.Variant('u', 1)})
        new = GLib.Variant('a{sv}', {'n': GLib.Variant('u', 2)})
        self.assertTrue(store.save('inst1', old))
        staged = store.stage('inst1', new)
        self.assertTrue(os.path.exists(staged))
        self.assertEqual(store.load('inst1')[0].unpack(), {'n': 1})
        with self.assertRaises(GLib.Error) as ctx:
            store.commit_staged('inst2', staged)
        self.assertTrue(ctx.exception.matches(Hv.error_quark(),
                                              Hv.Error.INVALID_PARAMETER))
        self.assertTrue(store.commit_staged('inst1', staged))
        self.assertFalse(os.path.exists(staged))
        self.assertEqual(store.load('inst1')[0].unpack(), {'n': 2})

        discarded = store.stage('inst1', old)
        store.discard_staged('inst1', discarded)
        self.assertFalse(os.path.exists(discarded))
        self.assertEqual(store.load('inst1')[0].unpack(), {'n': 2})
        self.assertEqual(os.listdir(store.get_directory()), ['inst1.runtime'])

    def test_upgrade_in_python(self):
        old = Hv.RuntimeStore.new(self.run_dir, GLib.VariantType('(s)'), 1)
        self.assertTrue(old.save('inst1', GLib.Variant('(s)', ('inst1',))))

        store = Hv.RuntimeStore.new(self.run_dir, GLib.VariantType('a{sv}'), 2)
        store.add_upgrade(1, GLib.VariantType('(s)'), upgrade_1_to_2, 'python')
        loaded, version = store.load('inst1')
        self.assertEqual(version, 1)
        self.assertEqual(loaded.unpack(), {'name': 'inst1', 'from': 'python'})

    def test_corrupt_is_a_typed_error(self):
        store = Hv.RuntimeStore.new(None, GLib.VariantType('a{sv}'), 1)
        data = store.serialize(GLib.Variant('a{sv}', {}))
        damaged = bytearray(data.get_data())
        damaged[-1] ^= 0x40
        with self.assertRaises(GLib.Error) as ctx:
            store.deserialize(GLib.Bytes.new(bytes(damaged)), 'blob')
        self.assertTrue(ctx.exception.matches(Hv.error_quark(),
                                              Hv.Error.RUNTIME_CORRUPT))


if __name__ == '__main__':
    unittest.main()
