"""Promised time limits as words and as calendar dates, counting working days (Mon–Fri).

Half days are kept as they are ("0.5个工作日"): the catalog's ``promised_days`` is a float, and
turning it into an int would print a same-day promise as "即办". Public holidays and the
working weekends that replace them come from ``assets/help/hall.yaml`` (``holidays``, ``workdays``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection

from kiosk.i18n import DEFAULT_LANGUAGE, t


def days_text(days: float | None) -> str:
    """``0.5`` → "0.5", ``3.0`` → "3" (never rounded away)."""
    if days is None:
        return ""
    value = float(days)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def promised_words(days: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """"即办" for 0, "0.5个工作日", "3个工作日", or "以部门通知为准" when there is no promise."""
    if days is None:
        return t("receipt.days_unknown", lang)
    if float(days) == 0:
        return t("receipt.days_immediate", lang)
    return t("receipt.days", lang, days=days_text(days))


def is_working_day(day: dt.date, holidays: Collection[dt.date] = (), workdays: Collection[dt.date] = ()) -> bool:
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def due_date(
    start: dt.date,
    days: float,
    holidays: Collection[dt.date] = (),
    workdays: Collection[dt.date] = (),
) -> dt.date:
    """The last day of a limit of ``days`` working days that starts counting the day after ``start``.

    A part day counts as a whole one (a promise of 0.5 working days made at night is kept by the
    end of the next working day); 0 is the same day, or the next working day when ``start`` is not one."""
    whole = math.ceil(float(days))
    day = start
    if whole == 0:
        while not is_working_day(day, holidays, workdays):
            day += dt.timedelta(days=1)
        return day
    while whole > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            whole -= 1
    return day
