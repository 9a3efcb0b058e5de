"""Health of the ID-card reader as the kiosk sees it: a state plus the i18n key of the reason.

``ok``: reads cards. ``degraded``: answers, but exchanges fail now and then (bad frames,
timeouts); reads may need a retry. ``fault``: connected but unusable (SAM self-test failed,
not authorised, or silent). ``absent``: the port is not there (unplugged, wrong path).

The state itself is the shared :class:`devices.state.DeviceState` (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.state import READY_STATES, DeviceState, as_state

__all__ = ["READY_STATES", "DeviceState", "DeviceStatus"]


@dataclass(frozen=True)
class DeviceStatus:
    state: DeviceState
    reason: str  # i18n key, e.g. "idcard.ready", "idcard.absent", "idcard.sw3.60"
    detail: str = ""  # technician detail (never personal data)

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", as_state(self.state))

    @property
    def ready(self) -> bool:
        return self.state.ready
