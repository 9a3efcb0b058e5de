"""Unit tests without pcscd: TLV layout, record building, URLs, error mapping, the card applet."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import smartcard.scard as scard

from devices.pcsc.errors import (
    ABSENT,
    DEGRADED,
    CardDataError,
    CardRemoved,
    NoCard,
    PcscServiceUnavailable,
    ReaderFault,
    ReaderNotFound,
    error_for,
    status_for,
)
from devices.pcsc.reader import _with_le
from devices.pcsc.sscard import to_record
from devices.pcsc.sscard_layout import (
    EF05_FIELDS,
    EF06_FIELDS,
    SSSE_AID,
    LayoutError,
    decode_value,
    iter_tlv,
    parse_date,
    parse_record,
)
from devices.pcsc.url import BadPcscUrl, parse_pcsc_url, pick_reader
from devices.pcsc.virtual_card import Faults, SscardContent, VirtualSscard
from identity.idnumber import check_digit, generate_person
from identity.record import CardType

FIELD = {f.name: f for f in EF05_FIELDS + EF06_FIELDS}


def test_ssse_aid_is_sx1_sh_shehuibaozhang_in_gbk() -> None:
    assert b"sx1.sh." + "社会保障".encode("gbk") == SSSE_AID


def test_records_from_a_real_reader_log_decode() -> None:
    # Bytes as logged by S39 (Evolis Z390 debug output) for 卡识别码 and 规范版本.
    card_id = bytes.fromhex("0110330300D15600000599110145FFFFFFFF")
    version = bytes.fromhex("0304332E3030")
    assert parse_record(FIELD["card_id"], card_id) == "330300D15600000599110145FFFFFFFF"
    assert parse_record(FIELD["spec_version"], version) == "3.00"


def test_gbk_name_padding_is_stripped() -> None:
    raw = "欧阳娜娜".encode("gbk").ljust(30, b"\x00")
    assert decode_value(FIELD["name"], raw) == "欧阳娜娜"
    assert decode_value(FIELD["name"], "张伟".encode("gbk").ljust(30, b" ")) == "张伟"


def test_wrong_tag_and_truncation_are_layout_errors() -> None:
    with pytest.raises(LayoutError, match="expected tag 08"):
        parse_record(FIELD["id_number"], bytes.fromhex("0902AABB"))
    with pytest.raises(LayoutError, match="wants 18 bytes"):
        list(iter_tlv(bytes.fromhex("0812") + b"1234"))
    with pytest.raises(LayoutError, match="not BCD"):
        decode_value(FIELD["birth_date"], bytes.fromhex("1990AB01"))


def test_dates() -> None:
    assert parse_date("20240229") == dt.date(2024, 2, 29)
    assert parse_date("00000000") is None
    with pytest.raises(LayoutError):
        parse_date("20230229")


def _values(person_seed: int = 1) -> tuple[dict[str, str], dict[str, str]]:
    person = generate_person(random.Random(person_seed))
    values = SscardContent.for_person(person, random.Random(person_seed)).values
    ef05 = {f.name: values[f.name] for f in EF05_FIELDS}
    ef06 = {f.name: values[f.name] for f in EF06_FIELDS}
    return ef05, ef06


def test_to_record_maps_every_field() -> None:
    ef05, ef06 = _values()
    record = to_record(ef05, ef06)
    assert record.card_type is CardType.SOCIAL_SECURITY
    assert record.id_number == ef06["id_number"]
    assert record.name == ef06["name"]
    assert record.sex == ("男" if ef06["sex"] == "1" else "女")
    assert record.nation == "汉"
    assert record.birth_date == dt.date.fromisoformat(
        f"{ef06['birth_date'][:4]}-{ef06['birth_date'][4:6]}-{ef06['birth_date'][6:]}"
    )
    assert record.valid_until is not None and record.valid_from is not None
    assert record.valid_until > record.valid_from
    assert record.extra["card_number"] == ef05["card_number"]
    assert record.extra["region_code"] == ef06["id_number"][:6]


def test_to_record_refuses_a_bad_check_digit() -> None:
    ef05, ef06 = _values()
    good = ef06["id_number"]
    wrong = next(c for c in "0123456789X" if c != check_digit(good[:17]))
    ef06["id_number"] = good[:17] + wrong
    with pytest.raises(CardDataError) as caught:
        to_record(ef05, ef06)
    assert caught.value.params["reason"] == "check_digit"
    assert caught.value.key == "pcsc.sscard.bad_data"


def test_to_record_refuses_a_birth_date_that_contradicts_the_number() -> None:
    ef05, ef06 = _values()
    ef06["birth_date"] = "19000101"
    with pytest.raises(CardDataError, match="出生日期"):
        to_record(ef05, ef06)


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("pcsc://", None),
        ("pcsc://Virtual PCD 00 00", "Virtual PCD 00 00"),
        ("pcsc://Virtual%20PCD%2000%2001", "Virtual PCD 00 01"),
        ("PCSC://acr122/", "acr122"),
    ],
)
def test_parse_pcsc_url(url: str, hint: str | None) -> None:
    assert parse_pcsc_url(url) == hint


def test_bad_url_and_reader_picking() -> None:
    with pytest.raises(BadPcscUrl):
        parse_pcsc_url("serial:///dev/ttyUSB0")
    names = ["ACS ACR122U PICC Interface 00 00", "Virtual PCD 00 00"]
    assert pick_reader(None, names) == names[0]
    assert pick_reader("virtual pcd", names) == names[1]
    with pytest.raises(ReaderNotFound, match="no reader matches"):
        pick_reader("Feitian", names)
    with pytest.raises(ReaderNotFound):
        pick_reader(None, [])


@pytest.mark.parametrize(
    ("code", "cls", "state"),
    [
        (scard.SCARD_E_NO_SERVICE, PcscServiceUnavailable, ABSENT),
        (scard.SCARD_E_NO_READERS_AVAILABLE, ReaderNotFound, ABSENT),
        (scard.SCARD_W_REMOVED_CARD, CardRemoved, DEGRADED),
        (scard.SCARD_E_NO_SMARTCARD, NoCard, "ok"),
        (scard.SCARD_F_COMM_ERROR, ReaderFault, "fault"),
    ],
)
def test_error_codes_become_typed_errors_and_states(code: int, cls: type, state: str) -> None:
    error = error_for(code, "doing something")
    assert type(error) is cls
    assert f"0x{code:08X}" in error.detail
    assert status_for(error).state == state
    assert error.exit_code == 10


def test_with_le_for_each_apdu_case() -> None:
    assert _with_le(bytes.fromhex("00B20104"), 0x12) == bytes.fromhex("00B2010412")
    assert _with_le(bytes.fromhex("00B2010400"), 0x12) == bytes.fromhex("00B2010412")
    assert _with_le(bytes.fromhex("00A4020002EF05"), 0x10) == bytes.fromhex("00A4020002EF0510")
    assert _with_le(bytes.fromhex("00A4020002EF0500"), 0x10) == bytes.fromhex("00A4020002EF0510")


def _selected(card: VirtualSscard, ef: str) -> None:
    assert card.answer(bytes.fromhex("00A4040C0F") + SSSE_AID).hex() == "9000"
    assert card.answer(bytes.fromhex("00A4020002") + bytes.fromhex(ef)).hex() == "9000"


def test_virtual_card_applet_answers() -> None:
    card = VirtualSscard(SscardContent.for_person(generate_person(random.Random(3))))
    assert card.answer(bytes.fromhex("00B2010400")).hex() == "6986"  # no EF selected
    assert card.answer(bytes.fromhex("00A404000F") + b"x" * 15).hex() == "6a82"
    _selected(card, "EF06")
    assert card.answer(bytes.fromhex("00B2010400")).hex() == "6c14"  # 08 12 + 18 digits
    by_number = card.answer(bytes.fromhex("00B2010414"))
    by_tag = card.answer(bytes.fromhex("00B2080014"))
    assert by_number == by_tag and by_number[:2] == b"\x08\x12" and by_number[-2:] == b"\x90\x00"
    assert card.answer(bytes.fromhex("00B2070400")).hex() == "6a83"
    assert card.answer(bytes.fromhex("80CA000000")).hex() == "6e00"


def test_virtual_card_faults_not_sscard_and_pin() -> None:
    card = VirtualSscard(faults=Faults(not_sscard=True))
    assert card.answer(bytes.fromhex("00A4040C0F") + SSSE_AID).hex() == "6a82"
    card = VirtualSscard(faults=Faults(pin_required=True))
    _selected(card, "EF06")
    assert card.answer(bytes.fromhex("00B2010414")).hex() == "6982"
    _selected(card, "EF05")
    assert card.answer(bytes.fromhex("00B2010412"))[-2:].hex() == "9000"
