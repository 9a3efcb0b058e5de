"""A kiosk process for the crash test: enqueue N submissions (first run), then drain, one by one.

    python outbox_child.py STATE_DIR N [batch]

Prints ``enqueued <id>`` per new record and ``sent`` after each acknowledged delivery, flushing
each line so the parent can SIGKILL it mid-drain; a restart with the same folder only drains.
With ``batch`` it drains in batches of BATCH records and prints ``stored <n>`` when the centre
has answered a batch, then waits a moment before the local delete: the parent kills it there,
after the centre stored the batch and before the kiosk deleted it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from kiosk import config as kiosk_config
from kiosk.central_client import BatchOutcome, CentralClient
from kiosk.outbox import Material, Outbox

BATCH = 8


class Announcing(CentralClient):
    """The real client; says when a batch was answered, and gives the parent time to kill."""

    def deliver_batch(self, records: Sequence[tuple[str, str, bytes]]) -> list[BatchOutcome]:
        outcomes = super().deliver_batch(records)
        print("stored", sum(o.error is None for o in outcomes), flush=True)
        time.sleep(0.5)
        return outcomes


def main() -> int:
    folder, count = Path(sys.argv[1]), int(sys.argv[2])
    batched = sys.argv[3:] == ["batch"]
    config = kiosk_config.load(folder)
    secret = kiosk_config.load_secret(folder)
    outbox = Outbox.in_state_dir(folder, secret, batch_records=BATCH)
    marker = folder / "enqueued"
    if not marker.exists():
        for n in range(count):
            record = outbox.enqueue_submission(
                f"CRASH-{n:04d}", "new_enterprise", {"n": n}, [Material("p.jpg", bytes([n % 256]) * 512)]
            )
            print("enqueued", record, flush=True)
        marker.write_text("done")
    client = (Announcing if batched else CentralClient).from_config(config, secret)
    while outbox.depth():
        report = outbox.drain(client, max_records=BATCH if batched else 1)
        if report.stopped or report.rejected:
            print("stopped", report.stopped, report.errors, flush=True)
            return 1
        print("sent", flush=True)
    print("empty", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
