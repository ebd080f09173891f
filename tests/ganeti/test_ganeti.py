#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Suite `ganeti`: a real two-node Ganeti 3.0 cluster (gnt_cluster.py)
driven through Ganeti's own commands, with hvkit's backend on both nodes.

1. The upgrade path: an instance started by Ganeti's own driver on node 1
   (with a disk hot-added by it) is adopted by node 1's hvkitd when the
   node switches to hvkit (hvkitctl adopt), then migrates to node 2, whose
   Ganeti runs on hvkit as well, and back.
2. The lifecycle on hvkit: gnt-instance add, start, info, modify --hotplug
   adding a disk and a NIC, migrate to node 2 and back with them, their
   removal, failover, reboot, shutdown, remove; gnt-cluster verify.

Every step's effect is checked apart from Ganeti's exit status: QEMU's
process and pidfile on the node that should run it (and none on the
other), QEMU's own PCI view on its human monitor, the guest's view of its
disks and NICs through its serial console, hvkitd's view (hvkitctl).

Progress goes to stdout as TAP; exit 77 (skip) only when this machine
lacks a requirement, which is named."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gnt_cluster as gc  # noqa: E402
from gnt_cluster import VIRTIO_BLOCK, VIRTIO_NET, find_qemu, log  # noqa: E402

INSTANCE = 'inst1'
LEGACY = 'legacy1'


class Steps:
    """TAP lines, one per step; the first failure ends the run."""

    def __init__(self):
        self.count = 0
        self.times = {}

    def run(self, name, function, *args):
        self.count += 1
        started = time.monotonic()
        try:
            result = function(*args)
        except BaseException:
            print(f'not ok {self.count} - {name}', flush=True)
            raise
        elapsed = time.monotonic() - started
        self.times[name] = elapsed
        print(f'ok {self.count} - {name} ({elapsed:.1f} s)', flush=True)
        return result


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


class Lifecycle:
    """Ganeti's commands on one instance, each checked on the nodes."""

    def __init__(self, cluster, name):
        self.cluster = cluster
        self.master = cluster.master
        self.name = name
        self.disks = 1
        self.nics = 1

    def gnt(self, *args):
        return self.master.gnt(*args)

    def other(self, node):
        return next(n for n in self.cluster.nodes if n is not node)

    def qemu_on(self, node):
        """The instance's QEMU on NODE, run by the driver NODE's Ganeti
        uses, and no QEMU of it on any other node."""
        qemu = find_qemu(node, self.name)
        expect(qemu is not None, f'{self.name}: no QEMU on {node}')
        for other in self.cluster.nodes:
            if other is not node:
                expect(find_qemu(other, self.name) is None,
                       f'{self.name}: a QEMU on {other} as well')
        expect(self.cluster.node_of(self.name) is node,
               f'{self.name}: Ganeti says it is on {self.cluster.node_of(self.name)}, not {node}')
        if node.backend == 'hvkit':
            listed = node.hvkit_list()
            expect(self.name in listed, f'{node}: hvkitd lists {listed}, not {self.name}')
            expect(qemu.files == 'hvkit', f'{qemu}: not hvkit\'s')
        else:
            expect(qemu.files == 'stock', f'{qemu}: not Ganeti\'s own driver\'s')
        return qemu

    def check_devices(self, qemu):
        """QEMU's PCI bus and the guest agree with what Ganeti holds."""
        pci = qemu.pci_devices()
        expect(qemu.count(VIRTIO_BLOCK, pci) == self.disks,
               f'{qemu}: {qemu.count(VIRTIO_BLOCK, pci)} virtio disks on the PCI bus, '
               f'expected {self.disks}: {pci}')
        expect(qemu.count(VIRTIO_NET, pci) == self.nics,
               f'{qemu}: {qemu.count(VIRTIO_NET, pci)} virtio NICs, expected {self.nics}: {pci}')
        disks, nics = qemu.guest_devices()
        expect(len(disks) == self.disks, f'the guest sees disks {disks}, expected {self.disks}')
        expect(len(nics) == self.nics, f'the guest sees NICs {nics}, expected {self.nics}')
        held = self.gnt('gnt-instance', 'list', '--no-headers', '--separator=|',
                        '-o', 'disk.count,nic.count', self.name).strip()
        expect(held == f'{self.disks}|{self.nics}', f'Ganeti holds {held} disks|NICs')

    # -- steps -------------------------------------------------------------------

    def add(self, node):
        self.gnt('gnt-instance', 'add', '-t', 'sharedfile', '--no-install', '--no-start',
                 '-o', gc.OS_NAME, '-s', '64M', '-B', 'maxmem=128M,minmem=128M,vcpus=1',
                 '--no-ip-check', '--no-name-check', '-n', node.name, self.name)
        files = os.listdir(os.path.join(self.cluster.shared_dir, self.name))
        expect(len(files) == 1, f'sharedfile directory of {self.name} holds {files}')
        expect(all(find_qemu(n, self.name) is None for n in self.cluster.nodes),
               'a QEMU runs after add --no-start')

    def start(self, node):
        self.gnt('gnt-instance', 'start', self.name)
        qemu = self.qemu_on(node)
        expect(qemu.status() == 'running', f'{qemu}: status {qemu.status()}')
        self.check_devices(qemu)
        return qemu

    def info(self, node):
        text = self.gnt('gnt-instance', 'info', self.name)
        expect('State: configured to be up, actual state is up' in text,
               f'gnt-instance info says:\n{text}')
        expect(f'primary: {node.name}' in text.lower(),
               f'gnt-instance info names another primary node:\n{text}')
        if node.backend == 'hvkit':
            info = node.hvkitctl('--json', 'info', self.name)
            expect(info and info.get('name') == self.name, f'hvkitctl info: {info}')
        return text

    def hotplug(self, node, kind, action):
        option = '--disk' if kind == 'disk' else '--net'
        if action == 'add':
            spec = 'add:size=32M' if kind == 'disk' else 'add'
        else:
            spec = f'{(self.disks if kind == "disk" else self.nics) - 1}:remove'
        before = self.qemu_on(node)
        self.gnt('gnt-instance', 'modify', '--hotplug', '--force', option, spec, self.name)
        if kind == 'disk':
            self.disks += 1 if action == 'add' else -1
        else:
            self.nics += 1 if action == 'add' else -1
        qemu = self.qemu_on(node)
        expect(qemu.pid == before.pid, f'{self.name}: QEMU changed from {before} to {qemu}')
        self.check_devices(qemu)

    def migrate(self, source, target):
        before = self.qemu_on(source)
        marker = f'{time.monotonic_ns()}'
        before.guest(f'echo {marker} > /tmp/marker')
        self.gnt('gnt-instance', 'migrate', '-f', '-n', target.name, self.name)
        qemu = self.qemu_on(target)
        expect(qemu.status() == 'running', f'{qemu}: status {qemu.status()}')
        # the same guest, not a new boot: its memory came along
        expect(qemu.guest('cat /tmp/marker').strip() == marker, 'the guest lost its memory')
        self.check_devices(qemu)

    def failover(self, source, target):
        self.gnt('gnt-instance', 'failover', '-f', '-n', target.name, self.name)
        qemu = self.qemu_on(target)
        expect(qemu.status() == 'running', f'{qemu}: status {qemu.status()}')
        self.check_devices(qemu)

    def reboot(self, node):
        before = self.qemu_on(node)
        marker = f'{time.monotonic_ns()}'
        before.guest(f'echo {marker} > /tmp/marker')
        self.gnt('gnt-instance', 'reboot', self.name)
        qemu = self.qemu_on(node)
        expect(qemu.status() == 'running', f'{qemu}: status {qemu.status()}')
        # a fresh boot: the initramfs's /tmp is new
        expect(qemu.guest('cat /tmp/marker 2>/dev/null || echo none').strip() == 'none',
               'the guest was not rebooted')
        self.check_devices(qemu)

    def shutdown(self, node):
        self.gnt('gnt-instance', 'shutdown', self.name)
        for other in self.cluster.nodes:
            expect(find_qemu(other, self.name) is None, f'a QEMU of {self.name} on {other}')
        if node.backend == 'hvkit':
            listed = node.hvkit_list()
            expect(self.name not in listed, f'{node}: hvkitd still lists {self.name}')
        state = self.gnt('gnt-instance', 'list', '--no-headers', '-o', 'status',
                         self.name).strip()
        expect(state == 'ADMIN_down', f'Ganeti says {self.name} is {state}')

    def remove(self):
        self.gnt('gnt-instance', 'remove', '-f', self.name)
        expect(not os.path.exists(os.path.join(self.cluster.shared_dir, self.name)),
               f'the disks of {self.name} are still there')
        names = self.gnt('gnt-instance', 'list', '--no-headers', '-o', 'name').split()
        expect(self.name not in names, f'Ganeti still lists {self.name}')


def verify_cluster(cluster):
    """gnt-cluster verify: no error but /proc/sysrq-trigger's, which this
    kernel does not have."""
    proc = cluster.master.run(['/usr/sbin/gnt-cluster', 'verify'], check=False)
    errors = [line for line in proc.stdout.splitlines() if '- ERROR' in line]
    unexpected = [line for line in errors if 'sysrq-trigger' not in line]
    expect(not unexpected, 'gnt-cluster verify:\n' + '\n'.join(unexpected))
    expect(len(errors) <= len(cluster.nodes), f'errors: {errors}')
    warnings = [line for line in proc.stdout.splitlines() if '- WARNING' in line]
    expect(not warnings, 'gnt-cluster verify warns:\n' + '\n'.join(warnings))


def switch_node(node, adopt=False):
    """Node NODE's Ganeti moves to hvkit: hvkitd up, the node daemon
    stopped (no RPC may reach Ganeti's driver meanwhile), the instances
    Ganeti's driver started adopted, the backend switched on for this
    node's mount namespace, the node daemon started again."""
    node.start_hvkitd()
    node.run([gc.DAEMON_UTIL, 'stop', 'ganeti-noded'])
    adopted = node.hvkitctl('adopt', gc.GANETI_RUN_DIR) if adopt else ''
    node.switch_to_hvkit()
    node.run([gc.DAEMON_UTIL, 'start', 'ganeti-noded'])
    return adopted


def upgrade_path(steps, cluster):
    node1, node2 = cluster.nodes
    legacy = Lifecycle(cluster, LEGACY)
    steps.run('stock: add on node 1', legacy.add, node1)
    stock_qemu = steps.run('stock: start on node 1', legacy.start, node1)
    expect(stock_qemu.files == 'stock', f'{stock_qemu}: not Ganeti\'s driver')
    steps.run('stock: hot-add a disk', legacy.hotplug, node1, 'disk', 'add')
    ids = stock_qemu.pci_devices()
    adopted = steps.run('node 1 to hvkit, adopting', switch_node, node1, True)
    expect(f'{LEGACY} adopted' in adopted.splitlines(), f'hvkitctl adopt said: {adopted}')
    listed = node1.hvkit_list()
    expect(LEGACY in listed, f'hvkitd on node 1 lists {listed}')
    qemu = legacy.qemu_on(node1)
    expect(qemu.pid == stock_qemu.pid, f'{qemu}: not the QEMU Ganeti started')
    expect(qemu.pci_devices() == ids, 'the devices changed on adoption')
    steps.run('node 2 to hvkit', switch_node, node2)
    steps.run('adopted: info through hvkit', legacy.info, node1)
    steps.run('adopted: hot-add a NIC through hvkit', legacy.hotplug, node1, 'nic', 'add')
    steps.run('adopted: migrate to node 2', legacy.migrate, node1, node2)
    steps.run('adopted: migrate back to node 1', legacy.migrate, node2, node1)
    steps.run('adopted: shutdown', legacy.shutdown, node1)
    steps.run('adopted: remove', legacy.remove)


def lifecycle(steps, cluster, prefix=''):
    node1, node2 = cluster.nodes
    inst = Lifecycle(cluster, INSTANCE)
    steps.run(f'{prefix}add', inst.add, node1)
    steps.run(f'{prefix}start', inst.start, node1)
    steps.run(f'{prefix}info', inst.info, node1)
    steps.run(f'{prefix}hot-add disk', inst.hotplug, node1, 'disk', 'add')
    steps.run(f'{prefix}hot-add NIC', inst.hotplug, node1, 'nic', 'add')
    steps.run(f'{prefix}migrate to node 2', inst.migrate, node1, node2)
    steps.run(f'{prefix}migrate back to node 1', inst.migrate, node2, node1)
    steps.run(f'{prefix}hot-remove disk', inst.hotplug, node1, 'disk', 'remove')
    steps.run(f'{prefix}hot-remove NIC', inst.hotplug, node1, 'nic', 'remove')
    steps.run(f'{prefix}failover to node 2', inst.failover, node1, node2)
    steps.run(f'{prefix}reboot', inst.reboot, node2)
    steps.run(f'{prefix}gnt-cluster verify', verify_cluster, cluster)
    steps.run(f'{prefix}shutdown', inst.shutdown, node2)
    steps.run(f'{prefix}remove', inst.remove)


def main():
    stock_only = os.environ.get('HVKIT_GANETI_STOCK_ONLY') == '1'
    try:
        cluster = gc.Cluster(deadline_s=int(os.environ.get('HVKIT_GANETI_DEADLINE_S', '1500')),
                             hvkit=not stock_only)
    except gc.Missing as missing:
        print(f'1..0 # SKIP {missing}')
        return 77
    print('TAP version 13')
    steps = Steps()
    started = time.monotonic()
    with cluster:
        if stock_only:
            lifecycle(steps, cluster, 'stock: ')
        else:
            upgrade_path(steps, cluster)
            lifecycle(steps, cluster, 'hvkit: ')
    print(f'1..{steps.count}')
    log(f'all steps in {time.monotonic() - started:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
