#!/bin/sh
# Installs what hvkit needs to build, test and run its demo on Debian 12.
# Safe to run again; it only asks apt for what is missing.
set -eu

packages="
  meson ninja-build pkg-config gcc git
  libglib2.0-dev libjson-glib-dev uuid-dev
  gobject-introspection libgirepository1.0-dev python3-gi
  qemu-system-x86 qemu-utils
  dbus iproute2 gettext
  libpolkit-gobject-1-dev python3-dbusmock python3-docutils gi-docgen
  bash-completion
  busybox-static cpio python3
  clang libclang-rt-14-dev valgrind
"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: need root to install:$missing" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update
  # shellcheck disable=SC2086
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $missing
fi
