"""A PC/SC reader's health as the kiosk sees it: a state and the reason key behind it."""

from __future__ import annotations

from dataclasses import dataclass

from devices.pcsc.errors import PcscError
from devices.state import DeviceState, as_state


@dataclass(frozen=True)
class Health:
    state: DeviceState
    reason: str  # an i18n key, e.g. "pcsc.no_service" or "pcsc.ready"
    reader: str = ""  # the reader name, when one was found
    detail: str = ""  # technician-facing text (pcscd's message and code)

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", as_state(self.state))

    @property
    def usable(self) -> bool:
        # Stricter than DeviceState.ready: a degraded PC/SC reader has a mute or pulled card.
        return self.state is DeviceState.OK

    @classmethod
    def from_error(cls, error: PcscError, reader: str = "") -> Health:
        return cls(state=error.state, reason=error.key, reader=reader, detail=error.detail)
