"""One DeviceStatus for every device, and the readiness rules in devices/status.py.

The rules are checked on statuses the real drivers produce (printer status bytes, the camera
simulator at a low resolution, a PC/SC error, the ID-card poller's states) and through the
DeviceHub, which must pass each driver's status on unchanged (it once flattened them into a
string and treated every "degraded" as usable).
"""

from __future__ import annotations

import json

import pytest

from devices.camera import DocumentCamera
from devices.pcsc.errors import CardRemoved, PcscServiceUnavailable, status_for
from devices.printer.status import decode as decode_printer
from devices.printer.status import encode as encode_printer
from devices.printer.status import raw_of
from devices.status import USABLE_WHEN, DeviceKind, DeviceState, DeviceStatus, as_state
from kiosk.config import Config
from kiosk.device_hub import DeviceHub


def test_every_device_has_a_readiness_rule() -> None:
    assert set(USABLE_WHEN) == set(DeviceKind)


@pytest.mark.parametrize("device", list(DeviceKind))
@pytest.mark.parametrize("state", ["fault", "absent"])
def test_fault_and_absent_are_never_usable(device: DeviceKind, state: str) -> None:
    assert not DeviceStatus(device, state, "x").usable
    assert DeviceStatus(device, "ok", "x").usable


def test_a_degraded_social_security_card_reader_stays_not_usable() -> None:
    mute = DeviceStatus("sscard", "degraded", "pcsc.card_mute", "Virtual PCD 00 00")
    pulled = status_for(CardRemoved("pulled mid-read"), "Virtual PCD 00 00")
    assert mute.state is pulled.state is DeviceState.DEGRADED
    assert not mute.usable and not pulled.usable
    assert pulled.detail == "Virtual PCD 00 00 pulled mid-read"


def test_a_printer_with_paper_near_its_end_stays_usable() -> None:
    status = decode_printer(encode_printer(paper="near_end"))
    assert (status.device, status.state, status.reason) == ("printer", "degraded", "printer.paper_near_end")
    assert status.usable
    assert raw_of(status) == encode_printer(paper="near_end")
    assert not decode_printer(encode_printer(paper="out")).usable


def test_a_low_resolution_camera_is_degraded_but_usable() -> None:
    camera = DocumentCamera("sim://camera?capture=1280x720&preview=640x360")
    try:
        status = camera.open()
    finally:
        camera.close()
    assert (status.state, status.reason) == ("degraded", "camera.state.low_resolution")
    assert status.usable


def test_a_degraded_idcard_reader_is_usable() -> None:
    assert DeviceStatus("idcard", "degraded", "idcard.frame.checksum").usable


def test_states_and_devices_are_checked_and_go_on_the_wire_as_text() -> None:
    with pytest.raises(ValueError, match="ok, degraded, fault, absent"):
        DeviceStatus("printer", "broken", "x")
    with pytest.raises(ValueError, match="idcard, sscard, printer, camera"):
        DeviceStatus("scanner", "ok", "x")
    status = status_for(PcscServiceUnavailable("gone"))
    assert status.wire() == {"state": "absent", "reason": "pcsc.no_service"}
    assert json.dumps(status.wire()) == '{"state": "absent", "reason": "pcsc.no_service"}'
    assert as_state("ok") is DeviceState.OK and status.name == "sscard"


class _Owner:
    def __init__(self) -> None:
        self.changes = 0

    def device_changed(self) -> None:
        self.changes += 1


def test_the_hub_passes_each_drivers_status_on_unchanged() -> None:
    config = Config()
    config.devices.idcard = ""
    config.devices.sscard = ""
    config.devices.printer = "sim://printer?paper=near_end"
    config.devices.camera = "sim://camera?capture=1280x720&preview=640x360"
    hub = DeviceHub(config)
    hub.start(_Owner())  # type: ignore[arg-type]
    try:
        states = hub.states()
    finally:
        hub.stop()
    assert all(isinstance(status, DeviceStatus) for status in states.values())
    printer, camera, idcard = states["printer"], states["camera"], states["idcard"]
    assert (printer.state, printer.reason, printer.usable) == ("degraded", "printer.paper_near_end", True)
    assert raw_of(printer) == encode_printer(paper="near_end")
    assert (camera.state, camera.reason, camera.usable) == ("degraded", "camera.state.low_resolution", True)
    assert (idcard.state, idcard.reason, idcard.usable) == ("absent", "ui.device.not_configured", False)
