# SPDX-License-Identifier: LGPL-2.1-or-later
"""Where the node's hvkitd is, the connection to it, and its errors as
Ganeti's.

hvkitd is found on the system bus unless told otherwise, in this order:

1. the environment variable HVKIT_GANETI_BUS_ADDRESS: a D-Bus address
   (``unix:path=/run/…``), or ``system`` / ``session``;
2. the file /etc/ganeti/hvkit.conf (HVKIT_GANETI_CONFIG names another):
   an INI file whose ``[hvkitd]`` section may set ``bus_address`` (as
   above), ``run_dir`` (hvkitd's --run-dir, for console commands), and
   ``typelib_dir`` / ``library_dir`` (where libhvkit's typelib and
   library are, when not where this package was built to find them);
3. the system bus (which itself honours DBUS_SYSTEM_BUS_ADDRESS).

The file is read by every process that loads the class — node daemon
children, job processes, the watcher — while an environment variable
reaches only the processes started with it (a job process gets a fresh
environment from luxid), so a node configures its hvkitd in the file.

Nothing here touches GObject introspection until a method needs hvkitd:
the methods the master runs in its job processes (parameter syntax,
console) work on a node without hvkitd, without libhvkit even.
"""

import configparser
import os
import threading

from hvkit_ganeti import _build

ENV_ADDRESS = 'HVKIT_GANETI_BUS_ADDRESS'
ENV_CONFIG = 'HVKIT_GANETI_CONFIG'
DEFAULT_CONFIG = '/etc/ganeti/hvkit.conf'
HYPERVISOR_NAME = 'kvm'


class Settings:
    """What the configuration says: bus address (None for the system bus)
    and hvkitd's run directory."""

    def __init__(self, bus_address=None, run_dir=_build.RUN_DIR, source='defaults'):
        self.bus_address = bus_address
        self.run_dir = run_dir
        self.typelib_dir = None
        self.library_dir = None
        self.source = source


def read_settings(environ=None):
    """The settings from the environment and the configuration file;
    a file that cannot be parsed is an error, one that is missing is
    not."""
    environ = os.environ if environ is None else environ
    path = environ.get(ENV_CONFIG) or DEFAULT_CONFIG
    settings = Settings()
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding='utf-8') as file:
            parser.read_file(file)
    except FileNotFoundError:
        pass
    except (OSError, configparser.Error, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read hvkit's Ganeti configuration {path}: {err}") from err
    else:
        if parser.has_section('hvkitd'):
            section = parser['hvkitd']
            unknown = set(section) - {'bus_address', 'run_dir', 'typelib_dir', 'library_dir'}
            if unknown:
                raise ConfigError(f"{path}: unknown key(s) in [hvkitd]: {', '.join(sorted(unknown))}")
            settings.bus_address = section.get('bus_address') or None
            settings.run_dir = section.get('run_dir') or settings.run_dir
            settings.typelib_dir = section.get('typelib_dir') or None
            settings.library_dir = section.get('library_dir') or None
            settings.source = path
    address = environ.get(ENV_ADDRESS)
    if address:
        settings.bus_address = address
        settings.source = ENV_ADDRESS
    if not os.path.isabs(settings.run_dir):
        raise ConfigError(f'{settings.source}: run_dir {settings.run_dir!r} is not an absolute path')
    return settings


class ConfigError(Exception):
    """The configuration cannot be used; turned into Ganeti's
    HypervisorError by the caller."""


# -- GObject introspection, loaded when first needed ------------------------

_gi_lock = threading.Lock()
_gi = None


def gi_modules():
    """(Gio, GLib, Hv), imported on first use. libhvkit's typelib and
    library are looked for first where the configuration says, else —
    unless GI_TYPELIB_PATH says where — where this package's installation
    put them, so an installation under /usr/local (not among GI's default
    directories) works as it is."""
    global _gi
    with _gi_lock:
        if _gi is None:
            try:
                _gi = _import_gi()
            except (ImportError, ValueError) as err:
                from ganeti import errors
                raise errors.HypervisorError(
                    f"hvkit's Python bindings (gi, Hv 1.0) cannot be loaded: {err}") from err
        return _gi


def _import_gi():
    try:
        settings = read_settings()
    except ConfigError:
        settings = Settings()   # the caller reports it
    import gi
    gi.require_version('GIRepository', '2.0')
    from gi.repository import GIRepository
    typelib_dir, library_dir = settings.typelib_dir, settings.library_dir
    if typelib_dir is None and not os.environ.get('GI_TYPELIB_PATH'):
        typelib_dir, library_dir = _build.TYPELIB_DIR, _build.LIBRARY_DIR
    if library_dir and os.path.isdir(library_dir):
        GIRepository.Repository.prepend_library_path(library_dir)
    if typelib_dir and os.path.isdir(typelib_dir):
        GIRepository.Repository.prepend_search_path(typelib_dir)
    gi.require_version('Hv', '1.0')
    from gi.repository import Gio, GLib, Hv
    # registers org.hvkit.Error.* so hvkitd's errors come back as Hv
    # errors with their codes
    Hv.error_quark()
    return (Gio, GLib, Hv)


# -- the connection, one per process ----------------------------------------

_remote_lock = threading.Lock()
_remotes = {}


def _connect(address):
    Gio, _, _ = gi_modules()
    if address is None or address == 'system':
        return Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
    if address == 'session':
        return Gio.bus_get_sync(Gio.BusType.SESSION, None)
    return Gio.DBusConnection.new_for_address_sync(
        address,
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)


def get_remote(settings):
    """The Hv.RemoteHypervisor 'kvm' of the hvkitd the settings name, made
    once per process and address (the node daemon forks a process per RPC
    and Ganeti makes a new hypervisor object per call)."""
    key = settings.bus_address or 'system'
    with _remote_lock:
        remote = _remotes.get(key)
        if remote is None:
            _, _, Hv = gi_modules()
            connection = _connect(settings.bus_address)
            remote = Hv.RemoteHypervisor.new_sync(connection, HYPERVISOR_NAME, None)
            _remotes[key] = remote
        return remote


def forget_remotes():
    """Drops the cached connections (tests that restart hvkitd)."""
    with _remote_lock:
        _remotes.clear()


# -- errors -----------------------------------------------------------------

def _strip_dbus_prefix(message):
    # GDBus prefixes remote errors it has no mapping for with
    # "GDBus.Error:NAME: "; Hv's own come back without it
    if message.startswith('GDBus.Error:'):
        parts = message.split(': ', 1)
        if len(parts) == 2:
            return parts[1]
    return message


def hv_error_code(error):
    """The Hv.Error code of a GLib.Error of hvkit's domain, else None."""
    _, GLib, Hv = gi_modules()
    if isinstance(error, GLib.Error) and error.domain == GLib.quark_to_string(Hv.error_quark()):
        return Hv.Error(error.code)
    return None


def to_ganeti_error(error, what, hotplug=False):
    """A GLib.Error (or a ConfigError) as the Ganeti exception a caller of
    the stock class would get: HotplugError for hvkit's hotplug errors (and
    for every error when hotplug is asked about), HypervisorError for the
    rest. The message is hvkit's; bus errors say that hvkitd could not be
    reached."""
    from ganeti import errors
    if isinstance(error, ConfigError):
        return errors.HypervisorError(str(error))
    Gio, GLib, Hv = gi_modules()
    code = hv_error_code(error)
    message = _strip_dbus_prefix(error.message)
    if code is None:
        if error.domain in (GLib.quark_to_string(Gio.dbus_error_quark()),
                            GLib.quark_to_string(Gio.io_error_quark())):
            message = f"hvkitd could not be reached or refused the call ({what}): {message}"
        else:
            message = f'{what}: {message}'
    if hotplug or code == Hv.Error.HOTPLUG:
        return errors.HotplugError(message)
    return errors.HypervisorError(message)
