"""A real Kivy window (offscreen, env from tests/conftest.py) with the WQY CJK font as default,
and the same Rime data folder as tests/ime (librime is process-global)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kivy.core.text import DEFAULT_FONT, LabelBase

from kiosk.ime import PinyinEngine, RimeData, ensure_built
from kiosk.ime.rime_api import library_version

WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
RIME_TEST_CACHE = Path(tempfile.gettempdir()) / f"kiosk-tests-rime-{os.getuid()}"

LabelBase.register(DEFAULT_FONT, WQY)


@pytest.fixture(scope="session")
def rime_data() -> RimeData:
    return ensure_built(RIME_TEST_CACHE, librime_version=library_version())


@pytest.fixture
def engine(rime_data: RimeData) -> Iterator[PinyinEngine]:
    with PinyinEngine(rime_data) as eng:
        yield eng


@pytest.fixture(scope="module")
def window() -> Iterator[Any]:
    """The process's one window, white for these tests; put back as found afterwards (the kiosk's
    screen tests may run next in the same process and measure contrast against its colour)."""
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    children, size, clearcolor = list(Window.children), tuple(Window.size), tuple(Window.clearcolor)
    Window.size = (1920, 1080)
    Window.clearcolor = (1, 1, 1, 1)
    EventLoop.idle()
    yield Window
    for child in list(Window.children):
        if child not in children:
            Window.remove_widget(child)
    Window.clearcolor = clearcolor
    Window.size = size
    EventLoop.idle()
