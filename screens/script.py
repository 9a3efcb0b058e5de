"""A scripted citizen: walks one scenario through the real UI by touch, from attract to done.

It taps the same buttons a person would, types digits and letters on the docked on-screen
keyboard, lets the camera auto-capture each material, rates (or skips) 好差评 after the receipt,
and can save a screenshot of every screen it passes. Used by ``kiosk run --script``, the UI tests and the benchmarks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from identity.idnumber import generate_person
from kiosk import validators
from screens.driver import UiDriver

TEXT_SAMPLES = {
    "enterprise.scope": "日用百货销售；办公用品销售",  # standard phrasings (经营范围规范表述)
    "change.new_scope": "日用百货、办公用品、五金交电销售",
    "food.categories": "热食类食品制售",
    "sign.size": "三米乘一米",
    "property.certificate_no": "辽（2024）大连市不动产权第0012345号",
    "retire.bank_account": "6222020200112233445",
    "enterprise.alt_names": "鑫达商贸",
}
ADDRESS = "大连市甘井子区华北路88号"


def sample_uscc(rng: random.Random) -> str:
    body8 = "".join(rng.choice("0123456789") for _ in range(8))
    org = body8 + validators.org_code_check_char(body8)
    first17 = "91210211" + org
    return first17 + validators.uscc_check_char(first17)


def sample_value(form_field: Any, answers: dict[str, Any], rng: random.Random,
                 shareholders: int | None = None) -> Any:
    """A valid answer for ``form_field`` (the applicant's own data comes from the card);
    ``shareholders`` rows for a shareholders field (default: 2 for "several", else 1).
    ``answers``: the 情形 answers and the form's answers so far (the name's form follows org_form)."""
    rules = form_field.rule_map
    today = dt.date.today()
    kind = form_field.type
    if form_field.id in TEXT_SAMPLES:
        return TEXT_SAMPLES[form_field.id]
    if kind in ("choice", "yesno"):
        return form_field.options[0].value if form_field.options else "yes"
    if kind == "address":
        return ADDRESS
    if kind == "enterprise_name":
        return "大连鑫源商贸商行" if answers.get("org_form") == "sole" else "大连鑫源商贸有限公司"
    if kind == "id_number":
        return generate_person(rng).id_number
    if kind == "mobile":
        return "13800138000"
    if kind == "phone":
        return "041188888888"
    if kind == "postal_code":
        return "116000"
    if kind == "email":
        return "test@example.cn"
    if kind == "uscc":
        return sample_uscc(rng)
    if kind == "money":
        return str(min(50, int(rules.get("max", 50))))
    if kind in ("integer", "percent"):
        low, high = int(rules.get("min", 1)), int(rules.get("max", 100))
        return str(max(low, min(high, 10)))
    if kind == "date":
        if rules.get("not_future"):
            return (today - dt.timedelta(days=30)).strftime("%Y%m%d")
        return next_working_day(today, 3).strftime("%Y%m%d")  # an appointment a few days ahead
    if kind == "shareholders":
        count = shareholders or (2 if answers.get("shareholders") == "several" else 1)
        return sample_shareholders(answers, rng, count)
    if rules.get("hanzi") or form_field.id.endswith("name"):
        return generate_person(rng).name
    return "测试内容"


def next_working_day(start: dt.date, count: int) -> dt.date:
    """The ``count``-th day after ``start`` that is not a Saturday or Sunday."""
    day = start
    while count:
        day += dt.timedelta(days=1)
        count -= day.weekday() < 5
    return day


def sample_shareholders(answers: dict[str, Any], rng: random.Random, count: int) -> list[dict[str, str]]:
    """``count`` shareholders, the applicant first, whose contributions add up to the capital."""
    capital = int(answers.get("enterprise.capital") or 50)
    shares = [capital // count + (1 if n < capital % count else 0) for n in range(count)]
    deadline = (dt.date.today() + dt.timedelta(days=365)).strftime("%Y%m%d")
    holders = []
    for n, amount in enumerate(shares):
        person = generate_person(rng)
        holders.append({
            "name": str(answers.get("applicant.name") or person.name) if n == 0 else person.name,
            "id_number": str(answers.get("applicant.id_number") or person.id_number) if n == 0
            else person.id_number,
            "amount": str(amount),
            "deadline": deadline,
        })
    return holders


DISPLAY_MODES = ("zh", "en", "large", "contrast")
# The header button a citizen taps for each display mode (zh is how every visit starts).
DISPLAY_BUTTON = {"en": "ui.header.language", "large": "ui.header.large_text", "contrast": "ui.header.contrast"}


@dataclass
class ScriptedVisit:
    """One visit; ``choices`` overrides the 情形 answers (question id → option value), ``answers``
    the form values (field id → value, as ``kiosk flow walk --answers`` reads them; the rest are
    generated), ``display`` is tapped on the header at home, ``shareholders`` rows are added."""

    driver: UiDriver
    scenario_id: str
    choices: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    display: str = "zh"
    shareholders: int | None = None
    stop_after_results: bool = False  # a branch walk: 情形 answers and the items, then 结束办理
    shots: Path | None = None
    use_keys: bool = True  # type digits and letters on the on-screen keyboard
    pinyin: bool = False  # type hanzi too: pinyin keys and a candidate tap (slow; for effort counts)
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    on_screen: Callable[[str], None] | None = None
    # 好差评: None skips with one touch; 1..5 rates; reasons and comment go with 1 and 2
    rating: int | None = None
    rating_reasons: tuple[str, ...] = ()
    rating_comment: str = ""
    visited: list[str] = field(default_factory=list)

    @property
    def app(self) -> Any:
        return self.driver.app

    def _arrived(self, name: str, label: str = "") -> None:
        self.driver.wait_screen(name)
        self.visited.append(label or name)
        if self.on_screen is not None:
            self.on_screen(label or name)
        if self.shots is not None:
            self.driver.screenshot(self.shots / f"{len(self.visited):02d}-{label or name}.png")

    def run(self) -> str:
        """Walk from the attract screen to done; returns the application's reference."""
        d, app = self.driver, self.app
        self._arrived("attract")
        d.tap(app.screen("attract").ids.panel)
        self._arrived("home")
        if self.display in DISPLAY_BUTTON:
            d.tap_text(app.t(DISPLAY_BUTTON[self.display]))
        elif self.display != "zh":
            raise ValueError(f"unknown display mode {self.display!r} (one of {', '.join(DISPLAY_MODES)})")
        scenario = app.kiosk.visit.scenario(self.scenario_id)
        d.tap_text(scenario.title.get(app.lang))
        self._arrived("identify")
        if app.sim:
            d.tap_text(app.t("ui.identify.sim_place"))  # the developer panel's button
        else:
            app.kiosk.devices.sim_place_card()
        self._questions()
        self._arrived("results")
        if self.stop_after_results:
            self._leave()
            return ""
        d.tap(app.screen("results").ids.next)
        self._form()
        if app.current == "materials":
            self._materials()
        self._arrived("check")
        reference = app.kiosk.visit.session.flow.reference
        d.tap(app.screen("check").ids.submit)
        d.wait(lambda: app.current in ("submitting", "receipt"), what="submitting")
        self._arrived("receipt")
        d.wait(lambda: not app.screen("receipt").printing, what="the receipt to print")
        self._arrived("receipt", "receipt-printed" if app.screen("receipt").printed else "receipt-on-screen")
        d.tap(app.screen("receipt").ids.finish)
        self._rate()
        self._arrived("done")
        app.kiosk.devices.sim_remove_card()
        d.tap(app.screen("done").ids.home)
        d.wait_screen("attract")
        return reference

    def _rate(self) -> None:
        d, app = self.driver, self.app
        self._arrived("rating")
        screen = app.screen("rating")
        if self.rating is None:
            d.tap(screen.ids.skip)
            return
        d.tap(screen.level_buttons[self.rating])
        if app.current != "rating":
            return  # a satisfied level is sent at the touch
        for reason in self.rating_reasons:
            d.tap(screen.reason_buttons[reason])
        if self.rating_comment:
            self._type(screen.ids.comment, self.rating_comment)
        self._arrived("rating", "rating-reasons")
        d.tap(screen.ids.send)

    def _leave(self) -> None:
        """结束办理 on the header, confirming if the kiosk asks, then take the card away."""
        d, app = self.driver, self.app
        d.tap_text(app.t("ui.header.exit"))
        for _ in range(3):
            if app.current in ("attract", "out_of_service"):
                break
            confirm = [w for w in d.screen_widgets() if getattr(w, "confirm_exit", False)]
            if confirm:
                d.tap(confirm[0])
            d.pump(2)
        d.wait(lambda: app.current in ("attract", "out_of_service"), what="the visit to end after 结束办理")
        app.kiosk.devices.sim_remove_card()
        d.wait_screen("attract")

    def _questions(self) -> None:
        d, app = self.driver, self.app
        d.wait(lambda: app.current in ("questions", "results"), what="the card to be read")
        screen = app.screen("questions")
        n = 0
        while app.current == "questions":
            n += 1
            if n > 40:
                raise RuntimeError(f"the questions do not end (stuck at {screen.question.id})")
            self._arrived("questions", f"question-{n}")
            question = screen.question
            value = self.choices.get(question.id, question.options[0].value)
            option = next((o for o in question.options if o.value == value), None)
            if option is None:
                known = ", ".join(o.value for o in question.options)
                raise ValueError(f"{value!r} is not an answer to {question.id!r} (one of {known})")
            if getattr(question, "field", ""):  # asked as its form field (经营面积): type a figure that means it
                figure = self.answers.get(question.field) or app.kiosk.visit.flow.value_for_option(question, value)
                self._fill_editor(screen.editor, str(figure))
                d.tap(screen.next_button)
            else:
                d.tap_text(option.label.get(app.lang))
            d.pump(2)

    def _form(self) -> None:
        d, app = self.driver, self.app
        screen = app.screen("form")
        page = 0
        while app.current == "form":
            page += 1
            if page > 30:
                raise RuntimeError("the form does not end")
            self._arrived("form", f"form-{screen.page.id}")
            flow = app.kiosk.visit.session.flow
            for row in list(screen.rows):
                given = self.answers.get(row.field.id)
                if given is not None:
                    if row.value() != given:
                        self._fill(row, given)
                    continue
                current = row.value()
                if current not in ("", [], None) and not hasattr(row.editor, "touch_plan"):
                    continue  # prefilled (a picker's plan skips by itself what is already right)
                if row.optional:
                    continue
                value = sample_value(row.field, {**flow.situation, **flow.answers}, self.rng, self.shareholders)
                offers = [b.value for b in getattr(getattr(row.editor, "offers", None), "buttons", [])]
                taken = {str(r.value()) for r in screen.rows if r is not row}
                free = [o for o in offers if o not in taken]
                if free:  # "同申请人" and the like: a person or number given before, not yet used here
                    value = free[-1]
                self._fill(row, value)
            before = screen.page.id

            def moved_on(before: str = before) -> bool:
                return app.current != "form" or screen.page.id != before

            d.tap(screen.ids.next)
            with contextlib.suppress(TimeoutError):  # the page changes at once, or its errors show
                d.wait(lambda: moved_on() or screen.summary_error or any(r.error_text for r in screen.rows),
                       timeout=3, what="the next page or its errors")
            if not moved_on():
                errors = {r.field.id: r.error_text for r in screen.rows if r.error_text}
                filled = {r.field.id: r.value() not in ("", [], None) for r in screen.rows}
                raise RuntimeError(f"form page {before} refused: {errors or screen.summary_error!r}; "
                                   f"next button {'disabled' if screen.ids.next.disabled else 'enabled'}, "
                                   f"filled {filled}")

    def _fill(self, row: Any, value: Any) -> None:
        self._fill_editor(row.editor, value)

    def _fill_editor(self, editor: Any, value: Any) -> None:
        d = self.driver
        if hasattr(editor, "touch_plan"):  # a picker: it says which touches enter the value
            self._follow(editor, value)
            return
        if hasattr(editor, "buttons"):
            button = next((b for b in editor.buttons if b.value == value), None)
            if button is None:
                raise ValueError(f"{value!r} is not an option of {editor!r}")
            d.tap(button)
            return
        if hasattr(editor, "rows"):  # shareholders: add rows by touch as a person would
            for index, holder in enumerate(value):
                if index >= len(editor.rows):
                    d.tap(editor.ids.add_button)
                row_boxes = getattr(editor.rows[index], "boxes", None)  # older trees (the bench's baseline)
                boxes = row_boxes or list(reversed(editor.rows[index].ids.cells.children))
                for column, box in zip(("name", "id_number", "amount", "deadline"), boxes, strict=True):
                    self._type(box, str(holder[column]))
            return
        self._type(editor, str(value))

    def _follow(self, editor: Any, value: Any) -> None:
        """Make the touches the widget's plan names, one at a time (each changes what it shows)."""
        if hasattr(editor, "awaiting_card"):  # shareholders: other people's ID cards go on the reader
            plan = editor.touch_plan(value, place_card=self._place_card)
        else:
            plan = editor.touch_plan(value)
        for widget, text in plan:
            if widget is None:  # the card laid on the reader: wait for the row to fill
                self.driver.wait(lambda: not editor.awaiting_card, what="the shareholder's ID card read")
            elif text is None:
                self.driver.tap(widget)
            else:
                self._type(widget, text)

    def _place_card(self) -> None:
        """A co-shareholder lays their ID card on the reader (the applicant's is taken off first)."""
        d, devices = self.driver, self.app.kiosk.devices
        devices.sim_remove_card()
        d.wait(lambda: not devices.card_present(), what="the applicant's card to be taken off")
        devices.sim_place_card()

    def _type(self, box: Any, text: str) -> None:
        d = self.driver
        if self.pinyin:
            d.type_text(box, text)
        elif self.use_keys and box.keyboard_kind in ("number", "idcard", "ascii") and text.isascii():
            d.type_into(box, text)
        else:
            d.tap(box)
            box.text = ""
            box.insert_text(text)  # hanzi: what the pinyin keyboard would commit

    def _materials(self) -> None:
        d, app = self.driver, self.app
        screen = app.screen("materials")
        while app.current == "materials":
            index = screen.index
            d.wait(lambda: screen.pages > 0 or app.current != "materials", timeout=30,
                   what=f"auto-capture of material {index + 1}")
            self._arrived("materials", f"materials-{index + 1}")
            d.tap(screen.ids.next)
            d.pump(2)
