"""The 256-byte text block: every card type's layout, code tables, dates, 长期, outcomes."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from devices.idcard import text_block
from devices.idcard.errors import CardDataError
from devices.idcard.sam_cards import make_card
from identity.idnumber import check_digit, generate_person
from identity.outcome import CardOutcome, assess
from identity.record import CardType

TODAY = dt.date(2025, 6, 1)


def utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def test_resident_block_by_hand() -> None:
    person = generate_person(random.Random(1))
    block = bytearray(utf16(" ") * 128)
    # name at byte 0, e.g. 王伟 = 8B 73 1F 4F
    block[0 : 2 * len(person.name)] = utf16(person.name)
    block[30:32] = utf16(person.sex)  # sex code '1' / '2' = 31 00 / 32 00
    block[32:36] = utf16("03")  # nation code 回
    block[36:52] = utf16(f"{person.birth:%Y%m%d}")
    block[52:64] = utf16("大连市甘井子区")[:12]
    block[122:158] = utf16(person.id_number)
    block[158:170] = utf16("大连市公安局")
    block[188:204] = utf16("20200101")
    block[204:208] = bytes.fromhex("7f 95 1f 67")  # 长期 in UTF-16LE
    record = text_block.parse(bytes(block), photo_wlt=b"\x01" * 1024)
    assert record.card_type is CardType.RESIDENT
    assert record.name == person.name
    assert record.id_number == person.id_number
    assert record.sex == ("男" if person.sex == "1" else "女")
    assert record.nation == "回"
    assert record.birth_date == person.birth
    assert record.address == "大连市甘井子"
    assert record.issuer == "大连市公安局"
    assert record.valid_from == dt.date(2020, 1, 1)
    assert record.valid_until is None  # 长期
    assert record.photo_wlt == b"\x01" * 1024
    assert not record.expired(TODAY)


def test_lower_case_x_is_normalised() -> None:
    first17 = "11010519491231002"
    assert check_digit(first17) == "X"
    block = text_block.build(CardType.RESIDENT, {"name": "测试", "id_number": first17 + "x"})
    assert text_block.parse(block).id_number == first17 + "X"


def test_only_trailing_spaces_are_trimmed() -> None:
    block = text_block.build(
        CardType.FOREIGN_2017,
        {"english_name": "DEMOSTONE, ANNA MARIA", "id_number": "CAN217105080677", "name": ""},
    )
    record = text_block.parse(block)
    assert record.english_name == "DEMOSTONE, ANNA MARIA"
    assert record.name == "DEMOSTONE, ANNA MARIA"  # no Chinese name: the English one


def test_type_flag_sits_at_byte_248() -> None:
    block = text_block.build(CardType.HMT_RESIDENCE, {"id_number": "810000199001010019"})
    assert block[248:250] == utf16("J")
    assert text_block.build(CardType.FOREIGN_2017, {})[248:250] == utf16("I")
    assert text_block.build(CardType.FOREIGN_2023, {})[248:250] == utf16("Y")
    assert text_block.build(CardType.RESIDENT, {})[248:250] == utf16(" ")


@pytest.mark.parametrize("kind", ["resident", "hmt", "foreign2017", "foreign2023"])
def test_generated_cards_round_trip_and_are_valid(kind: str) -> None:
    card = make_card(kind, rng=random.Random(kind), today=TODAY)
    record = text_block.parse(card.text, card.photo)
    assert record.card_type is card.card_type
    assert record.name and record.id_number and record.birth_date
    assert record.sex in ("男", "女")
    assert assess(record, TODAY) is CardOutcome.OK


def test_hmt_fields() -> None:
    card = make_card("hmt", rng=random.Random(3), today=TODAY)
    record = text_block.parse(card.text)
    assert record.id_number[:2] in ("81", "82", "83")
    assert record.extra["issue_count"] == "01"
    assert record.extra["pass_number"]
    assert record.nation == ""


def test_foreign_2017_fields() -> None:
    card = make_card("foreign2017", rng=random.Random(4), today=TODAY)
    record = text_block.parse(card.text)
    assert record.id_number[:3].isalpha() and record.id_number[3:].isdigit()
    assert record.nation == record.id_number[:3]  # 3-letter nationality
    assert record.english_name
    assert record.extra["card_version"] == "01"


def test_foreign_2023_long_english_name_spans_both_slots() -> None:
    english = "EXAMPLEWOOD-MOCKINGTON, ALEXANDRA MARIA NOOR"  # 44 characters
    number = "921586198001010028"
    block = text_block.build(
        CardType.FOREIGN_2023,
        {"name": "测试", "english_name": english, "id_number": number, "nationality": "586"},
    )
    record = text_block.parse(block)
    assert record.english_name == english
    assert record.nation == "586"
    assert record.id_number == number


def test_expired_card_is_a_record_with_an_expired_outcome() -> None:
    card = make_card("resident", rng=random.Random(5), expired=True, today=TODAY)
    record = text_block.parse(card.text)
    assert record.expired(TODAY)
    assert assess(record, TODAY) is CardOutcome.EXPIRED
    assert CardOutcome.EXPIRED.key == "idcard.outcome.expired"


def test_long_term_card_never_expires() -> None:
    card = make_card("resident", rng=random.Random(6), long_term=True, today=TODAY)
    record = text_block.parse(card.text)
    assert record.valid_until is None
    assert assess(record, dt.date(2090, 1, 1)) is CardOutcome.OK


@pytest.mark.parametrize("kind", ["resident", "hmt", "foreign2017", "foreign2023"])
def test_bad_check_digit_is_an_invalid_number_outcome(kind: str) -> None:
    card = make_card(kind, rng=random.Random(7), bad_check=True, expired=True, today=TODAY)
    record = text_block.parse(card.text)
    assert assess(record, TODAY) is CardOutcome.INVALID_NUMBER  # outranks expiry


def test_unknown_codes_are_kept_not_invented() -> None:
    block = text_block.build(
        CardType.RESIDENT,
        {"name": "测试", "id_number": "11010519491231002X", "sex": "7", "nation": "77"},
    )
    record = text_block.parse(block)
    assert record.sex == ""
    assert record.extra["sex_code"] == "7"
    assert record.nation == "77"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"birth": "19491332"}, "not a date"),
        ({"valid_until": "2030-1-1"}, "not YYYYMMDD"),
        ({"id_number": ""}, "no ID number"),
    ],
)
def test_bad_blocks_raise_card_data_error(change: dict[str, str], message: str) -> None:
    values = {"name": "测试", "id_number": "11010519491231002X"} | change
    with pytest.raises(CardDataError, match=message):
        text_block.parse(text_block.build(CardType.RESIDENT, values))


def test_unknown_type_flag_and_wrong_size() -> None:
    block = bytearray(text_block.build(CardType.RESIDENT, {"id_number": "11010519491231002X"}))
    block[248:250] = utf16("Q")
    with pytest.raises(CardDataError, match="type flag"):
        text_block.parse(bytes(block))
    with pytest.raises(CardDataError, match="255 bytes"):
        text_block.parse(bytes(block[:255]))


def test_record_repr_and_wipe_hold_no_personal_data() -> None:
    card = make_card("resident", rng=random.Random(8), fingerprint=True, today=TODAY)
    record = text_block.parse(card.text, card.photo)
    record.fingerprint = card.fingerprint
    assert record.name not in repr(record) and record.id_number not in repr(record)
    record.wipe()
    assert record.photo_wlt is None and record.fingerprint is None and record.name == ""
