"""Fixtures for the central server's tests: a real server on 127.0.0.1 over SQLite and PostgreSQL.

The PostgreSQL cluster is private to the test session (Debian's initdb/pg_ctl in a temp folder);
if its binaries are missing the fixture fails with the reason, it never skips.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from central_helpers import SignedKiosk, enrol

from central.db import sqlite_url
from central.embedded import EmbeddedCentral
from central.pgcluster import PgCluster, PgUnavailable


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    try:
        cluster = PgCluster().start()
    except PgUnavailable as error:
        pytest.fail(f"PostgreSQL is needed for these tests: {error}")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new empty database of each backend (PostgreSQL: one more database in the cluster)."""
    if request.param == "postgresql":
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        return cluster.database()
    return sqlite_url(tmp_path)


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def central(request: pytest.FixtureRequest) -> Iterator[EmbeddedCentral]:
    """One running server per backend, shared by the tests (each test enrols its own kiosks)."""
    url = (
        request.getfixturevalue("pg_cluster").database() if request.param == "postgresql" else None
    )
    server = EmbeddedCentral(url, heartbeat_seconds=30).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def admin_token(central: EmbeddedCentral) -> str:
    return central.token("admin")


@pytest.fixture(scope="session")
def viewer_token(central: EmbeddedCentral) -> str:
    return central.token("viewer")


@pytest.fixture
def kiosk(central: EmbeddedCentral) -> SignedKiosk:
    return enrol(central)


@pytest.fixture
def other_kiosk(central: EmbeddedCentral) -> SignedKiosk:
    return enrol(central)
