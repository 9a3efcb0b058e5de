"""Kiosk endpoints after submission (signed): 补正 supplements, 好差评 ratings, help calls and
the 办件查询 status query. Supplements, ratings and help calls are idempotent by record id
(sent as ``Idempotency-Key``), like submissions.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from central import applications
from central.alerts import raise_alert
from central.deps import DB, Signed, SignedKiosk, State, refusals
from central.idempotency import commit_reply, require_key
from central.kiosk_api import SIGNED_REFUSALS, IdempotencyKey, _repeat_doc, _repeat_or_new
from central.models_applications import HelpCall, Rating
from central.sealing import DataKeys
from wire.models import (
    HelpCallRequest,
    RatingRequest,
    Received,
    StatusQuery,
    StatusReply,
    SupplementRequest,
    utc_now,
)

log = logging.getLogger("central.aftercare")
router = APIRouter(tags=["kiosk"])

FOLLOWUP_WORKING_DAYS = 15
BAD_LEVELS = (1, 2)


def data_keys(request: Request) -> DataKeys:
    return request.app.state.data_keys


def working_days_after(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Monday to Friday; holidays are not known here)."""
    current, left = start, days
    while left:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def _once(
    db: DB,
    signed: SignedKiosk,
    state: State,
    key_header: str | None,
    kind: str,
    record_id: str,
    store: Callable[[datetime], None],
) -> JSONResponse:
    """Store a record once by its Idempotency-Key: a repeat gets the first answer (200)."""
    key = require_key(key_header)
    body_hash, earlier = _repeat_or_new(db, signed, key, kind, record_id)
    if earlier is not None:
        return earlier
    now = utc_now()
    store(now)
    reply = Received(id=record_id, received_at=now).model_dump(mode="json")
    return commit_reply(db, state.sessions, signed.kiosk.id, key, kind, body_hash, reply)


@router.post(
    "/supplements",
    status_code=201,
    response_model=Received,
    responses={**_repeat_doc(Received), **refusals(400, 404, *SIGNED_REFUSALS)},
)
def supplement(
    payload: SupplementRequest,
    request: Request,
    signed: Signed,
    state: State,
    db: DB,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """补正: materials recaptured for an application in 需补正 (moves it to 已补正)."""

    def store(now: datetime) -> None:
        applications.store_supplement(db, data_keys(request), payload, signed.kiosk.id, now)

    answer = _once(db, signed, state, idempotency_key, "supplements", payload.id, store)
    if answer.status_code == 201:
        log.info(
            "supplement.delivered",
            extra={"event": "supplement.delivered", "reference": payload.reference,
                   "record": payload.id, "kiosk": signed.kiosk.id},
        )
    return answer


@router.post(
    "/ratings",
    status_code=201,
    response_model=Received,
    responses={**_repeat_doc(Received), **refusals(400, *SIGNED_REFUSALS)},
)
def rating(
    payload: RatingRequest,
    request: Request,
    signed: Signed,
    state: State,
    db: DB,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """One 好差评; 差评 (levels 1–2) open a follow-up due in 15 working days."""
    bad = payload.level in BAD_LEVELS

    def store(now: datetime) -> None:
        db.add(
            Rating(
                id=payload.id,
                kiosk_id=signed.kiosk.id,
                reference=payload.reference,
                scenario=payload.scenario,
                level=payload.level,
                reasons=[r[:64] for r in payload.reasons],
                comment_enc=data_keys(request).seal(payload.comment.encode()),
                rated_at=payload.rated_at,
                received_at=now,
                followup_status="open" if bad else "",
                followup_due=working_days_after(now, FOLLOWUP_WORKING_DAYS) if bad else None,
            )
        )

    return _once(db, signed, state, idempotency_key, "ratings", payload.id, store)


@router.post(
    "/help-calls",
    status_code=201,
    response_model=Received,
    responses={**_repeat_doc(Received), **refusals(400, *SIGNED_REFUSALS)},
)
def help_call(
    payload: HelpCallRequest,
    signed: Signed,
    state: State,
    db: DB,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """呼叫工作人员 at a kiosk: shown on the console's Help calls and Fleet pages, and alerted."""

    def store(now: datetime) -> None:
        db.add(
            HelpCall(
                id=payload.id,
                kiosk_id=signed.kiosk.id,
                screen=payload.screen,
                scenario=payload.scenario,
                step=payload.step,
                called_at=payload.called_at,
                received_at=now,
            )
        )
        raise_alert(
            db, "help", signed.kiosk.id, f"{payload.screen} {payload.step}".strip(), payload.id
        )

    return _once(db, signed, state, idempotency_key, "help_calls", payload.id, store)


@router.post(
    "/status-queries",
    response_model=StatusReply,
    responses=refusals(404, 429, *SIGNED_REFUSALS),
)
def status_query(payload: StatusQuery, request: Request, signed: Signed, db: DB) -> StatusReply:
    """办件查询 at a kiosk: the same timeline /track shows, and for 需补正 what to recapture.

    Answers 404 ``no_match`` when the reference and the phone's last 4 digits do not match
    (the same for an unknown reference), 429 after too many misses for one reference.
    """
    db.commit()  # the request's nonce, before the attempt is counted
    app = applications.check_second_factor(
        db, data_keys(request), payload.reference, payload.phone_last4, f"kiosk:{signed.kiosk.id}"
    )
    reply = applications.citizen_status(db, app)
    log.info("status.queried", extra={"event": "status.queried", "reference": app.reference,
                                       "kiosk": signed.kiosk.id})
    return JSONResponse(json.loads(reply.model_dump_json()))  # type: ignore[return-value]
