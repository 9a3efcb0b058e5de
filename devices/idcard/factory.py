"""``open_reader(url)``: the SAM ID-card reader a configuration URL names, opened and ready.

Accepted URLs::

    serial:///dev/ttyUSB0?baud=115200   a real port (``baud`` optional, default 115200)
    /dev/ttyUSB0   /dev/pts/7           a bare device path (``?baud=`` allowed too)
    loop://  spy://…  rfc2217://…       any other pyserial URL, passed through unchanged
    sim://idcard?card=resident&…        the simulator on a pty (options: devices.idcard.sam_simulator)

For ``sim://`` the simulator is started here, the reader connects to its pty, and
``reader.simulator`` is the :class:`~devices.idcard.sam_simulator.SamSimulator` (to place or
remove cards, unplug, inject faults); ``reader.close()`` stops it.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from devices.idcard.errors import ReaderAbsent, ReaderUrlError
from devices.idcard.sam_reader import DEFAULT_BAUD, SamReader, Timeouts
from devices.idcard.sam_simulator import SamSimulator, parse_sim_url


def _split_serial(url: str) -> tuple[str, int | None]:
    """Device path and optional baud of a ``serial://`` URL or bare path."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    unknown = set(options) - {"baud"}
    if unknown:
        raise ReaderUrlError(f"{url}: unknown option(s) {', '.join(sorted(unknown))}")
    try:
        baud = int(options["baud"]) if "baud" in options else None
    except ValueError:
        raise ReaderUrlError(f"{url}: baud must be a number") from None
    path = parts.path if parts.scheme == "serial" else url.split("?", 1)[0]
    if not path:
        raise ReaderUrlError(f"{url}: no device path")
    return path, baud


def make_reader(
    url: str, *, baud: int | None = None, timeouts: Timeouts | None = None
) -> SamReader:
    """The reader for ``url``, not yet opened (a simulator is started already)."""
    url = url.strip()
    if not url:
        raise ReaderUrlError("no ID-card reader is configured (devices.idcard is empty)")
    if url.startswith("sim://"):
        settings = parse_sim_url(url)
        simulator = SamSimulator(settings).start()
        reader = SamReader(
            simulator.path,
            baud=baud or settings.baud,
            timeouts=timeouts,
            on_close=simulator.stop,
        )
        reader.simulator = simulator
        return reader
    if url.startswith("serial://") or "://" not in url:
        path, url_baud = _split_serial(url)
        return SamReader(path, baud=baud or url_baud or DEFAULT_BAUD, timeouts=timeouts)
    return SamReader(url, baud=baud or DEFAULT_BAUD, timeouts=timeouts)


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
