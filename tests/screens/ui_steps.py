"""Steps the UI tests share: start a visit and get to a given screen by touch."""

from __future__ import annotations

from typing import Any


def start_visit(ui: Any, scenario_id: str, *, card: bool = True, **card_options: Any) -> None:
    """Attract → home → the scenario → identify (→ the first question, with a card)."""
    app = ui.app
    ui.tap(app.screen("attract").ids.panel)
    ui.wait_screen("home")
    ui.tap_text(app.kiosk.visit.scenario(scenario_id).title.get(app.lang))
    ui.wait_screen("identify")
    if card:
        app.kiosk.devices.sim_place_card(**card_options)
        ui.wait(lambda: app.current in ("questions", "results"), what="the card to be read")


def answer_questions(ui: Any) -> None:
    app = ui.app
    screen = app.screen("questions")
    while app.current == "questions":
        ui.wait_screen("questions")
        question = screen.question
        ui.tap_text(question.options[0].label.get(app.lang))
        ui.pump(2)
    ui.wait_screen("results")


def all_texts(ui: Any) -> list[str]:
    """The text of every Label and TextInput in every screen, shown or not, and any modal."""
    from kivy.core.window import Window
    from kivy.uix.label import Label
    from kivy.uix.textinput import TextInput

    roots = [*ui.app.sm.screens, *Window.children]
    texts = []
    for root in roots:
        for widget in [root, *ui.walk(root)]:
            if isinstance(widget, Label | TextInput) and widget.text:
                texts.append(widget.text)
            hint = getattr(widget, "hint_text", "")
            if hint:
                texts.append(hint)
    return texts
