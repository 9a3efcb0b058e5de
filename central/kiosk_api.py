"""The endpoints kiosks call: enrol (unsigned), heartbeat, submissions, events, logs (signed)."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Connection, Engine, case, select, text, update

from central import jsonlimits, queuetrend
from central.applications import store_submission
from central.credentials import normalise_pairing_code
from central.db import json_text
from central.deps import (
    DB,
    CentralState,
    Credentials,
    Refusal,
    Signed,
    SignedKiosk,
    SignedLight,
    State,
    claim_nonce,
    refusals,
    upsert,
)
from central.idempotency import canonical_hash, commit_reply, require_key, stored_reply
from central.logstore import (
    LogBatchError,
    covered_until,
    decode_batch,
    parse_batch,
    store_batch,
    to_us,
)
from central.models import (
    DeviceEventRow,
    Kiosk,
    KioskCommand,
    KioskScreenshot,
    LogUpload,
    PairingAttempt,
    PairingCode,
    Submission,
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
    Received,
    SubmissionReceipt,
    SubmissionRequest,
    as_utc,
    utc_now,
)
from wire.signing import HEADER_IDEMPOTENCY

log = logging.getLogger("central.kiosk_api")
router = APIRouter(tags=["kiosk"])

IdempotencyKey = Annotated[str | None, Header(alias=HEADER_IDEMPOTENCY)]
SIGNED_REFUSALS = (401, 403, 409, 422)
PAIRING_WINDOW_SECONDS = 600
PAIRING_MAX_FAILURES = 10  # per client address and window; a code has 10^8 values or more
SMALL_JSON = {"max_depth": 8, "max_bytes": 16 * 1024}  # location, versions
DOCUMENT_JSON = {"max_depth": 32, "max_bytes": 4 * 1024 * 1024}


def _repeat_doc(model: type) -> dict[int | str, dict]:
    return {
        200: {"model": model, "description": "A repeat of an Idempotency-Key: the first answer"}
    }


@router.post(
    "/enrol",
    status_code=201,
    response_model=EnrolResponse,
    responses=refusals(404, 410, 413, 422, 429),
)
def enrol(payload: EnrolRequest, request: Request, state: State, db: DB) -> EnrolResponse:
    """Trade a one-time pairing code for a kiosk id and its signing secret.

    Wrong codes are counted per client address (in the database, so every worker and node
    sees them); past the limit the address is refused with 429 until its window ends.
    """
    address = (request.client.host if request.client else "")[:64]
    _refuse_if_throttled(db, address)
    jsonlimits.check(payload.location, "location", **SMALL_JSON)
    jsonlimits.check(payload.versions, "versions", **SMALL_JSON)
    code = normalise_pairing_code(payload.pairing_code)
    row = db.get(PairingCode, code) if code else None
    now = utc_now()
    if row is None or row.expires_at <= now:
        _count_failure(state, address)
        raise Refusal(404, "pairing_code_unknown")
    if row.used_at is not None:
        _count_failure(state, address)
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


def _refuse_if_throttled(db: DB, address: str) -> None:
    row = db.get(PairingAttempt, address)
    if (
        row is not None
        and row.failures >= PAIRING_MAX_FAILURES
        and row.window_start > time.time() - PAIRING_WINDOW_SECONDS
    ):
        wait = int(row.window_start + PAIRING_WINDOW_SECONDS - time.time()) + 1
        raise Refusal(429, "too_many_attempts", f"try again in {wait} s")


def _count_failure(state: CentralState, address: str) -> None:
    """One more wrong code from ``address``, committed on its own (the refusal rolls back)."""
    now = int(time.time())
    expired = PairingAttempt.window_start <= now - PAIRING_WINDOW_SECONDS
    with state.engine.begin() as connection:
        connection.execute(
            upsert(connection, PairingAttempt)
            .values(address=address, window_start=now, failures=1)
            .on_conflict_do_update(
                index_elements=["address"],
                set_={
                    "failures": case((expired, 1), else_=PairingAttempt.failures + 1),
                    "window_start": case((expired, now), else_=PairingAttempt.window_start),
                },
            )
        )


# PostgreSQL, the usual heartbeat (nothing acknowledged) in one round trip: claim the nonce,
# update the kiosk unless revoked, and say whether commands are waiting. No row back means a
# replayed nonce or a revoked kiosk (whose nonce is not stored either); a look at the kiosk
# row tells which.
HEARTBEAT_SQL_TEXT = f"""
    WITH fresh AS (
        INSERT INTO nonces (kiosk_id, nonce, seen_at)
        SELECT CAST(:kiosk_id AS varchar), CAST(:nonce AS varchar), CAST(:stamp AS bigint)
        WHERE EXISTS (
            SELECT 1 FROM kiosks WHERE id = CAST(:kiosk_id AS varchar) AND revoked_at IS NULL
        )
        ON CONFLICT DO NOTHING RETURNING 1
    )
    UPDATE kiosks SET last_heartbeat = :now, devices = CAST(:devices AS json),
        queue_depth = :queue_depth, queue_trend = {queuetrend.append_sql("postgresql")},
        versions = CAST(:versions AS json),
        free_disk_bytes = :free_disk_bytes, out_of_service = :out_of_service
    WHERE id = CAST(:kiosk_id AS varchar) AND revoked_at IS NULL AND EXISTS (SELECT 1 FROM fresh)
    RETURNING EXISTS (
        SELECT 1 FROM kiosk_commands
        WHERE kiosk_id = CAST(:kiosk_id AS varchar) AND acked_at IS NULL
    ) AS waiting
    """
_HEARTBEAT_SQL = text(HEARTBEAT_SQL_TEXT)


def _heartbeat_in_one_statement(
    soft: Engine, kiosk_id: str, nonce: str, stamp: int,
    payload: HeartbeatRequest,
) -> bytes | None:
    """The answer, or None when commands wait (then the general path hands them out)."""
    if len(nonce) > 64:
        raise Refusal(409, "replay")
    now = utc_now()
    devices = {name: status.model_dump() for name, status in payload.devices.items()}
    with soft.connect() as db:
        row = db.execute(
            _HEARTBEAT_SQL,
            {
                "kiosk_id": kiosk_id,
                "nonce": nonce,
                "stamp": stamp,
                "now": now,
                "devices": json_text(devices),
                "versions": json_text(payload.versions),
                "queue_depth": payload.queue_depth,
                "free_disk_bytes": payload.free_disk_bytes,
                "out_of_service": payload.out_of_service,
            },
        ).first()
        if row is None:
            revoked = db.execute(select(Kiosk.revoked_at).where(Kiosk.id == kiosk_id)).scalar()
            raise Refusal(403, "revoked") if revoked is not None else Refusal(409, "replay")
    if row.waiting:
        return None
    return HeartbeatResponse(server_time=now, commands=[]).model_dump_json().encode()


def _record_results(
    db: Connection, kiosk_id: str, payload: HeartbeatRequest, now: datetime
) -> None:
    """Store what each acknowledged command came to (the plain acks below close the rest)."""
    acked = set(payload.acked_commands[:1000])
    for result in payload.command_results[:1000]:
        if result.id not in acked:
            continue
        db.execute(
            update(KioskCommand)
            .where(
                KioskCommand.kiosk_id == kiosk_id,
                KioskCommand.id == result.id,
                KioskCommand.acked_at.is_(None),
            )
            .values(acked_at=now, outcome=result.outcome, failed=not result.ok)
        )
        if not result.ok:
            log.info("command.failed", extra={"event": "command.failed", "kiosk": kiosk_id,
                                              "command": result.id, "outcome": result.outcome})


def hand_out_commands(engine: Engine, kiosk_id: str) -> bytes:
    now = utc_now()
    with engine.begin() as db:
        commands = _pending_commands(db, kiosk_id, now)
    return HeartbeatResponse(server_time=now, commands=commands).model_dump_json().encode()


def _pending_commands(db: Connection, kiosk_id: str, now: datetime) -> list[Command]:
    """The commands not acknowledged yet, each stamped with when it was first handed out."""
    pending = db.execute(
        select(KioskCommand.id, KioskCommand.kind, KioskCommand.args, KioskCommand.first_sent_at)
        .where(KioskCommand.kiosk_id == kiosk_id, KioskCommand.acked_at.is_(None))
        .order_by(KioskCommand.created_at)
    ).all()
    first_time = [row.id for row in pending if row.first_sent_at is None]
    if first_time:
        db.execute(
            update(KioskCommand)
            .where(KioskCommand.id.in_(first_time), KioskCommand.first_sent_at.is_(None))
            .values(first_sent_at=now)
        )
    return [Command(id=row.id, kind=row.kind, args=row.args) for row in pending]


def _record_heartbeat(
    state: CentralState, kiosk_id: str, nonce: str, stamp: int, payload: HeartbeatRequest
) -> bytes:
    """One short transaction in SQL expressions (no ORM unit of work): the nonce, the kiosk's
    row (unless revoked), acknowledged commands with their results, and the pending ones,
    which it answers."""
    now = utc_now()
    devices = {name: status.model_dump() for name, status in payload.devices.items()}
    with state.engine.begin() as db:
        claim_nonce(state, db, kiosk_id, nonce, stamp)
        updated = db.execute(
            update(Kiosk)
            .where(Kiosk.id == kiosk_id, Kiosk.revoked_at.is_(None))
            .values(
                last_heartbeat=now,
                devices=devices,
                queue_depth=payload.queue_depth,
                queue_trend=queuetrend.appended(db.dialect.name, payload.queue_depth),
                versions=payload.versions,
                free_disk_bytes=payload.free_disk_bytes,
                out_of_service=payload.out_of_service,
            )
        )
        if updated.rowcount != 1:
            raise Refusal(403, "revoked")
        _record_results(db, kiosk_id, payload, now)
        if payload.acked_commands:
            db.execute(
                update(KioskCommand)
                .where(
                    KioskCommand.kiosk_id == kiosk_id,
                    KioskCommand.id.in_(payload.acked_commands[:1000]),
                    KioskCommand.acked_at.is_(None),
                )
                .values(acked_at=now)
            )
        commands = _pending_commands(db, kiosk_id, now)
    return HeartbeatResponse(server_time=now, commands=commands).model_dump_json().encode()


@router.post("/heartbeat", response_model=HeartbeatResponse, responses=refusals(*SIGNED_REFUSALS))
async def heartbeat(payload: HeartbeatRequest, signed: SignedLight, state: State) -> Response:
    """Record the kiosk's health; answer with the commands it has not acknowledged yet.

    The fleet's most frequent request: no ORM session, and on PostgreSQL one statement on an
    autocommit pool that does not wait for the WAL flush (see ``make_soft_state_engine``).
    """
    if payload.kiosk_id != signed.kiosk_id:
        raise Refusal(403, "forbidden", "a kiosk reports only for itself")
    jsonlimits.check(payload.versions, "versions", **SMALL_JSON)
    body = await run_in_threadpool(_heartbeat_rows, state, signed, payload)
    return Response(body, media_type="application/json")


def _heartbeat_rows(state: CentralState, signed: Credentials, payload: HeartbeatRequest) -> bytes:
    """The database's part, in a worker thread: while one heartbeat waits on PostgreSQL the
    loop parses and verifies the next ones."""
    if state.soft_state is not None and not (payload.acked_commands or payload.command_results):
        body = _heartbeat_in_one_statement(
            state.soft_state, signed.kiosk_id, signed.nonce, signed.now, payload
        )
        return body if body is not None else hand_out_commands(state.engine, signed.kiosk_id)
    return _record_heartbeat(state, signed.kiosk_id, signed.nonce, signed.now, payload)


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
    request: Request,
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
    jsonlimits.check(payload.document, "document", **DOCUMENT_JSON)
    now = utc_now()
    store_submission(db, request.app.state.data_keys, payload, kiosk_id, now)
    receipt = SubmissionReceipt(id=payload.id, reference=payload.reference, received_at=now)
    answer = commit_reply(
        db, state.sessions, kiosk_id, key, "submissions", body_hash, receipt.model_dump(mode="json")
    )
    if answer.status_code == 201:
        log.info(
            "submission.delivered",
            extra={"event": "submission.delivered", "reference": payload.reference,
                   "record": payload.id, "kiosk": kiosk_id},
        )
    return answer


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
    digest = hashlib.sha256(data)  # of data|since|until|command, without copying data
    digest.update(b"|".join([b"", str(since).encode(), str(until).encode(),
                             (command_id or "").encode()]))
    body_hash = digest.hexdigest()
    earlier = stored_reply(db, kiosk_id, key, "logs", body_hash)
    if earlier is not None:
        return earlier
    if command_id:
        command = db.get(KioskCommand, command_id)
        if command is not None and command.kiosk_id != kiosk_id:
            raise Refusal(403, "forbidden", "this command belongs to another kiosk")
    now_us = to_us(utc_now())
    batch = parse_batch(data, to_us(since) if since else now_us)
    if since and until:
        since_us, until_us = to_us(since), covered_until(to_us(until), now_us)
    elif len(batch):
        since_us, until_us = int(batch.times.min()), int(batch.times.max()) + 1
    else:
        since_us = until_us = now_us
    store_batch(db, kiosk_id, batch)
    db.add(
        LogUpload(
            kiosk_id=kiosk_id,
            id=key,
            since_us=since_us,
            until_us=until_us,
            command_id=command_id or "",
            lines=len(batch),
            received_at=utc_now(),
        )
    )
    receipt = LogsReceipt(id=key, lines=len(batch))
    return commit_reply(
        db, state.sessions, kiosk_id, key, "logs", body_hash, receipt.model_dump(mode="json")
    )


SCREENSHOT_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG"}
MAX_SCREENSHOT_PIXELS = 4096 * 4096


def _image_size(data: bytes, content_type: str) -> tuple[int, int]:
    """The picture's width and height; refused unless it is the JPEG or PNG it claims to be."""
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as image:
            if image.format != SCREENSHOT_TYPES[content_type]:
                raise Refusal(422, "bad_image", f"the body is not {content_type}")
            width, height = image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise Refusal(422, "bad_image", "the body is not a readable image") from None
    if width * height > MAX_SCREENSHOT_PIXELS:
        raise Refusal(413, "too_large", "more pixels than any kiosk screen")
    return width, height


@router.post(
    "/screenshots",
    status_code=201,
    response_model=Received,
    responses={**_repeat_doc(Received), **refusals(404, 413, 415, *SIGNED_REFUSALS)},
    openapi_extra={"requestBody": {"required": True, "content": {
        t: {"schema": {"type": "string", "format": "binary"}} for t in SCREENSHOT_TYPES}}},
)
def upload_screenshot(
    request: Request,
    signed: Signed,
    db: DB,
    command_id: Annotated[str, Query(max_length=32)],
    screen: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """The picture a ``screenshot`` command took of the kiosk's screen; once per command."""
    kiosk_id = signed.kiosk.id
    command = db.get(KioskCommand, command_id)
    if command is None or command.kiosk_id != kiosk_id or command.kind != "screenshot":
        raise Refusal(404, "command_unknown", "no screenshot command of this kiosk has that id")
    earlier = db.get(KioskScreenshot, command_id)
    if earlier is not None:
        body = Received(id=command_id, received_at=earlier.received_at).model_dump(mode="json")
        return JSONResponse(body, status_code=200)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in SCREENSHOT_TYPES:
        raise Refusal(415, "bad_content_type", "send image/jpeg or image/png")
    width, height = _image_size(signed.body, content_type)
    now = utc_now()
    db.add(KioskScreenshot(
        command_id=command_id, kiosk_id=kiosk_id, received_at=now, screen=screen,
        width=width, height=height, content_type=content_type, data=signed.body,
    ))
    db.commit()
    return JSONResponse(Received(id=command_id, received_at=now).model_dump(mode="json"), status_code=201)
