"""ESC/POS command bytes, one small builder per command (Epson ESC/POS reference layouts).

Only what the renderer sends: init, alignment, emphasis, size, Kanji (Chinese) mode, feed,
absolute position (``ESC $``), native QR (``GS ( k``, function 165-169), raster bit image (``GS v 0``), cut and status query.
"""

from __future__ import annotations

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
DLE = b"\x10"
EOT = b"\x04"
LF = b"\n"

INIT = ESC + b"@"
KANJI_ON = FS + b"&"
KANJI_OFF = FS + b"."

_ALIGN = {"left": 0, "center": 1, "right": 2}
QR_ERROR_LEVELS = {"L": 48, "M": 49, "Q": 50, "H": 51}
QR_MAX_BYTES = 7089 - 3  # the store command's pL pH counts 3 header bytes too


def align(where: str) -> bytes:
    """ESC a n."""
    return ESC + b"a" + bytes([_ALIGN[where]])


def bold(on: bool) -> bytes:
    """ESC E n."""
    return ESC + b"E" + bytes([1 if on else 0])


def size(width: int = 1, height: int = 1) -> bytes:
    """GS ! n: high nibble is width-1, low nibble height-1; applies to ANK and Kanji alike."""
    return GS + b"!" + bytes([((width - 1) << 4) | (height - 1)])


def position(dots: int) -> bytes:
    """ESC $ nL nH: absolute print position from the line start, in motion units (1 dot by default)."""
    return ESC + b"$" + dots.to_bytes(2, "little")


def feed(lines: int) -> bytes:
    """ESC d n: print and feed n lines."""
    return ESC + b"d" + bytes([max(0, min(lines, 255))])


def cut(partial: bool = True) -> bytes:
    """GS V m n with m=66/65: feed to the cutter position (+0) and cut, so nothing is cut off."""
    return GS + b"V" + (b"\x42" if partial else b"\x41") + b"\x00"


def qr_native(data: bytes, module_size: int = 6, error_level: str = "M") -> bytes:
    """GS ( k: select model 2, module size, error level, store the data, print it."""
    if not 1 <= module_size <= 16:
        raise ValueError("QR module size must be 1..16")
    if len(data) > QR_MAX_BYTES:
        raise ValueError(f"QR data is {len(data)} bytes, more than {QR_MAX_BYTES}")
    store_len = len(data) + 3
    return b"".join(
        [
            GS + b"(k" + b"\x04\x00" + b"\x31\x41\x32\x00",  # fn 165: model 2
            GS + b"(k" + b"\x03\x00" + b"\x31\x43" + bytes([module_size]),  # fn 167: module size
            GS
            + b"(k"
            + b"\x03\x00"
            + b"\x31\x45"
            + bytes([QR_ERROR_LEVELS[error_level]]),  # fn 169
            GS + b"(k" + store_len.to_bytes(2, "little") + b"\x31\x50\x30" + data,  # fn 180: store
            GS + b"(k" + b"\x03\x00" + b"\x31\x51\x30",  # fn 181: print the stored symbol
        ]
    )


def raster(rows: list[bytes], width_bytes: int, slice_rows: int = 255) -> bytes:
    """GS v 0 m=0: packed 1-bit rows (MSB = leftmost dot), sent in slices of at most 255 rows."""
    out = bytearray()
    for start in range(0, len(rows), slice_rows):
        chunk = rows[start : start + slice_rows]
        out += GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + len(chunk).to_bytes(2, "little")
        out += b"".join(chunk)
    return bytes(out)


def status_query(n: int) -> bytes:
    """DLE EOT n (1 printer, 2 offline cause, 3 error cause, 4 roll paper sensor)."""
    if n not in (1, 2, 3, 4):
        raise ValueError("DLE EOT n must be 1..4")
    return DLE + EOT + bytes([n])
