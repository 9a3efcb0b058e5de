"""Form field rows: label with "(选填)" for optional answers, help, the editor, and the error beside it.

The editor depends on the field's type: a large text input (with the docked on-screen keyboard
chosen by ``Field.keyboard``), big option buttons for choice/yes-no, and a shareholders editor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.stacklayout import StackLayout

from kiosk.catalog.models import LONGEST_VALUE_FOR_TYPE
from kiosk.i18n import t
from screens.components.controls import KioskButton, KioskInput
from screens.theme import text_px

YESNO_VALUES = ("yes", "no")
# (column, keyboard, the field type whose longest value the box must show)
SHAREHOLDER_COLUMNS = (("name", "pinyin", "text"), ("id_number", "idcard", "id_number"),
                       ("amount", "number", "money"), ("deadline", "number", "date"))


def longest_value(field_type: str) -> str:
    """The longest value a field of this type takes (an input must be wide enough for it)."""
    return LONGEST_VALUE_FOR_TYPE.get(field_type, "")


def _lang() -> str:
    return App.get_running_app().lang


class FieldRow(BoxLayout):
    """One field of a form page; ``value()`` reads what the citizen entered."""

    field = ObjectProperty(None)
    label_text = StringProperty("")
    help_text = StringProperty("")
    error_text = StringProperty("")
    optional = BooleanProperty(False)

    def __init__(self, field: Any, value: Any, optional: bool, answers: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.field = field
        self.optional = optional
        lang = _lang()
        label = field.label.get(lang)
        self.label_text = label + (t("ui.form.optional", lang) if optional else "")
        self.help_text = field.help.get(lang) if field.help else ""
        self.editor = make_editor(field, value, answers or {})
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


NAME_ROOM = "欧阳某某某"  # a shareholder's name box has room for five hanzi


def cell_width(caption: str, longest: str, font_s: float, font_m: float, gap: float) -> float:
    """A shareholder cell's width: its caption on one line, and the longest value of its column in
    the input's font (``font_m``) inside the input's padding (``gap * 0.6`` a side) with the
    cursor's room."""
    return max(text_px(caption, font_s), text_px(longest, font_m) + 2 * gap * 0.6 + gap * 0.5)


def button_width(text: str, font_s: float, gap: float, touch: float) -> float:
    """A button that shows ``text`` on one line, never narrower than ``touch``."""
    return max(touch, text_px(text, font_s) + 2 * gap) if text else 0


class ShareholderCell(BoxLayout):
    """One column of a shareholder row: the caption above its input, as wide as the longest value
    of the column needs (an 18-character ID number), never wider than the row."""

    caption = StringProperty("")
    longest = StringProperty("")
    fit_width = staticmethod(cell_width)  # for the kv rule (this module's kv cannot import it)

    def __init__(self, box: KioskInput, caption: str, longest: str, **kwargs: Any) -> None:
        super().__init__(caption=caption, longest=longest, **kwargs)
        self.box = box
        self.add_widget(box)


class ShareholderRow(StackLayout):
    """One shareholder: name, ID number, contribution and deadline, then 读卡 and 删除; the row
    wraps onto further lines where the page is too narrow (large text, a small window)."""

    index_text = StringProperty("")
    cell_height = NumericProperty(0)  # the tallest cell: the buttons stand at its foot
    button_width = staticmethod(button_width)  # for the kv rule

    def __init__(self, **kwargs: Any) -> None:
        self.boxes: list[KioskInput] = []  # in column order (SHAREHOLDER_COLUMNS)
        self.cells: list[ShareholderCell] = []
        super().__init__(**kwargs)

    def add_cell(self, column: str, box: KioskInput, longest: str) -> None:
        box.column = column
        cell = ShareholderCell(box, "", longest)
        cell.column = column
        self.boxes.append(box)
        self.cells.append(cell)
        self.add_widget(cell, index=1)  # after the cells before it, before the buttons
        cell.bind(height=self._cell_heights)
        self.caption_cells()

    def _cell_heights(self, *_: Any) -> None:
        self.cell_height = max(c.height for c in self.cells)

    def caption_cells(self) -> None:
        lang = _lang()
        for cell in self.cells:
            caption = t(f"ui.form.shareholder.{cell.column}", lang)
            cell.caption = f"{self.index_text}. {caption}" if cell.column == "name" else caption

    def on_index_text(self, *_: Any) -> None:
        self.caption_cells()


class ShareholdersEditor(BoxLayout):
    """A list of shareholders (name, ID number, contribution in 万元, deadline), add and remove rows.

    Row 1 starts as the applicant, from the card; a shareholder added later reads their own ID
    card into the row (typing stays possible). One tap sets every row's deadline, one splits the
    registered capital equally. ``row_count`` changes with every row added or removed, so the
    form can hand the new inputs to the keyboard dock."""

    row_count = NumericProperty(0)
    card_note = StringProperty("")
    awaiting_card = BooleanProperty(False)  # a read for a row was asked and has not come yet
    card_refused = BooleanProperty(False)  # the last card read was refused (card_note says why)

    def __init__(self, value: Any, answers: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from screens.components.pickers import ChipGrid

        answers = answers or {}
        self.rows: list[ShareholderRow] = []
        self.page_answers: Any = lambda: {}  # the form's answers on this page (the capital)
        self.deadlines = ChipGrid(
            [(_years_ahead(n).isoformat(), t("ui.picker.deadline_years", _lang(), n=n)) for n in DEADLINE_YEARS],
            on_change=self._set_deadlines, cols=len(DEADLINE_YEARS))
        self.add_widget(self.deadlines, index=self.children.index(self.ids.deadline_label))  # no wrapper box
        applicant = {"name": answers.get("applicant.name"), "id_number": answers.get("applicant.id_number")}
        start = value if isinstance(value, list) and value else [applicant if all(applicant.values()) else {}]
        for holder in start:
            self.add_row(holder)

    def add_row(self, holder: dict[str, Any] | None = None) -> ShareholderRow:
        holder = holder or {}
        row = ShareholderRow()
        for column, keyboard, kind in SHAREHOLDER_COLUMNS:
            # the caption above says what goes in: no hint inside (it vanished at the first key)
            box = KioskInput(keyboard_kind=keyboard, compact=True, longest_text=longest_value(kind))
            box.text = str(holder.get(column, "") or "")
            if column == "deadline" and not box.text:
                box.text = self.deadlines.value
            row.add_cell(column, box, longest_value(kind) or NAME_ROOM)
        row.ids["remove_button"].bind(on_release=lambda _b, r=row: self.remove_row(r))
        row.ids["card_button"].bind(on_release=lambda _b, r=row: self.read_card(r))
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

    def box(self, row: ShareholderRow, column: str) -> KioskInput:
        return next(b for b in row.boxes if b.column == column)

    def _set_deadlines(self) -> None:
        for row in self.rows:
            self.box(row, "deadline").text = self.deadlines.value

    def split_capital(self) -> None:
        """Each row's contribution: the registered capital divided equally (to 0.0001 万元, i.e. 1 yuan;
        the first rows take what does not divide)."""
        from decimal import ROUND_DOWN, Decimal, InvalidOperation

        try:
            capital = Decimal(str(self.page_answers().get("enterprise.capital") or ""))
        except InvalidOperation:
            return
        if capital <= 0 or not self.rows:
            return
        unit = Decimal("0.0001")
        share = (capital / len(self.rows)).quantize(unit, rounding=ROUND_DOWN)
        rest = int((capital - share * len(self.rows)) / unit)
        for n, row in enumerate(self.rows):
            amount = share + (unit if n < rest else 0)
            self.box(row, "amount").text = format(amount.normalize(), "f")

    def read_card(self, row: ShareholderRow) -> None:
        """Ask the card reader for this shareholder's ID card; the read fills name and number."""
        app = App.get_running_app()

        def filled(name: str, number: str) -> None:
            self.box(row, "name").text = name
            self.box(row, "id_number").text = number
            self.card_note = t("ui.picker.read_card_done", _lang())
            self.card_refused = False
            self.awaiting_card = False

        def refused(key: str) -> None:
            self.card_note = t(key, _lang(), n=row.index_text)
            self.card_refused = True
            self.awaiting_card = False

        if app.kiosk.visit.read_other_card(
                lambda name, number: Clock.schedule_once(lambda _dt: filled(name, number)),
                lambda key: Clock.schedule_once(lambda _dt: refused(key))):
            self.card_note = t("ui.picker.read_card_waiting", _lang())
            self.card_refused = False
            self.awaiting_card = True

    def get_value(self) -> list[dict[str, str]]:
        result = []
        for row in self.rows:
            holder = {box.column: box.text.strip() for box in row.boxes}
            if any(holder.values()):
                result.append(holder)
        return result

    def inputs(self) -> list[KioskInput]:
        return [box for row in self.rows for box in row.boxes]

    def touch_plan(self, value: list[dict[str, str]], place_card: Any = None) -> Any:
        """The touches that enter ``value``: rows added, ID cards read (``place_card()`` lays the
        shareholder's card on the reader: a hand, not a touch; ``(None, None)`` means wait for
        the read, whose person then stands in that row), amounts split, deadlines tapped."""
        for index, holder in enumerate(value):
            if index >= len(self.rows):
                yield self.ids.add_button, None
            row = self.rows[index]
            name, number = self.box(row, "name"), self.box(row, "id_number")
            if (name.text, number.text) != (holder["name"], holder["id_number"]):
                if place_card is not None and index > 0:
                    yield row.ids.card_button, None
                    place_card()
                    yield None, None
                else:
                    yield name, holder["name"]
                    yield number, holder["id_number"]
        amounts = [str(h["amount"]) for h in value]
        if [self.box(r, "amount").text for r in self.rows] != amounts:
            yield self.ids.split_button, None
            for row, amount in zip(self.rows, amounts, strict=False):
                if self.box(row, "amount").text != amount:
                    yield self.box(row, "amount"), amount
        for row, holder in zip(self.rows, value, strict=False):
            wanted = _iso_date(str(holder["deadline"]))
            if _iso_date(self.box(row, "deadline").text) == wanted:
                continue
            chip = self.deadlines.button_for(wanted)
            if chip is not None and self.deadlines.value != wanted:
                yield chip, None
            elif chip is None:
                yield self.box(row, "deadline"), str(holder["deadline"])


DEADLINE_YEARS = (1, 2, 3, 5)  # 认缴出资 within five years of establishment (公司法 第四十七条)


def _years_ahead(years: int, today: dt.date | None = None) -> dt.date:
    day = today or dt.date.today()
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _iso_date(text: str) -> str:
    digits = "".join(c for c in text if c.isdigit())
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) == 8 else text


def make_editor(field: Any, value: Any, answers: dict[str, Any] | None = None) -> Any:
    """The widget that asks ``field``: buttons and lists where the catalog offers them (a
    ``picker``, ``same_as``, a short number range, an appointment date), else a text input."""
    from screens.components import pickers

    lang = _lang()
    answers = answers or {}
    catalog = App.get_running_app().kiosk.visit.catalog
    choices = catalog.choices.get(field.picker) if field.picker else None
    if field.type == "shareholders":
        return ShareholdersEditor(value, answers)
    if field.type in ("choice", "yesno"):
        if field.options:
            options = [(o.value, o.label.get(lang)) for o in field.options]
        else:
            options = [(v, t(f"ui.form.{v}", lang)) for v in YESNO_VALUES]
        return ChoiceEditor(options, str(value or ""))
    if choices is not None and field.type == "enterprise_name":
        return pickers.NameComposer(field, value, choices, answers)
    if choices is not None and field.type == "address":
        return pickers.AddressPicker(field, value, choices)
    if choices is not None:
        return pickers.ScopePicker(field, value, choices)
    offers = pickers.same_as_offers(field, answers, catalog, lang) if field.same_as else []
    if offers:
        return pickers.SameAsEditor(field, value, offers)
    if field.type == "date" and field.rule_map.get("not_past"):
        return pickers.DatePicker(field, value)
    span = pickers.short_range(field)
    if span is not None:
        return pickers.NumberChips(*span, value, unit="%" if field.type == "percent" else "")
    editor = TextEditor(keyboard_kind=field.keyboard or "pinyin", longest_text=longest_value(field.type))
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

<ShareholderCell>:
    orientation: 'vertical'
    size_hint: None, None
    height: self.minimum_height
    spacing: app.theme.gap / 4
    width: min(self.parent.width if self.parent else 1e6, root.fit_width(self.caption, self.longest, app.theme.font_s, app.theme.font_m, app.theme.gap))
    KioskLabel:
        text: root.caption
        tone: 'muted'
        font_size: app.theme.font_s

<ShareholderRow>:
    size_hint_y: None
    height: self.minimum_height
    spacing: app.theme.gap / 2
    padding: 0, 0, 0, app.theme.gap / 2
    BoxLayout:
        # 读卡 and 删除 together, at the foot of the line the cells make
        orientation: 'vertical'
        size_hint: None, None
        width: card_button.width + remove_button.width + self.spacing
        height: max(buttons.height, root.cell_height)
        spacing: app.theme.gap / 2
        Widget:
        BoxLayout:
            id: buttons
            size_hint_y: None
            height: max(card_button.height, remove_button.height)
            spacing: app.theme.gap / 2
            KioskButton:
                id: card_button
                role: 'secondary'
                size_hint_x: None
                # no text on row 1 (the applicant): wrapped into a zero width it re-laid the page forever
                text: t('ui.picker.read_card', app.lang) if root.index_text != '1' else ''
                width: root.button_width(self.text, app.theme.font_s, app.theme.gap, app.theme.touch)
                opacity: 1 if root.index_text != '1' else 0
                disabled: root.index_text == '1'
                font_size: app.theme.font_s
            KioskButton:
                id: remove_button  # not "remove": ids is a dict-like object and .remove is its method
                role: 'secondary'
                size_hint_x: None
                text: t('ui.form.shareholder.remove', app.lang)
                width: root.button_width(self.text, app.theme.font_s, app.theme.gap, app.theme.touch * 1.6)
                font_size: app.theme.font_s

<ShareholdersEditor>:
    orientation: 'vertical'
    size_hint_y: None
    height: self.minimum_height
    spacing: app.theme.gap / 2
    KioskLabel:
        text: t('ui.picker.applicant_row', app.lang)
        tone: 'muted'
        font_size: app.theme.font_s
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
    KioskLabel:
        text: root.card_note
        tone: 'error' if root.card_refused else 'ok'
        height: self.texture_size[1] if root.card_note else 0
    KioskButton:
        id: split_button
        role: 'secondary'
        size_hint_x: 0.6
        text: t('ui.picker.split_capital', app.lang)
        on_release: root.split_capital()
    KioskLabel:
        id: deadline_label
        text: t('ui.picker.deadline', app.lang)
        tone: 'muted'
        font_size: app.theme.font_s
""")
