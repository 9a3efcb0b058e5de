"""Draws the home screen's scenario pictograms into assets/icons/<icon>.png (run once, not at kiosk start).

Each icon is a white pictogram on a transparent 256×256 canvas: the tile paints its own coloured
square behind it (screens/home.py picks the colour), and in high-contrast mode the home screen tints
the white to the theme's text colour. Shapes are drawn with Pillow primitives at 4× and scaled down,
which gives smooth edges. Details such as windows or the gap around an overlapping key are cut out of
the white (drawn with ``on=False``), so the tile colour shows through them.

    .venv/bin/python scripts/make_icons.py                   # writes assets/icons/*.png
    .venv/bin/python scripts/make_icons.py --sheet /tmp/icons.png   # also a contact sheet to look at
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PIL import Image, ImageDraw

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

SIZE = 256
SCALE = 4  # supersampling factor
CONTENT = 0.86  # the drawing is shrunk to this share of the canvas, leaving a margin on the tile
Point = tuple[float, float]


class Pen:
    """Draws on a 256-unit square; ``on=False`` cuts the shape out of what is already drawn."""

    def __init__(self) -> None:
        self.mask = Image.new("L", (SIZE * SCALE, SIZE * SCALE), 0)
        self.draw = ImageDraw.Draw(self.mask)

    @staticmethod
    def _xy(points: Iterable[Point]) -> list[tuple[float, float]]:
        return [(x * SCALE, y * SCALE) for x, y in points]

    @staticmethod
    def _fill(on: bool) -> int:
        return 255 if on else 0

    def rect(self, x0: float, y0: float, x1: float, y1: float, r: float = 0, on: bool = True) -> None:
        box = (x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE)
        self.draw.rounded_rectangle(box, radius=r * SCALE, fill=self._fill(on))

    def circle(self, cx: float, cy: float, r: float, on: bool = True) -> None:
        self.ellipse(cx, cy, r, r, on)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, on: bool = True) -> None:
        box = ((cx - rx) * SCALE, (cy - ry) * SCALE, (cx + rx) * SCALE, (cy + ry) * SCALE)
        self.draw.ellipse(box, fill=self._fill(on))

    def ring(self, cx: float, cy: float, r: float, w: float, on: bool = True) -> None:
        box = ((cx - r) * SCALE, (cy - r) * SCALE, (cx + r) * SCALE, (cy + r) * SCALE)
        self.draw.ellipse(box, outline=self._fill(on), width=round(w * SCALE))

    def polygon(self, points: Sequence[Point], on: bool = True) -> None:
        self.draw.polygon(self._xy(points), fill=self._fill(on))

    def line(self, points: Sequence[Point], w: float, on: bool = True, caps: bool = True) -> None:
        """A polyline with round joints and (unless ``caps=False``) round ends."""
        self.draw.line(self._xy(points), fill=self._fill(on), width=round(w * SCALE), joint="curve")
        if caps:
            for x, y in (points[0], points[-1]):
                self.circle(x, y, w / 2, on)

    def arc(self, cx: float, cy: float, r: float, start: float, end: float, w: float,
            on: bool = True) -> None:
        """An arc of a circle (degrees clockwise from 3 o'clock, like Pillow) with round ends."""
        self.line(arc_points(cx, cy, r, start, end), w, on)

    def pie(self, cx: float, cy: float, rx: float, ry: float, start: float, end: float,
            on: bool = True) -> None:
        box = ((cx - rx) * SCALE, (cy - ry) * SCALE, (cx + rx) * SCALE, (cy + ry) * SCALE)
        self.draw.pieslice(box, start, end, fill=self._fill(on))

    def image(self) -> Image.Image:
        inner = round(SIZE * CONTENT)
        alpha = Image.new("L", (SIZE, SIZE), 0)
        offset = (SIZE - inner) // 2
        alpha.paste(self.mask.resize((inner, inner), Image.Resampling.LANCZOS), (offset, offset))
        white = Image.new("L", (SIZE, SIZE), 255)
        return Image.merge("RGBA", (white, white, white, alpha))


def arc_points(cx: float, cy: float, r: float, start: float, end: float, steps: int = 48) -> list[Point]:
    return [
        (cx + r * math.cos(math.radians(a)), cy + r * math.sin(math.radians(a)))
        for a in (start + (end - start) * i / steps for i in range(steps + 1))
    ]


def tilted_ellipse(cx: float, cy: float, rx: float, ry: float, degrees: float) -> list[Point]:
    outline = [(rx * math.cos(i * math.pi / 32), ry * math.sin(i * math.pi / 32)) for i in range(64)]
    return rotate(outline, degrees, shift=(cx, cy))


def quad(p0: Point, control: Point, p1: Point, steps: int = 32) -> list[Point]:
    """Points along a quadratic Bézier curve."""
    out = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t**2
        out.append((a * p0[0] + b * control[0] + c * p1[0], a * p0[1] + b * control[1] + c * p1[1]))
    return out


def rotate(points: Iterable[Point], degrees: float, centre: Point = (0, 0),
           shift: Point = (0, 0)) -> list[Point]:
    """Rotate points about ``centre`` (clockwise on screen for positive degrees), then move them."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    cx, cy = centre
    return [
        (cx + (x - cx) * c - (y - cy) * s + shift[0], cy + (x - cx) * s + (y - cy) * c + shift[1])
        for x, y in points
    ]


def lens(base: Point, tip: Point, bulge: float) -> list[Point]:
    """A leaf or petal: two curves from ``base`` to ``tip`` bowing ``bulge`` units either side."""
    mx, my = (base[0] + tip[0]) / 2, (base[1] + tip[1]) / 2
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    length = math.hypot(dx, dy)
    nx, ny = -dy / length * bulge * 2, dx / length * bulge * 2
    side_a = quad(base, (mx + nx, my + ny), tip)
    side_b = quad(tip, (mx - nx, my - ny), base)
    return side_a + side_b


def tapered(base: Point, tip: Point, w_base: float, w_tip: float) -> list[Point]:
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    length = math.hypot(dx, dy)
    nx, ny = -dy / length, dx / length
    return [
        (base[0] + nx * w_base / 2, base[1] + ny * w_base / 2),
        (tip[0] + nx * w_tip / 2, tip[1] + ny * w_tip / 2),
        (tip[0] - nx * w_tip / 2, tip[1] - ny * w_tip / 2),
        (base[0] - nx * w_base / 2, base[1] - ny * w_base / 2),
    ]


# --- shared parts -------------------------------------------------------------------------------


def car_side(p: Pen, dx: float = 0, dy: float = 0) -> None:
    """A car seen from the side, facing right, its body spanning x 36…220 (before the shift)."""
    def at(points: Sequence[Point]) -> list[Point]:
        return [(x + dx, y + dy) for x, y in points]

    p.polygon(at([(78, 122), (100, 84), (160, 84), (190, 122)]))
    p.line(at([(78, 122), (100, 84), (160, 84), (190, 122)]), 10)
    p.rect(36 + dx, 116 + dy, 220 + dx, 170 + dy, r=18)
    p.polygon(at([(96, 116), (108, 94), (126, 94), (126, 116)]), on=False)
    p.polygon(at([(136, 116), (136, 94), (156, 94), (174, 116)]), on=False)
    p.rect(200 + dx, 130 + dy, 214 + dx, 142 + dy, r=4, on=False)  # headlight
    for wx in (80, 176):
        p.circle(wx + dx, 170 + dy, 29, on=False)
        p.circle(wx + dx, 170 + dy, 22)
        p.circle(wx + dx, 170 + dy, 8, on=False)


def document(p: Pen, lines: int = 3) -> None:
    """A page with a folded top-right corner and text lines."""
    p.polygon([(52, 28), (150, 28), (196, 74), (196, 228), (52, 228)])
    p.rect(52, 28, 110, 228, r=10)
    p.rect(52, 170, 196, 228, r=10)
    p.line([(150, 22), (150, 76), (202, 76)], 12, on=False, caps=False)
    p.polygon([(156, 30), (156, 70), (194, 70)])
    for i in range(lines):
        p.line([(78, 104 + i * 30), (170 if i < lines - 1 else 130, 104 + i * 30)], 12, on=False)


def storefront(p: Pen) -> None:
    """A shop: a striped awning with a scalloped edge over a wall (door and window left to caller)."""
    p.polygon([(56, 36), (200, 36), (224, 96), (32, 96)])
    for i in range(6):
        p.circle(48 + 32 * i, 96, 16)
    for i in range(1, 6):
        bottom_x = 32 + 32 * i
        top_x = 56 + (bottom_x - 32) * 144 / 192
        p.line([(top_x, 30), (bottom_x, 118)], 5, on=False, caps=False)
    p.rect(28, 112, 228, 118, on=False)
    p.rect(48, 118, 208, 224, r=6)


def arrow(p: Pen, start: Point, end: Point, w: float, head: float, on: bool = True) -> None:
    """A straight arrow from ``start`` to ``end`` with a triangular head at ``end``."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    ux, uy = dx / length, dy / length
    neck = (end[0] - ux * head, end[1] - uy * head)
    p.line([start, neck], w, on)
    p.polygon(
        [end, (neck[0] - uy * head * 0.75, neck[1] + ux * head * 0.75),
         (neck[0] + uy * head * 0.75, neck[1] - ux * head * 0.75)],
        on,
    )


def yen(p: Pen, cx: float, cy: float, size: float, w: float, on: bool = True) -> None:
    """The ¥ sign drawn with strokes, centred on (cx, cy), ``size`` tall."""
    h = size / 2
    p.line([(cx - h * 0.62, cy - h), (cx, cy - h * 0.05), (cx + h * 0.62, cy - h)], w, on)
    p.line([(cx, cy - h * 0.05), (cx, cy + h)], w, on)
    p.line([(cx - h * 0.5, cy + h * 0.12), (cx + h * 0.5, cy + h * 0.12)], w, on, caps=False)
    p.line([(cx - h * 0.5, cy + h * 0.5), (cx + h * 0.5, cy + h * 0.5)], w, on, caps=False)


# --- the icons ----------------------------------------------------------------------------------


def enterprise(p: Pen) -> None:
    p.line([(128, 100), (128, 26)], 9)
    p.polygon([(132, 26), (190, 26), (178, 44), (190, 62), (132, 62)])
    p.rect(56, 96, 200, 228, r=8)
    for row in range(2):
        for col in range(3):
            x, y = 76 + col * 40, 114 + row * 36
            p.rect(x, y, x + 24, y + 22, r=3, on=False)
    p.rect(108, 186, 148, 228, r=4, on=False)
    p.rect(40, 218, 216, 232, r=5)


def trading(p: Pen) -> None:
    storefront(p)
    arrow(p, (78, 150), (178, 150), 12, 24, on=False)
    arrow(p, (178, 194), (78, 194), 12, 24, on=False)


def convenience_store(p: Pen) -> None:
    storefront(p)
    p.rect(140, 140, 188, 224, r=4, on=False)  # door
    p.circle(176, 184, 5)
    p.rect(66, 140, 124, 196, r=4, on=False)  # window
    p.line([(95, 140), (95, 196)], 6, caps=False)


def car_rental(p: Pen) -> None:
    car_side(p, dy=34)
    p.ring(76, 60, 22, 12)
    p.line([(98, 60), (200, 60)], 13)
    p.line([(176, 60), (176, 84)], 12, caps=False)
    p.line([(196, 60), (196, 78)], 12, caps=False)
    p.rect(170, 80, 182, 86, r=2)


def restaurant(p: Pen) -> None:
    for x in (76, 112):  # steam
        p.line(quad((x, 96), (x - 14, 78), (x, 60)) + quad((x, 60), (x + 14, 42), (x, 24))[1:], 8)
    for start, end in (((128, 112), (206, 26)), ((148, 112), (228, 40))):  # chopsticks
        p.line([start, end], 22, on=False)
        p.line([start, end], 10)
    p.pie(128, 126, 90, 92, 0, 180)
    p.rect(30, 114, 226, 132, r=9)
    p.rect(92, 208, 164, 226, r=6)
    p.line([(30, 138), (226, 138)], 6, on=False, caps=False)


def pharmacy(p: Pen) -> None:
    p.rect(92, 28, 156, 188, r=10)
    p.rect(44, 76, 204, 140, r=10)
    a, b = (148, 208), (214, 142)
    p.line([a, b], 68, on=False)
    p.line([a, b], 50)
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    p.line([(mid[0] - 20, mid[1] - 20), (mid[0] + 20, mid[1] + 20)], 7, on=False, caps=False)


def salon(p: Pen) -> None:
    pivot = (128, 124)
    for side in (-1, 1):
        ring_centre = (128 + side * 46, 190)
        tip = (128 - side * 56, 28)
        p.polygon(tapered((128 + side * 22, 156), tip, 26, 4))
        p.circle(*tip, 2)
        p.line([(128 + side * 22, 156), (ring_centre[0] - side * 8, ring_centre[1] - 22)], 14)
        p.ring(*ring_centre, 28, 13)
    p.circle(*pivot, 7, on=False)


def hotel(p: Pen) -> None:
    p.rect(28, 74, 46, 222, r=6)  # headboard
    p.rect(28, 160, 228, 184, r=6)  # frame
    p.rect(212, 170, 228, 222, r=6)  # foot
    p.circle(82, 130, 22)  # head on the pillow
    p.rect(112, 108, 228, 154, r=16)  # blanket over the sleeper
    p.rect(56, 148, 104, 160, r=5)  # pillow


def internet_cafe(p: Pen) -> None:
    p.rect(28, 36, 228, 172, r=14)
    p.rect(44, 52, 212, 156, r=4, on=False)
    p.rect(114, 172, 142, 204)
    p.rect(76, 200, 180, 216, r=7)
    # a globe on the screen
    p.ring(128, 104, 38, 8)
    p.ellipse(128, 104, 14, 38, on=True)
    p.ellipse(128, 104, 8, 32, on=False)
    p.line([(90, 104), (166, 104)], 7, caps=False)


def entertainment(p: Pen) -> None:
    p.line([(120, 60), (120, 104)], 64)
    for y in (62, 84, 106):
        p.line([(100, y), (140, y)], 6, on=False)
    p.arc(120, 108, 52, 0, 180, 11)
    p.line([(120, 160), (120, 208)], 11)
    p.rect(80, 204, 160, 218, r=7)
    # a music note
    p.line([(204, 36), (204, 112)], 9)
    p.line(quad((204, 38), (236, 54), (226, 86)), 9)
    p.polygon(tilted_ellipse(190, 112, 19, 13, -25))


def bookstore(p: Pen) -> None:
    for side in (-1, 1):
        edge = 128 + side * 98
        spine = 128 + side * 7
        top = quad((spine, 72), (128 + side * 52, 48), (edge, 58))
        bottom = quad((edge, 192), (128 + side * 52, 182), (spine, 206))
        p.polygon([*top, *bottom])
        for i in range(4):
            lo = quad((spine + side * 14, 96 + i * 26), (128 + side * 52, 72 + i * 26),
                      (edge - side * 14, 82 + i * 26))
            p.line(lo, 7, on=False)
        cover = quad((128, 222), (128 + side * 52, 204), (128 + side * 106, 212))
        p.line([(128, 218), *cover[1:], (128 + side * 106, 70)], 9, caps=True)


def gym(p: Pen) -> None:
    p.line([(40, 128), (216, 128)], 16)
    for side in (-1, 1):
        p.rect(128 + side * 58 - 12, 64, 128 + side * 58 + 12, 192, r=9)
        p.rect(128 + side * 86 - 10, 84, 128 + side * 86 + 10, 172, r=8)


def _wrench(p: Pen, head: Point, degrees: float, on: bool, grow: float = 0) -> None:
    handle = rotate([(0, 0), (-118, 0)], degrees, shift=head)
    p.line(handle, 20 + 2 * grow, on)
    p.circle(*head, 32 + grow, on)
    if on:
        jaw = rotate([(0, -11), (40, -11), (40, 11), (0, 11)], degrees, shift=head)
        p.polygon(jaw, on=False)
        p.circle(*head, 11, on=False)


def car_repair(p: Pen) -> None:
    car_side(p, dy=40)
    head = (194, 50)
    _wrench(p, head, -22, on=True)


def logistics(p: Pen) -> None:
    p.rect(24, 64, 158, 172, r=6)
    p.polygon([(166, 96), (204, 96), (232, 136), (232, 172), (166, 172)])
    p.polygon([(178, 108), (198, 108), (216, 136), (178, 136)], on=False)
    p.rect(24, 176, 232, 190, r=4)
    for x in (70, 190):
        p.circle(x, 194, 27, on=False)
        p.circle(x, 194, 20)
        p.circle(x, 194, 7, on=False)
    # a parcel mark on the box
    p.rect(66, 92, 116, 144, r=4, on=False)
    p.rect(72, 98, 110, 138, r=2)
    p.line([(91, 98), (91, 116)], 6, on=False, caps=False)


def change(p: Pen) -> None:
    document(p, lines=3)
    a, b = (124, 222), (226, 120)  # pencil from tip to end
    p.line([(132, 214), b], 46, on=False)
    p.polygon(tapered(a, (146, 200), 2, 30), on=False)
    p.line([(146, 200), (214, 132)], 28, caps=False)
    p.polygon(tapered(a, (146, 200), 2, 28))
    p.line([(202, 144), (226, 120)], 28)
    p.line([(192, 150), (208, 134)], 6, on=False, caps=False)
    p.line([(192, 154), (208, 138)], 4, on=False, caps=False)


def close(p: Pen) -> None:
    document(p, lines=3)
    c = (182, 184)
    p.circle(*c, 50, on=False)
    p.circle(*c, 42)
    p.line([(c[0] - 17, c[1] - 17), (c[0] + 17, c[1] + 17)], 11, on=False)
    p.line([(c[0] - 17, c[1] + 17), (c[0] + 17, c[1] - 17)], 11, on=False)


def newborn(p: Pen) -> None:
    p.pie(112, 118, 80, 80, 180, 270)  # hood
    p.pie(128, 122, 94, 66, 0, 180)  # basket
    p.line([(26, 122), (230, 122)], 8, on=False, caps=False)
    p.line([(112, 30), (112, 120)], 8, on=False, caps=False)
    p.line([(222, 128), (236, 60)], 11)
    p.line([(224, 60), (246, 60)], 11)
    for x in (72, 184):
        p.circle(x, 214, 22)
        p.circle(x, 214, 8, on=False)


def retirement(p: Pen) -> None:
    p.circle(118, 46, 22)  # head
    p.line([(112, 86), (96, 148)], 28)  # bent back
    p.line([(96, 150), (116, 186), (112, 226)], 18)  # front leg
    p.line([(96, 150), (80, 190), (62, 224)], 18)  # back leg
    p.line([(114, 92), (138, 126), (166, 132)], 14)  # arm to the cane
    p.arc(180, 132, 14, 180, 360, 10)  # crook of the cane
    p.line([(166, 132), (172, 228)], 10)


def after_death(p: Pen) -> None:
    centre = (128, 86)
    p.line(quad((128, 120), (122, 180), (130, 232)), 9)
    p.polygon(lens((126, 200), (70, 158), 12))
    p.polygon(lens((128, 184), (184, 150), 12))
    for i in range(12):
        angle = -90 + i * 30
        rad = math.radians(angle)
        base = (centre[0] + 10 * math.cos(rad), centre[1] + 10 * math.sin(rad))
        tip = (centre[0] + 62 * math.cos(rad), centre[1] + 62 * math.sin(rad))
        p.polygon(lens(base, tip, 8))
    p.circle(*centre, 22, on=False)
    p.circle(*centre, 16)


def home_transfer(p: Pen) -> None:
    p.polygon([(52, 118), (128, 54), (204, 118), (204, 226), (52, 226)])
    p.line([(24, 120), (128, 32), (232, 120)], 36, on=False)
    p.line([(28, 118), (128, 34), (228, 118)], 18)
    p.rect(172, 34, 192, 74, r=3)
    arrow(p, (80, 144), (176, 144), 12, 24, on=False)
    arrow(p, (176, 190), (80, 190), 12, 24, on=False)


def startup_support(p: Pen) -> None:
    c = (128, 176)
    p.circle(*c, 54)
    p.ring(*c, 44, 4, on=False)
    yen(p, c[0], c[1] + 2, 60, 9, on=False)
    p.line([(128, 122), (128, 52)], 11)
    p.polygon(lens((128, 84), (64, 40), 18))
    p.polygon(lens((128, 66), (190, 24), 18))


def transport(p: Pen) -> None:
    p.rect(20, 70, 150, 176, r=8)  # cargo box
    p.polygon([(156, 100), (206, 100), (236, 140), (236, 176), (156, 176)])  # cab
    p.polygon([(170, 112), (200, 112), (220, 138), (170, 138)], on=False)  # window
    for x in (62, 196):
        p.circle(x, 190, 26, on=False)
        p.circle(x, 190, 20)
        p.circle(x, 190, 7, on=False)
    p.line([(40, 100), (130, 100)], 8, on=False)
    p.line([(40, 126), (110, 126)], 8, on=False)


def utility(p: Pen) -> None:
    p.polygon([(70, 24), (26, 130), (64, 130), (46, 232), (120, 104), (80, 104), (108, 24)])  # bolt
    p.pie(186, 170, 52, 52, 0, 180)  # drop: round bottom
    p.polygon([(134, 172), (186, 52), (238, 172)])
    p.ellipse(168, 176, 12, 20, on=False)


def social_card(p: Pen) -> None:
    p.rect(18, 54, 238, 202, r=18)
    p.rect(42, 92, 98, 136, r=6, on=False)  # chip
    p.line([(70, 92), (70, 136)], 4)
    p.line([(42, 114), (98, 114)], 4)
    p.line([(122, 98), (212, 98)], 11, on=False)
    p.line([(122, 130), (190, 130)], 11, on=False)
    p.line([(42, 170), (212, 170)], 11, on=False)


def disability(p: Pen) -> None:
    p.circle(118, 38, 22)  # head
    p.line([(112, 74), (112, 144), (176, 144), (204, 208)], 22)  # back, seat and leg
    p.line([(112, 96), (168, 96)], 16)  # arm
    p.ring(110, 176, 62, 16)  # wheel
    p.line([(204, 208), (232, 200)], 16)


def veteran(p: Pen) -> None:
    p.polygon([(86, 18), (128, 90), (170, 18)])  # ribbon
    p.polygon([(100, 18), (128, 66), (156, 18)], on=False)
    p.circle(128, 156, 84)  # medal
    p.ring(128, 156, 68, 6, on=False)
    star = [(128 + (48 if i % 2 == 0 else 20) * math.cos(math.radians(-90 + i * 36)),
             160 + (48 if i % 2 == 0 else 20) * math.sin(math.radians(-90 + i * 36))) for i in range(10)]
    p.polygon(star, on=False)


ICONS: dict[str, Callable[[Pen], None]] = {
    "enterprise": enterprise, "trading": trading, "car_rental": car_rental,
    "restaurant": restaurant, "convenience_store": convenience_store, "pharmacy": pharmacy,
    "salon": salon, "hotel": hotel, "internet_cafe": internet_cafe, "entertainment": entertainment,
    "bookstore": bookstore, "gym": gym, "car_repair": car_repair, "logistics": logistics,
    "change": change, "close": close, "newborn": newborn, "retirement": retirement,
    "after_death": after_death, "home_transfer": home_transfer, "startup_support": startup_support,
    "transport": transport, "utility": utility, "social_card": social_card, "disability": disability,
    "veteran": veteran,
}


def render(name: str) -> Image.Image:
    pen = Pen()
    ICONS[name](pen)
    return pen.image()


def catalog_icons() -> list[str]:
    """The icon names the catalog's scenarios use, in catalog (home screen) order."""
    from kiosk.catalog import load_catalog

    return [s.icon for s in load_catalog().scenarios.values()]


def write_icons(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    missing = sorted(set(catalog_icons()) - set(ICONS))
    if missing:
        raise SystemExit(f"no drawing for catalog icon(s): {', '.join(missing)}")
    written = []
    for name in ICONS:
        path = folder / f"{name}.png"
        render(name).save(path, optimize=True)
        written.append(path)
    return written


def write_sheet(path: Path, colours: Sequence[Sequence[float]], tile: int = 170) -> None:
    """All icons at tile size on their home-screen colours, plus the 256 px originals, for review."""
    names = catalog_icons()
    cols = 7
    rows = math.ceil(len(names) / cols)
    gap = 16
    sheet = Image.new("RGB", (cols * (tile + gap) + gap, rows * (tile + gap) + gap), (244, 246, 249))
    for index, name in enumerate(names):
        colour = tuple(round(c * 255) for c in colours[index % len(colours)][:3])
        square = Image.new("RGBA", (tile, tile), (0, 0, 0, 0))
        ImageDraw.Draw(square).rounded_rectangle((0, 0, tile - 1, tile - 1), 12, fill=(*colour, 255))
        icon = render(name).resize((tile, tile), Image.Resampling.LANCZOS)
        square.alpha_composite(icon)
        x, y = gap + (index % cols) * (tile + gap), gap + (index // cols) * (tile + gap)
        sheet.paste(square, (x, y), square)
    sheet.save(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "assets" / "icons")
    parser.add_argument("--sheet", type=Path, help="also write a contact sheet of all icons here")
    args = parser.parse_args(argv)
    for path in write_icons(args.out):
        print(f"{path.name}: {path.stat().st_size} bytes")
    if args.sheet:
        for name in ("KIVY_NO_ARGS", "KIVY_NO_CONSOLELOG", "KIVY_NO_FILELOG"):
            os.environ.setdefault(name, "1")  # the tile colours live in a Kivy module
        from screens.home import TILE_COLOURS

        write_sheet(args.sheet, TILE_COLOURS)
        print(f"sheet: {args.sheet}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
