"""The one status every device reports, and the one table that says when a citizen may use it.

A :class:`DeviceStatus` is what a driver knows about its device right now: which device, one of
four named states, the i18n key of the reason and a technician's detail (never personal data).

``ok``: works. ``degraded``: answers, with a problem worth telling (paper near its end, a flaky
line, a low-resolution camera, a mute card in the slot). ``fault``: connected but unusable
(paper out, SAM broken). ``absent``: not there at all (unplugged, no service, wrong path).

Whether a citizen may still use a device is not the same for every device in ``degraded``:
:data:`USABLE_WHEN` says it per device, here and nowhere else; :attr:`DeviceStatus.usable`
reads it. States are a :class:`~enum.StrEnum`, so ``DeviceState.OK == "ok"`` and they go on
the wire as their text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

_E = TypeVar("_E", bound=StrEnum)


class DeviceState(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    FAULT = "fault"
    ABSENT = "absent"


class DeviceKind(StrEnum):
    IDCARD = "idcard"  # the SAM_V resident ID-card reader
    SSCARD = "sscard"  # the PC/SC social security card (社保卡) reader
    PRINTER = "printer"  # the ESC/POS receipt printer
    CAMERA = "camera"  # the document camera


OK, DEGRADED, FAULT, ABSENT = DeviceState.OK, DeviceState.DEGRADED, DeviceState.FAULT, DeviceState.ABSENT

# The readiness rules. A degraded ID-card reader had a bad frame or a timeout: the next read
# usually works. A degraded 社保卡 reader has a mute or half-pulled card: nothing can be read
# until it is taken out, so it is NOT usable. A printer with paper near its end still prints.
# A low-resolution camera still captures, less sharply.
USABLE_WHEN: dict[DeviceKind, frozenset[DeviceState]] = {
    DeviceKind.IDCARD: frozenset({OK, DEGRADED}),
    DeviceKind.SSCARD: frozenset({OK}),
    DeviceKind.PRINTER: frozenset({OK, DEGRADED}),
    DeviceKind.CAMERA: frozenset({OK, DEGRADED}),
}


def _member(kind: type[_E], value: str, what: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValueError(f"{what} must be one of {allowed}, not {value!r}") from None


def as_state(value: str) -> DeviceState:
    """``value`` as a :class:`DeviceState`; a ValueError names the four allowed states."""
    return _member(DeviceState, value, "device state")


def as_kind(value: str) -> DeviceKind:
    """``value`` as a :class:`DeviceKind`; a ValueError names the known devices."""
    return _member(DeviceKind, value, "device")


@dataclass(frozen=True)
class DeviceStatus:
    """``DeviceStatus("printer", "degraded", "printer.paper_near_end")``; strings are checked."""

    device: DeviceKind
    state: DeviceState
    reason: str = ""  # an i18n key, e.g. "printer.paper_near_end", "pcsc.no_service"
    detail: str = ""  # for a technician: status bytes, reader name, the OS's message

    def __post_init__(self) -> None:
        object.__setattr__(self, "device", as_kind(self.device))
        object.__setattr__(self, "state", as_state(self.state))

    @property
    def usable(self) -> bool:
        """Whether a citizen may use the device now (see :data:`USABLE_WHEN`)."""
        return self.state in USABLE_WHEN[self.device]

    @property
    def name(self) -> str:
        """The device's name as configs, screens and the heartbeat spell it."""
        return self.device.value

    def wire(self) -> dict[str, str]:
        """As the heartbeat reports it."""
        return {"state": self.state.value, "reason": self.reason}
