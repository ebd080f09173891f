#!/bin/sh
# Fetches Debian's QEMU 10.0 for x86 from bookworm-backports and unpacks it
# into DIR/root, for the tests' second QEMU. Nothing on the host changes:
# apt reads a private sources list and keeps its lists in DIR/lists, the
# packages are only downloaded (DIR/debs) and unpacked with dpkg-deb -x;
# no apt source is added, nothing is installed.
#
#   sh contrib/fetch-qemu.sh DIR
#
# Run again, it does nothing while DIR/root holds the packages apt would
# fetch now (DIR/fetched lists their versions); apt is asked at most once a
# day (HVKIT_QEMU_REFRESH=1 asks now), and a QEMU already unpacked is kept
# when the archive cannot be reached, so builds work offline. The QEMU it unpacks needs
# QEMU_MODULE_DIR and -L pointing into DIR/root; tests/qemu/ builds a
# wrapper executable that adds both (see README, "Tests").
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
mkdir -p "$1"
dir=$(cd "$1" && pwd)
suite=${HVKIT_QEMU_SUITE:-bookworm-backports}
packages="qemu-system-x86 qemu-system-common qemu-system-data qemu-system-modules-opengl
qemu-system-modules-spice seabios"

mkdir -p "$dir/lists/partial" "$dir/debs"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
  > "$dir/sources.list"
set -- -o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=-" \
  -o "Dir::State::Lists=$dir/lists" -o "APT::Get::List-Cleanup=0" \
  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="

have_root() {
  [ -x "$dir/root/usr/bin/qemu-system-x86_64" ] && [ -f "$dir/fetched" ]
}
if have_root && [ "${HVKIT_QEMU_REFRESH:-0}" != 1 ] &&
   [ -n "$(find "$dir/fetched" -mmin -1440)" ]; then
  echo "QEMU in $dir/root was checked within a day"
  exit 0
fi

if ! apt-get "$@" -qq update; then
  if have_root; then
    echo "warning: $suite cannot be reached; keeping the QEMU in $dir/root" >&2
    exit 0
  fi
  exit 1
fi

# the candidate versions from this suite's lists only
wanted=$(for p in $packages; do
  printf '%s=%s\n' "$p" "$(apt-cache "$@" policy "$p" | sed -n 's/^ *Candidate: //p')"
done)
if have_root && [ "$(cat "$dir/fetched")" = "$wanted" ]; then
  touch "$dir/fetched"
  echo "QEMU in $dir/root is up to date"
  exit 0
fi

rm -rf "$dir/root" "$dir/debs"
mkdir -p "$dir/debs" "$dir/root"
(cd "$dir/debs" && apt-get "$@" -qq download $(echo "$wanted" | tr '\n' ' '))
for deb in "$dir"/debs/*.deb; do
  dpkg-deb -x "$deb" "$dir/root"
done
echo "$wanted" > "$dir/fetched"
"$dir/root/usr/bin/qemu-system-x86_64" --version | head -n 1
