"""Night dimming: when the screen should be darker, and the backlight that makes it so.

:class:`NightDimmer` decides (no Kivy, no clock of its own: the caller passes the time of day
and a monotonic time): dimmed inside the configured window, only while the kiosk is at rest
(the attract or out-of-service screen), and not for :data:`QUIET_SECONDS` after a touch or a
card. :class:`Backlight` dims through ``/sys/class/backlight/*/brightness`` when the kiosk
may write it; the UI draws a translucent overlay instead when it may not.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from kiosk.config import NightDimming, clock_minutes

log = logging.getLogger(__name__)
QUIET_SECONDS = 60.0  # after a touch or a card at rest, full brightness this long
BACKLIGHTS = Path("/sys/class/backlight")


def in_window(now: dt.time, start: str, end: str) -> bool:
    """Whether ``now`` is inside [start, end); a window whose end is earlier crosses midnight."""
    begin, finish = clock_minutes(start), clock_minutes(end)
    if begin is None or finish is None or begin == finish:
        return False
    minute = now.hour * 60 + now.minute
    if begin < finish:
        return begin <= minute < finish
    return minute >= begin or minute < finish


class NightDimmer:
    """Whether the screen should be dimmed now."""

    def __init__(self, settings: NightDimming, quiet_seconds: float = QUIET_SECONDS) -> None:
        self.settings = settings
        self.quiet_seconds = quiet_seconds
        self._woken_at: float | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.settings.start and self.settings.end)

    def wake(self, at: float) -> None:
        """A touch or a card: full brightness now, and for the quiet time after."""
        self._woken_at = at

    def dimmed(self, now: dt.time, resting: bool, at: float) -> bool:
        if not (self.enabled and resting and in_window(now, self.settings.start, self.settings.end)):
            return False
        return self._woken_at is None or at - self._woken_at >= self.quiet_seconds


class Backlight:
    """One backlight in sysfs; :meth:`dim` remembers the brightness that :meth:`restore` puts back."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._saved: int | None = None

    @classmethod
    def find(cls, root: Path = BACKLIGHTS) -> Backlight | None:
        """The first backlight whose brightness this process may write, or None."""
        try:
            folders = sorted(root.iterdir())
        except OSError:
            return None
        for folder in folders:
            if os.access(folder / "brightness", os.W_OK) and (folder / "max_brightness").exists():
                return cls(folder)
        return None

    def _read(self, name: str) -> int:
        return int((self.folder / name).read_text().strip())

    def _write(self, value: int) -> None:
        (self.folder / "brightness").write_text(f"{value}\n")

    def dim(self, percent: int) -> bool:
        """Down to ``percent`` of full; False (and nothing changed) if the backlight refused."""
        try:
            if self._saved is None:
                self._saved = self._read("brightness")
            self._write(max(1, round(self._read("max_brightness") * percent / 100)))
        except (OSError, ValueError) as error:
            log.warning("cannot dim the backlight %s (%s): dimming with an overlay", self.folder, error)
            self._saved = None
            return False
        return True

    def restore(self) -> None:
        if self._saved is None:
            return
        try:
            self._write(self._saved)
        except OSError as error:
            log.warning("cannot restore the backlight %s: %s", self.folder, error)
        self._saved = None
