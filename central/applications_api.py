"""Back-office endpoints for applications (bearer token + role): search, show, export, status.

viewer: the list without personal data; clerk: the applications routed to their department,
with the merged form and materials; admin: all. Every view of personal data is audited.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from central import applications
from central.aftercare_api import data_keys
from central.deps import DB, Refusal, refusals
from central.staff import StaffCaller, audit
from wire.models import as_utc

router = APIRouter(tags=["back office"])

Reference = Annotated[str, Path(max_length=64)]
EXPORT_COLUMNS = (
    "reference", "scenario", "scenario_title", "status", "status_label", "received_at",
    "status_at", "kiosk_id", "departments", "masked_name", "delivery", "tracking_number",
)


class StatusChange(BaseModel):
    status: str = Field(description="one of " + ", ".join(applications.STAFF_TARGETS))
    reason: str = Field(default="", max_length=2000)
    materials: list[str] = Field(default_factory=list, description="需补正: material ids to redo")
    tracking_number: str = Field(default="", max_length=64, description="已寄出: required")


def _filters(
    reference: str | None,
    scenario: str | None,
    status: str | None,
    department: str | None,
    kiosk: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> applications.Filters:
    if status and status not in applications.STATUS_LABELS:
        raise Refusal(422, "bad_status", f"one of: {', '.join(applications.STATUS_LABELS)}")
    return applications.Filters(
        reference=reference or "",
        scenario=scenario or "",
        status=status or "",
        department=department or "",
        kiosk=kiosk or "",
        since=as_utc(since) if since else None,
        until=as_utc(until) if until else None,
        limit=limit,
        offset=offset,
    )


Text = Annotated[str | None, Query(max_length=128)]
When = Annotated[datetime | None, Query()]


@router.get("/applications", responses=refusals(401, 422))
def list_applications(
    staff: StaffCaller,
    db: DB,
    reference: Text = None,
    scenario: Text = None,
    status: Text = None,
    department: Text = None,
    kiosk: Text = None,
    since: When = None,
    until: When = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """A page of applications, newest first, with the total (counted up to 1,000: past that
    ``total_is_lower_bound`` is true); no personal data."""
    filters = _filters(reference, scenario, status, department, kiosk, since, until, limit, offset)
    rows, total = applications.search(db, staff, filters)
    return {
        "total": total,
        "total_is_lower_bound": total >= applications.COUNT_CAP,
        "items": applications.summaries(db, rows),
    }


@router.get(
    "/applications/export",
    responses={
        200: {"content": {"text/csv": {}, "application/json": {}}},
        **refusals(401, 403, 422),
    },
)
def export_applications(
    staff: StaffCaller,
    db: DB,
    format: Annotated[Literal["csv", "json"], Query()] = "csv",
    reference: Text = None,
    scenario: Text = None,
    status: Text = None,
    department: Text = None,
    kiosk: Text = None,
    since: When = None,
    until: When = None,
) -> Response:
    """Every matching application as CSV or JSON (the list's fields, no personal data)."""
    filters = _filters(reference, scenario, status, department, kiosk, since, until, 10_000, 0)
    rows, _total = applications.search(db, staff, filters)
    records = applications.summaries(db, rows)
    audit(db, staff, "applications.export", format, count=len(records))
    db.commit()
    if format == "json":
        return JSONResponse(records)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow({**record, "departments": ";".join(record["departments"])})
    return Response(
        "\ufeff" + out.getvalue(),  # BOM: spreadsheet programs then read the Chinese right
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="applications.csv"'},
    )


@router.get("/applications/{reference}", responses=refusals(401, 404))
def show_application(
    reference: Reference, request: Request, staff: StaffCaller, db: DB
) -> dict[str, Any]:
    """One application: status, history, items, materials; the merged form for roles that may
    see it (that view is audited), otherwise ``document`` is null."""
    app = applications.by_reference(db, reference)
    departments = applications.departments_of(db, app.submission_id)
    if staff.role == "clerk" and not staff.may_see(departments):
        raise Refusal(403, "forbidden_role", "this application is not routed to you")
    document = None
    if staff.may_see(departments):
        document = applications.open_document(db, data_keys(request), staff, app)
    return {
        **applications.summary(db, app),
        "items": [
            {"item_id": i.item_id, "title": i.title, "department": i.department}
            for i in _items(db, app.submission_id)
        ],
        "history": [applications.event_dict(e) for e in applications.history(db, app)],
        "materials": applications.materials_of(db, app),
        "material_choices": [
            {"id": m, "name": n} for m, n in applications.material_choices(db, app)
        ],
        "allowed_next": [
            s for s in applications.TRANSITIONS[app.status] if s in applications.STAFF_TARGETS
        ],
        "document": document,
    }


def _items(db: DB, submission_id: str) -> list[Any]:
    from sqlalchemy import select

    from central.models_applications import ApplicationItem

    return list(
        db.scalars(select(ApplicationItem).where(ApplicationItem.submission_id == submission_id))
    )


@router.get(
    "/applications/{reference}/materials/{key}",
    responses={200: {"content": {"image/jpeg": {}}}, **refusals(401, 403, 404)},
)
def material(
    reference: Reference,
    key: Annotated[str, Path(max_length=24)],
    request: Request,
    staff: StaffCaller,
    db: DB,
) -> Response:
    """One captured material's bytes (audited)."""
    app = applications.by_reference(db, reference)
    _name, content_type, data = applications.open_material(db, data_keys(request), staff, app, key)
    return Response(data, media_type=content_type, headers={"Cache-Control": "no-store"})


@router.post("/applications/{reference}/status", responses=refusals(401, 403, 404, 409, 422))
def change_status(
    reference: Reference, change: StatusChange, staff: StaffCaller, db: DB
) -> dict[str, Any]:
    """Move the application on (the allowed transitions only), with the reason."""
    app = applications.by_reference(db, reference)
    event = applications.set_status(
        db, staff, app, change.status, change.reason, change.materials, change.tracking_number
    )
    db.commit()
    return applications.event_dict(event)
