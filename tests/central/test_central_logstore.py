"""The log store against real SQLite and PostgreSQL: uploads in any order and overlap, pulled
back by range, compared with the row-per-line store it replaced (time order, ties in upload
order, each line once); the fast reading of plain uploads agrees with the line-by-line one; a
gzip'd pull is one gzip member holding the stored segments as they are."""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import random
import threading
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine, select

from central import deflate, logstore
from central.db import make_engine, make_sessionmaker
from central.logstore import (
    decode_batch,
    pack_times,
    parse_batch,
    parse_lines,
    store_batch,
    stream_lines,
    to_us,
    unpack_times,
)
from central.models import LogBlock
from kiosk.heartbeat import gzip_lines
from kiosk.logs import JsonFormatter

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    yield made
    made.dispose()


def _line(second: int, tag: str, field: str = "at") -> bytes:
    """A line whose text fixes its time (so the old store's dedup by text is the same)."""
    at = (T0 + timedelta(seconds=second // 4, milliseconds=250 * (second % 4))).isoformat()
    return json.dumps({field: at, "msg": f"第{second}步 {tag}"}, ensure_ascii=False).encode()


def _upload(engine: Engine, kiosk_id: str, lines: list[bytes], *, packed: bool = True,
            fallback_us: int = 0) -> None:
    body = b"".join(line + b"\n" for line in lines)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        data = decode_batch(gzip.compress(body) if packed else body, packed)
        store_batch(session, kiosk_id, parse_batch(data, fallback_us))
        session.commit()


def _pull(engine: Engine, kiosk_id: str, since_us: int, until_us: int, gzipped: bool) -> bytes:
    body = b"".join(stream_lines(engine, kiosk_id, since_us, until_us, gzipped))
    return gzip.decompress(body) if gzipped else body


class OldStore:
    """The row-per-line store's rules: a line's text is stored once (first upload wins),
    a range comes out in (time, insertion) order."""

    def __init__(self) -> None:
        self.rows: dict[bytes, tuple[int, int]] = {}

    def upload(self, lines: list[bytes]) -> None:
        for parsed in parse_lines(b"".join(line + b"\n" for line in lines), 0):
            text = parsed.text.encode()
            self.rows.setdefault(text, (parsed.at_us, len(self.rows)))

    def pull(self, since_us: int, until_us: int) -> bytes:
        kept = sorted((at, order, text) for text, (at, order) in self.rows.items()
                      if since_us <= at < until_us)
        return b"".join(text + b"\n" for _at, _order, text in kept)


def _blocks(engine: Engine, kiosk_id: str) -> list[LogBlock]:
    with make_sessionmaker(engine)() as session:
        return list(session.scalars(
            select(LogBlock).where(LogBlock.kiosk_id == kiosk_id).order_by(LogBlock.first_us)
        ))


def _assert_blocks_sound(engine: Engine, kiosk_id: str) -> None:
    blocks = _blocks(engine, kiosk_id)
    for block in blocks:
        times = unpack_times(block.times)
        data = b"".join(deflate.inflate(block.data, 1 << 20))
        assert len(times) == block.lines == data.count(b"\n")
        assert (block.size, block.crc) == (len(data), zlib.crc32(data))
        assert (times[0], times[-1]) == (block.first_us, block.last_us)
        assert bool(np.all(times[1:] >= times[:-1]))
    for before, after in itertools.pairwise(blocks):
        assert before.last_us < after.first_us  # never overlapping


@pytest.mark.parametrize("seed", range(6))
def test_random_uploads_pull_like_the_row_per_line_store(engine: Engine, seed: int) -> None:
    rng = random.Random(seed)
    kiosk_id = f"k-random-{seed}"
    old = OldStore()
    for _ in range(12):
        start = rng.randrange(0, 400)
        lines = [_line(s, "a") for s in range(start, start + rng.randrange(1, 120))]
        shape = rng.random()
        if shape < 0.25:
            rng.shuffle(lines)  # out of time order
        elif shape < 0.4:
            lines += rng.sample(lines, min(5, len(lines)))  # repeated inside one upload
        elif shape < 0.5:
            lines.insert(rng.randrange(len(lines)), _line(start, "b", field="ts"))  # line by line
        if rng.random() < 0.3:  # several lines at one time, distinct texts
            lines += [_line(start + 1, f"tie {n}") for n in range(3)]
        old.upload(lines)
        _upload(engine, kiosk_id, lines, packed=rng.random() < 0.8)
        _assert_blocks_sound(engine, kiosk_id)
    everything = (to_us(T0) - 1, to_us(T0) + 10**9)
    for gzipped in (False, True):
        assert _pull(engine, kiosk_id, *everything, gzipped) == old.pull(*everything)
    for _ in range(20):
        since = to_us(T0) + rng.randrange(-10**6, 130 * 10**6)
        until = since + rng.randrange(1, 60 * 10**6)
        gzipped = rng.random() < 0.5
        assert _pull(engine, kiosk_id, since, until, gzipped) == old.pull(since, until)


def test_an_overlapping_re_upload_adds_nothing_and_keeps_upload_order_at_ties(
    engine: Engine,
) -> None:
    first = [_line(s, "x") for s in range(0, 40)]
    _upload(engine, "k-overlap", first)
    _upload(engine, "k-overlap", first)  # the same range again
    _upload(engine, "k-overlap", [_line(s, "x") for s in range(20, 60)])  # half of it again
    _upload(engine, "k-overlap", [_line(30, "later at the same time")])
    blocks = _blocks(engine, "k-overlap")
    assert sum(block.lines for block in blocks) == 61
    pulled = _pull(engine, "k-overlap", 0, 10**18, False).splitlines()
    expected = [_line(s, "x") for s in range(60)]
    expected.insert(31, _line(30, "later at the same time"))  # after the stored line of 30
    assert pulled == expected
    _assert_blocks_sound(engine, "k-overlap")


def _one_member(body: bytes) -> bytes:
    """The data of a gzip body that must be exactly one member (curl reads no further)."""
    inflater = zlib.decompressobj(31)
    data = inflater.decompress(body)
    assert inflater.eof and inflater.unused_data == b""
    return data


def test_a_pull_is_one_gzip_member_holding_the_stored_segments(engine: Engine) -> None:
    for n in (0, 50, 100):
        _upload(engine, "k-pass", [_line(s, "g") for s in range(n, n + 50)])
    segments = [block.data for block in _blocks(engine, "k-pass")]
    assert len(segments) == 3
    whole = b"".join(stream_lines(engine, "k-pass", 0, 10**18, True))
    assert whole.startswith(deflate.GZIP_HEADER + b"".join(segments))  # not packed again
    assert _one_member(whole).splitlines() == [_line(s, "g") for s in range(150)]
    # a range cutting the first and last upload: only those two are unpacked and cut
    since, until = to_us(T0) + 5 * 10**6, to_us(T0) + 30 * 10**6
    middle = b"".join(stream_lines(engine, "k-pass", since, until, True))
    assert segments[1] in middle
    assert _one_member(middle).splitlines() == [_line(s, "g") for s in range(20, 120)]


def test_an_empty_range_is_an_empty_gzip_stream(engine: Engine) -> None:
    _upload(engine, "k-empty", [_line(0, "e")])
    assert _one_member(b"".join(stream_lines(engine, "k-empty", 10**17, 10**18, True))) == b""
    assert _pull(engine, "k-empty", 10**17, 10**18, False) == b""


def test_concurrent_overlapping_uploads_store_each_line_once(engine: Engine) -> None:
    batches = [[_line(s, "c") for s in range(n, n + 200)] for n in range(0, 400, 50)]
    errors: list[BaseException] = []

    def send(lines: list[bytes]) -> None:
        try:
            _upload(engine, "k-race", lines)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=send, args=(lines,)) for lines in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _pull(engine, "k-race", 0, 10**18, False).splitlines() == [
        _line(s, "c") for s in range(550)
    ]
    _assert_blocks_sound(engine, "k-race")


ODD_UPLOADS = [
    b'{"at": "2024-05-01T08:00:00Z", "msg": "Z"}\n{"at": "2024-05-01T16:00:01+08:00"}\n',
    b'{"at": "2024-05-01T08:00:02"}\n{"at": "2024-05-01"}\n',  # no zone: UTC; a date alone
    b'{"at": "2024-05-01T08:00:03.123456+00:00", "n": 1e400}\n',
    b'{"at": "2024-05-01T08:00:04Z"}  \n',  # trailing blanks
    b'\n{"at": "2024-05-01T08:00:05Z"}\r\n\n',  # blank lines, CRLF
    '{"at": "2024-05-01T08:00:06Z", "msg": "a\u2028b"}\n'.encode(),  # str.splitlines() cuts
    b'{"at": "2024-05-01T08:00:07Z", "bad": "\xff"}\n',  # not UTF-8
    b'{"ts": 1714550408, "msg": "unix seconds"}\n{"msg": "no time"}\nnot json\n[1, 2]\n',
    b'{"at": "yesterday"}\n{"at": null, "time": "2024-05-01T08:00:09Z"}\n',
    b'{"at": "2024-05-01T08:00:10Z", "x": NaN}\n{"at": "2024-05-01T08:00:11Z"}',
    '{"at": "2024-05-01T08:00:12+00:00", "msg": "多字节 \\u00e9"}\n'.encode(),
    b'{"at": "2024-05-01T08:00:13Z", "at": "2024-05-01T08:00:14Z"}\n',
    b'{"at": "2024-05-01T08:00:15Z"}',  # no newline after the last line
    b'{"ts": "2024-05-01T08:00:16.001Z", "level": "INFO"}\n{"ts": "2024-05-01T08:00:17Z"}\n',
    b'{"ts": "2024-05-01T08:00:18Z"}\n{"at": "2024-05-01T08:00:19Z"}\n',  # two fields
    b'{"at": null, "ts": "2024-05-01T08:00:20Z"}\n{"at": false, "ts": "2024-05-01T08:00:21Z"}\n',
    b'{"ts": "2024-05-01T08:00:22Z", "time": 5}\n{"ts": 1714550423}\n',
    b'{"time": "2024-05-01T08:00:23Z"}\n{"timestamp": "2024-05-01T08:00:24Z"}\n',
]


@pytest.mark.parametrize("data", ODD_UPLOADS)
def test_the_fast_reading_agrees_with_the_line_by_line_one(data: bytes) -> None:
    fallback = to_us(T0) + 123
    expected = parse_lines(data, fallback)
    batch = parse_batch(data, fallback)
    assert batch.times.tolist() == [line.at_us for line in expected]
    assert batch.data == "".join(line.text + "\n" for line in expected).encode()


def test_the_kiosks_own_log_lines_take_the_fast_reading() -> None:
    formatter = JsonFormatter()
    lines = []
    for n in range(50):
        record = logging.LogRecord("kiosk.flow", logging.INFO, __file__, 1, "步骤 %s", (n,), None)
        record.created = T0.timestamp() + n / 8
        record.event = "flow.step"
        lines.append(formatter.format(record))
    data = decode_batch(gzip_lines(lines), True)
    times = logstore._plain_times(data)
    assert times is not None  # not line by line
    assert times.tolist() == [line.at_us for line in parse_lines(data, 0)]
    assert times[0] == to_us(T0)


def test_decoding_reads_gzip_zlib_and_plain_bodies() -> None:
    data = b'{"at": "2024-05-01T08:00:00Z"}\n'
    assert decode_batch(gzip.compress(data), True) == data
    assert decode_batch(zlib.compress(data), True) == data
    assert decode_batch(data, False) == data


def test_segments_join_into_one_gzip_member() -> None:
    rng = random.Random(5)
    parts = [b"one\n" * 1000, b"", rng.randbytes(70_000), b"two\n" * 50_000]
    crc = 0
    for part in parts:
        crc = deflate.crc32_combine(crc, zlib.crc32(part), len(part))
    assert crc == zlib.crc32(b"".join(parts))
    body = deflate.GZIP_HEADER + b"".join(map(deflate.segment, parts))
    body += deflate.gzip_trailer(crc, sum(map(len, parts)))
    assert _one_member(body) == b"".join(parts)
    assert b"".join(deflate.inflate(deflate.segment(parts[3]), 100)) == parts[3]
    for _ in range(200):
        a, b = rng.randbytes(rng.randrange(3000)), rng.randbytes(rng.randrange(3000))
        assert deflate.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_times_pack_and_unpack() -> None:
    times = np.array([-5, 0, 0, 7, 2**62], dtype=np.int64)
    assert unpack_times(pack_times(times)).tolist() == times.tolist()
