"""Request plumbing shared by the routers: the server's state, DB sessions, refusals, auth.

Kiosk requests are checked in this order: headers present, signature (an unknown kiosk gets
the same ``bad_signature`` answer, so a caller cannot probe which ids exist), revoked,
timestamp window, nonce unseen. The nonce is added to the request's transaction with
``ON CONFLICT DO NOTHING``, so a request refused later (bad body, another kiosk's record)
stores nothing, not even its nonce, and two copies racing each other get one success and one
409, never a 500. Nothing here lives only in one process: a node behind a proxy, or another
worker, sees the same nonces (the decrypted-secret cache holds values that never change).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from cryptography.fernet import Fernet
from fastapi import Depends, Header, Request
from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from central.credentials import hash_token
from central.models import ApiToken, Kiosk, Nonce
from wire import signing
from wire.models import ErrorBody, Role

NONCE_PRUNE_EVERY_SECONDS = 60.0
_NO_SECRET = secrets.token_bytes(32)  # verified against for an unknown kiosk: same work, same answer


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
    soft_state: Engine | None = None  # PostgreSQL: autocommit pool without WAL-flush waits
    _secrets: dict[str, bytes] = field(default_factory=dict)
    _last_prune: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def kiosk_secret(self, kiosk_id: str, db: Session | None = None) -> bytes | None:
        """The kiosk's signing secret, or None for an unknown kiosk (secrets never change)."""
        secret = self._secrets.get(kiosk_id)
        if secret is None:
            query = select(Kiosk.secret_enc).where(Kiosk.id == kiosk_id)
            if db is None:
                with self.engine.connect() as connection:
                    sealed = connection.execute(query).scalar()
            else:
                sealed = db.execute(query).scalar()
            if sealed is None:
                return None
            secret = self.fernet.decrypt(sealed)
            self._secrets[kiosk_id] = secret
        return secret

    def cached_secret(self, kiosk_id: str) -> bytes | None:
        """The secret if this process has it already (no database look-up)."""
        return self._secrets.get(kiosk_id)

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


@dataclass
class Credentials:
    """A signed request whose signature and timestamp are good (nonce not yet claimed)."""

    kiosk_id: str
    nonce: str
    now: int


def _signed_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def _headers(request: Request) -> dict[str, str]:
    names = (
        signing.HEADER_KIOSK,
        signing.HEADER_TIMESTAMP,
        signing.HEADER_NONCE,
        signing.HEADER_SIGNATURE,
    )
    headers = {name: request.headers.get(name, "") for name in names}
    if not all(headers.values()):
        raise Refusal(401, "bad_signature", "missing signing headers")
    return headers


def check_signature(
    state: CentralState, request: Request, body: bytes, db: Session | None = None
) -> str:
    """The kiosk id whose secret signed this request; one refusal for unknown and forged."""
    headers = _headers(request)
    kiosk_id = headers[signing.HEADER_KIOSK]
    secret = state.kiosk_secret(kiosk_id, db)
    good = signing.verify(
        secret or _NO_SECRET, headers, request.method, _signed_path(request), body
    )
    if secret is None or not good:
        raise Refusal(401, "bad_signature")
    return kiosk_id


def check_fresh(request: Request) -> int:
    """Now, in Unix seconds, when the request's timestamp is inside the skew window."""
    try:
        stamp = int(request.headers[signing.HEADER_TIMESTAMP])
    except ValueError:
        raise Refusal(401, "stale", "timestamp is not Unix seconds") from None
    now = int(time.time())
    if abs(now - stamp) > signing.CLOCK_SKEW_SECONDS:
        raise Refusal(401, "stale")
    return now


def claim_nonce(
    state: CentralState, db: Session | Connection, kiosk_id: str, nonce: str, now: int
) -> None:
    """Add the nonce to the caller's transaction; a nonce seen before (or racing) is a replay."""
    if len(nonce) > 64:
        raise Refusal(409, "replay")
    added = db.execute(
        upsert(db, Nonce)
        .values(kiosk_id=kiosk_id, nonce=nonce, seen_at=now)
        .on_conflict_do_nothing(index_elements=["kiosk_id", "nonce"])
        .returning(Nonce.seen_at)  # rowcount is -1 for an INSERT under psycopg
    ).first()
    if added is None:
        raise Refusal(409, "replay")
    if state.prune_nonces_due():
        db.execute(delete(Nonce).where(Nonce.seen_at < now - 2 * signing.CLOCK_SKEW_SECONDS))


# Declared so the OpenAPI document lists them; the values are read from the request.
KioskHeader = Annotated[str | None, Header(alias=signing.HEADER_KIOSK)]
TimestampHeader = Annotated[str | None, Header(alias=signing.HEADER_TIMESTAMP)]
NonceHeader = Annotated[str | None, Header(alias=signing.HEADER_NONCE)]
SignatureHeader = Annotated[str | None, Header(alias=signing.HEADER_SIGNATURE)]


def upsert(db: Session | Connection, table: type) -> Any:
    """An INSERT that takes ``on_conflict_do_nothing``/``_update`` in this database's dialect."""
    dialect = db.get_bind().dialect if isinstance(db, Session) else db.dialect
    return (pg_insert if dialect.name == "postgresql" else sqlite_insert)(table)


async def signed_credentials(
    request: Request,
    state: State,
    body: Annotated[bytes, Depends(raw_body)],
    x_kiosk_id: KioskHeader = None,
    x_timestamp: TimestampHeader = None,
    x_nonce: NonceHeader = None,
    x_signature: SignatureHeader = None,
) -> Credentials:
    """Signature and timestamp checked without a session (the light path of heartbeats)."""
    kiosk_id = check_signature(state, request, body)
    return Credentials(kiosk_id, request.headers[signing.HEADER_NONCE], check_fresh(request))


def signed_kiosk(
    request: Request,
    state: State,
    db: DB,
    body: Annotated[bytes, Depends(raw_body)],
    x_kiosk_id: KioskHeader = None,
    x_timestamp: TimestampHeader = None,
    x_nonce: NonceHeader = None,
    x_signature: SignatureHeader = None,
) -> SignedKiosk:
    """The kiosk that signed this request, or a refusal."""
    kiosk_id = check_signature(state, request, body, db)
    kiosk = db.get(Kiosk, kiosk_id)
    if kiosk is None:  # deleted since its secret was cached
        raise Refusal(401, "bad_signature")
    if kiosk.revoked_at is not None:
        raise Refusal(403, "revoked")
    now = check_fresh(request)
    claim_nonce(state, db, kiosk.id, request.headers[signing.HEADER_NONCE], now)
    return SignedKiosk(kiosk, body)


SignedLight = Annotated[Credentials, Depends(signed_credentials)]
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
