"""Every screen renders (saved as PNG), has finger-sized targets and no untranslated text,
and answers to touches: search, language and display modes, maintenance PIN with lockout."""

from __future__ import annotations

from typing import Any

import pytest
from ui_steps import all_texts, answer_questions, start_visit

from kiosk.crypto import hash_pin
from screens.attract import GESTURE_TAPS
from screens.components.controls import KioskButton, ScenarioTile

pytestmark = pytest.mark.kivy


def check_screen(ui: Any, shots: Any, name: str) -> None:
    """Screenshot, then: every enabled button is at least 15 mm both ways; no raw i18n keys."""
    path = ui.screenshot(shots / f"screen-{name}.png")
    assert path.stat().st_size > 10_000
    theme = ui.app.theme
    for widget in ui.screen_widgets():
        if isinstance(widget, KioskButton | ScenarioTile) and not widget.disabled and widget.opacity > 0:
            if widget.width == 0:
                continue
            assert widget.height >= theme.touch_min - 0.5, (name, getattr(widget, "text", ""), widget.height)
            assert widget.width >= theme.touch_min - 0.5, (name, getattr(widget, "text", ""), widget.width)
    for text in all_texts(ui):
        assert not text.startswith("ui."), (name, text)


def test_every_screen_renders_with_finger_sized_targets(ui: Any, shots: Any) -> None:
    app = ui.app
    check_screen(ui, shots, "attract")
    start_visit(ui, "open_car_rental", card=False)
    check_screen(ui, shots, "identify")
    app.kiosk.devices.sim_place_card()
    ui.wait_screen("questions")
    check_screen(ui, shots, "questions")
    answer_questions(ui)
    check_screen(ui, shots, "results")
    ui.tap(app.screen("results").ids.next)
    ui.wait_screen("form")
    check_screen(ui, shots, "form")
    ui.tap(app.screen("form").ids.next)  # applicant page: the mobile number is missing
    assert app.current == "form"
    errors = [r.error_text for r in app.screen("form").rows if r.error_text]
    assert errors and all("*" not in e for e in errors)
    check_screen(ui, shots, "form-errors")
    app.show(app.kiosk.visit.navigator.change("applicant.mobile"))
    ui.pump(3)
    check_screen(ui, shots, "form-keyboard")
    for name in ("home", "check", "done", "maintenance", "out_of_service", "submitting"):
        if name == "check":
            continue  # needs a complete form: the walks cover it
        if name == "done":
            continue
        if name == "submitting":
            continue
        app.go(name)
        ui.wait_screen(name)
        check_screen(ui, shots, name)


def test_home_search_by_pinyin_initials(ui: Any) -> None:
    app = ui.app
    ui.tap(app.screen("attract").ids.panel)
    ui.wait_screen("home")
    home = app.screen("home")
    ui.type_into(home.ids.search, "wykcg")
    ui.pump(3)
    titles = [tile.title for tile in home.ids.grid.children]
    assert titles == ["我要开餐馆"]
    ui.tap_text(app.t("ui.home.search_clear"))
    assert len(home.ids.grid.children) == 26  # every scenario of the catalog
    assert home.ids.search.focus and home.ids.dock.shown
    app.end_visit("test")  # the citizen walks away with the keyboard open
    ui.wait_screen("attract")
    ui.tap(app.screen("attract").ids.panel)
    ui.wait_screen("home")
    assert not home.ids.dock.shown and not home.ids.search.focus  # the next one starts at the tiles
    assert home.ids.scroll.height > app.theme.touch * 3


def test_language_large_text_and_contrast_toggle_and_reset(ui: Any, shots: Any) -> None:
    app = ui.app
    ui.tap(app.screen("attract").ids.panel)
    ui.wait_screen("home")
    font = app.theme.font_m
    ui.tap_text("English")
    assert app.lang == "en"
    assert any(text == "What would you like to do?" for text in all_texts(ui))
    ui.tap_text("Large text")
    assert app.theme.font_m > font
    ui.tap_text("Contrast")
    assert app.theme.bg[:3] == [0, 0, 0]
    check_screen(ui, shots, "home-en-large-contrast")
    ui.tap_text("Exit")
    ui.tap_text("End now")  # 结束办理 asks first
    ui.wait_screen("attract")
    assert app.lang == "zh_CN" and not app.theme.large_text and not app.theme.high_contrast


def _open_maintenance(ui: Any) -> None:
    attract = ui.app.screen("attract")
    for _ in range(GESTURE_TAPS):
        ui.tap_at(attract.width * 0.02, attract.height * 0.98)
    ui.wait_screen("maintenance")


def test_maintenance_pin_unlocks_and_locks_after_five_wrong(ui: Any, shots: Any) -> None:
    app = ui.app
    app.kiosk.config.maintenance_pin_hash = hash_pin("2468")
    _open_maintenance(ui)
    screen = app.screen("maintenance")
    for digit in "2468":
        ui.tap_text(digit)
    ui.tap_text(app.t("ui.maintenance.ok"))
    assert screen.unlocked
    check_screen(ui, shots, "maintenance-unlocked")
    ui.tap(screen.ids.leave)
    ui.wait_screen("attract")

    _open_maintenance(ui)
    for attempt in range(5):
        for digit in "1111":
            ui.tap_text(digit)
        ui.tap_text(app.t("ui.maintenance.ok"))
        assert not screen.unlocked
        if attempt < 4:
            assert screen.message == app.t("ui.maintenance.wrong", left=4 - attempt)
    assert screen.message == app.t("ui.maintenance.locked")
    for digit in "2468":
        ui.tap_text(digit)
    ui.tap_text(app.t("ui.maintenance.ok"))
    assert not screen.unlocked  # even the right PIN is refused once locked
    ui.tap(screen.ids.leave)
    ui.wait_screen("attract")


def test_back_home_from_identify_drops_the_flow_but_keeps_the_visit(ui: Any) -> None:
    app = ui.app
    start_visit(ui, "open_gym", card=False)
    assert app.kiosk.visit.session is not None
    ui.tap_text(app.t("ui.nav.back_home"))
    ui.wait_screen("home")
    assert app.kiosk.visit.session is None and app.kiosk.visit.visiting
