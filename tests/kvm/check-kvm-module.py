#!/usr/bin/env python3
# The module users install: it exports its entry symbol and nothing else,
# and carries none of the test hooks (hotplug/hv-kvm-hotplug-testhooks.h,
# qmp/hv-kvm-qmp-testhooks.h), which only the tests' builds of hotplug/ and
# qmp/ have. TAP.
#
# Usage: check-kvm-module.py NM MODULE

import subprocess
import sys

TEST_HOOKS = ('hv_kvm_hotplug_set_test_hooks', 'hv_kvm_hotplug_testhook_force_slot',
              'hv_kvm_hotplug_testhook_step_done', 'hv_kvm_qmp_set_test_hooks',
              'hv_kvm_qmp_testhook_get_boundaries', 'hv_kvm_qmp_testhook_get_killed_at',
              'hv_kvm_qmp_testhook_boundary')


def symbols(nm, module, *flags):
    out = subprocess.run([nm, *flags, module], check=True, capture_output=True,
                         text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def main():
    nm, module = sys.argv[1], sys.argv[2]
    print('1..2')
    exported = symbols(nm, module, '-D', '--defined-only')
    extra = sorted(s for s in exported if s != 'hv_plugin_info')
    ok = True
    if extra:
        print(f'not ok 1 - {module} exports only its entry symbol')
        print(f'# also exported: {", ".join(extra)}')
        ok = False
    else:
        print(f'ok 1 - {module} exports only its entry symbol')
    every = symbols(nm, module)
    hooks = sorted(s for s in every if s in TEST_HOOKS)
    if hooks:
        print('not ok 2 - no test hook in the module')
        print(f'# found: {", ".join(hooks)}')
        ok = False
    else:
        print('ok 2 - no test hook in the module')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
