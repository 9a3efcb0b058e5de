"""What a printer would put on paper, from parsed ESC/POS operations: text lines and a PNG.

A :class:`Page` collects lines (text segments with their size and alignment), QR codes (drawn
with the ``qrcode`` package from the data stored by ``GS ( k``) and raster images, then renders
them on the printer's dot grid with the wqy CJK font, so tests and people can read the receipt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from devices.printer.decode import Op
from devices.printer.layout import text_width
from devices.printer.raster import draw_cells, qr_image

LINE_DOTS = 30  # default line spacing: 24-dot characters plus 6 dots


@dataclass
class Segment:
    text: str
    width: int = 1
    height: int = 1
    bold: bool = False


@dataclass
class Line:
    align: str = "left"
    segments: list[Segment] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def columns(self) -> int:
        return sum(text_width(s.text) * s.width for s in self.segments)

    @property
    def height(self) -> int:
        return max((s.height for s in self.segments), default=1)


@dataclass
class Picture:
    align: str
    image: Image.Image
    label: str


@dataclass
class Gap:
    lines: int


Block = Line | Picture | Gap


class Page:
    """The content of one job as it would be printed on ``columns``-wide paper."""

    def __init__(self, columns: int, dots: int) -> None:
        self.columns = columns
        self.dots = dots
        self.blocks: list[Block] = []
        self.current = Line()
        self.align = "left"
        self.size = (1, 1)
        self.bold = False
        self.overflow: list[str] = []

    @property
    def empty(self) -> bool:
        return not self.blocks and not self.current.segments

    def apply(self, op: Op) -> None:
        match op.name:
            case "text":
                if not self.current.segments:
                    self.current.align = self.align
                self.current.segments.append(Segment(op.args[0], *self.size, self.bold))
            case "lf":
                self._end_line()
            case "position":
                column = op.args[0] // (self.dots // self.columns)
                gap = column - self.current.columns
                if gap > 0:
                    self.apply(Op("text", (" " * gap,)))
            case "align":
                self.align = op.args[0]
            case "size":
                self.size = op.args
            case "bold":
                self.bold = op.args[0]
            case "feed":
                self._end_line(force=False)
                self.blocks.append(Gap(op.args[0]))
            case "init":
                self.align, self.size, self.bold = "left", (1, 1), False
            case "qr":
                data, module = op.args
                self._end_line(force=False)
                text = data.decode("utf-8", "replace")
                self.blocks.append(
                    Picture(self.align, qr_image(text, module).convert("1"), f"[QR {text}]")
                )
            case "raster":
                width_bytes, height, bits = op.args
                self._end_line(force=False)
                image = Image.frombytes(
                    "1", (width_bytes * 8, height), bytes(b ^ 0xFF for b in bits)
                )
                self.blocks.append(
                    Picture(self.align, image, f"[image {width_bytes * 8}x{height}]")
                )

    def _end_line(self, force: bool = True) -> None:
        if not self.current.segments and not force:
            return
        line = self.current
        if line.columns > self.columns:
            self.overflow.append(line.text)
        self.blocks.append(line)
        self.current = Line(align=self.align)

    def finish(self) -> None:
        self._end_line(force=False)

    @property
    def lines(self) -> list[str]:
        """Every printed line's text (no alignment padding); pictures by their label."""
        out: list[str] = []
        for block in self.blocks:
            if isinstance(block, Line):
                out.append(block.text.rstrip())
            elif isinstance(block, Picture):
                out.append(block.label)
        return out

    @property
    def text(self) -> str:
        """The receipt as text, aligned the way the paper shows it."""
        out: list[str] = []
        for block in self.blocks:
            if isinstance(block, Line):
                gap = max(0, self.columns - block.columns)
                lead = {"left": 0, "center": gap // 2, "right": gap}[block.align]
                out.append((" " * lead + block.text).rstrip())
            elif isinstance(block, Picture):
                out.append(block.label.center(self.columns).rstrip())
            else:
                out.extend([""] * block.lines)
        return "\n".join(out)

    def render_png(self, path: Path) -> Path:
        cell = self.dots // self.columns
        heights = []
        for block in self.blocks:
            if isinstance(block, Line):
                heights.append(LINE_DOTS + 24 * (block.height - 1))
            elif isinstance(block, Picture):
                heights.append(block.image.height)
            else:
                heights.append(block.lines * LINE_DOTS)
        margin = 16
        image = Image.new("L", (self.dots + 2 * margin, sum(heights) + 2 * margin), 255)
        draw = ImageDraw.Draw(image)
        y = margin
        for block, height in zip(self.blocks, heights, strict=True):
            if isinstance(block, Line):
                gap = max(0, self.dots - block.columns * cell)
                x = margin + {"left": 0, "center": gap // 2, "right": gap}[block.align]
                for seg in block.segments:
                    top = y + 24 * (block.height - seg.height)
                    x = draw_cells(draw, x, top, seg.text, cell, (seg.width, seg.height))
            elif isinstance(block, Picture):
                gap = max(0, self.dots - block.image.width)
                x = margin + {"left": 0, "center": gap // 2, "right": gap}[block.align]
                image.paste(block.image.convert("L"), (x, y))
            y += height
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path)
        return path
