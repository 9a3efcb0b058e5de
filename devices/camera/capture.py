"""Captured pages and the pages of one material (one entry of the 材料清单), in memory only."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from devices.camera.errors import BadPageKind, MaterialFull
from devices.camera.quality import QualityReport


class PageKind(enum.Enum):
    """How a page is enhanced: print made black on white, or colour kept."""

    TEXT = "text"
    CERTIFICATE = "certificate"
    ID_COPY = "id_copy"

    @property
    def keeps_colour(self) -> bool:
        return self is not PageKind.TEXT

    @classmethod
    def parse(cls, value: str | PageKind) -> PageKind:
        if isinstance(value, PageKind):
            return value
        try:
            return cls(value)
        except ValueError:
            raise BadPageKind(f"unknown page kind {value!r}; expected one of "
                              + ", ".join(kind.value for kind in cls)) from None


@dataclass(frozen=True)
class CapturedPage:
    """One page: its JPEG, its size and the quality verdict of the frame it came from."""

    jpeg: bytes = field(repr=False)
    width: int
    height: int
    kind: PageKind
    quality: QualityReport
    method: str  # how the outline was found
    skew_degrees: float = 0.0


@dataclass
class MaterialCapture:
    """The pages of one material, in order; wiped with :meth:`clear` at the end of a session."""

    material_id: str
    kind: PageKind = PageKind.TEXT
    max_pages: int = 20
    pages: list[CapturedPage] = field(default_factory=list)

    def add(self, page: CapturedPage) -> int:
        if len(self.pages) >= self.max_pages:
            raise MaterialFull(f"material {self.material_id} already has {self.max_pages} pages",
                               max_pages=self.max_pages)
        self.pages.append(page)
        return len(self.pages) - 1

    def remove(self, index: int) -> CapturedPage:
        return self.pages.pop(index)

    def replace(self, index: int, page: CapturedPage) -> None:
        self.pages[index] = page

    def move(self, index: int, to: int) -> None:
        self.pages.insert(to, self.pages.pop(index))

    def jpegs(self) -> list[bytes]:
        return [page.jpeg for page in self.pages]

    def clear(self) -> None:
        self.pages.clear()

    def __len__(self) -> int:
        return len(self.pages)
