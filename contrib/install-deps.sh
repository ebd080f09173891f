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

# --- Ganeti 3.0 and what its test cluster needs --------------------------
# tests/python/test_ganeti_backend.py imports Ganeti's objects and kvm
# class (docs/ganeti.md); test-kvm-adopt and test_hvkitd_adopt adopt what
# Ganeti's own KVM driver started; suite 'ganeti' and bench-ganeti
# (tests/ganeti) run a real Ganeti cluster in namespaces, with sshd, and
# polkitd answering hvkitd on each node's system bus.
# These packages install daemons: a policy-rc.d that exits 101 keeps them
# from starting on this machine itself (the tests start them inside their
# nodes), and goes once apt is done (one that was there before is put back).
ganeti_packages="ganeti openssh-server socat python3-bitarray polkitd"
ganeti_missing=""
for p in $ganeti_packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    ganeti_missing="$ganeti_missing $p"
  fi
done
if [ -n "$ganeti_missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: need root to install:$ganeti_missing" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  ganeti_saved=""
  if [ -e /usr/sbin/policy-rc.d ]; then
    ganeti_saved=/usr/sbin/policy-rc.d.hvkit-saved
    mv /usr/sbin/policy-rc.d "$ganeti_saved"
  fi
  printf '#!/bin/sh\n# written by hvkit contrib/install-deps.sh for the duration of an install\nexit 101\n' \
    > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  ganeti_status=0
  apt-get -o DPkg::Lock::Timeout=600 update || ganeti_status=$?
  if [ "$ganeti_status" -eq 0 ]; then
    # shellcheck disable=SC2086
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $ganeti_missing \
      || ganeti_status=$?
  fi
  rm -f /usr/sbin/policy-rc.d
  if [ -n "$ganeti_saved" ]; then
    mv "$ganeti_saved" /usr/sbin/policy-rc.d
  fi
  if [ "$ganeti_status" -ne 0 ]; then
    echo "install-deps: installing$ganeti_missing failed" >&2
    exit "$ganeti_status"
  fi
fi
# --- end of the ganeti block
