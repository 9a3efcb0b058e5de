"""Form pages: one topic per page, large fields, errors in Chinese beside each field.

Optional fields say "(选填)" (never an asterisk for required ones). The keyboard is docked under
the page. A "修改" from the check screen opens one page and returns to the check screen after it.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.i18n import t
from screens.base import KioskScreen, load_kv
from screens.components.fields import FieldRow
from wire.errors import KioskError


def field_required(flow: Any, field: Any) -> bool:
    """Whether ``field`` must be answered given the flow's current answers."""
    check = getattr(flow, "is_required", None) or getattr(flow, "required", None)
    if callable(check):
        return bool(check(field))
    required = field.required
    if callable(required):
        return bool(required(flow))
    return True


class FormScreen(KioskScreen):
    page_title = StringProperty("")
    progress = StringProperty("")
    page_index = NumericProperty(0)
    return_to_check = BooleanProperty(False)
    summary_error = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[FieldRow] = []
        self.page: Any = None

    # ----- entry points -------------------------------------------------------------------
    def start(self) -> None:
        """First page of the form (from the results screen)."""
        self.return_to_check = False
        self.page_index = 0
        self._open()

    def edit(self, page_id: str, field_id: str = "") -> None:
        """One page from the check screen; "下一步" then returns there."""
        pages = self.facade.flow.pages()
        self.page_index = next((i for i, p in enumerate(pages) if p.id == page_id), 0)
        self.return_to_check = True
        self._focus_field = field_id
        self._open()

    def _open(self) -> None:
        pages = self.facade.flow.pages()
        if not pages:
            self._after_last()
            return
        if self.app.current == self.name:
            self.fill()
        else:
            self.app.go(self.name)

    def on_enter(self, *_: Any) -> None:
        self.fill()

    def on_leave(self, *_: Any) -> None:
        self.ids.dock.hide()

    def refresh(self) -> None:
        if self.facade.session is not None:
            self._store()
            self.fill()

    # ----- drawing ------------------------------------------------------------------------
    def fill(self) -> None:
        flow = self.facade.flow
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
        for field in flow.page_fields(page.id):
            row = FieldRow(field, flow.answers.get(field.id), optional=not field_required(flow, field))
            self.rows.append(row)
            box.add_widget(row)
        self.ids.dock.hide()
        self.ids.scroll.scroll_y = 1
        self.ids.dock.inputs = [i for row in self.rows for i in row.inputs()]
        self.ids.next.text = self.t("ui.form.back_to_check" if self.return_to_check else "ui.nav.next")
        focus = getattr(self, "_focus_field", "")
        self._focus_field = ""
        for row in self.rows:
            if row.field.id == focus and row.inputs():
                row.inputs()[0].focus = True

    def _store(self) -> None:
        flow = self.facade.flow
        for row in self.rows:
            value = row.value()
            try:
                flow.set(row.field.id, value if value != "" else None)
            except KioskError as error:
                row.error_text = t(error.key, self.app.lang, **error.params)
        self.facade.protect_answers()  # names, phones, addresses: masked in every log line

    def show_errors(self) -> bool:
        """Put each error beside its field; True when the page has none."""
        errors = self.facade.flow.page_errors(self.page.id)
        lang = self.app.lang
        for row in self.rows:
            error = errors.get(row.field.id)
            row.error_text = t(error.key, lang, **error.params) if error is not None else ""
        if errors:
            self.summary_error = self.t("ui.form.fix_errors", n=len(errors))
        return not errors

    def help_step(self) -> str:
        """For a help call: the form page (never what is typed on it)."""
        return self.page.id if self.page is not None else ""

    # ----- navigation ---------------------------------------------------------------------
    def next(self) -> None:
        self._store()
        if not self.show_errors():
            return
        if self.return_to_check:
            self.app.go("check")
            return
        if self.page_index + 1 < len(self.facade.flow.pages()):
            self.page_index += 1
            self.fill()
            return
        self._after_last()

    def back(self) -> None:
        self._store()
        if self.return_to_check:
            self.app.go("check")
        elif self.page_index > 0:
            self.page_index -= 1
            self.fill()
        else:
            self.app.go("results")

    def _after_last(self) -> None:
        needs = [m for m in self.facade.flow.materials() if m.material.capture]
        self.app.go("materials" if needs and self.facade.camera_usable() else "check")

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
