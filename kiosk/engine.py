"""The flow engine: a scenario plus a citizen's answers becomes one form, one set of materials
and one submission (一次告知、一表申请、一套材料、一窗受理).

Headless: the screens drive it, and so do ``kiosk flow walk`` and the tests. It holds personal
data for one session only; :meth:`Flow.wipe` forgets it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from identity.record import IdentityRecord
from kiosk import validators
from kiosk.catalog import Catalog, Field, Item, Material, Page, Question, Scenario
from kiosk.catalog.expressions import Expression
from kiosk.catalog.models import Stop
from kiosk.errors import FlowError, ValidationError
from kiosk.i18n import t
from kiosk.reference import make_reference

SCHEMA = "kiosk.submission/1"


@dataclass(frozen=True)
class MaterialNeed:
    """One document to collect once, however many items need it."""

    material: Material
    items: tuple[Item, ...]
    original: bool
    copies: int


@dataclass(frozen=True)
class SummaryRow:
    field: Field
    display: str | None  # None: an optional answer left empty (shown as 未填写)


@dataclass(frozen=True)
class SummarySection:
    page: Page
    rows: tuple[SummaryRow, ...]


@dataclass
class Flow:
    catalog: Catalog
    scenario_id: str
    today: dt.date = field(default_factory=dt.date.today)
    situation: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    attachments: dict[str, list[bytes]] = field(default_factory=dict)
    identity: dict[str, Any] = field(default_factory=dict)  # what the card gave, by role
    card: IdentityRecord | None = None  # the card read itself (photo, fingerprints: memory only)

    def __post_init__(self) -> None:
        if self.scenario_id not in self.catalog.scenarios:
            raise FlowError(f"unknown scenario {self.scenario_id!r}", key="flow.unknown_scenario")
        self.scenario: Scenario = self.catalog.scenarios[self.scenario_id]
        self.submission_id = uuid.uuid4().hex
        self.reference = make_reference(self.submission_id, self.today)

    # -- 情形 questions ----------------------------------------------------------------------------

    def _holds(self, expression: Expression | None, default: bool = True) -> bool:
        return default if expression is None else expression.holds(self.values())

    def values(self) -> dict[str, Any]:
        """The namespace catalog expressions see: 情形 answers and form answers together."""
        return {**self.answers, **self.situation}

    def questions(self) -> list[Question]:
        return [q for q in self.scenario.questions if self._holds(q.when)]

    def next_question(self) -> Question | None:
        """The next unanswered question; none once a stop rule holds (nothing more to decide)."""
        if self.stop() is not None:
            return None
        return next((q for q in self.questions() if q.id not in self.situation), None)

    def answer(self, question_id: str, value: str) -> None:
        """Answer a 情形 question with one of its options, or, for a question that asks a form
        field (``Question.field``), with that field's value: the option it meets is the answer
        and the field is answered too (the form then does not ask it again)."""
        question = next((q for q in self.questions() if q.id == question_id), None)
        if question is None:
            raise FlowError(f"question {question_id!r} is not asked now", key="flow.no_such_question")
        option = next((o for o in question.options if o.value == value), None)
        if option is None and question.field:
            value = self._answer_with_field(question, value)
        elif option is None:
            raise FlowError(f"{value!r} is not an answer to {question_id!r}", key="flow.bad_answer")
        elif question.field and option.when is not None and not option.when.holds(self.values()):
            self.answers.pop(question.field, None)  # an option picked headless: the old figure no longer fits
        self.situation[question_id] = value
        self._forget_hidden_questions()

    def _answer_with_field(self, question: Question, value: str) -> str:
        """Check ``value`` as the question's field, keep it, and return the option it meets."""
        form_field = self._scenario_field(question.field)
        try:
            normalised = validators.BY_TYPE[form_field.type](value, form_field.rule_map)
        except ValidationError as error:
            error.field = form_field.id
            raise
        given = {question.field: normalised}
        option = next((o for o in question.options if o.when is not None and o.when.holds(given)), None)
        if option is None:
            raise FlowError(f"{value!r} meets no option of {question.id!r}", key="flow.bad_answer")
        self.answers[question.field] = normalised
        return option.value

    def _scenario_field(self, field_id: str) -> Field:
        """A field of any item of the scenario (shown on the form now or not)."""
        for ref in self.scenario.items:
            for item_field in ref.item.fields:
                if item_field.id == field_id:
                    return item_field
        raise FlowError(f"field {field_id!r} is in no item of {self.scenario_id!r}", key="flow.no_such_field")

    def question_field(self, question: Question) -> Field | None:
        """The form field a question asks the same as (None for a question with options only)."""
        return self._scenario_field(question.field) if question.field else None

    def value_for_option(self, question: Question, option_value: str) -> str | None:
        """A value of the question's field that means ``option_value`` (for scripts and tests):
        tried around each number the options' conditions name."""
        option = next((o for o in question.options if o.value == option_value), None)
        if option is None or option.when is None:
            return None
        form_field = self._scenario_field(question.field)
        numbers = sorted({n for o in question.options if o.when is not None for n in _numbers(o.when)})
        for number in numbers:
            for candidate in (number - 1, number, number + 1, number * 2):
                text = str(int(candidate)) if float(candidate).is_integer() else str(candidate)
                try:
                    normalised = validators.BY_TYPE[form_field.type](text, form_field.rule_map)
                except ValidationError:
                    continue
                if option.when.holds({question.field: normalised}):
                    return text
        return None

    def situation_fields(self) -> set[str]:
        """Form fields a 情形 answer already gave: the form does not ask them again."""
        return {q.field for q in self.questions()
                if q.field and q.id in self.situation and self.answers.get(q.field) not in (None, "")}

    def back_question(self) -> Question | None:
        """Un-answer the most recent answer and return its question (None at the start)."""
        if not self.situation:
            return None
        question_id = next(reversed(self.situation))
        del self.situation[question_id]
        return next(q for q in self.scenario.questions if q.id == question_id)

    def _forget_hidden_questions(self) -> None:
        while True:
            visible = {q.id for q in self.questions()}
            hidden = [q for q in self.situation if q not in visible]
            if not hidden:
                return
            for question_id in hidden:
                del self.situation[question_id]

    def stop(self) -> Stop | None:
        """The stop rule the 情形 answers trigger (the kiosk refuses with its reason and basis)."""
        return self.scenario.stop_for(self.situation)

    @property
    def questions_done(self) -> bool:
        return self.next_question() is None

    # -- what applies --------------------------------------------------------------------------------

    def items(self) -> list[Item]:
        seen: dict[str, Item] = {}
        for ref in self.scenario.items:
            if ref.item.id not in seen and self._holds(ref.when) and self._holds(ref.item.applies):
                seen[ref.item.id] = ref.item
        return list(seen.values())

    def fields(self) -> list[Field]:
        """The merged form: each field id once, in item order, only those shown now."""
        merged: dict[str, Field] = {}
        for item in self.items():
            for item_field in item.fields:
                merged.setdefault(item_field.id, item_field)
        return [f for f in merged.values() if self._holds(f.when)]

    def pages(self) -> list[Page]:
        by_page: dict[str, list[Field]] = {}
        given = self.situation_fields()
        for form_field in self.fields():
            if form_field.id not in given:
                by_page.setdefault(form_field.page, []).append(form_field)
        pages = [self.catalog.pages[page_id] for page_id in by_page]
        return sorted(pages, key=lambda p: p.order)

    def page_fields(self, page_id: str) -> list[Field]:
        """The fields a form page asks (not those a 情形 answer gave already)."""
        given = self.situation_fields()
        return [f for f in self.fields() if f.page == page_id and f.id not in given]

    def field(self, field_id: str) -> Field:
        for form_field in self.fields():
            if form_field.id == field_id:
                return form_field
        raise FlowError(f"field {field_id!r} is not on the form", key="flow.no_such_field")

    def required(self, form_field: Field) -> bool:
        return self._holds(form_field.required, default=True)

    def materials(self) -> list[MaterialNeed]:
        merged: dict[str, tuple[Material, list[Item]]] = {}
        for item in self.items():
            for material in item.materials:
                if self._holds(material.when):
                    merged.setdefault(material.id, (material, []))[1].append(item)
        needs = []
        for material_id, (material, items) in merged.items():
            versions = [m for i in items for m in i.materials if m.id == material_id]
            needs.append(
                MaterialNeed(
                    material=material,
                    items=tuple(items),
                    original=any(m.original for m in versions),
                    copies=max(m.copies for m in versions),
                )
            )
        return needs

    # -- answers -------------------------------------------------------------------------------------

    def set(self, field_id: str, value: Any) -> ValidationError | None:
        """Store an answer; returns the validation problem, if any (the raw value is kept)."""
        form_field = self.field(field_id)
        self.answers[field_id] = value
        try:
            normalised = self._validate(form_field)
        except ValidationError as error:
            return error
        if normalised is not None:
            self.answers[field_id] = normalised
        return None

    def prefill(self, record: IdentityRecord | Mapping[str, Any]) -> None:
        """Fill the fields whose role a card gives (``applicant.*``) from an identity record
        (or a mapping of role to value).

        Identification comes before the 情形 questions, so every field of the scenario with such
        a role is filled; only the fields the form ends up asking reach the submission.
        """
        if isinstance(record, IdentityRecord):
            self.card = record
        values = record.prefill() if isinstance(record, IdentityRecord) else dict(record)
        for role, value in values.items():
            for field_id in self._role_field_ids(role):
                self.answers[field_id] = value
        self.identity = dict(values)

    def _role_field_ids(self, role: str) -> list[str]:
        """Every field of the scenario (shown now or not) that declares ``role``."""
        ids = {f.id: None for ref in self.scenario.items for f in ref.item.fields if f.role == role}
        return list(ids)

    def situation_for(self, role: str) -> str:
        """The 情形 answer of the question that declares ``role`` ("" if none is asked or answered)."""
        question = self.scenario.question_for(role)
        return self.situation.get(question.id, "") if question is not None else ""

    def answer_for(self, role: str) -> Any:
        """The answer of the field shown now that declares ``role``."""
        form_field = next((f for f in self.fields() if f.role == role), None)
        if form_field is None:
            return self.identity.get(role)  # not asked on this form: what the card said, if anything
        return self.answers.get(form_field.id)

    def personal_values(self) -> list[str]:
        """Every text the citizen gave in a field declared personal (names, numbers, addresses),
        including the text inside table answers (a shareholder's name and ID number)."""
        values: list[str] = [str(v) for v in self.identity.values() if isinstance(v, str)]
        for form_field in self.fields():
            if form_field.personal:
                values.extend(_texts(self.answers.get(form_field.id)))
        return [v for v in values if v]

    def _validate(self, form_field: Field) -> Any:
        value = self.answers.get(form_field.id)
        empty = value is None or (isinstance(value, str | list) and not value)
        if empty:
            if self.required(form_field):
                raise ValidationError("validation.required", form_field.id)
            return None
        try:
            if form_field.type in validators.CROSS_FIELD:
                return validators.CROSS_FIELD[form_field.type](value, self.values())
            if form_field.type in ("choice", "yesno"):
                if str(value) not in {o.value for o in form_field.options}:
                    raise ValidationError("validation.choice.unknown")
                return str(value)
            return validators.BY_TYPE[form_field.type](value, form_field.rule_map)
        except ValidationError as error:
            error.field = form_field.id
            raise

    def page_errors(self, page_id: str) -> dict[str, ValidationError]:
        errors = {}
        for form_field in self.page_fields(page_id):
            try:
                normalised = self._validate(form_field)
            except ValidationError as error:
                errors[form_field.id] = error
            else:
                if normalised is not None:
                    self.answers[form_field.id] = normalised
        return errors

    def errors(self) -> dict[str, ValidationError]:
        errors: dict[str, ValidationError] = {}
        for page in self.pages():
            errors.update(self.page_errors(page.id))
        return errors

    # -- materials -----------------------------------------------------------------------------------

    def attach(self, material_id: str, pages: list[bytes]) -> None:
        if material_id not in {need.material.id for need in self.materials()}:
            raise FlowError(f"material {material_id!r} is not needed", key="flow.no_such_material")
        self.attachments[material_id] = list(pages)

    def missing_materials(self) -> list[MaterialNeed]:
        return [
            need
            for need in self.materials()
            if need.material.capture is not None and not self.attachments.get(need.material.id)
        ]

    # -- check your answers and the submission --------------------------------------------------------

    def display(self, form_field: Field, lang: str = "zh_CN") -> str | None:
        value = self.answers.get(form_field.id)
        if value is None or value == "" or value == []:
            return None
        if form_field.options:
            label = next((o.label for o in form_field.options if o.value == str(value)), None)
            return label.get(lang) if label else str(value)
        if form_field.type == "shareholders" and isinstance(value, list):
            unit = t("unit.money", lang)
            return "; ".join(f"{h.get('name', '')} {h.get('amount', '')}{unit}" for h in value)
        return str(value)

    def summary(self, lang: str = "zh_CN") -> list[SummarySection]:
        return [
            SummarySection(page, tuple(SummaryRow(f, self.display(f, lang)) for f in self.page_fields(page.id)))
            for page in self.pages()
        ]

    def submission(self, kiosk_id: str, location: str, now: dt.datetime | None = None) -> dict[str, Any]:
        """The submission document; raises ValidationError when answers or materials are missing."""
        errors = self.errors()
        if errors:
            error = ValidationError("validation.form_incomplete", count=len(errors))
            error.errors = errors  # type: ignore[attr-defined]
            raise error
        missing = self.missing_materials()
        if missing:
            error = ValidationError("validation.materials_missing", count=len(missing))
            error.missing = [need.material.id for need in missing]  # type: ignore[attr-defined]
            raise error
        now = now or dt.datetime.now().astimezone()
        answers = {f.id: _jsonable(self.answers.get(f.id)) for f in self.fields()}
        return {
            "schema": SCHEMA,
            "id": self.submission_id,
            "reference": self.reference,
            "created_at": now.isoformat(timespec="seconds"),
            "kiosk": {"id": kiosk_id, "location": location},
            "scenario": {"id": self.scenario.id, "kind": self.scenario.kind, "title": self.scenario.title.zh},
            "applicant": {
                role: _jsonable(next((self.answers[i] for i in self._role_field_ids(role)
                                      if i in self.answers), value))
                for role, value in self.identity.items()
            },
            "situation": dict(self.situation),
            "items": [
                {
                    "id": item.id,
                    "title": item.title.zh,
                    "department": item.department.zh,
                    "legal_days": item.legal_days,
                    "promised_days": item.promised_days,
                }
                for item in self.items()
            ],
            "answers": answers,
            "materials": [
                {
                    "id": need.material.id,
                    "name": need.material.name.zh,
                    "original": need.original,
                    "copies": need.copies,
                    "pages": len(self.attachments.get(need.material.id, [])),
                    "items": [item.id for item in need.items],
                }
                for need in self.materials()
            ],
            "delivery": {
                "method": self.situation_for("delivery") or "pickup",
                "address": _jsonable(self.answer_for("delivery.address")),
            },
        }

    def wipe(self) -> None:
        """Forget everything the citizen gave: answers, 情形, the card and captured pages."""
        self.answers.clear()
        self.situation.clear()
        for pages in self.attachments.values():
            pages.clear()
        self.attachments.clear()
        self.identity = {}
        if self.card is not None:
            self.card.wipe()
        self.card = None


def _numbers(expression: Expression) -> list[float]:
    """The number constants in a catalog condition (``premises.area < 50`` → [50])."""
    import ast

    return [node.value for node in ast.walk(expression.tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool)]


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for v in value.values() for text in _texts(v)]
    if isinstance(value, list | tuple):
        return [text for v in value for text in _texts(v)]
    return []


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
