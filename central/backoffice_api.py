"""The back office's endpoints (bearer tokens): fleet health, log ranges, commands, revocation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import func, select

from central import kiosk_commands, queuetrend
from central.credentials import create_pairing_code
from central.deps import DB, Admin, Refusal, State, Viewer, refusals
from central.logstore import from_us, missing_ranges, stream_lines, to_us
from central.models import Kiosk, KioskCommand, KioskScreenshot
from wire.models import (
    HEADER_LOG_COVERAGE,
    CommandCreated,
    CommandRequest,
    CommandStatus,
    DeviceStatus,
    KioskSummary,
    LogCoverage,
    PairingCodeRequest,
    PairingCodeResponse,
    RevokeResponse,
    as_utc,
    utc_now,
)

router = APIRouter(tags=["back office"])

KioskId = Annotated[str, Path(max_length=32)]
Since = Annotated[datetime, Query(description="start of the range (inclusive), ISO 8601")]
Until = Annotated[datetime, Query(description="end of the range (exclusive), ISO 8601")]


def _kiosk(db: DB, kiosk_id: str) -> Kiosk:
    kiosk = db.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise Refusal(404, "kiosk_unknown")
    return kiosk


def _range_us(since: datetime, until: datetime) -> tuple[int, int]:
    try:
        since_us, until_us = to_us(as_utc(since)), to_us(as_utc(until))
    except (OverflowError, ValueError, OSError):
        raise Refusal(422, "bad_range", "time out of range") from None
    if since_us >= until_us:
        raise Refusal(422, "bad_range", "since must be before until")
    return since_us, until_us


@router.get("/kiosks", response_model=list[KioskSummary], responses=refusals(401))
def list_kiosks(_role: Viewer, db: DB) -> list[KioskSummary]:
    """Every kiosk with its last reported health."""
    pending = dict(
        db.execute(
            select(KioskCommand.kiosk_id, func.count())
            .where(KioskCommand.acked_at.is_(None))
            .group_by(KioskCommand.kiosk_id)
        ).all()
    )
    kiosks = db.scalars(select(Kiosk).order_by(Kiosk.id)).all()
    return [
        KioskSummary(
            kiosk_id=k.id,
            hostname=k.hostname,
            location=k.location or {},
            last_heartbeat=k.last_heartbeat,
            devices={name: DeviceStatus(**status) for name, status in (k.devices or {}).items()},
            queue_depth=k.queue_depth,
            queue_trend=list(k.queue_trend or []),
            queue_growing=k.revoked_at is None and queuetrend.growing(k.queue_trend or []),
            versions=k.versions or {},
            free_disk_bytes=k.free_disk_bytes,
            revoked=k.revoked_at is not None,
            out_of_service=k.out_of_service,
            pending_commands=pending.get(k.id, 0),
        )
        for k in kiosks
    ]


def _coverage(db: DB, kiosk_id: str, since_us: int, until_us: int) -> LogCoverage:
    gaps = missing_ranges(db, kiosk_id, since_us, until_us)
    missing = sum(end - start for start, end in gaps)
    return LogCoverage(
        coverage="partial" if gaps else "complete",
        covered_fraction=1.0 - missing / (until_us - since_us),
        missing=[(from_us(start), from_us(end)) for start, end in gaps],
    )


@router.get(
    "/kiosks/{kiosk_id}/logs",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The stored lines of the range in time order; "
            f"{HEADER_LOG_COVERAGE} says whether uploads cover it all",
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
            "headers": {
                HEADER_LOG_COVERAGE: {"schema": {"type": "string", "enum": ["complete", "partial"]}}
            },
        },
        **refusals(401, 404, 422),
    },
)
def kiosk_logs(
    kiosk_id: KioskId,
    since: Since,
    until: Until,
    request: Request,
    _role: Viewer,
    state: State,
    db: DB,
) -> StreamingResponse:
    """A kiosk's log lines for a time range, streamed (gzip'd when the client accepts it)."""
    kiosk = _kiosk(db, kiosk_id)
    since_us, until_us = _range_us(since, until)
    coverage = _coverage(db, kiosk.id, since_us, until_us)
    db.close()
    gzipped = "gzip" in request.headers.get("accept-encoding", "").lower()
    headers = {HEADER_LOG_COVERAGE: coverage.coverage}
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return StreamingResponse(
        stream_lines(state.engine, kiosk.id, since_us, until_us, gzipped),
        media_type="application/x-ndjson",
        headers=headers,
    )


@router.get(
    "/kiosks/{kiosk_id}/logs/coverage",
    response_model=LogCoverage,
    responses=refusals(401, 404, 422),
)
def kiosk_log_coverage(
    kiosk_id: KioskId, since: Since, until: Until, _role: Viewer, db: DB
) -> LogCoverage:
    """How much of a range the kiosk has uploaded, and which parts are missing."""
    kiosk = _kiosk(db, kiosk_id)
    return _coverage(db, kiosk.id, *_range_us(since, until))


@router.post(
    "/kiosks/{kiosk_id}/commands",
    status_code=201,
    response_model=CommandCreated,
    responses=refusals(401, 403, 404, 409, 422),
)
def queue_command(
    kiosk_id: KioskId, payload: CommandRequest, _role: Admin, db: DB
) -> CommandCreated:
    """Queue a command; the kiosk gets it with its next heartbeat and runs it once."""
    command = kiosk_commands.queue(db, _kiosk(db, kiosk_id), payload.kind, payload.args)
    db.commit()
    return CommandCreated(id=command.id)


@router.get(
    "/kiosks/{kiosk_id}/commands",
    response_model=list[CommandStatus],
    responses=refusals(401, 404),
)
def list_commands(
    kiosk_id: KioskId, _role: Viewer, db: DB,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[CommandStatus]:
    """The kiosk's latest commands, newest first, each queued → sent → done | failed."""
    kiosk = _kiosk(db, kiosk_id)
    rows = list(db.scalars(
        select(KioskCommand).where(KioskCommand.kiosk_id == kiosk.id)
        .order_by(KioskCommand.created_at.desc()).limit(limit)
    ))
    shots = kiosk_commands.with_screenshots(db, rows)
    return [kiosk_commands.status(row, row.id in shots) for row in rows]


@router.get(
    "/kiosks/{kiosk_id}/commands/{command_id}",
    response_model=CommandStatus,
    responses=refusals(401, 404),
)
def command_status(
    kiosk_id: KioskId, command_id: Annotated[str, Path(max_length=32)], _role: Viewer, db: DB
) -> CommandStatus:
    """One command: where it is, and what the kiosk said it came to."""
    command = db.get(KioskCommand, command_id)
    if command is None or command.kiosk_id != kiosk_id:
        raise Refusal(404, "command_unknown")
    return kiosk_commands.status(command, bool(kiosk_commands.with_screenshots(db, [command])))


@router.get(
    "/kiosks/{kiosk_id}/commands/{command_id}/screenshot",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}},
                     "description": "what the kiosk's screen showed"}, **refusals(401, 404)},
)
def command_screenshot(
    kiosk_id: KioskId, command_id: Annotated[str, Path(max_length=32)], _role: Viewer, db: DB
) -> Response:
    """The picture a ``screenshot`` command brought back."""
    shot = db.get(KioskScreenshot, command_id)
    if shot is None or shot.kiosk_id != kiosk_id:
        raise Refusal(404, "screenshot_unknown")
    return Response(shot.data, media_type=shot.content_type, headers={"Cache-Control": "no-store"})


@router.post(
    "/kiosks/{kiosk_id}/revoke",
    response_model=RevokeResponse,
    responses=refusals(401, 403, 404),
)
def revoke(kiosk_id: KioskId, _role: Admin, state: State, db: DB) -> RevokeResponse:
    """Refuse every further request signed with this kiosk's secret."""
    kiosk = _kiosk(db, kiosk_id)
    if kiosk.revoked_at is None:
        kiosk.revoked_at = utc_now()
        db.commit()
    state.forget_secret(kiosk.id)
    return RevokeResponse(kiosk_id=kiosk.id, revoked=True)


@router.post(
    "/pairing-codes",
    status_code=201,
    response_model=PairingCodeResponse,
    responses=refusals(401, 403, 422),
)
def new_pairing_code(payload: PairingCodeRequest, _role: Admin, db: DB) -> PairingCodeResponse:
    """A one-time code a technician types into ``kiosk-provision enrol``."""
    code, expires = create_pairing_code(db, payload.ttl_seconds)
    return PairingCodeResponse(code=code, expires_at=expires)
