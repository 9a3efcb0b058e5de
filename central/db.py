"""Database plumbing: the engine for SQLite (WAL) or PostgreSQL and a UTC-safe datetime column.

SQLite is the default (one file under the server's data folder); a fleet uses PostgreSQL via a
``postgresql+psycopg://`` URL. Both get the same schema: an empty database is given the head
revision on start, an older one must be upgraded with ``kiosk-central migrate``
(central/migrations).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import TypeDecorator

from wire.models import as_utc

DB_FILE_NAME = "central.db"


class Base(DeclarativeBase):
    pass


class UTCDateTime(TypeDecorator[datetime]):
    """Always hands back aware UTC datetimes; SQLite stores them naive (in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / DB_FILE_NAME).resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def load_models() -> None:
    """Import every module that declares tables, so ``Base.metadata`` knows them all."""
    from central import models  # noqa: F401


def json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, TypeError):  # integers beyond 64 bits
        return json.dumps(value)


def _json_value(text: str | bytes) -> Any:
    """A stored JSON value; one too deep to serialise again reads as a marker, not an error."""
    from central.jsonlimits import UNREADABLE, readable

    try:
        return readable(orjson.loads(text))
    except orjson.JSONDecodeError:
        try:
            return readable(json.loads(text))  # big integers, NaN: what orjson refuses
        except (ValueError, RecursionError):
            return UNREADABLE


def make_engine(database_url: str, *, prepare: bool = True) -> Engine:
    """An engine for ``database_url``; with ``prepare`` an empty database gets the schema and an
    old one is refused (``central.migrations.SchemaOutdated``)."""
    load_models()
    json_options = {"json_serializer": json_text, "json_deserializer": _json_value}
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=8,
            max_overflow=16,
            **json_options,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        # No pre-ping: it costs a round trip per checkout; a dropped connection is replaced on
        # its first error instead (pool_recycle keeps idle ones from going stale behind a proxy).
        engine = create_engine(
            database_url, pool_size=8, max_overflow=16, pool_recycle=1800, **json_options
        )
    if prepare:
        from central import migrations

        migrations.prepare(engine)
    return engine


def make_soft_state_engine(database_url: str) -> Engine | None:
    """For PostgreSQL, a second pool for soft state (heartbeats): autocommit, and commits that
    do not wait for the WAL flush (``synchronous_commit=off``). A crash of the database can
    lose the last fraction of a second of heartbeats, which the next ones replace; submissions
    and everything else stay on the durable pool. ``None`` for SQLite (WAL + NORMAL already)."""
    if database_url.startswith("sqlite"):
        return None
    return create_engine(
        database_url,
        pool_size=8,
        max_overflow=8,
        pool_recycle=1800,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": "-c synchronous_commit=off"},
        json_serializer=json_text,
        json_deserializer=_json_value,
    )


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
