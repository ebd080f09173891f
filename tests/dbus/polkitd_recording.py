# SPDX-License-Identifier: LGPL-2.1-or-later
"""python-dbusmock's polkitd template, recording each check: the dbus
suite asserts which action hvkitd asked about and with which details.
Loaded with `python3 -m dbusmock --system --template THIS_FILE`."""

import dbus

from dbusmock import MOCK_IFACE
from dbusmock.templates import polkitd
from dbusmock.templates.polkitd import (BUS_NAME, MAIN_OBJ, MAIN_IFACE,  # noqa: F401
                                        SYSTEM_BUS, AllowUnknown, SetAllowed,
                                        RegisterAuthenticationAgent)


def load(mock, parameters):
    polkitd.load(mock, parameters)
    mock.checks = []
    mock.check_flags = []


@dbus.service.method(MAIN_IFACE, in_signature='(sa{sv})sa{ss}us',
                     out_signature='(bba{ss})')
def CheckAuthorization(self, subject, action_id, details, flags, cancellation_id):
    self.checks.append((str(action_id), {str(k): str(v) for k, v in details.items()}))
    self.check_flags.append(int(flags))
    allowed = action_id in self.allowed or self.allow_unknown
    return (allowed, False, {})


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='a(sa{ss})')
def PopChecks(self):
    """The checks made since the last call, oldest first."""
    checks, self.checks = self.checks, []
    return dbus.Array(checks, signature='(sa{ss})')


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='au')
def PopCheckFlags(self):
    """The flags of the checks made since the last call (1: the caller
    allows polkit to ask the user), oldest first."""
    flags, self.check_flags = self.check_flags, []
    return dbus.Array(flags, signature='u')
