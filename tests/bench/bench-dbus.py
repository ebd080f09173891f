#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench-dbus: the same disk hot-add and the same info, in-process and
through hvkitd, on one test guest (TCG).

The guest is booted by an in-process HvKvm, which is measured first; then
it is dropped (QEMU runs on), hvkitd from this build takes the guest over
on a private bus, and the same calls are measured through Gio. Last, 32
clients ask for info at once, to give the calls per second hvkitd serves.
Everything is timed from Python, so both sides carry PyGObject's cost.
The keys of the issue are measured with hvkitd on --session, without
polkit; the *_polkit_mock keys again with every call checked by
python-dbusmock's polkitd, a Python process, which costs more than the
C polkitd of a real system.

Run: meson test -C build --benchmark -v bench-dbus   (prints JSON)"""

import json
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'dbus'))
sys.path.insert(0, os.path.join(HERE, '..', 'python'))

import gi  # noqa: E402
gi.require_version('Hv', '1.0')
from gi.repository import Gio, GLib, Hv  # noqa: E402

import test_kvm_lifecycle as lifecycle  # noqa: E402
from hvkitd_harness import Harness, Waiter  # noqa: E402

NAME = 'bench-dbus'
ROUNDS = int(os.environ.get('HVKIT_BENCH_ROUNDS', '15'))
INFO_CALLS = 300
CLIENTS = 32
CLIENT_CALLS = 50
TIMEOUT_S = 120


class Skip:
    def skipTest(self, reason):
        print(json.dumps({'skipped': reason}))
        sys.exit(77)


def p50(values):
    return statistics.median(values)


def main():
    guest = lifecycle.load_test_guest(Skip())
    waiter = Waiter()
    results = {'rounds': ROUNDS, 'clients': CLIENTS}
    with tempfile.TemporaryDirectory(prefix='hvkit-bench-dbus-') as run_dir:
        config = GLib.Variant('a{sv}', {'run-dir': GLib.Variant('s', run_dir),
                                        'ifup-script': GLib.Variant('s', '/bin/true'),
                                        'ifdown-script': GLib.Variant('s', '/bin/true')})
        kvm = Hv.PluginLoader.new(None).get_hypervisor('kvm', config)
        lifecycle.NAME = NAME
        spec = lifecycle.instance_dict(kvm, guest)
        instance = Hv.Instance.new_from_variant(spec)
        kvm.start_instance_sync(instance, True, None)
        console = lifecycle.SerialConsole(os.path.join(run_dir, f'{NAME}.serial'), waiter.wake)
        monitor = Gio.SocketClient.new().connect(
            Gio.UnixSocketAddress.new(os.path.join(run_dir, f'{NAME}.monitor')), None)
        monitor.get_output_stream().write_all(b'cont\n', None)
        waiter.until(lambda: console.find(lifecycle.READY_PATTERN), TIMEOUT_S, 'guest ready')
        monitor.close(None)

        image = os.path.join(run_dir, 'bench.img')
        with open(image, 'wb') as file:
            file.truncate(16 * 1024 * 1024)
        disk_spec = {'uuid': GLib.Variant('s', 'be000001-0000-4000-8000-000000000001'),
                     'size': GLib.Variant('x', 16), 'mode': GLib.Variant('s', 'rw'),
                     'link': GLib.Variant('s', image)}

        def wait_line(pattern):
            waiter.until(lambda: console.find(pattern), TIMEOUT_S, pattern)

        # in-process
        times = []
        for _ in range(ROUNDS):
            disk = Hv.Disk.new_from_variant(GLib.Variant('a{sv}', disk_spec))
            start = time.perf_counter()
            kvm.hot_add_device_sync(instance, disk, 0, None)
            times.append(time.perf_counter() - start)
            wait_line(r'^UEVENT add block')
            kvm.hot_del_device_sync(instance, disk, 0, None)
            wait_line(r'^UEVENT remove block')
        results['inproc_hot_add_ms_p50'] = round(p50(times) * 1000, 2)
        times = []
        for _ in range(INFO_CALLS):
            start = time.perf_counter()
            kvm.get_instance_info_sync(NAME, None)
            times.append(time.perf_counter() - start)
        results['inproc_info_us_p50'] = round(p50(times) * 1e6, 1)
        del kvm     # QEMU runs on; hvkitd takes it over

        harness = Harness(run_dir=run_dir)
        try:
            # first without polkit
            harness.stop_hvkitd()
            harness.start_hvkitd(polkit=False)
            inst = GLib.Variant('a{sv}', {'name': GLib.Variant('s', NAME)})
            times = []
            for _ in range(ROUNDS):
                args = GLib.Variant.new_tuple(inst, GLib.Variant('s', 'disk'),
                                              GLib.Variant('a{sv}', disk_spec),
                                              GLib.Variant('u', 0))
                start = time.perf_counter()
                harness.call('HotAddDevice', args, '(a{sv})')
                times.append(time.perf_counter() - start)
                wait_line(r'^UEVENT add block')
                harness.call('HotDelDevice', args)
                wait_line(r'^UEVENT remove block')
            results['dbus_hot_add_ms_p50'] = round(p50(times) * 1000, 2)
            results['dbus_overhead_ms_p50'] = round(results['dbus_hot_add_ms_p50']
                                                    - results['inproc_hot_add_ms_p50'], 2)
            times = []
            name = GLib.Variant('(s)', (NAME,))
            for _ in range(INFO_CALLS):
                start = time.perf_counter()
                harness.call('GetInstanceInfo', name, '(a{sv})')
                times.append(time.perf_counter() - start)
            results['dbus_info_us_p50'] = round(p50(times) * 1e6, 1)

            # 32 clients, each keeping one GetInstanceInfo in flight
            clients = [harness.connect() for _ in range(CLIENTS)]
            answered = []

            def ask(conn, left):
                def done(source, result):
                    source.call_finish(result)
                    answered.append(1)
                    if left > 1:
                        ask(conn, left - 1)
                    else:
                        waiter.wake()
                conn.call('org.hvkit', '/org/hvkit/Hypervisor/kvm', 'org.hvkit.Hypervisor1',
                          'GetInstanceInfo', name, None, Gio.DBusCallFlags.NONE, -1, None, done)

            start = time.perf_counter()
            for conn in clients:
                ask(conn, CLIENT_CALLS)
            waiter.until(lambda: len(answered) == CLIENTS * CLIENT_CALLS, TIMEOUT_S, 'answers')
            results['dbus_info_calls_per_s'] = round(len(answered) / (time.perf_counter() - start))

            # the same calls, each checked by the mocked polkit
            harness.stop_hvkitd()
            harness.start_hvkitd()
            times = []
            for _ in range(ROUNDS):
                args = GLib.Variant.new_tuple(inst, GLib.Variant('s', 'disk'),
                                              GLib.Variant('a{sv}', disk_spec),
                                              GLib.Variant('u', 0))
                start = time.perf_counter()
                harness.call('HotAddDevice', args, '(a{sv})')
                times.append(time.perf_counter() - start)
                wait_line(r'^UEVENT add block')
                harness.call('HotDelDevice', args)
                wait_line(r'^UEVENT remove block')
            results['dbus_hot_add_ms_p50_polkit_mock'] = round(p50(times) * 1000, 2)
            times = []
            for _ in range(INFO_CALLS):
                start = time.perf_counter()
                harness.call('GetInstanceInfo', name, '(a{sv})')
                times.append(time.perf_counter() - start)
            results['dbus_info_us_p50_polkit_mock'] = round(p50(times) * 1e6, 1)

            harness.call('StopInstance', GLib.Variant.new_tuple(
                inst, GLib.Variant('b', True), GLib.Variant('b', False), GLib.Variant('u', 0)))
            harness.call('CleanupInstance', GLib.Variant('(s)', (NAME,)))
        finally:
            console.close()
            harness.close()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
