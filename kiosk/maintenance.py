"""The maintenance service: the technician's PIN, the out-of-service switch, and whether the kiosk
can serve citizens at all.

The PIN locks after five wrong tries until the kiosk restarts. The switch is the centre's
``out_of_service`` command (or the technician's button); it survives a restart through the
reporting worker, which remembers the centre's last word. Every change that may flip whether
citizens can be served (a device, the switch, the centre refusing who we are) ends in
:meth:`Maintenance.service_changed`, which tells the UI through a
:class:`~kiosk.events.ServiceChanged` event. Screens type against
:class:`kiosk.services.MaintenanceService`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.config import Config
from kiosk.crypto import verify_pin
from kiosk.events import ServiceChanged

if TYPE_CHECKING:
    from kiosk.services.bus import EventBus
    from kiosk.services.protocols import DeviceService, ReportingService

MAX_PIN_TRIES = 5


class Maintenance:
    """PIN checks, the centre's out-of-service switch, and :meth:`out_of_service_reason`."""

    def __init__(
        self, config: Config, events: EventBus, devices: DeviceService, reporting: ReportingService
    ) -> None:
        self._config = config  # the PIN hash is read at each try: a new one applies at once
        self._events = events
        self._devices = devices
        self._reporting = reporting
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

    def reset_pin_tries(self) -> None:
        """Unlock the PIN (a restart does the same)."""
        self._failures = 0

    def set_centre_out_of_service(self, on: bool) -> None:
        self.centre_out_of_service = on
        self.service_changed()

    def out_of_service_reason(self) -> str | None:
        """Why no citizen can be served right now (an i18n key), or None."""
        if refused := self._reporting.identity_problem(self._config):  # unenrolled or revoked
            return refused
        if self.centre_out_of_service:
            return "ui.oos.centre"
        if problem := self._reporting.service_problem():
            return problem
        if not self._devices.reader_usable():
            return "ui.oos.no_reader"
        return None

    def service_changed(self) -> None:
        """Tell the UI (any thread) whether citizens can be served now."""
        self._events.emit(ServiceChanged(self.out_of_service_reason()))
