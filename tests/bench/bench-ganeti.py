#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench-ganeti: Ganeti's own steps timed through gnt-instance, with
Ganeti's own KVM driver and with hvkit's backend, on the two-node test
cluster of the suite `ganeti` (tests/ganeti/gnt_cluster.py) and the test
guest under TCG.

Each round runs, on a new instance: add (sharedfile, 64 MiB), start,
modify --hotplug adding a disk, adding a NIC, removing the disk, removing
the NIC, migrate to node 2, shutdown; then remove (not timed). Rounds
alternate between the drivers (HVKIT_BENCH_ROUNDS rounds each, default
3), which one goes first alternating too, so that the machine's load
drifts over both alike; both nodes switch together (hvkit-ganeti-switch
--bind-mount, node daemons restarted; not timed). Between start and the
first hot-plug the guest's shell is waited for (not timed): a removal is
the guest's ACPI eject, which an unbooted guest does not do.

Prints one JSON object: stock_<step>_s_p50 and hvkit_<step>_s_p50 (the
median over the rounds, seconds), ratio_<step> (hvkit / stock: the median
of the rounds' ratios, each round timing both drivers back to back),
ratio_<step>_of_p50s (the ratio of the two medians), and the rounds' own
figures."""

import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'ganeti'))
import gnt_cluster as gc  # noqa: E402
from gnt_cluster import VIRTIO_BLOCK, VIRTIO_NET, find_qemu  # noqa: E402

STEPS = ['add', 'start', 'hotplug_disk_add', 'hotplug_nic_add', 'hotplug_disk_del',
         'hotplug_nic_del', 'migrate', 'shutdown']


def fail(message):
    raise AssertionError(message)


def timed(times, step, node, *args):
    started = time.monotonic()
    node.gnt(*args)
    times[step] = time.monotonic() - started


def check_pci(qemu, disks, nics):
    devices = qemu.pci_devices()
    if qemu.count(VIRTIO_BLOCK, devices) != disks or qemu.count(VIRTIO_NET, devices) != nics:
        fail(f'{qemu}: PCI devices {devices}, expected {disks} disks and {nics} NICs')


def one_round(cluster, backend, name):
    master = cluster.master
    node1, node2 = cluster.nodes
    times = {}
    timed(times, 'add', master, 'gnt-instance', 'add', '-t', 'sharedfile', '--no-install',
          '--no-start', '-o', gc.OS_NAME, '-s', '64M', '-B', 'maxmem=128M,minmem=128M,vcpus=1',
          '--no-ip-check', '--no-name-check', '-n', node1.name, name)
    timed(times, 'start', master, 'gnt-instance', 'start', name)
    qemu = find_qemu(node1, name)
    if qemu is None or qemu.files != backend:
        fail(f'{name}: {qemu} is not run by {backend}')
    if backend == 'hvkit' and name not in node1.hvkit_list():
        fail(f'{name}: not in hvkitd of {node1}')
    qemu.guest('true')
    modify = ('gnt-instance', 'modify', '--hotplug', '--force')
    timed(times, 'hotplug_disk_add', master, *modify, '--disk', 'add:size=32M', name)
    check_pci(qemu, 2, 1)
    timed(times, 'hotplug_nic_add', master, *modify, '--net', 'add', name)
    check_pci(qemu, 2, 2)
    timed(times, 'hotplug_disk_del', master, *modify, '--disk', '1:remove', name)
    check_pci(qemu, 1, 2)
    timed(times, 'hotplug_nic_del', master, *modify, '--net', '1:remove', name)
    check_pci(qemu, 1, 1)
    timed(times, 'migrate', master, 'gnt-instance', 'migrate', '-f', '-n', node2.name, name)
    moved = find_qemu(node2, name)
    if moved is None or moved.files != backend or find_qemu(node1, name) is not None:
        fail(f'{name}: after the migration {moved} on {node2}')
    timed(times, 'shutdown', master, 'gnt-instance', 'shutdown', name)
    if find_qemu(node2, name) is not None:
        fail(f'{name}: QEMU still runs after shutdown')
    master.gnt('gnt-instance', 'remove', '-f', name)
    return times


# What each of noded's per-RPC processes does before its first answer,
# in a process forked from one that imported Ganeti's hypervisor package
# (and, for hvkit's backend, PyGObject and the Hv typelib, which
# hvkit_ganeti preloads in ganeti-noded): make the kvm object and ask it
# for the running instances. hvkit's: connect to the system bus, make the
# remote hypervisor, one call through hvkitd and polkit; Ganeti's: read its
# pid directory. Then the same call again in that process.
RPC_PROBE = '''
import os, sys, time
sys.path[:0] = ['/usr/share/ganeti/3.0', {python!r}]
from ganeti import hypervisor
kvm = hypervisor.GetHypervisorClass('kvm')
if kvm.__module__.startswith('hvkit_ganeti'):
    from hvkit_ganeti import remote
    remote.gi_modules()
read, write = os.pipe()
if os.fork() == 0:
    started = time.monotonic()
    hypervisor.GetHypervisor('kvm').ListInstances()
    listed = time.monotonic()
    hypervisor.GetHypervisor('kvm').ListInstances()
    os.write(write, f'{{listed - started}} {{time.monotonic() - listed}}'.encode())
    os._exit(0)
os.close(write)
print(os.read(read, 100).decode())
os.wait()
'''


def probe_rpc(cluster, backend, results, count=5):
    node = cluster.master
    code = RPC_PROBE.format(python=cluster.hvkit.ganeti_python)
    for _ in range(count):
        first, second = map(float, node.run([sys.executable, '-c', code]).stdout.split())
        results[f'{backend}_rpc_first_list_s'].append(first)
        results[f'{backend}_rpc_next_list_s'].append(second)


def switch(cluster, backend):
    for node in cluster.nodes:
        if node.backend == backend:
            continue
        node.run([gc.DAEMON_UTIL, 'stop', 'ganeti-noded'])
        if backend == 'hvkit':
            node.switch_to_hvkit()
        else:
            node.switch_to_stock()
        node.run([gc.DAEMON_UTIL, 'start', 'ganeti-noded'])


def main():
    gc.LOG_STREAM = sys.stderr
    rounds = int(os.environ.get('HVKIT_BENCH_ROUNDS', '3'))
    try:
        cluster = gc.Cluster(deadline_s=int(os.environ.get('HVKIT_GANETI_DEADLINE_S', '3000')))
    except gc.Missing as missing:
        print(f'bench-ganeti: skipped: {missing}', file=sys.stderr)
        return 77
    results = {'stock': {step: [] for step in STEPS}, 'hvkit': {step: [] for step in STEPS}}
    probes = {f'{b}_rpc_{w}_list_s': [] for b in ('stock', 'hvkit') for w in ('first', 'next')}
    load = [os.getloadavg()[0]]
    with cluster:
        for node in cluster.nodes:
            node.start_hvkitd()
        for number in range(rounds):
            order = ['stock', 'hvkit'] if number % 2 == 0 else ['hvkit', 'stock']
            for backend in order:
                switch(cluster, backend)
                probe_rpc(cluster, backend, probes)
                times = one_round(cluster, backend, f'bench-{backend}-{number}')
                for step, seconds in times.items():
                    results[backend][step].append(seconds)
                gc.log(f'round {number + 1} {backend}: ' +
                       ', '.join(f'{step} {seconds:.2f}' for step, seconds in times.items()))
    load.append(os.getloadavg()[0])
    output = {'rounds': rounds, 'load_average_start': round(load[0], 2),
              'load_average_end': round(load[1], 2)}
    for step in STEPS:
        stock = statistics.median(results['stock'][step])
        hvkit = statistics.median(results['hvkit'][step])
        output[f'stock_{step}_s_p50'] = round(stock, 3)
        output[f'hvkit_{step}_s_p50'] = round(hvkit, 3)
        # the median of each round's own ratio: a round runs both drivers
        # back to back, so the machine's load, which drifts over minutes
        # on a shared host, weighs on both sides of a ratio alike
        output[f'ratio_{step}'] = round(statistics.median(
            h / s for h, s in zip(results['hvkit'][step], results['stock'][step])), 3)
        output[f'ratio_{step}_of_p50s'] = round(hvkit / stock, 3)
    for key, values in probes.items():
        output[f'{key}_p50'] = round(statistics.median(values), 4)
    for backend in ('stock', 'hvkit'):
        for step in STEPS:
            output[f'{backend}_{step}_s'] = [round(s, 3) for s in results[backend][step]]
    print(json.dumps(output, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
