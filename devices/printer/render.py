"""Render a :class:`Receipt` to ESC/POS bytes for one :class:`PrinterProfile`.

Text is laid out here (never by the printer's own wrapping), so a line is at most the profile's
columns. Lines with Chinese switch the printer into Kanji mode (``FS &``) once and are encoded in
the profile's encoding; a line the encoding cannot hold, or any non-ASCII line on a printer without
a Chinese font, is drawn and sent as a raster line instead, so nothing turns into ``?``.
"""

from __future__ import annotations

import re

from devices.printer import commands as cmd
from devices.printer import layout
from devices.printer.document import (
    Align,
    Cut,
    Feed,
    KeyValue,
    QrCode,
    Receipt,
    Separator,
    Table,
    Text,
    Title,
)
from devices.printer.errors import ReceiptDocumentError
from devices.printer.profile import PrinterProfile
from devices.printer.raster import pack_rows, qr_image, qr_modules, text_image

QR_ERROR_LEVEL = "M"
TEAR_OFF_LINES = 4  # lines fed on a printer without a cutter, so the last line clears the bar
# A run of spaces this long costs more than ESC $ (4 bytes), so it becomes a jump.
_GAP = re.compile(" {5,}")


class _Renderer:
    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self.out = bytearray(cmd.INIT)
        self.kanji = False
        self.align: Align = "left"

    def set_align(self, where: Align) -> None:
        if where != self.align:
            self.out += cmd.align(where)
            self.align = where

    def line(self, text: str, scale: int = 1) -> None:
        text = text.rstrip() if self.align == "left" else text.strip()
        pieces = self._pieces(text) if self.align == "left" and scale == 1 else [text]
        encoded: list[bytes] = []
        for piece in pieces:
            if isinstance(piece, int):
                encoded.append(cmd.position(piece * self.profile.cell_dots))
                continue
            data = piece.encode("ascii") if piece.isascii() else self._encode(piece)
            if data is None:
                rows, width_bytes = pack_rows(text_image(text, self.profile.cell_dots, scale))
                self.out += cmd.raster(rows, width_bytes)
                return
            encoded.append(data)
        if not text.isascii() and not self.kanji:
            self.out += cmd.KANJI_ON
            self.kanji = True
        self.out += b"".join(encoded) + cmd.LF

    @staticmethod
    def _pieces(text: str) -> list[str | int]:
        """Text pieces with long runs of spaces replaced by the column the next piece starts at."""
        pieces: list[str | int] = []
        start = 0
        for gap in _GAP.finditer(text):
            pieces.append(text[start : gap.start()])
            pieces.append(layout.text_width(text[: gap.end()]))
            start = gap.end()
        pieces.append(text[start:])
        return [p for p in pieces if p != ""]

    def _encode(self, text: str) -> bytes | None:
        if not self.profile.cjk_font:
            return None
        try:
            return text.encode(self.profile.encoding)
        except UnicodeEncodeError:
            return None

    def element(self, element: object) -> None:
        columns = self.profile.columns
        match element:
            case Title(text=text):
                self.set_align("center")
                self.out += cmd.size(2, 2) + cmd.bold(True)
                for line in layout.wrap(text, columns // 2):
                    self.line(line, scale=2)
                self.out += cmd.bold(False) + cmd.size(1, 1)
            case Text(text=text, align=align, bold=bold):
                self.set_align(align)
                if bold:
                    self.out += cmd.bold(True)
                for line in layout.wrap(text, columns):
                    self.line(line)
                if bold:
                    self.out += cmd.bold(False)
            case KeyValue(key=key, value=value):
                self.set_align("left")
                for line in layout.key_value(key, value, columns):
                    self.line(line)
            case Table(headers=headers, rows=rows):
                if any(len(row) != len(headers) for row in rows):
                    raise ReceiptDocumentError("every table row needs one cell per header")
                self.set_align("left")
                try:
                    lines = layout.table(headers, rows, columns)
                except ValueError as error:
                    raise ReceiptDocumentError(str(error)) from error
                for line in lines:
                    self.line(line)
            case QrCode():
                self.qr(element)
            case Separator(char=char):
                self.set_align("left")
                self.line(char * (columns // max(1, layout.text_width(char))))
            case Feed(lines=lines):
                self.out += cmd.feed(lines)
            case Cut(partial=partial):
                self.finish_text()
                self.out += self.cut(partial)
            case _:
                raise ReceiptDocumentError(f"unknown receipt element {element!r}")

    def qr(self, element: QrCode) -> None:
        if not element.data:
            raise ReceiptDocumentError("a QR code needs data")
        data = element.data.encode("utf-8")
        if len(data) > cmd.QR_MAX_BYTES:
            raise ReceiptDocumentError(
                f"QR data is {len(data)} bytes, more than {cmd.QR_MAX_BYTES}"
            )
        modules = qr_modules(element.data, QR_ERROR_LEVEL)
        module_size = max(1, min(element.size, 16, self.profile.dots // modules))
        self.set_align("center")
        if self.profile.native_qr:
            self.out += cmd.qr_native(data, module_size, QR_ERROR_LEVEL)
        else:
            rows, width_bytes = pack_rows(qr_image(element.data, module_size, QR_ERROR_LEVEL))
            self.out += cmd.raster(rows, width_bytes)
        if element.caption:
            for line in layout.wrap(element.caption, self.profile.columns):
                self.line(line)

    def cut(self, partial: bool) -> bytes:
        """The cut the printer can do (a model with one kind of cut gets that kind); a printer
        with no cutter gets paper fed past its tear-off bar instead."""
        can = self.profile.cut
        if can == "none":
            return cmd.feed(TEAR_OFF_LINES)
        return cmd.cut(partial=can == "partial" or (partial and can == "both"))

    def finish_text(self) -> None:
        if self.kanji:
            self.out += cmd.KANJI_OFF
            self.kanji = False
        self.set_align("left")


def render(receipt: Receipt, profile: PrinterProfile) -> bytes:
    """The whole job: ESC @, the elements, and a final cut when the document has none."""
    renderer = _Renderer(profile)
    for element in receipt.elements:
        renderer.element(element)
    if not receipt.elements or not isinstance(receipt.elements[-1], Cut):
        renderer.element(Cut())
    return bytes(renderer.out)
