"""The flow engine: every flow walked end to end, 情形 branches, merging, summary and submission."""

import datetime as dt
import itertools
import json
import random

import pytest

from identity.idnumber import generate_person
from identity.record import CardType, IdentityRecord
from kiosk.catalog import load_catalog
from kiosk.engine import Flow
from kiosk.errors import FlowError, ValidationError
from kiosk.reference import is_valid_reference
from kiosk.sample_answers import answer_questions, fill_form

CATALOG = load_catalog()
JPEG = b"\xff\xd8\xff\xe0fake-but-only-bytes\xff\xd9"


def all_branches(scenario_id: str, limit: int = 300):
    """Every combination of 情形 answers reachable in the scenario (bounded)."""
    done: list[dict] = []

    def explore(situation: dict):
        flow = Flow(CATALOG, scenario_id, situation=dict(situation))
        question = flow.next_question()
        if question is None or len(done) >= limit:
            done.append(dict(flow.situation))
            return
        for option in question.options:
            flow = Flow(CATALOG, scenario_id, situation=dict(situation))
            flow.answer(question.id, option.value)
            explore(flow.situation)

    explore({})
    return done


def walk(scenario_id: str, seed: int, situation: dict | None = None) -> tuple[Flow, dict]:
    rng = random.Random(seed)
    flow = Flow(CATALOG, scenario_id)
    person = generate_person(rng)
    flow.prefill(IdentityRecord(CardType.RESIDENT, person.name, person.id_number, sex="男"))
    for key, value in (situation or {}).items():
        flow.answer(key, value)
    answer_questions(flow, rng)
    fill_form(flow, rng)
    for need in flow.missing_materials():
        flow.attach(need.material.id, [JPEG])
    return flow, flow.submission("K-TEST", "24小时自助区")


@pytest.mark.parametrize("scenario_id", list(CATALOG.scenarios))
def test_every_flow_walks_end_to_end(scenario_id):
    flow, document = walk(scenario_id, seed=7)
    assert document["schema"] == "kiosk.submission/1"
    assert document["scenario"]["id"] == scenario_id
    assert is_valid_reference(document["reference"])
    assert document["items"], "a scenario with no applicable item"
    assert document["applicant"]["applicant.id_number"] == flow.answer_for("applicant.id_number")
    json.dumps(document, ensure_ascii=False)  # serialisable as it stands


@pytest.mark.parametrize("scenario_id", list(CATALOG.scenarios))
def test_no_merged_form_asks_a_field_twice_on_any_branch(scenario_id):
    for situation in all_branches(scenario_id):
        flow = Flow(CATALOG, scenario_id, situation=situation)
        ids = [f.id for page in flow.pages() for f in flow.page_fields(page.id)]
        assert len(ids) == len(set(ids)), situation
        materials = [m.material.id for m in flow.materials()]
        assert len(materials) == len(set(materials)), situation


def items_for(scenario_id: str, **situation) -> set[str]:
    flow = Flow(CATALOG, scenario_id)
    for key, value in situation.items():
        flow.answer(key, value)
    answer_questions(flow, random.Random(0), choose_first=True)
    return {item.id for item in flow.items()}


def test_new_enterprise_branches_switch_items():
    everything = items_for("new_enterprise", org_form="llc", shareholders="one", hiring="yes", invoices="yes", bank="icbc")
    assert len(everything) == 7
    assert "social_insurance" not in items_for("new_enterprise", hiring="no")
    assert "housing_fund" in items_for("new_enterprise", hiring="no")  # a new unit registers within 30 days anyway
    assert "invoice_tax" not in items_for("new_enterprise", invoices="no")
    assert "bank_account" not in items_for("new_enterprise", bank="none")


def test_organisation_form_switches_fields_and_materials():
    sole = Flow(CATALOG, "new_enterprise")
    sole.answer("org_form", "sole")
    answer_questions(sole, random.Random(0), choose_first=True)
    fields = {f.id for f in sole.fields()}
    assert "investor.property_source" in fields and "enterprise.shareholders" not in fields
    assert "articles" not in {m.material.id for m in sole.materials()}
    several = Flow(CATALOG, "new_enterprise")
    several.answer("org_form", "llc")
    several.answer("shareholders", "several")
    answer_questions(several, random.Random(0), choose_first=True)
    assert "enterprise.shareholders" in {f.id for f in several.fields()}
    assert {"articles", "shareholder_ids"} <= {m.material.id for m in several.materials()}


@pytest.mark.parametrize(
    ("scenario_id", "situation", "present", "absent"),
    [
        ("open_convenience_store", {"food_kind": "prepackaged", "tobacco": "yes"}, {"prepackaged_food_filing", "tobacco_retail_license"}, {"food_business_license"}),
        ("open_convenience_store", {"food_kind": "bulk", "tobacco": "no"}, {"food_business_license"}, {"prepackaged_food_filing", "tobacco_retail_license"}),
        ("open_restaurant", {"venue_size": "large"}, {"food_business_license", "fire_safety_check"}, set()),
        ("open_restaurant", {"venue_size": "small", "signboard": "no"}, {"food_business_license"}, {"fire_safety_check", "signboard_filing"}),
        ("open_car_rental", {}, {"vehicle_rental_filing"}, set()),
        ("open_internet_cafe", {"near_school": "yes"}, set(), {"internet_cafe_license"}),
        ("open_gym", {"high_risk": "none"}, {"fire_safety_check"}, {"high_risk_sports_license", "public_health_license"}),
        ("open_logistics", {"heavy_trucks": "no"}, set(), {"freight_license"}),
        ("close_enterprise", {"has_staff": "no"}, {"deregistration", "tax_clearance"}, {"social_fund_deregistration"}),
        ("home_transfer", {"how_acquired": "inherit"}, {"property_transfer"}, {"deed_tax"}),
    ],
)
def test_one_thing_branches(scenario_id, situation, present, absent):
    items = items_for(scenario_id, **situation)
    assert present <= items
    assert not (absent & items)


def test_a_document_two_items_need_is_collected_once():
    flow = Flow(CATALOG, "new_enterprise")
    flow.answer("org_form", "sole")
    flow.answer("premises", "rented")
    flow.answer("hiring", "yes")
    answer_questions(flow, random.Random(0), choose_first=True)
    [roster] = [m for m in flow.materials() if m.material.id == "staff_roster"]
    assert {i.id for i in roster.items} == {"social_insurance", "housing_fund"}


def test_changing_an_earlier_answer_forgets_questions_that_no_longer_apply():
    flow = Flow(CATALOG, "new_enterprise")
    flow.answer("org_form", "llc")
    flow.answer("shareholders", "several")
    flow.answer("org_form", "sole")
    assert "shareholders" not in flow.situation
    assert flow.back_question().id == "org_form"
    assert flow.situation == {}
    with pytest.raises(FlowError):
        flow.answer("org_form", "partnership")
    with pytest.raises(FlowError):
        flow.answer("shareholders", "one")  # not asked for a sole proprietorship


def test_validation_errors_per_field_and_the_prefill():
    rng = random.Random(3)
    person = generate_person(rng)
    flow = Flow(CATALOG, "new_enterprise")
    flow.prefill(IdentityRecord(CardType.RESIDENT, person.name, person.id_number.replace("X", "x")))
    answer_questions(flow, rng, choose_first=True)
    errors = flow.page_errors("applicant")
    assert set(errors) == {"applicant.mobile"}
    assert errors["applicant.mobile"].key == "validation.required"
    assert flow.set("applicant.mobile", "12345") .key == "validation.mobile.format"
    assert flow.set("applicant.mobile", "139 1234 5678") is None
    assert flow.answers["applicant.mobile"] == "13912345678"
    assert flow.page_errors("applicant") == {}


def test_summary_shows_skipped_optional_answers_as_empty():
    flow, _ = walk("new_enterprise", seed=5)
    flow.set("enterprise.alt_names", "")
    rows = {row.field.id: row.display for s in flow.summary() for row in s.rows}
    assert rows["enterprise.alt_names"] is None
    assert rows["applicant.name"] == flow.answers["applicant.name"]


def test_submission_id_and_reference_never_change_and_incomplete_forms_are_refused():
    flow, first = walk("open_restaurant", seed=2)
    again = flow.submission("K-TEST", "24小时自助区")
    assert (first["id"], first["reference"]) == (again["id"], again["reference"])
    flow.set("applicant.mobile", "")
    with pytest.raises(ValidationError) as info:
        flow.submission("K-TEST", "x")
    assert info.value.key == "validation.form_incomplete"
    assert set(info.value.errors) == {"applicant.mobile"}


def test_missing_materials_block_the_submission():
    rng = random.Random(9)
    flow = Flow(CATALOG, "open_car_rental")
    answer_questions(flow, rng)
    fill_form(flow, rng)
    with pytest.raises(ValidationError) as info:
        flow.submission("K", "x")
    assert info.value.key == "validation.materials_missing"
    assert "vehicle_documents" in info.value.missing


def test_wipe_forgets_everything():
    flow, document = walk("newborn", seed=4)
    number = document["applicant"]["applicant.id_number"]
    flow.wipe()
    assert number not in repr(vars(flow))
    assert flow.answers == {} and flow.attachments == {} and flow.situation == {}


def test_reference_check_character_catches_single_changes_and_swaps():
    flow = Flow(CATALOG, "retirement", today=dt.date(2026, 11, 25))
    reference = flow.reference
    assert reference.startswith("GJZ-20261125-")
    body = reference[13:18]
    for i, j in itertools.combinations(range(5), 2):
        if j == i + 1 and body[i] != body[j]:
            swapped = body[:i] + body[j] + body[i] + body[j + 1 :]
            assert not is_valid_reference(reference[:13] + swapped + reference[18:])
    for i in range(5):
        for char in "23456789ABCDEFGH":
            if char != body[i]:
                changed = body[:i] + char + body[i + 1 :]
                assert not is_valid_reference(reference[:13] + changed + reference[18:])


@pytest.mark.parametrize("scenario_id", ["new_enterprise", "open_hotel", "newborn", "close_enterprise"])
def test_submission_matches_its_versioned_json_schema(scenario_id):
    import jsonschema

    from kiosk.paths import ASSETS

    schema = json.loads((ASSETS / "schemas" / "submission-1.schema.json").read_text())
    _, document = walk(scenario_id, seed=21)
    jsonschema.validate(document, schema)
    document["reference"] = "GJZ-1-2-3"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def _field_ids_on_form(flow: Flow) -> set[str]:
    return {f.id for page in flow.pages() for f in flow.page_fields(page.id)}


def test_a_situation_question_that_asks_a_form_field_is_asked_once():
    """我要开餐馆 asked the floor area as a 情形 band and again as 经营面积: the figure given to the
    question picks the band, fills the field, and the form no longer asks it (issue 9)."""
    flow = Flow(CATALOG, "open_restaurant")
    question = next(q for q in flow.scenario.questions if q.id == "venue_size")
    assert question.field == "premises.area"
    while (q := flow.next_question()) is not None:  # option values still answer (headless walks)
        flow.answer(q.id, "large" if q.id == "venue_size" else q.options[0].value)
    assert "premises.area" in _field_ids_on_form(flow)  # no figure yet: the form asks it
    flow = Flow(CATALOG, "open_restaurant")
    for q in flow.scenario.questions:
        if q.id == "venue_size":
            break
        flow.answer(q.id, q.options[0].value)
    flow.answer("venue_size", "120")
    assert flow.situation["venue_size"] == "large" and flow.answers["premises.area"] == 120
    assert "fire_safety_check" in {i.id for i in flow.items()}
    assert "premises.area" not in _field_ids_on_form(flow)
    assert "premises.area" in {f.id for f in flow.fields()}  # still submitted
    flow.answer("venue_size", "49")
    assert flow.situation["venue_size"] == "small" and "fire_safety_check" not in {i.id for i in flow.items()}
    with pytest.raises(ValidationError):
        flow.answer("venue_size", "0")  # below the field's own minimum: refused as the form would
    with pytest.raises(ValidationError):
        flow.answer("venue_size", "大")
    assert flow.value_for_option(question, "small") == "49" and flow.value_for_option(question, "large") == "50"
    flow.answer("venue_size", "large")  # a band picked that the figure 49 does not fit: the figure goes
    assert "premises.area" not in flow.answers and "premises.area" in _field_ids_on_form(flow)


def test_no_scenario_asks_a_situation_figure_again_on_its_form():
    """Every scenario, every path: a 情形 question whose options name a quantity in a unit
    (50平方米以下) never leaves a form field in that unit (经营面积（平方米）) to ask it again."""
    import re

    unit = re.compile(r"[（(]([^（）()0-9]+)[）)]\s*$")
    for scenario_id, scenario in CATALOG.scenarios.items():
        for situation in all_branches(scenario_id, limit=60):
            flow = Flow(CATALOG, scenario_id)
            for question_id, value in situation.items():
                question = next(q for q in flow.questions() if q.id == question_id)
                figure = flow.value_for_option(question, value) if question.field else None
                flow.answer(question_id, figure or value)
            said = " ".join(q.text.zh + " " + q.label_of(v, "zh_CN") for q in scenario.questions
                            if (v := flow.situation.get(q.id)) and not q.field)
            for form_field in (f for page in flow.pages() for f in flow.page_fields(page.id)):
                found = unit.search(form_field.label.zh)
                if found:
                    assert not re.search(r"\d\s*" + re.escape(found.group(1)), said), (
                        f"{scenario_id} {situation}: {form_field.id} asks again what a 情形 answer said")
