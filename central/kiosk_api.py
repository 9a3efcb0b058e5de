"""The endpoints kiosks call: enrol (unsigned), heartbeat, submissions, events, logs (signed)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select, update

from central.credentials import normalise_pairing_code
from central.deps import DB, Refusal, Signed, SignedKiosk, State, refusals
from central.idempotency import canonical_hash, commit_reply, require_key, stored_reply
from central.logstore import LogBatchError, decode_batch, parse_lines, store_lines, to_us
from central.models import (
    DeviceEventRow,
    Kiosk,
    KioskCommand,
    LogUpload,
    PairingCode,
    Submission,
    SubmissionMaterial,
)
from wire.models import (
    Command,
    EnrolRequest,
    EnrolResponse,
    EventsReceipt,
    EventsRequest,
    HeartbeatRequest,
    HeartbeatResponse,
    LogsReceipt,
    SubmissionReceipt,
    SubmissionRequest,
    as_utc,
    utc_now,
)
from wire.signing import HEADER_IDEMPOTENCY

router = APIRouter(tags=["kiosk"])

IdempotencyKey = Annotated[str | None, Header(alias=HEADER_IDEMPOTENCY)]
SIGNED_REFUSALS = (401, 403, 409, 422)


def _repeat_doc(model: type) -> dict[int | str, dict]:
    return {
        200: {"model": model, "description": "A repeat of an Idempotency-Key: the first answer"}
    }


@router.post(
    "/enrol",
    status_code=201,
    response_model=EnrolResponse,
    responses=refusals(404, 410, 422),
)
def enrol(payload: EnrolRequest, state: State, db: DB) -> EnrolResponse:
    """Trade a one-time pairing code for a kiosk id and its signing secret."""
    code = normalise_pairing_code(payload.pairing_code)
    row = db.get(PairingCode, code) if code else None
    now = utc_now()
    if row is None or row.expires_at <= now:
        raise Refusal(404, "pairing_code_unknown")
    if row.used_at is not None:
        raise Refusal(410, "pairing_code_used")
    kiosk_id = "k-" + secrets.token_hex(6)
    claimed = db.execute(
        update(PairingCode)
        .where(PairingCode.code == code, PairingCode.used_at.is_(None))
        .values(used_at=now, kiosk_id=kiosk_id)
    )
    if claimed.rowcount != 1:
        raise Refusal(410, "pairing_code_used")
    secret = secrets.token_bytes(32)
    db.add(
        Kiosk(
            id=kiosk_id,
            secret_enc=state.fernet.encrypt(secret),
            hostname=payload.hostname,
            location=payload.location,
            versions=payload.versions,
            enrolled_at=now,
            devices={},
            queue_depth=0,
            free_disk_bytes=0,
            out_of_service=False,
        )
    )
    db.commit()
    return EnrolResponse(
        kiosk_id=kiosk_id, secret=secret.hex(), heartbeat_seconds=state.heartbeat_seconds
    )


@router.post("/heartbeat", response_model=HeartbeatResponse, responses=refusals(*SIGNED_REFUSALS))
def heartbeat(payload: HeartbeatRequest, signed: Signed, db: DB) -> HeartbeatResponse:
    """Record the kiosk's health; answer with the commands it has not acknowledged yet."""
    kiosk = signed.kiosk
    if payload.kiosk_id != kiosk.id:
        raise Refusal(403, "forbidden", "a kiosk reports only for itself")
    now = utc_now()
    kiosk.last_heartbeat = now
    kiosk.devices = {name: status.model_dump() for name, status in payload.devices.items()}
    kiosk.queue_depth = payload.queue_depth
    kiosk.versions = payload.versions
    kiosk.free_disk_bytes = payload.free_disk_bytes
    kiosk.out_of_service = payload.out_of_service
    if payload.acked_commands:
        db.execute(
            update(KioskCommand)
            .where(
                KioskCommand.kiosk_id == kiosk.id,
                KioskCommand.id.in_(payload.acked_commands[:1000]),
                KioskCommand.acked_at.is_(None),
            )
            .values(acked_at=now)
        )
    pending = db.scalars(
        select(KioskCommand)
        .where(KioskCommand.kiosk_id == kiosk.id, KioskCommand.acked_at.is_(None))
        .order_by(KioskCommand.created_at)
    ).all()
    for command in pending:
        if command.first_sent_at is None:
            command.first_sent_at = now
    commands = [Command(id=c.id, kind=c.kind, args=c.args) for c in pending]  # type: ignore[arg-type]
    db.commit()
    return HeartbeatResponse(server_time=now, commands=commands)


def _repeat_or_new(
    db: DB, signed: SignedKiosk, key: str, kind: str, record_id: str
) -> tuple[str, JSONResponse | None]:
    """The body's hash, and the stored reply when this key was answered before (a retry)."""
    body_hash = canonical_hash(json.loads(signed.body))
    earlier = stored_reply(db, signed.kiosk.id, key, kind, body_hash)
    if earlier is None and record_id != key:
        raise Refusal(422, "id_mismatch", "the body's id must equal the Idempotency-Key")
    return body_hash, earlier


@router.post(
    "/submissions",
    status_code=201,
    response_model=SubmissionReceipt,
    responses={**_repeat_doc(SubmissionReceipt), **refusals(400, *SIGNED_REFUSALS)},
)
def submit(
    payload: SubmissionRequest,
    signed: Signed,
    state: State,
    db: DB,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Store one citizen's application once, however often the kiosk sends it."""
    key = require_key(idempotency_key)
    kiosk_id = signed.kiosk.id
    body_hash, earlier = _repeat_or_new(db, signed, key, "submissions", payload.id)
    if earlier is not None:
        return earlier
    if db.get(Submission, payload.id) is not None:
        raise Refusal(403, "forbidden", "this record belongs to another kiosk")
    now = utc_now()
    db.add(
        Submission(
            id=payload.id,
            kiosk_id=kiosk_id,
            reference=payload.reference,
            scenario=payload.scenario,
            document=payload.document,
            received_at=now,
        )
    )
    for material in payload.materials:
        try:
            data = base64.b64decode(material.data_b64, validate=True)
        except (binascii.Error, ValueError):
            raise Refusal(422, "bad_material", f"{material.name}: data_b64 is not base64") from None
        db.add(
            SubmissionMaterial(
                submission_id=payload.id,
                name=material.name,
                content_type=material.content_type,
                data=data,
            )
        )
    receipt = SubmissionReceipt(id=payload.id, reference=payload.reference, received_at=now)
    return commit_reply(
        db, state.sessions, kiosk_id, key, "submissions", body_hash, receipt.model_dump(mode="json")
    )


@router.post(
    "/events",
    status_code=201,
    response_model=EventsReceipt,
    responses={**_repeat_doc(EventsReceipt), **refusals(400, *SIGNED_REFUSALS)},
)
def events(
    payload: EventsRequest,
    signed: Signed,
    state: State,
    db: DB,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Store a batch of device events once."""
    key = require_key(idempotency_key)
    kiosk_id = signed.kiosk.id
    body_hash, earlier = _repeat_or_new(db, signed, key, "events", payload.id)
    if earlier is not None:
        return earlier
    for event in payload.events:
        db.add(
            DeviceEventRow(
                batch_id=payload.id,
                kiosk_id=kiosk_id,
                at=event.at,
                kind=event.kind,
                device=event.device,
                state=event.state,
                reason=event.reason,
            )
        )
    receipt = EventsReceipt(id=payload.id, events=len(payload.events), received_at=utc_now())
    return commit_reply(
        db, state.sessions, kiosk_id, key, "events", body_hash, receipt.model_dump(mode="json")
    )


_NDJSON_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string", "format": "binary"},
            }
        },
        "description": "JSON lines, gzip'd (Content-Encoding: gzip); each line a JSON object "
        "with its time in 'at' (or 'ts', 'time', 'timestamp').",
    }
}


def _utc_or_refuse(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        return as_utc(value)
    except OverflowError:
        raise Refusal(422, "bad_range", "time out of range") from None


@router.post(
    "/logs",
    status_code=201,
    response_model=LogsReceipt,
    responses={**_repeat_doc(LogsReceipt), **refusals(400, 413, *SIGNED_REFUSALS)},
    openapi_extra=_NDJSON_BODY,
)
def upload_logs(
    request: Request,
    signed: Signed,
    state: State,
    db: DB,
    idempotency_key: IdempotencyKey = None,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
    command_id: Annotated[str | None, Query(max_length=32)] = None,
) -> JSONResponse:
    """Store a batch of log lines; ``since``/``until`` say which range the batch is complete for."""
    key = require_key(idempotency_key)
    kiosk_id = signed.kiosk.id
    since, until = _utc_or_refuse(since), _utc_or_refuse(until)
    if (since is None) != (until is None) or (since and until and since >= until):
        raise Refusal(422, "bad_range", "give both since and until, since before until")
    gzipped = "gzip" in request.headers.get("content-encoding", "").lower()
    try:
        data = decode_batch(signed.body, gzipped)
    except LogBatchError as error:
        raise Refusal(413 if error.error == "too_large" else 422, error.error, str(error)) from None
    body_hash = hashlib.sha256(
        b"|".join([data, str(since).encode(), str(until).encode(), (command_id or "").encode()])
    ).hexdigest()
    earlier = stored_reply(db, kiosk_id, key, "logs", body_hash)
    if earlier is not None:
        return earlier
    if command_id:
        command = db.get(KioskCommand, command_id)
        if command is not None and command.kiosk_id != kiosk_id:
            raise Refusal(403, "forbidden", "this command belongs to another kiosk")
    now_us = to_us(utc_now())
    lines = parse_lines(data, to_us(since) if since else now_us)
    if since and until:
        since_us, until_us = to_us(since), to_us(until)
    elif lines:
        since_us = min(line.at_us for line in lines)
        until_us = max(line.at_us for line in lines) + 1
    else:
        since_us = until_us = now_us
    store_lines(db, kiosk_id, lines)
    db.add(
        LogUpload(
            kiosk_id=kiosk_id,
            id=key,
            since_us=since_us,
            until_us=until_us,
            command_id=command_id or "",
            lines=len(lines),
            received_at=utc_now(),
        )
    )
    receipt = LogsReceipt(id=key, lines=len(lines))
    return commit_reply(
        db, state.sessions, kiosk_id, key, "logs", body_hash, receipt.model_dump(mode="json")
    )
