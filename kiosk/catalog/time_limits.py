"""Words for the two kinds of time limit: the agency's (法定/承诺办结时限) and the applicant's own
deadlines (e.g. 自领取营业执照之日起30日内办理住房公积金缴存登记).

Used by the results screen, the 受理回执 and the 办事指南 so that all three say the same thing.
Half days print as "0.5个工作日", never as 即办; only 0 is 即办 (on the spot).
"""

from __future__ import annotations

from kiosk.catalog.models import ApplicantDeadline, Item, ProcessingLimit
from kiosk.i18n import DEFAULT_LANGUAGE, t


def number(days: float) -> str:
    """3.0 → "3", 0.5 → "0.5"."""
    return str(int(days)) if float(days).is_integer() else f"{days:g}"


def format_days(days: float | None, lang: str = DEFAULT_LANGUAGE, *, calendar: bool = False) -> str:
    """A number of days in words: 即办, 0.5个工作日, 3个工作日, 15日; "" when unknown."""
    if days is None:
        return ""
    if days == 0:
        return t("catalog.days.immediate", lang)
    key = "catalog.days.calendar" if calendar else "catalog.days.working"
    return t(key, lang, days=number(days))


def legal_text(limit: ProcessingLimit, lang: str = DEFAULT_LANGUAGE) -> str:
    """法定办结时限：3个工作日（可延长3个工作日）; "" when the catalog gives none."""
    if limit.legal_days is None:
        return ""
    text = t("catalog.limit.legal", lang, days=format_days(limit.legal_days, lang, calendar=limit.calendar_days))
    if limit.legal_extension_days:
        text += t("catalog.limit.extension", lang,
                  days=format_days(limit.legal_extension_days, lang, calendar=limit.calendar_days))
    return text


def promised_text(limit: ProcessingLimit, lang: str = DEFAULT_LANGUAGE) -> str:
    if limit.promised_days is None:
        return ""
    return t("catalog.limit.promised", lang, days=format_days(limit.promised_days, lang))


def processing_lines(item: Item, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """The agency's limits for one item: promised, legal, and the note explaining them."""
    lines = [text for text in (promised_text(item.limit, lang), legal_text(item.limit, lang)) if text]
    if not lines:
        lines.append(t("catalog.limit.unknown", lang))
    return lines


def deadline_text(deadline: ApplicantDeadline, lang: str = DEFAULT_LANGUAGE, *, with_basis: bool = True) -> str:
    """申请人须知：自领取营业执照之日起30日内办理……（《住房公积金管理条例》第十四条）."""
    days = format_days(deadline.days, lang, calendar=not deadline.working_days)
    text = t("catalog.deadline", lang, start=deadline.start.get(lang), days=days, action=deadline.action.get(lang))
    if with_basis and deadline.sources.basis:
        text += t("catalog.basis_suffix", lang, basis="、".join(str(b) for b in deadline.sources.basis))
    return text


def deadline_lines(item: Item, lang: str = DEFAULT_LANGUAGE, *, with_basis: bool = True) -> list[str]:
    return [deadline_text(d, lang, with_basis=with_basis) for d in item.deadlines]


def receipt_days(days: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """For the 受理回执's time column: the promised limit, half days kept (0.5个工作日)."""
    if days is None:
        return t("catalog.limit.unknown", lang)
    return format_days(days, lang)
