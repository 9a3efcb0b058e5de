"""The X11 display path with Xvfb standing in for Xorg: the generated xinit client script
(``install-service --display x11``) run against a 1080×1920 Xvfb with the kiosk in simulation;
the kiosk's window fills the screen and clicks (xdotool) reach it: the attract screen starts a
visit, and a click on Home's middle card leaves Home."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from provisioning.cli import main

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1080, 1920


def _free_display() -> int:
    for n in range(140, 200):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _grab(display: str):
    from PIL import ImageChops, ImageGrab

    image = ImageGrab.grab(xdisplay=display).convert("RGB")
    return image, ImageChops


def test_xinit_session_fills_a_portrait_screen_and_takes_clicks(tmp_path: Path) -> None:
    for tool in ("Xvfb", "xdotool", "xset"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (scripts/setup.sh installs it)")
    root = tmp_path / "root"
    assert main(["install-service", "--root", str(root), "--display", "x11",
                 "--exec", f"{sys.executable} -m screens.cli run --sim"]) == 0
    session = root / "usr/local/lib/kiosk24/xsession"
    assert os.access(session, os.X_OK)
    unit = (root / "etc/systemd/system/kiosk.service").read_text()
    env_lines = [line.removeprefix("Environment=") for line in unit.splitlines() if line.startswith("Environment=")]
    unit_env = dict(line.split("=", 1) for line in env_lines if not line.startswith(("KIOSK_STATE", "DISPLAY")))

    number = _free_display()
    display = f":{number}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = (tmp_path / "kiosk.log").open("w")
    kiosk = None
    try:
        _wait(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), 20, "Xvfb")
        inherited = {k: v for k, v in os.environ.items() if k != "KIVY_NO_CONSOLELOG"}  # the log is read below
        env = {**inherited, **unit_env, "DISPLAY": display, "KIOSK_STATE": str(tmp_path / "state"),
               "PYTHONPATH": str(ROOT)}
        kiosk = subprocess.Popen([str(session)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        xdo = {**os.environ, "DISPLAY": display}

        def window() -> str:
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", ""], env=xdo,
                                   capture_output=True, text=True, check=False).stdout.split()
            return found[0] if found else ""

        def log_has(text: str) -> bool:
            return text in (tmp_path / "kiosk.log").read_text()

        win = _wait(window, 120, "the kiosk's window")
        _wait(lambda: log_has("Start application main loop") or kiosk.poll() is not None, 120, "the main loop")
        assert kiosk.poll() is None, (tmp_path / "kiosk.log").read_text()[-2000:]
        geometry = subprocess.run(["xdotool", "getwindowgeometry", win], env=xdo, capture_output=True,
                                  text=True, check=True).stdout
        assert f"Geometry: {WIDTH}x{HEIGHT}" in geometry and "Position: 0,0" in geometry, geometry

        time.sleep(2)
        subprocess.run(["xdotool", "mousemove", str(WIDTH // 2), str(HEIGHT // 2), "click", "1"], env=xdo, check=True)
        _wait(lambda: log_has("visit.started"), 30, "the click to start a visit")
        time.sleep(2)
        home, chops = _grab(display)
        subprocess.run(["xdotool", "mousemove", str(WIDTH // 2), str(HEIGHT // 2), "click", "1"], env=xdo, check=True)

        def changed() -> bool:
            now, _ = _grab(display)
            diff = chops.difference(home, now).convert("L").point(lambda v: 255 if v > 24 else 0)
            return sum(diff.histogram()[255:]) > WIDTH * HEIGHT // 20

        _wait(changed, 30, "Home's card to open its next screen")
        assert kiosk.poll() is None, (tmp_path / "kiosk.log").read_text()[-2000:]
    finally:
        if kiosk is not None and kiosk.poll() is None:
            os.killpg(kiosk.pid, signal.SIGTERM)
            try:
                kiosk.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(kiosk.pid, signal.SIGKILL)
        xvfb.terminate()
        xvfb.wait(10)
        log.close()
