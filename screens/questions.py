"""情形 questions: one per page with big answer buttons and a back button."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import StringProperty

from kiosk.catalog import Question
from kiosk.i18n import error_message
from kiosk.navigator import BASE, Step
from screens.base import KioskScreen, load_kv
from screens.components.controls import KioskButton
from screens.components.visit import glossary_notes, with_help_pointer


def question_count(flow: Any, question: Any) -> dict[str, int]:
    """"第n题，共m题": n is this question's place; m counts the questions the answers so far
    make visible (an answer that adds or removes questions changes m, never below n)."""
    visible = [q.id for q in flow.questions()]
    n = visible.index(question.id) + 1 if question.id in visible else len(flow.situation) + 1
    return {"n": n, "total": max(n, len(visible))}


class QuestionsScreen(KioskScreen):
    question_text = StringProperty("")
    help_text = StringProperty("")
    progress = StringProperty("")
    message = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.question: Question | None = None
        self.editor: Any = None  # the field's editor, for a question that asks a form field
        self.next_button: KioskButton | None = None  # and its 下一步

    def on_enter(self, *_: object) -> None:
        if self.app.step is not None:
            self.show_step(self.app.step)

    def refresh(self) -> None:
        if self.question is not None and self.visit.session is not None:
            self.show(self.question)

    def show_step(self, step: Step) -> None:
        """The question the navigator asks, with why the last answer was refused, if it was."""
        refusal = step.errors.get(BASE)
        message = error_message(refusal, self.app.lang) if refusal is not None else ""
        self.message = with_help_pointer(message, self.app.lang)
        self.show(next(q for q in self.visit.flow.questions() if q.id == step.id))

    def show(self, question: Question) -> None:
        self.question = question
        lang = self.app.lang
        flow = self.visit.flow
        self.question_text = question.text.get(lang)
        self.visit.say(self.question_text)
        self.help_text = question.help.get(lang)
        self.progress = self.t("ui.questions.progress_of", **question_count(flow, question))
        box = self.ids.answers
        box.clear_widgets()
        self.editor = None
        self.ids.dock.hide()
        self.ids.dock.inputs = []
        self.ids.dock.after_last = None
        current = flow.situation.get(question.id)
        form_field = flow.question_field(question)
        if form_field is not None:
            self._ask_field(form_field)
        for option in question.options if form_field is None else ():
            button = KioskButton(
                text=option.label.get(lang),
                role="selected" if option.value == current else "primary",
                font_size=self.app.theme.font_l,
            )
            button.value = option.value
            button.bind(on_release=self._answered)
            box.add_widget(button)
        notes = self.ids.notes
        notes.clear_widgets()
        seen: set[str] = set()
        for text in (self.question_text, self.help_text, *(o.label.get(lang) for o in question.options)):
            for note in glossary_notes(text, lang, seen):
                notes.add_widget(note)
        self.ids.scroll.scroll_y = 1

    def _ask_field(self, form_field: Any) -> None:
        """A question that asks a form field (经营面积): its editor, with the keyboard, and 下一步;
        the figure answers the question and fills the form's field."""
        from screens.components.fields import make_editor

        flow = self.visit.flow
        value = flow.answers.get(form_field.id)
        self.editor = make_editor(form_field, "" if value is None else value, flow.answers)
        self.ids.answers.add_widget(self.editor)
        go = KioskButton(text=self.t("ui.nav.next"), font_size=self.app.theme.font_l)
        go.bind(on_release=lambda _b: self._answer_field())
        self.ids.answers.add_widget(go)
        self.next_button = go
        inputs = self.editor.inputs() if hasattr(self.editor, "inputs") else []
        self.ids.dock.inputs = inputs
        self.ids.dock.after_last = self._answer_field  # 确定 on the keyboard answers too
        if inputs:
            Clock.schedule_once(lambda _dt: setattr(inputs[0], "focus", True), 0)

    def _answer_field(self) -> None:
        if self.editor is not None:
            self.answer(str(self.editor.get_value()))

    def _answered(self, button: KioskButton) -> None:
        self.answer(button.value)

    def answer(self, value: str) -> None:
        self.advance(value)

    def help_step(self) -> str:
        return self.question.id if self.question is not None else ""

    def back(self) -> None:
        self.retreat()

    def wipe(self) -> None:
        self.question = None
        self.question_text = self.help_text = self.message = ""
        self.editor = None
        if "answers" in self.ids:
            self.ids.answers.clear_widgets()
            self.ids.notes.clear_widgets()
            self.ids.dock.wipe()
            self.ids.dock.inputs = []


load_kv(__file__)
