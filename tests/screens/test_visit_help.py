"""What a citizen alone at night needs, on the real offscreen app: 结束办理 asks first, 呼叫工作人员
on every screen (panel + a help call through the outbox), the stage indicator, "第n题，共m题",
plain words for jargon, 好差评 after the receipt; screenshots in zh, en, large and contrast."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from ui_steps import start_visit

from screens.components.controls import KioskHeader
from screens.components.visit import STAGE_OF_SCREEN, ConfirmExit, GlossaryNote, HelpPanel, StageBar
from screens.script import ScriptedVisit

pytestmark = pytest.mark.kivy

MODES = ("zh", "en", "large", "contrast")


def header(ui: Any) -> KioskHeader:
    return next(w for w in ui.walk(ui.app.sm.current_screen) if isinstance(w, KioskHeader))


def set_mode(ui: Any, mode: str) -> None:
    """Choose a display mode by touching the header, as a citizen would."""
    bar = header(ui)
    if mode == "en":
        ui.tap(bar.ids.lang)
    elif mode == "large":
        ui.tap(bar.ids.large)
    elif mode == "contrast":
        ui.tap(bar.ids.contrast)


def modal(ui: Any, kind: type) -> Any:
    from kivy.core.window import Window

    return next((w for w in Window.children if isinstance(w, kind)), None)


def findings(ui: Any, label: str) -> list[Any]:
    """The explorer's screen checks (clipped text, contrast ≥ 4.5:1, 15 mm targets, inside the
    window) on the current screen and any open dialog."""
    from kivy.core.window import Window

    from screens.journeys import checks

    ui.pump(3)
    roots = [ui.app.sm.current_screen] + [w for w in Window.children if w is not ui.app.root]
    return checks.check_widgets(roots, label, window_size=tuple(Window.size),
                                px_per_mm=ui.app.theme.px_per_mm, clear=Window.clearcolor)


def settled(ui: Any, record_id: str, model_name: str) -> dict[str, Any]:
    """The body of an outbox record once it left the queue: from the centre's table when the
    centre has the endpoint, else from the parked record (refused as unknown by an older centre)."""
    outbox = ui.app.kiosk.reporting.outbox
    ui.wait(lambda: not any(r.id == record_id and r.state == "pending" for r in outbox.records()),
            timeout=30, what=f"record {record_id} to leave the queue")
    parked = [r for r in outbox.records() if r.id == record_id]
    if parked:
        return json.loads(outbox.payload(record_id))
    from sqlalchemy import select

    from central import models_applications

    model = getattr(models_applications, model_name)
    with ui.central.state.sessions() as session:
        row = session.scalars(select(model).where(model.id == record_id)).one()
        return {c: getattr(row, c) for c in ("id", "kiosk_id", "screen", "scenario", "step", "reference", "level",
                                             "reasons") if hasattr(row, c)}


@pytest.fixture
def centred(ui: Any, central: Any) -> Any:
    ui.central = central
    return ui


def test_exit_asks_first_and_cancel_keeps_everything(ui: Any, shots: Path) -> None:
    app = ui.app
    start_visit(ui, "new_enterprise")
    ui.wait_screen("questions")
    ui.tap_text(app.screen("questions").question.options[0].label.get(app.lang))
    ui.wait(lambda: len(app.kiosk.visit.flow.situation) == 1, what="the first answer")
    answers = dict(app.kiosk.visit.flow.situation)
    ui.tap(header(ui).ids.exit)
    dialog = modal(ui, ConfirmExit)
    assert dialog is not None, "结束办理 ended the visit without asking"
    texts = [w.text for w in ui.walk(dialog) if hasattr(w, "text")]
    assert "确定结束？" in texts and "您填写的内容将被清除。" in texts
    ui.screenshot(shots / "exit-confirm-zh.png")
    ui.tap(dialog.ids.cancel)
    ui.wait(lambda: modal(ui, ConfirmExit) is None, what="the dialog to close")
    assert app.current == "questions" and app.kiosk.visit.session is not None
    assert app.kiosk.visit.flow.situation == answers
    ui.tap(header(ui).ids.exit)
    ui.tap(modal(ui, ConfirmExit).ids.confirm)
    ui.wait_screen("attract")
    assert app.kiosk.visit.session is None


@pytest.mark.parametrize("mode", MODES)
def test_help_panel_says_what_to_do_now_and_tells_the_back_office(centred: Any, shots: Path, mode: str) -> None:
    ui = centred
    app = ui.app
    start_visit(ui, "new_enterprise")
    ui.wait_screen("questions")
    set_mode(ui, mode)
    question = app.screen("questions").question.id
    person = app.kiosk.visit.session.identity
    sent_before = {r.id for r in app.kiosk.reporting.outbox.records()}
    calls: list[str] = []
    reporting = app.kiosk.reporting
    original = reporting.call_help
    reporting.call_help = lambda *a, **k: calls.append(original(*a, **k)) or calls[-1]
    try:
        ui.tap(header(ui).ids.help)
    finally:
        del reporting.call_help
    panel = modal(ui, HelpPanel)
    assert panel is not None
    ui.screenshot(shots / f"help-panel-{mode}.png")
    assert findings(ui, f"help-panel-{mode}") == []
    shown = " ".join(w.text for w in ui.walk(panel) if hasattr(w, "text"))
    assert "12345" in shown
    hall = app.kiosk.visit.hall
    assert (hall.hours_text() in shown), shown
    assert calls and calls[0] not in sent_before
    body = settled(ui, calls[0], "HelpCall")
    assert body["screen"] == "questions" and body["step"] == question and body["scenario"] == "new_enterprise"
    flat = json.dumps(body, ensure_ascii=False, default=str)
    assert person.name not in flat and person.id_number not in flat
    ui.tap(panel.ids.close)
    ui.wait(lambda: modal(ui, HelpPanel) is None, what="the panel to close")
    assert app.current == "questions"


def _check_screen(ui: Any, label: str, seen: dict[str, Any]) -> None:
    """At every screen of a walk: the help button, the stage bar on the right stage, the count."""
    app = ui.app
    name = app.current
    screen = app.sm.current_screen
    bars = [w for w in ui.walk(screen) if isinstance(w, StageBar)]
    if name in STAGE_OF_SCREEN:
        assert len(bars) == 1, (label, "no stage indicator")
        assert bars[0].stage == STAGE_OF_SCREEN[name]
        current = [c for c in ui.walk(bars[0]) if getattr(c, "state", "") == "current"]
        assert [c.name for c in current] == [STAGE_OF_SCREEN[name]], label
    heads = [w for w in ui.walk(screen) if isinstance(w, KioskHeader)]
    if heads:
        assert heads[0].ids.help.opacity > 0 and not heads[0].ids.help.disabled, label
    if name == "questions":
        progress = screen.progress
        numbers = [int(x) for x in re.findall(r"\d+", progress)]
        assert len(numbers) == 2 and 1 <= numbers[0] <= numbers[1], progress
        seen.setdefault("counts", []).append(tuple(numbers))
    if name == "materials":
        assert not (screen.status.startswith(app.t("ui.materials.captured", n=1)[:3])
                    and screen.quality == app.t("ui.materials.hold_still")), (screen.status, screen.quality)
    if name == "results":
        seen["notes"] = [w.term for w in ui.walk(screen) if isinstance(w, GlossaryNote)]
    if name == "check":
        seen["submit"] = screen.ids.submit.text


@pytest.mark.parametrize("mode", MODES)
def test_walk_shows_stages_help_and_rating_in_every_mode(centred: Any, shots: Path, mode: str) -> None:
    ui = centred
    app = ui.app
    seen: dict[str, Any] = {}

    def arrived(label: str) -> None:
        if label == "home":
            set_mode(ui, mode)
        _check_screen(ui, label, seen)

    level = {"zh": 5, "en": 1, "large": 2, "contrast": None}[mode]
    # a short 一件事 shows every screen; the long ones are walked by the journey explorer
    scenario = "retirement"
    visit = ScriptedVisit(ui, scenario, shots=shots / f"walk-{mode}", use_keys=False, on_screen=arrived,
                          rating=level, rating_reasons=("slow", "other") if level in (1, 2) else (),
                          rating_comment="排队太久" if level in (1, 2) else "")
    ratings: list[str | None] = []
    reporting = app.kiosk.reporting
    original = reporting.rate
    reporting.rate = lambda *a, **k: ratings.append(original(*a, **k)) or ratings[-1]
    try:
        reference = visit.run()
    finally:
        del reporting.rate
    assert "rating" in visit.visited and visit.visited.index("rating") > visit.visited.index("receipt")
    assert ("rating-reasons" in visit.visited) == (level in (1, 2))
    assert seen["submit"] == app.t("ui.check.submit_plain") or seen["submit"] in ("提交申请", "Submit the application")
    assert seen["counts"] and seen["counts"][0][0] == 1
    expected = {"copy/copies", "photographed here"} if mode == "en" else {"复印件", "现场拍摄"}
    assert expected <= set(seen["notes"]), seen["notes"]
    if level is None:
        assert ratings == []
        return
    assert len(ratings) == 1 and ratings[0] is not None
    body = settled(ui, ratings[0], "Rating")
    assert body["reference"] == reference and body["level"] == level
    assert body["reasons"] == (["slow", "other"] if level in (1, 2) else [])
