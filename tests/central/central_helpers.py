"""Helpers for the central server's tests: a signing kiosk client, row counts, bearer headers."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import func, select

from central.embedded import EmbeddedCentral
from central.models import LogBlock
from wire import signing


def count(central: EmbeddedCentral, model: type, **where: Any) -> int:
    """Rows of ``model`` matching ``where``, read straight from the server's database."""
    with central.state.sessions() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def stored_log_lines(central: EmbeddedCentral, kiosk_id: str) -> int:
    """How many log lines the server keeps for the kiosk (the lines of its log blocks)."""
    with central.state.sessions() as session:
        query = select(func.sum(LogBlock.lines)).where(LogBlock.kiosk_id == kiosk_id)
        return int(session.scalar(query) or 0)


@dataclass
class SignedKiosk:
    """A kiosk's side of the protocol: signs each request like the real central client."""

    base: str
    kiosk_id: str
    secret: bytes

    def send(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        headers: dict[str, str] | None = None,
        now: float | None = None,
        nonce: str | None = None,
        sign_as: str | None = None,
        secret: bytes | None = None,
    ) -> requests.Response:
        signed = signing.sign_headers(
            secret or self.secret,
            sign_as or self.kiosk_id,
            method,
            path,
            body,
            now=now,
            nonce=nonce,
        )
        return requests.request(
            method, self.base + path, data=body, headers={**signed, **(headers or {})}, timeout=30
        )

    def post_json(
        self, path: str, payload: dict[str, Any], key: str | None = None, **kw: Any
    ) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers[signing.HEADER_IDEMPOTENCY] = key
        return self.send("POST", path, json.dumps(payload).encode(), headers=headers, **kw)

    def heartbeat(
        self,
        acked: list[str] | None = None,
        *,
        nonce: str | None = None,
        sign_as: str | None = None,
        **fields: Any,
    ) -> requests.Response:
        payload = {
            "kiosk_id": self.kiosk_id,
            "sent_at": "2024-05-01T08:00:00+08:00",
            "devices": {
                "printer": {"state": "ok", "reason": ""},
                "idcard": {"state": "absent", "reason": "device.absent"},
            },
            "queue_depth": 3,
            "versions": {"kiosk": "0.1.0"},
            "free_disk_bytes": 10**9,
            "out_of_service": False,
            "acked_commands": acked or [],
            **fields,
        }
        return self.post_json("/api/v1/heartbeat", payload, nonce=nonce, sign_as=sign_as)

    def upload_logs(
        self, key: str, lines: list[dict[str, Any]], query: str = ""
    ) -> requests.Response:
        data = gzip.compress("".join(json.dumps(line) + "\n" for line in lines).encode())
        headers = {
            "Content-Type": "application/x-ndjson",
            "Content-Encoding": "gzip",
            signing.HEADER_IDEMPOTENCY: key,
        }
        return self.send(
            "POST", "/api/v1/logs" + (f"?{query}" if query else ""), data, headers=headers
        )


def enrol(central: EmbeddedCentral) -> SignedKiosk:
    response = requests.post(
        central.url + "/api/v1/enrol",
        json={
            "pairing_code": central.pairing_code(),
            "hostname": "kiosk-test",
            "location": {"name": "大厅 A"},
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return SignedKiosk(central.url, body["kiosk_id"], bytes.fromhex(body["secret"]))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
