"""Device URLs: one parser for every device, and the registry of who opens which scheme.

In the manner of pyserial's ``serial_for_url`` and its ``protocol_handler_packages``: a config
names each device by URL (``serial:///dev/ttyUSB0?baud=115200``, ``socket://10.0.0.5:9100``,
``usb://0416:5011``, ``pcsc://ACR122``, ``camera://0``, ``file:///scans/``, ``sim://printer``…);
:func:`parse_url` splits any of them the same way, and :func:`open_device` hands the parsed URL
to the opener registered for that device and scheme.

Production drivers register their schemes from their own factory modules. Simulators register
``sim`` from their own modules, which production code never imports: the simulation harness
calls :func:`devices.simulators.register_all`, or names handler modules in
:data:`handler_packages` / the ``KIOSK_DEVICE_HANDLERS`` environment variable (comma-separated),
which are imported the first time a scheme is not found, as pyserial does.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from devices.errors import DeviceError
from devices.status import DeviceKind, as_kind

HANDLERS_ENV = "KIOSK_DEVICE_HANDLERS"

# Where each device's production schemes are registered: imported by name on first use, so a
# caller may open any device through this module without importing its driver first.
DRIVER_MODULES: dict[DeviceKind, str] = {
    DeviceKind.IDCARD: "devices.idcard.factory",
    DeviceKind.SSCARD: "devices.pcsc.sscard",
    DeviceKind.PRINTER: "devices.printer.transport",
    DeviceKind.CAMERA: "devices.camera.sources",
}

# Further modules imported (once each) when a device/scheme pair is not registered yet, like
# pyserial's protocol_handler_packages; a module's ``register_all()`` is called if it has one.
handler_packages: list[str] = []


class DeviceUrlError(DeviceError):
    """A device URL that cannot be used: unknown scheme, no target, unknown or bad option."""

    key = "device.bad_url"
    exit_code = 2


@dataclass(frozen=True)
class DeviceUrl:
    """A parsed device URL. ``target`` is what follows ``scheme://`` up to ``?``, unquoted:
    a path (``/dev/ttyUSB0``), ``host:port``, ``VID:PID``, a reader name, a camera index,
    a simulator's name. A bare path (``/dev/ttyUSB0``) is a ``serial`` URL."""

    text: str
    scheme: str
    target: str
    options: Mapping[str, str] = field(default_factory=dict)

    def check_options(self, allowed: Iterable[str], error: type[DeviceError] = DeviceUrlError) -> None:
        unknown = sorted(set(self.options) - set(allowed))
        if unknown:
            raise error(f"unknown option(s) {', '.join(unknown)} in {self.text!r}")

    def number(self, name: str, default: float, error: type[DeviceError] = DeviceUrlError) -> float:
        """A positive number option (``timeout=2.5``, ``baud=9600``)."""
        raw = self.options.get(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise error(f"{name} must be a number, not {raw!r}", option=name) from None
        if value <= 0:
            raise error(f"{name} must be positive, not {raw!r}", option=name)
        return value


def parse_url(text: str) -> DeviceUrl:
    """Split ``text`` into scheme, target and options; never looks at what the scheme means."""
    text = text.strip()
    if not text:
        raise DeviceUrlError("empty device URL")
    if "://" not in text:
        path, _, query = text.partition("?")
        return DeviceUrl(text, "serial", path, _options(query))
    parts = urlsplit(text)
    target = unquote(parts.netloc + parts.path).strip()
    return DeviceUrl(text, parts.scheme.lower(), target, _options(parts.query))


def with_options(text: str, **options: str) -> str:
    """``text`` with ``options`` set in its query (added, or replacing the same names)."""
    base, _, query = text.partition("?")
    merged = dict(parse_qsl(query, keep_blank_values=True)) | options
    return f"{base}?{urlencode(merged, safe='/:')}" if merged else base


def _options(query: str) -> Mapping[str, str]:
    return MappingProxyType(dict(parse_qsl(query, keep_blank_values=True)))


Opener = Callable[..., Any]

_openers: dict[tuple[DeviceKind, str], Opener] = {}
_url_errors: dict[DeviceKind, type[DeviceError]] = {}
_loaded: set[str] = set()
_lock = threading.RLock()


def register(device: DeviceKind | str, schemes: Iterable[str], opener: Opener) -> None:
    """Let ``opener(url: DeviceUrl, **options)`` open ``device`` for each of ``schemes``.

    Registering a pair again replaces the opener (a test or a plug-in may override one)."""
    kind = as_kind(device)
    with _lock:
        for scheme in schemes:
            _openers[(kind, scheme.lower())] = opener


def register_url_error(device: DeviceKind | str, error: type[DeviceError]) -> None:
    """The error class (and so the i18n key) a bad URL for ``device`` is reported with."""
    _url_errors[as_kind(device)] = error


def url_error(device: DeviceKind | str) -> type[DeviceError]:
    return _url_errors.get(as_kind(device), DeviceUrlError)


def schemes(device: DeviceKind | str) -> list[str]:
    """The schemes ``device`` can be opened with right now (handler modules loaded first)."""
    kind = as_kind(device)
    importlib.import_module(DRIVER_MODULES[kind])
    _load_handlers()
    with _lock:
        return sorted(scheme for k, scheme in _openers if k is kind)


def _handler_modules() -> list[str]:
    from_env = [name.strip() for name in os.environ.get(HANDLERS_ENV, "").split(",")]
    return [name for name in [*handler_packages, *from_env] if name]


def _load_handlers() -> None:
    for name in _handler_modules():
        with _lock:
            if name in _loaded:
                continue
            _loaded.add(name)
        module = importlib.import_module(name)
        register_all = getattr(module, "register_all", None)
        if callable(register_all):
            register_all()


def find_opener(device: DeviceKind | str, url: str | DeviceUrl) -> tuple[Opener, DeviceUrl]:
    """The opener for ``url`` and the parsed URL; a clear error when nothing opens it."""
    kind = as_kind(device)
    importlib.import_module(DRIVER_MODULES[kind])
    error = url_error(kind)
    try:
        parsed = url if isinstance(url, DeviceUrl) else parse_url(url)
    except DeviceUrlError as bad:
        raise error(f"{kind.value}: {bad.detail}") from None
    opener = _openers.get((kind, parsed.scheme))
    if opener is None:
        _load_handlers()
        opener = _openers.get((kind, parsed.scheme))
    if opener is None:
        known = ", ".join(f"{s}://" for s in schemes(kind)) or "none"
        hint = (
            "; sim:// is for the simulators, which are not loaded "
            f"(the simulation harness loads them; or set {HANDLERS_ENV}=devices.simulators)"
            if parsed.scheme == "sim"
            else ""
        )
        raise error(
            f"a {kind.value} cannot be opened with {parsed.scheme}:// ({parsed.text!r}); "
            f"known: {known}{hint}"
        )
    return opener, parsed


def open_device(device: DeviceKind | str, url: str | DeviceUrl, **options: Any) -> Any:
    """What the opener registered for ``device`` and the URL's scheme returns for it."""
    opener, parsed = find_opener(device, url)
    return opener(parsed, **options)
