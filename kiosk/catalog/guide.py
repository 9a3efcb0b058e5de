"""The 办事指南 of a scenario, the document the hall signs off and the citizen reads before starting
(一次告知): 情形 questions and the items each answer brings, departments, both kinds of time
limit, materials with original/copy and conditions, fees, legal basis, and the points still to
verify with the hall. Built from the catalog; rendered as HTML (and PDF by :mod:`kiosk.catalog.guide_pdf`)
or as plain text for the kiosk's screen.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass, field

from kiosk.catalog.expressions import Expression
from kiosk.catalog.models import Catalog, Item, Scenario, Sources
from kiosk.catalog.time_limits import deadline_text, format_days, processing_lines
from kiosk.i18n import DEFAULT_LANGUAGE, t

_COMPARISON = re.compile(r"([A-Za-z_][\w.]*)\s*(==|!=)\s*'([^']*)'")


@dataclass
class GuideItem:
    title: str
    department: str
    when: str
    agency_limits: list[str]
    applicant_deadlines: list[str]
    fee: str


@dataclass
class GuideMaterial:
    name: str
    form: str
    condition: str
    for_items: str


@dataclass
class Guide:
    scenario_id: str
    title: str
    summary: str
    promise: str
    questions: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    stops: list[tuple[str, str]] = field(default_factory=list)
    items: list[GuideItem] = field(default_factory=list)
    materials: list[GuideMaterial] = field(default_factory=list)
    obligations: list[str] = field(default_factory=list)
    fees: list[str] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    reviewed: list[str] = field(default_factory=list)
    lang: str = DEFAULT_LANGUAGE


class _Describer:
    """Turns catalog expressions into the citizen's words: 「是否销售卷烟？」选“是”."""

    def __init__(self, scenario: Scenario, items: list[Item], lang: str) -> None:
        self.lang = lang
        self.questions = {q.id: q for q in scenario.questions}
        self.fields = {f.id: f for item in items for f in item.fields}

    def label(self, name: str, value: str) -> tuple[str, str]:
        if name in self.questions:
            question = self.questions[name]
            option = next((o.label.get(self.lang) for o in question.options if o.value == value), value)
            return question.text.get(self.lang), option
        if name in self.fields:
            form_field = self.fields[name]
            option = next((o.label.get(self.lang) for o in form_field.options if o.value == value), value)
            return form_field.label.get(self.lang), option
        return name, value

    def describe(self, expression: Expression | None) -> str:
        if expression is None:
            return ""
        zh = not self.lang.startswith("en")

        def one(match: re.Match[str]) -> str:
            text, option = self.label(match.group(1), match.group(3))
            if zh:
                return f"「{text}」{'选' if match.group(2) == '==' else '未选'}“{option}”"
            return f"“{text}” {'is' if match.group(2) == '==' else 'is not'} “{option}”"

        words = _COMPARISON.sub(one, expression.source)
        return words.replace(" and ", "，且" if zh else " and ").replace(" or ", "，或" if zh else " or ")


def _item_condition(ref_when: Expression | None, applies: Expression | None) -> list[Expression]:
    return [e for e in (ref_when, applies) if e is not None]


def _brings(scenario: Scenario, question_id: str, value: str) -> list[Item]:
    """Items that depend on this question and can apply when it is answered ``value``."""
    options = {q.id: [o.value for o in q.options] for q in scenario.questions}
    found: list[Item] = []
    for ref in scenario.items:
        conditions = _item_condition(ref.when, ref.item.applies)
        names = set().union(*(c.names for c in conditions)) if conditions else set()
        if question_id not in names or ref.item in found:
            continue
        others = sorted(n for n in names - {question_id} if n in options)
        combos = itertools.islice(itertools.product(*(options[n] for n in others)), 256)
        for combo in combos:
            values = {question_id: value, **dict(zip(others, combo, strict=True))}
            if all(c.holds(values) for c in conditions):
                found.append(ref.item)
                break
    return found


def _colon(lang: str) -> str:
    return ": " if lang.startswith("en") else "："


def _comma(lang: str) -> str:
    return ", " if lang.startswith("en") else "、"


def _review_lines(where: str, sources: Sources, lang: str) -> list[str]:
    return [f"{where}{_colon(lang)}{sources.question.get(lang)}"] if not sources.verified else []


def build_guide(catalog: Catalog, scenario_id: str, lang: str = DEFAULT_LANGUAGE) -> Guide:
    scenario = catalog.scenarios[scenario_id]
    items: list[Item] = []
    for ref in scenario.items:
        if ref.item not in items:
            items.append(ref.item)
    words = _Describer(scenario, items, lang)
    guide = Guide(
        scenario_id=scenario.id,
        title=scenario.title.get(lang),
        summary=scenario.summary.get(lang),
        promise=scenario.promise.get(lang),
        lang=lang,
    )
    basis: dict[str, None] = {}
    review: list[str] = []
    checked: dict[str, None] = {}
    dates: set[str] = set()

    def note(sources: Sources, where: str) -> None:
        for one in sources.basis:
            basis[str(one)] = None
        review.extend(_review_lines(where, sources, lang))
        if sources.checked:
            checked[sources.checked] = None
        if sources.reviewed:
            dates.add(sources.reviewed)

    note(scenario.sources, scenario.title.get(lang))
    for question in scenario.questions:
        answers = []
        for option in question.options:
            brought = _brings(scenario, question.id, option.value)
            text = (t("catalog.guide.question_brings", lang, items=_comma(lang).join(i.title.get(lang) for i in brought))
                    if brought else t("catalog.guide.question_brings_nothing", lang))
            answers.append((option.label.get(lang), text))
        guide.questions.append((question.text.get(lang), answers))
        note(question.sources, question.text.get(lang))
    for stop in scenario.stops:
        guide.stops.append((stop.reason.get(lang), _comma(lang).join(str(b) for b in stop.sources.basis)))
        note(stop.sources, stop.reason.get(lang)[:20])
    for ref in scenario.items:
        item = ref.item
        if any(existing.title == item.title.get(lang) for existing in guide.items):
            continue
        conditions = [words.describe(c) for c in _item_condition(ref.when, item.applies)]
        limits = processing_lines(item, lang)
        if item.limit.note.get(lang):
            limits.append(item.limit.note.get(lang))
        guide.items.append(
            GuideItem(
                title=item.title.get(lang),
                department=item.department.get(lang),
                when="；".join(dict.fromkeys(c for c in conditions if c)) or t("catalog.guide.always", lang),
                agency_limits=limits,
                applicant_deadlines=[deadline_text(d, lang) for d in item.deadlines],
                fee=item.fee.get(lang),
            )
        )
        guide.obligations.extend(o.get(lang) for o in item.obligations if o.get(lang) not in guide.obligations)
        note(item.sources, item.title.get(lang))
        note(ref.sources, item.title.get(lang))
        for deadline in item.deadlines:
            note(deadline.sources, deadline.action.get(lang))
    seen_materials: dict[str, GuideMaterial] = {}
    item_when = {}
    for ref in scenario.items:
        item_when.setdefault(ref.item.id, _item_condition(ref.when, ref.item.applies))
    for item in items:
        for material in item.materials:
            name = material.name.get(lang)
            if material.id in seen_materials:
                seen_materials[material.id].for_items += _comma(lang) + item.title.get(lang)
                continue
            form = (t("catalog.guide.original", lang) if material.original
                    else t("catalog.guide.copy", lang, copies=material.copies))
            form += t("catalog.guide.capture" if material.capture else "catalog.guide.bring", lang)
            seen_materials[material.id] = GuideMaterial(
                name=name, form=form,
                condition="，且".join(
                    words.describe(c) for c in [*item_when[item.id], material.when] if c is not None
                ) or t("catalog.guide.always", lang),
                for_items=item.title.get(lang),
            )
            if material.sources is not item.sources:
                note(material.sources, name)
    guide.materials = list(seen_materials.values())
    free = {"免费", "Free"}
    charged = sorted(f"{i.title.get(lang)}{_colon(lang)}{i.fee.get(lang)}" for i in items if i.fee.get(lang) not in free)
    guide.fees = [t("catalog.guide.fees_none", lang), *charged]
    guide.basis = list(basis)
    guide.review = list(dict.fromkeys(review))
    guide.reviewed = [t("catalog.guide.reviewed", lang, date=max(dates) if dates else "—",
                        checked="；".join(checked) or "—")]
    return guide


# -- rendering -----------------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 16mm 14mm; @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; } }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 10.5pt; line-height: 1.5; color: #111; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 12.5pt; border-left: 4px solid #b00; padding-left: 6px; margin: 6mm 0 2mm; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0; }
th, td { border: 1px solid #888; padding: 3px 5px; vertical-align: top; text-align: left; }
th { background: #eee; }
ul { margin: 1mm 0 1mm 5mm; padding-left: 4mm; }
.hall, .summary { text-align: center; color: #333; }
.stop { color: #900; }
.review li { color: #7a4b00; }
.footer { margin-top: 10mm; border-top: 1px solid #888; padding-top: 3mm; }
table.items th:nth-child(1) { width: 15%; } table.items th:nth-child(2) { width: 15%; }
table.items th:nth-child(3) { width: 20%; } table.items th:nth-child(4) { width: 25%; }
table.materials th:nth-child(1) { width: 34%; } table.materials th:nth-child(2) { width: 16%; }
td { font-size: 9.5pt; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def render_html(guide: Guide) -> str:
    lang = guide.lang
    tr = lambda key, **kw: _e(t(key, lang, **kw))  # noqa: E731
    out = [
        f'<!DOCTYPE html><html lang="{"en" if lang.startswith("en") else "zh-CN"}"><head><meta charset="utf-8">',
        f"<title>{tr('catalog.guide.title', title=guide.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{tr('catalog.guide.title', title=guide.title)}</h1>",
        f'<p class="hall">{tr("catalog.guide.hall")}</p>',
        f'<p class="summary">{tr("catalog.guide.summary")}{_colon(lang)}{_e(guide.summary)}</p>',
    ]
    if guide.promise:
        out.append(f'<p class="summary">{tr("catalog.guide.bundle_promise")}{_colon(lang)}{_e(guide.promise)}</p>')
    if guide.questions:
        out.append(f"<h2>{tr('catalog.guide.questions')}</h2><ol>")
        for text, answers in guide.questions:
            out.append(f"<li>{_e(text)}<ul>")
            out += [f"<li>{_e(label)} → {_e(brings)}</li>" for label, brings in answers]
            out.append("</ul></li>")
        out.append("</ol>")
    if guide.stops:
        out.append(f"<h2>{tr('catalog.guide.stops')}</h2><ul>")
        out += [f'<li class="stop">{_e(reason)}（{_e(basis)}）</li>' for reason, basis in guide.stops]
        out.append("</ul>")
    out.append(f"<h2>{tr('catalog.guide.items')}</h2><table class=\"items\"><tr>")
    for key in ("col_item", "col_department", "col_when", "col_agency_limit", "col_applicant"):
        out.append(f"<th>{tr('catalog.guide.' + key)}</th>")
    out.append("</tr>")
    for item in guide.items:
        out.append(
            f"<tr><td>{_e(item.title)}</td><td>{_e(item.department)}</td><td>{_e(item.when)}</td>"
            f"<td>{'<br>'.join(_e(x) for x in item.agency_limits)}</td>"
            f"<td>{'<br>'.join(_e(x) for x in item.applicant_deadlines) or '—'}</td></tr>"
        )
    out.append("</table>")
    out.append(f"<h2>{tr('catalog.guide.materials')}</h2>")
    if guide.materials:
        out.append('<table class="materials"><tr>')
        for key in ("col_material", "col_form", "col_condition", "col_for"):
            out.append(f"<th>{tr('catalog.guide.' + key)}</th>")
        out.append("</tr>")
        for m in guide.materials:
            out.append(f"<tr><td>{_e(m.name)}</td><td>{_e(m.form)}</td><td>{_e(m.condition)}</td>"
                       f"<td>{_e(m.for_items)}</td></tr>")
        out.append("</table>")
    if guide.obligations:
        out.append(f"<h2>{tr('catalog.guide.obligations')}</h2><ul>")
        out += [f"<li>{_e(o)}</li>" for o in guide.obligations]
        out.append("</ul>")
    out.append(f"<h2>{tr('catalog.guide.fees')}</h2><ul>")
    out += [f"<li>{_e(f)}</li>" for f in guide.fees]
    out.append("</ul>")
    out.append(f"<h2>{tr('catalog.guide.basis')}</h2><ul>")
    out += [f"<li>{_e(b)}</li>" for b in guide.basis]
    out.append("</ul>")
    out.append(f"<h2>{tr('catalog.guide.review')}</h2>")
    if guide.review:
        out.append('<ol class="review">' + "".join(f"<li>{_e(r)}</li>" for r in guide.review) + "</ol>")
    else:
        out.append(f"<p>{tr('catalog.guide.review_none')}</p>")
    out += [f"<p>{_e(r)}</p>" for r in guide.reviewed]
    out.append(f'<p class="footer">{tr("catalog.guide.footer")}</p></body></html>')
    return "\n".join(out)


def render_text(guide: Guide) -> str:
    """The guide as plain text with headings, for the kiosk's 办事指南 screen (Kivy markup-free)."""
    lang = guide.lang
    lines = [t("catalog.guide.title", lang, title=guide.title), t("catalog.guide.hall", lang),
             f"{t('catalog.guide.summary', lang)}{_colon(lang)}{guide.summary}"]
    if guide.promise:
        lines.append(f"{t('catalog.guide.bundle_promise', lang)}{_colon(lang)}{guide.promise}")

    def heading(key: str) -> None:
        lines.extend(["", f"■ {t(key, lang)}"])

    if guide.questions:
        heading("catalog.guide.questions")
        for number, (text, answers) in enumerate(guide.questions, 1):
            lines.append(f"{number}. {text}")
            lines += [f"    · {label} → {brings}" for label, brings in answers]
    if guide.stops:
        heading("catalog.guide.stops")
        lines += [f"  · {reason}（{basis}）" for reason, basis in guide.stops]
    heading("catalog.guide.items")
    for item in guide.items:
        lines.append(f"  · {item.title}（{item.department}）")
        lines.append(f"      {t('catalog.guide.col_when', lang)}{_colon(lang)}{item.when}")
        lines += [f"      {x}" for x in item.agency_limits + item.applicant_deadlines]
    heading("catalog.guide.materials")
    semicolon = "; " if lang.startswith("en") else "；"
    lines += [f"  · {m.name}{_colon(lang)}{m.form}{semicolon}{m.condition}" for m in guide.materials] or ["  —"]
    if guide.obligations:
        heading("catalog.guide.obligations")
        lines += [f"  · {o}" for o in guide.obligations]
    heading("catalog.guide.fees")
    lines += [f"  · {f}" for f in guide.fees]
    heading("catalog.guide.basis")
    lines += [f"  · {b}" for b in guide.basis]
    return "\n".join(lines)


def working_days_words(days: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Re-exported for callers that only import the guide module."""
    return format_days(days, lang)
