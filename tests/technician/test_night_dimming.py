"""Night dimming's core: the window (also across midnight), rest only, a touch or card undims for
a quiet minute, the backlight in a sysfs-shaped folder, and the settings refused in plain words."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from kiosk.config import ConfigError, NightDimming, load
from kiosk.night import Backlight, NightDimmer, in_window


def at(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


@pytest.mark.parametrize(("now", "inside"), [
    ("22:59", False), ("23:00", True), ("23:59", True), ("00:00", True), ("03:30", True),
    ("05:59", True), ("06:00", False), ("12:00", False),
])
def test_a_window_across_midnight(now: str, inside: bool) -> None:
    assert in_window(at(now), "23:00", "06:00") is inside


@pytest.mark.parametrize(("now", "inside"), [("00:59", False), ("01:00", True), ("04:59", True), ("05:00", False),
                                             ("23:30", False)])
def test_a_window_after_midnight(now: str, inside: bool) -> None:
    assert in_window(at(now), "01:00", "05:00") is inside


def test_dimmed_only_at_rest_in_the_window_and_not_right_after_a_touch() -> None:
    dimmer = NightDimmer(NightDimming(start="23:00", end="06:00", percent=20), quiet_seconds=60)
    night, day = at("00:30"), at("14:00")
    assert dimmer.dimmed(night, resting=True, at=1000.0)
    assert not dimmer.dimmed(day, resting=True, at=1000.0)
    assert not dimmer.dimmed(night, resting=False, at=1000.0)  # a visit: never
    dimmer.wake(1000.0)
    assert not dimmer.dimmed(night, resting=True, at=1000.0)
    assert not dimmer.dimmed(night, resting=True, at=1059.0)
    assert dimmer.dimmed(night, resting=True, at=1060.0)
    assert not NightDimmer(NightDimming()).dimmed(night, resting=True, at=0.0)  # not configured


def _sysfs(root: Path, name: str, brightness: int, maximum: int) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "brightness").write_text(f"{brightness}\n")
    (folder / "max_brightness").write_text(f"{maximum}\n")
    return folder


def test_backlight_dims_and_puts_back_what_it_found(tmp_path: Path) -> None:
    folder = _sysfs(tmp_path, "intel_backlight", 750, 1000)
    backlight = Backlight.find(tmp_path)
    assert backlight is not None and backlight.folder == folder
    assert backlight.dim(25)
    assert (folder / "brightness").read_text() == "250\n"
    assert backlight.dim(25)  # dimming twice still remembers the daytime level
    backlight.restore()
    assert (folder / "brightness").read_text() == "750\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_a_backlight_the_kiosk_may_not_write_is_not_used(tmp_path: Path) -> None:
    folder = _sysfs(tmp_path, "acpi_video0", 10, 10)
    (folder / "brightness").chmod(0o444)
    assert Backlight.find(tmp_path) is None


def test_no_backlight_and_a_broken_one(tmp_path: Path) -> None:
    assert Backlight.find(tmp_path / "none") is None
    folder = _sysfs(tmp_path, "panel", 5, 10)
    (folder / "max_brightness").write_text("not a number")
    backlight = Backlight.find(tmp_path)
    assert backlight is not None and not backlight.dim(30)  # the UI falls back to its overlay
    assert (folder / "brightness").read_text() == "5\n"


@pytest.mark.parametrize(("night", "words"), [
    ({"start": "23:00"}, "night_dimming.end: missing; give both start and end"),
    ({"start": "23h", "end": "06:00"}, "night_dimming.start: '23h' is not a time of day; write it as HH:MM"),
    ({"start": "23:00", "end": "24:30"}, "night_dimming.end: '24:30' is not a time of day"),
    ({"start": "23:00", "end": "23:00"}, "the same as start (23:00)"),
    ({"start": "23:00", "end": "06:00", "percent": 0}, "night_dimming.percent: 0 is the brightness while dimmed; use 5 to 95"),
    ({"start": "23:00", "end": "06:00", "percent": 100}, "use 5 to 95"),
    ({"start": "23:00", "end": "06:00", "level": 3}, "night_dimming: unknown setting(s): level"),
])
def test_bad_night_dimming_names_the_setting(tmp_path: Path, night: dict, words: str) -> None:
    (tmp_path / "config.yaml").write_text(json.dumps({"night_dimming": night}))
    with pytest.raises(ConfigError) as error:
        load(tmp_path)
    assert words in str(error.value)


def test_a_bare_yaml_time_is_read_as_the_time_written(tmp_path: Path) -> None:
    # YAML 1.1 reads an unquoted 23:00 as the number 1380 (base 60): it still means 23:00.
    (tmp_path / "config.yaml").write_text("night_dimming:\n  start: 23:00\n  end: 6:30\n  percent: 20\n")
    assert load(tmp_path).night_dimming == NightDimming(start="23:00", end="06:30", percent=20)
