"""Scripted cards for the SAM simulator: generated people on every card type, never real ones.

Numbers carry valid check digits (``generate_person`` and :func:`idnumber.check_digit`) unless
a card is asked for with ``bad_check``. The photo is 1024 random bytes: on a real card it is
encrypted WLT data, so random bytes are an honest stand-in; nothing ever decodes them into a
picture.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from devices.idcard import text_block
from identity.idnumber import check_digit, generate_person
from identity.record import CardType

CARD_KINDS: dict[str, CardType] = {
    "resident": CardType.RESIDENT,
    "hmt": CardType.HMT_RESIDENCE,
    "foreign2017": CardType.FOREIGN_2017,
    "foreign2023": CardType.FOREIGN_2023,
}

_STREETS = ("黄河路", "华北路", "椒金山街", "泉水路", "红旗西路", "虹港路", "中华路")
_GIVEN_EN = ("ALEX", "MARIA", "SAMUEL", "NOOR", "IVAN", "ANNA", "LUCAS", "EMMA")
_FAMILY_EN = ("TESTER", "SAMPLEFIELD", "EXAMPLEWOOD", "DEMOSTONE", "MOCKINGTON")
# (alpha-3, numeric) GB/T 2659 codes of a few countries.
_COUNTRIES = (("CAN", "124"), ("DEU", "276"), ("KOR", "410"), ("PAK", "586"), ("BRA", "076"))
_HMT_REGIONS = (("810000", "H"), ("820000", "M"), ("830000", ""))


@dataclass
class SimCard:
    """What the simulated reader returns for one card."""

    card_type: CardType
    text: bytes  # the 256-byte text block
    photo: bytes  # 1024 bytes
    fingerprint: bytes | None = None  # 1024 bytes when the card holds fingerprints
    appended_address: str | None = None
    iin: bytes = b"\0\0\0\0"
    serial_number: bytes = b"\0" * 8

    @property
    def id_number(self) -> str:
        return text_block.parse(self.text).id_number


def _with_check(first17: str, bad: bool) -> str:
    digit = check_digit(first17)
    if bad:
        digit = "0" if digit != "0" else "1"
    return first17 + digit


def _validity(today: dt.date, expired: bool, long_term: bool) -> tuple[str, str]:
    if expired:
        until = today - dt.timedelta(days=40)
        start = until.replace(year=until.year - 10)
        return f"{start:%Y%m%d}", f"{until:%Y%m%d}"
    start = today.replace(day=1) - dt.timedelta(days=700)
    if long_term:
        return f"{start:%Y%m%d}", text_block.LONG_TERM
    return f"{start:%Y%m%d}", f"{start.replace(year=start.year + 20):%Y%m%d}"


def make_card(
    kind: str = "resident",
    *,
    rng: random.Random | None = None,
    expired: bool = False,
    long_term: bool = False,
    bad_check: bool = False,
    appended_address: bool = False,
    fingerprint: bool = False,
    today: dt.date | None = None,
) -> SimCard:
    """A card of ``kind`` (a key of :data:`CARD_KINDS`) for a freshly generated person."""
    if kind not in CARD_KINDS:
        raise ValueError(f"unknown card kind {kind!r}; one of {', '.join(CARD_KINDS)}")
    rng = rng or random.Random()
    today = today or dt.date.today()
    card_type = CARD_KINDS[kind]
    person = generate_person(rng)
    born = f"{person.birth:%Y%m%d}"
    valid_from, valid_until = _validity(today, expired, long_term)
    seq = f"{rng.randrange(0, 1000):03d}"
    address = f"辽宁省大连市甘井子区{rng.choice(_STREETS)}{rng.randrange(1, 300)}号"
    english = f"{rng.choice(_FAMILY_EN)}, {rng.choice(_GIVEN_EN)} {rng.choice(_GIVEN_EN)}"
    alpha3, numeric = rng.choice(_COUNTRIES)
    values: dict[str, str]
    if card_type is CardType.RESIDENT:
        number = person.id_number if not bad_check else _with_check(person.id_number[:17], True)
        values = {
            "name": person.name, "sex": person.sex, "nation": rng.choice(("01", "01", "03", "11")),
            "birth": born, "address": address, "id_number": number,
            "issuer": "大连市公安局甘井子分局", "valid_from": valid_from, "valid_until": valid_until,
        }  # fmt: skip
    elif card_type is CardType.HMT_RESIDENCE:
        region, prefix = rng.choice(_HMT_REGIONS)
        number = _with_check(f"{region}{born}{seq}", bad_check)
        values = {
            "name": person.name, "sex": person.sex, "birth": born, "address": address,
            "id_number": number, "issuer": "大连市公安局", "valid_from": valid_from,
            "valid_until": valid_until,
            "pass_number": f"{prefix}{rng.randrange(10**7, 10**8)}", "issue_count": "01",
        }  # fmt: skip
    elif card_type is CardType.FOREIGN_2017:
        number = f"{alpha3}21{person.birth:%y%m%d}{seq}{rng.randrange(10)}"
        if bad_check:
            number = number[:-1] + "X"  # breaks the 3-letters-12-digits shape
        values = {
            "english_name": english, "sex": person.sex, "id_number": number,
            "nationality": alpha3, "name": person.name, "valid_from": valid_from,
            "valid_until": valid_until, "birth": born, "card_version": "01",
            "authority_code": "2102",
        }  # fmt: skip
    else:
        number = _with_check(f"921{numeric}{born}{seq}", bad_check)
        values = {
            "name": person.name, "sex": person.sex, "renewal_count": "00", "birth": born,
            "english_name": english, "id_number": number, "issuer": "国家移民管理局",
            "valid_from": valid_from, "valid_until": valid_until, "nationality": numeric,
            "old_number_link": "",
        }  # fmt: skip
    latest = None
    if appended_address:
        latest = f"辽宁省大连市甘井子区{rng.choice(_STREETS)}{rng.randrange(300, 600)}号"
    return SimCard(
        card_type=card_type,
        text=text_block.build(card_type, values),
        photo=rng.randbytes(1024),
        fingerprint=rng.randbytes(1024) if fingerprint else None,
        appended_address=latest,
        serial_number=rng.randbytes(8),
    )
