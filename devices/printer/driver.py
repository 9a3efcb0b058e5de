"""The receipt printer driver: connect by URL, check status, print a receipt, reprint it.

Each job is checked with DLE EOT before (nothing is sent to a printer in fault) and after (paper
that ran out or a cover opened mid-job fails the job). A failed job raises a typed error and its
rendered bytes stay in :attr:`ReceiptPrinter.last_job`, so :meth:`reprint` sends the same
receipt again once the cause is fixed; it is never replayed on its own.

URLs (options after ``?`` on any of them: ``profile=<model>``, ``width=58|80``,
``encoding=gb18030|gbk``, ``qr=native|raster``, ``cjk=0|1``, ``timeout=<seconds>``), opened
through :mod:`devices.registry` (schemes in :mod:`devices.printer.transport`):
  ``usb://0416:5011``  ``serial:///dev/ttyUSB0?baud=9600``  ``socket://192.168.1.50:9100``
  ``file:///tmp/out.bin``  ``sim://printer?paper=near_end|out&cover=open&offline=1&width=58``
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from devices import registry
from devices.errors import DeviceAbsent, DeviceTimeout, ProtocolError
from devices.printer import commands as cmd
from devices.printer import status as st
from devices.printer.document import Receipt
from devices.printer.errors import NothingToReprint, PrinterNotReady, PrinterUrlError, PrintFailed
from devices.printer.profile import PrinterProfile, profile_from_options
from devices.printer.render import render
from devices.printer.transport import ConnectionLost, Link, Transport
from devices.status import DeviceKind, DeviceStatus

DEFAULT_TIMEOUT = 3.0
CHUNK = 4096


@dataclass(frozen=True)
class PrintResult:
    """A job that reached the printer with no fault reported after it."""

    status: DeviceStatus
    bytes_sent: int


class ReceiptPrinter:
    """One printer by URL. Thread-safe; every blocking call has a finite timeout."""

    def __init__(self, url: str, *, timeout: float | None = None) -> None:
        self.url = url
        opener, self.spec = registry.find_opener(DeviceKind.PRINTER, url)
        self.profile: PrinterProfile = profile_from_options(self.spec.options)
        self.timeout = timeout or self.spec.number("timeout", DEFAULT_TIMEOUT, PrinterUrlError)
        self.last_job: bytes | None = None
        self.state = st.printer_status("absent", st.STATUS_UNKNOWN)
        self._link: Link = opener(self.spec, timeout=self.timeout)
        self.simulator = self._link.simulator  # set for sim:// (the harness drives it)
        self._transport: Transport | None = None
        self._lock = threading.RLock()

    # connection --------------------------------------------------------------------------
    def _open(self) -> Transport:
        if self._transport is not None:
            return self._transport
        self._transport = self._link.connect()
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
            release, self._link.close = self._link.close, lambda: None
            release()
            self.simulator = None

    def __enter__(self) -> ReceiptPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # status ------------------------------------------------------------------------------
    def status(self) -> DeviceStatus:
        """Ask the printer (DLE EOT 1..4); never raises for a missing, silent or garbled printer."""
        with self._lock:
            self.state = self._query()
            return self.state

    def _query(self) -> DeviceStatus:
        try:
            transport = self._open()
        except DeviceAbsent:
            return st.printer_status("absent", st.ABSENT)
        except DeviceTimeout:
            return st.printer_status("absent", st.NO_ANSWER)
        if not transport.can_read:
            return st.printer_status("ok", st.STATUS_UNKNOWN)
        try:
            transport.drain()
            transport.write(b"".join(cmd.status_query(n) for n in (1, 2, 3, 4)))
            raw = transport.read(4, self.timeout)
        except (ConnectionLost, DeviceTimeout):
            self._drop()
            return st.printer_status("absent", st.ABSENT)
        if len(raw) < 4:
            self._drop()
            return st.printer_status("absent", st.NO_ANSWER, raw)
        try:
            return st.decode(raw)
        except ProtocolError as error:
            # Not a printer speaking DLE EOT (or a line out of step): a fault, not a crash;
            # reconnecting gives the next query a clean stream.
            self._drop()
            return st.printer_status("fault", error.key, raw)

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
        if not before.usable:
            raise PrinterNotReady(before)
        try:
            transport = self._open()
            for start in range(0, len(data), CHUNK):
                transport.write(data[start : start + CHUNK])
        except (ConnectionLost, DeviceTimeout, DeviceAbsent) as error:
            self._drop()
            self.state = st.printer_status("absent", st.ABSENT)
            raise PrintFailed("printer.connection_lost", self.state, str(error)) from error
        after = self.status()
        if not after.usable:
            reason = "printer.connection_lost" if after.state == "absent" else after.reason
            raise PrintFailed(reason, after)
        return PrintResult(after, len(data))
