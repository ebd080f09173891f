#!/usr/bin/env python3
# Checks po/POTFILES against the tree: every listed file exists, and every
# source file that marks a message for translation (_(), N_(), HV_N_(), a
# polkit .policy.in) is listed. TAP output, one test per rule.
#
# Usage: check-potfiles.py SOURCE-ROOT

import os
import re
import sys

MARK = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|HV_N_)\s*\(\s*"')
SOURCE_DIRS = ('framework', 'plugin', 'tools', 'include')


def marked_files(root):
    found = set()
    for top in SOURCE_DIRS:
        for dirpath, _dirs, files in os.walk(os.path.join(root, top)):
            for name in files:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if name.endswith('.policy.in'):
                    found.add(rel)
                    continue
                if not name.endswith(('.c', '.h')):
                    continue
                with open(path, encoding='utf-8', errors='replace') as f:
                    if MARK.search(f.read()):
                        found.add(rel)
    for dirpath, _dirs, files in os.walk(os.path.join(root, 'data')):
        for name in files:
            if name.endswith('.policy.in'):
                found.add(os.path.relpath(os.path.join(dirpath, name), root))
    return found


def main():
    root = sys.argv[1]
    with open(os.path.join(root, 'po', 'POTFILES'), encoding='utf-8') as f:
        listed = [l.strip() for l in f
                  if l.strip() and not l.startswith('#')]
    missing = sorted(p for p in listed
                     if not os.path.exists(os.path.join(root, p)))
    unlisted = sorted(marked_files(root) - set(listed))
    print('1..2')
    for n, (what, bad) in enumerate(
            (('po/POTFILES names files that exist', missing),
             ('every file with translatable messages is in po/POTFILES',
              unlisted)), 1):
        if bad:
            print(f'not ok {n} - {what}')
            for p in bad:
                print(f'# {p}')
        else:
            print(f'ok {n} - {what}')
    return 1 if missing or unlisted else 0


if __name__ == '__main__':
    sys.exit(main())
