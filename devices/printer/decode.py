"""An incremental ESC/POS parser: bytes in, operations out (used by the simulator).

It knows the length of every command the renderer and python-escpos send, so it can stop at a
command cut in half by TCP and carry on when the rest arrives. Bytes in Kanji mode are GB18030
(a superset of GBK); outside it single-byte code page 437. Unknown commands become ``Unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Two-byte commands (prefix + letter) and three-byte ones (prefix + letter + one parameter).
_FIXED = {
    b"\x1b@": 2,
    b"\x1b2": 2,
    b"\x1c&": 2,
    b"\x1c.": 2,
    b"\x1b<": 2,
    b"\x1ba": 3,
    b"\x1bE": 3,
    b"\x1bd": 3,
    b"\x1bt": 3,
    b"\x1b!": 3,
    b"\x1b-": 3,
    b"\x1b3": 3,
    b"\x1bM": 3,
    b"\x1bG": 3,
    b"\x1bJ": 3,
    b"\x1b{": 3,
    b"\x1bV": 3,
    b"\x1bR": 3,
    b"\x1bc": 4,
    b"\x1bp": 5,
    b"\x1b$": 4,
    b"\x1d!": 3,
    b"\x1dB": 3,
    b"\x1dH": 3,
    b"\x1df": 3,
    b"\x1dh": 3,
    b"\x1dw": 3,
    b"\x1da": 3,
    b"\x1dL": 4,
    b"\x1dW": 4,
    b"\x1dr": 3,
    b"\x1dI": 3,
    b"\x1c!": 3,
    b"\x1c-": 3,
    b"\x1cC": 3,
    b"\x1cS": 4,
    b"\x1cW": 3,
    b"\x10\x04": 3,
    b"\x10\x05": 3,
}


@dataclass
class Op:
    """One parsed operation: ``name``, its arguments and the bytes it came from."""

    name: str
    args: tuple = ()
    raw: bytes = b""


class Parser:
    """Feed bytes, get operations; incomplete commands wait for more bytes."""

    def __init__(self, kanji: bool = False) -> None:
        self.buffer = bytearray()
        self.kanji = kanji
        self.kanji_default = kanji
        self.qr_store: bytes = b""
        self.qr_module = 3

    def feed(self, data: bytes) -> list[Op]:
        self.buffer += data
        ops: list[Op] = []
        while self.buffer:
            before = len(ops)
            taken = self._one(ops)
            if taken == 0:
                break
            if len(ops) == before:
                ops.append(Op("ignored"))
            ops[-1].raw = bytes(self.buffer[:taken])
            del self.buffer[:taken]
        return ops

    def _one(self, ops: list[Op]) -> int:
        buf = self.buffer
        first = buf[0]
        if first == 0x0A:
            ops.append(Op("lf"))
            return 1
        if first in (0x0D, 0x00):
            return 1
        if first == 0x09:
            ops.append(Op("text", ("    ",)))
            return 1
        if first in (0x1B, 0x1D, 0x1C, 0x10):
            return self._command(ops)
        if first < 0x20:
            ops.append(Op("unknown", (bytes(buf[:1]),)))
            return 1
        return self._text(ops)

    def _text(self, ops: list[Op]) -> int:
        buf = self.buffer
        end = 0
        while end < len(buf) and buf[end] >= 0x20:
            byte = buf[end]
            if byte < 0x80 or not self.kanji:
                end += 1
                continue
            width = 4 if end + 1 < len(buf) and 0x30 <= buf[end + 1] <= 0x39 else 2
            if end + width > len(buf):
                break  # half a character: wait for the rest
            end += width
        if end == 0:
            return 0
        raw = bytes(buf[:end])
        text = raw.decode("gb18030", "replace") if self.kanji else raw.decode("cp437", "replace")
        ops.append(Op("text", (text,)))
        return end

    def _command(self, ops: list[Op]) -> int:
        buf = self.buffer
        if len(buf) < 2:
            return 0
        head = bytes(buf[:2])
        if head == b"\x1dV":
            if len(buf) < 3:
                return 0
            length = 4 if buf[2] in (65, 66, 97, 98, 103, 104) else 3
            if len(buf) < length:
                return 0
            ops.append(Op("cut", (buf[2],)))
            return length
        if head == b"\x1dv":
            return self._raster(ops)
        if head == b"\x1b$":
            if len(buf) < 4:
                return 0
            ops.append(Op("position", (buf[2] | buf[3] << 8,)))
            return 4
        if head == b"\x1d(":
            return self._gs_paren(ops)
        length = _FIXED.get(head)
        if not length:
            ops.append(Op("unknown", (head,)))
            return 2
        if len(buf) < length:
            return 0
        arg = buf[2] if length >= 3 else 0
        ops.append(self._fixed_op(head, arg))
        return length

    def _fixed_op(self, head: bytes, arg: int) -> Op:
        match head:
            case b"\x1b@":
                self.kanji = self.kanji_default
                return Op("init")
            case b"\x1c&":
                self.kanji = True
                return Op("kanji", (True,))
            case b"\x1c.":
                self.kanji = False
                return Op("kanji", (False,))
            case b"\x1ba":
                return Op(
                    "align", (("left", "center", "right")[arg % 48 if arg >= 48 else arg % 3],)
                )
            case b"\x1bE":
                return Op("bold", (bool(arg & 1),))
            case b"\x1bd":
                return Op("feed", (arg,))
            case b"\x1d!":
                return Op("size", ((arg >> 4) + 1, (arg & 0x0F) + 1))
            case b"\x10\x04":
                return Op("status", (arg,))
        return Op("ignored", (head, arg))

    def _raster(self, ops: list[Op]) -> int:
        buf = self.buffer
        if len(buf) < 8:
            return 0
        width_bytes = buf[4] | buf[5] << 8
        height = buf[6] | buf[7] << 8
        end = 8 + width_bytes * height
        if len(buf) < end:
            return 0
        ops.append(Op("raster", (width_bytes, height, bytes(buf[8:end]))))
        return end

    def _gs_paren(self, ops: list[Op]) -> int:
        buf = self.buffer
        if len(buf) < 5:
            return 0
        size = buf[3] | buf[4] << 8
        end = 5 + size
        if len(buf) < end:
            return 0
        kind, body = buf[2], bytes(buf[5:end])
        if kind == ord("k") and len(body) >= 2 and body[0] == 0x31:
            fn = body[1]
            if fn == 0x43:
                self.qr_module = body[2]
            elif fn == 0x50:
                self.qr_store = body[3:]
            elif fn == 0x51:
                ops.append(Op("qr", (self.qr_store, self.qr_module)))
            return end
        ops.append(Op("ignored", (bytes(buf[:3]),)))
        return end
