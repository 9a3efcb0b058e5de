"""The hall's facts for 呼叫工作人员 (staffed or not, next opening), working-day due dates with half
days kept, and the jargon glossary: all data from assets/, read by kiosk/ without Kivy."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kiosk.glossary import explanations, load_glossary, terms_in
from kiosk.hall import help_advice, load_hall
from kiosk.workdays import due_date, promised_words

SUNDAY_3AM = dt.datetime(2026, 12, 6, 3, 0)  # a Sunday
MONDAY_10AM = dt.datetime(2026, 12, 7, 10, 0)
FRIDAY_EVENING = dt.datetime(2026, 12, 11, 19, 30)


def test_half_a_working_day_is_never_printed_as_same_day() -> None:
    assert promised_words(0.5) == "0.5个工作日"
    assert promised_words(0.5, "en") == "0.5 working days"
    assert promised_words(0) == "即办"
    assert promised_words(3.0) == "3个工作日"
    assert promised_words(None) == "以部门通知为准"


@pytest.mark.parametrize(("start", "days", "due"), [
    (dt.date(2026, 12, 4), 0.5, dt.date(2026, 12, 7)),   # Friday + half a day → Monday
    (dt.date(2026, 12, 7), 1, dt.date(2026, 12, 8)),
    (dt.date(2026, 12, 7), 5, dt.date(2026, 12, 14)),    # a whole week, weekend skipped
    (dt.date(2026, 12, 5), 0, dt.date(2026, 12, 7)),     # 即办 on a Saturday: Monday
    (dt.date(2026, 12, 8), 0, dt.date(2026, 12, 8)),
])
def test_due_dates_count_working_days(start: dt.date, days: float, due: dt.date) -> None:
    assert due_date(start, days) == due


def test_holidays_and_swapped_workdays_count() -> None:
    holiday, saturday = dt.date(2026, 12, 8), dt.date(2026, 12, 12)
    assert due_date(dt.date(2026, 12, 7), 1, holidays={holiday}) == dt.date(2026, 12, 9)
    assert due_date(dt.date(2026, 12, 11), 1, workdays={saturday}) == saturday


def test_at_3am_on_a_sunday_the_panel_gives_12345_and_the_next_opening() -> None:
    hall = load_hall()
    advice = help_advice(hall, SUNDAY_3AM)
    assert not advice.staffed
    text = "\n".join([advice.headline, *advice.lines])
    assert "没有工作人员" in advice.headline
    assert "12345" in text and "24小时" in text
    assert "明天 08:30" in text  # Monday morning
    assert hall.text("window", "zh_CN") in text


def test_friday_evening_points_to_monday_and_holidays_push_it_further() -> None:
    hall = load_hall()
    assert "12月14日（周一）08:30" in "\n".join(help_advice(hall, FRIDAY_EVENING).lines)
    closed = dataclasses.replace(hall, holidays=frozenset({dt.date(2026, 12, 14)}))
    assert "12月15日（周二）08:30" in "\n".join(help_advice(closed, FRIDAY_EVENING).lines)


def test_in_staffed_hours_the_panel_sends_the_citizen_to_the_window() -> None:
    hall = load_hall()
    advice = help_advice(hall, MONDAY_10AM)
    assert advice.staffed and hall.text("window", "zh_CN") in advice.headline
    english = help_advice(hall, MONDAY_10AM, "en")
    assert "Staff are in the hall" in english.headline


def test_the_hall_phone_shows_only_once_configured() -> None:
    hall = load_hall()
    assert not any("大厅电话" in line for line in help_advice(hall, SUNDAY_3AM).lines)
    numbered = dataclasses.replace(hall, phone="0411-00000000")
    assert any("0411-00000000" in line for line in help_advice(numbered, SUNDAY_3AM).lines)


def test_glossary_explains_the_jargon_the_issue_names_in_both_languages() -> None:
    glossary = load_glossary()
    for term in ("承诺时限", "数电发票", "小规模纳税人", "基本存款账户", "复印件", "现场拍摄"):
        assert glossary[term]["zh"] and glossary[term]["en"], term
    assert terms_in("申领数电发票") == ["数电发票"]  # the longest term, not "发票"
    found = dict(explanations("预约开立基本存款账户；材料：复印件1份，现场拍摄", "zh_CN"))
    assert set(found) == {"基本存款账户", "复印件", "现场拍摄"}
    english = dict(explanations("Which bank for the basic account? 1 copy/copies, photographed here", "en"))
    assert set(english) == {"basic account", "copy/copies", "photographed here"}
    assert "only one" in english["basic account"]
