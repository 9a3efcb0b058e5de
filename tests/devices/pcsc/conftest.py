"""Fixtures for the PC/SC tests: a real pcscd with vsmartcard-vpcd and our virtual card.

The session testbed reuses a running pcscd or starts its own (CI runs as root with no pcscd
service) and stops what it started. Tests that need it carry the ``pcscd`` marker. With
``KIOSK_TEST_SSCARD_URL`` set, the ``hardware_ok`` tests use that reader and card instead and
every test that needs the testbed is skipped (see tests/devices/hardware.py).
"""

from __future__ import annotations

import queue
import random
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hardware import DeviceUnderTest, device_fixture, require_simulator

# pytest's default "prepend" import mode puts tests/ on sys.path, where tests/devices/ would be
# taken for the namespace package ``devices`` ahead of the editable install's finder; the project
# root on sys.path makes the real package win. (Better: ``pythonpath = ["."]`` in pyproject.)
_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.append(_ROOT)

from devices.pcsc.monitor import EventKind, PcscEvent  # noqa: E402
from devices.pcsc.testbed import Testbed  # noqa: E402
from devices.pcsc.virtual_card import Faults, SscardContent, VirtualSscard  # noqa: E402
from identity.idnumber import TestPerson, generate_person  # noqa: E402

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


@pytest.fixture(scope="session")
def testbed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Testbed]:
    require_simulator("sscard")
    if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
        pytest.skip("pcscd is not installed")
    if not VPCD_DRIVER.exists():
        pytest.skip("vsmartcard-vpcd is not installed")
    bed = Testbed(log_path=tmp_path_factory.mktemp("pcscd") / "pcscd.log")
    bed.start()
    yield bed
    bed.stop()


@pytest.fixture
def person() -> TestPerson:
    return generate_person(random.Random())


@pytest.fixture
def make_card(testbed: Testbed) -> Iterator[Callable[..., VirtualSscard]]:
    """Build virtual cards for this test; each is removed (and seen gone) at teardown."""
    cards: list[VirtualSscard] = []

    def make(
        person: TestPerson | None = None, faults: Faults | None = None, **kwargs: object
    ) -> VirtualSscard:
        content = SscardContent.for_person(person or generate_person())
        card = testbed.card(content, faults, **kwargs)
        cards.append(card)
        return card

    yield make
    for card in cards:
        card.remove()
    testbed.start()  # a test may have stopped pcscd; bring it (and the reader) back
    testbed.wait_card(False)


@contextmanager
def _virtual_card_on_the_reader(request: pytest.FixtureRequest) -> Iterator[DeviceUnderTest]:
    bed: Testbed = request.getfixturevalue("testbed")
    card = request.getfixturevalue("make_card")()
    bed.insert(card)
    yield DeviceUnderTest(bed.url, card)  # pcsc://Virtual PCD 00 00, a reader as pcscd sees it


sscard_device = device_fixture("sscard", _virtual_card_on_the_reader, name="sscard_device")


class EventLog:
    """Collects monitor events from the worker thread; ``expect`` waits for one."""

    def __init__(self) -> None:
        self.queue: queue.Queue[PcscEvent] = queue.Queue()
        self.seen: list[PcscEvent] = []

    def __call__(self, event: PcscEvent) -> None:
        self.queue.put(event)

    def expect(self, kind: EventKind, reader: str = "", timeout: float = 10.0) -> PcscEvent:
        while True:
            try:
                event = self.queue.get(timeout=timeout)
            except queue.Empty:
                kinds = [e.kind.value for e in self.seen]
                raise AssertionError(f"no {kind.value} event; saw {kinds}") from None
            self.seen.append(event)
            if event.kind == kind and (not reader or event.reader == reader):
                return event


@pytest.fixture
def events() -> EventLog:
    return EventLog()
