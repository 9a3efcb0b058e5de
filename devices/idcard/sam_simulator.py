"""A simulated SAM_V ID-card reader speaking the real protocol over a pty pair.

The simulator owns the master side of an ``os.openpty()`` pair (both sides ``tty.setraw``)
and publishes the slave under a stable symlink (:attr:`SamSimulator.path`), the way udev
names a real reader, so the driver opens it like any serial port. Replies are paced at the
configured baud (10 bits a byte: the 1295-byte text+photo reply takes about 112 ms at
115200), and each request is held for its own wire time before it is answered.

URL (``open_reader("sim://idcard?...")`` in :mod:`devices.idcard.factory`)::

    sim://idcard?card=resident&fault=checksum&count=1

    card        resident | hmt | foreign2017 | foreign2023 | none       (default resident)
    seed        integer seed for the generated person                   (default: random)
    expired     1: validity ended 40 days ago
    longterm    1: valid until 长期
    badcheck    1: wrong check digit (wrong shape for foreign2017)
    address     1: the card has an appended address (30 03)
    fingerprint 1: the card holds 1024 bytes of fingerprint data (30 10)
    baud        115200 | 57600 | 38400 | 19200 | 9600                   (default 115200)
    fault       none | status | checksum | slow | truncated | garbage | unplug | oversized | mute
    code        hex SW3 for fault=status, e.g. 41, 80, 60
    on          find | select | read | address | status | samid | any: the command the fault
                hits (default read; for fault=status 80→find, 81→select, 60/66→any)
    count       how many times the fault fires, then it clears          (default: every time)
    delay       seconds the SAM stalls before answering, for fault=slow  (default 0.5)

Faults: ``status`` answers SW3=code; ``checksum`` corrupts the reply's CHK; ``slow`` stalls;
``truncated`` sends half the reply and goes quiet; ``garbage`` sends noise (including broken
preambles) before a correct reply; ``unplug`` sends half the reply and then unplugs;
``oversized`` sends a header claiming 65535 bytes; ``mute`` never answers.

At run time, :meth:`place_card`, :meth:`remove_card`, :meth:`unplug`, :meth:`replug` and
:meth:`set_fault` change the scene (the kiosk's developer panel and the tests use them).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import select
import shutil
import tempfile
import threading
import time
import tty
from dataclasses import dataclass, field, replace
from pathlib import Path

from devices import registry
from devices.idcard.errors import FrameError, ReaderUrlError
from devices.idcard.sam_cards import CARD_KINDS, SimCard, make_card
from devices.idcard.sam_frames import (
    MIN_REQUEST_LEN,
    Command,
    FrameChecksumError,
    FrameDecoder,
    Request,
    encode_response,
    wire_seconds,
)
from devices.idcard.sam_reader import BAUD_RATES, DEFAULT_BAUD, SAM_ID_LEN, SamReader, Timeouts
from devices.idcard.sam_status import Sw3
from devices.status import DeviceKind

log = logging.getLogger(__name__)

FAULTS = (
    "none",
    "status",
    "checksum",
    "slow",
    "truncated",
    "garbage",
    "unplug",
    "oversized",
    "mute",
)
TARGETS: dict[str, tuple[Command, ...]] = {
    "find": (Command.FIND_CARD,),
    "select": (Command.SELECT_CARD,),
    "read": (Command.READ_BASE, Command.READ_BASE_FINGERPRINT),
    "address": (Command.READ_APPENDED_ADDRESS,),
    "status": (Command.SAM_STATUS,),
    "samid": (Command.SAM_ID,),
    "any": tuple(Command),
}
_CHUNK = 32  # bytes written at a time while pacing (2.8 ms at 115200)
# Noise that contains broken preambles, so resynchronisation is really exercised.
_GARBAGE = bytes.fromhex("00 ff aa aa 96 55 aa aa aa 96 13 69 aa 96 69 00 aa aa")


@dataclass
class Fault:
    kind: str = "none"
    code: int = 0
    on: str = ""
    count: int | None = None  # None: every time
    delay: float = 0.5

    def __post_init__(self) -> None:
        if self.kind not in FAULTS:
            raise ValueError(f"unknown fault {self.kind!r}; one of {', '.join(FAULTS)}")
        if not self.on:
            self.on = self._default_target()
        if self.on not in TARGETS:
            raise ValueError(f"unknown fault target {self.on!r}; one of {', '.join(TARGETS)}")

    def _default_target(self) -> str:
        if self.kind != "status":
            return "read"
        return {0x80: "find", 0x81: "select", 0x60: "any", 0x66: "any"}.get(self.code, "read")

    def hits(self, command: Command | None) -> bool:
        return self.kind != "none" and self.count != 0 and command in TARGETS[self.on]


@dataclass
class SimSettings:
    """Everything a ``sim://idcard`` URL can say."""

    card: str = "resident"
    seed: int | None = None
    expired: bool = False
    long_term: bool = False
    bad_check: bool = False
    address: bool = False
    fingerprint: bool = False
    baud: int = DEFAULT_BAUD
    fault: Fault = field(default_factory=Fault)

    def make_card(self, rng: random.Random) -> SimCard | None:
        if self.card == "none":
            return None
        return make_card(
            self.card, rng=rng, expired=self.expired, long_term=self.long_term,
            bad_check=self.bad_check, appended_address=self.address, fingerprint=self.fingerprint,
        )  # fmt: skip


_FLAGS = {"expired": "expired", "longterm": "long_term", "badcheck": "bad_check",
          "address": "address", "fingerprint": "fingerprint"}  # fmt: skip


def parse_sim_url(url: str | registry.DeviceUrl) -> SimSettings:
    """Settings from a ``sim://idcard?...`` URL; :class:`ReaderUrlError` for anything unknown."""
    parsed = url if isinstance(url, registry.DeviceUrl) else registry.parse_url(url)
    url = parsed.text
    if parsed.scheme != "sim" or parsed.target != "idcard":
        raise ReaderUrlError(f"{url}: not a sim://idcard URL")
    options = parsed.options
    settings = SimSettings()
    fault: dict[str, object] = {}
    try:
        for name, value in options.items():
            if name == "card":
                if value not in (*CARD_KINDS, "none"):
                    raise ValueError(f"card must be one of {', '.join(CARD_KINDS)}, none")
                settings.card = value
            elif name == "seed":
                settings.seed = int(value)
            elif name in _FLAGS:
                setattr(settings, _FLAGS[name], value.lower() in ("1", "true", "yes", ""))
            elif name == "baud":
                settings.baud = int(value)
                if settings.baud not in BAUD_RATES:
                    raise ValueError(f"baud must be one of {BAUD_RATES}")
            elif name == "fault":
                fault["kind"] = value
            elif name == "code":
                fault["code"] = int(value, 16)
            elif name == "on":
                fault["on"] = value
            elif name == "count":
                fault["count"] = int(value)
            elif name == "delay":
                fault["delay"] = float(value)
            else:
                raise ValueError(f"unknown option {name!r}")
        settings.fault = Fault(**fault)  # type: ignore[arg-type]
    except ValueError as error:
        raise ReaderUrlError(f"{url}: {error}") from error
    if settings.fault.kind == "status" and settings.fault.code not in (c.value for c in Sw3):
        raise ReaderUrlError(f"{url}: fault=status needs code=<hex SW3>, e.g. code=41")
    return settings


class SamSimulator:
    """The reader on the other end of a pty. :meth:`start` it, then open :attr:`path`."""

    def __init__(
        self, settings: SimSettings | None = None, *, link_dir: Path | None = None
    ) -> None:
        self.settings = settings or SimSettings()
        self._rng = random.Random(self.settings.seed)
        self._lock = threading.Lock()
        self._card = self.settings.make_card(self._rng)
        self._fault = replace(self.settings.fault)
        self._own_dir = link_dir is None
        self._dir = Path(link_dir or tempfile.mkdtemp(prefix="idcard-sim-"))
        self.path = str(self._dir / "ttyIDCARD")
        self.sam_id = bytes([5, 0, 2, 0]) + self._rng.randbytes(SAM_ID_LEN - 4)
        self.requests: list[Command | None] = []  # every command received, for tests
        self.bytes_sent = 0
        self.bytes_received = 0
        self._master: int | None = None
        self._slave: int | None = None
        self._requested: str | None = None  # "unplug" / "replug", done by the worker thread
        self._done = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> SamSimulator:
        self._plug()
        self._thread = threading.Thread(target=self._run, name="idcard-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._unplug()
        if self._own_dir:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> SamSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def plugged(self) -> bool:
        return self._master is not None

    # -- the scene, changed at run time --------------------------------------------------------

    @property
    def card(self) -> SimCard | None:
        return self._card

    def place_card(self, card: SimCard | str | None = None, **options: bool) -> SimCard:
        """Lay a card on the reader: a :class:`SimCard`, or a kind name with make_card options."""
        if card is None or isinstance(card, str):
            card = make_card(card or self.settings.card, rng=self._rng, **options)
        with self._lock:
            self._card = card
        return card

    def remove_card(self) -> None:
        with self._lock:
            self._card = None

    def set_fault(self, kind: str = "none", **options: object) -> None:
        fault = Fault(kind, **options)  # type: ignore[arg-type]
        with self._lock:
            self._fault = fault

    def unplug(self) -> None:
        """Pull the cable: the port's reads and writes fail and the path disappears."""
        self._request("unplug")

    def replug(self) -> None:
        self._request("replug")

    def _request(self, what: str) -> None:
        if self._thread is None:
            self._unplug() if what == "unplug" else self._plug()
            return
        self._done.clear()
        self._requested = what
        if not self._done.wait(timeout=5):
            raise RuntimeError(f"simulator did not {what}")

    # -- pty ----------------------------------------------------------------------------------

    def _plug(self) -> None:
        if self._master is not None:
            return
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        self._master, self._slave = master, slave
        tmp = self.path + ".new"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        os.symlink(os.ttyname(slave), tmp)
        os.replace(tmp, self.path)  # atomic: an opener sees the old link or the new one
        log.debug("simulated ID-card reader plugged at %s -> %s", self.path, os.ttyname(slave))

    def _unplug(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        for fd in (self._master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = None

    # -- the worker ---------------------------------------------------------------------------

    def _run(self) -> None:
        decoder = FrameDecoder(min_len=MIN_REQUEST_LEN)
        while not self._stop.is_set():
            if self._handle_request():
                decoder = FrameDecoder(min_len=MIN_REQUEST_LEN)
                continue
            master = self._master
            if master is None:
                time.sleep(0.01)
                continue
            ready, _, _ = select.select([master], [], [], 0.02)
            if not ready:
                continue
            try:
                data = os.read(master, 4096)
            except OSError:
                continue
            self.bytes_received += len(data)
            decoder.feed(data)
            self._serve(decoder)

    def _handle_request(self) -> bool:
        what, self._requested = self._requested, None
        if what is None:
            return False
        self._unplug() if what == "unplug" else self._plug()
        self._done.set()
        return True

    def _serve(self, decoder: FrameDecoder) -> None:
        while True:
            try:
                body = decoder.next_body()
            except FrameChecksumError:
                self._send(encode_response(Sw3.CHECKSUM_ERROR))
                continue
            except FrameError:
                self._send(encode_response(Sw3.LENGTH_ERROR))
                continue
            if body is None:
                return
            request = Request.from_body(body)
            command = request.command
            self.requests.append(command)
            # A real reader has the request only once its last byte has crossed the wire.
            time.sleep(wire_seconds(len(body) + 8, self.settings.baud))
            self._answer(command)

    def _answer(self, command: Command | None) -> None:
        with self._lock:
            fault = self._fault
            card = self._card
            hit = fault.hits(command)
            if hit and fault.count is not None:
                fault.count -= 1
        reply = self._reply(command, card)
        if not hit:
            self._send(reply)
            return
        kind = fault.kind
        if kind == "status":
            self._send(encode_response(fault.code))
        elif kind == "checksum":
            self._send(reply[:-1] + bytes([reply[-1] ^ 0x5A]))
        elif kind == "slow":
            self._stall(fault.delay)
            self._send(reply)
        elif kind == "truncated":
            self._send(reply[: len(reply) // 2])
        elif kind == "garbage":
            self._send(_GARBAGE + reply)
        elif kind == "unplug":
            self._send(reply[: len(reply) // 2])
            self._unplug()
        elif kind == "oversized":
            self._send(bytes.fromhex("aa aa aa 96 69 ff ff 00 00 90") + reply[10:])
        # "mute": no answer at all

    def _reply(self, command: Command | None, card: SimCard | None) -> bytes:
        if command is None:
            return encode_response(Sw3.COMMAND_ERROR)
        if command in (Command.RESET_SAM, Command.SAM_STATUS):
            return encode_response(Sw3.OK)
        if command is Command.SAM_ID:
            return encode_response(Sw3.OK, self.sam_id)
        if card is None:
            no_card = {Command.FIND_CARD: Sw3.NO_CARD, Command.SELECT_CARD: Sw3.SELECT_FAILED}
            return encode_response(no_card.get(command, Sw3.READ_FAILED))
        if command is Command.FIND_CARD:
            return encode_response(Sw3.FIND_OK, card.iin)
        if command is Command.SELECT_CARD:
            return encode_response(Sw3.OK, card.serial_number)
        if command is Command.READ_APPENDED_ADDRESS:
            if card.appended_address is None:
                return encode_response(Sw3.NO_CONTENT)
            return encode_response(Sw3.OK, _pad_utf16(card.appended_address, 70))
        lengths = len(card.text).to_bytes(2, "big") + len(card.photo).to_bytes(2, "big")
        if command is Command.READ_BASE:
            return encode_response(Sw3.OK, lengths + card.text + card.photo)
        fp = card.fingerprint or b""
        data = lengths + len(fp).to_bytes(2, "big") + card.text + card.photo + fp
        return encode_response(Sw3.OK, data)

    def _stall(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and self._requested is None and not self._stop.is_set():
            time.sleep(0.005)

    def _send(self, data: bytes) -> None:
        """Write ``data`` as a UART at the configured baud would deliver it."""
        start = time.monotonic()
        byte_time = 10 / self.settings.baud
        for offset in range(0, len(data), _CHUNK):
            chunk = data[offset : offset + _CHUNK]
            due = start + (offset + len(chunk)) * byte_time
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if self._requested is not None or self._master is None:
                return  # unplugged mid-reply: the rest never arrives
            try:
                _write_all(self._master, chunk)
            except OSError:
                return
            self.bytes_sent += len(chunk)


def _pad_utf16(text: str, length: int) -> bytes:
    encoded = text.encode("utf-16-le")[:length]
    return encoded + " ".encode("utf-16-le") * ((length - len(encoded)) // 2)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def open_simulated_reader(
    url: registry.DeviceUrl, *, baud: int | None = None, timeouts: Timeouts | None = None
) -> SamReader:
    """The registry's opener for ``sim://idcard``: a simulator on a pty and a reader on it."""
    settings = parse_sim_url(url)
    simulator = SamSimulator(settings).start()
    reader = SamReader(
        simulator.path, baud=baud or settings.baud, timeouts=timeouts, on_close=simulator.stop
    )
    reader.simulator = simulator
    return reader


def register() -> None:
    registry.register(DeviceKind.IDCARD, ["sim"], open_simulated_reader)


register()
