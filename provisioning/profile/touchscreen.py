"""Find touchscreens in ``/proc/bus/input/devices``: devices whose ABS bitmap has the
multi-touch positions (``ABS_MT_POSITION_X/Y``: Kivy's ``mtdev`` provider) or single-touch
``ABS_X/Y`` with ``BTN_TOUCH`` (``hidinput``). The size comes from the kernel's axis info
(``EVIOCGABS``) when the event node can be opened."""

from __future__ import annotations

import fcntl
import struct
from dataclasses import dataclass
from pathlib import Path

ABS_X, ABS_Y, ABS_MT_POSITION_X, ABS_MT_POSITION_Y = 0x00, 0x01, 0x35, 0x36
BTN_TOUCH = 0x14A
_ABSINFO = struct.Struct("6i")  # value, minimum, maximum, fuzz, flat, resolution (units/mm)


@dataclass(frozen=True)
class Touchscreen:
    name: str
    node: str  # /dev/input/eventN
    multitouch: bool
    size_mm: tuple[float, float] | None = None

    @property
    def provider(self) -> str:
        """The Kivy ``[input]`` value for it."""
        return f"{'mtdev' if self.multitouch else 'hidinput'},{self.node}"


def _bits(text: str) -> set[int]:
    """A /proc bitmap: hex words (64-bit), most significant first."""
    bits: set[int] = set()
    for index, word in enumerate(reversed(text.split())):
        value = int(word, 16)
        bits.update(index * 64 + bit for bit in range(64) if value >> bit & 1)
    return bits


def parse(text: str) -> list[Touchscreen]:
    found = []
    for block in text.strip().split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            kind, _, rest = line.partition(": ")
            if kind == "N":
                fields["name"] = rest.removeprefix('Name="').removesuffix('"')
            elif kind == "H":
                fields["handlers"] = rest.removeprefix("Handlers=")
            elif kind == "B":
                key, _, value = rest.partition("=")
                fields[key] = value
        absolute = _bits(fields.get("ABS", "0"))
        keys = _bits(fields.get("KEY", "0"))
        multi = {ABS_MT_POSITION_X, ABS_MT_POSITION_Y} <= absolute
        single = {ABS_X, ABS_Y} <= absolute and BTN_TOUCH in keys
        event = next((h for h in fields.get("handlers", "").split() if h.startswith("event")), "")
        if (multi or single) and event:
            found.append(Touchscreen(fields.get("name", "?"), f"/dev/input/{event}", multi))
    return found


def _size_mm(node: str, multitouch: bool) -> tuple[float, float] | None:
    axes = (ABS_MT_POSITION_X, ABS_MT_POSITION_Y) if multitouch else (ABS_X, ABS_Y)
    try:
        with open(node, "rb") as device:
            spans = []
            for axis in axes:
                info = bytearray(_ABSINFO.size)
                fcntl.ioctl(device, 0x80184540 + axis, info)  # EVIOCGABS(axis)
                _, low, high, _, _, resolution = _ABSINFO.unpack(info)
                if resolution <= 0:
                    return None
                spans.append((high - low) / resolution)
    except OSError:
        return None
    return spans[0], spans[1]


def touchscreens(devices: Path = Path("/proc/bus/input/devices")) -> list[Touchscreen]:
    try:
        text = devices.read_text()
    except OSError:
        return []
    return [Touchscreen(t.name, t.node, t.multitouch, _size_mm(t.node, t.multitouch)) for t in parse(text)]
