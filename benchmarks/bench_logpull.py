"""Log upload and pull throughput: 100 MB of a kiosk's JSON log lines into and out of the centre.

One simulated kiosk uploads ~100 MB of log lines in the kiosk's own format (8 MB batches,
gzip'd beforehand as the kiosk's outbox holds them, signed) to ``kiosk-central serve`` in its
own process, then uploads them all again (an overlapping re-upload: nothing new to store); the
back office pulls the whole range, gzip'd as the CLI asks for it, and the bytes are checked.

Upload is printed in MB/s of log lines and as a ratio to issue 11's 50 MB/s target, and against
the baseline code (``--baseline-ref``, default main) measured in the same run; also per
CPU-second of the server and PostgreSQL processes, which others' load on the machine changes
less than wall time. Pull is printed as a ratio to gzip-compressing (level 3, as the centre
packed pulls before log blocks) plus un-gzipping the same bytes in this process, measured in
the same run; both are the best of three, and upload the better of two kiosks' first uploads,
the machine being shared.

    .venv/bin/python benchmarks/bench_logpull.py [--megabytes 100] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
import uuid
import zlib
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from bench_heartbeat import _tree_cpu_seconds, baseline_tree

from central.credentials import create_pairing_code, create_token
from central.db import make_engine, make_sessionmaker, sqlite_url
from central.embedded import CentralProcess
from central.pgcluster import PgCluster
from wire import signing

T0 = datetime(2024, 5, 1, tzinfo=UTC)
BATCH_BYTES = 8 * 1024 * 1024
MB = 1024 * 1024
UPLOAD_TARGET = 50.0  # MB/s, issue 11
GZIP_LEVEL = 3  # the local baseline's gzip level: the one main's centre packed pulls with


def make_lines(megabytes: float) -> list[bytes]:
    """Log lines as the kiosk writes them (kiosk.logs.JsonFormatter: ``ts`` first, in ms with
    Z; masked ids; ~230 bytes each), one every 50 ms from T0."""
    lines: list[bytes] = []
    size = 0
    number = 0
    while size < megabytes * MB:
        at = T0 + timedelta(milliseconds=50 * number)
        record = {
            "ts": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": "INFO",
            "logger": "kiosk.flow",
            "kiosk": "k-bench",
            "session": f"s-{number // 40:08d}",
            "event": "flow.step",
            "msg": "step finished",
            "step": f"form.page{number % 7}",
            "applicant": "2102**********123X",
            "n": number,
        }
        line = json.dumps(record, ensure_ascii=False).encode() + b"\n"
        lines.append(line)
        size += len(line)
        number += 1
    return lines


def batches(lines: list[bytes]) -> list[tuple[bytes, datetime, datetime]]:
    """Consecutive batches of about BATCH_BYTES with the range each one covers."""
    out: list[tuple[bytes, datetime, datetime]] = []
    start = 0
    while start < len(lines):
        end, size = start, 0
        while end < len(lines) and size < BATCH_BYTES:
            size += len(lines[end])
            end += 1
        since = T0 + timedelta(milliseconds=50 * start)
        until = T0 + timedelta(milliseconds=50 * end)
        out.append((b"".join(lines[start:end]), since, until))
        start = end
    return out


def run(
    backend: str, database_url: str | None, folder: Path, megabytes: float,
    tree: Path | None = None, label: str = "this code", database_pid: int = 0,
) -> float:
    data = folder / f"{backend}-{label.replace(' ', '-')}"
    data.mkdir()
    lines = make_lines(megabytes)
    total = sum(len(line) for line in lines)
    blob = b"".join(lines)
    baseline = 0.0
    for _ in range(3):
        began = time.perf_counter()
        zlib.decompress(zlib.compress(blob, GZIP_LEVEL), 47)
        baseline = max(baseline, total / MB / (time.perf_counter() - began))
    # The kiosk's outbox holds its log batches gzip'd already: compressing is not delivery.
    packed = [(gzip.compress(chunk, 6), since, until) for chunk, since, until in batches(lines)]
    with CentralProcess(data, database_url, source_tree=tree) as server:
        # the server made the schema (the baseline's may be older than this code's head)
        engine = make_engine(database_url or sqlite_url(data), prepare=False)
        with make_sessionmaker(engine)() as session:
            codes = [create_pairing_code(session, 600)[0] for _ in range(2)]
            token = create_token(session, "viewer", "bench")
        engine.dispose()
        kiosks = []
        for code in codes:  # two kiosks: the upload is the better of two first uploads
            enrolled = requests.post(
                server.url + "/api/v1/enrol", json={"pairing_code": code}, timeout=10
            ).json()
            kiosks.append((enrolled["kiosk_id"], bytes.fromhex(enrolled["secret"])))
        roots = [server.pid] + ([database_pid] if database_pid else [])
        cpu = [0.0]

        def send_all(kiosk_id: str, secret: bytes) -> float:
            began = time.perf_counter()
            cpu[0] = _tree_cpu_seconds(roots)
            with requests.Session() as session:
                for body, since, until in packed:
                    query = f"since={since.isoformat()}&until={until.isoformat()}"
                    path = "/api/v1/logs?" + query.replace("+", "%2B")
                    headers = signing.sign_headers(secret, kiosk_id, "POST", path, body)
                    headers.update(
                        {"Content-Encoding": "gzip", "Content-Type": "application/x-ndjson"}
                    )
                    headers[signing.HEADER_IDEMPOTENCY] = uuid.uuid4().hex
                    response = session.post(
                        server.url + path, data=body, headers=headers, timeout=300
                    )
                    response.raise_for_status()
            cpu[0] = _tree_cpu_seconds(roots) - cpu[0]
            return total / MB / (time.perf_counter() - began)

        upload, upload_cpu = 0.0, 0.0
        for kiosk in kiosks:
            upload = max(upload, send_all(*kiosk))
            upload_cpu = max(upload_cpu, total / MB / cpu[0])
        kiosk_id, secret = kiosks[-1]
        again = send_all(kiosk_id, secret)  # the same range again: all of it stored already
        last = T0 + timedelta(milliseconds=50 * len(lines))
        pull, pulled = 0.0, b""
        for _ in range(3):
            began = time.perf_counter()
            response = requests.get(
                f"{server.url}/api/v1/kiosks/{kiosk_id}/logs",
                params={"since": T0.isoformat(), "until": last.isoformat()},
                headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"},
                stream=True,
                timeout=300,
            )
            pieces = list(response.iter_content(1 << 20))
            pull = max(pull, total / MB / (time.perf_counter() - began))
            pulled = b"".join(pieces)
            del pieces
    if pulled != blob:
        raise SystemExit(f"pulled {len(pulled)} bytes unlike the {total} uploaded")
    print(
        f"{backend:10s} {label:14s} {total / MB:5.1f} MB, {len(lines)} lines: pull {pull:6.1f} MB/s "
        f"= {pull / baseline:4.2f}x local gzip+gunzip ({baseline:.0f} MB/s); "
        f"upload {upload:5.1f} MB/s = {upload / UPLOAD_TARGET:4.2f}x the {UPLOAD_TARGET:.0f} MB/s "
        f"target ({upload_cpu:.0f} MB per CPU-second of server and database); "
        f"re-upload {again:5.1f} MB/s; "
        f"coverage {response.headers.get('X-Log-Coverage')}", flush=True,
    )
    return upload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=100.0)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--baseline-ref", default="main", help="'' to skip the baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-logpull-") as name, (
        baseline_tree(args.baseline_ref) if args.baseline_ref else nullcontext()
    ) as tree:
        folder = Path(name)
        for backend in ("sqlite", "postgresql"):
            if args.backend not in (backend, "both"):
                continue
            with PgCluster(durable=True) if backend == "postgresql" else nullcontext() as cluster:
                def database() -> str | None:
                    return cluster.database() if cluster is not None else None

                postmaster = 0
                if cluster is not None:
                    pid_file = cluster.folder / "data" / "postmaster.pid"
                    postmaster = int(pid_file.read_text().split()[0])
                base = 0.0
                if tree is not None:
                    base = run(backend, database(), folder, args.megabytes, tree,
                               f"baseline {args.baseline_ref}", postmaster)
                mine = run(backend, database(), folder, args.megabytes, database_pid=postmaster)
                if base:
                    print(f"{backend:10s} upload, this code / baseline {args.baseline_ref}, "
                          f"same run: {mine / base:4.2f}x")


if __name__ == "__main__":
    main()
