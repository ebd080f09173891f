# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hypervisor driver written in Python, called through the C wrappers.

FakeDriver implements Hv.Hypervisor the way a driver in C does: synchronous
methods return or raise GLib.Error, async methods complete a Gio.Task from a
source on the task's main context.  Every call below goes through libhvkit's
public functions (the blocking _sync forms included), which call back into
Python: that proves the interface's annotations for PyGObject.
"""

import gc
import unittest

import gi
gi.require_version('Hv', '1.0')
from gi.repository import GLib, GObject, Gio, Hv  # noqa: E402


def hv_error(code, message):
    return GLib.Error.new_literal(Hv.error_quark(), message, code)


def variant(params):
    types = {str: 's', bool: 'b', int: 'x'}
    return GLib.Variant('a{sv}', {key: GLib.Variant(types[type(value)], value)
                                  for key, value in params.items()})


class FakeDriver(GObject.Object, Hv.Hypervisor):
    def __init__(self):
        super().__init__()
        self.running = {}
        self.contexts = []
        kernel = Hv.ParamSpec.new('kernel_path', GLib.VariantType.new('s'), False)
        kernel.set_syntax_check('must be an absolute path',
                                lambda value: value.get_string().startswith('/'))
        root = Hv.ParamSpec.new('root_path', GLib.VariantType.new('s'), False)
        acpi = Hv.ParamSpec.new('acpi', GLib.VariantType.new('b'), True)
        # PyGObject lends the elements of a returned list (transfer
        # container): the specs must outlive the call, so they are kept here.
        self.specs = [kernel, root, acpi]

    def do_get_name(self):
        return 'fake'

    def do_list_instances(self):
        return sorted(self.running)

    def do_get_parameters(self):
        return self.specs

    def do_check_parameter_syntax(self, hvparams):
        Hv.param_specs_check_syntax(self.specs, hvparams)
        params = hvparams.unpack()
        if params['kernel_path'] and not params['root_path']:
            raise hv_error(Hv.Error.INVALID_PARAMETER,
                           "Parameter 'kernel_path' needs 'root_path'")
        return True

    def do_start_instance_async(self, instance, startup_paused, cancellable, callback):
        # PyGObject hands the C callback over with its user_data bound, so
        # the task is made without user_data of its own
        task = Gio.Task.new(self, cancellable, callback)
        self.contexts.append(GLib.MainContext.get_thread_default())
        name = instance.get_name()
        if name in self.running:
            task.return_error(hv_error(Hv.Error.ALREADY_RUNNING,
                                       f"Instance '{name}' is already running"))
            return

        def started(*_):
            state = (Hv.InstanceState.PAUSED if startup_paused
                     else Hv.InstanceState.RUNNING)
            self.running[name] = state
            self.emit('instance-state-changed', name, state)
            task.return_boolean(True)
            return GLib.SOURCE_REMOVE

        source = GLib.timeout_source_new(5)
        source.set_callback(started)
        source.attach(task.get_context())

    def do_start_instance_finish(self, result):
        return result.propagate_boolean()

    def do_get_instance_info_async(self, name, cancellable, callback):
        task = Gio.Task.new(self, cancellable, callback)
        if name not in self.running:
            task.return_error(hv_error(Hv.Error.NOT_RUNNING,
                                       f"Instance '{name}' is not running"))
            return
        info = Hv.InstanceInfo.new(name)
        info.props.state = self.running[name]
        info.props.vcpus = 2
        task.return_value(GObject.Value(Hv.InstanceInfo, info))

    def do_get_instance_info_finish(self, result):
        ok, info = result.propagate_value()
        return info


class NoDirDriver(GObject.Object, Hv.Hypervisor):
    def do_list_instances(self):
        raise hv_error(Hv.Error.FAILED, "Cannot read '/run/fake': no such directory")


class HypervisorTest(unittest.TestCase):
    def setUp(self):
        self.driver = FakeDriver()
        self.instance = Hv.Instance.new('web1.example.com')

    def assertHvError(self, caught, code):
        self.assertTrue(caught.exception.matches(Hv.error_quark(), code),
                        caught.exception)

    def test_sync_methods(self):
        self.assertIsInstance(self.driver, Hv.Hypervisor)
        self.assertEqual(self.driver.get_name(), 'fake')
        self.assertEqual(self.driver.list_instances(), [])
        for _ in range(3):
            specs = self.driver.get_parameters()
            gc.collect()
            self.assertEqual([spec.get_name() for spec in specs],
                             ['kernel_path', 'root_path', 'acpi'])

    def test_sync_method_raises(self):
        with self.assertRaises(GLib.Error) as caught:
            NoDirDriver().list_instances()
        self.assertHvError(caught, Hv.Error.FAILED)
        self.assertIn("'/run/fake'", caught.exception.message)

    def test_check_parameter_syntax(self):
        good = {'kernel_path': '/vmlinuz', 'root_path': '/dev/vda1', 'acpi': True}
        self.assertTrue(self.driver.check_parameter_syntax(variant(good)))

        cases = [
            (dict(good, kernel_path='vmlinuz'),
             "Parameter 'kernel_path' fails syntax check: must be an absolute path"
             " (current value: 'vmlinuz')"),
            ({'kernel_path': '', 'root_path': ''},
             "Parameter 'acpi' is missing"),
            (dict(good, vhost_net=True), "Parameter 'vhost_net' is not supported"),
            (dict(good, root_path=''), "Parameter 'kernel_path' needs 'root_path'"),
        ]
        for params, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(GLib.Error) as caught:
                    self.driver.check_parameter_syntax(variant(params))
                self.assertHvError(caught, Hv.Error.INVALID_PARAMETER)
                self.assertEqual(caught.exception.message, message)

        # not implemented by the driver: the table's node checks run
        self.assertTrue(self.driver.validate_parameters(variant(good)))

    def test_async_through_blocking_wrapper(self):
        states = []
        self.driver.connect('instance-state-changed',
                            lambda driver, name, state: states.append((name, state)))

        self.assertTrue(self.driver.start_instance_sync(self.instance, True, None))
        self.assertEqual(self.driver.list_instances(), ['web1.example.com'])
        self.assertEqual(states, [('web1.example.com', Hv.InstanceState.PAUSED)])
        # the C wrapper ran the Python method in a private main context
        context = self.driver.contexts[0]
        self.assertIsNotNone(context)
        self.assertNotEqual(context, GLib.MainContext.default())

        with self.assertRaises(GLib.Error) as caught:
            self.driver.start_instance_sync(self.instance, False, None)
        self.assertHvError(caught, Hv.Error.ALREADY_RUNNING)

        info = self.driver.get_instance_info_sync('web1.example.com', None)
        self.assertIsInstance(info, Hv.InstanceInfo)
        self.assertEqual(info.get_state(), Hv.InstanceState.PAUSED)
        self.assertEqual(info.to_variant().unpack()['vcpus'], 2)
        with self.assertRaises(GLib.Error) as caught:
            self.driver.get_instance_info_sync('db1.example.com', None)
        self.assertHvError(caught, Hv.Error.NOT_RUNNING)

    def test_async_from_python(self):
        loop = GLib.MainLoop()
        results = []

        def done(driver, result):
            results.append(driver.start_instance_finish(result))
            loop.quit()

        self.driver.start_instance_async(self.instance, False, None, done)
        loop.run()
        self.assertEqual(results, [True])
        self.assertEqual(self.driver.running, {'web1.example.com': Hv.InstanceState.RUNNING})

    def test_defaults_for_what_the_driver_leaves_out(self):
        with self.assertRaises(GLib.Error) as caught:
            self.driver.reboot_instance_sync(self.instance, None)
        self.assertHvError(caught, Hv.Error.NOT_SUPPORTED)
        self.assertEqual(caught.exception.message,
                         "The 'fake' hypervisor does not support reboot_instance")

        with self.assertRaises(GLib.Error) as caught:
            self.driver.hot_add_device_sync(self.instance, Hv.Nic.new(), 0, None)
        self.assertHvError(caught, Hv.Error.HOTPLUG)

        # hv_base's no-ops
        self.assertTrue(self.driver.cleanup_instance_sync('web1.example.com', None))
        self.assertEqual(self.driver.migration_info(self.instance).get_size(), 0)

    def test_migration_progress_signal(self):
        seen = []
        self.driver.connect('migration-progress',
                            lambda driver, name, status: seen.append(
                                (name, status.get_state(), status.get_transferred())))
        status = Hv.MigrationStatus.new(Hv.MigrationState.ACTIVE)
        status.set_transferred(1 << 20)
        self.driver.emit('migration-progress', 'web1.example.com', status)
        self.assertEqual(seen, [('web1.example.com', Hv.MigrationState.ACTIVE, 1 << 20)])
