"""How a touchscreen's raw readings become places on the screen, as the ``touch:`` config says
(pure geometry, no Kivy), and the calibration that puts four measured corner touches right.

Positions here are fractions of the screen, origin top left, y down (the panel's own way of
counting). A raw reading is first scaled by the calibration (the raw values at the two edges
of each raw axis), then x and y are swapped (``swap_xy``), inverted (``invert_x``,
``invert_y``) and turned ``rotation`` degrees clockwise: with 90, a touch the panel reports at
its top-left corner lands at the screen's top-right.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kiosk.config import Touch, TouchCalibration

Point = tuple[float, float]


@dataclass(frozen=True)
class Ranges:
    """Raw panel units at the screen's edges, per raw axis."""

    min_x: int
    max_x: int
    min_y: int
    max_y: int


def ranges(touch: Touch, reported: Ranges | None) -> Ranges | None:
    """The configured calibration, or else the range the panel reports (None if neither is known)."""
    c = touch.calibration
    if None not in (c.min_x, c.max_x, c.min_y, c.max_y):
        return Ranges(c.min_x, c.max_x, c.min_y, c.max_y)  # type: ignore[arg-type]
    return reported


def orient(point: Point, touch: Touch) -> Point:
    """Swap, invert, then turn clockwise: a fraction of the panel -> a fraction of the screen."""
    a, b = point
    if touch.swap_xy:
        a, b = b, a
    if touch.invert_x:
        a = 1.0 - a
    if touch.invert_y:
        b = 1.0 - b
    for _ in range(touch.rotation // 90 % 4):
        a, b = 1.0 - b, a
    return a, b


def unorient(point: Point, touch: Touch) -> Point:
    """The inverse of :func:`orient`: a fraction of the screen -> a fraction of the panel."""
    a, b = point
    for _ in range(touch.rotation // 90 % 4):
        a, b = b, 1.0 - a
    if touch.invert_y:
        b = 1.0 - b
    if touch.invert_x:
        a = 1.0 - a
    if touch.swap_xy:
        a, b = b, a
    return a, b


def to_screen(raw: Point, touch: Touch, span: Ranges) -> Point:
    u = (raw[0] - span.min_x) / (span.max_x - span.min_x)
    w = (raw[1] - span.min_y) / (span.max_y - span.min_y)
    return orient((u, w), touch)


def to_raw(screen: Point, touch: Touch, span: Ranges) -> Point:
    u, w = unorient(screen, touch)
    return span.min_x + u * (span.max_x - span.min_x), span.min_y + w * (span.max_y - span.min_y)


def _fit(fractions: list[float], raws: list[float]) -> tuple[float, float, float]:
    """raw = low + fraction * span by least squares: (low, span, worst residual)."""
    n = len(fractions)
    mean_f, mean_r = sum(fractions) / n, sum(raws) / n
    var = sum((f - mean_f) ** 2 for f in fractions)
    span = sum((f - mean_f) * (r - mean_r) for f, r in zip(fractions, raws, strict=True)) / var if var else 0.0
    low = mean_r - span * mean_f
    worst = max(abs(low + span * f - r) for f, r in zip(fractions, raws, strict=True))
    return low, span, worst


def corrected(touch: Touch, span: Ranges, goals: list[Point], touched: list[Point]) -> Touch:
    """The touch settings under which the raw readings behind ``touched`` (measured with
    ``touch``'s settings) land on ``goals``: swap and inversion chosen to fit, the calibration
    fitted per raw axis; the rotation is kept. Points are screen fractions."""
    raws = [to_raw(p, touch, span) for p in touched]
    best: tuple[float, Touch] | None = None
    for swap in (False, True):
        for invert_x in (False, True):
            for invert_y in (False, True):
                trial = replace(touch, swap_xy=swap, invert_x=invert_x, invert_y=invert_y)
                wanted = [unorient(g, trial) for g in goals]
                low_x, span_x, err_x = _fit([w[0] for w in wanted], [r[0] for r in raws])
                low_y, span_y, err_y = _fit([w[1] for w in wanted], [r[1] for r in raws])
                if span_x < 1 or span_y < 1:
                    continue  # this orientation would need a mirrored range: another one fits
                calibration = TouchCalibration(round(low_x), round(low_x + span_x), round(low_y), round(low_y + span_y))
                error = err_x / span_x + err_y / span_y
                if best is None or error < best[0]:
                    best = (error, replace(trial, calibration=calibration))
    if best is None:
        raise ValueError("the four touches do not span the screen; touch each target once, in order")
    return best[1]
