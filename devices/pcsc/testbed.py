"""pcscd plus a virtual social security card, for the tests and the kiosk's simulation mode.

:class:`Testbed` reuses a pcscd that is already running (and then never stops it) or starts
its own ``pcscd --foreground`` (pcsc-lite 1.9.9 has no private-socket option: the daemon always
uses /run/pcscd/pcscd.comm), waits until the vpcd reader is listed, hands out virtual cards
and stops what it started. Needs pcscd and vsmartcard-vpcd installed; starting pcscd needs root.

Importing this module registers ``sim://sscard`` in :mod:`devices.registry`: the testbed is
started and the reader is its virtual slot (``reader.testbed`` inserts cards).
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from devices import registry
from devices.errors import DeviceAbsent, DeviceError
from devices.pcsc.errors import PcscError
from devices.pcsc.reader import PcscContext
from devices.pcsc.virtual_card import VPCD_HOST, VPCD_PORT, Faults, SscardContent, VirtualSscard
from devices.status import DeviceKind
from identity.idnumber import TestPerson, generate_person

VIRTUAL_READER = "Virtual PCD 00 00"  # the vpcd slot on VPCD_PORT
VPCD_SLOTS = 2  # vpcd's reader.conf gives it two slots, on VPCD_PORT and the port after it
# A port that an earlier loopback connection used as its own (ephemeral) port stays taken for the
# 60 s of TIME_WAIT; vpcd then cannot listen on it, and pcscd drops both slots of the reader.
PORT_WAIT_S = 65.0


class TestbedError(DeviceAbsent):
    key = "pcsc.testbed"


def pcscd_running() -> bool:
    try:
        with PcscContext():
            return True
    except PcscError:
        return False


def _port_free(port: int) -> bool:
    """Whether vpcd could listen on ``port`` now (bound as it binds: no SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("", port))
        except OSError:
            return False
    return True


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TestbedError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


def _reader_listed(name: str) -> bool:
    try:
        with PcscContext() as context:
            return name in context.readers()
    except PcscError:
        return False


def _card_seen(name: str, present: bool) -> bool:
    try:
        with PcscContext() as context:
            statuses = context.statuses([name])
    except PcscError:
        return False
    return statuses[0].card_present == present


class Testbed:
    """Use as a context manager, or call :meth:`start` and :meth:`stop`."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, *, port: int = VPCD_PORT, log_path: Path | None = None) -> None:
        self.port = port
        self.reader = (
            VIRTUAL_READER if port == VPCD_PORT else f"Virtual PCD 00 {port - VPCD_PORT:02d}"
        )
        self.log_path = log_path
        self.owned = False  # True when this testbed started pcscd and so may stop it
        self._process: subprocess.Popen[bytes] | None = None
        self._cards: list[VirtualSscard] = []

    @property
    def url(self) -> str:
        return f"pcsc://{self.reader}"

    def start(self, timeout: float = 10.0) -> Testbed:
        if not pcscd_running():
            self.start_pcscd(timeout)
        _wait(lambda: _reader_listed(self.reader), timeout, f"reader {self.reader!r}")
        return self

    def start_pcscd(self, timeout: float = 10.0) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
        if not Path(binary).exists():
            raise TestbedError("pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)")
        ports = [VPCD_PORT + slot for slot in range(VPCD_SLOTS)]
        _wait(lambda: all(_port_free(port) for port in ports), PORT_WAIT_S,
              f"vpcd's ports {ports} to be free (a finished connection still holds one)")
        args = [binary, "--foreground"]
        output = subprocess.DEVNULL
        if self.log_path is not None:
            args += ["--debug", "--apdu"]
            output = self.log_path.open("ab")
        self._process = subprocess.Popen(
            args, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        if self.log_path is not None:
            output.close()  # type: ignore[union-attr]
        self.owned = True
        atexit.register(self.stop_pcscd)
        _wait(
            lambda: self._process is None or self._process.poll() is not None or pcscd_running(),
            timeout,
            "pcscd to start",
        )
        if self._process.poll() is not None:
            raise TestbedError(f"pcscd exited at once with code {self._process.returncode}")

    def stop_pcscd(self, timeout: float = 10.0) -> None:
        """Stop the pcscd this testbed started (a reused one is left alone)."""
        for card in self._cards:
            card.remove()
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop_pcscd)

    def card(
        self, content: SscardContent | None = None, faults: Faults | None = None, **kwargs: object
    ) -> VirtualSscard:
        """A virtual card for this slot (not inserted yet); removed again by :meth:`stop`."""
        card = VirtualSscard(content, port=self.port, faults=faults, **kwargs)  # type: ignore[arg-type]
        self._cards.append(card)
        return card

    def insert_person(self, person: TestPerson | None = None) -> VirtualSscard:
        """Insert a card for ``person`` (a generated one by default); returns it (``.remove()``)."""
        card = self.card(SscardContent.for_person(person or generate_person()))
        self.insert(card)
        return card

    def insert(self, card: VirtualSscard, timeout: float = 5.0) -> None:
        """Insert and wait until pcscd sees the card (its presence poll runs every ~0.4 s)."""
        _wait(lambda: self._try_insert(card), timeout, f"vpcd on {VPCD_HOST}:{self.port}")
        self.wait_card(True, timeout)

    @staticmethod
    def _try_insert(card: VirtualSscard) -> bool:
        try:
            card.insert()
        except OSError:  # vpcd not listening yet (pcscd still starting)
            return False
        return True

    def remove(self, card: VirtualSscard, timeout: float = 5.0) -> None:
        card.remove()
        self.wait_card(False, timeout)

    def wait_card(self, present: bool, timeout: float = 5.0) -> None:
        state = "present" if present else "absent"
        _wait(lambda: _card_seen(self.reader, present), timeout, f"card {state}")

    def stop(self) -> None:
        for card in self._cards:
            card.remove()
        self._cards.clear()
        if self.owned:
            self.stop_pcscd()

    def __enter__(self) -> Testbed:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def open_simulated_sscard(url: registry.DeviceUrl) -> object:
    """The registry's opener for ``sim://sscard``; raises :class:`TestbedError` (absent) when
    pcscd cannot run here."""
    from devices.pcsc.sscard import BadPcscUrl, SscardReader

    if url.target != "sscard" or url.options:
        raise BadPcscUrl(f"the social security card simulator is sim://sscard, not {url.text!r}")
    testbed = Testbed()
    try:
        testbed.start(timeout=10.0)
    except DeviceError:
        testbed.stop()
        raise
    reader = SscardReader(testbed.url, on_close=testbed.stop)
    reader.testbed = testbed
    return reader


def register() -> None:
    registry.register(DeviceKind.SSCARD, ["sim"], open_simulated_sscard)


register()
