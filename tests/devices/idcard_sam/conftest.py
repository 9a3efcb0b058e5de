"""Fixtures for the SAM ID-card reader tests: readers connected to the pty simulator."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator

import pytest

from devices.idcard.factory import open_reader
from devices.idcard.sam_reader import SamReader, Timeouts

# Short enough that silence faults end quickly, long enough for a 2321-byte reply at 115200.
FAST = Timeouts(control=0.5, find=0.5, read=1.0, read_fingerprint=1.2, address=0.5)


@pytest.fixture
def sim_reader() -> Iterator[Callable[..., SamReader]]:
    """``sim_reader("card=hmt&fault=...")``: an open reader on a fresh simulator; closed after."""
    readers: list[SamReader] = []

    def make(query: str = "", **kw: object) -> SamReader:
        kw.setdefault("timeouts", FAST)
        reader = open_reader(f"sim://idcard?seed=7&{query}", **kw)  # type: ignore[arg-type]
        readers.append(reader)
        return reader

    yield make
    for reader in readers:
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
