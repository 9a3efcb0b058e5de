"""The hardware switch without hardware: KIOSK_TEST_SSCARD_URL at the vpcd reader.

To pcscd the vpcd slot is a reader like any USB one, and the virtual card in it is served by
this process, so a pytest run in a subprocess with the variable set behaves as on a kiosk: the
``hardware_ok`` subset reads that card (its APDU log grows) and testbed tests skip.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hardware import needs_simulator, run_pytest

from devices.pcsc.testbed import Testbed
from devices.pcsc.virtual_card import VirtualSscard

pytestmark = [pytest.mark.pcscd, needs_simulator("sscard")]  # set already: it would recurse


def test_hardware_ok_subset_runs_against_the_url(
    testbed: Testbed, make_card: Callable[..., VirtualSscard]
) -> None:
    card = make_card()
    testbed.insert(card)
    done = run_pytest(
        ["-m", "hardware_ok", "tests/devices/pcsc"], {"KIOSK_TEST_SSCARD_URL": testbed.url}
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"hardware: sscard tests use KIOSK_TEST_SSCARD_URL={testbed.url}" in done.stdout
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) >= 4, done.stdout[-2000:]
    # The subprocess selected the social security application on this very card.
    selects = [apdu for apdu in card.apdu_log if apdu[:4] == bytes.fromhex("00A40400")]
    assert selects


def test_testbed_tests_skip_with_the_reason() -> None:
    done = run_pytest(
        ["tests/devices/pcsc/test_pcsc_reader.py", "tests/devices/pcsc/test_pcsc_sscard.py"],
        {"KIOSK_TEST_SSCARD_URL": "pcsc://ACS ACR1281"},
    )
    assert done.returncode == 0, done.stdout[-3000:]
    summary = done.stdout.splitlines()[-1]
    skipped = re.search(r"(\d+) skipped", summary)
    assert skipped and int(skipped.group(1)) >= 15, summary
    assert "needs the simulator (KIOSK_TEST_SSCARD_URL is set" in done.stdout
