"""Tables for the after-submission loop: applications and their history, departments' items,
补正 supplements, 好差评 ratings, help calls, staff scopes, console sessions, /track attempts,
alerts and the staff audit log.

Personal data lives only in the ``*_enc`` columns, sealed with the data keys (see
:mod:`central.sealing`); everything else here is safe to read from a database dump.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from central.db import Base, UTCDateTime
from central.models import BigId


class Application(Base):
    """One submission as the back office handles it (its status now; history in events)."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_status_received", "status", "received_at"),
        Index("ix_applications_kiosk_received", "kiosk_id", "received_at"),
        Index("ix_applications_scenario_received", "scenario", "received_at"),
    )

    submission_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("submissions.id"), primary_key=True
    )
    reference: Mapped[str] = mapped_column(String(64), index=True)
    kiosk_id: Mapped[str] = mapped_column(String(32))
    scenario: Mapped[str] = mapped_column(String(128))
    scenario_title: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(32))
    status_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    masked_name: Mapped[str] = mapped_column(String(64), default="")
    delivery: Mapped[str] = mapped_column(String(16), default="pickup")
    tracking_number: Mapped[str] = mapped_column(String(64), default="")
    # The whole merged document and the phone's last 4 digits, sealed.
    document_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_tail_enc: Mapped[bytes] = mapped_column(LargeBinary)


class ApplicationItem(Base):
    """One 事项 of an application, routed to the department that decides it."""

    __tablename__ = "application_items"
    __table_args__ = (Index("ix_application_items_department", "department", "submission_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("applications.submission_id"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(255), default="")
    department: Mapped[str] = mapped_column(String(128))


class ApplicationEvent(Base):
    """One status change (or a 补正 arriving): who, when, why."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("applications.submission_id"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    from_status: Mapped[str] = mapped_column(String(32), default="")
    to_status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    # 补正: the material ids to redo; 已寄出: the tracking number.
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    tracking_number: Mapped[str] = mapped_column(String(64), default="")


class SubmissionSupplement(Base):
    """补正 materials a kiosk sent for an application (idempotent by record id)."""

    __tablename__ = "supplements"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("applications.submission_id"), index=True
    )
    kiosk_id: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str] = mapped_column(String(64), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SupplementMaterial(Base):
    __tablename__ = "supplement_materials"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    supplement_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("supplements.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    data_enc: Mapped[bytes] = mapped_column(LargeBinary)


class Rating(Base):
    """One 好差评; levels 1–2 (差评) carry a follow-up due within 15 working days."""

    __tablename__ = "ratings"
    __table_args__ = (Index("ix_ratings_kiosk_rated", "kiosk_id", "rated_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(64), index=True)
    scenario: Mapped[str] = mapped_column(String(128), default="")
    level: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment_enc: Mapped[bytes] = mapped_column(LargeBinary)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    followup_status: Mapped[str] = mapped_column(String(16), default="")
    followup_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    followup_owner: Mapped[str] = mapped_column(String(128), default="")
    followup_note: Mapped[str] = mapped_column(Text, default="")
    followup_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class HelpCall(Base):
    """呼叫工作人员 at a kiosk: where in the flow, never who."""

    __tablename__ = "help_calls"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(32), index=True)
    screen: Mapped[str] = mapped_column(String(64))
    scenario: Mapped[str] = mapped_column(String(128), default="")
    step: Mapped[str] = mapped_column(String(64), default="")
    called_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handled_by: Mapped[str] = mapped_column(String(128), default="")


class StaffScope(Base):
    """The department a clerk token works for (by the token's hash)."""

    __tablename__ = "staff_scopes"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    department: Mapped[str] = mapped_column(String(128))


class ConsoleSession(Base):
    """A console login: the cookie holds ``id``; forms carry ``csrf``."""

    __tablename__ = "console_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    csrf: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TrackAttempt(Base):
    """A /track (or kiosk 办件查询) check of the phone digits, for rate limiting across workers."""

    __tablename__ = "track_attempts"
    __table_args__ = (Index("ix_track_attempts_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)


class Alert(Base):
    """A fleet alert (offline, paper out, queue growing, help called); notified once."""

    __tablename__ = "alerts"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    kiosk_id: Mapped[str] = mapped_column(String(32), index=True)
    detail: Mapped[str] = mapped_column(String(255), default="")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEntry(Base):
    """Every staff action and every view of personal data (never the data itself)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    address: Mapped[str] = mapped_column(String(64), default="")
