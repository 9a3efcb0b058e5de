"""Health of the ID-card reader as the kiosk sees it: a state plus the i18n key of the reason.

``ok``: reads cards. ``degraded``: answers, but exchanges fail now and then (bad frames,
timeouts); reads may need a retry. ``fault``: connected but unusable (SAM self-test failed,
not authorised, or silent). ``absent``: the port is not there (unplugged, wrong path).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DeviceState(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    FAULT = "fault"
    ABSENT = "absent"


READY_STATES = frozenset({DeviceState.OK, DeviceState.DEGRADED})


@dataclass(frozen=True)
class DeviceStatus:
    state: DeviceState
    reason: str  # i18n key, e.g. "idcard.ready", "idcard.absent", "idcard.sw3.60"
    detail: str = ""  # technician detail (never personal data)

    @property
    def ready(self) -> bool:
        return self.state in READY_STATES
