"""Out of service: a required device failed or the centre switched the kiosk off; says why.

Returns to attract by itself when the cause clears; the maintenance gesture still works here.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from screens.attract import CORNER_FRACTION, GESTURE_TAPS, GESTURE_WINDOW_S
from screens.base import KioskScreen, load_kv


class OutOfServiceScreen(KioskScreen):
    reason = StringProperty("ui.oos.unknown")
    advice = StringProperty("")  # whom to call at this hour (the help panel's words)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._taps: list[float] = []

    def on_enter(self, *_: object) -> None:
        advice = self.visit.help_advice()
        self.advice = "\n".join([advice.headline, *advice.lines])

    def refresh(self) -> None:
        self.on_enter()

    def on_touch_down(self, touch: Any) -> bool:
        import time

        if touch.x < self.width * CORNER_FRACTION and touch.y > self.height * (1 - CORNER_FRACTION):
            now = time.monotonic()
            self._taps = [t for t in self._taps if now - t < GESTURE_WINDOW_S] + [now]
            if len(self._taps) >= GESTURE_TAPS:
                self._taps.clear()
                self.app.screen("maintenance").open_from_gesture()
            return True
        return super().on_touch_down(touch)


load_kv(__file__)
