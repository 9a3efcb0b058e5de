"""The systemd units that run the kiosk: the service itself and its crash-loop escalation.

The service restarts always, is killed and restarted when the UI stops pinging the watchdog
(``WatchdogSec``; :mod:`kiosk.watchdog` pings from the Kivy clock), and after
``StartLimitBurst`` starts within ``StartLimitIntervalSec`` systemd gives up on it and starts
``OnFailure=`` the escalation unit, which runs ``kiosk-provision escalate`` (reboot, at most
once per interval; after that, out of service until the back office intervenes).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

SERVICE = "kiosk.service"
ESCALATION = "kiosk-escalate.service"


@dataclass(frozen=True)
class UnitSettings:
    exec_start: list[str]
    escalate: list[str]
    state_dir: Path
    user: str = ""
    watchdog_seconds: int = 30
    restart_seconds: int = 3
    start_limit_interval: int = 300
    start_limit_burst: int = 5


def _command(argv: list[str]) -> str:
    return " ".join(shlex.quote(part) for part in argv)


def service_unit(s: UnitSettings) -> str:
    user = f"User={s.user}\n" if s.user else ""
    return f"""[Unit]
Description=24-hour self-service kiosk
After=network-online.target graphical.target
Wants=network-online.target
StartLimitIntervalSec={s.start_limit_interval}
StartLimitBurst={s.start_limit_burst}
OnFailure={ESCALATION}

[Service]
Type=notify
NotifyAccess=main
{user}Environment=KIOSK_STATE={s.state_dir}
# Two malloc arenas: freed memory is reused rather than kept per thread (flat RSS over a day).
Environment=MALLOC_ARENA_MAX=2
ExecStart={_command(s.exec_start)}
Restart=always
RestartSec={s.restart_seconds}
WatchdogSec={s.watchdog_seconds}
TimeoutStartSec=120
TimeoutStopSec=20

[Install]
WantedBy=graphical.target
"""


def escalation_unit(s: UnitSettings) -> str:
    user = f"User={s.user}\n" if s.user else ""
    return f"""[Unit]
Description=Escalate a crash-looping kiosk (reboot, then out of service)

[Service]
Type=oneshot
{user}Environment=KIOSK_STATE={s.state_dir}
ExecStart={_command(s.escalate)}
"""


def units(settings: UnitSettings) -> dict[str, str]:
    return {SERVICE: service_unit(settings), ESCALATION: escalation_unit(settings)}
