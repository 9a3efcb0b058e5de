"""The central server's tables: kiosks, credentials, commands and everything kiosks upload."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from central.db import Base, UTCDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for big tables.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Kiosk(Base):
    __tablename__ = "kiosks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    hostname: Mapped[str] = mapped_column(String(255), default="")
    location: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_heartbeat: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    devices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    queue_depth: Mapped[int] = mapped_column(Integer, default=0)
    # The queue depth of the last QUEUE_TREND_BEATS heartbeats, oldest first (central.fleet).
    queue_trend: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")
    free_disk_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    out_of_service: Mapped[bool] = mapped_column(Boolean, default=False)


class ApiToken(Base):
    """A back-office bearer token; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PairingCode(Base):
    __tablename__ = "pairing_codes"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    kiosk_id: Mapped[str | None] = mapped_column(String(32), nullable=True)


class PairingAttempt(Base):
    """Failed pairing-code guesses per client address in the current window (the throttle)."""

    __tablename__ = "pairing_attempts"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger)
    failures: Mapped[int] = mapped_column(Integer)


class Nonce(Base):
    """Nonces seen inside the clock-skew window; older ones are pruned."""

    __tablename__ = "nonces"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[int] = mapped_column(BigInteger, index=True)


class IdempotentReply(Base):
    """The answer given to one Idempotency-Key, replayed verbatim for a repeat."""

    __tablename__ = "idempotent_replies"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(32))
    body_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class KioskCommand(Base):
    __tablename__ = "kiosk_commands"
    __table_args__ = (Index("ix_commands_pending", "kiosk_id", "acked_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(32), ForeignKey("kiosks.id"))
    kind: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # What the kiosk said it came to (with the ack); failed is None when it gave no result.
    outcome: Mapped[str] = mapped_column(String(500), default="", server_default="")
    failed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class KioskScreenshot(Base):
    """The screen a kiosk showed when it ran a ``screenshot`` command (one per command)."""

    __tablename__ = "kiosk_screenshots"

    command_id: Mapped[str] = mapped_column(String(32), ForeignKey("kiosk_commands.id"), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(32), ForeignKey("kiosks.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    screen: Mapped[str] = mapped_column(String(64), default="")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Submission(Base):
    __tablename__ = "submissions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(32), ForeignKey("kiosks.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    scenario: Mapped[str] = mapped_column(String(128))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SubmissionMaterial(Base):
    __tablename__ = "submission_materials"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(String(64), ForeignKey("submissions.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class DeviceEventRow(Base):
    __tablename__ = "device_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(64), index=True)
    kiosk_id: Mapped[str] = mapped_column(String(32), ForeignKey("kiosks.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(String(128), default="")


class LogUpload(Base):
    """One accepted log batch; its [since, until) range counts towards X-Log-Coverage."""

    __tablename__ = "log_uploads"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    since_us: Mapped[int] = mapped_column(BigInteger)
    until_us: Mapped[int] = mapped_column(BigInteger)
    command_id: Mapped[str] = mapped_column(String(32), default="")
    lines: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LogBlock(Base):
    """A run of one kiosk's log lines in time order (central/logstore.py): ``data`` is a deflate
    segment (central/deflate.py) of the lines, each ending in a newline, ``size`` and ``crc``
    their length and CRC-32; ``times`` is the lines' times in microseconds, zlib'd little-endian
    int64 differences. One kiosk's blocks never overlap in time: ``last_us`` of one is below
    ``first_us`` of the next."""

    __tablename__ = "log_blocks"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    first_us: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    last_us: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(BigInteger)
    crc: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    times: Mapped[bytes] = mapped_column(LargeBinary)


# The after-submission tables share Base; importing them here registers them wherever the
# schema is created.
from central import models_applications  # noqa: E402, F401
