"""Bytes left on the line by an earlier, interrupted answer must not answer the next command.

A real pty stands for the serial line. Stale bytes are written by the "reader module" side
before the driver sends its command and are already in the driver's input queue (checked with
FIONREAD); the module then answers the command properly. The driver must return the proper
answer: it flushes its input before each command (``reset_input_buffer`` in ``_exchange``).
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import termios
import threading
import time
import tty
from collections.abc import Iterator

import pytest

from devices.idcard.errors import NoCard
from devices.idcard.sam_frames import Command, encode_command, encode_response
from devices.idcard.sam_reader import SamReader, Timeouts
from devices.idcard.sam_status import Sw3

IIN = bytes.fromhex("00000001")
FAST = Timeouts(control=0.5, find=0.5, read=1.0, read_fingerprint=1.0, address=0.5)


class Module:
    """The far end of a pty: answers each command frame with the reply queued for it."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.requests: list[bytes] = []
        self._replies: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def answer_next(self, reply: bytes) -> None:
        self._replies.append(reply)

    def leave_stale(self, data: bytes) -> None:
        """Write ``data`` now and wait until it sits in the driver's input queue."""
        os.write(self.master, data)
        deadline = time.monotonic() + 2.0
        while self.waiting() < len(data):
            assert time.monotonic() < deadline, "stale bytes never reached the driver's side"
            time.sleep(0.005)

    def waiting(self) -> int:
        raw = fcntl.ioctl(self.slave, termios.FIONREAD, struct.pack("i", 0))
        return int(struct.unpack("i", raw)[0])

    def _serve(self) -> None:
        size = len(encode_command(Command.FIND_CARD))  # every command used here has no data
        buffer = b""
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if not ready:
                    continue
                buffer += os.read(self.master, 4096)
            except OSError:
                return
            while len(buffer) >= size:
                request, buffer = buffer[:size], buffer[size:]
                self.requests.append(request)
                if self._replies:
                    os.write(self.master, self._replies.pop(0))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for fd in (self.master, self.slave):
            os.close(fd)


@pytest.fixture
def module() -> Iterator[Module]:
    far_end = Module()
    yield far_end
    far_end.close()


@pytest.fixture
def reader(module: Module) -> Iterator[SamReader]:
    sam = SamReader(module.path, timeouts=FAST).open()
    yield sam
    sam.disconnect()


def test_a_whole_stale_reply_does_not_answer_the_next_command(
    module: Module, reader: SamReader
) -> None:
    # An earlier find timed out on our side; its "no card" answer arrived afterwards.
    module.leave_stale(encode_response(Sw3.NO_CARD))
    module.answer_next(encode_response(Sw3.FIND_OK, IIN))
    assert reader.find_card() == IIN
    assert module.requests == [encode_command(Command.FIND_CARD)]


def test_half_a_stale_reply_does_not_swallow_the_next_one(
    module: Module, reader: SamReader
) -> None:
    # A 1295-byte read reply cut off after 40 bytes (the card was pulled mid-answer).
    cut_off = encode_response(Sw3.OK, bytes(1288))[:40]
    module.leave_stale(cut_off)
    module.answer_next(encode_response(Sw3.FIND_OK, IIN))
    assert reader.find_card() == IIN


def test_each_command_flushes_not_only_the_first(module: Module, reader: SamReader) -> None:
    module.answer_next(encode_response(Sw3.NO_CARD))
    with pytest.raises(NoCard):
        reader.find_card()
    module.leave_stale(encode_response(Sw3.NO_CARD))
    module.answer_next(encode_response(Sw3.FIND_OK, IIN))
    assert reader.find_card() == IIN
