"""The kiosk reports to the (embedded) central server like a real one: applications made
through the UI arrive exactly once, and the back office's out-of-service command takes effect."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from central.client import BackOfficeClient
from kiosk.i18n import t
from screens.script import ScriptedVisit
from simulation.centre import stored_references

pytestmark = pytest.mark.kivy

REFERENCE = re.compile(r"GJZ-\d{8}-[0-9A-Z]{5}-[0-9A-Z]")


def _kiosk_row(office: BackOfficeClient, kiosk_id: str) -> Any:
    return next(k for k in office.kiosks() if k.kiosk_id == kiosk_id)


def test_submission_through_the_ui_reaches_the_centre_exactly_once(ui: Any, central: Any) -> None:
    app = ui.app
    kiosk = app.kiosk
    kiosk_id = kiosk.config.kiosk_id
    before = stored_references(central, kiosk_id)

    reference = ScriptedVisit(ui, "newborn", use_keys=False).run()
    assert REFERENCE.fullmatch(reference)
    ui.wait(lambda: reference in stored_references(central, kiosk_id), timeout=30,
            what="the application to reach the centre")
    # Let the worker run more beats and drains: nothing may arrive twice or stay queued.
    beats = kiosk.reporting.worker.last_heartbeat_at
    ui.wait(lambda: kiosk.reporting.worker.last_heartbeat_at != beats, timeout=15, what="another heartbeat")
    after = stored_references(central, kiosk_id)
    assert after.count(reference) == 1
    assert len(after) == len(before) + 1
    assert kiosk.reporting.outbox.depth() == 0
    office = BackOfficeClient(central.url, central.token("viewer"))
    ui.wait(lambda: _kiosk_row(office, kiosk_id).queue_depth == 0, timeout=15, what="queue depth 0")
    assert _kiosk_row(office, kiosk_id).devices["idcard"].state == "ok"


def test_back_office_out_of_service_command_shows_and_clears(ui: Any, central: Any, shots: Any) -> None:
    app = ui.app
    kiosk_id = app.kiosk.config.kiosk_id
    office = BackOfficeClient(central.url, central.token("admin"))

    office.queue_command(kiosk_id, "out_of_service", {"on": True, "reason": "设备巡检"})
    ui.wait_screen("out_of_service", timeout=20)
    screen = app.screen("out_of_service")
    assert screen.ids.reason.text == t("ui.oos.centre", app.lang)
    ui.screenshot(shots / "out-of-service-centre.png")
    # A touch does not start a visit while the centre keeps the kiosk closed.
    ui.tap_at(screen.width / 2, screen.height / 2)
    assert app.current == "out_of_service"
    deadline = time.monotonic() + 15
    while not _kiosk_row(office, kiosk_id).out_of_service and time.monotonic() < deadline:
        ui.pump(5)
    assert _kiosk_row(office, kiosk_id).out_of_service

    office.queue_command(kiosk_id, "out_of_service", {"on": False, "reason": ""})
    ui.wait_screen("attract", timeout=20)
    assert app.kiosk.maintenance.out_of_service_reason() is None
