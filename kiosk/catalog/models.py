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
    }
)
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
class Option:
    value: str
    label: Text


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
    source: str = ""  # file:line of the definition, for error messages

    def signature(self) -> tuple[Any, ...]:
        """What must agree when two items define the same field id."""
        return (
            self.type, self.label, self.page, self.help,
            self.required.source if self.required else None,
            self.when.source if self.when else None,
            self.options, self.rules, self.keyboard, self.role, self.personal,
        )

    @property
    def rule_map(self) -> dict[str, Any]:
        return dict(self.rules)


@dataclass(frozen=True)
class Material:
    id: str
    name: Text
    original: bool = False
    copies: int = 1
    when: Expression | None = None
    capture: str | None = "document"
    help: Text = Text("")


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


@dataclass(frozen=True)
class Question:
    id: str
    text: Text
    options: tuple[Option, ...]
    help: Text = Text("")
    when: Expression | None = None


@dataclass(frozen=True)
class ItemRef:
    item: Item
    when: Expression | None = None


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

    def personal_field_ids(self) -> frozenset[str]:
        """Every field, shared or an item's own, whose answers identify a person."""
        every = [*self.fields.values(), *(f for item in self.items.values() for f in item.fields)]
        return frozenset(f.id for f in every if f.personal)
