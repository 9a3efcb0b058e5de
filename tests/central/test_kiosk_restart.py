"""``restart`` for real: ``kiosk run`` (its own process, offscreen window, simulated devices) ends
itself cleanly at the centre's command, as systemd (Restart=always) needs, after reporting the
result; a started-again kiosk does not run it twice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from central.embedded import EmbeddedCentral
from kiosk import config as kiosk_config
from simulation.kiosk_state import prepare_state

pytestmark = [pytest.mark.kivy, pytest.mark.slow]


@pytest.fixture
def centre() -> Iterator[EmbeddedCentral]:
    with EmbeddedCentral(heartbeat_seconds=1) as server:
        yield server


def _kiosk_run(state: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KIOSK_STATE": str(state), "SDL_VIDEODRIVER": "offscreen",
           "KIVY_HOME": str(state / "kivy"), "KIVY_LOG_MODE": "PYTHON"}
    env.pop("DISPLAY", None)
    log = (state / "kiosk.err").open("ab")
    return subprocess.Popen([sys.executable, "-m", "screens.cli", "run"], env=env,
                            stdout=log, stderr=log)


def test_restart_ends_kiosk_run_cleanly_after_reporting_the_result(
    centre: EmbeddedCentral, tmp_path: Path
) -> None:
    state = tmp_path / "kiosk"
    state.mkdir()
    config = prepare_state(state, centre, state / "receipts")
    config.devices.sscard = ""
    kiosk_config.save(config, state)
    headers = {"Authorization": f"Bearer {centre.token('admin')}"}
    base = f"{centre.url}/api/v1/kiosks/{config.kiosk_id}/commands"

    first = _kiosk_run(state)
    try:
        command = requests.post(base, json={"kind": "restart"}, headers=headers, timeout=10).json()["id"]
        assert first.wait(timeout=90) == 0, (state / "kiosk.err").read_text()[-3000:]
    finally:
        if first.poll() is None:
            first.kill()
    result = requests.get(f"{base}/{command}", headers=headers, timeout=10).json()
    assert result["state"] == "done" and result["result"].startswith("restarting"), result

    again = _kiosk_run(state)  # what Restart=always does
    try:
        deadline = time.monotonic() + 60
        seen = None
        while time.monotonic() < deadline:
            kiosks = requests.get(f"{centre.url}/api/v1/kiosks", headers=headers, timeout=10).json()
            seen = next(k for k in kiosks if k["kiosk_id"] == config.kiosk_id)["last_heartbeat"]
            if seen and seen > result["done_at"]:
                break
            time.sleep(0.3)
        assert seen and seen > result["done_at"], "the kiosk did not come back"
        time.sleep(3)  # a few beats: the restart is not handed out or run again
        assert again.poll() is None, (state / "kiosk.err").read_text()[-3000:]
    finally:
        again.terminate()
        again.wait(timeout=30)
