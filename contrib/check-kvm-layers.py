#!/usr/bin/env python3
# Checks the layering of plugin/kvm (plugin/kvm/README.md): every
# #include "…" of a plugin header must name a header of the including
# file's own folder or of a folder that its row of LAYERS allows. The
# build refuses most violations already (each folder's library sees only
# the folders it depends on); this says which rule was broken, and also
# catches a header that reaches upwards through a lower folder's include
# path. fwupd's contrib/ci/check-headers.py is the model.
#
# Usage: check-kvm-layers.py [PLUGIN_DIR]   (default: plugin/kvm)
# Prints TAP; exits 1 on any violation.

import os
import re
import sys

# folder -> the folders it may include, top to bottom. Arrows only point
# down this list; lifecycle/ and hotplug/ never include each other.
LAYERS = {
    '.':              ['driver'],
    'driver':         ['migration', 'hotplug', 'lifecycle', 'host', 'cmdline', 'caps',
                       'runtime', 'runtime/ganeti', 'qmp', 'net'],
    'migration':      ['lifecycle', 'host', 'cmdline', 'caps', 'qmp', 'runtime', 'net'],
    'hotplug':        ['host', 'cmdline', 'qmp', 'runtime', 'net'],
    'lifecycle':      ['host', 'cmdline', 'caps', 'qmp', 'runtime', 'runtime/ganeti', 'net'],
    'host':           ['caps', 'qmp', 'runtime', 'net'],
    'cmdline':        ['caps', 'runtime', 'net'],
    'caps':           [],
    'runtime/ganeti': ['runtime'],
    'runtime':        [],
    'qmp':            [],
    'net':            [],
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else 'plugin/kvm'
    owner = {}      # header basename -> folder
    sources = []    # (folder, path)
    for dirpath, _, files in os.walk(root):
        folder = os.path.relpath(dirpath, root)
        for name in sorted(files):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(dirpath, name)
            if folder not in LAYERS:
                print(f'not ok 1 - {path}: folder {folder!r} is not in the table')
                return 1
            if name.endswith('.h'):
                if name in owner:
                    print(f'not ok 1 - header {name} is in {owner[name]}/ and {folder}/')
                    return 1
                owner[name] = folder
            sources.append((folder, path))

    problems = []
    for folder, path in sorted(sources):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for header in INCLUDE.findall(text):
            target = owner.get(os.path.basename(header))
            if target is None or target == folder:
                continue    # config.h, framework headers, the folder's own
            if target not in LAYERS[folder]:
                problems.append(f'{path}: includes {header} of {target}/, '
                                f'which {folder}/ may not use (allowed: '
                                f'{", ".join(LAYERS[folder]) or "none"})')

    print('1..1')
    if problems:
        print('not ok 1 - plugin/kvm layering')
        for problem in problems:
            print(f'# {problem}')
        return 1
    print(f'ok 1 - plugin/kvm layering ({len(sources)} files in '
          f'{len({f for f, _ in sources})} folders)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
