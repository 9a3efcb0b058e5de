"""``/track/{reference}``: nothing shown before the phone digits, the timeline after, limits on
guessing per reference and per address (counted in the database), and the receipt's QR URL."""

from __future__ import annotations

import uuid

import requests
from applications_helpers import applicant, reference, submission
from central_helpers import SignedKiosk, bearer

from central.embedded import EmbeddedCentral
from central.models_applications import TrackAttempt
from wire.models import utc_now


def _submit(kiosk: SignedKiosk, seed: int) -> tuple[str, object]:
    person = applicant(seed)
    ref = reference()
    body = submission(person, ref)
    assert kiosk.post_json("/api/v1/submissions", body, key=body["id"]).status_code == 201
    return ref, person


def _wrong(last4: str) -> str:
    return "0000" if last4 != "0000" else "1111"


def test_track_asks_first_then_shows_the_next_step(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str
) -> None:
    ref, person = _submit(kiosk, 500)
    url = f"{central.url}/track/{ref}"
    first = requests.get(url, timeout=10)
    assert first.status_code == 200 and "手机号的后四位" in first.text
    assert "已提交" not in first.text and person.name[0] + "*" not in first.text  # type: ignore[attr-defined]
    requests.post(
        f"{central.url}/api/v1/applications/{ref}/status", headers=bearer(admin_token),
        json={"status": "needs_correction", "reason": "身份证复印件不清晰",
              "materials": ["id_card_copy"]}, timeout=10,
    ).raise_for_status()
    shown = requests.post(url, data={"phone_last4": person.last4}, timeout=10)  # type: ignore[attr-defined]
    assert shown.status_code == 200
    assert "需补正" in shown.text and "身份证复印件" in shown.text and "办件查询" in shown.text
    for secret in (person.name, person.id_number, person.mobile):  # type: ignore[attr-defined]
        assert secret not in shown.text
    assert requests.post(url, data={"phone_last4": "12"}, timeout=10).status_code == 422
    assert requests.get(f"{central.url}/track/%3Cscript%3E", timeout=10).status_code == 404


def test_pickup_shows_where_and_when(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str
) -> None:
    ref, person = _submit(kiosk, 501)
    for step in ("accepted", "in_review", "completed", "awaiting_pickup"):
        requests.post(
            f"{central.url}/api/v1/applications/{ref}/status", headers=bearer(admin_token),
            json={"status": step}, timeout=10,
        ).raise_for_status()
    shown = requests.post(
        f"{central.url}/track/{ref}", data={"phone_last4": person.last4}, timeout=10  # type: ignore[attr-defined]
    )
    assert "待领取" in shown.text and "综合发证窗口" in shown.text and "8:30" in shown.text


def test_guessing_is_limited_per_reference_across_workers(
    central: EmbeddedCentral, kiosk: SignedKiosk
) -> None:
    ref, person = _submit(kiosk, 502)
    url = f"{central.url}/track/{ref}"
    wrong = _wrong(person.last4)  # type: ignore[attr-defined]
    codes = [requests.post(url, data={"phone_last4": wrong}, timeout=10).status_code
             for _ in range(5)]
    assert codes == [404] * 5
    # The count lives in the database: what another worker process would see too.
    with central.state.sessions() as db:
        rows = db.query(TrackAttempt).filter(TrackAttempt.key == f"ref:{ref}").count()
    assert rows == 5
    locked = requests.post(url, data={"phone_last4": person.last4}, timeout=10)  # type: ignore[attr-defined]
    assert locked.status_code == 429 and "15分钟" in locked.text


def test_guessing_is_limited_per_address(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    ref, person = _submit(kiosk, 503)
    with central.state.sessions() as db:  # 30 recent tries from this address already
        db.add_all([TrackAttempt(key="addr:127.0.0.1", at=utc_now(), ok=False) for _ in range(30)])
        db.commit()
    try:
        other = f"{central.url}/track/GJZ-{uuid.uuid4().hex[:6].upper()}"
        assert requests.post(other, data={"phone_last4": "1234"}, timeout=10).status_code == 429
        right = requests.post(f"{central.url}/track/{ref}",
                              data={"phone_last4": person.last4}, timeout=10)  # type: ignore[attr-defined]
        assert right.status_code == 429
    finally:
        with central.state.sessions() as db:
            db.query(TrackAttempt).filter(TrackAttempt.key == "addr:127.0.0.1").delete()
            db.commit()
