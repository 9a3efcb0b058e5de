"""``kiosk-provision touch-test``: four targets near the corners, touched one after the other;
prints how far each touch landed from its target in millimetres (so rotation or calibration
in the config can be checked and corrected before the kiosk goes live).

Millimetres come from ``--screen-mm WIDTHxHEIGHT`` (the panel's visible size, as
``kiosk-provision detect`` reports it) or else from the DPI Kivy knows.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from kiosk.errors import ConfigError

INSET = 0.1  # targets sit 10 % in from each edge
TOLERANCE_MM = 5.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("touch-test", help="touch four corner targets; report the error in mm")
    parser.add_argument("--screen-mm", metavar="WxH", help="visible size of the panel in mm, e.g. 527x296")
    parser.add_argument("--tolerance-mm", type=float, default=TOLERANCE_MM)
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


def run(args: argparse.Namespace) -> int:
    from kiosk import config as kiosk_config
    from screens.touch_input import use_touchscreen

    use_touchscreen(kiosk_config.load().touch)  # measure through the configured panel, as the kiosk reads it
    app = build_app(_screen_mm(args.screen_mm), args.tolerance_mm)
    app.run()
    result = app.target.result
    if result is None:
        print("touch test stopped before all four targets were touched")
        return 1
    return 0 if result[1] else 4
