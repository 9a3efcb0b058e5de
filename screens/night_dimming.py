"""Night dimming on the screen: the backlight when it can be written, else a translucent black
layer drawn over the whole window (above popups too). The decision is :class:`kiosk.night.NightDimmer`'s;
the app calls :meth:`NightDimming.update` every second and :meth:`NightDimming.wake` on a touch
or a card, which brings full brightness back in the same frame.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from kivy.core.window import Window
from kivy.graphics import Color, InstructionGroup, Rectangle

from kiosk.config import NightDimming as Settings
from kiosk.night import BACKLIGHTS, Backlight, NightDimmer


class NightDimming:
    def __init__(self, settings: Settings, *, backlights: Path = BACKLIGHTS,
                 clock: Callable[[], dt.time] = lambda: dt.datetime.now().time()) -> None:
        self.dimmer = NightDimmer(settings)
        self.percent = settings.percent
        self.clock = clock
        self.backlight = Backlight.find(backlights) if self.dimmer.enabled else None
        self.dimmed = False
        self.overlay: InstructionGroup | None = None
        self._colour = Color(0, 0, 0, 1 - self.percent / 100)
        self._rect = Rectangle(pos=(0, 0), size=Window.size)
        Window.bind(size=self._fit)

    def _fit(self, _window: object, size: tuple[int, int]) -> None:
        self._rect.size = size

    def update(self, resting: bool) -> None:
        self._show(self.dimmer.dimmed(self.clock(), resting, time.monotonic()))

    def wake(self) -> None:
        self.dimmer.wake(time.monotonic())
        self._show(False)

    def _show(self, dim: bool) -> None:
        if dim == self.dimmed:
            return
        self.dimmed = dim
        if dim:
            if self.backlight is None or not self.backlight.dim(self.percent):
                self.overlay = InstructionGroup()
                self.overlay.add(self._colour)
                self.overlay.add(self._rect)
                Window.canvas.after.add(self.overlay)
            return
        if self.overlay is not None:
            Window.canvas.after.remove(self.overlay)
            self.overlay = None
        if self.backlight is not None:
            self.backlight.restore()
