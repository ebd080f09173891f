#!/bin/sh
# Runs every libFuzzer target for SECONDS (default 60) each.
#
# Builds build-fuzz first if it is not there (clang, -Dfuzzing=true,
# AddressSanitizer + UndefinedBehaviorSanitizer). A target is any
# executable build-fuzz/tests/fuzz/fuzz-NAME; it starts from the seed
# directories listed in tests/fuzz/fuzz-NAME.seeds (relative to the source
# root) and uses tests/fuzz/fuzz-NAME.dict if there is one. What it finds
# stays in build-fuzz/fuzz-corpus/fuzz-NAME for the next run; a crash is
# written to build-fuzz/fuzz-artifacts/fuzz-NAME/ and fails the script.
set -eu

seconds=${1:-60}

cd "$(dirname "$0")/.."

if [ ! -d build-fuzz ]; then
  CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dintrospection=false
fi
meson compile -C build-fuzz

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

status=0
found=0
for target in build-fuzz/tests/fuzz/fuzz-*; do
  [ -f "$target" ] && [ -x "$target" ] || continue
  found=$((found + 1))
  name=$(basename "$target")
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

if [ "$found" -eq 0 ]; then
  echo "run-fuzzers: no fuzz target in build-fuzz/tests/fuzz" >&2
  exit 1
fi
exit $status
