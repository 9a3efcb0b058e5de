"""The centre's request path under hostile input (issue 13): bodies bounded per endpoint while
streaming (memory bound under a 100 MB body), stored JSON bounded and a bad stored row not
breaking the fleet view, nonce races answered 409, one answer for unknown kiosk and bad
signature, pairing-code guesses throttled per address."""

from __future__ import annotations

import http.client
import json
import threading
import uuid
from pathlib import Path

import requests
from central_helpers import SignedKiosk, bearer, count, enrol

from central.bodylimit import LIMITS
from central.embedded import CentralProcess, EmbeddedCentral
from central.kiosk_api import PAIRING_MAX_FAILURES
from central.models import Kiosk, Nonce, PairingAttempt
from wire import signing

MB = 1024 * 1024


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _post_streamed(port: int, path: str, megabytes: int, *, declare: bool) -> int | None:
    """POST ``megabytes`` of JSON-ish bytes; the status, or None if the server hung up first."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    chunk = b'{"pairing_code": "' + b"9" * (MB - 20) + b'"}'[:0]
    try:
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", "application/json")
        if declare:
            connection.putheader("Content-Length", str(megabytes * MB))
        else:
            connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        for _ in range(megabytes):
            data = chunk.ljust(MB, b"9")
            connection.send(data if declare else b"%x\r\n%s\r\n" % (len(data), data))
        if not declare:
            connection.send(b"0\r\n\r\n")
        return connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        try:  # the server answered and hung up mid-body: its answer may still be readable
            return connection.getresponse().status
        except (OSError, http.client.HTTPException):
            return None
    finally:
        connection.close()


def test_a_100_mb_body_is_refused_while_streaming_with_memory_bounded(tmp_path: Path) -> None:
    with CentralProcess(tmp_path) as server:
        requests.get(server.url + "/openapi.json", timeout=10)
        before = _peak_rss_mb(server.pid)
        statuses = [
            _post_streamed(server.port, "/api/v1/enrol", 100, declare=False),
            _post_streamed(server.port, "/api/v1/enrol", 100, declare=True),
            _post_streamed(server.port, "/api/v1/heartbeat", 100, declare=False),
        ]
        assert all(status in (413, None) for status in statuses), statuses
        assert 413 in statuses
        grown = _peak_rss_mb(server.pid) - before
        assert grown < 32, f"the server's peak memory grew {grown:.0f} MB for 100 MB bodies"
        small = requests.post(server.url + "/api/v1/enrol", json={"pairing_code": "0"}, timeout=10)
        assert small.status_code == 404  # still serving


def test_limits_are_per_endpoint(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    padding = "x" * (LIMITS["/api/v1/enrol"] + 1)
    enrol_reply = requests.post(
        central.url + "/api/v1/enrol", json={"pairing_code": "1", "hostname": padding}, timeout=10
    )
    assert (enrol_reply.status_code, enrol_reply.json()["error"]) == (413, "body_too_large")
    heartbeat = kiosk.heartbeat(versions={"pad": "x" * LIMITS["/api/v1/heartbeat"]})
    assert heartbeat.status_code == 413
    record = uuid.uuid4().hex
    big_document = {"id": record, "reference": "GJZ-1", "scenario": "s",
                    "document": {"note": "x" * (2 * MB)}, "materials": []}
    submitted = kiosk.post_json("/api/v1/submissions", big_document, key=record)
    assert submitted.status_code == 201, submitted.text  # 2 MB is fine for a submission


def _deep(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels):
        value = {"a": value}
    return value


def test_deep_json_is_refused_and_a_stored_bad_row_does_not_break_the_fleet_view(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str
) -> None:
    enrolled = requests.post(
        central.url + "/api/v1/enrol",
        json={"pairing_code": central.pairing_code(), "location": _deep(300)},
        timeout=10,
    )
    assert (enrolled.status_code, enrolled.json()["error"]) == (422, "json_too_deep")
    beat = kiosk.heartbeat(versions=_deep(300))
    assert (beat.status_code, beat.json()["error"]) == (422, "json_too_deep")
    record = uuid.uuid4().hex
    document = {"id": record, "reference": "GJZ-2", "scenario": "s", "document": _deep(300)}
    refused = kiosk.post_json("/api/v1/submissions", document, key=record)
    assert (refused.status_code, refused.json()["error"]) == (422, "json_too_deep")
    with central.state.sessions() as db:  # a row stored before the bound existed
        db.get(Kiosk, kiosk.kiosk_id).location = _deep(500)  # type: ignore[union-attr]
        db.commit()
    fleet = requests.get(central.url + "/api/v1/kiosks", headers=bearer(admin_token), timeout=10)
    assert fleet.status_code == 200, fleet.text
    mine = next(k for k in fleet.json() if k["kiosk_id"] == kiosk.kiosk_id)
    assert "_unreadable" in json.dumps(mine)


def test_identical_requests_racing_get_one_success_and_409s(
    central: EmbeddedCentral, kiosk: SignedKiosk
) -> None:
    body = json.dumps({"kiosk_id": kiosk.kiosk_id, "sent_at": "2026-05-01T08:00:00Z"}).encode()
    headers = signing.sign_headers(kiosk.secret, kiosk.kiosk_id, "POST", "/api/v1/heartbeat", body)
    headers["Content-Type"] = "application/json"
    statuses: list[int] = []
    gate = threading.Barrier(8)

    def send() -> None:
        with requests.Session() as http_session:
            gate.wait()
            reply = http_session.post(
                central.url + "/api/v1/heartbeat", data=body, headers=headers, timeout=30
            )
            statuses.append(reply.status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 7, statuses
    assert count(central, Nonce, kiosk_id=kiosk.kiosk_id, nonce=headers["X-Nonce"]) == 1


def test_unknown_kiosk_and_bad_signature_get_the_same_answer(
    central: EmbeddedCentral, kiosk: SignedKiosk
) -> None:
    forged = SignedKiosk(central.url, kiosk.kiosk_id, b"\x00" * 32).heartbeat()
    unknown = SignedKiosk(central.url, "k-" + "0" * 12, kiosk.secret).heartbeat(
        sign_as="k-" + "0" * 12
    )
    assert forged.status_code == unknown.status_code == 401
    assert forged.json() == unknown.json() == {"error": "bad_signature"}


def test_pairing_code_guesses_are_throttled_per_address() -> None:
    with EmbeddedCentral() as central:
        statuses = [
            requests.post(
                central.url + "/api/v1/enrol", json={"pairing_code": f"{n:08d}"}, timeout=10
            ).status_code
            for n in range(PAIRING_MAX_FAILURES + 3)
        ]
        assert statuses[:PAIRING_MAX_FAILURES] == [404] * PAIRING_MAX_FAILURES
        assert statuses[PAIRING_MAX_FAILURES:] == [429] * 3
        good = requests.post(
            central.url + "/api/v1/enrol", json={"pairing_code": central.pairing_code()},
            timeout=10,
        )
        assert (good.status_code, good.json()["error"]) == (429, "too_many_attempts")
        assert count(central, PairingAttempt, address="127.0.0.1") == 1  # kept in the database
        with central.state.sessions() as db:  # the window ends: guesses are counted afresh
            db.get(PairingAttempt, "127.0.0.1").window_start -= 3600  # type: ignore[union-attr]
            db.commit()
        assert enrol(central).kiosk_id
