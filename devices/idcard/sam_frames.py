"""SAM_V frames ("AA AA AA 96 69"): building them and finding them in a byte stream.

Frame layout (both directions)::

    AA AA AA 96 69 | LEN1 LEN2 | body ... | CHK
    request body : CMD PARA DATA...
    response body: SW1 SW2 SW3 DATA...

LEN is big-endian and counts the body plus CHK, so a whole frame is LEN + 7 bytes. CHK is the
XOR of every byte from LEN1 to the last body byte. It is always computed here: public code
carries hard-coded frames with wrong checksums (fact sheet §1.3 pitfall).

:class:`FrameDecoder` is a byte-stream parser: it skips garbage before a preamble, waits for
partial frames, rejects impossible lengths and bad checksums, and then resynchronises one
byte after the failed preamble so a real frame hidden behind noise is still found.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from devices.idcard.errors import FrameChecksumError, FrameMalformed, FrameTooLong

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = 7  # preamble + two length bytes
# The largest real frame is read text+photo+1024 B fingerprint: LEN 0x090A (2321 bytes in all).
MAX_LEN = 0x0A00
MIN_REQUEST_LEN = 3  # CMD PARA CHK
MIN_RESPONSE_LEN = 4  # SW1 SW2 SW3 CHK


class Command(Enum):
    """(CMD, PARA) pairs of the commands the driver uses."""

    RESET_SAM = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    SAM_ID = (0x12, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_BASE = (0x30, 0x01)  # text + photo
    READ_APPENDED_ADDRESS = (0x30, 0x03)
    READ_BASE_FINGERPRINT = (0x30, 0x10)  # text + photo + fingerprint

    @property
    def cmd(self) -> int:
        return self.value[0]

    @property
    def para(self) -> int:
        return self.value[1]

    @classmethod
    def lookup(cls, cmd: int, para: int) -> Command | None:
        for command in cls:
            if command.value == (cmd, para):
                return command
        return None


def checksum(data: bytes) -> int:
    """XOR of ``data`` (pass LEN1 through the last body byte)."""
    result = 0
    for byte in data:
        result ^= byte
    return result


def encode_frame(body: bytes) -> bytes:
    length = len(body) + 1
    if length > MAX_LEN:
        raise ValueError(f"frame body of {len(body)} bytes is longer than the protocol allows")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([checksum(head + body)])


def encode_request(cmd: int, para: int, data: bytes = b"") -> bytes:
    return encode_frame(bytes([cmd, para]) + data)


def encode_command(command: Command, data: bytes = b"") -> bytes:
    return encode_request(command.cmd, command.para, data)


def encode_response(sw3: int, data: bytes = b"", *, sw1: int = 0, sw2: int = 0) -> bytes:
    return encode_frame(bytes([sw1, sw2, sw3]) + data)


def wire_seconds(n_bytes: int, baud: int) -> float:
    """Time ``n_bytes`` take on an 8N1 line (10 bits a byte): the physical lower bound."""
    return n_bytes * 10 / baud


@dataclass(frozen=True)
class Request:
    cmd: int
    para: int
    data: bytes

    @classmethod
    def from_body(cls, body: bytes) -> Request:
        return cls(body[0], body[1], body[2:])

    @property
    def command(self) -> Command | None:
        return Command.lookup(self.cmd, self.para)


@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @classmethod
    def from_body(cls, body: bytes) -> Response:
        return cls(body[0], body[1], body[2], body[3:])


class FrameDecoder:
    """Incremental parser: ``feed()`` bytes, then ``next_body()`` until it returns None.

    ``next_body()`` raises :class:`FrameChecksumError`, :class:`FrameTooLong` or
    :class:`FrameMalformed` for a bad candidate frame, after dropping it, so calling it again
    continues with the bytes that follow. It never raises anything else, whatever it is fed.
    """

    def __init__(self, *, min_len: int = MIN_RESPONSE_LEN, max_len: int = MAX_LEN) -> None:
        self._buffer = bytearray()
        self._min_len = min_len
        self._max_len = max_len
        self.skipped = 0  # garbage bytes discarded so far (for logs and tests)

    def feed(self, data: bytes) -> None:
        self._buffer += data

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def in_frame(self) -> bool:
        """Whether the buffer starts with a preamble: a frame has begun but is incomplete."""
        self._sync()
        return self._buffer.startswith(PREAMBLE)

    def needed(self) -> int:
        """How many more bytes would complete the frame in progress (at least 1)."""
        self._sync()
        if len(self._buffer) < HEADER_LEN or not self._buffer.startswith(PREAMBLE):
            return max(1, HEADER_LEN - len(self._buffer))
        length = int.from_bytes(self._buffer[5:7], "big")
        if not self._min_len <= length <= self._max_len:
            return 1
        return max(1, HEADER_LEN + length - len(self._buffer))

    def next_body(self) -> bytes | None:
        """The body (between LEN and CHK) of the next complete, valid frame, or None."""
        self._sync()
        if len(self._buffer) < HEADER_LEN:
            return None
        length = int.from_bytes(self._buffer[5:7], "big")
        if length > self._max_len:
            self._drop_candidate()
            raise FrameTooLong(f"length field {length} exceeds {self._max_len}")
        if length < self._min_len:
            self._drop_candidate()
            raise FrameMalformed(f"length field {length} is shorter than {self._min_len}")
        end = HEADER_LEN + length
        if len(self._buffer) < end:
            return None
        frame = bytes(self._buffer[:end])
        expected = checksum(frame[5:-1])
        if frame[-1] != expected:
            self._drop_candidate()
            raise FrameChecksumError(f"checksum {frame[-1]:02X}, computed {expected:02X}")
        del self._buffer[:end]
        return frame[HEADER_LEN:-1]

    def _sync(self) -> None:
        """Discard bytes before the first preamble (keeping a possible partial one at the end)."""
        at = self._buffer.find(PREAMBLE)
        if at < 0:
            keep = 0
            for size in range(min(len(PREAMBLE) - 1, len(self._buffer)), 0, -1):
                if self._buffer.endswith(PREAMBLE[:size]):
                    keep = size
                    break
            at = len(self._buffer) - keep
        if at:
            self.skipped += at
            del self._buffer[:at]

    def _drop_candidate(self) -> None:
        # Only the first byte: a genuine frame may start inside the rejected one.
        self.skipped += 1
        del self._buffer[:1]
