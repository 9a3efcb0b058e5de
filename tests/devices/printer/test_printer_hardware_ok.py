"""What any receipt printer must do, real or simulated: answer DLE EOT, print, stay ready after.

These carry ``hardware_ok``: with ``KIOSK_TEST_PRINTER_URL`` set they use that printer (it
prints one sample 受理回执 with generated data; load paper and close the cover first),
otherwise a TCP simulator through its ``socket://`` URL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hardware import DeviceUnderTest

from devices.printer import status as st
from devices.printer.driver import ReceiptPrinter
from devices.printer.status import raw_of
from kiosk.receipts import build_acceptance_receipt, example_receipt
from provisioning.cli import main

pytestmark = pytest.mark.hardware_ok


def test_status_query_answers(printer_under_test: ReceiptPrinter) -> None:
    status = printer_under_test.status()
    assert status.state in ("ok", "degraded"), f"{status.state} ({status.reason})"
    assert len(raw_of(status)) == 4  # one byte for each of DLE EOT 1..4
    assert st.decode(raw_of(status)) == status
    assert printer_under_test.status().state == status.state  # asking again is harmless


def test_a_receipt_prints_and_the_status_is_ok_after(
    printer_under_test: ReceiptPrinter, printer_device: DeviceUnderTest
) -> None:
    receipt = example_receipt(7)
    result = printer_under_test.print(
        build_acceptance_receipt(receipt, printer_under_test.profile.columns)
    )
    assert result.status.usable, f"{result.status.state} ({result.status.reason})"
    assert result.bytes_sent == len(printer_under_test.last_job or b"") > 500
    after = printer_under_test.status()
    assert after.state in ("ok", "degraded"), f"{after.state} ({after.reason})"
    if not printer_device.on_hardware:
        job = printer_device.simulator.wait_for_jobs(1)[0]
        assert job.complete and job.overflow == []
        assert receipt.reference in "".join(job.lines)


def test_status_command_reports_ready(
    printer_device: DeviceUnderTest,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("KIOSK_STATE", str(tmp_path))
    code = main(["printer", "status", "--url", printer_device.url])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"printer: {printer_device.url}" in out
    assert "state:   ok (printer.ready)" in out or "degraded (printer.paper_near_end)" in out
    assert "DLE EOT 1-4: " in out
