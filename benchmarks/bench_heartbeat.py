"""Heartbeats per second the central server takes on PostgreSQL (and SQLite), against main.

Kiosks are enrolled, heartbeats are signed in advance, and ``wrk`` sends them to
``kiosk-central serve`` in its own process(es) on 127.0.0.1 (benchmarks/wrkload.py: a Python
client would cap the figure near 500/s here). In the same run and with the same client it
measures the baseline code (``--baseline-ref``, default main, checked out with ``git
worktree`` into a temp folder) with the same worker count, this code with ``--workers`` and
with one worker, and the client's ceiling (an unsigned request refused at once). All run at
once and rounds alternate between them, so load from others on this shared machine hits each
about equally; medians are compared, and the load average is printed. Ratios: to the same-run
baseline, to the ceiling, to the 1,700/s target and to the 191/s recorded in issue 11.
Client and server share this machine's two cores, so the figures are floors.

    .venv/bin/python benchmarks/bench_heartbeat.py [--kiosks 200] [--seconds 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

import requests
import wrkload
from wrkload import WrkResult

from central.credentials import create_pairing_code
from central.db import make_engine, make_sessionmaker, sqlite_url
from central.embedded import CentralProcess
from central.pgcluster import PgCluster
from wire import signing

ISSUE_FIGURE = 191.0  # heartbeats/s on PostgreSQL recorded in issue 11
TARGET = 1700.0  # issue 11: a fleet of 10,000 at one a minute, 10x headroom
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


@dataclass
class Contender:
    label: str
    server: CentralProcess
    kiosks: list[tuple[str, bytes]]
    rates: list[float] = field(default_factory=list)
    refused: int = 0

    def round(self, args: argparse.Namespace) -> WrkResult:
        host = f"127.0.0.1:{self.server.port}"
        count = int(args.max_rate * (args.seconds + 1))
        if self.kiosks:
            prepared: Iterable[bytes] = signed_heartbeats(host, self.kiosks, count)
        else:  # the client's ceiling: an unsigned POST the server refuses at once
            prepared = [wrkload.raw_request(host, "POST", PATH, {"Content-Type": "application/json"}, b"{}")]
        result = wrkload.run(self.server.url, prepared, args.seconds)
        self.rates.append(result.rate)
        if self.kiosks:
            self.refused += result.non_2xx + result.errors
        return result


def start(
    label: str, database_url: str | None, folder: Path, args: argparse.Namespace,
    stack: ExitStack, *, workers: int | None, tree: Path | None = None, kiosks: bool = True,
) -> Contender:
    data = folder / label.replace(" ", "-").replace("/", "-")
    data.mkdir(parents=True)
    url = database_url or sqlite_url(data)
    server = stack.enter_context(
        CentralProcess(data, database_url, workers=workers, source_tree=tree)
    )
    fleet = enrol(server.url, url, args.kiosks) if kiosks else []
    if fleet:
        host = f"127.0.0.1:{server.port}"
        wrkload.run(server.url, signed_heartbeats(host, fleet, 2000), 1.0)  # warm-up
    return Contender(label, server, fleet)


def run_backend(
    backend: str, fresh_database: Callable[[], str | None], folder: Path,
    args: argparse.Namespace, tree: Path | None,
) -> None:
    """All contenders up at once; rounds alternate between them, so a burst of load from
    elsewhere on the machine hits each about equally. Medians are compared."""
    print(f"{backend}:", flush=True)
    with ExitStack() as stack:
        baseline = None
        if tree is not None:
            baseline_workers = args.workers if args.baseline_workers is None else (
                args.baseline_workers or None)
            baseline = start(f"baseline {args.baseline_ref} --workers {baseline_workers or 1}",
                             fresh_database(), folder, args, stack, workers=baseline_workers,
                             tree=tree)
        many = start(f"this code --workers {args.workers}", fresh_database(), folder, args,
                     stack, workers=args.workers)
        one = start("this code --workers 1", fresh_database(), folder, args, stack, workers=1)
        limit = start(f"client ceiling (unsigned refusal, --workers {args.workers})",
                      fresh_database(), folder, args, stack, workers=args.workers, kiosks=False)
        contenders = [c for c in (baseline, many, one, limit) if c is not None]
        loads = []
        for number in range(args.rounds):
            for contender in contenders:
                contender.round(args)
            loads.append(os.getloadavg()[0])
            print(f"  round {number + 1}: " + ", ".join(
                f"{c.label.split(' (')[0]} {c.rates[-1]:.0f}/s" for c in contenders
            ) + f"; load average {loads[-1]:.1f}", flush=True)
    print(f"  machine load average (1 min) during the rounds: {min(loads):.1f} .. {max(loads):.1f}"
          " (2 cores; others' work included)")
    for contender in contenders:
        refused = f"refused/errors {contender.refused}" if contender.kiosks else ""
        print(f"  {contender.label:48s} median {median(contender.rates):7.0f} /s  "
              f"best {max(contender.rates):7.0f} /s  {refused}")
    best = median(many.rates)
    if baseline is not None:
        print(f"  ratio --workers {args.workers} / {baseline.label}, same run (medians): "
              f"{best / median(baseline.rates):5.2f}x")
    print(f"  ratio --workers {args.workers} / client ceiling (medians): "
          f"{best / median(limit.rates):5.2f}x")
    if backend.startswith("postgresql"):
        print(f"  ratio --workers {args.workers} / the 1,700/s target: {best / TARGET:5.2f}x "
              f"({'met' if best >= TARGET else 'NOT met'}); / issue 11's 191/s: "
              f"{best / ISSUE_FIGURE:5.2f}x")


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0, help="per round and contender")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-rate", type=float, default=6000.0,
                        help="heartbeats signed in advance per second of run (cycled after)")
    parser.add_argument("--baseline-ref", default="main",
                        help="git ref of the baseline code, e.g. main or 48c2a6b (issue 11's "
                        "starting point, which has no --workers: give --baseline-workers 0); "
                        "'' to skip it")
    parser.add_argument("--baseline-workers", type=int, default=None,
                        help="workers for the baseline (default --workers; 0: one process)")
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
