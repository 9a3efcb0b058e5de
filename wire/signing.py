"""Request signing shared by the kiosk's central client and the central server.

A signed request carries four headers:

* ``X-Kiosk-Id``: the id given at enrolment
* ``X-Timestamp``: Unix seconds when it was signed (the server allows a clock-skew window)
* ``X-Nonce``: 32 random hex digits, never reused (the server remembers them for the window)
* ``X-Signature``: hex HMAC-SHA256 with the kiosk's secret over the canonical string

The canonical string is these lines joined by ``\\n``: the upper-case method, the path with its
query string exactly as sent, the kiosk id, the timestamp, the nonce, and the hex SHA-256 of
the body bytes (of ``b""`` when there is none).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER_KIOSK = "X-Kiosk-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"
HEADER_IDEMPOTENCY = "Idempotency-Key"
CLOCK_SKEW_SECONDS = 300


def canonical(method: str, path: str, kiosk_id: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes both sides sign."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path, kiosk_id, timestamp, nonce, digest]).encode()


def signature(secret: bytes, message: bytes) -> str:
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def sign_headers(
    secret: bytes,
    kiosk_id: str,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Headers that authenticate one request; ``path`` includes the query string."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_hex(16)
    message = canonical(method, path, kiosk_id, timestamp, nonce, body)
    return {
        HEADER_KIOSK: kiosk_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature(secret, message),
    }


def verify(secret: bytes, headers: dict[str, str], method: str, path: str, body: bytes) -> bool:
    """Whether the signature matches (freshness and replay are the server's to check)."""
    try:
        message = canonical(
            method, path, headers[HEADER_KIOSK], headers[HEADER_TIMESTAMP], headers[HEADER_NONCE], body
        )
        return hmac.compare_digest(signature(secret, message), headers[HEADER_SIGNATURE])
    except KeyError:
        return False
