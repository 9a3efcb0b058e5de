"""Outbox throughput: durable enqueue rate and signed drain rate to the embedded central server.

Baseline, measured in the same run against the same server: a plain loop of unsigned
``requests.post`` calls (to an endpoint that refuses them at once, so the server does the least
work it can) — the cost of one HTTP round trip. Figures are printed as records/s and as ratios.

    .venv/bin/python benchmarks/bench_outbox.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import requests

from central.embedded import EmbeddedCentral
from kiosk.central_client import CentralClient
from kiosk.outbox import Material, Outbox


def main(count: int = 200) -> None:
    with EmbeddedCentral() as central, tempfile.TemporaryDirectory() as folder:
        enrolment = CentralClient(central.url).enrol(central.pairing_code(), "bench", {}, {})
        secret = bytes.fromhex(enrolment["secret"])
        client = CentralClient(central.url, enrolment["kiosk_id"], secret)
        outbox = Outbox.in_state_dir(Path(folder), secret)
        image = bytes(range(256)) * 40  # a 10 KB material

        session = requests.Session()
        start = time.perf_counter()
        for _ in range(count):
            session.post(central.url + "/api/v1/events", json={"id": "x", "events": []}, timeout=10)
        baseline = count / (time.perf_counter() - start)

        start = time.perf_counter()
        for n in range(count):
            outbox.enqueue_submission(f"B{n}", "bench", {"n": n}, [Material("p.jpg", image)])
        enqueue = count / (time.perf_counter() - start)

        start = time.perf_counter()
        report = outbox.drain(client)
        drain = report.sent / (time.perf_counter() - start)
        assert report.sent == count and outbox.depth() == 0, report

        events_start = time.perf_counter()
        for n in range(count):
            outbox.enqueue_events([{"at": "2025-01-01T00:00:00Z", "kind": "bench", "reason": str(n)}])
        outbox.drain(client)
        events = count / (time.perf_counter() - events_start)
        outbox.close()

    print(f"records: {count}")
    print(f"baseline  unsigned requests.post (refused at once): {baseline:8.1f} req/s  = 1.00")
    print(f"enqueue   durable (fsync) submission + 10 KB image:  {enqueue:8.1f} rec/s  = {enqueue / baseline:.2f}x")
    print(f"drain     signed submission delivered + deleted:    {drain:8.1f} rec/s  = {drain / baseline:.2f}x")
    print(f"events    enqueue + drain, small device events:      {events:8.1f} rec/s  = {events / baseline:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
