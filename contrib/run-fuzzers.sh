#!/bin/sh
# Runs every libFuzzer target for SECONDS (default 60) each.
#
# Sets up build-fuzz first if it is not there (clang, -Dfuzzing=true,
# AddressSanitizer + UndefinedBehaviorSanitizer). A target is any
# tests/fuzz/fuzz-NAME with its seed list tests/fuzz/fuzz-NAME.seeds
# (directories relative to the source root); only the targets are built.
# It uses tests/fuzz/fuzz-NAME.dict if there is one. What it finds
# stays in build-fuzz/fuzz-corpus/fuzz-NAME for the next run; a crash is
# written to build-fuzz/fuzz-artifacts/fuzz-NAME/ and fails the script.
set -eu

seconds=${1:-60}

cd "$(dirname "$0")/.."

if [ ! -d build-fuzz ]; then
  CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dintrospection=false
fi
targets=""
for seeds in tests/fuzz/fuzz-*.seeds; do
  [ -f "$seeds" ] || continue
  targets="$targets tests/fuzz/$(basename "$seeds" .seeds)"
done
if [ -z "$targets" ]; then
  echo "run-fuzzers: no tests/fuzz/fuzz-*.seeds" >&2
  exit 1
fi
# shellcheck disable=SC2086
meson compile -C build-fuzz $targets

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

status=0
for target in $targets; do
  name=$(basename "$target")
  target="build-fuzz/$target"
  corpus="build-fuzz/fuzz-corpus/$name"
  artifacts="build-fuzz/fuzz-artifacts/$name/"
  mkdir -p "$corpus" "$artifacts"

  set -- -max_total_time="$seconds" -timeout=10 -artifact_prefix="$artifacts"
  if [ -f "tests/fuzz/$name.dict" ]; then
    set -- "$@" -dict="tests/fuzz/$name.dict"
  fi
  set -- "$@" "$corpus"
  if [ -f "tests/fuzz/$name.seeds" ]; then
    for seed in $(grep -v -e '^#' -e '^[[:space:]]*$' "tests/fuzz/$name.seeds"); do
      set -- "$@" "$seed"
    done
  fi

  echo "== $name for ${seconds}s"
  if ! "$target" "$@" 2>"build-fuzz/$name.log"; then
    tail -n 60 "build-fuzz/$name.log" >&2
    echo "$name failed; reproduce with: $target $artifacts<file>" >&2
    status=1
  else
    grep -E '^(#[0-9]+ +DONE|Done)' "build-fuzz/$name.log" || tail -n 1 "build-fuzz/$name.log"
  fi
done

exit $status
