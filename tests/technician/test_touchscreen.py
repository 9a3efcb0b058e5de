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


def test_a_stable_link_is_preferred_to_the_event_number(tmp_path: Path) -> None:
    (tmp_path / "by-path").mkdir()
    (tmp_path / "by-id").mkdir()
    (tmp_path / "by-path" / "pci-0000:00:14.0-usb-0:4:1.0-event").symlink_to("/dev/input/event5")
    (tmp_path / "by-id" / "usb-eGalax_Inc._eGalaxTouch-event-if00").symlink_to("../event5")
    (tmp_path / "by-id" / "usb-Elo-event-if00").symlink_to("/dev/input/event9")
    found = touchscreens(FIXTURE, links=tmp_path)
    # ../event5 from tmp/by-id is tmp/event5, not /dev/input/event5: only the by-path link matches
    assert found[0].device == str(tmp_path / "by-path" / "pci-0000:00:14.0-usb-0:4:1.0-event")
    assert found[0].provider == f"mtdev,{found[0].device}"
    assert found[1].device == "/dev/input/event6" and found[1].path == ""
