"""Applications at the centre: storing a submission sealed, routing its items, the status
machine with its history, 补正 supplements, search, and the citizen's timeline.

Statuses (one-time notice of all corrections, 一次性告知, is the 需补正 step)::

    已提交 → 已受理 | 需补正 | 不予受理
    需补正 → 已补正 (the kiosk's supplement) | 不予受理
    已补正 → 已受理 | 需补正 | 不予受理
    已受理 → 审批中 → 已办结 → 待领取 | 已寄出 (tracking number);  待领取 → 已寄出
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from central.departments import route
from central.deps import Refusal
from central.models import Submission, SubmissionMaterial
from central.models_applications import (
    Application,
    ApplicationEvent,
    ApplicationItem,
    SubmissionSupplement,
    SupplementMaterial,
    TrackAttempt,
)
from central.sealing import DataKeys
from central.staff import Staff, audit
from wire.models import (
    RedoMaterial,
    StatusReply,
    SubmissionRequest,
    SupplementRequest,
    TimelineEntry,
    utc_now,
)

log = logging.getLogger("central.applications")

SUBMITTED, ACCEPTED, NEEDS_CORRECTION, REJECTED = (
    "submitted", "accepted", "needs_correction", "rejected",
)
SUPPLEMENTED, IN_REVIEW, COMPLETED = "supplemented", "in_review", "completed"
AWAITING_PICKUP, MAILED = "awaiting_pickup", "mailed"

STATUS_LABELS: dict[str, tuple[str, str]] = {
    SUBMITTED: ("已提交", "Submitted"),
    ACCEPTED: ("已受理", "Accepted"),
    NEEDS_CORRECTION: ("需补正", "Needs correction"),
    REJECTED: ("不予受理", "Not accepted"),
    SUPPLEMENTED: ("已补正", "Corrected, awaiting review"),
    IN_REVIEW: ("审批中", "Under review"),
    COMPLETED: ("已办结", "Decided"),
    AWAITING_PICKUP: ("待领取", "Ready for pickup"),
    MAILED: ("已寄出", "Mailed"),
}
TRANSITIONS: dict[str, tuple[str, ...]] = {
    SUBMITTED: (ACCEPTED, NEEDS_CORRECTION, REJECTED),
    NEEDS_CORRECTION: (SUPPLEMENTED, REJECTED),
    SUPPLEMENTED: (ACCEPTED, NEEDS_CORRECTION, REJECTED),
    ACCEPTED: (IN_REVIEW,),
    IN_REVIEW: (COMPLETED,),
    COMPLETED: (AWAITING_PICKUP, MAILED),
    AWAITING_PICKUP: (MAILED,),
    MAILED: (),
    REJECTED: (),
}
# Only a kiosk's supplement moves 需补正 → 已补正.
STAFF_TARGETS = tuple(s for s in STATUS_LABELS if s not in (SUBMITTED, SUPPLEMENTED))

# The hall that issues results (一口综合发证): shown for 待领取 and on /track.
HALL = {
    "name_zh": "区政务服务中心 综合发证窗口",
    "name_en": "District service centre, results window",
    "hours_zh": "周一至周五 8:30–11:30、13:00–17:00（法定节假日除外）",
    "hours_en": "Mon–Fri 8:30–11:30 and 13:00–17:00 (closed on public holidays)",
    "phone": "12345",
}

COUNT_CAP = 1000
TRACK_WINDOW = timedelta(minutes=15)
TRACK_FAILS_PER_REFERENCE = 5
TRACK_FAILS_PER_ADDRESS = 30


# --- reading the submitted document ------------------------------------------------------


def _find(document: dict[str, Any], names: tuple[str, ...]) -> str:
    """The first non-empty value under any of ``names`` in the applicant or answers parts."""
    for part in (document.get("applicant"), document.get("answers"), document):
        if not isinstance(part, dict):
            continue
        for name in names:
            value = part.get(name)
            if isinstance(value, str | int) and str(value).strip():
                return str(value).strip()
    return ""


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def phone_tail(document: dict[str, Any]) -> str:
    digits = "".join(
        ch for ch in _find(document, ("applicant.mobile", "mobile", "phone")) if ch.isdigit()
    )
    return digits[-4:]


def redacted(document: dict[str, Any]) -> dict[str, Any]:
    """What may sit in clear in ``submissions.document``: the shape, never the person."""
    scenario = document.get("scenario")
    materials = document.get("materials") if isinstance(document.get("materials"), list) else []
    items = document.get("items") if isinstance(document.get("items"), list) else []
    delivery = document.get("delivery") if isinstance(document.get("delivery"), dict) else {}
    return {
        "sealed": True,
        "schema": document.get("schema", ""),
        "scenario": scenario if isinstance(scenario, dict) else {"id": str(scenario or "")},
        "items": [
            {k: i.get(k) for k in ("id", "title", "department")}
            for i in items
            if isinstance(i, dict)
        ],
        "materials": [
            {k: m.get(k) for k in ("id", "name", "pages", "original", "copies")}
            for m in materials
            if isinstance(m, dict)
        ],
        "delivery": {"method": str(delivery.get("method") or "pickup")},
    }


def _decode(name: str, data_b64: str) -> bytes:
    try:
        return base64.b64decode(data_b64, validate=True)
    except (binascii.Error, ValueError):
        raise Refusal(422, "bad_material", f"{name}: data_b64 is not base64") from None


# --- storing -----------------------------------------------------------------------------


def store_submission(
    db: Session, keys: DataKeys, payload: SubmissionRequest, kiosk_id: str, now: datetime
) -> None:
    """Add the submission, its sealed materials, its application row and routed items."""
    document = payload.document
    db.add(
        Submission(
            id=payload.id,
            kiosk_id=kiosk_id,
            reference=payload.reference,
            scenario=payload.scenario,
            document=redacted(document),
            received_at=now,
        )
    )
    for material in payload.materials:
        db.add(
            SubmissionMaterial(
                submission_id=payload.id,
                name=material.name,
                content_type=material.content_type,
                data=keys.seal(_decode(material.name, material.data_b64)),
            )
        )
    scenario = document.get("scenario") if isinstance(document.get("scenario"), dict) else {}
    delivery = document.get("delivery") if isinstance(document.get("delivery"), dict) else {}
    db.add(
        Application(
            submission_id=payload.id,
            reference=payload.reference,
            kiosk_id=kiosk_id,
            scenario=payload.scenario,
            scenario_title=str(scenario.get("title", ""))[:255],
            status=SUBMITTED,
            status_at=now,
            received_at=now,
            masked_name=mask_name(_find(document, ("applicant.name", "name")))[:64],
            delivery=str(delivery.get("method") or "pickup")[:16],
            document_enc=keys.seal(json.dumps(document, ensure_ascii=False).encode()),
            phone_tail_enc=keys.seal(phone_tail(document).encode()),
        )
    )
    db.flush()
    items = document.get("items") if isinstance(document.get("items"), list) else []
    for info in route(items):
        db.add(
            ApplicationItem(
                submission_id=payload.id,
                item_id=info.id,
                title=info.title,
                department=info.department,
            )
        )
    db.add(
        ApplicationEvent(
            submission_id=payload.id,
            at=now,
            actor=f"kiosk:{kiosk_id}",
            to_status=SUBMITTED,
        )
    )


def by_reference(db: Session, reference: str) -> Application:
    app = db.scalar(
        select(Application)
        .where(Application.reference == reference.strip().upper())
        .order_by(Application.received_at.desc())
        .limit(1)
    )
    if app is None:
        raise Refusal(404, "reference_unknown", "no application has this reference")
    return app


def store_supplement(
    db: Session, keys: DataKeys, payload: SupplementRequest, kiosk_id: str, now: datetime
) -> None:
    """补正 materials for an application in 需补正; moves it to 已补正."""
    app = by_reference(db, payload.reference)
    if app.status != NEEDS_CORRECTION:
        raise Refusal(422, "not_awaiting_correction", f"the application is {app.status}")
    if not payload.materials:
        raise Refusal(422, "no_materials", "a supplement carries at least one material")
    db.add(
        SubmissionSupplement(
            id=payload.id,
            submission_id=app.submission_id,
            kiosk_id=kiosk_id,
            request_id=payload.request_id,
            received_at=now,
        )
    )
    db.flush()
    for material in payload.materials:
        db.add(
            SupplementMaterial(
                supplement_id=payload.id,
                name=material.name,
                content_type=material.content_type,
                data_enc=keys.seal(_decode(material.name, material.data_b64)),
            )
        )
    names = [m.name for m in payload.materials]
    _move(db, app, SUPPLEMENTED, f"kiosk:{kiosk_id}", "", names, "", now)


def _move(
    db: Session,
    app: Application,
    to: str,
    actor: str,
    reason: str,
    materials: list[str],
    tracking: str,
    now: datetime,
) -> ApplicationEvent:
    event = ApplicationEvent(
        submission_id=app.submission_id,
        at=now,
        actor=actor[:128],
        from_status=app.status,
        to_status=to,
        reason=reason,
        materials=materials,
        tracking_number=tracking,
    )
    db.add(event)
    app.status = to
    app.status_at = now
    if tracking:
        app.tracking_number = tracking
    return event


def departments_of(db: Session, submission_id: str) -> list[str]:
    return list(
        db.scalars(
            select(ApplicationItem.department)
            .where(ApplicationItem.submission_id == submission_id)
            .distinct()
        )
    )


def material_choices(db: Session, app: Application) -> list[tuple[str, str]]:
    """(id, name) of the materials the application listed (from the redacted document)."""
    doc = db.get(Submission, app.submission_id)
    rows = (doc.document or {}).get("materials", []) if doc else []
    return [(str(m.get("id")), str(m.get("name") or m.get("id"))) for m in rows if m.get("id")]


def set_status(
    db: Session,
    staff: Staff,
    app: Application,
    to: str,
    reason: str = "",
    materials: list[str] | None = None,
    tracking_number: str = "",
) -> ApplicationEvent:
    """Move ``app`` to ``to`` if the rules allow and the caller may; audited."""
    materials = [m.strip() for m in materials or [] if m.strip()]
    reason, tracking_number = reason.strip(), tracking_number.strip()
    if not staff.can_act or not staff.may_see(departments_of(db, app.submission_id)):
        raise Refusal(403, "forbidden_role", "this application is not routed to you")
    if to not in STATUS_LABELS or to not in STAFF_TARGETS:
        raise Refusal(422, "bad_status", f"one of: {', '.join(STAFF_TARGETS)}")
    if to not in TRANSITIONS[app.status]:
        allowed = ", ".join(TRANSITIONS[app.status]) or "none"
        raise Refusal(409, "bad_transition", f"{app.status} → {to} is not allowed; next: {allowed}")
    if to == NEEDS_CORRECTION:
        known = {m for m, _ in material_choices(db, app)}
        unknown = [m for m in materials if known and m not in known]
        if not materials or not reason:
            raise Refusal(422, "correction_incomplete", "name the materials to redo and why")
        if unknown:
            raise Refusal(422, "unknown_material", f"not in this application: {', '.join(unknown)}")
    if to == REJECTED and not reason:
        raise Refusal(422, "reason_missing", "say why it is not accepted")
    if to == MAILED and not tracking_number:
        raise Refusal(422, "tracking_missing", "give the tracking number")
    event = _move(
        db, app, to, staff.name, reason[:2000], materials, tracking_number[:64], utc_now()
    )
    audit(db, staff, "application.status", app.reference, status=to, reason=reason[:200])
    return event


# --- search ------------------------------------------------------------------------------


@dataclass
class Filters:
    reference: str = ""
    scenario: str = ""
    status: str = ""
    department: str = ""
    kiosk: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    offset: int = 0
    extra: dict[str, str] = field(default_factory=dict)


def search(db: Session, staff: Staff, filters: Filters) -> tuple[list[Application], int]:
    """A page of applications (newest first) and the total; clerks see their department's."""
    query = select(Application)
    department = filters.department
    if staff.role == "clerk":
        if department and department != staff.department:
            return [], 0
        department = staff.department
    if filters.reference:
        query = query.where(Application.reference == filters.reference.strip().upper())
    if filters.scenario:
        query = query.where(Application.scenario == filters.scenario)
    if filters.status:
        query = query.where(Application.status == filters.status)
    if filters.kiosk:
        query = query.where(Application.kiosk_id == filters.kiosk)
    if filters.since:
        query = query.where(Application.received_at >= filters.since)
    if filters.until:
        query = query.where(Application.received_at < filters.until)
    if department:
        routed = select(ApplicationItem.submission_id).where(
            ApplicationItem.department == department
        )
        query = query.where(Application.submission_id.in_(routed))
    # Counting every match of a broad filter over 100,000s of rows costs more than the page;
    # past COUNT_CAP the total is shown as "COUNT_CAP or more".
    capped = query.with_only_columns(Application.submission_id).limit(COUNT_CAP).subquery()
    total = int(db.scalar(select(func.count()).select_from(capped)) or 0)
    rows = db.scalars(
        query.order_by(Application.received_at.desc(), Application.submission_id)
        .limit(max(1, min(filters.limit, 10_000)))
        .offset(max(0, filters.offset))
    ).all()
    return list(rows), total


def summaries(db: Session, apps: list[Application]) -> list[dict[str, Any]]:
    """:func:`summary` of each, with the departments read in one query."""
    departments: dict[str, list[str]] = {a.submission_id: [] for a in apps}
    for chunk in range(0, len(apps), 1000):
        ids = [a.submission_id for a in apps[chunk : chunk + 1000]]
        for submission_id, department in db.execute(
            select(ApplicationItem.submission_id, ApplicationItem.department)
            .where(ApplicationItem.submission_id.in_(ids))
            .distinct()
        ):
            departments[submission_id].append(department)
    return [summary(db, a, sorted(departments[a.submission_id])) for a in apps]


def summary(db: Session, app: Application, departments: list[str] | None = None) -> dict[str, Any]:
    """The fields safe for any staff role and for exports."""
    if departments is None:
        departments = sorted(departments_of(db, app.submission_id))
    return {
        "id": app.submission_id,
        "reference": app.reference,
        "scenario": app.scenario,
        "scenario_title": app.scenario_title,
        "status": app.status,
        "status_label": STATUS_LABELS[app.status][0],
        "status_at": app.status_at.isoformat(),
        "received_at": app.received_at.isoformat(),
        "kiosk_id": app.kiosk_id,
        "masked_name": app.masked_name,
        "departments": departments,
        "delivery": app.delivery,
        "tracking_number": app.tracking_number,
    }


def history(db: Session, app: Application) -> list[ApplicationEvent]:
    return list(
        db.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.submission_id == app.submission_id)
            .order_by(ApplicationEvent.at, ApplicationEvent.id)
        )
    )


def event_dict(event: ApplicationEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "label": STATUS_LABELS.get(event.to_status, (event.to_status,))[0],
        "reason": event.reason,
        "materials": event.materials or [],
        "tracking_number": event.tracking_number,
    }


def materials_of(db: Session, app: Application) -> list[dict[str, Any]]:
    """Every stored material (original and 补正), without the data."""
    originals = db.execute(
        select(SubmissionMaterial.id, SubmissionMaterial.name, SubmissionMaterial.content_type)
        .where(SubmissionMaterial.submission_id == app.submission_id)
        .order_by(SubmissionMaterial.id)
    ).all()
    supplements = db.execute(
        select(
            SupplementMaterial.id,
            SupplementMaterial.name,
            SupplementMaterial.content_type,
            SubmissionSupplement.received_at,
        )
        .join(SubmissionSupplement, SubmissionSupplement.id == SupplementMaterial.supplement_id)
        .where(SubmissionSupplement.submission_id == app.submission_id)
        .order_by(SupplementMaterial.id)
    ).all()
    return [
        {"key": f"o{r.id}", "name": r.name, "content_type": r.content_type, "supplement": False}
        for r in originals
    ] + [
        {
            "key": f"s{r.id}",
            "name": r.name,
            "content_type": r.content_type,
            "supplement": True,
            "received_at": r.received_at.isoformat(),
        }
        for r in supplements
    ]


def require_view(db: Session, staff: Staff, app: Application) -> None:
    if not staff.may_see(departments_of(db, app.submission_id)):
        raise Refusal(403, "forbidden_role", "this role may not see the applicant's data")


def open_document(db: Session, keys: DataKeys, staff: Staff, app: Application) -> dict[str, Any]:
    """The merged form in clear, for a role that may see it; the view is audited."""
    require_view(db, staff, app)
    audit(db, staff, "personal_data.view", app.reference, part="document")
    db.commit()
    return json.loads(keys.open(app.document_enc))


def open_material(
    db: Session, keys: DataKeys, staff: Staff, app: Application, key: str
) -> tuple[str, str, bytes]:
    """(name, content type, bytes) of one material; the view is audited."""
    require_view(db, staff, app)
    row: Any = None
    if key.startswith("o") and key[1:].isdigit():
        row = db.get(SubmissionMaterial, int(key[1:]))
        ok = row is not None and row.submission_id == app.submission_id
        data = row.data if ok else b""
    elif key.startswith("s") and key[1:].isdigit():
        row = db.get(SupplementMaterial, int(key[1:]))
        parent = db.get(SubmissionSupplement, row.supplement_id) if row else None
        ok = parent is not None and parent.submission_id == app.submission_id
        data = row.data_enc if ok else b""
    else:
        ok = False
    if not ok:
        raise Refusal(404, "material_unknown")
    audit(db, staff, "personal_data.view", app.reference, part="material", material=row.name)
    db.commit()
    return row.name, row.content_type, keys.open(data)


# --- the citizen's side: second factor, rate limits, timeline ------------------------------


def _misses(db: Session, keys: list[str], since: datetime) -> dict[str, int]:
    """Recent misses per key, in one query."""
    rows = db.execute(
        select(TrackAttempt.key, func.count())
        .where(TrackAttempt.key.in_(keys), TrackAttempt.at >= since)
        .group_by(TrackAttempt.key)
    )
    return {key: int(n) for key, n in rows}


def check_second_factor(
    db: Session, keys: DataKeys, reference: str, last4: str, address: str
) -> Application:
    """The application when ``last4`` matches its phone; rate-limited per reference and address.

    Attempts are rows in the database, so every worker process counts the same ones. Unknown
    references and wrong digits get the same answer.
    """
    now = utc_now()
    since = now - TRACK_WINDOW
    ref_key = "ref:" + reference.strip().upper()[:64]
    addr_key = "addr:" + address[:64]
    misses = _misses(db, [ref_key, addr_key] if address else [ref_key], since)
    if (
        misses.get(ref_key, 0) >= TRACK_FAILS_PER_REFERENCE
        or misses.get(addr_key, 0) >= TRACK_FAILS_PER_ADDRESS
    ):
        raise Refusal(429, "too_many_attempts", "try again in 15 minutes")
    app = db.scalar(
        select(Application)
        .where(Application.reference == reference.strip().upper())
        .order_by(Application.received_at.desc())
        .limit(1)
    )
    ok = (
        app is not None
        and len(last4) == 4
        and secrets.compare_digest(keys.open(app.phone_tail_enc).decode(), last4)
    )
    if not ok or app is None:
        # Only misses are recorded: they are what the limits count.
        db.add(TrackAttempt(key=ref_key, at=now, ok=False))
        if address:
            db.add(TrackAttempt(key=addr_key, at=now, ok=False))
        if secrets.randbelow(100) == 0:
            db.execute(delete(TrackAttempt).where(TrackAttempt.at < now - timedelta(days=1)))
        db.commit()
        raise Refusal(404, "no_match", "the reference and the phone digits do not match")
    return app


def citizen_status(db: Session, app: Application) -> StatusReply:
    """The timeline and the next step, with nothing personal beyond the masked name."""
    events = history(db, app)
    label_zh, label_en = STATUS_LABELS[app.status]
    timeline = [
        TimelineEntry(
            status=e.to_status,
            label_zh=STATUS_LABELS[e.to_status][0],
            label_en=STATUS_LABELS[e.to_status][1],
            at=e.at,
            note=e.reason if e.to_status in (NEEDS_CORRECTION, REJECTED) else "",
        )
        for e in events
    ]
    reply = StatusReply(
        reference=app.reference,
        masked_name=app.masked_name,
        scenario=app.scenario_title or app.scenario,
        status=app.status,
        label_zh=label_zh,
        label_en=label_en,
        timeline=timeline,
        tracking_number=app.tracking_number if app.status == MAILED else "",
    )
    if app.status == NEEDS_CORRECTION:
        ask = next((e for e in reversed(events) if e.to_status == NEEDS_CORRECTION), None)
        names = dict(material_choices(db, app))
        wanted = ask.materials if ask else []
        reply.redo_materials = [RedoMaterial(id=m, name_zh=names.get(m, m)) for m in wanted]
        reply.request_id = str(ask.id) if ask else ""
        reply.next_zh = (
            "请重新提交以下材料：到任一24小时自助区终端选择“办件查询”，扫描回执二维码后按提示拍摄；"
            "或带原件到大厅综合受理窗口。"
        )
        reply.next_en = (
            "Please send the materials below again: at any 24-hour kiosk choose 'Track an "
            "application', scan the receipt's QR and follow the steps; or bring the originals "
            "to the hall's front desk."
        )
    elif app.status == AWAITING_PICKUP:
        reply.next_zh = f"请到{HALL['name_zh']}领取，{HALL['hours_zh']}。请带身份证原件。"
        reply.next_en = f"Collect it at the {HALL['name_en']}, {HALL['hours_en']}. Bring your ID card."
    elif app.status == MAILED:
        reply.next_zh = f"已通过免费寄递寄出，运单号 {app.tracking_number}。"
        reply.next_en = f"Sent by free mail, tracking number {app.tracking_number}."
    elif app.status == REJECTED:
        reply.next_zh = f"如有疑问请拨打 {HALL['phone']}。"
        reply.next_en = f"Questions: call {HALL['phone']}."
    elif app.status in (SUBMITTED, SUPPLEMENTED):
        reply.next_zh = "工作人员将尽快受理；如需补正，会在此一次性告知。"
        reply.next_en = "Staff will review it soon; if anything must be corrected, you will see it all here."
    else:
        reply.next_zh = "正在办理，无需您操作。"
        reply.next_en = "In progress; nothing to do for now."
    return reply

