"""好差评 and 呼叫工作人员 end to end: from touches on the real offscreen screens, through the
kiosk's outbox and the real HTTP upload, into the embedded centre's tables and onto the staff
console's 好差评 and 呼叫工作人员 pages. A skipped rating sends nothing (the back-office loop
reference asks for one rating per 办件 and knows no "skipped" record)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from test_visit_help import header, modal

from central.console.pages import REASONS as REASON_LABELS
from central.models_applications import HelpCall, Rating
from screens.components.visit import HelpPanel
from screens.script import ScriptedVisit

pytestmark = pytest.mark.kivy

SCENARIO = "retirement"  # a short 一件事: every screen, little to fill
REASONS = ("slow", "unclear_guidance")
COMMENT = "排队太久，指引看不懂"


def spy(owner: Any, name: str, seen: list[Any]) -> Callable[[], None]:
    """Keep what ``owner.name`` returns (the outbox record ids) while it still does its work."""
    original = getattr(owner, name)

    def kept(*args: Any, **kwargs: Any) -> Any:
        seen.append(original(*args, **kwargs))
        return seen[-1]

    setattr(owner, name, kept)
    return lambda: setattr(owner, name, original)


def delivered(ui: Any, record_id: str) -> None:
    """Wait until the outbox has sent ``record_id`` and the centre took it (not parked as refused)."""
    outbox = ui.app.kiosk.reporting.outbox
    ui.wait(lambda: not any(r.id == record_id and r.state == "pending" for r in outbox.records()),
            timeout=30, what=f"record {record_id} to be sent")
    left = [r for r in outbox.records() if r.id == record_id]
    assert not left, f"the centre refused {record_id}: {left}"


def all_sent(ui: Any) -> None:
    outbox = ui.app.kiosk.reporting.outbox
    ui.wait(lambda: not outbox.records("pending"), timeout=60, what="the outbox to empty")


def console(central: Any, path: str) -> str:
    """A console page as a member of staff sees it (logged in with a staff token, plain HTTP)."""
    web = requests.Session()
    login = web.post(central.url + "/console/login", data={"token": central.token("admin")}, timeout=10)
    assert login.ok and not login.url.endswith("/console/login"), login.status_code
    page = web.get(central.url + path, timeout=10)
    assert page.status_code == 200 and not page.url.endswith("/console/login"), (path, page.status_code)
    return page.text


def test_dissatisfied_rating_and_help_call_reach_the_console(ui: Any, central: Any) -> None:
    app = ui.app
    kiosk_id = app.kiosk.config.kiosk_id
    calls: list[str | None] = []
    ratings: list[str | None] = []
    person: dict[str, str] = {}

    def arrived(label: str) -> None:
        if label != "check" or calls:
            return
        identity = app.kiosk.visit.session.identity
        person.update(name=identity.name, id_number=identity.id_number)
        ui.tap(header(ui).ids.help)  # 呼叫工作人员 on the 核对 screen
        panel = modal(ui, HelpPanel)
        assert panel is not None, "呼叫工作人员 opened no panel"
        ui.tap(panel.ids.close)
        ui.wait(lambda: modal(ui, HelpPanel) is None, what="the help panel to close")

    undo = [spy(app.kiosk.reporting, "call_help", calls), spy(app.kiosk.reporting, "rate", ratings)]
    try:
        visit = ScriptedVisit(ui, SCENARIO, use_keys=False, on_screen=arrived, rating=2,
                              rating_reasons=REASONS, rating_comment=COMMENT)
        reference = visit.run()
    finally:
        for restore in undo:
            restore()
    assert "rating-reasons" in visit.visited
    assert len(calls) == 1 and calls[0] and len(ratings) == 1 and ratings[0]
    delivered(ui, calls[0])
    delivered(ui, ratings[0])

    keys = central.app.state.data_keys
    with central.state.sessions() as db:
        rating = db.get(Rating, ratings[0])
        call = db.get(HelpCall, calls[0])
        assert rating is not None and call is not None
        assert (rating.reference, rating.level, rating.reasons, rating.kiosk_id, rating.scenario) == (
            reference, 2, list(REASONS), kiosk_id, SCENARIO)
        assert keys.open(rating.comment_enc).decode() == COMMENT
        assert (call.kiosk_id, call.screen, call.scenario) == (kiosk_id, "check", SCENARIO)
        stored = json.dumps({c.name: str(getattr(call, c.name)) for c in HelpCall.__table__.columns},
                            ensure_ascii=False)
    assert person["name"] not in stored and person["id_number"] not in stored
    assert reference not in stored  # where in the flow, never which application or who

    ratings_page = console(central, "/console/ratings")
    row = next((r for r in ratings_page.split("<tr") if reference in r), "")
    assert "2 不满意" in row and kiosk_id in row, row or "the rating is not on the 好差评 page"
    for reason in REASONS:
        assert any(label in row for label in REASON_LABELS[reason]), (reason, row)
    help_page = console(central, "/console/help-calls")
    rows = [r for r in help_page.split("<tr") if kiosk_id in r and ">check<" in r and SCENARIO in r]
    assert rows, "the help call is not on the 呼叫工作人员 page"
    assert person["name"] not in help_page and person["id_number"] not in help_page


def test_skipping_the_rating_sends_nothing(ui: Any, central: Any) -> None:
    app = ui.app
    all_sent(ui)
    with central.state.sessions() as db:
        before = db.scalar(select(func.count()).select_from(Rating))
    ratings: list[str | None] = []
    undo = spy(app.kiosk.reporting, "rate", ratings)
    try:
        visit = ScriptedVisit(ui, SCENARIO, use_keys=False, rating=None)
        reference = visit.run()
    finally:
        undo()
    assert "rating" in visit.visited and ratings == []
    all_sent(ui)  # the application and everything else it queued have arrived
    with central.state.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Rating)) == before
        assert db.scalars(select(Rating).where(Rating.reference == reference)).first() is None
