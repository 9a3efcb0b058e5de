"""Alembic migrations: the models and the head agree, and a release-0.1 database with data in it
is upgraded to the head with nothing lost (SQLite and PostgreSQL), its log lines read back
through a pull in the same order; ``serve`` refuses an old one."""

from __future__ import annotations

import gzip
import os
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import Column, Engine, MetaData, Table, create_engine, func, select, text

from central import migrations
from central.db import Base, make_engine, make_sessionmaker, sqlite_url
from central.logstore import stream_lines
from central.models import (
    ApiToken,
    DeviceEventRow,
    IdempotentReply,
    Kiosk,
    KioskCommand,
    LogBlock,
    LogUpload,
    Nonce,
    PairingCode,
    Submission,
    SubmissionMaterial,
)
from identity.idnumber import generate_person

STAMP = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _at_revision(url: str, revision: str, *, legacy: bool = False) -> None:
    """A database as release 0.1 made it: revision ``revision``; ``legacy`` drops the version
    table, as ``create_all`` (release 0.1's way) left none."""
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(migrations.config(connection), revision)
        if legacy:
            connection.execute(text("DROP TABLE alembic_version"))
    engine.dispose()


def _fill(url: str) -> dict[str, object]:
    """Rows in every release-0.1 table; returns what to find again after the upgrade."""
    person = generate_person()
    engine = make_engine(url, prepare=False)
    secret = Fernet(Fernet.generate_key()).encrypt(b"s" * 32)
    document = {"applicant": {"name": person.name, "id_number": person.id_number}}
    rows = [
        Kiosk(id="k-1", secret_enc=secret, hostname="h", location={"hall": "大厅 A"},
              versions={"kiosk": "0.1.0"}, enrolled_at=STAMP, devices={"printer": {}},
              queue_depth=2, free_disk_bytes=10**10, out_of_service=False),
        ApiToken(token_hash="a" * 64, role="admin", label="l", created_at=STAMP),
        PairingCode(code="12345678", created_at=STAMP, expires_at=STAMP),
        Nonce(kiosk_id="k-1", nonce="n" * 32, seen_at=1),
        IdempotentReply(kiosk_id="k-1", key="r1", endpoint="submissions", body_hash="h" * 64,
                        response={"id": "r1"}, created_at=STAMP),
        KioskCommand(id="c1", kiosk_id="k-1", kind="reload_catalog", args={}, created_at=STAMP),
        Submission(id="r1", kiosk_id="k-1", reference="GJZ-1", scenario="new_enterprise",
                   document=document, received_at=STAMP),
        DeviceEventRow(batch_id="b1", kiosk_id="k-1", at=STAMP, kind="state",
                       device="printer", state="ok", reason=""),
        LogUpload(kiosk_id="k-1", id="l1", since_us=1, until_us=2, command_id="",
                  lines=1, received_at=STAMP),
        SubmissionMaterial(submission_id="r1", name="id.jpg", content_type="image/jpeg",
                           data=b"\xff\xd8" + bytes(range(256))),
    ]
    # Only the columns the old schema has (the models have grown since): rows as 0.1 wrote them.
    with engine.begin() as connection:
        for row in rows:
            table = row.__table__  # type: ignore[attr-defined]
            old = {c.name for c in Table(table.name, MetaData(), autoload_with=connection).columns}
            columns = [c for c in table.columns if c.name in old and getattr(row, c.key) is not None]
            then = Table(table.name, MetaData(), *(Column(c.name, c.type) for c in columns))
            connection.execute(then.insert().values({c.name: getattr(row, c.key) for c in columns}))
    engine.dispose()
    return {"document": document, "material": b"\xff\xd8" + bytes(range(256)),
            "log": _fill_log_lines(url)}


def _fill_log_lines(url: str) -> dict[str, list[str]]:
    """Release 0.1's log_lines for two kiosks, inserted out of time order with times shared
    by several lines and more than one block's worth (1 MiB) for k-1; returns each kiosk's
    lines in the order a pull gives them (time, then insertion)."""
    shuffle = random.Random(11)
    rows = [("k-1", 1, '{"msg": "上线"}')]
    rows += [("k-1", 1_000 + n // 3, f'{{"at_us": {1_000 + n // 3}, "n": {n}, "pad": "{"x" * 200}"}}')
             for n in range(6_000)]
    rows += [("k-2", 500 + n % 7, f'{{"n": {n}, "msg": "第{n}行"}}') for n in range(40)]
    shuffle.shuffle(rows)
    engine = create_engine(url)
    with engine.begin() as connection:
        table = Table("log_lines", MetaData(), autoload_with=connection)
        connection.execute(table.insert(), [
            {"kiosk_id": kiosk, "at_us": at, "line_hash": f"{index:032x}", "line": line}
            for index, (kiosk, at, line) in enumerate(rows)
        ])
    engine.dispose()
    order = sorted(range(len(rows)), key=lambda i: (rows[i][1], i))  # ids follow `rows`
    return {kiosk: [rows[i][2] for i in order if rows[i][0] == kiosk] for kiosk in ("k-1", "k-2")}


def _pulled(engine: Engine, kiosk_id: str, gzipped: bool) -> list[str]:
    body = b"".join(stream_lines(engine, kiosk_id, 0, 10**12, gzipped))
    return (gzip.decompress(body) if gzipped else body).decode().splitlines()


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url, prepare=False)
    tables = [ApiToken, PairingCode, Nonce, IdempotentReply, KioskCommand, Submission,
              SubmissionMaterial, DeviceEventRow, LogUpload, Kiosk]
    with engine.connect() as connection:
        found = {t.__tablename__: connection.scalar(select(func.count()).select_from(t))
                 for t in tables}
    engine.dispose()
    return found  # type: ignore[return-value]


def test_models_and_migrations_head_agree(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(migrations.config(connection), "head")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], (
        "the models differ from the migrations' head; write a revision with: "
        f"kiosk-central migrate --new-revision 'what changed'\n{diff}"
    )


@pytest.mark.parametrize("legacy", [False, True], ids=["stamped-0001", "no-version-table"])
def test_upgrade_from_release_0_1_keeps_every_row(database_url: str, legacy: bool) -> None:
    _at_revision(database_url, migrations.FIRST_REVISION, legacy=legacy)
    kept = _fill(database_url)
    before = _counts(database_url)
    with pytest.raises(migrations.SchemaOutdated):
        make_engine(database_url)
    result = subprocess.run(
        [sys.executable, "-m", "central.cli", "migrate", "--db", database_url],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"upgraded from revision 0001 to {migrations.head()}" in result.stdout
    assert _counts(database_url) == before
    engine = make_engine(database_url)  # at the head now: no refusal
    with make_sessionmaker(engine)() as db:
        assert db.get(Submission, "r1").document == kept["document"]  # type: ignore[union-attr]
        material = db.scalars(select(SubmissionMaterial)).one()
        assert material.data == kept["material"]
        assert db.get(Kiosk, "k-1").location == {"hall": "大厅 A"}  # type: ignore[union-attr]
        assert db.scalar(select(func.sum(LogBlock.lines))) == 6_041
        assert db.scalar(select(func.count()).select_from(LogBlock)) > 2  # k-1 took two or more
    for kiosk_id, lines in kept["log"].items():  # type: ignore[attr-defined]
        assert _pulled(engine, kiosk_id, gzipped=False) == lines
        assert _pulled(engine, kiosk_id, gzipped=True) == lines
    engine.dispose()
    again = subprocess.run(
        [sys.executable, "-m", "central.cli", "migrate", "--db", database_url, "--check"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert again.returncode == 0 and migrations.head() in again.stdout


def test_log_blocks_go_back_to_rows_on_downgrade(database_url: str) -> None:
    _at_revision(database_url, "0004")
    kept = _fill_log_lines(database_url)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(migrations.config(connection), "head")
        command.downgrade(migrations.config(connection), "0004")
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT kiosk_id, line FROM log_lines ORDER BY kiosk_id, at_us, id"
        )).all()
    engine.dispose()
    assert [line for kiosk, line in rows if kiosk == "k-1"] == kept["k-1"]
    assert [line for kiosk, line in rows if kiosk == "k-2"] == kept["k-2"]


def test_serve_refuses_an_old_schema_in_plain_words(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    _at_revision(url, migrations.FIRST_REVISION)
    result = subprocess.run(
        [sys.executable, "-m", "central.cli", "serve", "--data", str(tmp_path), "--port", "1"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "KIOSK_LANG": "en"},
    )
    assert result.returncode == migrations.SchemaOutdated.exit_code
    assert "Traceback" not in result.stderr
    assert "kiosk-central migrate" in result.stderr and "0001" in result.stderr
