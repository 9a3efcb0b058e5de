"""Applications at the centre: routing, the status machine, 补正 from a kiosk, ratings, help
calls, the kiosk's 办件查询, exports, audit, and no personal data in clear in the database.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
import requests
from applications_helpers import (
    LICENCE_DEPT,
    SEAL_DEPT,
    applicant,
    jpeg,
    reference,
    submission,
)
from central_helpers import SignedKiosk, bearer, count
from sqlalchemy import select, text

from central.db import Base
from central.embedded import EmbeddedCentral
from central.models_applications import AuditEntry, HelpCall, Rating, SubmissionSupplement

API = "/api/v1"


def _submit(kiosk: SignedKiosk, seed: int) -> tuple[str, object]:
    person = applicant(seed)
    ref = reference()
    body = submission(person, ref)
    reply = kiosk.post_json(API + "/submissions", body, key=body["id"])
    assert reply.status_code == 201, reply.text
    return ref, person


def _get(central: EmbeddedCentral, token: str, path: str, **params: object) -> requests.Response:
    return requests.get(central.url + API + path, headers=bearer(token), params=params, timeout=30)


def _status(central: EmbeddedCentral, token: str, ref: str, **change: object) -> requests.Response:
    return requests.post(
        f"{central.url}{API}/applications/{ref}/status", json=change, headers=bearer(token),
        timeout=30,
    )


def _clerk(central: EmbeddedCentral, department: str) -> str:
    from central.credentials import create_token

    with central.state.sessions() as session:
        return create_token(session, "clerk", f"clerk {uuid.uuid4().hex[:4]}", department)


def test_items_are_routed_and_clerks_see_only_their_department(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str, viewer_token: str
) -> None:
    ref, _person = _submit(kiosk, 1)
    listed = _get(central, admin_token, "/applications", reference=ref).json()
    assert listed["total"] == 1
    row = listed["items"][0]
    assert row["status"] == "submitted" and row["status_label"] == "已提交"
    assert sorted(row["departments"]) == sorted([LICENCE_DEPT, SEAL_DEPT])
    licence_clerk = _clerk(central, LICENCE_DEPT)
    tax_clerk = _clerk(central, "区税务局")
    mine = _get(central, licence_clerk, "/applications", kiosk=kiosk.kiosk_id).json()
    assert [r["reference"] for r in mine["items"]] == [ref]
    assert _get(central, tax_clerk, "/applications", kiosk=kiosk.kiosk_id).json()["total"] == 0
    assert _get(central, tax_clerk, f"/applications/{ref}").status_code == 403
    shown = _get(central, licence_clerk, f"/applications/{ref}").json()
    assert shown["document"]["applicant"]["applicant.name"] == _person.name  # type: ignore[attr-defined]
    viewer_view = _get(central, viewer_token, f"/applications/{ref}").json()
    assert viewer_view["document"] is None
    assert _get(central, viewer_token, f"/applications/{ref}/materials/o1").status_code == 403


def test_transitions_are_enforced_with_reasons(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str, viewer_token: str
) -> None:
    ref, _ = _submit(kiosk, 2)
    assert _status(central, viewer_token, ref, status="accepted").status_code == 403
    refused = _status(central, admin_token, ref, status="completed")
    assert (refused.status_code, refused.json()["error"]) == (409, "bad_transition")
    assert _status(central, admin_token, ref, status="needs_correction",
                   reason="看不清").json()["error"] == "correction_incomplete"
    assert _status(central, admin_token, ref, status="needs_correction", reason="x",
                   materials=["nope"]).json()["error"] == "unknown_material"
    assert _status(central, admin_token, ref, status="rejected").json()["error"] == "reason_missing"
    assert _status(central, admin_token, ref, status="accepted", reason="ok").status_code == 200
    assert _status(central, admin_token, ref, status="in_review").status_code == 200
    assert _status(central, admin_token, ref, status="completed").status_code == 200
    assert _status(central, admin_token, ref, status="mailed").json()["error"] == "tracking_missing"
    assert _status(central, admin_token, ref, status="mailed",
                   tracking_number="SF1234567890").status_code == 200
    shown = _get(central, admin_token, f"/applications/{ref}").json()
    assert [h["to_status"] for h in shown["history"]] == [
        "submitted", "accepted", "in_review", "completed", "mailed",
    ]
    assert shown["history"][1]["actor"] == "embedded" and shown["tracking_number"] == "SF1234567890"
    assert shown["allowed_next"] == []


def test_correction_loop_through_the_kiosk_and_status_query(
    central: EmbeddedCentral, kiosk: SignedKiosk, other_kiosk: SignedKiosk, admin_token: str
) -> None:
    ref, person = _submit(kiosk, 3)
    last4 = person.last4  # type: ignore[attr-defined]
    asked = _status(central, admin_token, ref, status="needs_correction",
                    reason="租赁合同页面模糊，请重新拍摄", materials=["lease_contract"])
    assert asked.status_code == 200, asked.text
    query = {"reference": ref, "phone_last4": last4}
    status = other_kiosk.post_json(API + "/status-queries", query)
    assert status.status_code == 200, status.text
    body = status.json()
    assert body["status"] == "needs_correction" and body["label_zh"] == "需补正"
    assert [m["id"] for m in body["redo_materials"]] == ["lease_contract"]
    assert body["redo_materials"][0]["name_zh"] == "租赁合同"
    assert body["masked_name"] == person.name[0] + "*" * (len(person.name) - 1)  # type: ignore[attr-defined]
    assert person.id_number not in status.text and person.mobile not in status.text  # type: ignore[attr-defined]
    wrong = "0000" if last4 != "0000" else "1111"
    assert other_kiosk.post_json(API + "/status-queries", {**query, "phone_last4": wrong}).status_code == 404

    supplement = {
        "id": uuid.uuid4().hex,
        "reference": ref,
        "request_id": body["request_id"],
        "materials": [{"name": "lease_contract-1.jpg", "content_type": "image/jpeg",
                       "data_b64": __import__("base64").b64encode(jpeg("redo")).decode()}],
    }
    first = other_kiosk.post_json(API + "/supplements", supplement, key=supplement["id"])
    again = other_kiosk.post_json(API + "/supplements", supplement, key=supplement["id"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert count(central, SubmissionSupplement, id=supplement["id"]) == 1
    late = {**supplement, "id": uuid.uuid4().hex}
    refused = other_kiosk.post_json(API + "/supplements", late, key=late["id"])
    assert refused.json()["error"] == "not_awaiting_correction"

    for step in ("accepted", "in_review", "completed"):
        assert _status(central, admin_token, ref, status=step).status_code == 200
    assert _status(central, admin_token, ref, status="mailed",
                   tracking_number="EMS9876543210").status_code == 200
    final = other_kiosk.post_json(API + "/status-queries", query).json()
    assert final["status"] == "mailed" and final["tracking_number"] == "EMS9876543210"
    assert [e["status"] for e in final["timeline"]] == [
        "submitted", "needs_correction", "supplemented", "accepted", "in_review", "completed",
        "mailed",
    ]
    shown = _get(central, admin_token, f"/applications/{ref}").json()
    assert [m["supplement"] for m in shown["materials"]] == [False, False, True]
    image = _get(central, admin_token, f"/applications/{ref}/materials/{shown['materials'][2]['key']}")
    assert image.content == jpeg("redo")


def test_status_query_is_rate_limited_per_reference(
    central: EmbeddedCentral, kiosk: SignedKiosk
) -> None:
    ref, person = _submit(kiosk, 4)
    last4 = person.last4  # type: ignore[attr-defined]
    wrong = "0000" if last4 != "0000" else "1111"
    codes = [
        kiosk.post_json(API + "/status-queries", {"reference": ref, "phone_last4": wrong}).status_code
        for _ in range(6)
    ]
    assert codes == [404] * 5 + [429]
    right = kiosk.post_json(API + "/status-queries", {"reference": ref, "phone_last4": last4})
    assert right.status_code == 429


def test_ratings_and_help_calls_are_stored_once(
    central: EmbeddedCentral, kiosk: SignedKiosk
) -> None:
    rating = {"id": uuid.uuid4().hex, "reference": "GJZ-X", "scenario": "new_enterprise",
              "level": 2, "reasons": ["slow"], "comment": "等太久", "rated_at": "2026-12-04T10:00:00+08:00"}
    assert kiosk.post_json(API + "/ratings", rating, key=rating["id"]).status_code == 201
    assert kiosk.post_json(API + "/ratings", rating, key=rating["id"]).status_code == 200
    with central.state.sessions() as db:
        row = db.get(Rating, rating["id"])
        assert row is not None and row.followup_status == "open"
        assert row.followup_due is not None
        days = (row.followup_due - row.received_at).days
        assert 19 <= days <= 21  # 15 working days span three weekends
        assert "等太久".encode() not in row.comment_enc
    call = {"id": uuid.uuid4().hex, "screen": "materials", "scenario": "new_enterprise",
            "step": "lease_contract", "called_at": "2026-12-04T10:00:00+08:00"}
    assert kiosk.post_json(API + "/help-calls", call, key=call["id"]).status_code == 201
    assert kiosk.post_json(API + "/help-calls", call, key=call["id"]).status_code == 200
    assert count(central, HelpCall, id=call["id"]) == 1


def test_export_csv_and_json_and_audit_of_views(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str
) -> None:
    ref, person = _submit(kiosk, 5)
    as_json = _get(central, admin_token, "/applications/export", format="json", kiosk=kiosk.kiosk_id)
    assert [r["reference"] for r in as_json.json()] == [ref]
    as_csv = _get(central, admin_token, "/applications/export", format="csv", kiosk=kiosk.kiosk_id)
    rows = list(csv.DictReader(io.StringIO(as_csv.text.lstrip("\ufeff"))))
    assert [r["reference"] for r in rows] == [ref] and rows[0]["status"] == "submitted"
    assert person.id_number not in as_csv.text  # type: ignore[attr-defined]
    before = count(central, AuditEntry, action="personal_data.view", target=ref)
    _get(central, admin_token, f"/applications/{ref}")
    _get(central, admin_token, f"/applications/{ref}/materials/o999999")
    assert count(central, AuditEntry, action="personal_data.view", target=ref) == before + 1


def test_filters_by_status_scenario_and_dates(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str
) -> None:
    refs = [_submit(kiosk, 10 + n)[0] for n in range(3)]
    _status(central, admin_token, refs[0], status="accepted")
    accepted = _get(central, admin_token, "/applications", kiosk=kiosk.kiosk_id, status="accepted")
    assert [r["reference"] for r in accepted.json()["items"]] == [refs[0]]
    dated = _get(central, admin_token, "/applications", kiosk=kiosk.kiosk_id,
                 scenario="new_enterprise", since="2000-01-01T00:00:00Z", until="2001-01-01T00:00:00Z")
    assert dated.json()["total"] == 0
    newest = _get(central, admin_token, "/applications", kiosk=kiosk.kiosk_id, limit=2).json()
    assert newest["total"] == 3 and len(newest["items"]) == 2
    assert _get(central, admin_token, "/applications", status="bogus").status_code == 422


def test_no_id_number_or_phone_in_clear_anywhere_in_the_database(
    central: EmbeddedCentral, kiosk: SignedKiosk
) -> None:
    ref, person = _submit(kiosk, 99)
    secrets_ = [person.id_number, person.mobile, person.name]  # type: ignore[attr-defined]
    with central.state.engine.connect() as connection:
        dumped = []
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(text("*")).select_from(table)):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        dumped.append(bytes(value).decode("latin-1"))
                    else:
                        dumped.append(str(value))
        blob = "\n".join(dumped)
    assert ref in blob  # the scan does see the application
    for secret in secrets_:
        assert secret not in blob
    for table in ("submissions", "applications"):
        assert table in {t.name for t in Base.metadata.sorted_tables}
    if central.state.engine.dialect.name == "sqlite":
        raw = b"".join(p.read_bytes() for p in central.data_dir.glob("central.db*"))
        for secret in secrets_:
            assert secret.encode() not in raw
            assert secret.encode("utf-16-le") not in raw


def test_every_delivered_submission_is_logged_with_its_reference(
    central: EmbeddedCentral, kiosk: SignedKiosk, caplog: pytest.LogCaptureFixture
) -> None:
    person = applicant(77)
    ref = reference()
    body = submission(person, ref)
    with caplog.at_level("INFO", logger="central.kiosk_api"):
        assert kiosk.post_json(API + "/submissions", body, key=body["id"]).status_code == 201
        assert kiosk.post_json(API + "/submissions", body, key=body["id"]).status_code == 200
    delivered = [r for r in caplog.records if r.getMessage() == "submission.delivered"]
    assert [(r.reference, r.record) for r in delivered] == [(ref, body["id"])]  # type: ignore[attr-defined]
    assert all(person.id_number not in r.getMessage() for r in caplog.records)
