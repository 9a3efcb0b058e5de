"""Log pull throughput: 100 MB of a kiosk's JSON log lines out of the central server (MB/s).

One simulated kiosk uploads ~100 MB of log lines (gzip'd batches, signed) to ``kiosk-central
serve`` in its own process; then the back office pulls the whole range, gzip'd as the CLI
asks for it. Baseline, measured in the same run: gzip-compressing plus un-gzipping the same
bytes in this process (the work a pull cannot avoid); the ratio printed is pull / baseline.

    .venv/bin/python benchmarks/bench_logpull.py [--megabytes 100] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from central.credentials import create_pairing_code, create_token
from central.db import make_engine, make_sessionmaker, sqlite_url
from central.embedded import CentralProcess
from central.logstore import GZIP_LEVEL
from central.pgcluster import PgCluster
from wire import signing

T0 = datetime(2024, 5, 1, tzinfo=UTC)
BATCH_BYTES = 8 * 1024 * 1024
MB = 1024 * 1024


def make_lines(megabytes: float) -> list[bytes]:
    """Log lines like the kiosk's (masked ids, ~230 bytes each), one every 50 ms from T0."""
    lines: list[bytes] = []
    size = 0
    number = 0
    while size < megabytes * MB:
        record = {
            "at": (T0 + timedelta(milliseconds=50 * number)).isoformat(),
            "level": "INFO",
            "logger": "kiosk.flow",
            "session": f"s-{number // 40:08d}",
            "msg": "step finished",
            "step": f"form.page{number % 7}",
            "applicant": "2102**********123X",
            "n": number,
        }
        line = json.dumps(record).encode() + b"\n"
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


def run(backend: str, database_url: str | None, folder: Path, megabytes: float) -> None:
    data = folder / backend
    data.mkdir()
    lines = make_lines(megabytes)
    total = sum(len(line) for line in lines)
    blob = b"".join(lines)
    began = time.perf_counter()
    zlib.decompress(zlib.compress(blob, GZIP_LEVEL), 47)
    baseline = total / MB / (time.perf_counter() - began)
    del blob
    with CentralProcess(data, database_url) as server:
        engine = make_engine(database_url or sqlite_url(data))
        with make_sessionmaker(engine)() as session:
            code = create_pairing_code(session, 600)[0]
            token = create_token(session, "viewer", "bench")
        engine.dispose()
        enrolled = requests.post(
            server.url + "/api/v1/enrol", json={"pairing_code": code}, timeout=10
        ).json()
        kiosk_id, secret = enrolled["kiosk_id"], bytes.fromhex(enrolled["secret"])
        began = time.perf_counter()
        with requests.Session() as session:
            for chunk, since, until in batches(lines):
                body = gzip.compress(chunk, 6)
                query = f"since={since.isoformat()}&until={until.isoformat()}".replace("+", "%2B")
                path = f"/api/v1/logs?{query}"
                headers = signing.sign_headers(secret, kiosk_id, "POST", path, body)
                headers.update({"Content-Encoding": "gzip", "Content-Type": "application/x-ndjson"})
                headers[signing.HEADER_IDEMPOTENCY] = uuid.uuid4().hex
                response = session.post(server.url + path, data=body, headers=headers, timeout=300)
                response.raise_for_status()
        upload = total / MB / (time.perf_counter() - began)
        last = T0 + timedelta(milliseconds=50 * len(lines))
        began = time.perf_counter()
        received = 0
        response = requests.get(
            f"{server.url}/api/v1/kiosks/{kiosk_id}/logs",
            params={"since": T0.isoformat(), "until": last.isoformat()},
            headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"},
            stream=True,
            timeout=300,
        )
        for piece in response.iter_content(1 << 20):
            received += len(piece)
        pull = received / MB / (time.perf_counter() - began)
    if received != total:
        raise SystemExit(f"pulled {received} bytes, uploaded {total}")
    print(
        f"{backend:10s} {total / MB:6.1f} MB, {len(lines)} lines: pull {pull:6.1f} MB/s "
        f"= {pull / baseline:4.2f}x local gzip+gunzip ({baseline:.0f} MB/s); "
        f"upload {upload:5.1f} MB/s; coverage {response.headers.get('X-Log-Coverage')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=100.0)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-logpull-") as name:
        folder = Path(name)
        if args.backend in ("sqlite", "both"):
            run("sqlite", None, folder, args.megabytes)
        if args.backend in ("postgresql", "both"):
            with PgCluster(durable=True) as cluster:
                run("postgresql", cluster.database(), folder, args.megabytes)


if __name__ == "__main__":
    main()
