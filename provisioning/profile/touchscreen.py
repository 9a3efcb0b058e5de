"""Find touchscreens in ``/proc/bus/input/devices``: devices whose ABS bitmap has the
multi-touch positions (``ABS_MT_POSITION_X/Y``: Kivy's ``mtdev`` provider) or single-touch
``ABS_X/Y`` with ``BTN_TOUCH`` (``hidinput``). The raw range and the size come from the
kernel's axis info (``EVIOCGABS``) when the event node can be opened; the path given to the
config is a stable ``/dev/input/by-id`` (or ``by-path``) link when there is one, because the
``eventN`` numbers can change from one boot to the next."""

from __future__ import annotations

import fcntl
import struct
from dataclasses import dataclass, replace
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
    ranges: tuple[int, int, int, int] | None = None  # raw min_x, max_x, min_y, max_y
    path: str = ""  # a stable link to ``node`` if there is one, else ""

    @property
    def device(self) -> str:
        """The path to put in the config."""
        return self.path or self.node

    @property
    def provider_name(self) -> str:
        return "mtdev" if self.multitouch else "hidinput"

    @property
    def provider(self) -> str:
        """The Kivy ``[input]`` value for it."""
        return f"{self.provider_name},{self.device}"


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


def axes(node: str, multitouch: bool) -> tuple[tuple[int, int, int, int] | None, tuple[float, float] | None]:
    """The raw ranges (min_x, max_x, min_y, max_y) and the size in mm, each None if unknown."""
    codes = (ABS_MT_POSITION_X, ABS_MT_POSITION_Y) if multitouch else (ABS_X, ABS_Y)
    infos = []
    try:
        with open(node, "rb") as device:
            for code in codes:
                info = bytearray(_ABSINFO.size)
                fcntl.ioctl(device, 0x80184540 + code, info)  # EVIOCGABS(code)
                infos.append(_ABSINFO.unpack(info))
    except OSError:
        return None, None
    (_, low_x, high_x, _, _, res_x), (_, low_y, high_y, _, _, res_y) = infos
    size = ((high_x - low_x) / res_x, (high_y - low_y) / res_y) if res_x > 0 and res_y > 0 else None
    return (low_x, high_x, low_y, high_y), size


def stable_path(node: str, links: Path = Path("/dev/input")) -> str:
    """A ``by-id`` (else ``by-path``) link to ``node``, or ""."""
    for folder in ("by-id", "by-path"):
        for link in sorted((links / folder).glob("*event*")):
            try:
                if link.resolve() == Path(node).resolve():
                    return str(link)
            except OSError:
                continue
    return ""


def touchscreens(devices: Path = Path("/proc/bus/input/devices"), links: Path = Path("/dev/input")) -> list[Touchscreen]:
    try:
        text = devices.read_text()
    except OSError:
        return []
    found = []
    for panel in parse(text):
        ranges, size = axes(panel.node, panel.multitouch)
        found.append(replace(panel, size_mm=size, ranges=ranges, path=stable_path(panel.node, links)))
    return found
