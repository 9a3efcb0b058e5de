"""``kiosk-provision install-service`` and ``escalate``: run the kiosk under systemd.

``install-service`` writes the kiosk profile (:mod:`provisioning.profile.contents`): the
unprivileged user, the service on the first VT (KMSDRM or X11 through xinit), its escalation
unit (root), the lock-down files, then runs the commands that create the user, mask the getty
and Ctrl+Alt+Del and enable the units. ``--root DIR`` writes the files under DIR and runs
nothing; ``--dry-run`` prints everything. ``--unit-dir`` writes only the two units (the old
behaviour). A file whose content is already right is left alone, so running it twice changes
nothing.

``escalate`` is what the escalation unit runs after a crash loop: it records the loop in the
state folder and reboots, at most once per ``--min-reboot-interval``; a second loop inside that
interval marks the kiosk out of service (reported by the next heartbeat) instead of rebooting
again, so a broken kiosk does not reboot forever.
"""

from __future__ import annotations

import argparse
import grp
import json
import os
import pwd
import re
import subprocess
import sys
import time
from pathlib import Path

from kiosk import config as kiosk_config
from kiosk.errors import ConfigError
from kiosk.paths import state_dir
from provisioning.profile.contents import (
    DEVICE_GROUPS,
    TIME_SERVICES,
    ProfileSettings,
    commands,
    files,
)
from provisioning.systemd_unit import DISPLAYS, SERVICE, XSESSION, UnitSettings, command_line, units
from wire.errors import ExitCode, KioskError

DEFAULT_UNIT_DIR = Path("/etc/systemd/system")
CRASH_LOG = "crash_loops.json"


class UnitWriteFailed(KioskError):
    key = "service.write_failed"
    exit_code = ExitCode.SERVICE_WRITE_FAILED


class UserMissing(ConfigError):
    key = "service.user_missing"


class UserIsRoot(ConfigError):
    key = "service.user_root"


class BadUserName(ConfigError):
    key = "service.bad_user"


USER_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "install-service", help="install the kiosk profile: user, service, display, lock-down")
    parser.add_argument("--root", type=Path, default=Path("/"),
                        help="write the profile under this folder (for inspection); runs nothing")
    parser.add_argument("--unit-dir", type=Path, help="write only the two units into this folder")
    parser.add_argument("--dry-run", action="store_true", help="print what would be written and run")
    parser.add_argument("--user", help="the unprivileged user the kiosk runs as (default kiosk)")
    parser.add_argument("--no-create-user", action="store_true", help="refuse if the user does not exist")
    parser.add_argument("--display", choices=DISPLAYS, default="kmsdrm",
                        help="kmsdrm: straight to the screen (default); x11: Xorg through xinit")
    parser.add_argument("--time-sync", choices=sorted(TIME_SERVICES), default="timesyncd")
    parser.add_argument("--journal-max", default="200M", help="journald SystemMaxUse")
    parser.add_argument("--usbguard", action="store_true",
                        help="allow only the USB devices plugged in now (usbguard)")
    parser.add_argument("--unattended-upgrades", action="store_true", help="install security updates daily")
    parser.add_argument("--state-dir", type=Path, help="the kiosk's state folder (default /var/lib/USER)")
    parser.add_argument("--exec", dest="exec_start", help="the command that runs the kiosk")
    parser.add_argument("--watchdog-seconds", type=int, default=30)
    parser.add_argument("--start-limit-burst", type=int, default=5, help="starts allowed per interval")
    parser.add_argument("--start-limit-interval", type=int, default=300, help="seconds")
    parser.add_argument("--enable", action="store_true", help="(with --unit-dir) daemon-reload and enable")
    parser.set_defaults(handler=install)

    escalate = subparsers.add_parser("escalate", help="(run by systemd) handle a crash loop")
    escalate.add_argument("--min-reboot-interval", type=float, default=1800.0, help="seconds")
    escalate.add_argument("--no-reboot", action="store_true", help="record only (for tests)")
    escalate.set_defaults(handler=run_escalate)


def _user_exists(name: str, root: Path) -> bool:
    if root != Path("/"):
        passwd = root / "etc" / "passwd"
        lines = passwd.read_text().splitlines() if passwd.exists() else []
        return any(line.split(":", 1)[0] == name for line in lines)
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def check_user(name: str, root: Path, may_create: bool) -> bool:
    """Refuse root and bad names; return whether the user must be created."""
    if name == "root":
        raise UserIsRoot(name)
    if not USER_NAME.fullmatch(name):
        raise BadUserName(name)
    exists = _user_exists(name, root)
    if not exists and not may_create:
        raise UserMissing(f"user {name!r}: create it with: useradd --system --create-home {name}")
    return not exists


def settings_from(args: argparse.Namespace, display: str = "") -> UnitSettings:
    for name in ("watchdog_seconds", "start_limit_burst", "start_limit_interval"):
        if getattr(args, name) <= 0:
            raise ConfigError(f"--{name.replace('_', '-')} must be positive")
    exec_start = args.exec_start.split() if args.exec_start else [sys.executable, "-m", "screens.cli", "run"]
    if args.state_dir:
        folder = args.state_dir
    elif display:
        folder = Path("/var/lib") / args.user
    else:
        folder = state_dir().resolve()
    return UnitSettings(
        exec_start=exec_start,
        escalate=[sys.executable, "-m", "provisioning.cli", "escalate"],
        state_dir=folder,
        user=args.user or "",
        groups=DEVICE_GROUPS if display else (),
        display=display,
        watchdog_seconds=args.watchdog_seconds,
        start_limit_interval=args.start_limit_interval,
        start_limit_burst=args.start_limit_burst,
    )


def write_file(path: Path, text: str) -> bool:
    """Write ``text`` atomically; False when the file already says exactly that."""
    try:
        if path.exists() and path.read_text() == text:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError as error:
        raise UnitWriteFailed(f"{path}: {error}") from error
    return True


def install(args: argparse.Namespace) -> int:
    if args.unit_dir is not None:
        return install_units(args)
    args.user = args.user or "kiosk"
    create = check_user(args.user, args.root, not args.no_create_user)
    profile = ProfileSettings(
        unit=settings_from(args, args.display),
        create_user=create,
        time_sync=args.time_sync,
        journal_max=args.journal_max,
        usb_allow=usb_allow_rules() if args.usbguard else (),
        unattended_upgrades=args.unattended_upgrades,
    )
    contents = files(profile)
    live = args.root == Path("/") and not args.dry_run
    present = tuple(g.gr_name for g in grp.getgrall()) if live else None
    steps = commands(profile, present)
    if args.dry_run:
        for rel, text in contents.items():
            print(f"# {args.root / rel}\n{text}")
        print("# then run:")
        for step in steps:
            print(command_line(step))
        return 0
    for rel, text in contents.items():
        path = args.root / rel
        print(f"{path}: {'written' if write_file(path, text) else 'unchanged'}")
        if rel == str(XSESSION).lstrip("/"):
            path.chmod(0o755)
    if not live:
        print(f"written under {args.root}; on the kiosk itself these would then run:")
        for step in steps:
            print(f"  {command_line(step)}")
        return 0
    for step in steps:
        print(f"running: {command_line(step)}")
        if subprocess.run(step, check=False).returncode != 0:
            raise UnitWriteFailed(f"{command_line(step)} failed")
    if not args.usbguard:
        print("offer: --usbguard allows only the USB devices plugged in now")
    if not args.unattended_upgrades:
        print("offer: --unattended-upgrades installs security updates every day")
    print("done: reboot, then run: kiosk-provision doctor")
    return 0


def install_units(args: argparse.Namespace) -> int:
    if args.user and not _user_exists(args.user, Path("/")):
        check_user(args.user, Path("/"), may_create=False)
    contents = units(settings_from(args))
    if args.dry_run:
        for name, text in contents.items():
            print(f"# {args.unit_dir / name}\n{text}")
        return 0
    for name, text in contents.items():
        path = args.unit_dir / name
        print(f"{path}: {'written' if write_file(path, text) else 'unchanged'}")
    if args.enable:
        for command in (["systemctl", "daemon-reload"], ["systemctl", "enable", SERVICE]):
            if subprocess.run(command, check=False).returncode != 0:
                raise UnitWriteFailed(f"{' '.join(command)} failed")
    return 0


def usb_allow_rules(sysfs: Path = Path("/sys/bus/usb/devices")) -> tuple[str, ...]:
    """One usbguard ``allow id VID:PID`` line per USB device present now (hubs included)."""
    seen: list[str] = []
    for device in sorted(sysfs.glob("*")) if sysfs.exists() else []:
        try:
            vid = (device / "idVendor").read_text().strip()
            pid = (device / "idProduct").read_text().strip()
        except OSError:
            continue
        rule = f"allow id {vid}:{pid}"
        if rule not in seen:
            seen.append(rule)
    return tuple(seen)


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
