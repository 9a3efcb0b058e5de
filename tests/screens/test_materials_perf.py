"""The materials screen's preview path, functionally: textures reused, frames dropped not queued,
small thumbnails, everything released when the visit ends, and the layout keeps clear of the
title bar. (How fast it runs is measured in benchmarks/bench_ui.py, not here.)"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from screens.materials import THUMB_HEIGHT, TexturePair, thumbnail_texture

SCENARIO = "open_trading_company"


def enter_materials(ui: Any) -> Any:
    app = ui.app
    kiosk = app.kiosk
    kiosk.visit.wake()
    kiosk.visit.begin(SCENARIO)
    flow = kiosk.visit.flow
    while (question := flow.next_question()) is not None:
        flow.answer(question.id, question.options[0].value)
    screen = app.screen("materials")
    screen.auto_capture = False
    app.go("materials")
    ui.wait_screen("materials")
    return screen


@pytest.fixture
def materials(ui: Any) -> Any:
    screen = enter_materials(ui)
    yield screen
    screen.auto_capture = True


def test_preview_reuses_two_textures_sized_to_the_widget(ui: Any, materials: Any) -> None:
    view = materials.ids.preview
    seen: list[Any] = []

    def record(_view: Any, texture: Any) -> None:
        seen.append(texture)

    view.bind(texture=record)
    start = materials.frames_shown
    ui.wait(lambda: materials.frames_shown >= start + 12, what="twelve preview frames")
    view.unbind(texture=record)
    textures = {id(t) for t in seen if t is not None}
    assert 1 <= len(textures) <= 2, f"{len(textures)} textures for {len(seen)} frames"
    assert materials.previewing
    width = view.texture.width
    fit_w = view.norm_image_size[0]
    # The worker scales frames to the preview's own pixels: no oversized upload per frame.
    assert abs(width - fit_w) <= 2 and width <= view.width + 1
    assert view.texture.colorfmt == "rgba"
    assert len(materials.outline) == 10  # the page in the simulator is found and outlined


def test_frames_arriving_faster_than_the_ui_draws_are_dropped_not_queued(ui: Any, materials: Any) -> None:
    camera = ui.app.kiosk.devices.camera
    camera.stop_preview()
    ui.pump(2)
    frames = [camera.preview_once() for _ in range(5)]
    drawn: list[int] = []
    real_show = materials.show_frame

    def recording_show(preview: Any) -> None:
        drawn.append(preview.index)
        real_show(preview)

    materials.show_frame = recording_show
    try:
        start = materials.frames_shown
        worker = threading.Thread(target=lambda: [materials._on_frame(f) for f in frames])
        worker.start()
        worker.join()
        ui.pump(3)
    finally:
        del materials.show_frame
    assert drawn == [frames[-1].index]  # only the newest, once
    assert materials.frames_shown == start + 1


def test_texture_pair_alternates_and_reallocates_only_on_a_new_size(ui: Any) -> None:
    pair = TexturePair()
    frame = np.zeros((90, 160, 4), np.uint8)
    first, second, third = (pair.upload(frame) for _ in range(3))
    assert first is not second and third is first
    bigger = pair.upload(np.zeros((180, 320, 4), np.uint8))
    assert bigger.size == (320, 180) and bigger not in (first, second)
    pair.release()
    assert pair.textures == []


def test_thumbnail_is_small_whatever_the_page_size(ui: Any) -> None:
    import cv2

    page = np.full((3508, 2480, 3), 255, np.uint8)
    cv2.putText(page, "page", (200, 600), cv2.FONT_HERSHEY_SIMPLEX, 20, (0, 0, 0), 40)
    ok, jpeg = cv2.imencode(".jpg", page)
    assert ok
    texture = thumbnail_texture(jpeg.tobytes())
    assert texture is not None and texture.height == THUMB_HEIGHT
    assert texture.width == round(2480 * THUMB_HEIGHT / 3508)
    assert thumbnail_texture(b"not a jpeg") is None


def test_capture_adds_a_thumbnail_and_ending_the_visit_releases_the_preview(ui: Any, materials: Any) -> None:
    ui.wait(lambda: materials.frames_shown > 0, what="a preview frame")
    ui.tap(materials.ids.capture)
    ui.wait(lambda: materials.pages == 1, timeout=30, what="the page to be captured")
    thumbs = materials.ids.thumbs.children
    assert len(thumbs) == 1 and thumbs[0].texture.height == THUMB_HEIGHT
    ui.app.end_visit("test")
    ui.wait_screen("attract")
    assert materials.ids.preview.texture is None and not materials.previewing
    assert materials._textures.textures == [] and materials.ids.thumbs.children == []
    assert materials._latest is None and ui.app.kiosk.devices.camera._worker is None


@pytest.mark.parametrize("large_text", [False, True])
def test_column_stays_below_the_title_bar(ui: Any, materials: Any, shots: Path, large_text: bool) -> None:
    if large_text:
        ui.app.toggle_large_text()
    ui.wait(lambda: materials.frames_shown > 0, what="a preview frame")
    ui.pump(3)
    ui.screenshot(shots / f"materials-layout{'-large' if large_text else ''}.png")
    header = next(w for w in ui.walk(materials) if type(w).__name__ == "KioskHeader")
    header_bottom = header.to_window(header.x, header.y)[1]
    side = materials.ids.side
    side_top = side.to_window(side.x, side.top)[1]
    assert side_top <= header_bottom + 0.5
    progress = materials.ids.progress
    assert progress.text.startswith("第1份")
    assert progress.to_window(progress.x, progress.top)[1] <= header_bottom + 0.5
    # Nothing of the column's content spills below it either (it scrolls instead).
    assert side.to_window(side.x, side.y)[1] >= materials.ids.capture.to_window(0, materials.ids.capture.top)[1]
