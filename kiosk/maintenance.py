"""The technician's side of a running kiosk: the maintenance PIN and the out-of-service switch.

The PIN locks after five wrong tries until the kiosk restarts. The switch is the centre's
``out_of_service`` command (or the technician's button); it survives a restart through the
reporting worker, which remembers the centre's last word.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.config import Config
from kiosk.crypto import verify_pin

MAX_PIN_TRIES = 5


class Maintenance:
    """PIN checks and the centre's out-of-service switch; ``on_service_change`` is told of a flip."""

    def __init__(self, config: Config, on_service_change: Callable[[], None]) -> None:
        self._config = config  # the PIN hash is read at each try: a new one applies at once
        self._on_service_change = on_service_change
        self._failures = 0
        self.centre_out_of_service = False

    @property
    def pin_locked(self) -> bool:
        return self._failures >= MAX_PIN_TRIES

    def pin_tries_left(self) -> int:
        return max(0, MAX_PIN_TRIES - self._failures)

    def check_pin(self, pin: str) -> bool:
        """True for the technician PIN; locks after five wrong tries (until restart)."""
        if self.pin_locked:
            return False
        pin_hash = self._config.maintenance_pin_hash
        if pin_hash and verify_pin(pin, pin_hash):
            self._failures = 0
            return True
        self._failures += 1
        return False

    def set_centre_out_of_service(self, on: bool) -> None:
        self.centre_out_of_service = on
        self._on_service_change()
