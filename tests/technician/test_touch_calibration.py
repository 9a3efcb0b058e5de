"""``detect --write`` puts the touchscreen into the config; ``touch-test --write`` works out the
calibration that puts four measured corner touches on their targets and writes it."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from kivy.base import EventLoop
from kivy.tests.common import UnitTestTouch

from kiosk import config as kiosk_config
from kiosk.config import Touch, TouchCalibration
from kiosk.touch import Ranges, corrected, to_raw, to_screen
from provisioning.cli import main
from provisioning.commands import detect
from provisioning.commands.touch_test import build_app, targets, write_correction
from provisioning.profile.touchscreen import Touchscreen

FIXTURE = Path(__file__).parent / "fixtures" / "input_devices.txt"
# A panel whose raw x runs right to left and whose edges read 300..3800 (x) and 200..3900 (y),
# while the config still says 0..4095 and no inversion.
TRUE = Touch(device="/dev/input/event97", invert_x=True, calibration=TouchCalibration(300, 3800, 200, 3900))
TRUE_SPAN = Ranges(300, 3800, 200, 3900)
WRONG = Touch(device="/dev/input/event97", calibration=TouchCalibration(0, 4095, 0, 4095))
WRONG_SPAN = Ranges(0, 4095, 0, 4095)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_detect_write_puts_the_panel_in_the_config(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KIOSK_STATE", str(tmp_path / "state"))
    monkeypatch.setattr(detect, "INPUT_DEVICES", FIXTURE)
    links = tmp_path / "input"
    (links / "by-id").mkdir(parents=True)
    (links / "by-id" / "usb-eGalax-event-if00").symlink_to("/dev/input/event5")
    monkeypatch.setattr(detect, "INPUT_LINKS", links)
    code = main(["detect", "--no-scan", "--no-pcsc", "--no-cameras", "--printer-host",
                 f"127.0.0.1:{_closed_port()}", "--write"])
    out = capsys.readouterr().out
    assert code == 0, out
    touch = kiosk_config.load(tmp_path / "state").touch
    assert touch.device == str(links / "by-id" / "usb-eGalax-event-if00") and touch.provider == "mtdev"
    # No /dev/input/event5 here, so its range is unknown: Kivy will ask the panel itself.
    assert touch.calibration == TouchCalibration()
    assert f"touch=mtdev,{touch.device} (the range the panel reports)" in out


def test_detect_writes_the_raw_range_and_keeps_a_calibration_of_the_same_panel() -> None:
    panel = Touchscreen("eGalax", "/dev/input/event5", True, (293.0, 165.0), (0, 4095, 0, 4095),
                        "/dev/input/by-id/usb-eGalax-event-if00")
    fresh = detect.touch_settings(panel, Touch(rotation=90))
    assert fresh == Touch(device=panel.device, provider="mtdev", rotation=90, calibration=TouchCalibration(0, 4095, 0, 4095))
    calibrated = replace(fresh, calibration=TouchCalibration(120, 3990, 80, 4010))
    assert detect.touch_settings(panel, calibrated) == calibrated
    single = Touchscreen("Elo", "/dev/input/event6", False, None, None)
    assert detect.touch_settings(single, calibrated) == replace(calibrated, device="/dev/input/event6",
                                                                 provider="hidinput", calibration=TouchCalibration())


def test_corrected_finds_swap_inversion_and_calibration() -> None:
    goals = [(0.1, 0.1), (0.9, 0.1), (0.9, 0.9), (0.1, 0.9)]
    for truth in (TRUE, replace(TRUE, swap_xy=True, invert_y=True, rotation=90), replace(TRUE, rotation=270)):
        raws = [to_raw(g, truth, TRUE_SPAN) for g in goals]
        current = replace(WRONG, rotation=truth.rotation)
        measured = [to_screen(r, current, WRONG_SPAN) for r in raws]
        fixed = corrected(current, WRONG_SPAN, goals, measured)
        span = Ranges(*(getattr(fixed.calibration, n) for n in ("min_x", "max_x", "min_y", "max_y")))
        for raw, goal in zip(raws, goals, strict=True):
            assert to_screen(raw, fixed, span) == pytest.approx(goal, abs=0.001)


@pytest.mark.kivy
def test_touch_test_write_corrects_a_miscalibrated_panel(tmp_path: Path, monkeypatch, capsys) -> None:
    from kivy.app import App

    monkeypatch.setenv("KIOSK_STATE", str(tmp_path))
    config = kiosk_config.Config(touch=WRONG)
    kiosk_config.save(config, tmp_path)
    EventLoop.ensure_window()
    window = EventLoop.window
    running = App.get_running_app()
    app = build_app((500.0, 300.0), 2.0)
    widget = app.build()
    window.add_widget(widget)
    try:
        widget.size = window.size
        width, height = window.width - 1, window.height - 1
        for x, y in targets(*window.size):
            # The panel reads the raw values of the target; the wrong config places them elsewhere.
            raw = to_raw((x / width, 1 - y / height), TRUE, TRUE_SPAN)
            fx, fy = to_screen(raw, WRONG, WRONG_SPAN)
            touch = UnitTestTouch(fx * width, (1 - fy) * height)
            touch.touch_down()
            touch.touch_up()
            EventLoop.idle()
        assert widget.result is not None and not widget.result[1]  # too far off before
        capsys.readouterr()
        assert write_correction(widget, 2.0)
    finally:
        window.remove_widget(widget)
        App._running_app = running
    out = capsys.readouterr().out
    assert "touch is accurate" in out and "restart the kiosk" in out
    saved = yaml.safe_load((tmp_path / "config.yaml").read_text())["touch"]
    assert saved["invert_x"] is True and saved["swap_xy"] is False
    assert saved["calibration"] == pytest.approx({"min_x": 300, "max_x": 3800, "min_y": 200, "max_y": 3900}, abs=3)


def test_touch_test_write_needs_a_configured_panel(tmp_path: Path, monkeypatch) -> None:
    from provisioning.commands.touch_test import correction

    with pytest.raises(kiosk_config.ConfigError, match="detect --write"):
        correction(Touch(), None, (800, 600), [(0, 0)] * 4)
    with pytest.raises(kiosk_config.ConfigError, match="raw range of /dev/input/event97 is unknown"):
        correction(Touch(device="/dev/input/event97"), None, (800, 600), [(0, 0)] * 4)
