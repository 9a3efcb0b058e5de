"""The whole centre under a simulated fleet: heartbeats, submissions with images, log uploads
and console reads together, against ``kiosk-central serve --workers 2`` on PostgreSQL.

5,000 kiosks (rows made directly in the database with known secrets, as enrolment would) send
one heartbeat a minute each (83/s); kiosks submit applications with two scanned images, upload
log batches, and the back office reads the fleet view and pulls logs. Every stream is paced
(open loop: a slow server does not slow the offered load) and bounded in count and in time.
Loopback only. Prints per endpoint: requests, p50/p95/p99 latency, errors (target 0); then the
database's size, and the Python client's own ceiling beside the offered load.

    .venv/bin/python benchmarks/bench_load.py [--minutes 3] [--kiosks 5000] [--workers 2]
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from cryptography.fernet import Fernet
from sqlalchemy import insert

from central.credentials import create_token, load_or_create_server_key
from central.db import make_engine, make_sessionmaker
from central.embedded import CentralProcess
from central.models import Kiosk
from central.pgcluster import PgCluster
from identity.idnumber import generate_person
from wire import signing
from wire.models import utc_now

MAX_MINUTES = 10.0


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reasons: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, outcome: str) -> None:
        """``outcome``: "" for success, else the status or exception that made it an error."""
        with self.lock:
            self.latencies[name].append(seconds)
            if outcome:
                self.errors[name] += 1
                self.reasons[name].add(outcome)


def make_fleet(url: str, data: Path, count: int) -> tuple[list[tuple[str, bytes]], str]:
    fernet = Fernet(load_or_create_server_key(data))
    fleet = [(f"k-{n:012x}", os.urandom(32)) for n in range(count)]
    engine = make_engine(url)
    now = utc_now()
    with engine.begin() as connection:
        connection.execute(insert(Kiosk), [
            {"id": kiosk_id, "secret_enc": fernet.encrypt(secret), "hostname": f"sim-{n}",
             "location": {"hall": f"大厅 {n % 40}"}, "versions": {"kiosk": "0.1.0"},
             "enrolled_at": now, "devices": {}, "queue_depth": 0, "free_disk_bytes": 0,
             "out_of_service": False}
            for n, (kiosk_id, secret) in enumerate(fleet)
        ])
    with make_sessionmaker(engine)() as db:
        token = create_token(db, "admin", label="bench-load")
    engine.dispose()
    return fleet, token


def signed(kiosk: tuple[str, bytes], path: str, body: bytes, extra: dict[str, str]) -> dict[str, str]:
    headers = signing.sign_headers(kiosk[1], kiosk[0], "POST", path, body)
    return {**headers, **extra}


def heartbeat(kiosk: tuple[str, bytes]) -> tuple[str, bytes, dict[str, str]]:
    body = json.dumps({
        "kiosk_id": kiosk[0], "sent_at": utc_now().isoformat(), "queue_depth": 1,
        "devices": {"printer": {"state": "ok", "reason": ""}, "idcard": {"state": "ok"}},
        "versions": {"kiosk": "0.1.0"}, "free_disk_bytes": 10**10,
    }).encode()
    path = "/api/v1/heartbeat"
    return path, body, signed(kiosk, path, body, {"Content-Type": "application/json"})


IMAGE = os.urandom(300 * 1024)  # a scan does not compress: random bytes are fair


def submission(kiosk: tuple[str, bytes]) -> tuple[str, bytes, dict[str, str]]:
    record = uuid.uuid4().hex
    person = generate_person()
    body = json.dumps({
        "id": record, "reference": "GJZ-" + record[:8].upper(), "scenario": "new_enterprise",
        "document": {"applicant": {"name": person.name, "id_number": person.id_number},
                     "enterprise": {"name": "大连测试商贸有限公司"}},
        "materials": [{"name": f"scan{n}.jpg", "content_type": "image/jpeg",
                       "data_b64": base64.b64encode(IMAGE).decode()} for n in range(2)],
    }).encode()
    path = "/api/v1/submissions"
    return path, body, signed(kiosk, path, body, {"Content-Type": "application/json",
                                                  signing.HEADER_IDEMPOTENCY: record})


def log_batch(kiosk: tuple[str, bytes]) -> tuple[str, bytes, dict[str, str]]:
    start = time.time()
    lines = "".join(
        json.dumps({"at": start - 600 + n * 0.3, "level": "INFO", "logger": "kiosk.visit",
                    "msg": f"step {n % 9} done", "n": n}) + "\n"
        for n in range(2000)
    )
    body = gzip.compress(lines.encode(), 5)
    path = "/api/v1/logs"
    return path, body, signed(kiosk, path, body, {
        "Content-Type": "application/x-ndjson", "Content-Encoding": "gzip",
        signing.HEADER_IDEMPOTENCY: uuid.uuid4().hex})


def paced(name: str, rate: float, stop_at: float, tally: Tally, send, limit: int) -> None:
    """Call ``send()`` ``rate`` times a second until ``stop_at`` or ``limit`` calls."""
    interval = 1.0 / rate
    due = time.monotonic()
    with requests.Session() as http:
        for _ in range(limit):
            now = time.monotonic()
            if now >= stop_at:
                return
            if due > now:
                time.sleep(due - now)
            due += interval
            began = time.perf_counter()
            try:
                reply = send(http)
                outcome = "" if reply.status_code in (200, 201) else str(reply.status_code)
            except requests.RequestException as error:
                outcome = type(error).__name__
            tally.add(name, time.perf_counter() - began, outcome)


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def client_ceiling(base: str, seconds: float = 3.0) -> float:
    """Requests/s this client gets from a refusal that costs the server nothing."""
    count, stop = 0, time.monotonic() + seconds
    with requests.Session() as http:
        while time.monotonic() < stop:
            http.post(base + "/api/v1/events", data=b"{}", timeout=10)
            count += 1
    return count / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help=f"at most {MAX_MINUTES:g}")
    parser.add_argument("--kiosks", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--submissions-per-minute", type=float, default=60.0)
    parser.add_argument("--log-uploads-per-minute", type=float, default=12.0)
    parser.add_argument("--console-reads-per-minute", type=float, default=12.0)
    args = parser.parse_args()
    minutes = min(args.minutes, MAX_MINUTES)
    with PgCluster(durable=True) as cluster, tempfile.TemporaryDirectory() as folder:
        url = cluster.database()
        data = Path(folder)
        make_engine(url).dispose()
        fleet, token = make_fleet(url, data, args.kiosks)
        with CentralProcess(data, url, workers=args.workers) as server:
            base = server.url
            tally = Tally()
            stop_at = time.monotonic() + minutes * 60
            turn = iter(range(10**9))

            def kiosk() -> tuple[str, bytes]:
                return fleet[next(turn) % len(fleet)]

            def post(maker, pick=kiosk):
                def send(http: requests.Session) -> requests.Response:
                    path, body, headers = maker(pick())
                    return http.post(base + path, data=body, headers=headers, timeout=60)
                return send

            auth = {"Authorization": f"Bearer {token}"}

            def fleet_view(http: requests.Session) -> requests.Response:
                return http.get(base + "/api/v1/kiosks", headers=auth, timeout=60)

            def log_pull(http: requests.Session) -> requests.Response:
                now = time.time()
                window = {"since": _iso(now - 7200), "until": _iso(now + 60)}
                return http.get(f"{base}/api/v1/kiosks/{fleet[0][0]}/logs", params=window,
                                headers={**auth, "Accept-Encoding": "gzip"}, timeout=60)

            first_ten = iter(range(10**9))

            def log_kiosk() -> tuple[str, bytes]:  # a few kiosks upload, so pulls find lines
                return fleet[next(first_ten) % 10]

            heartbeat_rate = args.kiosks / 60
            streams = [
                ("heartbeat", heartbeat_rate / 4, post(heartbeat)) for _ in range(4)
            ] + [
                ("submission (2 x 300 KB scans)", args.submissions_per_minute / 60, post(submission)),
                ("log upload (2,000 lines)", args.log_uploads_per_minute / 60,
                 post(log_batch, log_kiosk)),
                ("console: fleet view", args.console_reads_per_minute / 60, fleet_view),
                ("console: log pull (2 h)", args.console_reads_per_minute / 60, log_pull),
            ]
            threads = [
                threading.Thread(target=paced, args=(name, rate, stop_at, tally, send,
                                                     int(rate * minutes * 60) + 1))
                for name, rate, send in streams
            ]
            began = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - began
            ceiling = client_ceiling(base)
        with psycopg.connect(cluster.admin_dsn) as connection:
            size = connection.execute(
                "SELECT pg_database_size(%s)", (url.rsplit("/", 1)[1],)
            ).fetchone()[0]
    print(f"fleet: {args.kiosks} kiosks, {elapsed / 60:.1f} min, --workers {args.workers}, "
          f"PostgreSQL (durable)")
    print(f"{'endpoint':32s} {'requests':>8s} {'req/s':>7s} {'p50 ms':>8s} {'p95 ms':>8s} "
          f"{'p99 ms':>8s} {'errors':>6s}")
    total_errors = 0
    for name, values in tally.latencies.items():
        errors = tally.errors.get(name, 0)
        total_errors += errors
        print(f"{name:32s} {len(values):8d} {len(values) / elapsed:7.1f} "
              f"{percentile(values, 0.5):8.1f} {percentile(values, 0.95):8.1f} "
              f"{percentile(values, 0.99):8.1f} {errors:6d}  {' '.join(sorted(tally.reasons[name]))}")
    offered = sum(len(v) for v in tally.latencies.values()) / elapsed
    print(f"errors: {total_errors} (target 0)")
    print(f"database size after: {size / 1024 / 1024:.1f} MB")
    print(f"offered load {offered:.0f} req/s; this client's ceiling (trivial refusal): "
          f"{ceiling:.0f} req/s = {offered / ceiling:.2f}x of it")
    print(f"mean heartbeat latency {statistics.mean(tally.latencies['heartbeat']) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
