"""The systemd units that run the kiosk: the service itself and its crash-loop escalation.

The service restarts always, is killed and restarted when the UI stops pinging the watchdog
(``WatchdogSec``; :mod:`kiosk.watchdog` pings from the Kivy clock), and after
``StartLimitBurst`` starts within ``StartLimitIntervalSec`` systemd gives up on it and starts
``OnFailure=`` the escalation unit, which runs ``kiosk-provision escalate`` (reboot, at most
once per interval; after that, out of service until the back office intervenes).

The service runs as the unprivileged kiosk user and owns the first VT: with ``display="kmsdrm"``
SDL draws straight to the screen (no desktop); with ``display="x11"`` it runs ``xinit`` with the
kiosk's session script on that VT. The escalation unit always runs as root (it reboots).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

SERVICE = "kiosk.service"
ESCALATION = "kiosk-escalate.service"
VT = "tty1"
DISPLAYS = ("kmsdrm", "x11")
XSESSION = Path("/usr/local/lib/kiosk24/xsession")


@dataclass(frozen=True)
class UnitSettings:
    exec_start: list[str]
    escalate: list[str]
    state_dir: Path
    user: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)
    display: str = ""
    watchdog_seconds: int = 30
    restart_seconds: int = 3
    start_limit_interval: int = 300
    start_limit_burst: int = 5


def command_line(argv: list[str]) -> str:
    return " ".join(shlex.quote(part) for part in argv)


def xinit_command(s: UnitSettings) -> list[str]:
    """Xorg on the kiosk's VT with no cursor, no listening socket and no blanking."""
    return ["/usr/bin/xinit", str(XSESSION), "--", "/usr/bin/Xorg", ":0", "vt1", "-keeptty",
            "-nolisten", "tcp", "-nocursor", "-s", "0", "-dpms"]


def _display_lines(s: UnitSettings) -> str:
    if not s.display:
        return ""
    lines = [
        f"TTYPath=/dev/{VT}",
        "TTYReset=yes",
        "TTYVHangup=yes",
        "TTYVTDisallocate=yes",
        "StandardInput=tty-fail",
        "StandardOutput=journal",
        "PAMName=login",
        # Kivy reads KCFG_<SECTION>_<KEY> as config: full screen at the screen's own size, no pointer.
        "Environment=KCFG_GRAPHICS_FULLSCREEN=auto",
        "Environment=KCFG_GRAPHICS_SHOW_CURSOR=0",
        "Environment=KIVY_NO_ARGS=1",
    ]
    if s.display == "kmsdrm":
        lines += ["Environment=SDL_VIDEODRIVER=kmsdrm", "Environment=KIVY_WINDOW=sdl2"]
    else:
        lines += ["Environment=SDL_VIDEODRIVER=x11", "Environment=DISPLAY=:0"]
    return "\n".join(lines) + "\n"


def service_unit(s: UnitSettings) -> str:
    user = f"User={s.user}\n" if s.user else ""
    groups = f"SupplementaryGroups={' '.join(s.groups)}\n" if s.groups else ""
    after = "network-online.target graphical.target"
    conflicts = ""
    if s.display:
        after = f"network-online.target systemd-user-sessions.service getty@{VT}.service time-sync.target"
        conflicts = f"Conflicts=getty@{VT}.service\n"
    exec_start = xinit_command(s) if s.display == "x11" else s.exec_start
    notify = "NotifyAccess=all" if s.display == "x11" else "NotifyAccess=main"
    target = "multi-user.target" if s.display else "graphical.target"
    return f"""[Unit]
Description=24-hour self-service kiosk
After={after}
Wants=network-online.target
{conflicts}StartLimitIntervalSec={s.start_limit_interval}
StartLimitBurst={s.start_limit_burst}
OnFailure={ESCALATION}

[Service]
Type=notify
{notify}
{user}{groups}Environment=KIOSK_STATE={s.state_dir}
# Two malloc arenas: freed memory is reused rather than kept per thread (flat RSS over a day).
Environment=MALLOC_ARENA_MAX=2
{_display_lines(s)}ExecStart={command_line(exec_start)}
Restart=always
RestartSec={s.restart_seconds}
WatchdogSec={s.watchdog_seconds}
TimeoutStartSec=120
TimeoutStopSec=20

[Install]
WantedBy={target}
"""


def escalation_unit(s: UnitSettings) -> str:
    # No User=: the escalation reboots the machine, so it runs as root whoever runs the kiosk.
    return f"""[Unit]
Description=Escalate a crash-looping kiosk (reboot, then out of service)

[Service]
Type=oneshot
User=root
Environment=KIOSK_STATE={s.state_dir}
ExecStart={command_line(s.escalate)}
"""


def units(settings: UnitSettings) -> dict[str, str]:
    return {SERVICE: service_unit(settings), ESCALATION: escalation_unit(settings)}
