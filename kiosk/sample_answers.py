"""Generated, valid answers for any flow: for the scripted demo, the tests and the benchmarks.

Every person and enterprise here is generated (valid check digits, no real data).
"""

from __future__ import annotations

import datetime as dt
import random

from identity.idnumber import generate_person
from kiosk.catalog import Field
from kiosk.engine import Flow
from kiosk.validators import USCC_CHARSET, org_code_check_char, uscc_check_char

TRADE_NAMES = ("鑫源", "华美", "兴达", "恒通", "瑞丰", "金海", "宏远", "德利")
INDUSTRY_FOR_SCENARIO = {
    "open_restaurant": "餐饮", "open_car_rental": "汽车租赁", "open_convenience_store": "便利店",
    "open_pharmacy": "大药房", "open_beauty_salon": "美容美发", "open_hotel": "酒店",
    "open_internet_cafe": "网络服务", "open_entertainment_venue": "娱乐", "open_bookstore": "书店",
    "open_gym": "健身", "open_car_repair": "汽车维修", "open_logistics": "物流",
}
STREETS = ("华北路", "中华西路", "红旗西路", "泉水路", "山东路")


def generate_uscc(rng: random.Random, region: str = "210211") -> str:
    body = "".join(rng.choice(USCC_CHARSET[:-5]) for _ in range(8))  # digits and early letters
    first16 = "91" + region + body + org_code_check_char(body)
    if first16[-1] not in USCC_CHARSET:
        return generate_uscc(rng, region)
    return first16 + uscc_check_char(first16)


def enterprise_name(flow: Flow, rng: random.Random) -> str:
    industry = INDUSTRY_FOR_SCENARIO.get(flow.scenario.id, "商贸")
    form = "商行" if flow.situation.get("org_form") == "sole" else "有限公司"
    if form == "商行" and industry in ("餐饮", "娱乐"):
        form = "店"
    return f"大连{rng.choice(TRADE_NAMES)}{industry}{form}"


def value_for(form_field: Field, flow: Flow, rng: random.Random) -> object:
    """A valid answer for one field (cross-field ones use the answers already set)."""
    rules = form_field.rule_map
    today = flow.today
    match form_field.type:
        case "id_number":
            return generate_person(rng).id_number
        case "mobile":
            return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
        case "phone":
            return "0411-8" + "".join(rng.choice("0123456789") for _ in range(7))
        case "postal_code":
            return "116033"
        case "email":
            return "kiosk.test@example.cn"
        case "uscc":
            return generate_uscc(rng)
        case "money":
            return str(min(rng.choice((10, 30, 50, 100)), rules.get("max", 100)))
        case "integer":
            return str(max(rules.get("min", 1), min(rules.get("max", 10), rng.randint(1, 20))))
        case "percent":
            return str(rng.randint(int(rules.get("min", 5)), int(rules.get("max", 12))))
        case "date":
            if rules.get("not_future"):
                return (today - dt.timedelta(days=rng.randint(1, 300))).isoformat()
            return (today + dt.timedelta(days=rng.randint(1, 20))).isoformat()
        case "choice" | "yesno":
            return rng.choice(form_field.options).value
        case "address":
            return f"大连市甘井子区{rng.choice(STREETS)}{rng.randint(1, 999)}号"
        case "enterprise_name":
            return enterprise_name(flow, rng)
        case "shareholders":
            capital = int(flow.answers.get("enterprise.capital") or 100)
            first = capital // 2
            deadline = (today + dt.timedelta(days=365 * 3)).isoformat()
            return [
                {"name": p.name, "id_number": p.id_number, "amount": str(a), "deadline": deadline}
                for p, a in ((generate_person(rng), first), (generate_person(rng), capital - first))
            ]
        case _:
            low = rules.get("min_length", 2)
            if "bank_account" in form_field.id:
                return "6222" + "".join(rng.choice("0123456789") for _ in range(15))
            if form_field.id.endswith(("name", "_rep")):
                return generate_person(rng).name
            if form_field.id == "property.certificate_no":
                return "辽（2024）大连市不动产权第0123456号"
            text = "日用百货销售；食品销售（仅销售预包装食品）" if "scope" in form_field.id else "按规定办理"
            return text if len(text) >= low else text * low


def fill_form(flow: Flow, rng: random.Random) -> None:
    """Answer every empty field on every page, in page order (shareholders after capital)."""
    for page in flow.pages():
        for form_field in flow.page_fields(page.id):
            if flow.answers.get(form_field.id) in (None, "", []):
                flow.set(form_field.id, value_for(form_field, flow, rng))


def answer_questions(flow: Flow, rng: random.Random, choose_first: bool = False) -> None:
    while (question := flow.next_question()) is not None:
        option = question.options[0] if choose_first else rng.choice(question.options)
        flow.answer(question.id, option.value)
