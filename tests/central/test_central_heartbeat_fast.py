"""The heartbeat's lean path on PostgreSQL (central/heartbeat_fast.py) keeps every check.

A server of its own, so the lean path's statement counter belongs to these tests. Each
kiosk's first heartbeat takes the general route (its secret is not cached yet); the tests
below look at what comes after, when the lean path answers.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from central_helpers import SignedKiosk, bearer, count, enrol
from sqlalchemy import insert, update

from central.embedded import EmbeddedCentral
from central.heartbeat_fast import AsyncPool
from central.models import Kiosk, Nonce
from central.pgcluster import PgCluster
from wire import signing

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_central(pg_cluster: PgCluster) -> Iterator[EmbeddedCentral]:
    server = EmbeddedCentral(pg_cluster.database(), heartbeat_seconds=30).start()
    yield server
    server.stop()


def _pool(central: EmbeddedCentral) -> AsyncPool:
    pool = central.app.state.heartbeat_pool
    assert isinstance(pool, AsyncPool)
    return pool


@pytest.fixture
def warm(pg_central: EmbeddedCentral) -> SignedKiosk:
    """An enrolled kiosk whose secret the server has cached (one heartbeat done)."""
    kiosk = enrol(pg_central)
    assert kiosk.heartbeat().status_code == 200
    return kiosk


def test_usual_heartbeat_is_one_statement_and_stores_it(
    pg_central: EmbeddedCentral, warm: SignedKiosk
) -> None:
    before = _pool(pg_central).statements
    nonce = uuid.uuid4().hex
    answer = warm.heartbeat(nonce=nonce, queue_depth=7, out_of_service=True)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["commands"] == []
    assert abs(time.time() - _seconds(answer.json()["server_time"])) < 60
    assert _pool(pg_central).statements == before + 1
    with pg_central.state.sessions() as session:
        row = session.get(Kiosk, warm.kiosk_id)
        assert (row.queue_depth, row.out_of_service) == (7, True)
        assert row.devices["idcard"] == {"state": "absent", "reason": "device.absent"}
    assert count(pg_central, Nonce, kiosk_id=warm.kiosk_id, nonce=nonce) == 1


def _seconds(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def test_replay_stale_and_forged_are_refused_with_a_cached_secret(
    pg_central: EmbeddedCentral, warm: SignedKiosk
) -> None:
    nonce = uuid.uuid4().hex
    assert warm.heartbeat(nonce=nonce, queue_depth=1).status_code == 200
    replay = warm.heartbeat(nonce=nonce, queue_depth=99)
    assert (replay.status_code, replay.json()["error"]) == (409, "replay")
    nonces = count(pg_central, Nonce, kiosk_id=warm.kiosk_id)
    for skew in (-301, 301):
        stale = warm.post_json("/api/v1/heartbeat", _body(warm, queue_depth=99), now=time.time() + skew)
        assert (stale.status_code, stale.json()["error"]) == (401, "stale")
    forged = warm.post_json("/api/v1/heartbeat", _body(warm, queue_depth=99), secret=bytes(32))
    assert (forged.status_code, forged.json()["error"]) == (401, "bad_signature")
    unsigned = requests.post(pg_central.url + "/api/v1/heartbeat", json=_body(warm), timeout=10)
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "bad_signature")
    assert count(pg_central, Nonce, kiosk_id=warm.kiosk_id) == nonces
    with pg_central.state.sessions() as session:
        assert session.get(Kiosk, warm.kiosk_id).queue_depth == 1


def _body(kiosk: SignedKiosk, **fields: object) -> dict[str, object]:
    return {"kiosk_id": kiosk.kiosk_id, "sent_at": "2024-05-01T08:00:00Z", **fields}


def test_a_kiosk_revoked_by_another_worker_is_refused(
    pg_central: EmbeddedCentral, warm: SignedKiosk
) -> None:
    """Another worker's revoke does not clear this process's secret cache: the statement
    itself checks the kiosk's row."""
    with pg_central.state.engine.begin() as db:
        db.execute(update(Kiosk).where(Kiosk.id == warm.kiosk_id).values(revoked_at=Kiosk.enrolled_at))
    assert pg_central.state.cached_secret(warm.kiosk_id) is not None
    nonces = count(pg_central, Nonce, kiosk_id=warm.kiosk_id)
    refused = warm.heartbeat(queue_depth=42)
    assert (refused.status_code, refused.json()["error"]) == (403, "revoked")
    assert count(pg_central, Nonce, kiosk_id=warm.kiosk_id) == nonces
    with pg_central.state.sessions() as session:
        assert session.get(Kiosk, warm.kiosk_id).queue_depth == 3


def test_waiting_commands_are_handed_out_once_per_nonce(
    pg_central: EmbeddedCentral, warm: SignedKiosk
) -> None:
    token = pg_central.token("admin")
    queued = requests.post(
        f"{pg_central.url}/api/v1/kiosks/{warm.kiosk_id}/commands",
        json={"kind": "reload_catalog"}, headers=bearer(token), timeout=10,
    )
    assert queued.status_code == 201, queued.text
    before = _pool(pg_central).statements
    nonce = uuid.uuid4().hex
    answer = warm.heartbeat(nonce=nonce)
    assert [c["id"] for c in answer.json()["commands"]] == [queued.json()["id"]]
    assert _pool(pg_central).statements == before + 1
    assert warm.heartbeat(nonce=nonce).status_code == 409


def test_heartbeats_alone_prune_old_nonces(pg_central: EmbeddedCentral, warm: SignedKiosk) -> None:
    old = int(time.time()) - 2 * signing.CLOCK_SKEW_SECONDS - 10
    with pg_central.state.engine.begin() as db:
        db.execute(insert(Nonce).values(kiosk_id=warm.kiosk_id, nonce="old-one", seen_at=old))
    pg_central.state._last_prune = 0.0  # the next heartbeat is due to prune
    before = _pool(pg_central).statements
    assert warm.heartbeat().status_code == 200
    assert _pool(pg_central).statements == before + 1
    assert count(pg_central, Nonce, kiosk_id=warm.kiosk_id, nonce="old-one") == 0


def test_oversized_and_invalid_bodies_get_the_general_answers(
    pg_central: EmbeddedCentral, warm: SignedKiosk
) -> None:
    nonces = count(pg_central, Nonce, kiosk_id=warm.kiosk_id)
    deep: dict[str, object] = {}
    for _ in range(20):
        deep = {"x": deep}
    too_deep = warm.heartbeat(versions=deep)
    assert (too_deep.status_code, too_deep.json()["error"]) == (422, "json_too_deep")
    acked_unknown = warm.heartbeat(acked=["no-such-command"])
    assert acked_unknown.status_code == 200  # acknowledgements take the general route
    nonces += 1
    huge = warm.heartbeat(versions={"pad": "x" * 300_000})
    assert (huge.status_code, huge.json()["error"]) == (413, "body_too_large")
    assert count(pg_central, Nonce, kiosk_id=warm.kiosk_id) == nonces
    assert warm.heartbeat().status_code == 200  # the pool's connection is still good
