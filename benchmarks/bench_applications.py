"""Applications at scale: search by reference, the first page of a filtered list, and /track,
with 100,000 applications in PostgreSQL (or SQLite), served by ``kiosk-central serve`` in its
own process.

Baseline, measured in the same run: the plain indexed SQL query each request needs, sent over
the same database driver from this process (``SELECT … WHERE reference = %s``; the filtered
page as one indexed SELECT). Printed: p50/p95 of each over HTTP, the baseline's p95, and the
ratio. The targets from the issue: search and list ≤ 200 ms p95, /track ≤ 50 ms.

    .venv/bin/python benchmarks/bench_applications.py [--rows 100000] [--backend postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import insert, text

from central.credentials import create_token
from central.db import make_engine, make_sessionmaker, sqlite_url
from central.embedded import CentralProcess
from central.models import Kiosk, Submission
from central.models_applications import Application, ApplicationEvent, ApplicationItem
from central.pgcluster import PgCluster
from central.sealing import load_or_create_data_keys

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 5000
STATUSES = ("submitted", "accepted", "in_review", "completed", "mailed")
DEPARTMENTS = ("区行政审批局（市场监管）", "区公安分局（治安）", "区税务局", "区人力资源和社会保障局")


def fill(url: str, data_dir: Path, rows: int) -> list[tuple[str, str]]:
    """``rows`` applications (sealed like real ones); returns (reference, phone tail) samples."""
    keys = load_or_create_data_keys(data_dir)
    engine = make_engine(url)
    rng = random.Random(7)
    samples: list[tuple[str, str]] = []
    sealed_doc = keys.seal(json.dumps({"applicant": {"applicant.name": "测试"}}).encode())
    with engine.begin() as connection:
        connection.execute(insert(Kiosk), [{
            "id": "k-bench", "secret_enc": b"x", "hostname": "bench", "location": {},
            "versions": {}, "enrolled_at": T0, "devices": {}, "queue_depth": 0,
            "free_disk_bytes": 0, "out_of_service": False,
        }])
    for start in range(0, rows, CHUNK):
        subs, apps, items, events = [], [], [], []
        for n in range(start, min(rows, start + CHUNK)):
            sid = uuid.UUID(int=rng.getrandbits(128)).hex
            ref = f"GJZ-{n:08d}-B"
            tail = f"{rng.randrange(10000):04d}"
            at = T0 + timedelta(minutes=n)
            status = rng.choice(STATUSES)
            subs.append({"id": sid, "kiosk_id": "k-bench", "reference": ref,
                         "scenario": "new_enterprise", "document": {"sealed": True},
                         "received_at": at})
            apps.append({"submission_id": sid, "reference": ref, "kiosk_id": "k-bench",
                         "scenario": "new_enterprise", "scenario_title": "开办企业",
                         "status": status, "status_at": at, "received_at": at,
                         "masked_name": "测*", "delivery": "pickup", "tracking_number": "",
                         "document_enc": sealed_doc, "phone_tail_enc": keys.seal(tail.encode())})
            for department in rng.sample(DEPARTMENTS, 2):
                items.append({"submission_id": sid, "item_id": "x", "title": "",
                              "department": department})
            events.append({"submission_id": sid, "at": at, "actor": "kiosk:k-bench",
                           "from_status": "", "to_status": status, "reason": "",
                           "materials": [], "tracking_number": ""})
            if n % max(1, rows // 400) == 0:
                samples.append((ref, tail))
        with engine.begin() as connection:
            connection.execute(insert(Submission), subs)
            connection.execute(insert(Application), apps)
            connection.execute(insert(ApplicationItem), items)
            connection.execute(insert(ApplicationEvent), events)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return samples


def timed(calls: list[Callable[[], object]]) -> tuple[float, float]:
    """p50 and p95 in ms of each call, after two warm-up calls."""
    for call in calls[:2]:
        call()
    spent = []
    for call in calls:
        start = time.perf_counter()
        call()
        spent.append((time.perf_counter() - start) * 1000)
    spent.sort()
    return statistics.median(spent), spent[int(0.95 * (len(spent) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    args = parser.parse_args()
    cluster = PgCluster().start() if args.backend == "postgresql" else None
    try:
        with tempfile.TemporaryDirectory(prefix="bench-apps-") as folder:
            data = Path(folder)
            url = cluster.database() if cluster else sqlite_url(data)
            started = time.perf_counter()
            samples = fill(url, data, args.rows)
            print(f"{args.rows} applications in {args.backend} in "
                  f"{time.perf_counter() - started:.0f} s; {len(samples)} sampled references")
            engine = make_engine(url)
            with make_sessionmaker(engine)() as session:
                token = create_token(session, "admin", "bench")
            web = requests.Session()
            web.headers["Authorization"] = f"Bearer {token}"
            with CentralProcess(data, None if not cluster else url) as server, engine.connect() as db:
                api = server.url + "/api/v1/applications"
                refs = [ref for ref, _ in samples]
                sql_ref = timed([
                    (lambda r=r: db.execute(text(
                        "SELECT submission_id, status FROM applications WHERE reference = :r"),
                        {"r": r}).all()) for r in refs
                ])
                http_ref = timed([
                    (lambda r=r: web.get(api, params={"reference": r}, timeout=30).raise_for_status())
                    for r in refs
                ])
                page_sql = (
                    "SELECT * FROM applications WHERE status = :s AND submission_id IN "
                    "(SELECT submission_id FROM application_items WHERE department = :d) "
                    "ORDER BY received_at DESC LIMIT 50"
                )
                pairs = [(random.choice(STATUSES), random.choice(DEPARTMENTS)) for _ in range(60)]
                sql_page = timed([
                    (lambda s=s, d=d: db.execute(text(page_sql), {"s": s, "d": d}).all())
                    for s, d in pairs
                ])
                http_page = timed([
                    (lambda s=s, d=d: web.get(api, params={"status": s, "department": d},
                                              timeout=30).raise_for_status())
                    for s, d in pairs
                ])
                plain = requests.Session()
                http_track = timed([
                    (lambda r=r, t=t: plain.post(f"{server.url}/track/{r}",
                                                 data={"phone_last4": t}, timeout=30)
                     .raise_for_status())
                    for r, t in samples[:200]
                ])
            engine.dispose()
    finally:
        if cluster:
            cluster.stop()
    print(f"{'':34}{'p50 ms':>9}{'p95 ms':>9}{'SQL p95':>9}{'ratio':>8}  target")
    for name, (p50, p95), base, target in (
        ("search by reference (API)", http_ref, sql_ref, 200),
        ("first page, status+department", http_page, sql_page, 200),
        ("/track with the 4 digits", http_track, sql_ref, 50),
    ):
        ok = "ok" if p95 <= target else "MISSED"
        print(f"{name:34}{p50:9.1f}{p95:9.1f}{base[1]:9.2f}{p95 / base[1]:8.1f}  "
              f"≤{target} ms {ok}")


if __name__ == "__main__":
    main()
