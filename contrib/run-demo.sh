#!/bin/sh
# Installs the dependencies, builds hvkit into ./build and runs the demo
# (tools/hvkit-demo.py) against that build, nothing installed: the first of
# the README's two commands. Arguments are passed on to the demo.
set -eu

cd "$(dirname "$0")/.."
srcdir=$(pwd)
builddir="$srcdir/build"

install_deps() {
  sh contrib/install-deps.sh
}

build() {
  if [ -d "$builddir" ]; then
    meson setup --reconfigure "$builddir"
  else
    meson setup "$builddir"
  fi
  meson compile -C "$builddir"
  # the demo boots the test guest: say so, rather than rely on `all`
  meson compile -C "$builddir" hv-test-guest
}

# The uninstalled library, its typelib and the KVM module of this build,
# and the test guest the demo boots (built above).
use_build() {
  GI_TYPELIB_PATH="$builddir/framework${GI_TYPELIB_PATH:+:$GI_TYPELIB_PATH}"
  LD_LIBRARY_PATH="$builddir/framework${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  HVKIT_PLUGIN_DIR="$builddir/plugin/kvm"
  HVKIT_TEST_GUEST_DIR="$builddir/tests/guest"
  export GI_TYPELIB_PATH LD_LIBRARY_PATH HVKIT_PLUGIN_DIR HVKIT_TEST_GUEST_DIR
}

run_demo() {
  # Debian's python3 with python3-gi; another python3 on PATH may lack gi.
  /usr/bin/python3 "$srcdir/tools/hvkit-demo.py" "$@"
}

install_deps
build
use_build
run_demo "$@"
