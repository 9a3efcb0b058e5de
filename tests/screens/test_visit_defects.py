"""The listed defects, on the real offscreen app: results scroll with a visible cue and bullets on
their text's line, the date hint is typeable on the number pad, the form's error summary never
covers a field, the submit button says "提交申请", half days stay half days on screen and receipt,
and the printed receipt says what happens next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ui_steps import answer_questions, start_visit

from screens.components.visit import with_help_pointer
from screens.results import BulletRow
from screens.script import ScriptedVisit

pytestmark = pytest.mark.kivy


def window_rect(widget: Any) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_results_scroll_with_a_cue_and_bullets_on_their_line(ui: Any, shots: Path) -> None:
    app = ui.app
    start_visit(ui, "open_car_rental")
    answer_questions(ui)
    screen = app.screen("results")
    ui.pump(5)
    assert screen.ids.columns.height > screen.ids.scroll.height  # 8 items do not fit …
    ui.wait(lambda: screen.more_below, what="the scroll cue")  # … and the screen says so
    assert screen.ids.cue.text and screen.ids.cue.height > 0
    texts = " ".join(w.text for w in ui.walk(screen) if hasattr(w, "text") and isinstance(w.text, str))
    assert "0.5个工作日" in texts and "承诺办结时限" in texts
    for row in (w for w in ui.walk(screen) if isinstance(w, BulletRow)):
        bullet, body = row.children[1], row.children[0]  # Kivy lists children last first
        assert abs(window_rect(bullet)[3] - window_rect(body)[3]) < 1, row.text  # same top line
        assert body.height >= body.texture_size[1] - 1, row.text  # nothing sliced off the text
    ui.screenshot(shots / "results-top.png")
    screen.ids.scroll.scroll_y = 0
    ui.wait(lambda: not screen.more_below, what="the cue to go at the bottom")
    ui.screenshot(shots / "results-bottom.png")


def test_date_hint_typeable_and_error_summary_clear_of_fields(ui: Any, shots: Path) -> None:
    app = ui.app
    start_visit(ui, "open_car_rental")
    answer_questions(ui)
    ui.tap(app.screen("results").ids.next)
    ui.wait_screen("form")
    form = app.screen("form")
    ui.tap(form.ids.next)  # the applicant page lacks the mobile number
    assert form.summary_error
    summary = window_rect(form.ids.summary)
    view = window_rect(form.ids.scroll)
    assert not overlaps(summary, view), (summary, view)
    assert form.ids.summary.text == form.summary_error
    ui.screenshot(shots / "form-error-summary.png")
    dates = [f for f in app.kiosk.visit.flow.fields() if f.type == "date"]
    assert dates
    app.show(app.kiosk.visit.navigator.change(dates[0].id))  # the page that asks the date
    ui.wait(lambda: any(r.field.id == dates[0].id for r in form.rows), what="the date's page")
    row = next(r for r in form.rows if r.field.id == dates[0].id)
    from screens.components.pickers import DatePicker

    # An appointment date offers working days as buttons; any other date is still typed.
    box = row.editor.typed if isinstance(row.editor, DatePicker) else row.editor
    hint = box.hint_text
    assert "-" not in hint and any(c.isdigit() for c in hint)
    ui.type_into(box, "20300131")  # every character from the number pad's keys
    assert box.text == "20300131"
    ui.screenshot(shots / "form-date.png")


def test_staff_phrases_point_to_the_help_panel() -> None:
    assert with_help_pointer("打印机缺纸，请联系工作人员。", "zh_CN") == "打印机缺纸，请点屏幕上方的“呼叫工作人员”，查看现在可以找谁。"
    assert "Call staff" in with_help_pointer("Chinese input is not installed; ask staff.", "en")
    assert with_help_pointer("请重新放置身份证。", "zh_CN") == "请重新放置身份证。"


def test_the_printed_receipt_has_the_name_bank_due_dates_and_next_steps(ui: Any, shots: Path) -> None:
    app = ui.app
    printer = app.kiosk.devices.printer.simulator
    before = len(printer.jobs)
    visit = ScriptedVisit(ui, "new_enterprise", use_keys=False, choices={"delivery": "pickup"})
    visit.run()
    job = printer.jobs[before]
    text = "".join(job.lines).replace(" ", "")
    for expected in ("大连鑫源商贸有限公司", "中国工商银行", "预约日期", "最迟办结", "0.5个工作日", "接下来", "短信",
                     "领取地点", "本人身份证"):
        assert expected in text, expected
    job.page.render_png(shots / "receipt-new-enterprise.png")


def test_out_of_service_says_whom_to_call_at_this_hour(ui: Any, shots: Path) -> None:
    app = ui.app
    app.kiosk.devices.reader.simulator.unplug()
    ui.wait_screen("out_of_service", timeout=20)
    advice = app.screen("out_of_service").ids.advice.text
    assert "12345" in advice and app.kiosk.visit.hall.hours_text() in advice
    ui.screenshot(shots / "out-of-service-advice.png")
    app.kiosk.devices.reader.simulator.replug()
    ui.wait_screen("attract", timeout=20)
