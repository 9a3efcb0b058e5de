"""Typed models of the catalog: pages, fields, materials, items (事项) and scenarios.

Built by :mod:`kiosk.catalog.loader` from the YAML under ``assets/catalog``; immutable once built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from kiosk.catalog.expressions import Expression

FIELD_TYPES = frozenset(
    {
        "text", "address", "id_number", "uscc", "mobile", "phone", "postal_code", "email", "money",
        "integer", "percent", "date", "choice", "yesno", "enterprise_name", "shareholders",
    }
)
# Answers of these types always identify a person; a field of another type says ``personal: true``.
PERSONAL_TYPES = frozenset({"id_number", "mobile", "phone", "email", "address", "shareholders"})
# What a field may declare it is (``role:``), so the core finds answers by meaning, not by id:
# a card read fills the ``applicant.*`` roles, the receipt prints them, delivery posts to one.
ROLES = frozenset(
    {
        "applicant.name", "applicant.id_number", "applicant.sex", "applicant.birth_date",
        "applicant.nation", "applicant.address", "applicant.mobile", "delivery.address",
        "enterprise.name", "bank.appointment",  # printed on the receipt
    }
)
# What a 情形 question may declare it is (``role:``), with the option values the core relies on.
QUESTION_ROLES: dict[str, frozenset[str]] = {
    "delivery": frozenset({"pickup", "mail"}),  # how the result reaches the citizen (receipt, submission)
    "bank": frozenset({"none"}),  # which bank to book an account with; "none": no appointment
}
KEYBOARD_FOR_TYPE = {
    "id_number": "idcard",
    "uscc": "ascii",
    "mobile": "number",
    "phone": "number",
    "postal_code": "number",
    "money": "number",
    "integer": "number",
    "percent": "number",
    "date": "number",
    "email": "ascii",
}
# The longest value a field of each type takes, as the citizen sees it typed: an input must be
# wide enough for it (the journey explorer checks this on every screen). Wide glyphs chosen.
LONGEST_VALUE_FOR_TYPE = {
    "id_number": "11010519491231002X",  # 18 characters
    "uscc": "91210211MA0QWERT8W",  # 18 characters
    "mobile": "13800138000",  # 11 digits
    "phone": "041188888888",  # area code + 8 digits
    "postal_code": "116000",
    "date": "2026-12-31",  # as a date chip fills it; typed dates are 8 digits
}
CAPTURE_KINDS = frozenset({"document", "certificate", "id_copy"})
SCENARIO_KINDS = frozenset({"new-enterprise", "one-thing"})


@dataclass(frozen=True)
class Text:
    zh: str
    en: str = ""

    def get(self, lang: str) -> str:
        return self.en if lang.startswith("en") and self.en else self.zh

    def __str__(self) -> str:
        return self.zh


@dataclass(frozen=True)
class Basis:
    """One legal basis: a law or regulation and the article that says it."""

    law: str
    article: str = ""

    def __str__(self) -> str:
        return f"《{self.law}》{self.article}" if self.article else f"《{self.law}》"


@dataclass(frozen=True)
class Sources:
    """Where a rule comes from: its legal basis, where it was checked, when, and whether the
    local (Dalian/甘井子区) practice is confirmed; an unconfirmed rule carries the question to ask
    the hall."""

    basis: tuple[Basis, ...] = ()
    checked: str = ""
    reviewed: str = ""  # ISO date
    verified: bool = True
    question: Text = Text("")

    @property
    def empty(self) -> bool:
        return not (self.basis or self.checked or self.reviewed)


NO_SOURCES = Sources()


@dataclass(frozen=True)
class ProcessingLimit:
    """The agency's time limits: the legal one (with its extension) and the hall's promise."""

    legal_days: float | None = None
    legal_extension_days: float | None = None
    calendar_days: bool = False  # the law counts 日 (calendar days), not 工作日
    promised_days: float | None = None
    note: Text = Text("")


@dataclass(frozen=True)
class ApplicantDeadline:
    """A deadline the applicant must keep, e.g. register 公积金 within 30 days of the licence."""

    days: int
    start: Text  # from when the days run: 自领取营业执照之日起
    action: Text  # what the applicant must do by then
    sources: Sources = NO_SOURCES
    working_days: bool = False


@dataclass(frozen=True)
class Stop:
    """A 情形 under which the law forbids going on: the kiosk refuses with the reason."""

    when: Expression
    reason: Text
    sources: Sources


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    when: Expression | None = None  # a question that asks a field: the answers this option means


@dataclass(frozen=True)
class Page:
    id: str
    title: Text
    order: int


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    label: Text
    page: str
    help: Text = Text("")
    required: Expression | None = None  # None: always required
    when: Expression | None = None  # None: always shown
    options: tuple[Option, ...] = ()
    rules: tuple[tuple[str, Any], ...] = ()
    keyboard: str = "pinyin"
    role: str = ""  # one of ROLES, or "" (the core needs nothing special of this answer)
    personal: bool = False  # the answer identifies a person: masked in logs, never kept
    picker: str = ""  # a choice list (choices/*.yaml) the answer is picked from rather than typed
    same_as: tuple[str, ...] = ()  # answers of these fields offered in one touch ("同申请人")
    source: str = ""  # file:line of the definition, for error messages

    def signature(self) -> tuple[Any, ...]:
        """What must agree when two items define the same field id."""
        return (
            self.type, self.label, self.page, self.help,
            self.required.source if self.required else None,
            self.when.source if self.when else None,
            self.options, self.rules, self.keyboard, self.role, self.personal, self.picker, self.same_as,
        )

    @property
    def rule_map(self) -> dict[str, Any]:
        return dict(self.rules)


@dataclass(frozen=True)
class ChoiceEntry:
    """One entry of a choice list: the text it puts in the answer, and what it fits."""

    value: str
    en: str = ""
    group: str = ""  # e.g. name_parts: region, industry, llc, sole
    kind: str = ""  # e.g. scope: general (一般项目) or permit (许可项目)
    tags: tuple[str, ...] = ()  # words that bring the entry up in a search

    def label(self, lang: str) -> str:
        return self.en if lang.startswith("en") and self.en else self.value


@dataclass(frozen=True)
class ChoiceList:
    """A list answers are picked from (streets, 经营范围 phrasings, name parts), with its sources."""

    id: str
    title: Text
    entries: tuple[ChoiceEntry, ...]
    prefix: str = ""  # put before the picked entry (streets: 大连市甘井子区)
    sources: Sources = NO_SOURCES

    def group(self, name: str) -> tuple[ChoiceEntry, ...]:
        return tuple(e for e in self.entries if e.group == name)

    def search(self, words: str, first: tuple[str, ...] = ()) -> list[ChoiceEntry]:
        """Entries containing ``words`` (or tagged with them); those tagged with any of ``first``
        come first, each part in catalog order."""
        words = words.strip()
        found = [e for e in self.entries if not words or words in e.value or any(words in t for t in e.tags)]
        return sorted(found, key=lambda e: not any(t in first for t in e.tags))


@dataclass(frozen=True)
class Material:
    id: str
    name: Text
    original: bool = False
    copies: int = 1
    when: Expression | None = None
    capture: str | None = "document"
    help: Text = Text("")
    sources: Sources = NO_SOURCES


@dataclass(frozen=True)
class Item:
    """One 事项: what a department decides, with its own fields and materials."""

    id: str
    title: Text
    department: Text
    legal_days: int | None
    promised_days: float | None
    fee: Text
    applies: Expression | None
    fields: tuple[Field, ...]
    materials: tuple[Material, ...]
    source: str = ""
    sources: Sources = NO_SOURCES
    limit: ProcessingLimit = ProcessingLimit()
    deadlines: tuple[ApplicantDeadline, ...] = ()
    obligations: tuple[Text, ...] = ()  # duties that are not materials (e.g. staff health checks)


@dataclass(frozen=True)
class Question:
    id: str
    text: Text
    options: tuple[Option, ...]
    help: Text = Text("")
    when: Expression | None = None
    sources: Sources = NO_SOURCES
    role: str = ""  # one of QUESTION_ROLES, or "" (the core needs nothing special of this answer)
    # The form field this question asks the same as (经营面积 for "营业面积有多大？"): the citizen
    # gives the field's value here, the option whose ``when`` it meets is the 情形 answer, and the
    # form does not ask the field again.
    field: str = ""

    def label_of(self, value: str, lang: str) -> str:
        """The option's label for an answer ``value`` (the value itself if it is no option)."""
        return next((o.label.get(lang) for o in self.options if o.value == value), value)


@dataclass(frozen=True)
class ItemRef:
    item: Item
    when: Expression | None = None
    sources: Sources = NO_SOURCES


@dataclass(frozen=True)
class Scenario:
    id: str
    kind: str
    title: Text
    summary: Text
    icon: str
    keywords: tuple[str, ...]
    questions: tuple[Question, ...]
    items: tuple[ItemRef, ...]
    needs_devices: tuple[str, ...] = ("idcard",)
    source: str = ""
    stops: tuple[Stop, ...] = ()
    promise: Text = Text("")  # the bundle's promised time where the city publishes one
    sources: Sources = NO_SOURCES

    def question_for(self, role: str) -> Question | None:
        """The 情形 question that declares ``role`` (see QUESTION_ROLES), if the scenario asks one."""
        return next((q for q in self.questions if q.role == role), None)

    def stop_for(self, answers: dict[str, Any]) -> Stop | None:
        """The first stop rule the 情形 answers trigger (None: the citizen may go on).

        A rule naming a question not answered yet does not fire: it waits for the answer.
        """
        for stop in self.stops:
            if stop.when.names <= set(answers) and stop.when.holds(answers):
                return stop
        return None

    @cached_property
    def initials(self) -> str:
        """Pinyin initials of the title (我要开餐馆 → wykcg), for the home screen's search.

        Computed on first use: pypinyin's phrase tables take half a second to import.
        """
        from pypinyin import Style, lazy_pinyin

        return "".join(lazy_pinyin(self.title.zh, style=Style.FIRST_LETTER)).lower()


@dataclass
class Catalog:
    pages: dict[str, Page] = field(default_factory=dict)
    fields: dict[str, Field] = field(default_factory=dict)  # the shared field library
    items: dict[str, Item] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    choices: dict[str, ChoiceList] = field(default_factory=dict)  # choices/*.yaml, by list id
    warnings: list[str] = field(default_factory=list)  # entries without sources (check warns)

    def personal_field_ids(self) -> frozenset[str]:
        """Every field, shared or an item's own, whose answers identify a person."""
        every = [*self.fields.values(), *(f for item in self.items.values() for f in item.fields)]
        return frozenset(f.id for f in every if f.personal)
