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


def test_the_attract_panel_stays_inside_a_window_made_narrower(ui: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The drift's corners are absolute: after a rotation to portrait they must be worked out again."""
    import time

    from kivy.core.window import Window

    import screens.attract
    from tests.screens.conftest import TEST_SIZE

    monkeypatch.setattr(screens.attract, "DRIFT_SECONDS", 0.1)  # a lap in under a second
    attract = ui.app.screen("attract")
    ui.wait(lambda: ui.app.root.current == "attract", what="the attract screen")
    panel = attract.ids.panel
    try:
        Window.size = (1920, 1080)
        ui.pump(3)
        attract.on_leave()
        attract.on_enter()  # the drift starts over with the landscape corners
        ui.pump(3)
        Window.size = (1080, 1920)
        ui.wait(lambda: tuple(Window.size) == (1080, 1920), what="the portrait window")
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            ui.pump(1)
            time.sleep(0.01)
            assert panel.x >= attract.x - 1 and panel.right <= attract.right + 1, (panel.pos, panel.size)
            assert panel.y >= attract.y - 1 and panel.top <= attract.top + 1, (panel.pos, panel.size)
    finally:
        Window.size = TEST_SIZE
        ui.pump(3)
