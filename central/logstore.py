"""Kiosk log batches: decoding an upload, storing its lines by time, coverage, streaming a range.

Times are kept as integer microseconds since the epoch so range queries behave the same on
SQLite and PostgreSQL. An upload with ``since``/``until`` records that range as covered; one
without covers the span of its own lines.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from central.models import LogUpload
from wire.models import log_line_time

MAX_LOG_BATCH_BYTES = 64 * 1024 * 1024
STREAM_CHUNK_BYTES = 256 * 1024
GZIP_LEVEL = 3


class LogBatchError(ValueError):
    """An upload we cannot read; ``error`` is the API's error key."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(detail)
        self.error = error


def to_us(value: datetime) -> int:
    return int(value.timestamp() * 1_000_000)


def from_us(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, UTC)


def decode_batch(body: bytes, gzipped: bool) -> bytes:
    """The ndjson bytes of an upload, refusing anything over :data:`MAX_LOG_BATCH_BYTES`."""
    if not (gzipped or body[:2] == b"\x1f\x8b"):
        if len(body) > MAX_LOG_BATCH_BYTES:
            raise LogBatchError("too_large", f"more than {MAX_LOG_BATCH_BYTES} bytes")
        return body
    inflater = zlib.decompressobj(wbits=47)
    try:
        data = inflater.decompress(body, MAX_LOG_BATCH_BYTES + 1)
    except zlib.error as error:
        raise LogBatchError("bad_gzip", str(error)) from error
    if len(data) > MAX_LOG_BATCH_BYTES or inflater.unconsumed_tail:
        raise LogBatchError("too_large", f"more than {MAX_LOG_BATCH_BYTES} bytes once unpacked")
    if not inflater.eof:
        raise LogBatchError("bad_gzip", "the gzip stream is truncated")
    return data


@dataclass
class ParsedLine:
    at_us: int
    text: str


def _record(text: str) -> object:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            return json.loads(text)  # what orjson refuses and json reads (NaN, huge integers)
        except (ValueError, RecursionError):
            return None


def parse_lines(data: bytes, fallback_us: int) -> list[ParsedLine]:
    """Every non-blank line; one that is not a JSON object is kept, wrapped as ``unparsed``."""
    lines: list[ParsedLine] = []
    for raw in data.decode("utf-8", errors="replace").splitlines():
        text = raw.strip()
        if not text:
            continue
        record = _record(text)
        if not isinstance(record, dict):
            at_us = fallback_us
            text = json.dumps(
                {"at": from_us(at_us).isoformat(), "unparsed": raw}, ensure_ascii=False
            )
        else:
            when = log_line_time(record)
            at_us = to_us(when) if when is not None else fallback_us
        lines.append(ParsedLine(at_us, text))
    return lines


def covered_until(until_us: int, now_us: int) -> int:
    """Coverage never reaches past the moment the centre heard from the kiosk."""
    return min(until_us, now_us)


_INSERT = {
    "sqlite": "INSERT INTO log_lines (kiosk_id, at_us, line_hash, line) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (kiosk_id, line_hash) DO NOTHING",
    "postgresql": "INSERT INTO log_lines (kiosk_id, at_us, line_hash, line)"
    " VALUES (%s, %s, %s, %s) ON CONFLICT (kiosk_id, line_hash) DO NOTHING",
}


def store_lines(session: Session, kiosk_id: str, lines: list[ParsedLine]) -> None:
    """Insert lines, skipping any this kiosk already uploaded (overlapping ranges).

    On the session's own transaction, through the driver's executemany: SQLAlchemy's
    per-row statement handling cost more than the database's work for 200,000 lines."""
    if not lines:
        return
    connection = session.connection()
    sql = _INSERT[connection.dialect.name]
    rows = [
        (kiosk_id, line.at_us,
         hashlib.blake2b(line.text.encode(), digest_size=16).hexdigest(), line.text)
        for line in lines
    ]
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])
    finally:
        cursor.close()


def missing_ranges(
    session: Session, kiosk_id: str, since_us: int, until_us: int
) -> list[tuple[int, int]]:
    """The parts of [since, until) that no upload of this kiosk covers."""
    uploads = session.execute(
        select(LogUpload.since_us, LogUpload.until_us)
        .where(
            LogUpload.kiosk_id == kiosk_id,
            LogUpload.since_us < until_us,
            LogUpload.until_us > since_us,
        )
        .order_by(LogUpload.since_us)
    ).all()
    gaps: list[tuple[int, int]] = []
    cursor = since_us
    for start, end in uploads:
        if start > cursor:
            gaps.append((cursor, min(start, until_us)))
        cursor = max(cursor, end)
        if cursor >= until_us:
            break
    if cursor < until_us:
        gaps.append((cursor, until_us))
    return gaps


_RANGE = {
    "sqlite": "SELECT line FROM log_lines WHERE kiosk_id = ? AND at_us >= ? AND at_us < ?"
    " ORDER BY at_us, id",
    "postgresql": "SELECT line FROM log_lines WHERE kiosk_id = %s AND at_us >= %s AND at_us < %s"
    " ORDER BY at_us, id",
}


def stream_lines(
    engine: Engine, kiosk_id: str, since_us: int, until_us: int, gzipped: bool
) -> Iterator[bytes]:
    """The lines of [since, until) in time order, in chunks, gzip'd when asked.

    Read through the driver's cursor (server-side on PostgreSQL) in blocks of rows: building
    SQLAlchemy rows cost more than the database's reading."""
    deflater = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31) if gzipped else None
    buffer: list[str] = []
    size = 0
    with engine.connect() as connection:
        dialect = connection.dialect.name
        raw = connection.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor(name="log_pull") if dialect == "postgresql" else raw.cursor()
        try:
            cursor.execute(_RANGE[dialect], (kiosk_id, since_us, until_us))
            while rows := cursor.fetchmany(5000):
                buffer.extend(row[0] for row in rows)
                size += sum(len(row[0]) + 1 for row in rows)
                if size >= STREAM_CHUNK_BYTES:
                    chunk = ("\n".join(buffer) + "\n").encode()
                    buffer, size = [], 0
                    if deflater is None:
                        yield chunk
                    else:
                        packed = deflater.compress(chunk)
                        if packed:
                            yield packed
        finally:
            cursor.close()
    tail = ("\n".join(buffer) + "\n").encode() if buffer else b""
    if deflater is None:
        if tail:
            yield tail
    else:
        yield deflater.compress(tail) + deflater.flush()
