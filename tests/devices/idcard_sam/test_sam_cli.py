"""``kiosk-provision idcard read|selftest`` against the simulator, as a technician runs them."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hardware import needs_simulator

from devices.idcard.sam_cards import make_card
from identity.idnumber import mask
from provisioning.cli import main


@pytest.fixture(autouse=True)
def _state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_STATE", str(tmp_path))


# Tests that read from a sim:// URL check the generated person or script the SAM.
on_simulator = needs_simulator("idcard")


def expected_number(seed: int, kind: str = "resident") -> str:
    # The simulator's first card for a seed is the first make_card of a Random(seed).
    return make_card(kind, rng=random.Random(seed)).id_number


@on_simulator
def test_read_masks_personal_data_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["idcard", "read", "--url", "sim://idcard?seed=11"]) == 0
    out = capsys.readouterr().out
    number = expected_number(11)
    assert mask(number) in out
    assert number not in out
    assert "none installed (no photo)" in out


@on_simulator
def test_read_json_with_pii(capsys: pytest.CaptureFixture[str]) -> None:
    url = "sim://idcard?seed=12&card=foreign2023&expired=1"
    assert main(["idcard", "read", "--url", url, "--json", "--show-pii"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["card_type"] == "foreign_2023"
    assert view["id_number"] == expected_number(12, "foreign2023")
    assert view["outcome"] == "expired"
    assert view["photo_bytes"] == 1024


@on_simulator
def test_read_uses_the_configured_url(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from kiosk import config as kiosk_config

    config = kiosk_config.Config(kiosk_id="GJZ-24H-09", simulation=True)
    config.devices.idcard = "sim://idcard"
    kiosk_config.save(config, tmp_path)
    assert main(["idcard", "read", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["card_type"] == "resident"


@on_simulator
def test_read_without_a_card_fails_in_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["idcard", "read", "--url", "sim://idcard?card=none"]) == 10
    err = capsys.readouterr().err
    assert "No card on the reader" in err


def test_absent_reader(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["idcard", "read", "--url", "/dev/ttyIDCARD-missing"]) == 10
    assert "not connected" in capsys.readouterr().err


def test_bad_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["idcard", "selftest", "--url", "sim://idcard?fault=explode"]) == 10
    err = capsys.readouterr().err
    assert "URL is not usable" in err and "explode" in err


@on_simulator
def test_selftest_with_a_card(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["idcard", "selftest", "--url", "sim://idcard?seed=13"]) == 0
    out = capsys.readouterr().out
    assert "SAM status      ok" in out
    assert "SAM ID          05.02-" in out
    assert "wire time" in out and "passed" in out


@on_simulator
def test_selftest_without_a_card(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["idcard", "selftest", "--url", "sim://idcard?card=none"]) == 0
    assert "place a card" in capsys.readouterr().out
    assert main(["idcard", "selftest", "--url", "sim://idcard?card=none", "--require-card"]) == 10


@on_simulator
def test_selftest_reports_a_broken_sam(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["idcard", "selftest", "--url", "sim://idcard?fault=status&code=60"]) == 10
    assert "self-test" in capsys.readouterr().err


def test_help_lists_the_actions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["idcard", "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "read" in out and "selftest" in out and "sim://idcard" in out
