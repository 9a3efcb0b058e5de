"""The one device-state vocabulary every driver reports in (DESIGN.md "Devices are drivers").

``ok``: works. ``degraded``: works with a problem worth telling (paper near its end, a flaky
line, a low-resolution camera). ``fault``: connected but unusable (paper out, SAM broken).
``absent``: not there at all (unplugged, no service, wrong path).

The enum is a :class:`~enum.StrEnum`, so a member equals its text (``DeviceState.OK == "ok"``),
serialises as that text in JSON and on the wire, and :func:`as_state` accepts either form.
Each driver keeps its own status record (the reason keys and extras differ) but builds its
``state`` field from this enum.
"""

from __future__ import annotations

from enum import StrEnum


class DeviceState(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    FAULT = "fault"
    ABSENT = "absent"

    @property
    def ready(self) -> bool:
        """Whether a citizen may still use the device in this state."""
        return self in READY_STATES


READY_STATES = frozenset({DeviceState.OK, DeviceState.DEGRADED})


def as_state(value: str) -> DeviceState:
    """``value`` as a :class:`DeviceState`; a ValueError names the four allowed states."""
    try:
        return DeviceState(value)
    except ValueError:
        allowed = ", ".join(s.value for s in DeviceState)
        raise ValueError(f"device state must be one of {allowed}, not {value!r}") from None
