"""Devices failing mid-visit: the citizen is told what happened and loses nothing already done."""

from __future__ import annotations

from typing import Any

import pytest
from ui_steps import start_visit

from kiosk.i18n import t
from screens.script import ScriptedVisit

pytestmark = pytest.mark.kivy


def test_paper_out_at_receipt_shows_reference_and_qr(ui: Any, shots: Any) -> None:
    app = ui.app
    printer = app.kiosk.devices.printer.simulator
    seen: list[str] = []

    def on_screen(name: str) -> None:
        seen.append(name)
        if name == "check":
            printer.set(paper="out")

    visit = ScriptedVisit(ui, "retirement", use_keys=False, on_screen=on_screen)
    original_arrived = visit._arrived

    def arrived(name: str, label: str = "") -> None:
        original_arrived(name, label)
        if label == "receipt-on-screen":
            screen = app.screen("receipt")
            assert screen.qr is not None
            assert screen.reference and screen.ids.reference.text == screen.reference
            assert t("printer.paper_out", app.lang).split("，")[0] in screen.status  # 打印机缺纸
            # "请联系工作人员" means nothing at 3 a.m.: the message points to the help panel instead
            assert "请联系工作人员" not in screen.status
            assert t("ui.help.pointer", app.lang) in screen.status
            assert "。）" not in screen.status  # the reason sits inside the sentence
            ui.screenshot(shots / "receipt-paper-out.png")

    visit._arrived = arrived  # check the receipt screen while it shows
    reference = visit.run()
    assert "receipt-on-screen" in visit.visited
    assert "receipt-printed" not in visit.visited
    assert reference


def test_reader_unplugged_at_identify_says_so(ui: Any, shots: Any) -> None:
    app = ui.app
    simulator = app.kiosk.devices.reader.simulator
    start_visit(ui, "open_bookstore", card=False)
    screen = app.screen("identify")
    assert screen.reader_message == ""
    simulator.unplug()
    ui.wait(lambda: screen.reader_message != "", timeout=20, what="the reader problem message")
    assert t("ui.identify.reader_problem", app.lang, reason="")[:4] in screen.reader_message
    ui.screenshot(shots / "identify-reader-unplugged.png")
    simulator.replug()
    ui.wait(lambda: screen.reader_message == "", timeout=20, what="the reader to come back")
    app.kiosk.devices.sim_place_card()
    ui.wait(lambda: app.current == "questions", what="the card to be read after replugging")


def test_expired_card_is_refused_with_a_clear_message(ui: Any) -> None:
    app = ui.app
    start_visit(ui, "open_gym", card=False)
    app.kiosk.devices.sim_place_card(expired=True)
    screen = app.screen("identify")
    ui.wait(lambda: screen.message != "", what="the expired-card message")
    assert screen.message == t("idcard.outcome.expired", app.lang)
    assert app.kiosk.visit.session.identity is None
    assert app.current == "identify"


def test_reader_gone_while_idle_puts_kiosk_out_of_service(ui: Any, shots: Any) -> None:
    app = ui.app
    app.kiosk.devices.reader.simulator.unplug()
    ui.wait_screen("out_of_service", timeout=20)
    assert app.screen("out_of_service").ids.reason.text == t("ui.oos.no_reader", app.lang)
    ui.screenshot(shots / "out-of-service.png")
    app.kiosk.devices.reader.simulator.replug()
    ui.wait_screen("attract", timeout=20)
