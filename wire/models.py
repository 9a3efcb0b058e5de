"""The bodies the kiosk and the central API exchange (see /work/notes/central-contract.md).

Plain pydantic models with no web framework import: the kiosk's central client builds requests
with them and the reference server in ``central/`` validates with the same classes, so the two
sides cannot drift apart. Times are ISO 8601; a time without a zone is taken as UTC.

Log uploads (``POST /api/v1/logs``) are gzip'd JSON lines; each line is a JSON object whose
time is read from the first of :data:`LOG_TIME_FIELDS` it has (ISO 8601 text or Unix seconds).
A line without a readable time is still stored, at the upload's ``since`` (or its arrival time).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

API_PREFIX = "/api/v1"
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

DeviceState = Literal["ok", "degraded", "fault", "absent"]
CommandKind = Literal["upload_logs", "out_of_service", "reload_catalog", "print_test_page"]
Role = Literal["viewer", "clerk", "admin"]
Coverage = Literal["complete", "partial"]

LOG_TIME_FIELDS = ("at", "ts", "time", "timestamp")
HEADER_LOG_COVERAGE = "X-Log-Coverage"


def as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC time (naive times are taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def log_line_time(record: dict[str, Any]) -> datetime | None:
    """The time of one decoded log line, or None when it has none we can read."""
    for name in LOG_TIME_FIELDS:
        value = record.get(name)
        if isinstance(value, bool) or value is None:
            continue
        try:
            if isinstance(value, int | float):
                return datetime.fromtimestamp(float(value), UTC)
            if isinstance(value, str):
                return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except (ValueError, OverflowError, OSError):
            continue
    return None


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Timed(_Wire):
    """Base for models whose datetime fields must come out in UTC."""

    @field_validator("*", mode="after")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        if not isinstance(value, datetime):
            return value
        try:
            return as_utc(value)
        except OverflowError:
            raise ValueError("time out of range") from None


class ErrorBody(_Wire):
    """Every refusal: ``{"error": key}`` (and, for a bad body, what was wrong)."""

    error: str
    detail: Any = None


# --- enrolment -------------------------------------------------------------------------------


class EnrolRequest(_Wire):
    pairing_code: str = Field(min_length=1, max_length=64)
    hostname: str = Field(default="", max_length=255)
    location: dict[str, Any] = Field(default_factory=dict)
    versions: dict[str, Any] = Field(default_factory=dict)


class EnrolResponse(_Wire):
    kiosk_id: str
    secret: str = Field(description="hex of 32 random bytes; the HMAC key for signing")
    heartbeat_seconds: int


# --- heartbeat and commands ------------------------------------------------------------------


class DeviceStatus(_Wire):
    state: DeviceState
    reason: str = ""


class HeartbeatRequest(_Timed):
    kiosk_id: str
    sent_at: datetime
    devices: dict[str, DeviceStatus] = Field(default_factory=dict)
    queue_depth: int = Field(default=0, ge=0, le=INT32_MAX)
    versions: dict[str, Any] = Field(default_factory=dict)
    free_disk_bytes: int = Field(default=0, ge=0, le=INT64_MAX)
    out_of_service: bool = False
    acked_commands: list[str] = Field(default_factory=list)


class UploadLogsArgs(_Timed):
    since: datetime
    until: datetime


class OutOfServiceArgs(_Wire):
    on: bool
    reason: str = ""


COMMAND_ARGS: dict[str, type[_Wire] | None] = {
    "upload_logs": UploadLogsArgs,
    "out_of_service": OutOfServiceArgs,
    "reload_catalog": None,
    "print_test_page": None,
}


class Command(_Wire):
    id: str
    kind: CommandKind
    args: dict[str, Any] = Field(default_factory=dict)


class HeartbeatResponse(_Timed):
    server_time: datetime
    commands: list[Command] = Field(default_factory=list)


# --- submissions, events, logs ---------------------------------------------------------------


class Material(_Wire):
    name: str
    content_type: str = "image/jpeg"
    data_b64: str


class SubmissionRequest(_Wire):
    id: str = Field(min_length=1, max_length=64)
    reference: str = Field(min_length=1, max_length=64)
    scenario: str = Field(max_length=128)
    document: dict[str, Any] = Field(default_factory=dict)
    materials: list[Material] = Field(default_factory=list)


class SubmissionReceipt(_Timed):
    id: str
    reference: str
    received_at: datetime


class DeviceEvent(_Timed):
    at: datetime
    kind: str
    device: str = ""
    state: str = ""
    reason: str = ""


class EventsRequest(_Wire):
    id: str = Field(min_length=1, max_length=64)
    events: list[DeviceEvent] = Field(default_factory=list)


class EventsReceipt(_Timed):
    id: str
    events: int
    received_at: datetime


class LogsReceipt(_Wire):
    id: str
    lines: int


# --- after submission: 补正, 好差评, help calls ---------------------------------------------------

RatingLevel = Literal[1, 2, 3, 4, 5]  # 1 非常不满意 … 5 非常满意 (政务服务"好差评" five levels)
RATING_REASONS = (
    "slow", "unclear_guidance", "device_fault", "too_many_materials", "result_unsatisfying", "other",
)


class SupplementRequest(_Wire):
    """补正: recaptured materials for an application the centre marked 需补正 (linked by reference)."""

    id: str = Field(min_length=1, max_length=64)
    reference: str = Field(min_length=1, max_length=64)
    request_id: str = Field(default="", max_length=64, description="the centre's 补正 request it answers")
    materials: list[Material] = Field(default_factory=list)


class RatingRequest(_Timed):
    """One 好差评 after an application: no personal data beyond the application's reference."""

    id: str = Field(min_length=1, max_length=64)
    reference: str = Field(min_length=1, max_length=64)
    scenario: str = Field(default="", max_length=128)
    level: RatingLevel
    reasons: list[str] = Field(default_factory=list, max_length=len(RATING_REASONS))
    comment: str = Field(default="", max_length=200)
    rated_at: datetime


class HelpCallRequest(_Timed):
    """呼叫工作人员 pressed at a kiosk: which screen and step, never who."""

    id: str = Field(min_length=1, max_length=64)
    screen: str = Field(max_length=64)
    scenario: str = Field(default="", max_length=128)
    step: str = Field(default="", max_length=64)
    called_at: datetime


class Received(_Timed):
    """The centre's answer to a supplement, rating or help call."""

    id: str
    received_at: datetime


# --- batches: several outbox records in one signed request ----------------------------------

BatchKind = Literal["submission", "events", "supplement", "rating", "help_call"]
MAX_BATCH_RECORDS = 64
MAX_BATCH_BYTES = 8 * 1024 * 1024  # what a kiosk puts in one batch (one record may exceed it)


class BatchRecord(_Wire):
    """One outbox record: its id (its Idempotency-Key, as when sent alone), its kind, and the
    JSON object that the kind's own endpoint takes as its body."""

    id: str = Field(min_length=1, max_length=64)
    kind: BatchKind
    body: dict[str, Any]


class BatchRequest(_Wire):
    records: list[BatchRecord] = Field(min_length=1, max_length=MAX_BATCH_RECORDS)


class BatchResult(_Wire):
    """What the kind's endpoint would have answered for this record alone: 201 stored now,
    200 a repeat of its key (the first answer), or a refusal (``body`` is then an ErrorBody)."""

    id: str
    status: int
    body: dict[str, Any]


class BatchReply(_Wire):
    results: list[BatchResult]


class StatusQuery(_Wire):
    """办件查询 at a kiosk: the receipt's reference and the last 4 digits of the applicant's phone."""

    reference: str = Field(min_length=1, max_length=64)
    phone_last4: str = Field(pattern=r"^[0-9]{4}$")


class TimelineEntry(_Timed):
    status: str
    label_zh: str
    label_en: str
    at: datetime
    note: str = Field(default="", description="the reason given to the citizen, if any")


class RedoMaterial(_Wire):
    id: str
    name_zh: str
    name_en: str = ""


class StatusReply(_Timed):
    """Where an application is, and what the citizen does next (the same as /track shows)."""

    reference: str
    masked_name: str
    scenario: str
    status: str
    label_zh: str
    label_en: str
    timeline: list[TimelineEntry]
    next_zh: str = ""
    next_en: str = ""
    redo_materials: list[RedoMaterial] = Field(
        default_factory=list, description="需补正: the materials to recapture"
    )
    request_id: str = Field(default="", description="需补正: send as SupplementRequest.request_id")
    tracking_number: str = ""


# --- back office -----------------------------------------------------------------------------


class KioskSummary(_Timed):
    kiosk_id: str
    hostname: str = ""
    location: dict[str, Any] = Field(default_factory=dict)
    last_heartbeat: datetime | None = None
    devices: dict[str, DeviceStatus] = Field(default_factory=dict)
    queue_depth: int = 0
    versions: dict[str, Any] = Field(default_factory=dict)
    free_disk_bytes: int = 0
    revoked: bool = False
    out_of_service: bool = False
    pending_commands: int = 0


class CommandRequest(_Wire):
    kind: CommandKind
    args: dict[str, Any] = Field(default_factory=dict)


class CommandCreated(_Wire):
    id: str


class RevokeResponse(_Wire):
    kiosk_id: str
    revoked: bool


class PairingCodeRequest(_Wire):
    ttl_seconds: int = Field(default=3600, ge=60, le=30 * 24 * 3600)


class PairingCodeResponse(_Timed):
    code: str
    expires_at: datetime


class LogCoverage(_Timed):
    """Answer of ``GET /api/v1/kiosks/{id}/logs/coverage``: how much of a range is uploaded."""

    coverage: Coverage
    covered_fraction: float
    missing: list[tuple[datetime, datetime]] = Field(default_factory=list)
