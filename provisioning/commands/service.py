"""``kiosk-provision install-service`` and ``escalate``: run the kiosk under systemd.

``install-service`` writes the service and its escalation unit (``--dry-run`` prints them,
``--unit-dir`` writes elsewhere, e.g. for tests); a unit whose content is already right is left
alone, so running it twice changes nothing. ``--enable`` then runs ``systemctl daemon-reload``
and ``enable``.

``escalate`` is what the escalation unit runs after a crash loop: it records the loop in the
state folder and reboots, at most once per ``--min-reboot-interval``; a second loop inside that
interval marks the kiosk out of service (reported by the next heartbeat) instead of rebooting
again, so a broken kiosk does not reboot forever.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from kiosk import config as kiosk_config
from kiosk.errors import ConfigError
from kiosk.paths import state_dir
from provisioning.systemd_unit import SERVICE, UnitSettings, units
from wire.errors import ExitCode, KioskError

DEFAULT_UNIT_DIR = Path("/etc/systemd/system")
CRASH_LOG = "crash_loops.json"


class UnitWriteFailed(KioskError):
    key = "service.write_failed"
    exit_code = ExitCode.SERVICE_WRITE_FAILED


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("install-service", help="install the kiosk as a systemd service")
    parser.add_argument("--unit-dir", type=Path, default=DEFAULT_UNIT_DIR, help="where to write the units")
    parser.add_argument("--dry-run", action="store_true", help="print the units, write nothing")
    parser.add_argument("--user", default="", help="run the kiosk as this user")
    parser.add_argument("--exec", dest="exec_start", help="the command that runs the kiosk")
    parser.add_argument("--watchdog-seconds", type=int, default=30)
    parser.add_argument("--start-limit-burst", type=int, default=5, help="starts allowed per interval")
    parser.add_argument("--start-limit-interval", type=int, default=300, help="seconds")
    parser.add_argument("--enable", action="store_true", help="daemon-reload and enable afterwards")
    parser.set_defaults(handler=install)

    escalate = subparsers.add_parser("escalate", help="(run by systemd) handle a crash loop")
    escalate.add_argument("--min-reboot-interval", type=float, default=1800.0, help="seconds")
    escalate.add_argument("--no-reboot", action="store_true", help="record only (for tests)")
    escalate.set_defaults(handler=run_escalate)


def settings_from(args: argparse.Namespace) -> UnitSettings:
    for name in ("watchdog_seconds", "start_limit_burst", "start_limit_interval"):
        if getattr(args, name) <= 0:
            raise ConfigError(f"--{name.replace('_', '-')} must be positive")
    exec_start = args.exec_start.split() if args.exec_start else [sys.executable, "-m", "screens.cli", "run"]
    return UnitSettings(
        exec_start=exec_start,
        escalate=[sys.executable, "-m", "provisioning.cli", "escalate"],
        state_dir=state_dir().resolve(),
        user=args.user,
        watchdog_seconds=args.watchdog_seconds,
        start_limit_interval=args.start_limit_interval,
        start_limit_burst=args.start_limit_burst,
    )


def install(args: argparse.Namespace) -> int:
    contents = units(settings_from(args))
    if args.dry_run:
        for name, text in contents.items():
            print(f"# {args.unit_dir / name}\n{text}")
        return 0
    for name, text in contents.items():
        path = args.unit_dir / name
        try:
            if path.exists() and path.read_text() == text:
                print(f"{path}: unchanged")
                continue
            args.unit_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text)
            os.replace(tmp, path)
        except OSError as error:
            raise UnitWriteFailed(f"{path}: {error}") from error
        print(f"{path}: written")
    if args.enable:
        for command in (["systemctl", "daemon-reload"], ["systemctl", "enable", SERVICE]):
            if subprocess.run(command, check=False).returncode != 0:
                raise UnitWriteFailed(f"{' '.join(command)} failed")
    return 0


def run_escalate(args: argparse.Namespace) -> int:
    folder = state_dir()
    path = folder / CRASH_LOG
    try:
        history = json.loads(path.read_text()) if path.exists() else {"loops": [], "last_reboot": 0}
    except (OSError, ValueError):
        history = {"loops": [], "last_reboot": 0}
    now = time.time()
    history["loops"] = [*history.get("loops", [])[-49:], now]
    reboot = now - float(history.get("last_reboot", 0)) >= args.min_reboot_interval
    if reboot:
        history["last_reboot"] = now
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(history))
    if reboot:
        print("crash loop: rebooting")
        if not args.no_reboot:
            subprocess.run(["systemctl", "reboot"], check=False)
        return 0
    print("crash loop again soon after a reboot: marking the kiosk out of service")
    _mark_out_of_service(folder)
    return 0


def _mark_out_of_service(folder: Path) -> None:
    from kiosk.outbox import Outbox

    try:
        outbox = Outbox.in_state_dir(folder, kiosk_config.load_secret(folder))
    except (ConfigError, KioskError) as error:
        print(f"cannot mark out of service: {error}", file=sys.stderr)
        return
    try:
        outbox.set_setting("out_of_service", "1")
        outbox.set_setting("out_of_service_reason", "crash_loop")
    finally:
        outbox.close()
