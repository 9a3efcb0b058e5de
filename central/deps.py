"""Request plumbing shared by the routers: the server's state, DB sessions, refusals, auth.

Kiosk requests are checked in this order: headers present, kiosk known, signature, revoked,
timestamp window, nonce unseen. The nonce is added to the request's transaction, so a request
refused later (bad body, another kiosk's record) stores nothing, not even its nonce.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from cryptography.fernet import Fernet
from fastapi import Depends, Header, Request
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from central.credentials import hash_token
from central.models import ApiToken, Kiosk, Nonce
from wire import signing
from wire.models import ErrorBody, Role

NONCE_PRUNE_EVERY_SECONDS = 60.0


class Refusal(Exception):
    """Answered as ``{"error": error}`` with ``status``."""

    def __init__(self, status: int, error: str, detail: Any = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.detail = detail


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the refusals a route can give."""
    return {status: {"model": ErrorBody} for status in statuses}


@dataclass
class CentralState:
    engine: Engine
    sessions: sessionmaker
    fernet: Fernet
    heartbeat_seconds: int
    _secrets: dict[str, bytes] = field(default_factory=dict)
    _last_prune: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def kiosk_secret(self, kiosk: Kiosk) -> bytes:
        secret = self._secrets.get(kiosk.id)
        if secret is None:
            secret = self.fernet.decrypt(kiosk.secret_enc)
            self._secrets[kiosk.id] = secret
        return secret

    def forget_secret(self, kiosk_id: str) -> None:
        self._secrets.pop(kiosk_id, None)

    def prune_nonces_due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - self._last_prune < NONCE_PRUNE_EVERY_SECONDS:
                return False
            self._last_prune = now
            return True


def get_state(request: Request) -> CentralState:
    return request.app.state.central


def get_db(request: Request) -> Iterator[Session]:
    with get_state(request).sessions() as session:
        yield session


async def raw_body(request: Request) -> bytes:
    return await request.body()


State = Annotated[CentralState, Depends(get_state)]
DB = Annotated[Session, Depends(get_db)]


@dataclass
class SignedKiosk:
    kiosk: Kiosk
    body: bytes


def _signed_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def signed_kiosk(
    request: Request,
    state: State,
    db: DB,
    body: Annotated[bytes, Depends(raw_body)],
    x_kiosk_id: Annotated[str | None, Header(alias=signing.HEADER_KIOSK)] = None,
    x_timestamp: Annotated[str | None, Header(alias=signing.HEADER_TIMESTAMP)] = None,
    x_nonce: Annotated[str | None, Header(alias=signing.HEADER_NONCE)] = None,
    x_signature: Annotated[str | None, Header(alias=signing.HEADER_SIGNATURE)] = None,
) -> SignedKiosk:
    """The kiosk that signed this request, or a refusal."""
    if not (x_kiosk_id and x_timestamp and x_nonce and x_signature):
        raise Refusal(401, "bad_signature", "missing signing headers")
    kiosk = db.get(Kiosk, x_kiosk_id)
    if kiosk is None:
        raise Refusal(401, "unknown_kiosk")
    headers = {
        signing.HEADER_KIOSK: x_kiosk_id,
        signing.HEADER_TIMESTAMP: x_timestamp,
        signing.HEADER_NONCE: x_nonce,
        signing.HEADER_SIGNATURE: x_signature,
    }
    if not signing.verify(
        state.kiosk_secret(kiosk), headers, request.method, _signed_path(request), body
    ):
        raise Refusal(401, "bad_signature")
    if kiosk.revoked_at is not None:
        raise Refusal(403, "revoked")
    try:
        stamp = int(x_timestamp)
    except ValueError:
        raise Refusal(401, "stale", "timestamp is not Unix seconds") from None
    now = int(time.time())
    if abs(now - stamp) > signing.CLOCK_SKEW_SECONDS:
        raise Refusal(401, "stale")
    if len(x_nonce) > 64 or db.get(Nonce, (kiosk.id, x_nonce)) is not None:
        raise Refusal(409, "replay")
    if state.prune_nonces_due():
        db.execute(delete(Nonce).where(Nonce.seen_at < now - 2 * signing.CLOCK_SKEW_SECONDS))
    db.add(Nonce(kiosk_id=kiosk.id, nonce=x_nonce, seen_at=now))
    db.flush()
    return SignedKiosk(kiosk, body)


Signed = Annotated[SignedKiosk, Depends(signed_kiosk)]


def _bearer_role(db: Session, authorization: str | None) -> Role:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refusal(401, "unauthorized", "send Authorization: Bearer <token>")
    row = db.query(ApiToken).filter_by(token_hash=hash_token(token.strip())).one_or_none()
    if row is None:
        raise Refusal(401, "unauthorized", "unknown token")
    return row.role  # type: ignore[return-value]


def viewer(db: DB, authorization: Annotated[str | None, Header()] = None) -> Role:
    return _bearer_role(db, authorization)


def admin(db: DB, authorization: Annotated[str | None, Header()] = None) -> Role:
    role = _bearer_role(db, authorization)
    if role != "admin":
        raise Refusal(403, "forbidden_role", "this needs an admin token")
    return role


Viewer = Annotated[Role, Depends(viewer)]
Admin = Annotated[Role, Depends(admin)]
