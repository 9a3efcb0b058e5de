"""Field widgets that let a citizen pick instead of type: the enterprise name composed from its
parts, 经营范围 from the standard phrasings, an address from the district's roads plus a door
number, "同申请人" for a person or phone already given, and dates from the next working days.

The lists come from the catalog (``assets/catalog/choices/*.yaml``, a field's ``picker`` and
``same_as``). Every widget keeps the answer in the same form a typed one had (one string), so
the core validates it as before. Each offers ``touch_plan(value)``: the touches (a widget and,
for an input, the text to type) a person makes to enter ``value``; the scripted citizen follows
it, so the effort benchmark counts what the widget really asks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n import t
from screens.components.controls import KioskButton, KioskInput

Touch = tuple[Any, str | None]  # (widget, text to type into it, or None for a tap)
WEEKDAYS = "一二三四五六日"


def _lang() -> str:
    app = App.get_running_app()
    return app.lang if app is not None else "zh"


class ChipGrid(GridLayout):
    """Finger-sized option buttons; one selected (``multi`` False) or several."""

    multi = BooleanProperty(False)

    def __init__(self, options: Sequence[tuple[str, str]] = (), selected: Sequence[str] = (),
                 on_change: Callable[[], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.selected: list[str] = list(selected)
        self.buttons: list[KioskButton] = []
        self._on_change = on_change
        self.set_options(options)

    def set_options(self, options: Sequence[tuple[str, str]]) -> None:
        self.clear_widgets()
        self.buttons = []
        for value, label in options:
            button = KioskButton(text=label)
            button.value = value
            button.bind(on_release=self._pick)
            self.buttons.append(button)
            self.add_widget(button)
        self._paint()

    def button_for(self, value: str) -> KioskButton | None:
        return next((b for b in self.buttons if b.value == value), None)

    def select(self, value: str) -> None:
        if self.multi:
            if value in self.selected:
                self.selected.remove(value)
            else:
                self.selected.append(value)
        else:
            self.selected = [value]
        self._paint()
        if self._on_change is not None:
            self._on_change()

    def _pick(self, button: KioskButton) -> None:
        self.select(button.value)

    def _paint(self) -> None:
        for button in self.buttons:
            button.role = "selected" if button.value in self.selected else "secondary"

    @property
    def value(self) -> str:
        return self.selected[0] if self.selected else ""


def _add_after(layout: Any, label: Any, widget: Any) -> None:
    """Put ``widget`` right under ``label`` in a vertical layout."""
    layout.add_widget(widget, index=layout.children.index(label))


def _input(kind: str, field_id: str = "", hint: str = "") -> KioskInput:
    box = KioskInput(keyboard_kind=kind, hint_text=hint)
    box.field_id = field_id
    return box


# ----- the enterprise name ---------------------------------------------------------------------

class NameComposer(BoxLayout):
    """企业名称 = 行政区划 + 字号 + 行业表述 + 组织形式: only the 字号 is typed; the region is the
    list's, the industry and legal form are picked (the form preselected from the org_form answer)."""

    preview = StringProperty("")

    def __init__(self, field: Any, value: Any, choices: Any, answers: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        lang = _lang()
        region = choices.group("region")
        self.region = region[0].value if region else ""
        org_form = "sole" if answers.get("org_form") == "sole" else "llc"
        self.industries = [e.value for e in choices.group("industry")]
        self.forms = [e.value for e in choices.group(org_form)]
        trade, industry, form = self.split(str(value or ""))
        self.trade = _input("pinyin", field.id, t("ui.picker.trade_name_hint", lang))
        self.trade.text = trade
        self.trade.bind(text=lambda *_: self._show())
        self.industry = ChipGrid([(e.value, e.label(lang)) for e in choices.group("industry")],
                                 [industry] if industry else [], on_change=self._show, cols=4)
        self.form = ChipGrid([(e.value, e.label(lang)) for e in choices.group(org_form)],
                             [form or (self.forms[0] if self.forms else "")], on_change=self._show, cols=4)
        # straight into this layout, no wrapper boxes: every nested minimum_height is one more
        # clock pass when the page resizes, and past ten Kivy gives up for that frame
        self.ids.trade_row.add_widget(self.trade)
        _add_after(self, self.ids.industry_label, self.industry)
        _add_after(self, self.ids.form_label, self.form)
        self.ids.region.text = self.region
        self._show()

    def split(self, name: str) -> tuple[str, str, str]:
        """(字号, 行业表述, 组织形式) of a full name; what is not recognised stays in the 字号."""
        rest = name[len(self.region):] if self.region and name.startswith(self.region) else name
        form = next((f for f in sorted(self.forms, key=len, reverse=True) if rest.endswith(f)), "")
        rest = rest[: len(rest) - len(form)]
        industry = next((i for i in sorted(self.industries, key=len, reverse=True) if rest.endswith(i)), "")
        return rest[: len(rest) - len(industry)], industry, form

    def _show(self) -> None:
        self.preview = self.get_value() or ""

    def get_value(self) -> str:
        trade = self.trade.text.strip()
        return f"{self.region}{trade}{self.industry.value}{self.form.value}" if trade else ""

    def inputs(self) -> list[KioskInput]:
        return [self.trade]

    def touch_plan(self, value: str) -> Iterator[Touch]:
        trade, industry, form = self.split(value)
        if self.trade.text.strip() != trade:
            yield self.trade, trade
        for grid, wanted in ((self.industry, industry), (self.form, form)):
            button = grid.button_for(wanted)
            if button is None:
                raise ValueError(f"{wanted!r} is not offered for the enterprise name")
            if grid.value != wanted:
                yield button, None


# ----- 经营范围 ----------------------------------------------------------------------------------

SCOPE_SEPARATOR = "；"
SCOPE_SHOWN = 12  # entries shown at once; a search word narrows the rest


class ScopePicker(BoxLayout):
    """Standard 经营范围 phrasings tapped on and off (several); a search word narrows the list."""

    chosen_text = StringProperty("")

    def __init__(self, field: Any, value: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices
        self.search = _input("pinyin", field.id, t("ui.picker.search_hint", _lang()))
        self.search.bind(text=lambda *_: self._list())
        chosen = [p for p in str(value or "").split(SCOPE_SEPARATOR) if p]
        self.grid = ChipGrid(selected=chosen, on_change=self._chosen, multi=True, cols=2)
        self.ids.search_box.add_widget(self.search)
        self.ids.grid_box.add_widget(self.grid)
        self._list()
        self._chosen()

    def _list(self) -> None:
        lang = _lang()
        found = self.choices.search(self.search.text)[:SCOPE_SHOWN]
        shown = {e.value for e in found}
        # what is chosen stays on screen, so it can be tapped off again
        extra = [e for e in self.choices.entries if e.value in self.grid.selected and e.value not in shown]
        self.grid.set_options([(e.value, e.label(lang)) for e in [*extra, *found]])

    def _chosen(self) -> None:
        self.chosen_text = SCOPE_SEPARATOR.join(self.grid.selected)

    def get_value(self) -> str:
        return SCOPE_SEPARATOR.join(self.grid.selected)

    def inputs(self) -> list[KioskInput]:
        return [self.search]

    def touch_plan(self, value: str) -> Iterator[Touch]:
        wanted = [p for p in str(value).split(SCOPE_SEPARATOR) if p]
        for part in [p for p in self.grid.selected if p not in wanted]:
            yield self.grid.button_for(part), None
        for part in wanted:
            if part in self.grid.selected:
                continue
            if self.grid.button_for(part) is None:
                yield self.search, part[:2]  # a search word: the entry's first two hanzi
            button = self.grid.button_for(part)
            if button is None:
                raise ValueError(f"{part!r} is not a standard 经营范围 phrasing of the catalog")
            yield button, None


# ----- addresses ---------------------------------------------------------------------------------

class AddressPicker(BoxLayout):
    """大连市甘井子区 + a road picked from the list + the door number; any other address typed whole."""

    def __init__(self, field: Any, value: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        lang = _lang()
        self.prefix = choices.prefix
        self.roads = ChipGrid([(e.value, e.label(lang)) for e in choices.entries], on_change=self._road, cols=4)
        self.number = _input("number", field.id, t("ui.picker.door_number_hint", lang))
        self.other = _input("pinyin", field.id, t("ui.picker.other_address_hint", lang))
        road, number, other = self.split(str(value or ""))
        if road:
            self.roads.selected = [road]
            self.roads._paint()
        self.number.text, self.other.text = number, other
        self.ids.prefix.text = self.prefix
        self.ids.roads_box.add_widget(self.roads)
        self.ids.number_box.add_widget(self.number)
        self.ids.other_box.add_widget(self.other)

    def split(self, address: str) -> tuple[str, str, str]:
        """(road, door number, other address) of an address."""
        if address.startswith(self.prefix):
            rest = address[len(self.prefix):]
            for button in self.roads.buttons:
                match = re.fullmatch(re.escape(button.value) + r"(\d+)号", rest)
                if match:
                    return button.value, match.group(1), ""
        return "", "", address

    def _road(self) -> None:
        self.other.text = ""

    def get_value(self) -> str:
        other = self.other.text.strip()
        if other or not self.roads.value:
            return other
        number = self.number.text.strip()
        return f"{self.prefix}{self.roads.value}{number}号" if number else f"{self.prefix}{self.roads.value}"

    def inputs(self) -> list[KioskInput]:
        return [self.number, self.other]

    def touch_plan(self, value: str) -> Iterator[Touch]:
        road, number, other = self.split(value)
        if other:
            yield self.other, other
            return
        if self.roads.value != road:
            yield self.roads.button_for(road), None
        if self.number.text.strip() != number:
            yield self.number, number


# ----- "同申请人" --------------------------------------------------------------------------------

class SameAsEditor(BoxLayout):
    """A text input with one-touch buttons for the same person or number given earlier."""

    def __init__(self, field: Any, value: Any, offers: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from screens.components.fields import TextEditor, longest_value

        self.box = TextEditor(keyboard_kind=field.keyboard or "pinyin", longest_text=longest_value(field.type))
        self.box.field_id = field.id
        self.box.text = "" if value is None else str(value)
        self.offers = ChipGrid(offers, [self.box.text] if self.box.text else [], on_change=self._take, cols=3)
        self.box.bind(text=lambda *_: self._typed())
        self.ids.offers_box.add_widget(self.offers)
        self.ids.input_box.add_widget(self.box)

    def _take(self) -> None:
        self.box.text = self.offers.value

    def _typed(self) -> None:
        selected = [self.box.text] if self.offers.button_for(self.box.text) else []
        if selected != self.offers.selected:
            self.offers.selected = selected
            self.offers._paint()

    def get_value(self) -> str:
        return self.box.get_value()

    def inputs(self) -> list[KioskInput]:
        return [self.box]

    def touch_plan(self, value: str) -> Iterator[Touch]:
        if self.get_value() == value:
            return
        button = self.offers.button_for(value)
        yield (button, None) if button is not None else (self.box, value)


def same_as_offers(field: Any, answers: dict[str, Any], catalog: Any, lang: str) -> list[tuple[str, str]]:
    """(value, button text) for each answer ``field.same_as`` names: a field's answer, or each
    person of a shareholders list; the applicant's own marked "同申请人"."""
    offers: list[tuple[str, str]] = []
    for source in field.same_as:
        given = answers.get(source)
        if isinstance(given, list):  # shareholders: every person but the applicant
            names = [str(h.get("name") or "") for h in given if isinstance(h, dict)]
            offers += [(n, n) for n in names if n]
        elif given not in (None, ""):
            mine = source.startswith("applicant.")
            offers.append((str(given), t("ui.picker.same_as_applicant", lang, value=given) if mine else str(given)))
    seen: set[str] = set()
    return [o for o in offers if not (o[0] in seen or seen.add(o[0]))]  # type: ignore[func-returns-value]


# ----- dates -------------------------------------------------------------------------------------

DATE_CHIPS = 10


def working_days_ahead(start: dt.date, count: int) -> list[dt.date]:
    """The next ``count`` days from ``start`` that are not Saturday or Sunday."""
    days, day = [], start
    while len(days) < count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def date_label(day: dt.date, lang: str) -> str:
    if lang.startswith("en"):
        return day.strftime("%a %d %b")
    return f"{day.month}月{day.day}日 周{WEEKDAYS[day.weekday()]}"


class DatePicker(BoxLayout):
    """For a date that may not be past (an appointment): the next working days as buttons; any
    other date typed as 8 digits on the number pad."""

    def __init__(self, field: Any, value: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        lang = _lang()
        today = today or dt.date.today()
        days = working_days_ahead(today, DATE_CHIPS)
        self.days = ChipGrid([(d.isoformat(), date_label(d, lang)) for d in days], on_change=self._picked, cols=5)
        self.typed = _input("number", field.id, t("ui.form.date_hint_digits", lang))
        from screens.components.fields import longest_value

        self.typed.longest_text = longest_value("date")
        text = str(value or "")
        if self.days.button_for(text):
            self.days.selected = [text]
            self.days._paint()
        else:
            self.typed.text = text.replace("-", "")
        self.typed.bind(text=lambda *_: self._typed())
        self.ids.days_box.add_widget(self.days)
        self.ids.typed_box.add_widget(self.typed)

    def _picked(self) -> None:
        self.typed.text = ""

    def _typed(self) -> None:
        if self.typed.text and self.days.selected:
            self.days.selected = []
            self.days._paint()

    def get_value(self) -> str:
        return self.typed.text.strip() or self.days.value

    def inputs(self) -> list[KioskInput]:
        return [self.typed]

    def touch_plan(self, value: str) -> Iterator[Touch]:
        iso = _iso(value)
        if self.get_value() in (value, iso):
            return
        button = self.days.button_for(iso)
        yield (button, None) if button is not None else (self.typed, iso.replace("-", ""))


def _iso(value: str) -> str:
    digits = re.sub(r"\D", "", str(value))
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) == 8 else str(value)


# ----- small number ranges -----------------------------------------------------------------------

CHIP_RANGE = 12  # a whole-number range this short is offered as buttons


class NumberChips(ChipGrid):
    """A whole number from a short range (a percentage 5–12) as buttons."""

    def __init__(self, low: int, high: int, value: Any, unit: str = "", **kwargs: Any) -> None:
        text = str(value or "")
        super().__init__([(str(n), f"{n}{unit}") for n in range(low, high + 1)], [text] if text else [],
                         cols=min(6, high - low + 1), **kwargs)

    def get_value(self) -> str:
        return self.value

    def inputs(self) -> list[KioskInput]:
        return []

    def touch_plan(self, value: str) -> Iterator[Touch]:
        if self.value != str(value):
            yield self.button_for(str(value)), None


def short_range(field: Any) -> tuple[int, int] | None:
    rules = field.rule_map
    if field.type in ("integer", "percent") and "min" in rules and "max" in rules:
        low, high = int(rules["min"]), int(rules["max"])
        if 0 < high - low + 1 <= CHIP_RANGE:
            return low, high
    return None


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
