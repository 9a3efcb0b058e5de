"""A receipt as a document the kiosk builds; the driver renders it to ESC/POS for a profile.

Plain dataclasses, no printer knowledge: the same document can be shown on screen instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Title:
    """A heading in double width and height, centred."""

    text: str


@dataclass(frozen=True)
class Text:
    """A paragraph, wrapped to the paper width."""

    text: str
    align: Align = "left"
    bold: bool = False


@dataclass(frozen=True)
class KeyValue:
    """A label and its value: on one line when both fit, else the value below, indented."""

    key: str
    value: str


@dataclass(frozen=True)
class Table:
    """Rows of cells under a header; every cell wraps inside its column."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class QrCode:
    """A QR code, centred; ``size`` is the module size in dots (1-16)."""

    data: str
    size: int = 6
    caption: str = ""


@dataclass(frozen=True)
class Separator:
    char: str = "-"


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    partial: bool = True


Element = Title | Text | KeyValue | Table | QrCode | Separator | Feed | Cut


@dataclass
class Receipt:
    """An ordered list of elements; the renderer adds the init and, if missing, the final cut."""

    elements: list[Element] = field(default_factory=list)

    def add(self, *elements: Element) -> Receipt:
        self.elements.extend(elements)
        return self
