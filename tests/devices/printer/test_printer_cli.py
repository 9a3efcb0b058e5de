"""``kiosk-provision printer test|status`` end to end against the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from hardware import needs_simulator

from kiosk import config as kiosk_config
from provisioning.cli import main


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KIOSK_STATE", str(tmp_path))
    cfg = kiosk_config.Config(kiosk_id="GJZ-24H-09", simulation=True)
    cfg.devices.printer = "sim://printer"  # a kiosk set up for simulation (devices default to none)
    kiosk_config.save(cfg, tmp_path)
    return tmp_path


@needs_simulator("printer")
def test_self_test_page(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["printer", "test", "--url", f"sim://printer?width=58&png_dir={tmp_path}"]) == 0
    out = capsys.readouterr().out
    assert "state:   ok (printer.ready)" in out
    assert "打印机自检页" in out and "GJZ-24H-09" in out and "127.0.0.1" in out
    assert "[QR kiosk:GJZ-24H-09@" in out
    assert (tmp_path / "job-001.png").exists()


@needs_simulator("printer")
@pytest.mark.parametrize(
    ("url", "code", "expected"),
    [
        ("sim://printer", 0, "ok (printer.ready)"),
        ("sim://printer?paper=near_end", 0, "degraded (printer.paper_near_end)"),
        ("sim://printer?paper=out", 10, "fault (printer.paper_out) The printer is out of paper."),
        ("socket://127.0.0.1:9?timeout=1", 10, "absent (printer.absent)"),
    ],
)
def test_status(capsys: pytest.CaptureFixture[str], url: str, code: int, expected: str) -> None:
    assert main(["printer", "status", "--url", url]) == code
    assert expected in capsys.readouterr().out


@needs_simulator("printer")
def test_status_uses_the_configured_url(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    kiosk_config.save(
        kiosk_config.Config(devices=kiosk_config.Devices(printer="sim://printer?cover=open")), state
    )
    assert main(["printer", "status"]) == 10
    assert "printer.cover_open" in capsys.readouterr().out


@needs_simulator("printer")
def test_test_page_on_a_faulty_printer_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printer", "test", "--url", "sim://printer?cover=open"]) == 10
    assert "error: The printer cover is open." in capsys.readouterr().err


def test_bad_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printer", "status", "--url", "lpt://1"]) == 2
    assert "The printer URL is not usable" in capsys.readouterr().err


def test_list_models_comes_from_python_escpos(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printer", "--list-models"]) == 0
    out = capsys.readouterr().out
    assert "receipt printer models in python-escpos's capabilities database" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line[:2] in ("TM", "PO")}
    assert "42 col  512 dots   QR" in rows["TM-T88V"] and rows["TM-T88V"].endswith(" cut")
    assert rows["POS-5890"].endswith("QR as image no cutter")
    assert "customer display" not in out.lower()  # the database's displays are left out


def test_model_is_saved_in_the_printer_url(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    kiosk_config.save(kiosk_config.Config(devices=kiosk_config.Devices(printer="usb://0416:5011?width=58")), state)
    assert main(["printer", "--model", "tm-t88v"]) == 0
    assert kiosk_config.load(state).devices.printer == "usb://0416:5011?width=58&profile=TM-T88V"
    assert "profile: TM-T88V, 32 columns, 384 dots" in capsys.readouterr().out  # width=58 wins


def test_an_unknown_model_is_refused_with_suggestions(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    before = kiosk_config.load(state).devices.printer
    assert main(["printer", "--model", "TM-T88"]) == 2
    assert "did you mean TM-T88II" in capsys.readouterr().err
    assert kiosk_config.load(state).devices.printer == before


@needs_simulator("printer")
def test_model_for_one_action(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sim://printer?png_dir={tmp_path}"
    assert main(["printer", "--model", "POS-5890", "test", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "profile: POS-5890, 32 columns" in out
    assert "[image " in out and "打印机" not in out  # no Chinese font known: hanzi go as images
    assert (tmp_path / "job-001.png").exists()  # the job ended without a cut (no cutter)
