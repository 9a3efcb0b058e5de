"""Attract screen: shown while idle; the zone's name and "touch to start", drifting to avoid burn-in.

Five quick taps in the top-left corner open the maintenance screen (the technician's hidden gesture).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from screens.base import KioskScreen, load_kv
from screens.navigation import Place

if TYPE_CHECKING:
    from kiosk.services.protocols import DeviceService

GESTURE_TAPS = 5
GESTURE_WINDOW_S = 4.0
CORNER_FRACTION = 0.08
DRIFT_SECONDS = 12.0


class AttractScreen(KioskScreen):
    zone_name = StringProperty("")
    clock_text = StringProperty("")
    card_left = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._taps: list[float] = []
        self._clock_event = None
        self._drift: Animation | None = None

    def on_enter(self, *_: object) -> None:
        self.zone_name = self.app.kiosk.config.location.name
        self._update_clock()
        devices = self.devices  # this app's: the tick must not ask whatever app runs later
        self._clock_event = Clock.schedule_interval(lambda _dt: self._update_clock(devices), 1.0)
        self.card_left = devices.card_present()
        Clock.schedule_once(lambda _dt: self._start_drift(), 0)
        # The corners are absolute positions: a resized or rotated window needs new ones.
        self.bind(size=self._restart_drift)
        self.ids.panel.bind(size=self._restart_drift, pos=self._keep_inside)

    def on_leave(self, *_: object) -> None:
        if self._clock_event is not None:
            self._clock_event.cancel()
        self.unbind(size=self._restart_drift)
        self.ids.panel.unbind(size=self._restart_drift, pos=self._keep_inside)
        self._stop_drift()
        self._taps.clear()

    def _stop_drift(self) -> None:
        if self._drift is not None:
            self._drift.cancel(self.ids.panel)
            self._drift = None

    def _restart_drift(self, *_: object) -> None:
        if self._drift is not None:
            self._stop_drift()
            self._start_drift()

    def _update_clock(self, devices: DeviceService | None = None) -> None:
        self.clock_text = time.strftime("%H:%M")
        self.card_left = (devices or self.devices).card_present()

    def _keep_inside(self, *_: object) -> None:
        """Whatever the drift was aiming at before a resize settled, the panel stays on the screen."""
        panel = self.ids.panel
        inside = (min(max(panel.x, self.x), max(self.x, self.right - panel.width)),
                  min(max(panel.y, self.y), max(self.y, self.top - panel.height)))
        if tuple(panel.pos) != inside:
            panel.pos = inside

    def _start_drift(self) -> None:
        """Move the panel between the corners of the free area (no static pixels, no burn-in)."""
        panel = self.ids.panel
        self._keep_inside()
        free_x = max(0.0, self.width - panel.width)
        free_y = max(0.0, self.height - panel.height)
        corners = [(0.1, 0.15), (0.9, 0.2), (0.85, 0.85), (0.15, 0.8)]
        anim = Animation(duration=0)
        for fx, fy in corners:
            anim += Animation(x=self.x + free_x * fx, y=self.y + free_y * fy, duration=DRIFT_SECONDS, t="in_out_sine")
        anim.repeat = True
        self._drift = anim
        anim.start(panel)

    def on_touch_down(self, touch: Any) -> bool:
        if self._in_corner(touch):
            now = time.monotonic()
            self._taps = [t for t in self._taps if now - t < GESTURE_WINDOW_S] + [now]
            if len(self._taps) >= GESTURE_TAPS:
                self._taps.clear()
                self.app.screen("maintenance").open_from_gesture()
            return True
        self.start_visit()
        return True

    def _in_corner(self, touch: Any) -> bool:
        return touch.x < self.width * CORNER_FRACTION and touch.y > self.height * (1 - CORNER_FRACTION)

    def start_visit(self) -> None:
        self.visit.wake()
        self.app.go(Place.HOME)


load_kv(__file__)
