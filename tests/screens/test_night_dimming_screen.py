"""Night dimming in the running kiosk: the attract screen darkens (overlay, or the backlight when
it can be written), a touch or a card brings full brightness back in the same frame, and a visit
is never dimmed. Screenshots of the dimmed attract screen go to the shots folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

from kiosk.config import NightDimming as Settings
from screens.night_dimming import NightDimming

pytestmark = pytest.mark.kivy
NIGHT = dt.time(2, 30)


@pytest.fixture
def night(ui: Any, tmp_path: Path) -> Iterator[Any]:
    """The app dimming from 23:00 to 06:00 at 30 %, its clock at 02:30; no backlight here."""
    app = ui.app
    before = app.night
    app.night = NightDimming(Settings(start="23:00", end="06:00", percent=30), backlights=tmp_path / "none",
                             clock=lambda: NIGHT)
    yield ui
    app.night.wake()
    app.night = before


def _brightness(path: Path) -> float:
    return sum(ImageStat.Stat(Image.open(path).convert("L")).mean)


def test_attract_dims_at_night_and_a_touch_undims_at_once(night: Any, shots: Path) -> None:
    ui, app = night, night.app
    bright = _brightness(ui.screenshot(shots / "night-attract-bright.png"))
    app._tick(0)
    assert app.night.dimmed and app.night.overlay is not None
    dark = _brightness(ui.screenshot(shots / "night-attract-dimmed.png"))
    assert dark / bright == pytest.approx(0.30, abs=0.03)  # a 70 % black layer over the whole window
    ui.tap_at(app.root.width / 2, app.root.height / 2)
    assert not app.night.dimmed and app.night.overlay is None
    ui.wait_screen("home")  # the touch also started the visit
    app._tick(0)
    assert not app.night.dimmed  # never during a visit
    app.end_visit("test")
    ui.wait_screen("attract")
    app._tick(0)
    assert not app.night.dimmed  # a quiet minute after the last touch first


def test_the_contrast_mode_dims_too(night: Any, shots: Path) -> None:
    ui, app = night, night.app
    app.theme.high_contrast = True
    try:
        app._tick(0)
        assert app.night.dimmed
        ui.screenshot(shots / "night-attract-dimmed-contrast.png")
    finally:
        app.night.wake()
        app.theme.high_contrast = False


def test_a_card_undims_and_the_backlight_is_used_when_writable(ui: Any, tmp_path: Path) -> None:
    app = ui.app
    folder = tmp_path / "backlight" / "intel_backlight"
    folder.mkdir(parents=True)
    (folder / "brightness").write_text("800\n")
    (folder / "max_brightness").write_text("1000\n")
    before = app.night
    app.night = NightDimming(Settings(start="23:00", end="06:00", percent=30), backlights=tmp_path / "backlight",
                             clock=lambda: NIGHT)
    try:
        app._tick(0)
        assert app.night.dimmed and app.night.overlay is None  # the backlight, not the overlay
        assert (folder / "brightness").read_text() == "300\n"
        app.kiosk.devices.sim_place_card()
        ui.wait(lambda: not app.night.dimmed, timeout=5, what="the card to undim the screen")
        assert (folder / "brightness").read_text() == "800\n"
    finally:
        app.night.wake()
        app.night = before
