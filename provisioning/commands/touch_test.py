"""``kiosk-provision touch-test``: four targets near the corners, touched one after the other;
prints how far each touch landed from its target in millimetres (so rotation or calibration
in the config can be checked and corrected before the kiosk goes live). The touches come
through the touchscreen in the config (``touch:``), exactly as the kiosk reads it.
``--write`` then works out the swap, inversion and calibration under which the same four
touches land on their targets, writes them into the config and prints the error left.

Millimetres come from ``--screen-mm WIDTHxHEIGHT`` (the panel's visible size, as
``kiosk-provision detect`` reports it) or else from the DPI Kivy knows.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from typing import Any

from kiosk import config as kiosk_config
from kiosk.errors import ConfigError
from kiosk.touch import Point, Ranges, corrected, ranges, to_raw, to_screen

INSET = 0.1  # targets sit 10 % in from each edge
TOLERANCE_MM = 5.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("touch-test", help="touch four corner targets; report the error in mm")
    parser.add_argument("--screen-mm", metavar="WxH", help="visible size of the panel in mm, e.g. 527x296")
    parser.add_argument("--tolerance-mm", type=float, default=TOLERANCE_MM)
    parser.add_argument("--write", action="store_true",
                        help="write the calibration that puts the four touches on their targets into the config")
    parser.set_defaults(handler=run)


def targets(width: float, height: float) -> list[tuple[float, float]]:
    """Corner targets in Kivy coordinates (origin bottom left): top-left, top-right, bottom-right, bottom-left."""
    left, right = width * INSET, width * (1 - INSET)
    bottom, top = height * INSET, height * (1 - INSET)
    return [(left, top), (right, top), (right, bottom), (left, bottom)]


def errors_mm(goals: list[tuple[float, float]], touches: list[tuple[float, float]],
              mm_per_px: tuple[float, float]) -> list[float]:
    return [math.hypot((tx - gx) * mm_per_px[0], (ty - gy) * mm_per_px[1])
            for (gx, gy), (tx, ty) in zip(goals, touches, strict=True)]


def report(errors: list[float], tolerance: float) -> tuple[str, bool]:
    names = ("top left", "top right", "bottom right", "bottom left")
    lines = [f"{name:<13}{error:6.1f} mm{'' if error <= tolerance else '  too far'}" for name, error in zip(names, errors, strict=True)]
    good = all(e <= tolerance for e in errors)
    lines.append("touch is accurate" if good else
                 f"touches land more than {tolerance:g} mm off: check the rotation and calibration in the config")
    return "\n".join(lines), good


def _screen_mm(text: str | None) -> tuple[float, float] | None:
    if not text:
        return None
    try:
        width, height = (float(n) for n in text.lower().split("x"))
    except ValueError:
        raise ConfigError(f"--screen-mm {text!r}: give the panel size as WIDTHxHEIGHT in mm, e.g. 527x296") from None
    if width <= 0 or height <= 0:
        raise ConfigError(f"--screen-mm {text!r}: both sides must be positive")
    return width, height


def build_app(screen_mm: tuple[float, float] | None, tolerance: float) -> Any:
    from kivy.app import App
    from kivy.graphics import Color, Ellipse, Line
    from kivy.metrics import Metrics
    from kivy.uix.label import Label
    from kivy.uix.widget import Widget

    class TouchTarget(Widget):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.touches: list[tuple[float, float]] = []
            self.result: tuple[str, bool] | None = None
            self.label = Label(font_size="24sp")
            self.add_widget(self.label)
            self.bind(size=lambda *_: self.draw())

        def mm_per_px(self) -> tuple[float, float]:
            if screen_mm:
                return screen_mm[0] / self.width, screen_mm[1] / self.height
            per = 25.4 / Metrics.dpi
            return per, per

        def draw(self) -> None:
            self.canvas.before.clear()
            self.label.center = self.center
            self.label.size = self.size
            done = len(self.touches)
            with self.canvas.before:
                for n, (x, y) in enumerate(targets(self.width, self.height)):
                    Color(*((0.2, 0.7, 0.2) if n < done else (0.9, 0.2, 0.2) if n == done else (0.5, 0.5, 0.5)))
                    Ellipse(pos=(x - 20, y - 20), size=(40, 40))
                    Line(points=[x - 40, y, x + 40, y], width=2)
                    Line(points=[x, y - 40, x, y + 40], width=2)
            self.label.text = self.result[0] if self.result else f"touch the red target ({done + 1} of 4)"

        def on_touch_down(self, touch: Any) -> bool:
            if self.result is not None:
                App.get_running_app() and App.get_running_app().stop()
                return True
            self.touches.append((touch.x, touch.y))
            if len(self.touches) == 4:
                errors = errors_mm(targets(self.width, self.height), self.touches, self.mm_per_px())
                self.result = report(errors, tolerance)
                print(self.result[0])
            self.draw()
            return True

    class TouchTestApp(App):
        title = "touch test"

        def build(self) -> Widget:
            self.target = TouchTarget()
            return self.target

    return TouchTestApp()


def _fractions(points: list[tuple[float, float]], size: tuple[float, float]) -> list[Point]:
    """Kivy window pixels (y up, ``f * (size - 1)``) -> screen fractions from the top left."""
    width, height = max(size[0] - 1, 1), max(size[1] - 1, 1)
    return [(x / width, 1 - y / height) for x, y in points]


def reported_ranges(touch: kiosk_config.Touch) -> Ranges | None:
    """The raw range the configured panel reports, if it can be read."""
    from provisioning.profile.touchscreen import axes

    if not touch.device or touch.device == "auto":
        return None
    for multitouch in ((True,) if touch.provider == "mtdev" else (True, False)):
        found, _ = axes(touch.device, multitouch)
        if found:
            return Ranges(*found)
    return None


def correction(touch: kiosk_config.Touch, reported: Ranges | None, size: tuple[float, float],
               touches: list[tuple[float, float]]) -> tuple[kiosk_config.Touch, list[tuple[float, float]]]:
    """The corrected touch settings, and where the same four touches land with them (pixels)."""
    if not touch.device or touch.device == "auto":
        raise ConfigError("touch-test --write calibrates one panel: put its path in the config first "
                          "(kiosk-provision detect --write)")
    span = ranges(touch, reported)
    if span is None:
        raise ConfigError(f"the raw range of {touch.device} is unknown (it cannot be read and the config has no "
                          "calibration): run kiosk-provision detect --write with the panel plugged in")
    goals = _fractions(targets(*size), size)
    fixed = corrected(touch, span, goals, _fractions(touches, size))
    fixed_span = ranges(fixed, None)
    assert fixed_span is not None
    width, height = size[0] - 1, size[1] - 1
    landed = []
    for point in _fractions(touches, size):
        fx, fy = to_screen(to_raw(point, touch, span), fixed, fixed_span)
        landed.append((fx * width, (1 - fy) * height))
    return fixed, landed


def write_correction(touch_window: Any, tolerance: float) -> bool:
    """Work out, save and report the correction; True when what is left is within tolerance."""
    config = kiosk_config.load()
    size = (touch_window.width, touch_window.height)
    fixed, landed = correction(config.touch, reported_ranges(config.touch), size, touch_window.touches)
    errors = errors_mm(targets(*size), landed, touch_window.mm_per_px())
    config.touch = replace(config.touch, swap_xy=fixed.swap_xy, invert_x=fixed.invert_x,
                           invert_y=fixed.invert_y, calibration=fixed.calibration)
    path = kiosk_config.save(config)
    c = fixed.calibration
    print(f"written to {path}: touch swap_xy={fixed.swap_xy} invert_x={fixed.invert_x} invert_y={fixed.invert_y}, "
          f"calibration x {c.min_x} to {c.max_x}, y {c.min_y} to {c.max_y}")
    text, good = report(errors, tolerance)
    print("with it, the same touches would land:\n" + text)
    print("restart the kiosk to use it (systemctl restart kiosk), then run kiosk-provision touch-test again")
    return good


def run(args: argparse.Namespace) -> int:
    from screens.boot import prepare_window
    from screens.touch_input import use_touchscreen

    screen_mm = _screen_mm(args.screen_mm)
    prepare_window(fullscreen=True)  # the targets' places are fractions of the whole screen
    use_touchscreen(kiosk_config.load().touch)  # measure through the configured panel, as the kiosk reads it
    app = build_app(screen_mm, args.tolerance_mm)
    app.run()
    result = app.target.result
    if result is None:
        print("touch test stopped before all four targets were touched")
        return 1
    if args.write:
        return 0 if write_correction(app.target, args.tolerance_mm) else 4
    return 0 if result[1] else 4
