"""log lines kept as deflated time-ordered blocks (log_blocks) instead of a row per line

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 21:40:00

Every line of ``log_lines`` moves into ``log_blocks``: per kiosk, in (at_us, id) order, runs of
about 1 MiB of lines, never cut between two lines of the same time (blocks must not overlap).
The block format is written out here, not imported, so this revision keeps meaning what it
meant when central/logstore.py changes.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BLOCK_BYTES = 1024 * 1024


def _block(kiosk_id: str, times: list[int], lines: list[bytes]) -> dict[str, object]:
    """A row of log_blocks: the lines as a deflate segment (level 1, ended by a sync flush),
    their length and CRC-32, their times as zlib'd little-endian int64 differences."""
    text = b"".join(line + b"\n" for line in lines)
    deflater = zlib.compressobj(1, zlib.DEFLATED, -15)
    data = deflater.compress(text) + deflater.flush(zlib.Z_SYNC_FLUSH)
    deltas = np.diff(np.array(times, dtype=np.int64), prepend=0).astype("<i8")
    return {"kiosk_id": kiosk_id, "first_us": times[0], "last_us": times[-1],
            "lines": len(lines), "size": len(text), "crc": zlib.crc32(text), "data": data,
            "times": zlib.compress(deltas.tobytes(), 1)}


def _runs(rows: Iterator[sa.Row]) -> Iterator[dict[str, object]]:
    """Blocks from (kiosk_id, at_us, line) rows sorted by kiosk, time and id."""
    kiosk = ""
    times: list[int] = []
    lines: list[bytes] = []
    size = 0
    for kiosk_id, at_us, line in rows:
        if times and (kiosk_id != kiosk or (size >= BLOCK_BYTES and at_us != times[-1])):
            yield _block(kiosk, times, lines)
            times, lines, size = [], [], 0
        kiosk = kiosk_id
        encoded = line.encode()
        times.append(at_us)
        lines.append(encoded)
        size += len(encoded) + 1
    if times:
        yield _block(kiosk, times, lines)


def upgrade() -> None:
    blocks = op.create_table('log_blocks',
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('first_us', sa.BigInteger(), nullable=False),
    sa.Column('last_us', sa.BigInteger(), nullable=False),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('crc', sa.BigInteger(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('times', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('kiosk_id', 'first_us')
    )
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT kiosk_id, at_us, line FROM log_lines ORDER BY kiosk_id, at_us, id"
    ).execution_options(stream_results=True, yield_per=5000))
    pending: list[dict[str, object]] = []
    for block in _runs(iter(rows)):
        pending.append(block)
        if len(pending) >= 16:
            connection.execute(blocks.insert(), pending)
            pending = []
    if pending:
        connection.execute(blocks.insert(), pending)
    rows.close()
    with op.batch_alter_table('log_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_log_lines_time')
    op.drop_table('log_lines')


def downgrade() -> None:
    op.create_table('log_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('at_us', sa.BigInteger(), nullable=False),
    sa.Column('line_hash', sa.String(length=32), nullable=False),
    sa.Column('line', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kiosk_id', 'line_hash', name='uq_log_line')
    )
    with op.batch_alter_table('log_lines', schema=None) as batch_op:
        batch_op.create_index('ix_log_lines_time', ['kiosk_id', 'at_us'], unique=False)
    connection = op.get_bind()
    blocks = connection.execute(sa.text(
        "SELECT kiosk_id, data, times FROM log_blocks ORDER BY kiosk_id, first_us"
    ))
    for kiosk_id, data, times in blocks:
        inflater = zlib.decompressobj(-15)
        text = inflater.decompress(data) + inflater.flush()
        at = np.cumsum(np.frombuffer(zlib.decompress(times), dtype="<i8"))
        rows = [
            {"kiosk_id": kiosk_id, "at_us": int(at_us), "line": line.decode(),
             "line_hash": hashlib.blake2b(line, digest_size=16).hexdigest()}
            for at_us, line in zip(at, text.split(b"\n")[:-1], strict=True)
        ]
        connection.execute(sa.text(  # identical lines were stored once then
            "INSERT INTO log_lines (kiosk_id, at_us, line_hash, line)"
            " VALUES (:kiosk_id, :at_us, :line_hash, :line) ON CONFLICT (kiosk_id, line_hash) DO NOTHING"
        ), rows)
    op.drop_table('log_blocks')
