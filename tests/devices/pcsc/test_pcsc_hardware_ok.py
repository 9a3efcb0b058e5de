"""What any PC/SC reader with a social security card on it must do, real or virtual.

These carry ``hardware_ok``: with ``KIOSK_TEST_SSCARD_URL`` set (``pcsc://<reader name>``) they
use that reader through the kiosk's pcscd (put a social security card on it first), otherwise
the vpcd virtual reader with a generated card. Failures never show personal data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hardware import DeviceUnderTest

from devices.pcsc.reader import PcscContext, list_readers
from devices.pcsc.sscard import open_sscard_reader
from devices.pcsc.url import parse_pcsc_url, pick_reader
from identity.idnumber import problem
from identity.record import CardType
from provisioning.cli import main

pytestmark = pytest.mark.hardware_ok

PLACE_A_CARD = "no card on the reader: insert a social security card and run again"
ATR_TS = (0x3B, 0x3F)  # ISO 7816-3 initial character: direct or inverse convention


def reader_named_by(device: DeviceUnderTest) -> str:
    return pick_reader(parse_pcsc_url(device.url), [r.name for r in list_readers()])


def test_reader_list_contains_the_reader(sscard_device: DeviceUnderTest) -> None:
    name = reader_named_by(sscard_device)
    status = {r.name: r for r in list_readers()}[name]
    assert status.card_present, PLACE_A_CARD
    assert not status.mute
    health = open_sscard_reader(sscard_device.url).health()
    assert (health.state, health.reason, health.detail) == ("ok", "pcsc.card_present", name)


def test_atr_is_read(sscard_device: DeviceUnderTest) -> None:
    name = reader_named_by(sscard_device)
    listed = {r.name: r for r in list_readers()}[name].atr
    with PcscContext() as context, context.connect(name) as connection:
        atr = connection.atr
    assert 2 <= len(atr) <= 33 and atr[0] in ATR_TS, atr.hex(" ")
    assert atr == listed
    if not sscard_device.on_hardware:
        assert atr == sscard_device.simulator.atr


def test_the_card_reads_as_a_valid_identity_record(sscard_device: DeviceUnderTest) -> None:
    reading = open_sscard_reader(sscard_device.url).read()
    record = reading.record
    try:
        assert record.card_type is CardType.SOCIAL_SECURITY
        number_problem = problem(record.id_number)
        assert number_problem is None, f"social security number: {number_problem}"
        has_name = bool(record.name.strip())
        assert has_name
        assert reading.card.get("spec_version"), sorted(reading.card)
        assert reading.reader == reader_named_by(sscard_device)
        if not sscard_device.on_hardware:
            content = sscard_device.simulator.content.values
            same = record.id_number == content["id_number"]
            assert same
    finally:
        record.wipe()


def test_list_command_shows_the_reader_with_its_card(
    sscard_device: DeviceUnderTest,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("KIOSK_STATE", str(tmp_path))
    assert main(["sscard", "list", "--json"]) == 0
    rows = {row["reader"]: row for row in json.loads(capsys.readouterr().out)}
    row = rows[reader_named_by(sscard_device)]
    assert row["card"] is True, PLACE_A_CARD
    assert int(row["atr"].split()[0], 16) in ATR_TS
