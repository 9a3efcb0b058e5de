"""The lean path of the fleet's most frequent request: a heartbeat on PostgreSQL.

Profiled under load (py-spy, one worker, wrk sending pre-signed heartbeats), the general path
spent about half its time in FastAPI's machinery (dependency solving, request objects, the
middleware stack), a sixth handing the database call to a worker thread and back, and more
in SQLAlchemy's statement handling and in opening overflow connections; the statement itself
was a small part. This ASGI middleware answers the usual heartbeat before FastAPI sees it:
the body read once, the signature checked with the cached secret, the clock window, the
body validated by the wire model, then ONE prepared statement on a per-worker pool of async
psycopg connections (autocommit, no WAL-flush wait: soft state) that claims the nonce in the
database, updates the kiosk unless revoked, and says whether commands wait.

Anything unusual is handed, body and all, to the general route, which gives the same answers
as before: a secret not cached yet, a bad or stale signature, an invalid body, acknowledged
commands, a replayed nonce or a revoked kiosk (the statement stores nothing then), a value
PostgreSQL refuses, a broken connection. When commands wait (the statement has then claimed
the nonce) they are handed out as the general path does.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
import pydantic
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central import jsonlimits
from central.db import json_text
from central.deps import CentralState, Refusal
from central.kiosk_api import HEARTBEAT_SQL_TEXT, SMALL_JSON, hand_out_commands
from wire import signing
from wire.models import API_PREFIX, HeartbeatRequest, HeartbeatResponse, utc_now

PATH = f"{API_PREFIX}/heartbeat"
BODY_LIMIT = 256 * 1024  # the same as central.bodylimit's for this path
POOL_SIZE = 4  # connections per worker; more only queue inside PostgreSQL on two cores
_SQL = re.sub(r"(?<!:):(\w+)", r"%(\1)s", HEARTBEAT_SQL_TEXT)
_PRUNE_SQL = "DELETE FROM nonces WHERE seen_at < %(oldest)s"
_WANTED = {
    b"x-kiosk-id": signing.HEADER_KIOSK,
    b"x-timestamp": signing.HEADER_TIMESTAMP,
    b"x-nonce": signing.HEADER_NONCE,
    b"x-signature": signing.HEADER_SIGNATURE,
}


class _Decline(Exception):
    """This request is for the general route."""


class _Unavailable(Exception):
    """The database went away after the nonce was claimed: a 503, as the general route says."""


UNAVAILABLE = (
    b'{"error":"database_unavailable","detail":"the centre\'s database cannot be reached"}'
)


def conninfo(engine: Engine) -> str:
    """libpq's URL for an SQLAlchemy ``postgresql+psycopg://`` engine."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class AsyncPool:
    """A few autocommit connections for one event loop (one uvicorn worker)."""

    def __init__(self, dsn: str, size: int = POOL_SIZE) -> None:
        self.dsn = dsn
        self.size = size
        self._idle: asyncio.LifoQueue[psycopg.AsyncConnection] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opened = 0
        self._all: list[psycopg.AsyncConnection] = []
        self.statements = 0  # heartbeat statements run (tests and benchmarks read it)

    def _for_this_loop(self) -> asyncio.LifoQueue[psycopg.AsyncConnection]:
        loop = asyncio.get_running_loop()
        if self._idle is None or self._loop is not loop:  # a new loop: connections of the old
            self.close()  # one cannot be awaited here
            self._idle, self._loop, self._opened = asyncio.LifoQueue(), loop, 0
        return self._idle

    async def acquire(self) -> psycopg.AsyncConnection:
        idle = self._for_this_loop()
        if idle.empty() and self._opened < self.size:
            self._opened += 1
            try:
                connection = await psycopg.AsyncConnection.connect(
                    self.dsn, autocommit=True, prepare_threshold=0,
                    options="-c synchronous_commit=off",
                )
            except BaseException:
                self._opened -= 1
                raise
            self._all.append(connection)
            return connection
        return await idle.get()

    def release(self, connection: psycopg.AsyncConnection) -> None:
        if connection.closed or connection.broken:
            self._opened -= 1
            self._all.remove(connection)
            return
        assert self._idle is not None
        self._idle.put_nowait(connection)

    def close(self) -> None:
        """Close every connection at once (libpq's own close: no event loop needed)."""
        for connection in self._all:
            connection.pgconn.finish()
        self._all.clear()


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the general route the body this path has read."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


class HeartbeatFastPath:
    """ASGI middleware: POST /api/v1/heartbeat on PostgreSQL, else straight through."""

    def __init__(self, app: ASGIApp, state: CentralState, pool: AsyncPool | None) -> None:
        self.app = app
        self.state = state
        self.pool = pool

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.pool is None
            or scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != PATH
        ):
            await self.app(scope, receive, send)
            return
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            if name in _WANTED:
                headers[_WANTED[name]] = value.decode("latin-1")
            elif name == b"content-length" and (not value.isdigit() or int(value) > BODY_LIMIT):
                await self.app(scope, receive, send)  # the general route refuses it
                return
        body, finished = await _read(receive)
        if not finished:
            await self.app(scope, _replay_partial(body, receive), send)
            return
        try:
            answer = await self._answer(scope, headers, body)
        except _Decline:
            await self.app(scope, _replay(body, receive), send)
            return
        except _Unavailable:
            await _send_json(send, UNAVAILABLE, 503)
            return
        await _send_json(send, answer)

    async def _answer(self, scope: Scope, headers: dict[str, str], body: bytes) -> bytes:
        kiosk_id = headers.get(signing.HEADER_KIOSK, "")
        secret = self.state.cached_secret(kiosk_id)
        if secret is None or len(headers) != len(_WANTED):
            raise _Decline
        raw = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        path = (raw + b"?" + query if query else raw).decode("latin-1")
        if not signing.verify(secret, headers, "POST", path, body):
            raise _Decline
        try:
            stamp = int(headers[signing.HEADER_TIMESTAMP])
        except ValueError:
            raise _Decline from None
        now = int(time.time())
        nonce = headers[signing.HEADER_NONCE]
        if abs(now - stamp) > signing.CLOCK_SKEW_SECONDS or len(nonce) > 64:
            raise _Decline
        try:
            payload = HeartbeatRequest.model_validate_json(body)
            jsonlimits.check(payload.versions, "versions", **SMALL_JSON)
        except (pydantic.ValidationError, Refusal):
            raise _Decline from None
        if payload.kiosk_id != kiosk_id or payload.acked_commands:
            raise _Decline
        moment = utc_now()
        waiting = await self._run(kiosk_id, nonce, now, moment, payload)
        if waiting:
            try:
                return await run_in_threadpool(hand_out_commands, self.state.engine, kiosk_id)
            except OperationalError:
                raise _Unavailable from None
        return HeartbeatResponse(server_time=moment, commands=[]).model_dump_json().encode()

    async def _run(
        self, kiosk_id: str, nonce: str, now: int, moment: Any, payload: HeartbeatRequest
    ) -> bool:
        """The statement; whether commands wait. Declines when it stored nothing."""
        assert self.pool is not None
        devices = {name: status.model_dump() for name, status in payload.devices.items()}
        params = {
            "kiosk_id": kiosk_id,
            "nonce": nonce,
            "stamp": now,
            "now": moment,
            "devices": json_text(devices),
            "versions": json_text(payload.versions),
            "queue_depth": payload.queue_depth,
            "free_disk_bytes": payload.free_disk_bytes,
            "out_of_service": payload.out_of_service,
        }
        try:
            connection = await self.pool.acquire()
        except psycopg.Error:
            raise _Decline from None  # the general route answers 503
        try:
            cursor = await connection.execute(_SQL, params)
            self.pool.statements += 1
            row = await cursor.fetchone()
            if row is not None and self.state.prune_nonces_due():
                oldest = now - 2 * signing.CLOCK_SKEW_SECONDS
                await connection.execute(_PRUNE_SQL, {"oldest": oldest})
        except psycopg.Error:
            # A value PostgreSQL refuses (the general route answers 422) or a broken link
            # (503 there). The statement is autocommit: it either stored nothing or all of it.
            raise _Decline from None
        finally:
            self.pool.release(connection)
        if row is None:  # a replay, or a revoked or deleted kiosk: the general route says which
            raise _Decline
        return bool(row[0])


async def _read(receive: Receive) -> tuple[bytes, bool]:
    """The body up to BODY_LIMIT bytes; False when there was more (left for the general route)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > BODY_LIMIT:
            return b"".join(chunks), False


def _replay_partial(body: bytes, receive: Receive) -> Receive:
    """Like ``_replay``, for a body not read to its end (or a disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": True}
        return await receive()

    return again


async def _send_json(
    send: Callable[[Message], Awaitable[None]], body: bytes, status: int = 200
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
