"""Issue 15: each audited rule pinned to its source. Every test here fails on the catalog before the audit."""

import pytest

from kiosk.catalog import load_catalog
from kiosk.catalog.guide import build_guide, render_text
from kiosk.catalog.time_limits import deadline_lines, format_days, processing_lines, receipt_days
from kiosk.engine import Flow

CATALOG = load_catalog()


def items_for(scenario_id: str, **situation: str) -> set[str]:
    flow = Flow(CATALOG, scenario_id)
    for key, value in situation.items():
        flow.answer(key, value)
    return {item.id for item in flow.items()}


def materials_for(scenario_id: str, answers: dict | None = None, **situation: str) -> set[str]:
    flow = Flow(CATALOG, scenario_id)
    for key, value in situation.items():
        flow.answer(key, value)
    flow.answers.update(answers or {})
    return {need.material.id for need in flow.materials()}


def bases(entry) -> set[str]:
    return {str(b) for b in entry.sources.basis}


# 1. 快递 needs 快递业务经营许可 (邮政法 §51)
def test_courier_business_brings_the_express_delivery_licence():
    assert "express_license" in items_for("open_logistics", express="yes")
    assert "express_license" not in items_for("open_logistics", express="no")
    assert "《邮政法》第五十一条" in bases(CATALOG.items["express_license"])
    assert "快递" in CATALOG.scenarios["open_logistics"].keywords


# 2. 医疗美容 is told apart by a 情形 question and needs a medical institution licence
def test_medical_cosmetology_is_separated_from_the_hygiene_licence():
    question = next(q for q in CATALOG.scenarios["open_beauty_salon"].questions if q.id == "beauty_kind")
    assert {o.value for o in question.options} == {"hair", "life_beauty", "medical"}
    assert "medical_institution_license" in items_for("open_beauty_salon", beauty_kind="medical")
    assert "medical_institution_license" not in items_for("open_beauty_salon", beauty_kind="hair")
    assert "《医疗机构管理条例》第十五条" in bases(CATALOG.items["medical_institution_license"])


# 3. 丧葬补助金/抚恤金 for survivors of any insured person (§17); the personal account is inheritable (§14)
def test_funeral_grant_and_pension_account_for_any_insured_person():
    working = items_for("after_death", insured="yes", pensioner="no")
    assert {"death_funeral_grant", "death_pension_account"} <= working
    assert "death_pension_stop" not in working
    assert "death_pension_stop" in items_for("after_death", insured="yes", pensioner="yes")
    assert "death_funeral_grant" not in items_for("after_death", insured="no")
    assert "《社会保险法》第十七条" in bases(CATALOG.items["death_funeral_grant"])
    assert "《社会保险法》第十四条" in bases(CATALOG.items["death_pension_account"])


# 4. A newborn is insured on the 出生医学证明 alone, whatever the hukou
def test_newborn_insured_on_the_birth_certificate_alone():
    assert "birth_medical_insurance" in items_for("newborn", married="no")
    assert CATALOG.items["birth_medical_insurance"].applies is None
    assert {m.id for m in CATALOG.items["birth_medical_insurance"].materials} == {"birth_certificate"}


# 5. Heirs have no sale contract; they bring the inheritance documents instead
def test_inheritance_needs_no_sale_contract():
    inherited = materials_for("home_transfer", how_acquired="inherit", mortgage="no")
    assert "sale_contract" not in inherited
    assert {"inheritance_proof", "decedent_death_proof", "kinship_proof"} <= inherited
    assert "sale_contract" in materials_for("home_transfer", how_acquired="buy", mortgage="no")
    assert "deed_tax" not in items_for("home_transfer", how_acquired="inherit", mortgage="no")


# 6. 执业药师 only for 处方药/甲类OTC; 保健食品 brings the food filing
def test_pharmacist_only_for_prescription_and_class_a_drugs_and_health_food_filing():
    rx = materials_for("open_pharmacy", drug_class="rx")
    otc = materials_for("open_pharmacy", drug_class="otc_b")
    assert "pharmacist_certificate" in rx and "pharmacist_certificate" not in otc
    assert "technician_qualification" in otc
    assert "prepackaged_food_filing" in items_for("open_pharmacy", sells_health_food="yes")
    assert "prepackaged_food_filing" not in items_for("open_pharmacy", sells_health_food="no")


# 7. The agency's limits and the applicant's deadlines are separate
def test_agency_limits_and_applicant_deadlines_are_not_mixed_up():
    registration = CATALOG.items["setup_registration"]
    assert registration.limit.legal_days == 3 and registration.limit.legal_extension_days == 3
    assert "《市场主体登记管理条例》第十九条" in bases(registration)
    social = CATALOG.items["social_insurance"]
    assert social.limit.legal_days == 15 and social.limit.calendar_days
    assert any(d.days == 30 for d in social.deadlines)
    fund = CATALOG.items["housing_fund"]
    assert fund.limit.legal_days is None
    assert fund.deadlines[0].days == 30
    # a new unit registers 公积金 even when not hiring
    assert "housing_fund" in items_for("new_enterprise", hiring="no")
    rental = CATALOG.items["vehicle_rental_filing"]
    assert rental.limit.legal_days is None and rental.deadlines[0].days == 60
    dereg = CATALOG.items["deregistration"]
    assert any(d.days == 20 for d in dereg.deadlines) and "20日" in dereg.limit.note.zh
    assert any("30日内" in line and "公积金" in line for line in deadline_lines(fund))
    assert processing_lines(registration)[0] == "承诺办结时限：0.5个工作日"


def test_half_days_print_as_half_days_never_as_on_the_spot():
    assert format_days(0.5) == "0.5个工作日"
    assert receipt_days(0.5) == "0.5个工作日"
    assert format_days(0) == "即办"
    assert format_days(15, calendar=True) == "15日"
    assert format_days(3, "en") == "3 working day(s)"
    assert receipt_days(None) == "办结时限以窗口告知为准"


# 8. Materials no longer required; the optional tobacco licence in 开餐馆
def test_restaurant_has_no_eia_filing_no_health_certificates_and_an_optional_tobacco_licence():
    assert "env_filing" not in CATALOG.items
    everything = {m.id for item in CATALOG.items.values() for m in item.materials}
    assert "health_certificates" not in everything
    assert any("健康" in o.zh for o in CATALOG.items["food_business_license"].obligations)
    assert "tobacco_retail_license" in items_for("open_restaurant", sells_tobacco="yes")
    assert "tobacco_retail_license" not in items_for("open_restaurant", sells_tobacco="no")


# 9. Company law 2024: one director; the supervisor waivable with every shareholder's consent (art. 83)
def test_company_law_2024_one_director_and_supervisor_can_be_waived():
    fields = {f.id: f for f in CATALOG.items["setup_registration"].fields}
    labels = " ".join(o.label.zh for o in fields["officers.legal_rep"].options)
    assert "执行董事" not in labels and "一名董事" in labels
    question = next(q for q in CATALOG.scenarios["new_enterprise"].questions if q.id == "supervisor")
    assert {o.value for o in question.options} == {"one", "none"}
    waived = Flow(CATALOG, "new_enterprise", situation={"org_form": "llc", "shareholders": "one", "supervisor": "none"})
    assert "officers.supervisor_name" not in {f.id for f in waived.fields()}
    assert "no_supervisor_consent" in {n.material.id for n in waived.materials()}
    one = Flow(CATALOG, "new_enterprise", situation={"org_form": "llc", "shareholders": "one", "supervisor": "one"})
    assert "officers.supervisor_name" in {f.id for f in one.fields()}


# 10. Guard rules: 网吧 near a school is refused; several changes at once with permits and seals
def test_internet_cafe_near_a_school_stops_with_the_reason():
    flow = Flow(CATALOG, "open_internet_cafe")
    flow.answer("near_school", "yes")
    stop = flow.stop()
    assert stop is not None and "200米" in stop.reason.zh
    assert "《互联网上网服务营业场所管理条例》第九条" in {str(b) for b in stop.sources.basis}
    clear = Flow(CATALOG, "open_internet_cafe")
    clear.answer("near_school", "no")
    assert clear.stop() is None
    clear.answer("residential", "yes")
    assert clear.stop() is not None


def test_change_enterprise_several_changes_permits_and_new_seals():
    both = items_for("change_enterprise", change_name="yes", change_address="yes", change_legal_rep="no",
                     change_scope="no", has_permits="yes", has_staff="no")
    assert {"permit_change", "seal_reengraving"} <= both
    flow = Flow(CATALOG, "change_enterprise")
    for key in ("change_name", "change_address", "change_legal_rep", "change_scope"):
        flow.answer(key, "yes")
    fields = {f.id for f in flow.fields()}
    assert {"change.new_name", "change.new_address", "change.new_legal_rep", "change.new_scope"} <= fields
    scope_only = items_for("change_enterprise", change_name="no", change_address="no", change_legal_rep="no",
                           change_scope="yes", has_staff="no")
    assert "seal_reengraving" not in scope_only and "permit_change" not in scope_only
    nothing = Flow(CATALOG, "change_enterprise")
    for key in ("change_name", "change_address", "change_legal_rep", "change_scope"):
        nothing.answer(key, "no")
    assert nothing.stop() is not None


# 11. Departments: the hall is run by 甘井子区营商环境建设局; 区行政审批局 is gone
def test_departments_name_the_real_bureaus():
    departments = " ".join(item.department.zh for item in CATALOG.items.values())
    assert "区行政审批局" not in departments
    assert CATALOG.items["setup_registration"].department.zh == "甘井子区市场监督管理局"
    guide = build_guide(CATALOG, "new_enterprise")
    assert "甘井子区营商环境建设局" in render_text(guide).splitlines()[1]  # the hall that takes it in
    bookstore = CATALOG.scenarios["open_bookstore"]
    assert "2至4小时" in bookstore.promise.zh and not bookstore.sources.verified


# 12. National 一件事 added with their 情形 and bundled items
@pytest.mark.parametrize(
    ("scenario_id", "situation", "expected"),
    [
        ("open_transport_company", {"heavy_trucks": "yes"}, {"freight_license", "vehicle_transport_permit"}),
        ("utility_connection", {"want_water": "yes", "want_power": "yes", "want_gas": "no",
                                "want_internet": "no", "digs_road": "yes"},
         {"water_connection", "power_connection", "road_excavation_permit"}),
        ("social_card_services", {"card_action": "replace", "one_card": "yes"},
         {"social_card_replace", "social_card_services"}),
        ("disability_services", {"has_card": "no", "low_income": "yes", "severe": "yes"},
         {"disability_card", "disability_living_subsidy", "disability_care_subsidy"}),
        ("veteran_discharge", {"needs_hukou": "yes", "preferential_card": "yes"},
         {"veteran_report", "veteran_household", "veteran_insurance_transfer", "veteran_preferential_card"}),
    ],
)
def test_national_one_things_bundle_their_items(scenario_id, situation, expected):
    assert expected <= items_for(scenario_id, **situation)


def test_unverified_local_points_are_flagged_with_a_question():
    for item_id in ("fire_safety_check", "public_health_license"):
        sources = CATALOG.items[item_id].sources
        assert not sources.verified and sources.question.zh.endswith("？")
    assert "房屋安全鉴定" in " ".join(
        m.sources.question.zh for m in CATALOG.items["hotel_special_license"].materials
    )
