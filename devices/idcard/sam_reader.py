"""Driver for SAM_V ID-card readers on a serial line (a real port, a pty, ``loop://``, …).

One :class:`SamReader` owns one pyserial port opened with ``serial.serial_for_url``. Every
command is one request frame and one response frame; :meth:`SamReader.transact` sends it,
reads exactly as many bytes as the frame in progress needs, and gives up at the command's own
deadline. A card read is find (20 01) → select (20 02) → read text+photo (30 01, or 30 10
with fingerprints) → appended address (30 03), as every public implementation does.

Methods are thread-safe (one lock around each exchange) but blocking: call them from a worker
thread (:mod:`devices.idcard.sam_poller` runs one), never from the UI thread.

Logs carry frame sizes and status codes only, never the text block.
"""

from __future__ import annotations

import contextlib
import logging
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import serial

from devices.idcard import text_block
from devices.idcard.errors import (
    CardReadFailed,
    CardSelectFailed,
    FrameError,
    FrameMalformed,
    FrameTruncated,
    NoCard,
    ReaderAbsent,
    ReaderTimeout,
    ReaderUrlError,
)
from devices.idcard.sam_frames import (
    HEADER_LEN,
    Command,
    FrameDecoder,
    Response,
    encode_command,
)
from devices.idcard.sam_status import Sw3, error_for
from identity.record import IdentityRecord

log = logging.getLogger(__name__)

DEFAULT_BAUD = 115200
BAUD_RATES = (115200, 57600, 38400, 19200, 9600)
ADDRESS_LEN = 70
SAM_ID_LEN = 16


@dataclass(frozen=True)
class Timeouts:
    """Seconds per command at 115200 baud (public drivers use 100 ms–5 s; fact sheet §5).

    At lower rates the wire time of the longest expected reply is added automatically.
    """

    control: float = 1.0
    find: float = 0.5
    read: float = 3.0
    read_fingerprint: float = 4.0
    address: float = 1.5

    def for_command(self, command: Command) -> float:
        return {
            Command.FIND_CARD: self.find,
            Command.SELECT_CARD: self.find,
            Command.READ_BASE: self.read,
            Command.READ_BASE_FINGERPRINT: self.read_fingerprint,
            Command.READ_APPENDED_ADDRESS: self.address,
        }.get(command, self.control)


# Longest reply each command can get, for stretching timeouts at low baud rates.
_LONGEST_REPLY = {Command.READ_BASE: 1295, Command.READ_BASE_FINGERPRINT: 2321}


def format_sam_id(data: bytes) -> str:
    """SAM ID as "b0.b2-u32-u32-u32" (HslCommunication style; vendors' exact padding differs)."""
    if len(data) != SAM_ID_LEN:
        raise FrameMalformed(f"SAM ID is {len(data)} bytes, expected {SAM_ID_LEN}")
    parts = [int.from_bytes(data[i : i + 4], "little") for i in (4, 8, 12)]
    return f"{data[0]:02d}.{data[2]:02d}-{parts[0]}-{parts[1]:09d}-{parts[2]:09d}"


@dataclass(frozen=True)
class BaseInfo:
    """The parts of a 30 01 / 30 10 reply."""

    text: bytes
    photo: bytes
    fingerprint: bytes | None


def split_base_info(data: bytes, *, fingerprint: bool) -> BaseInfo:
    """Split the data of a read reply by its big-endian length fields."""
    n_lengths = 3 if fingerprint else 2
    head = 2 * n_lengths
    if len(data) < head:
        raise FrameMalformed(f"read reply of {len(data)} bytes has no length fields")
    lengths = [int.from_bytes(data[i : i + 2], "big") for i in range(0, head, 2)]
    if head + sum(lengths) != len(data):
        raise FrameMalformed(f"read reply lengths {lengths} do not add up to {len(data) - head}")
    text = data[head : head + lengths[0]]
    photo = data[head + lengths[0] : head + lengths[0] + lengths[1]]
    fp = data[head + lengths[0] + lengths[1] :] if fingerprint else None
    return BaseInfo(text, photo, fp or None)


class SamReader:
    """A SAM_V reader behind a pyserial URL. ``open()`` it, or use it as a context manager."""

    def __init__(
        self,
        url: str,
        *,
        baud: int = DEFAULT_BAUD,
        timeouts: Timeouts | None = None,
        port_factory: Callable[..., Any] = serial.serial_for_url,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        if baud not in BAUD_RATES:
            raise ReaderUrlError(f"baud {baud} is not one the SAM supports {BAUD_RATES}")
        self.url = url
        self.baud = baud
        self.timeouts = timeouts or Timeouts()
        self.simulator: Any = None  # set by the factory for sim:// URLs
        self._port_factory = port_factory
        self._on_close = on_close
        self._port: Any = None
        self._lock = threading.RLock()
        self.bytes_exchanged = 0  # request + reply bytes since open (for benchmarks)

    # -- connection ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self) -> SamReader:
        with self._lock:
            if self._port is not None:
                return self
            try:
                self._port = self._port_factory(self.url, baudrate=self.baud, timeout=0.1)
            except ValueError as error:  # unknown URL scheme or bad setting
                raise ReaderUrlError(f"{self.url}: {error}") from error
            except (serial.SerialException, OSError, termios.error) as error:
                raise ReaderAbsent(f"{self.url}: {error}") from error
            self.bytes_exchanged = 0
            log.info("ID-card reader opened at %s, %d baud", self.url, self.baud)
            return self

    def disconnect(self) -> None:
        """Close the port but keep the reader (and a simulator) for a later ``open()``."""
        with self._lock:
            port, self._port = self._port, None
        if port is not None:
            # An unplugged port may fail to close; it is gone either way.
            with contextlib.suppress(serial.SerialException, OSError, termios.error):
                port.close()

    def close(self) -> None:
        """Close the port and release what the factory started (the simulator)."""
        self.disconnect()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def __enter__(self) -> SamReader:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one exchange -------------------------------------------------------------------------

    def timeout_for(self, command: Command) -> float:
        base = self.timeouts.for_command(command)
        longest = _LONGEST_REPLY.get(command, 32)
        return base + max(0.0, longest * 10 / self.baud - longest * 10 / DEFAULT_BAUD)

    def transact(
        self, command: Command, data: bytes = b"", timeout: float | None = None
    ) -> Response:
        """Send one command and return its reply (any status; callers check SW3)."""
        frame = encode_command(command, data)
        timeout = self.timeout_for(command) if timeout is None else timeout
        with self._lock:
            port = self._port
            if port is None:
                raise ReaderAbsent(f"{self.url}: not open")
            try:
                return self._exchange(port, command, frame, timeout)
            except (serial.SerialException, OSError, termios.error) as error:
                # termios.error is what tcflush raises on a pty whose other end has gone
                self.disconnect()
                raise ReaderAbsent(f"{self.url}: {error}") from error

    def _exchange(self, port: Any, command: Command, frame: bytes, timeout: float) -> Response:
        deadline = time.monotonic() + timeout
        port.reset_input_buffer()  # a late reply to an earlier command must not answer this one
        port.write(frame)
        self.bytes_exchanged += len(frame)
        decoder = FrameDecoder()
        error: FrameError | None = None
        while True:
            try:
                body = decoder.next_body()
            except FrameError as bad:
                error = bad
                if decoder.in_frame():
                    continue  # another candidate is already buffered
                raise
            if body is not None:
                self.bytes_exchanged += len(body) + HEADER_LEN + 1
                response = Response.from_body(body)
                log.debug(
                    "%s -> SW3 %02X, %d data bytes", command.name, response.sw3, len(response.data)
                )
                return response
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if error is not None:
                    raise error
                if decoder.in_frame():
                    raise FrameTruncated(
                        f"{command.name}: {decoder.buffered} bytes of a frame, then silence"
                    )
                raise ReaderTimeout(f"{command.name}: no reply in {timeout:.1f} s")
            if port.timeout != remaining:
                port.timeout = remaining
            chunk = port.read(decoder.needed())
            decoder.feed(chunk)

    def _expect(self, command: Command, *ok: int) -> Response:
        response = self.transact(command)
        if response.sw3 not in ok:
            raise error_for(response.sw3, response.sw1, response.sw2, command=command.name)
        return response

    # -- SAM ----------------------------------------------------------------------------------

    def reset_sam(self) -> None:
        self._expect(Command.RESET_SAM, Sw3.OK)

    def sam_status(self) -> None:
        """Raise the SAM's error if it is not ready (SW3 60 self-test failed, 66 …)."""
        self._expect(Command.SAM_STATUS, Sw3.OK)

    def sam_id(self) -> str:
        return format_sam_id(self._expect(Command.SAM_ID, Sw3.OK).data)

    # -- card ---------------------------------------------------------------------------------

    def find_card(self) -> bytes:
        """The 4-byte IIN of the card in the field; :class:`NoCard` if there is none."""
        return self._expect(Command.FIND_CARD, Sw3.FIND_OK).data

    def select_card(self) -> bytes:
        """The card's 8-byte serial number."""
        return self._expect(Command.SELECT_CARD, Sw3.OK).data

    def card_present(self) -> bool:
        """Whether a card lies on the reader (find, or else select, answers for it).

        Select is the fallback because a card already read may stay in the active state and
        ignore find (public drivers ignore find failures for this reason; fact sheet §1.6).
        """
        try:
            self.find_card()
            return True
        except NoCard:
            pass
        try:
            self.select_card()
            return True
        except CardSelectFailed:
            return False

    def read_base(self, *, fingerprint: bool = False) -> BaseInfo:
        command = Command.READ_BASE_FINGERPRINT if fingerprint else Command.READ_BASE
        data = self._expect(command, Sw3.OK).data
        return split_base_info(data, fingerprint=fingerprint)

    def read_appended_address(self) -> str | None:
        """The latest address added to the card after issue (住址变更), or None."""
        response = self._expect(Command.READ_APPENDED_ADDRESS, Sw3.OK, Sw3.NO_CONTENT)
        if response.sw3 == Sw3.NO_CONTENT or not response.data:
            return None
        text = response.data[:ADDRESS_LEN].decode("utf-16-le", errors="replace").rstrip(" \0")
        return text or None

    def read_selected(
        self, *, fingerprint: bool = False, appended_address: bool = True
    ) -> IdentityRecord:
        """Select, read and parse the card (after :meth:`find_card` or :meth:`card_present`)."""
        self.select_card()
        info = self.read_base(fingerprint=fingerprint)
        record = text_block.parse(info.text, photo_wlt=info.photo or None)
        record.fingerprint = info.fingerprint
        if appended_address:
            try:
                latest = self.read_appended_address()
            except CardReadFailed:
                latest = None  # the main read succeeded; a missing 30 03 must not lose it
            if latest:
                if record.address:
                    record.extra["printed_address"] = record.address
                record.address = latest
        return record

    def read_card(
        self, *, fingerprint: bool = False, appended_address: bool = True
    ) -> IdentityRecord:
        """One full read: find → select → read → appended address. Raises :class:`NoCard`."""
        self.find_card()
        return self.read_selected(fingerprint=fingerprint, appended_address=appended_address)
