"""What any SAM_V reader must do, real or simulated: frames, SAM status and ID, a card read.

These carry ``hardware_ok``: with ``KIOSK_TEST_IDCARD_URL`` set they talk to that reader (put
any genuine ID card on it first), otherwise to the pty simulator through a ``serial://`` URL.
Assertions never show personal data: on a failure only booleans and masked values appear.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hardware import DeviceUnderTest

from devices.idcard import errors
from devices.idcard.sam_frames import Command, FrameDecoder, Response, encode_response
from devices.idcard.sam_reader import SamReader
from devices.idcard.sam_status import STATUS, Sw3
from identity.idnumber import mask
from identity.outcome import CardOutcome, assess, number_problem
from identity.record import CardType
from provisioning.cli import main

pytestmark = pytest.mark.hardware_ok

SAM_ID = re.compile(r"\d{2,3}\.\d{2,3}-\d+-\d{9,10}-\d{9,10}")
PLACE_A_CARD = "no card on the reader: lay an ID card on it and run again"


def test_frames_round_trip(idcard_reader: SamReader) -> None:
    sent = idcard_reader.bytes_exchanged
    reply = idcard_reader.transact(Command.SAM_STATUS)
    assert reply.sw3 == Sw3.OK
    assert idcard_reader.bytes_exchanged - sent == 10 + 11  # request frame + a data-less reply
    # The decoded reply encodes back to a frame that decodes to the same reply.
    decoder = FrameDecoder()
    decoder.feed(encode_response(reply.sw3, reply.data, sw1=reply.sw1, sw2=reply.sw2))
    assert Response.from_body(decoder.next_body() or b"") == reply
    find = idcard_reader.transact(Command.FIND_CARD)
    assert find.sw3 in STATUS and find.sw3 in (Sw3.FIND_OK, Sw3.NO_CARD)


def test_sam_answers_its_status_and_id(idcard_reader: SamReader) -> None:
    idcard_reader.sam_status()
    sam_id = idcard_reader.sam_id()
    assert SAM_ID.fullmatch(sam_id), sam_id
    assert idcard_reader.sam_id() == sam_id  # the same SAM answers the same ID twice


def test_a_read_is_a_well_formed_record(
    idcard_reader: SamReader, idcard_device: DeviceUnderTest
) -> None:
    try:
        record = idcard_reader.read_card()
    except errors.NoCard:
        pytest.fail(PLACE_A_CARD)
    try:
        assert isinstance(record.card_type, CardType)
        assert record.card_type is not CardType.SOCIAL_SECURITY
        problem = number_problem(record)
        assert problem is None, (
            f"{record.card_type.value} number {mask(record.id_number)}: {problem}"
        )
        has_name = bool(record.name.strip() or record.english_name.strip())
        assert has_name
        assert record.valid_from is not None
        assert len(record.photo_wlt or b"") == 1024
        assert assess(record) is not CardOutcome.INVALID_NUMBER
        if not idcard_device.on_hardware:
            same = record.id_number == idcard_device.simulator.card.id_number
            assert same
    finally:
        record.wipe()


def test_selftest_command_passes(
    idcard_device: DeviceUnderTest,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("KIOSK_STATE", str(tmp_path))
    code = main(["idcard", "selftest", "--url", idcard_device.url, "--require-card"])
    captured = capsys.readouterr()
    assert code == 0, PLACE_A_CARD if "No card" in captured.err else captured.err
    assert "SAM status      ok" in captured.out
    assert "selftest        passed" in captured.out
