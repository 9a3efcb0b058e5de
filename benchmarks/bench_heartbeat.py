"""Heartbeats per second the central server takes on PostgreSQL (and SQLite), against today's code.

Kiosks are enrolled, heartbeats are signed in advance, and ``wrk`` sends them for a few seconds
to ``kiosk-central serve`` in its own process(es) on 127.0.0.1 (benchmarks/wrkload.py: a Python
client would cap the figure near 500/s here). In the same run and with the same client it
measures the code at the branch point (``--baseline-ref``, checked out with ``git worktree``
into a temp folder), this code with one worker, and this code with ``--workers``; then the
client's own ceiling (an unsigned request refused at once). Figures are printed as ratios to
the same-run baseline, and to the 191/s recorded in issue 11 (Python client, old code).
Client and server share this machine's two cores, so the figures are floors.

    .venv/bin/python benchmarks/bench_heartbeat.py [--kiosks 200] [--seconds 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
import wrkload

from central.credentials import create_pairing_code
from central.db import make_engine, make_sessionmaker, sqlite_url
from central.embedded import CentralProcess
from central.pgcluster import PgCluster
from wire import signing

ISSUE_FIGURE = 191.0  # heartbeats/s on PostgreSQL recorded in issue 11
REPO = Path(__file__).resolve().parents[1]
PATH = "/api/v1/heartbeat"


def enrol(url: str, database_url: str, count: int) -> list[tuple[str, bytes]]:
    engine = make_engine(database_url, prepare=False)
    with make_sessionmaker(engine)() as session:
        codes = [create_pairing_code(session, 600)[0] for _ in range(count)]
    engine.dispose()
    kiosks = []
    with requests.Session() as http:
        for number, code in enumerate(codes):
            body = http.post(
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


def signed_heartbeats(host: str, kiosks: list[tuple[str, bytes]], count: int) -> Iterator[bytes]:
    for turn in range(count):
        kiosk_id, secret = kiosks[turn % len(kiosks)]
        body = heartbeat_body(kiosk_id)
        headers = signing.sign_headers(secret, kiosk_id, "POST", PATH, body)
        headers["Content-Type"] = "application/json"
        yield wrkload.raw_request(host, "POST", PATH, headers, body)


@contextmanager
def baseline_tree(ref: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="bench-baseline-")) / "tree"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(folder), ref],
        check=True, capture_output=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)],
            check=False, capture_output=True,
        )


def measure(
    label: str,
    database_url: str | None,
    folder: Path,
    args: argparse.Namespace,
    *,
    workers: int | None = None,
    tree: Path | None = None,
) -> float:
    data = folder / label.replace(" ", "-")
    data.mkdir()
    url = database_url or sqlite_url(data)
    with CentralProcess(data, database_url, workers=workers, source_tree=tree) as server:
        kiosks = enrol(server.url, url, args.kiosks)
        host = f"127.0.0.1:{server.port}"
        wrkload.run(server.url, signed_heartbeats(host, kiosks, 2000), 1.0)  # warm-up
        count = int(args.max_rate * (args.seconds + 1))
        result = wrkload.run(server.url, signed_heartbeats(host, kiosks, count), args.seconds)
    refused = result.non_2xx + result.errors
    print(
        f"  {label:34s} {result.rate:7.0f} heartbeats/s  p50 {result.p50_ms:5.1f} ms  "
        f"p99 {result.p99_ms:6.1f} ms  refused/errors {refused}",
        flush=True,
    )
    return result.rate


def ceiling(database_url: str | None, folder: Path, args: argparse.Namespace) -> float:
    """wrk's own limit here: an unsigned POST the server refuses at once (2 workers)."""
    data = folder / "ceiling"
    data.mkdir()
    with CentralProcess(data, database_url, workers=args.workers) as server:
        host = f"127.0.0.1:{server.port}"
        refused = wrkload.raw_request(host, "POST", PATH, {"Content-Type": "application/json"}, b"{}")
        result = wrkload.run(server.url, [refused], args.seconds)
    return result.rate


def run_backend(
    backend: str, fresh_database: Callable[[], str | None], folder: Path,
    args: argparse.Namespace, tree: Path | None,
) -> None:
    print(f"{backend}:", flush=True)
    for sub in "abcd":
        (folder / sub).mkdir(parents=True)
    today = 0.0
    if tree is not None:
        today = measure("today's code, 1 process", fresh_database(), folder / "a", args, tree=tree)
    one = measure("this code, 1 worker", fresh_database(), folder / "b", args, workers=1)
    many = measure(f"this code, --workers {args.workers}", fresh_database(), folder / "c", args,
                   workers=args.workers)
    limit = ceiling(fresh_database(), folder / "d", args)
    print(f"  client ceiling (wrk, unsigned refusal, {args.workers} workers): {limit:7.0f} req/s")
    if today:
        print(f"  ratio --workers {args.workers} / today's code, same run: {many / today:5.2f}x "
              f"(1 worker: {one / today:5.2f}x)")
    if backend.startswith("postgresql"):
        print(f"  ratio --workers {args.workers} / issue 11's 191/s: {many / ISSUE_FIGURE:5.2f}x; "
              f"target 1,700/s: {'met' if many >= 1700 else 'NOT met'}")


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-rate", type=float, default=6000.0,
                        help="heartbeats signed in advance per second of run (cycled after)")
    parser.add_argument("--baseline-ref", default="48c2a6b",
                        help="git ref of today's code ('' to skip it)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-heartbeat-") as name:
        folder = Path(name)
        with baseline_tree(args.baseline_ref) if args.baseline_ref else _nothing() as tree:
            if args.backend in ("postgresql", "both"):
                with PgCluster(durable=True) as cluster:
                    run_backend("postgresql (durable: fsync on)", cluster.database,
                                folder / "pg", args, tree)
            if args.backend in ("sqlite", "both"):
                run_backend("sqlite", lambda: None, folder / "sqlite", args, tree)


if __name__ == "__main__":
    main()
