"""Load and check the catalog folder, reporting every problem as ``file:line: reason``.

Layout: ``pages.yaml`` (form topics), ``fields.yaml`` (the shared field library),
``items/*.yaml`` (事项) and ``scenarios/*.yaml`` (the new-enterprise flow and the 一件事).
A scenario may ``extend`` another: it starts with that scenario's questions and items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from kiosk.catalog.expressions import Expression, ExpressionError, parse
from kiosk.catalog.models import (
    CAPTURE_KINDS,
    FIELD_TYPES,
    KEYBOARD_FOR_TYPE,
    NO_SOURCES,
    PERSONAL_TYPES,
    QUESTION_ROLES,
    ROLES,
    SCENARIO_KINDS,
    ApplicantDeadline,
    Basis,
    Catalog,
    ChoiceEntry,
    ChoiceList,
    Field,
    Item,
    ItemRef,
    Material,
    Option,
    Page,
    ProcessingLimit,
    Question,
    Scenario,
    Sources,
    Stop,
    Text,
)
from kiosk.catalog.yaml_lines import LocatedDict, LocatedList, load_located
from kiosk.errors import CatalogError
from kiosk.paths import ASSETS

DEFAULT_DIR = ASSETS / "catalog"
KEYBOARDS = frozenset({"pinyin", "ascii", "number", "idcard"})
DEVICES = frozenset({"idcard", "camera", "printer"})
SOURCE_KEYS = {"basis", "checked", "reviewed", "verified", "question"}


class _Problems(list[str]):
    def add(self, where: str, reason: str) -> None:
        self.append(f"{where}: {reason}")


class _Builder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems = _Problems()
        self.warnings = _Problems()
        self.catalog = Catalog()

    # -- reading ---------------------------------------------------------------------------------

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def read_list(self, path: Path) -> list[LocatedDict]:
        try:
            data = load_located(path, self.display(path))
        except ValueError as error:
            self.problems.append(str(error))
            return []
        if data is None:
            return []
        if not isinstance(data, LocatedList):
            self.problems.add(f"{self.display(path)}:1", "expected a list of entries")
            return []
        entries = []
        for entry in data:
            if isinstance(entry, LocatedDict):
                entries.append(entry)
            else:
                self.problems.add(data.where(), f"expected a mapping, got {entry!r}")
        return entries

    def files(self, folder: str) -> Iterable[Path]:
        return sorted((self.root / folder).glob("*.yaml"))

    # -- small typed getters -----------------------------------------------------------------------

    def text(self, entry: LocatedDict, key: str, *, required: bool = True) -> Text:
        value = entry.get(key)
        if value is None:
            if required:
                self.problems.add(entry.where(), f"missing {key!r}")
            return Text("")
        if isinstance(value, str):
            return Text(value)
        if isinstance(value, LocatedDict) and isinstance(value.get("zh"), str):
            unknown = set(value) - {"zh", "en"}
            if unknown:
                self.problems.add(value.where(), f"{key}: unknown language(s) {sorted(unknown)}")
            return Text(value["zh"], str(value.get("en", "")))
        self.problems.add(entry.where(key), f"{key!r} must be text or {{zh: ..., en: ...}}")
        return Text("")

    def ident(self, entry: LocatedDict, key: str = "id") -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value:
            self.problems.add(entry.where(key), f"missing or empty {key!r}")
            return ""
        return value

    def expression(self, entry: LocatedDict, key: str) -> Expression | None:
        if key not in entry:
            return None
        try:
            return parse(entry[key])
        except ExpressionError as error:
            self.problems.add(entry.where(key), f"bad expression in {key!r}: {error}")
            return None

    def options(self, entry: LocatedDict) -> tuple[Option, ...]:
        raw = entry.get("options") or []
        if not isinstance(raw, list):
            self.problems.add(entry.where("options"), "'options' must be a list")
            return ()
        options, seen = [], set()
        for option in raw:
            if not isinstance(option, LocatedDict):
                self.problems.add(entry.where("options"), f"option must be a mapping: {option!r}")
                continue
            value = str(option.get("value", ""))
            if not value:
                self.problems.add(option.where(), "option without 'value'")
            elif value in seen:
                self.problems.add(option.where("value"), f"duplicate option value {value!r}")
            seen.add(value)
            options.append(Option(value, self.text(option, "label"), self.expression(option, "when")))
        return tuple(options)

    def check_keys(self, entry: LocatedDict, allowed: set[str]) -> None:
        for key in entry:
            if key not in allowed:
                self.problems.add(entry.where(key), f"unknown key {key!r}")

    def sources(self, entry: LocatedDict, what: str, *, basis_required: bool = False) -> Sources:
        """The ``basis``/``checked``/``reviewed``/``verified``/``question`` keys of an entry.

        Missing sources are warnings (``kiosk catalog check`` lists them); a missing basis where
        the schema requires one (stop rules, applicant deadlines) and an unverified entry without
        the question to ask the hall are errors.
        """
        raw = entry.get("basis")
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            raw = [raw]
        basis = []
        for one in raw:
            if isinstance(one, str) and one.strip():
                law, _, article = one.strip().partition(" ")
                basis.append(Basis(law.strip("《》"), article.strip()))
            elif isinstance(one, LocatedDict) and isinstance(one.get("law"), str):
                self.check_keys(one, {"law", "article"})
                basis.append(Basis(one["law"].strip("《》"), str(one.get("article", "") or "")))
            else:
                self.problems.add(entry.where("basis"), f"basis must be 'law article' or {{law, article}}: {one!r}")
        reviewed = entry.get("reviewed", "")
        reviewed = reviewed.isoformat() if hasattr(reviewed, "isoformat") else str(reviewed or "")
        if reviewed:
            try:
                dt.date.fromisoformat(reviewed)
            except ValueError:
                self.problems.add(entry.where("reviewed"), f"'reviewed' must be a date YYYY-MM-DD, got {reviewed!r}")
        verified = entry.get("verified", True)
        if not isinstance(verified, bool):
            self.problems.add(entry.where("verified"), "'verified' must be true or false")
            verified = True
        question = self.text(entry, "question", required=False)
        if not verified and not question.zh:
            self.problems.add(entry.where("verified"), f"{what} is marked verified: false without the 'question' to ask the hall")
        found = Sources(tuple(basis), str(entry.get("checked", "") or ""), reviewed, verified, question)
        if basis_required and not basis:
            self.problems.add(entry.where(), f"{what} has no legal 'basis' (required here)")
        elif not basis:
            self.warnings.add(entry.where(), f"{what} has no legal 'basis'")
        for one in basis:
            if not one.article:
                self.warnings.add(entry.where("basis"), f"{what}: basis 《{one.law}》 names no article")
        if not found.checked:
            self.warnings.add(entry.where(), f"{what} does not say where it was 'checked'")
        if not found.reviewed:
            self.warnings.add(entry.where(), f"{what} has no 'reviewed' date")
        return found

    def limit(self, entry: LocatedDict) -> ProcessingLimit:
        numbers = {}
        for key in ("legal_days", "legal_extension_days", "promised_days"):
            value = entry.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
                self.problems.add(entry.where(key), f"{key!r} must be a number of days ≥ 0")
                value = None
            numbers[key] = float(value) if value is not None else None
        unit = entry.get("legal_unit", "working")
        if unit not in ("working", "calendar"):
            self.problems.add(entry.where("legal_unit"), "'legal_unit' must be working (工作日) or calendar (日)")
        return ProcessingLimit(
            legal_days=numbers["legal_days"],
            legal_extension_days=numbers["legal_extension_days"],
            calendar_days=unit == "calendar",
            promised_days=numbers["promised_days"],
            note=self.text(entry, "limit_note", required=False),
        )

    def deadlines(self, entry: LocatedDict, what: str) -> tuple[ApplicantDeadline, ...]:
        result = []
        for raw in entry.get("deadlines") or []:
            if not isinstance(raw, LocatedDict):
                self.problems.add(entry.where("deadlines"), f"deadline must be a mapping: {raw!r}")
                continue
            self.check_keys(raw, {"days", "from", "action", "unit"} | SOURCE_KEYS)
            days = raw.get("days")
            if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
                self.problems.add(raw.where("days"), "a deadline's 'days' must be a whole number > 0")
                days = 0
            unit = raw.get("unit", "calendar")
            if unit not in ("working", "calendar"):
                self.problems.add(raw.where("unit"), "'unit' must be working (工作日) or calendar (日)")
            result.append(
                ApplicantDeadline(
                    days=days,
                    start=self.text(raw, "from"),
                    action=self.text(raw, "action"),
                    sources=self.sources(raw, f"{what}: applicant deadline", basis_required=True),
                    working_days=unit == "working",
                )
            )
        return tuple(result)

    # -- building ----------------------------------------------------------------------------------

    def pages(self) -> None:
        path = self.root / "pages.yaml"
        if not path.exists():
            self.problems.add(self.display(path) + ":1", "missing file")
            return
        for order, entry in enumerate(self.read_list(path)):
            self.check_keys(entry, {"id", "title"})
            page_id = self.ident(entry)
            if page_id in self.catalog.pages:
                self.problems.add(entry.where("id"), f"duplicate page id {page_id!r}")
            self.catalog.pages[page_id] = Page(page_id, self.text(entry, "title"), order)

    def field(self, entry: LocatedDict) -> Field | None:
        self.check_keys(
            entry,
            {"id", "type", "label", "help", "page", "required", "when", "options", "rules", "keyboard",
             "role", "personal", "picker", "same_as"},
        )
        field_id, kind = self.ident(entry), entry.get("type")
        if kind not in FIELD_TYPES:
            self.problems.add(entry.where("type"), f"unknown field type {kind!r}")
            return None
        page = entry.get("page")
        if page not in self.catalog.pages:
            self.problems.add(entry.where("page"), f"unknown page {page!r}")
        options = self.options(entry)
        if kind == "yesno" and not options:
            options = (Option("yes", Text("是", "Yes")), Option("no", Text("否", "No")))
        if kind == "choice" and not options:
            self.problems.add(entry.where(), f"choice field {field_id!r} has no options")
        rules = entry.get("rules") or {}
        if not isinstance(rules, dict):
            self.problems.add(entry.where("rules"), "'rules' must be a mapping")
            rules = {}
        keyboard = entry.get("keyboard", KEYBOARD_FOR_TYPE.get(str(kind), "pinyin"))
        if keyboard not in KEYBOARDS:
            self.problems.add(entry.where("keyboard"), f"unknown keyboard {keyboard!r}")
        role = str(entry.get("role") or "")
        if role and role not in ROLES:
            self.problems.add(entry.where("role"), f"unknown role {role!r}")
        picker = str(entry.get("picker") or "")
        if picker and picker not in self.catalog.choices:
            self.problems.add(entry.where("picker"), f"unknown choice list {picker!r} (choices/*.yaml)")
        same_as = entry.get("same_as") or []
        if not isinstance(same_as, list) or not all(isinstance(s, str) for s in same_as):
            self.problems.add(entry.where("same_as"), "'same_as' must be a list of field ids")
            same_as = []
        personal = entry.get("personal", kind in PERSONAL_TYPES)
        if not isinstance(personal, bool):
            self.problems.add(entry.where("personal"), "'personal' must be true or false")
        return Field(
            id=field_id,
            type=str(kind),
            label=self.text(entry, "label"),
            help=self.text(entry, "help", required=False),
            page=str(page),
            required=self.expression(entry, "required"),
            when=self.expression(entry, "when"),
            options=options,
            rules=tuple(sorted((str(k), v) for k, v in rules.items())),
            keyboard=str(keyboard),
            role=role,
            personal=bool(personal),
            picker=picker,
            same_as=tuple(same_as),
            source=entry.where(),
        )

    def choices(self) -> None:
        """``choices/*.yaml``: lists answers are picked from, each with its sources."""
        for path in sorted((self.root / "choices").glob("*.yaml")):
            for entry in self.read_list(path):
                self.check_keys(entry, {"list", "title", "prefix", "entries"} | SOURCE_KEYS)
                list_id = str(entry.get("list") or "")
                if not list_id:
                    self.problems.add(entry.where(), "choice list without 'list' (its id)")
                    continue
                if list_id in self.catalog.choices:
                    self.problems.add(entry.where("list"), f"duplicate choice list {list_id!r}")
                entries, seen = [], set()
                for raw in entry.get("entries") or []:
                    if not isinstance(raw, LocatedDict) or not str(raw.get("value") or ""):
                        self.problems.add(entry.where("entries"), f"choice entry needs a 'value': {raw!r}")
                        continue
                    self.check_keys(raw, {"value", "en", "group", "kind", "tags"})
                    value = str(raw["value"])
                    if value in seen:
                        self.problems.add(raw.where("value"), f"duplicate entry {value!r}")
                    seen.add(value)
                    entries.append(ChoiceEntry(value, str(raw.get("en") or ""), str(raw.get("group") or ""),
                                               str(raw.get("kind") or ""), tuple(str(t) for t in raw.get("tags") or ())))
                if not entries:
                    self.problems.add(entry.where(), f"choice list {list_id!r} has no entries")
                self.catalog.choices[list_id] = ChoiceList(
                    list_id, self.text(entry, "title"), tuple(entries), str(entry.get("prefix") or ""),
                    self.sources(entry, f"choice list {list_id!r}"))

    def field_library(self) -> None:
        path = self.root / "fields.yaml"
        if not path.exists():
            return
        for entry in self.read_list(path):
            built = self.field(entry)
            if built is None:
                continue
            if built.id in self.catalog.fields:
                self.problems.add(entry.where("id"), f"duplicate field id {built.id!r}")
            self.catalog.fields[built.id] = built

    def inline_fields(self, entry: LocatedDict, defined: dict[str, Field]) -> None:
        """First pass: every field an item defines inline, checked against other definitions."""
        for ref in entry.get("fields") or []:
            if isinstance(ref, str):
                continue
            if not isinstance(ref, LocatedDict):
                self.problems.add(entry.where("fields"), f"field must be an id or a mapping: {ref!r}")
                continue
            built = self.field(ref)
            if built is None:
                continue
            earlier = defined.get(built.id) or self.catalog.fields.get(built.id)
            if earlier is not None and earlier.signature() != built.signature():
                self.problems.add(
                    ref.where("id"), f"field {built.id!r} is defined differently at {earlier.source}"
                )
            defined.setdefault(built.id, built)

    def item_fields(self, entry: LocatedDict, defined: dict[str, Field]) -> tuple[Field, ...]:
        """Second pass: an item's fields, a plain id naming a library or inline definition."""
        result: list[Field] = []
        for ref in entry.get("fields") or []:
            field_id = ref if isinstance(ref, str) else ref.get("id") if isinstance(ref, dict) else None
            found = self.catalog.fields.get(field_id) or defined.get(field_id) if field_id else None
            if found is None:
                if isinstance(ref, str):
                    self.problems.add(entry.where("fields"), f"unknown field {ref!r}")
                continue
            result.append(found)
        ids = [f.id for f in result]
        for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
            self.problems.add(entry.where("fields"), f"field {duplicate!r} listed twice")
        return tuple(result)

    def materials(self, entry: LocatedDict, item_sources: Sources = NO_SOURCES) -> tuple[Material, ...]:
        result = []
        for raw in entry.get("materials") or []:
            if not isinstance(raw, LocatedDict):
                self.problems.add(entry.where("materials"), f"material must be a mapping: {raw!r}")
                continue
            self.check_keys(raw, {"id", "name", "original", "copies", "when", "capture", "help"} | SOURCE_KEYS)
            capture = raw.get("capture", "document")
            if capture is not None and capture not in CAPTURE_KINDS:
                self.problems.add(raw.where("capture"), f"unknown capture kind {capture!r}")
            copies = raw.get("copies", 1)
            if not isinstance(copies, int) or copies < 0:
                self.problems.add(raw.where("copies"), "'copies' must be a whole number ≥ 0")
                copies = 1
            result.append(
                Material(
                    id=self.ident(raw),
                    name=self.text(raw, "name"),
                    original=bool(raw.get("original", False)),
                    copies=copies,
                    when=self.expression(raw, "when"),
                    capture=capture,
                    help=self.text(raw, "help", required=False),
                    sources=self.material_sources(raw, item_sources),
                )
            )
        return tuple(result)

    def material_sources(self, raw: LocatedDict, item_sources: Sources) -> Sources:
        """A material without sources of its own stands on its item's basis; a conditional one
        (with ``when``) is a rule of its own and must cite its basis."""
        if any(key in raw for key in SOURCE_KEYS) or "when" in raw:
            return self.sources(raw, f"material {raw.get('id')!r}")
        return item_sources

    def items(self) -> None:
        defined: dict[str, Field] = {}
        entries = [entry for path in self.files("items") for entry in self.read_list(path)]
        for entry in entries:
            self.inline_fields(entry, defined)
        for entry in entries:
            self.check_keys(
                entry,
                {"id", "title", "department", "legal_days", "legal_extension_days", "legal_unit",
                 "promised_days", "limit_note", "deadlines", "obligations", "fee", "applies_when",
                 "fields", "materials"} | SOURCE_KEYS,
            )
            item_id = self.ident(entry)
            if item_id in self.catalog.items:
                self.problems.add(entry.where("id"), f"duplicate item id {item_id!r}")
            limit = self.limit(entry)
            what = f"item {item_id!r}"
            sources = self.sources(entry, what, basis_required=limit.legal_days is not None)
            fee = self.text(entry, "fee", required=False)
            obligations = tuple(
                Text(o) if isinstance(o, str) else Text(str(o.get("zh", "")), str(o.get("en", "")))
                for o in entry.get("obligations") or []
                if isinstance(o, str | dict)
            )
            self.catalog.items[item_id] = Item(
                id=item_id,
                title=self.text(entry, "title"),
                department=self.text(entry, "department"),
                legal_days=limit.legal_days,
                promised_days=limit.promised_days,
                fee=fee if fee.zh else Text("免费", "Free"),
                applies=self.expression(entry, "applies_when"),
                fields=self.item_fields(entry, defined),
                materials=self.materials(entry, sources),
                source=entry.where(),
                sources=sources,
                limit=limit,
                deadlines=self.deadlines(entry, what),
                obligations=obligations,
            )

    def questions(self, entry: LocatedDict) -> list[Question]:
        result: list[Question] = []
        for raw in entry.get("questions") or []:
            if not isinstance(raw, LocatedDict):
                self.problems.add(entry.where("questions"), f"question must be a mapping: {raw!r}")
                continue
            self.check_keys(raw, {"id", "text", "help", "options", "when", "role", "field"} | SOURCE_KEYS)
            options = self.options(raw)
            if len(options) < 2:
                self.problems.add(raw.where(), "a 情形 question needs at least two options")
            role = self.question_role(raw, options, result)
            result.append(
                Question(
                    id=self.ident(raw),
                    text=self.text(raw, "text"),
                    options=options,
                    help=self.text(raw, "help", required=False),
                    when=self.expression(raw, "when"),
                    sources=self.sources(raw, f"question {raw.get('id')!r}")
                    if any(key in raw for key in SOURCE_KEYS) else NO_SOURCES,
                    role=role,
                    field=str(raw.get("field") or ""),
                )
            )
            if bool(result[-1].field) != any(o.when is not None for o in options) or (
                    result[-1].field and not all(o.when is not None for o in options)):
                self.problems.add(raw.where(), "a question with 'field' gives every option a 'when' on that "
                                  "field; a question without one gives none")
        return result

    def question_role(self, raw: LocatedDict, options: tuple[Option, ...], earlier: list[Question]) -> str:
        """The question's declared ``role:`` once checked: known, once per scenario, with the
        option values the core relies on (QUESTION_ROLES)."""
        role = str(raw.get("role") or "")
        if not role:
            return ""
        if role not in QUESTION_ROLES:
            self.problems.add(raw.where("role"), f"unknown question role {role!r} "
                              f"(known: {', '.join(sorted(QUESTION_ROLES))})")
            return ""
        if any(q.role == role for q in earlier):
            self.problems.add(raw.where("role"), f"a second question with role {role!r}")
            return ""
        missing = QUESTION_ROLES[role] - {o.value for o in options}
        if missing:
            self.problems.add(raw.where("role"), f"a {role!r} question needs the options "
                              f"{', '.join(sorted(missing))}")
        return role

    def item_refs(self, entry: LocatedDict) -> list[ItemRef]:
        refs = []
        for raw in entry.get("items") or []:
            when = None
            sources = NO_SOURCES
            if isinstance(raw, LocatedDict):
                self.check_keys(raw, {"item", "when"} | SOURCE_KEYS)
                when = self.expression(raw, "when")
                raw_id = raw.get("item")
                if when is not None:  # a condition is a rule: it carries its own basis
                    sources = self.sources(raw, f"condition {raw.get('when')!r} on item {raw_id!r}")
            else:
                raw_id = raw
            item = self.catalog.items.get(str(raw_id))
            if item is None:
                self.problems.add(entry.where("items"), f"unknown item {raw_id!r}")
                continue
            refs.append(ItemRef(item, when, sources))
        return refs

    def stops(self, entry: LocatedDict, scenario_id: str) -> tuple[Stop, ...]:
        result = []
        for raw in entry.get("stops") or []:
            if not isinstance(raw, LocatedDict):
                self.problems.add(entry.where("stops"), f"stop must be a mapping: {raw!r}")
                continue
            self.check_keys(raw, {"when", "reason"} | SOURCE_KEYS)
            when = self.expression(raw, "when")
            if when is None:
                self.problems.add(raw.where(), "a stop rule needs 'when'")
                continue
            result.append(
                Stop(when, self.text(raw, "reason"),
                     self.sources(raw, f"stop rule {raw.get('when')!r} in {scenario_id!r}", basis_required=True))
            )
        return tuple(result)

    def scenarios(self) -> None:
        entries = [e for path in self.files("scenarios") for e in self.read_list(path)]
        for entry in entries:
            self.check_keys(
                entry,
                {"id", "kind", "title", "summary", "icon", "keywords", "questions", "items", "extends",
                 "needs_devices", "stops", "promise"} | SOURCE_KEYS,
            )
            scenario_id = self.ident(entry)
            if scenario_id in self.catalog.scenarios:
                self.problems.add(entry.where("id"), f"duplicate scenario id {scenario_id!r}")
            kind = entry.get("kind")
            if kind not in SCENARIO_KINDS:
                self.problems.add(entry.where("kind"), f"kind must be one of {sorted(SCENARIO_KINDS)}")
            questions, refs = self.questions(entry), self.item_refs(entry)
            base_id = entry.get("extends")
            if base_id is not None:
                base = self.catalog.scenarios.get(base_id)
                if base is None:
                    self.problems.add(entry.where("extends"), f"unknown scenario {base_id!r} (define it earlier)")
                else:
                    questions = list(base.questions) + questions
                    refs = list(base.items) + refs
            devices = tuple(entry.get("needs_devices") or ("idcard",))
            for device in devices:
                if device not in DEVICES:
                    self.problems.add(entry.where("needs_devices"), f"unknown device {device!r}")
            title = self.text(entry, "title")
            scenario = Scenario(
                id=scenario_id,
                kind=str(kind),
                title=title,
                summary=self.text(entry, "summary", required=False),
                icon=str(entry.get("icon", scenario_id)),
                keywords=tuple(str(k) for k in entry.get("keywords") or ()),
                questions=tuple(questions),
                items=tuple(refs),
                needs_devices=devices,
                source=entry.where(),
                stops=self.stops(entry, scenario_id),
                promise=self.text(entry, "promise", required=False),
                sources=self.sources(entry, f"scenario {scenario_id!r}")
                if any(key in entry for key in SOURCE_KEYS) else NO_SOURCES,
            )
            self.check_scenario(scenario, entry)
            self.catalog.scenarios[scenario_id] = scenario

    def check_scenario(self, scenario: Scenario, entry: LocatedDict) -> None:
        """Duplicate questions, unknown names in expressions, conflicting merged fields."""
        question_ids = [q.id for q in scenario.questions]
        for duplicate in sorted({q for q in question_ids if question_ids.count(q) > 1}):
            self.problems.add(entry.where("questions"), f"question {duplicate!r} asked twice")
        field_ids = {f.id for ref in scenario.items for f in ref.item.fields}
        known = set(question_ids) | field_ids
        merged: dict[str, Field] = {}

        def check(expression: Expression | None, where: str) -> None:
            if expression is not None:
                for name in sorted(expression.names - known):
                    self.problems.add(where, f"expression {expression.source!r} uses unknown name {name!r}")

        for question in scenario.questions:
            check(question.when, entry.where("questions"))
            if question.field and question.field not in field_ids:
                self.problems.add(entry.where("questions"), f"question {question.id!r} asks field "
                                  f"{question.field!r}, which no item of the scenario has")
            for option in question.options:
                if option.when is not None and option.when.names - {question.field}:
                    self.problems.add(entry.where("questions"), f"option {option.value!r} of {question.id!r}: "
                                      f"'when' may only name the question's field {question.field!r}")
        for stop in scenario.stops:
            check(stop.when, entry.where("stops"))
        materials: dict[str, tuple[Material, Item]] = {}
        for ref in scenario.items:
            check(ref.when, entry.where("items"))
            check(ref.item.applies, ref.item.source)
            for material in ref.item.materials:
                check(material.when, ref.item.source)
                first = materials.setdefault(material.id, (material, ref.item))
                if first[0].name != material.name or first[0].capture != material.capture:
                    self.problems.add(
                        ref.item.source,
                        f"material {material.id!r} differs from its definition in item {first[1].id!r}",
                    )
            for item_field in ref.item.fields:
                check(item_field.when, item_field.source)
                check(item_field.required, item_field.source)
                earlier = merged.setdefault(item_field.id, item_field)
                if earlier.signature() != item_field.signature():
                    self.problems.add(
                        item_field.source,
                        f"field {item_field.id!r} conflicts with {earlier.source} in scenario {scenario.id!r}",
                    )


def load_catalog(path: Path | str | None = None) -> Catalog:
    """Load and check the catalog; raises :class:`CatalogError` listing every problem."""
    root = Path(path) if path is not None else DEFAULT_DIR
    if not root.is_dir():
        raise CatalogError([f"{root}: not a catalog folder"])
    builder = _Builder(root)
    builder.pages()
    builder.choices()
    builder.field_library()
    builder.items()
    builder.scenarios()
    if not builder.catalog.scenarios and not builder.problems:
        builder.problems.add(f"{builder.display(root / 'scenarios')}:1", "no scenarios defined")
    if builder.problems:
        raise CatalogError(list(builder.problems))
    builder.catalog.warnings = list(dict.fromkeys(builder.warnings))
    return builder.catalog


