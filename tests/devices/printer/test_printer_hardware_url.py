"""The hardware switch without hardware: KIOSK_TEST_PRINTER_URL at a simulator's TCP port.

The TCP simulator is a real ESC/POS peer on a ``socket://`` URL, the way a network printer is,
so a pytest run in a subprocess with the variable set behaves as on a kiosk: the
``hardware_ok`` subset prints there (the simulator records the job) and simulator-only tests
skip with a reason.
"""

from __future__ import annotations

import re

from hardware import needs_simulator, run_pytest

from devices.printer.simulator import PrinterSimulator

pytestmark = needs_simulator("printer")  # with the variable already set this would recurse

DLE_EOT_1 = b"\x10\x04\x01"


def test_hardware_ok_subset_runs_against_the_url() -> None:
    with PrinterSimulator("80") as simulator:
        simulator.start()
        url = simulator.url
        done = run_pytest(
            ["-m", "hardware_ok", "tests/devices/printer"], {"KIOSK_TEST_PRINTER_URL": url}
        )
        jobs = simulator.wait_for_jobs(1)
        received = bytes(simulator.received)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"hardware: printer tests use KIOSK_TEST_PRINTER_URL={url}" in done.stdout
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) >= 3, done.stdout[-2000:]
    # The subprocess printed its receipt here, laid out for this simulator's 80 mm paper.
    assert len(jobs) == 1 and jobs[0].complete and jobs[0].overflow == []
    assert any("SL20240601-000123" in line for line in jobs[0].lines)
    assert received.count(DLE_EOT_1) >= 4


def test_simulator_only_tests_skip_with_the_reason() -> None:
    done = run_pytest(
        ["tests/devices/printer/test_simulator.py", "tests/devices/printer/test_driver_faults.py"],
        {"KIOSK_TEST_PRINTER_URL": "socket://192.0.2.10:9100"},
    )
    assert done.returncode == 0, done.stdout[-3000:]
    summary = done.stdout.splitlines()[-1]
    skipped = re.search(r"(\d+) skipped", summary)
    assert skipped and int(skipped.group(1)) >= 20, summary
    assert "needs the simulator (KIOSK_TEST_PRINTER_URL is set" in done.stdout
    assert " passed" in summary  # bad URLs, sysfs lookup, garbled peer still run
