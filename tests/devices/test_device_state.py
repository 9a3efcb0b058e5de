"""The four drivers report their health in the one shared DeviceState (devices/state.py)."""

from __future__ import annotations

import json

import pytest

from devices.camera import CameraState, CameraStatus
from devices.idcard.state import DeviceState as IdcardState
from devices.idcard.state import DeviceStatus
from devices.pcsc.errors import ABSENT, PcscServiceUnavailable
from devices.pcsc.health import Health
from devices.printer.status import PrinterStatus, State
from devices.printer.status import decode as decode_printer
from devices.state import DeviceState, as_state


def test_every_driver_status_carries_the_shared_enum() -> None:
    statuses = [
        DeviceStatus("degraded", "idcard.frame.checksum"),
        CameraStatus("degraded", "camera.state.low_resolution"),
        Health("degraded", "pcsc.card_mute"),
        PrinterStatus("degraded", "printer.paper_near_end"),
        decode_printer(bytes.fromhex("12 12 12 1e")),
        Health.from_error(PcscServiceUnavailable("gone")),
    ]
    assert all(type(s.state) is DeviceState for s in statuses)
    assert [s.state for s in statuses] == ["degraded"] * 5 + ["absent"]
    assert json.dumps([s.state for s in statuses]).count('"degraded"') == 5


def test_old_names_are_the_shared_enum() -> None:
    assert CameraState is DeviceState and IdcardState is DeviceState and State is DeviceState
    assert ABSENT is DeviceState.ABSENT


def test_readiness_is_decided_once() -> None:
    assert [s.ready for s in DeviceState] == [True, True, False, False]
    assert CameraStatus("degraded", "x").usable and DeviceStatus("degraded", "x").ready
    assert PrinterStatus("degraded", "x").can_print and not PrinterStatus("fault", "x").can_print
    assert not Health("degraded", "pcsc.card_mute").usable  # PC/SC keeps its stricter rule


@pytest.mark.parametrize("make", [DeviceStatus, CameraStatus, Health, PrinterStatus])
def test_an_unknown_state_is_refused(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="ok, degraded, fault, absent"):
        make("broken", "x")
    assert as_state("ok") is DeviceState.OK
