"""Kiosk log batches: decoding an upload, storing it as gzip'd blocks by time, coverage, pulls.

A kiosk's lines live in ``log_blocks`` (:class:`central.models.LogBlock`): runs of lines in time
order, each a deflate segment of the lines (central/deflate.py) with their times, CRC-32 and
length beside it. One kiosk's blocks never overlap in time (an upload that overlaps stored
blocks is merged with them and they are written anew), so a pull walks the blocks in order and
hands on the stored bytes of each block wholly inside the range as part of one gzip member;
only the blocks at the range's two edges are unpacked, cut and packed again.

Reading an upload: when every line is a JSON object with its time as ISO text in one field
(``ts`` as the kiosk writes, or ``at``), valid UTF-8 with nothing to strip, the times come from
one C pass (msgspec) and a few numpy steps. Anything else goes line by line
(:func:`parse_lines`): a line that is not a JSON object is kept, wrapped as ``unparsed``; one
without a readable time is put at the upload's ``since`` (or its arrival). Identical lines are
stored once where uploads overlap in time, so a re-upload of a range adds nothing.

Times are integer microseconds since the epoch so range queries behave the same on SQLite and
PostgreSQL. An upload with ``since``/``until`` records that range as covered; one without
covers the span of its own lines.
"""

from __future__ import annotations

import hashlib
import json
import operator
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
import numpy as np
import orjson
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from central import deflate
from central.isotimes import iso_us
from central.models import LogUpload
from wire.models import LOG_TIME_FIELDS, log_line_time

MAX_LOG_BATCH_BYTES = 64 * 1024 * 1024
STREAM_CHUNK_BYTES = 256 * 1024
BLOCK_BYTES = 1024 * 1024  # blocks cut from merged or reordered lines (an upload in order is one)


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


@dataclass
class Batch:
    """An upload's lines in the order received: line ``i`` has time ``times[i]``."""

    times: np.ndarray  # int64 microseconds
    data: bytes  # the lines, each ending in a newline, exactly as they are stored and served

    def __len__(self) -> int:
        return len(self.times)

    def lines(self) -> list[bytes]:
        return self.data.split(b"\n")[:-1]


# A log line's time fields; msgspec checks the rest of the line without building it. Not
# tracked by the garbage collector (decoded JSON holds no cycles): tens of thousands of tracked
# objects a batch set off collections that cost as much as the decoding.
_Stamped = msgspec.defstruct(
    "_Stamped", [(name, Any, None) for name in LOG_TIME_FIELDS], gc=False
)
_STAMPED = msgspec.json.Decoder(_Stamped)
_FIELDS = [operator.attrgetter(name) for name in LOG_TIME_FIELDS]
_TZINFO = operator.attrgetter("tzinfo")


def _iso_times(records: list[Any]) -> list[str] | None:
    """Each record's time text, when all take it from the same field and it is text there."""
    for field in _FIELDS:
        column = list(map(field, records))
        empty = column.count(None)
        if empty == len(column):
            continue  # no line has it: log_line_time() looks at the next field
        return column if not empty and set(map(type, column)) == {str} else None
    return None


_SPLITS = (b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")  # U+0085, U+2028/9: splitlines() cuts


def _plain_times(data: bytes) -> np.ndarray | None:
    """Each line's time, when :func:`parse_lines` would keep every line byte for byte and every
    line has its time as ISO text in the same field (``at``, or ``ts`` as the kiosk writes):
    JSON objects, valid UTF-8, no control characters, nothing to strip or to cut apart. ``None``
    sends the upload line by line."""
    if not (data.startswith(b"{") and data.endswith(b"}\n")):
        return None
    if not data.isascii():
        try:
            data.decode()
        except UnicodeDecodeError:
            return None
        if any(mark in data for mark in _SPLITS):
            return None
    # Every line "{...}": nothing to strip, no blank line; the only control bytes are newlines.
    octets = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(octets == 0x0A)
    if not (
        np.all(octets[newlines - 1] == 0x7D)
        and np.all(octets[newlines[:-1] + 1] == 0x7B)
        and np.count_nonzero(octets < 0x20) == len(newlines)
    ):
        return None
    try:
        records = _STAMPED.decode_lines(data)
    except msgspec.DecodeError:
        return None
    if len(records) != len(newlines):
        return None
    texts = _iso_times(records)
    if texts is None:
        return None
    alike = iso_us(texts)  # the kiosk's own times, all written one way
    if alike is not None:
        return alike
    try:
        stamps = list(map(datetime.fromisoformat, texts))
    except ValueError:
        return None
    if None in map(_TZINFO, stamps):
        stamps = [s if s.tzinfo else s.replace(tzinfo=UTC) for s in stamps]
    # to_us() of each, in one numpy step: the same float product, truncated the same way
    seconds = np.fromiter(map(datetime.timestamp, stamps), np.float64, len(stamps))
    return (seconds * 1_000_000).astype(np.int64)


def parse_batch(data: bytes, fallback_us: int) -> Batch:
    """The upload's lines and their times (see the module's docstring for the two paths)."""
    plain = data + b"\n" if data.endswith(b"}") else data  # no newline after the last line
    times = _plain_times(plain)
    if times is not None:
        return Batch(times, plain)
    lines = parse_lines(data, fallback_us)
    return Batch(
        np.array([line.at_us for line in lines], dtype=np.int64),
        "".join(line.text + "\n" for line in lines).encode(),
    )


def covered_until(until_us: int, now_us: int) -> int:
    """Coverage never reaches past the moment the centre heard from the kiosk."""
    return min(until_us, now_us)


# --- blocks --------------------------------------------------------------------------------


def pack_times(times: np.ndarray) -> bytes:
    """``times`` (ascending) as zlib'd little-endian int64 differences, the first from zero."""
    return zlib.compress(np.diff(times, prepend=0).astype("<i8").tobytes(), 1)


def unpack_times(packed: bytes) -> np.ndarray:
    return np.cumsum(np.frombuffer(zlib.decompress(packed), dtype="<i8")).astype(np.int64)


def _lock(connection: Connection, kiosk_id: str) -> None:
    """One upload of a kiosk's logs at a time, until the transaction ends: a merge reads the
    blocks it rewrites. SQLite has one writer; this write (of nothing) makes us it now."""
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b(b"log_blocks:" + kiosk_id.encode(),
                                             digest_size=8).digest(), "big", signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        connection.execute(text("UPDATE log_blocks SET lines = lines WHERE 0 = 1"))


# Blocks touching [:since, :until): the one that starts at or before :since (it may reach into
# the range) and every one that starts inside it. Both bounds walk the primary key.
_TOUCHING = """
 FROM log_blocks WHERE kiosk_id = :kiosk AND last_us >= :since AND first_us < :until
 AND first_us >= COALESCE((SELECT MAX(first_us) FROM log_blocks
                           WHERE kiosk_id = :kiosk AND first_us <= :since), :since)
 ORDER BY first_us"""


def _insert(connection: Connection, kiosk_id: str, times: np.ndarray, data: bytes) -> None:
    connection.execute(
        text("INSERT INTO log_blocks (kiosk_id, first_us, last_us, lines, size, crc, data, times)"
             " VALUES (:kiosk, :first, :last, :lines, :size, :crc, :data, :times)"),
        {"kiosk": kiosk_id, "first": int(times[0]), "last": int(times[-1]),
         "lines": len(times), "size": len(data), "crc": deflate.crc32(data),
         "data": deflate.segment(data), "times": pack_times(times)},
    )


def _insert_run(connection: Connection, kiosk_id: str, times: np.ndarray,
                lines: Sequence[bytes]) -> None:
    """Lines in time order as blocks of about :data:`BLOCK_BYTES`, never cutting between two
    lines of the same time (blocks must not overlap)."""
    start, size = 0, 0
    for index, line in enumerate(lines):
        if size >= BLOCK_BYTES and times[index] != times[index - 1]:
            _insert(connection, kiosk_id, times[start:index],
                    b"".join(line + b"\n" for line in lines[start:index]))
            start, size = index, 0
        size += len(line) + 1
    if start < len(lines):
        _insert(connection, kiosk_id, times[start:],
                b"".join(line + b"\n" for line in lines[start:]))


def _in_order(batch: Batch) -> tuple[np.ndarray, list[bytes]] | None:
    """The batch's lines in time order with each distinct line once, or None when it is so
    already (times strictly rising: no two lines can be the same, those share their time)."""
    if len(batch.times) < 2 or bool(np.all(batch.times[1:] > batch.times[:-1])):
        return None
    lines = batch.lines()
    first: dict[bytes, int] = {}
    for index, line in enumerate(lines):
        first.setdefault(line, index)
    keep = np.fromiter(first.values(), np.int64, len(first))
    keep = keep[np.argsort(batch.times[keep], kind="stable")]
    return batch.times[keep], [lines[i] for i in keep]


def store_batch(session: Session, kiosk_id: str, batch: Batch) -> None:
    """Add the batch's lines to the kiosk's blocks, on the session's transaction. Lines already
    stored (an overlapping upload) are skipped; where stored blocks overlap the batch in time,
    they and the new lines are written anew as one run, older lines first at equal times."""
    if not len(batch):
        return
    connection = session.connection()
    _lock(connection, kiosk_id)
    ordered = _in_order(batch)
    times, lines = ordered if ordered is not None else (batch.times, None)
    stored = connection.execute(
        text("SELECT first_us, data, times" + _TOUCHING),
        {"kiosk": kiosk_id, "since": int(times[0]), "until": int(times[-1]) + 1},
    ).all()
    if not stored:
        if lines is None:
            _insert(connection, kiosk_id, times, batch.data)
        else:
            _insert_run(connection, kiosk_id, times, lines)
        return
    old_lines = [line for row in stored for line in _unpack(row.data).split(b"\n")[:-1]]
    old_times = np.concatenate([unpack_times(row.times) for row in stored])
    known = set(old_lines)
    new_lines = lines if lines is not None else batch.lines()
    fresh = [i for i, line in enumerate(new_lines) if line not in known]
    if not fresh:
        return
    all_times = np.concatenate([old_times, times[fresh]])
    all_lines = old_lines + [new_lines[i] for i in fresh]
    order = np.argsort(all_times, kind="stable")  # stored lines come first at equal times
    connection.execute(  # the stored blocks are consecutive: none lies between two of them
        text("DELETE FROM log_blocks WHERE kiosk_id = :kiosk"
             " AND first_us >= :first AND first_us <= :last"),
        {"kiosk": kiosk_id, "first": stored[0].first_us, "last": stored[-1].first_us},
    )
    _insert_run(connection, kiosk_id, all_times[order], [all_lines[i] for i in order])


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


def _unpack(segment: bytes) -> bytes:
    return b"".join(deflate.inflate(segment, 1 << 30))


# A block wholly inside the range needs no times: its bytes go out as they are.
_PULL = text(
    "SELECT data, size, crc,"
    " CASE WHEN first_us >= :since AND last_us < :until THEN NULL ELSE times END"
    + _TOUCHING
)


def stream_lines(
    engine: Engine, kiosk_id: str, since_us: int, until_us: int, gzipped: bool
) -> Iterator[bytes]:
    """The lines of [since, until) in time order, in chunks; gzip'd when asked, as one gzip
    member made of the stored segments (and the cut parts of the edge blocks).

    Read a few blocks at a time (a server-side cursor on PostgreSQL)."""
    crc, total = 0, 0
    if gzipped:
        yield deflate.GZIP_HEADER
    with engine.connect() as connection:
        rows = connection.execute(
            _PULL.execution_options(stream_results=True, yield_per=4),
            {"kiosk": kiosk_id, "since": since_us, "until": until_us},
        )
        for data, size, block_crc, times in rows:
            if times is None:
                if gzipped:
                    crc, total = deflate.crc32_combine(crc, block_crc, size), total + size
                    yield bytes(data)
                else:
                    yield from deflate.inflate(data, STREAM_CHUNK_BYTES)
                continue
            at = unpack_times(times)
            first, end = np.searchsorted(at, [since_us, until_us], side="left")
            if first == end:
                continue
            lines = _unpack(data).split(b"\n")
            chunk = b"\n".join(lines[first:end]) + b"\n"
            if gzipped:
                crc, total = deflate.crc32(chunk, crc), total + len(chunk)
                yield deflate.segment(chunk)
            else:
                yield chunk
    if gzipped:
        yield deflate.gzip_trailer(crc, total)
