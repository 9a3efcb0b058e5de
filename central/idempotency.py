"""Idempotency-Key handling: a repeated key gets the stored answer, a changed body is refused.

The key is scoped to the kiosk that signed the request. The body is compared by the hash of its
canonical JSON (sorted keys), so a kiosk that re-serialises the same record still matches.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central.deps import Refusal
from central.models import IdempotentReply
from wire.models import utc_now

MAX_KEY_LENGTH = 128


def canonical_hash(value: Any) -> str:
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except ValueError:
        raise Refusal(422, "invalid_body", "NaN and Infinity are not JSON") from None
    return hashlib.sha256(text.encode()).hexdigest()


def require_key(key: str | None) -> str:
    if not key or not key.strip():
        raise Refusal(400, "idempotency_key_missing", "send the record id as Idempotency-Key")
    if len(key) > MAX_KEY_LENGTH:
        raise Refusal(422, "idempotency_key_invalid", f"at most {MAX_KEY_LENGTH} characters")
    return key


def stored_reply(
    db: Session, kiosk_id: str, key: str, endpoint: str, body_hash: str
) -> JSONResponse | None:
    """The earlier answer for this key (200), a mismatch refusal, or None for a new key."""
    row = db.get(IdempotentReply, (kiosk_id, key))
    if row is None:
        return None
    if row.endpoint != endpoint or row.body_hash != body_hash:
        raise Refusal(422, "idempotency_mismatch", "this Idempotency-Key came with another body")
    return JSONResponse(row.response, status_code=200)


def commit_reply(
    db: Session,
    sessions: sessionmaker,
    kiosk_id: str,
    key: str,
    endpoint: str,
    body_hash: str,
    response: dict[str, Any],
) -> JSONResponse:
    """Store the answer with the record in one transaction and give it as 201.

    Two copies of one record racing each other: the loser's insert fails, and it answers
    with the winner's stored reply.
    """
    db.add(
        IdempotentReply(
            kiosk_id=kiosk_id,
            key=key,
            endpoint=endpoint,
            body_hash=body_hash,
            response=response,
            created_at=utc_now(),
        )
    )
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        with sessions() as fresh:
            again = stored_reply(fresh, kiosk_id, key, endpoint, body_hash)
        if again is None:
            raise Refusal(409, "replay") from None
        return again
    return JSONResponse(response, status_code=201)
