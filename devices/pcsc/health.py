"""A PC/SC reader's health as the kiosk sees it: a state and the reason key behind it."""

from __future__ import annotations

from dataclasses import dataclass

from devices.pcsc.errors import OK, PcscError


@dataclass(frozen=True)
class Health:
    state: str  # "ok" | "degraded" | "fault" | "absent"
    reason: str  # an i18n key, e.g. "pcsc.no_service" or "pcsc.ready"
    reader: str = ""  # the reader name, when one was found
    detail: str = ""  # technician-facing text (pcscd's message and code)

    @property
    def usable(self) -> bool:
        return self.state == OK

    @classmethod
    def from_error(cls, error: PcscError, reader: str = "") -> Health:
        return cls(state=error.state, reason=error.key, reader=reader, detail=error.detail)
