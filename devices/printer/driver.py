"""The receipt printer driver: connect by URL, check status, print a receipt, reprint it.

Each job is checked with DLE EOT before (nothing is sent to a printer in fault) and after (paper
that ran out or a cover opened mid-job fails the job). A failed job raises a typed error and its
rendered bytes stay in :attr:`ReceiptPrinter.last_job`, so :meth:`reprint` sends the same
receipt again once the cause is fixed; it is never replayed on its own.

URLs (options after ``?`` on any of them: ``width=58|80``, ``encoding=gb18030|gbk``,
``qr=native|raster``, ``cjk=0|1``, ``timeout=<seconds>``):
  ``usb://0416:5011``  ``serial:///dev/ttyUSB0?baud=9600``  ``socket://192.168.1.50:9100``
  ``file:///tmp/out.bin``  ``sim://printer?paper=near_end|out&cover=open&offline=1&width=58``
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from devices.errors import DeviceAbsent, DeviceTimeout, ProtocolError
from devices.printer import commands as cmd
from devices.printer import status as st
from devices.printer.document import Receipt
from devices.printer.errors import NothingToReprint, PrinterNotReady, PrinterUrlError, PrintFailed
from devices.printer.profile import PrinterProfile, profile_from_options
from devices.printer.render import render
from devices.printer.simulator import PrinterSimulator, SimState
from devices.printer.transport import (
    ConnectionLost,
    FileTransport,
    SerialTransport,
    SocketTransport,
    Transport,
    find_usb_printer,
    parse_usb_ids,
)

DEFAULT_TIMEOUT = 3.0
CHUNK = 4096
_PROFILE_OPTIONS = {"width", "encoding", "qr", "cjk"}
_SIM_OPTIONS = {"paper", "cover", "offline", "png_dir", "chinese"}


@dataclass(frozen=True)
class PrintResult:
    """A job that reached the printer with no fault reported after it."""

    status: st.PrinterStatus
    bytes_sent: int


@dataclass(frozen=True)
class PrinterUrl:
    scheme: str
    target: str
    options: dict[str, str]


def parse_url(url: str) -> PrinterUrl:
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    scheme = parts.scheme
    allowed = _PROFILE_OPTIONS | {"timeout"}
    if scheme == "serial":
        allowed |= {"baud"}
        target = parts.path
    elif scheme in ("socket", "usb"):
        target = parts.netloc
    elif scheme == "file":
        target = parts.path
    elif scheme == "sim":
        allowed |= _SIM_OPTIONS
        target = parts.netloc
    else:
        raise PrinterUrlError(f"unknown printer URL scheme {scheme!r} in {url!r}")
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise PrinterUrlError(f"unknown option(s) {', '.join(unknown)} in {url!r}")
    if not target:
        raise PrinterUrlError(f"{url!r} names no device")
    return PrinterUrl(scheme, target, options)


def _number(options: dict[str, str], name: str, default: float) -> float:
    try:
        value = float(options.get(name, default))
    except ValueError:
        raise PrinterUrlError(f"{name} must be a number, not {options[name]!r}") from None
    if value <= 0:
        raise PrinterUrlError(f"{name} must be positive")
    return value


def sim_state(options: dict[str, str]) -> SimState:
    paper = options.get("paper", "ok")
    if paper not in ("ok", "near_end", "out"):
        raise PrinterUrlError(f"paper must be ok, near_end or out, not {paper!r}")
    cover = options.get("cover", "closed")
    if cover not in ("open", "closed"):
        raise PrinterUrlError(f"cover must be open or closed, not {cover!r}")
    return SimState(
        paper=paper, cover_open=cover == "open", offline=options.get("offline", "0") == "1"
    )


class ReceiptPrinter:
    """One printer by URL. Thread-safe; every blocking call has a finite timeout."""

    def __init__(self, url: str, *, timeout: float | None = None) -> None:
        self.url = url
        self.spec = parse_url(url)
        self.profile: PrinterProfile = profile_from_options(self.spec.options)
        self.timeout = timeout or _number(self.spec.options, "timeout", DEFAULT_TIMEOUT)
        self.last_job: bytes | None = None
        self.state = st.PrinterStatus("absent", st.STATUS_UNKNOWN)
        self.simulator: PrinterSimulator | None = None
        self._transport: Transport | None = None
        self._lock = threading.RLock()
        if self.spec.scheme == "sim":
            self._start_simulator()

    def _start_simulator(self) -> None:
        options = self.spec.options
        png_dir = options.get("png_dir")
        self.simulator = PrinterSimulator(
            width=options.get("width", "80"),
            state=sim_state(options),
            chinese_default=options.get("chinese", "0") == "1",
            png_dir=Path(png_dir) if png_dir else None,
        ).start()

    # connection --------------------------------------------------------------------------
    def _open(self) -> Transport:
        if self._transport is not None:
            return self._transport
        spec, timeout = self.spec, self.timeout
        if spec.scheme == "socket":
            host, _, port = spec.target.rpartition(":")
            if not host or not port.isdigit():
                raise PrinterUrlError(f"socket://HOST:PORT expected, not {spec.target!r}")
            self._transport = SocketTransport(host, int(port), timeout)
        elif spec.scheme == "sim":
            assert self.simulator is not None
            self._transport = SocketTransport(self.simulator.host, self.simulator.port, timeout)
        elif spec.scheme == "serial":
            baud = int(_number(spec.options, "baud", 9600))
            self._transport = SerialTransport(spec.target, baud, timeout)
        elif spec.scheme == "usb":
            node = find_usb_printer(*parse_usb_ids(spec.target))
            self._transport = FileTransport(str(node), timeout, readable=True)
        else:
            self._transport = FileTransport(spec.target, timeout)
        return self._transport

    def _drop(self) -> None:
        if self._transport is not None:
            try:
                self._transport.close()
            finally:
                self._transport = None

    def close(self) -> None:
        with self._lock:
            self._drop()
            if self.simulator is not None:
                self.simulator.stop()
                self.simulator = None

    def __enter__(self) -> ReceiptPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # status ------------------------------------------------------------------------------
    def status(self) -> st.PrinterStatus:
        """Ask the printer (DLE EOT 1..4); never raises for a missing, silent or garbled printer."""
        with self._lock:
            self.state = self._query()
            return self.state

    def _query(self) -> st.PrinterStatus:
        try:
            transport = self._open()
        except DeviceAbsent:
            return st.PrinterStatus("absent", st.ABSENT)
        except DeviceTimeout:
            return st.PrinterStatus("absent", st.NO_ANSWER)
        if not transport.can_read:
            return st.PrinterStatus("ok", st.STATUS_UNKNOWN)
        try:
            transport.drain()
            transport.write(b"".join(cmd.status_query(n) for n in (1, 2, 3, 4)))
            raw = transport.read(4, self.timeout)
        except (ConnectionLost, DeviceTimeout):
            self._drop()
            return st.PrinterStatus("absent", st.ABSENT)
        if len(raw) < 4:
            self._drop()
            return st.PrinterStatus("absent", st.NO_ANSWER, raw)
        try:
            return st.decode(raw)
        except ProtocolError as error:
            # Not a printer speaking DLE EOT (or a line out of step): a fault, not a crash;
            # reconnecting gives the next query a clean stream.
            self._drop()
            return st.PrinterStatus("fault", error.key, raw)

    # printing ----------------------------------------------------------------------------
    def render(self, receipt: Receipt) -> bytes:
        return render(receipt, self.profile)

    def print(self, receipt: Receipt) -> PrintResult:
        """Render and send; raises PrinterNotReady or PrintFailed (then :meth:`reprint` works)."""
        data = self.render(receipt)
        with self._lock:
            self.last_job = data
            return self._send(data)

    def reprint(self) -> PrintResult:
        with self._lock:
            if self.last_job is None:
                raise NothingToReprint()
            return self._send(self.last_job)

    def _send(self, data: bytes) -> PrintResult:
        before = self.status()
        if not before.can_print:
            raise PrinterNotReady(before)
        try:
            transport = self._open()
            for start in range(0, len(data), CHUNK):
                transport.write(data[start : start + CHUNK])
        except (ConnectionLost, DeviceTimeout, DeviceAbsent) as error:
            self._drop()
            self.state = st.PrinterStatus("absent", st.ABSENT)
            raise PrintFailed("printer.connection_lost", self.state, str(error)) from error
        after = self.status()
        if not after.can_print:
            reason = "printer.connection_lost" if after.state == "absent" else after.reason
            raise PrintFailed(reason, after)
        return PrintResult(after, len(data))
