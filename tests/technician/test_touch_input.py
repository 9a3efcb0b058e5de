"""The ``touch:`` config reaches Kivy's input providers: real ``hidinput`` code reads real
``input_event`` structs (through FIFOs posing as panels, see ``touch_child.py``) and the
touches land where rotation, swap, inversion and calibration say; bad settings are refused
with the setting named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import ConfigError, Touch, TouchCalibration, load
from kiosk.touch import Ranges, corrected, to_raw, to_screen
from screens.touch_input import provider_line

WINDOW = (801, 401)  # Kivy places a fraction f at f * (size - 1): whole pixels here
FULL = {"x": [0, 4095], "y": [0, 4095]}
# The panel's corners in raw units, and where on the screen each must land (x, y from the top left).
TL, TR, BR, BL = (0, 0), (4095, 0), (4095, 4095), (0, 4095)
LEFT_TOP, RIGHT_TOP, RIGHT_BOTTOM, LEFT_BOTTOM = (0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)

# name, multitouch, touch settings, [(raw tap, expected screen fraction)]
CASES = [
    ("plain", True, {}, [(TL, LEFT_TOP), (BR, RIGHT_BOTTOM), ((1024, 3071), (0.25, 0.75))]),
    ("calibrated", True, {"calibration": {"min_x": 200, "max_x": 3900, "min_y": 100, "max_y": 4000}},
     [((200, 100), LEFT_TOP), ((3900, 4000), RIGHT_BOTTOM), ((2050, 2050), (0.5, 0.5))]),
    ("turned90", True, {"rotation": 90}, [(TL, RIGHT_TOP), (TR, RIGHT_BOTTOM), (BL, LEFT_TOP)]),
    ("turned180", True, {"rotation": 180}, [(TL, RIGHT_BOTTOM), (TR, LEFT_BOTTOM)]),
    ("turned270", True, {"rotation": 270}, [(TL, LEFT_BOTTOM), (TR, LEFT_TOP)]),
    ("swapped", True, {"swap_xy": True}, [(TR, LEFT_BOTTOM), (BL, RIGHT_TOP), ((1024, 0), (0.0, 0.25))]),
    ("inverted", True, {"invert_x": True, "invert_y": True}, [(TL, RIGHT_BOTTOM), (TR, LEFT_BOTTOM)]),
    ("upright", True, {"rotation": 90, "invert_y": True, "calibration": {"min_x": 0, "max_x": 2047,
                                                                         "min_y": 0, "max_y": 4095}},
     [((2047, 0), LEFT_BOTTOM), ((0, 4095), RIGHT_TOP), ((1024, 0), (0.0, 0.5))]),
    ("single", False, {"provider": "hidinput", "invert_x": True,
                       "calibration": {"min_x": 100, "max_x": 900, "min_y": 0, "max_y": 1000}},
     [((100, 0), RIGHT_TOP), ((900, 1000), LEFT_BOTTOM), ((300, 250), (0.75, 0.25))]),
]



def _touch_tested() -> tuple:
    """A panel mirrored in x with edges at raw 300..3800 and 200..3900, measured under a config
    that says 0..4095 and no mirror, then corrected as ``touch-test --write`` does."""
    truth = Touch(invert_x=True)
    true_span, wrong_span = Ranges(300, 3800, 200, 3900), Ranges(0, 4095, 0, 4095)
    goals = [(0.1, 0.1), (0.9, 0.1), (0.9, 0.9), (0.1, 0.9)]
    raws = [to_raw(g, truth, true_span) for g in goals]
    wrong = Touch(calibration=TouchCalibration(0, 4095, 0, 4095))
    fixed = corrected(wrong, wrong_span, goals, [to_screen(r, wrong, wrong_span) for r in raws])
    settings = {"invert_x": fixed.invert_x, "invert_y": fixed.invert_y, "swap_xy": fixed.swap_xy,
                "calibration": vars(fixed.calibration)}
    return ("touch_tested", True, settings,
            [((round(r[0]), round(r[1])), g) for r, g in zip(raws, goals, strict=True)])


CASES.append(_touch_tested())


@pytest.fixture(scope="module")
def kivy_touches(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("panels")
    panels = []
    for name, multitouch, settings, taps in CASES:
        fifo = folder / name
        os.mkfifo(fifo)
        panels.append({"name": name, "fifo": str(fifo), "multitouch": multitouch,
                       "range": FULL if multitouch else {"x": [0, 1023], "y": [0, 1023]},
                       "touch": {"provider": "hidinput", **settings}, "taps": [raw for raw, _ in taps]})
    spec = {"size": WINDOW, "panels": panels}
    env = dict(os.environ, KIVY_NO_CONSOLELOG="1", SDL_VIDEODRIVER="offscreen")
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("touch_child.py")), json.dumps(spec)],
                          capture_output=True, text=True, timeout=60, env=env,
                          cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_configured_panel_replaces_the_desktop_defaults(kivy_touches: dict) -> None:
    section = kivy_touches["input"]
    assert "mouse" not in section and not any("probesysfs" in v for v in section.values())
    assert section["kiosk_touch"].startswith("hidinput,/") and ",invert_y=0" in section["kiosk_touch"]
    assert kivy_touches["window"] == list(WINDOW)


@pytest.mark.parametrize(("name", "taps"), [(c[0], c[3]) for c in CASES], ids=[c[0] for c in CASES])
def test_touches_land_where_the_config_says(kivy_touches: dict, name: str, taps: list) -> None:
    landed = [t for t in kivy_touches["touches"] if t["panel"] == name]
    assert [t["kind"] for t in landed] == ["HIDMotionEvent"] * len(taps)
    width, height = WINDOW[0] - 1, WINDOW[1] - 1
    for (raw, (fx, fy)), touch in zip(taps, landed, strict=True):
        # Kivy counts y from the bottom of the window.
        # Exact settings land to the pixel; a fitted calibration is rounded to raw units.
        slack = 1.5 if name == "touch_tested" else 0.6
        assert (touch["x"], touch["y"]) == pytest.approx((fx * width, (1 - fy) * height), abs=slack), raw


def test_mtdev_and_auto_lines_use_only_options_kivy_knows() -> None:
    from kivy.input.providers.hidinput import HIDInputMotionEventProvider
    from kivy.input.providers.mtdev import MTDMotionEventProvider

    calibration = TouchCalibration(min_x=10, max_x=4000, min_y=20, max_y=3000)
    line = provider_line(Touch(device="/dev/input/event3", rotation=270, calibration=calibration))
    assert line.startswith("mtdev,/dev/input/event3,")
    options = dict(o.split("=") for o in line.split(",")[2:])
    assert set(options) <= set(MTDMotionEventProvider.options)
    assert {"min_position_x": "10", "max_position_y": "3000"}.items() <= options.items()
    auto = provider_line(Touch(device="auto", provider="hidinput", swap_xy=True, calibration=calibration))
    head, *params = auto.split(",")
    assert head == "probesysfs" and params[0] == "provider=hidinput"
    assert all(p.startswith("param=") for p in params[1:])
    assert {p.removeprefix("param=").split("=")[0] for p in params[1:]} <= set(HIDInputMotionEventProvider.options)


@pytest.mark.parametrize(("touch", "words"), [
    ({"device": "event3"}, "touch.device: 'event3' is not a device path; give the full path such as /dev/input/event3"),
    ({"device": "/dev/input/event3,rotation=90"}, "may not contain commas"),
    ({"device": "auto", "provider": "evdev"}, "touch.provider: 'evdev' is not a touch reader; use mtdev"),
    ({"rotation": 45}, "touch.rotation: 45 degrees; use 0, 90, 180 or 270"),
    ({"rotation": True}, "touch.rotation: expected a whole number, got True"),
    ({"swap_xy": "yes"}, "touch.swap_xy: expected bool"),
    ({"calibration": {"min_x": 10}}, "give both min_x and max_x, or neither"),
    ({"calibration": {"min_y": 4000, "max_y": 100}}, "min_y (4000) must be below max_y (100); for a mirrored axis "
                                                      "set invert_y: true instead"),
    ({"calibration": {"min_x": 1.5, "max_x": 100}}, "calibration.min_x: 1.5 is not a whole number"),
    ({"calibration": {"left": 1}}, "touch.calibration: unknown setting(s): left"),
    ({"mouse": True}, "touch: unknown setting(s): mouse"),
])
def test_bad_touch_settings_name_the_setting(tmp_path: Path, touch: dict, words: str) -> None:
    (tmp_path / "config.yaml").write_text(json.dumps({"touch": touch}))
    with pytest.raises(ConfigError) as error:
        load(tmp_path)
    assert words in str(error.value)
    assert str(tmp_path / "config.yaml") in str(error.value)


def test_good_touch_settings_load(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(json.dumps({"touch": {
        "device": "/dev/input/by-id/usb-eGalax-event-if00", "provider": "mtdev", "rotation": 270,
        "swap_xy": True, "calibration": {"min_x": 0, "max_x": 4095, "min_y": 0, "max_y": 4095}}}))
    touch = load(tmp_path).touch
    assert touch.rotation == 270 and touch.swap_xy and touch.calibration.max_y == 4095


def test_use_touchscreen_sets_kivy_input_and_says_when_the_panel_is_missing(caplog) -> None:
    from kivy.config import Config

    from screens.touch_input import INPUT_KEY, use_touchscreen

    before = dict(Config.items("input"))
    try:
        use_touchscreen(Touch())  # none configured: the desktop defaults stay
        assert dict(Config.items("input")) == before
        with caplog.at_level("INFO", logger="screens.touch"):
            use_touchscreen(Touch(device="/dev/input/event97", rotation=180))
        assert dict(Config.items("input")) == {INPUT_KEY: "mtdev,/dev/input/event97,rotation=0,invert_x=1,invert_y=1"}
        assert "the touchscreen /dev/input/event97 is missing" in caplog.text
    finally:
        Config.remove_option("input", INPUT_KEY)
        for key, value in before.items():
            Config.set("input", key, value)
