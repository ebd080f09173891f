#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench-ganeti-rpc: what one of Ganeti's node daemon RPCs costs with
hvkit_ganeti's class, measured the way the node daemon runs it.

Ganeti's node daemon forks a process per RPC from a parent that has
Ganeti (and, switched to hvkit, hvkit_ganeti) imported; the child makes a
new hypervisor object, calls one method and exits. This benchmark starts
hvkitd on a private bus (tests/dbus's harness, polkit off as in bench-dbus's
main keys) with one instance (the test guest, started paused), then a
"node daemon" process that forks a child per call, timing fork to exit in
the parent:

  noop        the child exits at once (the floor: fork and exit);
  cold        the child calls GetInstanceInfo, the parent having imported
              only Ganeti and hvkit_ganeti (no PyGObject);
  preloaded   the same, the parent having loaded PyGObject and Hv as
              hvkit_ganeti does in ganeti-noded (no connection);
  in_process  GetInstanceInfo again in one process, connection kept (the
              call itself).

Run: meson test -C build --benchmark -v bench-ganeti-rpc   (prints JSON)"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GANETI_DIR = os.environ.get('HVKIT_TEST_GANETI_DIR', '/usr/share/ganeti/3.0')
ROUNDS = int(os.environ.get('HVKIT_BENCH_ROUNDS', '20'))
NAME = 'bench-ganeti-rpc'


def p50(values):
    return round(statistics.median(values), 2)


def node_daemon(mode):
    """The measuring process: prints the fork-to-exit times in ms."""
    sys.path.insert(0, GANETI_DIR)
    from ganeti import hypervisor  # noqa: F401  (what noded has imported)
    from hvkit_ganeti import remote
    from hvkit_ganeti.hypervisor import HvkitKvmHypervisor
    if mode == 'preloaded':
        remote.gi_modules()
    times = []
    if mode == 'in_process':
        hv = HvkitKvmHypervisor()
        hv.GetInstanceInfo(NAME)
        for _ in range(ROUNDS):
            start = time.monotonic()
            if hv.GetInstanceInfo(NAME) is None:
                raise SystemExit('the instance is not running')
            times.append((time.monotonic() - start) * 1000)
    else:
        for _ in range(ROUNDS):
            start = time.monotonic()
            pid = os.fork()
            if pid == 0:
                status = 0
                if mode != 'noop':
                    status = 0 if HvkitKvmHypervisor().GetInstanceInfo(NAME) else 1
                os._exit(status)
            _, status = os.waitpid(pid, 0)
            times.append((time.monotonic() - start) * 1000)
            if status != 0:
                raise SystemExit(f'the child failed ({status})')
    print(json.dumps(times))


def main():
    if len(sys.argv) > 2 and sys.argv[1] == '--node-daemon':
        node_daemon(sys.argv[2])
        return 0
    if not os.path.isdir(os.path.join(GANETI_DIR, 'ganeti')):
        print(json.dumps({'skipped': f'Ganeti 3.0 is not installed ({GANETI_DIR})'}))
        return 77

    sys.path.insert(0, os.path.join(HERE, '..', 'dbus'))
    sys.path.insert(0, os.path.join(HERE, '..', 'python'))
    sys.path.insert(0, GANETI_DIR)
    from hvkitd_harness import Harness
    import test_ganeti_backend as backend
    import test_kvm_lifecycle as lifecycle
    from hvkit_ganeti import remote
    from hvkit_ganeti.hypervisor import HvkitKvmHypervisor

    class Skip:
        def skipTest(self, reason):
            print(json.dumps({'skipped': reason}))
            sys.exit(77)

    guest = lifecycle.load_test_guest(Skip())
    results = {'rounds': ROUNDS}
    harness = Harness(start=False)
    files = tempfile.TemporaryDirectory(prefix='hvkit-bench-gnt-')
    hv = None
    try:
        harness.start_hvkitd(polkit=False)
        config = backend.write_config(files.name, harness.address, harness.run_dir)
        os.environ[remote.ENV_CONFIG] = config
        hv = HvkitKvmHypervisor()
        backend.NAME = NAME
        instance = backend.ganeti_instance(guest)
        instance.name = NAME
        hv.StartInstance(instance, [], True)
        for mode in ('noop', 'cold', 'preloaded', 'in_process'):
            output = subprocess.run([sys.executable, __file__, '--node-daemon', mode],
                                    capture_output=True, text=True, check=True,
                                    env=dict(os.environ, HVKIT_GANETI_CONFIG=config))
            results[f'ganeti_rpc_{mode}_ms_p50'] = p50(json.loads(output.stdout))
        results['ganeti_rpc_preload_saves_ms'] = round(
            results['ganeti_rpc_cold_ms_p50'] - results['ganeti_rpc_preloaded_ms_p50'], 2)
    finally:
        if hv is not None:
            try:
                hv.StopInstance(None, force=True, name=NAME)
                hv.CleanupInstance(NAME)
            except Exception as err:  # noqa: B902 — report, then clean up the rest
                print(f'# cleanup: {err}', file=sys.stderr)
        harness.close()
        files.cleanup()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
