"""POST /batch: several outbox records in one signed request, each answered on its own.

One signature and one nonce cover the batch (the body holds every record, so none can be
swapped). Each record then goes through its kind's own endpoint code with its id as the
Idempotency-Key, in a transaction of its own: a record stored before is answered with its
first answer (200), a refused one gets the refusal its endpoint gives (403 another kiosk's
record, 422 a bad body ...) without touching the others, and a batch cut short (a killed
kiosk, a dropped link) can be sent again whole: what was stored is answered 200 and stored
once. The hash that guards a key is the record's canonical JSON, so a record sent alone
first and in a batch later (or the other way round) is the same record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pydantic
from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse

from central import aftercare_api, kiosk_api
from central.deps import DB, CentralState, Refusal, Signed, SignedKiosk, State, refusals
from wire.models import (
    BatchRecord,
    BatchReply,
    BatchRequest,
    BatchResult,
    EventsRequest,
    HelpCallRequest,
    RatingRequest,
    SubmissionRequest,
    SupplementRequest,
)

router = APIRouter(tags=["kiosk"])

Handler = Callable[..., JSONResponse]
# kind -> (its body's model, its endpoint's function, whether that function takes the request)
KINDS: dict[str, tuple[type[pydantic.BaseModel], Handler, bool]] = {
    "submission": (SubmissionRequest, kiosk_api.submit, True),
    "events": (EventsRequest, kiosk_api.events, False),
    "supplement": (SupplementRequest, aftercare_api.supplement, True),
    "rating": (RatingRequest, aftercare_api.rating, True),
    "help_call": (HelpCallRequest, aftercare_api.help_call, False),
}


@router.post(
    "/batch",
    response_model=BatchReply,
    responses=refusals(413, *kiosk_api.SIGNED_REFUSALS),
)
def batch(
    payload: BatchRequest, request: Request, signed: Signed, state: State, db: DB
) -> BatchReply:
    """Store each record once, as its own endpoint would; one result per record, in order."""
    db.commit()  # the batch's nonce, on its own: every record commits alone below
    return BatchReply(
        results=[_one(record, request, signed, state) for record in payload.records]
    )


def _one(
    record: BatchRecord, request: Request, signed: SignedKiosk, state: CentralState
) -> BatchResult:
    model, handler, takes_request = KINDS[record.kind]
    with state.sessions() as db:
        try:
            body = model.model_validate(record.body)
            answer = _call(handler, takes_request, body, record, request, signed, state, db)
        except pydantic.ValidationError as error:
            detail = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")}
                      for e in error.errors()]
            return _refused(record, 422, "invalid_body", jsonable_encoder(detail))
        except Refusal as error:
            db.rollback()
            return _refused(record, error.status, error.error, jsonable_encoder(error.detail))
        except DataError as error:  # a value the database cannot hold, as the app answers it
            db.rollback()
            return _refused(record, 422, "invalid_value", type(error).__name__)
    return BatchResult(id=record.id, status=answer.status_code, body=json.loads(answer.body))


def _call(
    handler: Handler, takes_request: bool, body: pydantic.BaseModel, record: BatchRecord,
    request: Request, signed: SignedKiosk, state: CentralState, db: Session,
) -> JSONResponse:
    alone = SignedKiosk(signed.kiosk, json.dumps(record.body).encode())
    extra: dict[str, Any] = {"request": request} if takes_request else {}
    return handler(body, signed=alone, state=state, db=db, idempotency_key=record.id, **extra)


def _refused(record: BatchRecord, status: int, error: str, detail: Any) -> BatchResult:
    body: dict[str, Any] = {"error": error}
    if detail is not None:
        body["detail"] = detail
    return BatchResult(id=record.id, status=status, body=body)
