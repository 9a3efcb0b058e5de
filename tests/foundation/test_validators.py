"""Validators of citizens' answers, with property tests over generated values."""

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity.idnumber import check_digit, generate_person, keep_ends, mask
from kiosk import validators as v
from kiosk.errors import ValidationError
from kiosk.sample_answers import generate_uscc

seeds = st.integers(min_value=0, max_value=2**32)


def reason(call, *args) -> str:
    with pytest.raises(ValidationError) as info:
        call(*args)
    return info.value.key


@given(seeds)
def test_generated_id_numbers_are_valid(seed):
    person = generate_person(random.Random(seed))
    assert v.id_number(person.id_number) == person.id_number


@given(seeds, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_caught(seed, position, delta):
    number = generate_person(random.Random(seed)).id_number
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    with pytest.raises(ValidationError):
        v.id_number(changed)


def test_lower_case_x_is_accepted_and_normalised():
    first17 = "21021119800101002"
    while check_digit(first17) != "X":
        first17 = first17[:-1] + str(int(first17[-1]) + 1)
    assert v.id_number(first17 + "x") == first17 + "X"


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("2102111980010100", "validation.id_number.length"),
        ("21021119800101002A", "validation.id_number.characters"),
        ("210211" + "19800230" + "0021", "validation.id_number.birth_date"),
        ("210211" + "21990101" + "0021", "validation.id_number.birth_date"),
    ],
)
def test_id_number_reasons(number, key):
    assert reason(v.id_number, number) == key


def test_mask_keeps_only_the_ends():
    assert mask("210211198001010021") == "210*************21"
    assert mask("12345") == "*****"  # too short to keep anything


def test_keep_ends_hides_short_text_whole():
    assert keep_ends("王小明") == "王**"
    assert keep_ends("王") == "*"  # a one-character name is not shown
    assert keep_ends("A12345678", 1, 2) == "A******78"
    assert keep_ends("") == ""


@given(seeds)
def test_generated_uscc_is_valid_and_a_changed_check_char_is_not(seed):
    code = generate_uscc(random.Random(seed))
    assert v.uscc(code.lower()) == code
    wrong = code[:17] + next(c for c in v.USCC_CHARSET if c != code[17])
    assert reason(v.uscc, wrong) == "validation.uscc.check_char"


def test_uscc_rejects_forbidden_letters_and_length():
    assert reason(v.uscc, "91210211MA0QXXXX1") == "validation.uscc.length"
    assert reason(v.uscc, "91210211MA0QXXXXIO") == "validation.uscc.characters"


@pytest.mark.parametrize("good", ["13912345678", "+86 139 1234 5678", "19912345678"])
def test_mobile_ok(good):
    assert len(v.mobile(good)) == 11


@pytest.mark.parametrize("bad", ["1391234567", "12912345678", "0411-84567890", "abc"])
def test_mobile_bad(bad):
    assert reason(v.mobile, bad) == "validation.mobile.format"


def test_fixed_phone_and_postal_code():
    assert v.phone("0411-84567890") == "0411-84567890"
    assert reason(v.phone, "84567890") == "validation.phone.format"
    assert v.postal_code("116033") == "116033"
    assert reason(v.postal_code, "016033") == "validation.postal_code.format"


def test_money_in_ten_thousand_yuan():
    assert v.money("50") == "50"
    assert v.money("0.0001") == "0.0001"
    assert reason(v.money, "0") == "validation.money.positive"
    assert reason(v.money, "0.00001") == "validation.money.precision"
    assert reason(v.money, "五十") == "validation.money.format"
    assert reason(v.money, "200", {"max": 100}) == "validation.money.too_large"


@given(st.decimals(min_value=5, max_value=12, places=1))
def test_housing_fund_rate_in_range(rate):
    v.percent(str(rate), {"min": 5, "max": 12})


@pytest.mark.parametrize("rate", ["4.9", "12.5", "0", "20%"])
def test_housing_fund_rate_out_of_range(rate):
    assert reason(v.percent, rate, {"min": 5, "max": 12}) == "validation.percent.range"


def test_dates():
    assert v.date("2026/2/3") == "2026-02-03"
    assert reason(v.date, "2026-02-30") == "validation.date.not_real"
    assert reason(v.date, "tomorrow") == "validation.date.format"
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    assert reason(v.date, yesterday, {"not_past": True}) == "validation.date.past"


@pytest.mark.parametrize(
    "name",
    ["大连鑫源商贸有限公司", "大连市甘井子区华美汽车租赁有限公司", "鑫源（大连）商贸有限公司", "大连兴达餐饮有限责任公司"],
)
def test_enterprise_names_ok(name):
    assert v.enterprise_name(name, {"org_form": "llc"}) == name


@pytest.mark.parametrize(
    ("name", "org_form", "key"),
    [
        ("鑫源商贸有限公司", "llc", "region_missing"),
        ("大连鑫商贸有限公司", "llc", "trade_name_short"),
        ("大连鑫源有限公司", "llc", "industry_missing"),
        ("大连鑫源商贸", "llc", "form_missing"),
        ("大连鑫源商贸有限公司", "sole", "sole_no_company"),
        ("中国鑫源商贸有限公司", "llc", "forbidden_word"),
        ("大连ABC商贸有限公司", "llc", "latin"),
    ],
)
def test_enterprise_name_reasons(name, org_form, key):
    assert reason(v.enterprise_name, name, {"org_form": org_form}) == f"validation.enterprise_name.{key}"


def test_sole_proprietorship_name():
    assert v.enterprise_name("大连市甘井子区鑫源汽车租赁中心", {"org_form": "sole"})


def _holders(n, amount="10", years=3):
    rng = random.Random(n)
    deadline = (dt.date.today() + dt.timedelta(days=365 * years)).isoformat()
    return [
        {"name": p.name, "id_number": p.id_number, "amount": amount, "deadline": deadline}
        for p in (generate_person(rng) for _ in range(n))
    ]


@settings(max_examples=25)
@given(st.integers(min_value=1, max_value=50))
def test_shareholders_summing_to_the_capital(n):
    assert len(v.shareholders(_holders(n), {"enterprise.capital": str(10 * n)})) == n


def test_shareholder_rules():
    assert reason(v.shareholders, [], {}) == "validation.shareholders.none"
    assert reason(v.shareholders, _holders(51), {}) == "validation.shareholders.too_many"
    assert reason(v.shareholders, _holders(2), {"enterprise.capital": "30"}) == (
        "validation.shareholders.sum_mismatch"
    )
    assert reason(v.shareholders, _holders(2, years=6), {}) == "validation.shareholders.deadline_too_late"
    twice = _holders(1) * 2
    assert reason(v.shareholders, twice, {}) == "validation.shareholders.duplicate"
    broken = _holders(1)
    broken[0]["id_number"] = "123"
    assert reason(v.shareholders, broken, {}) == "validation.shareholders.row_invalid"
