"""办件查询 at the kiosk through the real screens: the receipt's QR under the simulated camera,
the phone's last 4 digits typed on the on-screen keyboard, 需补正 recaptured and sent to the
embedded centre through the outbox."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

import pytest
import requests

from identity.idnumber import generate_person
from kiosk.outbox import Material
from kiosk.reference import make_reference

pytestmark = pytest.mark.kivy

MOBILE = "13900001234"
API = "/api/v1"


def _application(ui: Any, central: Any) -> str:
    """An application from this kiosk, delivered to the centre, then marked 需补正 by a clerk."""
    reporting = ui.app.kiosk.reporting
    person = generate_person(random.Random(11))
    reference = make_reference(uuid.uuid4().hex, dt.date.today())
    document = {
        "schema": "kiosk24.submission/1",
        "reference": reference,
        "scenario": {"id": "new_enterprise", "kind": "new-enterprise", "title": "开办企业"},
        "applicant": {"applicant.name": person.name, "applicant.id_number": person.id_number,
                      "applicant.mobile": MOBILE},
        "answers": {"applicant.mobile": MOBILE},
        "items": [{"id": "setup_registration", "title": "设立登记"}],
        "materials": [{"id": "lease_contract", "name": "租赁合同", "pages": 1}],
    }
    reporting.outbox.enqueue_submission(reference, "new_enterprise", document,
                                        [Material("lease_contract-1.jpg", b"\xff\xd8old")])
    reporting.wake()
    headers = {"Authorization": f"Bearer {central.token('admin')}"}

    def stored() -> bool:
        return requests.get(f"{central.url}{API}/applications/{reference}", headers=headers,
                            timeout=10).status_code == 200

    ui.wait(stored, timeout=30, what="the application to reach the centre")
    asked = requests.post(f"{central.url}{API}/applications/{reference}/status", headers=headers,
                          json={"status": "needs_correction", "reason": "租赁合同看不清，请重新拍摄",
                                "materials": ["lease_contract"]}, timeout=10)
    assert asked.status_code == 200, asked.text
    return reference


def _centre_status(central: Any, reference: str) -> str:
    headers = {"Authorization": f"Bearer {central.token('admin')}"}
    reply = requests.get(f"{central.url}{API}/applications/{reference}", headers=headers, timeout=10)
    return str(reply.json()["status"])


def _open_track(ui: Any) -> Any:
    app = ui.app
    ui.tap(app.screen("attract").ids.panel)
    ui.wait_screen("home")
    ui.tap(app.screen("home").ids.track)
    ui.wait_screen("track")
    return app.screen("track")


def test_scan_look_up_recapture_and_send(ui: Any, central: Any, shots: Any) -> None:
    reference = _application(ui, central)
    sim = ui.app.kiosk.devices.camera.source.sim
    sim.place_document("receipt", qr=f"{central.url}/track/{reference}")
    screen = _open_track(ui)
    ui.screenshot(shots / "track-1-ask.png")
    ui.tap(screen.ids.scan)
    ui.wait(lambda: screen.ids.reference.text == reference, timeout=30, what="the QR to be read")
    assert not screen.scanning

    ui.type_into(screen.ids.last4, "0000")  # a wrong guess first
    ui.tap(screen.ids.look_up)
    ui.wait(lambda: bool(screen.error), timeout=20, what="the refusal")
    assert "对不上" in screen.error and screen.stage == "ask"

    ui.type_into(screen.ids.last4, MOBILE[-4:])
    ui.tap(screen.ids.look_up)
    ui.wait(lambda: screen.stage == "status", timeout=20, what="the centre's answer")
    assert "需补正" in screen.status_title
    assert any("租赁合同看不清" in line for line in screen.timeline_lines)
    ui.screenshot(shots / "track-2-needs-correction.png")

    sim.place_document("lease", seed=5)
    ui.tap_text(screen.t("ui.track.photograph"))
    ui.wait(lambda: len(screen.pages.get("lease_contract", [])) == 1, timeout=30, what="the page")
    ui.tap_text(screen.t("ui.track.send_supplement"))
    assert screen.stage == "sent"
    ui.screenshot(shots / "track-3-sent.png")
    ui.wait(lambda: _centre_status(central, reference) == "supplemented", timeout=30,
            what="the supplement to reach the centre")
    ui.tap(screen.ids.home)
    ui.wait_screen("attract")
    assert screen.reply is None and screen.pages == {} and screen.ids.reference.text == ""


def test_nothing_to_send_until_every_material_is_photographed(ui: Any, central: Any) -> None:
    reference = _application(ui, central)
    screen = _open_track(ui)
    ui.type_into(screen.ids.reference, reference)
    ui.type_into(screen.ids.last4, MOBILE[-4:])
    ui.tap(screen.ids.look_up)
    ui.wait(lambda: screen.stage == "status", timeout=20, what="the centre's answer")
    ui.tap_text(screen.t("ui.track.send_supplement"))
    assert screen.stage == "status" and "没有拍摄" in screen.error
    assert _centre_status(central, reference) == "needs_correction"


def test_a_typo_in_the_reference_is_caught_at_the_kiosk(ui: Any) -> None:
    screen = _open_track(ui)
    ui.type_into(screen.ids.reference, "GJZ-2026")
    ui.type_into(screen.ids.last4, "1234")
    ui.tap(screen.ids.look_up)
    ui.wait(lambda: bool(screen.error), timeout=10, what="the error")
    assert "受理编号不对" in screen.error
