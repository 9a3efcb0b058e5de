"""Form field rows: label with "(选填)" for optional answers, help, the editor, and the error beside it.

The editor depends on the field's type: a large text input (with the docked on-screen keyboard
chosen by ``Field.keyboard``), big option buttons for choice/yes-no, and a shareholders editor.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n import t
from screens.components.controls import KioskButton, KioskInput

YESNO_VALUES = ("yes", "no")
SHAREHOLDER_COLUMNS = (("name", "pinyin"), ("id_number", "idcard"), ("amount", "number"), ("deadline", "number"))


def _lang() -> str:
    return App.get_running_app().lang


class FieldRow(BoxLayout):
    """One field of a form page; ``value()`` reads what the citizen entered."""

    field = ObjectProperty(None)
    label_text = StringProperty("")
    help_text = StringProperty("")
    error_text = StringProperty("")
    optional = BooleanProperty(False)

    def __init__(self, field: Any, value: Any, optional: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.field = field
        self.optional = optional
        lang = _lang()
        label = field.label.get(lang)
        self.label_text = label + (t("ui.form.optional", lang) if optional else "")
        self.help_text = field.help.get(lang) if field.help else ""
        self.editor = make_editor(field, value)
        self.ids.editor_box.add_widget(self.editor)
        from screens.components.visit import (
            glossary_notes,  # plain words for jargon (assets/glossary.yaml)
        )

        options = [o.label.get(lang) for o in field.options or ()]
        seen: set[str] = set()
        for text in (label, self.help_text, *options):
            for note in glossary_notes(text, lang, seen):
                self.ids.notes.add_widget(note)

    def value(self) -> Any:
        return self.editor.get_value()

    def inputs(self) -> list[KioskInput]:
        return self.editor.inputs() if hasattr(self.editor, "inputs") else []


class TextEditor(KioskInput):
    def get_value(self) -> str:
        return self.text.strip()

    def inputs(self) -> list[KioskInput]:
        return [self]


class ChoiceEditor(GridLayout):
    """Big option buttons; one is selected at a time."""

    selected = StringProperty("")

    def __init__(self, options: list[tuple[str, str]], value: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.selected = value or ""
        self.buttons: list[KioskButton] = []
        for option_value, label in options:
            button = KioskButton(text=label)
            button.value = option_value
            button.bind(on_release=self._pick)
            self.buttons.append(button)
            self.add_widget(button)
        self._paint()

    def _pick(self, button: KioskButton) -> None:
        self.selected = button.value
        self._paint()

    def _paint(self) -> None:
        for button in self.buttons:
            button.role = "selected" if button.value == self.selected else "secondary"

    def get_value(self) -> str:
        return self.selected

    def inputs(self) -> list[KioskInput]:
        return []


class ShareholderRow(BoxLayout):
    index_text = StringProperty("")


class ShareholdersEditor(BoxLayout):
    """A list of shareholders (name, ID number, contribution in 万元, deadline), add and remove rows.

    ``row_count`` changes with every row added or removed, so the form can hand the new inputs
    to the keyboard dock (a row added later would otherwise get no keyboard)."""

    row_count = NumericProperty(0)

    def __init__(self, value: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[ShareholderRow] = []
        for holder in value if isinstance(value, list) and value else [{}]:
            self.add_row(holder)

    def add_row(self, holder: dict[str, Any] | None = None) -> ShareholderRow:
        holder = holder or {}
        row = ShareholderRow()
        lang = _lang()
        for column, keyboard in SHAREHOLDER_COLUMNS:
            box = KioskInput(keyboard_kind=keyboard, hint_text=t(f"ui.form.shareholder.{column}", lang))
            box.column = column
            box.text = str(holder.get(column, "") or "")
            row.ids.cells.add_widget(box)
        row.ids["remove_button"].bind(on_release=lambda _b, r=row: self.remove_row(r))
        self.rows.append(row)
        self.ids.rows.add_widget(row)
        self._renumber()
        return row

    def remove_row(self, row: ShareholderRow) -> None:
        if len(self.rows) > 1:
            self.rows.remove(row)
            self.ids.rows.remove_widget(row)
            self._renumber()

    def _renumber(self) -> None:
        for n, row in enumerate(self.rows, start=1):
            row.index_text = str(n)
        self.row_count = len(self.rows)

    def get_value(self) -> list[dict[str, str]]:
        result = []
        for row in self.rows:
            holder = {box.column: box.text.strip() for box in row.ids.cells.children}
            if any(holder.values()):
                result.append(holder)
        return result

    def inputs(self) -> list[KioskInput]:
        return [box for row in self.rows for box in reversed(row.ids.cells.children)]


def make_editor(field: Any, value: Any) -> Any:
    lang = _lang()
    if field.type == "shareholders":
        return ShareholdersEditor(value)
    if field.type in ("choice", "yesno"):
        if field.options:
            options = [(o.value, o.label.get(lang)) for o in field.options]
        else:
            options = [(v, t(f"ui.form.{v}", lang)) for v in YESNO_VALUES]
        return ChoiceEditor(options, str(value or ""))
    editor = TextEditor(keyboard_kind=field.keyboard or "pinyin")
    editor.field_id = field.id
    editor.text = "" if value is None else str(value)
    if field.type == "date":
        editor.hint_text = t("ui.form.date_hint_digits", lang)  # typeable on the number pad
    return editor


Builder.load_string("""
#:import t kiosk.i18n.t

<FieldRow>:
    orientation: 'vertical'
    size_hint_y: None
    height: self.minimum_height
    spacing: app.theme.gap / 3
    padding: 0, app.theme.gap / 2
    KioskLabel:
        text: root.label_text
        bold: True
    KioskLabel:
        text: root.help_text
        tone: 'muted'
        font_size: app.theme.font_s
        height: self.texture_size[1] if root.help_text else 0
    BoxLayout:
        id: editor_box
        size_hint_y: None
        height: self.minimum_height
    BoxLayout:
        id: notes
        orientation: 'vertical'
        size_hint_y: None
        height: self.minimum_height
    KioskLabel:
        id: error
        text: root.error_text
        tone: 'error'
        height: self.texture_size[1] if root.error_text else 0

<ChoiceEditor>:
    cols: 3
    size_hint_y: None
    height: self.minimum_height
    spacing: app.theme.gap / 2

<ShareholderRow>:
    size_hint_y: None
    height: app.theme.touch + app.theme.gap / 2
    spacing: app.theme.gap / 2
    KioskLabel:
        text: root.index_text
        size_hint_x: None
        width: app.theme.touch * 0.6
        halign: 'center'
    BoxLayout:
        id: cells
        spacing: app.theme.gap / 2
    KioskButton:
        id: remove_button  # not "remove": ids is a dict-like object and .remove is its method
        role: 'secondary'
        size_hint_x: None
        width: app.theme.touch * 1.6
        font_size: app.theme.font_s
        text: t('ui.form.shareholder.remove', app.lang)

<ShareholdersEditor>:
    orientation: 'vertical'
    size_hint_y: None
    height: self.minimum_height
    spacing: app.theme.gap / 2
    BoxLayout:
        id: rows
        orientation: 'vertical'
        size_hint_y: None
        height: self.minimum_height
        spacing: app.theme.gap / 2
    KioskButton:
        id: add_button
        role: 'secondary'
        size_hint_x: 0.4
        text: t('ui.form.shareholder.add', app.lang)
        on_release: root.add_row()
""")
