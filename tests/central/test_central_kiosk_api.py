"""The kiosk endpoints against a real server: enrolment, heartbeat + commands, idempotent records,
and every refusal (signature, clock, replay, another kiosk, revoked) storing nothing."""

from __future__ import annotations

import base64
import json
import time
import uuid

import requests
from central_helpers import SignedKiosk, bearer, count, enrol

from central.embedded import EmbeddedCentral
from central.models import DeviceEventRow, Kiosk, Nonce, Submission, SubmissionMaterial
from identity.idnumber import generate_person
from wire import signing


def _submission(record_id: str) -> dict:
    person = generate_person()
    return {
        "id": record_id,
        "reference": "GJZ-" + record_id[:8].upper(),
        "scenario": "new_enterprise",
        "document": {
            "applicant": {"name": person.name, "id_number": person.id_number},
            "enterprise": {"name": "大连测试有限公司"},
        },
        "materials": [
            {
                "name": "id_front.jpg",
                "content_type": "image/jpeg",
                "data_b64": base64.b64encode(b"\xff\xd8fakejpeg").decode(),
            }
        ],
    }


def test_pairing_code_enrols_once(central: EmbeddedCentral) -> None:
    code = central.pairing_code()
    first = requests.post(
        central.url + "/api/v1/enrol",
        json={"pairing_code": code.lower(), "hostname": "h"},
        timeout=10,
    )
    assert first.status_code == 201
    body = first.json()
    assert len(bytes.fromhex(body["secret"])) == 32
    assert body["heartbeat_seconds"] == 30
    again = requests.post(
        central.url + "/api/v1/enrol", json={"pairing_code": code, "hostname": "h"}, timeout=10
    )
    assert (again.status_code, again.json()["error"]) == (410, "pairing_code_used")
    unknown = requests.post(
        central.url + "/api/v1/enrol", json={"pairing_code": "ZZZZ-ZZZZ"}, timeout=10
    )
    assert (unknown.status_code, unknown.json()["error"]) == (404, "pairing_code_unknown")


def test_expired_pairing_code_is_unknown(central: EmbeddedCentral) -> None:
    code = central.pairing_code(ttl_seconds=-1)
    response = requests.post(central.url + "/api/v1/enrol", json={"pairing_code": code}, timeout=10)
    assert (response.status_code, response.json()["error"]) == (404, "pairing_code_unknown")


def test_heartbeat_delivers_commands_until_acked(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str
) -> None:
    first = kiosk.heartbeat()
    assert first.status_code == 200, first.text
    assert first.json()["commands"] == []
    queued = requests.post(
        f"{central.url}/api/v1/kiosks/{kiosk.kiosk_id}/commands",
        json={"kind": "out_of_service", "args": {"on": True, "reason": "paper"}},
        headers=bearer(admin_token),
        timeout=10,
    )
    assert queued.status_code == 201, queued.text
    command_id = queued.json()["id"]
    for _ in range(2):  # not acked yet: sent again
        commands = kiosk.heartbeat().json()["commands"]
        assert commands == [
            {"id": command_id, "kind": "out_of_service", "args": {"on": True, "reason": "paper"}}
        ]
    assert kiosk.heartbeat(acked=[command_id], out_of_service=True).json()["commands"] == []
    assert kiosk.heartbeat().json()["commands"] == []
    fleet = requests.get(
        central.url + "/api/v1/kiosks", headers=bearer(admin_token), timeout=10
    ).json()
    mine = next(k for k in fleet if k["kiosk_id"] == kiosk.kiosk_id)
    assert mine["devices"]["idcard"] == {"state": "absent", "reason": "device.absent"}
    assert mine["queue_depth"] == 3
    assert mine["pending_commands"] == 0
    assert mine["last_heartbeat"] is not None
    assert mine["location"] == {"name": "大厅 A"}


def test_submission_is_stored_once(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    record = uuid.uuid4().hex
    first = kiosk.post_json("/api/v1/submissions", _submission(record), key=record)
    assert first.status_code == 201, first.text
    # the outbox sends the same record again: signed anew (fresh nonce), same bytes
    repeat = kiosk.send(
        "POST",
        "/api/v1/submissions",
        first.request.body,
        headers={"Content-Type": "application/json", "Idempotency-Key": record},
    )
    assert repeat.status_code == 200
    assert repeat.content == first.content
    assert count(central, Submission, id=record) == 1
    assert count(central, SubmissionMaterial, submission_id=record) == 1
    payload = _submission(record)
    changed = kiosk.post_json("/api/v1/submissions", payload, key=record)
    assert (changed.status_code, changed.json()["error"]) == (422, "idempotency_mismatch")
    assert count(central, Submission, id=record) == 1


def test_submission_needs_matching_key(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    record = uuid.uuid4().hex
    missing = kiosk.post_json("/api/v1/submissions", _submission(record))
    assert (missing.status_code, missing.json()["error"]) == (400, "idempotency_key_missing")
    other = kiosk.post_json("/api/v1/submissions", _submission(record), key=uuid.uuid4().hex)
    assert (other.status_code, other.json()["error"]) == (422, "id_mismatch")
    assert count(central, Submission, id=record) == 0


def test_events_are_stored_once(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    batch = uuid.uuid4().hex
    payload = {
        "id": batch,
        "events": [
            {
                "at": "2024-05-01T08:00:00Z",
                "kind": "device_state",
                "device": "printer",
                "state": "fault",
                "reason": "printer.paper_out",
            }
        ]
        * 2,
    }
    first = kiosk.post_json("/api/v1/events", payload, key=batch)
    assert first.status_code == 201, first.text
    assert first.json()["events"] == 2
    again = kiosk.post_json("/api/v1/events", payload, key=batch)
    assert (again.status_code, again.content) == (200, first.content)
    assert count(central, DeviceEventRow, batch_id=batch) == 2


def _nothing_stored(
    central: EmbeddedCentral, kiosk: SignedKiosk, record: str, nonces_before: int
) -> None:
    assert count(central, Submission, id=record) == 0
    assert count(central, Nonce, kiosk_id=kiosk.kiosk_id) == nonces_before


def test_tampered_body_is_refused(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    record = uuid.uuid4().hex
    headers = {"Content-Type": "application/json", "Idempotency-Key": record}
    good = json.dumps(_submission(record)).encode()
    signed = signing.sign_headers(kiosk.secret, kiosk.kiosk_id, "POST", "/api/v1/submissions", good)
    nonces = count(central, Nonce, kiosk_id=kiosk.kiosk_id)
    tampered = good.replace(b"new_enterprise", b"old_enterprise")
    response = requests.post(
        central.url + "/api/v1/submissions",
        data=tampered,
        headers={**signed, **headers},
        timeout=10,
    )
    assert (response.status_code, response.json()["error"]) == (401, "bad_signature")
    _nothing_stored(central, kiosk, record, nonces)
    unsigned = requests.post(
        central.url + "/api/v1/submissions", data=good, headers=headers, timeout=10
    )
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "bad_signature")
    wrong_key = kiosk.post_json(
        "/api/v1/submissions", _submission(record), key=record, secret=bytes(32)
    )
    assert (wrong_key.status_code, wrong_key.json()["error"]) == (401, "bad_signature")
    _nothing_stored(central, kiosk, record, nonces)


def test_stale_timestamp_is_refused(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    record = uuid.uuid4().hex
    nonces = count(central, Nonce, kiosk_id=kiosk.kiosk_id)
    for skew in (-330, 330):  # the 300 s window, with room for a slow request
        response = kiosk.post_json(
            "/api/v1/submissions", _submission(record), key=record, now=time.time() + skew
        )
        assert (response.status_code, response.json()["error"]) == (401, "stale")
    _nothing_stored(central, kiosk, record, nonces)
    inside = kiosk.post_json(
        "/api/v1/submissions", _submission(record), key=record, now=time.time() - 200
    )
    assert inside.status_code == 201


def test_replayed_nonce_is_refused(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    nonce = uuid.uuid4().hex
    assert kiosk.heartbeat(nonce=nonce).status_code == 200
    with central.state.sessions() as session:
        heard = session.get(Kiosk, kiosk.kiosk_id).last_heartbeat
    replay = kiosk.heartbeat(nonce=nonce)
    assert (replay.status_code, replay.json()["error"]) == (409, "replay")
    with central.state.sessions() as session:
        assert session.get(Kiosk, kiosk.kiosk_id).last_heartbeat == heard


def test_kiosk_cannot_write_for_another(
    central: EmbeddedCentral, kiosk: SignedKiosk, other_kiosk: SignedKiosk
) -> None:
    as_other = kiosk.heartbeat(kiosk_id=other_kiosk.kiosk_id)
    assert (as_other.status_code, as_other.json()["error"]) == (403, "forbidden")
    with central.state.sessions() as session:
        assert session.get(Kiosk, other_kiosk.kiosk_id).last_heartbeat is None
    # claiming to be the other kiosk in the header, signed with our own secret
    spoofed = kiosk.heartbeat(kiosk_id=other_kiosk.kiosk_id, sign_as=other_kiosk.kiosk_id)
    assert (spoofed.status_code, spoofed.json()["error"]) == (401, "bad_signature")
    # a record id the other kiosk already owns
    record = uuid.uuid4().hex
    assert (
        other_kiosk.post_json("/api/v1/submissions", _submission(record), key=record).status_code
        == 201
    )
    stolen = kiosk.post_json("/api/v1/submissions", _submission(record), key=record)
    assert (stolen.status_code, stolen.json()["error"]) == (403, "forbidden")
    assert count(central, Submission, kiosk_id=kiosk.kiosk_id) == 0
    unknown = SignedKiosk(central.url, "k-000000000000", bytes(32)).heartbeat()
    assert (unknown.status_code, unknown.json()["error"]) == (401, "bad_signature")  # no telling which ids exist


def test_revoked_kiosk_is_refused(central: EmbeddedCentral, admin_token: str) -> None:
    kiosk = enrol(central)
    assert kiosk.heartbeat().status_code == 200
    revoked = requests.post(
        f"{central.url}/api/v1/kiosks/{kiosk.kiosk_id}/revoke",
        headers=bearer(admin_token),
        timeout=10,
    )
    assert revoked.json() == {"kiosk_id": kiosk.kiosk_id, "revoked": True}
    record = uuid.uuid4().hex
    nonces = count(central, Nonce, kiosk_id=kiosk.kiosk_id)
    refused = kiosk.post_json("/api/v1/submissions", _submission(record), key=record)
    assert (refused.status_code, refused.json()["error"]) == (403, "revoked")
    assert kiosk.heartbeat().json()["error"] == "revoked"
    _nothing_stored(central, kiosk, record, nonces)
    fleet = requests.get(
        central.url + "/api/v1/kiosks", headers=bearer(admin_token), timeout=10
    ).json()
    assert next(k for k in fleet if k["kiosk_id"] == kiosk.kiosk_id)["revoked"] is True


def test_signed_but_invalid_body_stores_nothing(
    central: EmbeddedCentral, kiosk: SignedKiosk
) -> None:
    nonces = count(central, Nonce, kiosk_id=kiosk.kiosk_id)
    response = kiosk.heartbeat(queue_depth=-1)
    assert (response.status_code, response.json()["error"]) == (422, "invalid_body")
    assert count(central, Nonce, kiosk_id=kiosk.kiosk_id) == nonces
    with central.state.sessions() as session:
        assert session.get(Kiosk, kiosk.kiosk_id).last_heartbeat is None
