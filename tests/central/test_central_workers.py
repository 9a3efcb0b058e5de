"""Two ``kiosk-central serve`` processes on different ports over one PostgreSQL (one of them with
``--workers 2``): nothing one needs lives only in the other. A request replayed to the other
process is refused, a retried submission is stored once, and pairing-code guesses counted by
one are refused by the other."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import requests
from central_helpers import SignedKiosk

from central.credentials import create_pairing_code
from central.db import make_engine, make_sessionmaker
from central.embedded import CentralProcess
from central.kiosk_api import PAIRING_MAX_FAILURES
from central.models import Submission
from central.pgcluster import PgCluster
from wire import signing

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def two_nodes(
    pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[CentralProcess, ...]]:
    """Started once for the module; the pairing-throttle test runs last (it blocks 127.0.0.1)."""
    url = pg_cluster.database()
    tmp_path = tmp_path_factory.mktemp("nodes")
    first = CentralProcess(tmp_path, url).start()  # makes the schema and server.key
    second = CentralProcess(tmp_path, url, workers=2).start()  # the same data folder's key
    try:
        yield first, second, url  # type: ignore[misc]
    finally:
        second.stop()
        first.stop()


def _enrol(node: CentralProcess, url: str) -> SignedKiosk:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        code = create_pairing_code(db, 600)[0]
    engine.dispose()
    body = requests.post(node.url + "/api/v1/enrol", json={"pairing_code": code}, timeout=10)
    assert body.status_code == 201, body.text
    reply = body.json()
    return SignedKiosk(node.url, reply["kiosk_id"], bytes.fromhex(reply["secret"]))


def test_a_request_replayed_to_the_other_process_is_refused(two_nodes: tuple) -> None:
    first, second, url = two_nodes
    kiosk = _enrol(first, url)
    body = json.dumps({"kiosk_id": kiosk.kiosk_id, "sent_at": "2026-05-01T08:00:00Z"}).encode()
    headers = signing.sign_headers(kiosk.secret, kiosk.kiosk_id, "POST", "/api/v1/heartbeat", body)
    headers["Content-Type"] = "application/json"
    accepted = requests.post(first.url + "/api/v1/heartbeat", data=body, headers=headers, timeout=10)
    assert accepted.status_code == 200, accepted.text
    for _ in range(3):  # whichever of the second node's workers takes it
        replayed = requests.post(
            second.url + "/api/v1/heartbeat", data=body, headers=headers, timeout=10
        )
        assert (replayed.status_code, replayed.json()["error"]) == (409, "replay")


def test_a_retried_submission_is_stored_once_across_processes(two_nodes: tuple) -> None:
    first, second, url = two_nodes
    kiosk = _enrol(second, url)
    record = uuid.uuid4().hex
    payload = {"id": record, "reference": "GJZ-" + record[:6], "scenario": "new_enterprise",
               "document": {"enterprise": {"name": "大连测试有限公司"}}, "materials": []}
    replies = [
        SignedKiosk(node.url, kiosk.kiosk_id, kiosk.secret).post_json(
            "/api/v1/submissions", payload, key=record
        )
        for node in (first, second, first, second)
    ]
    assert [r.status_code for r in replies] == [201, 200, 200, 200]
    assert len({r.json()["received_at"] for r in replies}) == 1
    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        assert db.query(Submission).filter_by(id=record).count() == 1
    engine.dispose()


def test_pairing_guesses_counted_by_one_process_are_refused_by_the_other(
    two_nodes: tuple,
) -> None:
    first, second, _url = two_nodes
    for n in range(PAIRING_MAX_FAILURES):
        wrong = requests.post(first.url + "/api/v1/enrol", json={"pairing_code": f"{n:08d}"},
                              timeout=10)
        assert wrong.status_code == 404
    throttled = requests.post(second.url + "/api/v1/enrol", json={"pairing_code": "1"}, timeout=10)
    assert (throttled.status_code, throttled.json()["error"]) == (429, "too_many_attempts")
