"""``kiosk run``: open the touchscreen kiosk (full screen) with the devices from the config.

``--sim`` uses every simulator (ID reader on a pty, ESC/POS printer on a TCP socket, synthetic
camera) and a throw-away state folder. ``--script DIR`` needs no display: it walks the 7-step
new-enterprise flow and one 一件事 flow through the real UI, and writes a screenshot of every
screen and the printed receipts (as the printer simulator renders them) to DIR.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

SCRIPTED_SCENARIOS = ("new_enterprise", "open_restaurant")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="open the kiosk's touchscreen UI")
    parser.add_argument("--sim", action="store_true", help="simulated devices and a temporary state folder")
    parser.add_argument("--script", metavar="DIR", type=Path,
                        help="walk two flows by script (offscreen if there is no display); write screenshots to DIR")
    parser.add_argument("--window", action="store_true", help="a window instead of full screen")
    parser.set_defaults(handler=run)


def _sim_config(receipts: Path | None) -> object:
    from kiosk.config import Config

    config = Config(kiosk_id="sim-kiosk")
    config.devices.idcard = "sim://idcard?card=none"  # the developer places a card (F2 or the button)
    config.devices.camera = "sim://camera?capture=1080p"
    config.devices.printer = f"sim://printer?png_dir={receipts}" if receipts else "sim://printer"
    return config


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    scripted = args.script is not None
    if scripted and not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    if scripted:
        os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    from screens.boot import prepare_window

    prepare_window(fullscreen=not (args.window or scripted or args.sim))

    from kiosk.catalog import load_catalog
    from kiosk.config import load
    from kiosk.facade import DeviceHub, Facade

    out: Path | None = args.script.resolve() if scripted else None
    receipts = out / "receipts" if out else None
    if receipts:
        receipts.mkdir(parents=True, exist_ok=True)
    temp_state: str | None = None
    if args.sim or scripted:
        config = _sim_config(receipts)
        temp_state = tempfile.mkdtemp(prefix="kiosk-sim-state-")
        hub = DeviceHub(config, state_folder=Path(temp_state), secret=os.urandom(32))
    else:
        config = load()
        hub = DeviceHub(config)
    facade = Facade(config, load_catalog(), devices=hub)

    from screens.app import KioskApp

    app = KioskApp(facade, sim=args.sim or scripted)
    try:
        if scripted:
            return _scripted(app, out)
        app.run()
        return 0
    finally:
        if temp_state:
            shutil.rmtree(temp_state, ignore_errors=True)


def _scripted(app: object, out: Path) -> int:
    from screens.driver import UiDriver
    from screens.script import ScriptedVisit

    driver = UiDriver.launch(app)
    try:
        for scenario in SCRIPTED_SCENARIOS:
            shots = out / scenario
            reference = ScriptedVisit(driver, scenario, shots=shots).run()
            print(f"{scenario}: {reference} ({len(list(shots.glob('*.png')))} screenshots in {shots})")
        driver.screenshot(out / "attract-after.png")
    finally:
        app.stop()
    receipts = sorted((out / "receipts").glob("*.png"))
    print(f"receipts: {', '.join(str(p) for p in receipts) or 'none'}", file=sys.stdout)
    return 0 if len(receipts) == len(SCRIPTED_SCENARIOS) else 1
