"""The navigator: every flow walked step by step, refusals, going back, changes from the summary."""

from __future__ import annotations

import random
from collections.abc import Mapping

import pytest

from identity.idnumber import generate_person
from identity.record import CardType, IdentityRecord
from kiosk.catalog import load_catalog
from kiosk.engine import Flow
from kiosk.navigator import BASE, Navigator, Step, StepKind
from kiosk.sample_answers import value_for

CATALOG = load_catalog()
JPEG = b"\xff\xd8\xff\xe0fake-but-only-bytes\xff\xd9"


class Visit:
    """A flow and its navigator, with a card that can be placed and a camera that can fail."""

    def __init__(self, scenario_id: str, *, camera: bool = True, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.flow = Flow(CATALOG, scenario_id)
        self.card = False
        self.camera = camera
        self.nav = Navigator(self.flow, identified=lambda: self.card, camera_usable=lambda: self.camera)

    def place_card(self) -> None:
        person = generate_person(self.rng)
        self.flow.prefill(IdentityRecord(CardType.RESIDENT, person.name, person.id_number, sex="男"))
        self.card = True

    def page_input(self, page_id: str, redo: Mapping[str, object] = {}) -> dict[str, object]:
        """A citizen's answers for the page, each made seeing the ones before it (shareholders
        after the capital); fields in ``redo`` are typed again."""
        values: dict[str, object] = {}
        for f in self.flow.page_fields(page_id):
            keep = self.flow.answers.get(f.id) and f.id not in redo
            values[f.id] = self.flow.answers[f.id] if keep else value_for(f, self.flow, self.rng)
            self.flow.answers[f.id] = values[f.id]
        return values

    def _allowed_choice(self, question: object) -> str:
        """A random option that does not trigger a stop rule (those are tested on their own)."""
        options = list(question.options)  # type: ignore[attr-defined]
        self.rng.shuffle(options)
        for option in options:
            self.flow.answer(question.id, option.value)  # type: ignore[attr-defined]
            if self.flow.stop() is None:
                return str(option.value)
        return str(options[0].value)

    def walk(self, until: StepKind = StepKind.DONE) -> list[Step]:
        """Every step from the start, answering as a citizen would."""
        step = self.nav.start()
        seen = [step]
        while step.kind is not until:
            if step.kind is StepKind.IDENTIFY:
                self.place_card()
                following = self.nav.next(step)
            elif step.kind is StepKind.QUESTION:
                question = next(q for q in self.flow.questions() if q.id == step.id)
                following = self.nav.next(step, self._allowed_choice(question))
            elif step.kind is StepKind.FORM_PAGE:
                following = self.nav.next(step, self.page_input(step.id))
                if following.errors:  # shares are drawn before the capital is stored: once more
                    following = self.nav.next(following, self.page_input(step.id, following.errors))
            elif step.kind is StepKind.MATERIALS:
                for need in self.flow.missing_materials():
                    self.flow.attach(need.material.id, [JPEG])
                following = self.nav.next(step)
            elif step.kind is StepKind.SUBMIT:
                following = self.nav.next(step, self.flow.reference)
            else:
                following = self.nav.next(step)
            assert not following.errors, (step, following.errors)
            step = following
            seen.append(step)
        return seen


@pytest.mark.parametrize("scenario_id", list(CATALOG.scenarios))
def test_every_flow_walks_from_identify_to_done(scenario_id: str) -> None:
    visit = Visit(scenario_id)
    kinds = [step.kind for step in visit.walk()]
    assert kinds[0] is StepKind.IDENTIFY
    assert kinds[-4:] == [StepKind.SUBMIT, StepKind.RECEIPT, StepKind.RATING, StepKind.DONE]
    assert kinds.index(StepKind.RESULTS) < kinds.index(StepKind.CHECK)
    visit.flow.submission("K-TEST", "24小时自助区")  # what was walked is complete


def test_the_form_pages_come_in_order_and_materials_only_with_a_camera() -> None:
    visit = Visit("new_enterprise", camera=True, seed=3)
    steps = visit.walk(StepKind.CHECK)
    assert [s.id for s in steps if s.kind is StepKind.FORM_PAGE] == [p.id for p in visit.flow.pages()]
    assert StepKind.MATERIALS in [s.kind for s in steps]
    without = Visit("new_enterprise", camera=False, seed=3)
    assert StepKind.MATERIALS not in [s.kind for s in without.walk(StepKind.CHECK)]


def test_identify_waits_for_a_card_then_asks_the_first_question() -> None:
    visit = Visit("new_enterprise")
    step = visit.nav.start()
    assert step == Step(StepKind.IDENTIFY)
    assert visit.nav.next(step) == step
    visit.place_card()
    assert visit.nav.next(step) == Step(StepKind.QUESTION, visit.flow.scenario.questions[0].id)


def test_a_refused_answer_keeps_the_question_with_a_base_error() -> None:
    visit = Visit("new_enterprise")
    visit.place_card()
    step = visit.nav.start()
    refused = visit.nav.next(step, "no-such-option")
    assert refused.kind is StepKind.QUESTION and refused.id == step.id
    assert refused.errors[BASE].key == "flow.bad_answer"
    assert visit.flow.situation == {}


def test_a_page_with_a_missing_answer_is_shown_again_with_its_errors() -> None:
    visit = Visit("open_car_rental")
    steps = visit.walk(StepKind.RESULTS)
    page = visit.nav.next(steps[-1])
    assert page.kind is StepKind.FORM_PAGE
    answers = visit.page_input(page.id)
    required = next(f.id for f in visit.flow.page_fields(page.id) if visit.flow.required(f))
    answers[required] = ""
    again = visit.nav.next(page, answers)
    assert (again.kind, again.id) == (page.kind, page.id)
    assert again.errors[required].key == "validation.required"
    answers[required] = visit.page_input(page.id)[required] or value_for(
        visit.flow.field(required), visit.flow, visit.rng)
    assert visit.nav.next(again, answers).id != page.id


def test_change_from_the_summary_returns_to_the_summary() -> None:
    visit = Visit("new_enterprise", seed=11)
    check = visit.walk(StepKind.CHECK)[-1]
    page = visit.nav.change("premises.address")
    assert page == Step(StepKind.FORM_PAGE, "premises", returning=True, focus="premises.address")
    answers = visit.page_input("premises") | {"premises.address": "大连市甘井子区泉水路12号"}
    assert visit.nav.next(page, answers) == check
    assert visit.nav.back(page) == check


def test_a_change_that_reveals_a_field_asks_it_before_the_summary() -> None:
    visit = Visit("new_enterprise", seed=12)
    visit.walk(StepKind.CHECK)
    first, *_rest, last = visit.flow.pages()
    # As if the change made a question on the first page appear: it has no answer yet.
    # (not the capital: the shareholders' contributions on a later page are checked against it)
    revealed = next(f for f in visit.flow.page_fields(first.id)
                    if visit.flow.required(f) and f.type != "money")
    del visit.flow.answers[revealed.id]
    changed = next(f for f in visit.flow.page_fields(last.id) if visit.flow.required(f))
    page = visit.nav.change(changed.id)
    asked = visit.nav.next(page, visit.page_input(last.id))
    assert (asked.kind, asked.id, asked.returning) == (StepKind.FORM_PAGE, first.id, True)
    assert visit.nav.next(asked, visit.page_input(first.id)) == Step(StepKind.CHECK)


def test_submitting_an_incomplete_form_opens_the_page_of_the_first_missing_answer() -> None:
    visit = Visit("new_enterprise", seed=13)
    check = visit.walk(StepKind.CHECK)[-1]
    visit.flow.answers.pop("applicant.mobile")
    fix = visit.nav.next(check)
    assert (fix.kind, fix.id, fix.focus, fix.returning) == (
        StepKind.FORM_PAGE, "applicant", "applicant.mobile", True)
    assert set(fix.errors) == {"applicant.mobile"}


def test_going_back() -> None:
    visit = Visit("new_enterprise", seed=14)
    steps = visit.walk(StepKind.CHECK)
    check = steps[-1]
    assert visit.nav.back(check) == Step(StepKind.MATERIALS)
    pages = [p.id for p in visit.flow.pages()]
    assert visit.nav.back(Step(StepKind.MATERIALS)) == Step(StepKind.FORM_PAGE, pages[-1])
    assert visit.nav.back(Step(StepKind.FORM_PAGE, pages[1])) == Step(StepKind.FORM_PAGE, pages[0])
    assert visit.nav.back(Step(StepKind.FORM_PAGE, pages[0])) == Step(StepKind.RESULTS)
    answered = list(visit.flow.situation)
    back = visit.nav.back(Step(StepKind.RESULTS))
    assert back == Step(StepKind.QUESTION, answered[-1])
    assert list(visit.flow.situation) == answered[:-1]
    camera_off = Visit("new_enterprise", camera=False, seed=14)
    check = camera_off.walk(StepKind.CHECK)[-1]
    assert camera_off.nav.back(check) == Step(StepKind.FORM_PAGE, pages[-1], returning=True)


def test_a_stop_rule_ends_the_questions_and_holds_the_citizen_at_the_reason() -> None:
    """网吧 within 200 m of a school: the law forbids it, so the kiosk refuses with its reason."""
    scenario = next(s for s in CATALOG.scenarios.values() if s.stops)
    visit = Visit(scenario.id, seed=3)
    visit.place_card()
    step = visit.nav.start()
    stop_when = scenario.stops[0].when.source
    while step.kind is StepKind.QUESTION:
        question = next(q for q in visit.flow.questions() if q.id == step.id)
        value = next((o.value for o in question.options if question.id in stop_when
                      and f"'{o.value}'" in stop_when), question.options[0].value)
        step = visit.nav.next(step, value)
    assert step.kind is StepKind.RESULTS
    assert visit.flow.stop() is not None
    held = visit.nav.next(step)
    assert held.kind is StepKind.RESULTS and held.errors[BASE].key == "catalog.stop.title"
