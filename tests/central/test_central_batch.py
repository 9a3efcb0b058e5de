"""POST /batch: several records in one signed request, each stored once and answered on its own."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import requests
from central_helpers import SignedKiosk, count, enrol
from test_central_kiosk_api import _submission

from central.embedded import EmbeddedCentral
from central.models import DeviceEventRow, Nonce, Submission
from central.models_applications import HelpCall, Rating
from wire import signing
from wire.models import MAX_BATCH_RECORDS

BATCH = "/api/v1/batch"


def _events(record_id: str) -> dict[str, Any]:
    return {"id": record_id, "events": [
        {"at": "2025-01-01T00:00:00Z", "kind": "device", "device": "printer", "state": "degraded",
         "reason": "printer.paper_near_end"},
    ]}


def _rating(record_id: str) -> dict[str, Any]:
    return {"id": record_id, "reference": "GJZ-RATED", "scenario": "new_enterprise", "level": 2,
            "reasons": ["slow"], "comment": "", "rated_at": "2025-01-01T00:00:00Z"}


def _help(record_id: str) -> dict[str, Any]:
    return {"id": record_id, "screen": "form", "called_at": "2025-01-01T00:00:00Z"}


def _records(*pairs: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"records": [{"id": body["id"], "kind": kind, "body": body} for kind, body in pairs]}


def _ids(n: int) -> list[str]:
    return [uuid.uuid4().hex for _ in range(n)]


def test_a_mixed_batch_is_stored_once_and_a_resent_batch_gets_the_first_answers(
    central: EmbeddedCentral, kiosk: SignedKiosk
) -> None:
    a, b, c, d = _ids(4)
    payload = _records(("submission", _submission(a)), ("events", _events(b)),
                       ("rating", _rating(c)), ("help_call", _help(d)))
    first = kiosk.post_json(BATCH, payload)
    assert first.status_code == 200, first.text
    results = first.json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [(a, 201), (b, 201), (c, 201), (d, 201)]
    assert results[0]["body"]["reference"] == _submission(a)["reference"]
    assert results[1]["body"]["events"] == 1
    again = kiosk.post_json(BATCH, payload)  # as after a kiosk killed before its local delete
    assert [(r["id"], r["status"]) for r in again.json()["results"]] == [
        (a, 200), (b, 200), (c, 200), (d, 200)]
    assert [r["body"] for r in again.json()["results"]] == [r["body"] for r in results]
    assert count(central, Submission, id=a) == 1
    assert count(central, DeviceEventRow, batch_id=b) == 1
    assert count(central, Rating, id=c) == 1
    assert count(central, HelpCall, id=d) == 1


def test_a_record_sent_alone_first_is_the_same_record_in_a_batch(
    central: EmbeddedCentral, kiosk: SignedKiosk
) -> None:
    (a,) = _ids(1)
    record = _submission(a)
    alone = kiosk.post_json("/api/v1/submissions", record, key=a)
    assert alone.status_code == 201
    batched = kiosk.post_json(BATCH, _records(("submission", record)))
    assert batched.json()["results"] == [{"id": a, "status": 200, "body": alone.json()}]
    assert count(central, Submission, id=a) == 1


def test_a_refused_record_does_not_touch_the_others(
    central: EmbeddedCentral, kiosk: SignedKiosk, other_kiosk: SignedKiosk
) -> None:
    good1, invalid, theirs, mismatch, reused, supplement, good2 = _ids(7)
    assert other_kiosk.post_json("/api/v1/submissions", _submission(theirs), key=theirs).status_code == 201
    assert kiosk.post_json(BATCH, _records(("rating", _rating(reused)))).status_code == 200
    broken = _submission(invalid)
    del broken["reference"]
    changed = _rating(reused) | {"level": 5}
    payload = _records(
        ("submission", _submission(good1)),
        ("submission", broken),
        ("submission", _submission(theirs)),
        ("rating", changed),
        ("supplement", {"id": supplement, "reference": "GJZ-NO-SUCH", "materials": []}),
        ("events", _events(good2)),
    )
    payload["records"].insert(3, {"id": mismatch, "kind": "help_call", "body": _help(uuid.uuid4().hex)})
    answer = kiosk.post_json(BATCH, payload)
    assert answer.status_code == 200, answer.text
    verdicts = [(r["id"], r["status"], r["body"].get("error")) for r in answer.json()["results"]]
    assert verdicts == [
        (good1, 201, None),
        (invalid, 422, "invalid_body"),
        (theirs, 403, "forbidden"),
        (mismatch, 422, "id_mismatch"),
        (reused, 422, "idempotency_mismatch"),
        (supplement, 404, "reference_unknown"),
        (good2, 201, None),
    ]
    assert count(central, Submission, id=good1) == 1
    assert count(central, Submission, id=invalid) == 0
    assert count(central, Submission, id=theirs, kiosk_id=other_kiosk.kiosk_id) == 1
    assert count(central, HelpCall, kiosk_id=kiosk.kiosk_id) == 0
    assert count(central, DeviceEventRow, batch_id=good2) == 1


def test_a_batch_is_signed_as_a_whole(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    (a,) = _ids(1)
    payload = _records(("submission", _submission(a)))
    body = json.dumps(payload).encode()
    nonces = count(central, Nonce, kiosk_id=kiosk.kiosk_id)
    unsigned = requests.post(central.url + BATCH, data=body, timeout=10,
                             headers={"Content-Type": "application/json"})
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "bad_signature")
    headers = signing.sign_headers(kiosk.secret, kiosk.kiosk_id, "POST", BATCH, body)
    swapped = json.dumps(_records(("submission", _submission(uuid.uuid4().hex)))).encode()
    tampered = requests.post(central.url + BATCH, data=swapped, timeout=10,
                             headers={**headers, "Content-Type": "application/json"})
    assert (tampered.status_code, tampered.json()["error"]) == (401, "bad_signature")
    stale = kiosk.post_json(BATCH, payload, now=time.time() - 301)
    assert (stale.status_code, stale.json()["error"]) == (401, "stale")
    as_other = SignedKiosk(central.url, kiosk.kiosk_id, bytes(32)).post_json(BATCH, payload)
    assert (as_other.status_code, as_other.json()["error"]) == (401, "bad_signature")
    assert count(central, Submission, id=a) == 0
    assert count(central, Nonce, kiosk_id=kiosk.kiosk_id) == nonces
    nonce = uuid.uuid4().hex
    assert kiosk.post_json(BATCH, payload, nonce=nonce).status_code == 200
    replay = kiosk.post_json(BATCH, payload, nonce=nonce)
    assert (replay.status_code, replay.json()["error"]) == (409, "replay")


def test_a_revoked_kiosk_cannot_send_a_batch(
    central: EmbeddedCentral, admin_token: str
) -> None:
    kiosk = enrol(central)
    revoked = requests.post(f"{central.url}/api/v1/kiosks/{kiosk.kiosk_id}/revoke",
                            headers={"Authorization": f"Bearer {admin_token}"}, timeout=10)
    assert revoked.status_code == 200
    (a,) = _ids(1)
    refused = kiosk.post_json(BATCH, _records(("submission", _submission(a))))
    assert (refused.status_code, refused.json()["error"]) == (403, "revoked")
    assert count(central, Submission, id=a) == 0


def test_batch_bounds(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    empty = kiosk.post_json(BATCH, {"records": []})
    assert (empty.status_code, empty.json()["error"]) == (422, "invalid_body")
    too_many = _records(*(("events", _events(i)) for i in _ids(MAX_BATCH_RECORDS + 1)))
    over = kiosk.post_json(BATCH, too_many)
    assert (over.status_code, over.json()["error"]) == (422, "invalid_body")
    unknown_kind = {"records": [{"id": "x", "kind": "logs", "body": {}}]}
    assert kiosk.post_json(BATCH, unknown_kind).status_code == 422
    oversized = kiosk.send("POST", BATCH, b"{" + b" " * (48 * 1024 * 1024 + 1) + b"}",
                           headers={"Content-Type": "application/json"})
    assert (oversized.status_code, oversized.json()["error"]) == (413, "body_too_large")
