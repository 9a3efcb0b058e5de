"""A kiosk process for the crash test: enqueue N submissions (first run), then drain, one by one.

    python outbox_child.py STATE_DIR N

Prints ``enqueued <id>`` per new record and ``sent`` after each acknowledged delivery, flushing
each line so the parent can SIGKILL it mid-drain; a restart with the same folder only drains.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk import config as kiosk_config
from kiosk.central_client import CentralClient
from kiosk.outbox import Material, Outbox


def main() -> int:
    folder, count = Path(sys.argv[1]), int(sys.argv[2])
    config = kiosk_config.load(folder)
    secret = kiosk_config.load_secret(folder)
    outbox = Outbox.in_state_dir(folder, secret)
    marker = folder / "enqueued"
    if not marker.exists():
        for n in range(count):
            record = outbox.enqueue_submission(
                f"CRASH-{n:04d}", "new_enterprise", {"n": n}, [Material("p.jpg", bytes([n % 256]) * 512)]
            )
            print("enqueued", record, flush=True)
        marker.write_text("done")
    client = CentralClient.from_config(config, secret)
    while outbox.depth():
        report = outbox.drain(client, max_records=1)
        if report.stopped or report.rejected:
            print("stopped", report.stopped, report.errors, flush=True)
            return 1
        print("sent", flush=True)
    print("empty", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
