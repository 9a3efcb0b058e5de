"""``kiosk run``: open the touchscreen kiosk (full screen) with the devices from the config.

``--sim`` uses every simulator (ID reader on a pty, ESC/POS printer on a TCP socket, synthetic
camera, and the virtual social security card on pcscd when pcscd is installed), starts the
embedded central server, enrols the kiosk against it in a throw-away state folder and reports
to it like a real kiosk. ``--script DIR`` needs no display: it walks the 7-step new-enterprise
flow and one 一件事 flow through the real UI, writes a screenshot of every screen and the printed
receipts to DIR, and ends by checking that both applications reached the centre.

This module imports no Kivy until a command runs (``kiosk catalog check`` must stay fast).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCRIPTED_SCENARIOS = ("new_enterprise", "open_restaurant")
SIM_HEARTBEAT_SECONDS = 5  # the centre's commands reach a simulated kiosk within seconds
DELIVERY_TIMEOUT_S = 60.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="open the kiosk's touchscreen UI")
    parser.add_argument("--sim", action="store_true",
                        help="simulated devices, an embedded central server and a temporary state folder")
    parser.add_argument("--script", metavar="DIR", type=Path,
                        help="walk two flows by script (offscreen if there is no display); write screenshots to DIR")
    parser.add_argument("--window", action="store_true", help="a window instead of full screen")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    scripted = args.script is not None
    simulated = args.sim or scripted
    if scripted and not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    if scripted:
        os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    from screens.boot import prepare_window

    prepare_window(fullscreen=not (args.window or simulated))

    from kiosk import logs
    from kiosk.config import load
    from kiosk.facade import open_kiosk
    from kiosk.paths import state_dir
    from provisioning.commands.printer import ipv4_addresses

    out: Path | None = args.script.resolve() if scripted else None
    receipts = out / "receipts" if out else None
    if receipts:
        receipts.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        central = None
        if simulated:
            from central.embedded import EmbeddedCentral
            from simulation.kiosk_state import prepare_state

            folder = Path(tempfile.mkdtemp(prefix="kiosk-sim-state-"))
            stack.callback(shutil.rmtree, folder, ignore_errors=True)
            central = EmbeddedCentral(heartbeat_seconds=SIM_HEARTBEAT_SECONDS).start()
            stack.callback(central.stop)
            config = prepare_state(folder, central, receipts)
        else:
            folder = state_dir()
            config = load(folder)
        logs.setup(folder / "logs", kiosk_id=config.kiosk_id, levels=config.log_levels)
        facade = open_kiosk(config, folder, addresses=ipv4_addresses)

        from screens.app import KioskApp

        app = KioskApp(facade, sim=simulated)
        if scripted:
            assert out is not None and central is not None
            return _scripted(app, out, central)
        app.run()
        return 0
    return 0


def _scripted(app: Any, out: Path, central: Any) -> int:
    from screens.driver import UiDriver
    from screens.script import ScriptedVisit

    facade = app.facade
    driver = UiDriver.launch(app)
    references: list[str] = []
    try:
        for scenario in SCRIPTED_SCENARIOS:
            shots = out / scenario
            reference = ScriptedVisit(driver, scenario, shots=shots).run()
            references.append(reference)
            print(f"{scenario}: {reference} ({len(list(shots.glob('*.png')))} screenshots in {shots})")
        driver.screenshot(out / "attract-after.png")
        delivered = _wait_delivered(driver, central, facade.config.kiosk_id, references)
    finally:
        app.stop()
    receipts = sorted((out / "receipts").glob("*.png"))
    print(f"receipts: {', '.join(str(p) for p in receipts) or 'none'}", file=sys.stdout)
    missing = sorted(set(references) - set(delivered))
    if missing:
        print(f"not delivered to the centre: {', '.join(missing)}", file=sys.stdout)
    else:
        print(f"delivered to the centre at {central.url}: {', '.join(delivered)}")
    return 0 if len(receipts) == len(SCRIPTED_SCENARIOS) and not missing else 1


def _wait_delivered(driver: Any, central: Any, kiosk_id: str, references: list[str]) -> list[str]:
    """Keep the UI running until the centre holds every reference (or the time is up)."""
    from central.client import BackOfficeClient
    from simulation.centre import stored_references

    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    stored = stored_references(central, kiosk_id)
    while not set(references) <= set(stored) and time.monotonic() < deadline:
        driver.pump(5)
        time.sleep(0.1)
        stored = stored_references(central, kiosk_id)
    office = BackOfficeClient(central.url, central.token("viewer"))
    for kiosk in office.kiosks():
        if kiosk.kiosk_id == kiosk_id:
            print(f"back office: kiosk {kiosk_id} last heartbeat {kiosk.last_heartbeat}, "
                  f"queue depth {kiosk.queue_depth}, devices "
                  + ", ".join(f"{name}={d.state}" for name, d in sorted(kiosk.devices.items())))
    return stored
