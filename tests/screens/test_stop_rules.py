"""Where the law forbids going on (网吧 within 200 m of a school) the kiosk stops with the reason
and its legal basis, and offers no way on to the form."""

from __future__ import annotations

from typing import Any

import pytest
from ui_steps import start_visit

pytestmark = pytest.mark.kivy


def test_internet_cafe_near_a_school_is_refused_with_its_reason(ui: Any, shots: Any) -> None:
    app = ui.app
    start_visit(ui, "open_internet_cafe")
    screen = app.screen("questions")
    while app.current == "questions":  # the first answers, until the school question
        ui.wait(lambda: screen.question is not None or app.current != "questions", what="a question")
        if app.current != "questions":
            break
        question = screen.question
        wanted = "yes" if question.id == "near_school" else question.options[0].value
        ui.tap_text(next(o for o in question.options if o.value == wanted).label.get(app.lang))
        ui.pump(2)
        if question.id == "near_school":
            break
    ui.wait_screen("results")  # no further question once a stop rule holds
    screen = app.screen("results")
    assert "不能办理" in screen.summary
    assert "200米" in screen.refusal and "第九条" in screen.refusal
    assert screen.ids.next.disabled and screen.ids.next.opacity == 0
    ui.screenshot(shots / "results-refused.png")
    held = app.kiosk.visit.advance(app.step)  # even a stray "next" keeps the citizen at the reason
    assert held.kind == app.step.kind and held.errors
