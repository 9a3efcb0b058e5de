"""Back-office endpoints against a real server: token roles, log upload and range pull with
coverage, and the committed OpenAPI document."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from central_helpers import SignedKiosk, bearer, count, stored_log_lines

from central.commands.openapi import spec
from central.embedded import EmbeddedCentral
from central.models import KioskCommand, PairingCode

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def _at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def _lines(first: int, last: int) -> list[dict]:
    return [
        {"at": _at(m), "level": "INFO", "logger": "kiosk.flow", "msg": f"step {m}"}
        for m in range(first, last)
    ]


def _range(since: float, until: float) -> dict[str, str]:
    return {"since": _at(since), "until": _at(until)}


def test_viewer_cannot_change_anything(
    central: EmbeddedCentral, kiosk: SignedKiosk, viewer_token: str
) -> None:
    url = central.url + "/api/v1"
    assert (
        requests.get(url + "/kiosks", headers=bearer(viewer_token), timeout=10).status_code == 200
    )
    attempts = [
        (f"/kiosks/{kiosk.kiosk_id}/commands", {"kind": "reload_catalog", "args": {}}),
        (f"/kiosks/{kiosk.kiosk_id}/revoke", None),
        ("/pairing-codes", {"ttl_seconds": 600}),
    ]
    codes_before = count(central, PairingCode)
    for path, body in attempts:
        response = requests.post(url + path, json=body, headers=bearer(viewer_token), timeout=10)
        assert (response.status_code, response.json()["error"]) == (403, "forbidden_role"), path
    assert count(central, KioskCommand, kiosk_id=kiosk.kiosk_id) == 0
    assert count(central, PairingCode) == codes_before
    assert kiosk.heartbeat().status_code == 200  # not revoked


def test_tokens_are_required(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    url = central.url + "/api/v1"
    for headers in ({}, bearer("kc_not-a-token"), {"Authorization": "Basic abc"}):
        response = requests.get(url + "/kiosks", headers=headers, timeout=10)
        assert (response.status_code, response.json()["error"]) == (401, "unauthorized")
        queued = requests.post(
            url + f"/kiosks/{kiosk.kiosk_id}/commands",
            json={"kind": "reload_catalog"},
            headers=headers,
            timeout=10,
        )
        assert queued.status_code == 401


def test_admin_commands_are_checked(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str
) -> None:
    url = f"{central.url}/api/v1/kiosks/{kiosk.kiosk_id}/commands"
    bad_args = requests.post(
        url,
        json={"kind": "upload_logs", "args": {"since": "yesterday"}},
        headers=bearer(admin_token),
        timeout=10,
    )
    assert (bad_args.status_code, bad_args.json()["error"]) == (422, "invalid_args")
    backwards = requests.post(
        url,
        json={"kind": "upload_logs", "args": _range(10, 0)},
        headers=bearer(admin_token),
        timeout=10,
    )
    assert backwards.json()["error"] == "invalid_args"
    unknown = requests.post(
        f"{central.url}/api/v1/kiosks/k-nope/commands",
        json={"kind": "reload_catalog"},
        headers=bearer(admin_token),
        timeout=10,
    )
    assert (unknown.status_code, unknown.json()["error"]) == (404, "kiosk_unknown")
    code = requests.post(
        central.url + "/api/v1/pairing-codes",
        json={"ttl_seconds": 600},
        headers=bearer(admin_token),
        timeout=10,
    )
    assert code.status_code == 201
    assert (
        requests.post(
            central.url + "/api/v1/enrol", json={"pairing_code": code.json()["code"]}, timeout=10
        ).status_code
        == 201
    )


def test_log_upload_and_range_pull(
    central: EmbeddedCentral, kiosk: SignedKiosk, viewer_token: str
) -> None:
    logs = f"{central.url}/api/v1/kiosks/{kiosk.kiosk_id}/logs"
    first = kiosk.upload_logs(
        "batch-1",
        _lines(0, 30),
        query="since=" + _at(0).replace("+", "%2B") + "&until=" + _at(30).replace("+", "%2B"),
    )
    assert first.status_code == 201, first.text
    assert first.json() == {"id": "batch-1", "lines": 30}
    # the same batch again, gzip'd anew (another gzip header time): stored once, same answer
    again = kiosk.upload_logs(
        "batch-1",
        _lines(0, 30),
        query="since=" + _at(0).replace("+", "%2B") + "&until=" + _at(30).replace("+", "%2B"),
    )
    assert (again.status_code, again.json()) == (200, first.json())
    coverage = requests.get(
        logs + "/coverage", params=_range(0, 60), headers=bearer(viewer_token), timeout=10
    ).json()
    assert coverage["coverage"] == "partial"
    assert abs(coverage["covered_fraction"] - 0.5) < 1e-6
    partial = requests.get(logs, params=_range(10, 60), headers=bearer(viewer_token), timeout=10)
    assert partial.headers["X-Log-Coverage"] == "partial"
    assert partial.headers["Content-Encoding"] == "gzip"  # requests asks for gzip and unpacks it
    assert [json.loads(line)["msg"] for line in partial.text.splitlines()] == [
        f"step {m}" for m in range(10, 30)
    ]
    # an overlapping upload covering the rest: overlapping lines are not stored twice
    second = kiosk.upload_logs(
        "batch-2", _lines(20, 60), query=f"since={_at(20)}&until={_at(60)}".replace("+", "%2B")
    )
    assert second.json()["lines"] == 40
    assert stored_log_lines(central, kiosk.kiosk_id) == 60
    full = requests.get(
        logs,
        params=_range(0, 60),
        headers={**bearer(viewer_token), "Accept-Encoding": "identity"},
        timeout=10,
    )
    assert full.headers["X-Log-Coverage"] == "complete"
    assert "Content-Encoding" not in full.headers
    assert [json.loads(line)["msg"] for line in full.text.splitlines()] == [
        f"step {m}" for m in range(60)
    ]


def test_log_upload_is_refused_when_broken(central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    headers = {"Content-Encoding": "gzip", "Idempotency-Key": uuid.uuid4().hex}
    truncated = gzip.compress(b'{"at": "2024-05-01T08:00:00Z"}\n' * 100)[:-10]
    broken = kiosk.send("POST", "/api/v1/logs", truncated, headers=headers)
    assert (broken.status_code, broken.json()["error"]) == (422, "bad_gzip")
    backwards = kiosk.upload_logs(
        uuid.uuid4().hex, _lines(0, 1), query=f"since={_at(5)}&until={_at(0)}".replace("+", "%2B")
    )
    assert backwards.json()["error"] == "bad_range"
    assert stored_log_lines(central, kiosk.kiosk_id) == 0


def test_log_line_without_time_is_kept(
    central: EmbeddedCentral, kiosk: SignedKiosk, viewer_token: str
) -> None:
    body = gzip.compress(b'not json at all\n{"msg": "no time"}\n')
    response = kiosk.send(
        "POST",
        "/api/v1/logs?" + f"since={_at(0)}&until={_at(1)}".replace("+", "%2B"),
        body,
        headers={"Content-Encoding": "gzip", "Idempotency-Key": "odd"},
    )
    assert response.json()["lines"] == 2
    pulled = requests.get(
        f"{central.url}/api/v1/kiosks/{kiosk.kiosk_id}/logs",
        params=_range(0, 1),
        headers=bearer(viewer_token),
        timeout=10,
    )
    records = [json.loads(line) for line in pulled.text.splitlines()]
    assert sorted(r.get("unparsed", r.get("msg")) for r in records) == [
        "no time",
        "not json at all",
    ]
    assert next(r for r in records if "unparsed" in r)["at"] == _at(0)


def test_committed_openapi_matches_the_app() -> None:
    committed = json.loads(
        (Path(__file__).resolve().parents[2] / "central" / "openapi.json").read_text("utf-8")
    )
    assert committed == spec(), "regenerate with: kiosk-central openapi --out central/openapi.json"


def test_console_log_download_gives_the_range_in_time_order(
    central: EmbeddedCentral, kiosk: SignedKiosk, viewer_token: str
) -> None:
    shuffled = _lines(0, 40)
    shuffled.reverse()  # out of time order: the store sorts them
    query = f"since={_at(0)}&until={_at(40)}".replace("+", "%2B")
    assert kiosk.upload_logs("console-1", shuffled, query=query).status_code == 201
    web = requests.Session()
    assert web.post(central.url + "/console/login", data={"token": viewer_token}, timeout=10).ok
    reply = web.get(
        f"{central.url}/console/kiosks/{kiosk.kiosk_id}/logs",
        params={"since": _at(5), "until": _at(50)},
        timeout=10,
    )
    assert reply.status_code == 200
    assert reply.headers["X-Log-Coverage"] == "partial"
    assert "attachment" in reply.headers["Content-Disposition"]
    assert [json.loads(line)["msg"] for line in reply.text.splitlines()] == [
        f"step {m}" for m in range(5, 40)
    ]
