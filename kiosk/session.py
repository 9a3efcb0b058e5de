"""One citizen's visit: the flow, the identity read from the card and the captured pages.

Everything here is personal data held in memory only. :meth:`Session.wipe` drops it on
completion, cancel or idle timeout; :class:`IdleTimer` decides when the visit has gone idle.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from identity.record import IdentityRecord

# WCAG 2.2.1 (Timing Adjustable): at least 20 seconds to ask for more time.
MIN_WARNING_SECONDS = 20.0


@dataclass
class Session:
    """What one citizen entered; ``flow`` is a :class:`kiosk.engine.Flow`."""

    scenario_id: str
    flow: Any
    identity: IdentityRecord | None = None
    captures: dict[str, list[bytes]] = field(default_factory=dict)
    submitted: bool = False
    reference: str = ""
    receipt: Any = None  # the rendered receipt document, kept until the citizen leaves

    def capture(self, material_id: str, jpeg: bytes) -> int:
        """Add one page; returns how many pages that material now has."""
        pages = self.captures.setdefault(material_id, [])
        pages.append(jpeg)
        self.flow.attach(material_id, list(pages))
        return len(pages)

    def drop_capture(self, material_id: str, index: int) -> None:
        pages = self.captures.get(material_id, [])
        if 0 <= index < len(pages):
            del pages[index]
            self.flow.attach(material_id, list(pages))

    def wipe(self) -> None:
        """Forget everything the citizen entered or showed (card, answers, photos)."""
        if self.identity is not None:
            self.identity.wipe()
        self.identity = None
        for pages in self.captures.values():
            pages.clear()
        self.captures.clear()
        wipe = getattr(self.flow, "wipe", None)
        if wipe is not None:
            wipe()
        self.flow = None
        self.receipt = None
        self.reference = ""


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
