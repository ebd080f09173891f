#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A tour of hvkit from Python: load the KVM plugin, look at its parameters,
check some, ask about the node, then boot the test guest, talk to it on its
serial console, look at it, balloon it, hot-plug a disk and a NIC into it and
out again; last, hand it to hvkitd and migrate it with hvkitctl to a second
host (another hvkitd in a network namespace of its own), where it runs on
with what it kept in memory, and stop it there.

contrib/run-demo.sh builds hvkit (and the test guest) and runs this against
the build, nothing installed. By hand, from a build directory:

    GI_TYPELIB_PATH=build/framework LD_LIBRARY_PATH=build/framework \\
    HVKIT_PLUGIN_DIR=build/plugin/kvm HVKIT_TEST_GUEST_DIR=build/tests/guest \\
    /usr/bin/python3 tools/hvkit-demo.py

Each step is a function: the first ones take the hypervisor, the guest's
take a Guest, which holds what they share.
"""

import ctypes
import gc
import json
import os
import re
import sys
import tempfile

import gi
gi.require_version('Hv', '1.0')
from gi.repository import Gio, GLib, Hv  # noqa: E402

# Under TCG the guest needs about 3 s to boot here, more on a busy machine.
BOOT_TIMEOUT_S = 120
COMMAND_TIMEOUT_S = 30
STOP_TIMEOUT_S = 60

GUEST_NAME = 'hvkit-demo'
# the two hosts' link, inside the demo's network namespaces only
ADDRESS_A = '10.234.0.1'
ADDRESS_B = '10.234.0.2'
CLONE_NEWNET = 0x40000000
# a file in the guest's tmpfs: its RAM, which the migration carries
STATE_FILE = '/tmp/demo-state'
READY_MARKER = 'HVKIT-GUEST-READY'
POWERDOWN_MARKER = 'HVKIT-GUEST-POWERDOWN'
# printk's timestamp: the kernel's boot messages are some 300 lines
KERNEL_MESSAGE = re.compile(r'\[ *\d+\.\d+\] ')
KERNEL_MESSAGES_SHOWN = 3


def heading(title):
    print(f'\n== {title}')


TYPE_NAMES = {'s': 'string', 'b': 'bool', 'x': 'int'}


def show_parameters(kvm):
    """The driver's parameter table: Ganeti's hvparams of KVM."""
    specs = kvm.get_parameters()
    heading(f'{kvm.get_name()}: {len(specs)} parameters')
    print(f'{"name":31} {"type":6} {"required":8} check')
    for spec in specs:
        kind = TYPE_NAMES[spec.get_value_type().dup_string()]
        required = 'yes' if spec.get_required() else ''
        check = spec.get_syntax_message() or ''
        print(f'{spec.get_name():31} {kind:6} {required:8} {check}')


def with_values(hvparams, **values):
    """A copy of hvparams (an a{sv}) with some values replaced."""
    changed = GLib.VariantDict.new(hvparams)
    for name, value in values.items():
        changed.insert_value(name, value)
    return changed.end()


def check(kvm, title, hvparams):
    print(f'{title}: ', end='')
    try:
        kvm.check_parameter_syntax(hvparams)
        print('accepted')
    except GLib.Error as error:
        if not error.matches(Hv.error_quark(), Hv.Error.INVALID_PARAMETER):
            raise
        print(f'refused\n    {error.message}')


def show_checks(kvm):
    """Checking hvparams, as Ganeti's CheckParameterSyntax does."""
    heading('parameter checks')
    defaults = kvm.props.default_hvparams
    check(kvm, "Ganeti's defaults", defaults)
    check(kvm, 'boot from CD-ROM, no image', with_values(
        defaults, boot_order=GLib.Variant('s', 'cdrom')))
    check(kvm, 'a misspelt parameter', with_values(
        defaults, kernel_pth=GLib.Variant('s', '/boot/vmlinuz')))


def show_node_info(kvm):
    """What the node offers, from /proc and sysfs."""
    heading('node info')
    info = kvm.get_node_info_sync(None)
    for key, value in sorted(info.to_variant().unpack().items()):
        print(f'{key:16} {value}')


class SerialConsole:
    """The guest's ttyS0, a unix socket QEMU serves: lines are read
    asynchronously from the moment it connects, so nothing the guest says
    is lost, and waited for in a GLib main loop with a timeout."""

    def __init__(self, path):
        address = Gio.UnixSocketAddress.new(path)
        self.connection = Gio.SocketClient.new().connect(address, None)
        self.input = Gio.DataInputStream.new(self.connection.get_input_stream())
        self.lines = []
        self.closed = False
        self.loop = None
        self._read_next()

    def _read_next(self):
        self.input.read_line_async(GLib.PRIORITY_DEFAULT, None, self._on_line)

    def _on_line(self, stream, result):
        try:
            line, _ = stream.read_line_finish_utf8(result)
        except GLib.Error as error:
            # a garbled line (the early kernel console can lose bytes) is
            # no reason to stop reading; a failed read is an end
            garbled = error.matches(GLib.convert_error_quark(),
                                    GLib.ConvertError.ILLEGAL_SEQUENCE)
            line = '\N{REPLACEMENT CHARACTER}' if garbled else None
        if line is None:
            # QEMU closed the socket: it is gone
            self.closed = True
        else:
            # a tty ends its lines with CR LF
            self.lines.append(line.rstrip('\r'))
            self._read_next()
        if self.loop is not None:
            self.loop.quit()

    def next_line(self, timeout_s):
        """The next line the guest printed, waiting up to timeout_s for it;
        None once the console is closed."""
        if not self.lines and not self.closed:
            self.loop = GLib.MainLoop()
            timer = GLib.timeout_source_new_seconds(timeout_s)
            timer.set_callback(lambda _: self.loop.quit())
            timer.attach(None)
            self.loop.run()
            timer.destroy()
            self.loop = None
            if not self.lines and not self.closed:
                raise TimeoutError(f'the guest said nothing for {timeout_s} s')
        return self.lines.pop(0) if self.lines else None

    def send(self, line):
        self.connection.get_output_stream().write_all(f'{line}\n'.encode(), None)

    def close(self):
        self.connection.close(None)


class Guest:
    """The test guest as an hvkit instance, and what the steps share."""

    def __init__(self, kvm, run_dir):
        self.kvm = kvm
        self.run_dir = run_dir
        self.instance = None
        self.console = None

    def socket_path(self, suffix):
        """hvkit puts the instance's sockets in its run dir."""
        return os.path.join(self.run_dir, GUEST_NAME + suffix)

    def print_until(self, marker, timeout_s):
        """Prints what the guest says up to the line starting with marker;
        of a run of kernel messages, only the first few and how many."""
        shown = hidden = 0
        while True:
            line = self.console.next_line(timeout_s)
            if line is None:
                raise RuntimeError(f'the console closed before {marker}')
            if KERNEL_MESSAGE.match(line):
                if shown < KERNEL_MESSAGES_SHOWN:
                    shown += 1
                    print(f'  | {line}')
                else:
                    hidden += 1
                continue
            if hidden:
                print(f'  | ({hidden} more kernel messages)')
            shown = hidden = 0
            print(f'  | {line}')
            if line.startswith(marker):
                return line


def find_test_guest():
    """The test guest's description (tests/guest/build-guest.py writes
    guest.json next to the kernel and initramfs)."""
    guest_dir = os.environ.get('HVKIT_TEST_GUEST_DIR')
    if not guest_dir:
        raise RuntimeError('HVKIT_TEST_GUEST_DIR is not set: point it at the '
                           "build's tests/guest (contrib/run-demo.sh does)")
    manifest = os.path.join(guest_dir, 'guest.json')
    try:
        with open(manifest, encoding='utf-8') as file:
            description = json.load(file)
    except OSError as error:
        raise RuntimeError(f'no test guest in {guest_dir} ({error.strerror}); '
                           'build it with `meson compile -C build hv-test-guest`')
    description['dir'] = os.path.abspath(guest_dir)
    return description


def new_guest_instance(kvm, description):
    """An Hv.Instance from its a{sv} form, as Ganeti would hand it over:
    Ganeti's defaults, with the test guest's kernel booted directly."""
    def s(value):
        return GLib.Variant('s', value)

    hvparams = with_values(
        kvm.props.default_hvparams,
        kvm_path=s('/usr/bin/qemu-system-x86_64'),
        # TCG: the /dev/kvm of the project machines cannot boot Linux
        kvm_flag=s('disabled'),
        kernel_path=s(os.path.join(description['dir'], 'vmlinuz')),
        initrd_path=s(os.path.join(description['dir'], 'initrd.img')),
        kernel_args=s(description['kernel_args']),
        root_path=s('/dev/ram0'))
    beparams = {name: GLib.Variant('x', value)
                for name, value in (('maxmem', 256), ('memory', 256), ('vcpus', 1))}
    return Hv.Instance.new_from_variant(GLib.Variant('a{sv}', {
        'name': s(GUEST_NAME),
        'hvparams': hvparams,
        'beparams': GLib.Variant('a{sv}', beparams),
    }))


def start_paused(guest):
    """StartInstance, paused: QEMU runs, but the guest's CPUs wait, so
    that the console can be attached before the guest says anything."""
    heading(f'start {GUEST_NAME}, paused')
    guest.kvm.start_instance_sync(guest.instance, True, None)
    info = guest.kvm.get_instance_info_sync(GUEST_NAME, None)
    print(f'state: {info.get_state().value_nick}')


def attach_and_resume(guest):
    """The serial console first, then `cont` on the human monitor (HMP):
    the guest's first line goes to a listener already there."""
    heading('serial console')
    guest.console = SerialConsole(guest.socket_path('.serial'))
    monitor = Gio.SocketClient.new().connect(
        Gio.UnixSocketAddress.new(guest.socket_path('.monitor')), None)
    monitor.get_output_stream().write_all(b'cont\n', None)
    # kept open until the guest is up, so that QEMU reads all of `cont`
    guest.print_until(READY_MARKER, BOOT_TIMEOUT_S)
    monitor.close(None)


def run_command(guest, command):
    """Runs a shell command on the guest's console and prints its output,
    framed by markers that the command line itself cannot match; returns
    the output's lines."""
    heading(f'in the guest: {command}')
    output = []
    guest.console.send(f"printf 'HVKIT-DEMO-%s\\n' BEGIN; {command}; "
                       "printf 'HVKIT-DEMO-%s %d\\n' END $?")
    started = False
    while True:
        line = guest.console.next_line(COMMAND_TIMEOUT_S)
        if line is None:
            raise RuntimeError(f'the console closed while running {command}')
        end = re.fullmatch(r'HVKIT-DEMO-END (\d+)', line)
        if end:
            print(f'(exit status {end.group(1)})')
            return output
        if started and not line.startswith('UEVENT '):
            print(f'  {line}')
            output.append(line)
        started = started or line == 'HVKIT-DEMO-BEGIN'


def show_guest_command(guest):
    run_command(guest, 'uname -r; head -2 /proc/meminfo')


def show_instance_info(guest, title='instance info'):
    """GetInstanceInfo: memory from the balloon, vCPUs and state from
    QMP, CPU time from /proc."""
    heading(title)
    info = guest.kvm.get_instance_info_sync(GUEST_NAME, None)
    print(f'state     {info.get_state().value_nick}')
    print(f'memory    {info.get_memory()} MiB')
    print(f'vcpus     {info.get_vcpus()}')
    print(f'pid       {info.get_pid()}')
    print(f'cpu_time  {info.get_cpu_time():.2f} s')


def show_console_and_list(guest):
    """GetInstanceConsole (how a person reaches the serial console) and
    ListInstances."""
    heading('console and instances')
    console = guest.kvm.get_instance_console(guest.instance)
    print(f'console:   {console.get_kind().value_nick} {console.get_user()}@'
          f'{console.get_host()}: {" ".join(console.get_command())}')
    print(f'instances: {", ".join(guest.kvm.list_instances())}')


def balloon_down(guest):
    """BalloonInstanceMemory: returns once the guest's balloon driver has
    given the memory back."""
    guest.kvm.balloon_instance_memory_sync(guest.instance, 160, None)
    show_instance_info(guest, 'after ballooning to 160 MiB')


def hotplug(guest):
    """HotAddDevice and HotDelDevice: a disk and a NIC plugged into the
    running guest, which reports them itself (its uevent listener prints a
    line for each), then unplugged again. The NIC is on no network: the
    demo's NIC scripts do nothing."""
    heading('hotplug')
    guest.kvm.hotplug_supported_sync(guest.instance, None)
    disk_path = os.path.join(guest.run_dir, 'demo-disk.img')
    with open(disk_path, 'wb') as image:
        image.truncate(16 * 1024 * 1024)
    disk = Hv.Disk.new()
    disk.set_uuid('de3d0001-0000-4000-8000-000000000001')
    disk.set_size(16)
    disk.set_mode('rw')
    disk.set_link(disk_path)
    nic = Hv.Nic.new()
    nic.set_uuid('de3d0002-0000-4000-8000-000000000002')
    nic.set_mac('52:54:00:de:3d:02')
    nic.set_mode('bridged')

    guest.kvm.hot_add_device_sync(guest.instance, disk, 0, None)
    print(f'disk added in PCI slot {disk.get_pci()}')
    guest.print_until('UEVENT add block', COMMAND_TIMEOUT_S)
    guest.kvm.hot_add_device_sync(guest.instance, nic, 0, None)
    print(f'NIC added in PCI slot {nic.get_pci()}')
    guest.print_until('UEVENT add net', COMMAND_TIMEOUT_S)
    run_command(guest, 'cat /sys/block/vd?/size /sys/class/net/eth0/address')

    heading('hot-removal')
    guest.kvm.hot_del_device_sync(guest.instance, disk, 0, None)
    print('disk removed')
    guest.print_until('UEVENT remove block', COMMAND_TIMEOUT_S)
    guest.kvm.hot_del_device_sync(guest.instance, nic, 0, None)
    print('NIC removed')
    guest.print_until('UEVENT remove net', COMMAND_TIMEOUT_S)


def find_program(variable, relative):
    """A program of the build: the environment says where, or it is found
    from the plugin directory, build/plugin/kvm."""
    path = os.environ.get(variable)
    if path:
        return path
    build = os.path.dirname(os.path.dirname(os.path.abspath(
        os.environ.get('HVKIT_PLUGIN_DIR', '.'))))
    return os.path.join(build, relative)


def run(argv):
    """Runs a program (no shell); fails with what it said on stderr."""
    process = Gio.Subprocess.new(argv, Gio.SubprocessFlags.STDERR_PIPE)
    _, _, err = process.communicate_utf8(None, None)
    if not process.get_successful():
        raise RuntimeError(f'{" ".join(argv)}: {err.strip()}')


def enter_private_network():
    """A network namespace of the demo's own: the hot-added NIC's tap and
    the link between the two hosts never touch this machine's network."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise RuntimeError('cannot make a network namespace '
                           f'({os.strerror(ctypes.get_errno())}): run the demo as root')
    run(['ip', 'link', 'set', 'lo', 'up'])


class Host:
    """A host of its own: a D-Bus session bus and an hvkitd serving the run
    directory on it (no polkit on a session bus). With netns, hvkitd and
    the QEMUs it starts live in a network namespace of their own: unshare
    execs hvkitd, so its pid names the namespace."""

    def __init__(self, name, run_dir, netns):
        self.name = name
        self.run_dir = run_dir
        self.netns = netns
        self.hvkitd = None
        self.bus = Gio.Subprocess.new(
            ['dbus-daemon', '--session', '--nofork', '--print-address=1'],
            Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_SILENCE)
        stream = Gio.DataInputStream.new(self.bus.get_stdout_pipe())
        self.address = stream.read_line_utf8(None)[0].strip()
        self.launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.NONE)
        self.launcher.setenv('DBUS_SESSION_BUS_ADDRESS', self.address, True)
        argv = [find_program('HVKIT_DEMO_HVKITD', 'tools/hvkitd/hvkitd'), '--session',
                '--run-dir', run_dir,
                # as the demo's own HvKvm: NICs on no network, a quick power button
                '--option', "ifup-script='/bin/true'", '--option', "ifdown-script='/bin/true'",
                '--option', 'powerdown-interval-ms=uint32 2000']
        self.hvkitd = self.launcher.spawnv(['unshare', '--net', '--'] + argv if netns else argv)
        # hvkitd owns its name once it has loaded the plugins: wait for it
        self.launcher.spawnv(['gdbus', 'wait', '--session', '--timeout', '30',
                              'org.hvkit']).wait_check(None)

    def ip(self, *args):
        """`ip` in the host's network namespace."""
        if self.netns:
            run(['nsenter', '--target', self.hvkitd.get_identifier(), '--net', '--', 'ip', *args])
        else:
            run(['ip', *args])

    def hvkitctl(self, *args):
        """Runs hvkitctl against this host's hvkitd, printing each line it
        prints as it comes."""
        print(f'[{self.name}] $ hvkitctl {" ".join(args)}')
        self.launcher.set_flags(Gio.SubprocessFlags.STDOUT_PIPE)
        ctl = self.launcher.spawnv([find_program('HVKIT_DEMO_HVKITCTL', 'tools/hvkitctl/hvkitctl'),
                                    '--session', *args])
        self.launcher.set_flags(Gio.SubprocessFlags.NONE)
        stream = Gio.DataInputStream.new(ctl.get_stdout_pipe())
        while (line := stream.read_line_utf8(None)[0]) is not None:
            print(f'  {line}')
        ctl.wait(None)
        if not ctl.get_if_exited() or ctl.get_exit_status() != 0:
            raise RuntimeError(f'hvkitctl {args[0]} on host {self.name} failed')

    def stop_guest_if_there(self):
        """Whatever went wrong, no QEMU of the demo is left running."""
        ctl = self.launcher.spawnv([find_program('HVKIT_DEMO_HVKITCTL', 'tools/hvkitctl/hvkitctl'),
                                    '--session', 'stop', GUEST_NAME, '--force'])
        ctl.wait(None)

    def close(self):
        if self.hvkitd is not None:
            self.hvkitd.send_signal(15)
            self.hvkitd.wait(None)
        self.bus.force_exit()
        self.bus.wait(None)


def link_hosts(a, b):
    """A veth pair between the hosts' namespaces, an address on each end."""
    run(['ip', 'link', 'add', 'demo-a', 'type', 'veth', 'peer', 'name', 'demo-b'])
    run(['ip', 'link', 'set', 'demo-b', 'netns', b.hvkitd.get_identifier()])
    for host, device, address in ((a, 'demo-a', ADDRESS_A), (b, 'demo-b', ADDRESS_B)):
        host.ip('link', 'set', 'lo', 'up')
        host.ip('addr', 'add', f'{address}/24', 'dev', device)
        host.ip('link', 'set', device, 'up')


def remember_state(guest):
    """Something only the guest's memory holds: a file in its tmpfs, and
    its uptime."""
    return run_command(guest, f"echo 'written on host A' > {STATE_FILE}; "
                              f"cat {STATE_FILE}; cut -d' ' -f1 /proc/uptime")


def migrate(guest, a, b, before):
    """hvkitctl migrate: Ganeti's sequence across the two hvkitd (migration
    info from A, accept on B, the live migration with its progress, both
    finalizes). The guest then answers on B's console, with A's file and
    an uptime that went on counting."""
    heading(f'live migration from host A ({ADDRESS_A}) to host B ({ADDRESS_B})')
    a.hvkitctl('migrate', GUEST_NAME, ADDRESS_B, '--target-bus', b.address)
    b.hvkitctl('list')
    guest.console.close()
    guest.console = SerialConsole(os.path.join(b.run_dir, GUEST_NAME + '.serial'))
    after = run_command(guest, f"cat {STATE_FILE}; cut -d' ' -f1 /proc/uptime")
    if after[0] != before[0] or float(after[1]) < float(before[1]):
        raise RuntimeError(f'the guest on host B does not go on from host A: {after} after {before}')


def stop_on(guest, host):
    """A soft stop through hvkitctl: the ACPI power button, until the guest
    powers off; it says so on its console before it goes."""
    heading(f'stop {GUEST_NAME} on host {host.name}')
    host.hvkitctl('stop', GUEST_NAME, '--timeout', str(STOP_TIMEOUT_S))
    guest.print_until(POWERDOWN_MARKER, COMMAND_TIMEOUT_S)
    guest.console.close()
    host.hvkitctl('list')


def hand_over_and_migrate(guest, run_dir_a, run_dir_b, before):
    """Host A's hvkitd takes over the guest the demo started (hvkit
    reconnects to running QEMUs); host B is a second hvkitd in a network
    namespace of its own."""
    heading('two hosts: hvkitd on a private session bus each, host B in its own network')
    a = Host('A', run_dir_a, netns=False)
    b = None
    try:
        b = Host('B', run_dir_b, netns=True)
        link_hosts(a, b)
        a.hvkitctl('node-info')
        a.hvkitctl('list')
        try:
            migrate(guest, a, b, before)
            stop_on(guest, b)
        finally:
            for host in (a, b):
                host.stop_guest_if_there()
    finally:
        for host in (b, a):
            if host is not None:
                host.close()


def main():
    loader = Hv.PluginLoader.new(None)
    print(f'plugin directory: {loader.get_plugin_dir()}')
    print(f'hypervisors: {", ".join(loader.list_hypervisors())}')
    description = find_test_guest()
    enter_private_network()

    # short enough for a unix socket's path, which holds 108 bytes
    with tempfile.TemporaryDirectory(prefix='hvkit-demo-') as tmp:
        run_dir, run_dir_b = os.path.join(tmp, 'a'), os.path.join(tmp, 'b')
        config = GLib.Variant('a{sv}', {
            'run-dir': GLib.Variant('s', run_dir),
            # the guest's acpid may miss a press while it starts: press
            # again soon rather than every 5 s
            'powerdown-interval-ms': GLib.Variant('u', 2000),
            # the hot-added NIC joins no network
            'ifup-script': GLib.Variant('s', '/bin/true'),
            'ifdown-script': GLib.Variant('s', '/bin/true'),
        })
        kvm = loader.get_hypervisor('kvm', config)
        for step in (show_parameters, show_checks, show_node_info):
            step(kvm)

        guest = Guest(kvm, run_dir)
        guest.instance = new_guest_instance(kvm, description)
        try:
            for step in (start_paused, attach_and_resume, show_guest_command,
                         show_instance_info, show_console_and_list, balloon_down,
                         hotplug):
                step(guest)
            before = remember_state(guest)
        except BaseException:
            # whatever failed, no QEMU is left running
            kvm.stop_instance_sync(guest.instance, True, False, 0, None)
            raise
        # one process manages a run directory at a time (HvKvm locks it):
        # this one lets it go, the guest running on, before hvkitd takes it
        guest.kvm = None
        del kvm
        gc.collect()
        hand_over_and_migrate(guest, run_dir, run_dir_b, before)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (GLib.Error, RuntimeError, TimeoutError) as error:
        message = error.message if isinstance(error, GLib.Error) else str(error)
        print(f'hvkit-demo: {message}', file=sys.stderr)
        sys.exit(1)
