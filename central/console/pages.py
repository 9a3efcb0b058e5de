"""The back-office console's pages: login, Fleet, Kiosk, Applications, 好差评, Help calls, Audit.

Server-rendered; every state change is a POST form carrying the session's CSRF token; nothing
personal travels in a URL (filters are references, statuses, departments, kiosks and dates).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import func, select

from central import alerts, applications, kiosk_commands, queuetrend
from central.console.web import (
    COOKIE,
    LANG_COOKIE,
    SESSION_HOURS,
    LoggedIn,
    check_csrf,
    end_session,
    go,
    lang_of,
    new_session,
    render,
)
from central.credentials import hash_token
from central.departments import all_departments, field_labels
from central.deps import DB, Refusal, State
from central.logstore import missing_ranges, stream_lines, to_us
from central.models import ApiToken, DeviceEventRow, Kiosk, KioskCommand, KioskScreenshot
from central.models_applications import (
    Application,
    ApplicationItem,
    AuditEntry,
    HelpCall,
    Rating,
)
from central.staff import Staff, audit, client_address
from wire.models import as_utc, utc_now

router = APIRouter(prefix="/console", include_in_schema=False)

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
FOLLOWUP_STATES = {
    "open": ("待回访", "To call back"),
    "called_back": ("已回访", "Called back"),
    "rectifying": ("整改中", "Being fixed"),
    "closed": ("已办结", "Closed"),
}
REASONS = {
    "slow": ("办理太慢", "Slow"),
    "unclear_guidance": ("指引不清楚", "Unclear guidance"),
    "device_fault": ("设备故障", "Device fault"),
    "too_many_materials": ("材料太多", "Too many materials"),
    "result_unsatisfying": ("对结果不满意", "Unhappy with the result"),
    "other": ("其他", "Other"),
}
COMMANDS = {
    "print_test_page": ("打印测试页", "Print a test page"),
    "screenshot": ("远程截屏（有人办理时拒绝）", "Screenshot (refused during a visit)"),
    "restart": ("重启终端程序（有人办理时拒绝）", "Restart the kiosk program (refused during a visit)"),
    "reload_catalog": ("重新加载事项目录", "Reload the catalog"),
    "out_of_service": ("暂停服务", "Out of service"),
    "in_service": ("恢复服务", "Back in service"),
}
COMMAND_STATES = {
    "queued": ("排队中", "Queued"),
    "sent": ("已下发", "Sent"),
    "done": ("已完成", "Done"),
    "failed": ("失败", "Failed"),
}


def _need_admin(staff: Staff) -> None:
    if staff.role != "admin":
        raise Refusal(403, "forbidden_role", "this needs an admin token")


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return as_utc(datetime.fromisoformat(text).astimezone())
    except ValueError:
        raise Refusal(422, "bad_time", f"not a date: {text[:40]}") from None


# --- login -------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def home() -> RedirectResponse:
    return go("/console/fleet")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", None)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, db: DB) -> Response:
    form = await request.form()
    token = str(form.get("token", "")).strip()
    row = db.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if not token or row is None:
        return render(request, "login.html", None, status_code=401, failed=True)
    cookie, _csrf = new_session(db, row.token_hash)
    staff = Staff(row.role, row.label, row.token_hash, address=client_address(request))
    audit(db, staff, "console.login")
    db.commit()
    response = go("/console/fleet")
    response.set_cookie(
        COOKIE, cookie, max_age=SESSION_HOURS * 3600, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/console",
    )
    return response


@router.post("/logout")
async def logout(request: Request, login: LoggedIn, db: DB) -> Response:
    check_csrf(login, await request.form())
    audit(db, login.staff, "console.logout")
    end_session(db, request)
    db.commit()
    response = go("/console/login")
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.get("/lang")
def switch_language(request: Request, to: str = "zh") -> Response:
    back = request.headers.get("referer", "")
    same_site = back.startswith(str(request.base_url))
    target = back if same_site and ("/console" in back or "/track" in back) else "/console"
    response = go(target)
    response.set_cookie(LANG_COOKIE, "en" if to == "en" else "zh", samesite="strict", path="/")
    return response


# --- fleet and kiosks ----------------------------------------------------------------------


def _health(kiosk: Kiosk, heartbeat_seconds: int, now: datetime) -> str:
    if kiosk.revoked_at is not None:
        return "revoked"
    if alerts.is_offline(kiosk, heartbeat_seconds, now):
        return "offline"
    if kiosk.out_of_service:
        return "out_of_service"
    states = {str(d.get("state")) for d in (kiosk.devices or {}).values()}
    if "fault" in states or "degraded" in states:
        return "degraded"
    return "ok"


def _sparkline(trend: list[int], width: int = 96, height: int = 24) -> str:
    """SVG polyline points for the queue depths of the last heartbeats (0 at the bottom)."""
    if not trend:
        return ""
    top = max(max(trend), 1)
    step = width / max(len(trend) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * depth / top:.1f}" for i, depth in enumerate(trend)
    )


@router.get("/fleet", response_class=HTMLResponse)
def fleet(request: Request, login: LoggedIn, state: State, db: DB) -> HTMLResponse:
    now = utc_now()
    open_alerts = alerts.evaluate(db, state.heartbeat_seconds)
    kiosks = db.scalars(select(Kiosk).order_by(Kiosk.id)).all()
    rows = [
        {
            "kiosk": k,
            "trend": list(k.queue_trend or []),
            "points": _sparkline(list(k.queue_trend or [])),
            "growing": queuetrend.growing(k.queue_trend or []),
            "health": _health(k, state.heartbeat_seconds, now),
            "ago": int((now - k.last_heartbeat).total_seconds()) if k.last_heartbeat else None,
            "version": str((k.versions or {}).get("kiosk", "")) if isinstance(k.versions, dict) else "",
            "location": str((k.location or {}).get("name", "")) if isinstance(k.location, dict) else "",
        }
        for k in kiosks
    ]
    return render(
        request, "fleet.html", login, rows=rows, alerts=open_alerts, kinds=alerts.ALERT_KINDS,
        heartbeat_seconds=state.heartbeat_seconds, growth_beats=queuetrend.GROWTH_BEATS,
    )


def _kiosk(db: DB, kiosk_id: str) -> Kiosk:
    kiosk = db.get(Kiosk, kiosk_id[:32])
    if kiosk is None:
        raise Refusal(404, "kiosk_unknown")
    return kiosk


@router.get("/kiosks/{kiosk_id}", response_class=HTMLResponse)
def kiosk_page(
    kiosk_id: str, request: Request, login: LoggedIn, state: State, db: DB
) -> HTMLResponse:
    kiosk = _kiosk(db, kiosk_id)
    events = db.scalars(
        select(DeviceEventRow)
        .where(DeviceEventRow.kiosk_id == kiosk.id)
        .order_by(DeviceEventRow.at.desc())
        .limit(50)
    ).all()
    rows = list(db.scalars(
        select(KioskCommand)
        .where(KioskCommand.kiosk_id == kiosk.id)
        .order_by(KioskCommand.created_at.desc())
        .limit(30)
    ))
    shots = kiosk_commands.with_screenshots(db, rows)
    lang = lang_of(request)
    commands = [
        {"row": c, "state": kiosk_commands.state_of(c), "shot": c.id in shots,
         "said": kiosk_commands.in_words(kiosk_commands.state_of(c), c.outcome or "", lang)}
        for c in rows
    ]
    latest_shot = next((c for c in commands if c["shot"]), None)
    now = utc_now()
    return render(
        request, "kiosk.html", login, kiosk=kiosk, events=events, commands=commands,
        latest_shot=latest_shot, command_states=COMMAND_STATES,
        health=_health(kiosk, state.heartbeat_seconds, now), commands_allowed=COMMANDS,
        since=(now - timedelta(hours=2)).astimezone().strftime("%Y-%m-%dT%H:%M"),
        until=now.astimezone().strftime("%Y-%m-%dT%H:%M"),
    )


@router.post("/kiosks/{kiosk_id}/command")
async def kiosk_command(kiosk_id: str, request: Request, login: LoggedIn, db: DB) -> Response:
    form = await request.form()
    check_csrf(login, form)
    _need_admin(login.staff)
    kiosk = _kiosk(db, kiosk_id)
    kind = str(form.get("kind", ""))
    if kind not in COMMANDS:
        raise Refusal(422, "bad_command")
    args: dict[str, Any] = {}
    if kind in ("out_of_service", "in_service"):
        args = {"on": kind == "out_of_service", "reason": str(form.get("reason", ""))[:200]}
        kind = "out_of_service"
    command = kiosk_commands.queue(db, kiosk, kind, args)  # type: ignore[arg-type]
    audit(db, login.staff, "kiosk.command", kiosk.id, kind=kind, command=command.id)
    db.commit()
    return go(f"/console/kiosks/{kiosk.id}")


@router.get("/kiosks/{kiosk_id}/screenshots/{command_id}")
def kiosk_screenshot(kiosk_id: str, command_id: str, login: LoggedIn, db: DB) -> Response:
    """The image a ``screenshot`` command brought back (what the kiosk's screen showed)."""
    shot = db.get(KioskScreenshot, command_id[:32])
    if shot is None or shot.kiosk_id != kiosk_id:
        raise Refusal(404, "screenshot_unknown")
    return Response(shot.data, media_type=shot.content_type, headers={"Cache-Control": "no-store"})


@router.post("/kiosks/{kiosk_id}/revoke")
async def kiosk_revoke(
    kiosk_id: str, request: Request, login: LoggedIn, state: State, db: DB
) -> Response:
    form = await request.form()
    check_csrf(login, form)
    _need_admin(login.staff)
    kiosk = _kiosk(db, kiosk_id)
    if str(form.get("confirm", "")).strip() != kiosk.id:
        raise Refusal(422, "not_confirmed", "type the kiosk id to confirm")
    enable = form.get("action") == "enable"
    kiosk.revoked_at = None if enable else (kiosk.revoked_at or utc_now())
    state.forget_secret(kiosk.id)
    audit(db, login.staff, "kiosk.enable" if enable else "kiosk.revoke", kiosk.id)
    db.commit()
    return go(f"/console/kiosks/{kiosk.id}")


@router.get("/kiosks/{kiosk_id}/logs")
def kiosk_logs(
    kiosk_id: str, request: Request, login: LoggedIn, state: State, db: DB,
    since: str = "", until: str = "",
) -> Response:
    """Download the stored lines of a range; when the kiosk has not uploaded all of it, ask it
    to (an ``upload_logs`` command) and say so."""
    kiosk = _kiosk(db, kiosk_id)
    start, end = _time(since), _time(until)
    if start is None or end is None or start >= end:
        raise Refusal(422, "bad_range", "give since and until, since first")
    gaps = missing_ranges(db, kiosk.id, to_us(start), to_us(end))
    audit(db, login.staff, "kiosk.logs", kiosk.id, since=start.isoformat(), until=end.isoformat(),
          complete=not gaps)
    asked = request.query_params.get("ask") == "1" and login.staff.role == "admin"
    if gaps and asked and kiosk.revoked_at is None:  # a revoked kiosk would never come for it
        command = kiosk_commands.queue(
            db, kiosk, "upload_logs", {"since": start.isoformat(), "until": end.isoformat()}
        )
        audit(db, login.staff, "kiosk.command", kiosk.id, kind="upload_logs", command=command.id)
    db.commit()
    name = f"{kiosk.id}_{start:%Y%m%dT%H%M}_{end:%Y%m%dT%H%M}.ndjson"
    return StreamingResponse(
        stream_lines(state.engine, kiosk.id, to_us(start), to_us(end), False),
        media_type="application/x-ndjson",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Log-Coverage": "partial" if gaps else "complete",
        },
    )


# --- applications --------------------------------------------------------------------------


@router.get("/applications", response_class=HTMLResponse)
def applications_page(request: Request, login: LoggedIn, db: DB) -> HTMLResponse:
    q = request.query_params
    page = max(0, int(q.get("page", "0") or 0)) if (q.get("page", "0") or "0").isdigit() else 0
    filters = applications.Filters(
        reference=q.get("reference", "")[:64],
        scenario=q.get("scenario", "")[:128],
        status=q.get("status", "") if q.get("status", "") in applications.STATUS_LABELS else "",
        department=q.get("department", "")[:128],
        kiosk=q.get("kiosk", "")[:32],
        since=_time(q.get("since")),
        until=_time(q.get("until")),
        limit=50,
        offset=page * 50,
    )
    rows, total = applications.search(db, login.staff, filters)
    if filters.reference and len(rows) == 1:
        return go(f"/console/applications/{rows[0].submission_id}")  # type: ignore[return-value]
    scenarios = db.scalars(select(Application.scenario).distinct().order_by(Application.scenario))
    return render(
        request, "applications.html", login, rows=applications.summaries(db, rows),
        total=total, cap=applications.COUNT_CAP, page=page, q=q,
        paging=urlencode([(k, v) for k, v in q.multi_items() if k != "page"]), statuses=applications.STATUS_LABELS,
        departments=all_departments(), scenarios=list(scenarios),
    )


def _application(db: DB, submission_id: str) -> Application:
    app = db.get(Application, submission_id[:64])
    if app is None:
        raise Refusal(404, "application_unknown")
    return app


@router.get("/applications/{submission_id}", response_class=HTMLResponse)
def application_page(
    submission_id: str, request: Request, login: LoggedIn, db: DB
) -> HTMLResponse:
    app = _application(db, submission_id)
    departments = applications.departments_of(db, app.submission_id)
    if login.staff.role == "clerk" and not login.staff.may_see(departments):
        raise Refusal(403, "forbidden_role", "this application is not routed to you")
    document = None
    if login.staff.may_see(departments):
        document = applications.open_document(db, request.app.state.data_keys, login.staff, app)
    items = db.scalars(
        select(ApplicationItem).where(ApplicationItem.submission_id == app.submission_id)
    ).all()
    fields: dict[str, tuple[str, object]] = {}
    if document:
        labels = field_labels()
        for part in ("applicant", "answers"):
            values = document.get(part)
            if isinstance(values, dict):
                for key, value in values.items():
                    if value not in (None, "", [], {}) and key not in fields:
                        fields[key] = (labels.get(key, key), value)
    return render(
        request, "application.html", login, app=app, summary=applications.summary(db, app),
        items=items, history=applications.history(db, app), document=document,
        fields=list(fields.values()),
        materials=applications.materials_of(db, app) if document is not None else [],
        choices=applications.material_choices(db, app),
        allowed=[s for s in applications.TRANSITIONS[app.status] if s in applications.STAFF_TARGETS],
        statuses=applications.STATUS_LABELS, can_act=login.staff.can_act and document is not None,
    )


@router.get("/applications/{submission_id}/materials/{key}")
def application_material(
    submission_id: str, key: str, request: Request, login: LoggedIn, db: DB
) -> Response:
    app = _application(db, submission_id)
    _name, content_type, data = applications.open_material(
        db, request.app.state.data_keys, login.staff, app, key[:24]
    )
    return Response(data, media_type=content_type, headers={"Cache-Control": "no-store"})


@router.post("/applications/{submission_id}/status")
async def application_status(
    submission_id: str, request: Request, login: LoggedIn, db: DB
) -> Response:
    form = await request.form()
    check_csrf(login, form)
    app = _application(db, submission_id)
    applications.set_status(
        db,
        login.staff,
        app,
        str(form.get("status", "")),
        str(form.get("reason", "")),
        [str(m) for m in form.getlist("materials")],
        str(form.get("tracking_number", "")),
    )
    db.commit()
    return go(f"/console/applications/{app.submission_id}")


# --- 好差评, help calls, audit ----------------------------------------------------------------


@router.get("/ratings", response_class=HTMLResponse)
def ratings_page(request: Request, login: LoggedIn, db: DB) -> HTMLResponse:
    q = request.query_params
    since, until = _time(q.get("since")), _time(q.get("until"))
    query = select(Rating)
    if since:
        query = query.where(Rating.rated_at >= since)
    if until:
        query = query.where(Rating.rated_at < until)
    ratings = db.scalars(query.order_by(Rating.rated_at.desc()).limit(5000)).all()
    by: dict[str, dict[str, list[int]]] = {"kiosk": defaultdict(list), "scenario": defaultdict(list),
                                           "month": defaultdict(list)}
    for r in ratings:
        by["kiosk"][r.kiosk_id].append(r.level)
        by["scenario"][r.scenario or "-"].append(r.level)
        by["month"][r.rated_at.astimezone().strftime("%Y-%m")].append(r.level)
    tables = {
        name: sorted(
            (
                key,
                len(levels),
                round(sum(levels) / len(levels), 2),
                round(100 * sum(1 for lv in levels if lv >= 4) / len(levels)),
                sum(1 for lv in levels if lv <= 2),
            )
            for key, levels in groups.items()
        )
        for name, groups in by.items()
    }
    bad = [r for r in ratings if r.level <= 2]
    return render(
        request, "ratings.html", login, tables=tables, bad=bad, levels=LEVELS, reasons=REASONS,
        followup=FOLLOWUP_STATES, now=utc_now(), q=q,
    )


@router.post("/ratings/{rating_id}/followup")
async def rating_followup(rating_id: str, request: Request, login: LoggedIn, db: DB) -> Response:
    form = await request.form()
    check_csrf(login, form)
    if not login.staff.can_act:
        raise Refusal(403, "forbidden_role", "viewers cannot follow up")
    rating = db.get(Rating, rating_id[:64])
    status = str(form.get("status", ""))
    if rating is None or status not in FOLLOWUP_STATES:
        raise Refusal(422, "bad_followup")
    rating.followup_status = status
    rating.followup_note = str(form.get("note", ""))[:2000]
    rating.followup_owner = login.staff.name
    rating.followup_at = utc_now()
    audit(db, login.staff, "rating.followup", rating.reference, status=status)
    db.commit()
    return go("/console/ratings")


@router.get("/help-calls", response_class=HTMLResponse)
def help_calls_page(request: Request, login: LoggedIn, db: DB) -> HTMLResponse:
    calls = db.scalars(select(HelpCall).order_by(HelpCall.called_at.desc()).limit(200)).all()
    return render(request, "help_calls.html", login, calls=calls)


@router.post("/help-calls/{call_id}/handled")
async def help_call_handled(call_id: str, request: Request, login: LoggedIn, db: DB) -> Response:
    from central.models_applications import Alert

    check_csrf(login, await request.form())
    call = db.get(HelpCall, call_id[:64])
    if call is None:
        raise Refusal(404, "help_call_unknown")
    if call.handled_at is None:
        call.handled_at = utc_now()
        call.handled_by = login.staff.name
        alert = db.get(Alert, f"help:{call.kiosk_id}:{call.id}"[:160])
        if alert is not None and alert.cleared_at is None:
            alert.cleared_at = call.handled_at
        audit(db, login.staff, "help_call.handled", call.kiosk_id, call=call.id)
        db.commit()
    return go("/console/help-calls")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, login: LoggedIn, db: DB) -> HTMLResponse:
    _need_admin(login.staff)
    entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(300)).all()
    total = db.scalar(select(func.count()).select_from(AuditEntry))
    return render(request, "audit.html", login, entries=entries, total=total)
