"""The driver against the pty simulator: real bytes on a real pty, every card type, every fault."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hardware import needs_simulator

from devices.idcard import errors
from devices.idcard.factory import make_reader, open_reader
from devices.idcard.sam_frames import Command
from devices.idcard.sam_reader import SamReader, format_sam_id
from devices.idcard.sam_simulator import SamSimulator, parse_sim_url
from devices.idcard.sam_status import ERROR_CODES
from identity.record import CardType

Make = Callable[..., SamReader]


@pytest.mark.parametrize(
    ("kind", "card_type"),
    [
        ("resident", CardType.RESIDENT),
        ("hmt", CardType.HMT_RESIDENCE),
        ("foreign2017", CardType.FOREIGN_2017),
        ("foreign2023", CardType.FOREIGN_2023),
    ],
)
def test_reads_every_card_type(sim_reader: Make, kind: str, card_type: CardType) -> None:
    reader = sim_reader(f"card={kind}")
    expected = reader.simulator.card
    record = reader.read_card()
    assert record.card_type is card_type
    assert record.id_number == expected.id_number
    assert record.photo_wlt == expected.photo and len(record.photo_wlt) == 1024
    assert record.fingerprint is None
    assert reader.simulator.requests == [
        Command.FIND_CARD, Command.SELECT_CARD, Command.READ_BASE, Command.READ_APPENDED_ADDRESS,
    ]  # fmt: skip


def test_fingerprint_read_uses_30_10(sim_reader: Make) -> None:
    reader = sim_reader("card=resident&fingerprint=1")
    record = reader.read_card(fingerprint=True, appended_address=False)
    assert record.fingerprint == reader.simulator.card.fingerprint
    assert len(record.fingerprint or b"") == 1024
    assert reader.simulator.requests[-1] is Command.READ_BASE_FINGERPRINT


def test_fingerprint_read_of_a_card_without_fingerprints(sim_reader: Make) -> None:
    reader = sim_reader("card=resident")
    assert reader.read_card(fingerprint=True).fingerprint is None


def test_appended_address_replaces_the_printed_one(sim_reader: Make) -> None:
    reader = sim_reader("card=resident&address=1")
    record = reader.read_card()
    assert record.address == reader.simulator.card.appended_address
    assert record.extra["printed_address"] != record.address


def test_no_appended_address_is_none(sim_reader: Make) -> None:
    reader = sim_reader("card=resident")
    reader.find_card()
    assert reader.read_appended_address() is None


def test_sam_id_status_and_reset(sim_reader: Make) -> None:
    reader = sim_reader()
    reader.sam_status()
    reader.reset_sam()
    assert reader.sam_id() == format_sam_id(reader.simulator.sam_id)
    # 16 bytes: b0=05, b2=02, then three little-endian uint32
    raw = bytes.fromhex("05 00 02 00 01 00 00 00 02 00 00 00 ff ff ff ff")
    assert format_sam_id(raw) == "05.02-1-000000002-4294967295"


def test_no_card(sim_reader: Make) -> None:
    reader = sim_reader("card=none")
    with pytest.raises(errors.NoCard) as caught:
        reader.read_card()
    assert caught.value.key == "idcard.sw3.80"
    assert not reader.card_present()
    reader.simulator.place_card("hmt")
    assert reader.card_present()
    assert reader.read_card().card_type is CardType.HMT_RESIDENCE


@pytest.mark.parametrize("code", ERROR_CODES)
def test_each_sw3_error_code_becomes_its_typed_error(sim_reader: Make, code: int) -> None:
    reader = sim_reader(f"fault=status&code={code:02x}")
    with pytest.raises(errors.SamStatusError) as caught:
        reader.read_card()
    assert caught.value.sw3 == code
    assert caught.value.key == f"idcard.sw3.{code:02x}"


def test_sam_self_test_failure_shows_in_status(sim_reader: Make) -> None:
    reader = sim_reader("fault=status&code=60")
    with pytest.raises(errors.SamFault):
        reader.sam_status()


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("checksum", errors.FrameChecksumError),
        ("truncated", errors.FrameTruncated),
        ("oversized", errors.FrameTooLong),
        ("mute", errors.ReaderTimeout),
        ("slow&delay=2", errors.ReaderTimeout),
        ("unplug", errors.ReaderAbsent),
    ],
)
def test_transport_faults_raise_the_drivers_errors(
    sim_reader: Make, fault: str, error: type
) -> None:
    reader = sim_reader(f"fault={fault}")
    with pytest.raises(error):
        reader.read_card()


def test_garbage_before_the_reply_is_skipped(sim_reader: Make) -> None:
    reader = sim_reader("fault=garbage&on=any")
    assert reader.read_card().id_number == reader.simulator.card.id_number


def test_slow_sam_within_the_timeout_still_reads(sim_reader: Make) -> None:
    reader = sim_reader("fault=slow&delay=0.2")
    assert reader.read_card().id_number == reader.simulator.card.id_number


def test_a_fault_that_fires_once_is_recovered_by_retrying(sim_reader: Make) -> None:
    reader = sim_reader("fault=checksum&count=1")
    with pytest.raises(errors.FrameChecksumError):
        reader.read_card()
    assert reader.read_card().id_number == reader.simulator.card.id_number


def test_unplug_then_replug_at_runtime(sim_reader: Make) -> None:
    reader = sim_reader()
    simulator = reader.simulator
    simulator.unplug()
    assert not os.path.exists(simulator.path)
    with pytest.raises(errors.ReaderAbsent):
        reader.read_card()
    assert not reader.is_open
    with pytest.raises(errors.ReaderAbsent):
        reader.open()
    simulator.replug()
    reader.open()
    assert reader.read_card().id_number == simulator.card.id_number


@needs_simulator("idcard")
def test_the_simulator_answers_a_corrupt_request_with_sw3_10() -> None:
    with SamSimulator(parse_sim_url("sim://idcard?seed=1")) as simulator:
        reader = SamReader(simulator.path).open()
        try:
            port = reader._port
            # find-card with the wrong CHK 21 seen in public code (the right one is 22)
            port.write(bytes.fromhex("aa aa aa 96 69 00 03 20 01 21"))
            port.timeout = 1
            assert port.read(11) == bytes.fromhex("aa aa aa 96 69 00 04 00 00 10 14")
        finally:
            reader.close()


@needs_simulator("idcard")
def test_lower_baud_is_paced_and_still_reads() -> None:
    reader = open_reader("sim://idcard?seed=2&baud=57600")
    try:
        assert reader.baud == 57600
        assert reader.read_card(appended_address=False).id_number == reader.simulator.card.id_number
    finally:
        reader.close()


def test_missing_port_is_absent() -> None:
    with pytest.raises(errors.ReaderAbsent, match="ttyNOPE"):
        open_reader("serial:///dev/ttyNOPE?baud=115200")


@pytest.mark.parametrize(
    "url",
    ["", "sim://idcard?card=passport", "sim://idcard?fault=melt", "sim://idcard?fault=status",
     "sim://idcard?colour=red", "serial:///dev/ttyS0?baud=fast", "/dev/ttyS0?parity=E",
     "nosuch://x", "/dev/ttyS0?baud=12345"],
)  # fmt: skip
def test_bad_urls_are_reported_plainly(url: str) -> None:
    with pytest.raises(errors.ReaderUrlError):
        open_reader(url)


def test_url_forms_pick_path_and_baud() -> None:
    assert (make_reader("serial:///dev/ttyUSB0?baud=9600").url, make_reader("/dev/ttyUSB0").baud) == (
        "/dev/ttyUSB0", 115200,
    )  # fmt: skip
    assert make_reader("/dev/ttyUSB0?baud=38400").baud == 38400
    assert make_reader("loop://").url == "loop://"


def test_loop_url_opens_and_times_out_on_its_own_echo() -> None:
    # loop:// echoes our request; parsed as a reply its length (3) is too short: malformed.
    reader = open_reader("loop://")
    try:
        with pytest.raises(errors.FrameMalformed):
            reader.find_card()
    finally:
        reader.close()
