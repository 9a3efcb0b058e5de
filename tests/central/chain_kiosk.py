"""A kiosk in its own process for the done-when chain (test_done_when.py), through the real screens.

Kivy opens one window per process, and each database's run needs a kiosk enrolled with its
own centre; so the test starts this script on an enrolled state folder and tells it, one line
on stdin at a time, what the citizen does; each answer is one line on stdout:

    ready KIOSK_ID                     (after start)
    walk SCENARIO MOBILE    → submitted REFERENCE   (a scripted citizen, attract to done)
    track REFERENCE LAST4   → supplemented MATERIAL… (办件查询: QR under the camera, 补正 recaptured)
    quit
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIOSK_DEVICE_HANDLERS", "devices.simulators")

SIZE = (1280, 720)


def _answer(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _drained(ui: Any) -> None:
    outbox = ui.app.kiosk.reporting.outbox
    ui.wait(lambda: outbox.depth() == 0, timeout=60, what="the outbox to reach the centre")


def walk(ui: Any, scenario: str, mobile: str) -> str:
    from screens.script import ScriptedVisit

    visit = ScriptedVisit(ui, scenario, use_keys=False, answers={"applicant.mobile": mobile})
    reference = visit.run()
    _drained(ui)
    return reference


def track(ui: Any, reference: str, last4: str, shots: Path) -> list[str]:
    """The citizen's 办件查询 with the receipt, recapturing each material the centre named."""
    app = ui.app
    sim = app.kiosk.devices.camera.source.sim
    sim.place_document("receipt", qr=f"{app.kiosk.config.central.url}/track/{reference}")
    ui.tap(app.screen("attract").ids.panel)
    ui.wait_screen("home")
    ui.tap(app.screen("home").ids.track)
    ui.wait_screen("track")
    screen = app.screen("track")
    ui.tap(screen.ids.scan)
    ui.wait(lambda: screen.ids.reference.text == reference, timeout=60, what="the QR to be read")
    ui.type_into(screen.ids.last4, last4)
    ui.tap(screen.ids.look_up)
    ui.wait(lambda: screen.stage == "status", timeout=40, what="the centre's answer")
    ui.screenshot(shots / "track-needs-correction.png")
    assert "需补正" in screen.status_title, screen.status_title
    named = [m.id for m in screen.reply.redo_materials]
    for index, material in enumerate(named):
        sim.place_document("lease", seed=5 + index)
        buttons = [w for w in ui.screen_widgets()
                   if getattr(w, "text", "") == screen.t("ui.track.photograph")]
        ui.tap(buttons[index])
        ui.wait(lambda m=material: len(screen.pages.get(m, [])) == 1, timeout=30,
                what=f"the page of {material}")
    ui.tap_text(screen.t("ui.track.send_supplement"))
    assert screen.stage == "sent", screen.error
    ui.screenshot(shots / "track-sent.png")
    _drained(ui)
    ui.tap(screen.ids.home)
    ui.wait_screen("attract")
    return named


def main(state: Path) -> int:
    from screens.boot import prepare_window

    prepare_window(SIZE, paced=False)
    from kiosk import config as kiosk_config
    from kiosk import logs
    from kiosk.catalog import load_catalog
    from kiosk.runtime import open_kiosk
    from screens.app import KioskApp
    from screens.driver import UiDriver

    config = kiosk_config.load(state)
    logs.setup(state / "logs", kiosk_id=config.kiosk_id)
    app = KioskApp(open_kiosk(config, state, catalog=load_catalog()), sim=True)
    ui = UiDriver.launch(app, SIZE)
    shots = state / "shots"
    try:
        ui.wait(lambda: app.current == "attract", timeout=30, what="the attract screen")
        _answer(f"ready {config.kiosk_id}")
        for line in sys.stdin:
            words = line.split()
            started = time.monotonic()
            if words[:1] == ["walk"]:
                _answer(f"submitted {walk(ui, words[1], words[2])}")
            elif words[:1] == ["track"]:
                _answer("supplemented " + " ".join(track(ui, words[1], words[2], shots)))
            elif words[:1] == ["quit"]:
                break
            else:
                _answer(f"unknown {line.strip()}")
            print(f"{words[0]}: {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    finally:
        app.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
