"""公民身份号码 (GB 11643-1999): check digit, structure, masking, and generated test people.

Used by the card parser, the form validators and the log masking, so the rules live once.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
PATTERN = re.compile(r"[1-9]\d{16}[\dXx]")


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def problem(number: str) -> str | None:
    """Why ``number`` is not a valid ID number, as a message key suffix; None when it is valid.

    Lower-case ``x`` is accepted (callers normalise with :func:`normalise`).
    """
    if len(number) != 18:
        return "length"
    if not PATTERN.fullmatch(number):
        return "characters"
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth_date"
    if birth.year < 1900 or birth > dt.date.today():
        return "birth_date"
    if check_digit(number[:17]) != number[17].upper():
        return "check_digit"
    return None


def normalise(number: str) -> str:
    return number.strip().upper()


def birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex_code(number: str) -> str:
    """'1' male, '2' female, from the parity of the 17th digit (as on the card)."""
    return "1" if int(number[16]) % 2 else "2"


def keep_ends(text: str, start: int = 1, end: int = 0) -> str:
    """``text`` with all but its first ``start`` and last ``end`` characters starred.

    Text no longer than what would be kept is starred whole (nothing of it would be hidden).
    """
    if len(text) <= start + end:
        return "*" * len(text)
    return text[:start] + "*" * (len(text) - start - end) + text[len(text) - end :]


def mask(number: str) -> str:
    """First 3 and last 2 characters kept: enough for a citizen to recognise their own number."""
    return keep_ends(number, 3, 2)


# Real 行政区划代码 of the district and neighbours (public codes, not personal data).
_REGIONS = ("210211", "210202", "210203", "210204", "210212", "210213", "110105", "310115")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


@dataclass(frozen=True)
class TestPerson:
    """A generated person: never a real one, but with a valid check digit."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    id_number: str
    sex: str  # "1" male, "2" female
    birth: dt.date


def generate_person(rng: random.Random | None = None, *, born: dt.date | None = None) -> TestPerson:
    rng = rng or random.Random()
    if born is None:
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
    region = rng.choice(_REGIONS)
    seq = f"{rng.randrange(0, 1000):03d}"
    first17 = f"{region}{born:%Y%m%d}{seq}"
    number = first17 + check_digit(first17)
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    return TestPerson(name=name, id_number=number, sex=sex_code(number), birth=born)
