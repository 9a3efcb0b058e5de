"""Reading a (virtual) social security card through real pcscd, and every way it can fail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from devices.pcsc.errors import (
    ABSENT,
    DEGRADED,
    CardDataError,
    CardRemoved,
    NoCard,
    NotSocialSecurityCard,
    PinRequired,
    ReaderNotFound,
    status_for,
)
from devices.pcsc.sscard import open_sscard_reader
from devices.pcsc.testbed import Testbed
from devices.pcsc.virtual_card import Faults, SscardContent, VirtualSscard
from devices.status import DeviceStatus
from identity import idnumber
from identity.record import CardType

pytestmark = pytest.mark.pcscd


def test_read_gives_the_persons_identity_record(
    testbed: Testbed, make_card: Callable[..., VirtualSscard], person: idnumber.TestPerson
) -> None:
    card = make_card(person)
    testbed.insert(card)
    reading = open_sscard_reader(testbed.url).read()
    record = reading.record
    assert record.card_type is CardType.SOCIAL_SECURITY
    assert record.id_number == person.id_number
    assert record.name == person.name
    assert record.sex == {"1": "男", "2": "女"}[person.sex]
    assert record.birth_date == person.birth
    assert record.nation == "汉"
    values = card.content.values
    assert reading.card["spec_version"] == "3.00"
    assert reading.card["card_number"] == values["card_number"]
    assert record.valid_until == dt.datetime.strptime(values["valid_until"], "%Y%m%d").date()
    assert reading.reader == testbed.reader
    assert person.id_number not in repr(record)


def test_first_reader_url_and_lenient_card(
    testbed: Testbed, make_card: Callable[..., VirtualSscard], person: idnumber.TestPerson
) -> None:
    # A T=1-style card: any Le accepted and the FCI returned directly (no 61xx / 6Cxx).
    card = make_card(person, Faults(strict_le=False, fci_via_get_response=False))
    testbed.insert(card)
    assert open_sscard_reader("pcsc://").read().record.id_number == person.id_number
    assert not any(apdu[1] == 0xC0 for apdu in card.apdu_log)  # no GET RESPONSE was needed


def test_get_response_and_resend_with_le(
    testbed: Testbed, make_card: Callable[..., VirtualSscard], person: idnumber.TestPerson
) -> None:
    # Unpadded records are shorter than the layout's Le, so the card answers 6Cxx.
    card = make_card(person, Faults(unpadded=True))
    testbed.insert(card)
    assert open_sscard_reader(testbed.url).read().record.name == person.name
    assert any(apdu[1] == 0xC0 for apdu in card.apdu_log)  # GET RESPONSE after 61xx
    name_reads = [apdu for apdu in card.apdu_log if apdu[:4] == bytes.fromhex("00B20900")]
    assert [apdu[4] for apdu in name_reads] == [32, 2 + len(person.name.encode("gbk"))]


def test_health_follows_the_card(testbed: Testbed, make_card: Callable[..., VirtualSscard]) -> None:
    reader = open_sscard_reader(testbed.url)
    assert reader.health() == DeviceStatus("sscard", "ok", "pcsc.no_card", testbed.reader)
    testbed.insert(make_card())
    assert reader.health() == DeviceStatus("sscard", "ok", "pcsc.card_present", testbed.reader)


def test_no_card(testbed: Testbed) -> None:
    with pytest.raises(NoCard):
        open_sscard_reader(testbed.url).read()


def test_unknown_reader_is_absent(testbed: Testbed) -> None:
    reader = open_sscard_reader("pcsc://No Such Reader 99")
    with pytest.raises(ReaderNotFound):
        reader.read()
    health = reader.health()
    assert (health.state, health.reason) == (ABSENT, "pcsc.no_reader")


# APDU 1 SELECT SSSE, 2 GET RESPONSE, 3 SELECT EF05, 4–10 its records, 11 SELECT EF06, 17 last read
@pytest.mark.parametrize("on_apdu", [1, 4, 11, 17])
def test_card_removed_mid_read(
    testbed: Testbed, make_card: Callable[..., VirtualSscard], on_apdu: int
) -> None:
    card = make_card(faults=Faults(remove_on_apdu=on_apdu))
    testbed.insert(card)
    with pytest.raises(CardRemoved) as caught:
        open_sscard_reader(testbed.url).read()
    assert len(card.apdu_log) == on_apdu
    health = status_for(caught.value)
    assert (health.state, health.reason) == (DEGRADED, "pcsc.card_removed")
    testbed.wait_card(False)
    with pytest.raises(NoCard):
        open_sscard_reader(testbed.url).read()


def test_wrong_aid_is_not_a_social_security_card(
    testbed: Testbed, make_card: Callable[..., VirtualSscard]
) -> None:
    testbed.insert(make_card(faults=Faults(not_sscard=True)))
    with pytest.raises(NotSocialSecurityCard) as caught:
        open_sscard_reader(testbed.url).read()
    assert caught.value.sw == 0x6A82
    assert caught.value.key == "pcsc.sscard.not_sscard"


def test_pin_protected_holder_file(
    testbed: Testbed, make_card: Callable[..., VirtualSscard]
) -> None:
    testbed.insert(make_card(faults=Faults(pin_required=True)))
    with pytest.raises(PinRequired) as caught:
        open_sscard_reader(testbed.url).read()
    assert caught.value.sw == 0x6982


def test_invalid_social_security_number_is_refused(
    testbed: Testbed, make_card: Callable[..., VirtualSscard], person: idnumber.TestPerson
) -> None:
    card = make_card(person)
    good = person.id_number
    card.content = SscardContent(
        {
            **card.content.values,
            "id_number": good[:17] + ("0" if idnumber.check_digit(good[:17]) != "0" else "1"),
        }
    )
    testbed.insert(card)
    with pytest.raises(CardDataError) as caught:
        open_sscard_reader(testbed.url).read()
    assert caught.value.params["reason"] == "check_digit"
