"""Helpers for the reporting tests (imported by conftest and the tests; unique module name)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import requests

from central.embedded import EmbeddedCentral
from kiosk.central_client import CentralClient


@dataclass
class Enrolled:
    kiosk_id: str
    secret: bytes
    url: str

    def client(self, url: str | None = None) -> CentralClient:
        return CentralClient(url or self.url, self.kiosk_id, self.secret, timeout=5.0)


class BackOffice:
    """The back-office API of the running server, with an admin token."""

    def __init__(self, central: EmbeddedCentral) -> None:
        self.central = central
        self.headers = {"Authorization": f"Bearer {central.token('admin')}"}

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(self.central.url + "/api/v1" + path, headers=self.headers, timeout=10, **kwargs)

    def post(self, path: str, payload: dict[str, Any] | None = None) -> requests.Response:
        return requests.post(self.central.url + "/api/v1" + path, json=payload or {}, headers=self.headers, timeout=10)

    def kiosk(self, kiosk_id: str) -> dict[str, Any]:
        reply = self.get("/kiosks")
        reply.raise_for_status()
        return next(k for k in reply.json() if k["kiosk_id"] == kiosk_id)

    def command(self, kiosk_id: str, kind: str, args: dict[str, Any] | None = None) -> str:
        reply = self.post(f"/kiosks/{kiosk_id}/commands", {"kind": kind, "args": args or {}})
        assert reply.status_code == 201, reply.text
        return reply.json()["id"]

    def revoke(self, kiosk_id: str) -> None:
        assert self.post(f"/kiosks/{kiosk_id}/revoke").status_code == 200


def enrol(central: EmbeddedCentral) -> Enrolled:
    client = CentralClient(central.url)
    reply = client.enrol(central.pairing_code(), "test-host", {"name": "test"}, {"kiosk": "test"})
    client.close()
    return Enrolled(reply["kiosk_id"], bytes.fromhex(reply["secret"]), central.url)


def free_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def server_submissions(central: EmbeddedCentral, kiosk_id: str) -> list[tuple[str, str]]:
    """(id, reference) of every submission the server stored for the kiosk."""
    from sqlalchemy import select

    from central.models import Submission

    with central.state.sessions() as session:
        rows = session.execute(
            select(Submission.id, Submission.reference).where(Submission.kiosk_id == kiosk_id)
        ).all()
    return [(r[0], r[1]) for r in rows]


def provision(argv: list[str]) -> int:
    """``kiosk-provision`` with only this area's commands (others' modules may be mid-edit)."""
    import argparse

    from kiosk.cli_support import run
    from provisioning.commands import configure, detect, enrol, selftest, service

    parser = argparse.ArgumentParser(prog="kiosk-provision")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (configure, detect, enrol, selftest, service):
        module.register(sub)
    return run(parser, argv)
