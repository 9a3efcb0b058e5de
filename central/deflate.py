"""Deflate segments that join into one gzip member without being compressed again (log pulls).

A segment is raw deflate data ended by a sync flush: byte-aligned and without a final block,
so segments laid one after another are one deflate stream. A gzip member is then the 10-byte
header, the segments, an empty final block and a trailer with the CRC-32 and length of all the
data, which :func:`crc32_combine` works out from each segment's own CRC without reading the
data again. (Gzip members one after another would be simpler, but curl and httpx read only the
first member of a response: a pull is one member.)

Segments are made with ISA-L (the ``isal`` package): at its level 1 it packs a kiosk's log
lines as small as zlib's level 6, eight times faster than zlib's level 1; any inflater reads
them.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

from isal import isal_zlib

LEVEL = 1  # ISA-L's levels are 0-3; 3 costs fifteen times as much for 0.3% smaller
crc32 = isal_zlib.crc32  # zlib's CRC-32, a few times faster
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time
_FINAL = b"\x03\x00"  # an empty final block (static Huffman: the end-of-block code alone)
_POLY = 0xEDB88320  # CRC-32, bits reversed


def segment(data: bytes, level: int = LEVEL) -> bytes:
    deflater = isal_zlib.compressobj(level, isal_zlib.DEFLATED, -15)
    return deflater.compress(data) + deflater.flush(isal_zlib.Z_SYNC_FLUSH)


def inflate(data: bytes, chunk: int) -> Iterator[bytes]:
    """A segment's data in pieces of about ``chunk`` bytes."""
    inflater = zlib.decompressobj(-15)
    while data:
        piece = inflater.decompress(data, chunk)
        data = inflater.unconsumed_tail
        if piece:
            yield piece
    rest = inflater.flush()
    if rest:
        yield rest


def gzip_trailer(crc: int, size: int) -> bytes:
    """What ends a gzip member whose segments held ``size`` bytes with CRC-32 ``crc``."""
    return _FINAL + struct.pack("<II", crc, size & 0xFFFFFFFF)


def _times_mod_p(a: int, b: int) -> int:
    """a(x) * b(x) modulo the CRC polynomial (zlib's multmodp)."""
    mask, product = 1 << 31, 0
    while True:
        if a & mask:
            product ^= b
            if not a & (mask - 1):
                return product
        mask >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


_X_POW_2N = [1 << 30]  # x^(2^n) modulo the polynomial, n = 0..31
for _ in range(31):
    _X_POW_2N.append(_times_mod_p(_X_POW_2N[-1], _X_POW_2N[-1]))


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from that of A, that of B and the length of B (zlib's way: crc1
    times x^(8 * length2), plus crc2)."""
    power, n, k = 1 << 31, length2, 3
    while n:
        if n & 1:
            power = _times_mod_p(_X_POW_2N[k & 31], power)
        n >>= 1
        k += 1
    return _times_mod_p(power, crc1) ^ crc2
