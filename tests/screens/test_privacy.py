"""A visit left idle ends after a warning of at least 20 s and leaves nothing of the citizen behind."""

from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import Any

import pytest
from ui_steps import all_texts, answer_questions, start_visit

from kiosk import logs
from kiosk.events import CardError, Event, Identified
from kiosk.navigator import StepKind
from kiosk.sample_answers import value_for
from kiosk.session import IdleTimer

pytestmark = pytest.mark.kivy


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _contains(obj: Any, needle: str, seen: set[int] | None = None, depth: int = 0) -> list[str]:
    """Paths inside ``obj`` (attributes, dicts, lists) where a string contains ``needle``."""
    seen = seen if seen is not None else set()
    if id(obj) in seen or depth > 8:
        return []
    seen.add(id(obj))
    if isinstance(obj, str):
        return ["<str>"] if needle in obj else []
    if isinstance(obj, bytes):
        return ["<bytes>"] if needle.encode() in obj else []
    found: list[str] = []
    if isinstance(obj, dict):
        items = list(obj.items())
    elif isinstance(obj, list | tuple | set):
        items = list(enumerate(obj))
    elif hasattr(obj, "__dict__") and type(obj).__module__.split(".")[0] in ("kiosk", "devices", "screens"):
        items = list(vars(obj).items())
    else:
        return []
    for key, value in items:
        if key in ("reader", "poller", "_listeners", "catalog"):
            continue  # the reader (and its simulator) is the physical card, not kiosk memory
        found += [f"{key}.{path}" for path in _contains(value, needle, seen, depth + 1)]
    return found


def test_idle_timeout_warns_then_wipes_everything(ui: Any, shots: Any) -> None:
    app = ui.app
    kiosk = app.kiosk
    clock = FakeClock()
    original = kiosk.visit.idle
    kiosk.visit.idle = IdleTimer(60, 5, clock=clock)  # asks for 5 s of warning: must get 20
    try:
        start_visit(ui, "open_pharmacy")
        record = kiosk.visit.session.identity
        id_number, name = record.id_number, record.name
        answer_questions(ui)
        ui.tap(app.screen("results").ids.next)
        ui.wait_screen("form")
        mobile = next(r for r in app.screen("form").rows if r.field.id == "applicant.mobile")
        ui.type_into(mobile.editor, "139")  # a half-typed answer and an open keyboard
        assert any(id_number in text for text in all_texts(ui))

        clock.now += 60  # the warning starts: the full 20 s are left
        app._tick(0)
        ui.wait(lambda: app._idle_view is not None, what="the idle warning")
        ui.pump(3)
        warning = app._idle_view
        assert warning.remaining >= 20
        ui.screenshot(shots / "idle-warning.png")
        ui.tap_text(app.t("ui.idle.more_time"))
        assert app._idle_view is None
        assert app.current == "form" and kiosk.visit.session is not None

        clock.now += 60 + 20
        app._tick(0)
        ui.wait_screen("attract")
        ui.pump(5)
    finally:
        kiosk.visit.idle = original

    assert kiosk.visit.session is None
    for text in all_texts(ui):
        assert id_number not in text and name not in text, text
    assert _contains(kiosk, id_number) == []
    assert _contains(kiosk, name) == []
    keyboard = app.screen("form").ids.dock.keyboard
    assert keyboard is None or (keyboard.preedit == "" and keyboard.target is None)
    # Kivy keeps text it rendered in caches keyed by the text itself (TextInput lines: 60 s).
    from kivy.cache import Cache

    cached = [str(key) for category in Cache._objects.values() for key in category]
    assert not [key for key in cached if id_number in key or name in key]


@pytest.fixture
def kiosk_log(tmp_path: Path) -> Any:
    """The kiosk's own log set-up, writing into this test's folder (another test in the same
    process may have pointed the handler elsewhere or raised the level); put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    folder = tmp_path / "logs"
    handler = logs.setup(folder)
    yield folder
    root.removeHandler(handler)
    handler.close()
    for old in handlers:
        if old not in root.handlers:
            root.addHandler(old)
    root.setLevel(level)


def _log_text(folder: Path) -> str:
    return "\n".join(p.read_text("utf-8") for p in logs.log_files(folder))


def test_answers_the_catalog_declares_personal_never_reach_a_log_line(ui: Any, kiosk_log: Path) -> None:
    """Nobody registers the names here: the catalog's ``personal: true`` must be enough."""
    app = ui.app
    kiosk = app.kiosk
    start_visit(ui, "new_enterprise")
    flow = kiosk.visit.flow
    rng = random.Random(21)
    situation = {"org_form": "llc", "shareholders": "several"}
    step = app.step
    for _ in range(40):
        if step.kind is StepKind.CHECK:
            break
        if step.kind is StepKind.QUESTION:
            question = next(q for q in flow.questions() if q.id == step.id)
            step = kiosk.visit.advance(step, situation.get(step.id, question.options[0].value))
        elif step.kind is StepKind.FORM_PAGE:
            # A refused answer is typed again (the shares must add up to the capital just given).
            step = kiosk.visit.advance(step, {
                f.id: value_for(f, flow, rng) if f.id in step.errors or not flow.answers.get(f.id)
                else flow.answers[f.id] for f in flow.page_fields(step.id)})
        else:
            step = kiosk.visit.advance(step)
    assert step.kind is StepKind.CHECK
    names = [str(flow.answers["officers.supervisor_name"]), str(flow.answers["officers.finance_name"]),
             *(str(row["name"]) for row in flow.answers["enterprise.shareholders"])]
    log = logging.getLogger("kiosk.privacy_probe")
    log.setLevel(logging.INFO)
    log.warning("a careless line about %s", "、".join(names))
    logs.event(log, "careless.answers", answers=dict(flow.answers))
    app.end_visit("test")
    text = _log_text(kiosk_log)
    assert "careless.answers" in text
    for name in names:
        assert name not in text, name


def test_a_card_placed_before_the_identify_screen_is_kept_for_it(ui: Any) -> None:
    """A card on the reader at the home screen is not taken (no visit asked for it yet), and
    the Identify screen then reads that same card: nothing is dropped, nothing taken early."""
    app = ui.app
    kiosk = app.kiosk
    ui.tap(app.screen("attract").ids.panel)
    ui.wait_screen("home")
    seen: list[Event] = []
    unsubscribe = kiosk.subscribe(seen.append)
    try:
        card = kiosk.devices.reader.simulator.place_card("resident")
        ui.wait(kiosk.devices.card_present, what="the reader to see the card")
        ui.pump(20)
        assert kiosk.visit.session is None and app.current == "home"
        assert not [e for e in seen if isinstance(e, Identified | CardError)]
        ui.tap_text(kiosk.visit.scenario("open_car_rental").title.get(app.lang))
        ui.wait(lambda: app.current in ("questions", "results"), what="the held card to be read")
        assert kiosk.visit.session.identity.id_number == card.id_number
    finally:
        unsubscribe()
