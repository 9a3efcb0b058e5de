"""Touchscreen detection from /proc/bus/input/devices (a fixture taken in the format the kernel
writes: a power button, a multi-touch eGalax panel, a single-touch Elo panel, a mouse)."""

from __future__ import annotations

from pathlib import Path

from provisioning.profile.touchscreen import Touchscreen, parse, touchscreens

FIXTURE = Path(__file__).parent / "fixtures" / "input_devices.txt"


def test_finds_multi_and_single_touch_panels_only() -> None:
    found = parse(FIXTURE.read_text())
    assert found == [
        Touchscreen("eGalax Inc. eGalaxTouch EXC3000-0368-46.00.00", "/dev/input/event5", True),
        Touchscreen("Elo Single Touch", "/dev/input/event6", False),
    ]
    assert [t.provider for t in found] == ["mtdev,/dev/input/event5", "hidinput,/dev/input/event6"]


def test_size_is_unknown_when_the_node_cannot_be_opened(tmp_path: Path) -> None:
    # This machine has no /dev/input/event5: the panel is still reported, without a size.
    found = touchscreens(FIXTURE)
    assert [t.node for t in found] == ["/dev/input/event5", "/dev/input/event6"]
    assert all(t.size_mm is None for t in found if not Path(t.node).exists())
    assert touchscreens(tmp_path / "missing") == []
