"""Bitmaps for printers that cannot do it themselves: QR codes and text lines as raster rows."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devices.printer.layout import char_width, text_width

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
QUIET_ZONE = 4


def _code(data: str, error_level: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=_LEVELS[error_level], border=QUIET_ZONE)
    code.add_data(data.encode("utf-8"))
    return code


def qr_matrix(data: str, error_level: str = "M") -> list[list[bool]]:
    """The QR modules (True = dark) including the 4-module quiet zone."""
    code = _code(data, error_level)
    code.make(fit=True)
    return code.get_matrix()


def qr_modules(data: str, error_level: str = "M") -> int:
    """The symbol's side in modules with its quiet zone, without building it (fast)."""
    version = _code(data, error_level).best_fit()
    return 17 + 4 * version + 2 * QUIET_ZONE


def pack_rows(image: Image.Image) -> tuple[list[bytes], int]:
    """A 1-bit image as packed rows (dark dot = 1) and the row width in bytes."""
    mono = image.convert("1")
    width_bytes = (mono.width + 7) // 8
    padded = Image.new("1", (width_bytes * 8, mono.height), 1)
    padded.paste(mono, (0, 0))
    # PIL's "1" mode packs white as 1; ESC/POS wants dark as 1, so invert the bytes.
    raw = padded.tobytes()
    inverted = bytes(b ^ 0xFF for b in raw)
    return [
        inverted[i : i + width_bytes] for i in range(0, len(inverted), width_bytes)
    ], width_bytes


def qr_image(data: str, module_size: int, error_level: str = "M") -> Image.Image:
    matrix = qr_matrix(data, error_level)
    side = len(matrix) * module_size
    image = Image.new("1", (side, side), 1)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle(
                    [
                        x * module_size,
                        y * module_size,
                        (x + 1) * module_size - 1,
                        (y + 1) * module_size - 1,
                    ],
                    fill=0,
                )
    return image


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(CJK_FONT), size)


def draw_cells(
    draw: ImageDraw.ImageDraw, x: int, y: int, text: str, cell: int, scale: tuple[int, int] = (1, 1)
) -> int:
    """Draw ``text`` on the printer's grid (one cell per column) and return the new x."""
    sx, sy = scale
    glyph_font = font(2 * cell * sy)
    for char in text:
        w = char_width(char) * cell * sx
        if char != " " and w:
            draw.text((x, y), char, font=glyph_font, fill=0)
        x += w
    return x


def text_image(text: str, cell: int, scale: int = 1) -> Image.Image:
    """One line of text drawn on the printer's grid, for printers without a Chinese font ROM.

    The image is as wide as the text, so the printer's own alignment (ESC a) still places it.
    """
    width = max(8, text_width(text) * cell * scale)
    image = Image.new("1", (width, 2 * cell * scale), 1)
    draw_cells(ImageDraw.Draw(image), 0, 0, text, cell, (scale, scale))
    return image
