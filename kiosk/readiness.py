"""Whether this kiosk may take a citizen's application now: an outbox, a key, room on the disk.

A citizen must never finish every step and then fail at 提交. So the kiosk is out of service for
new applications when its outbox could not be opened (no kiosk key, an unreadable key, a corrupt
or full database) or when the disk under the outbox has less than :data:`MIN_FREE_BYTES` free.
Delivery goes on meanwhile (the reporting worker does not ask this), so the queue drains and the
kiosk comes back by itself once there is room again.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Protocol

# Room for a few applications with their material photos, the WAL and the logs.
MIN_FREE_BYTES = 64 * 1024 * 1024

NO_OUTBOX = "ui.oos.no_outbox"
DISK_LOW = "ui.oos.disk_low"


class HasPath(Protocol):
    """An outbox, as far as this check needs it: where its database lives."""

    @property
    def path(self) -> Path: ...


def free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0


def service_problem(outbox: HasPath | None, *, min_free_bytes: int | None = None) -> str | None:
    """Why no new application can be taken (an i18n key), or None; ``outbox`` may be None."""
    if outbox is None:
        return NO_OUTBOX
    limit = MIN_FREE_BYTES if min_free_bytes is None else min_free_bytes
    if free_bytes(Path(outbox.path).parent) < limit:
        return DISK_LOW
    return None
