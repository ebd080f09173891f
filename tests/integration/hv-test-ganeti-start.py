#!/usr/bin/python3
# Copyright (C) 2026 The hvkit authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Starts an instance with Ganeti's own KVM driver (Ganeti 3.0, Debian's
# `ganeti`), exactly as a node daemon's StartInstance would, but with the
# driver's run directory (and QEMU's log directory) moved to RUN_DIR, so
# that a test can adopt it without a cluster. NIC taps are configured by
# Ganeti's own /usr/lib/ganeti/kvm-ifup: run it inside a private network
# namespace that has the bridge.
#
# Usage: hv-test-ganeti-start.py RUN_DIR NAME UUID KERNEL INITRD KERNEL_ARGS
#          [--paused] [--disk UUID:PATH]... [--nic UUID,MAC,BRIDGE]...
# Prints the pid of the QEMU it started.

import argparse
import os
import sys

sys.path.insert(0, '/usr/share/ganeti/3.0')

from ganeti import constants, objects, pathutils  # noqa: E402
from ganeti.hypervisor import hv_kvm  # noqa: E402

SUBDIRS = {
    '_PIDS_DIR': 'pid', '_UIDS_DIR': 'uid', '_CTRL_DIR': 'ctrl', '_CONF_DIR': 'conf',
    '_NICS_DIR': 'nic', '_CHROOT_DIR': 'chroot', '_CHROOT_QUARANTINE_DIR': 'chroot-quarantine',
}


def move_run_dir(root):
    """Points the driver's class attributes (its paths) at @root."""
    cls = hv_kvm.KVMHypervisor
    cls._ROOT_DIR = root
    for attribute, sub in SUBDIRS.items():
        setattr(cls, attribute, os.path.join(root, sub))
    cls._DIRS = [root] + [os.path.join(root, sub) for sub in SUBDIRS.values()]
    pathutils.LOG_KVM_DIR = os.path.join(root, 'log')
    os.makedirs(pathutils.LOG_KVM_DIR, exist_ok=True)


def main():
    parser = argparse.ArgumentParser()
    for name in ('run_dir', 'name', 'uuid', 'kernel', 'initrd', 'kernel_args'):
        parser.add_argument(name)
    parser.add_argument('--paused', action='store_true')
    parser.add_argument('--disk', action='append', default=[])
    parser.add_argument('--nic', action='append', default=[])
    args = parser.parse_args()

    move_run_dir(args.run_dir)
    hvparams = dict(constants.HVC_DEFAULTS[constants.HT_KVM])
    hvparams.update(kvm_flag=constants.HT_KVM_DISABLED,
                    kvm_path='/usr/bin/qemu-system-x86_64',
                    kernel_path=args.kernel, initrd_path=args.initrd,
                    root_path='/dev/ram0', kernel_args=args.kernel_args,
                    serial_console=True, vnc_bind_address='', user_shutdown=False)
    disks, block_devices = [], []
    for spec in args.disk:
        uuid, path = spec.split(':', 1)
        disk = objects.Disk(dev_type=constants.DT_FILE, uuid=uuid, mode=constants.DISK_RDWR,
                            size=os.path.getsize(path) >> 20, params={},
                            logical_id=('loop', path))
        disks.append(disk)
        block_devices.append((disk, path, None))
    nics = []
    for spec in args.nic:
        uuid, mac, bridge = spec.split(',', 2)
        nics.append(objects.NIC(uuid=uuid, mac=mac, nicparams={
            constants.NIC_MODE: constants.NIC_MODE_BRIDGED, constants.NIC_LINK: bridge,
            constants.NIC_VLAN: ''}))
    instance = objects.Instance(name=args.name, uuid=args.uuid, hvparams=hvparams,
                                beparams={constants.BE_MAXMEM: 128, constants.BE_MINMEM: 128,
                                          constants.BE_VCPUS: 1},
                                nics=nics, disks=disks, hypervisor=constants.HT_KVM,
                                os='none', primary_node='node1', tags=[])
    driver = hv_kvm.KVMHypervisor()
    driver.StartInstance(instance, block_devices, args.paused)
    print(driver._InstancePidAlive(args.name)[1])


if __name__ == '__main__':
    main()
