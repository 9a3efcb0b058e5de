"""The home grid's pictograms: every catalog icon is a drawn 256×256 white-on-transparent PNG that
matches its generator, and the home screen shows it on every tile (tinted dark in high contrast)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as PilImage

from kiosk.catalog import load_catalog
from kiosk.paths import ASSETS, PROJECT
from screens.home import icon_path, tile_icons

ICONS = Path(ASSETS) / "icons"
MAX_BYTES = 15_000


def catalog_icons() -> list[str]:
    return [scenario.icon for scenario in load_catalog().scenarios.values()]


def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("make_icons", PROJECT / "scripts" / "make_icons.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("icon", sorted(set(catalog_icons())))
def test_catalog_icon_is_a_small_white_pictogram(icon: str) -> None:
    path = ICONS / f"{icon}.png"
    assert path.is_file(), f"{path} missing: run scripts/make_icons.py"
    assert path.stat().st_size < MAX_BYTES
    with PilImage.open(path) as image:
        assert image.format == "PNG"
        assert image.mode == "RGBA"
        assert image.size == (256, 256)
        alpha = image.getchannel("A")
        inked = sum(1 for value in alpha.getdata() if value > 128)
        # a pictogram, not an empty or filled square: between 8 % and 60 % of the canvas is ink
        assert 0.08 < inked / (256 * 256) < 0.60, (icon, inked)
        assert alpha.getbbox() is not None
        left, top, right, bottom = alpha.getbbox()
        assert left > 0 and top > 0 and right < 256 and bottom < 256, "no margin around the drawing"
        for band in "RGB":  # all white, so the tile colour shows through as the background
            assert image.getchannel(band).getextrema() == (255, 255), (icon, band)


def test_icon_files_match_the_generator() -> None:
    generator = load_generator()
    assert set(catalog_icons()) <= set(generator.ICONS)
    for name in catalog_icons():
        drawn = generator.render(name)
        with PilImage.open(ICONS / f"{name}.png") as stored:
            assert stored.convert("RGBA").tobytes() == drawn.tobytes(), f"{name}.png is stale"


def test_icon_path_falls_back_to_the_hanzi_when_no_file() -> None:
    assert icon_path("enterprise").endswith("icons/enterprise.png")
    assert icon_path("no_such_icon") == ""
    assert icon_path("") == ""


def icon_square_pixels(ui: Any, shot: Path, tile: Any) -> list[tuple[int, int, int]]:
    """The screenshot's pixels inside a tile's icon square (Kivy's y runs upwards)."""
    square = tile_icons(tile)[0].parent
    x0, y0 = square.to_window(square.x, square.y)
    x1, y1 = square.to_window(square.right, square.top)
    with PilImage.open(shot) as image:
        rgb = image.convert("RGB")
        height = rgb.height
        box = (int(x0) + 4, height - int(y1) + 4, int(x1) - 4, height - int(y0) - 4)
        return list(rgb.crop(box).getdata())


@pytest.mark.kivy
def test_home_shows_an_icon_on_every_tile_and_tints_it_in_high_contrast(ui: Any, shots: Path) -> None:
    app = ui.app
    ui.tap(app.screen("attract").ids.panel)
    ui.wait_screen("home")
    home = app.screen("home")
    tiles = list(reversed(home.ids.grid.children))
    assert [t.scenario_id for t in tiles] == list(load_catalog().scenarios)
    for tile in tiles:
        images = tile_icons(tile)
        assert len(images) == 1, tile.scenario_id
        image = images[0]
        assert image.source == str(ICONS / f"{app.kiosk.visit.scenario(tile.scenario_id).icon}.png")
        assert image.opacity == 1
        assert image.texture is not None and tuple(image.texture.size) == (256, 256)
        assert tile.glyph and not any(getattr(w, "text", "") == tile.glyph for w in tile.walk())

    home.ids.grid.parent.scroll_y = 1  # an earlier test may have left the grid scrolled
    ui.wait(lambda: not app.sm.transition.is_active, what="the slide to the home screen")
    ui.pump(3)
    first = tiles[0]
    shot = ui.screenshot(shots / "home-icons.png")
    pixels = icon_square_pixels(ui, shot, first)
    colour = tuple(round(c * 255) for c in first.tile_colour[:3])
    near = sum(1 for p in pixels if max(abs(a - b) for a, b in zip(p, colour, strict=True)) < 12)
    white = sum(1 for p in pixels if min(p) > 243)
    assert near > len(pixels) * 0.3 and white > len(pixels) * 0.08

    app.toggle_contrast()
    ui.pump(3)
    assert all(list(tile_icons(t)[0].color) == list(app.theme.primary_text) for t in tiles)
    shot = ui.screenshot(shots / "home-icons-contrast.png")
    pixels = icon_square_pixels(ui, shot, first)
    black = sum(1 for p in pixels if max(p) < 12)
    assert black > len(pixels) * 0.08  # the dark pictogram on the yellow square
    app.toggle_contrast()
    ui.pump(2)
    assert all(list(tile_icons(t)[0].color) == [1, 1, 1, 1] for t in tiles)
