"""The console over plain HTTP: login sessions, CSRF, roles, kiosk actions with confirmation,
follow-ups, help calls, fleet alerts (offline after 3 missed heartbeats) and the webhook."""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import requests
from applications_helpers import LICENCE_DEPT, applicant, reference, submission
from central_helpers import SignedKiosk

from central import alerts
from central.embedded import EmbeddedCentral
from central.models import Kiosk
from central.models_applications import Alert, AuditEntry, Rating
from wire.models import utc_now


def _session(central: EmbeddedCentral, token: str) -> tuple[requests.Session, str]:
    web = requests.Session()
    reply = web.post(central.url + "/console/login", data={"token": token}, timeout=10)
    assert reply.status_code == 200 and reply.url.endswith("/console/fleet"), reply.text[:300]
    csrf = re.search(r'name="csrf" value="([^"]+)"', reply.text)
    assert csrf is not None
    return web, csrf.group(1)


def _submit(kiosk: SignedKiosk, seed: int) -> str:
    ref = reference()
    body = submission(applicant(seed), ref)
    assert kiosk.post_json("/api/v1/submissions", body, key=body["id"]).status_code == 201
    return body["id"]


def test_login_is_needed_and_forms_need_the_csrf_token(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str
) -> None:
    anonymous = requests.get(central.url + "/console/applications", timeout=10)
    assert anonymous.url.endswith("/console/login")
    bad = requests.post(central.url + "/console/login", data={"token": "kc_nope"}, timeout=10)
    assert bad.status_code == 401 and "令牌无效" in bad.text
    raw = requests.post(central.url + "/console/login", data={"token": admin_token},
                        allow_redirects=False, timeout=10)
    cookie = raw.headers["set-cookie"].lower()
    assert raw.status_code == 303 and "httponly" in cookie and "samesite=strict" in cookie
    web, csrf = _session(central, admin_token)
    target = f"{central.url}/console/kiosks/{kiosk.kiosk_id}/command"
    forged = web.post(target, data={"kind": "print_test_page"}, timeout=10)
    assert forged.status_code == 403 and "reload the page" in forged.text
    sent = web.post(target, data={"kind": "print_test_page", "csrf": csrf}, timeout=10)
    assert sent.status_code == 200 and "print_test_page" in sent.text
    web.post(central.url + "/console/logout", data={"csrf": csrf}, timeout=10)
    assert web.get(central.url + "/console/fleet", timeout=10).url.endswith("/console/login")


def test_revoke_needs_confirmation_and_can_be_undone(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str, viewer_token: str
) -> None:
    web, csrf = _session(central, admin_token)
    target = f"{central.url}/console/kiosks/{kiosk.kiosk_id}/revoke"
    unconfirmed = web.post(target, data={"csrf": csrf, "confirm": "k-other"}, timeout=10)
    assert unconfirmed.status_code == 422
    assert kiosk.heartbeat().status_code == 200
    assert web.post(target, data={"csrf": csrf, "confirm": kiosk.kiosk_id}, timeout=10).ok
    assert kiosk.heartbeat().status_code == 403
    assert web.post(target, data={"csrf": csrf, "confirm": kiosk.kiosk_id, "action": "enable"},
                    timeout=10).ok
    assert kiosk.heartbeat().status_code == 200
    viewer, viewer_csrf = _session(central, viewer_token)
    refused = viewer.post(target, data={"csrf": viewer_csrf, "confirm": kiosk.kiosk_id}, timeout=10)
    assert refused.status_code == 403
    assert viewer.get(central.url + "/console/audit", timeout=10).status_code == 403
    with central.state.sessions() as db:
        actions = [a.action for a in db.query(AuditEntry).filter(AuditEntry.target == kiosk.kiosk_id)]
    assert actions.count("kiosk.revoke") == 1 and actions.count("kiosk.enable") == 1


def test_clerks_see_their_department_and_viewers_no_personal_data(
    central: EmbeddedCentral, kiosk: SignedKiosk, viewer_token: str
) -> None:
    from central.credentials import create_token

    submission_id = _submit(kiosk, 700)
    with central.state.sessions() as db:
        licence = create_token(db, "clerk", "licence clerk", LICENCE_DEPT)
        tax = create_token(db, "clerk", "tax clerk", "区税务局")
    person = applicant(700)
    page = f"{central.url}/console/applications/{submission_id}"
    clerk, _ = _session(central, licence)
    assert person.id_number in clerk.get(page, timeout=10).text
    other, _ = _session(central, tax)
    assert other.get(page, timeout=10).status_code == 403
    viewer, _ = _session(central, viewer_token)
    shown = viewer.get(page, timeout=10)
    assert shown.status_code == 200 and person.id_number not in shown.text
    assert person.name not in shown.text and "不能查看申请人信息" in shown.text


def test_followups_and_help_calls(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str
) -> None:
    rating = {"id": uuid.uuid4().hex, "reference": "GJZ-R", "level": 1, "reasons": ["slow"],
              "rated_at": "2026-12-04T10:00:00Z"}
    assert kiosk.post_json("/api/v1/ratings", rating, key=rating["id"]).status_code == 201
    call = {"id": uuid.uuid4().hex, "screen": "form", "called_at": "2026-12-04T10:00:00Z"}
    assert kiosk.post_json("/api/v1/help-calls", call, key=call["id"]).status_code == 201
    web, csrf = _session(central, admin_token)
    assert "办理太慢" in web.get(central.url + "/console/ratings", timeout=10).text
    web.post(f"{central.url}/console/ratings/{rating['id']}/followup",
             data={"csrf": csrf, "status": "called_back", "note": "已电话回访"}, timeout=10)
    with central.state.sessions() as db:
        row = db.get(Rating, rating["id"])
        assert row is not None and row.followup_status == "called_back"
    fleet = web.get(central.url + "/console/fleet", timeout=10).text
    assert "呼叫工作人员" in fleet
    web.post(f"{central.url}/console/help-calls/{call['id']}/handled", data={"csrf": csrf},
             timeout=10)
    with central.state.sessions() as db:
        alert = db.get(Alert, f"help:{kiosk.kiosk_id}:{call['id']}")
        assert alert is not None and alert.cleared_at is not None


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def test_offline_after_three_missed_heartbeats_and_webhook_once(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str
) -> None:
    assert kiosk.heartbeat().status_code == 200
    beat = central.state.heartbeat_seconds
    with central.state.sessions() as db:
        open_now = {a.key for a in alerts.evaluate(db, beat)}
        assert f"offline:{kiosk.kiosk_id}:" not in open_now
        row = db.get(Kiosk, kiosk.kiosk_id)
        assert row is not None
        row.last_heartbeat = utc_now() - timedelta(seconds=3 * beat + 5)
        db.commit()
        assert f"offline:{kiosk.kiosk_id}:" in {a.key for a in alerts.evaluate(db, beat)}
    web, _ = _session(central, admin_token)
    assert "离线" in web.get(central.url + "/console/fleet", timeout=10).text
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        _Hook.received.clear()
        alerts.notify(central.state.sessions, url)
        alerts.notify(central.state.sessions, url)
        mine = [a for a in _Hook.received if a["kiosk_id"] == kiosk.kiosk_id]
        assert [a["kind"] for a in mine] == ["offline"]
        assert mine[0]["label_zh"] == "离线"
    finally:
        server.shutdown()
    assert kiosk.heartbeat().status_code == 200
    with central.state.sessions() as db:
        assert f"offline:{kiosk.kiosk_id}:" not in {a.key for a in alerts.evaluate(db, beat)}
