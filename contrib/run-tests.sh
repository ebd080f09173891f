#!/bin/sh
# Installs the dependencies, builds hvkit with warnings as errors and runs
# every test suite, the lifecycle and hotplug tests with both QEMUs (the
# system's 7.2, and 10.0 that contrib/fetch-qemu.sh unpacks into the build
# directory; meson runs them alongside the other tests); then builds with AddressSanitizer and
# UndefinedBehaviorSanitizer and runs the unit, qmp, integration and dbus
# suites again (hvkit's side of real QEMU, taps and guests; hvkitd and
# hvkitctl under the sanitizers, their python clients on the instrumented
# typelib with the ASan runtime preloaded, see tests/dbus/meson.build), and
# runs each fuzz target for a while. This is what CI runs (.ci/run).
# The 50-cycle hotplug soak runs in both builds (soak-short, suite
# integration: flat descriptors, taps, record and journal, and
# LeakSanitizer in the second) and under valgrind memcheck in the first
# (soak-valgrind, suite valgrind).
set -eu

cd "$(dirname "$0")/.."
srcdir=$(pwd)

sh contrib/install-deps.sh

setup() {
  dir=$1; shift
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" "$@"
  else
    meson setup "$dir" "$@"
  fi
}

echo "== build (warnings are errors, API reference with warnings fatal), QEMU 10.0 as the second QEMU"
setup build --werror -Ddocs=true -Dtest_qemu10=true
meson compile -C build

echo "== every test suite"
meson test -C build --print-errorlogs

echo "== AddressSanitizer + UndefinedBehaviorSanitizer, unit, qmp, integration and dbus suites"
# hvkit's side does not depend on which QEMU answers: the sanitizers run
# with the first one only. The typelib is built (the dbus suite's clients
# are python); g-ir-scanner's dump program is not hvkit's to check for leaks.
setup build-asan --werror -Db_sanitize=address,undefined -Db_lundef=false \
  -Dintrospection=true -Dtest_qemu10=false
ASAN_OPTIONS=detect_leaks=0 meson compile -C build-asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --suite unit --suite qmp --suite integration --suite dbus \
  --print-errorlogs

if [ -x contrib/run-fuzzers.sh ]; then
  echo "== fuzz targets"
  sh contrib/run-fuzzers.sh "${HVKIT_FUZZ_SECONDS:-60}"
fi

echo "== all tests passed ($srcdir)"
