"""Builds our Rime data once into a per-user temp cache shared with tests/widgets (librime is
process-global, so every test in one pytest run must use the same data folder)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.ime import PinyinEngine, RimeData, ensure_built
from kiosk.ime.rime_api import library_version

RIME_TEST_CACHE = Path(tempfile.gettempdir()) / f"kiosk-tests-rime-{os.getuid()}"


@pytest.fixture(scope="session")
def rime_data() -> RimeData:
    return ensure_built(RIME_TEST_CACHE, librime_version=library_version())


@pytest.fixture
def engine(rime_data: RimeData) -> Iterator[PinyinEngine]:
    with PinyinEngine(rime_data) as eng:
        yield eng
