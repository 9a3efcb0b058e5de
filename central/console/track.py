"""``/track/{reference}``: the citizen's progress page, reached from the receipt's QR.

It shows nothing until the last 4 digits of the applicant's phone are posted (never in the
URL); misses are rate-limited per reference and per address in the database, so every worker
process counts the same attempts. The answer is the same timeline the kiosk's 办件查询 gets.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from central import applications
from central.console.web import render
from central.deps import DB, Refusal
from central.staff import client_address

router = APIRouter(prefix="/track", include_in_schema=False)

_REFERENCE = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def _checked(reference: str) -> str:
    if not _REFERENCE.match(reference):
        raise Refusal(404, "reference_unknown")
    return reference.upper()


@router.get("/{reference}", response_class=HTMLResponse)
def ask(reference: str, request: Request) -> HTMLResponse:
    return render(request, "track_ask.html", None, reference=_checked(reference))


@router.post("/{reference}", response_class=HTMLResponse)
async def show(reference: str, request: Request, db: DB) -> HTMLResponse:
    reference = _checked(reference)
    form = await request.form()
    digits = str(form.get("phone_last4", "")).strip()
    if not re.fullmatch(r"[0-9]{4}", digits):
        return render(
            request, "track_ask.html", None, status_code=422, reference=reference, bad_input=True
        )
    try:
        app = applications.check_second_factor(
            db, request.app.state.data_keys, reference, digits, client_address(request)
        )
    except Refusal as refusal:
        if refusal.status == 429:
            return render(request, "track_ask.html", None, status_code=429, reference=reference,
                          locked=True)
        return render(request, "track_ask.html", None, status_code=404, reference=reference,
                      no_match=True)
    status = applications.citizen_status(db, app)
    return render(request, "track.html", None, s=status, hall=applications.HALL)
