"""Outbox throughput: durable enqueue rate and signed drain rate to the embedded central server.

Baseline, measured in the same run against the same server: a plain loop of unsigned
``requests.post`` calls (to an endpoint that refuses them at once, so the server does the least
work it can) — the cost of one HTTP round trip. The drain is measured as the kiosk does it
(consecutive records several to a signed POST /batch) and, in the same run, one record per
request as before batching. Rounds alternate between them so that load from others on this
shared machine hits each about equally; medians are printed as records/s and as ratios.

    .venv/bin/python benchmarks/bench_outbox.py [N] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from statistics import median

import requests

from central.embedded import EmbeddedCentral
from kiosk.central_client import CentralClient, Reply
from kiosk.outbox import Material, Outbox

IMAGE = bytes(range(256)) * 40  # a 10 KB material


class OneByOne:
    """The real client without ``deliver_batch``: the outbox sends each record alone."""

    def __init__(self, client: CentralClient) -> None:
        self.client = client

    def deliver(self, *args: object, **kwargs: object) -> Reply:
        return self.client.deliver(*args, **kwargs)  # type: ignore[arg-type]


def _fill(outbox: Outbox, count: int) -> float:
    start = time.perf_counter()
    for n in range(count):
        outbox.enqueue_submission(f"B{n}", "bench", {"n": n}, [Material("p.jpg", IMAGE)])
    return count / (time.perf_counter() - start)


def _drain(outbox: Outbox, client: object, count: int) -> float:
    start = time.perf_counter()
    report = outbox.drain(client)  # type: ignore[arg-type]
    rate = report.sent / (time.perf_counter() - start)
    assert report.sent == count and outbox.depth() == 0, report
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    count = args.count
    rates: dict[str, list[float]] = defaultdict(list)
    with EmbeddedCentral() as central, tempfile.TemporaryDirectory() as folder:
        enrolment = CentralClient(central.url).enrol(central.pairing_code(), "bench", {}, {})
        secret = bytes.fromhex(enrolment["secret"])
        client = CentralClient(central.url, enrolment["kiosk_id"], secret)
        outbox = Outbox.in_state_dir(Path(folder), secret)
        session = requests.Session()
        for _ in range(args.rounds):
            start = time.perf_counter()
            for _ in range(count):
                session.post(central.url + "/api/v1/events", json={"id": "x", "events": []},
                             timeout=10)
            rates["baseline"].append(count / (time.perf_counter() - start))
            rates["enqueue"].append(_fill(outbox, count))
            rates["drain"].append(_drain(outbox, client, count))
            _fill(outbox, count)
            rates["drain one by one"].append(_drain(outbox, OneByOne(client), count))
            start = time.perf_counter()
            for n in range(count):
                outbox.enqueue_events([{"at": "2025-01-01T00:00:00Z", "kind": "bench",
                                        "reason": str(n)}])
            outbox.drain(client)
            rates["events"].append(count / (time.perf_counter() - start))
        outbox.close()

    base = median(rates["baseline"])
    print(f"records: {count} per round, {args.rounds} rounds (medians); "
          f"load average {os.getloadavg()[0]:.1f} on 2 cores")
    rows = [
        ("baseline", "unsigned requests.post (refused at once):", "req/s"),
        ("enqueue", "durable (fsync) submission + 10 KB image:", "rec/s"),
        ("drain", "signed submissions in batches, + deleted:", "rec/s"),
        ("drain one by one", "signed, one request per record (before):", "rec/s"),
        ("events", "enqueue + batched drain, device events:", "rec/s"),
    ]
    for key, what, unit in rows:
        value = median(rates[key])
        print(f"{key:17s} {what:44s} {value:8.1f} {unit} = {value / base:.2f}x")
    print(f"batched drain / one by one, same run: "
          f"{median(rates['drain']) / median(rates['drain one by one']):.2f}x; "
          f"target >= 0.8x baseline: {'met' if median(rates['drain']) >= 0.8 * base else 'NOT met'}")


if __name__ == "__main__":
    main()
