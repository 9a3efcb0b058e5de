"""The hall behind the kiosk: its phone, staffed hours, holidays, pickup window (``assets/help/hall.yaml``).

The 呼叫工作人员 panel asks :func:`help_advice` what a citizen can do *now*: during staffed hours
go to the window; at night or on a holiday call 12345, or the hall when it opens next (with that
date and time). The receipt uses the same facts for "what happens next".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kiosk.i18n import DEFAULT_LANGUAGE, t
from kiosk.paths import ASSETS
from kiosk.workdays import is_working_day

HALL_FILE = ASSETS / "help" / "hall.yaml"


@dataclass(frozen=True)
class Hall:
    name: dict[str, str]
    window: dict[str, str]
    pickup: dict[str, str]
    phone: str
    hotline: str
    hotline_note: dict[str, str]
    hours: tuple[tuple[dt.time, dt.time], ...]
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    free_services: dict[str, str] = field(default_factory=dict)

    def text(self, attribute: str, lang: str) -> str:
        value: dict[str, str] = getattr(self, attribute)
        return value.get("zh" if lang.startswith("zh") else "en") or value.get("zh", "")

    def working_day(self, day: dt.date) -> bool:
        return is_working_day(day, self.holidays, self.workdays)

    def staffed(self, now: dt.datetime) -> bool:
        return self.working_day(now.date()) and any(a <= now.time() < b for a, b in self.hours)

    def next_opening(self, now: dt.datetime) -> dt.datetime:
        """When staff are next at the window (``now`` itself if they are)."""
        if self.staffed(now):
            return now
        day = now.date()
        for _ in range(60):
            if self.working_day(day):
                for start, _end in self.hours:
                    opening = dt.datetime.combine(day, start)
                    if opening > now:
                        return opening
            day += dt.timedelta(days=1)
        raise ValueError("no staffed hours in the next 60 days: check assets/help/hall.yaml")

    def hours_text(self) -> str:
        return "、".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in self.hours)


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(str(text))


def parse_hall(data: dict[str, Any]) -> Hall:
    return Hall(
        name=dict(data["name"]),
        window=dict(data["window"]),
        pickup=dict(data["pickup"]),
        phone=str(data.get("phone") or ""),
        hotline=str(data.get("hotline") or "12345"),
        hotline_note=dict(data.get("hotline_note") or {}),
        hours=tuple((_time(a), _time(b)) for a, b in data["hours"]),
        holidays=frozenset(dt.date.fromisoformat(str(d)) for d in data.get("holidays") or ()),
        workdays=frozenset(dt.date.fromisoformat(str(d)) for d in data.get("workdays") or ()),
        free_services=dict(data.get("free_services") or {}),
    )


@cache
def load_hall(path: Path = HALL_FILE) -> Hall:
    return parse_hall(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class HelpAdvice:
    staffed: bool
    headline: str
    lines: tuple[str, ...]


def when_text(moment: dt.datetime, now: dt.datetime, lang: str) -> str:
    """"今天 13:00", "明天 08:30" or "12月7日（周一）08:30"."""
    days = (moment.date() - now.date()).days
    clock = f"{moment:%H:%M}"
    if days == 0:
        return t("ui.help.today", lang, time=clock)
    if days == 1:
        return t("ui.help.tomorrow", lang, time=clock)
    weekday = t(f"ui.help.weekday.{moment.weekday()}", lang)
    return t("ui.help.on_day", lang, month=moment.month, day=moment.day, weekday=weekday, time=clock)


def help_advice(hall: Hall, now: dt.datetime, lang: str = DEFAULT_LANGUAGE) -> HelpAdvice:
    """What a citizen alone at this kiosk can do at ``now`` (local time)."""
    hotline = t("ui.help.hotline", lang, number=hall.hotline, note=hall.text("hotline_note", lang))
    phone = [t("ui.help.hall_phone", lang, number=hall.phone)] if hall.phone else []
    hours = t("ui.help.hours", lang, hours=hall.hours_text())
    if hall.staffed(now):
        return HelpAdvice(
            True,
            t("ui.help.staffed", lang, window=hall.text("window", lang)),
            (t("ui.help.staffed_detail", lang), *phone, hotline, hours),
        )
    opening = when_text(hall.next_opening(now), now, lang)
    return HelpAdvice(
        False,
        t("ui.help.unstaffed", lang),
        (hotline, *phone, t("ui.help.next_opening", lang, when=opening, window=hall.text("window", lang)), hours),
    )
