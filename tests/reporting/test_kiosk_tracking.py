"""办件查询 and 补正 at the kiosk against a real central server: QR or typed reference, the
second factor, the centre's answers in the citizen's words, and supplements through the outbox."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from reporting_helpers import BackOffice, Enrolled

from central.embedded import EmbeddedCentral
from devices.camera.qr import decode_qr
from identity.idnumber import generate_person
from kiosk.central_client import CentralClient
from kiosk.i18n import t
from kiosk.outbox import Material, Outbox
from kiosk.reference import make_reference
from kiosk.tracking import (
    BadPhoneDigits,
    BadReference,
    NoMatch,
    NothingToSend,
    TooManyTries,
    TrackingOffline,
    lookup,
    reference_from_text,
    send_supplement,
)

MOBILE = "13912345678"


def _reference(seed: int) -> str:
    return make_reference(f"{seed:032x}", dt.date(2026, 12, 6))


def _apply(outbox: Outbox, kiosk: Enrolled, seed: int) -> str:
    """One application from this kiosk, delivered; returns its reference."""
    person = generate_person(random.Random(seed))
    reference = _reference(seed)
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
    outbox.enqueue_submission(reference, "new_enterprise", document, [Material("lease_contract-1.jpg", b"\xff\xd8old")])
    assert outbox.drain(kiosk.client()).sent == 1
    return reference


def _jpeg(colour: int) -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((120, 160, 3), colour, np.uint8))
    assert ok
    return data.tobytes()


def test_reference_from_typed_text_or_a_tracking_url() -> None:
    reference = _reference(1)
    assert reference_from_text(reference) == reference
    assert reference_from_text(" " + reference.lower() + " ") == reference
    assert reference_from_text(f"https://central.example/track/{reference}") == reference
    wrong_check = reference[:-1] + ("A" if reference[-1] != "A" else "B")
    assert reference_from_text(wrong_check) is None
    assert reference_from_text("") is None


def test_the_receipts_qr_is_read_from_a_camera_frame() -> None:
    reference = _reference(2)
    image = qrcode.make(f"http://127.0.0.1:8000/track/{reference}", box_size=6, border=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    code = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    # Thermal paper on a grey desk, a little turned and low in contrast, as a camera sees it.
    frame = np.full((720, 1280), 90, np.uint8)
    paper = (code.astype(np.float32) * 0.55 + 100).astype(np.uint8)
    h, w = paper.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[420, 140], [420 + w, 170], [400 + w, 170 + h], [395, 135 + h]])
    warped = cv2.warpPerspective(paper, cv2.getPerspectiveTransform(src, dst), (1280, 720),
                                 borderValue=0)
    mask = cv2.warpPerspective(np.full_like(paper, 255), cv2.getPerspectiveTransform(src, dst), (1280, 720))
    frame[mask > 0] = warped[mask > 0]
    colour = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    assert reference_from_text(decode_qr(colour) or "") == reference
    assert decode_qr(np.full((480, 640, 3), 128, np.uint8)) is None


def test_status_and_correction_loop(
    outbox: Outbox, kiosk: Enrolled, central: EmbeddedCentral, backoffice: BackOffice
) -> None:
    reference = _apply(outbox, kiosk, 3)
    client = kiosk.client()
    status = lookup(client, f"http://x/track/{reference}", MOBILE[-4:])
    assert (status.status, status.label_zh) == ("submitted", "已提交")
    asked = backoffice.post(f"/applications/{reference}/status", {
        "status": "needs_correction", "reason": "租赁合同看不清，请重新拍摄", "materials": ["lease_contract"]})
    assert asked.status_code == 200, asked.text

    status = lookup(client, reference, MOBILE[-4:])
    assert status.status == "needs_correction"
    assert [m.id for m in status.redo_materials] == ["lease_contract"]
    with pytest.raises(NothingToSend):
        send_supplement(outbox, status, {})
    record = send_supplement(outbox, status, {"lease_contract": [_jpeg(200), _jpeg(220)]})
    assert outbox.depth() == 1
    report = outbox.drain(client)
    assert (report.sent, report.rejected) == (1, 0)
    assert outbox.drain(client).sent == 0  # delivered once

    after = lookup(client, reference, MOBILE[-4:])
    assert after.status == "supplemented"
    shown = backoffice.get(f"/applications/{reference}").json()
    assert [m["supplement"] for m in shown["materials"]].count(True) == 2
    assert record


def test_wrong_inputs_are_refused_in_the_citizens_words(
    outbox: Outbox, kiosk: Enrolled, central: EmbeddedCentral
) -> None:
    reference = _apply(outbox, kiosk, 4)
    client = kiosk.client()
    with pytest.raises(BadReference) as bad:
        lookup(client, "GJZ-123", "5678")
    assert "受理编号" in t(bad.value.key, "zh_CN")
    with pytest.raises(BadPhoneDigits):
        lookup(client, reference, "56a8")
    with pytest.raises(NoMatch) as wrong:
        lookup(client, reference, "0000")
    assert "对不上" in t(wrong.value.key, "zh_CN")
    for _ in range(30):  # guessing: the centre stops answering for this reference
        try:
            lookup(client, reference, "0001")
        except NoMatch:
            continue
        except TooManyTries:
            break
    with pytest.raises(TooManyTries) as limited:
        lookup(client, reference, MOBILE[-4:])
    assert "15分钟" in t(limited.value.key, "zh_CN")


def test_no_centre_is_said_plainly(tmp_path: Path, dead_url: str, kiosk: Enrolled) -> None:
    client = CentralClient(dead_url, kiosk.kiosk_id, kiosk.secret, timeout=1.0)
    with pytest.raises(TrackingOffline) as offline:
        lookup(client, _reference(5), "1234")
    assert offline.value.retryable
    assert "不受影响" in t(offline.value.key, "zh_CN")
