#!/bin/sh
# Builds the libFuzzer targets with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in build-fuzz, and runs every fuzz-* target
# for SECONDS (default 60) on its seed corpus. New inputs go to
# build-fuzz/fuzz-corpus/<target>, crashes to build-fuzz/fuzz-artifacts.
# Usage: contrib/run-fuzzers.sh [SECONDS]
set -eu

cd "$(dirname "$0")/.."
seconds=${1:-60}

if [ -d build-fuzz ]; then
  CC=clang meson setup --reconfigure build-fuzz -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dintrospection=false
else
  CC=clang meson setup build-fuzz -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dintrospection=false
fi
meson compile -C build-fuzz

export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p build-fuzz/fuzz-artifacts
status=0
for target in build-fuzz/tests/fuzz/fuzz-*; do
  [ -f "$target" ] && [ -x "$target" ] || continue
  name=$(basename "$target")
  work=build-fuzz/fuzz-corpus/$name
  mkdir -p "$work"
  set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="build-fuzz/fuzz-artifacts/$name-"
  if [ -f "tests/fuzz/$name.dict" ]; then
    set -- "$@" -dict="tests/fuzz/$name.dict"
  fi
  echo "== $name, $seconds s"
  if ! "$target" "$@" "$work" "tests/fuzz/corpus/$name"; then
    echo "== $name FAILED: see build-fuzz/fuzz-artifacts/" >&2
    status=1
  fi
done
exit $status
