# SPDX-License-Identifier: LGPL-2.1-or-later
"""A real two-node Ganeti 3.0 cluster on this machine, for the suite
`ganeti` and the benchmark `bench-ganeti` (docs/design.md, "The Ganeti
test cluster"; facts in ganeti-cluster.md of the project's reference).

Each node is a set of namespaces made by `unshare --pid --fork --mount-proc
--uts --net --mount` around gnt_init.py, its PID 1 that reaps at once:
a private tmpfs /run, its own sysfs, bind mounts of per-node directories of
the cluster's temporary directory over /etc/hosts, /etc/ganeti, /etc/ssh,
/var/lib/ganeti, /var/log/ganeti, /root, /srv and /tmp, and a bridge
`gnt0`; one veth pair, created straight into both network namespaces,
joins the bridges, so nothing of it appears on the host. sshd runs in each
node, Ganeti's daemons come up through gnt-cluster init and gnt-node add.

Everything lives in one temporary directory. Teardown kills the nodes'
PID 1s (the kernel kills the rest of their pid namespaces, their mounts
and interfaces go with them) and removes the directory; gnt_watchdog.py,
in a session of its own, does the same if the test process dies or runs
past its deadline, and each PID 1 ends itself at the deadline too.

Commands run in a node through nsenter with an argv; the tests may use
shell tools, hvkit itself does not."""

import ctypes
import json
import os
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DOMAIN = 'ganeti.example'
SUBNET = '198.51.100'
CLUSTER_NAME = f'cluster.{DOMAIN}'
CLUSTER_IP = f'{SUBNET}.10'
BRIDGE = 'gnt0'
OS_NAME = 'hvkit-stub'
FILE_DIR = '/srv/ganeti/file-storage'
SHARED_DIR = '/srv/ganeti/shared-file-storage'
GANETI_RUN_DIR = '/run/ganeti/kvm-hypervisor'
QEMU = '/usr/bin/qemu-system-x86_64'
HVKIT_RUN_DIR = '/run/hvkit'
HVKITD_LOG = '/var/log/ganeti/hvkitd.log'
DAEMON_UTIL = '/usr/lib/ganeti/daemon-util'
COMMAND_TIMEOUT_S = 300
PR_SET_PDEATHSIG = 1
NODE_ENV = {
    'PATH': '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOME': '/root',
    'LANG': 'C.UTF-8',
    'USER': 'root',
    'LOGNAME': 'root',
}
# the directories each node gets its own copy of (a bind mount needs a
# mount point: each of these exists once its package is installed; /root/.ssh
# may not, so all of /root is the node's own)
PRIVATE_DIRS = ['/etc/ganeti', '/etc/ssh', '/var/lib/ganeti', '/var/log/ganeti',
                '/root', '/srv', '/tmp']
# where this build's files are named from (meson's environment)
TREE_VARIABLES = ['G_TEST_SRCDIR', 'G_TEST_BUILDDIR', 'HVKIT_TEST_GUEST_DIR',
                  'HVKIT_TEST_HVKITD', 'HVKIT_TEST_HVKITCTL', 'HVKIT_TEST_SCRIPT_DIR',
                  'HVKIT_TEST_BUS_POLICY', 'HVKIT_TEST_POLKIT_POLICY',
                  'HVKIT_TEST_GANETI_PYTHON', 'HVKIT_TEST_GANETI_SWITCH',
                  'HVKIT_TEST_FRAMEWORK_DIR', 'HVKIT_PLUGIN_DIR', 'GI_TYPELIB_PATH',
                  'LD_LIBRARY_PATH']


def _trees_under_tmp(cluster_dir):
    """The top directories under the host's /tmp that this build's files
    are in (none when source and build live elsewhere), the cluster's own
    directory left out."""
    trees = set()
    for variable in TREE_VARIABLES:
        for path in os.environ.get(variable, '').split(':'):
            if not path:
                continue
            real = os.path.realpath(path)
            parts = real.split('/')
            if len(parts) > 2 and parts[1] == 'tmp':
                top = '/tmp/' + parts[2]
                if top != os.path.realpath(cluster_dir):
                    trees.add(top)
    return sorted(trees)


REQUIRED_PROGRAMS = ['unshare', 'nsenter', 'ip', 'mount', 'socat', '/usr/sbin/sshd',
                     'ssh-keygen', '/usr/sbin/gnt-cluster', '/usr/sbin/gnt-instance',
                     '/usr/sbin/gnt-node', QEMU]
IPOLICY = ('min:cpu-count=1,disk-count=1,disk-size=1,memory-size=32,nic-count=0,'
           'spindle-use=1/max:cpu-count=8,disk-count=16,disk-size=1048576,'
           'memory-size=32768,nic-count=8,spindle-use=12')


class Missing(Exception):
    """A requirement of the cluster is not there: the test skips."""


class CommandError(AssertionError):
    def __init__(self, node, argv, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        super().__init__(f'{node}: {shlex.join(argv)} exited {proc.returncode}\n'
                         f'stdout: {proc.stdout.strip()}\nstderr: {proc.stderr.strip()}')


# where progress goes: TAP comments on stdout for the test; the benchmark,
# whose stdout is its JSON, sets it to sys.stderr
LOG_STREAM = sys.stdout


def log(message):
    print(f'# {message}', file=LOG_STREAM, flush=True)


def _pdeathsig():
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def check_requirements():
    """Raises Missing naming the first thing this machine lacks."""
    if os.geteuid() != 0:
        raise Missing('the Ganeti test cluster needs root (namespaces, mounts)')
    for program in REQUIRED_PROGRAMS:
        if shutil.which(program) is None:
            raise Missing(f'{program} is not installed (contrib/install-deps.sh)')
    for path in PRIVATE_DIRS + ['/etc/hosts', '/usr/share/ganeti/3.0/ganeti',
                                '/dev/net/tun']:
        if not os.path.exists(path):
            raise Missing(f'{path} does not exist (contrib/install-deps.sh installs ganeti)')
    try:
        with open('/proc/self/ns/net', 'rb'):
            pass
    except OSError as error:
        raise Missing(f'no network namespaces here: {error}') from error


def load_guest():
    """The test guest's guest.json (tests/guest), with its directory."""
    guest_dir = os.environ.get('HVKIT_TEST_GUEST_DIR')
    if not guest_dir:
        raise Missing('HVKIT_TEST_GUEST_DIR is not set (run through meson test)')
    # meson said where it is, so the build was meant to make it: no skip
    with open(os.path.join(guest_dir, 'guest.json'), encoding='utf-8') as file:
        guest = json.load(file)
    guest['dir'] = os.path.abspath(guest_dir)
    return guest


class Node:
    """One node: its namespaces, its PID 1 and its private directories."""

    def __init__(self, cluster, index):
        self.cluster = cluster
        self.index = index
        self.short = f'gnt{index}'
        self.name = f'{self.short}.{DOMAIN}'
        self.address = f'{SUBNET}.{index}'
        self.dir = os.path.join(cluster.tmp, self.short)
        self.unshare = None
        self.pid = None          # the host's pid of the node's PID 1
        self.pidns = None
        self.backend = 'stock'
        self.bus_up = False

    def __str__(self):
        return self.short

    def path(self, inside):
        """Where a path of the node's private directories is on the host."""
        for private in PRIVATE_DIRS + ['/etc/hosts']:
            if inside == private or inside.startswith(private + '/'):
                base = os.path.join(self.dir, private.strip('/').replace('/', '-'))
                relative = os.path.relpath(inside, private)
                return base if relative == '.' else os.path.join(base, relative)
        raise ValueError(f'{inside} is not private to a node')

    # -- life -----------------------------------------------------------------

    def prepare(self):
        os.mkdir(self.dir, 0o700)
        for private in PRIVATE_DIRS:
            copy = self.path(private)
            if private in ('/etc/ganeti', '/etc/ssh'):
                # the package's links (share, lib) and scripts, the ssh
                # configuration; host keys are the cluster's own (below)
                shutil.copytree(private, copy, symlinks=True,
                                ignore=shutil.ignore_patterns('ssh_host_*'))
            else:
                os.mkdir(copy)
            shutil.copystat(private, copy)
        os.chmod(self.path('/tmp'), 0o1777)
        os.makedirs(self.path('/root/.ssh'), 0o700)
        for key in os.listdir(self.cluster.host_keys):
            shutil.copy2(os.path.join(self.cluster.host_keys, key), self.path('/etc/ssh'))
        with open(self.path('/etc/ganeti') + '/file-storage-paths', 'w', encoding='ascii') as file:
            file.write(f'{FILE_DIR}\n{SHARED_DIR}\n')
        for directory in (FILE_DIR, SHARED_DIR, f'/srv/ganeti/os/{OS_NAME}'):
            os.makedirs(self.path('/srv') + directory[len('/srv'):], exist_ok=True)
        self._write_os_definition(self.path('/srv') + f'/ganeti/os/{OS_NAME}')
        with open(os.path.join(self.dir, 'etc-hosts'), 'w', encoding='ascii') as file:
            file.write('127.0.0.1 localhost\n::1 localhost ip6-localhost\n'
                       f'{CLUSTER_IP} {CLUSTER_NAME} cluster\n')
            for node in self.cluster.nodes:
                file.write(f'{node.address} {node.name} {node.short}\n')

    @staticmethod
    def _write_os_definition(directory):
        with open(os.path.join(directory, 'ganeti_api_version'), 'w', encoding='ascii') as file:
            file.write('20\n')
        open(os.path.join(directory, 'parameters.list'), 'w', encoding='ascii').close()
        for script in ('create', 'import', 'export', 'rename', 'verify'):
            path = os.path.join(directory, script)
            with open(path, 'w', encoding='ascii') as file:
                file.write('#!/bin/sh\nexit 0\n')
            os.chmod(path, 0o755)

    def start(self):
        with self._log() as log_file:
            self._spawn(log_file)

    def _spawn(self, log_file):
        self.unshare = subprocess.Popen(
            ['unshare', '--pid', '--fork', '--mount-proc', '--uts', '--net', '--mount',
             '--propagation', 'private',
             sys.executable, os.path.join(HERE, 'gnt_init.py'), str(self.cluster.deadline_s)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log_file,
            preexec_fn=_pdeathsig, cwd='/', env=NODE_ENV)
        ready, _, _ = select.select([self.unshare.stdout], [], [], 30)
        line = self.unshare.stdout.readline() if ready else b''
        if line.strip() != b'ready':
            with open(os.path.join(self.dir, 'init.log'), encoding='utf-8') as file:
                raise AssertionError(f'{self}: its PID 1 did not start: {file.read()}')
        self.pid = self._child_of(self.unshare.pid)
        self.pidns = os.readlink(f'/proc/{self.pid}/ns/pid')
        with open(os.path.join(self.cluster.tmp, 'node-pids'), 'a', encoding='ascii') as file:
            file.write(f'{self.pid}\n')
        self._setup_inside()

    def _log(self):
        # unshare's and PID 1's own messages (unshare complains about its
        # signal mask when its child is killed)
        return open(os.path.join(self.dir, 'init.log'), 'ab')

    @staticmethod
    def _child_of(parent):
        with open(f'/proc/{parent}/task/{parent}/children', encoding='ascii') as file:
            children = file.read().split()
        if len(children) != 1:
            raise AssertionError(f'unshare {parent} has children {children}')
        return int(children[0])

    def _prepare_hvkit_files(self):
        """The system bus's policy directory and polkit's actions with
        hvkit's files added, as a package would install them: bind-mounted
        over the host's in every node, used once hvkitd runs there."""
        hvkit = self.cluster.hvkit
        if hvkit is None:
            return []
        binds = []
        for host_dir, name, extra in (('/etc/dbus-1/system.d', 'dbus-system.d', hvkit.bus_policy),
                                      ('/usr/share/polkit-1/actions', 'polkit-actions',
                                       hvkit.polkit_policy)):
            copy = os.path.join(self.dir, name)
            shutil.copytree(host_dir, copy, symlinks=True)
            shutil.copy(extra, copy)
            binds.append((copy, host_dir))
        return binds

    def _setup_inside(self):
        binds = [(os.path.join(self.dir, 'etc-hosts'), '/etc/hosts')]
        binds += self._prepare_hvkit_files()
        binds += [(self.path(p), p) for p in PRIVATE_DIRS if p != '/tmp']
        binds.append((self.cluster.shared_dir, SHARED_DIR))
        # the node's /tmp is its own, but a source or build tree under the
        # host's /tmp (a CI checkout, say) must stay where the node's
        # hvkitd, Ganeti's kernel_path and the switch look for it: mounted
        # at the same place inside the node's /tmp, which comes along
        for tree in _trees_under_tmp(self.cluster.tmp):
            inside = self.path('/tmp') + tree[len('/tmp'):]
            os.makedirs(inside, exist_ok=True)
            binds.append((tree, inside))
        # last: the cluster's directory is under the host's /tmp
        binds.append((self.path('/tmp'), '/tmp'))
        script = ['set -e', 'mount --make-rprivate /',
                  'mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run',
                  'mkdir -p /run/lock /run/sshd /run/dbus',
                  'mount -t sysfs -o nosuid,nodev,noexec sysfs /sys']
        # --rbind: the node's /tmp carries the trees mounted inside it
        script += [f'mount --{"rbind" if dst == "/tmp" else "bind"} '
                   f'{shlex.quote(src)} {shlex.quote(dst)}' for src, dst in binds]
        script += [f'hostname {self.name}',
                   'ip link set lo up',
                   f'ip link add {BRIDGE} type bridge',
                   f'ip address add {self.address}/24 dev {BRIDGE}',
                   f'ip link set {BRIDGE} up',
                   '/usr/sbin/sshd']
        self.run(['sh', '-c', '\n'.join(script)])

    def processes(self):
        """The host's pids of every process in the node's pid namespace."""
        pids = []
        for entry in os.listdir('/proc'):
            if entry.isdigit():
                try:
                    if os.readlink(f'/proc/{entry}/ns/pid') == self.pidns:
                        pids.append(int(entry))
                except OSError:
                    pass
        return pids

    def stop(self):
        """Kills the node's PID 1 and waits until every process of its
        pid namespace is gone (QEMU's memory, taps, mounts go with them)."""
        if self.pid is None:
            return
        fds = []
        for pid in self.processes():
            try:
                fds.append(os.pidfd_open(pid))
            except ProcessLookupError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.unshare.wait(60)
        self.unshare.stdout.close()
        end = time.monotonic() + 60
        for fd in fds:
            select.select([fd], [], [], max(0, end - time.monotonic()))
            os.close(fd)
        self.pid = None

    # -- hvkit ------------------------------------------------------------------

    def start_hvkitd(self):
        """The node's system bus (dbus-daemon --system, polkitd activated
        by it) and hvkitd --system on it, as the node's init would start
        them; returns when hvkitd owns org.hvkit."""
        hvkit = self.cluster.hvkit
        if not self.bus_up:
            # --fork returns once the bus listens
            self.run(['dbus-daemon', '--system', '--fork'])
            self.bus_up = True
        argv = [hvkit.hvkitd, '--system', '--run-dir', HVKIT_RUN_DIR,
                '--plugin-dir', hvkit.plugin_dir,
                '--option', f"ifup-script='{hvkit.script_dir}/kvm-ifup'",
                '--option', f"ifdown-script='{hvkit.script_dir}/kvm-ifdown'"]
        # HVKIT_GANETI_DEBUG=1: hvkitd logs every QMP message, with times
        debug = 'G_MESSAGES_DEBUG=all ' if os.environ.get('HVKIT_GANETI_DEBUG') == '1' else ''
        self.run(['sh', '-c', f'{debug}{shlex.join(argv)} </dev/null >>{HVKITD_LOG} 2>&1 &'])
        proc = self.run(['gdbus', 'wait', '--system', '--timeout', '60', 'org.hvkit'],
                        check=False, timeout=90)
        if proc.returncode != 0:
            with open(self.path(HVKITD_LOG), encoding='utf-8', errors='replace') as file:
                raise AssertionError(f'{self}: hvkitd did not come up: {file.read()[-2000:]}')

    def hvkitctl(self, *args, check=True):
        """hvkitctl --system ARGS on this node; --json output parsed."""
        proc = self.run([self.cluster.hvkit.hvkitctl, '--system', '--no-ask-password']
                        + list(args), check=check)
        if '--json' in args or '-j' in args:
            return json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc.stdout

    def hvkit_list(self):
        """The instances the node's hvkitd runs."""
        return self.hvkitctl('--json', 'list')

    def switch_to_hvkit(self):
        """This node's Ganeti uses hvkit's backend (hvkit-ganeti-switch
        --bind-mount: for this node's mount namespace only). The caller
        restarts the node daemon."""
        hvkit = self.cluster.hvkit
        with open(self.path('/etc/ganeti') + '/hvkit.conf', 'w', encoding='ascii') as file:
            file.write(hvkit.ganeti_config())
        self.run([hvkit.ganeti_switch, 'enable', '--bind-mount',
                  '--python-path', hvkit.ganeti_python])
        self.backend = 'hvkit'

    def switch_to_stock(self):
        """Back to Ganeti's own driver. The caller restarts the node daemon."""
        self.run([self.cluster.hvkit.ganeti_switch, 'disable'])
        self.backend = 'stock'

    def restart_noded(self):
        """Ganeti's node daemon forks its per-RPC workers from a process
        that imported the hypervisor class: a switch needs a restart."""
        self.run([DAEMON_UTIL, 'stop', 'ganeti-noded'])
        self.run([DAEMON_UTIL, 'start', 'ganeti-noded'])

    # -- commands ---------------------------------------------------------------

    def run(self, argv, check=True, timeout=COMMAND_TIMEOUT_S, env=None, input=None):
        """Runs ARGV inside the node; returns the CompletedProcess (text)."""
        full_env = dict(NODE_ENV)
        full_env.update(self.cluster.node_env)
        if env:
            full_env.update(env)
        proc = subprocess.run(
            ['nsenter', '-t', str(self.pid), '-m', '-u', '-n', '-p', '--'] + list(argv),
            input=input, capture_output=True, text=True, timeout=timeout, cwd='/',
            env=full_env)
        if check and proc.returncode != 0:
            raise CommandError(self, argv, proc)
        return proc

    def inside(self, path):
        """A path of the node's mount namespace as the host reaches it."""
        return f'/proc/{self.pid}/root{path}'

    def read(self, path):
        """A file of the node's view (its /run is its own); None if absent."""
        try:
            with open(self.inside(path), encoding='utf-8') as file:
                return file.read()
        except FileNotFoundError:
            return None

    def gnt(self, *args, check=True, timeout=COMMAND_TIMEOUT_S):
        """Runs a Ganeti command (gnt-instance …) on this node; returns its
        stdout."""
        return self.run([f'/usr/sbin/{args[0]}'] + list(args[1:]), check=check,
                        timeout=timeout).stdout

    def hmp(self, socket, command, timeout=30):
        """One HMP command on QEMU's human monitor socket; its output."""
        proc = self.run(['socat', '-t', '5', '-T', str(timeout), '-',
                         f'UNIX-CONNECT:{socket}'], input=command + '\n', timeout=timeout + 10)
        return proc.stdout


class Hvkit:
    """This build's hvkit as a node runs it, from the environment meson
    gives the suite (tests/ganeti/meson.build)."""

    VARIABLES = {
        'hvkitd': 'HVKIT_TEST_HVKITD',
        'hvkitctl': 'HVKIT_TEST_HVKITCTL',
        'plugin_dir': 'HVKIT_PLUGIN_DIR',
        'script_dir': 'HVKIT_TEST_SCRIPT_DIR',
        'bus_policy': 'HVKIT_TEST_BUS_POLICY',
        'polkit_policy': 'HVKIT_TEST_POLKIT_POLICY',
        'ganeti_python': 'HVKIT_TEST_GANETI_PYTHON',
        'ganeti_switch': 'HVKIT_TEST_GANETI_SWITCH',
        'framework_dir': 'HVKIT_TEST_FRAMEWORK_DIR',
    }

    def __init__(self):
        for attribute, variable in self.VARIABLES.items():
            value = os.environ.get(variable)
            if not value:
                raise Missing(f'{variable} is not set (run through meson test)')
            setattr(self, attribute, value)
        for program in ('dbus-daemon', 'gdbus', '/usr/lib/polkit-1/polkitd'):
            if shutil.which(program) is None:
                raise Missing(f'{program} is not installed (contrib/install-deps.sh)')
        for directory in ('/etc/dbus-1/system.d', '/usr/share/polkit-1/actions'):
            if not os.path.isdir(directory):
                raise Missing(f'{directory} does not exist (contrib/install-deps.sh)')
        # libhvkit and its typelib in the build, for hvkitctl in a node
        self.env = {name: os.environ[name] for name in ('GI_TYPELIB_PATH', 'LD_LIBRARY_PATH')
                    if os.environ.get(name)}

    def ganeti_config(self):
        """A node's /etc/ganeti/hvkit.conf (docs/ganeti.md): hvkitd on the
        node's system bus, libhvkit from the build."""
        return ('[hvkitd]\n'
                f'run_dir = {HVKIT_RUN_DIR}\n'
                f'typelib_dir = {self.framework_dir}\n'
                f'library_dir = {self.framework_dir}\n')


class Cluster:
    """Two nodes, a cluster on node 1, node 2 added. Use as a context
    manager: the exit tears everything down."""

    def __init__(self, deadline_s=900, node_count=2, hvkit=True):
        check_requirements()
        self.guest = load_guest()
        self.hvkit = Hvkit() if hvkit else None
        self.deadline_s = deadline_s
        self.node_env = dict(self.hvkit.env) if self.hvkit else {}
        self.tmp = tempfile.mkdtemp(prefix='hvkit-ganeti-')
        os.chmod(self.tmp, 0o711)
        self.watchdog = subprocess.Popen(
            [sys.executable, os.path.join(HERE, 'gnt_watchdog.py'), str(os.getpid()),
             self.tmp, str(deadline_s + 60)],
            stdin=subprocess.DEVNULL, start_new_session=True)
        self.nodes = [Node(self, i + 1) for i in range(node_count)]
        self.shared_dir = os.path.join(self.tmp, 'shared-file-storage')
        self.host_keys = os.path.join(self.tmp, 'host-keys')
        self._previous_handlers = {}

    @property
    def master(self):
        return self.nodes[0]

    def __enter__(self):
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            self._previous_handlers[signum] = signal.signal(signum, self._on_signal)
        try:
            self.bring_up()
        except BaseException:
            self.teardown()
            raise
        return self

    def __exit__(self, *exc):
        self.teardown()
        return False

    def _on_signal(self, signum, frame):
        # meson's timeout sends SIGTERM: unwind through __exit__
        raise KeyboardInterrupt(f'signal {signum}')

    # -- bring-up ---------------------------------------------------------------

    def bring_up(self):
        started = time.monotonic()
        os.mkdir(self.shared_dir)
        os.mkdir(self.host_keys)
        for kind in ('rsa', 'ecdsa', 'ed25519'):
            subprocess.run(['ssh-keygen', '-q', '-t', kind, '-N', '', '-C', 'root@' + DOMAIN,
                            '-f', os.path.join(self.host_keys, f'ssh_host_{kind}_key')],
                           check=True, stdin=subprocess.DEVNULL)
        for node in self.nodes:
            node.prepare()
        for node in self.nodes:
            node.start()
        self._link_nodes()
        self._init_cluster()
        for node in self.nodes[1:]:
            self._add_node(node)
        log(f'cluster of {len(self.nodes)} nodes up in {time.monotonic() - started:.1f} s '
            f'({self.tmp})')

    def _link_nodes(self):
        if len(self.nodes) < 2:
            return
        first, second = self.nodes[0], self.nodes[1]
        subprocess.run(['ip', 'link', 'add', 'gntv1', 'netns', str(first.pid), 'type', 'veth',
                        'peer', 'name', 'gntv2', 'netns', str(second.pid)], check=True)
        for node, link in ((first, 'gntv1'), (second, 'gntv2')):
            node.run(['ip', 'link', 'set', link, 'master', BRIDGE, 'up'])

    def hvparams(self):
        guest = self.guest
        args = ' '.join(a for a in guest['kernel_args'].split() if not a.startswith('console='))
        return (f'kvm:kvm_flag=disabled,kvm_path={QEMU},'
                f'kernel_path={guest["dir"]}/vmlinuz,initrd_path={guest["dir"]}/initrd.img,'
                f'kernel_args={args},serial_console=true,vnc_bind_address=')

    def _init_cluster(self):
        self.master.gnt('gnt-cluster', 'init', '--no-etc-hosts',
                        '--enabled-hypervisors=kvm',
                        '--enabled-disk-templates=sharedfile,file,diskless',
                        f'--file-storage-dir={FILE_DIR}',
                        f'--shared-file-storage-dir={SHARED_DIR}',
                        f'--master-netdev={BRIDGE}',
                        f'--nic-parameters=mode=bridged,link={BRIDGE}',
                        '-H', self.hvparams(),
                        CLUSTER_NAME)
        self.master.gnt('gnt-cluster', 'modify', '--ipolicy-bounds-specs', IPOLICY)

    def _add_node(self, node):
        with open(self.master.path('/root/.ssh/id_rsa.pub'), encoding='ascii') as key, \
                open(node.path('/root/.ssh/authorized_keys'), 'a', encoding='ascii') as keys:
            keys.write(key.read())
        self.master.gnt('gnt-node', 'add', '--no-ssh-key-check', node.name)

    # -- teardown -----------------------------------------------------------------

    def keep_logs(self):
        """HVKIT_GANETI_KEEP_LOGS=DIR: each node's /var/log/ganeti (Ganeti's
        daemons, QEMU, hvkitd) is copied to DIR/NODE before teardown."""
        keep = os.environ.get('HVKIT_GANETI_KEEP_LOGS')
        if not keep:
            return
        for node in self.nodes:
            if os.path.isdir(node.path('/var/log/ganeti')):
                shutil.copytree(node.path('/var/log/ganeti'), os.path.join(keep, node.short),
                                dirs_exist_ok=True)

    def teardown(self):
        try:
            self.keep_logs()
        except OSError as error:
            log(f'keeping the logs: {error}')
        for node in self.nodes:
            try:
                node.stop()
            except Exception as error:  # keep tearing down the others
                log(f'{node}: stop: {error}')
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self.watchdog is not None:
            self.watchdog.terminate()
            self.watchdog.wait()
            self.watchdog = None
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers = {}

    # -- instances ------------------------------------------------------------------

    def node_of(self, instance):
        """The node whose Ganeti says runs INSTANCE (its primary)."""
        primary = self.master.gnt('gnt-instance', 'list', '--no-headers', '-o', 'pnode',
                                  instance).strip()
        for node in self.nodes:
            if node.name == primary:
                return node
        raise AssertionError(f'{instance}: unknown primary node {primary!r}')


# where each driver keeps an instance's pidfile, HMP and serial sockets
# on its node: Ganeti's (also an adopted instance's until hvkit changes it)
# and hvkit's
QEMU_FILES = {
    'stock': (GANETI_RUN_DIR + '/pid/{name}', GANETI_RUN_DIR + '/ctrl/{name}.monitor',
              GANETI_RUN_DIR + '/ctrl/{name}.serial'),
    'hvkit': (HVKIT_RUN_DIR + '/{name}.pid', HVKIT_RUN_DIR + '/{name}.monitor',
              HVKIT_RUN_DIR + '/{name}.serial'),
}
VIRTIO_BLOCK = '1af4:1001'
VIRTIO_NET = '1af4:1000'


class Qemu:
    """One running QEMU of an instance, as its node sees it: the process,
    QEMU's own answers on the human monitor, the guest's on its serial
    console."""

    def __init__(self, node, name, files, pid):
        self.node = node
        self.name = name
        self.files = files
        self.pid = pid

    def __repr__(self):
        return f'<QEMU {self.pid} of {self.name} on {self.node} ({self.files})>'

    def monitor(self, command):
        return self.node.hmp(QEMU_FILES[self.files][1].format(name=self.name), command)

    def status(self):
        for line in self.monitor('info status').splitlines():
            if line.startswith('VM status:'):
                return line.split(':', 1)[1].strip()
        return None

    def pci_devices(self):
        """[(vendor:device, id)] of QEMU's PCI bus."""
        devices, current = [], None
        for line in self.monitor('info pci').splitlines():
            line = line.strip()
            if 'PCI device ' in line and line.split('PCI device ')[1].count(':') == 1:
                current = line.split('PCI device ')[1].strip()
                devices.append([current, None])
            elif line.startswith('id "') and devices:
                devices[-1][1] = line[4:-1]
        return [tuple(device) for device in devices]

    def count(self, kind, devices=None):
        return sum(1 for device, _ in (devices or self.pci_devices()) if device == kind)

    def guest(self, command, timeout_s=180):
        """COMMAND's output in the guest's shell."""
        serial = QEMU_FILES[self.files][2].format(name=self.name)
        return self.node.run([sys.executable, os.path.join(HERE, 'gnt_console.py'), serial,
                              str(timeout_s), command], timeout=timeout_s + 30).stdout

    def guest_devices(self):
        """The guest's virtio disks and its NICs, as two sorted lists."""
        disks, nics = self.guest('ls /sys/block; echo --; ls /sys/class/net').split('--')
        return (sorted(d for d in disks.split() if d.startswith('vd')),
                sorted(d for d in nics.split() if d != 'lo'))


def find_qemu(node, name):
    """The instance's live QEMU on NODE, or None: a pidfile of either
    driver whose process is there."""
    # an adopted instance has both drivers' files (hvkit's link to
    # Ganeti's sockets): the node's driver's first
    order = ['hvkit', 'stock'] if node.backend == 'hvkit' else ['stock', 'hvkit']
    for files in order:
        pidfile = QEMU_FILES[files][0]
        text = node.read(pidfile.format(name=name))
        if not text or not text.strip().isdigit():
            continue
        try:
            with open(node.inside(f'/proc/{text.strip()}/cmdline'), 'rb') as file:
                argv = file.read().split(b'\0')
        except FileNotFoundError:
            continue
        if b'qemu' in os.path.basename(argv[0]):
            return Qemu(node, name, files, int(text.strip()))
    return None
