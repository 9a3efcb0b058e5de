"""Issue #10's "done when", in one test on SQLite and on PostgreSQL: a scripted citizen walks an
application through the real kiosk screens → the clerk finds it in the console (chromium) by
the receipt's reference → asks for 补正 → the citizen's 办件查询 at the kiosk (receipt QR under
the camera) recaptures what was named and sends it → 受理 → 审批中 → 办结 → 已寄出 with a
tracking number → /track shows it on a phone-sized browser.

The kiosk runs in its own process (chain_kiosk.py: one Kivy window per process, enrolled with
this database's centre) and is told each step over a pipe.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from test_central_console_browser import DESKTOP, PHONE, SHOTS, _act, browser  # noqa: F401  (fixture)

from central.embedded import EmbeddedCentral
from kiosk import config as kiosk_config
from simulation.kiosk_state import prepare_state

pytestmark = [pytest.mark.kivy, pytest.mark.slow]
HERE = Path(__file__).resolve().parent
SCENARIO = "newborn"
MOBILE = "13912345678"
TRACKING = "SF1402298765"


class KioskProcess:
    """chain_kiosk.py on an enrolled state folder; one command line in, one answer line out."""

    def __init__(self, state: Path) -> None:
        env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": str(state / "kivy"),
               "KIVY_LOG_MODE": "PYTHON"}  # Kivy leaves stderr alone: errors reach kiosk.err
        self.log = (state / "kiosk.err").open("w")
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "chain_kiosk.py"), str(state)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, text=True, env=env, cwd=HERE.parents[1],
        )
        self.state = state

    def read(self, expected: str) -> list[str]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        words = line.split()
        if words[:1] != [expected]:
            self.process.kill()
            raise AssertionError(f"kiosk answered {line!r}, not {expected}: "
                                 + (self.state / "kiosk.err").read_text()[-3000:])
        return words[1:]

    def ask(self, line: str, expected: str) -> list[str]:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.read(expected)

    def close(self) -> None:
        if self.process.poll() is None and self.process.stdin is not None:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


@pytest.fixture
def kiosk(central: EmbeddedCentral, tmp_path: Path) -> Iterator[KioskProcess]:
    state = tmp_path / "kiosk"
    state.mkdir()
    prepare_state(state, central, state / "receipts")
    config = kiosk_config.load(state)
    config.devices.camera = "sim://camera?preview=960x540&capture=1080p"  # QR scanning previews
    config.devices.sscard = ""  # no social security card needed: no pcscd to start
    kiosk_config.save(config, state)
    process = KioskProcess(state)
    yield process
    process.close()


def test_kiosk_console_correction_kiosk_mailed_track(
    central: EmbeddedCentral, kiosk: KioskProcess, browser: Browser  # noqa: F811
) -> None:
    started = time.monotonic()
    shots = SHOTS / central.state.engine.dialect.name
    shots.mkdir(parents=True, exist_ok=True)
    (kiosk_id,) = kiosk.read("ready")
    (reference,) = kiosk.ask(f"walk {SCENARIO} {MOBILE}", "submitted")

    # The clerk finds it by the receipt's reference and asks for 补正 of one material.
    page = browser.new_page(viewport=DESKTOP)
    page.goto(central.url + "/console/login")
    page.fill("input[name=token]", central.token("admin"))
    page.click("button[type=submit]")
    page.goto(central.url + "/console/applications")
    page.fill("input[name=reference]", reference)
    page.click("form.filters button[type=submit]")
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.locator("body")).to_contain_text(kiosk_id)
    materials = page.locator(".materials img")
    captured = materials.count()
    assert captured >= 1
    correction = page.locator("form.action[data-status=needs_correction]")
    asked = correction.locator("input[name=materials]").first
    material = asked.get_attribute("value")
    asked.check()
    _act(page, "needs_correction", reason="照片不清楚，请重新拍摄")
    expect(page.locator("h1 .pill")).to_have_text("需补正")

    # The citizen at the kiosk: 办件查询 with the receipt, recaptures only what was named.
    assert kiosk.ask(f"track {reference} {MOBILE[-4:]}", "supplemented") == [material]
    page.reload()
    expect(page.locator("h1 .pill")).to_have_text("已补正")
    expect(materials).to_have_count(captured + 1)

    _act(page, "accepted", reason="材料齐全")
    expect(page.locator("h1 .pill")).to_have_text("已受理")
    _act(page, "in_review")
    expect(page.locator("h1 .pill")).to_have_text("审批中")
    _act(page, "completed")
    expect(page.locator("h1 .pill")).to_have_text("已办结")
    _act(page, "mailed", tracking=TRACKING)
    expect(page.locator("h1 .pill")).to_have_text("已寄出")
    page.screenshot(path=str(shots / "done-when-application-desktop.png"), full_page=True)
    page.close()

    # The citizen's phone, from the receipt's QR.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    track = phone.new_page()
    track.goto(f"{central.url}/track/{reference}")
    track.fill("input[name=phone_last4]", MOBILE[-4:])
    track.click("button[type=submit]")
    expect(track.locator("h1.status")).to_have_text("已寄出")
    expect(track.locator(".tracking")).to_contain_text(TRACKING)
    expect(track.locator(".timeline li")).to_have_count(7)
    assert track.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    track.screenshot(path=str(shots / "done-when-track-phone.png"), full_page=True)
    phone.close()
    print(f"done-when chain on {central.state.engine.dialect.name}: "
          f"{time.monotonic() - started:.1f} s")
