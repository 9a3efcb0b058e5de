"""Where the project's files are: the assets folder and the per-kiosk state folder."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
ASSETS = Path(os.environ.get("KIOSK_ASSETS", PROJECT / "assets"))


def state_dir() -> Path:
    """Writable folder for config, key, outbox and logs (``KIOSK_STATE`` or ~/.local/state/kiosk)."""
    default = Path.home() / ".local" / "state" / "kiosk"
    return Path(os.environ.get("KIOSK_STATE", default))
