"""Fixtures for the SAM ID-card reader tests: readers on the pty simulator, or on the real
reader named by ``KIOSK_TEST_IDCARD_URL`` for the ``hardware_ok`` tests (see tests/devices/hardware.py).
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from hardware import DeviceUnderTest, device_fixture, require_simulator

from devices.idcard.factory import open_reader
from devices.idcard.sam_reader import SamReader, Timeouts
from devices.idcard.sam_simulator import SamSimulator, parse_sim_url

# Short enough that silence faults end quickly, long enough for a 2321-byte reply at 115200.
FAST = Timeouts(control=0.5, find=0.5, read=1.0, read_fingerprint=1.2, address=0.5)


@pytest.fixture
def sim_reader() -> Iterator[Callable[..., SamReader]]:
    """``sim_reader("card=hmt&fault=...")``: an open reader on a fresh simulator; closed after."""
    require_simulator("idcard")
    readers: list[SamReader] = []

    def make(query: str = "", **kw: object) -> SamReader:
        kw.setdefault("timeouts", FAST)
        reader = open_reader(f"sim://idcard?seed=7&{query}", **kw)  # type: ignore[arg-type]
        readers.append(reader)
        return reader

    yield make
    for reader in readers:
        reader.close()


@contextmanager
def _simulated_reader(request: pytest.FixtureRequest) -> Iterator[DeviceUnderTest]:
    # A serial:// URL to the simulator's pty: the driver takes the same path as on a real port.
    with SamSimulator(parse_sim_url("sim://idcard?seed=7&card=resident")) as simulator:
        yield DeviceUnderTest(f"serial://{simulator.path}?baud=115200", simulator)


idcard_device = device_fixture("idcard", _simulated_reader, name="idcard_device")


@pytest.fixture
def idcard_reader(idcard_device: DeviceUnderTest) -> Iterator[SamReader]:
    """The reader under test, opened with the production timeouts; closed after."""
    reader = open_reader(idcard_device.url)
    try:
        yield reader
    finally:
        reader.close()


class Recorder:
    """Collects callback arguments from the poller's thread; ``next()`` waits for one."""

    def __init__(self) -> None:
        self.items: queue.Queue[object] = queue.Queue()

    def __call__(self, item: object) -> None:
        self.items.put(item)

    def next(self, timeout: float = 10.0) -> object:
        return self.items.get(timeout=timeout)

    def until(self, predicate: Callable[[object], bool], timeout: float = 10.0) -> object:
        while True:
            item = self.next(timeout)
            if predicate(item):
                return item


@pytest.fixture
def recorder() -> Callable[[], Recorder]:
    return Recorder
