"""Form pages: one topic per page, large fields, errors in Chinese beside each field.

Optional fields say "(选填)" (never an asterisk for required ones). The keyboard is docked under
the page. Which page comes next (and the return to the check screen after a "修改") is
:mod:`kiosk.navigator`'s to say.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.catalog import Page
from kiosk.i18n import t
from kiosk.navigator import Step
from screens.base import KioskScreen, load_kv
from screens.components.fields import FieldRow
from wire.errors import KioskError


class FormScreen(KioskScreen):
    page_title = StringProperty("")
    progress = StringProperty("")
    page_index = NumericProperty(0)
    return_to_check = BooleanProperty(False)
    summary_error = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[FieldRow] = []
        self.page: Page | None = None
        self._focus_field = ""

    # ----- the step on screen ----------------------------------------------------------
    def show_step(self, step: Step) -> None:
        """The page the navigator asks for, with the errors that kept the citizen on it."""
        pages = self.visit.flow.pages()
        self.page_index = next((i for i, p in enumerate(pages) if p.id == step.id), 0)
        self.return_to_check = step.returning
        self._focus_field = step.focus
        self.fill()
        if step.errors:
            self.show_errors(step.errors)

    def on_enter(self, *_: Any) -> None:
        if self.app.step is not None:
            self.show_step(self.app.step)

    def on_leave(self, *_: Any) -> None:
        self.ids.dock.hide()

    def refresh(self) -> None:
        if self.visit.session is not None:
            self._store()
            self.fill()

    # ----- drawing ------------------------------------------------------------------------
    def fill(self) -> None:
        flow = self.visit.flow
        pages = flow.pages()
        self.page_index = min(self.page_index, len(pages) - 1)
        page = pages[self.page_index]
        self.page = page
        lang = self.app.lang
        self.page_title = page.title.get(lang)
        self.progress = self.t("ui.form.progress", n=self.page_index + 1, total=len(pages))
        self.summary_error = ""
        box = self.ids.fields
        box.clear_widgets()
        self.rows = []
        # the pickers follow the 情形 answers too (a 个人独资 name ends in 商行, not 有限公司)
        known = {**flow.situation, **flow.answers}
        for field in flow.page_fields(page.id):
            row = FieldRow(field, flow.answers.get(field.id), optional=not flow.required(field),
                           answers=known)
            self.rows.append(row)
            box.add_widget(row)
        self.ids.dock.hide()
        self.ids.scroll.scroll_y = 1
        self._serve_inputs()
        for row in self.rows:
            if hasattr(row.editor, "row_count"):  # rows added later need the keyboard too
                row.editor.bind(row_count=lambda *_: self._serve_inputs())
                row.editor.page_answers = self.answers  # the capital to split
        self.ids.next.text = self.t("ui.form.back_to_check" if self.return_to_check else "ui.nav.next")
        focus = self._focus_field
        self._focus_field = ""
        for row in self.rows:
            if row.field.id == focus and row.inputs():
                row.inputs()[0].focus = True

    def _serve_inputs(self) -> None:
        self.ids.dock.inputs = [i for row in self.rows for i in row.inputs()]

    def answers(self) -> dict[str, object]:
        """What the citizen has typed or chosen on this page, by field id."""
        return {row.field.id: row.value() for row in self.rows}

    def _store(self) -> None:
        """Keep what was typed across a redraw (a language switch), checked or not."""
        flow = self.visit.flow
        for field_id, value in self.answers().items():
            flow.set(field_id, value if value != "" else None)
        self.visit.protect_answers()  # names, phones, addresses: masked in every log line

    def show_errors(self, errors: Mapping[str, KioskError]) -> None:
        """Put each error beside its field, and how many there are above the button."""
        lang = self.app.lang
        for row in self.rows:
            error = errors.get(row.field.id)
            row.error_text = t(error.key, lang, **error.params) if error is not None else ""
        self.summary_error = self.t("ui.form.fix_errors", n=len(errors)) if errors else ""

    def help_step(self) -> str:
        """For a help call: the form page (never what is typed on it)."""
        return self.page.id if self.page is not None else ""

    # ----- navigation ---------------------------------------------------------------------
    def next(self) -> None:
        self.advance(self.answers())

    def back(self) -> None:
        self.retreat(self.answers())

    def wipe(self) -> None:
        self.rows = []
        self.page = None
        self.page_title = self.progress = self.summary_error = ""
        self.return_to_check = False
        self.page_index = 0
        if "fields" in self.ids:
            self.ids.dock.wipe()
            self.ids.dock.inputs = []
            self.ids.fields.clear_widgets()


load_kv(__file__)
