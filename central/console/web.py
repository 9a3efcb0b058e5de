"""Plumbing of the console's pages: templates, the login session (a cookie naming a row in
``console_sessions``, so any worker process knows it), CSRF checks and the zh/en switch.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from central.deps import DB
from central.models_applications import ConsoleSession
from central.staff import Staff, client_address, staff_for_token_hash
from wire.models import utc_now

HERE = Path(__file__).parent
COOKIE = "kc_console"
LANG_COOKIE = "kc_lang"
SESSION_HOURS = 8

templates = Jinja2Templates(directory=str(HERE / "templates"))


def _local(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M")


templates.env.filters["local"] = _local


def lang_of(request: Request) -> str:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class Login:
    staff: Staff
    csrf: str


class NeedsLogin(Exception):
    """Answered with a redirect to the login page."""


def new_session(db: Session, token_hash: str) -> tuple[str, str]:
    """A session for a known token: (cookie value, csrf)."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = utc_now()
    db.add(
        ConsoleSession(
            id_hash=_hash(cookie),
            token_hash=token_hash,
            csrf=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=SESSION_HOURS),
        )
    )
    return cookie, csrf


def end_session(db: Session, request: Request) -> None:
    cookie = request.cookies.get(COOKIE)
    if cookie:
        row = db.get(ConsoleSession, _hash(cookie))
        if row is not None:
            db.delete(row)


def current_login(request: Request, db: DB) -> Login:
    cookie = request.cookies.get(COOKIE)
    row = db.get(ConsoleSession, _hash(cookie)) if cookie else None
    if row is None or row.expires_at <= utc_now():
        raise NeedsLogin()
    staff = staff_for_token_hash(db, row.token_hash, client_address(request))
    if staff is None:  # the token was withdrawn
        raise NeedsLogin()
    return Login(staff, row.csrf)


LoggedIn = Annotated[Login, Depends(current_login)]


def check_csrf(login: Login, form: Any) -> None:
    from central.deps import Refusal

    sent = str(form.get("csrf", ""))
    if not sent or not secrets.compare_digest(sent, login.csrf):
        raise Refusal(403, "csrf", "the form is stale; reload the page")


def render(
    request: Request, name: str, login: Login | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    lang = lang_of(request)

    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    return templates.TemplateResponse(
        request,
        name,
        {"login": login, "lang": lang, "t": t, **context},
        status_code=status_code,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )


def go(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
