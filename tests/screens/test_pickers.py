"""The form's pickers (screens/components/pickers.py) on the real app: what a tap enters, that
the answer passes the core's validation, and that the lists come from the catalog."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kiosk import validators
from kiosk.catalog import load_catalog


def _field(catalog: Any, field_id: str) -> Any:
    every = [*catalog.fields.values(), *(f for item in catalog.items.values() for f in item.fields)]
    return next(f for f in every if f.id == field_id)


@pytest.fixture(scope="module")
def catalog() -> Any:
    return load_catalog()


def test_choice_lists_come_from_the_catalog_with_sources(catalog: Any) -> None:
    assert {"streets", "scope", "name_parts"} <= set(catalog.choices)
    for choices in catalog.choices.values():
        assert choices.entries and choices.sources.checked and choices.sources.reviewed
        assert choices.sources.verified or choices.sources.question.zh  # what to ask the hall
    assert _field(catalog, "enterprise.name").picker == "name_parts"
    assert _field(catalog, "enterprise.scope").picker == "scope"
    assert _field(catalog, "premises.address").picker == "streets"
    assert _field(catalog, "tax.finance_mobile").same_as == ("applicant.mobile",)
    scope = catalog.choices["scope"]
    assert scope.search("餐饮")[0].value == "餐饮服务"
    assert all("餐饮" in e.value or "餐饮" in e.tags for e in scope.search("餐饮"))


def test_name_is_composed_from_the_typed_trade_name_and_picked_parts(ui: Any, catalog: Any) -> None:
    from screens.components.pickers import NameComposer

    composer = NameComposer(_field(catalog, "enterprise.name"), None, catalog.choices["name_parts"], {"org_form": "llc"})
    assert composer.get_value() == ""  # nothing typed: the field stays unanswered
    composer.trade.text = "鑫源"
    composer.industry.button_for("科技").dispatch("on_release")
    assert composer.get_value() == "大连鑫源科技有限公司"  # the legal form preselected from the 情形 answer
    assert validators.enterprise_name(composer.get_value(), {"org_form": "llc"})
    assert composer.split("大连鑫源商贸有限责任公司") == ("鑫源", "商贸", "有限责任公司")
    sole = NameComposer(_field(catalog, "enterprise.name"), "大连鑫源商贸商行", catalog.choices["name_parts"],
                        {"org_form": "sole"})
    assert sole.form.button_for("有限公司") is None  # a sole proprietorship is offered no company forms
    assert sole.get_value() == "大连鑫源商贸商行"


def test_scope_is_picked_and_searched(ui: Any, catalog: Any) -> None:
    from screens.components.pickers import ScopePicker

    picker = ScopePicker(_field(catalog, "enterprise.scope"), "", catalog.choices["scope"])
    picker.grid.button_for("日用百货销售").dispatch("on_release")
    picker.search.text = "餐饮"
    ui.pump(2)
    assert {b.value for b in picker.grid.buttons} >= {"日用百货销售", "餐饮服务"}  # the chosen one stays
    picker.grid.button_for("餐饮服务").dispatch("on_release")
    assert picker.get_value() == "日用百货销售；餐饮服务"
    picker.grid.button_for("日用百货销售").dispatch("on_release")  # tapped off again
    assert picker.get_value() == "餐饮服务"
    assert validators.text(picker.get_value(), {"min_length": 4}) == "餐饮服务"


def test_address_from_a_road_and_a_door_number(ui: Any, catalog: Any) -> None:
    from screens.components.pickers import AddressPicker

    picker = AddressPicker(_field(catalog, "premises.address"), "", catalog.choices["streets"])
    picker.roads.button_for("华北路").dispatch("on_release")
    picker.number.text = "88"
    assert picker.get_value() == "大连市甘井子区华北路88号"
    assert validators.address(picker.get_value())
    picker.other.text = "大连市中山区人民路1号"
    assert picker.get_value() == "大连市中山区人民路1号"  # typed whole when the road is not listed
    again = AddressPicker(_field(catalog, "premises.address"), "大连市甘井子区华东路5号", catalog.choices["streets"])
    assert (again.roads.value, again.number.text, again.other.text) == ("华东路", "5", "")


def test_same_as_offers_the_applicants_number_in_one_touch(ui: Any, catalog: Any) -> None:
    from screens.components.pickers import SameAsEditor, same_as_offers

    field = _field(catalog, "tax.finance_mobile")
    offers = same_as_offers(field, {"applicant.mobile": "13900001111"}, catalog, "zh_CN")
    assert offers == [("13900001111", "同申请人（13900001111）")]
    editor = SameAsEditor(field, None, offers)
    editor.offers.buttons[0].dispatch("on_release")
    assert editor.get_value() == "13900001111"
    people = same_as_offers(_field(catalog, "officers.supervisor_name"), {
        "applicant.name": "张三", "enterprise.shareholders": [{"name": "张三"}, {"name": "李四"}]}, catalog, "zh_CN")
    assert [value for value, _ in people] == ["张三", "李四"]  # the applicant once


def test_appointment_dates_are_the_next_working_days(ui: Any, catalog: Any) -> None:
    from screens.components.pickers import DatePicker

    monday = dt.date(2026, 12, 7)
    picker = DatePicker(_field(catalog, "bank.appointment_date"), None, today=monday)
    days = [dt.date.fromisoformat(b.value) for b in picker.days.buttons]
    assert days[0] == dt.date(2026, 12, 8) and all(d.weekday() < 5 for d in days) and len(days) == 10
    assert picker.days.buttons[3].text == "12月11日 周五"
    picker.days.buttons[0].dispatch("on_release")
    assert picker.get_value() == "2026-12-08"
    picker.typed.text = "20270115"
    assert picker.get_value() == "20270115" and picker.days.selected == []


def test_shareholders_start_with_the_applicant_split_and_read_a_card(ui: Any) -> None:
    """Row 1 is the applicant; 添加股东 then 读取身份证 fills row 2 from the card on the reader."""
    from screens.components.fields import ShareholdersEditor

    app, hub = ui.app, ui.app.kiosk.devices
    app.kiosk.visit.begin("new_enterprise")
    editor = ShareholdersEditor([], {"applicant.name": "王小明", "applicant.id_number": "11010519491231002X"})
    editor.page_answers = lambda: {"enterprise.capital": "10"}
    assert [editor.box(editor.rows[0], c).text for c in ("name", "id_number")] == ["王小明", "11010519491231002X"]
    editor.ids.add_button.dispatch("on_release")
    editor.rows[1].ids.card_button.dispatch("on_release")
    assert editor.awaiting_card
    hub.sim_place_card()
    ui.wait(lambda: not editor.awaiting_card, timeout=20, what="the co-shareholder's card read")
    second = editor.box(editor.rows[1], "id_number").text
    assert validators.id_number(second) and second != "11010519491231002X"
    assert app.kiosk.visit.session.flow.answers.get("applicant.id_number") != second  # the session is not touched
    editor.split_capital()
    assert [editor.box(r, "amount").text for r in editor.rows] == ["5", "5"]
    editor.deadlines.select(editor.deadlines.buttons[0].value)
    answers = {"enterprise.capital": "10"}
    holders = validators.shareholders(editor.get_value(), answers)
    assert [h["amount"] for h in holders] == ["5", "5"] and holders[0]["deadline"] == holders[1]["deadline"]


def test_an_expired_co_shareholder_card_is_refused_in_chinese(ui: Any) -> None:
    """On the real form (开办企业, 两人及以上): 添加股东, 读取该股东身份证 and an expired card on the
    simulated reader. Nothing goes into the row, the screen says why in Chinese (the applicant's
    own card is refused by the same rule), and a valid card read afterwards fills the row."""
    from kiosk.i18n import t
    from screens.script import ScriptedVisit

    app, hub = ui.app, ui.app.kiosk.devices
    seen: dict[str, Any] = {}

    class Reached(Exception):
        pass

    visit = ScriptedVisit(ui, "new_enterprise", choices={"shareholders": "several"}, use_keys=False)
    plain_fill = visit._fill

    def fill(row: Any, value: Any) -> None:
        if row.field.type != "shareholders":
            plain_fill(row, value)
            return
        editor = row.editor
        ui.tap(editor.ids.add_button)
        second = editor.rows[1]
        ui.tap(second.ids.card_button)
        assert editor.awaiting_card
        hub.sim_remove_card()  # the applicant's card off, the co-shareholder's expired one on
        ui.wait(lambda: not hub.card_present(), what="the applicant's card to be taken off")
        hub.sim_place_card(expired=True)
        ui.wait(lambda: not editor.awaiting_card, timeout=20, what="the expired card's read")
        seen["note"] = editor.card_note
        seen["on_screen"] = editor.card_note in ui.texts()
        seen["refused"] = editor.card_refused
        seen["row"] = (editor.box(second, "name").text, editor.box(second, "id_number").text)
        hub.sim_remove_card()
        ui.wait(lambda: not hub.card_present(), what="the expired card to be taken off")
        ui.tap(second.ids.card_button)
        hub.sim_place_card()
        ui.wait(lambda: not editor.awaiting_card, timeout=20, what="the valid card's read")
        seen["after"] = (editor.card_refused, editor.box(second, "id_number").text)
        raise Reached

    visit._fill = fill  # type: ignore[method-assign]
    try:
        with pytest.raises(Reached):
            visit.run()
    finally:
        app.end_visit("test")
        hub.sim_remove_card()
        ui.wait_screen("attract")
    assert seen["note"] == t("ui.picker.other_card.expired", "zh_CN", n="2") and "已过有效期" in seen["note"]
    assert seen["refused"] and seen["on_screen"]
    assert seen["row"] == ("", "")
    refused, number = seen["after"]
    assert not refused and validators.id_number(number)
