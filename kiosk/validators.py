"""Validators for citizens' answers: each returns the normalised value or raises ValidationError.

Message keys are ``validation.<kind>.<reason>`` (texts in assets/i18n/<lang>/validation.yaml).
Rules follow the national standards: 公民身份号码 GB 11643, 统一社会信用代码 GB 32100 (with the
GB 11714 organisation code inside it), and 《企业名称登记管理规定》 for enterprise names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from identity import idnumber
from kiosk.errors import ValidationError

Validator = Callable[[Any, Mapping[str, Any]], Any]

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_FIXED = re.compile(r"0\d{2,3}-?[1-9]\d{6,7}(-\d{1,6})?")
_POSTAL = re.compile(r"[1-8]\d{5}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_HANZI = re.compile(r"[\u3400-\u9fff]")

MAX_SHAREHOLDERS = 50
CONTRIBUTION_YEARS = 5  # 《公司法》(2023) 第四十七条: 认缴出资五年内缴足


def _fail(kind: str, reason: str, **params: Any) -> ValidationError:
    return ValidationError(f"validation.{kind}.{reason}", **params)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def id_number(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    number = idnumber.normalise(_text(value))
    problem = idnumber.problem(number)
    if problem:
        raise _fail("id_number", problem)
    return number


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    code = _text(value).upper()
    if len(code) != 18:
        raise _fail("uscc", "length")
    if any(c not in USCC_CHARSET for c in code):
        raise _fail("uscc", "characters")
    if not code[2:8].isdigit():
        raise _fail("uscc", "region")
    if org_code_check_char(code[8:16]) != code[16]:
        raise _fail("uscc", "org_code")
    if uscc_check_char(code[:17]) != code[17]:
        raise _fail("uscc", "check_char")
    return code


def mobile(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    number = re.sub(r"[\s-]", "", _text(value))
    if number.startswith("+86"):
        number = number[3:]
    if not _MOBILE.fullmatch(number):
        raise _fail("mobile", "format")
    return number


def phone(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    """A mobile number or a fixed line with area code (0411-8xxxxxxx)."""
    text = _text(value).replace(" ", "")
    if _MOBILE.fullmatch(text.removeprefix("+86")):
        return text.removeprefix("+86")
    if not _FIXED.fullmatch(text):
        raise _fail("phone", "format")
    return text


def postal_code(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    code = _text(value)
    if not _POSTAL.fullmatch(code):
        raise _fail("postal_code", "format")
    return code


def email(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    text = _text(value)
    if not _EMAIL.fullmatch(text):
        raise _fail("email", "format")
    return text


def _decimal(kind: str, value: Any) -> Decimal:
    try:
        number = Decimal(_text(value).replace(",", ""))
    except InvalidOperation:
        raise _fail(kind, "format") from None
    if not number.is_finite():
        raise _fail(kind, "format")
    return number


def money(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    """An amount in 万元 (ten thousand yuan): positive, at most 4 decimals (that is, whole yuan)."""
    rules = rules or {}
    number = _decimal("money", value)
    if number <= 0:
        raise _fail("money", "positive")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:  # finer than one yuan
        raise _fail("money", "precision")
    if "max" in rules and number > Decimal(str(rules["max"])):
        raise _fail("money", "too_large", max=rules["max"])
    return format(number.normalize(), "f")


def integer(value: Any, rules: Mapping[str, Any] | None = None) -> int:
    rules = rules or {}
    text = _text(value)
    if not re.fullmatch(r"-?\d+", text):
        raise _fail("integer", "format")
    number = int(text)
    if "min" in rules and number < rules["min"]:
        raise _fail("integer", "too_small", min=rules["min"])
    if "max" in rules and number > rules["max"]:
        raise _fail("integer", "too_large", max=rules["max"])
    return number


def percent(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    rules = rules or {}
    number = _decimal("percent", _text(value).rstrip("%"))
    low, high = Decimal(str(rules.get("min", 0))), Decimal(str(rules.get("max", 100)))
    if not low <= number <= high:
        raise _fail("percent", "range", min=rules.get("min", 0), max=rules.get("max", 100))
    return format(number.normalize(), "f")


def date(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    rules = rules or {}
    if isinstance(value, dt.date):
        day = value
    else:
        text = _text(value).replace("/", "-").replace(".", "-")
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.fullmatch(
            r"(\d{4})(\d{2})(\d{2})", text
        )
        if not match:
            raise _fail("date", "format")
        try:
            day = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            raise _fail("date", "not_real") from None
    today = dt.date.today()
    if rules.get("not_past") and day < today:
        raise _fail("date", "past")
    if rules.get("not_future") and day > today:
        raise _fail("date", "future")
    return day.isoformat()


def text(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    rules = rules or {}
    result = _text(value)
    if "min_length" in rules and len(result) < rules["min_length"]:
        raise _fail("text", "too_short", min=rules["min_length"])
    if len(result) > rules.get("max_length", 200):
        raise _fail("text", "too_long", max=rules.get("max_length", 200))
    if rules.get("hanzi") and not _HANZI.search(result):
        raise _fail("text", "hanzi")
    return result


def address(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    result = text(value, {"max_length": 120, **(rules or {})})
    if len(result) < 6 or not _HANZI.search(result):
        raise _fail("address", "too_vague")
    return result


# --- enterprise names ----------------------------------------------------------------------------

REGIONS = ("辽宁省", "辽宁", "大连市", "大连", "甘井子区", "甘井子", "中山区", "西岗区", "沙河口区")
ORG_FORMS_COMPANY = ("股份有限公司", "有限责任公司", "有限公司")
ORG_FORMS_SOLE = ("个人独资企业", "商行", "经营部", "商店", "店", "厂", "中心", "工作室", "馆", "行", "部")
INDUSTRIES = (
    "商贸", "贸易", "科技", "信息技术", "网络科技", "餐饮管理", "餐饮", "饭店", "酒店", "宾馆", "民宿",
    "便利店", "超市", "商店", "烟酒", "药房", "大药房", "医药", "美容美发", "美发", "美容", "网吧",
    "网络服务", "娱乐", "文化传媒", "文化", "书店", "图书", "健身", "体育", "汽车租赁", "汽车维修",
    "汽车服务", "物流", "运输", "货运", "咨询", "管理咨询", "建筑", "装饰", "家政服务", "广告",
    "教育咨询", "食品", "服装", "五金", "电子", "机械", "设备", "印刷", "旅游", "房地产经纪",
)
FORBIDDEN_WORDS = (
    "中国", "中华", "全国", "国家", "国际", "中央", "国务院", "第一", "最高", "顶级", "特级",
    "赌", "博彩", "色情", "迷信", "党", "军", "警",
)


def enterprise_name(value: Any, answers: Mapping[str, Any] | None = None) -> str:
    """Check 行政区划 + 字号 (≥ 2 汉字) + 行业 + 组织形式 and the forbidden words.

    The region may lead the name or stand in brackets after the 字号 (鑫源（大连）商贸有限公司).
    ``answers['org_form']`` set to ``sole`` forbids 有限 and 公司 (个人独资企业).
    """
    name = _text(value).replace("(", "（").replace(")", "）")
    if not name:
        raise _fail("enterprise_name", "empty")
    if re.search(r"[A-Za-z0-9]", name):
        raise _fail("enterprise_name", "latin")
    for word in FORBIDDEN_WORDS:
        if word in name:
            raise _fail("enterprise_name", "forbidden_word", word=word)
    sole = (answers or {}).get("org_form") == "sole"
    if sole and ("有限" in name or "公司" in name):
        raise _fail("enterprise_name", "sole_no_company")
    forms = ORG_FORMS_SOLE if sole else ORG_FORMS_COMPANY
    form = next((f for f in forms if name.endswith(f)), None)
    if form is None:
        raise _fail("enterprise_name", "form_missing")
    rest = name[: -len(form)]
    bracketed = re.search(r"（(" + "|".join(REGIONS) + r")）", rest)
    region = next((r for r in REGIONS if rest.startswith(r)), None)
    if region:
        rest = rest[len(region) :]
        rest = next((rest[len(r) :] for r in REGIONS if rest.startswith(r)), rest)  # 大连市甘井子区
    elif bracketed:
        rest = rest[: bracketed.start()] + rest[bracketed.end() :]
    else:
        raise _fail("enterprise_name", "region_missing")
    industry = next((i for i in sorted(INDUSTRIES, key=len, reverse=True) if rest.endswith(i)), None)
    if industry is None:
        raise _fail("enterprise_name", "industry_missing")
    trade_name = rest[: -len(industry)]
    if len(_HANZI.findall(trade_name)) < 2 or len(trade_name) != len(_HANZI.findall(trade_name)):
        raise _fail("enterprise_name", "trade_name_short")
    return name


def shareholders(value: Any, answers: Mapping[str, Any] | None = None) -> list[dict[str, str]]:
    """1–50 shareholders; each with name, ID number, contribution (万元) and deadline.

    The contributions must add up to ``enterprise.capital`` and every deadline fall within five
    years of establishment (``enterprise.established`` or today).
    """
    answers = answers or {}
    if not isinstance(value, list) or not value:
        raise _fail("shareholders", "none")
    if len(value) > MAX_SHAREHOLDERS:
        raise _fail("shareholders", "too_many", max=MAX_SHAREHOLDERS)
    start = dt.date.fromisoformat(str(answers.get("enterprise.established") or dt.date.today()))
    limit = _add_years(start, CONTRIBUTION_YEARS)
    result, total, seen = [], Decimal(0), set()
    for index, holder in enumerate(value, start=1):
        if not isinstance(holder, Mapping):
            raise _fail("shareholders", "malformed", n=index)
        name = text(holder.get("name"), {"min_length": 2, "max_length": 40})
        try:
            number = id_number(holder.get("id_number"))
            amount = money(holder.get("amount"))
            deadline = date(holder.get("deadline"))
        except ValidationError as error:
            raise _fail("shareholders", "row_invalid", n=index, cause=error.key) from None
        if number in seen:
            raise _fail("shareholders", "duplicate", n=index)
        seen.add(number)
        if dt.date.fromisoformat(deadline) > limit:
            raise _fail("shareholders", "deadline_too_late", n=index, limit=limit.isoformat())
        total += Decimal(amount)
        result.append({"name": name, "id_number": number, "amount": amount, "deadline": deadline})
    capital = answers.get("enterprise.capital")
    if capital not in (None, "") and total != Decimal(str(capital)):
        raise _fail("shareholders", "sum_mismatch", total=format(total.normalize(), "f"), capital=capital)
    return result


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def choice(value: Any, rules: Mapping[str, Any] | None = None) -> str:
    return _text(value)


# Validators taking the field's rules; the cross-field ones take all answers instead.
BY_TYPE: dict[str, Callable[[Any, Mapping[str, Any]], Any]] = {
    "text": text,
    "address": address,
    "id_number": id_number,
    "uscc": uscc,
    "mobile": mobile,
    "phone": phone,
    "postal_code": postal_code,
    "email": email,
    "money": money,
    "integer": integer,
    "percent": percent,
    "date": date,
    "choice": choice,
    "yesno": choice,
}
CROSS_FIELD: dict[str, Callable[[Any, Mapping[str, Any]], Any]] = {
    "enterprise_name": enterprise_name,
    "shareholders": shareholders,
}
