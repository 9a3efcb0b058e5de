"""``open_reader(url)``: the SAM ID-card reader a configuration URL names, opened and ready.

Schemes registered here (:mod:`devices.registry`)::

    serial:///dev/ttyUSB0?baud=115200   a real port (``baud`` optional, default 115200)
    /dev/ttyUSB0   /dev/pts/7           a bare device path (``?baud=`` allowed too)
    loop://  spy://…  rfc2217://  socket://   pyserial's own URLs, passed through unchanged

``sim://idcard?card=resident&…`` is registered by :mod:`devices.idcard.sam_simulator` when the
simulators are loaded; then ``reader.simulator`` is the simulator (to place or remove cards,
unplug, inject faults) and ``reader.close()`` stops it.
"""

from __future__ import annotations

from devices import registry
from devices.idcard.errors import ReaderAbsent, ReaderUrlError
from devices.idcard.sam_reader import DEFAULT_BAUD, SamReader, Timeouts
from devices.status import DeviceKind

PYSERIAL_SCHEMES = ("loop", "spy", "rfc2217", "socket", "alt", "hwgrep")


def _serial(url: registry.DeviceUrl, *, baud: int | None, timeouts: Timeouts | None) -> SamReader:
    url.check_options({"baud"}, ReaderUrlError)
    if not url.target:
        raise ReaderUrlError(f"{url.text}: no device path")
    url_baud = int(url.number("baud", DEFAULT_BAUD, ReaderUrlError))
    return SamReader(url.target, baud=baud or url_baud, timeouts=timeouts)


def _pyserial(url: registry.DeviceUrl, *, baud: int | None, timeouts: Timeouts | None) -> SamReader:
    return SamReader(url.text, baud=baud or DEFAULT_BAUD, timeouts=timeouts)


registry.register_url_error(DeviceKind.IDCARD, ReaderUrlError)
registry.register(DeviceKind.IDCARD, ["serial"], _serial)
registry.register(DeviceKind.IDCARD, PYSERIAL_SCHEMES, _pyserial)


def make_reader(
    url: str, *, baud: int | None = None, timeouts: Timeouts | None = None
) -> SamReader:
    """The reader for ``url``, not yet opened (a simulator is started already)."""
    if not url.strip():
        raise ReaderUrlError("no ID-card reader is configured (devices.idcard is empty)")
    reader: SamReader = registry.open_device(DeviceKind.IDCARD, url, baud=baud, timeouts=timeouts)
    return reader


def open_reader(
    url: str, *, baud: int | None = None, timeouts: Timeouts | None = None
) -> SamReader:
    """The reader for ``url``, opened: :class:`ReaderAbsent` if its port is not there."""
    reader = make_reader(url, baud=baud, timeouts=timeouts)
    try:
        return reader.open()
    except (ReaderAbsent, ReaderUrlError):
        reader.close()
        raise
