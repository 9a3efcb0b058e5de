"""``kiosk-provision doctor``: check the kiosk profile on this machine, item by item.

Each check says in technician words what is wrong and the exact command that fixes it; the
exit code is non-zero when anything is wrong. ``--root DIR`` checks a profile written with
``install-service --root DIR`` instead of the running machine (the device nodes and the running
kernel are then not checked).

Blanking and dimming are reported together: the screen must never blank or switch off (console
blanking, DPMS in X), because a black kiosk looks broken; a darker screen at night is the
kiosk's own ``night_dimming`` (read from the config in the service's state folder), through
the backlight when the kiosk user may write it, else by darkening the picture.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kiosk import config as kiosk_config
from kiosk.errors import ConfigError
from provisioning.profile.contents import (
    BACKLIGHT_RULE,
    DEVICE_GROUPS,
    GRUB_DROPIN,
    LOGIND_DROPIN,
    POLKIT_RULE,
    XORG_CONF,
)
from provisioning.systemd_unit import ESCALATION, SERVICE, VT
from wire.errors import ExitCode

REINSTALL = "kiosk-provision install-service"


@dataclass(frozen=True)
class Finding:
    item: str
    ok: bool
    problem: str = ""
    fix: str = ""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("doctor", help="check the kiosk profile on this machine and say how to fix it")
    parser.add_argument("--user", default="kiosk", help="the user the kiosk runs as")
    parser.add_argument("--root", type=Path, default=Path("/"), help="check a profile written under this folder")
    parser.set_defaults(handler=doctor)


def _entries(path: Path) -> dict[str, list[str]]:
    """name -> fields of /etc/passwd or /etc/group style files."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    return {line.split(":")[0]: line.split(":") for line in lines if line and not line.startswith("#")}


def _masked(root: Path, unit: str) -> bool:
    link = root / "etc/systemd/system" / unit
    return link.is_symlink() and str(link.readlink()) == "/dev/null"


def _enabled(root: Path, unit: str) -> bool:
    # is_symlink, not exists: under --root the link points at a path of the real machine.
    return any((wants / unit).is_symlink() for wants in (root / "etc/systemd/system").glob("*.wants"))


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def check(root: Path, user: str) -> Iterator[Finding]:
    live = root == Path("/")
    users = _entries(root / "etc/passwd")
    groups = _entries(root / "etc/group")
    yield Finding(f"user {user}", user in users,
                  f"there is no user '{user}' for the kiosk to run as",
                  f"useradd --system --create-home --home-dir /var/lib/{user} --shell /usr/sbin/nologin {user}")
    for group in DEVICE_GROUPS:
        members = groups.get(group, ["", "", "", ""])[3].split(",")
        primary = users.get(user, ["", "", "", ""])[3]
        in_group = user in members or (group in groups and groups[group][2] == primary)
        yield Finding(f"user {user} in group {group}", in_group,
                      f"'{user}' is not in the '{group}' group, so it cannot use {_GROUP_USE[group]}",
                      f"usermod --append --groups {group} {user}")
    units = root / "etc/systemd/system"
    service = _read(units / SERVICE)
    for name, text in ((SERVICE, service), (ESCALATION, _read(units / ESCALATION))):
        yield Finding(f"unit {name} installed", bool(text), f"the unit {name} is not installed", REINSTALL)
    yield Finding(f"unit {SERVICE} enabled", _enabled(root, SERVICE),
                  "the kiosk does not start at boot", f"systemctl enable {SERVICE}")
    yield Finding("kiosk runs as its own user", f"User={user}\n" in service,
                  f"the kiosk service does not run as '{user}' (it would run as root)", REINSTALL)
    x11 = "xinit" in service
    yield Finding(f"display on {VT}", f"TTYPath=/dev/{VT}" in service and "PAMName=login" in service,
                  f"the kiosk service does not own the screen on {VT} (no TTYPath/PAMName)", REINSTALL)
    if not x11:
        yield Finding("draws straight to the screen", "SDL_VIDEODRIVER=kmsdrm" in service,
                      "the kiosk service does not say how to reach the screen (SDL_VIDEODRIVER=kmsdrm)",
                      REINSTALL)
    yield Finding("pointer hidden", "KCFG_GRAPHICS_SHOW_CURSOR=0" in service or "-nocursor" in service,
                  "the mouse pointer shows on the screen", REINSTALL)
    yield Finding(f"login prompt on {VT} off", _masked(root, f"getty@{VT}.service"),
                  f"a login prompt would take {VT} from the kiosk", f"systemctl mask getty@{VT}.service")
    yield Finding("Ctrl+Alt+Del off", _masked(root, "ctrl-alt-del.target"),
                  "Ctrl+Alt+Del on a keyboard reboots the kiosk", "systemctl mask ctrl-alt-del.target")
    yield Finding("no other consoles", "NAutoVTs=0" in _read(root / LOGIND_DROPIN),
                  "Ctrl+Alt+F2 … would open a login prompt on another console", REINSTALL)
    if x11:
        xorg = _read(root / XORG_CONF)
        yield Finding("no VT switching in X", "DontVTSwitch" in xorg,
                      "Xorg lets a keyboard switch away from the kiosk", f"{REINSTALL} --display x11")
        yield Finding("screen never switched off in X (DPMS)", '"DPMS" "false"' in xorg,
                      "Xorg switches the screen off when nobody touches it (DPMS): the kiosk looks broken; "
                      "for a darker screen at night use night_dimming in the kiosk config",
                      f"{REINSTALL} --display x11")
    blank_set = "consoleblank=0" in _read(root / GRUB_DROPIN) or "consoleblank=0" in _read(root / "proc/cmdline")
    yield Finding("screen never blanks (boot setting)", blank_set,
                  "the text console blanks after 10 minutes (no consoleblank=0 on the kernel command line); "
                  "for a darker screen at night use night_dimming in the kiosk config, not blanking",
                  f"{REINSTALL} && reboot")
    if live:
        running = _read(root / "sys/module/kernel/parameters/consoleblank").strip()
        yield Finding("screen never blanks (now)", running in ("", "0"),
                      f"the console blanks after {running} seconds until the next reboot",
                      "setterm --blank 0 --term linux </dev/tty1 >/dev/tty1")
    timesync = _enabled(root, "systemd-timesyncd.service") or _enabled(root, "chrony.service")
    yield Finding("clock kept right", timesync,
                  "nothing keeps the clock right (signed requests to the centre need it)",
                  "apt-get install -y systemd-timesyncd && systemctl enable --now systemd-timesyncd")
    journald = any("SystemMaxUse=" in _read(p) for p in (root / "etc/systemd/journald.conf.d").glob("*.conf"))
    yield Finding("journal size limited", journald,
                  "the system journal may fill the disk (no SystemMaxUse)", REINSTALL)
    rule = _read(root / POLKIT_RULE)
    yield Finding("card reader allowed", "pcsc-lite" in rule and f'"{user}"' in rule,
                  f"'{user}' may not use the card reader service (pcscd) without a desktop session",
                  REINSTALL)
    config = None
    state = next((line.split("=", 2)[2] for line in service.splitlines()
                  if line.startswith("Environment=KIOSK_STATE=")), "/var/lib/kiosk")
    folder = root / state.lstrip("/")
    try:
        config = kiosk_config.load(folder)
    except ConfigError as error:
        yield Finding("kiosk config readable", False, f"the kiosk would refuse its config: {error}",
                      f"correct that setting in {kiosk_config.config_path(folder)}")
    if config is not None:
        yield from _night_dimming(root, config.night_dimming, user, users, groups, live)
        touch = config.touch.device
        if (live or (root / "dev").is_dir()) and touch and touch != "auto":
            yield Finding(f"touchscreen {touch}", (root / touch.lstrip("/")).exists(),
                          f"the touchscreen {touch} in the config is not there: the kiosk would not answer to touch",
                          "kiosk-provision detect --write  # after checking the touchscreen's USB cable")
    if live:
        yield from _device_nodes(root)


def _night_dimming(root: Path, night: kiosk_config.NightDimming, user: str, users: dict[str, list[str]],
                   groups: dict[str, list[str]], live: bool) -> Iterator[Finding]:
    if not (night.start and night.end):
        yield Finding("screen brightness: full day and night (no night_dimming in the config)", True)
        return
    what = f"night dimming {night.start} to {night.end} at {night.percent} %"
    yield Finding(f"{what}: backlight rule installed", (root / BACKLIGHT_RULE).exists(),
                  "the kiosk user may not dim the backlight (no udev rule): at night the picture is "
                  "darkened but the backlight stays at full power", REINSTALL)
    if not live and not (root / "sys/class/backlight").is_dir():
        return  # a profile written with --root: no screen to look at
    lights = sorted((root / "sys/class/backlight").glob("*/brightness"))
    if not lights:
        yield Finding(f"{what}: by darkening the picture (this screen has no backlight control)", True)
        return
    info = lights[0].stat()
    uid = int(users.get(user, ["", "", "-1"])[2] or -1)
    gids = {int(g[2]) for g in groups.values() if len(g) > 3 and user in g[3].split(",") and g[2].isdigit()}
    gids.add(int(users.get(user, ["", "", "", "-1"])[3] or -1))
    may_write = (info.st_uid == uid and info.st_mode & 0o200) or (info.st_gid in gids and info.st_mode & 0o020)
    yield Finding(f"{what}: through the backlight", bool(may_write),
                  f"'{user}' may not write {lights[0]}: at night the picture is darkened but the backlight "
                  "stays at full power",
                  "udevadm trigger --subsystem-match=backlight --action=add  # applies the kiosk's udev rule")


_GROUP_USE = {"dialout": "serial readers", "video": "the screen", "render": "the graphics chip",
              "input": "the touchscreen", "lp": "USB printers"}


def _device_nodes(root: Path) -> Iterator[Finding]:
    yield Finding("screen device", any((root / "dev/dri").glob("card*")),
                  "there is no screen device (/dev/dri/card*): the graphics driver is not loaded",
                  "apt-get install -y firmware-misc-nonfree && reboot  # then: ls /dev/dri")
    yield Finding("input devices", any((root / "dev/input").glob("event*")),
                  "there are no input devices (/dev/input/event*): the touchscreen cannot be read",
                  "kiosk-provision detect  # after checking the touchscreen's USB cable")
    yield Finding(f"console {VT}", (root / "dev" / VT).exists(),
                  f"there is no /dev/{VT} for the kiosk's screen", "reboot (the kernel creates it)")


def doctor(args: argparse.Namespace) -> int:
    problems = 0
    for finding in check(args.root, args.user):
        if finding.ok:
            print(f"ok       {finding.item}")
            continue
        problems += 1
        print(f"PROBLEM  {finding.item}: {finding.problem}\n         fix: {finding.fix}")
    if problems:
        print(f"{problems} problem(s) found; run the fixes above (as root), then run kiosk-provision doctor again.")
        return ExitCode.SELFTEST_FAILED
    print("everything is in place")
    return 0
