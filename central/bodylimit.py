"""Request bodies bounded per endpoint while they stream in, before anything parses them.

A declared ``Content-Length`` over the limit is answered 413 without reading a byte; a chunked
body is counted as it arrives and refused as soon as it passes the limit, so a 100 MB POST
costs the server at most the endpoint's limit in memory. Under the limit, the body is handed
on unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from central.logstore import MAX_LOG_BATCH_BYTES
from wire.models import API_PREFIX

KB, MB = 1024, 1024 * 1024
LIMITS: dict[str, int] = {
    f"{API_PREFIX}/enrol": 16 * KB,
    f"{API_PREFIX}/heartbeat": 256 * KB,
    f"{API_PREFIX}/events": 2 * MB,
    f"{API_PREFIX}/submissions": 48 * MB,  # a dozen phone-camera scans, base64'd
    f"{API_PREFIX}/supplements": 48 * MB,  # 补正: recaptured scans, like a submission
    f"{API_PREFIX}/logs": MAX_LOG_BATCH_BYTES,
    f"{API_PREFIX}/batch": 48 * MB,  # records of about 8 MB, or one larger record alone
}
DEFAULT_LIMIT = 1 * MB


def limit_for(path: str) -> int:
    return LIMITS.get(path.rstrip("/"), DEFAULT_LIMIT)


class BodyTooLarge(Exception):
    pass


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"error": "body_too_large", "detail": f"at most {limit} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: the first thing a request meets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        try:
            body = await _read(receive, limit)
        except BodyTooLarge:
            await _refuse(send, limit)
            return
        if body is None:  # the client went away mid-body: nobody to answer
            return
        await self.app(scope, _replay(body, receive), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return dict(await receive())

    return replay
