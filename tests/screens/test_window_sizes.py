"""Screenshots are whole at every size the window is resized to (an offscreen window keeps the
size it was created with: past it, it draws garbage, so the tests create it big enough)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from screens.boot import covering
from screens.journeys.explorer import EXPLORE_SIZES, SIZES

pytestmark = pytest.mark.kivy


def test_covering_holds_every_size() -> None:
    assert covering(SIZES) == (1920, 1920)
    assert covering(EXPLORE_SIZES) == (3840, 2160)
    assert covering([]) == (1920, 1080)


def test_a_portrait_screenshot_is_drawn_to_the_top(ui: Any, shots: Path) -> None:
    from kivy.core.window import Window

    from tests.screens.conftest import TEST_SIZE

    try:
        Window.size = (1080, 1920)
        ui.wait(lambda: tuple(Window.size) == (1080, 1920), what="the portrait window")
        ui.pump(3)
        image = Image.open(ui.screenshot(shots / "attract-1080x1920.png")).convert("RGB")
    finally:
        Window.size = TEST_SIZE
        ui.pump(3)
    assert image.size == (1080, 1920)
    background = tuple(round(c * 255) for c in ui.app.theme.bg[:3])
    # The attract screen's background reaches the top corners (garbage or black there otherwise).
    for corner in ((0, 0), (1079, 0), (1079, 1919)):
        assert image.getpixel(corner) == pytest.approx(background, abs=2), corner
