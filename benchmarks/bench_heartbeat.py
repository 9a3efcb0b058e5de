"""Heartbeats per second the central server takes, on SQLite and on PostgreSQL.

N simulated kiosks are enrolled, then W client threads send signed heartbeats round-robin for
a few seconds against ``kiosk-central serve`` running in its own process on 127.0.0.1.
Baseline: a fleet of 1,000 kiosks at one heartbeat a minute needs 16.7 heartbeats/s; the
figure printed is the ratio to that (the goal is at least 10x on SQLite). Client and server
share this machine's cores, so the figures are a floor.

    .venv/bin/python benchmarks/bench_heartbeat.py [--kiosks 50] [--threads 6] [--seconds 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

from central.credentials import create_pairing_code
from central.db import make_engine, make_sessionmaker, sqlite_url
from central.embedded import CentralProcess
from central.pgcluster import PgCluster
from wire import signing

FLEET_RATE = 1000 / 60  # 1,000 kiosks, one heartbeat a minute each


def enrol(url: str, database_url: str, count: int) -> list[tuple[str, bytes]]:
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        codes = [create_pairing_code(session, 600)[0] for _ in range(count)]
    engine.dispose()
    kiosks = []
    for number, code in enumerate(codes):
        body = requests.post(
            url + "/api/v1/enrol",
            json={"pairing_code": code, "hostname": f"bench-{number}"},
            timeout=10,
        ).json()
        kiosks.append((body["kiosk_id"], bytes.fromhex(body["secret"])))
    return kiosks


def heartbeat_body(kiosk_id: str) -> bytes:
    return json.dumps(
        {
            "kiosk_id": kiosk_id,
            "sent_at": "2024-05-01T08:00:00Z",
            "devices": {
                "idcard": {"state": "ok", "reason": ""},
                "printer": {"state": "degraded", "reason": "printer.paper_low"},
                "camera": {"state": "ok", "reason": ""},
            },
            "queue_depth": 2,
            "versions": {"kiosk": "0.1.0", "catalog": "2024.05"},
            "free_disk_bytes": 12_000_000_000,
            "out_of_service": False,
            "acked_commands": [],
        }
    ).encode()


def hammer(
    url: str, kiosks: list[tuple[str, bytes]], threads: int, seconds: float
) -> tuple[int, int, float]:
    """Send heartbeats for ``seconds``; returns (accepted, refused, elapsed)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    counts = [[0, 0] for _ in range(threads)]
    start_gate = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def worker(index: int) -> None:
        mine = kiosks[index::threads]
        # http.client rather than requests: the client shares the cores, so keep it light.
        connection = http.client.HTTPConnection(host, port, timeout=30)
        start_gate.wait()
        turn = 0
        while time.monotonic() < stop_at[0]:
            kiosk_id, secret = mine[turn % len(mine)]
            turn += 1
            body = heartbeat_body(kiosk_id)
            headers = signing.sign_headers(secret, kiosk_id, "POST", "/api/v1/heartbeat", body)
            headers["Content-Type"] = "application/json"
            connection.request("POST", "/api/v1/heartbeat", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            counts[index][0 if response.status == 200 else 1] += 1
        connection.close()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    began = time.monotonic()
    start_gate.wait()
    for thread in workers:
        thread.join()
    elapsed = time.monotonic() - began
    return sum(c[0] for c in counts), sum(c[1] for c in counts), elapsed


def run(backend: str, database_url: str | None, folder: Path, args: argparse.Namespace) -> None:
    data = folder / backend
    data.mkdir()
    with CentralProcess(data, database_url) as server:
        kiosks = enrol(server.url, database_url or sqlite_url(data), args.kiosks)
        hammer(server.url, kiosks, args.threads, 1.0)  # warm-up
        accepted, refused, elapsed = hammer(server.url, kiosks, args.threads, args.seconds)
    rate = accepted / elapsed
    print(
        f"{backend:10s} {args.kiosks} kiosks, {args.threads} threads: {rate:7.1f} heartbeats/s "
        f"= {rate / FLEET_RATE:5.1f}x the 1,000-kiosk fleet's 16.7/s  (refused: {refused})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-heartbeat-") as name:
        folder = Path(name)
        if args.backend in ("sqlite", "both"):
            run("sqlite", None, folder, args)
        if args.backend in ("postgresql", "both"):
            with PgCluster(durable=True) as cluster:
                run("postgresql", cluster.database(), folder, args)


if __name__ == "__main__":
    main()
