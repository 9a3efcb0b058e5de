"""``kiosk run``: open the touchscreen kiosk (full screen) with the devices from the config.

``--sim`` uses every simulator (ID reader on a pty, ESC/POS printer on a TCP socket, synthetic
camera, and the virtual social security card on pcscd when pcscd is installed), starts the
embedded central server, enrols the kiosk against it in a throw-away state folder and reports
to it like a real kiosk. ``--script DIR`` needs no display: it walks the 7-step new-enterprise
flow and one 一件事 flow through the real UI, writes a screenshot of every screen and the printed
receipts to DIR, and ends by checking that both applications reached the centre.

With ``--scenario`` (and optionally ``--answers FILE.json`` in the format ``kiosk flow walk``
reads, ``--display`` and ``--size``) the script walks those scenarios instead, runs the journey
explorer's screen checks (:mod:`screens.journeys.checks`) at every screen, and exits non-zero
with what went wrong if a screen raised, failed a check, dead-ended, or an application did not
reach the centre.

This module imports no Kivy until a command runs (``kiosk catalog check`` must stay fast).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from wire.errors import KioskError

SCRIPTED_SCENARIOS = ("new_enterprise", "open_restaurant")
SIM_HEARTBEAT_SECONDS = 5  # the centre's commands reach a simulated kiosk within seconds
DELIVERY_TIMEOUT_S = 60.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="open the kiosk's touchscreen UI")
    parser.add_argument("--sim", action="store_true",
                        help="simulated devices, an embedded central server and a temporary state folder")
    parser.add_argument("--script", metavar="DIR", type=Path,
                        help="walk two flows by script (offscreen if there is no display); write screenshots to DIR")
    parser.add_argument("--scenario", action="append", metavar="ID",
                        help="with --script: walk this scenario (repeat, or a comma list); checks every screen")
    parser.add_argument("--answers", action="append", type=Path, metavar="FILE.json",
                        help="情形 answers and form values for the n-th --scenario (format of `kiosk flow walk "
                             "--answers`; repeat, or a comma list); values not given are generated")
    parser.add_argument("--display", action="append", metavar="MODE",
                        help=f"display mode for every walk: {', '.join(DISPLAY_MODES)} (repeat or a comma list: "
                             "each scenario in each mode)")
    parser.add_argument("--size", action="append", metavar="WxH",
                        help="window size, e.g. 1080x1920 (repeat or a comma list; default 1920x1080)")
    parser.add_argument("--window", action="store_true", help="a window instead of full screen")
    parser.set_defaults(handler=run)


DISPLAY_MODES = ("zh", "en", "large", "contrast")


def _listed(values: list[Any] | None) -> list[str]:
    """Repeated options and comma lists, flattened."""
    return [part.strip() for value in values or [] for part in str(value).split(",") if part.strip()]


def _size(text: str) -> tuple[int, int]:
    from kiosk.errors import ConfigError

    try:
        width, height = (int(n) for n in text.lower().split("x"))
    except ValueError:
        raise ConfigError(f"--size {text!r}: give the window size as WIDTHxHEIGHT, e.g. 1080x1920") from None
    if not (320 <= width <= 7680 and 320 <= height <= 7680):
        raise ConfigError(f"--size {text!r}: each side must be 320 to 7680 pixels")
    return width, height


def journeys_from_args(args: argparse.Namespace, catalog: Any) -> list[Any]:
    """The walks ``--scenario/--answers/--display/--size`` ask for, checked against the catalog
    before any window opens (an unknown scenario, question or answer is a plain error)."""
    from kiosk.commands.flow import _read_answers
    from kiosk.engine import Flow
    from kiosk.errors import ConfigError
    from screens.journeys.explorer import Journey

    scenarios = _listed(args.scenario)
    files = [Path(f) for f in _listed(args.answers)]
    if len(files) > len(scenarios):
        raise ConfigError(f"{len(files)} --answers files for {len(scenarios)} --scenario: give one per scenario")
    modes = _listed(args.display) or ["zh"]
    for mode in modes:
        if mode not in DISPLAY_MODES:
            raise ConfigError(f"--display {mode!r}: use one of {', '.join(DISPLAY_MODES)}")
    sizes = [_size(s) for s in _listed(args.size)] or [(1920, 1080)]
    journeys = []
    for n, scenario_id in enumerate(scenarios):
        if scenario_id not in catalog.scenarios:
            raise ConfigError(f"--scenario {scenario_id!r} is not in the catalog "
                              f"(known: {', '.join(sorted(catalog.scenarios))})")
        data = _read_answers(files[n]) if n < len(files) else {}
        situation = complete_situation(Flow(catalog, scenario_id), dict(data.get("situation", {})),
                                       str(files[n]) if n < len(files) else "")
        answers = data.get("answers", {})
        if not isinstance(answers, dict):
            raise ConfigError(f"{files[n]}: \"answers\" must be an object of field id → value")
        holders = answers.get("enterprise.shareholders")
        count = len(holders) if isinstance(holders, list) and holders else None
        for mode in modes:
            for size in sizes:
                journeys.append(Journey(scenario_id, tuple(situation.items()), tuple(answers.items()),
                                        shareholders=count, display=mode, size=size))
    return journeys


def complete_situation(flow: Any, given: dict[str, Any], source: str) -> dict[str, str]:
    """The 情形 answers in the order asked: the given ones (checked), the rest the first option."""
    from kiosk.errors import ConfigError, FlowError

    where = f"{source}: " if source else ""
    while (question := flow.next_question()) is not None:
        value = str(given.pop(question.id, question.options[0].value))
        try:
            flow.answer(question.id, value)
        except FlowError:
            options = ", ".join(o.value for o in question.options)
            raise ConfigError(f"{where}{value!r} is not an answer to {question.id!r} (one of {options})") from None
    if given:
        raise ConfigError(f"{where}{', '.join(sorted(given))}: not asked in {flow.scenario.id} with these answers")
    return dict(flow.situation)


def _exit_on_sigterm(_signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signal.SIGTERM)


def stop_on_sigterm(app: Any = None) -> None:
    """systemd stops the kiosk with SIGTERM: end cleanly, so simulators and temp folders go too.

    Without an app, SIGTERM unwinds the ``with`` blocks; with one, it stops the app (``on_stop``
    closes every device, which removes the simulators' folders). Installed before the window
    opens, it also keeps SDL from turning SIGTERM into a quit event that a script never reads.
    """
    signal.signal(signal.SIGTERM, _exit_on_sigterm if app is None else (lambda *_: app.stop()))


def run(args: argparse.Namespace) -> int:
    stop_on_sigterm()
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    scripted = args.script is not None
    # --script without --sim walks the enrolled kiosk (its config, devices and centre), so a
    # technician can send a test application through their own centre.
    simulated = args.sim
    if scripted and not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    if scripted:
        os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    from screens.boot import covering, prepare_window

    # The window starts big enough for every --size: offscreen it cannot grow later.
    prepare_window(covering(_size(s) for s in _listed(args.size)), fullscreen=not (args.window or simulated),
                   paced=not scripted)

    from kiosk import logs
    from kiosk.config import load
    from kiosk.paths import state_dir
    from kiosk.runtime import open_kiosk
    from provisioning.commands.printer import ipv4_addresses

    journeys: list[Any] = []
    if args.scenario or args.answers or args.display or args.size:
        from kiosk.catalog import load_catalog
        from kiosk.errors import ConfigError

        if not scripted or not args.scenario:
            raise ConfigError("--scenario, --answers, --display and --size go with --script DIR and at least "
                              "one --scenario")
        journeys = journeys_from_args(args, load_catalog())
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
            # Each folder is handed to the stack as soon as it exists: a SIGTERM while the
            # centre starts must not leave it behind.
            central_dir = Path(tempfile.mkdtemp(prefix="kiosk-central-"))
            stack.callback(shutil.rmtree, central_dir, ignore_errors=True)
            central = EmbeddedCentral(heartbeat_seconds=SIM_HEARTBEAT_SECONDS, data_dir=central_dir)
            stack.callback(central.stop)
            central.start()
            config = prepare_state(folder, central, receipts)
        else:
            folder = state_dir()
            config = load(folder)
        logs.setup(folder / "logs", kiosk_id=config.kiosk_id, levels=config.log_levels)
        if not simulated:  # the simulation walks by synthetic touches in a desktop window
            from screens.touch_input import use_touchscreen

            use_touchscreen(config.touch)
        kiosk = open_kiosk(config, folder, addresses=ipv4_addresses)

        from screens.app import KioskApp

        app = KioskApp(kiosk, sim=simulated or config.simulation)
        if scripted and args.scenario:  # SIGTERM unwinds the script, whose ``finally`` stops the app
            assert out is not None
            return _explore(app, out, central, journeys)
        if scripted:
            assert out is not None
            return _scripted(app, out, central)
        stop_on_sigterm(app)
        app.run()
        return 0
    return 0


def _scripted(app: Any, out: Path, central: Any) -> int:
    from screens.driver import UiDriver
    from screens.script import ScriptedVisit

    kiosk = app.kiosk
    driver = UiDriver.launch(app)
    references: list[str] = []
    try:
        for scenario in SCRIPTED_SCENARIOS:
            shots = out / scenario
            reference = ScriptedVisit(driver, scenario, shots=shots).run()
            references.append(reference)
            print(f"{scenario}: {reference} ({len(list(shots.glob('*.png')))} screenshots in {shots})")
        driver.screenshot(out / "attract-after.png")
        delivered = _wait_delivered(driver, central, kiosk.config.kiosk_id, references)
    finally:
        app.stop()
    receipts = sorted((out / "receipts").glob("*.png"))
    print(f"receipts: {', '.join(str(p) for p in receipts) or 'none'}", file=sys.stdout)
    missing = sorted(set(references) - set(delivered))
    if missing:
        print(f"not delivered to the centre: {', '.join(missing)}", file=sys.stdout)
    else:
        where = central.url if central is not None else kiosk.config.central.url
        print(f"delivered to the centre at {where}: {', '.join(delivered)}")
    return 0 if len(receipts) == len(SCRIPTED_SCENARIOS) and not missing else 1


def _explore(app: Any, out: Path, central: Any, journeys: list[Any]) -> int:
    """Walk each journey with the screen checks; print what failed; 0 only if all is well."""
    from screens.driver import UiDriver
    from screens.journeys.explorer import Explorer

    driver = UiDriver.launch(app, journeys[0].size)
    explorer = Explorer(driver, shots=out)
    results = []
    try:
        for journey in journeys:
            result = explorer.walk(journey)
            results.append(result)
            verdict = "ok" if result.finished and not result.findings else "FAILED"
            print(f"{verdict}: {journey}: {len(result.screens)} screens, {result.seconds:.1f} s"
                  + (f", reference {result.reference}" if result.reference else ""))
            for finding in result.findings:
                print(f"  {finding}")
        references = [r.reference for r in results if r.reference]
        delivered = _wait_delivered(driver, central, app.kiosk.config.kiosk_id, references)
    finally:
        app.stop()
    missing = sorted(set(references) - set(delivered))
    if missing:
        print(f"not delivered to the centre: {', '.join(missing)}")
    failed = [r for r in results if not r.finished or r.findings]
    print(f"{len(results) - len(failed)} of {len(results)} walks passed every check; screenshots in {out}")
    return 1 if failed or missing else 0


def _sent_from_outbox(outbox: Any, references: list[str]) -> list[str]:
    """The references whose application no longer waits in the kiosk's outbox (delivered)."""
    waiting = set()
    for record in outbox.records():
        if record.kind == "submission":
            try:
                waiting.add(json.loads(outbox.payload(record.id)).get("reference"))
            except (ValueError, KioskError):
                continue
    return [reference for reference in references if reference not in waiting]


def _wait_delivered(driver: Any, central: Any, kiosk_id: str, references: list[str]) -> list[str]:
    """Keep the UI running until the centre holds every reference (or the time is up).

    With the embedded centre its staff API is asked; with the enrolled centre (``central`` is
    None) the kiosk's own outbox says what was delivered.
    """
    from central.client import BackOfficeClient
    from simulation.centre import stored_references

    outbox = driver.app.kiosk.reporting.outbox

    def stored_now() -> list[str]:
        if central is not None:
            return stored_references(central, kiosk_id)
        return _sent_from_outbox(outbox, references) if outbox is not None else []

    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    stored = stored_now()
    while not set(references) <= set(stored) and time.monotonic() < deadline:
        driver.pump(5)
        time.sleep(0.1)
        stored = stored_now()
    if central is None:
        return stored
    office = BackOfficeClient(central.url, central.token("viewer"))
    for kiosk in office.kiosks():
        if kiosk.kiosk_id == kiosk_id:
            print(f"back office: kiosk {kiosk_id} last heartbeat {kiosk.last_heartbeat}, "
                  f"queue depth {kiosk.queue_depth}, devices "
                  + ", ".join(f"{name}={d.state}" for name, d in sorted(kiosk.devices.items())))
    return stored
