"""Fixtures for the reporting tests: a real central server on 127.0.0.1 and enrolled kiosks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from reporting_helpers import BackOffice, Enrolled, enrol, free_url

from central.embedded import EmbeddedCentral
from kiosk.outbox import Outbox


@pytest.fixture(scope="module")
def central() -> Iterator[EmbeddedCentral]:
    with EmbeddedCentral() as server:
        yield server


@pytest.fixture(scope="module")
def backoffice(central: EmbeddedCentral) -> BackOffice:
    return BackOffice(central)


@pytest.fixture
def kiosk(central: EmbeddedCentral) -> Enrolled:
    return enrol(central)


@pytest.fixture
def outbox(tmp_path: Path, kiosk: Enrolled) -> Iterator[Outbox]:
    box = Outbox.in_state_dir(tmp_path, kiosk.secret)
    yield box
    box.close()


@pytest.fixture
def dead_url() -> str:
    return free_url()
