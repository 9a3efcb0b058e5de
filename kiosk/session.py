"""When a visit has gone idle: :class:`IdleTimer` (the visit itself is :class:`kiosk.visit.Visit`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

# WCAG 2.2.1 (Timing Adjustable): at least 20 seconds to ask for more time.
MIN_WARNING_SECONDS = 20.0


class IdleState(StrEnum):
    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


class IdleTimer:
    """Idle after ``idle_seconds`` without a touch; then ``warning_seconds`` of warning; then expired."""

    def __init__(
        self,
        idle_seconds: float,
        warning_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.warning_seconds = max(MIN_WARNING_SECONDS, warning_seconds)
        self._clock = clock
        self._last = clock()

    def touch(self) -> None:
        self._last = self._clock()

    def state(self) -> IdleState:
        quiet = self._clock() - self._last
        if quiet >= self.idle_seconds + self.warning_seconds:
            return IdleState.EXPIRED
        if quiet >= self.idle_seconds:
            return IdleState.WARNING
        return IdleState.ACTIVE

    def remaining(self) -> float:
        """Seconds until the session ends if nobody touches the screen."""
        quiet = self._clock() - self._last
        return max(0.0, self.idle_seconds + self.warning_seconds - quiet)
