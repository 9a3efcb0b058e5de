"""Health of the document camera as the kiosk sees it: a state plus a reason key to show."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CameraState(enum.Enum):
    OK = "ok"
    DEGRADED = "degraded"
    FAULT = "fault"
    ABSENT = "absent"


READY_STATES = frozenset({CameraState.OK, CameraState.DEGRADED})


@dataclass(frozen=True)
class CameraStatus:
    """``reason`` is an i18n key (``camera.state.*``) saying why the camera is in ``state``."""

    state: CameraState
    reason: str

    @property
    def usable(self) -> bool:
        return self.state in READY_STATES


STATUS_CLOSED = CameraStatus(CameraState.ABSENT, "camera.state.closed")
STATUS_OK = CameraStatus(CameraState.OK, "camera.state.ok")
