"""The centre's window commands through the real offscreen window: a screenshot of the screen
as it is (uploaded, shown on the console's Kiosk page), a restart, and both refused while a
citizen is using the kiosk."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image, ImageChops, ImageStat

from central.cli import main
from central.models import KioskScreenshot
from screens import remote

pytestmark = pytest.mark.kivy
API = "/api/v1"


def _queue(central: Any, kiosk_id: str, kind: str) -> str:
    reply = requests.post(f"{central.url}{API}/kiosks/{kiosk_id}/commands", json={"kind": kind},
                          headers={"Authorization": f"Bearer {central.token('admin')}"}, timeout=10)
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def _finished(ui: Any, central: Any, kiosk_id: str, command_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {central.token('viewer')}"}
    found: dict[str, Any] = {}

    def ended() -> bool:
        reply = requests.get(f"{central.url}{API}/kiosks/{kiosk_id}/commands/{command_id}",
                             headers=headers, timeout=10)
        found.update(reply.json())
        return found["state"] in ("done", "failed")

    ui.wait(ended, timeout=30, what=f"the result of {command_id}")
    return found


def _stored(central: Any, command_id: str) -> KioskScreenshot | None:
    with central.state.sessions() as db:
        return db.get(KioskScreenshot, command_id)


def test_a_screenshot_of_the_attract_screen_reaches_the_console(
    ui: Any, central: Any, shots: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kivy.animation import Animation

    kiosk_id = ui.app.kiosk.config.kiosk_id
    saved = tmp_path / "screen.jpg"
    # The attract panel drifts (no burn-in); hold it still so the picture can be compared with
    # the screen drawn after it.
    Animation.cancel_all(ui.app.root.get_screen("attract").ids.panel)
    # The technician's way, while the window runs (the worker needs Kivy's thread to capture).
    argv = ["command", kiosk_id, "screenshot", "--wait", "--timeout", "30", "--out", str(saved),
            "--server", central.url, "--token", central.token("admin")]
    codes: list[int] = []
    waiting = threading.Thread(target=lambda: codes.append(main(argv)), daemon=True)
    waiting.start()
    ui.wait(lambda: not waiting.is_alive(), timeout=40, what="kiosk-central command --wait")
    out = capsys.readouterr().out
    assert codes == [0], out
    command = out.splitlines()[0]
    assert re.search(r"^done .*: uploaded \(attract, \d+ KB\)$", out, re.M), out
    assert f"saved in {saved}" in out and saved.read_bytes()[:2] == b"\xff\xd8"

    # On the console: the Kiosk page shows the picture, and it is the screen as drawn.
    web = requests.Session()
    web.post(central.url + "/console/login", data={"token": central.token("admin")}, timeout=10)
    page = web.get(f"{central.url}/console/kiosks/{kiosk_id}", timeout=10).text
    source = re.search(r'<img class="screenshot" src="([^"]+)"', page)
    assert source is not None and command in source.group(1)
    image = Image.open(io.BytesIO(web.get(central.url + source.group(1), timeout=10).content))
    image.save(shots / "remote-attract-received.jpg")
    assert image.format == "JPEG" and image.size == tuple(int(v) for v in ui.app.root_window.size)
    seen = Image.open(ui.screenshot(shots / "remote-attract.png")).convert("RGB")
    difference = ImageStat.Stat(ImageChops.difference(image.convert("RGB"), seen)).mean
    assert max(difference) < 12, difference  # JPEG noise, no more
    assert max(ImageStat.Stat(image.convert("L")).stddev) > 10  # a drawn screen, not a blank one


def test_screenshot_and_restart_are_refused_while_a_citizen_is_using_the_kiosk(
    ui: Any, central: Any
) -> None:
    app = ui.app
    kiosk_id = app.kiosk.config.kiosk_id
    stops: list[int] = []
    remote.attach(app, stop=lambda: stops.append(1))  # the process's exit, counted instead
    try:
        ui.tap(app.screen("attract").ids.panel)
        ui.wait_screen("home")
        shot, restart = (_queue(central, kiosk_id, kind) for kind in ("screenshot", "restart"))
        for command in (shot, restart):
            result = _finished(ui, central, kiosk_id, command)
            assert (result["state"], result["result"]) == ("failed", "failed: command.visit_running")
        assert _stored(central, shot) is None and app.current == "home" and stops == []

        app.end_visit("test")
        ui.wait_screen("attract")
        restart = _queue(central, kiosk_id, "restart")
        result = _finished(ui, central, kiosk_id, restart)
        assert result["state"] == "done" and result["result"].startswith("restarting")
        ui.wait(lambda: stops == [1], timeout=10, what="the app to be stopped")
    finally:
        remote.attach(app)
