"""``kiosk-provision sscard list|read`` against real pcscd and the virtual card."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from devices.pcsc.testbed import Testbed
from devices.pcsc.virtual_card import Faults, VirtualSscard
from identity import idnumber
from provisioning.cli import main

pytestmark = pytest.mark.pcscd


def test_list_shows_reader_and_atr(
    testbed: Testbed, make_card: Callable[..., VirtualSscard], capsys
) -> None:
    testbed.insert(make_card())
    assert main(["sscard", "list", "--json"]) == 0
    rows = {row["reader"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows[testbed.reader]["card"] is True
    assert rows[testbed.reader]["atr"] == "3B 95 13 81 01 80 73 FF 01 00 0B"
    assert main(["sscard", "list"]) == 0
    assert f"{testbed.reader}\tcard  ATR 3B 95" in capsys.readouterr().out


def test_read_masks_personal_data_by_default(
    testbed: Testbed, make_card: Callable[..., VirtualSscard], person: idnumber.TestPerson, capsys
) -> None:
    testbed.insert(make_card(person))
    assert main(["sscard", "read", "--url", testbed.url, "--json"]) == 0
    out = capsys.readouterr().out
    shown = json.loads(out)
    assert shown["id_number"] == idnumber.mask(person.id_number)
    assert person.id_number not in out
    assert person.name not in out and shown["name"].startswith(person.name[0])
    assert person.birth.isoformat() not in out
    assert shown["spec_version"] == "3.00"

    assert main(["sscard", "read", "--url", testbed.url, "--show-pii"]) == 0
    out = capsys.readouterr().out
    assert person.id_number in out and person.name in out


def test_read_errors_have_messages_and_exit_codes(
    testbed: Testbed, make_card: Callable[..., VirtualSscard], capsys
) -> None:
    assert main(["sscard", "read", "--url", testbed.url]) == 10
    assert "Please insert your social security card" in capsys.readouterr().err
    assert main(["sscard", "read", "--url", "pcsc://Nothing Like This"]) == 10
    assert "No matching smart-card reader" in capsys.readouterr().err
    assert main(["sscard", "read", "--url", "usb://x"]) == 10
    assert "reader address" in capsys.readouterr().err
    testbed.insert(make_card(faults=Faults(not_sscard=True)))
    assert main(["sscard", "read", "--url", testbed.url]) == 10
    assert "not a social security card" in capsys.readouterr().err
