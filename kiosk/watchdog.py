"""systemd's service notifications (``sd_notify``) over ``$NOTIFY_SOCKET``, with the stdlib only.

``ready()`` once the kiosk can serve; ``ping()`` from the Kivy main loop's clock, so a frozen UI
stops the pings and systemd (``WatchdogSec=``) restarts the service. ``ping`` rate-limits
itself to half the watchdog interval systemd announces in ``$WATCHDOG_USEC``, so calling it
every frame costs nothing. Outside systemd (no socket) every call is a cheap no-op.
"""

from __future__ import annotations

import os
import socket
import threading
import time

_lock = threading.Lock()
_last_ping = float("-inf")


def _address() -> str | None:
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return None
    if address.startswith("@"):  # abstract namespace
        return "\0" + address[1:]
    return address


def notify(state: str) -> bool:
    """Send one notification (e.g. ``"READY=1"``); False when not under systemd or it failed."""
    address = _address()
    if address is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError:
        return False
    return True


def interval_seconds() -> float | None:
    """The watchdog interval systemd asked for, if it is for this process."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1_000_000


def ready(status: str = "") -> bool:
    return notify("READY=1" + (f"\nSTATUS={status}" if status else ""))


def status(text: str) -> bool:
    return notify(f"STATUS={text}")


def stopping() -> bool:
    return notify("STOPPING=1")


def ping(now: float | None = None) -> bool:
    """``WATCHDOG=1``, at most twice per watchdog interval; True when one was sent."""
    global _last_ping
    if _address() is None:
        return False
    now = time.monotonic() if now is None else now
    interval = interval_seconds()
    spacing = interval / 2 if interval else 1.0
    with _lock:
        if now - _last_ping < spacing:
            return False
        _last_ping = now
    return notify("WATCHDOG=1")
