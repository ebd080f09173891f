# SPDX-License-Identifier: LGPL-2.1-or-later
"""hvkit as Ganeti 3.0's kvm hypervisor.

HvkitKvmHypervisor (hvkit_ganeti.hypervisor) implements Ganeti's
hv_base.BaseHypervisor by calling the remote HvHypervisor of the node's
hvkitd over D-Bus: the QEMU processes and their QMP connections live in
hvkitd, and Ganeti's node daemon, which forks a process per RPC, only
talks to it. docs/ganeti.md says how a node is switched to it
(hvkit-ganeti-switch) and where hvkitd is found.
"""

from hvkit_ganeti._build import VERSION as __version__  # noqa: F401
