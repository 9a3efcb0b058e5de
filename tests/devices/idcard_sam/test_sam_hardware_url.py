"""The hardware switch without hardware: KIOSK_TEST_IDCARD_URL at a simulator's pty.

The pty is a real serial device as far as the driver knows, so a pytest run in a subprocess
with the variable set behaves as on a kiosk: the ``hardware_ok`` subset talks to that port (the
simulator here sees its requests) and the simulator-only tests skip with a reason.
"""

from __future__ import annotations

import re

from hardware import needs_simulator, run_pytest

from devices.idcard.sam_frames import Command
from devices.idcard.sam_simulator import SamSimulator, parse_sim_url

pytestmark = needs_simulator("idcard")  # with the variable already set this would recurse


def test_hardware_ok_subset_runs_against_the_url() -> None:
    with SamSimulator(parse_sim_url("sim://idcard?seed=5&card=hmt")) as simulator:
        url = f"serial://{simulator.path}?baud=115200"
        done = run_pytest(
            ["-m", "hardware_ok", "tests/devices/idcard_sam"], {"KIOSK_TEST_IDCARD_URL": url}
        )
        requests = list(simulator.requests)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"hardware: idcard tests use KIOSK_TEST_IDCARD_URL={url}" in done.stdout
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) >= 4, done.stdout[-2000:]
    assert "skipped" not in done.stdout.splitlines()[-1]
    # The run read this simulator's card through its pty: these requests came from the subprocess.
    assert {Command.SAM_STATUS, Command.SAM_ID, Command.READ_BASE} <= set(requests)


def test_simulator_only_tests_skip_with_the_reason() -> None:
    done = run_pytest(
        ["tests/devices/idcard_sam/test_sam_poller.py", "tests/devices/idcard_sam/test_sam_cli.py"],
        {"KIOSK_TEST_IDCARD_URL": "serial:///dev/ttyKIOSK-TEST-NOPE"},
    )
    assert done.returncode == 0, done.stdout[-3000:]
    summary = done.stdout.splitlines()[-1]
    skipped = re.search(r"(\d+) skipped", summary)
    assert skipped and int(skipped.group(1)) >= 17, summary  # 10 poller + 7 CLI reads
    assert "needs the simulator (KIOSK_TEST_IDCARD_URL is set" in done.stdout
    assert " passed" in summary  # URL parsing, absent reader and --help still run
