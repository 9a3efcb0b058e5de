"""``kiosk-provision touch-test`` in a real offscreen Kivy window, with synthetic touches: a
calibrated panel passes, one whose touches land 2 cm off fails and says so in millimetres."""

from __future__ import annotations

import pytest
from kivy.base import EventLoop
from kivy.tests.common import UnitTestTouch

from provisioning.cli import main
from provisioning.commands.touch_test import build_app, errors_mm, report, targets

pytestmark = pytest.mark.kivy


def _run(offset_px: tuple[float, float]) -> tuple[str, bool]:
    from kivy.app import App

    EventLoop.ensure_window()
    window = EventLoop.window
    running = App.get_running_app()  # making an App makes it "the running app": give it back after
    app = build_app((500.0, 300.0), 5.0)  # the panel is 500×300 mm whatever the window's pixels
    widget = app.build()
    window.add_widget(widget)
    try:
        widget.size = window.size
        EventLoop.idle()
        assert widget.label.text == "touch the red target (1 of 4)"
        for x, y in targets(*window.size):
            touch = UnitTestTouch(x + offset_px[0], y + offset_px[1])
            touch.touch_down()
            touch.touch_up()
            EventLoop.idle()
        assert widget.result is not None
        assert widget.label.text == widget.result[0]
        return widget.result
    finally:
        window.remove_widget(widget)
        App._running_app = running


def test_accurate_touches_pass() -> None:
    text, good = _run((0, 0))
    assert good and "touch is accurate" in text and text.count("0.0 mm") == 4


def test_touches_off_by_two_centimetres_fail_in_mm() -> None:
    EventLoop.ensure_window()
    width = EventLoop.window.width
    text, good = _run((20 * width / 500, 0))  # 20 mm to the right on a 500 mm wide panel
    assert not good
    assert text.count("20.0 mm  too far") == 4
    assert "check the rotation and calibration" in text


def test_errors_and_report() -> None:
    assert errors_mm([(0, 0)], [(3, 4)], (1.0, 1.0)) == [5.0]
    text, good = report([1.0, 2.0, 6.0, 0.5], 5.0)
    assert not good and "bottom right    6.0 mm  too far" in text


def test_bad_screen_size_is_refused(capsys) -> None:
    assert main(["touch-test", "--screen-mm", "wide"]) == 50
    assert "WIDTHxHEIGHT in mm" in capsys.readouterr().err
