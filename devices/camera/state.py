"""Health of the document camera as the kiosk sees it: a state plus a reason key to show.

The state is the shared :class:`devices.state.DeviceState`; ``CameraState`` is its old name here.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.state import READY_STATES, DeviceState, as_state

CameraState = DeviceState

__all__ = ["READY_STATES", "STATUS_CLOSED", "STATUS_OK", "CameraState", "CameraStatus"]


@dataclass(frozen=True)
class CameraStatus:
    """``reason`` is an i18n key (``camera.state.*``) saying why the camera is in ``state``."""

    state: DeviceState
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", as_state(self.state))

    @property
    def usable(self) -> bool:
        return self.state.ready


STATUS_CLOSED = CameraStatus(DeviceState.ABSENT, "camera.state.closed")
STATUS_OK = CameraStatus(DeviceState.OK, "camera.state.ok")
