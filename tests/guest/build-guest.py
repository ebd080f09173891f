#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Build hvkit's test guest from Debian packages.

The guest is the kernel of linux-image-cloud-amd64's dependency and a
busybox-static initramfs (see docs/design.md, "Test guest"):

  OUTPUT/vmlinuz      the cloud kernel, as shipped
  OUTPUT/initrd.img   newc cpio: busybox, the rootfs/ files, the modules
  OUTPUT/guest.json   what it was built from; a rebuild happens only when
                      an input changes (package version, busybox, rootfs/,
                      this script)

The kernel package is fetched with `apt-get download` into the download cache
and unpacked with `dpkg-deb -x`; it is never installed.  A cached .deb is
used when its SHA256 matches apt's index, so a build fetches again only when
the package version changes.  Only apt talks to the network.

Usage: build-guest.py --output-dir DIR [--cache-dir DIR] [--rootfs DIR]
                      [--busybox PATH] [--force]
"""

import argparse
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

META_PACKAGE = 'linux-image-cloud-amd64'

# Loaded in dependency order by /init. Dependencies come from the modules'
# own .modinfo, so a new kernel that adds or drops one still boots.
#   virtio_pci, virtio_blk, virtio_net: hot-plugged disks and NICs
#   virtio_balloon: so that balloon targets are really met by the guest
#   button, evdev: the ACPI power button reaches busybox acpid as KEY_POWER
WANTED_MODULES = [
    'virtio_pci', 'virtio_blk', 'virtio_net', 'virtio_balloon',
    'button', 'evdev',
]

# For QEMU's -append: the console for the kernel's own messages, an
# immediate reboot (so, with -no-reboot, an exit) on panic, and switches that
# take about a fifth off a TCG boot here: no speculation mitigations to patch
# in, no crypto self-tests, no TSC watchdog or timer check, no audit or
# AppArmor initialisation.
KERNEL_ARGS = ('console=ttyS0 panic=-1 mitigations=off cryptomgr.notests '
               'tsc=reliable no_timer_check audit=0 apparmor=0')

FORMAT_VERSION = 1


def log(msg):
    print('build-guest: ' + msg, flush=True)


def die(msg):
    print('build-guest: error: ' + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def run(argv, **kwargs):
    try:
        return subprocess.run(argv, check=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              **kwargs).stdout
    except FileNotFoundError:
        die('%s is not installed (see contrib/install-deps.sh)' % argv[0])
    except subprocess.CalledProcessError as e:
        die('%s failed (exit %d): %s' % (' '.join(argv), e.returncode,
                                         e.stderr.strip()))


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


# -- apt -------------------------------------------------------------------

def kernel_package():
    """The linux-image-<abi>-cloud-amd64 the meta package depends on now."""
    out = run(['apt-cache', 'depends', META_PACKAGE])
    for line in out.splitlines():
        key, _, value = line.strip().partition(':')
        value = value.strip()
        if key == 'Depends' and value.startswith('linux-image-'):
            return value
    die('apt-cache depends %s names no linux-image- package '
        '(run apt-get update?)' % META_PACKAGE)


def candidate(package):
    """Version, SHA256 and architecture of apt's candidate for package."""
    out = run(['apt-cache', 'show', '--no-all-versions', package])
    fields = {}
    for line in out.splitlines():
        if not line.strip():
            break
        key, sep, value = line.partition(': ')
        if sep and not key.startswith(' '):
            fields[key] = value.strip()
    for key in ('Version', 'SHA256', 'Architecture'):
        if key not in fields:
            die('apt-cache show %s has no %s field' % (package, key))
    return fields['Version'], fields['SHA256'], fields['Architecture']


def apt_state():
    """Changes whenever apt's idea of a candidate version can change.

    apt-cache takes most of a second here (no pkgcache.bin in this Docker
    image), so the answer of the last build is reused while this is the same.
    """
    h = hashlib.sha256()
    for top, recursive in (('/var/lib/apt/lists', False), ('/etc/apt', True)):
        for root, dirs, files in os.walk(top):
            if not recursive:
                dirs.clear()
            for f in sorted(files):
                try:
                    st = os.stat(os.path.join(root, f))
                except OSError:
                    continue
                h.update(('%s/%s %d %d\n' % (root, f, st.st_mtime_ns,
                                             st.st_size)).encode())
    return h.hexdigest()


def resolve(old):
    """(package, version, sha256, arch) of the kernel to use."""
    state = apt_state()
    known = old.get('apt')
    if known and known.get('state') == state:
        return known
    package = kernel_package()
    version, sha256, arch = candidate(package)
    return {'state': state, 'package': package, 'version': version,
            'sha256': sha256, 'arch': arch}


def fetch(package, version, sha256, arch, cache_dir):
    """Path of the .deb in the cache, downloaded unless already there."""
    name = '%s_%s_%s.deb' % (package, version.replace(':', '%3a'), arch)
    path = os.path.join(cache_dir, name)
    if os.path.exists(path) and sha256_file(path) == sha256:
        log('using cached %s' % name)
        return path
    os.makedirs(cache_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir,
                                     prefix='.download-') as tmp:
        log('downloading %s=%s' % (package, version))
        started = time.monotonic()
        # As root, apt would drop to _apt, who cannot write here.
        run(['apt-get', '-q', '-o', 'APT::Sandbox::User=root', 'download',
             '%s=%s' % (package, version)], cwd=tmp)
        debs = [f for f in os.listdir(tmp) if f.endswith('.deb')]
        if len(debs) != 1:
            die('apt-get download left %r' % debs)
        got = os.path.join(tmp, debs[0])
        if sha256_file(got) != sha256:
            die('%s does not match the SHA256 in apt\'s index' % debs[0])
        os.replace(got, path)
        log('downloaded %s (%.1f MB) in %.1f s' % (
            name, os.path.getsize(path) / 1e6, time.monotonic() - started))
    # Older kernels of the same flavour are of no more use.
    flavour = '-%s_' % META_PACKAGE[len('linux-image-'):]
    for old in os.listdir(cache_dir):
        if old.startswith('linux-image-') and flavour in old and \
                old.endswith('.deb') and old != name:
            os.unlink(os.path.join(cache_dir, old))
    return path


def busybox_info(path):
    """(package, version) owning path; refuses a dynamically linked one."""
    # dpkg knows the path it unpacked, which usrmerge may have moved.
    for candidate_path in (path, os.path.realpath(path)):
        result = subprocess.run(['dpkg-query', '-S', candidate_path],
                                stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        if result.returncode == 0:
            break
    else:
        die('%s belongs to no Debian package (install busybox-static)' % path)
    package = result.stdout.split(':')[0].strip()
    if package != 'busybox-static':
        die('%s belongs to %s, not busybox-static' % (path, package))
    if elf_interpreter(path):
        die('%s is dynamically linked' % path)
    version = run(['dpkg-query', '-W', '-f=${Version}', package])
    return package, version


# -- ELF: .modinfo and PT_INTERP, 64-bit little endian only -----------------

def elf_sections(data):
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        raise ValueError('not a 64-bit little-endian ELF file')
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
    headers = [struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * shentsize)
               for i in range(shnum)]
    strtab = headers[shstrndx]
    for h in headers:
        start = strtab[4] + h[0]
        name = data[start:data.index(b'\0', start)].decode()
        yield name, data[h[4]:h[4] + h[5]]


def modinfo(path):
    with open(path, 'rb') as f:
        data = f.read()
    for name, body in elf_sections(data):
        if name == '.modinfo':
            info = {}
            for entry in body.split(b'\0'):
                key, sep, value = entry.decode(errors='replace').partition('=')
                if sep:
                    info.setdefault(key, []).append(value)
            return info
    return {}


def elf_interpreter(path):
    with open(path, 'rb') as f:
        data = f.read(1 << 16)
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    for i in range(phnum):
        p_type, = struct.unpack_from('<I', data, phoff + i * phentsize)
        if p_type == 3:                     # PT_INTERP
            return True
    return False


def module_order(modules_dir, wanted):
    """Paths of wanted and their dependencies, each after what it needs."""
    index = {}
    for root, _, files in os.walk(modules_dir):
        for f in files:
            if f.endswith('.ko'):
                index[f[:-3].replace('-', '_')] = os.path.join(root, f)
    order, state = [], {}

    def visit(name, chain):
        if state.get(name) == 'done':
            return
        if state.get(name) == 'visiting':
            die('module dependency cycle: %s' % ' -> '.join(chain + [name]))
        if name not in index:
            die('module %s (needed by %s) is not in the package' % (
                name, ' -> '.join(chain) or 'the guest'))
        state[name] = 'visiting'
        depends = modinfo(index[name]).get('depends', [''])[0]
        for dep in filter(None, depends.split(',')):
            visit(dep.replace('-', '_'), chain + [name])
        state[name] = 'done'
        order.append(name)

    for name in wanted:
        visit(name, [])
    return [(name, index[name]) for name in order]


# -- cpio (newc) -----------------------------------------------------------

class Cpio:
    """A deterministic newc archive: fixed owner, mtime 0, given order."""

    def __init__(self):
        self.chunks = []
        self.ino = 1

    def _add(self, name, mode, data=b'', rdev=(0, 0)):
        name_b = name.encode() + b'\0'
        header = '070701' + ''.join('%08x' % v for v in (
            self.ino, mode, 0, 0, 1, 0, len(data), 0, 0,
            rdev[0], rdev[1], len(name_b), 0))
        self.ino += 1
        self.chunks += [header.encode(), name_b, b'\0' * (-(110 + len(name_b)) % 4),
                        data, b'\0' * (-len(data) % 4)]

    def dir(self, name):
        self._add(name, 0o040755)

    def file(self, name, data, mode=0o644):
        self._add(name, 0o100000 | mode, data)

    def symlink(self, name, target):
        self._add(name, 0o120777, target.encode())

    def chardev(self, name, major, minor, mode=0o600):
        self._add(name, 0o020000 | mode, rdev=(major, minor))

    def bytes(self):
        self._add('TRAILER!!!', 0)
        return b''.join(self.chunks)


def build_initrd(busybox, rootfs, modules, release):
    cpio = Cpio()
    dirs = ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'dev', 'proc',
            'sys', 'tmp', 'etc', 'lib', 'lib/modules', 'lib/modules/' + release]
    for root, subdirs, _ in sorted(os.walk(rootfs)):
        for d in sorted(subdirs):
            rel = os.path.relpath(os.path.join(root, d), rootfs)
            if rel not in dirs:
                dirs.append(rel)
    for d in dirs:
        cpio.dir(d)
    # The kernel opens /dev/console for /init before devtmpfs is mounted.
    cpio.chardev('dev/console', 5, 1)
    with open(busybox, 'rb') as f:
        cpio.file('bin/busybox', f.read(), 0o755)
    applets = run([busybox, '--list-full']).split()
    for applet in sorted(set(applets)):
        if applet != 'bin/busybox':
            cpio.symlink(applet, '/bin/busybox')
    for root, _, files in sorted(os.walk(rootfs)):
        for f in sorted(files):
            path = os.path.join(root, f)
            with open(path, 'rb') as fp:
                mode = 0o755 if os.access(path, os.X_OK) else 0o644
                cpio.file(os.path.relpath(path, rootfs), fp.read(), mode)
    names = []
    for name, path in modules:
        with open(path, 'rb') as f:
            cpio.file('lib/modules/%s/%s.ko' % (release, name), f.read())
        names.append(name)
    cpio.file('etc/modules', ('\n'.join(names) + '\n').encode())
    cpio.file('etc/hvkit-guest-release', (release + '\n').encode())
    return cpio.bytes()


# -- main ------------------------------------------------------------------

def inputs_of(args, package, version, sha256, busybox):
    h = hashlib.sha256()
    with open(__file__, 'rb') as f:
        h.update(f.read())
    for root, _, files in sorted(os.walk(args.rootfs)):
        for f in sorted(files):
            path = os.path.join(root, f)
            h.update(os.path.relpath(path, args.rootfs).encode() + b'\0')
            h.update(b'x' if os.access(path, os.X_OK) else b'-')
            with open(path, 'rb') as f:
                h.update(f.read())
    return {
        'format': FORMAT_VERSION,
        'kernel_package': package,
        'kernel_version': version,
        'kernel_sha256': sha256,
        'busybox_version': busybox[1],
        'busybox_sha256': sha256_file(args.busybox),
        'scripts_sha256': h.hexdigest(),
    }


def write_manifest(path, manifest):
    with open(path + '.new', 'w') as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write('\n')
    os.replace(path + '.new', path)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--output-dir', required=True)
    parser.add_argument('--cache-dir',
                        help='where downloaded .debs are kept '
                             '(default: OUTPUT-DIR/cache)')
    parser.add_argument('--rootfs', default=os.path.join(here, 'rootfs'),
                        help='files copied into the initramfs')
    parser.add_argument('--busybox', default='/bin/busybox')
    parser.add_argument('--force', action='store_true',
                        help='rebuild even when nothing changed')
    args = parser.parse_args()
    out = os.path.abspath(args.output_dir)
    cache = os.path.abspath(args.cache_dir or os.path.join(out, 'cache'))
    manifest_path = os.path.join(out, 'guest.json')
    started = time.monotonic()

    try:
        with open(manifest_path) as f:
            old = json.load(f)
    except (OSError, ValueError):
        old = {}
    apt = resolve({} if args.force else old)
    package, version = apt['package'], apt['version']
    sha256, arch = apt['sha256'], apt['arch']
    busybox = busybox_info(args.busybox)
    inputs = inputs_of(args, package, version, sha256, busybox)
    outputs = [os.path.join(out, n) for n in ('vmlinuz', 'initrd.img')]
    if not args.force and old.get('inputs') == inputs and \
            all(os.path.exists(p) for p in outputs):
        if old.get('apt') != apt:
            write_manifest(manifest_path, dict(old, apt=apt))
        return

    deb = fetch(package, version, sha256, arch, cache)
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix='.unpack-') as tmp:
        run(['dpkg-deb', '-x', deb, tmp])
        release = package[len('linux-image-'):]
        kernel = os.path.join(tmp, 'boot', 'vmlinuz-' + release)
        config = os.path.join(tmp, 'boot', 'config-' + release)
        modules_dir = os.path.join(tmp, 'lib', 'modules', release)
        for path in (kernel, config, modules_dir):
            if not os.path.exists(path):
                die('%s has no %s' % (os.path.basename(deb),
                                      os.path.relpath(path, tmp)))
        modules = module_order(modules_dir, WANTED_MODULES)
        initrd = build_initrd(args.busybox, args.rootfs, modules, release)
        # Not compressed: gzip saved 1.4 MB but no boot time (measured).
        for name, src in (('vmlinuz', kernel), ('config', config)):
            shutil.copyfile(src, os.path.join(tmp, name + '.new'))
            os.replace(os.path.join(tmp, name + '.new'),
                       os.path.join(out, name))
        with open(os.path.join(tmp, 'initrd.new'), 'wb') as f:
            f.write(initrd)
        os.replace(os.path.join(tmp, 'initrd.new'),
                   os.path.join(out, 'initrd.img'))

    manifest = {
        'apt': apt,
        'inputs': inputs,
        'kernel_release': release,
        'modules': [name for name, _ in modules],
        'kernel_args': KERNEL_ARGS,
        'ready_marker': 'HVKIT-GUEST-READY',
        'initrd_size': len(initrd),
    }
    write_manifest(manifest_path, manifest)
    log('built %s: kernel %s, %d modules, initrd %.1f MB, in %.1f s' % (
        out, release, len(modules), len(initrd) / 1e6,
        time.monotonic() - started))


if __name__ == '__main__':
    main()
